"""Normalise and sanitise: raw postings as sites publish them become clean vacancy records."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.items import RawPosting
from crawler.pipelines import sanitise_html, to_record
from vacancies.model import Vacancy


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<style>body{display:none}</style>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">klick</a>',
        '<p onclick="steal()">Text</p>',
        '<iframe src="https://evil.example"></iframe>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_sanitiser_removes_active_content(payload):
    clean = sanitise_html(f"<p>Aufgaben</p>{payload}")
    lowered = clean.lower()
    assert "<script" not in lowered and "<style" not in lowered and "javascript:" not in lowered
    assert "onerror" not in lowered and "onclick" not in lowered and "<iframe" not in lowered
    assert "<p>Aufgaben</p>" in clean


def test_sanitiser_keeps_structure_and_safe_links():
    clean = sanitise_html(
        "<h3>Ihr Profil</h3><ul><li><strong>Studium</strong></li></ul>"
        '<a href="https://lra.example/bewerben">Bewerben</a>'
    )
    assert "<h3>Ihr Profil</h3><ul><li><strong>Studium</strong></li></ul>" in clean
    assert 'href="https://lra.example/bewerben"' in clean and 'rel="noopener noreferrer nofollow"' in clean


def raw(**changes) -> RawPosting:
    base = dict(
        source_id="4711",
        url="https://lra.example/stellen/4711",
        title="Sachbearbeiter (m/w/d) Kämmerei",
        source="miltenberg-web",
        district="miltenberg",
    )
    return RawPosting(**{**base, **changes})


def test_hints_become_record_fields():
    record = to_record(
        raw(
            pay_text="Entgeltgruppe 9c TVöD",
            working_time_text="Vollzeit, teilzeitfähig",
            term_text="befristet auf 2 Jahre",
            deadline="Bewerbungsfrist: 15.01.2027",
            career_text="3. Qualifikationsebene",
        ),
        today=date(2026, 11, 27),
    )
    vacancy = Vacancy.model_validate(record)
    assert vacancy.id == "miltenberg-web:4711"
    assert (vacancy.pay_scale.value, vacancy.pay_grade_min, vacancy.pay_grade_max) == ("TVöD", "E9c", "E9c")
    assert [w.value for w in vacancy.working_time] == ["full_time", "part_time"]
    assert (vacancy.fixed_term, vacancy.term_months) == (True, 24)
    assert vacancy.deadline == date(2027, 1, 15) and vacancy.career_level == 3


def test_facts_are_found_in_the_description_when_no_hint_is_given():
    record = to_record(
        raw(
            description_html="<p>Teilzeit (19,5 Std./Woche), unbefristet, EG 8 TVöD, "
            "mobiles Arbeiten möglich</p>"
        )
    )
    vacancy = Vacancy.model_validate(record)
    assert vacancy.pay_grade_min == "E8" and vacancy.fixed_term is False
    assert [w.value for w in vacancy.working_time] == ["part_time"] and vacancy.weekly_hours == 19.5
    assert vacancy.remote.value == "hybrid"


def test_posting_type_and_structured_values():
    record = to_record(
        raw(
            title="Ausbildung zum Verwaltungsfachangestellten (m/w/d)",
            structured={"working_time": ["full_time"]},
        )
    )
    vacancy = Vacancy.model_validate(record)
    assert vacancy.posting_type.value == "apprenticeship" and [w.value for w in vacancy.working_time] == [
        "full_time"
    ]


def test_bad_values_are_left_out_not_guessed():
    record = to_record(raw(postal_code="6389", deadline="irgendwann", title="  Erzieher  (m/w/d) "))
    assert "postal_code" not in record.get("location", {}) and "deadline" not in record
    assert record["title"] == "Erzieher (m/w/d)"


def test_validation_keeps_a_crawled_posting_whose_link_it_cannot_use():
    """ValidatePipeline drops just an unusable link (javascript:, data:); the posting itself is kept."""
    from crawler.pipelines import ValidatePipeline

    record = to_record(raw(), today=date(2026, 12, 1))
    record.update(
        apply_url="javascript:alert(1)", attachments=["data:text/html,x", "https://lra.example/a.pdf"]
    )
    vacancy = ValidatePipeline(crawler=None).process_item(record)
    assert vacancy.apply_url is None and vacancy.attachments == ["https://lra.example/a.pdf"]
    assert vacancy.title == "Sachbearbeiter (m/w/d) Kämmerei"
