"""Cross-language vectors for the PRNG and the logits pipeline: golden/{prng,sampling}.json.

The TypeScript engine's tests load these files and must reproduce them exactly; a pytest
regenerates them and compares, so neither side can drift without a failing test.
Usage: python -m tessera_models.common.golden_vectors   (rewrites the files)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common.prng import PRNG_VERSION, Prng, stream_id
from tessera_models.common.sampling import PIPELINE_VERSION, SamplingSettings, sample_token
from tessera_models.data.emoji import NATIVE_MODELS

GOLDEN_DIR = NATIVE_MODELS / "golden"

SETTINGS = [
    SamplingSettings(),
    SamplingSettings(cfg_scale=1.0, top_p=1.0),
    SamplingSettings(cfg_scale=5.0, temperature=0.7, top_k=40, top_p=0.95),
    SamplingSettings(cfg_scale=1.0, temperature=0.0),
    SamplingSettings(cdk=True),
    SamplingSettings(cdk=True, cdk_tau=0.0, cdk_k=4, cdk_alpha=0.3),
    SamplingSettings(cfg_scale=3.0, top_k=1),
    SamplingSettings(cfg_scale=2.0, temperature=1.3, top_p=0.5),
]


def settings_json(s: SamplingSettings) -> dict[str, Any]:
    return {
        "cfgScale": s.cfg_scale,
        "temperature": s.temperature,
        "topK": s.top_k,
        "topP": s.top_p,
        "cdk": {"alpha": s.cdk_alpha, "k": s.cdk_k, "tau": s.cdk_tau} if s.cdk else None,
    }


def prng_vectors() -> dict[str, Any]:
    cases = []
    for seed, image, purpose, counter in [
        (0, 0, 1, 0),
        (1, 0, 1, 0),
        (4294967295, 3, 2, 7),
        (42, 1000, 1, 2**32 - 2),
    ]:
        p = Prng(seed, stream_id(image, purpose), counter)
        uniforms = [p.uniform() for _ in range(4)]
        normals = [v for _ in range(2) for v in p.normal_pair()]
        cases.append(
            {
                "seed": seed,
                "imageIndex": image,
                "purpose": purpose,
                "counter": counter,
                "uniforms": uniforms,
                "normals": normals,
            }
        )
    return {"prngVersion": PRNG_VERSION, "cases": cases}


def sampling_vectors() -> dict[str, Any]:
    rng = np.random.default_rng(20261122)
    cases = []
    for n, s in enumerate(SETTINGS):
        vocab = [8, 64, 300][n % 3]
        steps = []
        prng = Prng(n + 1, stream_id(0, 1))
        for _ in range(10):
            # float32 logits on a 1/64 grid: exact in float32, short in JSON, and full of ties.
            cond = (np.round(rng.normal(size=vocab) * 3 * 64) / 64).astype(np.float32)
            uncond = (cond + np.round(rng.normal(size=vocab) * 64) / 64).astype(np.float32)
            token = sample_token(cond, uncond, s, prng)
            steps.append({"cond": cond.tolist(), "uncond": uncond.tolist(), "token": token})
        cases.append({"seed": n + 1, "settings": settings_json(s), "steps": steps})
    return {"pipelineVersion": PIPELINE_VERSION, "prngVersion": PRNG_VERSION, "cases": cases}


def write(directory: Path = GOLDEN_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "prng.json").write_text(
        json.dumps(prng_vectors(), indent=1) + "\n", encoding="utf-8"
    )
    (directory / "sampling.json").write_text(
        json.dumps(sampling_vectors()) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    write()
