"""Exports a trained `jpeg-lm` experiment: ONNX (two layouts), assets, manifest, goldens.

Usage: python -m tessera_models.jpeg_lm.export --config cpu-round1 [--out DIR]

Verification (docs/models.md §Parity and goldens) on real test bodies: onnx.checker; PyTorch vs
onnxruntime at two batch shapes (max abs diff ≤ 1e-4); prefill-then-step equals the full pass; the
Hugging Face layout gives the same logits as Tessera's; golden outputs for fixed seeds.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tessera_models.common import export_steps
from tessera_models.common.decoder_io import OPSET, check_parity, cpu_session, past_names
from tessera_models.common.kv_decoder import SlotKvDecoder, slot_mask
from tessera_models.common.manifest_parts import kv_block
from tessera_models.common.onnx_tools import graph_entry, round_weights_to_half, sha256_file
from tessera_models.common.resolved_config import resolve
from tessera_models.common.training import continued_run
from tessera_models.data.emoji import NATIVE_MODELS
from tessera_models.jpeg_lm import jpeg_bytes
from tessera_models.jpeg_lm.config import ExperimentConfig, load_config
from tessera_models.jpeg_lm.golden import write_goldens
from tessera_models.jpeg_lm.llama import Llama, LlamaConfig, causal_mask
from tessera_models.jpeg_lm.manifest import DEFAULTS, build_manifest
from tessera_models.jpeg_lm.onnx_graphs import export_decoder, export_hf
from tessera_models.jpeg_lm.paths import run_dir
from tessera_models.jpeg_lm.prepare import Prepared, length_stats, prepare
from tessera_models.jpeg_lm.preset_names import PRESETS
from tessera_models.jpeg_lm.sequences import text_to_image


def verify(
    model: Llama, decoder: Path, hf: Path, sequences: list[list[int]], report: dict[str, Any]
) -> None:
    cfg = model.config
    names = past_names(cfg.layers)
    sess, hf_sess = cpu_session(decoder), cpu_session(hf)
    outputs = [o.name for o in sess.get_outputs()]

    def run(ids: np.ndarray, past: int, slots: list[np.ndarray]) -> list[np.ndarray]:
        b, s = ids.shape
        positions = np.broadcast_to(np.arange(past, past + s), (b, s)).astype(np.int64)
        feed = {"input_ids": ids, "position_ids": positions}
        feed |= {"attention_mask": slot_mask(b, s, past, slots[0].shape[2])}
        feed |= dict(zip(names, slots, strict=True))
        return sess.run(outputs, feed)

    def run_hf(ids: np.ndarray, past: int, cache: list[np.ndarray]) -> list[np.ndarray]:
        b, s = ids.shape
        positions = np.broadcast_to(np.arange(past, past + s), (b, s)).astype(np.int64)
        feed = {"input_ids": ids, "position_ids": positions}
        feed |= {"attention_mask": np.ones((b, past + s), np.int64)} | dict(
            zip(names, cache, strict=True)
        )
        return hf_sess.run(outputs, feed)

    for batch in (2, 5):
        ids = np.array([s[:64] for s in sequences[:batch]], np.int64)
        b, s = ids.shape
        empty = [np.zeros((b, cfg.heads, 0, cfg.head_dim), np.float32) for _ in names]
        full = run(ids, 0, empty)
        with torch.no_grad():
            positions = torch.arange(s).expand(b, s)
            ref, _ = model(
                torch.from_numpy(ids), positions, causal_mask(torch.ones(b, s, dtype=torch.bool))
            )
        check_parity(f"decoder.full.b{batch}", float(np.abs(full[0] - ref.numpy()).max()), report)
        hf_full = run_hf(ids, 0, empty)
        check_parity(f"hf.full.b{batch}", float(np.abs(hf_full[0] - full[0]).max()), report)
        split = s - 5
        runner = SlotKvDecoder(
            sess,
            {
                "graphs": {
                    "decoder": {
                        "kv": kv_block(
                            cfg.layers, cfg.heads, cfg.head_dim, cfg.context, cache="slots"
                        )
                    }
                }
            },
        )
        last, cache = runner.append(ids[:, :split], runner.empty_cache(b))
        hf_out = run_hf(ids[:, :split], 0, empty)
        hf_cache = hf_out[1:]
        steps, hf_steps = [last[:, -1]], [hf_out[0][:, -1]]
        for k in range(split, s - 1):
            last, cache = runner.append(ids[:, k : k + 1], cache)
            hf_out = run_hf(ids[:, k : k + 1], k, hf_cache)
            hf_cache = hf_out[1:]
            steps.append(last[:, -1])
            hf_steps.append(hf_out[0][:, -1])
        expected = full[0][:, split - 1 : s - 1]
        check_parity(
            f"decoder.prefillThenStep.b{batch}",
            float(np.abs(np.stack(steps, 1) - expected).max()),
            report,
        )
        check_parity(
            f"hf.prefillThenStep.b{batch}",
            float(np.abs(np.stack(hf_steps, 1) - expected).max()),
            report,
        )
        # Free slots add exact zeros, but a longer row changes how onnxruntime groups its
        # sums, so logits move in the last bits: the loops share one growth rule (SLOT_CHUNK)
        # to stay bit-identical, and any rule stays within tolerance.
        roomy = [
            np.concatenate([c, np.full((b, cfg.heads, 200, cfg.head_dim), 7.0, np.float32)], 2)
            for c in cache.buffers
        ]
        tight = run(ids[:, s - 1 : s], cache.length, [c[:, :, : cache.length] for c in roomy])
        loose = run(ids[:, s - 1 : s], cache.length, roomy)
        check_parity(
            f"decoder.freeSlots.b{batch}", float(np.abs(tight[0] - loose[0]).max()), report
        )


def mcu_token_limit(prep: Prepared, indices: np.ndarray) -> int:
    """4 × the 99th percentile of tokens per MCU on training images
    (docs/models.md §jpeg-lm MCU grammar)."""
    counts = []
    for i in indices[:2000]:
        for seg in jpeg_bytes.split_mcus(prep.bodies[i]):
            counts.append(len(prep.vocab.bpe.encode(seg)) + 1)
    return int(4 * np.percentile(counts, 99))


def training_summary(config: ExperimentConfig) -> dict[str, Any]:
    log = run_dir(config.name) / "log.jsonl"
    summary: dict[str, Any] = {
        "config": export_steps.config_file("jpeg_lm", config.name),
        # Every hyperparameter, after all of the config's layers (resolved_config.py).
        "resolvedConfig": resolve(config),
        "transformer": export_steps.last_done(log),
    }
    continues = continued_run(log, config.warm_start)
    if continues is not None:
        summary["continues"] = continues
    return summary


def export(config: ExperimentConfig, out: Path, data_root: str | None = None) -> dict[str, Any]:
    prep = prepare(config, data_root)
    vocab, data = prep.vocab, prep.data
    _, state = export_steps.trained_checkpoint(run_dir(config.name))
    model = Llama(LlamaConfig(**state["config"]))
    model.load_state_dict(state["model"])
    model.eval()
    round_weights_to_half(model)

    export_steps.empty_folder(out)
    decoder = out / "decoder.onnx"
    export_decoder(model, decoder)
    special = {"bos": 1, "eos": 2, "pad": 0}
    hf = export_hf(model, out / "hf", special)
    export_steps.store_and_check((decoder, hf))

    test_idx = data.indices("test")
    sequences = [
        text_to_image(
            vocab.caption_ids(data.records[i].caption, data.records[i].set),
            vocab.jpeg_ids(prep.bodies[i]),
        )
        for i in test_idx[:5]
    ]
    report = export_steps.parity_report()
    verify(model, decoder, hf, sequences, report)

    files: dict[str, dict[str, Any]] = {}
    words_path = out / "words.json"
    vocab.words.save(words_path)
    bpe_path = out / "jpeg-bpe.json"
    vocab.bpe.save(bpe_path)
    tables_path = out / "tables.bin"
    tables_path.write_bytes(prep.tables)
    header_path = out / f"header-{config.image_size}.bin"
    header_path.write_bytes(prep.header)
    for key, path in (
        ("words", words_path),
        ("bpe", bpe_path),
        ("tables", tables_path),
        ("header", header_path),
    ):
        files[key] = export_steps.file_entry(path)

    train_idx = data.indices("train")
    manifest = build_manifest(
        model_id=f"tessera/{release_name(config)}",
        config=config,
        model_config=model.config,
        vocab=vocab,
        files=files,
        graphs={"decoder": graph_entry(decoder, OPSET)},
        max_mcu_tokens=mcu_token_limit(prep, train_idx),
        data_card=export_steps.data_card(data.root),
        data_stats=length_stats([prep.bodies[i] for i in train_idx], vocab.bpe),
        training=training_summary(config),
        parity=report,
        source=export_steps.export_source("jpeg_lm", config.name),
    )
    manifest["training"]["transformer"]["params"] = export_steps.parameter_count(model)
    manifest["training"]["transformer"]["exportedStep"] = state["step"]
    manifest["hf"] = {"folder": "hf", "model": "hf/onnx/model.onnx", "sha256": sha256_file(hf)}
    export_steps.write_with_goldens(
        out, manifest, lambda: write_goldens(out, data, prep.bodies, DEFAULTS)
    )
    save_shipped_weights(weights_path(config.name), model)
    return manifest


def weights_path(config_name: str) -> Path:
    return NATIVE_MODELS / "checkpoints" / f"jpeg-lm-{PRESETS.release(config_name)}.pt"


def save_shipped_weights(path: Path, model: Llama) -> None:
    """fp16 state dict of exactly the shipped weights (lossless: they were rounded to fp16)."""
    export_steps.save_shipped(
        path, {"config": asdict(model.config), "state": export_steps.half_state(model)}
    )


def load_shipped_weights(path: Path) -> Llama | None:
    saved = export_steps.load_shipped(path)
    if saved is None:
        return None
    model = Llama(LlamaConfig(**saved["config"]))
    model.load_state_dict(export_steps.float_state(saved["state"]))
    return model.eval()


def release_name(config: ExperimentConfig) -> str:
    """The model's name: a renamed preset ships under its old name (preset_names.py)."""
    return f"jpeg-lm-emoji{config.image_size}-{PRESETS.release(config.name)}"


def default_out(config: ExperimentConfig) -> Path:
    return NATIVE_MODELS / "exports" / release_name(config)


def main() -> None:
    help_text = "a config (or a preset's old name)"
    export_steps.export_main(__doc__, "cpu-round1", load_config, export, default_out, help_text)


if __name__ == "__main__":
    main()
