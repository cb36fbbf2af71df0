"""Pay in euros: the published public pay tables (config/pay/*.yaml) and what a posting's grade pays.

Each table file holds the monthly gross amounts of one pay table (TVöD VKA, TVöD SuE, TV-L, BayBesG A)
per grade and step, with its validity and the source the amounts were read from; nothing here computes
or estimates an amount. A posting's range runs from step 1 (the first existing step) of its lowest grade
to the last step of its highest grade. A table past its validity is still used – amounts only rise – but
flagged: on the posting ("Stand der Tabelle …") and in the operator's output (`stellenboerse pay-tables`,
the start of `serve` and `demo`), so it is never used silently.

Amounts a posting states itself (schema.org baseSalary, "3.800 € brutto monatlich") win over the tables.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from vacancies import clock
from vacancies.model import PayScale, SalaryUnit, Vacancy

# The S grades of the social and educational service have their own tables.
_S_TABLE_OF = {PayScale.tvoed: PayScale.tvoed_sue, PayScale.tvoed_sue: PayScale.tvoed_sue}
_TABLE_KEYS = {"name", "pay_scale", "valid_from", "valid_until", "source", "grades"}


class PayTableError(ValueError):
    """A table file that cannot be trusted (missing keys, amounts that are not numbers, wrong order)."""


@dataclass(frozen=True)
class PayTable:
    name: str
    pay_scale: PayScale
    valid_from: date
    valid_until: date | None
    source: str
    grades: dict[str, tuple[float | None, ...]]
    path: Path
    source_title: str = ""
    cross_checked: str | None = None
    note: str = ""
    s_grades: bool = False  # a table of S grades (TVöD SuE, TV-L S)

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def expired(self, day: date) -> bool:
        return self.valid_until is not None and day > self.valid_until

    def steps(self, grade: str) -> list[tuple[int, float]]:
        """(step number, amount) of the existing steps of a grade."""
        return [(i, amount) for i, amount in enumerate(self.grades.get(grade, ()), 1) if amount is not None]


@dataclass(frozen=True)
class PayRange:
    """What a posting pays per month (or year/hour when stated so), and where the figure comes from."""

    low: float | None
    high: float | None
    unit: SalaryUnit = SalaryUnit.month
    table: PayTable | None = None  # None: the posting states the amounts itself
    step_low: int | None = None
    step_high: int | None = None
    expired: bool = False

    @property
    def monthly_high(self) -> float | None:
        """The upper monthly figure the minimum-pay filter compares with (a yearly sum counts as 1/12)."""
        top = self.high if self.high is not None else self.low
        if top is None or self.unit == SalaryUnit.hour:
            return None
        return top / 12 if self.unit == SalaryUnit.year else top


def default_dir() -> Path:
    from vacancies.settings import get_settings

    return get_settings().config_dir / "pay"


@functools.lru_cache(maxsize=8)
def load_tables(directory: Path | None = None) -> tuple[PayTable, ...]:
    """All tables of a directory (default: config/pay), oldest first per pay scale."""
    folder = directory or default_dir()
    tables = [read_table(path) for path in sorted(folder.glob("*.yaml"))]
    return tuple(sorted(tables, key=lambda t: (t.pay_scale.value, t.s_grades, t.valid_from)))


def read_table(path: Path) -> PayTable:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PayTableError(f"{path.name}: nicht lesbar ({error})") from None
    if not isinstance(data, dict) or not set(data) >= _TABLE_KEYS:
        raise PayTableError(
            f"{path.name}: es fehlen Angaben ({', '.join(sorted(_TABLE_KEYS - set(data or {})))})"
        )
    grades = {
        str(grade).replace(" ", ""): _amounts(path, grade, row) for grade, row in data["grades"].items()
    }
    return PayTable(
        name=str(data["name"]),
        pay_scale=PayScale(data["pay_scale"]),
        valid_from=_day(path, data["valid_from"]),
        valid_until=_day(path, data["valid_until"]) if data["valid_until"] else None,
        source=str(data["source"]),
        grades=grades,
        path=path,
        source_title=str(data.get("source_title") or ""),
        cross_checked=data.get("cross_checked"),
        note=str(data.get("note") or ""),
        s_grades=all(grade.startswith("S") for grade in grades),
    )


def _day(path: Path, value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PayTableError(f"{path.name}: „{value}“ ist kein Datum (JJJJ-MM-TT)") from None


def _amounts(path: Path, grade: object, row: object) -> tuple[float | None, ...]:
    if not isinstance(row, list) or not all(a is None or isinstance(a, int | float) for a in row):
        raise PayTableError(f"{path.name}: {grade} braucht eine Liste von Beträgen je Stufe")
    present = [a for a in row if a is not None]
    if present != sorted(present) or any(a <= 0 for a in present):
        raise PayTableError(f"{path.name}: die Beträge von {grade} steigen nicht von Stufe zu Stufe")
    return tuple(float(a) if a is not None else None for a in row)


def table_for(pay_scale: PayScale, grade: str, day: date, tables: tuple[PayTable, ...]) -> PayTable | None:
    """The table in force on `day` for a grade of a pay scale; else the newest one already begun
    (expired: flagged by the caller); None when no table of that scale lists the grade."""
    s_grade = grade.startswith("S")
    scale = _S_TABLE_OF.get(pay_scale, pay_scale) if s_grade else pay_scale
    candidates = [
        t
        for t in tables
        if t.pay_scale == scale and t.s_grades == s_grade and grade in t.grades and t.valid_from <= day
    ]
    in_force = [t for t in candidates if t.in_force(day)]
    found = in_force or candidates
    return found[-1] if found else None


def pay_range(
    vacancy: Vacancy, day: date | None = None, tables: tuple[PayTable, ...] | None = None
) -> PayRange | None:
    """The posting's own amounts, else the range its grades pay by the tables; None when unknown."""
    if vacancy.salary_min is not None or vacancy.salary_max is not None:
        return PayRange(vacancy.salary_min, vacancy.salary_max, vacancy.salary_unit or SalaryUnit.month)
    return grade_range(vacancy.pay_scale, vacancy.pay_grade_min, vacancy.pay_grade_max, day, tables)


def grade_range(
    pay_scale: PayScale | None,
    grade_min: str | None,
    grade_max: str | None,
    day: date | None = None,
    tables: tuple[PayTable, ...] | None = None,
) -> PayRange | None:
    """Step 1 of the lowest grade to the last step of the highest; an open range ("ab E14") keeps
    its open end open."""
    if pay_scale is None or not (grade_min or grade_max):
        return None
    day = day or clock.today()
    tables = load_tables() if tables is None else tables
    low = _end(pay_scale, grade_min, day, tables, first=True) if grade_min else None
    high = _end(pay_scale, grade_max, day, tables, first=False) if grade_max else None
    if (grade_min and low is None) or (grade_max and high is None):
        return None  # a grade the tables do not list: no figure rather than half of one
    used = [end for end in (low, high) if end is not None]
    table = used[0][2]
    return PayRange(
        low=low[1] if low else None,
        high=high[1] if high else None,
        table=table,
        step_low=low[0] if low else None,
        step_high=high[0] if high else None,
        expired=any(end[2].expired(day) for end in used),
    )


def _end(
    pay_scale: PayScale, grade: str, day: date, tables: tuple[PayTable, ...], first: bool
) -> tuple[int, float, PayTable] | None:
    table = table_for(pay_scale, grade, day, tables)
    steps = table.steps(grade) if table else []
    if table is None or not steps:
        return None
    step, amount = steps[0] if first else steps[-1]
    return step, amount, table


def table_warnings(day: date | None = None, tables: tuple[PayTable, ...] | None = None) -> list[str]:
    """German lines for the operator: pay scales whose newest table is past its validity."""
    day = day or clock.today()
    tables = load_tables() if tables is None else tables
    newest: dict[tuple[PayScale, bool], PayTable] = {}
    for table in tables:  # oldest first: the last one per scale wins
        if table.valid_from <= day:
            newest[(table.pay_scale, table.s_grades)] = table
    return [
        f"Entgelttabelle abgelaufen: {t.name} galt bis {t.valid_until:%d.%m.%Y} "
        f"({t.path.name}) – bitte die aktuelle Tabelle eintragen; bis dahin zeigen Stellen "
        "Beträge mit Hinweis auf den Stand."
        for t in newest.values()
        if t.expired(day)
    ]


def grade_text(v: Vacancy) -> str:
    """The grades as pages and feeds show them: "TVöD E9a–E10", "TV-L ab E13", "A13"."""
    low, high = v.pay_grade_min, v.pay_grade_max
    if low and high:
        grade = low if low == high else f"{low}–{high}"
    else:  # an open range ("mind. E 14", "bis zu E 9c") says which end it is
        grade = f"ab {low}" if low else f"bis {high}" if high else ""
    if not grade:
        return v.pay_scale.value if v.pay_scale else ""
    return f"{v.pay_scale.value} {grade}" if v.pay_scale else grade


def pay_euros(v: Vacancy, today: date) -> dict[str, Any] | None:
    """The JSON API's `pay_euros`: figures, unit, and where they come from (pay table or posting)."""
    found = pay_range(v, today)
    if found is None:
        return None
    body: dict[str, Any] = {"min": found.low, "max": found.high, "unit": found.unit.value, "currency": "EUR"}
    if found.table is None:
        body["source"] = "posting"
        return body
    t = found.table
    body.update(
        source="pay_table",
        approximate=True,
        steps={"from": found.step_low, "to": found.step_high},
        table={
            "name": t.name,
            "valid_from": t.valid_from.isoformat(),
            "valid_until": t.valid_until.isoformat() if t.valid_until else None,
            "expired": found.expired,
            "source": t.source,
        },
    )
    return body
