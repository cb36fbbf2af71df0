"""Pay in euros for pages, JSON-LD and the JSON API (issue 15, item 4): one reading of vacancies.pay
(the JSON API's `pay_euros` is vacancies.pay.pay_euros)."""

from __future__ import annotations

from datetime import date
from typing import Any

from vacancies.model import SalaryUnit, Vacancy
from vacancies.pay import PayRange, pay_range

_UNIT_TEXT = {
    SalaryUnit.month: "brutto/Monat",
    SalaryUnit.year: "brutto/Jahr",
    SalaryUnit.hour: "brutto/Stunde",
}


def euros(amount: float, exact: bool = False) -> str:
    """German format: 3.912 (table figures are shown rounded to 10 €, they are approximate anyway)."""
    shown = amount if exact else round(amount, -1)
    text = f"{shown:,.2f}" if shown % 1 else f"{shown:,.0f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pay_text(v: Vacancy, today: date) -> str:
    """ "ca. 3.900 – 4.600 € brutto/Monat, Stufe 1–6", the posting's own figures, or ""."""
    found = pay_range(v, today)
    if found is None:
        return ""
    if found.table is None:
        return f"{_span(found, exact=True)} € {_UNIT_TEXT[found.unit]} (laut Ausschreibung)"
    text = f"{_span(found, exact=False)} € brutto/Monat, {_steps(v, found)}"
    if found.expired:
        text += f" – Stand: {found.table.name}, gültig bis {found.table.valid_until:%d.%m.%Y}"
    return text


def _span(found: PayRange, exact: bool) -> str:
    prefix = "" if exact else "ca. "
    if found.low is not None and found.high is not None and found.high != found.low:
        return f"{prefix}{euros(found.low, exact)} – {euros(found.high, exact)}"
    if found.low is not None and found.high is None and found.table is not None:
        return f"ab {prefix}{euros(found.low, exact)}"  # an open range: "mind. E 14"
    if found.low is None and found.high is not None:
        return f"bis {prefix}{euros(found.high, exact)}"
    amount = found.low if found.low is not None else found.high
    return f"{prefix}{euros(amount, exact)}" if amount is not None else ""


def _steps(v: Vacancy, found: PayRange) -> str:
    low, high = v.pay_grade_min, v.pay_grade_max
    if low and high and low != high:
        return f"{low} Stufe {found.step_low} bis {high} Stufe {found.step_high}"
    if low and high:
        return f"Stufe {found.step_low}–{found.step_high}"
    return f"{low or high}, Stufe {found.step_low or found.step_high}"


def base_salary(v: Vacancy, today: date) -> dict[str, Any] | None:
    """schema.org baseSalary: a MonetaryAmount in EUR with the range's exact figures."""
    found = pay_range(v, today)
    if found is None:
        return None
    value: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": found.unit.value}
    if found.low is not None:
        value["minValue"] = found.low
    if found.high is not None:
        value["maxValue"] = found.high
    return {"@type": "MonetaryAmount", "currency": "EUR", "value": value}
