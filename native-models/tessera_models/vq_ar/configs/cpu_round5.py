"""vq-ar CPU round 5 (named cpu-5h until presets were renamed): a 70-minute budget.

cpu-round4 continued with a self-view curriculum for its retrieved documents.

cpu-round4 carried documents at no cost but never drew from them. Here a share of the image tasks
that get a document get a view of their own target instead (self_views.py): 60 % at the start,
falling to 20 % at the end, so that looking 82 tokens back pays from the first steps and the
rest of the run teaches how far a document of another set can be trusted. Everything else is
cpu-round4's; it starts from cpu-round4's last checkpoint with a fresh warmup and cosine.

Expected time on 2 cores: 3 minutes to encode the views, then 70 minutes; re-running resumes
from the checkpoint. From native-models/, after cpu-round4:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round5 --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round5
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_round4 import get_config as cpu_round4


def get_config() -> ExperimentConfig:
    base = cpu_round4()
    return replace(
        base,
        name="cpu-round5",
        transformer_training=replace(
            base.transformer_training,
            lr=7.5e-4,
            warmup=50,
            minutes=70,
            p_self_view=(0.6, 0.2),
        ),
        warm_start=base.name,
    )
