"""A converted folder's graphs chained by onnxruntime the way a reader of the layout chains them
(the graph files its manifest names, whatever their dtype): greedy image codes under Janus's
guidance and a greedy caption. What the TypeScript loop must reproduce on a quantised folder,
and what the converter's tests hold to transformers' own generation on an fp32 one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common.decoder_io import cpu_session


class OnnxChain:
    def __init__(self, folder: Path) -> None:
        self.manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
        graphs = self.manifest["graphs"]
        self.s = {role: cpu_session(folder / g["file"]) for role, g in graphs.items()}
        kv = graphs["language_model"]["kv"]
        self.layers, self.kv_heads, self.head_dim = kv["layers"], kv["kvHeads"], kv["headDim"]
        caption = self.manifest["layouts"]["caption"]
        self.placeholder = caption[3]["placeholder"]
        self.image_tokens = caption[3]["imageFeatures"]
        self.size = self.manifest["layouts"]["imageInput"][0]["size"]

    def embed_text(self, ids: np.ndarray, pixels: np.ndarray | None = None) -> np.ndarray:
        if pixels is None:
            pixels = np.zeros((0, 0, 3, self.size, self.size), np.float32)
        marked = (
            np.zeros((1, ids.shape[1]), bool)
            if pixels.shape[1] == 0
            else ids[:1] == self.placeholder
        )
        return self.s["prepare_inputs_embeds"].run(
            None,
            {
                "input_ids": ids,
                "pixel_values": pixels,
                "images_seq_mask": marked,
                "images_emb_mask": np.ones((1, pixels.shape[1], self.image_tokens), bool),
            },
        )[0]

    def step(
        self, embeds: np.ndarray, past: list[np.ndarray] | None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Hidden states of the last position [B, 1, D] and the grown cache."""
        b, s, _ = embeds.shape
        p = 0 if past is None else past[0].shape[2]
        if past is None:
            empty = np.zeros((b, self.kv_heads, 0, self.head_dim), np.float32)
            past = [empty] * (2 * self.layers)
        feed = {
            "inputs_embeds": embeds,
            "attention_mask": np.ones((b, p + s), np.int64),
            "position_ids": np.tile(np.arange(p, p + s), (b, 1)),
        }
        names = [f"past_key_values.{i}.{kv}" for i in range(self.layers) for kv in ("key", "value")]
        feed |= dict(zip(names, past, strict=True))
        hidden, *present = self.s["language_model"].run(None, feed)
        return hidden[:, -1:], present

    def greedy_codes(self, ids: list[int], guidance: float) -> list[int]:
        """Janus's guided greedy loop: [cond; uncond] rows, one code fed to both per step."""
        pad = self.manifest["specialTokens"]["pad"]
        grid = self.manifest["vq"]["grid"]
        cond = np.array([ids])
        uncond = np.full_like(cond, pad)
        uncond[0, 0], uncond[0, -1] = cond[0, 0], cond[0, -1]
        hidden, past = self.step(self.embed_text(np.concatenate([cond, uncond])), None)
        codes: list[int] = []
        for _ in range(grid * grid):
            logits = self.s["gen_head"].run(None, {"hidden_states": hidden})[0][:, -1]
            codes.append(int((logits[1] + guidance * (logits[0] - logits[1])).argmax()))
            embeds = self.s["gen_img_embeds"].run(None, {"image_ids": np.array([[codes[-1]]] * 2)})
            hidden, past = self.step(embeds[0], past)
        return codes

    def greedy_caption(self, ids: list[int], pixels: np.ndarray, max_tokens: int) -> list[int]:
        """Greedy tokens after a caption prompt whose slots take `pixels` [3, S, S]."""
        eos = self.manifest["specialTokens"]["eos"]
        hidden, past = self.step(self.embed_text(np.array([ids]), pixels[None, None]), None)
        tokens: list[int] = []
        while len(tokens) < max_tokens:
            logits = self.s["lm_head"].run(None, {"hidden_states": hidden})[0][0, -1]
            tokens.append(int(logits.argmax()))
            if tokens[-1] == eos:
                break
            hidden, past = self.step(self.embed_text(np.array([[tokens[-1]]])), past)
        return tokens
