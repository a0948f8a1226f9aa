"""vq-ar CPU round 6 (named cpu-6h until presets were renamed): a 55-minute budget.

cpu-round4 continued with rotary offsets and the self-view curriculum.

cpu-round5 (self views on cpu-round4, learned absolute positions only) showed that a view of the
target sharing 42 % of its codes still did not lower the loss after 500 steps: the model
did not learn to look 82 tokens back. With learned absolute positions that look-back is a
separate pairing for each of the 64 cells; rotary offsets make it one pattern for all of them.
Here queries and keys are also rotated (the absolute table stays, so a cell still knows where
it is), the run starts from cpu-round4's last checkpoint, and self views are given as in cpu-round5:
60 % of the image tasks with a document at the start, 20 % at the end.

Expected time on 2 cores: 55 minutes (plus 3 to encode the views); re-running resumes from
the checkpoint. From native-models/, after cpu-round4:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round6 --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round6
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_round5 import get_config as cpu_round5


def get_config() -> ExperimentConfig:
    base = cpu_round5()  # self views, warm-started from cpu-round4
    return replace(
        base,
        name="cpu-round6",
        transformer=replace(base.transformer, rotary=True),
        transformer_training=replace(base.transformer_training, lr=1e-3, warmup=100, minutes=55),
    )
