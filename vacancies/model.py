"""The vacancy record of DESIGN.md as a validated model.

The same shape is the import format (JSON lines), the API output and the source of the index document.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from vacancies.grades import PAY_GRADE_RE, pay_grade_rank

SLUG_RE = r"^[a-z0-9][a-z0-9-]*$"
URL_MESSAGE = "muss eine http(s)-Adresse sein"
# Validation context for records whose bad links should be dropped instead of refused, e.g. a crawl:
# `Vacancy.model_validate(record, context=DROP_BAD_URLS)`. Records read back from the store (JSON) are
# treated so too: a row written before the rule loses its bad link instead of breaking every page.
DROP_BAD_URLS = {"bad_urls": "drop"}


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host: the only links a posting may carry (apply, attachments)."""
    scheme, _, rest = value.strip().partition("://")
    return scheme.lower() in ("http", "https") and bool(rest) and not rest.startswith(("/", "?", "#"))


def _drops_bad_urls(info: ValidationInfo) -> bool:
    return info.mode == "json" or (info.context or {}).get("bad_urls") == "drop"


class Origin(StrEnum):
    crawled = "crawled"
    hr = "hr"


class PostingType(StrEnum):
    job = "job"
    apprenticeship = "apprenticeship"
    dual_study = "dual_study"
    internship = "internship"
    trainee = "trainee"


class WorkingTime(StrEnum):
    full_time = "full_time"
    part_time = "part_time"


class EmploymentStatus(StrEnum):
    employee = "employee"
    civil_servant = "civil_servant"


class PayScale(StrEnum):
    tvoed = "TVöD"
    tvoed_sue = "TVöD-SuE"
    tvl = "TV-L"
    baybesg = "BayBesG"


class SalaryUnit(StrEnum):
    """schema.org unitText of a stated amount."""

    month = "MONTH"
    year = "YEAR"
    hour = "HOUR"


class Remote(StrEnum):
    none = "none"
    hybrid = "hybrid"
    remote = "remote"


class State(StrEnum):
    draft = "draft"
    published = "published"
    expired = "expired"
    withdrawn = "withdrawn"


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: Text | None = None
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{5}$")] | None = None
    city: Text | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_coordinates(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat und lon müssen gemeinsam angegeben werden")
        return self


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = None
    phone: Text | None = None
    email: Text | None = None


# Fields that define the content of a posting: a change in any of them is a "changed" posting.
# Bookkeeping (first_seen, last_seen, updated_at, state, content_hash) is left out on purpose.
CONTENT_FIELDS = (
    "origin",
    "source",
    "source_url",
    "district",
    "employer",
    "department",
    "title",
    "description",
    "posting_type",
    "category",
    "working_time",
    "weekly_hours",
    "fixed_term",
    "term_months",
    "status",
    "pay_scale",
    "pay_grade_min",
    "pay_grade_max",
    "career_level",
    "remote",
    "location",
    "date_posted",
    "deadline",
    "start_date",
    "start_asap",
    "salary_min",
    "salary_max",
    "salary_unit",
    "reference",
    "apply_url",
    "apply_email",
    "contact",
    "attachments",
)


_CONTENT_SET = set(CONTENT_FIELDS)
# Fields added after postings were stored (issue 15): hashed only when set, so that an upgrade does not
# make every stored posting look changed on its next crawl.
_HASHED_WHEN_SET = {"start_asap": False, "salary_min": None, "salary_max": None, "salary_unit": None}
_ALWAYS_HASHED = _CONTENT_SET - set(_HASHED_WHEN_SET)
_RECORD_REST = {"id", "state", "first_seen", "last_seen", "updated_at", "content_hash"}


class Vacancy(BaseModel):
    """One posting. Unknown fields are refused so typos in import files do not vanish silently."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False, validate_assignment=False)

    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    origin: Origin = Origin.crawled
    source: Text | None = None
    source_url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    district: Annotated[str, StringConstraints(pattern=SLUG_RE, max_length=80)]
    employer: Text | None = None
    department: Text | None = None
    title: NonEmpty
    description: Annotated[str, StringConstraints(max_length=200_000)] = ""
    posting_type: PostingType = PostingType.job
    category: Text | None = None
    working_time: list[WorkingTime] = Field(default_factory=list)
    weekly_hours: float | None = Field(default=None, gt=0, le=60)
    fixed_term: bool | None = None
    term_months: int | None = Field(default=None, ge=1, le=120)
    status: list[EmploymentStatus] = Field(default_factory=list)
    pay_scale: PayScale | None = None
    pay_grade_min: str | None = None
    pay_grade_max: str | None = None
    career_level: int | None = Field(default=None, ge=1, le=4)
    remote: Remote = Remote.none
    location: Location = Field(default_factory=Location)
    date_posted: date | None = None
    deadline: date | None = None
    start_date: date | None = None
    start_asap: bool = False  # "baldmöglichst", "ab sofort", "zum nächstmöglichen Zeitpunkt"
    # Gross amounts in euros the posting states itself (they win over the pay tables of vacancies.pay).
    salary_min: float | None = Field(default=None, gt=0, le=1_000_000)
    salary_max: float | None = Field(default=None, gt=0, le=1_000_000)
    salary_unit: SalaryUnit | None = None  # None with amounts: per month
    reference: Text | None = None
    apply_url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    apply_email: Text | None = None
    contact: Contact | None = None
    attachments: list[Annotated[str, StringConstraints(max_length=2000)]] = Field(default_factory=list)
    state: State = State.published
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    updated_at: datetime | None = None
    content_hash: str | None = None

    @field_validator("pay_grade_min", "pay_grade_max")
    @classmethod
    def _canonical_grade(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not PAY_GRADE_RE.match(value):
            raise ValueError(
                f"'{value}' ist keine kanonische Entgelt-/Besoldungsgruppe (z. B. E9a, E11, S11b, A13)"
            )
        return value

    @field_validator("working_time", "status", "attachments")
    @classmethod
    def _unique(cls, value: list) -> list:
        return list(dict.fromkeys(value))

    @field_validator("source_url", "apply_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and not is_web_url(value):
            if info.field_name == "apply_url" and _drops_bad_urls(info):
                return None
            raise ValueError(URL_MESSAGE)
        return value or None

    @field_validator("attachments")
    @classmethod
    def _http_attachments(cls, value: list[str], info: ValidationInfo) -> list[str]:
        """Attachments are rendered as links: javascript: or data: would run or show in our origin."""
        if _drops_bad_urls(info):
            return [url for url in value if is_web_url(url)]
        for url in value:
            if not is_web_url(url):
                raise ValueError(f"{URL_MESSAGE}: {url[:60]}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Vacancy:
        if (
            self.pay_grade_min
            and self.pay_grade_max
            and pay_grade_rank(self.pay_grade_min) > pay_grade_rank(self.pay_grade_max)
        ):
            raise ValueError("pay_grade_min liegt über pay_grade_max")
        if self.salary_min and self.salary_max and self.salary_min > self.salary_max:
            raise ValueError("salary_min liegt über salary_max")
        if self.origin == Origin.crawled and not self.source:
            raise ValueError("source fehlt: gecrawlte Stellen brauchen ihre Quelle")
        return self

    def content_json(self) -> bytes:
        """The content fields as JSON bytes: what the content hash is taken over."""
        # pydantic serialises fields in declaration order, so the JSON is canonical without sorting.
        include = _ALWAYS_HASHED | {
            k for k, default in _HASHED_WHEN_SET.items() if getattr(self, k) != default
        }
        return self.__pydantic_serializer__.to_json(self, include=include)

    def compute_content_hash(self, content_json: bytes | None = None) -> str:
        return hashlib.sha256(content_json or self.content_json()).hexdigest()[:32]

    def record_json(self, content_json: bytes | None = None) -> str:
        """The whole record as JSON (the store's `data`), built on the content JSON when it is at hand:
        serialising a posting costs ~25 µs, and bulk writes would otherwise do it twice."""
        content = content_json or self.content_json()
        rest = self.__pydantic_serializer__.to_json(self, include=_RECORD_REST, exclude_none=True)
        # Two JSON objects with disjoint keys merged into one; `rest` always holds the id.
        return (content[:-1] + b"," + rest[1:]).decode()


def validation_message(error: ValidationError) -> str:
    """One line per problem, naming the field path: 'location.postal_code: ...'."""
    parts = []
    for item in error.errors():
        path = ".".join(str(p) for p in item["loc"]) or "(Datensatz)"
        parts.append(f"{path}: {item['msg']}")
    return "; ".join(parts)


def parse_vacancy(data: dict[str, Any]) -> Vacancy:
    return Vacancy.model_validate(data)
