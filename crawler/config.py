"""config/districts.yaml: every Bavarian Landkreis, membership, and the sources the crawler visits.

Validated at load; an error names the district, the field and the problem, e.g.
``Landkreis „miltenberg“, sources[0].strategy: unbekannte Strategie „foo“``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

STRATEGIES = ("structured", "html", "feed", "pdf", "interamt", "auto")
Strategy = Literal["structured", "html", "feed", "pdf", "interamt", "auto"]
SLUG = r"^[a-z0-9][a-z0-9-]*$"


class DistrictsConfigError(ValueError):
    """districts.yaml is unreadable or invalid; the message says where and why."""


class CrawlDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: str = "30 2 * * *"  # cron (minute hour day month weekday), Europe/Berlin
    timezone: str = "Europe/Berlin"
    jitter_minutes: int = Field(default=30, ge=0, le=240)
    # A run that finds fewer than this share of the postings of the last successful run is suspicious.
    min_found_ratio: float = Field(default=0.5, ge=0, le=1)
    # Parse errors above this share of the pages fetched make a run failed.
    max_parse_error_ratio: float = Field(default=0.2, ge=0, le=1)
    user_agent: str = "Stellenboerse-Bot/1.0 (+{contact_url})"
    download_timeout: int = Field(default=30, ge=1, le=600)
    max_response_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    concurrent_requests_per_domain: int = Field(default=2, ge=1, le=2)
    autothrottle: bool = True
    download_delay: float = Field(default=0.5, ge=0)
    http_cache: bool = True

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return _valid_cron(value)


def _valid_cron(value: str) -> str:
    from crawler.cron import crontab_trigger

    try:
        crontab_trigger(value, "Europe/Berlin")
    except ValueError as exc:
        raise ValueError(f"kein gültiger Cron-Ausdruck „{value}“ ({exc})") from exc
    return value


class SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=SLUG)
    strategy: Strategy
    start_urls: list[str] = Field(min_length=1)
    allowed_domains: list[str] = Field(default_factory=list)
    enabled: bool = True
    schedule: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    district: str = ""  # filled from the enclosing district

    @field_validator("start_urls")
    @classmethod
    def _http(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"„{url}“ ist keine http(s)-Adresse")
        return urls

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else _valid_cron(value)


class DistrictConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=SLUG)
    key: str = Field(pattern=r"^09\d{3}$")  # official key (AGS); Bavaria is 09
    name: str = Field(min_length=1)
    lat: float = Field(ge=47, le=51)
    lon: float = Field(ge=8.9, le=14)
    member: bool = False
    website: str | None = None
    profile: str | None = None  # a short German description for the district page
    sources: list[SourceConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _members_only(self) -> DistrictConfig:
        if self.sources and not self.member:
            raise ValueError("nur Mitglieder haben Quellen (member: true fehlt)")
        for source in self.sources:
            source.district = self.slug
        return self


class DistrictsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: CrawlDefaults = Field(default_factory=CrawlDefaults)
    districts: list[DistrictConfig]

    @model_validator(mode="after")
    def _unique(self) -> DistrictsConfig:
        _no_duplicates([d.slug for d in self.districts], "Landkreis")
        _no_duplicates([s.key for d in self.districts for s in d.sources], "Quelle")
        return self

    def district(self, slug: str) -> DistrictConfig | None:
        return next((d for d in self.districts if d.slug == slug), None)

    @property
    def members(self) -> list[DistrictConfig]:
        return [d for d in self.districts if d.member]

    def sources(self, district: str | None = None, source: str | None = None) -> list[SourceConfig]:
        """Enabled sources, optionally of one district or one source key."""
        found = [
            s
            for d in self.districts
            for s in d.sources
            if s.enabled and (district is None or d.slug == district) and (source is None or s.key == source)
        ]
        return found


def _no_duplicates(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} „{value}“ ist doppelt eingetragen")
        seen.add(value)


def default_path() -> Path:
    if os.environ.get("STELLEN_DISTRICTS_FILE"):
        return Path(os.environ["STELLEN_DISTRICTS_FILE"])
    root = Path(os.environ.get("STELLEN_CONFIG_DIR", Path(__file__).resolve().parent.parent / "config"))
    return root / "districts.yaml"


def load_districts(path: Path | None = None, text: str | None = None) -> DistrictsConfig:
    path = path or default_path()
    try:
        raw = yaml.safe_load(text if text is not None else path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DistrictsConfigError(f"{path}: nicht lesbar: {exc}") from exc
    try:
        return DistrictsConfig.model_validate(raw)
    except ValidationError as exc:
        raise DistrictsConfigError(f"{path}: " + _describe(exc, raw)) from exc


def _describe(exc: ValidationError, raw: Any) -> str:
    """'Landkreis „miltenberg“, sources[0].strategy: …' instead of 'districts.3.sources.0.strategy'."""
    lines = []
    for error in exc.errors():
        loc = list(error["loc"])
        where = ".".join(str(p) for p in loc) or "(Datei)"
        if len(loc) >= 2 and loc[0] == "districts" and isinstance(loc[1], int):
            where = f"Landkreis „{_slug_at(raw, loc[1])}“, {_path(loc[2:]) or '(Eintrag)'}"
        lines.append(f"{where}: {_german(error)}")
    return "; ".join(lines)


def _slug_at(raw: Any, index: int) -> str:
    try:
        return str(raw["districts"][index].get("slug") or f"Nr. {index + 1}")
    except (KeyError, IndexError, TypeError, AttributeError):
        return f"Nr. {index + 1}"


def _path(parts: list) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _german(error: dict) -> str:
    kind = error.get("type")
    if kind == "missing":
        return "fehlt"
    if kind == "literal_error" and error["loc"][-1] == "strategy":
        return f"unbekannte Strategie „{error.get('input')}“ (erlaubt: {', '.join(STRATEGIES)})"
    if kind == "extra_forbidden":
        return "unbekanntes Feld"
    message = error.get("msg", "ungültig")
    return message.removeprefix("Value error, ")
