"""The records of the JSON API as typed models, so that /api/v1/openapi.json describes every field (issue 17,
item 5).

The models only describe and check what the routes return; they add no validation rules of their own (those
live in vacancies.model and vacancies.hr_postings). Field order is the order of the JSON output, which stays
as it was before the models existed: the vacancy's fields in `Vacancy` order, then what a route adds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vacancies.hr_postings import VacancyInput
from vacancies.model import (
    EmploymentStatus,
    Origin,
    PayScale,
    PostingType,
    Remote,
    SalaryUnit,
    State,
    WorkingTime,
)


def _absent_if_none(value: object) -> bool:
    """Fields that the API leaves out (rather than writing null) when they have no value."""
    return value is None


# -- problems (RFC 9457) -----------------------------------------------------------------------------------


class FieldError(BaseModel):
    field: str = Field(description="betroffener Parameter oder Feld, z. B. `per_page` oder `location.city`")
    message: str = Field(description="was daran falsch ist (deutsch)")


class Problem(BaseModel):
    """Fehlerbeschreibung nach RFC 9457"""

    type: str = Field(description="immer `about:blank`", examples=["about:blank"])
    title: str = Field(description="Art des Fehlers", examples=["Ungültige Angaben"])
    status: int = Field(description="HTTP-Statuscode", examples=[422])
    detail: str = Field(description="Was schiefging, für Menschen lesbar (deutsch)")
    instance: str | None = Field(default=None, description="Pfad der Anfrage", exclude_if=_absent_if_none)
    errors: list[FieldError] | None = Field(
        default=None, description="betroffene Parameter", exclude_if=_absent_if_none
    )


# -- the public vacancy ------------------------------------------------------------------------------------


class LocationPublic(BaseModel):
    street: str | None = Field(default=None, description="Straße und Hausnummer")
    postal_code: str | None = Field(default=None, description="Postleitzahl (5 Ziffern)", examples=["63897"])
    city: str | None = Field(default=None, description="Ort", examples=["Miltenberg"])
    lat: float | None = Field(default=None, description="Breite des Arbeitsorts (WGS 84)")
    lon: float | None = Field(default=None, description="Länge des Arbeitsorts (WGS 84)")


class ContactPublic(BaseModel):
    name: str | None = Field(default=None, description="Ansprechperson")
    phone: str | None = Field(default=None, description="Telefon")
    email: str | None = Field(default=None, description="E-Mail-Adresse")


class VacancyPublic(BaseModel):
    """Eine Stelle, wie die Stellenbörse sie speichert (deutsche Inhalte, englische Schlüssel)."""

    id: str = Field(
        description="Kennung: `<Quelle>:<Kennung der Quelle>` bei gecrawlten Stellen, "
        "`hr-<Landkreis>-<Ihre Kennung>` bei Stellen aus dem HR-Portal oder der HR-API",
        examples=["miltenberg-web:4711"],
    )
    origin: Origin = Field(
        description="`crawled`: von der Website des Landratsamts, `hr`: vom Landratsamt selbst"
    )
    source: str | None = Field(description="Quelle einer gecrawlten Stelle", examples=["miltenberg-web"])
    source_url: str | None = Field(description="Adresse der Stelle auf der Website des Landratsamts")
    district: str = Field(
        description="Landkreis (Kürzel wie in `/api/v1/districts`)", examples=["miltenberg"]
    )
    employer: str | None = Field(description="Arbeitgeber, meist das Landratsamt")
    department: str | None = Field(description="Sachgebiet oder Abteilung", examples=["Jugendamt"])
    title: str = Field(description="Titel der Stelle", examples=["Sachbearbeiter (m/w/d) Jugendamt"])
    description: str = Field(description="Beschreibung als HTML (nur unbedenkliche Tags)")
    posting_type: PostingType = Field(
        description="Art: Stelle, Ausbildung, duales Studium, Praktikum, Trainee"
    )
    category: str | None = Field(description="Berufsfeld der Stellenbörse", examples=["Verwaltung"])
    working_time: list[WorkingTime] = Field(description="Vollzeit und/oder Teilzeit")
    weekly_hours: float | None = Field(description="Wochenstunden")
    fixed_term: bool | None = Field(description="befristet (true), unbefristet (false), unbekannt (null)")
    term_months: int | None = Field(description="Dauer der Befristung in Monaten")
    status: list[EmploymentStatus] = Field(description="Beschäftigung als Tarifbeschäftigte und/oder Beamte")
    pay_scale: PayScale | None = Field(description="Tarifvertrag oder Besoldungsgesetz")
    pay_grade_min: str | None = Field(description="Entgelt-/Besoldungsgruppe (von)", examples=["E9a"])
    pay_grade_max: str | None = Field(description="Entgelt-/Besoldungsgruppe (bis)", examples=["E11"])
    career_level: int | None = Field(description="Qualifikationsebene 1–4 (bayerisches Dienstrecht)")
    remote: Remote = Field(description="Homeoffice: keins, teilweise (`hybrid`) oder ganz (`remote`)")
    location: LocationPublic = Field(description="Arbeitsort")
    date_posted: date | None = Field(description="Tag der Ausschreibung")
    deadline: date | None = Field(description="Bewerbungsfrist (letzter Tag)")
    start_date: date | None = Field(description="Beginn")
    start_asap: bool = Field(description="Beginn baldmöglichst")
    salary_min: float | None = Field(description="Brutto in Euro, wie die Stelle es selbst nennt (von)")
    salary_max: float | None = Field(description="Brutto in Euro, wie die Stelle es selbst nennt (bis)")
    salary_unit: SalaryUnit | None = Field(description="Zeitraum der Beträge; null bei Beträgen: je Monat")
    reference: str | None = Field(description="Kennziffer der Ausschreibung")
    apply_url: str | None = Field(description="Adresse der Online-Bewerbung (http/https)")
    apply_email: str | None = Field(description="E-Mail-Adresse für Bewerbungen")
    contact: ContactPublic | None = Field(description="Ansprechperson")
    attachments: list[str] = Field(
        description="Anhänge (http/https-Adressen, z. B. die Ausschreibung als PDF)"
    )
    state: State = Field(
        description="Zustand; öffentlich sichtbar sind nur veröffentlichte (und abgelaufene)"
    )
    first_seen: datetime | None = Field(description="zuerst gesehen (UTC)")
    last_seen: datetime | None = Field(description="zuletzt gesehen (UTC)")
    updated_at: datetime | None = Field(description="zuletzt inhaltlich geändert (UTC)")
    content_hash: str | None = Field(
        description="Prüfsumme des Inhalts; ändert sich mit jeder inhaltlichen Änderung"
    )

    @field_validator("first_seen", "last_seen", "updated_at")
    @classmethod
    def _utc(cls, moment: datetime | None) -> datetime | None:
        """Rows of postings that changed before the store kept the offset hold first_seen without one; the
        time is UTC, and the schema promises an RFC 3339 date-time."""
        return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


class VacancyHit(VacancyPublic):
    """Eine Stelle in den Suchergebnissen."""

    distance_km: float | None = Field(description="Entfernung zum Ort der Umkreissuche in km, sonst null")
    highlights: dict[str, str] = Field(
        description="je Feld (`title`, `description`) ein Ausschnitt als HTML, Suchwörter in `<mark>`",
        examples=[{"title": "<mark>Sachbearbeiter</mark> (m/w/d) Jugendamt"}],
    )


class KldbArea(BaseModel):
    code: str = Field(description="Berufsbereich der KldB 2010 (einstellig)", examples=["7"])
    name: str = Field(
        description="Name des Berufsbereichs",
        examples=["Unternehmensorganisation, Buchhaltung, Recht und Verwaltung"],
    )


class PaySteps(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    from_: int | None = Field(alias="from", description="erste Stufe der Spanne")
    to: int | None = Field(description="letzte Stufe der Spanne; null: nur eine Stufe bekannt")


class PayTableRef(BaseModel):
    name: str = Field(description="Name der Tabelle", examples=["TVöD VKA Entgelttabelle"])
    valid_from: date = Field(description="gültig ab")
    valid_until: date | None = Field(description="gültig bis; null: ohne Ende")
    expired: bool = Field(description="die Tabelle ist nicht mehr in Kraft (keine neuere bekannt)")
    source: str = Field(description="woher die Beträge stammen")


class PayEuros(BaseModel):
    """Bruttobeträge in Euro: die eigenen Angaben der Stelle, sonst die Spanne ihrer Gruppen nach den
    Entgelttabellen (dann mit `approximate`, `steps` und `table`)."""

    min: float | None = Field(description="von", examples=[3658.61])
    max: float | None = Field(description="bis", examples=[4979.97])
    unit: SalaryUnit = Field(description="Zeitraum der Beträge")
    currency: Literal["EUR"] = Field(description="immer Euro")
    source: Literal["posting", "pay_table"] = Field(
        description="`posting`: Angabe der Stelle, `pay_table`: Tabelle"
    )
    approximate: bool | None = Field(
        default=None,
        description="nur bei `pay_table`: ungefähr (Stufe unbekannt)",
        exclude_if=_absent_if_none,
    )
    steps: PaySteps | None = Field(
        default=None, description="nur bei `pay_table`", exclude_if=_absent_if_none
    )
    table: PayTableRef | None = Field(
        default=None, description="nur bei `pay_table`", exclude_if=_absent_if_none
    )


class VacancyDetail(VacancyPublic):
    """Eine Stelle mit allem, was `/api/v1/vacancies/{id}` dazu sagt."""

    category_kldb: KldbArea | None = Field(
        default=None,
        description="Berufsbereich der KldB 2010 zum Berufsfeld; fehlt, wenn keiner passt",
        exclude_if=_absent_if_none,
    )
    pay_euros: PayEuros | None = Field(description="Bezahlung in Euro; null, wenn unbekannt")


# -- search, facets ----------------------------------------------------------------------------------------


class FacetValuePublic(BaseModel):
    value: str = Field(description="Wert, wie im gleichnamigen Suchparameter", examples=["miltenberg"])
    count: int = Field(description="Treffer mit diesem Wert")


FACETS_DESCRIPTION = (
    "je Facette die Werte mit Trefferzahl, häufigste zuerst. Facetten sind disjunktiv: die Zahlen einer "
    "Facette berücksichtigen alle Filter außer ihrem eigenen."
)


class SearchPagePublic(BaseModel):
    total: int = Field(description="Treffer der Suche")
    page: int = Field(description="Seite (ab 1)")
    per_page: int = Field(description="Stellen je Seite")
    items: list[VacancyHit] = Field(description="die Stellen dieser Seite")
    facets: dict[str, list[FacetValuePublic]] = Field(description=FACETS_DESCRIPTION)


class FacetsPublic(BaseModel):
    total: int = Field(description="Treffer der Suche")
    facets: dict[str, list[FacetValuePublic]] = Field(description=FACETS_DESCRIPTION)


# -- operations, alerts ------------------------------------------------------------------------------------


class StoreHealth(BaseModel):
    ok: bool = Field(description="die Datenbank antwortet")


class IndexHealth(BaseModel):
    """Felder je nach Suchmaschine: `index` und `cluster_status` nur bei Elasticsearch, `error` bei einem
    Fehler."""

    ok: bool = Field(description="der Suchindex antwortet")
    backend: str = Field(description="`sqlite` (eingebettet) oder `elasticsearch`")
    documents: int | None = Field(default=None, description="Stellen im Index")
    index: str | list[str] | None = Field(default=None, description="Elasticsearch: Index hinter dem Alias")
    cluster_status: str | None = Field(default=None, description="Elasticsearch: green, yellow oder red")
    error: str | None = Field(default=None, description="Grund, wenn der Index nicht antwortet")
    pending_writes: int = Field(description="Änderungen, die noch nicht im Index sind")
    behind: bool = Field(description="der Index zeigt noch nicht jede Änderung")


class FailingSources(BaseModel):
    count: int = Field(description="Zahl der gestörten Quellen")
    sources: list[str] = Field(description="ihre Kennungen")


class OldestSuccess(BaseModel):
    source: str = Field(description="Quelle, deren letzter erfolgreicher Lauf am längsten zurückliegt")
    at: str = Field(description="Ende dieses Laufs (ISO 8601)", json_schema_extra={"format": "date-time"})
    age_hours: float = Field(description="Alter in Stunden")


class CrawlHealth(BaseModel):
    status: Literal["ok", "stale", "no_runs", "unknown"] = Field(
        description="`ok`; `stale`: ein letzter Erfolg ist älter als STELLEN_HEALTH_MAX_CRAWL_AGE_HOURS; "
        "`no_runs`: noch kein Lauf (frische Installation); `unknown`: Läufe nicht lesbar"
    )
    sources: int | None = Field(default=None, description="aktive Quellen aus districts.yaml")
    failing: FailingSources | None = Field(default=None, description="gestörte Quellen")
    never_succeeded: list[str] | None = Field(default=None, description="Quellen ohne erfolgreichen Lauf")
    oldest_success: OldestSuccess | None = Field(default=None, description="ältester letzter Erfolg")
    max_age_hours: float | None = Field(default=None, description="erlaubtes Alter in Stunden")
    error: str | None = Field(default=None, description="nur bei `unknown`: warum")


class HealthReport(BaseModel):
    status: Literal["ok", "degraded", "stale"] = Field(
        description="`ok`; `degraded` (503): die Datenbank antwortet nicht; `stale` (503): der Crawl ist "
        "veraltet"
    )
    store: StoreHealth = Field(description="Datenbank")
    index: IndexHealth = Field(description="Suchindex")
    crawl: CrawlHealth | None = Field(default=None, description="Zustand der nächtlichen Crawls")


class AlertAccepted(BaseModel):
    status: Literal["pending"] = Field(description="wartet auf die Bestätigung per E-Mail")
    detail: str = Field(description="was nun geschieht (deutsch)")


# -- HR API ------------------------------------------------------------------------------------------------


class HrVacancy(VacancyPublic):
    """Eine Stelle des eigenen Landkreises, wie die HR-API sie liefert."""

    external_id: str = Field(description="Ihre eigene Kennung der Stelle", examples=["ATS-4711"])
    hidden: bool = Field(description="von der Redaktion ausgeblendet")
    publish_at: str | None = Field(
        description="geplante Veröffentlichung (ISO 8601 mit Zeitzone); null: keine geplant",
        json_schema_extra={"format": "date-time"},
    )


class HrVacancyList(BaseModel):
    district: str = Field(description="Landkreis des Zugangsschlüssels")
    total: int = Field(description="Zahl der Stellen")
    items: list[HrVacancy] = Field(
        description="die Stellen, die der Landkreis über HR-Portal oder API angelegt hat"
    )


def inline_schema(model: type[BaseModel], mode: Literal["validation", "serialization"]) -> dict[str, Any]:
    """A model's JSON schema with its definitions written in place, for OpenAPI entries that FastAPI does
    not build from a model: the HR PUT's body (the route caps and checks the raw body itself, so FastAPI
    never sees the model) and problem documents (application/problem+json, not the route's media type)."""
    schema = model.model_json_schema(mode=mode)
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


# What the HR PUT's fields mean where they differ from the record's (the rest say what the record says).
_INPUT_DESCRIPTIONS = {
    "employer": "Arbeitgeber; ohne Angabe das Landratsamt des Landkreises",
    "description": "HTML (nur erlaubte Tags bleiben) oder Text in der Schreibweise des Editors",
    "pay_grade_min": "Entgelt-/Besoldungsgruppe (von), auch „EG 9a“ oder „A 13“",
    "pay_grade_max": "Entgelt-/Besoldungsgruppe (bis)",
    "salary_min": "Brutto in Euro je Monat (von); ohne Angabe zeigt die Stellenbörse die Spanne der Tabelle",
    "salary_max": "Brutto in Euro je Monat (bis)",
    "deadline": "Bewerbungsfrist: JJJJ-MM-TT oder TT.MM.JJJJ",
    "start_date": "Beginn: JJJJ-MM-TT oder TT.MM.JJJJ",
    "apply_url": "Adresse der Online-Bewerbung (http/https); diese oder `apply_email` ist nötig",
    "apply_email": "E-Mail-Adresse für Bewerbungen; diese oder `apply_url` ist nötig",
    "state": "`published` (sofort) oder `draft`; ohne Angabe veröffentlicht, oder geplant bei künftigem "
    "`publish_at`",
    "publish_at": "geplante Veröffentlichung (ohne Zeitzone: deutsche Zeit); bis dahin ein Entwurf",
}


def _described_input() -> dict[str, Any]:
    schema = inline_schema(VacancyInput, "validation")
    nested: dict[str, type[BaseModel]] = {"location": LocationPublic, "contact": ContactPublic}
    for name, prop in schema["properties"].items():
        prop["description"] = _INPUT_DESCRIPTIONS.get(name) or VacancyPublic.model_fields[name].description
        for part in [prop, *prop.get("anyOf", [])]:  # the nested objects' own fields
            for sub, sub_prop in part.get("properties", {}).items():
                sub_prop["description"] = nested[name].model_fields[sub].description
    return schema


HR_VACANCY_INPUT_SCHEMA = _described_input()
PROBLEM_SCHEMA = inline_schema(Problem, "serialization")


# -- autocomplete ------------------------------------------------------------------------------------------


class Suggestion(BaseModel):
    value: str = Field(description="was ins Suchfeld übernommen wird", examples=["63897 Miltenberg"])
    label: str = Field(description="was die Liste zeigt", examples=["Miltenberg (63897)"])


class Suggestions(BaseModel):
    query: str = Field(description="der getippte Text")
    kind: Literal["title", "place"] = Field(description="Stellentitel oder Orte")
    suggestions: list[Suggestion] = Field(description="höchstens acht Vorschläge")
