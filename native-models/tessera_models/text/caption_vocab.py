"""The caption vocabulary every family builds the same way: train captions, aliases and styles."""

from __future__ import annotations

import numpy as np

from tessera_models.data.emoji import EmojiDataset
from tessera_models.text.word_tokenizer import WordTokenizer


def build_word_tokenizer(data: EmojiDataset, train_idx: np.ndarray) -> WordTokenizer:
    captions = []
    for i in train_idx:
        r = data.records[i]
        captions += [r.caption, *r.aliases]
    return WordTokenizer.build(captions, styles=data.sets())
