"""`cpu-1h` continued for 75 more minutes on 2 CPU cores: the same model and tokenizers, warm-
started from cpu-1h's last checkpoint with a fresh warmup and a lower cosine peak, so the two
runs together are about 2 h 15 min of training (LOG.md).

Run (from native-models/, after cpu-1h has trained):
  .venv/bin/python -m tessera_models.jpeg_lm.train --config cpu-2h --threads 2
  .venv/bin/python -m tessera_models.jpeg_lm.export --config cpu-2h
Resumes from its own checkpoint when re-run.
"""

from tessera_models.jpeg_lm.config import ExperimentConfig, Training
from tessera_models.jpeg_lm.configs.cpu_1h import get_config as cpu_1h


def get_config() -> ExperimentConfig:
    base = cpu_1h()
    return ExperimentConfig(
        name="cpu-2h",
        model=base.model,
        training=Training(batch_size=16, steps=20000, lr=1e-3, warmup=50, minutes=75),
        warm_start=base.name,
    )
