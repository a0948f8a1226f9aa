"""The committed cross-language vectors are exactly what the Python reference produces now."""

from __future__ import annotations

import json

from tessera_models.common.golden_vectors import GOLDEN_DIR, prng_vectors, sampling_vectors


def test_prng_vectors_are_current() -> None:
    committed = json.loads((GOLDEN_DIR / "prng.json").read_text(encoding="utf-8"))
    assert committed == prng_vectors(), "run python -m tessera_models.common.golden_vectors"


def test_sampling_vectors_are_current() -> None:
    committed = json.loads((GOLDEN_DIR / "sampling.json").read_text(encoding="utf-8"))
    assert committed == sampling_vectors(), "run python -m tessera_models.common.golden_vectors"
