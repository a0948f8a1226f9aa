"""Byte-level BPE over JPEG bodies (docs/models.md §jpeg-lm tokens), identical to the TypeScript
tokenizer.

Base symbols (265): ids 0..254 are the bytes 00..FE; 255 is the stuffed pair FF 00; 256..263
are RST0..RST7 and 264 is EOI. A lone FF has no token, so every token string is a
syntactically valid entropy-coded segment. Merges never cross a marker: each MCU tokenizes on
its own, and a marker is always exactly one token.

Encoding applies the merges in rank order, each to every non-overlapping occurrence left to
right. A merged token only ever pairs with later merges, so this equals the usual
lowest-rank-first loop and is trivially reproducible in TypeScript.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

STUFFED = 255
RST0 = 256
EOI_ID = 264
BASE = 265
VERSION = 1


def base_symbols(body: bytes) -> list[int]:
    """Body bytes -> base symbol ids; raises on a lone FF (not a valid entropy-coded stream)."""
    out: list[int] = []
    i = 0
    while i < len(body):
        b = body[i]
        if b != 0xFF:
            out.append(b)
            i += 1
            continue
        if i + 1 >= len(body):
            raise ValueError(f"lone FF at the end of the body (byte {i})")
        nxt = body[i + 1]
        if nxt == 0x00:
            out.append(STUFFED)
        elif 0xD0 <= nxt <= 0xD7:
            out.append(RST0 + nxt - 0xD0)
        elif nxt == 0xD9:
            out.append(EOI_ID)
        else:
            raise ValueError(f"unexpected marker FF {nxt:02X} at byte {i} of the body")
        i += 2
    return out


def is_marker(symbol: int) -> bool:
    return RST0 <= symbol <= EOI_ID


def _merge(seq: list[int], left: int, right: int, new: int) -> list[int]:
    out: list[int] = []
    i = 0
    n = len(seq)
    while i < n:
        if i + 1 < n and seq[i] == left and seq[i + 1] == right:
            out.append(new)
            i += 2
        else:
            out.append(seq[i])
            i += 1
    return out


@dataclass
class JpegBpe:
    merges: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.token_bytes: list[bytes] = [bytes([b]) for b in range(255)]
        self.token_bytes.append(b"\xff\x00")
        self.token_bytes += [bytes([0xFF, 0xD0 + k]) for k in range(8)]
        self.token_bytes.append(b"\xff\xd9")
        for left, right in self.merges:
            if is_marker(left) or is_marker(right):
                raise ValueError("a merge may not include a marker")
            self.token_bytes.append(self.token_bytes[left] + self.token_bytes[right])

    @property
    def size(self) -> int:
        return BASE + len(self.merges)

    def encode_segment(self, symbols: list[int]) -> list[int]:
        seq = list(symbols)
        for rank, (left, right) in enumerate(self.merges):
            if len(seq) < 2:
                break
            if left in seq:  # a C-speed scan skips most merges of a short MCU segment
                seq = _merge(seq, left, right, BASE + rank)
        return seq

    def encode(self, body: bytes) -> list[int]:
        out: list[int] = []
        segment: list[int] = []
        for s in base_symbols(body):
            if is_marker(s):
                out += self.encode_segment(segment)
                out.append(s)
                segment = []
            else:
                segment.append(s)
        out += self.encode_segment(segment)
        return out

    def decode(self, ids: list[int]) -> bytes:
        return b"".join(self.token_bytes[i] for i in ids)

    def save(self, path: Path) -> None:
        doc = {
            "kind": "jpeg-bpe",
            "version": VERSION,
            "base": "bytes 00..FE = ids 0..254; FF00 = 255; RST0..7 = 256..263; EOI = 264",
            "merges": [list(m) for m in self.merges],
        }
        path.write_text(json.dumps(doc) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> JpegBpe:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("kind") != "jpeg-bpe" or doc.get("version") != VERSION:
            raise ValueError(f"{path} is not a jpeg-bpe v{VERSION} tokenizer")
        return cls([(int(a), int(b)) for a, b in doc["merges"]])


def train_bpe(bodies: list[bytes], merges: int) -> JpegBpe:
    """Learns `merges` merges from the most frequent adjacent pairs within MCU segments.

    Ties go to the smaller (left, right) pair, so training is deterministic.
    """
    segments: list[list[int]] = []
    for body in bodies:
        seg: list[int] = []
        for s in base_symbols(body):
            if is_marker(s):
                if seg:
                    segments.append(seg)
                seg = []
            else:
                seg.append(s)
        if seg:
            segments.append(seg)
    # One flat array with -1 between segments, so pair counting is vectorised.
    flat: list[int] = []
    for seg in segments:
        flat += seg
        flat.append(-1)
    arr = np.array(flat, dtype=np.int64)
    learned: list[tuple[int, int]] = []
    for rank in range(merges):
        a, b = arr[:-1], arr[1:]
        ok = (a >= 0) & (b >= 0)
        keys = a[ok] * 4096 + b[ok]
        if len(keys) == 0:
            break
        values, counts = np.unique(keys, return_counts=True)
        best = int(values[np.flatnonzero(counts == counts.max())[0]])
        left, right = best // 4096, best % 4096
        new = BASE + rank
        hits = np.flatnonzero((a == left) & (b == right))
        keep = np.ones(len(arr), dtype=bool)
        last = -2
        for h in hits.tolist():
            if h == last + 1:  # overlapping occurrence of a repeated symbol: take the left one
                continue
            arr[h] = new
            keep[h + 1] = False
            last = h
        arr = arr[keep]
        learned.append((left, right))
    return JpegBpe(learned)
