"""vq-ar CPU round 8 (named cpu-8h until presets were renamed): a 75-minute budget (stopped after 500 steps).

cpu-round7 continued without documents: the shipped model's one path, at twice the steps.

cpu-round7's documents still cost more than none, and the shipped model runs without them. A
document row is about twice as long, so half of cpu-round7's compute went to a path the studio
does not use. Here every example is a plain CM3 task (no retrieval, no self views), which
trains the no-document path at about 1.6 s per step instead of 2.9. It starts from cpu-round7's
last checkpoint with a fresh warmup and a cosine over the budget.

Outcome (LOG.md): stopped at step 500. Held-out image nats rose from cpu-round7's 3.307 to 3.483
at step 250 and 3.533 at step 500, while on training images they were 1.85: the model learns
the 16k training images by heart. cpu-round9 adds dropout and augmented targets.

Expected time on 2 cores: 75 minutes; re-running resumes from the checkpoint. From
native-models/, after cpu-round7:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round8 --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round8
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_round7 import get_config as cpu_round7


def get_config() -> ExperimentConfig:
    base = cpu_round7()
    return replace(
        base,
        name="cpu-round8",
        aligned_documents=False,
        transformer_training=replace(
            base.transformer_training,
            lr=6e-4,
            warmup=50,
            minutes=75,
            eval_every=250,
            p_retrieval=0.0,
            p_self_view=(0.0, 0.0),
        ),
        warm_start=base.name,
    )
