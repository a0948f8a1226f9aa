"""The `gpu` preset: one H100-class GPU, about 30 minutes (docs/training.md §Presets and budgets),
or several through
`torchrun --nproc_per_node N -m tessera_models.vq_ar.train_transformer --config gpu`.

Run:
  .venv/bin/python -m tessera_models.vq_ar.train_tokenizer --config gpu
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config gpu
  .venv/bin/python -m tessera_models.vq_ar.export --config gpu
Not yet trained: no GPU has been available (see LOG.md).
"""

from tessera_models.vq_ar.config import ExperimentConfig, TokenizerTraining, TransformerTraining
from tessera_models.vq_ar.image_tokenizer import ImageTokenizerConfig
from tessera_models.vq_ar.transformer import TransformerConfig


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="gpu",
        tokenizer=ImageTokenizerConfig(levels=[8, 5, 5, 5], channels=[96, 192, 384]),
        tokenizer_training=TokenizerTraining(batch_size=256, steps=20000, lr=1e-3, minutes=10),
        transformer=TransformerConfig(layers=8, width=384, heads=6, context=96),
        transformer_training=TransformerTraining(batch_size=256, steps=20000, lr=6e-4, minutes=20),
    )
