"""The shipped default: 64×64 (16 MCUs) on 2 CPU cores in about an hour
(docs/training.md §Presets and budgets).

Run (from native-models/, after `npm run setup:python` and `npm run data:build`):
  .venv/bin/python -m tessera_models.jpeg_lm.train --config cpu-1h
  .venv/bin/python -m tessera_models.jpeg_lm.export --config cpu-1h
Training resumes from its checkpoint when re-run; measured times are in LOG.md.
"""

from tessera_models.jpeg_lm.config import ExperimentConfig, Training
from tessera_models.jpeg_lm.llama import LlamaConfig


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="cpu-1h",
        model=LlamaConfig(layers=4, width=192, heads=3, hidden=512, context=832),
        training=Training(batch_size=16, steps=20000, lr=2e-3, warmup=200, minutes=60),
    )
