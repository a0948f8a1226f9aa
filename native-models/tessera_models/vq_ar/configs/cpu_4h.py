"""`cpu-2h` continued with retrieval augmentation in fixed caption slots.

cpu-3h (retrieval with captions of their own length) learned to copy a document's caption but
not its image: with learned absolute positions, the distance from a document's cell to the
target's same cell changed with both captions' lengths. Here every prompt caption, the
document's included, is left-padded with <pad> to 16 tokens (the tokenizer's longest caption),
so that distance is always the same (82 tokens, one document). Otherwise cpu-3h's recipe: half of the
examples get one retrieved document, the context grows to 192, warm-started from cpu-2h's last
checkpoint with a fresh warmup and cosine.

Run (from native-models/, after cpu-2h):
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-4h --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-4h
Expected time on 2 cores: 85 minutes (it resumes from its checkpoint when re-run).
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_2h import get_config as cpu_2h


def get_config() -> ExperimentConfig:
    base = cpu_2h()
    return replace(
        base,
        name="cpu-4h",
        caption_slot=16,
        transformer=replace(base.transformer, context=192),
        transformer_training=replace(
            base.transformer_training,
            lr=1e-3,
            warmup=100,
            steps=8000,
            minutes=85,
            p_retrieval=0.5,
        ),
        warm_start=base.name,
    )
