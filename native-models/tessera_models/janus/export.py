"""Converts a transformers `JanusForConditionalGeneration` checkpoint (Janus-Pro-1B/-7B, or the
tiny random one of tiny.py) into the ONNX layout @huggingface/transformers runs, plus a Tessera
manifest.json; every graph is checked with onnx.checker and against PyTorch (≤ 1e-4).

Usage:
  python -m tessera_models.janus.export --src CHECKPOINT --out DIR [--id owner/name] [--name N]
  python -m tessera_models.janus.export --tiny --out DIR     # builds the tiny checkpoint first
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch
from transformers import AutoTokenizer, GenerationConfig, JanusForConditionalGeneration

from tessera_models.common.onnx_tools import check_graph
from tessera_models.common.source import git_commit
from tessera_models.janus.graphs import export_graphs
from tessera_models.janus.layout import copy_tokenizer, write_config_files
from tessera_models.janus.manifest import build_manifest
from tessera_models.janus.parity import check_graphs
from tessera_models.janus.tiny import write_tiny_checkpoint

SPECIAL = {"boi": "<begin_of_image>", "eoi": "<end_of_image>"}


def special_tokens(src: Path, generation: GenerationConfig) -> dict[str, int]:
    """Janus's special token ids, from the checkpoint's tokenizer and generation config."""
    tokenizer = AutoTokenizer.from_pretrained(src)
    tokens = {
        "bos": generation.bos_token_id
        if generation.bos_token_id is not None
        else tokenizer.bos_token_id,
        "eos": tokenizer.eos_token_id,
        "pad": generation.pad_token_id
        if generation.pad_token_id is not None
        else tokenizer.pad_token_id,
    }
    for key, token in SPECIAL.items():
        tokens[key] = tokenizer.convert_tokens_to_ids(token)
    missing = [k for k, v in tokens.items() if v is None or v == tokenizer.unk_token_id]
    if missing:
        raise ValueError(
            f"{src}'s tokenizer lacks Janus's {', '.join(missing)} token(s): convert a Janus checkpoint"
        )
    return {k: int(v) for k, v in tokens.items()}


def convert(
    src: Path,
    out: Path,
    *,
    model_id: str,
    name: str,
    license_name: str,
    command: str,
) -> dict[str, Any]:
    """Writes the converted folder at `out` (replacing it); returns its manifest."""
    model = JanusForConditionalGeneration.from_pretrained(src, dtype=torch.float32).eval()
    try:
        generation = GenerationConfig.from_pretrained(src)
    except OSError:
        generation = model.generation_config
    tokens = special_tokens(src, generation)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_tokenizer(src, out)
    write_config_files(model.config, generation, tokens, out)
    paths = export_graphs(model, out / "onnx")
    for path in paths.values():
        check_graph(path)
    parity = check_graphs(model, paths)
    manifest = build_manifest(
        model_id=model_id,
        name=name,
        license_name=license_name,
        config=model.config,
        generation=generation,
        tokens=tokens,
        out=out,
        graphs=paths,
        parity=parity,
        source={"commit": git_commit(), "config": str(src), "command": command},
    )
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, help="a transformers Janus checkpoint folder")
    parser.add_argument("--tiny", action="store_true", help="convert a tiny random checkpoint")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--id", default=None, help='the model id, "owner/name"')
    parser.add_argument("--name", default=None)
    parser.add_argument("--license", default="DeepSeek Model License (code: MIT)")
    args = parser.parse_args()
    if args.tiny == (args.src is not None):
        parser.error("give either --src CHECKPOINT or --tiny")
    with tempfile.TemporaryDirectory() as scratch:
        src = write_tiny_checkpoint(Path(scratch) / "tiny") if args.tiny else args.src
        model_id = args.id or (
            "tessera/janus-pro-tiny-random" if args.tiny else f"local/{src.name.lower()}"
        )
        command = "python -m tessera_models.janus.export " + (
            "--tiny" if args.tiny else f"--src {src}"
        )
        manifest = convert(
            src,
            args.out,
            model_id=model_id,
            name=args.name or ("Janus-Pro tiny (random weights)" if args.tiny else src.name),
            license_name="MIT" if args.tiny else args.license,
            command=command,
        )
    worst = max(v for k, v in manifest["parity"].items() if k != "tolerance")
    print(f"wrote {args.out} ({len(manifest['graphs'])} graphs, worst parity {worst:.2g})")


if __name__ == "__main__":
    main()
