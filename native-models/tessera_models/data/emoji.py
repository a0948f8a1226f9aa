"""Loads the emoji-v1 dataset built by `npm run data:build` (native-models/dataset/build.ts).

Shapes:
  images_32  uint8 [N, 32, 32, 3]   RGB on white
  images_64  uint8 [N, 64, 64, 3]
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NATIVE_MODELS = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = NATIVE_MODELS / ".cache" / "emoji-v1"
SPLITS = ("train", "val", "test", "test-unseen")


class DatasetMissingError(RuntimeError):
    pass


@dataclass(frozen=True)
class Record:
    index: int
    set: str
    name: str
    caption: str
    concept: str
    aliases: tuple[str, ...]
    split: str


@dataclass
class EmojiDataset:
    root: Path
    records: list[Record]
    images: np.ndarray  # uint8 [N, S, S, 3]
    size: int

    def indices(self, split: str) -> np.ndarray:
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
        return np.array([r.index for r in self.records if r.split == split], dtype=np.int64)

    def sets(self) -> list[str]:
        return sorted({r.set for r in self.records})


def data_dir() -> Path:
    return Path(os.environ.get("TESSERA_DATA_DIR", DEFAULT_DATA_DIR))


def load_emoji(root: Path | None = None, size: int = 32) -> EmojiDataset:
    root = Path(root) if root is not None else data_dir()
    index_path = root / "index.jsonl"
    pixels_path = root / f"images-{size}.npy"
    if not index_path.exists() or not pixels_path.exists():
        raise DatasetMissingError(
            f"emoji-v1 not found in {root}: run `npm run data:build` "
            "(or set TESSERA_DATA_DIR to a folder it built)"
        )
    records = []
    with index_path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            records.append(
                Record(
                    index=r["index"],
                    set=r["set"],
                    name=r["name"],
                    caption=r["caption"],
                    concept=r["concept"],
                    aliases=tuple(r["aliases"]),
                    split=r["split"],
                )
            )
    images = np.load(pixels_path)
    if images.shape != (len(records), size, size, 3):
        raise DatasetMissingError(
            f"{pixels_path} has shape {images.shape}, index has {len(records)} records: "
            "the dataset is inconsistent; rebuild it with `npm run data:build`"
        )
    return EmojiDataset(root=root, records=records, images=images, size=size)


def to_unit_range(images_u8: np.ndarray) -> np.ndarray:
    """uint8 [N,H,W,3] -> float32 [N,3,H,W] in [-1, 1]."""
    return images_u8.astype(np.float32).transpose(0, 3, 1, 2) / 127.5 - 1.0


def from_unit_range(x: np.ndarray) -> np.ndarray:
    """float [N,3,H,W] in [-1, 1] -> uint8 [N,H,W,3], rounded and clipped."""
    return np.clip(np.round((x.transpose(0, 2, 3, 1) + 1.0) * 127.5), 0, 255).astype(np.uint8)
