"""vq-ar CPU round 11 (named cpu-11h until presets were renamed): a 100-minute budget. The
shipped default: its model ships as tessera/vq-ar-emoji32-cpu-11h (the old name stays the
model id, export folder and weights file).

cpu-round10 continued with more data per image: six augmented views instead of three, and
three targets in four augmented instead of one in two.

cpu-round10's held-out image loss flattened near 3.075 under cpu-round9's recipe, with the gap to the
training images held by dropout and three views per image. Twice the views, shown more often,
give the model more distinct images per concept for the same steps. Colours are still kept
(the prompt names them), and the caption never changes. It carried cpu-round10's optimizer
moments (its run folder was on the machine), and held-out image loss went from 3.075 to 3.024.

cpu-round10 has since left the tree: to run this again on a clone without its run folder, check
out its checkpoint and export from the commit before cpu-round11 shipped (training then restores
cpu-round10 from them, 1 minute). Expected time on 2 cores: 9 minutes to encode the views, then
100 minutes; re-running resumes from the checkpoint. From native-models/:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round11 --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round11
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_round10 import get_config as cpu_round10


def get_config() -> ExperimentConfig:
    base = cpu_round10()
    return replace(
        base,
        name="cpu-round11",
        transformer_training=replace(
            base.transformer_training, p_augmented_target=0.75, augmented_views=6
        ),
        warm_start=base.name,
    )
