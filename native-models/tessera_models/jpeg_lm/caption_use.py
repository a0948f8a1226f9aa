"""Does a `jpeg-lm` checkpoint use its caption? Held-out JPEG-token loss of the same images under
the true caption, the null caption (what the unconditional CFG row sees) and another item's
caption.

Usage: python -m tessera_models.jpeg_lm.caption_use --checkpoint checkpoints/jpeg-lm-cpu-2h.pt
         --model exports/jpeg-lm-emoji64-cpu-2h [--limit 300]

The export folder supplies the vocabulary (words.json, jpeg-bpe.json) and the image size; the
checkpoint supplies the weights. Val items, teacher-forced, `<bos> caption <img> body <eos>`.
If the caption helps, true < shuffled and true < null; if the three are equal, the image
tokens are predicted without looking at the words, and guidance has nothing to amplify.
Reported per JPEG token overall and over the first MCU alone, where only the caption can
say what comes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from tessera_models.data.emoji import load_emoji
from tessera_models.jpeg_lm import jpeg_bytes
from tessera_models.jpeg_lm.bpe import JpegBpe
from tessera_models.jpeg_lm.llama import Llama, LlamaConfig, causal_mask
from tessera_models.jpeg_lm.sequences import collate, text_to_image, unconditional_row
from tessera_models.jpeg_lm.vocab import Vocab
from tessera_models.text.word_tokenizer import WordTokenizer

CONDITIONS = ("true", "null", "shuffled", "true, no style")


def load(checkpoint: Path, model_dir: Path) -> tuple[Llama, Vocab, int]:
    saved = torch.load(checkpoint, map_location="cpu", weights_only=False)
    model = Llama(LlamaConfig(**saved["config"]))
    model.load_state_dict(saved["state"])
    model.eval()
    vocab = Vocab(
        words=WordTokenizer.load(model_dir / "words.json"),
        bpe=JpegBpe.load(model_dir / "jpeg-bpe.json"),
    )
    manifest = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    return model, vocab, int(manifest["image"]["width"])


@torch.no_grad()
def jpeg_nats(
    model: Llama, vocab: Vocab, seqs: list[list[int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per sequence: summed nats and count over JPEG targets, and over the first MCU's."""
    ids_np, valid_np = collate(seqs, model.config.context)
    ids = torch.from_numpy(ids_np)
    valid = torch.from_numpy(valid_np)
    positions = torch.arange(ids.shape[1]).expand_as(ids)
    logits, _ = model(ids, positions, causal_mask(valid))
    per_token = F.cross_entropy(
        logits[:, :-1].float().transpose(1, 2), ids[:, 1:], reduction="none"
    )
    target = ids[:, 1:]
    is_jpeg = (target >= vocab.jpeg_offset) & valid[:, 1:]
    # The first MCU: JPEG targets up to and including the first marker (RST0).
    first_marker = (target == vocab.rst(0)).int().argmax(dim=1, keepdim=True)
    cols = torch.arange(target.shape[1]).unsqueeze(0)
    first = is_jpeg & (cols <= first_marker)
    return (
        (per_token * is_jpeg).sum(1).numpy(),
        is_jpeg.sum(1).numpy(),
        (per_token * first).sum(1).numpy(),
        first.sum(1).numpy(),
    )


def measure(checkpoint: Path, model_dir: Path, limit: int, seed: int) -> dict[str, object]:
    torch.manual_seed(0)
    model, vocab, size = load(checkpoint, model_dir)
    data = load_emoji(size=size)
    val = data.indices("val")[:limit]
    records = [data.records[i] for i in val]
    bodies = [vocab.jpeg_ids(jpeg_bytes.encode(data.images[i])[1]) for i in val]
    rng = np.random.default_rng(seed)
    other = rng.permutation(len(val))
    # A derangement that also never pairs two items with the same caption.
    for k in range(len(other)):
        while records[other[k]].caption == records[k].caption:
            j = int(rng.integers(len(other)))
            other[k], other[j] = other[j], other[k]
    room = model.config.context
    keep = [k for k in range(len(val)) if len(bodies[k]) + 20 <= room]

    def caption_for(condition: str, k: int) -> list[int]:
        r = records[k]
        if condition == "true":
            return vocab.caption_ids(r.caption, r.set)
        if condition == "null":
            return unconditional_row(vocab.caption_ids(r.caption, r.set))
        if condition == "shuffled":
            o = records[other[k]]
            return vocab.caption_ids(o.caption, o.set)
        return vocab.caption_ids(r.caption, None)

    per_item: dict[str, np.ndarray] = {}
    result: dict[str, object] = {"items": len(keep), "checkpoint": str(checkpoint)}
    for condition in CONDITIONS:
        nats, counts, first_nats, first_counts = [], [], [], []
        for start in range(0, len(keep), 16):
            chunk = keep[start : start + 16]
            seqs = [text_to_image(caption_for(condition, k), bodies[k]) for k in chunk]
            a, b, c, d = jpeg_nats(model, vocab, seqs)
            nats.append(a)
            counts.append(b)
            first_nats.append(c)
            first_counts.append(d)
        n, c_, fn, fc = (np.concatenate(x) for x in (nats, counts, first_nats, first_counts))
        per_item[condition] = n / c_
        result[condition] = {
            "natsPerJpegToken": float(n.sum() / c_.sum()),
            "firstMcuNatsPerToken": float(fn.sum() / fc.sum()),
        }
    for condition in ("null", "shuffled", "true, no style"):
        diff = per_item[condition] - per_item["true"]
        result[f"{condition} - true"] = {
            "mean": float(diff.mean()),
            "stderr": float(diff.std(ddof=1) / np.sqrt(len(diff))),
            "itemsWhereTrueIsLower": float((diff > 0).mean()),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    result = measure(Path(args.checkpoint), Path(args.model), args.limit, args.seed)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
