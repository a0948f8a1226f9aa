"""Exports a trained `jetformer` experiment: ONNX graphs, tokenizer, manifest, goldens.

Usage: python -m tessera_models.jetformer.export --config cpu-240m [--out DIR]

Verification on real test images (each recorded in manifest.parity; any miss fails the export):
onnx.checker full check and no random ops; every graph against PyTorch at batch 2 and 5
(max abs diff ≤ 1e-4; the flow's log-determinant compared per sub-pixel, the unit it enters
the bits in); the flow round trip inside onnxruntime; prefill-then-step against the full pass;
golden outputs for fixed seeds from the reference loop.
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


def _test_images(data: EmojiDataset, count: int) -> np.ndarray:
    """f32 [count,H,W,3] real test images with one fixed dequantisation draw."""
    idx = data.indices("test")[:count]
    noise = np.random.default_rng(0).random((count, data.size, data.size, 3)) * LEVEL
    return (u8_to_unit(torch.from_numpy(data.images[idx])).numpy() + noise).astype(np.float32)


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
        check_parity(f"flow_forward.z.b{b}", max_abs_diff(z, z_ref), report)
        check_parity(
            f"flow_forward.logdetPerDim.b{b}",
            max_abs_diff(logdet / subpixels, ld_ref / subpixels),
            report,
        )
        (back,) = s["flow_inverse"].run(None, {"z": z})
        check_parity(
            f"flow_inverse.b{b}",
            max_abs_diff(back, model.decode(torch.from_numpy(z))),
            report,
        )
        check_parity(f"flow.roundTrip.b{b}", max_abs_diff(back, images), report)

        captions = [
            vocab.caption_ids(data.records[i].caption, data.records[i].set) for i in test[:b]
        ]
        shortest = min(len(c) for c in captions)
        prompts = np.array([vocab.prompt(c[:shortest]) for c in captions], np.int64)
        (emb_t,) = s["embed_text"].run(None, {"input_ids": prompts})
        check_parity(
            f"embed_text.b{b}",
            max_abs_diff(emb_t, model.text_emb(torch.from_numpy(prompts))),
            report,
        )
        z_ar = z[:, :, : dc.ar_dims]
        (emb_i,) = s["embed_image"].run(None, {"z_ar": z_ar})
        check_parity(
            f"embed_image.b{b}",
            max_abs_diff(emb_i, model.img_emb(torch.from_numpy(z_ar))),
            report,
        )

        embeds = np.concatenate([emb_t, emb_i[:, :-1]], axis=1)
        n = embeds.shape[1]
        empty = [
            np.zeros((b, dc.kv_heads, 0, dc.head_dim), np.float32) for _ in range(2 * dc.layers)
        ]
        full = run_embeds_decoder(s["decoder"], embeds, empty)
        valid = torch.ones(b, n, dtype=torch.bool)
        ref_hidden, _ = model.decoder(
            torch.from_numpy(embeds), torch.arange(n).expand(b, n), additive_mask(valid)
        )
        check_parity(f"decoder.full.b{b}", max_abs_diff(full[0], ref_hidden), report)
        split = n - 6
        out = run_embeds_decoder(s["decoder"], embeds[:, :split], empty)
        steps, cache = [out[0][:, -1]], out[1:]
        for k in range(split, n):
            out = run_embeds_decoder(s["decoder"], embeds[:, k : k + 1], cache)
            steps.append(out[0][:, -1])
            cache = out[1:]
        check_parity(
            f"decoder.prefillThenStep.b{b}",
            max_abs_diff(np.stack(steps, 1), full[0][:, split - 1 :]),
            report,
        )
        heads = s["gmm_head"].run(None, {"hidden": full[0]})
        for name, got, want in zip(
            ("mixLogits", "means", "scales"),
            heads,
            model.gmm(torch.from_numpy(full[0])),
            strict=True,
        ):
            check_parity(f"gmm_head.{name}.b{b}", max_abs_diff(got, want), report)
        (text_logits,) = s["text_head"].run(None, {"hidden": full[0]})
        check_parity(
            f"text_head.b{b}",
            max_abs_diff(text_logits, model.text_head(torch.from_numpy(full[0]))),
            report,
        )
        (bits,) = s["score"].run(None, {"image": images, "prompt_ids": prompts})
        ref_bits = model.score_bits(x, torch.from_numpy(prompts))
        check_parity(f"score.b{b}", max_abs_diff(bits, ref_bits), report)


def training_summary(config: ExperimentConfig, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "config": resolve(config),
        "configFile": export_steps.config_file("jetformer", config.name),
        "run": export_steps.last_done(run_dir(config.name) / "log.jsonl"),
        "exportedStep": int(state["step"]),
    }


def export(config: ExperimentConfig, out: Path, data_root: str | None = None) -> dict[str, Any]:
    data = load_emoji(data_root, size=config.flow.image_size)
    vocab = build_vocab(data)
    chosen, state = export_steps.trained_checkpoint(run_dir(config.name))
    model = JetFormer(
        FlowConfig(**state["config"]["flow"]), DecoderConfig(**state["config"]["decoder"])
    )
    model.load_state_dict(state["model"])
    model.eval()
    export_steps.check_vocabulary(chosen, model.config.vocab_size, vocab.size)
    val = data.indices("val")[: config.training.val_items]
    with torch.no_grad():
        before = held_out_bits(model, vocab, data, val, torch.device("cpu"))
        # Weights are stored in fp16 (arithmetic stays fp32); the model computes with exactly
        # the stored weights, and the cost in bits is measured and recorded.
        round_weights_to_half(model)
        after = held_out_bits(model, vocab, data, val, torch.device("cpu"))

    export_steps.empty_folder(out)
    paths = export_all(model, out)
    export_steps.store_and_check(paths.values())
    report = export_steps.parity_report(
        valBitsPerDimFp32Weights=before["val_bits_per_dim"],
        valBitsPerDimFp16Weights=after["val_bits_per_dim"],
    )
    verify(model, paths, data, vocab, report)

    words_path = out / "words.json"
    vocab.words.save(words_path)
    files = {"words": export_steps.file_entry(words_path)}
    manifest = build_manifest(
        model_id=f"tessera/jetformer-emoji{config.flow.image_size}-{config.name}",
        config_name=config.name,
        flow=model.flow_config,
        decoder=model.config,
        vocab=vocab,
        files=files,
        graphs={role: graph_entry(path, OPSET) for role, path in paths.items()},
        data_card=export_steps.data_card(data.root),
        training=training_summary(config, state),
        parity=report,
        source=export_steps.export_source("jetformer", config.name),
    )
    manifest["training"]["params"] = export_steps.parameter_count(model)
    export_steps.write_with_goldens(out, manifest, lambda: write_goldens(out, data, DEFAULTS))
    save_shipped_weights(weights_path(config.name), model)
    return manifest


def weights_path(config_name: str) -> Path:
    return NATIVE_MODELS / "checkpoints" / f"jetformer-{config_name}.pt"


def save_shipped_weights(path: Path, model: JetFormer) -> None:
    """fp16 state dict of exactly the shipped weights (lossless: they were rounded to fp16)."""
    config = {"flow": asdict(model.flow_config), "decoder": asdict(model.config)}
    export_steps.save_shipped(path, {"config": config, "state": export_steps.half_state(model)})


def load_shipped_weights(path: Path) -> JetFormer | None:
    saved = export_steps.load_shipped(path)
    if saved is None:
        return None
    model = JetFormer(
        FlowConfig(**saved["config"]["flow"]), DecoderConfig(**saved["config"]["decoder"])
    )
    model.load_state_dict(export_steps.float_state(saved["state"]))
    return model.eval()


def default_out(config: ExperimentConfig) -> Path:
    return NATIVE_MODELS / "exports" / f"jetformer-emoji{config.flow.image_size}-{config.name}"


def main() -> None:
    export_steps.export_main(__doc__, "cpu-240m", load_config, export, default_out)


if __name__ == "__main__":
    main()
