"""The `gpu` preset: one GPU for under 10 minutes (several through torchrun), 32 couplings of
width 192 and a 12-layer, width-384 multi-query decoder with 256 mixtures over 8 AR dims (the
size of the validated CIFAR-10 port), bf16 autocast in the decoder, fp32 couplings.

Run (from native-models/):
  .venv/bin/python -m tessera_models.jetformer.train --config gpu
  torchrun --nproc_per_node 4 -m tessera_models.jetformer.train --config gpu
  .venv/bin/python -m tessera_models.jetformer.export --config gpu
"""

from tessera_models.jetformer.config import DecoderConfig, ExperimentConfig, FlowConfig, Training


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="gpu",
        flow=FlowConfig(couplings=32, width=192, depth=1, heads=4),
        decoder=DecoderConfig(
            layers=12,
            width=384,
            heads=6,
            kv_heads=1,
            head_dim=64,
            hidden=1536,
            mixtures=256,
            dropout=0.1,
        ),
        training=Training(
            batch_size=128,
            steps=30_000,
            minutes=9,
            lr=1e-3,
            warmup=300,
            eval_every=1000,
            checkpoint_minutes=3.0,
        ),
    )
