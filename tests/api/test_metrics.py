"""/metrics (issue 19, item 4): the Prometheus exposition format, read back with prometheus_client's own
parser; route templates instead of paths, no personal data, numbers from the database that every server
process agrees on, and the bearer token."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert

from api.app import create_app
from tests.alerts.support import Inbox, SmtpServer
from tests.search.helpers import make_board
from tests.support import free_port
from vacancies.runs import RunStore
from vacancies.schema import index_outbox_table
from vacancies.settings import Settings
from vacancies.store import utcnow

PUBLIC = "https://stellen.example"
TOKEN = "metrik-token-" + "k" * 24
SECRET_QUERY = "Zauberflötenstimmerin"
SECRET_ADDRESS = "geheime.person@example.org"
REFUSED_ADDRESS = "abgelehnt@example.org"


def settings_for(directory, **extra) -> Settings:
    values = {"database_url": f"sqlite:///{directory / 'board.db'}", "environment": "test",
              "public_base_url": PUBLIC, "secret_key": "test-secret-" + "x" * 20}  # fmt: skip
    return Settings(**{**values, **extra})


def app_for(directory, backend: str = "sqlite", es_url: str = "", **extra):
    return create_app(settings_for(directory, **extra), make_board(backend, directory, es_url=es_url))


@pytest.fixture
def client(tmp_path):
    with TestClient(app_for(tmp_path)) as client:
        yield client


def scrape(client, **headers: str) -> dict[str, list]:
    """Samples by sample name, as Prometheus reads them."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples: dict[str, list] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def value(samples: dict[str, list], name: str, **labels: str) -> float:
    [found] = [s.value for s in samples.get(name, []) if all(s.labels.get(k) == v for k, v in labels.items())]
    return found


def test_requests_are_counted_by_route_template_never_by_path(client):
    client.get("/api/v1/vacancies/posting-4711-geheim")
    client.get("/api/v1/vacancies", params={"q": "Hausmeister"})
    client.get("/api/v1/vacancies", params={"q": "Gärtner"})
    client.get("/static/site.css")
    client.get("/gibt/es/nicht/4711")
    samples = scrape(client)
    routes = {s.labels["route"] for s in samples["stellen_http_requests_total"]}
    assert {"/api/v1/vacancies/{vacancy_id}", "/api/v1/vacancies", "/static/{path}", "unmatched"} <= routes
    assert not any("4711" in route or "?" in route for route in routes)
    assert value(samples, "stellen_http_requests_total", route="/api/v1/vacancies", status="200") == 2
    assert value(samples, "stellen_http_requests_total", route="/api/v1/vacancies/{vacancy_id}") == 1
    latency = value(samples, "stellen_http_request_duration_seconds_count", route="/api/v1/vacancies")
    assert latency == 2


def test_searches_are_timed_by_backend(client):
    def searches() -> float:
        return value(scrape(client), "stellen_search_duration_seconds_count", backend="sqlite")

    before = searches()
    client.get("/api/v1/vacancies", params={"q": "Verwaltung"})
    assert searches() == before + 1
    client.get("/", params={"q": "Verwaltung"})  # the pages search through the same board
    assert searches() > before + 1


@pytest.mark.elasticsearch
def test_searches_on_elasticsearch_are_labelled_so(tmp_path, es_url):
    app = app_for(tmp_path, "elasticsearch", es_url, search_backend="elasticsearch", elasticsearch_url=es_url)
    with TestClient(app) as client:
        client.get("/api/v1/vacancies", params={"q": "Verwaltung"})
        samples = scrape(client)
    assert value(samples, "stellen_search_duration_seconds_count", backend="elasticsearch") >= 1
    assert not [
        s for s in samples["stellen_search_duration_seconds_count"] if s.labels["backend"] == "sqlite"
    ]


def test_no_query_text_and_no_address_ever_reaches_the_metrics(tmp_path):
    smtp = SmtpServer(free_port()).start()
    try:
        with TestClient(app_for(tmp_path, smtp_url=smtp.url)) as client:
            client.get("/api/v1/vacancies", params={"q": SECRET_QUERY})
            client.get("/", params={"q": SECRET_QUERY})
            body = {"email": SECRET_ADDRESS, "query": {"q": SECRET_QUERY}}
            assert client.post("/api/v1/alerts", json=body).status_code == 202
            smtp.inbox.wait_for(1)
            text = client.get("/metrics").text
            samples = scrape(client)
    finally:
        smtp.stop()
    for secret in (SECRET_QUERY, quote(SECRET_QUERY), SECRET_ADDRESS, "geheime.person", "example.org"):
        assert secret not in text
    assert value(samples, "stellen_mails", kind="confirm", state="sent") == 1


class RefusingInbox(Inbox):
    """A mail server that knows every mailbox but one."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook)
        if address == REFUSED_ADDRESS:
            return "550 5.1.1 Postfach unbekannt"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_mails_are_counted_by_kind_and_state_from_the_outbox(tmp_path):
    port = free_port()
    controller = Controller(RefusingInbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = app_for(tmp_path, smtp_url=f"smtp://127.0.0.1:{port}")
        alerts = app.state.alerts
        alerts.subscribe("erste@example.org", {"q": "Verwaltung"}, "daily", "192.0.2.1")
        alerts.subscribe(REFUSED_ADDRESS, {"q": "Verwaltung"}, "daily", "192.0.2.2")
        alerts.deliver()  # one sent, one refused for good (5xx): given up
        alerts.subscribe("dritte@example.org", {"q": "Verwaltung"}, "daily", "192.0.2.3")  # queued
        with TestClient(app) as client:
            samples = scrape(client)
    finally:
        controller.stop()
    states = {
        s: value(samples, "stellen_mails", kind="confirm", state=s) for s in ("queued", "sent", "failed")
    }
    assert states == {"queued": 1, "sent": 1, "failed": 1}
    assert value(samples, "stellen_mails", kind="operator", state="queued") == 0


def test_sources_come_from_the_crawl_runs_and_every_server_process_agrees(tmp_path):
    """Two apps on one database stand for two server processes: they report the same."""
    runs = RunStore(make_board("sqlite", tmp_path).store.engine)
    for source, found, status in [("lra-a", 12, "success"), ("lra-a", 0, "failed"), ("lra-b", 30, "success")]:
        run = runs.start(source, source.removeprefix("lra-"))
        assert run is not None
        run.status, run.found = status, found
        runs.finish(run)
    last_a = runs.last_success("lra-a")
    assert last_a is not None and last_a.finished_at is not None
    scrapes = []
    for _ in range(2):
        with TestClient(app_for(tmp_path)) as client:
            scrapes.append(scrape(client))
    for samples in scrapes:
        assert value(samples, "stellen_source_postings_found", source="lra-a", district="a") == 12
        assert value(samples, "stellen_source_postings_found", source="lra-b") == 30
        stamp = value(samples, "stellen_source_last_success_timestamp_seconds", source="lra-a")
        assert stamp == pytest.approx(last_a.finished_at.timestamp(), abs=1e-3)
    assert [s for s in scrapes[0]["stellen_source_postings_found"]] == scrapes[1][
        "stellen_source_postings_found"
    ]


def test_the_index_outbox_backlog_is_read_at_scrape_time(client):
    engine = client.app.state.board.store.engine
    assert value(scrape(client), "stellen_index_outbox_backlog") == 0
    with engine.begin() as conn:
        queued = utcnow() - timedelta(minutes=5)
        conn.execute(
            insert(index_outbox_table), [{"vacancy_id": f"v{i}", "queued_at": queued} for i in range(3)]
        )
    samples = scrape(client)
    assert value(samples, "stellen_index_outbox_backlog") == 3
    assert 300 <= value(samples, "stellen_index_outbox_oldest_seconds") < 400


def test_open_operator_incidents_are_shown_per_source(tmp_path):
    from vacancies.operator_alerts import OperatorAlerts

    app = app_for(tmp_path)
    runs = RunStore(app.state.board.store.engine)
    for _ in range(2):
        run = runs.start("lra-a", "a")
        assert run is not None
        run.status, run.flag = "failed", "Stellenliste nicht abrufbar: Zeitüberschreitung"
        runs.finish(run)
    OperatorAlerts(app.state.board.store.engine, app.state.settings).check(["lra-a"])
    with TestClient(app) as client:
        assert value(scrape(client), "stellen_operator_incidents_open", source="lra-a", kind="failing") == 1


def test_metrics_are_not_in_the_api_description(client):
    assert "/metrics" not in client.get("/api/v1/openapi.json").json()["paths"]


# -- access -------------------------------------------------------------------------------------------


def test_with_a_token_only_its_bearer_reads_the_metrics(tmp_path):
    with TestClient(app_for(tmp_path, metrics_token=TOKEN)) as client:
        for header in (None, f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer "):
            response = client.get("/metrics", headers={"Authorization": header} if header else {})
            assert response.status_code == 401, header
            assert response.headers["www-authenticate"] == 'Bearer realm="metrics"'
            assert "STELLEN_METRICS_TOKEN" in response.json()["detail"]
            assert "stellen_" not in response.text
        assert "stellen_http_requests_total" in scrape(client, Authorization=f"Bearer {TOKEN}")
        assert "stellen_store_up" in scrape(client, Authorization=f"bearer {TOKEN}")


def _production(directory, **extra):
    """A production app (model_copy: the legal details production demands are beside the point here)."""
    settings = settings_for(directory, **extra).model_copy(update={"environment": "production"})
    return create_app(settings, make_board("sqlite", directory))


def test_in_production_without_a_token_there_are_no_metrics(tmp_path):
    with TestClient(_production(tmp_path)) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer irgendwas"}).status_code == 404


def test_in_production_the_token_opens_them(tmp_path):
    with TestClient(_production(tmp_path, metrics_token=TOKEN)) as client:
        assert client.get("/metrics").status_code == 401
        assert "stellen_store_up" in scrape(client, Authorization=f"Bearer {TOKEN}")


def test_in_development_without_a_token_they_are_open(tmp_path):
    app = create_app(settings_for(tmp_path, environment="development"), make_board("sqlite", tmp_path))
    with TestClient(app) as client:
        assert "stellen_store_up" in scrape(client)
