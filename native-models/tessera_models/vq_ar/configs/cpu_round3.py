"""vq-ar CPU round 3 (named cpu-3h until presets were renamed): a 80-minute budget.

`cpu-round2` continued with retrieval augmentation, the CM3Leon recipe's missing half
(docs/models.md §vq-ar retrieval): half of the examples get one document retrieved from the training
split, prepended as `caption <break> img <break>`. The context doubles to 192 for that layout; the
learned positions 96-191 start as copies of 0-95. Same tokenizer, warm-started from cpu-round2's last
checkpoint with a fresh warmup and cosine.

Run (from native-models/, after cpu-round2):
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round3 --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round3
Expected time on 2 cores: 80 minutes (it resumes from its checkpoint when re-run).
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_round2 import get_config as cpu_round2


def get_config() -> ExperimentConfig:
    base = cpu_round2()
    return replace(
        base,
        name="cpu-round3",
        transformer=replace(base.transformer, context=192),
        transformer_training=replace(
            base.transformer_training,
            lr=1e-3,
            warmup=100,
            steps=8000,
            minutes=80,
            p_retrieval=0.5,
        ),
        warm_start=base.name,
    )
