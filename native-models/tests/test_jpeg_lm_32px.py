"""The 32×32 preset's new paths: a JPEG quality other than the paper's 25 (bodies, tables and
the reference loop agree on it), residual dropout, and augmented views in the training batches."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
import torch
from PIL import Image

from tessera_models.common.training import setup_runtime
from tessera_models.data.emoji import EmojiDataset
from tessera_models.jpeg_lm import jpeg_bytes, train
from tessera_models.jpeg_lm.config import load_config
from tessera_models.jpeg_lm.llama import Llama, LlamaConfig, causal_mask
from tessera_models.jpeg_lm.paths import run_dir


@pytest.mark.parametrize("quality", [25, 50, 75])
def test_a_body_at_a_quality_decodes_with_that_qualitys_tables(
    emoji32: EmojiDataset, quality: int
) -> None:
    image = emoji32.images[emoji32.indices("test")[0]]
    header, body = jpeg_bytes.encode(image, quality)
    ours = jpeg_bytes.decode(header, jpeg_bytes.tables_blob(quality), body)
    out = io.BytesIO()
    Image.fromarray(image).save(
        out, "JPEG", quality=quality, subsampling="4:2:0", restart_marker_blocks=1
    )
    with Image.open(io.BytesIO(out.getvalue())) as im:
        pillow = np.asarray(im.convert("RGB"))
    np.testing.assert_array_equal(ours, pillow)
    if quality != 25:  # the body only makes sense with its own tables
        other = jpeg_bytes.decode(header, jpeg_bytes.tables_blob(25), body)
        assert np.abs(other.astype(int) - pillow.astype(int)).mean() > 1.0


def test_residual_dropout_acts_in_training_only() -> None:
    cfg = LlamaConfig(layers=2, width=32, heads=2, hidden=64, context=16, vocab_size=40)
    torch.manual_seed(0)
    plain = Llama(cfg)
    dropped = Llama(replace(cfg, dropout=0.5))
    dropped.load_state_dict(plain.state_dict())
    ids = torch.randint(0, 40, (2, 10))
    pos = torch.arange(10).expand_as(ids)
    mask = causal_mask(torch.ones_like(ids, dtype=torch.bool))
    plain.eval()
    dropped.eval()
    torch.testing.assert_close(dropped(ids, pos, mask)[0], plain(ids, pos, mask)[0])
    dropped.train()
    assert not torch.allclose(dropped(ids, pos, mask)[0], plain(ids, pos, mask)[0])


@pytest.mark.slow
def test_the_32px_preset_trains_at_its_quality_with_views(
    emoji32: EmojiDataset, tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESSERA_RUNS_DIR", str(tmp_path))
    preset = load_config("cpu-32px-120m")
    assert (preset.image_size, preset.jpeg_quality) == (32, 50)
    # The preset's data and regularisation on the smoke model, a few steps.
    smoke = load_config("smoke")
    config = replace(
        preset,
        name="smoke-32px",
        bpe_merges=smoke.bpe_merges,
        bpe_images=smoke.bpe_images,
        data_limit=smoke.data_limit,
        model=replace(smoke.model, dropout=preset.model.dropout),
        training=replace(
            preset.training,
            batch_size=8,
            steps=6,
            warmup=2,
            eval_every=3,
            minutes=None,
            p_augmented_target=1.0,
        ),
    )
    hooks = train.JpegLmHooks(config, setup_runtime(1), None)
    assert len(hooks.views) == preset.training.augmented_views
    i = int(hooks.train_idx[0])
    # Views are other pictures of the same image, encoded at the run's quality.
    assert all(views[i] != hooks.prep.bodies[i] for views in hooks.views)
    header = jpeg_bytes.header_for(32)
    for body in (hooks.prep.bodies[i], hooks.views[0][i]):
        decoded = jpeg_bytes.decode(header, jpeg_bytes.tables_blob(50), body)
        assert decoded.shape == (32, 32, 3)
    assert hooks.prep.bodies[i] == jpeg_bytes.encode(emoji32.images[i], 50)[1]
    # With every target augmented, a batch's bodies are views, not the originals.
    ids, valid = hooks.next_batch(np.random.default_rng(0), 0.0)
    offset = hooks.vocab.jpeg_offset
    rows = [
        [t for t, v in zip(r, m, strict=True) if v and t >= offset]
        for r, m in zip(ids.tolist(), valid.tolist(), strict=True)
    ]
    views = {tuple(b) for b in hooks.view_ids.values()}
    assert rows and all(tuple(r) in views for r in rows)
    out = train.train(config, threads=1)
    assert np.isfinite(out["val_jpeg_nats"])
    assert (run_dir("smoke-32px") / "views.npz").exists()
