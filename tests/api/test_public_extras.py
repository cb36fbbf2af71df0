"""Public API beyond search: districts, facets, feeds, sitemap, robots.txt, caching headers, CORS, errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, StreamingResponse
from fastapi.testclient import TestClient

from api import caching
from api.routes import site
from server.app import create_app
from tests.search.corpus import corpus
from tests.search.helpers import make_board
from vacancies import districts
from vacancies.addresses import posting_path
from vacancies.model import Vacancy
from vacancies.settings import Settings

BASE = "https://stellen.example"
ALLOWED_ORIGIN = "https://www.landkreis-miltenberg.de"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _hostile() -> Vacancy:
    """A crawled title and description full of markup and characters XML cannot carry."""
    return Vacancy(
        id="x01",
        source="contract",
        district="miltenberg",
        title="Koch <script>alert(1)</script> & Küchenhilfe \x01(m/w/d)",
        description="<p>Fünf & mehr <b>Jahre</b> Erfahrung]]></p>",
        date_posted="2026-01-02",
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> FastAPI:
    directory = tmp_path_factory.mktemp("public")
    board = make_board("sqlite", directory, [*corpus(), _hostile()])
    settings = Settings(
        database_url=f"sqlite:///{directory / 'board.db'}",
        environment="test",
        public_base_url=BASE + "/",
        cors_origins=[ALLOWED_ORIGIN],
    )
    return create_app(settings, board)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _ids(client, **params) -> list[str]:
    body = client.get("/api/v1/vacancies", params={"per_page": 100, **params}).json()
    return [item["id"] for item in body["items"]]


def _pages(client, **params) -> list[str]:
    """The readable page addresses of a search's postings, in its order."""
    body = client.get("/api/v1/vacancies", params={"per_page": 100, **params}).json()
    return [f"{BASE}{posting_path(item['id'], item['title'])}" for item in body["items"]]


# -- districts ------------------------------------------------------------------------------------------


def test_districts_lists_every_landkreis_with_open_postings(client):
    response = client.get("/api/v1/districts")
    assert response.status_code == 200
    body = {d["slug"]: d for d in response.json()}
    assert set(body) == {d.slug for d in districts.load()}
    miltenberg = body["miltenberg"]
    assert miltenberg["key"] == "09676" and miltenberg["name"] == "Miltenberg" and miltenberg["member"]
    assert miltenberg["open_postings"] == len(_ids(client, district="miltenberg")) > 0
    assert body["altoetting"]["open_postings"] == 0 and body["altoetting"]["member"] is False
    assert sum(d["open_postings"] for d in body.values()) == len(_ids(client))


def test_one_district(client):
    body = client.get("/api/v1/districts/starnberg").json()
    assert body["slug"] == "starnberg"
    assert body["open_postings"] == len(_ids(client, district="starnberg"))
    assert set(body) == {"slug", "key", "name", "lat", "lon", "member", "website", "profile", "open_postings"}


def test_unknown_district_is_404_problem(client):
    response = client.get("/api/v1/districts/atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "atlantis" in response.json()["detail"]


# -- facets ---------------------------------------------------------------------------------------------


def test_facets_match_the_search_without_items(client):
    params = {"q": "Verwaltung", "working_time": "full_time"}
    facets = client.get("/api/v1/facets", params=params).json()
    search = client.get("/api/v1/vacancies", params=params).json()
    assert set(facets) == {"total", "facets"}
    assert facets["total"] == search["total"] > 0
    assert facets["facets"] == search["facets"]


def test_facets_refuse_bad_parameters_as_problem(client):
    response = client.get("/api/v1/facets", params={"career_level": 9})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "career_level" in [e["field"] for e in response.json()["errors"]]


def test_facets_and_feeds_do_not_advertise_paging(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/facets", "/api/v1/feed.rss", "/api/v1/feed.atom"):
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert {"q", "district", "near", "radius_km"} <= names
        assert not names & {"page", "per_page", "sort"}


# -- feeds ----------------------------------------------------------------------------------------------


def test_rss_feed_of_a_filtered_search(client):
    response = client.get("/api/v1/feed.rss", params={"district": "miltenberg"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    expected = _ids(client, district="miltenberg", sort="newest")
    # the guid is the id-based address, which never changes; the link is the readable page address
    assert [item.findtext("guid") for item in items] == [f"{BASE}/stellen/{i}" for i in expected]
    assert [item.findtext("link") for item in items] == _pages(client, district="miltenberg", sort="newest")
    first = items[0]
    assert first.find("guid").get("isPermaLink") == "false"
    assert first.findtext("title") and first.findtext("description") and first.findtext("pubDate")
    assert first.findall("category")
    assert "Miltenberg" in channel.findtext("title")


def test_atom_feed_of_a_filtered_search(client):
    response = client.get("/api/v1/feed.atom", params={"posting_type": "apprenticeship"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    expected = _ids(client, posting_type="apprenticeship", sort="newest")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [f"{BASE}/stellen/{i}" for i in expected]
    entry = entries[0]
    assert entry.find(f"{ATOM}link").get("href") == _pages(client, posting_type="apprenticeship")[0]
    assert entry.findtext(f"{ATOM}updated") and entry.findtext(f"{ATOM}summary")
    assert entry.find(f"{ATOM}category").get("term") == "Ausbildung"
    assert feed.findtext(f"{ATOM}updated") and feed.find(f"{ATOM}author") is not None


def test_feed_holds_at_most_fifty_newest(client):
    items = ET.fromstring(client.get("/api/v1/feed.rss").content).findall("channel/item")
    assert 0 < len(items) <= 50
    assert [i.findtext("guid").rsplit("/", 1)[1] for i in items] == _ids(client, sort="newest")[:50]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_site_root_feed_aliases_take_the_same_parameters(client, kind):
    api = client.get(f"/api/v1/feed.{kind}", params={"q": "Erzieher"})
    root = client.get(f"/feed.{kind}", params={"q": "Erzieher"})
    assert root.status_code == 200 and root.headers["content-type"] == api.headers["content-type"]
    assert f"{BASE}/stellen/v03" in root.text


def test_feed_text_from_sites_and_queries_stays_well_formed(client):
    response = client.get("/api/v1/feed.rss", params={"q": "Koch <b>&\x02"})
    item = ET.fromstring(response.content).find("channel/item")  # parses: escaped, no control chars
    assert item.findtext("title") == "Koch <script>alert(1)</script> & Küchenhilfe (m/w/d)"
    assert "Fünf & mehr Jahre Erfahrung]]>" in item.findtext("description")
    assert "<b>" not in item.findtext("description")


def test_feed_with_bad_parameters_is_a_problem(client):
    response = client.get("/feed.atom", params={"near": "Atlantis"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


# -- sitemap and robots -----------------------------------------------------------------------------


def _sitemap_locs(content: bytes) -> list[str]:
    return [loc.text for loc in ET.fromstring(content).iter(f"{SITEMAP}loc")]


def test_sitemap_lists_published_postings_and_pages(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    locs = _sitemap_locs(response.content)
    postings = {loc for loc in locs if "/stellen/" in loc}
    assert postings == set(_pages(client))  # what the default search shows, at the readable addresses
    assert {f"{BASE}/", f"{BASE}/landkreise", f"{BASE}/landkreise/miltenberg"} <= set(locs)
    assert f"{BASE}/landkreise/altoetting" not in locs  # not a member
    assert all(url.findtext(f"{SITEMAP}lastmod") for url in root if "/stellen/" in url[0].text)


def test_large_sitemap_becomes_an_index_of_parts(client, monkeypatch):
    whole = _sitemap_locs(client.get("/sitemap.xml").content)
    monkeypatch.setattr(site, "SITEMAP_URLS", 7)
    index = client.get("/sitemap.xml")
    assert ET.fromstring(index.content).tag == f"{SITEMAP}sitemapindex"
    parts = _sitemap_locs(index.content)
    assert len(parts) == -(-len(whole) // 7)
    joined = [loc for part in parts for loc in _sitemap_locs(client.get(part.removeprefix(BASE)).content)]
    assert joined == whole
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines and "Disallow: /api/" in lines and "Disallow: /hr/" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


# -- caching --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/vacancies?q=Verwaltung", "/api/v1/districts", "/feed.rss", "/sitemap.xml"]
)
def test_etag_round_trip_gives_304_without_body(client, path):
    first = client.get(path)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=60"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"] == "public, max-age=60"
    assert client.get(path, headers={"If-None-Match": 'W/"anders"'}).status_code == 200
    assert client.get(path, headers={"If-None-Match": f'"x", {etag.removeprefix("W/")}'}).status_code == 304


def test_etag_follows_the_content(client):
    assert (
        client.get("/api/v1/vacancies?q=Erzieher").headers["etag"]
        != client.get("/api/v1/vacancies?q=Verwaltung").headers["etag"]
    )


def test_health_is_revalidated_and_errors_are_not_cached(client):
    assert client.get("/api/v1/health").headers["cache-control"] == "no-cache"
    missing = client.get("/api/v1/vacancies/gibt-es-nicht")
    assert "etag" not in missing.headers and "cache-control" not in missing.headers


def test_server_timing_header(client):
    timing = client.get("/api/v1/vacancies").headers["server-timing"]
    assert timing.startswith("app;dur=") and float(timing.split("=")[1]) >= 0


@pytest.fixture
def toy() -> TestClient:
    """The middleware alone, over routes the real app may or may not have yet."""
    app = FastAPI()
    app.add_middleware(caching.CachingMiddleware)

    @app.get("/hr/stellen")
    def hr() -> dict:
        return {"private": True}

    @app.get("/login")
    def login() -> PlainTextResponse:
        response = PlainTextResponse("hallo")
        response.set_cookie("session", "geheim")
        return response

    @app.get("/seite")
    def page() -> PlainTextResponse:
        return PlainTextResponse("<h1>Stellen</h1>")

    @app.get("/eigen")
    def own() -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/strom")
    def stream() -> StreamingResponse:
        return StreamingResponse(iter([b"eins ", b"zwei"]), media_type="text/plain")

    return TestClient(app)


def test_hr_and_cookie_responses_are_not_stored(toy):
    for path in ("/hr/stellen", "/login"):
        response = toy.get(path)
        assert response.headers["cache-control"] == "no-store", path
        assert "etag" not in response.headers


def test_pages_revalidate_and_route_choices_are_kept(toy):
    page = toy.get("/seite")
    assert page.headers["cache-control"] == "no-cache" and page.headers["etag"]
    assert toy.get("/seite", headers={"If-None-Match": page.headers["etag"]}).status_code == 304
    assert toy.get("/eigen").headers["cache-control"] == "public, max-age=3600"


def test_streamed_responses_pass_through_without_etag(toy):
    response = toy.get("/strom")
    assert response.text == "eins zwei" and "etag" not in response.headers
    assert response.headers["server-timing"].startswith("app;dur=")


@pytest.mark.parametrize(
    ("header", "etag", "match"),
    [("*", 'W/"a"', True), ('"a"', 'W/"a"', True), ('W/"a", W/"b"', 'W/"b"', True), ('"c"', 'W/"a"', False)],
)
def test_etag_comparison_is_weak(header, etag, match):
    assert caching.etag_matches(header, etag) is match


# -- CORS -----------------------------------------------------------------------------------------------


def test_cors_allows_configured_origin_only(client):
    allowed = client.get("/api/v1/districts", headers={"Origin": ALLOWED_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    other = client.get("/api/v1/districts", headers={"Origin": "https://boese.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options(
        "/api/v1/vacancies", headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


# -- errors ---------------------------------------------------------------------------------------------


def test_wrong_method_is_405_problem(client):
    response = client.post("/api/v1/vacancies")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["allow"] == "GET"
    assert "POST" in response.json()["detail"]


def test_unknown_api_path_is_404_problem(client):
    response = client.get("/api/v1/gibt-es-nicht")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unexpected_error_is_500_problem_without_internals(app, client):
    def explode() -> dict:
        raise RuntimeError("geheimes Passwort in /var/lib/db")

    app.add_api_route("/api/v1/test-boom", explode, methods=["GET"])
    try:
        response = client.get("/api/v1/test-boom")
    finally:
        app.router.routes.pop()
        app.openapi_schema = None
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 500 and body["title"] == "Interner Fehler"
    assert "geheim" not in response.text and "RuntimeError" not in response.text


def test_openapi_documents_each_search_parameter_with_description_and_bounds(client):
    """The query-parameter model's Field descriptions and bounds are the API's documentation."""
    spec = client.get("/api/v1/openapi.json").json()
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/vacancies"]["get"]["parameters"]}
    assert all(p["description"] and p["in"] == "query" for p in parameters.values())
    assert (
        parameters["per_page"]["schema"]["maximum"] == 100
        and parameters["per_page"]["schema"]["minimum"] == 1
    )
    assert parameters["radius_km"]["schema"]["maximum"] == 300
    assert parameters["career_level"]["schema"]["items"] == {"type": "integer", "minimum": 1, "maximum": 4}
    assert parameters["district"]["schema"]["type"] == "array"
    facets = {p["name"]: p for p in spec["paths"]["/api/v1/facets"]["get"]["parameters"]}
    assert facets["district"]["description"] == parameters["district"]["description"]


def test_facets_and_feeds_take_repeated_parameters_and_refuse_bad_ones(client):
    both = client.get("/api/v1/facets", params=[("district", "miltenberg"), ("district", "starnberg")])
    one = client.get("/api/v1/facets", params={"district": "miltenberg"})
    assert both.json()["total"] > one.json()["total"] > 0
    refused = client.get("/api/v1/feed.rss", params={"radius_km": "nan", "near": "63897"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "radius_km", "message": "muss eine Zahl sein"}]
