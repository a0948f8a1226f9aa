"""The `gpu` preset: one H100-class GPU, about 30 minutes, 64×64
(docs/training.md §Presets and budgets).

Run:
  .venv/bin/python -m tessera_models.jpeg_lm.train --config gpu
  .venv/bin/python -m tessera_models.jpeg_lm.export --config gpu
"""

from tessera_models.jpeg_lm.config import ExperimentConfig, Training
from tessera_models.jpeg_lm.llama import LlamaConfig


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="gpu",
        model=LlamaConfig(layers=8, width=384, heads=6, hidden=1024, context=832),
        training=Training(batch_size=64, steps=30000, lr=6e-4, minutes=25),
    )
