"""German labels and formatting for the pages: facets, badges, dates, pay grades, distances."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup

from vacancies import clock, districts
from vacancies.model import Contact, Vacancy
from vacancies.search.contract import BERLIN, FacetValue

POSTING_TYPES = {
    "job": "Arbeitsstelle",  # as the Bundesagentur's Jobbörse: "Arbeit" next to Ausbildung, Praktikum
    "apprenticeship": "Ausbildung",
    "dual_study": "Duales Studium",
    "internship": "Praktikum",
    "trainee": "Anwärterstelle (Beamtenausbildung)",
}
WORKING_TIME = {"full_time": "Vollzeit", "part_time": "Teilzeit"}
FIXED_TERM = {"true": "befristet", "false": "unbefristet"}
CAREER_LEVELS = {str(n): f"{n}. Qualifikationsebene" for n in range(1, 5)}
STATUS = {"employee": "Tarifbeschäftigte", "civil_servant": "Beamtinnen und Beamte"}
REMOTE = {"none": "kein Homeoffice", "hybrid": "Homeoffice teilweise", "remote": "ortsunabhängig"}
PAY_SCALE_LABEL = {"BayBesG": "Besoldung", "TVöD": "Entgelt", "TVöD-SuE": "Entgelt", "TV-L": "Entgelt"}
SORTS = {
    "relevance": "Relevanz",
    "newest": "Neueste",
    "deadline": "Bewerbungsfrist",
    "distance": "Entfernung",
}
RADII = (5, 10, 25, 50, 100)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")  # nothing that adds mailto: headers
_PHONE_RE = re.compile(r"\+?\d[\d\s/().-]{3,}\d")  # "09371 501-0", "+49 (0) 9371/5010"
FIELD_LABELS = {
    "q": "Suchbegriff",
    "near": "Ort oder PLZ",
    "radius_km": "Umkreis",
    "pay_grade_min": "Entgeltgruppe ab",
    "pay_grade_max": "Entgeltgruppe bis",
    "min_monthly_pay": "Gehalt mindestens",
    "per_page": "Treffer pro Seite",
    "page": "Seite",
    "sort": "Sortierung",
    "include_expired": "Abgelaufene Stellen",
    "posting_type": "Art der Stelle",
    "district": "Landkreis",
    "category": "Berufsfeld",
    "working_time": "Arbeitszeit",
    "fixed_term": "Befristung",
    "pay_scale": "Tarif / Besoldungsordnung",
    "career_level": "Qualifikationsebene",
    "status": "Dienstverhältnis",
    "remote": "Homeoffice",
}

# facet name -> (form parameter, legend, labels); a facet without a parameter is shown as counts only
FACETS: dict[str, tuple[str | None, str, dict[str, str] | None]] = {
    "posting_type": ("posting_type", "Art der Stelle", POSTING_TYPES),
    "district": ("district", "Landkreis", None),
    "category": ("category", "Berufsfeld", None),
    "working_time": ("working_time", "Arbeitszeit", WORKING_TIME),
    "fixed_term": ("fixed_term", "Befristung", FIXED_TERM),
    "career_level": ("career_level", "Qualifikationsebene", CAREER_LEVELS),
    "remote": ("remote", "Homeoffice", REMOTE),
    "pay_scale": ("pay_scale", "Tarif / Besoldungsordnung", None),
}


def today() -> date:
    return clock.today()


def district_name(slug: str) -> str:
    found = districts.by_slug().get(slug)
    return found.name if found else slug


def facet_label(facet: str, value: str) -> str:
    if facet == "district":
        return district_name(value)
    labels = FACETS.get(facet, (None, "", None))[2]
    return (labels or {}).get(value, value)


def param_label(name: str, value: str) -> str:
    """How an active filter reads in the 'no results' hints: 'Landkreis: Miltenberg'."""
    for facet, (param, legend, _) in FACETS.items():
        if param == name:
            return f"{legend}: {facet_label(facet, value)}"
    names = {
        "q": "Suchbegriff",
        "near": "Ort",
        "status": "Dienstverhältnis",
        "pay_grade_min": "Entgeltgruppe ab",
        "pay_grade_max": "Entgeltgruppe bis",
        "min_monthly_pay": "Gehalt mindestens",
        "include_expired": "auch abgelaufene",
    }
    shown = STATUS.get(value, value) if name == "status" else value
    if name == "min_monthly_pay":
        shown = f"{value} € brutto/Monat"
    return f"{names.get(name, name)}: {shown}"


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    checked: bool


def facet_options(facet: str, values: list[FacetValue], chosen: list[str]) -> list[FacetOption]:
    """Counted values plus chosen ones without postings (so a choice never disappears from the form)."""
    options = [FacetOption(v.value, facet_label(facet, v.value), v.count, v.value in chosen) for v in values]
    seen = {v.value for v in values}
    options += [FacetOption(c, facet_label(facet, c), 0, True) for c in chosen if c not in seen]
    return options


def german_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def german_time(value: datetime | None) -> str:
    """A moment as Germans read it on the wall clock: 05.03.2027 14:30 (Europe/Berlin)."""
    return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M") if value else ""


def german_number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def pay_grade(v: Vacancy) -> str:
    low, high = v.pay_grade_min, v.pay_grade_max
    if low and high:
        grade = low if low == high else f"{low}–{high}"
    else:  # an open range ("mind. E 14", "bis zu E 9c") says which end it is
        grade = f"ab {low}" if low else f"bis {high}" if high else ""
    if not grade:
        return v.pay_scale.value if v.pay_scale else ""
    return f"{v.pay_scale.value} {grade}" if v.pay_scale else grade


def deadline_label(deadline: date | None, on: date | None = None) -> str:
    """One form everywhere: the date (TT.MM.JJJJ) and, when near, how near: "05.12.2026 (noch 5 Tage)"."""
    if deadline is None:
        return ""
    days = (deadline - (on or today())).days
    if days < 0:
        return f"{german_date(deadline)} (abgelaufen)"
    if days == 0:
        return f"{german_date(deadline)} (endet heute)"
    if days <= 14:
        return f"{german_date(deadline)} (noch {days} {'Tag' if days == 1 else 'Tage'})"
    return german_date(deadline)


def deadline_text(deadline: date | None, on: date | None = None) -> str:
    label = deadline_label(deadline, on)
    return f"Bewerbungsfrist: {label}" if label else ""


def badges(v: Vacancy, on: date | None = None) -> list[tuple[str, str]]:
    """(css class, text) for the result list."""
    out: list[tuple[str, str]] = []
    if v.posting_type.value != "job":
        out.append(("kind", POSTING_TYPES[v.posting_type.value]))
    if "part_time" in [w.value for w in v.working_time]:
        out.append(("", "Teilzeit möglich" if len(v.working_time) > 1 else "Teilzeit"))
    if v.fixed_term:
        out.append(("", f"befristet ({months(v.term_months)})" if v.term_months else "befristet"))
    if v.remote.value != "none":
        out.append(("", "Homeoffice möglich" if v.remote.value == "hybrid" else "ortsunabhängig"))
    if grade := pay_grade(v):
        out.append(("", grade))
    if text := deadline_text(v.deadline, on):
        urgent = v.deadline is not None and (v.deadline - (on or today())).days <= 7
        out.append(("urgent" if urgent else "", text))
    return out


def place(v: Vacancy) -> str:
    loc = v.location
    return " ".join(p for p in (loc.postal_code, loc.city) if p) or district_name(v.district)


def working_time_text(v: Vacancy) -> str:
    parts = [WORKING_TIME[w.value] for w in v.working_time]
    text = ", ".join(parts)
    if v.weekly_hours:
        # two places and no trailing zeros: 29.25 h is "29,25", not "29,2"; 40 h is "40"
        hours = german_number(v.weekly_hours, 2).rstrip("0").removesuffix(",")
        text = f"{text} ({hours} Std./Woche)".strip()
    return text


def term_text(v: Vacancy) -> str:
    if v.fixed_term is None:
        return ""
    if not v.fixed_term:
        return "unbefristet"
    return f"befristet auf {months(v.term_months)}" if v.term_months else "befristet"


def contact_html(contact: Contact | None) -> Markup:
    """Name, telephone and e-mail of the contact person; number and address are links."""
    if contact is None:
        return Markup("")
    parts = [Markup.escape(contact.name)] if contact.name else []
    if contact.phone:
        number = tel_uri(contact.phone)
        phone = Markup.escape(contact.phone)
        parts.append(Markup('<a href="{}">{}</a>').format(number, phone) if number else phone)
    if contact.email:
        email = contact.email.strip()
        if _EMAIL_RE.fullmatch(email):
            parts.append(Markup('<a href="mailto:{}">{}</a>').format(email, email))
        else:
            parts.append(Markup.escape(email))
    return Markup(", ").join(parts)


def tel_uri(phone: str) -> str | None:
    """ "09371 501-0" -> "tel:+4993715010" (RFC 3966, German numbers made international); None when
    the text holds no number to dial."""
    found = _PHONE_RE.search(phone.replace("(0)", ""))  # "+49 (0) 9371": the (0) is not dialled
    if not found:
        return None
    digits = re.sub(r"[^\d+]", "", found.group())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+49" + digits[1:]
    return f"tel:{digits}"


def months(count: int) -> str:
    return f"{count} {'Monat' if count == 1 else 'Monate'}"
