"""The HR API's typed records (issue 17, item 5): answers stay byte for byte what they were before the
models (expected bodies written out field by field; only the bookkeeping times come from the store)."""

from __future__ import annotations

import json
from typing import Any

from tests.hr.conftest import DISTRICT_A, vacancy_body

PUBLISH_AT = "2030-07-01T08:00:00+02:00"  # a scheduled publication: the posting stays a draft until then


def rendered(body: Any) -> bytes:
    """How the routes rendered their dicts before the models: Starlette's JSONResponse."""
    return json.dumps(body, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def _expected(portal) -> dict[str, Any]:
    stored = portal.hr.postings.get("hr-miltenberg-ATS-2", DISTRICT_A)
    times = {
        name: getattr(stored, name).isoformat().replace("+00:00", "Z")
        for name in ("first_seen", "last_seen", "updated_at")
    }
    return {
        "id": "hr-miltenberg-ATS-2",
        "origin": "hr",
        "source": None,
        "source_url": None,
        "district": "miltenberg",
        "employer": "Landratsamt Miltenberg",  # the district's name when HR leaves it out
        "department": "Kämmerei",
        "title": "Kassierer (m/w/d)",
        "description": "<p>Sie betreuen die Haushaltsplanung.</p>",
        "posting_type": "job",
        "category": "Finanzen & Steuern",
        "working_time": ["full_time", "part_time"],
        "weekly_hours": None,
        "fixed_term": False,
        "term_months": None,
        "status": [],
        "pay_scale": "TVöD",
        "pay_grade_min": "E9a",
        "pay_grade_max": None,
        "career_level": None,
        "remote": "none",
        "location": {
            "street": None,
            "postal_code": "63897",
            "city": "Miltenberg",
            "lat": 49.7045,
            "lon": 9.2673,
        },
        "date_posted": None,  # set when it goes live
        "deadline": None,
        "start_date": None,
        "start_asap": False,
        "salary_min": 3000.0,
        "salary_max": None,
        "salary_unit": "MONTH",
        "reference": None,
        "apply_url": "https://karriere.example.org/4711",
        "apply_email": None,
        "contact": {"name": "Frau Muster", "phone": None, "email": None},
        "attachments": [],
        "state": "draft",
        **times,
        "content_hash": stored.content_hash,
        "external_id": "ATS-2",
        "hidden": False,
        "publish_at": "2030-07-01T06:00:00+00:00",
    }


def test_put_get_and_list_answer_as_before(portal):
    token = portal.hr.accounts.create_token(DISTRICT_A, "ATS A", "test")[1]
    client, headers = portal.client(), {"Authorization": f"Bearer {token}"}
    body = vacancy_body(
        title="Kassierer (m/w/d)", publish_at=PUBLISH_AT, salary_min=3000, contact={"name": "Frau Muster"}
    )
    created = client.put("/api/v1/hr/vacancies/ATS-2", json=body, headers=headers)
    assert created.status_code == 201 and created.headers["content-type"] == "application/json"
    expected = _expected(portal)
    assert created.content == rendered(expected)
    assert client.get("/api/v1/hr/vacancies/ATS-2", headers=headers).content == rendered(expected)
    listing = client.get("/api/v1/hr/vacancies", headers=headers)
    assert listing.content == rendered({"district": "miltenberg", "total": 1, "items": [expected]})
