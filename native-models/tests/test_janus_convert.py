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
from tessera_models.janus.onnx_chain import OnnxChain
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
        "image_encode": (["pixel_values"], ["image_ids"]),
    }
    for name, names in expected.items():
        assert io_names(out / "onnx" / f"{name}.onnx") == names, name
        assert manifest["graphs"][name]["file"] == f"onnx/{name}.onnx"
        assert manifest["graphs"][name]["dtype"] == "fp32"
        assert "externalData" not in manifest["graphs"][name]
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


def test_onnx_chain_makes_transformers_greedy_codes(converted) -> None:
    out, _, ref = converted
    chain = OnnxChain(out)
    for image in ref["images"]:
        assert chain.greedy_codes(image["ids"], image["guidance"]) == image["codes"], image[
            "prompt"
        ]
    decoded = chain.s["image_decode"].run(None, {"generated_tokens": np.array([image["codes"]])})
    assert decoded[0].shape == (1, 3, 48, 48)


def test_onnx_chain_makes_transformers_greedy_caption(converted) -> None:
    out, _, ref = converted
    cap = ref["caption"]
    pixels = pixel_values(pattern_image(384))
    assert OnnxChain(out).greedy_caption(cap["ids"], pixels, cap["maxTokens"]) == cap["tokens"]


def test_image_encode_gives_the_vq_codes_of_a_picture(converted) -> None:
    out, manifest, _ = converted
    # parity.py: the share of codes unlike PyTorch's VQ encoder, at two batch sizes
    assert manifest["parity"]["image_encode.b1"] == manifest["parity"]["image_encode.b2"] == 0
    encode = cpu_session(out / manifest["graphs"]["image_encode"]["file"])
    (codes,) = encode.run(None, {"pixel_values": np.zeros((1, 3, 48, 48), np.float32)})
    assert codes.shape == (1, 36) and codes.dtype == np.int64


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
