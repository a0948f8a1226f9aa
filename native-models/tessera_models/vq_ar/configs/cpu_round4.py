"""cpu-3h's recipe in fixed caption slots: cpu-2h continued with retrieval augmentation.

cpu-3h learned to copy a document's caption but not its image: with learned absolute
positions, the distance from a document's cell to the target's same cell changed with both
captions' lengths. Here every prompt caption, the document's included, is left-padded with
<pad> to 16 tokens (the tokenizer's longest caption), so that distance is always 82 tokens.
Everything else is cpu-3h's (it too starts from cpu-2h's last checkpoint).

Expected time on 2 cores: 85 minutes; re-running resumes from the checkpoint. From
native-models/, after cpu-2h:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-4h --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-4h
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_3h import get_config as cpu_3h


def get_config() -> ExperimentConfig:
    base = cpu_3h()
    return replace(
        base,
        name="cpu-4h",
        caption_slot=16,
        transformer_training=replace(base.transformer_training, minutes=85),
    )
