"""Writes flow-golden.json: the smoke export's weights sampled under the flow objective by the
Python reference loop (Euler, Heun, midpoint, and a resampled RePaint infill), so the TypeScript
flow solvers are held to it too. The weights were trained for ddpm, so the pictures mean nothing;
the numbers are what matter. Run by rebuild-fixture.sh."""

import base64
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from tessera_models.transfusion.config import DiffusionConfig, load_config
from tessera_models.transfusion.golden import centre_mask
from tessera_models.transfusion.manifest import diffusion_block
from tessera_models.transfusion.reference_loop import (
    DiffusionSettings,
    TransfusionRunner,
)


def main(smoke: Path, out: Path) -> None:
    block = diffusion_block(
        load_config("smoke").model,
        DiffusionConfig(objective="flow", sampler="heun", steps=4),
    )
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "flow"
        shutil.copytree(smoke, folder)
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["diffusion"] = block
        (folder / "manifest.json").write_text(json.dumps(manifest))
        runner = TransfusionRunner(folder, threads=1)
        rng = np.random.default_rng(0)
        source = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
        mask = centre_mask(32, 16)
        for sampler, steps, cfg, infill in (
            ("euler", 4, 3.0, False),
            ("heun", 3, 2.0, False),
            ("heun", 3, 3.0, True),
            ("midpoint", 3, 2.0, False),
        ):
            s = DiffusionSettings(steps, cfg, sampler, 2 if infill else 1)
            known = (source, mask) if infill else None
            g = runner.generate("red heart", "noto", 9, s, known=known)
            cases.append(
                {
                    "prompt": "red heart",
                    "style": "noto",
                    "seed": 9,
                    "settings": {
                        "steps": steps,
                        "cfgScale": cfg,
                        "sampler": sampler,
                        "resample": s.resample,
                    },
                    "infill": infill,
                    "calls": g.calls,
                    "rgbBase64": base64.b64encode(g.image.tobytes()).decode(),
                }
            )
    golden = {
        "diffusion": block,
        "sourceRgbBase64": base64.b64encode(source.tobytes()).decode(),
        "keepMaskBase64": base64.b64encode(mask.astype(np.uint8).tobytes()).decode(),
        "cases": cases,
    }
    out.write_text(json.dumps(golden) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
