"""schema.org JobPosting for a posting page (Google for Jobs), safely embeddable in <script>."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from markupsafe import Markup

from vacancies import clock, districts
from vacancies.model import Vacancy
from vacancies.search.contract import BERLIN
from web import payview

# DESIGN.md posting types -> Google's employmentType values
_TYPE = {"internship": "INTERN", "apprenticeship": "OTHER", "dual_study": "OTHER", "trainee": "OTHER"}


def employment_types(v: Vacancy) -> list[str]:
    types = [{"full_time": "FULL_TIME", "part_time": "PART_TIME"}[w.value] for w in v.working_time]
    if v.fixed_term:
        types.append("TEMPORARY")
    if v.posting_type.value in _TYPE:
        types.append(_TYPE[v.posting_type.value])
    return list(dict.fromkeys(types))


def job_posting(v: Vacancy, url: str, description: str, today: date | None = None) -> dict[str, Any]:
    """`description` is the sanitised HTML the page shows (Google accepts HTML there)."""
    district = districts.by_slug().get(v.district)
    org: dict[str, Any] = {"@type": "Organization", "name": v.employer or _office(district, v.district)}
    if district and district.website:
        org["sameAs"] = district.website
    address = {
        "@type": "PostalAddress",
        "streetAddress": v.location.street,
        "postalCode": v.location.postal_code,
        "addressLocality": v.location.city or (district.name if district else None),
        "addressRegion": "Bayern",
        "addressCountry": "DE",
    }
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": v.title,
        "description": description or v.title,
        "datePosted": _date_posted(v),
        "validThrough": _end_of_day(v.deadline) if v.deadline else None,
        "hiringOrganization": org,
        "jobLocation": {"@type": "Place", "address": _compact(address)},
        "employmentType": employment_types(v) or None,
        "identifier": {"@type": "PropertyValue", "name": org["name"], "value": v.reference or v.id},
        "directApply": False,  # applications go to the district's own channel
        "url": url,
    }
    if v.location.lat is not None:
        data["jobLocation"]["geo"] = {"@type": "GeoCoordinates", "latitude": v.location.lat,
                                      "longitude": v.location.lon}  # fmt: skip
    if v.start_date:
        data["jobStartDate"] = v.start_date.isoformat()
    if salary := payview.base_salary(v, today or clock.today()):
        data["baseSalary"] = salary
    return _compact(data)


def script_json(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json"> block: no '<', '>' or '&' can end the script."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _office(district, slug: str) -> str:
    return f"Landratsamt {district.name if district else slug}"


def _date_posted(v: Vacancy) -> str | None:
    if v.date_posted:
        return v.date_posted.isoformat()
    return v.first_seen.date().isoformat() if v.first_seen else None


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _end_of_day(day: date) -> str:
    """23:59:59 German time with that day's offset: +02:00 in summer, +01:00 in winter."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=BERLIN).isoformat()
