"""`cpu-1h`'s transformer continued for another hour on 2 CPU cores: the same tokenizer (its
codes and vocabulary are copied), warm-started from cpu-1h's last transformer checkpoint
with a fresh warmup and a lower cosine peak. cpu-1h's validation loss was still falling
when its budget ended (LOG.md).

Run (from native-models/, after cpu-1h has trained both stages):
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-2h --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-2h
There is no tokenizer stage: train_tokenizer refuses this config.
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_1h import get_config as cpu_1h


def get_config() -> ExperimentConfig:
    base = cpu_1h()
    return replace(
        base,
        name="cpu-2h",
        transformer_training=replace(
            base.transformer_training, lr=7.5e-4, warmup=50, steps=5000, minutes=60
        ),
        warm_start=base.name,
    )
