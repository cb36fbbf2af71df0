"""German wording of posting facts: numbers, singular/plural, the deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.search.corpus import corpus
from vacancies.pay import grade_text
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


@pytest.mark.parametrize(
    ("days", "label"),
    [(30, "29.12.2026"), (14, "13.12.2026 (noch 14 Tage)"), (1, "30.11.2026 (noch 1 Tag)"),
     (0, "29.11.2026 (endet heute)"), (-2, "27.11.2026 (abgelaufen)")],
)  # fmt: skip
def test_the_result_badge_and_the_facts_show_a_deadline_in_the_same_form(days, label):
    vacancy = posting(deadline=TODAY + timedelta(days=days))
    assert dict(views.facts(vacancy, TODAY))["Bewerbungsfrist"] == label
    assert f"Bewerbungsfrist: {label}" in [text for _, text in present.badges(vacancy, TODAY)]


@pytest.mark.parametrize(
    ("phone", "uri"),
    [("09371 501-0", "tel:+4993715010"), ("+49 (0) 9371/501-0", "tel:+4993715010"),
     ("0049 9371 5010", "tel:+4993715010"), ("Tel. 09371 501-0 (Mo–Fr)", "tel:+4993715010"),
     ("Zentrale", None)],
)  # fmt: skip
def test_phone_numbers_become_international_tel_links(phone, uri):
    assert present.tel_uri(phone) == uri


def test_contact_text_is_escaped_and_odd_addresses_are_not_links():
    from vacancies.model import Contact

    contact = Contact(name="<b>Frau Muster</b>", phone="Zentrale", email="a@b.de?bcc=x@y.de")
    html = present.contact_html(contact)
    assert html == "&lt;b&gt;Frau Muster&lt;/b&gt;, Zentrale, a@b.de?bcc=x@y.de"


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
    assert grade_text(vacancy) == f"TVöD {shown}"
