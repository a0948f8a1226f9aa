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

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tessera_models.common import export_steps
from tessera_models.common.decoder_io import OPSET, check_parity, cpu_session
from tessera_models.common.export_steps import max_abs_diff, run_embeds_decoder
from tessera_models.common.onnx_tools import graph_entry, round_weights_to_half
from tessera_models.common.resolved_config import resolve
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
            f"embed_text.b{b}",
            max_abs_diff(emb_t, model.text_emb(torch.from_numpy(prefix))),
            report,
        )
        x_t = noisy_patches(data, b, c.patch, seed=b)
        t = np.linspace(0.0, 1.0, b).astype(np.float32)
        (emb_i,) = s["patch_in"].run(None, {"x_t": x_t, "t": t})
        ref_i = model.patch_in(torch.from_numpy(x_t), torch.from_numpy(t))
        check_parity(f"patch_in.b{b}", max_abs_diff(emb_i, ref_i), report)

        embeds = np.concatenate([emb_t, emb_i], axis=1)
        empty = [np.zeros((b, c.heads, 0, c.head_dim), np.float32) for _ in range(2 * c.layers)]
        positions = torch.arange(p + n).expand(b, p + n)
        hidden = {}
        for name, image in (("block", (p, p + n)), ("causal", None)):
            mask = block_causal_mask_np(b, p + n, 0, image)
            out = run_embeds_decoder(s["decoder"], embeds, empty, mask)
            ref, _ = model.decoder(torch.from_numpy(embeds), positions, torch.from_numpy(mask))
            check_parity(f"decoder.{name}Mask.b{b}", max_abs_diff(out[0], ref), report)
            hidden[name] = out[0]
        effect = max_abs_diff(hidden["block"][:, p:], hidden["causal"][:, p:])
        report[f"decoder.maskEffect.b{b}"] = effect
        if not effect > MASK_EFFECT_MIN:
            raise AssertionError(f"the decoder ignores its mask input (effect {effect:.3g})")

        # The image block against the cached prefix, at two noise levels with one cache.
        cache = run_embeds_decoder(s["decoder"], emb_t, empty, block_causal_mask_np(b, p, 0, None))[
            1:
        ]
        for step, (x, tt) in enumerate(((x_t, t), (x_t[::-1].copy(), t[::-1].copy()))):
            (emb,) = s["patch_in"].run(None, {"x_t": x, "t": tt})
            cached = run_embeds_decoder(
                s["decoder"], emb, cache, block_causal_mask_np(b, n, p, (p, p + n))
            )
            full = run_embeds_decoder(
                s["decoder"],
                np.concatenate([emb_t, emb], axis=1),
                empty,
                block_causal_mask_np(b, p + n, 0, (p, p + n)),
            )
            check_parity(
                f"decoder.prefixCacheStep{step}.b{b}",
                max_abs_diff(cached[0], full[0][:, p:]),
                report,
            )
        (pred,) = s["patch_out"].run(None, {"hidden": hidden["block"][:, p:]})
        ref_pred = model.patch_out(torch.from_numpy(hidden["block"][:, p:]))
        check_parity(f"patch_out.b{b}", max_abs_diff(pred, ref_pred), report)
        (logits,) = s["lm_head"].run(None, {"hidden": hidden["block"][:, :p]})
        ref_logits = model.lm_head(torch.from_numpy(hidden["block"][:, :p]))
        check_parity(f"lm_head.b{b}", max_abs_diff(logits, ref_logits), report)


def training_summary(config: ExperimentConfig, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "resolvedConfig": resolve(config),
        "configFile": export_steps.config_file("transfusion", config.name),
        "run": export_steps.last_done(run_dir(config.name) / "log.jsonl"),
        "exportedStep": int(state["step"]),
    }


def load_model(state: dict[str, Any]) -> Transfusion:
    model = Transfusion(ModelConfig(**state["config"]["model"]))
    model.load_state_dict(export_steps.float_state(state["model"]))
    return model.eval()


def default_settings(d: DiffusionConfig) -> DiffusionSettings:
    return DiffusionSettings(steps=d.steps, cfg_scale=d.cfg_scale, sampler=d.sampler)


def export(config: ExperimentConfig, out: Path, data_root: str | None = None) -> dict[str, Any]:
    data = load_emoji(data_root, size=config.model.image_size)
    vocab = build_vocab(data)
    chosen, state = export_steps.trained_checkpoint(run_dir(config.name))
    model = load_model(state)
    export_steps.check_vocabulary(chosen, model.config.vocab_size, vocab.size)
    val = data.indices("val")[: config.training.val_items]
    with torch.no_grad():
        before = held_out_losses(model, config, vocab, data, val, torch.device("cpu"))
        # Weights are stored in fp16 (arithmetic stays fp32); the model computes with exactly
        # the stored weights, and the cost is measured and recorded.
        round_weights_to_half(model)
        after = held_out_losses(model, config, vocab, data, val, torch.device("cpu"))

    export_steps.empty_folder(out)
    paths = export_all(model, out)
    export_steps.store_and_check(paths.values())
    report = export_steps.parity_report(
        valLossFp32Weights=before["val_loss"], valLossFp16Weights=after["val_loss"]
    )
    verify(model, paths, data, vocab, report)

    words_path = out / "words.json"
    vocab.words.save(words_path)
    files = {"words": export_steps.file_entry(words_path)}
    manifest = build_manifest(
        model_id=f"tessera/transfusion-emoji{config.model.image_size}-{config.name}",
        config_name=config.name,
        model=model.config,
        diffusion=config.diffusion,
        vocab=vocab,
        files=files,
        graphs={role: graph_entry(path, OPSET) for role, path in paths.items()},
        data_card=export_steps.data_card(data.root),
        training=training_summary(config, state),
        parity=report,
        source=export_steps.export_source("transfusion", config.name),
    )
    manifest["training"]["params"] = export_steps.parameter_count(model)
    defaults = default_settings(config.diffusion)
    export_steps.write_with_goldens(out, manifest, lambda: write_goldens(out, data, defaults))
    save_shipped_weights(weights_path(config.name), model)
    return manifest


def weights_path(config_name: str) -> Path:
    return NATIVE_MODELS / "checkpoints" / f"transfusion-{config_name}.pt"


def save_shipped_weights(path: Path, model: Transfusion) -> None:
    """fp16 state dict of exactly the shipped weights (lossless: they were rounded to fp16)."""
    export_steps.save_shipped(
        path, {"config": {"model": asdict(model.config)}, "model": export_steps.half_state(model)}
    )


def load_shipped_weights(path: Path) -> Transfusion | None:
    saved = export_steps.load_shipped(path)
    return None if saved is None else load_model(saved)


def default_out(config: ExperimentConfig) -> Path:
    return NATIVE_MODELS / "exports" / f"transfusion-emoji{config.model.image_size}-{config.name}"


def main() -> None:
    export_steps.export_main(__doc__, "cpu-60m-ddpm", load_config, export, default_out)


if __name__ == "__main__":
    main()
