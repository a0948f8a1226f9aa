"""Exports a trained `jetformer` experiment: ONNX graphs, tokenizer, manifest, goldens.

Usage: python -m tessera_models.jetformer.export --config cpu-240m [--out DIR]

Verification on real test images (each recorded in manifest.parity; any miss fails the export):
onnx.checker full check and no random ops; every graph against PyTorch at batch 2 and 5
(max abs diff ≤ 1e-4; the flow's log-determinant compared per sub-pixel, the unit it enters
the bits in); the flow round trip inside onnxruntime; prefill-then-step against the full pass;
golden outputs for fixed seeds from the reference loop.
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
from tessera_models.common.kv_decoder import causal_mask_np
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
from tessera_models.jetformer.config import DecoderConfig, ExperimentConfig, FlowConfig, load_config
from tessera_models.jetformer.gemma import additive_mask
from tessera_models.jetformer.golden import write_goldens
from tessera_models.jetformer.manifest import DEFAULTS, build_manifest
from tessera_models.jetformer.model import JetFormer
from tessera_models.jetformer.onnx_graphs import export_all
from tessera_models.jetformer.patches import LEVEL, u8_to_unit
from tessera_models.jetformer.paths import run_dir
from tessera_models.jetformer.train import build_vocab, held_out_bits
from tessera_models.jetformer.vocab import Vocab


def _diff(a: np.ndarray, b: np.ndarray | torch.Tensor) -> float:
    other = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    return float(np.abs(a - other).max())


def _test_images(data: EmojiDataset, count: int) -> np.ndarray:
    """f32 [count,H,W,3] real test images with one fixed dequantisation draw."""
    idx = data.indices("test")[:count]
    noise = np.random.default_rng(0).random((count, data.size, data.size, 3)) * LEVEL
    return (u8_to_unit(torch.from_numpy(data.images[idx])).numpy() + noise).astype(np.float32)


def run_decoder(
    session: ort.InferenceSession, embeds: np.ndarray, past: list[np.ndarray]
) -> list[np.ndarray]:
    """Unpadded rows [B,S,D] right after a concatenated cache: hidden, then present.*."""
    b, n = embeds.shape[:2]
    p = past[0].shape[2]
    names = [i.name for i in session.get_inputs()][3:]
    feed = {
        "inputs_embeds": embeds,
        "position_ids": np.broadcast_to(np.arange(p, p + n), (b, n)).astype(np.int64),
        "attention_mask": causal_mask_np(np.ones((b, n), bool), np.ones((b, p), bool)),
    }
    out: list[np.ndarray] = session.run(None, feed | dict(zip(names, past, strict=True)))
    return out


@torch.no_grad()
def verify(
    model: JetFormer,
    paths: dict[str, Path],
    data: EmojiDataset,
    vocab: Vocab,
    report: dict[str, Any],
) -> None:
    s = {role: cpu_session(path) for role, path in paths.items()}
    dc = model.config
    subpixels = model.subpixels
    test = data.indices("test")
    for b in (2, 5):
        images = _test_images(data, b)
        x = torch.from_numpy(images)
        z_ref, ld_ref = model.encode(x)
        z, logdet = s["flow_forward"].run(None, {"image": images})
        check_parity(f"flow_forward.z.b{b}", _diff(z, z_ref), report)
        check_parity(
            f"flow_forward.logdetPerDim.b{b}", _diff(logdet / subpixels, ld_ref / subpixels), report
        )
        (back,) = s["flow_inverse"].run(None, {"z": z})
        check_parity(f"flow_inverse.b{b}", _diff(back, model.decode(torch.from_numpy(z))), report)
        check_parity(f"flow.roundTrip.b{b}", _diff(back, images), report)

        captions = [
            vocab.caption_ids(data.records[i].caption, data.records[i].set) for i in test[:b]
        ]
        shortest = min(len(c) for c in captions)
        prompts = np.array([vocab.prompt(c[:shortest]) for c in captions], np.int64)
        (emb_t,) = s["embed_text"].run(None, {"input_ids": prompts})
        check_parity(
            f"embed_text.b{b}", _diff(emb_t, model.text_emb(torch.from_numpy(prompts))), report
        )
        z_ar = z[:, :, : dc.ar_dims]
        (emb_i,) = s["embed_image"].run(None, {"z_ar": z_ar})
        check_parity(
            f"embed_image.b{b}", _diff(emb_i, model.img_emb(torch.from_numpy(z_ar))), report
        )

        embeds = np.concatenate([emb_t, emb_i[:, :-1]], axis=1)
        n = embeds.shape[1]
        empty = [
            np.zeros((b, dc.kv_heads, 0, dc.head_dim), np.float32) for _ in range(2 * dc.layers)
        ]
        full = run_decoder(s["decoder"], embeds, empty)
        valid = torch.ones(b, n, dtype=torch.bool)
        ref_hidden, _ = model.decoder(
            torch.from_numpy(embeds), torch.arange(n).expand(b, n), additive_mask(valid)
        )
        check_parity(f"decoder.full.b{b}", _diff(full[0], ref_hidden), report)
        split = n - 6
        out = run_decoder(s["decoder"], embeds[:, :split], empty)
        steps, cache = [out[0][:, -1]], out[1:]
        for k in range(split, n):
            out = run_decoder(s["decoder"], embeds[:, k : k + 1], cache)
            steps.append(out[0][:, -1])
            cache = out[1:]
        check_parity(
            f"decoder.prefillThenStep.b{b}",
            _diff(np.stack(steps, 1), full[0][:, split - 1 :]),
            report,
        )
        heads = s["gmm_head"].run(None, {"hidden": full[0]})
        for name, got, want in zip(
            ("mixLogits", "means", "scales"),
            heads,
            model.gmm(torch.from_numpy(full[0])),
            strict=True,
        ):
            check_parity(f"gmm_head.{name}.b{b}", _diff(got, want), report)
        (text_logits,) = s["text_head"].run(None, {"hidden": full[0]})
        check_parity(
            f"text_head.b{b}",
            _diff(text_logits, model.text_head(torch.from_numpy(full[0]))),
            report,
        )
        (bits,) = s["score"].run(None, {"image": images, "prompt_ids": prompts})
        ref_bits = model.score_bits(x, torch.from_numpy(prompts))
        check_parity(f"score.b{b}", _diff(bits, ref_bits), report)


def training_summary(config: ExperimentConfig, state: dict[str, Any]) -> dict[str, Any]:
    done = run_events(run_dir(config.name) / "log.jsonl", "done")
    return {
        "config": resolve(config),
        "configFile": f"tessera_models/jetformer/configs/{config.name.replace('-', '_')}.py",
        "run": done[-1] if done else {},
        "exportedStep": int(state["step"]),
    }


def export(config: ExperimentConfig, out: Path, data_root: str | None = None) -> dict[str, Any]:
    data = load_emoji(data_root, size=config.flow.image_size)
    vocab = build_vocab(data)
    best = run_dir(config.name) / "model_best.pt"
    chosen = best if best.exists() else run_dir(config.name) / "model.pt"
    state = torch.load(chosen, map_location="cpu", weights_only=False)
    model = JetFormer(
        FlowConfig(**state["config"]["flow"]), DecoderConfig(**state["config"]["decoder"])
    )
    model.load_state_dict(state["model"])
    model.eval()
    if model.config.vocab_size != vocab.size:
        raise ValueError(
            f"{chosen} was trained with {model.config.vocab_size} text ids but the dataset's "
            f"vocabulary has {vocab.size}: export with the dataset it was trained on"
        )
    val = data.indices("val")[: config.training.val_items]
    with torch.no_grad():
        before = held_out_bits(model, vocab, data, val, torch.device("cpu"))
        # Weights are stored in fp16 (arithmetic stays fp32); the model computes with exactly
        # the stored weights, and the cost in bits is measured and recorded.
        round_weights_to_half(model)
        after = held_out_bits(model, vocab, data, val, torch.device("cpu"))

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
        "valBitsPerDimFp32Weights": before["val_bits_per_dim"],
        "valBitsPerDimFp16Weights": after["val_bits_per_dim"],
    }
    verify(model, paths, data, vocab, report)

    words_path = out / "words.json"
    vocab.words.save(words_path)
    files = {"words": {"file": words_path.name, "sha256": sha256_file(words_path)}}
    card = json.loads((data.root / "datacard.json").read_text(encoding="utf-8"))
    manifest = build_manifest(
        model_id=f"tessera/jetformer-emoji{config.flow.image_size}-{config.name}",
        config_name=config.name,
        flow=model.flow_config,
        decoder=model.config,
        vocab=vocab,
        files=files,
        graphs={role: graph_entry(path, OPSET) for role, path in paths.items()},
        data_card=card,
        training=training_summary(config, state),
        parity=report,
        source={
            "commit": git_commit(),
            "config": config.name,
            "command": f"python -m tessera_models.jetformer.export --config {config.name}",
        },
    )
    manifest["training"]["params"] = sum(p.numel() for p in model.parameters())
    manifest_path = out / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    manifest["parity"]["golden"] = write_goldens(out, data, DEFAULTS)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    save_shipped_weights(weights_path(config.name), model)
    return manifest


def weights_path(config_name: str) -> Path:
    return NATIVE_MODELS / "checkpoints" / f"jetformer-{config_name}.pt"


def save_shipped_weights(path: Path, model: JetFormer) -> None:
    """fp16 state dict of exactly the shipped weights (lossless: they were rounded to fp16)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    config = {"flow": asdict(model.flow_config), "decoder": asdict(model.config)}
    torch.save({"config": config, "state": state}, path)


def load_shipped_weights(path: Path) -> JetFormer | None:
    if not path.exists():
        return None
    saved = torch.load(path, map_location="cpu", weights_only=False)
    model = JetFormer(
        FlowConfig(**saved["config"]["flow"]), DecoderConfig(**saved["config"]["decoder"])
    )
    model.load_state_dict(
        {k: v.float() if v.is_floating_point() else v for k, v in saved["state"].items()}
    )
    return model.eval()


def default_out(config: ExperimentConfig) -> Path:
    return NATIVE_MODELS / "exports" / f"jetformer-emoji{config.flow.image_size}-{config.name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="cpu-240m")
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
