"""The FSQ codes of every emoji-v1 image: what the transformer trains on, cached per run."""

from __future__ import annotations

import numpy as np
import torch

from tessera_models.data.emoji import EmojiDataset, to_unit_range
from tessera_models.vq_ar.image_tokenizer import ImageTokenizer


@torch.no_grad()
def encode_all(tokenizer: ImageTokenizer, data: EmojiDataset) -> np.ndarray:
    """Codes i64 [N, G, G] for every image of the dataset."""
    out = []
    for i in range(0, len(data.images), 512):
        x = torch.from_numpy(to_unit_range(data.images[i : i + 512]))
        out.append(tokenizer.encode(x)[1].numpy())
    return np.concatenate(out)
