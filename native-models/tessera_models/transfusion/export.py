"""Exports a trained `transfusion` experiment: ONNX graphs, tokenizer, manifest, goldens.

Usage: python -m tessera_models.transfusion.export --config cpu-60m-ddpm [--out DIR]

Verification on real test images (each recorded in manifest.parity; any miss fails the export):
onnx.checker full check and no random ops; every graph against PyTorch at batch 2 and 5 (max
abs diff ≤ 1e-4); the decoder under two different masks (the image block both ways, and purely
causal) each matching PyTorch and differing from each other, which shows the mask is read, not
folded; the image block run against the cached text prefix, at two different noise levels with
the same cache, against the full pass; golden outputs for fixed seeds from the reference loop.
"""

from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch

from tessera_models.common.decoder_io import OPSET, TOLERANCE, check_parity, cpu_session
from tessera_models.common.onnx_tools import (
    check_graph,
    graph_entry,
    round_weights_to_half,
    sha256_file,
    store_weights_as_half,
)
from tessera_models.common.resolved_config import resolve
from tessera_models.common.source import git_commit
from tessera_models.common.training import run_events
from tessera_models.data.emoji import NATIVE_MODELS, EmojiDataset, load_emoji
from tessera_models.transfusion.config import (
    DiffusionConfig,
    ExperimentConfig,
    ModelConfig,
    load_config,
)
from tessera_models.transfusion.golden import write_goldens
from tessera_models.transfusion.manifest import build_manifest
from tessera_models.transfusion.masks import block_causal_mask_np
from tessera_models.transfusion.model import Transfusion
from tessera_models.transfusion.onnx_graphs import export_all
from tessera_models.transfusion.paths import run_dir
from tessera_models.transfusion.reference_loop import DiffusionSettings, patchify_np, to_unit
from tessera_models.transfusion.train import build_vocab, held_out_losses
from tessera_models.transfusion.vocab import Vocab

# The two masks must differ by far more than rounding for the mask-is-an-input check to mean
# anything.
MASK_EFFECT_MIN = 1e-3


def _diff(a: np.ndarray, b: np.ndarray | torch.Tensor) -> float:
    other = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    return float(np.abs(a - other).max())


def run_decoder(
    session: ort.InferenceSession, embeds: np.ndarray, past: list[np.ndarray], mask: np.ndarray
) -> list[np.ndarray]:
    b, n = embeds.shape[:2]
    p = past[0].shape[2]
    names = [i.name for i in session.get_inputs()][3:]
    feed = {
        "inputs_embeds": embeds.astype(np.float32),
        "position_ids": np.broadcast_to(np.arange(p, p + n), (b, n)).astype(np.int64),
        "attention_mask": mask,
    }
    out: list[np.ndarray] = session.run(None, feed | dict(zip(names, past, strict=True)))
    return out


def noisy_patches(data: EmojiDataset, count: int, patch: int, seed: int) -> np.ndarray:
    """f32 [count,N,C]: real test images' patches, each mixed with its own share of noise."""
    idx = data.indices("test")[:count]
    rng = np.random.default_rng(seed)
    clean = np.stack([patchify_np(to_unit(data.images[i]), patch) for i in idx])
    mix = rng.random((count, 1, 1))
    return ((1 - mix) * clean + mix * rng.standard_normal(clean.shape)).astype(np.float32)


@torch.no_grad()
def verify(
    model: Transfusion,
    paths: dict[str, Path],
    data: EmojiDataset,
    vocab: Vocab,
    report: dict[str, Any],
) -> None:
    s = {role: cpu_session(path) for role, path in paths.items()}
    c = model.config
    n = c.patches
    test = data.indices("test")
    for b in (2, 5):
        captions = [
            vocab.caption_ids(data.records[i].caption, data.records[i].set) for i in test[:b]
        ]
        shortest = min(len(cap) for cap in captions)
        prefix = np.array([vocab.prefix(cap[:shortest]) for cap in captions], np.int64)
        p = prefix.shape[1]
        (emb_t,) = s["embed_text"].run(None, {"input_ids": prefix})
        check_parity(
            f"embed_text.b{b}", _diff(emb_t, model.text_emb(torch.from_numpy(prefix))), report
        )
        x_t = noisy_patches(data, b, c.patch, seed=b)
        t = np.linspace(0.0, 1.0, b).astype(np.float32)
        (emb_i,) = s["patch_in"].run(None, {"x_t": x_t, "t": t})
        ref_i = model.patch_in(torch.from_numpy(x_t), torch.from_numpy(t))
        check_parity(f"patch_in.b{b}", _diff(emb_i, ref_i), report)

        embeds = np.concatenate([emb_t, emb_i], axis=1)
        empty = [np.zeros((b, c.heads, 0, c.head_dim), np.float32) for _ in range(2 * c.layers)]
        positions = torch.arange(p + n).expand(b, p + n)
        hidden = {}
        for name, image in (("block", (p, p + n)), ("causal", None)):
            mask = block_causal_mask_np(b, p + n, 0, image)
            out = run_decoder(s["decoder"], embeds, empty, mask)
            ref, _ = model.decoder(torch.from_numpy(embeds), positions, torch.from_numpy(mask))
            check_parity(f"decoder.{name}Mask.b{b}", _diff(out[0], ref), report)
            hidden[name] = out[0]
        effect = _diff(hidden["block"][:, p:], hidden["causal"][:, p:])
        report[f"decoder.maskEffect.b{b}"] = effect
        if not effect > MASK_EFFECT_MIN:
            raise AssertionError(f"the decoder ignores its mask input (effect {effect:.3g})")

        # The image block against the cached prefix, at two noise levels with one cache.
        cache = run_decoder(s["decoder"], emb_t, empty, block_causal_mask_np(b, p, 0, None))[1:]
        for step, (x, tt) in enumerate(((x_t, t), (x_t[::-1].copy(), t[::-1].copy()))):
            (emb,) = s["patch_in"].run(None, {"x_t": x, "t": tt})
            cached = run_decoder(
                s["decoder"], emb, cache, block_causal_mask_np(b, n, p, (p, p + n))
            )
            full = run_decoder(
                s["decoder"],
                np.concatenate([emb_t, emb], axis=1),
                empty,
                block_causal_mask_np(b, p + n, 0, (p, p + n)),
            )
            check_parity(
                f"decoder.prefixCacheStep{step}.b{b}", _diff(cached[0], full[0][:, p:]), report
            )
        (pred,) = s["patch_out"].run(None, {"hidden": hidden["block"][:, p:]})
        ref_pred = model.patch_out(torch.from_numpy(hidden["block"][:, p:]))
        check_parity(f"patch_out.b{b}", _diff(pred, ref_pred), report)
        (logits,) = s["lm_head"].run(None, {"hidden": hidden["block"][:, :p]})
        ref_logits = model.lm_head(torch.from_numpy(hidden["block"][:, :p]))
        check_parity(f"lm_head.b{b}", _diff(logits, ref_logits), report)


def training_summary(config: ExperimentConfig, state: dict[str, Any]) -> dict[str, Any]:
    done = run_events(run_dir(config.name) / "log.jsonl", "done")
    return {
        "resolvedConfig": resolve(config),
        "configFile": f"tessera_models/transfusion/configs/{config.name.replace('-', '_')}.py",
        "run": done[-1] if done else {},
        "exportedStep": int(state["step"]),
    }


def load_model(state: dict[str, Any]) -> Transfusion:
    model = Transfusion(ModelConfig(**state["config"]["model"]))
    model.load_state_dict({k: v.float() for k, v in state["model"].items()})
    return model.eval()


def default_settings(d: DiffusionConfig) -> DiffusionSettings:
    return DiffusionSettings(steps=d.steps, cfg_scale=d.cfg_scale, sampler=d.sampler)


def export(config: ExperimentConfig, out: Path, data_root: str | None = None) -> dict[str, Any]:
    data = load_emoji(data_root, size=config.model.image_size)
    vocab = build_vocab(data)
    best = run_dir(config.name) / "model_best.pt"
    chosen = best if best.exists() else run_dir(config.name) / "model.pt"
    state = torch.load(chosen, map_location="cpu", weights_only=False)
    model = load_model(state)
    if model.config.vocab_size != vocab.size:
        raise ValueError(
            f"{chosen} was trained with {model.config.vocab_size} text ids but the dataset's "
            f"vocabulary has {vocab.size}: export with the dataset it was trained on"
        )
    val = data.indices("val")[: config.training.val_items]
    with torch.no_grad():
        before = held_out_losses(model, config, vocab, data, val, torch.device("cpu"))
        # Weights are stored in fp16 (arithmetic stays fp32); the model computes with exactly
        # the stored weights, and the cost is measured and recorded.
        round_weights_to_half(model)
        after = held_out_losses(model, config, vocab, data, val, torch.device("cpu"))

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    paths = export_all(model, out)
    for path in paths.values():
        store_weights_as_half(path)
        check_graph(path)
    report: dict[str, Any] = {
        "tolerance": TOLERANCE,
        "onnxruntime": ort.__version__,
        "valLossFp32Weights": before["val_loss"],
        "valLossFp16Weights": after["val_loss"],
    }
    verify(model, paths, data, vocab, report)

    words_path = out / "words.json"
    vocab.words.save(words_path)
    files = {"words": {"file": words_path.name, "sha256": sha256_file(words_path)}}
    card = json.loads((data.root / "datacard.json").read_text(encoding="utf-8"))
    manifest = build_manifest(
        model_id=f"tessera/transfusion-emoji{config.model.image_size}-{config.name}",
        config_name=config.name,
        model=model.config,
        diffusion=config.diffusion,
        vocab=vocab,
        files=files,
        graphs={role: graph_entry(path, OPSET) for role, path in paths.items()},
        data_card=card,
        training=training_summary(config, state),
        parity=report,
        source={
            "commit": git_commit(),
            "config": config.name,
            "command": f"python -m tessera_models.transfusion.export --config {config.name}",
        },
    )
    manifest["training"]["params"] = sum(p.numel() for p in model.parameters())
    manifest_path = out / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    manifest["parity"]["golden"] = write_goldens(out, data, default_settings(config.diffusion))
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    save_shipped_weights(weights_path(config.name), model)
    return manifest


def weights_path(config_name: str) -> Path:
    return NATIVE_MODELS / "checkpoints" / f"transfusion-{config_name}.pt"


def save_shipped_weights(path: Path, model: Transfusion) -> None:
    """fp16 state dict of exactly the shipped weights (lossless: they were rounded to fp16)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    torch.save({"config": {"model": asdict(model.config)}, "model": state}, path)


def load_shipped_weights(path: Path) -> Transfusion | None:
    if not path.exists():
        return None
    return load_model(torch.load(path, map_location="cpu", weights_only=False))


def default_out(config: ExperimentConfig) -> Path:
    return NATIVE_MODELS / "exports" / f"transfusion-emoji{config.model.image_size}-{config.name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="cpu-60m-ddpm")
    parser.add_argument("--out", default=None)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()
    config = load_config(args.config)
    out = Path(args.out) if args.out else default_out(config)
    manifest = export(config, out, args.data)
    print(json.dumps(manifest["parity"], indent=2))
    print(f"exported {manifest['id']} to {out}")


if __name__ == "__main__":
    main()
