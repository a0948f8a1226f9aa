"""The JPEG recipe of JPEG-LM (docs/models.md §jpeg-lm recipe): what the model reads and writes.

Pillow `quality=25, subsampling="4:2:0", restart_marker_blocks=1`, standard Huffman tables.
A restart marker after every MCU resets DC prediction, so each MCU decodes on its own and an
MCU can be spliced, sampled or repaired without touching its neighbours.

  tables  the tables-only stream (SOI DQT DHT… EOI); identical for every image at q25
  header  SOI APP0 SOF0 DRI SOS of the abbreviated stream; fixed per image size
  body    entropy-coded MCUs with RST0..7 between them, then EOI (FF D9): the model's bytes
  file    SOI + tables' DQT/DHT segments + header after SOI + body: an ordinary JPEG
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFile

QUALITY = 25  # the paper's; a config may choose another (the tables ship with the model)
SUBSAMPLING = "4:2:0"
MCU = 16  # pixels per MCU side at 4:2:0
EOI = b"\xff\xd9"
SOI = b"\xff\xd8"
SOS = 0xDA


def _save(image: np.ndarray, streamtype: int, quality: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(
        out,
        "JPEG",
        quality=quality,
        subsampling=SUBSAMPLING,
        streamtype=streamtype,
        restart_marker_blocks=1,
    )
    return out.getvalue()


def tables_blob(quality: int = QUALITY) -> bytes:
    """The quantisation and Huffman tables, written once and shipped with the model."""
    return _save(np.full((MCU, MCU, 3), 255, np.uint8), streamtype=1, quality=quality)


def sos_end(stream: bytes) -> int:
    """Offset just past the SOS segment: where the entropy-coded data starts."""
    i = 2
    while i + 4 <= len(stream):
        if stream[i] != 0xFF:
            raise ValueError(f"malformed JPEG: expected a marker at byte {i}")
        marker = stream[i + 1]
        length = int.from_bytes(stream[i + 2 : i + 4], "big")
        if marker == SOS:
            return i + 2 + length
        i += 2 + length
    raise ValueError("malformed JPEG: no SOS segment")


def encode(image: np.ndarray, quality: int = QUALITY) -> tuple[bytes, bytes]:
    """uint8 [H, W, 3] -> (header, body) of the abbreviated stream. The header does not depend
    on the quality (the abbreviated stream carries no tables)."""
    if image.shape[0] % MCU or image.shape[1] % MCU:
        raise ValueError(f"image size {image.shape[:2]} is not a multiple of {MCU}")
    stream = _save(np.ascontiguousarray(image), streamtype=2, quality=quality)
    cut = sos_end(stream)
    return stream[:cut], stream[cut:]


def header_for(size: int) -> bytes:
    return encode(np.full((size, size, 3), 255, np.uint8))[0]


def table_segments(tables: bytes) -> bytes:
    """The DQT/DHT segments of a tables-only stream (without its SOI and EOI)."""
    if not tables.startswith(SOI) or not tables.endswith(EOI):
        raise ValueError("tables blob must be a tables-only JPEG stream (SOI … EOI)")
    return tables[2:-2]


def assemble(header: bytes, tables: bytes, body: bytes) -> bytes:
    """An ordinary JPEG file; a body without EOI (a prefix) gets one."""
    if not body.endswith(EOI):
        body = body + EOI
    return SOI + table_segments(tables) + header[2:] + body


def grey_mcu() -> bytes:
    """The entropy data of one flat grey MCU: what a missing MCU is shown as."""
    return split_mcus(encode(np.full((MCU, MCU, 3), 128, np.uint8))[1])[0]


def complete_body(header: bytes, body: bytes) -> bytes:
    """A body prefix made whole: its complete MCUs, then grey MCUs up to the image's count.

    Decoders differ in what they show after a premature end (Pillow leaves that memory
    unset), so a preview never relies on it.
    """
    h, w = header_size(header)
    total = (h // MCU) * (w // MCU)
    cut = len(body)
    done = 0
    i = 0
    while i < len(body) - 1:  # keep only MCUs whose closing marker arrived
        if body[i] == 0xFF and (0xD0 <= body[i + 1] <= 0xD7 or body[i + 1] == 0xD9):
            done += 1
            cut = i + 2
            i += 2
            continue
        i += 2 if body[i] == 0xFF else 1
    if done >= total:
        return body
    segments = split_mcus(body[:cut]) if done else []
    return join_mcus(segments + [grey_mcu()] * (total - done))


def decode(header: bytes, tables: bytes, body: bytes) -> np.ndarray:
    """uint8 [H, W, 3]; a body prefix shows grey where MCUs have not arrived yet."""
    body = complete_body(header, body)
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        with Image.open(io.BytesIO(assemble(header, tables, body))) as im:
            return np.asarray(im.convert("RGB"))
    except (OSError, SyntaxError, ValueError):
        size = header_size(header)
        return np.full((size[0], size[1], 3), 128, np.uint8)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def header_size(header: bytes) -> tuple[int, int]:
    """(height, width) from the SOF0 segment."""
    i = header.find(b"\xff\xc0")
    if i < 0:
        raise ValueError("header has no baseline SOF0 segment")
    return int.from_bytes(header[i + 5 : i + 7], "big"), int.from_bytes(
        header[i + 7 : i + 9], "big"
    )


def split_mcus(body: bytes) -> list[bytes]:
    """Per-MCU entropy data, without the RST/EOI markers that end each one."""
    segments: list[bytes] = []
    start = i = 0
    while i < len(body) - 1:
        if body[i] == 0xFF and (0xD0 <= body[i + 1] <= 0xD7 or body[i + 1] == 0xD9):
            segments.append(body[start:i])
            i += 2
            start = i
            continue
        i += 2 if body[i] == 0xFF else 1
    return segments


def join_mcus(segments: list[bytes]) -> bytes:
    """Inverse of split_mcus: RST(m mod 8) after MCU m, EOI after the last."""
    out = bytearray()
    for m, seg in enumerate(segments):
        out += seg
        out += EOI if m == len(segments) - 1 else bytes([0xFF, 0xD0 + m % 8])
    return bytes(out)
