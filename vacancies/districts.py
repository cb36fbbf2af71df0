"""The districts (Landkreise) of config/districts.yaml: the one model and loader of a district's facts.

`District` is what every part needs (names, keys, coordinates, membership, a short profile); the crawler's
`crawler.config.DistrictConfig` extends this same model by the sources it visits and validates the whole
file with it, so the public site, the HR portal and the crawler cannot read a district differently.
Pages and the API read it here and need not depend on the crawler.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from vacancies.settings import config_dir

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class District(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str = Field(pattern=SLUG)
    key: str = Field(pattern=r"^09\d{3}$")  # official key (AGS); Bavaria is 09
    name: str = Field(min_length=1)
    lat: float = Field(ge=47, le=51)
    lon: float = Field(ge=8.9, le=14)
    member: bool = False
    website: str | None = None
    profile: str | None = None  # a short German description for the district page


def districts_file() -> Path:
    """`$STELLEN_DISTRICTS_FILE`, or districts.yaml in the configuration directory."""
    if os.environ.get("STELLEN_DISTRICTS_FILE"):
        return Path(os.environ["STELLEN_DISTRICTS_FILE"])
    return config_dir() / "districts.yaml"


def read_file(path: Path | None = None, text: str | None = None) -> Any:
    """The parsed file (or `text`): the one reader of districts.yaml, for this module and the crawler.
    OSError or yaml.YAMLError when it is unreadable."""
    return yaml.safe_load(
        text if text is not None else (path or districts_file()).read_text(encoding="utf-8")
    )


@functools.cache
def load(path: str | None = None) -> tuple[District, ...]:
    """The districts of the file, in its order (the crawler's sources and defaults left out)."""
    raw = read_file(Path(path) if path else None)
    return tuple(District.model_validate(_own_fields(entry)) for entry in raw["districts"])


def _own_fields(entry: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in entry.items() if name in District.model_fields}


def by_slug(path: str | None = None) -> dict[str, District]:
    return {d.slug: d for d in load(path)}
