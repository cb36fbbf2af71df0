"""The states of a crawl source (vacancies.operations, issue 19) from runs recorded through RunStore on a
real SQLite file: where ok ends, degraded begins and failing begins."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.runs_support import nightly, record
from vacancies.operations import ConfiguredSource, source_runs, sources_health
from vacancies.runs import RunStore, run_pages
from vacancies.store import make_engine, migrate

CONFIG = {"quelle-web": ConfiguredSource("quelle-web", "quelle", "html", True)}


@pytest.fixture
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'board.db'}")
    migrate(engine)
    yield RunStore(engine)
    engine.dispose()


def _state(store: RunStore) -> tuple[str, str]:
    (health,) = sources_health(store.engine, CONFIG, source="quelle-web")
    return health.state, health.reason


@pytest.mark.parametrize(
    ("founds", "state", "reason"),
    [
        ([12, 10, 11, 6], "ok", ""),  # 6 is more than half of the usual 11
        ([12, 10, 11, 5], "degraded", "nur 5 Stellen gefunden (sonst 11)"),
        ([12, 10, 11, 0], "failing", "keine Stelle gefunden (sonst 11)"),
        ([3, 2, 3, 1], "ok", ""),  # usually 3: below 4 a drop is noise
        ([3, 2, 3, 0], "failing", "keine Stelle gefunden (sonst 3)"),
        ([0, 0, 0], "ok", ""),  # a district without vacancies right now
        ([7], "ok", ""),
        ([12, 5], "ok", ""),  # one earlier run says too little about "usually"
        ([2, 2, 2, 2, 2, 20, 20, 20, 20, 20, 9], "degraded", "nur 9 Stellen gefunden (sonst 20)"),  # last 5
    ],
)
def test_the_last_run_against_the_usual_postings(store, founds, state, reason):
    nightly(store, "quelle-web", "quelle", founds)
    assert _state(store) == (state, reason)


def test_a_failed_last_run_is_failing_with_its_flag_and_a_recovery_is_ok(store):
    nightly(store, "quelle-web", "quelle", [9, 9])
    record(
        store, "quelle-web", "quelle", ago=timedelta(minutes=30), status="failed", flag="HTTP 503", found=0
    )
    assert _state(store) == ("failing", "HTTP 503")
    record(store, "quelle-web", "quelle", ago=timedelta(minutes=10), found=9)
    assert _state(store) == ("ok", "")


def test_failed_pages_make_a_successful_run_degraded(store):
    nightly(store, "quelle-web", "quelle", [9])
    record(
        store, "quelle-web", "quelle", ago=timedelta(minutes=5), found=9, errors=[["https://q/1", "HTTP 404"]]
    )
    assert _state(store) == ("degraded", "1 Seite nicht abgerufen oder nicht lesbar")


def test_a_run_still_going_counts_for_nothing_yet(store):
    nightly(store, "quelle-web", "quelle", [9, 9])
    assert store.start("quelle-web", "quelle") is not None  # open, this process: alive
    (health,) = sources_health(store.engine, CONFIG, source="quelle-web")
    assert (health.state, health.running, health.found, len(health.trend)) == ("ok", True, 9, 2)


def test_the_trend_holds_the_last_30_finished_runs_oldest_first(store):
    nightly(store, "quelle-web", "quelle", list(range(1, 36)))
    (health,) = sources_health(store.engine, CONFIG, source="quelle-web")
    assert [point.found for point in health.trend] == list(range(6, 36))
    assert len(source_runs(store.engine, "quelle-web", CONFIG)) == 30


def test_a_source_missing_from_the_configuration_is_marked_removed(store):
    nightly(store, "alt-web", "alt", [4])
    by_key = {h.source: h for h in sources_health(store.engine, CONFIG)}
    assert by_key["alt-web"].removed is True and by_key["alt-web"].district == "alt"
    assert by_key["quelle-web"].removed is False and by_key["quelle-web"].state == "unknown"


def test_run_pages_reads_the_detail_of_newer_runs():
    """Runs with migration 0015's `detail` column list their failed pages by kind and their readers."""
    detail = {
        "strategy": "auto",
        "readers": {"auto → structured": 9, "auto → interamt": 3},
        "failed_pages": [
            {"url": "https://q/1", "reason": "HTTP 404", "kind": "http"},
            {"url": "https://q/2", "reason": "robots.txt verbietet den Abruf", "kind": "robots"},
            {"url": "https://q/3", "reason": "kein Titel", "kind": "unreadable"},
            "kaputt",
        ],
    }
    pages = run_pages({"detail": json.dumps(detail), "errors": json.dumps([["https://q/1", "HTTP 404"]])})
    assert pages.failed == [("https://q/1", "HTTP 404")]
    assert pages.robots == [("https://q/2", "robots.txt verbietet den Abruf")]
    assert pages.unreadable == [("https://q/3", "kein Titel")]
    assert pages.strategy == "auto (auto → structured: 9, auto → interamt: 3)"


def test_run_pages_reads_older_runs_from_their_errors_and_survives_bad_data():
    errors = [["https://q/1", "HTTP 404"], ["https://q/2", "q verweigert den Abruf: robots.txt"], "x"]
    pages = run_pages({"errors": json.dumps(errors)})
    assert pages.failed == [("https://q/1", "HTTP 404")]
    assert pages.robots == [("https://q/2", "q verweigert den Abruf: robots.txt")]
    assert pages.unreadable == [] and pages.strategy is None
    assert run_pages({"errors": "{nicht json", "detail": "[1, 2"}) == run_pages({})
    assert run_pages({"detail": '{"strategy": 7, "failed_pages": "nein"}', "errors": None}) == run_pages({})
