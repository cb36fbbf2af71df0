"""Euros a posting states itself (issue 15, item 4): they win over the pay tables, so read them narrowly."""

from __future__ import annotations

import pytest

from vacancies.model import SalaryUnit
from vacancies.salary import StatedSalary, amount, from_structured, parse_salary

MONTH, YEAR, HOUR = SalaryUnit.month, SalaryUnit.year, SalaryUnit.hour


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Das Gehalt beträgt 3.900 – 4.600 € brutto monatlich.", StatedSalary(3900, 4600, MONTH)),
        ("Vergütung: zwischen 3.912,50 und 4.100 Euro brutto", StatedSalary(3912.5, 4100, MONTH)),
        ("Wir bieten ein Bruttomonatsgehalt von 4.250 €.", StatedSalary(4250, None, MONTH)),
        ("Jahresgehalt: 58.000 bis 64.000 EUR", StatedSalary(58000, 64000, YEAR)),
        ("Vergütung 15,50 € pro Stunde", StatedSalary(15.5, None, HOUR)),
        ("Gehalt 450 € brutto monatlich (Minijob)", None),  # below a month's plausible floor: no pay figure
        ("Stundenlohn: 18,50 €/Std. brutto", StatedSalary(18.5, None, HOUR)),
        ("Die Vergütung erfolgt nach TVöD E 9b.", None),  # a grade, no euros: the tables answer
        # Allowances and benefits are no pay figures.
        ("Fahrtkostenzuschuss bis 50 € im Monat", None),
        ("Jahressonderzahlung und eine Zulage von 150 € brutto monatlich", None),
        ("Fahrradleasing und ein Deutschlandticket-Zuschuss von 58,00 € brutto", None),
        ("Die Bewerbungskosten von 1.200 € werden nicht erstattet.", None),
        # Contradictions or nonsense give none.
        ("Gehalt: 4.600 – 3.900 € brutto", None),
        ("Gehalt: 1.000.000 € brutto monatlich", None),
        ("", None),
    ],
)
def test_parse_salary_wording(text, expected):
    assert parse_salary(text) == expected


def test_pay_sentence_is_found_further_down():
    text = "Ihre Aufgaben: Planung.\nWir bieten: Fahrtkostenzuschuss 50 €.\nGehalt: 4.100 € brutto im Monat."
    assert parse_salary(text) == StatedSalary(4100, None, MONTH)


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        ({"currency": "EUR", "min": 3900, "max": 4600, "unit": "MONTH"}, StatedSalary(3900, 4600, MONTH)),
        ({"currency": "EUR", "value": 52000, "unit": "YEAR"}, StatedSalary(52000, None, YEAR)),
        ({"min": 3900.0, "max": 3900.0}, StatedSalary(3900, None, MONTH)),
        ({"currency": "CHF", "min": 6000, "max": 7000, "unit": "MONTH"}, None),
        ({"currency": "EUR", "min": 4600, "max": 3900, "unit": "MONTH"}, None),
        ({"currency": "EUR", "value": 3, "unit": "MONTH"}, None),
        ({"currency": "EUR", "value": 4000, "unit": "WEEK"}, None),
    ],
)
def test_schema_org_amounts(amounts, expected):
    assert from_structured(amounts) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4600, 4600.0),
        ("4600.00", 4600.0),
        ("4.600,00", 4600.0),
        ("4.600", 4600.0),
        ("4,600.50", 4600.5),
        ("4 600 €", 4600.0),
        ("3912,5", 3912.5),
        ("EUR 4600", None),
        ("viel", None),
        (True, None),
        (float("nan"), None),
        ("", None),
    ],
)
def test_amounts_as_sites_write_them(value, expected):
    assert amount(value) == expected
