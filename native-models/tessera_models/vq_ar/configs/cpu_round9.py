"""vq-ar CPU round 9 (named cpu-9h until presets were renamed): a 50-minute budget.

cpu-round8 regularised: residual dropout and augmented targets, so more steps stop memorising.

cpu-round7's image loss is 1.59 nats on training images against 3.31 on held-out ones, and
cpu-round8's plain continuation made held-out loss worse while training loss fell: after about 35
epochs the 5.6 M model learns the 16k training images by heart. Here half the examples show
their image moved, scaled or turned a little (colours kept; three views per image, encoded
again), and the residual stream has dropout 0.1. No documents, as in cpu-round8; a lower peak
learning rate than cpu-round8's, whose restart alone cost 0.18 nats by step 250.

Expected time on 2 cores: 4 minutes to encode the views, then 50 minutes; re-running resumes
from the checkpoint. From native-models/, after cpu-round7:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round9 --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round9
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_round8 import get_config as cpu_round8


def get_config() -> ExperimentConfig:
    base = cpu_round8()  # cpu-round7 continued without documents
    return replace(
        base,
        name="cpu-round9",
        transformer=replace(base.transformer, dropout=0.1),
        transformer_training=replace(
            base.transformer_training,
            lr=4e-4,
            minutes=50,
            p_augmented_target=0.5,
        ),
    )
