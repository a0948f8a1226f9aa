"""Trains the `vq-ar` decoder on the CM3 mix over FSQ codes of emoji-v1 train images.

Usage: python -m tessera_models.vq_ar.train_transformer --config cpu-round1 [--data DIR]
Needs the tokenizer stage (train_tokenizer) of the same config; resumes from
runs/vq-ar/<config>/transformer.pt when it exists.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
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
    decay_groups,
    schedule_settings,
    train_with,
)
from tessera_models.common.training import Runtime, inherit_files, load_checkpoint, training_cli
from tessera_models.data.emoji import EmojiDataset, load_emoji
from tessera_models.text.caption_vocab import build_word_tokenizer
from tessera_models.text.word_tokenizer import WordTokenizer
from tessera_models.vq_ar.codes import encode_all
from tessera_models.vq_ar.config import ExperimentConfig, load_config
from tessera_models.vq_ar.image_tokenizer import ImageTokenizer, ImageTokenizerConfig
from tessera_models.vq_ar.paths import run_dir
from tessera_models.vq_ar.restore_run import restore_run
from tessera_models.vq_ar.retrieval_training import RetrievalTraining
from tessera_models.vq_ar.self_views import load_or_encode_views
from tessera_models.vq_ar.sequences import (
    Example,
    MixWeights,
    collate,
    collate_positions,
    sample_sequence,
    sample_task,
    text_to_image,
)
from tessera_models.vq_ar.transformer import Transformer, causal_mask
from tessera_models.vq_ar.vocab import PAD, Vocab


def load_image_tokenizer(config_name: str) -> ImageTokenizer:
    state = load_checkpoint(run_dir(config_name) / "tokenizer.pt")
    if state is None:
        raise FileNotFoundError(
            f"no tokenizer checkpoint for config {config_name!r}: run "
            f"`python -m tessera_models.vq_ar.train_tokenizer --config {config_name}` first"
        )
    model = ImageTokenizer(ImageTokenizerConfig(**state["config"]))
    model.load_state_dict(state["model"])
    return model.eval()


def sequence_loss(
    model: torch.nn.Module,
    ids: torch.Tensor,
    valid: torch.Tensor,
    runtime: Runtime,
    positions: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean next-token loss and per-token losses [B, S-1] (0 where the target is padding, at the
    end of a row or inside a caption slot: neither is a token the model has to produce).
    Positions are token indices unless given."""
    if positions is None:
        positions = torch.arange(ids.shape[1], device=ids.device).expand_as(ids)
    with runtime.autocast():
        logits, _ = model(ids, positions, causal_mask(valid))
    targets = ids[:, 1:]
    per_token = F.cross_entropy(
        logits[:, :-1].float().transpose(1, 2), targets, reduction="none", ignore_index=PAD
    )
    mask = counted_targets(ids, valid).float()
    return (per_token * mask).sum() / mask.sum(), per_token * mask


def counted_targets(ids: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """bool [B, S-1]: the next-token targets a loss counts."""
    return valid[:, 1:] & (ids[:, 1:] != PAD)


def to_batch(
    rows: list[list[int]], doc_lengths: list[int], context: int, aligned: bool, runtime: Runtime
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """ids, valid and position ids [B, S] of right-padded rows, on the runtime's device."""
    ids, valid = collate(rows, context)
    pos = collate_positions(rows, doc_lengths, aligned)

    def put(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(a).to(runtime.device)

    return put(ids), put(valid), put(pos)


def augmented(example: Example, views: np.ndarray, p: float, rng: np.random.Generator) -> Example:
    """The example, or with probability p the same caption over one of its image's views
    (views: i64 [K, G, G])."""
    if rng.random() >= p:
        return example
    return replace(example, codes=views[int(rng.integers(len(views)))])


def length_buckets(
    seqs: list[list[int]],
    context: int,
    buckets: int,
    runtime: Runtime,
    doc_lengths: list[int] | None = None,
    aligned: bool = False,
) -> list[tuple[tuple[torch.Tensor, torch.Tensor, torch.Tensor], float]]:
    """The batch as `buckets` micro-batches of rows of similar length, each (ids, valid,
    positions) with its share of the batch's counted targets: backpropagating each part's mean
    loss times its share gives the one-batch gradient."""
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    lengths = doc_lengths if doc_lengths is not None else [0] * len(seqs)
    chunks = []
    for chunk in np.array_split(np.array(order), buckets):
        if len(chunk) == 0:
            continue
        rows = [seqs[i] for i in chunk]
        ids, valid, pos = to_batch(rows, [lengths[i] for i in chunk], context, aligned, runtime)
        chunks.append(((ids, valid, pos), float(counted_targets(ids, valid).sum())))
    targets = sum(n for _, n in chunks)
    return [(part, n / targets) for part, n in chunks]


@torch.no_grad()
def held_out_nats(
    model: Transformer,
    vocab: Vocab,
    examples: list[Example],
    runtime: Runtime,
    docs: list[list[int]] | None = None,
    aligned: bool = False,
) -> dict[str, float]:
    """Teacher-forced text→image loss on held-out items, split into text and image tokens;
    with `docs`, each item is given its retrieved document (the loss counts only the item's
    own tokens, so the two numbers compare)."""
    model.eval()
    text_sum = image_sum = 0.0
    text_n = image_n = 0
    for i in range(0, len(examples), 128):
        chunk = examples[i : i + 128]
        chunk_docs = docs[i : i + 128] if docs is not None else [[] for _ in chunk]
        seqs = [
            text_to_image(vocab, vocab.caption_ids(e.caption, e.style), e.codes, d)
            for e, d in zip(chunk, chunk_docs, strict=True)
        ]
        lengths = [len(d) for d in chunk_docs]
        ids, valid, pos = to_batch(seqs, lengths, model.config.context, aligned, runtime)
        _, per_token = sequence_loss(model, ids, valid, runtime, pos)
        targets = ids[:, 1:]
        own = valid[:, 1:].clone()
        for row, d in enumerate(chunk_docs):
            own[row, : len(d)] = False  # targets 0 … len(d)-1 are the document's own tokens
        is_image = (targets >= vocab.image_offset) & own
        is_text = (targets >= 14) & (targets < vocab.image_offset) & own
        image_sum += float(per_token[is_image].sum())
        image_n += int(is_image.sum())
        text_sum += float(per_token[is_text].sum())
        text_n += int(is_text.sum())
    model.train()
    return {"val_text_nats": text_sum / max(1, text_n), "val_image_nats": image_sum / image_n}


# What a warm-started run takes from the run it continues (the tokenizer first, so the codes
# are not older than it and are not encoded again).
INHERITED = ("tokenizer.pt", "codes.npy", "words.json")


def prepare(
    config: ExperimentConfig, data_root: str | None
) -> tuple[EmojiDataset, np.ndarray, Vocab]:
    """Dataset, codes of every image (cached in the run folder) and the vocabulary."""
    data = load_emoji(data_root, size=config.image_size)
    out = run_dir(config.name)
    if config.warm_start is not None:
        source = run_dir(config.warm_start)
        if not (source / "transformer.pt").exists():
            # On a clone that did not train the source run, its shipped weights stand in (and
            # where it is not shipped, restore_run says how to get it).
            restore_run(config.warm_start, data_root)
        inherit_files(source, out, INHERITED)
    codes_path = out / "codes.npy"
    tokenizer_path = out / "tokenizer.pt"
    if codes_path.exists() and codes_path.stat().st_mtime >= tokenizer_path.stat().st_mtime:
        codes = np.load(codes_path)
    else:
        codes = encode_all(load_image_tokenizer(config.name), data)
        np.save(codes_path, codes)
    train_idx = data.indices("train")
    words_path = out / "words.json"
    if words_path.exists():
        words = WordTokenizer.load(words_path)
    else:
        words = build_word_tokenizer(data, train_idx)
        words.save(words_path)
    vocab = Vocab(
        words=words, codebook_size=config.tokenizer.codebook_size, caption_slot=config.caption_slot
    )
    return data, codes, vocab


@dataclass
class Batch:
    seqs: list[list[int]]
    doc_lengths: list[int]


class VqArHooks(TrainingHooks):
    """The decoder's part of the shared loop: CM3 tasks over FSQ codes, optionally with
    augmented targets and (experimental) retrieved documents."""

    def __init__(self, config: ExperimentConfig, runtime: Runtime, data_root: str | None) -> None:
        self.config = config
        self.runtime = runtime
        tc = config.transformer_training
        out = run_dir(config.name)
        data, codes, vocab = prepare(config, data_root)
        train_idx = training_indices(data, config.data_limit)
        self.vocab = vocab
        self.train_idx = train_idx
        self.examples = [
            Example(data.records[i].caption, data.records[i].set, codes[i])
            for i in range(len(codes))
        ]
        self.weights = draw_weights(data, train_idx, tc.skin_tone_weight)
        val_idx = [int(i) for i in data.indices("val")[:512]]
        self.val_examples = [self.examples[i] for i in val_idx]
        self.retrieval = RetrievalTraining.build(
            config,
            data,
            train_idx,
            val_idx,
            self.examples,
            vocab,
            out,
            lambda: load_image_tokenizer(config.name),
        )
        self.target_views = (
            load_or_encode_views(
                out / "target_views.npz",
                out / "tokenizer.pt",
                lambda: load_image_tokenizer(config.name),
                data.images,
                np.asarray(train_idx),
                config.seed + 1,
                count=tc.augmented_views,
                colour=False,
            )
            if tc.p_augmented_target > 0
            else None
        )
        self.mix = MixWeights(
            tc.p_text_to_image,
            tc.p_caption_infill,
            tc.p_image_infill,
            tc.p_caption_dropout,
            tc.p_style_token,
        )
        self.model_cfg = replace(config.transformer, vocab_size=vocab.size)
        # Retrieval doubles some rows' length: padding every row to the longest would spend
        # half the step on padding, so rows are sorted by length and run in two micro-batches.
        self.buckets = 2 if self.retrieval is not None else 1

    def build_model(self) -> torch.nn.Module:
        return Transformer(self.model_cfg)

    def model_config(self) -> dict[str, Any]:
        return asdict(self.model_cfg)

    def param_groups(self, model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
        # Learned position tables are not shrunk towards zero, like biases and norms.
        return decay_groups(model, weight_decay, lambda n, p: p.dim() < 2 or "positions" in n)

    def start_info(self) -> dict[str, Any]:
        return {"vocab": self.vocab.size, "train_images": len(self.train_idx)}

    def next_batch(self, rng: np.random.Generator, progress: float) -> Batch:
        tc = self.config.transformer_training
        picks = rng.choice(self.train_idx, size=tc.batch_size, p=self.weights)
        tasks = [sample_task(self.mix, rng) for _ in picks]
        docs = (
            self.retrieval.documents(picks, tasks, rng, progress)
            if self.retrieval is not None
            else [[] for _ in picks]
        )
        chosen = (
            [self.examples[i] for i in picks]
            if self.target_views is None
            else [
                augmented(self.examples[i], self.target_views[i], tc.p_augmented_target, rng)
                for i in picks
            ]
        )
        seqs = [
            sample_sequence(self.vocab, example, self.mix, rng, task, doc)
            for example, task, doc in zip(chosen, tasks, docs, strict=True)
        ]
        return Batch(seqs, [len(d) for d in docs])

    def micro_batches(self, batch: Batch) -> list[tuple[Any, float]]:
        return length_buckets(
            batch.seqs,
            self.model_cfg.context,
            self.buckets,
            self.runtime,
            batch.doc_lengths,
            self.config.aligned_documents,
        )

    def loss(self, model: torch.nn.Module, batch: Any) -> StepLoss:
        ids, valid, pos = batch
        loss, _ = sequence_loss(model, ids, valid, self.runtime, pos)
        return StepLoss(loss, tokens=int(valid.sum()))

    def evaluate(self, model: torch.nn.Module) -> dict[str, float]:
        assert isinstance(model, Transformer)
        m = held_out_nats(model, self.vocab, self.val_examples, self.runtime)
        if self.retrieval is not None:
            for suffix, docs in self.retrieval.held_out_documents():
                r = held_out_nats(
                    model,
                    self.vocab,
                    self.val_examples,
                    self.runtime,
                    docs,
                    self.config.aligned_documents,
                )
                m |= {f"{k}_{suffix}": v for k, v in r.items()}
        return m

    def best_value(self, metrics: dict[str, float]) -> float:
        # With retrieval, the studio retrieves for every prompt: judge the model that way.
        return metrics.get("val_image_nats_retrieved", metrics["val_image_nats"])


def loop_settings(config: ExperimentConfig) -> LoopSettings:
    tc = config.transformer_training
    out = run_dir(config.name)
    return LoopSettings(
        run_dir=out,
        log_dir=out / "transformer",
        checkpoint_name="transformer.pt",
        best_name="transformer_best.pt",
        seed=config.seed,
        **schedule_settings(tc),
        log_every=50,
        warm_start=(
            run_dir(config.warm_start) / "transformer.pt" if config.warm_start is not None else None
        ),
        growable=("positions.weight",),
        resolved_config=resolve(config),
    )


def train(
    config: ExperimentConfig, data_root: str | None = None, threads: int | None = None
) -> dict[str, float]:
    if config.aligned_documents and not config.caption_slot:
        raise ValueError(
            f"config {config.name!r} aligns documents without caption slots: set caption_slot"
        )
    hooks = partial(VqArHooks, config, data_root=data_root)
    return train_with(loop_settings(config), hooks, threads)


def main() -> None:
    training_cli(__doc__, train, load_config)


if __name__ == "__main__":
    main()
