"""Exports a trained `vq-ar` experiment to ONNX + manifest.json, verifies it, writes goldens.

Usage: python -m tessera_models.vq_ar.export --config cpu-round1 [--out DIR]

Verification (docs/models.md §Parity and goldens), all on real batches from emoji-v1 test images and
captions: onnx.checker with full check; PyTorch vs onnxruntime at two batch shapes (max abs diff ≤
1e-4); prefill-then-step logits equal full-sequence logits; golden outputs for fixed seeds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tessera_models.common import export_steps
from tessera_models.common.decoder_io import (
    OPSET,
    ParityError,
    check_parity,
    cpu_session,
    past_names,
)
from tessera_models.common.kv_decoder import causal_mask_np
from tessera_models.common.onnx_tools import graph_entry, round_weights_to_half, sha256_file
from tessera_models.common.resolved_config import resolve
from tessera_models.common.training import continued_run
from tessera_models.data.emoji import to_unit_range
from tessera_models.vq_ar.config import ExperimentConfig, load_config
from tessera_models.vq_ar.golden import write_goldens
from tessera_models.vq_ar.manifest import build_manifest
from tessera_models.vq_ar.memory_file import CODES_FILE, JSON_FILE, Memory, write_memory
from tessera_models.vq_ar.onnx_graphs import export_decoder, export_tokenizer
from tessera_models.vq_ar.paths import export_dir, model_id, run_dir
from tessera_models.vq_ar.restore_run import restored_runs, restored_training
from tessera_models.vq_ar.sequences import text_to_image
from tessera_models.vq_ar.shipped_weights import save_shipped_weights, weights_path
from tessera_models.vq_ar.train_transformer import load_image_tokenizer, prepare
from tessera_models.vq_ar.transformer import Transformer, TransformerConfig, causal_mask


def verify_tokenizer(
    tokenizer: torch.nn.Module, enc: Path, dec: Path, images_u8: np.ndarray, report: dict[str, Any]
) -> None:
    enc_s, dec_s = cpu_session(enc), cpu_session(dec)
    for batch in (2, 5):
        x = to_unit_range(images_u8[:batch])
        with torch.no_grad():
            ref_codes = tokenizer.encode(torch.from_numpy(x))[1].numpy()
            ref_image = tokenizer.decode_codes(torch.from_numpy(ref_codes)).numpy()
        codes = enc_s.run(["codes"], {"image": x})[0]
        mismatch = float((codes != ref_codes).mean())
        report[f"vq_encode.b{batch}.codeMismatchRate"] = mismatch
        # A code can flip only where a latent sits within float error of a rounding boundary.
        if mismatch > 0.01:
            raise ParityError(f"vq_encode: {mismatch:.2%} of codes differ from PyTorch")
        image = dec_s.run(["image"], {"codes": ref_codes})[0]
        check_parity(f"vq_decode.b{batch}", float(np.abs(image - ref_image).max()), report)


def verify_decoder(
    model: Transformer, path: Path, sequences: list[list[int]], report: dict[str, Any]
) -> None:
    sess = cpu_session(path)
    cfg = model.config
    names = past_names(cfg.layers)
    outputs = [o.name for o in sess.get_outputs()]

    def run(
        ids: np.ndarray, positions: np.ndarray, mask: np.ndarray, cache: list[np.ndarray]
    ) -> list[np.ndarray]:
        feed = {"input_ids": ids, "position_ids": positions, "attention_mask": mask} | dict(
            zip(names, cache, strict=True)
        )
        return sess.run(outputs, feed)

    for batch in (2, 5):
        # As long as the shortest sequence of the batch allows (the retrieval layout's run
        # past position 96 when the first two carry documents).
        length = min(len(x) for x in sequences[:batch])
        ids = np.array([x[:length] for x in sequences[:batch]], np.int64)
        b, s = ids.shape
        positions = np.broadcast_to(np.arange(s), (b, s)).astype(np.int64)
        mask = causal_mask_np(np.ones((b, s), bool))
        empty = [np.zeros((b, cfg.heads, 0, cfg.head_dim), np.float32) for _ in names]
        full = run(ids, positions, mask, empty)
        with torch.no_grad():
            ref, _ = model(
                torch.from_numpy(ids),
                torch.from_numpy(positions),
                causal_mask(torch.ones(b, s, dtype=torch.bool)),
            )
        check_parity(f"decoder.full.b{batch}", float(np.abs(full[0] - ref.numpy()).max()), report)
        # Prefill all but the last 5 tokens, then one token per step through the cache.
        split = s - 5
        out = run(
            ids[:, :split], positions[:, :split], causal_mask_np(np.ones((b, split), bool)), empty
        )
        cache = out[1:]
        step_logits = [out[0][:, -1]]
        for k in range(split, s - 1):
            out = run(
                ids[:, k : k + 1],
                positions[:, k : k + 1],
                np.zeros((b, 1, 1, k + 1), np.float32),
                cache,
            )
            cache = out[1:]
            step_logits.append(out[0][:, -1])
        stepped = np.stack(step_logits, axis=1)
        check_parity(
            f"decoder.prefillThenStep.b{batch}",
            float(np.abs(stepped - full[0][:, split - 1 : s - 1]).max()),
            report,
        )


def training_summary(config: ExperimentConfig) -> dict[str, Any]:
    def stage_done(run: str, stage: str) -> dict[str, Any]:
        return export_steps.last_done(run_dir(run) / stage / "log.jsonl")

    shipped = restored_training(config.name)
    if shipped is not None:
        # Exporting a folder rebuilt from shipped weights states what the shipped model did
        # (a record older than resolved configs gets this config's).
        return (
            shipped
            if "resolvedConfig" in shipped
            else {**shipped, "resolvedConfig": resolve(config)}
        )
    # A warm-started run trains no tokenizer: it uses (and reports) the one it continued.
    tokenizer_run = config.warm_start or config.name
    summary: dict[str, Any] = {
        "config": export_steps.config_file("vq_ar", config.name),
        # Every hyperparameter, after all of the config's layers (resolved_config.py).
        "resolvedConfig": resolve(config),
        "tokenizer": {"params": None, **stage_done(tokenizer_run, "tokenizer")},
        "transformer": stage_done(config.name, "transformer"),
    }
    log = run_dir(config.name) / "transformer" / "log.jsonl"
    continues = continued_run(log, config.warm_start)
    if continues is not None:
        summary["continues"] = continues
        # Every transformer run the weights went through, oldest first: the whole cost.
        keys = ("step", "elapsed_min", "tokens", "flops")
        chain = []
        run, source = config.name, config.warm_start
        while True:
            done = stage_done(run, "transformer")
            chain.append({"config": run, **{k: done.get(k) for k in keys}})
            if source is None:
                break
            restored = restored_runs(source)
            if restored is not None:
                # A folder rebuilt from shipped weights carries its whole history.
                chain.extend(restored[::-1])
                break
            run, source = source, load_config(source).warm_start
        summary["transformerRuns"] = chain[::-1]
    return summary


def export(
    config: ExperimentConfig,
    out: Path,
    weights_file: Path,
    data_root: str | None = None,
    without_memory: bool = False,
) -> dict[str, Any]:
    """Exports the graphs, the manifest, parity and goldens; `without_memory` ships a model
    trained with retrieval as a plain one (no memory: the app never gives it a document)."""
    if config.aligned_documents and not without_memory:
        # The reference loop, the goldens and the app number every token by its index, as
        # the model does only when no document precedes the row.
        raise ValueError(
            f"config {config.name!r} aligns its documents' positions, which the app and the "
            "reference loop do not do yet: its memory is not exported (--without-memory "
            "exports the model alone)"
        )
    data, codes, vocab = prepare(config, data_root)
    tokenizer = load_image_tokenizer(config.name)
    # The best held-out checkpoint, not the last (see train_transformer.keep_if_best).
    _, state = export_steps.trained_checkpoint(
        run_dir(config.name), "transformer.pt", "transformer_best.pt"
    )
    model = Transformer(TransformerConfig(**state["config"]))
    model.load_state_dict(state["model"])
    model.eval()
    round_weights_to_half(model)
    round_weights_to_half(tokenizer)

    export_steps.empty_folder(out)
    enc, dec, decoder = out / "vq_encode.onnx", out / "vq_decode.onnx", out / "decoder.onnx"
    export_tokenizer(tokenizer, enc, dec)
    export_decoder(model, decoder)
    export_steps.store_and_check((enc, dec, decoder))

    test_idx = data.indices("test")
    report = export_steps.parity_report()
    verify_tokenizer(tokenizer, enc, dec, data.images[test_idx[:5]], report)
    train_idx = data.indices("train")
    if config.data_limit is not None:
        train_idx = train_idx[: config.data_limit]
    retrieval = config.transformer_training.p_retrieval > 0 and not without_memory
    if retrieval:
        # The memory the model was trained to retrieve from: its training split.
        write_memory(
            out,
            [data.records[i].caption for i in train_idx],
            [data.records[i].set for i in train_idx],
            codes[train_idx],
        )
    docs: list[list[int]] = [[] for _ in range(5)]
    if retrieval:
        # Parity also covers the retrieval layout, whose positions run past the first 96.
        memory = Memory.load(out, vocab, config.tokenizer.grid)
        for k, i in enumerate(test_idx[:2]):
            found = memory.retrieve(data.records[i].caption)
            docs[k] = memory.tokens(vocab, found) if found is not None else []
    sequences = [
        text_to_image(
            vocab,
            vocab.caption_ids(data.records[i].caption, data.records[i].set),
            codes[i],
            docs[k],
        )
        for k, i in enumerate(test_idx[:5])
    ]
    verify_decoder(model, decoder, sequences, report)

    save_shipped_weights(weights_file, tokenizer, model)
    words_path = out / "words.json"
    vocab.words.save(words_path)
    manifest = build_manifest(
        model_id=model_id(config.name),
        config=config,
        vocab=vocab,
        words_entry=export_steps.file_entry(words_path),
        graphs={
            role: graph_entry(p, OPSET)
            for role, p in (("decoder", decoder), ("vq_encode", enc), ("vq_decode", dec))
        },
        data_card=export_steps.data_card(data.root),
        training=training_summary(config),
        parity=report,
        retrieval=retrieval_entry(out, len(train_idx), config.tokenizer.grid)
        if retrieval
        else None,
        source=export_steps.export_source(
            "vq_ar", config.name, " --without-memory" if without_memory else ""
        ),
    )
    manifest["training"]["tokenizer"]["params"] = export_steps.parameter_count(tokenizer)
    manifest["training"]["transformer"]["params"] = export_steps.parameter_count(model)
    manifest["training"]["transformer"]["exportedStep"] = state["step"]
    export_steps.write_with_goldens(out, manifest, lambda: write_goldens(out, data))
    return manifest


def retrieval_entry(out: Path, documents: int, grid: int) -> dict[str, Any]:
    return {
        "memory": {"file": JSON_FILE, "sha256": sha256_file(out / JSON_FILE)},
        "codes": {
            "file": CODES_FILE,
            "sha256": sha256_file(out / CODES_FILE),
            "dtype": "uint16",
            "shape": [documents, grid * grid],
        },
        "documents": documents,
        # How the studio searches: a prompt's caption alone, TF-IDF cosine, the top document.
        "query": "caption-tfidf",
        "topK": 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="cpu-round1", help="a config (or a preset's old name)")
    parser.add_argument("--out", default=None)
    parser.add_argument("--data", default=None)
    parser.add_argument(
        "--without-memory",
        action="store_true",
        help="ship a model trained with retrieval without its memory (no documents)",
    )
    args = parser.parse_args()
    config = load_config(args.config)
    out = Path(args.out) if args.out else export_dir(config.name)
    manifest = export(config, out, weights_path(config.name), args.data, args.without_memory)
    print(json.dumps(manifest["parity"], indent=2))
    print(f"exported {manifest['id']} to {out}")


if __name__ == "__main__":
    main()
