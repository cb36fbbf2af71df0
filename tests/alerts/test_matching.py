"""Matching new postings against saved searches: both backends find what the search finds (item 4).

The oracle is the search itself: for every saved search, `Alerts.match` must give exactly the postings
`board.search` returns for the same query. Embedded backend: the in-memory matcher with the search's
German analysis; Elasticsearch: percolator queries built by the search's own query builder.
"""

from __future__ import annotations

import httpx2
import pytest
from sqlalchemy import update

from tests.alerts.conftest import settings_for
from tests.search.corpus import TODAY, corpus
from tests.search.helpers import make_board
from vacancies.alerts import Alerts
from vacancies.schema import alerts_table

SAVED_SEARCHES = [
    {},
    {"q": "Verwaltung"},
    {"q": "Sachbearb"},
    {"q": "Kammerei"},
    {"q": "Strasse"},
    {"q": "Erzieherinnen"},
    {"q": "Landkreis Teilzeit"},
    {"district": ["miltenberg"]},
    {"district": ["miltenberg", "starnberg"], "working_time": ["full_time"], "fixed_term": "false"},
    {"working_time": ["part_time"], "fixed_term": "true"},
    {"pay_grade_min": "E9a", "pay_grade_max": "A11"},
    {"pay_grade_min": "E 13"},
    {"min_monthly_pay": "3500"},
    {"pay_scale": ["TV-L", "BayBesG"]},  # a facet added after matching was written: must not be ignored
    {"status": ["civil_servant"]},
    {"career_level": ["3", "4"]},
    {"remote": ["hybrid"]},
    {"posting_type": ["apprenticeship", "internship"]},
    {"category": ["Verwaltung"]},
    {"start_asap": "true", "district": ["aschaffenburg"]},  # the facet added through the registry
    {"near": "63897", "radius_km": "30"},
    {"near": "Starnberg", "radius_km": "10", "q": "Erzieher"},
    {"q": "Verwaltung", "include_expired": "true"},  # an alert only ever mails visible postings
]


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setenv("STELLEN_TODAY", TODAY.isoformat())


def saved(board) -> tuple[Alerts, dict[int, dict]]:
    alerts = Alerts(board.store.engine, board, settings_for("", alert_mails_per_client_hour=1000))
    by_id = {}
    for n, params in enumerate(SAVED_SEARCHES):
        by_id[alerts.subscribe(f"person{n}@example.de", params, "daily", "192.0.2.1").id] = params
    with alerts.engine.begin() as conn:
        conn.execute(update(alerts_table).values(confirmed_at=alerts_table.c.created_at))
    return alerts, by_id


def searched(alerts: Alerts, params: dict) -> list[str]:
    _, query = alerts.canonical_search(params)
    query.per_page, query.include_expired = 100, False
    return sorted(hit.vacancy.id for hit in alerts.board.search(query).items)


def stored(board) -> list:
    """The corpus as the store holds it (enriched: coordinates from the postal code), as the nightly
    run reads new postings."""
    return list(board.store.get_many([v.id for v in corpus()]).values())


def assert_matches_the_search(board) -> dict[int, list[str]]:
    return assert_matches_the_search_with(*saved(board))


def assert_matches_the_search_with(alerts: Alerts, by_id: dict[int, dict]) -> dict[int, list[str]]:
    matched = alerts.match(stored(alerts.board))
    for alert_id, params in by_id.items():
        assert sorted(matched.get(alert_id, [])) == searched(alerts, params), params
    assert sum(1 for ids in matched.values() if ids) >= len(SAVED_SEARCHES) - 3  # the cases are not empty
    return {alert_id: sorted(ids) for alert_id, ids in matched.items()}


def test_embedded_matching_finds_what_the_search_finds(tmp_path):
    assert_matches_the_search(make_board("sqlite", tmp_path, corpus()))


def has_percolator(es_url: str) -> bool:
    """The percolator is a module of the full distribution; Elastic's integ-test zip (run_es.sh, CI) lacks
    it, and Maven Central serves no 9.x build of it."""
    nodes = httpx2.get(f"{es_url}/_nodes/plugins", timeout=10).json()["nodes"].values()
    return all(any(m["name"] == "percolator" for m in node["modules"]) for node in nodes)


def test_stored_percolator_query_is_the_search_query_without_the_day(tmp_path):
    """What makes a percolated alert match what the search finds: the same clauses, built by the
    search's own builder; only the visibility (which depends on the day) is left to the caller."""
    from vacancies.search.elasticsearch_backend import alert_query, build_search_body

    board = make_board("sqlite", tmp_path)
    alerts = Alerts(board.store.engine, board, settings_for(""))
    for params in SAVED_SEARCHES:
        _, query = alerts.canonical_search(params)
        search = build_search_body(query, alerts.analyzer, TODAY)
        stored = alert_query(query, alerts.analyzer)["bool"]
        assert stored["must"] == search["query"]["bool"]["must"]
        visibility, *plain = search["query"]["bool"]["filter"]
        assert stored["filter"] == plain + search["post_filter"]["bool"]["filter"]


@pytest.mark.elasticsearch
def test_elasticsearch_board_matches_what_the_search_finds_and_agrees_with_embedded(tmp_path, es_url):
    board = make_board("elasticsearch", tmp_path / "es", corpus(), es_url=es_url)
    (tmp_path / "embedded").mkdir()
    try:
        on_elasticsearch = assert_matches_the_search(board)
        on_embedded = assert_matches_the_search(make_board("sqlite", tmp_path / "embedded", corpus()))
        assert on_elasticsearch == on_embedded
    finally:
        board.backend.drop()
        httpx2.delete(f"{es_url}/{board.backend.alias}_alerts", timeout=10)


@pytest.mark.elasticsearch
def test_percolator_index_follows_the_alerts_or_the_fallback_is_announced(tmp_path, es_url, caplog):
    """With the percolator module: one stored query per distinct search, following the alerts. Without
    it (the test cluster): matching still agrees with the search and the operator is told why."""
    board = make_board("elasticsearch", tmp_path, corpus(), es_url=es_url)
    try:
        alerts, by_id = saved(board)
        with caplog.at_level("WARNING"):
            assert_matches_the_search_with(alerts, by_id)
        if not has_percolator(es_url):
            assert "Suchaufträge werden im Speicher statt im Suchindex abgeglichen" in caplog.text
            assert "kennt keine Perkolation" in caplog.text
            return
        assert "im Speicher statt im Suchindex abgeglichen" not in caplog.text
        count = httpx2.get(f"{es_url}/{board.backend.alias}_alerts/_count", timeout=10).json()["count"]
        assert count == len(SAVED_SEARCHES) - 1  # the include_expired one is the same query as another
        first = next(iter(by_id))
        alerts.unsubscribe(alerts.unsubscribe_token(_alert(alerts, first)))
        assert first not in alerts.match(stored(board))
        count = httpx2.get(f"{es_url}/{board.backend.alias}_alerts/_count", timeout=10).json()["count"]
        assert count == len(SAVED_SEARCHES) - 2
    finally:
        board.backend.drop()
        httpx2.delete(f"{es_url}/{board.backend.alias}_alerts", timeout=10)


def test_elasticsearch_down_still_matches_in_memory(tmp_path, caplog):
    from tests.support import free_port
    from vacancies.search.elasticsearch_backend import ElasticsearchBackend

    board = make_board("sqlite", tmp_path, corpus())
    alerts, _ = saved(board)
    expected = alerts.match(stored(board))
    board.backend = ElasticsearchBackend(f"http://127.0.0.1:{free_port()}", "test-dead", alerts.analyzer,
                                         retries=0, request_timeout=2)  # fmt: skip
    assert alerts.match(stored(board)) == expected
    assert "im Speicher statt im Suchindex abgeglichen: Elasticsearch unter" in caplog.text


def _alert(alerts: Alerts, alert_id: int):
    from sqlalchemy import select

    from vacancies.alerts.service import ALERT_COLUMNS, _alert

    with alerts.engine.connect() as conn:
        return _alert(conn.execute(select(*ALERT_COLUMNS).where(alerts_table.c.id == alert_id)).one())
