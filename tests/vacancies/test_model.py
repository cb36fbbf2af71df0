"""The vacancy record: invalid records are refused with a message naming the field and the problem."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from vacancies.model import Vacancy, validation_message

VALID = {"id": "s:1", "source": "s", "district": "miltenberg", "title": "Sachbearbeiter (m/w/d)"}


def message(**changes) -> str:
    with pytest.raises(ValidationError) as caught:
        Vacancy.model_validate({**VALID, **changes})
    return validation_message(caught.value)


def test_valid_minimal_record():
    vacancy = Vacancy.model_validate(VALID)
    assert vacancy.state.value == "published" and vacancy.working_time == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": "  "}, "title:"),
        ({"district": "Miltenberg!"}, "district:"),
        ({"deadline": "31.02.2027"}, "deadline:"),
        ({"pay_grade_min": "EG 9"}, "pay_grade_min: Value error, 'EG 9' ist keine kanonische"),
        ({"pay_grade_min": "E13", "pay_grade_max": "E9a"}, "pay_grade_min liegt über pay_grade_max"),
        ({"working_time": ["nachts"]}, "working_time.0:"),
        ({"career_level": 7}, "career_level:"),
        ({"location": {"postal_code": "6389"}}, "location.postal_code:"),
        ({"location": {"lat": 49.7}}, "lat und lon müssen gemeinsam"),
        ({"apply_url": "javascript:alert(1)"}, "apply_url: Value error, muss eine http(s)-Adresse sein"),
        ({"source": None}, "source fehlt"),
        ({"unbekannt": 1}, "unbekannt: Extra inputs are not permitted"),
        ({"state": "archiviert"}, "state:"),
    ],
)
def test_invalid_records_name_field_and_problem(changes, expected):
    assert expected in message(**changes)


def test_content_hash_ignores_bookkeeping_but_not_content():
    a = Vacancy.model_validate(VALID)
    b = Vacancy.model_validate({**VALID, "last_seen": "2026-11-01T00:00:00Z"})
    c = Vacancy.model_validate({**VALID, "title": "Sachbearbeiterin (m/w/d)"})
    assert a.compute_content_hash() == b.compute_content_hash() != c.compute_content_hash()


def test_record_json_is_the_whole_record_built_on_the_content_json():
    """The store's `data` reuses the content JSON the hash was taken over; nothing may go missing."""
    vacancy = Vacancy.model_validate({
        **VALID, "working_time": ["full_time"], "deadline": "2026-12-31", "location": {"city": "Amorbach"},
        "state": "expired", "first_seen": "2026-11-01T08:00:00Z", "last_seen": "2026-11-02T08:00:00Z",
        "updated_at": "2026-11-02T08:00:00Z", "content_hash": "abc",
    })  # fmt: skip
    content = vacancy.content_json()
    record = vacancy.record_json(content)
    unset_later_fields = {"start_asap", "salary_min", "salary_max", "salary_unit"}
    assert json.loads(record) == json.loads(vacancy.model_dump_json(exclude=unset_later_fields))
    assert Vacancy.model_validate_json(record) == vacancy
    assert vacancy.compute_content_hash(content) == vacancy.compute_content_hash()


def test_fields_added_later_change_the_hash_only_when_set():
    """Stored postings keep their content hash across the upgrade that added start_asap and salary_*."""
    vacancy = Vacancy.model_validate(VALID)
    assert b"start_asap" not in vacancy.content_json() and b"salary" not in vacancy.content_json()
    paid = vacancy.model_copy(update={"salary_min": 3900.0, "salary_max": 4600.0})
    assert b'"salary_min":3900.0' in paid.content_json()
    assert paid.compute_content_hash() != vacancy.compute_content_hash()
    asap = vacancy.model_copy(update={"start_asap": True})
    assert asap.compute_content_hash() not in (vacancy.compute_content_hash(), paid.compute_content_hash())


def test_stated_salary_range_must_be_ordered():
    with pytest.raises(ValidationError, match="salary_min liegt über salary_max"):
        Vacancy.model_validate({**VALID, "salary_min": 5000, "salary_max": 4000})


def test_hr_postings_need_no_source():
    assert Vacancy.model_validate({**VALID, "origin": "hr", "source": None}).origin.value == "hr"
