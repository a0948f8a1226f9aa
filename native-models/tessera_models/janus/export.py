"""Converts a transformers `JanusForConditionalGeneration` checkpoint (Janus-Pro-1B/-7B, or the
tiny random one of tiny.py) into the ONNX layout @huggingface/transformers runs, plus a Tessera
manifest.json; every graph is checked with onnx.checker and against PyTorch (≤ 1e-4). With
--dtype q4 or int8 the language model's graphs are quantised (quantize.py) and held to the
bounds of quant_parity.py instead. Graphs whose weights pass --external-data-bytes keep them in
an ONNX external-data file beside the graph (storage.py).

Usage:
  python -m tessera_models.janus.export --src CHECKPOINT --out DIR [--id owner/name] [--name N]
      [--dtype fp32|q4|int8] [--external-data-bytes N]
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

from tessera_models.common.source import git_commit
from tessera_models.janus.graphs import export_graphs
from tessera_models.janus.layout import copy_tokenizer, write_config_files
from tessera_models.janus.manifest import build_manifest
from tessera_models.janus.parity import check_graphs
from tessera_models.janus.quant_parity import check_quantized
from tessera_models.janus.quantize import (
    DTYPES,
    QUANTIZED_GRAPHS,
    quantize_graph,
    quantized_name,
    quantized_ops,
)
from tessera_models.janus.reference import PROMPTS, caption_prompt_ids, generate_prompt_ids
from tessera_models.janus.storage import (
    EXTERNAL_DATA_THRESHOLD,
    check_graph_file,
    data_file,
    save_graph,
)
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
    dtype: str = "fp32",
    external_data_threshold: int = EXTERNAL_DATA_THRESHOLD,
) -> dict[str, Any]:
    """Writes the converted folder at `out` (replacing it); returns its manifest."""
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}: choose one of {', '.join(DTYPES)}")
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
    paths = export_graphs(model, out / "onnx", external_data_threshold=external_data_threshold)
    for path in paths.values():
        check_graph_file(path)
    parity = check_graphs(model, paths)
    dtypes = dict.fromkeys(paths, "fp32")
    if dtype != "fp32":
        for role in QUANTIZED_GRAPHS:
            paths[role] = quantize_role(paths[role], role, dtype, external_data_threshold)
            dtypes[role] = dtype
        tokenizer = AutoTokenizer.from_pretrained(src)
        parity["quantized"] = check_quantized(
            model,
            paths,
            dtype,
            image_ids=generate_prompt_ids(tokenizer, PROMPTS[0]),
            caption_ids=caption_prompt_ids(tokenizer, model.config),
            pad=tokens["pad"],
            eos=tokens["eos"],
        )
    external = [p.name for p in paths.values() if data_file(p).is_file()]
    write_config_files(model.config, generation, tokens, out, external_data=external)
    manifest = build_manifest(
        model_id=model_id,
        name=name,
        license_name=license_name,
        config=model.config,
        generation=generation,
        tokens=tokens,
        out=out,
        graphs=paths,
        dtypes=dtypes,
        parity=parity,
        source={"commit": git_commit(), "config": str(src), "command": command},
    )
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def quantize_role(path: Path, role: str, dtype: str, threshold: int) -> Path:
    """Replaces the fp32 graph at `path` by its quantised twin under the layout's name."""
    quantized = quantize_graph(path, dtype)
    if quantized_ops(quantized) == 0:
        raise ValueError(f"{role} has no MatMul weights to quantise: is it a Janus graph?")
    target = path.with_name(quantized_name(role, dtype))
    save_graph(quantized, target, threshold)
    check_graph_file(target)
    data_file(path).unlink(missing_ok=True)
    path.unlink()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, help="a transformers Janus checkpoint folder")
    parser.add_argument("--tiny", action="store_true", help="convert a tiny random checkpoint")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--id", default=None, help='the model id, "owner/name"')
    parser.add_argument("--name", default=None)
    parser.add_argument("--license", default="DeepSeek Model License (code: MIT)")
    parser.add_argument("--dtype", choices=DTYPES, default="fp32", help="the language model's")
    parser.add_argument(
        "--external-data-bytes",
        type=int,
        default=EXTERNAL_DATA_THRESHOLD,
        help="graphs whose weights pass this many bytes keep them in <graph>.onnx_data",
    )
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
        command += f" --dtype {args.dtype}"
        manifest = convert(
            src,
            args.out,
            model_id=model_id,
            name=args.name or ("Janus-Pro tiny (random weights)" if args.tiny else src.name),
            license_name="MIT" if args.tiny else args.license,
            command=command,
            dtype=args.dtype,
            external_data_threshold=args.external_data_bytes,
        )
    worst = max(
        v for k, v in manifest["parity"].items() if isinstance(v, float) and k != "tolerance"
    )
    print(f"wrote {args.out} ({len(manifest['graphs'])} graphs, worst parity {worst:.2g})")


if __name__ == "__main__":
    main()
