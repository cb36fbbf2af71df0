"""German wording of posting facts: numbers, singular/plural, the deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.search.corpus import corpus
from web import present, views

TODAY = date(2026, 11, 29)


def posting(**changes):
    return corpus()[0].model_copy(update=changes)


@pytest.mark.parametrize(("hours", "shown"), [(29.25, "29,25"), (19.5, "19,5"), (40.0, "40"), (7.7, "7,7")])
def test_weekly_hours_keep_their_decimals_without_trailing_zeros(hours, shown):
    assert present.working_time_text(posting(weekly_hours=hours)).endswith(f"({shown} Std./Woche)")


def test_one_month_is_singular():
    one = posting(fixed_term=True, term_months=1)
    assert present.term_text(one) == "befristet auf 1 Monat"
    assert ("", "befristet (1 Monat)") in present.badges(one, TODAY)
    assert present.term_text(posting(fixed_term=True, term_months=6)) == "befristet auf 6 Monate"


def test_a_far_deadline_is_shown_once_a_near_one_with_the_days_left():
    far = dict(views.facts(posting(deadline=TODAY + timedelta(days=30)), TODAY))
    assert far["Bewerbungsfrist"] == "29.12.2026"
    near = dict(views.facts(posting(deadline=TODAY + timedelta(days=3)), TODAY))
    assert near["Bewerbungsfrist"] == "02.12.2026 (noch 3 Tage)"


def test_json_ld_deadline_has_the_german_offset_of_its_day():
    from web.jsonld import job_posting

    summer = job_posting(posting(deadline=date(2027, 7, 15)), "https://example.org/stellen/x", "Text")
    winter = job_posting(posting(deadline=date(2027, 1, 15)), "https://example.org/stellen/x", "Text")
    assert summer["validThrough"] == "2027-07-15T23:59:59+02:00"
    assert winter["validThrough"] == "2027-01-15T23:59:59+01:00"


def test_a_regular_job_is_called_arbeitsstelle_not_stelle():
    from vacancies.model import PostingType

    facts = dict(views.facts(posting(posting_type=PostingType.job), TODAY))
    assert facts["Art der Stelle"] == "Arbeitsstelle"


@pytest.mark.parametrize(
    ("low", "high", "shown"),
    [("E9b", "E9b", "E9b"), ("E9b", "E11", "E9b–E11"), ("E14", None, "ab E14"), (None, "E9c", "bis E9c")],
)
def test_an_open_pay_range_says_which_end_it_is(low, high, shown):
    from vacancies.model import PayScale

    vacancy = posting(pay_scale=PayScale("TVöD"), pay_grade_min=low, pay_grade_max=high)
    assert present.pay_grade(vacancy) == f"TVöD {shown}"
