"""tessera-prng-v1: the counter-based random numbers every sampling loop draws from.

Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) keyed by
(seed, stream) and driven by a 64-bit draw counter. A draw is a pure function of
(seed, stream, counter), so a job can be resumed, replayed or branched from any step by storing
three integers. The TypeScript engine implements the same function; this module exists for the
golden files that hold the two to identical results.

  key     = (seed u32, stream u32)
  counter = (draw & 0xffffffff, draw >> 32, 0, 0)
  block   = philox4x32_10(counter, key) -> 4 × u32
  uniform(draw)     = u53(block[0], block[1]) in [0, 1)
  normal pair(draw) = Box–Muller on (1 - uniform from words 0,1) and (uniform from words 2,3)
  stream  = image_index * 256 + purpose
"""

from __future__ import annotations

import math

PRNG_VERSION = "tessera-prng-v1"
_M0, _M1 = 0xD2511F53, 0xCD9E8D57
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_MASK = 0xFFFFFFFF

PURPOSE_SAMPLE = 1  # token draws of the sampling loop
PURPOSE_NOISE = 2  # Gaussian noise (diffusion, flows)


def philox4x32_10(counter: tuple[int, int, int, int], key: tuple[int, int]) -> tuple[int, ...]:
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for round_index in range(10):
        if round_index > 0:
            k0 = (k0 + _W0) & _MASK
            k1 = (k1 + _W1) & _MASK
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = (
            ((p1 >> 32) ^ c1 ^ k0) & _MASK,
            p1 & _MASK,
            ((p0 >> 32) ^ c3 ^ k1) & _MASK,
            p0 & _MASK,
        )
    return c0, c1, c2, c3


def _u53(hi: int, lo: int) -> float:
    return ((hi >> 5) * 67108864 + (lo >> 6)) / 9007199254740992.0


def stream_id(image_index: int, purpose: int) -> int:
    return (image_index * 256 + purpose) & _MASK


class Prng:
    def __init__(self, seed: int, stream: int, counter: int = 0) -> None:
        if not 0 <= seed <= _MASK:
            raise ValueError("seed must be an unsigned 32-bit integer")
        self.key = (seed & _MASK, stream & _MASK)
        self.counter = counter

    def _block(self) -> tuple[int, ...]:
        c = self.counter
        self.counter += 1
        return philox4x32_10((c & _MASK, (c >> 32) & _MASK, 0, 0), self.key)

    def uniform(self) -> float:
        b = self._block()
        return _u53(b[0], b[1])

    def normal_pair(self) -> tuple[float, float]:
        b = self._block()
        u1 = 1.0 - _u53(b[0], b[1])  # (0, 1]: log is finite
        u2 = _u53(b[2], b[3])
        r = math.sqrt(-2.0 * math.log(u1))
        return r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2)
