"""cpu-4h continued with rotary offsets and the self-view curriculum.

cpu-5h (self views on cpu-4h, learned absolute positions only) showed that a view of the
target sharing 42 % of its codes still did not lower the loss after 500 steps: the model
did not learn to look 82 tokens back. With learned absolute positions that look-back is a
separate pairing for each of the 64 cells; rotary offsets make it one pattern for all of them.
Here queries and keys are also rotated (the absolute table stays, so a cell still knows where
it is), the run starts from cpu-4h's last checkpoint, and self views are given as in cpu-5h:
60 % of the image tasks with a document at the start, 20 % at the end.

Expected time on 2 cores: 55 minutes (plus 3 to encode the views); re-running resumes from
the checkpoint. From native-models/, after cpu-4h:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-6h --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-6h
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_5h import get_config as cpu_5h


def get_config() -> ExperimentConfig:
    base = cpu_5h()  # self views, warm-started from cpu-4h
    return replace(
        base,
        name="cpu-6h",
        transformer=replace(base.transformer, rotary=True),
        transformer_training=replace(base.transformer_training, lr=1e-3, warmup=100, minutes=55),
    )
