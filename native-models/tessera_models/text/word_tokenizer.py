"""The word-level caption tokenizer shared by every family (docs/models.md §Caption tokenizer).

Lowercase, split on whitespace, ':' and ',' are tokens of their own, unknown words map to <unk>.
The TypeScript engine implements the same rules; a golden file keeps the two identical.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SPLIT = re.compile(r"[:,]|[^\s:,]+")
UNK = "<unk>"


def words(text: str) -> list[str]:
    return _SPLIT.findall(text.lower())


def style_token(set_name: str) -> str:
    return f"<set:{set_name}>"


@dataclass
class WordTokenizer:
    """Vocabulary of caption words and style tokens; ids start at 0 and are offset by the model."""

    vocab: list[str]
    max_tokens: int = 16

    def __post_init__(self) -> None:
        self._ids = {w: i for i, w in enumerate(self.vocab)}
        if UNK not in self._ids:
            raise ValueError("vocabulary must contain <unk>")

    @classmethod
    def build(
        cls, captions: Iterable[str], styles: Iterable[str], min_count: int = 1
    ) -> WordTokenizer:
        counts = Counter(w for c in captions for w in words(c))
        kept = sorted(w for w, n in counts.items() if n >= min_count)
        return cls(vocab=[UNK, *sorted(style_token(s) for s in styles), *kept])

    def __len__(self) -> int:
        return len(self.vocab)

    def id(self, token: str) -> int:
        return self._ids.get(token, self._ids[UNK])

    def encode(self, caption: str, style: str | None = None) -> list[int]:
        ids = [self._ids[style_token(style)]] if style is not None else []
        ids += [self.id(w) for w in words(caption)]
        return ids[: self.max_tokens]

    def decode(self, ids: Iterable[int]) -> str:
        return " ".join(self.vocab[i] for i in ids if not self.vocab[i].startswith("<set:"))

    def unknown_words(self, caption: str) -> list[str]:
        return [w for w in words(caption) if w not in self._ids]

    def save(self, path: Path) -> None:
        path.write_text(
            json.dumps({"kind": "word", "maxTokens": self.max_tokens, "vocab": self.vocab}) + "\n",
            encoding="utf-8",
        )

    @classmethod
    def load(cls, path: Path) -> WordTokenizer:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("kind") != "word":
            raise ValueError(f"{path} is not a word tokenizer file")
        return cls(vocab=list(data["vocab"]), max_tokens=int(data["maxTokens"]))
