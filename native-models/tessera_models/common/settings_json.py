"""Sampling settings as the golden files and manifests spell them (camelCase, CD-K nested)."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from tessera_models.common.sampling import SamplingSettings


def settings_json(s: SamplingSettings) -> dict[str, Any]:
    d = asdict(s)
    return {
        "cfgScale": d["cfg_scale"],
        "temperature": d["temperature"],
        "topK": d["top_k"],
        "topP": d["top_p"],
        "cdk": {"alpha": d["cdk_alpha"], "k": d["cdk_k"], "tau": d["cdk_tau"]}
        if d["cdk"]
        else None,
    }


def settings_from_json(d: dict[str, Any]) -> SamplingSettings:
    cdk = d["cdk"]
    return SamplingSettings(
        cfg_scale=d["cfgScale"],
        temperature=d["temperature"],
        top_k=d["topK"],
        top_p=d["topP"],
        cdk=cdk is not None,
        **({"cdk_alpha": cdk["alpha"], "cdk_k": cdk["k"], "cdk_tau": cdk["tau"]} if cdk else {}),
    )


def manifest_defaults(d: dict[str, Any]) -> tuple[SamplingSettings, int]:
    """A manifest's `sampling.defaults`: the per-token settings (CD-K off, its parameters kept
    for when it is turned on) and how many candidates a generation ranks (1 when unstated)."""
    return replace(settings_from_json(d), cdk=False), int(d.get("bestOf", 1))
