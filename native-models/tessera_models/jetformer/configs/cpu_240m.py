"""The CPU preset: 240 minutes of training on 2 CPU cores, run across sessions (it checkpoints
every three minutes and resumes where it stopped when re-run; the schedule and the RGB noise
curriculum follow the accumulated training time, so the total is 240 minutes however it is cut).

Model: the tiny recipe scaled from a validated CIFAR-10 port (4×4 patches → 64 tokens × 48): 16
couplings of one ViT block at width 64; a 4-layer, width-192 multi-query decoder; 64 mixtures
over 8 AR dims, 40 dims factored. RGB noise σ 32 → 0 (0–255 space) on text-first images.

Run (from native-models/, after `npm run setup:python` and `npm run data:build`):
  OMP_WAIT_POLICY=PASSIVE .venv/bin/python -m tessera_models.jetformer.train --config cpu-240m --threads 2
  .venv/bin/python -m tessera_models.jetformer.export --config cpu-240m
OMP_WAIT_POLICY=PASSIVE keeps the two threads from spinning when other work shares the cores
(on a loaded machine spinning made each step ten times slower). Measured throughput: LOG.md.
"""

from tessera_models.jetformer.config import DecoderConfig, ExperimentConfig, FlowConfig, Training


def get_config() -> ExperimentConfig:
    return ExperimentConfig(
        name="cpu-240m",
        flow=FlowConfig(couplings=16, width=64, depth=1, heads=4),
        decoder=DecoderConfig(
            layers=4, width=192, heads=4, kv_heads=1, head_dim=48, hidden=768, mixtures=64
        ),
        training=Training(
            batch_size=64,
            steps=100_000,  # the time budget ends it first
            minutes=240,
            lr=1e-3,
            warmup=100,
            eval_every=250,
            checkpoint_minutes=3.0,
        ),
    )
