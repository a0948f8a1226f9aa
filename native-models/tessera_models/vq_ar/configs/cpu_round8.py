"""cpu-7h continued without documents: the shipped model's one path, at twice the steps.

cpu-7h's documents still cost more than none, and the shipped model runs without them. A
document row is about twice as long, so half of cpu-7h's compute went to a path the studio
does not use. Here every example is a plain CM3 task (no retrieval, no self views), which
trains the no-document path at about 1.6 s per step instead of 2.9. It starts from cpu-7h's
last checkpoint with a fresh warmup and a cosine over the budget.

Outcome (LOG.md): stopped at step 500. Held-out image nats rose from cpu-7h's 3.307 to 3.483
at step 250 and 3.533 at step 500, while on training images they were 1.85: the model learns
the 16k training images by heart. cpu-9h adds dropout and augmented targets.

Expected time on 2 cores: 75 minutes; re-running resumes from the checkpoint. From
native-models/, after cpu-7h:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-8h --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-8h
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_7h import get_config as cpu_7h


def get_config() -> ExperimentConfig:
    base = cpu_7h()
    return replace(
        base,
        name="cpu-8h",
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
