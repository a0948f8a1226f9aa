"""Other tools' view of generated images, for Tessera's tests.

``fixtures DIR`` writes images the way AUTOMATIC1111 and ComfyUI save them (with Pillow, as they
do): an A1111 PNG (``parameters`` text chunk), A1111 JPEG and WebP (EXIF UserComment, UTF-16
big-endian after ``UNICODE\\0``, as piexif writes it) and a ComfyUI PNG (``prompt`` and
``workflow`` text chunks), and a camera JPEG whose UserComment is a plain note.

``read FILE...`` prints, one JSON line per file, what sd-parsers reads from it: the generator,
prompt, negative prompt, the first sampler's name, model, seed, steps, CFG scale and
scheduler, and AUTOMATIC1111's model hashes (null where it finds none).

Run with native-models/.venv/bin/python.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from PIL import Image
from PIL.PngImagePlugin import PngInfo
from sd_parsers import ParserManager

A1111_PNG = (
    "masterpiece, a lighthouse at dusk, (dramatic clouds:1.2)\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 12345, "
    "Size: 64x48, Model hash: 6ce0161689, Model: sd15, "
    'Hashes: {"vae": "735e4c3a44", "model": "6ce0161689"}, '
    'Lora hashes: "add_detail: 7c6bad76eb54, film grain: 3f9e3b2a1c", Version: v1.10.1'
)
A1111_JPEG = (
    "a café in 東京 at night,\nneon signs, rain\n"
    "Negative prompt: text, watermark\n"
    "Steps: 30, Sampler: Euler a, CFG scale: 7, Seed: 987654321, Size: 64x48, "
    "Model hash: 31e35c80fc, Model: sdxl_base_1.0"
)
A1111_WEBP = (
    "an orange cat asleep on a windowsill\n"
    "Steps: 20, Sampler: DPM++ SDE, Schedule type: Exponential, CFG scale: 4.5, Seed: 4242, "
    "Size: 64x48, Model: dreamshaper_8"
)
COMFYUI_PROMPT: dict[str, Any] = {
    "3": {
        "class_type": "KSampler",
        "inputs": {
            "seed": 8566257,
            "steps": 20,
            "cfg": 8.0,
            "sampler_name": "euler",
            "scheduler": "normal",
            "denoise": 1.0,
            "model": ["4", 0],
            "positive": ["6", 0],
            "negative": ["7", 0],
            "latent_image": ["5", 0],
        },
    },
    "4": {
        "class_type": "CheckpointLoaderSimple",
        "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"},
    },
    "5": {
        "class_type": "EmptyLatentImage",
        "inputs": {"width": 512, "height": 512, "batch_size": 1},
    },
    "6": {
        "class_type": "CLIPTextEncode",
        "inputs": {
            "text": "beautiful scenery nature glass bottle landscape, purple galaxy bottle,",
            "clip": ["4", 1],
        },
    },
    "7": {
        "class_type": "CLIPTextEncode",
        "inputs": {"text": "text, watermark", "clip": ["4", 1]},
    },
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
    "9": {
        "class_type": "SaveImage",
        "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]},
    },
}
# [link id, from node, from slot, to node, to slot, type], as ComfyUI's editor saves links.
COMFYUI_LINKS = [
    [1, 4, 0, 3, 0, "MODEL"],
    [2, 4, 1, 6, 0, "CLIP"],
    [3, 4, 1, 7, 0, "CLIP"],
    [4, 6, 0, 3, 1, "CONDITIONING"],
    [5, 7, 0, 3, 2, "CONDITIONING"],
    [6, 5, 0, 3, 3, "LATENT"],
    [7, 3, 0, 8, 0, "LATENT"],
    [8, 4, 2, 8, 1, "VAE"],
    [9, 8, 0, 9, 0, "IMAGE"],
]
COMFYUI_WORKFLOW: dict[str, Any] = {
    "last_node_id": 9,
    "last_link_id": 9,
    "nodes": [
        {"id": int(key), "type": node["class_type"], "pos": [100 * int(key), 80]}
        for key, node in COMFYUI_PROMPT.items()
    ],
    "links": COMFYUI_LINKS,
    "groups": [],
    "config": {},
    "extra": {"ds": {"scale": 1.0, "offset": [0, 0]}},
    "version": 0.4,
}


def picture(shade: int) -> Image.Image:
    image = Image.new("RGB", (64, 48), (shade, 90, 160))
    image.putpixel((3, 5), (255, 255, 255))
    return image


def user_comment_exif(text: str) -> bytes:
    exif = Image.Exif()
    exif[0x8769] = {0x9286: b"UNICODE\0" + text.encode("utf_16_be")}
    return exif.tobytes()


def write_fixtures(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    info = PngInfo()
    info.add_text("parameters", A1111_PNG)
    picture(10).save(folder / "a1111.png", pnginfo=info)
    picture(60).save(
        folder / "a1111.jpg", quality=90, exif=user_comment_exif(A1111_JPEG)
    )
    picture(110).save(
        folder / "a1111.webp", quality=90, exif=user_comment_exif(A1111_WEBP)
    )
    # A camera's photo with a UserComment of its own: not a generation.
    camera = Image.Exif()
    camera[0x8769] = {0x9286: b"ASCII\0\0\0Shot on holiday, Lisbon"}
    picture(200).save(folder / "camera.jpg", quality=90, exif=camera.tobytes())
    comfy = PngInfo()
    comfy.add_text("prompt", json.dumps(COMFYUI_PROMPT))
    comfy.add_text("workflow", json.dumps(COMFYUI_WORKFLOW))
    picture(160).save(folder / "comfyui.png", pnginfo=comfy)


def read(path: str, parsers: ParserManager) -> dict[str, Any]:
    found = parsers.parse(path)
    if found is None:
        return {"file": path, "generator": None}
    sampler = found.samplers[0] if found.samplers else None
    parameters = sampler.parameters if sampler is not None else {}
    model = sampler.model if sampler is not None else None
    return {
        "file": path,
        "generator": found.generator.name,
        "prompt": found.full_prompt,
        "negative": found.full_negative_prompt,
        "sampler": sampler.name if sampler is not None else None,
        "model": model.name if model is not None else None,
        "seed": parameters.get("seed"),
        "steps": parameters.get("steps"),
        "cfg": parameters.get("cfg_scale"),
        "scheduler": parameters.get("scheduler"),
        "hashes": found.metadata.get("Hashes"),
    }


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "fixtures":
        write_fixtures(Path(argv[1]))
        return 0
    if len(argv) >= 2 and argv[0] == "read":
        parsers = ParserManager()
        for path in argv[1:]:
            print(json.dumps(read(path, parsers), ensure_ascii=False))
        return 0
    print("usage: sd_parsers_probe.py fixtures DIR | read FILE...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
