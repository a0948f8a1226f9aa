"""jpeg-lm CPU round 1 (named cpu-1h until presets were renamed): 64×64 (16 MCUs) from scratch
on 2 CPU cores, a 60-minute budget (docs/training.md §Presets and budgets). cpu-round2
continues it and is the shipped model.

Run (from native-models/, after `npm run setup:python` and `npm run data:build`):
  .venv/bin/python -m tessera_models.jpeg_lm.train --config cpu-round1
  .venv/bin/python -m tessera_models.jpeg_lm.export --config cpu-round1
Training resumes from its checkpoint when re-run; measured times are in LOG.md.
"""

from tessera_models.jpeg_lm.config import ExperimentConfig, Training
from tessera_models.jpeg_lm.llama import LlamaConfig


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="cpu-round1",
        model=LlamaConfig(layers=4, width=192, heads=3, hidden=512, context=832),
        training=Training(batch_size=16, steps=20000, lr=2e-3, warmup=200, minutes=60),
    )
