"""EXPERIMENTAL — retrieval-augmented training of `vq-ar`; the shipped model does not use it.

This is the one place where training meets retrieval (CM3Leon's retrieved documents, self
views as documents, aligned document positions). It is switched on only by a config with
`p_retrieval > 0` (cpu-round3 to cpu-round7, named cpu-3h to cpu-7h in LOG.md: none beat the
plain path, so the shipped model trains without documents and its manifest declares
`retrieval: false`). What it builds on lives beside it: `retrieval.py` (the retriever),
`retrieved_docs.py` (which document an example gets), `self_views.py` (views of an image; its
colour-keeping views also serve the shipped path's augmented targets), `memory_file.py` (the
memory an export may ship).

How far it is tested: the Python side by default (tests/test_vq_ar_retrieval.py, and the smoke
pipeline continues its run with retrieval, exports the memory and checks ONNX parity); the
TypeScript engine's retrieval agrees with Python only on an export that ships a memory, and
no shipped export does, so that golden test runs when TESSERA_GOLDEN_EXPORTS names one:
  TESSERA_GOLDEN_EXPORTS=<export dir> node --import tsx --test \
    app/inference/families/vq-ar/golden.test.ts
Before a retrieval model ships, that parity has to run by default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tessera_models.data.emoji import EmojiDataset
from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.image_tokenizer import ImageTokenizer
from tessera_models.vq_ar.retrieved_docs import DocPicker
from tessera_models.vq_ar.self_views import load_or_encode_views
from tessera_models.vq_ar.sequences import Example
from tessera_models.vq_ar.vocab import Vocab


@dataclass
class RetrievalTraining:
    """The documents a retrieval run gives its training examples and its held-out items."""

    picker: DocPicker
    self_view: tuple[float, float]  # share of image tasks given a self view, start → end
    val_docs: list[list[int]]  # each held-out prompt's retrieved document
    val_self_docs: list[list[int]] | None  # a view of each held-out target, with self views

    @classmethod
    def build(
        cls,
        config: ExperimentConfig,
        data: EmojiDataset,
        train_idx: np.ndarray,
        val_idx: list[int],
        examples: list[Example],
        vocab: Vocab,
        run_folder: Path,
        tokenizer: Callable[[], ImageTokenizer],
    ) -> RetrievalTraining | None:
        """None unless the config retrieves (p_retrieval > 0)."""
        tc = config.transformer_training
        if tc.p_retrieval <= 0:
            return None
        views = (
            load_or_encode_views(
                run_folder / "self_views.npz",
                run_folder / "tokenizer.pt",
                tokenizer,
                data.images,
                np.concatenate([train_idx, val_idx]),
                config.seed,
            )
            if max(tc.p_self_view) > 0
            else None
        )
        picker = DocPicker.build(
            data,
            np.asarray(train_idx),
            examples,
            vocab,
            tc.p_retrieval,
            tc.query_dropout,
            tc.retrieval_candidates,
            views,
        )
        # How well the model copies from a view of the target itself: the look-back's signal.
        val_self_docs = (
            picker.self_documents(val_idx, np.random.default_rng(config.seed))
            if views is not None
            else None
        )
        return cls(picker, tc.p_self_view, picker.for_prompts(val_idx), val_self_docs)

    def documents(
        self, picks: np.ndarray, tasks: list[str], rng: np.random.Generator, progress: float
    ) -> list[list[int]]:
        """One document (or none) per training example; self views fall linearly over the run."""
        start, end = self.self_view
        return self.picker.pick(picks, tasks, rng, start + (end - start) * progress)

    def held_out_documents(self) -> list[tuple[str, list[list[int]]]]:
        """(metric suffix, documents) for each way held-out loss is also measured."""
        pairs = [("retrieved", self.val_docs)]
        if self.val_self_docs is not None:
            pairs.append(("self_view", self.val_self_docs))
        return pairs
