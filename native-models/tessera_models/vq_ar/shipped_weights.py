"""The weights a shipped `vq-ar` model was exported from, kept in the repository.

`checkpoints/vq-ar-<config>.pt` holds fp16 state dicts of exactly the shipped tokenizer and
transformer: small enough to commit, and enough to check PyTorch/ONNX parity, to fine-tune
from, or to rebuild the run folder a continuing config needs (restore_run).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import torch

from tessera_models.data.emoji import NATIVE_MODELS
from tessera_models.vq_ar.image_tokenizer import ImageTokenizer, ImageTokenizerConfig
from tessera_models.vq_ar.preset_names import PRESETS
from tessera_models.vq_ar.transformer import Transformer, TransformerConfig


def weights_path(config_name: str) -> Path:
    return NATIVE_MODELS / "checkpoints" / f"vq-ar-{PRESETS.release(config_name)}.pt"


def _half_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.half() if v.is_floating_point() else v for k, v in module.state_dict().items()}


def save_shipped_weights(path: Path, tokenizer: ImageTokenizer, model: Transformer) -> None:
    """fp16 state dicts of exactly the shipped weights (lossless: they were rounded to fp16),
    so later sessions can fine-tune from them and tests can check PyTorch/ONNX parity."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "tokenizer": {"config": asdict(tokenizer.config), "state": _half_state(tokenizer)},
            "transformer": {"config": asdict(model.config), "state": _half_state(model)},
        },
        path,
    )


def _float_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    # Widening fp16 weights that were rounded from fp32 is exact.
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


def load_shipped_weights(path: Path) -> tuple[ImageTokenizer, Transformer] | None:
    if not path.exists():
        return None
    saved = torch.load(path, map_location="cpu", weights_only=False)
    tokenizer = ImageTokenizer(ImageTokenizerConfig(**saved["tokenizer"]["config"]))
    tokenizer.load_state_dict(_float_state(saved["tokenizer"]["state"]))
    model = Transformer(TransformerConfig(**saved["transformer"]["config"]))
    model.load_state_dict(_float_state(saved["transformer"]["state"]))
    return tokenizer.eval(), model.eval()
