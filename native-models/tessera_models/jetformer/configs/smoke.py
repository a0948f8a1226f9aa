"""Smoke config: trains in seconds on CPU, for tests and CI.

Run: .venv/bin/python -m tessera_models.jetformer.train --config smoke (then export). Its
samples are noise; it exists to prove the pipeline end to end. It keeps the 16 couplings every
JetFormer preset has (fewer saturate), each one tiny.
"""

from tessera_models.jetformer.config import DecoderConfig, ExperimentConfig, FlowConfig, Training


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="smoke",
        flow=FlowConfig(couplings=16, width=16, heads=2, mlp_ratio=2),
        decoder=DecoderConfig(layers=2, width=32, heads=2, head_dim=16, hidden=64, mixtures=4),
        training=Training(batch_size=8, steps=12, lr=3e-3, warmup=3, eval_every=6, val_items=32),
        data_limit=200,
    )
