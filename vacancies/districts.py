"""The districts as the public site shows them (read-only view of config/districts.yaml).

The crawler validates the whole file (crawler/config.py); pages and the API need only names, keys,
coordinates, membership and a short profile, and must not depend on the crawler.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class District:
    slug: str
    key: str
    name: str
    lat: float
    lon: float
    member: bool
    website: str | None
    profile: str | None


def districts_file() -> Path:
    if os.environ.get("STELLEN_DISTRICTS_FILE"):
        return Path(os.environ["STELLEN_DISTRICTS_FILE"])
    root = Path(os.environ.get("STELLEN_CONFIG_DIR", Path(__file__).resolve().parent.parent / "config"))
    return root / "districts.yaml"


@functools.cache
def load(path: str | None = None) -> tuple[District, ...]:
    raw = yaml.safe_load(Path(path or districts_file()).read_text(encoding="utf-8"))
    return tuple(
        District(
            slug=d["slug"],
            key=str(d["key"]),
            name=d["name"],
            lat=float(d["lat"]),
            lon=float(d["lon"]),
            member=bool(d.get("member")),
            website=d.get("website"),
            profile=d.get("profile"),
        )  # fmt: skip
        for d in raw["districts"]
    )


def by_slug(path: str | None = None) -> dict[str, District]:
    return {d.slug: d for d in load(path)}
