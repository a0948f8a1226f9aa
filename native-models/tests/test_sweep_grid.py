"""The adherence sweep's grid: each item becomes exactly the sampling settings it names."""

import pytest

from tessera_models.common.sampling import SamplingSettings
from tessera_models.vq_ar.sweep_adherence import parse_grid

BASE = SamplingSettings(cfg_scale=3.0, temperature=1.0, top_k=0, top_p=0.9, cdk_alpha=0.3)


def test_short_items_keep_the_manifest_defaults() -> None:
    (point,) = parse_grid("5:0.7:4", BASE)
    assert point.best_of == 4
    assert point.settings == SamplingSettings(cfg_scale=5.0, top_p=0.7, cdk_alpha=0.3)


def test_temperature_and_top_k_fields() -> None:
    a, b = parse_grid("3:0.9:1:0.8,2:1:2:1.2:50", BASE)
    assert (a.settings.temperature, a.settings.top_k) == (0.8, 0)
    assert (b.settings.cfg_scale, b.settings.temperature, b.settings.top_k) == (2.0, 1.2, 50)
    assert b.row() == "| 2 | 1 | 1.2 | 50 | 2 |"


def test_cdk_keeps_the_manifest_guidance_parameters() -> None:
    (point,) = parse_grid("cdk:1:1", BASE)
    assert point.settings.cdk and point.settings.cdk_alpha == 0.3
    assert point.settings.cfg_scale == BASE.cfg_scale
    assert point.row().startswith("| CD-K |")


@pytest.mark.parametrize("item", ["3:0.9", "3:0.9:1:1:0:7"])
def test_malformed_items_are_refused(item: str) -> None:
    with pytest.raises(SystemExit, match="expected cfg:top-p:best-of"):
        parse_grid(item, BASE)
