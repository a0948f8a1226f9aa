"""The Janus converter on a tiny random JanusForConditionalGeneration built offline: the
folder has the ONNX layout @huggingface/transformers runs, every graph matches PyTorch, and the
graphs chained by onnxruntime make transformers' own greedy image codes and caption."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tessera_models.common.decoder_io import cpu_session
from tessera_models.janus.export import convert
from tessera_models.janus.reference import pattern_image, pixel_values, reference
from tessera_models.janus.tiny import write_tiny_checkpoint

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict]:
    root = tmp_path_factory.mktemp("janus")
    src = write_tiny_checkpoint(root / "checkpoint")
    out = root / "converted"
    manifest = convert(
        src, out, model_id="tessera/janus-tiny", name="tiny", license_name="MIT", command="test"
    )
    return out, manifest, reference(src)


def io_names(path: Path) -> tuple[list[str], list[str]]:
    sess = cpu_session(path)
    return [i.name for i in sess.get_inputs()], [o.name for o in sess.get_outputs()]


def test_folder_has_the_published_onnx_layout(converted) -> None:
    out, manifest, _ = converted
    config = json.loads((out / "config.json").read_text())
    assert config["model_type"] == "multi_modality"
    assert config["language_config"]["num_key_value_heads"] == 2
    past = [f"past_key_values.{i}.{kv}" for i in range(2) for kv in ("key", "value")]
    present = [f"present.{i}.{kv}" for i in range(2) for kv in ("key", "value")]
    expected = {
        "prepare_inputs_embeds": (
            ["input_ids", "pixel_values", "images_seq_mask", "images_emb_mask"],
            ["inputs_embeds"],
        ),
        "language_model": (
            ["inputs_embeds", "attention_mask", "position_ids", *past],
            ["hidden_states", *present],
        ),
        "lm_head": (["hidden_states"], ["logits"]),
        "gen_head": (["hidden_states"], ["logits"]),
        "gen_img_embeds": (["image_ids"], ["inputs_embeds"]),
        "image_decode": (["generated_tokens"], ["decoded_image"]),
    }
    for name, names in expected.items():
        assert io_names(out / "onnx" / f"{name}.onnx") == names, name
        assert manifest["graphs"][name]["file"] == f"onnx/{name}.onnx"
    for name in ("generation_config.json", "preprocessor_config.json", "tokenizer.json"):
        assert (out / name).is_file(), name
    assert manifest["family"] == manifest["variant"] == "janus-pro"
    assert manifest["vq"] == {"grid": 6, "codebook": 64, "quantizer": "vq"}
    assert manifest["image"]["width"] == 48
    assert manifest["graphs"]["language_model"]["kv"]["kvHeads"] == 2


def test_every_graph_matches_pytorch(converted) -> None:
    _, manifest, _ = converted
    parity = manifest["parity"]
    for graph in ("prepare_inputs_embeds", "language_model", "lm_head", "gen_head"):
        assert any(k.startswith(graph) for k in parity), graph
    for graph in ("gen_img_embeds", "image_decode.b2", "prepare_inputs_embeds.text"):
        assert graph in parity
    assert all(v <= 1e-4 for k, v in parity.items() if k != "tolerance"), parity


class Chain:
    """The six graphs run the way a reader of the layout runs them."""

    def __init__(self, out: Path, manifest: dict[str, Any]) -> None:
        self.s = {p.stem: cpu_session(p) for p in (out / "onnx").glob("*.onnx")}
        self.layers = 2
        self.placeholder = manifest["layouts"]["caption"][3]["placeholder"]

    def embed_text(self, ids: np.ndarray, pixels: np.ndarray | None = None) -> np.ndarray:
        tokens = 36
        if pixels is None:
            pixels = np.zeros((0, 0, 3, 384, 384), np.float32)
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
                "images_emb_mask": np.ones((1, pixels.shape[1], tokens), bool),
            },
        )[0]

    def step(self, embeds: np.ndarray, past: list[np.ndarray] | None) -> tuple:
        b, s, _ = embeds.shape
        p = 0 if past is None else past[0].shape[2]
        if past is None:
            past = [np.zeros((b, 2, 0, 16), np.float32) for _ in range(2 * self.layers)]
        feed = {
            "inputs_embeds": embeds,
            "attention_mask": np.ones((b, p + s), np.int64),
            "position_ids": np.tile(np.arange(p, p + s), (b, 1)),
        }
        names = [f"past_key_values.{i}.{kv}" for i in range(self.layers) for kv in ("key", "value")]
        feed |= dict(zip(names, past, strict=True))
        hidden, *present = self.s["language_model"].run(None, feed)
        return hidden[:, -1:], present


def test_onnx_chain_makes_transformers_greedy_codes(converted) -> None:
    out, manifest, ref = converted
    chain = Chain(out, manifest)
    pad = manifest["specialTokens"]["pad"]
    for image in ref["images"]:
        ids = np.array([image["ids"]])
        uncond = np.full_like(ids, pad)
        uncond[0, 0], uncond[0, -1] = ids[0, 0], ids[0, -1]
        hidden, past = chain.step(chain.embed_text(np.concatenate([ids, uncond])), None)
        codes = []
        for _ in range(36):
            logits = chain.s["gen_head"].run(None, {"hidden_states": hidden})[0][:, -1]
            guided = logits[1] + image["guidance"] * (logits[0] - logits[1])
            codes.append(int(guided.argmax()))
            embeds = chain.s["gen_img_embeds"].run(None, {"image_ids": np.array([[codes[-1]]] * 2)})
            hidden, past = chain.step(embeds[0], past)
        assert codes == image["codes"], image["prompt"]
    decoded = chain.s["image_decode"].run(None, {"generated_tokens": np.array([codes])})[0]
    assert decoded.shape == (1, 3, 48, 48)


def test_onnx_chain_makes_transformers_greedy_caption(converted) -> None:
    out, manifest, ref = converted
    chain = Chain(out, manifest)
    cap = ref["caption"]
    pixels = pixel_values(pattern_image(384))[None, None]
    hidden, past = chain.step(chain.embed_text(np.array([cap["ids"]]), pixels), None)
    tokens: list[int] = []
    while len(tokens) < cap["maxTokens"]:
        logits = chain.s["lm_head"].run(None, {"hidden_states": hidden})[0][0, -1]
        tokens.append(int(logits.argmax()))
        if tokens[-1] == manifest["specialTokens"]["eos"]:
            break
        hidden, past = chain.step(chain.embed_text(np.array([[tokens[-1]]])), past)
    assert tokens == cap["tokens"]


def test_a_checkpoint_without_janus_tokens_is_refused(tmp_path: Path) -> None:
    src = write_tiny_checkpoint(tmp_path / "checkpoint")
    tokenizer = json.loads((src / "tokenizer.json").read_text())
    tokenizer["added_tokens"] = [
        t for t in tokenizer["added_tokens"] if t["content"] != "<begin_of_image>"
    ]
    tokenizer["model"]["vocab"].pop("<begin_of_image>", None)
    (src / "tokenizer.json").write_text(json.dumps(tokenizer))
    (src / "tokenizer_config.json").write_text(
        (src / "tokenizer_config.json").read_text().replace('"<begin_of_image>"', '"<s>"')
    )
    with pytest.raises(ValueError, match="lacks Janus's boi token"):
        convert(src, tmp_path / "out", model_id="a/b", name="x", license_name="MIT", command="")
    assert not (tmp_path / "out").exists()
