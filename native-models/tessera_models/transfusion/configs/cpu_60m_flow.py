"""A CPU preset: `cpu-60m-ddpm` with the rectified-flow objective instead (x_t = (1 − t)·x_0 +
t·ε, velocity prediction, Euler sampling; Heun is a sampler option), at the same compute, so the
two objectives compare on equal terms: the same 3,900 steps of the same model and batch (about
60 minutes on 2 idle CPU cores); checkpoints every three minutes and resumes when re-run.

Run (from native-models/):
  OMP_WAIT_POLICY=PASSIVE .venv/bin/python -m tessera_models.transfusion.train --config cpu-60m-flow --threads 2
  .venv/bin/python -m tessera_models.transfusion.export --config cpu-60m-flow
"""

from dataclasses import replace

from tessera_models.transfusion.config import DiffusionConfig, ExperimentConfig
from tessera_models.transfusion.configs.cpu_60m_ddpm import get_config as ddpm_config


def get_config() -> ExperimentConfig:
    return replace(
        ddpm_config(),
        name="cpu-60m-flow",
        diffusion=DiffusionConfig(objective="flow", sampler="euler", steps=16, cfg_scale=3.0),
    )
