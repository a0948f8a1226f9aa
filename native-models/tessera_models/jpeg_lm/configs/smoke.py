"""Smoke config: trains in well under a minute on CPU, for tests and CI.

Run: .venv/bin/python -m tessera_models.jpeg_lm.train --config smoke (then export). Its samples
are noise; it exists to prove the pipeline end to end.
"""

from tessera_models.jpeg_lm.config import ExperimentConfig, Training
from tessera_models.jpeg_lm.llama import LlamaConfig


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="smoke",
        image_size=32,
        bpe_merges=16,
        bpe_images=200,
        model=LlamaConfig(layers=2, width=32, heads=2, hidden=64, context=320),
        training=Training(batch_size=8, steps=20, lr=3e-3, warmup=5, eval_every=10),
        data_limit=200,
    )
