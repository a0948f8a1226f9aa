"""vq-ar CPU round 4 (named cpu-4h until presets were renamed): a 85-minute budget.

cpu-round3's recipe in fixed caption slots: cpu-round2 continued with retrieval augmentation.

cpu-round3 learned to copy a document's caption but not its image: with learned absolute
positions, the distance from a document's cell to the target's same cell changed with both
captions' lengths. Here every prompt caption, the document's included, is left-padded with
<pad> to 16 tokens (the tokenizer's longest caption), so that distance is always 82 tokens.
Everything else is cpu-round3's (it too starts from cpu-round2's last checkpoint).

Expected time on 2 cores: 85 minutes; re-running resumes from the checkpoint. From
native-models/, after cpu-round2:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round4 --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round4
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_round3 import get_config as cpu_round3


def get_config() -> ExperimentConfig:
    base = cpu_round3()
    return replace(
        base,
        name="cpu-round4",
        caption_slot=16,
        transformer_training=replace(base.transformer_training, minutes=85),
    )
