"""PyTorch (transformers' own modules) against onnxruntime for every exported graph, at more
than one batch and sequence shape: each max abs difference is recorded and must be ≤ 1e-4."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import DynamicCache, JanusForConditionalGeneration

from tessera_models.common.decoder_io import check_parity, cpu_session
from tessera_models.janus.graphs import past_names


def _diff(a: np.ndarray, b: torch.Tensor) -> float:
    return float(np.abs(a - b.numpy()).max()) if a.size else 0.0


def check_prepare_inputs_embeds(
    model: JanusForConditionalGeneration, path: Path, report: dict[str, Any]
) -> None:
    sess = cpu_session(path)
    cfg = model.config
    tokens, size = cfg.vision_config.num_image_tokens, cfg.vision_config.image_size
    gen = torch.Generator().manual_seed(1)
    # One picture in a caption prompt, as transformers writes it: placeholders hold its features.
    ids = torch.randint(0, cfg.text_config.vocab_size, (1, tokens + 7), generator=gen)
    ids[ids == cfg.image_token_id] = 0
    ids[0, 3 : 3 + tokens] = cfg.image_token_id
    pixels = torch.rand(1, 3, size, size, generator=gen) * 2 - 1
    with torch.no_grad():
        ref = model.model.get_input_embeddings()(ids)
        features = model.model.get_image_features(pixels).pooler_output.reshape(-1, ref.shape[-1])
        ref = ref.masked_scatter((ids == cfg.image_token_id).unsqueeze(-1), features)
    (out,) = sess.run(
        None,
        {
            "input_ids": ids.numpy(),
            "pixel_values": pixels[:, None].numpy(),
            "images_seq_mask": (ids == cfg.image_token_id).numpy(),
            "images_emb_mask": np.ones((1, 1, tokens), dtype=bool),
        },
    )
    check_parity("prepare_inputs_embeds.image", _diff(out, ref), report)
    # A text-only pair of rows with the empty image batch readers pass.
    ids = torch.randint(0, cfg.text_config.vocab_size, (2, 9), generator=gen)
    with torch.no_grad():
        ref = model.model.get_input_embeddings()(ids)
    (out,) = sess.run(
        None,
        {
            "input_ids": ids.numpy(),
            "pixel_values": np.zeros((0, 0, 3, size, size), dtype=np.float32),
            "images_seq_mask": np.zeros((1, 9), dtype=bool),
            "images_emb_mask": np.zeros((1, 0, tokens), dtype=bool),
        },
    )
    check_parity("prepare_inputs_embeds.text", _diff(out, ref), report)


def check_language_model(
    model: JanusForConditionalGeneration, path: Path, report: dict[str, Any]
) -> None:
    """Against the Llama body with a real DynamicCache: a fresh prefill, a cached step, and
    rows whose mask hides part of the past (left padding)."""
    sess = cpu_session(path)
    tc = model.config.text_config
    layers = tc.num_hidden_layers
    head_dim = getattr(tc, "head_dim", None) or tc.hidden_size // tc.num_attention_heads
    gen = torch.Generator().manual_seed(2)
    lm = model.model.language_model
    for b, s, p, hidden_past in ((1, 6, 0, 0), (2, 1, 7, 0), (2, 3, 5, 2)):
        embeds = torch.randn(b, s, tc.hidden_size, generator=gen)
        mask = torch.ones(b, p + s, dtype=torch.long)
        mask[1:, :hidden_past] = 0
        positions = (mask.cumsum(-1) - 1).clamp(min=0)[:, p:]
        past = [
            torch.randn(b, tc.num_key_value_heads, p, head_dim, generator=gen)
            for _ in range(2 * layers)
        ]
        cache = DynamicCache(config=tc)
        for i in range(layers):
            cache.update(past[2 * i].clone(), past[2 * i + 1].clone(), i)
        with torch.no_grad():
            ref = lm(
                inputs_embeds=embeds,
                attention_mask=mask,
                position_ids=positions,
                cache=cache,
                use_cache=True,
            )
        feed = {
            "inputs_embeds": embeds.numpy(),
            "attention_mask": mask.numpy(),
            "position_ids": positions.numpy(),
        }
        feed |= {n: t.numpy() for n, t in zip(past_names(layers), past, strict=True)}
        hidden, *present = sess.run(None, feed)
        refs = [t for layer in ref.cache.layers[:layers] for t in (layer.keys, layer.values)]
        diff = max(
            [_diff(hidden, ref.last_hidden_state)]
            + [_diff(a, r) for a, r in zip(present, refs, strict=True)]
        )
        check_parity(f"language_model.b{b}s{s}p{p}", diff, report)


def check_small_graphs(
    model: JanusForConditionalGeneration, paths: dict[str, Path], report: dict[str, Any]
) -> None:
    cfg = model.config
    gen = torch.Generator().manual_seed(3)
    hidden = torch.randn(2, 5, cfg.text_config.hidden_size, generator=gen)
    for name, head in (("lm_head", model.lm_head), ("gen_head", model.model.generation_head)):
        with torch.no_grad():
            ref = head(hidden)
        (out,) = cpu_session(paths[name]).run(None, {"hidden_states": hidden.numpy()})
        check_parity(name, _diff(out, ref), report)
    codebook, grid = cfg.vq_config.num_embeddings, cfg.vq_config.num_patches
    ids = torch.randint(0, codebook, (2, 3), generator=gen)
    with torch.no_grad():
        ref = model.prepare_embeddings_for_image_generation(ids)
    (out,) = cpu_session(paths["gen_img_embeds"]).run(None, {"image_ids": ids.numpy()})
    check_parity("gen_img_embeds", _diff(out, ref), report)
    sess = cpu_session(paths["image_decode"])
    for b in (1, 2):
        codes = torch.randint(0, codebook, (b, grid * grid), generator=gen)
        with torch.no_grad():
            ref = model.model.vqmodel.decode(codes)
        (out,) = sess.run(None, {"generated_tokens": codes.numpy()})
        check_parity(f"image_decode.b{b}", _diff(out, ref), report)
    # The VQ encoder gives codes: what counts is the share that differ, which must be none.
    size = grid * 2 ** (len(cfg.vq_config.channel_multiplier) - 1)
    sess = cpu_session(paths["image_encode"])
    for b in (1, 2):
        pixels = torch.rand(b, 3, size, size, generator=gen) * 2 - 1
        with torch.no_grad():
            ref = model.model.vqmodel.encode(pixels).image_tokens.reshape(b, -1)
        (out,) = sess.run(None, {"pixel_values": pixels.numpy()})
        check_parity(f"image_encode.b{b}", float((out != ref.numpy()).mean()), report)


def check_graphs(model: JanusForConditionalGeneration, paths: dict[str, Path]) -> dict[str, Any]:
    """Every graph's parity report; raises ParityError at the first over tolerance."""
    report: dict[str, Any] = {"tolerance": 1e-4}
    check_prepare_inputs_embeds(model, paths["prepare_inputs_embeds"], report)
    check_language_model(model, paths["language_model"], report)
    check_small_graphs(model, paths, report)
    return report
