"""jpeg-lm CPU round 2 (named cpu-2h until presets were renamed): a 75-minute budget. The
shipped model: it ships as tessera/jpeg-lm-emoji64-cpu-2h (the old name stays the model id,
export folder and weights file).

`cpu-round1` continued for 75 more minutes on 2 CPU cores: the same model and tokenizers, warm-
started from cpu-round1's last checkpoint with a fresh warmup and a lower cosine peak, so the two
runs together are about 2 h 15 min of training (LOG.md).

Run (from native-models/, after cpu-round1 has trained):
  .venv/bin/python -m tessera_models.jpeg_lm.train --config cpu-round2 --threads 2
  .venv/bin/python -m tessera_models.jpeg_lm.export --config cpu-round2
Resumes from its own checkpoint when re-run.
"""

from tessera_models.jpeg_lm.config import ExperimentConfig, Training
from tessera_models.jpeg_lm.configs.cpu_round1 import get_config as cpu_round1


def get_config() -> ExperimentConfig:
    base = cpu_round1()
    return ExperimentConfig(
        name="cpu-round2",
        model=base.model,
        training=Training(batch_size=16, steps=20000, lr=1e-3, warmup=50, minutes=75),
        warm_start=base.name,
    )
