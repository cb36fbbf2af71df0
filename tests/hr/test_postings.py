"""The vacancy editor and lifecycle: fields, validation next to the field, preview, publish (now or
scheduled), unpublish, withdraw, expiry, hiding crawled postings, the PDF attachment."""

from __future__ import annotations

import re
import select
import socket
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import httpx2
import pytest
from markupsafe import escape

from tests.hr.conftest import DISTRICT_A, EMAILS, PASSWORD, crawled, csrf_of
from tests.hr.pdfs import valid_pdf
from vacancies.model import Origin, State
from vacancies.search.contract import SearchQuery

FUTURE = (date.today() + timedelta(days=30)).isoformat()
FULL_FORM = {
    "title": "Verwaltungsfachangestellte (m/w/d) Kreiskasse",
    "department": "Kreiskasse",
    "employer": "",
    "description": "Sie buchen **Zahlungen**.\n- Kasse",
    "posting_type": "job",
    "category": "Verwaltung",
    "working_time": ["full_time", "part_time"],
    "weekly_hours": "39",
    "fixed_term": "on",
    "term_months": "24",
    "status": ["employee"],
    "pay_scale": "TVöD",
    "pay_grade_min": "EG 9a",
    "pay_grade_max": "E 9 c",
    "career_level": "2",
    "remote": "hybrid",
    "location.street": "Brückenstraße 2",
    "location.postal_code": "63897",
    "location.city": "",
    "deadline": FUTURE,
    "start_date": FUTURE,
    "reference": "2026-17",
    "apply_url": "https://karriere.example.org/2026-17",
    "apply_email": "bewerbung@lra-mil.example.org",
    "contact.name": "Frau Muster",
    "contact.phone": "09371 501-0",
    "contact.email": "muster@lra-mil.example.org",
}


def _create(client, form: dict) -> str:
    csrf = csrf_of(client.get("/hr/stellen/neu").text)
    response = client.post("/hr/stellen/neu", data={**form, "csrf_token": csrf})
    assert response.status_code == 303, response.text[:2000]
    return response.headers["location"].split("/")[-1].split("?")[0]


def _post(client, path: str, data: dict | None = None, **kwargs):
    csrf = csrf_of(client.get("/hr/").text)
    return client.post(path, data={**(data or {}), "csrf_token": csrf}, **kwargs)


def _search(portal, text: str, **kwargs) -> set[str]:
    return {hit.vacancy.id for hit in portal.board.search(SearchQuery(text=text, **kwargs)).items}


def test_every_field_is_stored_normalised(portal):
    client = portal.client("own")
    vacancy = portal.board.get(_create(client, FULL_FORM))
    assert (
        vacancy.id.startswith(f"hr-{DISTRICT_A}-") and vacancy.origin == Origin.hr and vacancy.source is None
    )
    assert vacancy.state == State.draft
    assert vacancy.employer == "Landratsamt Miltenberg"  # the default
    assert (vacancy.pay_grade_min, vacancy.pay_grade_max) == ("E9a", "E9c")
    assert vacancy.location.city == "Miltenberg" and vacancy.location.lat and vacancy.location.lon  # geocoded
    assert vacancy.location.street == "Brückenstraße 2"
    assert [w.value for w in vacancy.working_time] == ["full_time", "part_time"]
    assert vacancy.fixed_term and vacancy.term_months == 24 and vacancy.weekly_hours == 39
    assert (
        vacancy.career_level == 2 and vacancy.remote.value == "hybrid" and vacancy.pay_scale.value == "TVöD"
    )
    assert vacancy.contact.name == "Frau Muster" and vacancy.apply_email == "bewerbung@lra-mil.example.org"
    assert vacancy.deadline.isoformat() == FUTURE and vacancy.reference == "2026-17"
    page = client.get(f"/hr/stellen/{vacancy.id}").text  # the editor shows it all again
    assert 'value="E9a"' in page and 'value="Brückenstraße 2"' in page and "checked" in page


def test_html_typed_into_the_description_is_text_never_markup(portal):
    """The editor's field is text with a small markup: typed HTML is shown as typed, never run."""
    client = portal.client("own")
    typed = '<p onclick="x()">Text<script>alert(1)</script><a href="javascript:x">l</a></p>'
    vacancy = portal.board.get(_create(client, {**FULL_FORM, "description": typed}))
    assert vacancy.description == (
        '<p>&lt;p onclick="x()"&gt;Text&lt;script&gt;alert(1)&lt;/script&gt;'
        '&lt;a href="javascript:x"&gt;l&lt;/a&gt;&lt;/p&gt;</p>'
    )
    assert f">{escape(typed)}</textarea>" in client.get(f"/hr/stellen/{vacancy.id}").text  # as typed


def test_the_error_summary_names_each_field(portal):
    client = portal.client("own")
    csrf = csrf_of(client.get("/hr/stellen/neu").text)
    changes = {"title": "", "location.postal_code": "6389", "csrf_token": csrf}
    html = client.post("/hr/stellen/neu", data={**FULL_FORM, **changes}).text
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert '<a href="#f-title">Stellentitel: Pflichtangabe</a>' in summary
    assert '<a href="#f-location-postal_code">Postleitzahl: ' in summary


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Pflichtangabe"),
        ({"location.postal_code": "6389"}, "location-postal_code", "fünfstellige Postleitzahl"),
        ({"location.postal_code": "00000"}, "location-postal_code", "nicht bekannt"),
        ({"pay_grade_min": "Chef"}, "pay_grade_min", "keine Entgelt- oder Besoldungsgruppe"),
        ({"pay_grade_min": "A13", "pay_grade_max": "A9"}, "pay_grade_max", "unter der niedrigsten"),
        ({"weekly_hours": "viele"}, "weekly_hours", "muss eine Zahl sein"),
        ({"weekly_hours": "70"}, "weekly_hours", "höchstens 60"),
        ({"deadline": "2001-01-01"}, "deadline", "Vergangenheit"),
        ({"apply_url": "ftp://x", "apply_email": ""}, "apply_url", "https://"),
        ({"apply_url": "", "apply_email": ""}, "apply_url", "Bewerbungsadresse"),
        ({"apply_email": "keine-mail"}, "apply_email", "keine gültige E-Mail-Adresse"),
        ({"fixed_term": "", "term_months": "12"}, "term_months", "nur bei befristeten"),
        ({"career_level": "7"}, "career_level", "höchstens 4"),
    ],
)
def test_validation_errors_appear_next_to_their_field(portal, changes, field, message):
    client = portal.client("own")
    csrf = csrf_of(client.get("/hr/stellen/neu").text)
    response = client.post("/hr/stellen/neu", data={**FULL_FORM, **changes, "csrf_token": csrf})
    assert response.status_code == 422
    shown = re.search(rf'id="f-{field}-fehler">([^<]+)<', response.text)
    assert shown and message in shown.group(1), response.text[:3000]
    assert f'aria-describedby="f-{field}-hilfe f-{field}-fehler"' in response.text or (
        f'aria-describedby="f-{field}-fehler"' in response.text
    )
    assert 'value="Verwaltungsfachangestellte (m/w/d) Kreiskasse"' in response.text or field == "title"


def _article(page: str) -> str:
    return page.split('<article class="posting">', 1)[1].split("</article>", 1)[0]


def test_preview_is_the_public_posting_page_before_it_is_public(portal):
    """Issue 16, item 2: the preview had its own template, and lists and paragraphs looked different."""
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    preview = client.get(f"/hr/stellen/{vacancy_id}/vorschau")
    assert preview.status_code == 200 and preview.headers["cache-control"] == "no-store"
    assert "Vorschau (Entwurf)" in preview.text and '<meta name="robots" content="noindex, nofollow">' in (
        preview.text
    )
    article = _article(preview.text)
    assert "<p>Sie buchen <strong>Zahlungen</strong>.</p><ul><li>Kasse</li></ul>" in article
    assert "Verwaltungsfachangestellte (m/w/d) Kreiskasse" in article and "E9a" in article
    assert "Jetzt bewerben" in article  # the apply button of a published posting
    assert client.get(f"/stellen/{vacancy_id}").status_code == 404  # still a draft
    _post(client, f"/hr/stellen/{vacancy_id}/veroeffentlichen")
    assert _article(client.get(f"/stellen/{vacancy_id}", follow_redirects=True).text) == article


def test_the_editor_gives_back_the_text_it_was_given(portal):
    client = portal.client("own")
    typed = "Ihre Aufgaben:\n- Haushaltsplanung\n- Kassenprüfung\n\n## Ihr Profil\n1. VFA\n2. **Teamgeist**"
    vacancy = portal.board.get(_create(client, {**FULL_FORM, "description": typed}))
    assert vacancy.description == (
        "<p>Ihre Aufgaben:</p><ul><li>Haushaltsplanung</li><li>Kassenprüfung</li></ul>"
        "<h2>Ihr Profil</h2><ol><li>VFA</li><li><strong>Teamgeist</strong></li></ol>"
    )
    assert f">{escape(typed)}</textarea>" in client.get(f"/hr/stellen/{vacancy.id}").text


def test_an_unchanged_description_keeps_html_the_text_field_cannot_say(portal):
    """A table sent by an applicant-tracking system survives an edit of the title in the portal."""
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    table = "<p>Entgelt:</p><table><tbody><tr><td>E9a</td><td>39 Std.</td></tr></tbody></table>"
    stored = portal.hr.postings.get(vacancy_id, None)
    stored.description = table
    portal.board.save([stored])
    editor = client.get(f"/hr/stellen/{vacancy_id}").text
    assert 'id="f-description-hinweis"' in editor and "Tabellen" in editor
    shown = re.search(r'name="description"[^>]*>([^<]*)</textarea>', editor).group(1)
    form = {**FULL_FORM, "title": "Kassierer (m/w/d)", "description": unescape(shown)}
    assert _post(client, f"/hr/stellen/{vacancy_id}", form).status_code == 303
    assert portal.board.get(vacancy_id).title == "Kassierer (m/w/d)"
    assert portal.board.get(vacancy_id).description == table
    form["description"] = unescape(shown) + "\n\nNeu: Homeoffice"
    _post(client, f"/hr/stellen/{vacancy_id}", form)
    assert "<table>" not in portal.board.get(vacancy_id).description  # changed text: the markup rules


def test_plain_text_descriptions_stored_before_the_markup_render_with_their_lists(portal):
    """Postings saved as plain text (typed before the markup, or sent as text by an ATS) keep their form."""
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    stored = portal.hr.postings.get(vacancy_id, None)
    stored.description = "Ihre Aufgaben:\n- Haushalt &amp; Kasse\n- Prüfung"
    portal.board.save([stored])
    article = _article(client.get(f"/hr/stellen/{vacancy_id}/vorschau").text)
    assert "<p>Ihre Aufgaben:</p><ul><li>Haushalt &amp; Kasse</li><li>Prüfung</li></ul>" in article


def test_publish_makes_it_searchable_and_withdraw_removes_it(portal):
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    assert vacancy_id not in _search(portal, "Kreiskasse")
    assert _post(client, f"/hr/stellen/{vacancy_id}/veroeffentlichen").status_code == 303
    assert vacancy_id in _search(portal, "Kreiskasse")
    assert portal.board.get(vacancy_id).date_posted is not None
    assert _post(client, f"/hr/stellen/{vacancy_id}/zuruecknehmen").status_code == 303
    assert (
        vacancy_id not in _search(portal, "Kreiskasse") and portal.board.get(vacancy_id).state == State.draft
    )
    _post(client, f"/hr/stellen/{vacancy_id}/veroeffentlichen")
    assert _post(client, f"/hr/stellen/{vacancy_id}/zurueckziehen").status_code == 303
    assert vacancy_id not in _search(portal, "Kreiskasse", include_expired=True)
    assert portal.board.get(vacancy_id).state == State.withdrawn  # kept, not deleted


def test_edits_to_a_published_posting_are_searchable_at_once(portal):
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    _post(client, f"/hr/stellen/{vacancy_id}/veroeffentlichen")
    response = _post(client, f"/hr/stellen/{vacancy_id}", {**FULL_FORM, "title": "Kassenverwalterin (m/w/d)"})
    assert response.status_code == 303 and "gespeichert" in response.headers["location"]
    assert vacancy_id in _search(portal, "Kassenverwalterin")
    assert portal.board.get(vacancy_id).state == State.published


def test_scheduled_publication_becomes_visible_when_due(portal):
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    when = (portal.clock() + timedelta(hours=2)).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    response = _post(
        client, f"/hr/stellen/{vacancy_id}/planen", {"publish_at": when.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 303
    assert "geplant ab" in client.get("/hr/").text
    portal.hr.postings.promote_due()
    assert vacancy_id not in _search(portal, "Kreiskasse")
    portal.clock.advance(hours=2, minutes=1)
    portal.hr.last_due_run, portal.hr.due_interval_seconds = 0, 0
    client.get("/api/v1/vacancies")  # any request runs the due job
    assert portal.board.get(vacancy_id).state == State.published
    assert vacancy_id in _search(portal, "Kreiskasse")


def test_a_withdrawn_posting_can_be_scheduled_again(portal):
    """Only drafts are promoted when due: scheduling makes a withdrawn posting a draft until then."""
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    _post(client, f"/hr/stellen/{vacancy_id}/veroeffentlichen")
    _post(client, f"/hr/stellen/{vacancy_id}/zurueckziehen")
    assert portal.board.get(vacancy_id).state == State.withdrawn
    when = (portal.clock() + timedelta(hours=2)).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    _post(client, f"/hr/stellen/{vacancy_id}/planen", {"publish_at": when.strftime("%Y-%m-%dT%H:%M")})
    assert portal.board.get(vacancy_id).state == State.draft
    portal.clock.advance(hours=2, minutes=1)
    published, _ = portal.hr.postings.promote_due()
    assert published == [vacancy_id] and portal.board.get(vacancy_id).state == State.published


def test_schedule_in_the_past_is_refused_next_to_the_field(portal):
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    response = _post(client, f"/hr/stellen/{vacancy_id}/planen", {"publish_at": "2001-01-01T08:00"})
    assert response.status_code == 422
    assert re.search(r'id="f-publish_at-fehler">[^<]*Vergangenheit', response.text)


def test_posting_expires_after_its_deadline(portal):
    client = portal.client("own")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    vacancy_id = _create(client, {**FULL_FORM, "deadline": tomorrow})
    _post(client, f"/hr/stellen/{vacancy_id}/veroeffentlichen")
    after = date.today() + timedelta(days=3)
    assert vacancy_id not in _search(portal, "Kreiskasse", today=after)  # search hides it by itself
    portal.clock.advance(days=3)
    _, expired = portal.hr.postings.promote_due()
    assert expired == [vacancy_id] and portal.board.get(vacancy_id).state == State.expired
    assert vacancy_id not in _search(portal, "Kreiskasse")


def test_hidden_crawled_posting_stays_hidden_after_the_next_crawl(portal):
    portal.board.save([crawled("mil-web:9", DISTRICT_A, "Falsch erkannte Stelle Hausmeister")])
    client = portal.client("own")
    page = client.get("/hr/").text
    assert "Falsch erkannte Stelle" in page and "https://www.example.org/miltenberg/mil-web:9" in page
    assert _post(client, "/hr/gefunden/ausblenden", {"vacancy_id": "mil-web:9"}).status_code == 303
    assert "mil-web:9" not in _search(portal, "Hausmeister")
    changed = crawled("mil-web:9", DISTRICT_A, "Falsch erkannte Stelle Hausmeister (neu)")
    portal.board.save([changed])  # what the nightly crawl does with it
    assert portal.board.get("mil-web:9") is not None and portal.hr.postings.is_hidden("mil-web:9")
    assert "mil-web:9" not in _search(portal, "Hausmeister")


def test_crawled_postings_are_read_only_in_the_editor(portal):
    portal.board.save([crawled("mil-web:10", DISTRICT_A, "Gefunden")])
    assert portal.client("own").get("/hr/stellen/mil-web:10").status_code == 404


def test_crawls_never_touch_hr_postings(portal):
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    assert portal.board.store.hr_owned([vacancy_id, "mil-web:1"]) == {vacancy_id}  # the crawler skips these


# -- the PDF attachment ----------------------------------------------------------------------------------


def _upload(client, vacancy_id: str, name: str, data: bytes, kind: str = "application/pdf"):
    csrf = csrf_of(client.get(f"/hr/stellen/{vacancy_id}").text)
    files = {"attachment": (name, data, kind)}
    return client.post(f"/hr/stellen/{vacancy_id}/anhang", data={"csrf_token": csrf}, files=files)


def test_pdf_is_stored_outside_the_web_root_under_a_random_name_and_served_safely(portal):
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    pdf = valid_pdf()
    assert _upload(client, vacancy_id, "Ausschreibung 2026-17.pdf", pdf).status_code == 303
    extras = portal.hr.postings.extras(vacancy_id)
    stored = list(Path(portal.hr.postings.uploads_dir).iterdir())
    assert [p.name for p in stored] == [f"{extras['attachment_id']}.pdf"] and stored[0].read_bytes() == pdf
    assert "Ausschreibung" not in stored[0].name and len(extras["attachment_id"]) >= 32
    assert Path(portal.directory) in stored[0].parents and "web" not in stored[0].parts
    url = f"/hr/dokumente/{extras['attachment_id']}.pdf"
    assert portal.client().get(url).status_code == 404  # a draft's PDF is not public
    _post(client, f"/hr/stellen/{vacancy_id}/veroeffentlichen")
    assert portal.board.get(vacancy_id).attachments == [f"http://127.0.0.1:8000{url}"]
    response = portal.client().get(url)
    assert response.status_code == 200 and response.content == pdf
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "Ausschreibung" in response.headers["content-disposition"]


def test_replacing_the_pdf_removes_the_old_file(portal):
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    _upload(client, vacancy_id, "a.pdf", valid_pdf())
    _upload(client, vacancy_id, "b.pdf", valid_pdf())
    assert len(list(Path(portal.hr.postings.uploads_dir).iterdir())) == 1
    _post(client, f"/hr/stellen/{vacancy_id}/anhang-entfernen")
    assert list(Path(portal.hr.postings.uploads_dir).iterdir()) == []
    assert portal.board.get(vacancy_id).attachments == []


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("stelle.pdf", b"<html><script>alert(1)</script></html>", 422, "kein PDF-Dokument"),
        ("stelle.docx", b"PK\x03\x04 word document", 422, "kein PDF-Dokument"),
        ("stelle.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 500, 422, "kein lesbares PDF-Dokument"),
        ("stelle.pdf", b"%PDF-1.4\n<script>alert(1)</script>\n%%EOF", 422, "kein lesbares PDF-Dokument"),
        ("stelle.pdf", b"", 422, "Die Datei ist leer"),
        ("stelle.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), 413, "größer als 10 MB"),
    ],
    ids=["html-named-pdf", "not-a-pdf", "magic-then-garbage", "magic-then-html", "empty", "too-large"],
)
def test_uploads_that_are_not_pdfs_are_refused_with_a_german_message(portal, name, data, status, message):
    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    response = _upload(client, vacancy_id, name, data)
    assert response.status_code == status
    shown = re.search(r'id="f-attachment-fehler">([^<]+)<', response.text)
    assert shown and message in shown.group(1)
    assert not Path(portal.hr.postings.uploads_dir).exists() or not list(
        Path(portal.hr.postings.uploads_dir).iterdir()
    )


def test_chunked_upload_without_content_length_stops_at_the_limit(live_portal):
    """No Content-Length to refuse by: over a real socket, the server answers 413 once the body passes
    the limit, instead of spooling all of it to a temporary file first."""
    portal, base = live_portal
    with httpx2.Client(base_url=base, follow_redirects=False, timeout=10) as http:
        csrf = csrf_of(http.get("/hr/anmelden").text)
        http.post("/hr/anmelden", data={"email": EMAILS["own"], "password": PASSWORD, "csrf_token": csrf})
        csrf = csrf_of(http.get("/hr/stellen/neu").text)
        created = http.post("/hr/stellen/neu", data={**FULL_FORM, "csrf_token": csrf})
        vacancy_id = created.headers["location"].split("/hr/stellen/", 1)[1].split("?", 1)[0]
        csrf = csrf_of(http.get(f"/hr/stellen/{vacancy_id}").text)
        cookies = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    sent, answer = _send_chunked_upload(base, f"/hr/stellen/{vacancy_id}/anhang", cookies, csrf, 100)
    assert answer.startswith(b"HTTP/1.1 413")
    assert sent < 40 * 1024 * 1024  # 10 MB read, the rest in socket buffers at most; not the 100 MB
    assert portal.hr.postings.extras(vacancy_id).get("attachment_id") is None


def _send_chunked_upload(base: str, path: str, cookies: str, csrf: str, megabytes: int) -> tuple[int, bytes]:
    """POST a multipart PDF upload of `megabytes` MB with Transfer-Encoding: chunked; stop sending once
    the server answers. Bytes sent and the start of the answer."""
    host, port = base.removeprefix("http://").split(":")
    boundary = "grenze4711"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="gross.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookies}\r\nOrigin: {base}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"0" * (1024 * 1024)
    sent = 0
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request + f"{len(head):x}\r\n".encode() + head + b"\r\n")
        for _ in range(megabytes):
            if select.select([conn], [], [], 0)[0]:  # the server has answered
                break
            try:
                conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        else:
            tail = f"\r\n--{boundary}--\r\n".encode()  # all sent: close the form and the body
            conn.sendall(f"{len(tail):x}\r\n".encode() + tail + b"\r\n0\r\n\r\n")
        return sent, conn.recv(64)


def test_too_large_upload_without_content_length_is_refused_after_reading(portal):
    from vacancies.hr_postings import InvalidInput

    client = portal.client("own")
    vacancy_id = _create(client, FULL_FORM)
    with pytest.raises(InvalidInput, match="größer als 10 MB"):
        portal.hr.postings.attach_pdf(vacancy_id, "x.pdf", valid_pdf() + b"0" * (10 * 1024 * 1024), None, "t")


# -- every HR write is one transaction ---------------------------------------------------------------------


def _crash_on_audit(portal, action: str) -> None:
    """A real SQLite trigger that fails the audit entry of `action`: a crash between the steps of a write."""
    with portal.board.store.engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TRIGGER crash_{action} BEFORE INSERT ON audit_log WHEN NEW.action = '{action}' "
            "BEGIN SELECT RAISE(ABORT, 'Absturz'); END"
        )


def _crashing_client(portal):
    client = portal.client("own")
    client._transport.raise_server_exceptions = False  # the crash answers 500 like in production
    return client


def test_a_crash_before_the_audit_entry_leaves_the_posting_unpublished(portal):
    client = _crashing_client(portal)
    vacancy_id = _create(client, FULL_FORM)
    _crash_on_audit(portal, "publish")
    assert _post(client, f"/hr/stellen/{vacancy_id}/veroeffentlichen").status_code == 500
    vacancy = portal.board.get(vacancy_id)
    assert vacancy.state == State.draft and vacancy.date_posted is None
    assert vacancy_id not in _search(portal, "Kreiskasse")
    assert [e.action for e in portal.hr.audit.entries(vacancy_id=vacancy_id)] == ["create"]


def test_a_crash_while_creating_leaves_no_posting_behind(portal):
    client = _crashing_client(portal)
    _crash_on_audit(portal, "create")
    csrf = csrf_of(client.get("/hr/stellen/neu").text)
    assert client.post("/hr/stellen/neu", data={**FULL_FORM, "csrf_token": csrf}).status_code == 500
    assert portal.hr.postings.listing(DISTRICT_A, Origin.hr) == []


def test_a_crash_while_scheduling_keeps_the_published_posting_as_it_was(portal):
    client = _crashing_client(portal)
    vacancy_id = _create(client, FULL_FORM)
    _post(client, f"/hr/stellen/{vacancy_id}/veroeffentlichen")
    _crash_on_audit(portal, "schedule")
    when = (date.today() + timedelta(days=3)).isoformat() + "T08:00"
    assert _post(client, f"/hr/stellen/{vacancy_id}/planen", {"publish_at": when}).status_code == 500
    assert portal.board.get(vacancy_id).state == State.published
    assert portal.hr.postings.extras(vacancy_id)["publish_at"] is None
    assert vacancy_id in _search(portal, "Kreiskasse")


def test_a_crash_while_attaching_keeps_the_old_pdf_and_leaves_no_stray_file(portal):
    client = _crashing_client(portal)
    vacancy_id = _create(client, FULL_FORM)
    assert _upload(client, vacancy_id, "alt.pdf", valid_pdf()).status_code == 303
    before = portal.hr.postings.extras(vacancy_id)
    _crash_on_audit(portal, "attach")
    assert _upload(client, vacancy_id, "neu.pdf", valid_pdf()).status_code == 500
    after = portal.hr.postings.extras(vacancy_id)
    assert (after["attachment_id"], after["attachment_name"]) == (before["attachment_id"], "alt.pdf")
    files = [p.name for p in Path(portal.hr.postings.uploads_dir).iterdir()]
    assert files == [f"{before['attachment_id']}.pdf"]
    assert portal.board.get(vacancy_id).attachments[0].endswith(f"{before['attachment_id']}.pdf")


def test_a_crash_while_hiding_a_crawled_posting_keeps_it_visible(portal):
    portal.board.save([crawled("mil-web:7", DISTRICT_A, "Förster (m/w/d)")])
    client = _crashing_client(portal)
    _crash_on_audit(portal, "hide")
    assert _post(client, "/hr/gefunden/ausblenden", {"vacancy_id": "mil-web:7"}).status_code == 500
    assert not portal.hr.postings.is_hidden("mil-web:7")
    assert "mil-web:7" in _search(portal, "Förster")
