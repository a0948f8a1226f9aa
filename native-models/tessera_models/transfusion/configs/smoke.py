"""Smoke config: trains in seconds on CPU, for tests and CI (ddpm; the tests also train it with
the flow objective by replacing `diffusion`).

Run: .venv/bin/python -m tessera_models.transfusion.train --config smoke (then export). Its
samples are noise; it exists to prove the pipeline end to end.
"""

from tessera_models.transfusion.config import (
    DiffusionConfig,
    ExperimentConfig,
    ModelConfig,
    Training,
)


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="smoke",
        model=ModelConfig(layers=2, width=32, heads=2, hidden=64, time_dim=16),
        diffusion=DiffusionConfig(objective="ddpm", sampler="ddim", steps=4),
        training=Training(batch_size=8, steps=12, lr=3e-3, warmup=3, eval_every=6, val_items=32),
        data_limit=200,
    )
