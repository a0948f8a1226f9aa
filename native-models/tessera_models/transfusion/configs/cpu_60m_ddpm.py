"""A CPU preset: 3,900 optimizer steps, what 60 minutes on 2 idle CPU cores train (0.92 s per
step measured over the first 2,750 steps of this run), with the paper's objective (DDPM
ε-prediction, cosine schedule, T = 1000; DDIM sampling). It checkpoints every three minutes and
resumes where it stopped when re-run. The run is fixed in steps, not minutes, so its twin
`cpu-60m-flow` trains on exactly the same compute (same model, batch and step count) whatever
the machine's load or thread count while each runs.

Model: 4 Llama blocks × 192 (4 heads, SwiGLU 512) over `<bos> caption <boi> 64 patches <eoi>
<eos>`; pixels are the latents (4×4 patches of 48 values, linear patch-in/out). λ = 5, 20 %
image-first rows with noise capped at half the schedule, 10 % caption dropout.
Its twin `cpu-60m-flow` differs only in the objective, for the comparison at equal compute.

Run (from native-models/, after `npm run setup:python` and `npm run data:build`):
  OMP_WAIT_POLICY=PASSIVE .venv/bin/python -m tessera_models.transfusion.train --config cpu-60m-ddpm --threads 2
  .venv/bin/python -m tessera_models.transfusion.export --config cpu-60m-ddpm
Re-running the train command after an interruption resumes it.
"""

from tessera_models.transfusion.config import (
    DiffusionConfig,
    ExperimentConfig,
    ModelConfig,
    Training,
)

# Seconds per optimizer step on 2 idle cores, measured over this run's first 2,750 steps.
IDLE_SECONDS_PER_STEP = 0.92


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="cpu-60m-ddpm",
        model=ModelConfig(layers=4, width=192, heads=4, hidden=512),
        diffusion=DiffusionConfig(objective="ddpm", sampler="ddim", steps=16, cfg_scale=3.0),
        training=Training(
            batch_size=64,
            steps=3_900,
            lr=1e-3,
            warmup=100,
            eval_every=250,
            checkpoint_minutes=3.0,
        ),
    )
