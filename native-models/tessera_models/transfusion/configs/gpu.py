"""The `gpu` preset: one GPU for under 10 minutes (several through torchrun), 8 Llama blocks ×
384 (6 heads, SwiGLU 1024), batch 256, bf16 autocast, the paper's DDPM objective.

Run (from native-models/):
  .venv/bin/python -m tessera_models.transfusion.train --config gpu
  torchrun --nproc_per_node 4 -m tessera_models.transfusion.train --config gpu
  .venv/bin/python -m tessera_models.transfusion.export --config gpu
"""

from tessera_models.transfusion.config import (
    DiffusionConfig,
    ExperimentConfig,
    ModelConfig,
    Training,
)


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="gpu",
        model=ModelConfig(layers=8, width=384, heads=6, hidden=1024, time_dim=128),
        diffusion=DiffusionConfig(objective="ddpm", sampler="ddim", steps=32, cfg_scale=3.0),
        training=Training(
            batch_size=256,
            steps=20_000,
            minutes=9,
            lr=5e-4,
            warmup=300,
            eval_every=1000,
            val_items=512,
            checkpoint_minutes=3.0,
        ),
    )
