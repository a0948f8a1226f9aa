"""Trains JetFormer (flow and decoder together) on captioned emoji-v1 train images.

Usage: python -m tessera_models.jetformer.train --config cpu-240m [--data DIR] [--threads N]
Runs through the shared loop (common/trainer.py): resumes from runs/jetformer/<config>/model.pt
when it exists, checkpoints every few minutes, keeps the best held-out bits per dimension in
model_best.pt for export. Several GPUs: torchrun --nproc_per_node N -m tessera_models.jetformer.train
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import torch

from tessera_models.common import captioned_training
from tessera_models.common.trainer import StepLoss, TrainingHooks, decay_groups, train_with
from tessera_models.common.training import Runtime, training_cli
from tessera_models.data.emoji import EmojiDataset
from tessera_models.jetformer.config import ExperimentConfig, load_config
from tessera_models.jetformer.gmm import gmm_nll, standard_normal_nll
from tessera_models.jetformer.model import JetFormer
from tessera_models.jetformer.patches import dequantise, rgb_noise_sigma, u8_to_unit
from tessera_models.jetformer.paths import run_dir
from tessera_models.jetformer.sequences import Batch, captioned_batch, sample_batch
from tessera_models.jetformer.vocab import Vocab
from tessera_models.text.caption_vocab import build_word_tokenizer

# The held-out bits use one fixed dequantisation draw, so evaluations compare like with like.
VAL_NOISE_SEED = 1234


@dataclass
class NoisyBatch:
    batch: Batch
    rgb_sigma: float


def build_vocab(data: EmojiDataset) -> Vocab:
    return Vocab(build_word_tokenizer(data, data.indices("train")))


@torch.no_grad()
def held_out_bits(
    model: JetFormer, vocab: Vocab, data: EmojiDataset, indices: np.ndarray, device: torch.device
) -> dict[str, float]:
    """Exact bits per sub-pixel of clean held-out images given their captions (one fixed
    dequantisation draw), and the caption NLL per token given the image."""
    gen = torch.Generator(device="cpu").manual_seed(VAL_NOISE_SEED)
    bits, text = [], []
    for i in range(0, len(indices), 64):
        chunk = indices[i : i + 64]
        batch = captioned_batch(data, vocab, chunk, text_first=True).to(device)
        images = dequantise(u8_to_unit(batch.images.cpu()), gen).to(device)
        z, logdet = model.encode(images)
        z_ar, z_fact = model.split(z)
        _, _, img_h = model.sequence(batch.text_ids, batch.text_valid, z_ar, batch.text_first)
        token_nll = gmm_nll(*model.gmm(img_h.float()), z_ar).sum(1)
        bits.append(model.image_bits(token_nll, standard_normal_nll(z_fact), logdet).cpu())
        image_first = replace(batch, text_first=~batch.text_first)
        _, text_h, _ = model.sequence(
            image_first.text_ids, image_first.text_valid, z_ar, image_first.text_first
        )
        logits = model.text_head(text_h).float()
        ce = torch.nn.functional.cross_entropy(
            logits.transpose(1, 2), batch.text_ids, reduction="none"
        )
        valid = batch.text_valid.float()
        text.append(((ce * valid).sum(1) / valid.sum(1)).cpu())
    return {
        "val_bits_per_dim": float(torch.cat(bits).mean()),
        "val_caption_nats": float(torch.cat(text).mean()),
    }


class JetFormerHooks(TrainingHooks):
    """JetFormer's part of the shared loop: images and captions in either order, the RGB noise
    curriculum by progress, and the flow's fp32 coupling math under any autocast."""

    def __init__(self, config: ExperimentConfig, runtime: Runtime, data_root: str | None) -> None:
        self.config = config
        self.runtime = runtime
        images = captioned_training.training_images(config, data_root, config.flow.image_size)
        self.data, self.train_idx, self.val_idx = images.data, images.train_idx, images.val_idx
        self.weights = images.weights
        self.vocab = build_vocab(self.data)
        self.decoder_cfg = replace(config.decoder, vocab_size=self.vocab.size)
        self.generator: torch.Generator | None = None

    def build_model(self) -> torch.nn.Module:
        return JetFormer(self.config.flow, self.decoder_cfg)

    def model_config(self) -> dict[str, Any]:
        return {"flow": asdict(self.config.flow), "decoder": asdict(self.decoder_cfg)}

    def begin(self, step: int, runtime: Runtime) -> None:
        self.generator = captioned_training.noise_generator(self.config.seed, step, runtime)

    def param_groups(self, model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
        # Embeddings and the flow's positional tables are matrices but not weights to shrink.
        return decay_groups(
            model,
            weight_decay,
            lambda name, p: p.dim() < 2 or name.endswith("posemb") or name.startswith("text_emb"),
        )

    def start_info(self) -> dict[str, Any]:
        return {"vocab": self.vocab.size, "train_images": len(self.train_idx)}

    def next_batch(self, rng: np.random.Generator, progress: float) -> NoisyBatch:
        tc = self.config.training
        picks = rng.choice(self.train_idx, size=tc.batch_size, p=self.weights)
        batch = sample_batch(self.data, self.vocab, picks, tc, rng).to(self.runtime.device)
        return NoisyBatch(batch, rgb_noise_sigma(progress, tc.rgb_noise_max, tc.rgb_noise_min))

    def loss(self, model: torch.nn.Module, batch: NoisyBatch) -> StepLoss:
        tc = self.config.training
        inner = model.module if hasattr(model, "module") else model
        assert isinstance(inner, JetFormer)
        loss, rows = model(
            batch.batch,
            batch.rgb_sigma,
            tc.latent_noise_max,
            tc.text_loss_weight,
            autocast=self.runtime.autocast(),
            generator=self.generator,
        )
        tf = batch.batch.text_first
        metrics = {"rgb_sigma": batch.rgb_sigma}
        if bool(tf.any()):
            metrics["bits_per_dim"] = float(rows["bits"].detach()[tf].mean())
        if bool((~tf).any()):
            metrics["caption_nats"] = float(rows["text_nll"].detach()[~tf].mean())
        # Tokens: the decoder's inputs (flow and decoder parameters each see about this many).
        tokens = int(batch.batch.text_valid.sum()) + tf.numel() * (inner.flow_config.tokens + 1)
        return StepLoss(loss, tokens=tokens, metrics=metrics)

    def evaluate(self, model: torch.nn.Module) -> dict[str, float]:
        assert isinstance(model, JetFormer)
        return held_out_bits(model, self.vocab, self.data, self.val_idx, self.runtime.device)

    def best_value(self, metrics: dict[str, float]) -> float:
        return metrics["val_bits_per_dim"]


def train(
    config: ExperimentConfig, data_root: str | None = None, threads: int | None = None
) -> dict[str, float]:
    settings = captioned_training.loop_settings("jetformer", config, run_dir(config.name))
    return train_with(settings, partial(JetFormerHooks, config, data_root=data_root), threads)


def main() -> None:
    training_cli(__doc__, train, load_config)


if __name__ == "__main__":
    main()
