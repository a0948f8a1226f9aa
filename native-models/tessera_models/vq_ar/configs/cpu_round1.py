"""vq-ar CPU round 1 (named cpu-1h until presets were renamed): both stages from scratch on 2
CPU cores (docs/training.md §Presets and budgets). Every later round continues it; the shipped
default is cpu-round11.

Run (from native-models/, after `npm run setup:python` and `npm run data:build`):
  .venv/bin/python -m tessera_models.vq_ar.train_tokenizer --config cpu-round1
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round1
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round1
Expected time on 2 cores with bf16 autocast: tokenizer 25 min, transformer 55 min
(measured times are in LOG.md). Both stages resume from their checkpoint when re-run.
"""

from tessera_models.vq_ar.config import ExperimentConfig, TokenizerTraining, TransformerTraining
from tessera_models.vq_ar.image_tokenizer import ImageTokenizerConfig
from tessera_models.vq_ar.transformer import TransformerConfig


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="cpu-round1",
        tokenizer=ImageTokenizerConfig(levels=[8, 5, 5, 5], channels=[48, 96, 192]),
        tokenizer_training=TokenizerTraining(
            batch_size=64, steps=9000, lr=2e-3, eval_every=250, minutes=25
        ),
        transformer=TransformerConfig(layers=6, width=256, heads=8, context=96),
        transformer_training=TransformerTraining(batch_size=64, steps=5000, lr=1.5e-3, minutes=55),
    )
