"""Bad input is a 4xx with a German message, never a 500 and never half-written (issue 13).

HR API bodies (depth, number size, size cap, dates), portal URLs (token ids), and the http(s)-only rule
for the links a posting carries (import, HR, crawl, rows written before the rule)."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from tests.hr.conftest import DISTRICT_A, csrf_of, vacancy_body
from tests.search.corpus import TODAY
from vacancies.model import DROP_BAD_URLS, Vacancy

PUT = "/api/v1/hr/vacancies/ats-1"


@pytest.fixture
def api(portal):
    secret = portal.hr.accounts.create_token(DISTRICT_A, "ATS", "test")[1]
    return portal, portal.client(), {"Authorization": f"Bearer {secret}"}


def _put_raw(client, headers, body: bytes | str):
    return client.put(PUT, content=body, headers={**headers, "Content-Type": "application/json"})


def _nothing_written(portal) -> None:
    assert portal.board.get("hr-miltenberg-ats-1") is None
    assert portal.hr.audit.entries(vacancy_id="hr-miltenberg-ats-1") == []


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


# -- JSON bodies of the HR API -------------------------------------------------------------------------------


def test_json_nested_100000_deep_is_a_422_not_a_recursion_error(api):
    portal, client, auth = api
    body = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    problem = _problem(_put_raw(client, auth, body), 422)
    assert "zu tief verschachtelt" in problem["detail"]
    _nothing_written(portal)


def test_json_nested_past_64_levels_is_refused_below_is_validated(api):
    portal, client, auth = api
    too_deep = json.dumps(vacancy_body(title=json.loads("[" * 65 + "]" * 65)))
    assert "höchstens 64 Ebenen" in _problem(_put_raw(client, auth, too_deep), 422)["detail"]
    shallow = json.dumps(vacancy_body(title=json.loads("[" * 3 + "]" * 3)))
    assert "title" in _problem(_put_raw(client, auth, shallow), 422)["detail"]  # an ordinary field error
    _nothing_written(portal)


def test_a_5000_digit_integer_is_a_422_not_a_value_error(api):
    portal, client, auth = api
    body = json.dumps(vacancy_body(fixed_term=True))[:-1] + ', "term_months": ' + "9" * 5000 + "}"
    assert "Zahl" in _problem(_put_raw(client, auth, body), 422)["detail"]
    _nothing_written(portal)


@pytest.mark.parametrize("number", ["1e999", "NaN", "-Infinity"])
def test_numbers_json_cannot_carry_are_refused(api, number):
    portal, client, auth = api
    body = json.dumps(vacancy_body())[:-1] + f', "weekly_hours": {number}' + "}"
    _problem(_put_raw(client, auth, body), 422)
    _nothing_written(portal)


def test_a_body_over_1_mb_is_a_413_in_german(api):
    portal, client, auth = api
    body = json.dumps(vacancy_body(description="x" * (1024 * 1024)))
    problem = _problem(_put_raw(client, auth, body), 413)
    assert "größer als 1 MB" in problem["detail"]
    _nothing_written(portal)


def test_a_chunked_body_over_1_mb_is_cut_off_while_it_streams(api):
    portal, client, auth = api

    def chunks():  # no Content-Length: the server must count
        for _ in range(64):
            yield b" " * 65536

    response = client.put(PUT, content=chunks(), headers={**auth, "Content-Type": "application/json"})
    assert _problem(response, 413)["status"] == 413
    _nothing_written(portal)


# -- dates ---------------------------------------------------------------------------------------------------


def test_publish_at_in_year_9999_is_a_422_and_creates_no_draft(api):
    portal, client, auth = api
    body = vacancy_body(state="draft", publish_at="9999-12-31T23:59:59-12:00")
    for _ in range(2):  # a retry gets the same answer (it used to 500 again and again)
        problem = _problem(client.put(PUT, json=body, headers=auth), 422)
        assert problem["errors"][0]["field"] == "publish_at"
        assert "zwischen den Jahren 1900 und 2100" in problem["detail"]
    _nothing_written(portal)


@pytest.mark.parametrize("field", ["deadline", "start_date"])
def test_dates_beyond_2100_are_a_422(api, field):
    portal, client, auth = api
    problem = _problem(client.put(PUT, json=vacancy_body(**{field: "9999-12-31"}), headers=auth), 422)
    message = "muss zwischen den Jahren 1900 und 2100 liegen"
    assert problem["errors"][0] == {"field": field, "message": message}


def test_scheduling_in_the_portal_for_year_9999_is_a_422_page(portal):
    client = portal.client("own")
    page = client.get("/hr/stellen/neu")
    form = {"csrf_token": csrf_of(page.text), "title": "Gärtner (m/w/d)", "location.postal_code": "63897",
            "apply_email": "bewerbung@lra-miltenberg.de"}  # fmt: skip
    created = client.post("/hr/stellen/neu", data=form)
    vacancy_id = created.headers["location"].split("/hr/stellen/", 1)[1].split("?")[0]
    editor = client.get(f"/hr/stellen/{vacancy_id}")
    response = client.post(
        f"/hr/stellen/{vacancy_id}/planen",
        data={"csrf_token": csrf_of(editor.text), "publish_at": "9999-12-31T23:59:59-12:00"},
    )
    assert response.status_code == 422 and "zwischen den Jahren 1900 und 2100" in response.text
    assert portal.hr.postings.extras(vacancy_id)["publish_at"] is None
    assert [e.action for e in portal.hr.audit.entries(vacancy_id=vacancy_id)] == ["create"]


# -- ids in portal URLs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("token_id", ["1" * 30, "9223372036854775808", "-1", "0", "1e3"])
def test_a_token_id_sqlite_cannot_hold_is_a_404(portal, token_id):
    client = portal.client("own")
    csrf = csrf_of(client.get("/hr/zugaenge").text)
    response = client.post(f"/hr/zugaenge/{token_id}/widerrufen", data={"csrf_token": csrf})
    assert response.status_code == 404 and "gibt es nicht" in response.text


def test_the_largest_int64_token_id_is_an_ordinary_404(portal):
    client = portal.client("own")
    csrf = csrf_of(client.get("/hr/zugaenge").text)
    response = client.post("/hr/zugaenge/9223372036854775807/widerrufen", data={"csrf_token": csrf})
    assert response.status_code == 404


# -- links: http(s) only -------------------------------------------------------------------------------------

BAD_URLS = ["javascript:alert(document.domain)", "data:text/html,<script>alert(1)</script>", "//evil.example"]


def _record(**overrides) -> dict:
    record = {"id": "imp-1", "source": "import", "district": DISTRICT_A, "title": "Förster (m/w/d)",
              "date_posted": TODAY.isoformat()}  # fmt: skip
    return {**record, **overrides}


@pytest.mark.parametrize("url", BAD_URLS)
def test_import_refuses_a_bad_attachment_url_naming_the_line(tmp_path, url):
    path = tmp_path / "stellen.jsonl"
    lines = [_record(id="ok", attachments=["https://lra.example/a.pdf"]), _record(attachments=[url])]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    environment = {"STELLEN_DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}", "PATH": "/usr/bin:/bin",
                   "STELLEN_SEARCH_BACKEND": "sqlite", "STELLEN_TODAY": TODAY.isoformat()}  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "cli.main", "import", str(path)], capture_output=True,
                            text=True, env=environment, timeout=120)  # fmt: skip
    assert result.returncode == 1
    assert "stellen.jsonl:2: attachments" in result.stderr and "http(s)-Adresse" in result.stderr
    assert "1 neu" in result.stdout


@pytest.mark.parametrize("url", BAD_URLS)
def test_hr_api_refuses_a_bad_apply_url(api, url):
    portal, client, auth = api
    problem = _problem(client.put(PUT, json=vacancy_body(apply_url=url), headers=auth), 422)
    assert problem["errors"][0]["field"] == "apply_url"
    _nothing_written(portal)


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_crawl_drops_just_the_bad_link_and_keeps_the_posting(url):
    record = _record(origin="crawled", apply_url=url, attachments=[url, "https://lra.example/a.pdf"])
    vacancy = Vacancy.model_validate(record, context=DROP_BAD_URLS)
    assert vacancy.apply_url is None and vacancy.attachments == ["https://lra.example/a.pdf"]
    with pytest.raises(ValueError, match="http\\(s\\)-Adresse"):
        Vacancy.model_validate(record)  # without the crawl's context: refused


def test_a_bad_link_stored_before_the_rule_is_not_rendered(portal):
    portal.board.save([Vacancy.model_validate(_record(attachments=["https://lra.example/a.pdf"]))])
    with portal.board.store.engine.begin() as conn:  # a row an older release imported
        data = json.loads(conn.scalar(text("SELECT data FROM vacancies WHERE id = 'imp-1'")))
        data["attachments"] = ["javascript:alert(1)", "https://lra.example/a.pdf"]
        conn.execute(text("UPDATE vacancies SET data = :d WHERE id = 'imp-1'"), {"d": json.dumps(data)})
    client = portal.client()
    old_address = client.get("/stellen/imp-1")
    assert old_address.status_code == 301
    page = client.get(urlsplit(old_address.headers["location"]).path)
    assert page.status_code == 200 and "Förster" in page.text
    assert "javascript:" not in page.text and "https://lra.example/a.pdf" in page.text
