"""vq-ar CPU round 7 (named cpu-7h until presets were renamed): a 45-minute budget.

cpu-round4 continued with aligned documents and the self-view curriculum.

cpu-round5 (self views) and cpu-round6 (self views and rotary offsets) did not learn in 500 steps to
draw from a document, not even from a view of the target: looking a fixed 82 tokens back was
never found. Aligned documents (sequences.position_ids) number the document so that its cell
k+1 shares its position with the row's cell k, the token that predicts it: the look-back
becomes "attend to your own position", and the row itself keeps the positions it has without
a document. Self views as in cpu-round5: 60 % of the image tasks with a document at the start,
20 % at the end. It starts from cpu-round4's last checkpoint with a fresh warmup and cosine.

Expected time on 2 cores: 45 minutes (plus 3 to encode the views); re-running resumes from
the checkpoint. From native-models/, after cpu-round4:
  .venv/bin/python -m tessera_models.vq_ar.train_transformer --config cpu-round7 --threads 2
  .venv/bin/python -m tessera_models.vq_ar.export --config cpu-round7 --without-memory
"""

from dataclasses import replace

from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.configs.cpu_round5 import get_config as cpu_round5


def get_config() -> ExperimentConfig:
    base = cpu_round5()  # self views, warm-started from cpu-round4
    return replace(
        base,
        name="cpu-round7",
        aligned_documents=True,
        transformer_training=replace(base.transformer_training, minutes=45, eval_every=125),
    )
