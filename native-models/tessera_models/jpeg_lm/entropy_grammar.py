"""The entropy-coded grammar of one MCU: which JPEG tokens keep an MCU decodable
(docs/models.md §jpeg-lm MCU grammar).

Constrained decoding over MCUs goes down to the Huffman codes, so every sampled MCU is a valid
baseline MCU and the assembled file decodes everywhere without a corrupt block: a data token is
allowed only if its bytes continue a valid MCU, and the MCU's marker only once its six blocks
(Y Y Y Y Cb Cr at 4:2:0) are complete. The TypeScript runner implements the same automaton;
the golden files hold the two to identical tokens.

State, read bit by bit, most significant bit first (a stuffed FF 00 is the data byte FF):
  block   0..5 the block being read, 6 = the MCU is complete
  k       0 = the next code is the block's DC code; 1..63 the next AC coefficient
  code    the Huffman code read so far, `length` bits (0..15)
  extra   magnitude bits still to skip after a code
Strict where decoders are lenient: a run past coefficient 63, a code not in the table, a
16-bit prefix without a code, or data after the MCU completes (past the padding bits of the
byte it completes in) make a token illegal. A token must also leave the MCU completable: a
partial code all of whose completions would be illegal at this coefficient (say, only runs
past 63 remain) is a dead end, and a token ending in one is refused, so the sampler can never
paint itself into a corner.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

State = tuple[int, int, int, int, int]  # block, k, code, length, extra
START: State = (0, 0, 0, 0, 0)
BLOCKS = 6


def _segments(blob: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of every marker segment in a tables or header stream."""
    out: list[tuple[int, bytes]] = []
    i = 2  # after SOI
    while i + 4 <= len(blob) and blob[i] == 0xFF:
        marker = blob[i + 1]
        if marker == 0xD9:
            break
        length = int.from_bytes(blob[i + 2 : i + 4], "big")
        out.append((marker, blob[i + 4 : i + 2 + length]))
        i += 2 + length
    return out


def huffman_tables(tables: bytes) -> dict[tuple[int, int], dict[int, int]]:
    """(class 0=DC 1=AC, id) -> {length << 16 | code: symbol} from the DHT segments."""
    out: dict[tuple[int, int], dict[int, int]] = {}
    for marker, payload in _segments(tables):
        if marker != 0xC4:
            continue
        p = 0
        while p < len(payload):
            tc, th = payload[p] >> 4, payload[p] & 15
            counts = payload[p + 1 : p + 17]
            symbols = payload[p + 17 : p + 17 + sum(counts)]
            p += 17 + sum(counts)
            codes: dict[int, int] = {}
            code = 0
            s = 0
            for length in range(1, 17):
                for _ in range(counts[length - 1]):
                    codes[length << 16 | code] = symbols[s]
                    s += 1
                    code += 1
                code <<= 1
            out[(tc, th)] = codes
    return out


def block_tables(header: bytes) -> list[tuple[int, int]]:
    """(DC id, AC id) for each block of an MCU, in scan order (from SOF0 and SOS)."""
    sampling: dict[int, int] = {}
    order: list[tuple[int, int, int]] = []
    for marker, payload in _segments(header):
        if marker == 0xC0:
            for c in range(payload[5]):
                cid, hv = payload[6 + 3 * c], payload[7 + 3 * c]
                sampling[cid] = (hv >> 4) * (hv & 15)
        elif marker == 0xDA:
            for c in range(payload[0]):
                cid, sel = payload[1 + 2 * c], payload[2 + 2 * c]
                order.append((cid, sel >> 4, sel & 15))
    blocks = [(dc, ac) for cid, dc, ac in order for _ in range(sampling[cid])]
    if len(blocks) != BLOCKS:
        raise ValueError(
            f"expected {BLOCKS} blocks per MCU (4:2:0), the header gives {len(blocks)}"
        )
    return blocks


def _last_legal_k(symbol: int, ac: bool) -> int:
    """The largest coefficient index at which a code's symbol is legal (-1: never)."""
    if not ac:
        return 0  # a DC symbol is read at k = 0
    run, size = symbol >> 4, symbol & 15
    if size == 0:
        return 63 if run == 0 else 48 if run == 15 else -1  # EOB; ZRL needs 16 coefficients
    return 63 - run


def _live_prefixes(codes: dict[int, int], ac: bool) -> dict[int, int]:
    """length << 16 | code of every proper prefix of a code -> the largest k at which some code
    under it is legal."""
    out: dict[int, int] = {}
    for key, symbol in codes.items():
        length, code = key >> 16, key & 0xFFFF
        last = _last_legal_k(symbol, ac)
        for n in range(1, length):
            prefix = n << 16 | code >> (length - n)
            out[prefix] = max(out.get(prefix, -1), last)
    return out


def data_bytes(token: bytes) -> bytes:
    """A token's entropy-coded bytes with byte stuffing removed (FF 00 -> FF)."""
    return token.replace(b"\xff\x00", b"\xff")


class EntropyGrammar:
    def __init__(self, tables: bytes, header: bytes, token_bytes: Sequence[bytes | None]) -> None:
        """`token_bytes[t]`: the raw bytes of JPEG token t, None for markers."""
        huff = huffman_tables(tables)
        self.blocks = [(huff[(0, dc)], huff[(1, ac)]) for dc, ac in block_tables(header)]
        self.tokens = [None if b is None else data_bytes(b) for b in token_bytes]
        self.live_prefixes = [
            (_live_prefixes(dc, False), _live_prefixes(ac, True)) for dc, ac in self.blocks
        ]
        self._allowed: dict[State, np.ndarray] = {}
        self._next: dict[tuple[State, int], State | None] = {}

    @staticmethod
    def complete(state: State) -> bool:
        return state[0] == BLOCKS

    def _bit(self, state: State, bit: int) -> State | None:
        block, k, code, length, extra = state
        if extra > 0:
            extra -= 1
            if extra == 0 and k == 64:
                return (block + 1, 0, 0, 0, 0)
            return (block, k, 0, 0, extra)
        code = code << 1 | bit
        length += 1
        dc, ac = self.blocks[block]
        symbol = (dc if k == 0 else ac).get(length << 16 | code)
        if symbol is None:
            return None if length >= 16 else (block, k, code, length, 0)
        if k == 0:
            return (block, 1, 0, 0, symbol)  # DC: `symbol` magnitude bits follow
        run, size = symbol >> 4, symbol & 15
        if size == 0:
            if run == 15:  # ZRL: sixteen zeros
                if k + 16 > 64:
                    return None
                k += 16
                return (block + 1, 0, 0, 0, 0) if k == 64 else (block, k, 0, 0, 0)
            if run == 0:  # EOB
                return (block + 1, 0, 0, 0, 0)
            return None
        k += run
        if k > 63:
            return None
        return (block, k + 1, 0, 0, size)

    def live(self, state: State) -> bool:
        """Whether some continuation completes the MCU from `state`.

        At a code boundary it always does (a DC code of size 0, or EOB); mid-code only if some
        code under the prefix read so far is legal at this coefficient.
        """
        block, k, code, length, _ = state
        if block == BLOCKS or length == 0:
            return True
        dc, ac = self.live_prefixes[block]
        return (dc if k == 0 else ac).get(length << 16 | code, -1) >= k

    def feed(self, state: State, data: bytes) -> State | None:
        """The state after `data`; None if it breaks the MCU, runs on after it completes, or
        leaves it where it can no longer complete."""
        state = self._feed(state, data) if data else state
        return state if state is not None and self.live(state) else None

    def _feed(self, state: State, data: bytes) -> State | None:
        for byte in data:
            if self.complete(state):
                return None  # a whole byte after the MCU ended: extraneous data
            for shift in range(7, -1, -1):
                if self.complete(state):
                    break  # the rest of this byte is padding
                nxt = self._bit(state, byte >> shift & 1)
                if nxt is None:
                    return None
                state = nxt
        return state

    def after(self, state: State, token: int) -> State | None:
        key = (state, token)
        if key not in self._next:
            data = self.tokens[token]
            self._next[key] = None if data is None else self.feed(state, data)
        return self._next[key]

    def allowed_data(self, state: State) -> np.ndarray:
        """JPEG token ids (ascending) that keep the MCU valid from `state`; none once complete."""
        if state not in self._allowed:
            ids = [t for t in range(len(self.tokens)) if self.after(state, t) is not None]
            self._allowed[state] = np.array(ids, np.int64)
        return self._allowed[state]
