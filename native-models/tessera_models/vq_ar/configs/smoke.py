"""Smoke config: trains both stages in well under two minutes on CPU, for tests and CI.

Run: .venv/bin/python -m tessera_models.vq_ar.train_tokenizer --config smoke (then transformer,
export). Its samples are noise; it exists to prove the pipeline end to end.
"""

from tessera_models.vq_ar.config import ExperimentConfig, TokenizerTraining, TransformerTraining
from tessera_models.vq_ar.image_tokenizer import ImageTokenizerConfig
from tessera_models.vq_ar.transformer import TransformerConfig


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="smoke",
        tokenizer=ImageTokenizerConfig(levels=[4, 4, 4], channels=[8, 16, 32]),
        tokenizer_training=TokenizerTraining(
            batch_size=16, steps=30, lr=3e-3, warmup=5, eval_every=15
        ),
        transformer=TransformerConfig(layers=2, width=32, heads=2, context=96),
        transformer_training=TransformerTraining(
            batch_size=16, steps=30, lr=3e-3, warmup=5, eval_every=15
        ),
        data_limit=256,
    )
