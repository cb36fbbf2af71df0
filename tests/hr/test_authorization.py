"""Authorization matrix: every HR page and HR API call × own district, other district, anonymous, admin.

The target object always belongs to district A ("own"). Another district's object answers 404 (its
existence does not leak); anonymous page requests go to the login page, anonymous API calls get 401;
the admin may do everything on pages, and the HR API accepts only tokens (an admin's session cookie
gets 401, so a browser session can never be used against the API).
"""

from __future__ import annotations

import secrets

import pytest

from tests.hr.conftest import DISTRICT_A, DISTRICT_B, build_portal, crawled, csrf_of, vacancy_body
from tests.hr.pdfs import valid_pdf
from vacancies.model import State

ACTORS = ("own", "other", "anonymous", "admin")

# name: (own, other, anonymous, admin)
PAGES = {
    "overview": (200, 200, 303, 200),
    "new_form": (200, 200, 303, 200),
    "create": (303, 303, 303, 303),
    "edit_form": (200, 404, 303, 200),
    "update": (303, 404, 303, 303),
    "preview": (200, 404, 303, 200),
    "publish": (303, 404, 303, 303),
    "schedule": (303, 404, 303, 303),
    "unpublish": (303, 404, 303, 303),
    "withdraw": (303, 404, 303, 303),
    "upload": (303, 404, 303, 303),
    "remove_upload": (303, 404, 303, 303),
    "draft_document": (200, 404, 404, 200),
    "hide_crawled": (303, 404, 303, 303),
    "unhide_crawled": (303, 404, 303, 303),
    "tokens": (200, 200, 303, 200),
    "create_token": (200, 200, 303, 200),
    "revoke_token": (303, 404, 303, 303),
    "audit": (200, 200, 303, 200),
    "logout": (303, 303, 303, 303),
}
API = {
    "api_list": (200, 200, 401, 401),
    "api_get": (200, 404, 401, 401),
    "api_put": (200, 201, 401, 401),
    "api_delete": (204, 404, 401, 401),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    portal = build_portal(tmp_path_factory.mktemp("authz"))
    portal.board.save(
        [crawled("mil-web:1", DISTRICT_A, "Gefundene Stelle A"), crawled("asch-web:1", DISTRICT_B, "B")]
    )
    clients = {actor: portal.client(None if actor == "anonymous" else actor) for actor in ACTORS}
    tokens = {
        "own": portal.hr.accounts.create_token(DISTRICT_A, "ATS A", "test")[1],
        "other": portal.hr.accounts.create_token(DISTRICT_B, "ATS B", "test")[1],
    }
    return portal, clients, tokens


def _target(portal) -> dict:
    """A fresh draft of district A with a PDF, a fresh token of district A."""
    postings = portal.hr.postings
    external = secrets.token_hex(4)
    value = postings.parse(vacancy_body(title=f"Stelle {external}"))
    vacancy = postings.create(value, DISTRICT_A, "test", f"hr-{DISTRICT_A}-{external}")
    postings.attach_pdf(vacancy.id, "a.pdf", valid_pdf(), None, "test")
    token, _ = portal.hr.accounts.create_token(DISTRICT_A, "zu widerrufen", "test")
    return {"id": vacancy.id, "external": external, "token_id": token.id, "doc": postings.extras(vacancy.id)}


def _page_request(name: str, t: dict, csrf: str):
    vid = t["id"]
    form = {"csrf_token": csrf}
    fields = {"csrf_token": csrf, "title": "Neu", "location.postal_code": "63897", "apply_email": "a@b.de"}
    return {
        "overview": ("GET", "/hr/", None),
        "new_form": ("GET", "/hr/stellen/neu", None),
        "create": ("POST", "/hr/stellen/neu", {**fields, "district": DISTRICT_A}),
        "edit_form": ("GET", f"/hr/stellen/{vid}", None),
        "update": ("POST", f"/hr/stellen/{vid}", fields),
        "preview": ("GET", f"/hr/stellen/{vid}/vorschau", None),
        "publish": ("POST", f"/hr/stellen/{vid}/veroeffentlichen", form),
        "schedule": ("POST", f"/hr/stellen/{vid}/planen", {**form, "publish_at": "2099-01-01T08:00"}),
        "unpublish": ("POST", f"/hr/stellen/{vid}/zuruecknehmen", form),
        "withdraw": ("POST", f"/hr/stellen/{vid}/zurueckziehen", form),
        "upload": ("UPLOAD", f"/hr/stellen/{vid}/anhang", form),
        "remove_upload": ("POST", f"/hr/stellen/{vid}/anhang-entfernen", form),
        "draft_document": ("GET", f"/hr/dokumente/{t['doc']['attachment_id']}.pdf", None),
        "hide_crawled": ("POST", "/hr/gefunden/ausblenden", {**form, "vacancy_id": "mil-web:1"}),
        "unhide_crawled": ("POST", "/hr/gefunden/einblenden", {**form, "vacancy_id": "mil-web:1"}),
        "tokens": ("GET", "/hr/zugaenge", None),
        "create_token": ("POST", "/hr/zugaenge", {**form, "name": "x", "district": DISTRICT_A}),
        "revoke_token": ("POST", f"/hr/zugaenge/{t['token_id']}/widerrufen", form),
        "audit": ("GET", "/hr/protokoll", None),
        "logout": ("POST", "/hr/abmelden", form),
    }[name]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_matrix(world, name, actor, tmp_path):
    portal, clients, _ = world
    client = clients[actor] if name != "logout" else (portal.client(None if actor == "anonymous" else actor))
    target = _target(portal)
    csrf = csrf_of(client.get("/hr/stellen/neu").text) if actor != "anonymous" else "x"
    method, path, data = _page_request(name, target, csrf)
    if method == "GET":
        response = client.get(path)
    elif method == "UPLOAD":
        response = client.post(
            path, data=data, files={"attachment": ("b.pdf", valid_pdf(), "application/pdf")}
        )
    else:
        response = client.post(path, data=data)
    expected = PAGES[name][ACTORS.index(actor)]
    assert response.status_code == expected, response.text[:500]
    if expected == 303 and actor == "anonymous":
        assert response.headers["location"].startswith("/hr/anmelden")
    if actor == "other" and expected == 404:
        _unchanged(portal, target)


def _unchanged(portal, target) -> None:
    vacancy = portal.board.get(target["id"])
    assert vacancy.state == State.draft and vacancy.title.startswith("Stelle ")
    assert portal.hr.postings.extras(target["id"])["attachment_id"] == target["doc"]["attachment_id"]
    assert portal.hr.accounts.token_by_id(target["token_id"]).revoked_at is None


def test_other_district_sees_neither_drafts_nor_crawled_postings_of_a(world):
    portal, clients, _ = world
    target = _target(portal)
    page = clients["other"].get("/hr/").text
    assert target["id"] not in page and "Gefundene Stelle A" not in page
    assert target["id"] in clients["admin"].get("/hr/").text


def test_hr_user_cannot_create_in_another_district(world):
    portal, clients, _ = world
    client = clients["other"]
    csrf = csrf_of(client.get("/hr/stellen/neu").text)
    data = {"csrf_token": csrf, "title": "Untergeschoben", "apply_email": "a@b.de", "district": DISTRICT_A}
    response = client.post("/hr/stellen/neu", data=data)
    vacancy_id = response.headers["location"].split("/")[-1].split("?")[0]
    assert portal.board.get(vacancy_id).district == DISTRICT_B


def test_audit_page_shows_only_own_district(world):
    portal, clients, _ = world
    target = _target(portal)
    assert target["id"] in clients["own"].get("/hr/protokoll").text
    assert target["id"] not in clients["other"].get("/hr/protokoll").text
    assert target["id"] in clients["admin"].get("/hr/protokoll").text


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", list(API))
def test_api_matrix(world, name, actor):
    portal, clients, tokens = world
    target = _target(portal)
    client = clients[actor]  # the admin's client carries a session cookie, but no token
    headers = {"Authorization": f"Bearer {tokens[actor]}"} if actor in tokens else {}
    path = f"/api/v1/hr/vacancies/{target['external']}"
    if name == "api_list":
        response = client.get("/api/v1/hr/vacancies", headers=headers)
    elif name == "api_get":
        response = client.get(path, headers=headers)
    elif name == "api_put":
        response = client.put(path, json=vacancy_body(title="Geändert per API"), headers=headers)
    else:
        response = client.delete(path, headers=headers)
    expected = API[name][ACTORS.index(actor)]
    assert response.status_code == expected, response.text[:500]
    if expected == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"] == "application/problem+json"
    if actor != "own":  # nobody but district A's token changed A's posting
        vacancy = portal.board.get(target["id"])
        assert vacancy.title.startswith("Stelle ") and vacancy.state == State.draft
    if name == "api_list" and expected == 200:
        ids = {item["id"] for item in response.json()["items"]}
        assert (target["id"] in ids) == (actor == "own")
