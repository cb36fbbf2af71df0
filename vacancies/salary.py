"""Amounts in euros a posting states itself: "3.900 – 4.600 € brutto monatlich", schema.org baseSalary.

Stated amounts win over the pay tables (vacancies.pay). The text reader is deliberately narrow: an
amount counts only in a sentence about pay ("Gehalt", "Vergütung", "brutto", "Entgelt") and never in one
about an allowance ("Zulage", "Jahressonderzahlung", "Fahrtkostenzuschuss", "Pauschale"): a wrong
figure on a posting is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vacancies.model import SalaryUnit

_AMOUNT = r"(\d{1,3}(?:\.\d{3})+|\d{2,6})(?:,(\d{2}|-{1,2}))?"
_EURO = r"\s*(?:€|euro\b|eur\b)"
# "3.900 € – 4.600 €", "3.900 bis 4.600 Euro", "zwischen 3.900 und 4.600 €", "4.200 €"
_RANGE_RE = re.compile(
    rf"(?<![\d.,]){_AMOUNT}(?:{_EURO})?\s*(?:-|–|bis|und)\s*{_AMOUNT}{_EURO}|(?<![\d.,]){_AMOUNT}{_EURO}",
    re.IGNORECASE,
)
_PAY_WORD_RE = re.compile(
    r"gehalt|verdienst|verguetung|entgelt|brutto|bezahlung|lohn|besoldung", re.IGNORECASE
)
_NOT_PAY_RE = re.compile(
    r"zulage|zuschuss|zuschlag|sonderzahlung|praemie|pauschale|bonus|leasing|ticket|erstattung|"
    r"beihilfe|fahrt|umzug|weihnacht|leistungsentgelt|einmalzahlung|gebuehr|kosten",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"jaehrlich|jahres|im\s+jahr|pro\s+jahr|p\.\s?a\.|/\s?jahr", re.IGNORECASE)
_HOUR_RE = re.compile(r"stunde|stuendlich|/\s?h\b|std\.", re.IGNORECASE)
_SENTENCE_RE = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÄÖÜ])|\n")
# Plausible gross pay per unit: below, an amount is a fee or an allowance; above, a typo or a budget.
_PLAUSIBLE = {SalaryUnit.month: (800, 20_000), SalaryUnit.year: (10_000, 250_000), SalaryUnit.hour: (10, 150)}


@dataclass(frozen=True)
class StatedSalary:
    low: float | None
    high: float | None
    unit: SalaryUnit = SalaryUnit.month

    def record_fields(self) -> dict[str, Any]:
        return {"salary_min": self.low, "salary_max": self.high, "salary_unit": self.unit.value}


def parse_salary(text: str) -> StatedSalary | None:
    """The first pay sentence with euro amounts; None when none or when they contradict each other."""
    for sentence in _SENTENCE_RE.split(_fold(text or "")):
        if "€" not in sentence and "eur" not in sentence.lower():
            continue
        if not _PAY_WORD_RE.search(sentence) or _NOT_PAY_RE.search(sentence):
            continue
        found = _amounts(sentence)
        if found:
            return found
    return None


def _amounts(sentence: str) -> StatedSalary | None:
    match = _RANGE_RE.search(sentence.replace("\u00a0", " "))
    if not match:
        return None
    groups = match.groups()
    if groups[0] is not None:  # a range
        low, high = _number(groups[0], groups[1]), _number(groups[2], groups[3])
    else:
        low = high = _number(groups[4], groups[5])
    unit = (
        SalaryUnit.hour
        if _HOUR_RE.search(sentence)
        else SalaryUnit.year
        if _YEAR_RE.search(sentence)
        else SalaryUnit.month
    )
    floor, ceiling = _PLAUSIBLE[unit]
    if low > high or not (floor <= low and high <= ceiling):
        return None
    return StatedSalary(low, high, unit) if low != high else StatedSalary(low, None, unit)


def _number(whole: str, cents: str | None) -> float:
    value = float(whole.replace(".", ""))
    return value + (int(cents) / 100 if cents and cents.isdigit() else 0)


_NUMBER_RE = re.compile(r"^\d{1,3}(?:([.,  ])\d{3})*(?:[.,]\d{1,2})?$|^\d+(?:[.,]\d{1,2})?$")


def amount(value: object) -> float | None:
    """A money amount as sites write it: 4600, "4600.00", "4.600,00", "4,600.50", "4 600 €"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value == value and abs(value) != float("inf") else None
    text = re.sub(r"\s*(?:€|eur(?:o)?)\s*$", "", str(value or "").strip(), flags=re.IGNORECASE)
    if not _NUMBER_RE.match(text):
        return None
    # The last separator followed by one or two digits is the decimal mark; the others group thousands.
    decimals = re.search(r"[.,](\d{1,2})$", text)
    whole = text[: decimals.start()] if decimals else text
    number = float(re.sub(r"[.,  ]", "", whole))
    return number + int(decimals.group(1)) / 10 ** len(decimals.group(1)) if decimals else number


def _fold(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("Ä", "Ae").replace("Ö", "Oe")
    return text.replace("Ü", "Ue").replace("ß", "ss")


def from_structured(amounts: dict[str, Any]) -> StatedSalary | None:
    """schema.org MonetaryAmount as structured.py collects it: {currency, value|min|max, unit}."""
    if str(amounts.get("currency") or "EUR").upper() != "EUR":
        return None
    low = amounts.get("min", amounts.get("value"))
    high = amounts.get("max")
    unit = _unit(amounts.get("unit"))
    if unit is None or low is None and high is None:
        return None
    floor, ceiling = _PLAUSIBLE[unit]
    values = [v for v in (low, high) if v is not None]
    if any(not floor <= v <= ceiling for v in values) or (low and high and low > high):
        return None
    return StatedSalary(low, high if high != low else None, unit)


def _unit(text: object) -> SalaryUnit | None:
    key = str(text or "MONTH").strip().upper()
    return {"MONTH": SalaryUnit.month, "YEAR": SalaryUnit.year, "HOUR": SalaryUnit.hour}.get(key)
