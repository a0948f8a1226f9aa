"""vq-ar CPU round 10 (named cpu-10h until presets were renamed): a 100-minute budget.

cpu-round9 continued under the same regularisation, for longer.

cpu-round9's held-out image loss was still falling when its 50 minutes ran out (3.107 at step
1500, 3.091 at 1888), and dropout with augmented targets kept the gap to the training images
from widening. This run takes the same recipe from cpu-round9's last checkpoint with a fresh
warmup and a cosine over 100 minutes, at a lower peak learning rate (100 minutes leave room in
a working session to evaluate and ship the result; it checkpoints every 5 minutes and resumes
where it stopped when run again). It was trained on a clone without cpu-round9's run folder, so
it started from the shipped cpu-round9 weights (restore_run) with fresh optimizer moments; cpu-round9
has since left the tree (git history keeps its checkpoint and export).

Expected time on 2 cores: 4 minutes to encode the codes and views, then 100 minutes. From
native-models/:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round10 --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round10
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_round9 import get_config as cpu_round9


def get_config() -> ExperimentConfig:
    base = cpu_round9()
    return replace(
        base,
        name="cpu-round10",
        transformer_training=replace(base.transformer_training, lr=3e-4, minutes=100),
        warm_start=base.name,
    )
