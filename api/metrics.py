"""`/metrics` in the Prometheus exposition format (issue 19, item 4), for the operator's monitoring.

What it tells, and where each number comes from:

1. HTTP requests (`stellen_http_requests_total`) and their latency (`stellen_http_request_duration_seconds`)
   by method, route *template* (`/stellen/{address}`, never the raw path: no ids, no query texts) and
   status, counted by a pure ASGI layer in this process.
2. Search latency by backend (`stellen_search_duration_seconds{backend="sqlite"|"elasticsearch"}`), timed
   around the board's search in this process.
3. Read from the database at scrape time (a custom collector), so that every server process of
   `serve --workers N` answers the same: the index outbox backlog and the age of its oldest write, per
   source the time of its last successful crawl run and the postings it found, the mail outbox by kind
   (confirm, digest, operator) and state (queued, sent, failed), and the open operator incidents.

The counters of 1 and 2 are per process. With `PROMETHEUS_MULTIPROC_DIR` set (an empty directory the
supervisor creates before the workers start, as prometheus_client's multiprocess mode asks) a scrape
adds up the counters of all processes instead.

Never personal data: labels are route templates, methods, status codes, backend names, source keys,
districts and mail kinds; no address, query text or user name reaches a label or a value.

Access: with `STELLEN_METRICS_TOKEN` set, only `Authorization: Bearer <token>` (compared in constant
time) gets the metrics, others a 401. In production without a token /metrics does not exist (404):
monitoring is switched on by giving it a secret, and an unconfigured server reveals nothing, not even
that the endpoint is there. In development and tests without a token it is open.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, case, func, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem
from vacancies.schema import crawl_runs_table as runs
from vacancies.schema import index_outbox_table, mail_outbox_table
from vacancies.schema import operator_incidents_table as incidents
from vacancies.search.contract import SearchPage, SearchQuery
from vacancies.service import Board
from vacancies.settings import Settings
from vacancies.store import utcnow

PATH = "/metrics"
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
UNMATCHED = "unmatched"  # 404s: their raw paths would be unbounded and may carry anything
# Seconds; the pages answer in tens of milliseconds, a slow search or PDF in seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The process-local metrics of one app, in their own registry (several apps in one test process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "stellen_http_requests", "HTTP-Anfragen nach Methode, Routenvorlage und Status",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "stellen_http_request_duration_seconds", "Antwortzeit der HTTP-Anfragen nach Routenvorlage",
            ["method", "route"], buckets=BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.search = Histogram(
            "stellen_search_duration_seconds", "Dauer der Suchen nach Suchbackend",
            ["backend"], buckets=BUCKETS, registry=self.registry,
        )  # fmt: skip


def install(app: FastAPI) -> None:
    """Count requests, time the board's searches and answer GET /metrics."""
    metrics = Metrics()
    app.state.metrics = metrics
    app.add_middleware(RequestMetrics, metrics=metrics, routes=app.routes)
    board: Board = app.state.board
    # The board is the one object every search of the API and the pages goes through; this app's board
    # instance gets the timing (Board itself stays unaware of metrics, other apps' boards untouched).
    timed = timed_search(board.search, board.backend.name, metrics)
    board.search = timed  # type: ignore[method-assign,assignment]  # an instance attribute, bound already
    app.add_api_route(PATH, _endpoint(app), methods=["GET"], include_in_schema=False)


Search = Callable[[SearchQuery], SearchPage]


def timed_search(search: Search, backend: str, metrics: Metrics) -> Search:
    histogram = metrics.search.labels(backend=backend)

    def search_timed(query: SearchQuery) -> SearchPage:
        start = time.perf_counter()
        try:
            return search(query)
        finally:
            histogram.observe(time.perf_counter() - start)

    return search_timed


def _endpoint(app: FastAPI) -> Callable[[Request], Response]:
    settings: Settings = app.state.settings
    metrics: Metrics = app.state.metrics
    engine = app.state.board.store.engine

    def metrics_endpoint(request: Request) -> Response:
        refused = refusal(settings, request.headers.get("authorization", ""))
        if refused is not None:
            return refused
        body = generate_latest(scrape_registry(metrics, engine))
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return metrics_endpoint


def refusal(settings: Settings, authorization: str) -> Response | None:
    """None when this request may read the metrics, else the answer (404 or 401, see the docstring)."""
    token = settings.metrics_token
    if not token:
        return problem(404, "Nicht gefunden.") if settings.environment == "production" else None
    scheme, _, given = authorization.partition(" ")
    # compare_digest: the time taken does not tell how much of a guessed token was right.
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return None
    answer = problem(401, "Für /metrics ist ein gültiges Bearer-Token nötig (STELLEN_METRICS_TOKEN).")
    answer.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return answer


def scrape_registry(metrics: Metrics, engine: Engine) -> CollectorRegistry:
    """This process's metrics, or every server process's in multiprocess mode, plus the database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(metrics.registry))
    registry.register(StoreCollector(engine))
    return registry


class _Forward(Collector):
    """The app's own registry inside a scrape's registry (that one also holds the database collector)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Any]:
        yield from self.registry.collect()


class RequestMetrics:
    """Pure ASGI: counts and times every HTTP request by its route template, found after routing."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: list[BaseRoute]) -> None:
        self.app, self.metrics, self.routes = app, metrics, routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status, root = time.perf_counter(), 500, scope.get("root_path", "")

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            route = route_template(scope, root, self.routes)
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - start)


def route_template(scope: Scope, root: str, routes: list[BaseRoute]) -> str:
    """The matched route's path template ("/stellen/{address}"), read from the scope the router filled
    in; a mounted app (static files) as "<mount point>/{path}"; requests no route took as UNMATCHED.

    FastAPI's routes leave themselves in scope["route"]; Starlette's plain ones only their endpoint,
    and a Mount its path, added to scope["root_path"] (`root` is the one before routing)."""
    route = scope.get("route")
    if route is None and scope.get("endpoint") is not None:
        route = next((r for r in routes if getattr(r, "endpoint", None) is scope["endpoint"]), None)
    template = getattr(route, "path_format", None)
    if template:
        return str(template)
    mounted = scope.get("root_path", "")
    if mounted != root and mounted.startswith(root):
        return f"{mounted[len(root) :]}/{{path}}"
    return UNMATCHED


class StoreCollector(Collector):
    """The numbers several server processes must agree on, read from the database at each scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("stellen_store_up", "1: die Datenbank antwortete beim Abruf der Metriken")
        try:
            with self.engine.connect() as conn:
                families = [*_index_outbox(conn), *_sources(conn), _mails(conn), _incidents(conn)]
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def _index_outbox(conn) -> list[GaugeMetricFamily]:
    count, oldest = conn.execute(
        select(func.count(), func.min(index_outbox_table.c.queued_at)).select_from(index_outbox_table)
    ).one()
    backlog = GaugeMetricFamily(
        "stellen_index_outbox_backlog", "Schreibvorgänge, die der Suchindex noch nicht bestätigt hat"
    )
    backlog.add_metric([], count or 0)
    age = GaugeMetricFamily(
        "stellen_index_outbox_oldest_seconds", "Alter des ältesten unbestätigten Schreibvorgangs (0: keiner)"
    )
    age.add_metric([], _age(oldest))
    return [backlog, age]


def _age(moment: datetime | None) -> float:
    return 0.0 if moment is None else max(0.0, (utcnow() - _aware(moment)).total_seconds())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _sources(conn) -> list[GaugeMetricFamily]:
    """Per source its latest successful run: when it finished and how many postings it found."""
    latest = (
        select(runs.c.source, func.max(runs.c.id).label("id"))
        .where(runs.c.status == "success")
        .group_by(runs.c.source)
        .subquery()
    )
    rows = conn.execute(
        select(runs.c.source, runs.c.district, runs.c.finished_at, runs.c.found).join(
            latest, runs.c.id == latest.c.id
        )
    )
    success = GaugeMetricFamily(
        "stellen_source_last_success_timestamp_seconds",
        "Ende des letzten erfolgreichen Crawl-Laufs je Quelle (Unix-Zeit)", labels=["source", "district"],
    )  # fmt: skip
    found = GaugeMetricFamily(
        "stellen_source_postings_found", "Stellen, die der letzte erfolgreiche Lauf je Quelle fand",
        labels=["source", "district"],
    )  # fmt: skip
    for row in rows:
        if row.finished_at is not None:
            success.add_metric([row.source, row.district], _aware(row.finished_at).timestamp())
        found.add_metric([row.source, row.district], row.found)
    return [success, found]


def _mails(conn) -> GaugeMetricFamily:
    """The mail outbox by kind and state. Finished rows are kept seven days (vacancies.alerts.service
    KEEP_MAIL_LOG), so "sent" and "failed" count that window; "queued" is everything still to send."""
    table = mail_outbox_table
    state = case(
        (table.c.sent_at.is_not(None), "sent"), (table.c.gave_up_at.is_not(None), "failed"), else_="queued"
    )
    rows = conn.execute(
        select(table.c.kind, state.label("state"), func.count()).group_by(table.c.kind, state)
    ).all()
    family = GaugeMetricFamily(
        "stellen_mails", "Mails der Warteschlange nach Art (confirm, digest, operator) und Zustand",
        labels=["kind", "state"],
    )  # fmt: skip
    counts = {(kind, st): count for kind, st, count in rows}
    for kind in sorted({kind for kind, _ in counts} | {"confirm", "digest", "operator"}):
        for st in ("queued", "sent", "failed"):
            family.add_metric([kind, st], counts.get((kind, st), 0))
    return family


def _incidents(conn) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "stellen_operator_incidents_open", "Offene Störungen je Quelle (1) nach Art: failing, few, refused",
        labels=["source", "kind"],
    )  # fmt: skip
    rows = conn.execute(select(incidents.c.source, incidents.c.kind).where(incidents.c.closed_at.is_(None)))
    for row in rows:
        family.add_metric([row.source, row.kind], 1)
    return family
