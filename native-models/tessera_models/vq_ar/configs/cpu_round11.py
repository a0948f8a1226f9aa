"""cpu-10h continued with more data per image: six augmented views instead of three, and
three targets in four augmented instead of one in two.

cpu-10h's held-out image loss flattened near 3.075 under cpu-9h's recipe, with the gap to the
training images held by dropout and three views per image. Twice the views, shown more often,
give the model more distinct images per concept for the same steps. Colours are still kept
(the prompt names them), and the caption never changes. It carried cpu-10h's optimizer
moments (its run folder was on the machine), and held-out image loss went from 3.075 to 3.024.

cpu-10h has since left the tree: to run this again on a clone without its run folder, check
out its checkpoint and export from the commit before cpu-11h shipped (training then restores
cpu-10h from them, 1 minute). Expected time on 2 cores: 9 minutes to encode the views, then
100 minutes; re-running resumes from the checkpoint. From native-models/:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-11h --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-11h
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_10h import get_config as cpu_10h


def get_config() -> ExperimentConfig:
    base = cpu_10h()
    return replace(
        base,
        name="cpu-11h",
        transformer_training=replace(
            base.transformer_training, p_augmented_target=0.75, augmented_views=6
        ),
        warm_start=base.name,
    )
