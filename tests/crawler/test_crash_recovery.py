"""Crash-proof crawl runs (issue 13): a run whose process is gone blocks nothing, workers end with their
crawl, a skipped source shows in the summary. Real processes, real HTTP on 127.0.0.x (the sample sites).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
import yaml
from sqlalchemy import insert, select, update

from crawler.samplesites.server import SampleSites
from tests.crawler.processes import REPO_ROOT, children, cli, identity, kill, read, still_running, wait_for
from tests.support import engine_at_revision
from vacancies.runs import Heartbeat, RunStore
from vacancies.schema import crawl_runs_table
from vacancies.store import make_engine, migrate, utcnow

TODAY = date(2026, 11, 27)
SLOW = "garmisch-partenkirchen-web"  # every response of this site waits `slow_delay`
SOURCES = ("miltenberg-web", "aschaffenburg-web", "freising-web", SLOW)


@pytest.fixture
def sites():
    sites = SampleSites(port=0, today=TODAY, slow_delay=3.0).start()
    yield sites
    sites.stop()


@pytest.fixture
def store(tmp_path) -> RunStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'board.db'}")
    migrate(engine)
    return RunStore(engine)


def crawl_env(tmp_path, sites: SampleSites, sources: tuple[str, ...] = SOURCES) -> dict[str, str]:
    """Four sample sites, polite but without delays (the slow site is slow by itself)."""
    config = sites.districts_config()
    config["defaults"].update(download_delay=0, autothrottle=False)
    config["districts"] = [d for d in config["districts"] if d["sources"][0]["key"] in sources]
    (tmp_path / "districts.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return {
        **os.environ,
        "STELLEN_DATABASE_URL": f"sqlite:///{tmp_path / 'board.db'}",
        "STELLEN_SEARCH_BACKEND": "sqlite",
        "STELLEN_DISTRICTS_FILE": str(tmp_path / "districts.yaml"),
    }


def running_sources(store: RunStore) -> set[str]:
    return {run.source for run in store.recent() if run.status == "running"}


def all_opened(store: RunStore) -> set[str]:
    """The sources left running once the crawl has opened a run for every one, else nothing."""
    return running_sources(store) if len(store.recent()) == len(SOURCES) else set()


def latest(store: RunStore) -> dict:
    return {run.source: run for run in reversed(store.recent())}


def test_a_killed_crawl_blocks_nothing_its_sources_run_again_at_once(tmp_path, sites, store):
    env = crawl_env(tmp_path, sites)
    first = cli("crawl", env=env, output=tmp_path / "first")
    assert wait_for(lambda: all_opened(store), timeout=15), read(tmp_path / "first")
    kill(first, signal.SIGKILL)
    left = running_sources(store)
    assert SLOW in left  # its first page alone takes 3 s

    sites.slow_delay = 0.0
    second = cli("crawl", env=env, output=tmp_path / "second")
    second.wait(timeout=60)
    out, err = read(tmp_path / "second")
    assert second.returncode == 0, out + err
    assert "übersprungen" not in out + err
    killed = {run.source: run for run in store.recent() if run.pid == first.pid}
    for source in left:
        assert killed[source].status == "failed"
        assert killed[source].flag == f"abgebrochen: Prozess {first.pid} beendet"
    assert {source: run.status for source, run in latest(store).items()} == dict.fromkeys(SOURCES, "success")


def test_workers_end_with_their_killed_crawl_and_free_its_sources(tmp_path, sites, store):
    crawl = cli("crawl", "--workers", "2", env=crawl_env(tmp_path, sites), output=tmp_path / "crawl")
    workers = wait_for(lambda: children(crawl.pid), timeout=15)
    assert workers and wait_for(lambda: all_opened(store), timeout=15), read(tmp_path / "crawl")
    kill(crawl, signal.SIGKILL)
    assert still_running(workers, timeout=5) == []
    left = running_sources(store)
    assert SLOW in left
    for source in left:  # what a new crawl does first: its run opens at once
        assert store.start(source, "x") is not None


def test_sigterm_stops_a_crawl_and_its_workers_cleanly(tmp_path, sites, store):
    crawl = cli("crawl", "--workers", "2", env=crawl_env(tmp_path, sites), output=tmp_path / "crawl")
    workers = wait_for(lambda: children(crawl.pid), timeout=15)
    assert workers and wait_for(lambda: all_opened(store), timeout=15), read(tmp_path / "crawl")
    time.sleep(0.5)  # the crawlers are under way (Scrapy's own signal handlers are installed)
    assert kill(crawl, signal.SIGTERM, timeout=15) == 1
    assert still_running(workers, timeout=2) == []
    assert running_sources(store) == set()  # every run closed by its own process
    assert "Lauf abgebrochen" in latest(store)[SLOW].flag
    out, _ = read(tmp_path / "crawl")
    assert all(source in out for source in SOURCES)  # the summary was printed


def test_a_source_held_by_a_live_run_is_skipped_and_shown_in_the_summary(tmp_path, sites, store):
    holder = store.start("miltenberg-web", "miltenberg")  # this test process is alive: it holds the source
    crawl = cli("crawl", "--source", "miltenberg-web", env=crawl_env(tmp_path, sites), output=tmp_path / "c")
    crawl.wait(timeout=30)
    out, err = read(tmp_path / "c")
    assert crawl.returncode == 3, out + err
    row = next(line for line in out.splitlines() if line.startswith("miltenberg-web"))
    assert "übersprungen" in row and f"läuft bereits (Prozess {os.getpid()} auf " in row
    assert latest(store)["miltenberg-web"].id == holder.id  # nothing recorded for the skipped crawl


def test_a_crawl_with_a_failing_and_a_skipped_source_exits_1(tmp_path, sites, store):
    store.start("miltenberg-web", "miltenberg")
    sites.slow_delay = 0.0
    env = crawl_env(tmp_path, sites)
    config = yaml.safe_load((tmp_path / "districts.yaml").read_text())
    config["districts"][1]["sources"][0]["start_urls"] = ["http://127.0.0.1:9/"]  # nothing listens
    (tmp_path / "districts.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    crawl = cli("crawl", env=env, output=tmp_path / "c")
    crawl.wait(timeout=60)
    out, err = read(tmp_path / "c")
    assert crawl.returncode == 1, out + err
    assert "übersprungen" in out and "FEHLER" in out


def test_a_crawl_started_by_the_scheduler_ends_with_it(tmp_path, sites, store):
    env = crawl_env(tmp_path, sites, sources=(SLOW,))  # never crawled: caught up 5 s after the start
    scheduler = subprocess.Popen([sys.executable, "-m", "cli.main", "scheduler"], env=env, cwd=REPO_ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        crawls = wait_for(lambda: children(scheduler.pid), timeout=15)
        assert crawls and wait_for(lambda: running_sources(store), timeout=10)
    finally:
        kill(scheduler, signal.SIGKILL)
    assert still_running(crawls, timeout=10) == []  # the kernel sent it SIGTERM
    assert store.start(SLOW, "garmisch-partenkirchen") is not None  # closed by itself, or found dead


def _set(store: RunStore, run_id: int, **values) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(crawl_runs_table).where(crawl_runs_table.c.id == run_id).values(**values))


def _flag(store: RunStore, run_id: int) -> tuple[str, str | None]:
    with store.engine.connect() as conn:
        row = conn.execute(select(crawl_runs_table).where(crawl_runs_table.c.id == run_id)).one()
    return row.status, row.flag


def test_a_run_is_live_while_its_process_runs_and_closed_once_it_is_gone(store):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        run = store.start("a", "miltenberg")
        pid, started = identity(child.pid)
        _set(store, run.id, pid=pid, pid_started=started)
        assert store.start("a", "miltenberg") is None  # the child runs it
        assert store.holder("a").pid == pid
    finally:
        child.kill()
        child.wait(timeout=5)
    assert store.start("a", "miltenberg") is not None
    assert _flag(store, run.id) == ("failed", f"abgebrochen: Prozess {pid} beendet")


def test_a_reused_pid_is_another_process(store):
    run = store.start("a", "miltenberg")
    _set(store, run.id, pid_started="1")  # this pid, but started at another time: a reused pid
    assert store.start("a", "miltenberg") is not None
    assert _flag(store, run.id)[0] == "failed"


def test_a_run_on_another_host_is_live_while_its_heartbeat_is_fresh(store):
    run = store.start("a", "miltenberg")
    _set(store, run.id, host="anderer-rechner", heartbeat_at=utcnow() - timedelta(seconds=60))
    assert store.start("a", "miltenberg") is None
    _set(store, run.id, heartbeat_at=utcnow() - timedelta(minutes=3))
    assert store.start("a", "miltenberg") is not None
    status, flag = _flag(store, run.id)
    assert status == "failed" and "anderer-rechner" in flag and "kein Lebenszeichen" in flag


def test_the_heartbeat_renews_the_runs_of_this_process(store):
    run = store.start("a", "miltenberg")
    before = utcnow() - timedelta(minutes=1)
    _set(store, run.id, heartbeat_at=before)

    def renewed() -> bool:
        return store.latest("a").heartbeat_at.replace(tzinfo=None) > before.replace(tzinfo=None)

    assert not renewed()
    with Heartbeat(store, [run.id], every=0.05):
        assert wait_for(renewed, timeout=5)


def test_running_rows_from_before_the_migration_keep_the_six_hour_rule(tmp_path):
    engine = engine_at_revision(tmp_path / "old.db", "0008")
    now = utcnow()
    with engine.begin() as conn:  # crawls of the old release: no process identity
        for source, started in (("recent", now - timedelta(hours=1)), ("old", now - timedelta(hours=7))):
            conn.execute(insert(crawl_runs_table).values(source=source, district="m", started_at=started,
                                                         status="running"))  # fmt: skip
    migrate(engine)
    store = RunStore(engine)
    assert store.start("recent", "m") is None
    old = store.latest("old")
    assert store.start("old", "m") is not None
    assert _flag(store, old.id) == ("failed", "abgebrochen: Lauf seit über sechs Stunden ohne Abschluss")
