"""The weights a shipped `vq-ar` model was exported from, kept in the repository.

`checkpoints/vq-ar-<config>.pt` holds fp16 state dicts of exactly the shipped tokenizer and
transformer: small enough to commit, and enough to check PyTorch/ONNX parity, to fine-tune
from, or to rebuild the run folder a continuing config needs (restore_run).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from tessera_models.common.export_steps import float_state, half_state, load_shipped, save_shipped
from tessera_models.data.emoji import NATIVE_MODELS
from tessera_models.vq_ar.image_tokenizer import ImageTokenizer, ImageTokenizerConfig
from tessera_models.vq_ar.preset_names import PRESETS
from tessera_models.vq_ar.transformer import Transformer, TransformerConfig


def weights_path(config_name: str) -> Path:
    return NATIVE_MODELS / "checkpoints" / f"vq-ar-{PRESETS.release(config_name)}.pt"


def save_shipped_weights(path: Path, tokenizer: ImageTokenizer, model: Transformer) -> None:
    """fp16 state dicts of exactly the shipped weights (lossless: they were rounded to fp16),
    so later sessions can fine-tune from them and tests can check PyTorch/ONNX parity."""
    save_shipped(
        path,
        {
            "tokenizer": {"config": asdict(tokenizer.config), "state": half_state(tokenizer)},
            "transformer": {"config": asdict(model.config), "state": half_state(model)},
        },
    )


def load_shipped_weights(path: Path) -> tuple[ImageTokenizer, Transformer] | None:
    saved = load_shipped(path)
    if saved is None:
        return None
    tokenizer = ImageTokenizer(ImageTokenizerConfig(**saved["tokenizer"]["config"]))
    tokenizer.load_state_dict(float_state(saved["tokenizer"]["state"]))
    model = Transformer(TransformerConfig(**saved["transformer"]["config"]))
    model.load_state_dict(float_state(saved["transformer"]["state"]))
    return tokenizer.eval(), model.eval()
