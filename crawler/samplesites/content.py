"""The postings of one sample site in one state, and their German fact texts.

Content comes from `vacancies.sample_data.generate_vacancies` with a seed derived from the global seed
and the district, so every site is reproducible on its own. State 2 is "the next night": two postings
removed, one retitled, one with a new deadline, two added (the generator's first k of n postings are
the postings of a run of k, so the added ones never disturb the others).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from vacancies.model import Vacancy
from vacancies.pay import grade_range
from vacancies.sample_data import generate_vacancies

from .catalog import SiteSpec

ADDED_IN_STATE_2 = 2
RETITLED, NEW_DEADLINE = 1, 2  # positions changed in state 2


@dataclass(frozen=True)
class SitePosting:
    site_id: str  # the site's own id (in URLs, JSON-LD identifier, interamt Id, feed guid)
    v: Vacancy
    hidden: bool = False  # published under /intern/, which robots.txt disallows
    malformed: bool = False  # detail page with broken HTML and invalid JSON-LD
    unsafe: bool = False  # description carries script/style/onclick/javascript:
    index: int = -1  # position in the generated run (state 2 keeps it; added postings follow the rest)

    @property
    def title(self) -> str:
        return self.v.title

    @property
    def deadline(self) -> date | None:
        return self.v.deadline


def posted(v: Vacancy) -> date:
    """The publication date a site shows: every generated posting has one (vacancies.sample_data)."""
    if v.date_posted is None:
        raise ValueError(f"Beispielstelle {v.id} ohne Veröffentlichungsdatum")
    return v.date_posted


def removed_positions(count: int) -> set[int]:
    return {0, count // 2}


def site_postings(spec: SiteSpec, seed: int, today: date, state: int) -> list[SitePosting]:
    total = spec.count + ADDED_IN_STATE_2
    site_seed = random.Random(f"{seed}/{spec.slug}").getrandbits(32)
    vacancies = [_current(v, today) for v in generate_vacancies(total, site_seed, today, [spec.slug])]
    id_rng = random.Random(f"{seed}/{spec.slug}/ids")
    ids, next_id = [], id_rng.randint(1200, 8800)
    for _ in range(total):
        ids.append(str(next_id))
        next_id += id_rng.randint(1, 6)
    postings = [
        SitePosting(
            ids[i],
            vacancies[i],
            hidden=i in spec.hidden,
            malformed=i in spec.malformed,
            unsafe=spec.unsafe and i in (1, 3),
            index=i,
        )
        for i in range(spec.count)
    ]
    if state == 1:
        return postings
    out = []
    for i, posting in enumerate(postings):
        if i in removed_positions(spec.count):
            continue
        if i == RETITLED:
            posting = replace(posting, v=_retitled(posting.v))
        elif i == NEW_DEADLINE:
            posting = replace(posting, v=_new_deadline(posting.v, today))
        out.append(posting)
    out += [SitePosting(ids[i], vacancies[i], index=i) for i in range(spec.count, total)]
    return out


def _current(v: Vacancy, today: date) -> Vacancy:
    """Sites list open posts: a deadline already past moves to a week or more from `today`."""
    if v.deadline is None or v.deadline >= today + timedelta(days=3):
        return v
    weeks = (today - v.deadline).days // 7 + 2
    return _with_deadline(v, v.deadline + timedelta(weeks=weeks))


def _with_deadline(v: Vacancy, deadline: date) -> Vacancy:
    description = v.description
    if v.deadline:
        description = description.replace(date_de(v.deadline), date_de(deadline))
    return v.model_copy(update={"deadline": deadline, "description": description})


def _retitled(v: Vacancy) -> Vacancy:
    title = f"{v.title} – Wiederausschreibung"
    return v.model_copy(update={"title": title, "description": v.description.replace(v.title, title)})


def _new_deadline(v: Vacancy, today: date) -> Vacancy:
    return _with_deadline(v, (v.deadline or today) + timedelta(days=14))


UNSAFE_HTML = (
    "<p onclick=\"alert('Hallo')\">Weitere Informationen finden Sie "
    '<a href="javascript:alert(document.cookie)" onmouseover="track()">hier</a>.</p>'
    "<script>document.write('<img src=\"http://tracker.invalid/pixel.gif\">');</script>"
    "<style>.stellenangebot{display:none}</style>"
    '<img src="/fileadmin/logo.png" onerror="alert(1)" alt="Logo">'
)


def description(posting: SitePosting) -> str:
    return posting.v.description + (UNSAFE_HTML if posting.unsafe else "")


# ------------------------------------------------------------------------------------ German fact texts


def date_de(value: date) -> str:
    return f"{value:%d.%m.%Y}"


def grade_label(grade: str) -> str:
    """'E9c' -> '9c', 'S11b' -> 'S 11b', 'A10' -> 'A 10' (as printed in German postings)."""
    return grade[1:] if grade.startswith("E") else f"{grade[0]} {grade[1:]}"


TRAINING_PAY = {
    "apprenticeship": "Ausbildungsentgelt nach TVAöD – Besonderer Teil BBiG",
    "dual_study": "Studienentgelt nach TVSöD",
    "internship": "Praktikumsentgelt nach TVPöD",
    "trainee": "Unterhaltsbeihilfe nach den bayerischen Vorschriften",
}


def pay_text(v: Vacancy) -> str | None:
    if v.pay_scale is None or v.pay_grade_min is None:
        return TRAINING_PAY.get(v.posting_type.value)
    low, high = grade_label(v.pay_grade_min), grade_label(v.pay_grade_max or v.pay_grade_min)
    grade = low if low == high else f"{low} bis {high}"
    kind = "Besoldungsgruppe" if v.pay_scale.value == "BayBesG" else "Entgeltgruppe"
    return f"{kind} {grade} {v.pay_scale.value}"


def working_time_text(v: Vacancy) -> str:
    times = [t.value for t in v.working_time]
    text = {
        ("full_time", "part_time"): "Vollzeit, teilzeitfähig",
        ("part_time",): "Teilzeit",
    }.get(tuple(times), "Vollzeit")
    if v.weekly_hours:
        hours = f"{v.weekly_hours:g}".replace(".", ",")
        text += f" ({hours} Std./Woche)"
    return text


def term_text(v: Vacancy) -> str | None:
    if v.fixed_term is None:
        return None
    if not v.fixed_term:
        return "unbefristet"
    months = v.term_months or 12
    if months % 12 == 0:
        years = months // 12
        return f"befristet auf {years} Jahr{'e' if years > 1 else ''}"
    return f"befristet auf {months} Monate"


def career_text(v: Vacancy) -> str | None:
    return f"{v.career_level}. Qualifikationsebene" if v.career_level else None


def start_text(v: Vacancy) -> str:
    return f"zum {date_de(v.start_date)}" if v.start_date else "zum nächstmöglichen Zeitpunkt"


def location_text(v: Vacancy) -> str:
    loc = v.location
    return f"{loc.street}, {loc.postal_code} {loc.city}"


def contact_text(v: Vacancy) -> str:
    c = v.contact
    return f"{c.name}, Tel. {c.phone}, {c.email}" if c else ""


_SALARY_DAY = date(2026, 12, 1)  # the sample corpus's day: its sites state that day's table figures


def salary_range(v: Vacancy) -> tuple[int, int] | None:
    """The grade span's monthly range by the published pay tables (config/pay), rounded to whole euros
    as sites state it in schema.org baseSalary; None where the tables do not list the grade."""
    if v.pay_grade_min is None:
        return None
    found = grade_range(v.pay_scale, v.pay_grade_min, v.pay_grade_max or v.pay_grade_min, _SALARY_DAY)
    if found is None or found.low is None or found.high is None:
        return None
    return round(found.low), round(found.high)


def employment_types(v: Vacancy) -> list[str]:
    types = [t.value.upper() for t in v.working_time] or ["FULL_TIME"]
    if v.fixed_term:
        types.append("TEMPORARY")
    if v.posting_type.value == "internship":
        types.append("INTERN")
    return types


def teaser(v: Vacancy) -> str:
    parts = [v.department or "", working_time_text(v), pay_text(v) or ""]
    if v.deadline:
        parts.append(f"Bewerbungsfrist: {date_de(v.deadline)}")
    return " · ".join(p for p in parts if p)
