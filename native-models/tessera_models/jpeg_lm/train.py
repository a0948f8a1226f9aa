"""Trains the `jpeg-lm` decoder on captioned JPEG bodies of emoji-v1 train images.

Usage: python -m tessera_models.jpeg_lm.train --config cpu-round1 [--data DIR] [--threads N]
Resumes from runs/jpeg-lm/<config>/model.pt when it exists; keeps the best held-out
checkpoint in model_best.pt for export.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, replace
from functools import partial
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from tessera_models.common.captioned_training import draw_weights, training_indices
from tessera_models.common.resolved_config import resolve
from tessera_models.common.trainer import (
    LoopSettings,
    StepLoss,
    TrainingHooks,
    schedule_settings,
    train_with,
)
from tessera_models.common.training import Runtime, training_cli
from tessera_models.jpeg_lm.config import ExperimentConfig, load_config
from tessera_models.jpeg_lm.llama import Llama, causal_mask
from tessera_models.jpeg_lm.paths import run_dir
from tessera_models.jpeg_lm.prepare import (
    Prepared,
    length_stats,
    load_or_encode_views,
    prepare,
)
from tessera_models.jpeg_lm.sequences import (
    Example,
    MixWeights,
    collate,
    sample_sequence,
    text_to_image,
)
from tessera_models.jpeg_lm.vocab import PAD, Vocab


def build_examples(prep: Prepared, indices: Iterable[int]) -> dict[int, Example]:
    """The given images captioned, their bodies BPE-tokenised: only those a run reads, since
    tokenising every record of the dataset took most of a smoke run's time."""
    vocab = prep.vocab
    records = prep.data.records
    return {
        i: Example(
            records[i].caption, records[i].set, vocab.jpeg_ids(prep.bodies[records[i].index])
        )
        for i in indices
    }


def sequence_loss(
    model: torch.nn.Module, ids: torch.Tensor, valid: torch.Tensor, runtime: Runtime
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean next-token loss and per-token losses [B, S-1] (0 where the target is padding)."""
    positions = torch.arange(ids.shape[1], device=ids.device).expand_as(ids)
    with runtime.autocast():
        logits, _ = model(ids, positions, causal_mask(valid))
    per_token = F.cross_entropy(
        logits[:, :-1].float().transpose(1, 2), ids[:, 1:], reduction="none", ignore_index=PAD
    )
    mask = valid[:, 1:].float()
    return (per_token * mask).sum() / mask.sum(), per_token * mask


@torch.no_grad()
def held_out(
    model: Llama, vocab: Vocab, examples: list[Example], runtime: Runtime
) -> dict[str, float]:
    """Teacher-forced text→image loss on held-out items: nats per JPEG token, bits per byte."""
    model.eval()
    nats = 0.0
    tokens = 0
    body_bytes = 0
    for i in range(0, len(examples), 32):
        chunk = [e for e in examples[i : i + 32] if len(e.body) + 20 <= model.config.context]
        if not chunk:
            continue
        seqs = [text_to_image(vocab.caption_ids(e.caption, e.style), e.body) for e in chunk]
        ids_np, valid_np = collate(seqs, model.config.context)
        ids = torch.from_numpy(ids_np).to(runtime.device)
        valid = torch.from_numpy(valid_np).to(runtime.device)
        _, per_token = sequence_loss(model, ids, valid, runtime)
        is_jpeg = (ids[:, 1:] >= vocab.jpeg_offset) & valid[:, 1:]
        nats += float(per_token[is_jpeg].sum())
        tokens += int(is_jpeg.sum())
        body_bytes += sum(len(vocab.jpeg_bytes(e.body)) for e in chunk)
    model.train()
    return {
        "val_jpeg_nats": nats / max(1, tokens),
        "val_bits_per_byte": nats / math.log(2) / max(1, body_bytes),
    }


class JpegLmHooks(TrainingHooks):
    """The decoder's part of the shared loop: captioned JPEG bodies, BPE-tokenised."""

    def __init__(self, config: ExperimentConfig, runtime: Runtime, data_root: str | None) -> None:
        self.config = config
        self.runtime = runtime
        tc = config.training
        self.prep = prepare(config, data_root)
        vocab = self.vocab = self.prep.vocab
        data = self.prep.data
        train_idx = training_indices(data, config.data_limit)
        val_idx = data.indices("val")[:256].tolist()
        self.examples = build_examples(self.prep, [*train_idx.tolist(), *val_idx])
        self.model_cfg = replace(config.model, vocab_size=vocab.size)
        # A caption of at most max_tokens words plus four structural tokens must fit beside
        # the body.
        room = self.model_cfg.context - vocab.words.max_tokens - 4
        self.too_long = [i for i in train_idx if len(self.examples[i].body) > room]
        self.train_idx = np.array([i for i in train_idx if len(self.examples[i].body) <= room])
        self.weights = draw_weights(data, self.train_idx, tc.skin_tone_weight)
        self.val_examples = [self.examples[i] for i in val_idx]
        self.mix = MixWeights(tc.p_image_to_text, tc.p_caption_dropout, tc.p_style_token)
        self.room = room
        self.views = (
            load_or_encode_views(config, data, self.train_idx) if tc.augmented_views > 0 else []
        )
        self.view_ids: dict[tuple[int, int], list[int]] = {}  # tokenized on first use

    def _view_body(self, view: int, i: int) -> list[int] | None:
        """Token ids of image i's view, or None when it would not fit beside a caption."""
        key = (view, i)
        if key not in self.view_ids:
            self.view_ids[key] = self.vocab.jpeg_ids(self.views[view][i])
        body = self.view_ids[key]
        return body if len(body) <= self.room else None

    def _example(self, i: int, rng: np.random.Generator) -> Example:
        example = self.examples[int(i)]
        if not self.views or rng.random() >= self.config.training.p_augmented_target:
            return example
        body = self._view_body(int(rng.integers(len(self.views))), int(i))
        return example if body is None else replace(example, body=body)

    def build_model(self) -> torch.nn.Module:
        return Llama(self.model_cfg)

    def model_config(self) -> dict[str, Any]:
        return asdict(self.model_cfg)

    def start_info(self) -> dict[str, Any]:
        return {
            "vocab": self.vocab.size,
            "train_images": len(self.train_idx),
            "dropped_too_long": len(self.too_long),
            "lengths": length_stats(
                [self.prep.bodies[i] for i in self.train_idx[:2000]], self.vocab.bpe
            ),
        }

    def next_batch(
        self, rng: np.random.Generator, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        picks = rng.choice(self.train_idx, size=self.config.training.batch_size, p=self.weights)
        seqs = [sample_sequence(self.vocab, self._example(i, rng), self.mix, rng) for i in picks]
        ids, valid = collate(seqs, self.model_cfg.context)
        device = self.runtime.device
        return torch.from_numpy(ids).to(device), torch.from_numpy(valid).to(device)

    def loss(self, model: torch.nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> StepLoss:
        ids, valid = batch
        loss, _ = sequence_loss(model, ids, valid, self.runtime)
        return StepLoss(loss, tokens=int(valid.sum()))

    def evaluate(self, model: torch.nn.Module) -> dict[str, float]:
        assert isinstance(model, Llama)
        return held_out(model, self.vocab, self.val_examples, self.runtime)

    def best_value(self, metrics: dict[str, float]) -> float:
        return metrics["val_jpeg_nats"]


def loop_settings(config: ExperimentConfig) -> LoopSettings:
    tc = config.training
    return LoopSettings(
        run_dir=run_dir(config.name),
        checkpoint_name="model.pt",
        best_name="model_best.pt",
        seed=config.seed,
        **schedule_settings(tc),
        log_every=25,
        warm_start=(
            run_dir(config.warm_start) / "model.pt" if config.warm_start is not None else None
        ),
        resolved_config=resolve(config),
    )


def train(
    config: ExperimentConfig, data_root: str | None = None, threads: int | None = None
) -> dict[str, float]:
    hooks = partial(JpegLmHooks, config, data_root=data_root)
    return train_with(loop_settings(config), hooks, threads)


def main() -> None:
    training_cli(__doc__, train, load_config)


if __name__ == "__main__":
    main()
