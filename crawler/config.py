"""config/districts.yaml: every Bavarian Landkreis, membership, and the sources the crawler visits.

Validated at load; an error names the district, the field and the problem, e.g.
``Landkreis „miltenberg“, sources[0].strategy: unbekannte Strategie „foo“``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from vacancies.districts import SLUG, District, districts_file, read_file

STRATEGIES = ("structured", "html", "feed", "pdf", "interamt", "auto", "personio", "dvinci")
Strategy = Literal["structured", "html", "feed", "pdf", "interamt", "auto", "personio", "dvinci"]

# The options each strategy reads: a misspelt one would otherwise be ignored without a word, and a
# missing one found only when the crawl starts.
_LIST_OPTIONS = {"structured": {"link_selector", "link_pattern", "next_selector"},
                 "html": {"link_selector", "next_selector", "fields"},
                 "feed": {"feed_url", "fields"},
                 "pdf": {"link_selector", "next_selector"},
                 "interamt": {"api_url", "detail_url_template"},
                 "personio": {"feed_url"},
                 "dvinci": {"api_url"}}  # fmt: skip
_AUTO_OPTIONS = {"max_depth"} | _LIST_OPTIONS["feed"] | _LIST_OPTIONS["pdf"] | _LIST_OPTIONS["structured"]
STRATEGY_OPTIONS = {**_LIST_OPTIONS, "auto": _AUTO_OPTIONS}
REQUIRED_OPTIONS = {"html": ("link_selector",)}
# Fields of a detail page the html and feed strategies can be given selectors for (options.fields).
FIELDS = ("title", "description", "department", "employer", "deadline", "date_posted", "pay", "working_time",
          "term", "career", "reference", "location", "contact", "apply_url", "attachments")  # fmt: skip


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
            _check_url(url)
        return urls

    @model_validator(mode="after")
    def _options(self) -> SourceConfig:
        allowed = STRATEGY_OPTIONS[self.strategy]
        for name in sorted(set(self.options) - allowed):
            raise ValueError(f"options.{name}: unbekannte Option der Strategie {self.strategy} "
                             f"(erlaubt: {', '.join(sorted(allowed))})")  # fmt: skip
        for name in REQUIRED_OPTIONS.get(self.strategy, ()):
            if self.options.get(name) in (None, ""):
                raise ValueError(f"options.{name}: fehlt (die Strategie {self.strategy} braucht sie)")
        for name in ("link_selector", "next_selector"):
            if name in self.options:
                _check_selector(f"options.{name}", self.options[name])
        if "fields" in self.options:
            _check_fields(self.options["fields"])
        for name in ("feed_url", "api_url"):
            if self.options.get(name):
                _check_url(str(self.options[name]), f"options.{name}: ")
        if "link_pattern" in self.options:
            _check_pattern(self.options["link_pattern"])
        if "max_depth" in self.options and self.options["max_depth"] not in range(1, 6):
            raise ValueError("options.max_depth: muss eine ganze Zahl von 1 bis 5 sein")
        return self

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else _valid_cron(value)


class DistrictConfig(District):
    """A district (the one model, vacancies.districts) with the sources the crawler visits."""

    model_config = ConfigDict(extra="forbid", frozen=False)

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
        owners: dict[str, str] = {}
        for district in self.districts:
            for source in district.sources:
                if source.key in owners:
                    raise ValueError(f"Quelle „{source.key}“ ist doppelt eingetragen (Landkreise "
                                     f"„{owners[source.key]}“ und „{district.slug}“)")  # fmt: skip
                owners[source.key] = district.slug
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


def _check_url(url: str, where: str = "") -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise ValueError(f"{where}„{url}“ ist keine vollständige http(s)-Adresse")


def _check_selector(where: str, query: Any) -> None:
    """CSS (as Scrapy reads it, ::attr() and ::text included) or XPath after the prefix "xpath:"."""
    from lxml import etree
    from parsel.csstranslator import HTMLTranslator

    if not isinstance(query, str) or not query.strip():
        raise ValueError(f"{where}: muss ein CSS- oder XPath-Selektor sein")
    try:
        if query.startswith("xpath:"):
            etree.XPath(query.removeprefix("xpath:").strip())
        else:
            HTMLTranslator().css_to_xpath(query)
    except Exception as exc:  # cssselect's and lxml's syntax errors have no common base class
        raise ValueError(f"{where}: Selektor „{query}“ ist ungültig ({exc})") from None


def _check_fields(fields: Any) -> None:
    if not isinstance(fields, dict):
        raise ValueError("options.fields: muss eine Zuordnung Feld → Selektor sein")
    for name, query in fields.items():
        if name not in FIELDS:
            raise ValueError(f"options.fields.{name}: unbekanntes Feld (erlaubt: {', '.join(FIELDS)})")
        _check_selector(f"options.fields.{name}", query)


def _check_pattern(pattern: Any) -> None:
    try:
        re.compile(str(pattern))
    except re.error as exc:
        raise ValueError(f"options.link_pattern: kein gültiger regulärer Ausdruck ({exc})") from None


def _no_duplicates(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} „{value}“ ist doppelt eingetragen")
        seen.add(value)


def load_districts(path: Path | None = None, text: str | None = None) -> DistrictsConfig:
    path = path or districts_file()  # the file vacancies.districts reads
    try:
        raw = read_file(path, text)
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


def _german(error: ErrorDetails) -> str:
    kind = error.get("type")
    if kind == "missing":
        return "fehlt"
    if kind == "literal_error" and error["loc"][-1] == "strategy":
        return f"unbekannte Strategie „{error.get('input')}“ (erlaubt: {', '.join(STRATEGIES)})"
    if kind == "extra_forbidden":
        return "unbekanntes Feld"
    message = error.get("msg", "ungültig")
    return message.removeprefix("Value error, ")
