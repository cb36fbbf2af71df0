"""The crawler keeps euros a site states and a start "as soon as possible" (issue 15, items 4 and 5)."""

from __future__ import annotations

from datetime import date

from crawler.items import RawPosting
from crawler.pipelines import to_record
from crawler.strategies.structured import _fill_salary
from vacancies.model import SalaryUnit, Vacancy

TODAY = date(2026, 12, 3)


def raw(**changes) -> RawPosting:
    base = dict(source_id="1", url="https://lra.example/stellen/1", title="Sachbearbeiter (m/w/d)",
                source="miltenberg-web", district="miltenberg")  # fmt: skip
    return RawPosting(**{**base, **changes})


def vacancy(posting: RawPosting) -> Vacancy:
    return Vacancy.model_validate(to_record(posting, today=TODAY))


def test_schema_org_base_salary_becomes_the_stated_range():
    posting = raw(pay_text=None)
    _fill_salary(posting, {"@type": "MonetaryAmount", "currency": "EUR",
                           "value": {"@type": "QuantitativeValue", "minValue": 3900, "maxValue": "4.600,00",
                                     "unitText": "MONTH"}})  # fmt: skip
    v = vacancy(posting)
    assert (v.salary_min, v.salary_max, v.salary_unit) == (3900, 4600, SalaryUnit.month)


def test_a_pay_sentence_in_the_text_is_read_and_an_allowance_is_not():
    v = vacancy(raw(description_html="<p>Wir zahlen einen Fahrtkostenzuschuss von 50 €.</p>"
                                     "<p>Das Gehalt beträgt 4.100 € brutto monatlich.</p>"))  # fmt: skip
    assert (v.salary_min, v.salary_max) == (4100, None)
    assert vacancy(raw(description_html="<p>Zulage von 300 € brutto monatlich</p>")).salary_min is None


def test_grades_stay_beside_stated_euros():
    v = vacancy(raw(pay_text="Entgeltgruppe 9b TVöD, Gehalt 3.900 bis 5.300 € brutto"))
    assert (v.pay_grade_min, v.salary_min, v.salary_max) == ("E9b", 3900, 5300)


def test_start_as_soon_as_possible_is_a_start_not_a_date_or_deadline():
    v = vacancy(raw(start_date="ab sofort", deadline="baldmöglichst"))
    assert v.start_asap and v.start_date is None and v.deadline is None
    text = vacancy(raw(description_html="<p>Die Stelle ist zum nächstmöglichen Zeitpunkt zu besetzen.</p>"))
    assert text.start_asap


def test_a_start_date_is_no_asap():
    v = vacancy(raw(start_date="zum 01.04.2027", description_html="<p>Bewerbungen ab sofort.</p>"))
    assert v.start_date == date(2027, 4, 1) and not v.start_asap
