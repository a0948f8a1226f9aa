"""vq-ar CPU round 2 (named cpu-2h until presets were renamed): a 60-minute budget.

`cpu-round1`'s transformer continued for another hour on 2 CPU cores: the same tokenizer (its
codes and vocabulary are copied), warm-started from cpu-round1's last transformer checkpoint
with a fresh warmup and a lower cosine peak. cpu-round1's validation loss was still falling
when its budget ended (LOG.md).

Run (from native-models/, after cpu-round1 has trained both stages):
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round2 --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round2
There is no tokenizer stage: train_tokenizer refuses this config.
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_round1 import get_config as cpu_round1


def get_config() -> ExperimentConfig:
    base = cpu_round1()
    return replace(
        base,
        name="cpu-round2",
        transformer_training=replace(
            base.transformer_training, lr=7.5e-4, warmup=50, steps=5000, minutes=60
        ),
        warm_start=base.name,
    )
