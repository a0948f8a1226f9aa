"""Trains the `vq-ar` decoder on the CM3 mix over FSQ codes of emoji-v1 train images.

Usage: python -m tessera_models.vq_ar.train_transformer --config cpu-1h [--data DIR]
Needs the tokenizer stage (train_tokenizer) of the same config; resumes from
runs/vq-ar/<config>/transformer.pt when it exists.
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace

import numpy as np
import torch
import torch.nn.functional as F

from tessera_models.common.training import (
    RunLog,
    Runtime,
    all_reduce_mean,
    cosine_lr,
    inherit_files,
    load_checkpoint,
    resume,
    save_checkpoint,
    setup_runtime,
    training_cli,
    training_progress,
    warm_start,
    wrap_ddp,
)
from tessera_models.data.emoji import EmojiDataset, load_emoji
from tessera_models.text.caption_vocab import build_word_tokenizer
from tessera_models.text.word_tokenizer import WordTokenizer
from tessera_models.vq_ar.codes import encode_all
from tessera_models.vq_ar.config import ExperimentConfig, load_config
from tessera_models.vq_ar.image_tokenizer import ImageTokenizer, ImageTokenizerConfig
from tessera_models.vq_ar.paths import run_dir
from tessera_models.vq_ar.restore_run import restore_run
from tessera_models.vq_ar.retrieved_docs import DocPicker
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


def backward_by_length(
    model: torch.nn.Module,
    seqs: list[list[int]],
    context: int,
    buckets: int,
    runtime: Runtime,
    doc_lengths: list[int] | None = None,
    aligned: bool = False,
) -> tuple[torch.Tensor, int]:
    """Backpropagates the batch's mean next-token loss in `buckets` micro-batches of rows of
    similar length; the gradient equals the one-batch gradient. Returns (loss, tokens)."""
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    lengths = doc_lengths if doc_lengths is not None else [0] * len(seqs)
    chunks = []
    for chunk in np.array_split(np.array(order), buckets):
        if len(chunk) == 0:
            continue
        rows = [seqs[i] for i in chunk]
        ids, valid, pos = to_batch(rows, [lengths[i] for i in chunk], context, aligned, runtime)
        chunks.append((ids, valid, pos, float(counted_targets(ids, valid).sum())))
    targets = sum(n for *_, n in chunks)
    total = torch.zeros((), device=runtime.device)
    tokens = 0
    for ids, valid, pos, n in chunks:
        loss, _ = sequence_loss(model, ids, valid, runtime, pos)
        (loss * (n / targets)).backward()
        total = total + loss.detach() * (n / targets)
        tokens += int(valid.sum())
    return total, tokens


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
# A session can end at any moment: never lose more than this much training.
CHECKPOINT_SECONDS = 300


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


def train(
    config: ExperimentConfig, data_root: str | None = None, threads: int | None = None
) -> dict[str, float]:
    if config.aligned_documents and not config.caption_slot:
        raise ValueError(
            f"config {config.name!r} aligns documents without caption slots: set caption_slot"
        )
    runtime = setup_runtime(threads)
    tc = config.transformer_training
    out = run_dir(config.name)
    log = RunLog(out / "transformer", runtime.is_main)
    data, codes, vocab = prepare(config, data_root)
    train_idx = data.indices("train")
    if config.data_limit is not None:
        train_idx = train_idx[: config.data_limit]
    examples = [
        Example(data.records[i].caption, data.records[i].set, codes[i]) for i in range(len(codes))
    ]
    weights = np.array(
        [tc.skin_tone_weight if "skin tone" in data.records[i].caption else 1.0 for i in train_idx]
    )
    weights /= weights.sum()
    val_idx = [int(i) for i in data.indices("val")[:512]]
    val_examples = [examples[i] for i in val_idx]
    self_start, self_end = tc.p_self_view
    views = (
        load_or_encode_views(
            out / "self_views.npz",
            out / "tokenizer.pt",
            lambda: load_image_tokenizer(config.name),
            data.images,
            np.concatenate([train_idx, val_idx]),
            config.seed,
        )
        if tc.p_retrieval > 0 and max(self_start, self_end) > 0
        else None
    )
    picker = (
        DocPicker.build(
            data,
            np.asarray(train_idx),
            examples,
            vocab,
            tc.p_retrieval,
            tc.query_dropout,
            tc.retrieval_candidates,
            views,
        )
        if tc.p_retrieval > 0
        else None
    )
    val_docs = picker.for_prompts(val_idx) if picker is not None else None
    target_views = (
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
    # How well the model copies from a view of the target itself: the look-back's own signal.
    val_self_docs = (
        picker.self_documents(val_idx, np.random.default_rng(config.seed))
        if picker is not None and views is not None
        else None
    )

    def evaluate() -> dict[str, float]:
        m = held_out_nats(model, vocab, val_examples, runtime)
        for suffix, docs in (("retrieved", val_docs), ("self_view", val_self_docs)):
            if docs is not None:
                r = held_out_nats(
                    model, vocab, val_examples, runtime, docs, config.aligned_documents
                )
                m |= {f"{k}_{suffix}": v for k, v in r.items()}
        return m

    mix = MixWeights(
        tc.p_text_to_image,
        tc.p_caption_infill,
        tc.p_image_infill,
        tc.p_caption_dropout,
        tc.p_style_token,
    )

    tconfig = replace(config.transformer, vocab_size=vocab.size)
    torch.manual_seed(config.seed)
    model = Transformer(tconfig).to(runtime.device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "positions" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2 or "positions" in n]
    opt = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": tc.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=tc.lr,
        betas=(0.9, 0.95),
    )
    ckpt_path = out / "transformer.pt"
    step, elapsed, state = resume(ckpt_path, model, opt, log)
    if state is None and config.warm_start is not None:
        warm_start(
            run_dir(config.warm_start) / "transformer.pt",
            model,
            opt,
            log,
            growable=("positions.weight",),
        )
    ddp_model = wrap_ddp(model, runtime)
    rng = np.random.default_rng([config.seed, runtime.rank, step])
    n_params = sum(p.numel() for p in model.parameters())
    log.write(event="start", params=n_params, vocab=vocab.size, train_images=len(train_idx))

    def checkpoint() -> None:
        if runtime.is_main:
            save_checkpoint(
                ckpt_path,
                {
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "step": step,
                    "elapsed": elapsed,
                    "config": asdict(tconfig),
                    "tokens_seen": tokens_seen,
                    "best_val": best_val,
                },
            )

    def keep_if_best(metrics: dict[str, float]) -> float:
        # Many epochs over 16k images can overfit: export takes the best held-out checkpoint.
        # With retrieval, the studio retrieves for every prompt: judge the model that way.
        value = metrics.get("val_image_nats_retrieved", metrics["val_image_nats"])
        if runtime.is_main and value < best_val:
            save_checkpoint(
                out / "transformer_best.pt",
                {
                    "model": model.state_dict(),
                    "step": step,
                    "config": asdict(tconfig),
                    "metrics": metrics,
                },
            )
            return value
        return best_val

    tokens_seen = 0 if state is None else int(state.get("tokens_seen", 0))
    best_val = float("inf") if state is None else float(state.get("best_val", float("inf")))
    metrics: dict[str, float] = {}
    t0 = time.time() - elapsed
    last_save = time.time()
    # Retrieval doubles some rows' length: padding every row to the longest would spend half
    # the step on padding, so rows are sorted by length and run in two micro-batches.
    buckets = 2 if picker is not None else 1
    while True:
        progress = training_progress(step, tc.steps, time.time() - t0, tc.minutes)
        if progress >= 1.0:
            break
        for group in opt.param_groups:
            group["lr"] = cosine_lr(step, progress, tc.lr, tc.warmup)
        picks = rng.choice(train_idx, size=tc.batch_size, p=weights)
        tasks = [sample_task(mix, rng) for _ in picks]
        p_self = self_start + (self_end - self_start) * progress
        docs = picker.pick(picks, tasks, rng, p_self) if picker is not None else [[] for _ in picks]
        chosen = (
            [examples[i] for i in picks]
            if target_views is None
            else [
                augmented(examples[i], target_views[i], tc.p_augmented_target, rng) for i in picks
            ]
        )
        seqs = [
            sample_sequence(vocab, example, mix, rng, task, doc)
            for example, task, doc in zip(chosen, tasks, docs, strict=True)
        ]
        opt.zero_grad(set_to_none=True)
        loss, tokens = backward_by_length(
            ddp_model,
            seqs,
            tconfig.context,
            buckets,
            runtime,
            [len(d) for d in docs],
            config.aligned_documents,
        )
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        tokens_seen += tokens * runtime.world_size
        elapsed = time.time() - t0
        if time.time() - last_save >= CHECKPOINT_SECONDS:
            checkpoint()
            last_save = time.time()
        if step % 50 == 0:
            log.write(
                step=step,
                loss=float(all_reduce_mean(loss.detach(), runtime)),
                lr=opt.param_groups[0]["lr"],
            )
        if step % tc.eval_every == 0:
            metrics = evaluate()
            log.write(step=step, **metrics)
            best_val = keep_if_best(metrics)
            checkpoint()
    metrics = evaluate()
    best_val = keep_if_best(metrics)
    flops = 6 * n_params * tokens_seen
    log.write(
        event="done",
        step=step,
        elapsed_min=elapsed / 60,
        tokens=tokens_seen,
        flops=float(flops),
        **metrics,
    )
    checkpoint()
    return metrics


def main() -> None:
    training_cli(__doc__, train, load_config)


if __name__ == "__main__":
    main()
