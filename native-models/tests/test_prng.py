from __future__ import annotations

import math

import pytest

from tessera_models.common.prng import Prng, philox4x32_10, stream_id

# Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("counter", "key", "expected"), KAT)
def test_philox_known_answers(counter, key, expected) -> None:
    assert philox4x32_10(counter, key) == expected


def test_draws_are_a_pure_function_of_seed_stream_counter() -> None:
    a = Prng(7, stream_id(0, 1))
    first = [a.uniform() for _ in range(10)]
    b = Prng(7, stream_id(0, 1), counter=5)
    assert [b.uniform() for _ in range(5)] == first[5:]
    assert Prng(8, stream_id(0, 1)).uniform() != first[0]
    assert Prng(7, stream_id(1, 1)).uniform() != first[0]


def test_uniform_range_and_moments() -> None:
    p = Prng(123, 0)
    xs = [p.uniform() for _ in range(20000)]
    assert all(0.0 <= x < 1.0 for x in xs)
    mean = sum(xs) / len(xs)
    assert abs(mean - 0.5) < 0.01


def test_normal_pair_moments() -> None:
    p = Prng(99, 2)
    xs = [v for _ in range(10000) for v in p.normal_pair()]
    mean = sum(xs) / len(xs)
    var = sum((x - mean) ** 2 for x in xs) / len(xs)
    assert abs(mean) < 0.03
    assert abs(var - 1.0) < 0.05
    assert all(math.isfinite(x) for x in xs)


def test_rejects_out_of_range_seed() -> None:
    with pytest.raises(ValueError):
        Prng(2**32, 0)
