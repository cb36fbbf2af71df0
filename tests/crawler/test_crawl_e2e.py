"""End to end: `stellenboerse crawl` over real HTTP against the sample district sites, into both backends.

Night 1 (state 1) fills the board; night 2 (state 2) removes, changes and adds postings and breaks two
sites, which must expire nothing. The sites include six shapes read from their home page with `auto`
and no options, and a district with two sources that publish one posting twice (crawler.samplesites).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from crawler.samplesites.server import SampleSites
from vacancies.model import State, Vacancy
from vacancies.runs import RunStore
from vacancies.search.contract import SearchQuery
from vacancies.service import open_board
from vacancies.settings import Settings

TODAY = date(2026, 11, 27)


def crawl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    districts = env["STELLEN_DISTRICTS_FILE"]
    command = [sys.executable, "-m", "cli.main", "crawl", "--districts-file", districts, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


class Night:
    """The board after crawling the sample sites once (state 1) and again (state 2)."""

    def __init__(self, tmp: Path, backend: str, es_url: str = "") -> None:
        self.sites = SampleSites(port=0, today=TODAY, slow_delay=0.3).start()
        self.sites.write_districts_yaml(tmp / "districts.yaml")
        alias = f"test-e2e-{uuid.uuid4().hex[:8]}"
        self.settings = Settings(
            database_url=f"sqlite:///{tmp / 'board.db'}",
            search_backend=backend,
            elasticsearch_url=es_url or "http://127.0.0.1:9",
            elasticsearch_alias=alias,
        )
        self.env = {
            **os.environ,
            "STELLEN_DATABASE_URL": self.settings.database_url,
            "STELLEN_SEARCH_BACKEND": backend,
            "STELLEN_ELASTICSEARCH_URL": self.settings.elasticsearch_url,
            "STELLEN_ELASTICSEARCH_ALIAS": alias,
            "STELLEN_DISTRICTS_FILE": str(tmp / "districts.yaml"),
        }
        self.board = open_board(self.settings)
        self.hr = self._hr_vacancy()
        self.first = crawl(self.env)
        self.runs_1 = self.latest_runs()
        self.after_1 = self.vacancies()
        self.sites.set_state(2)
        self.second = crawl(self.env)
        self.runs_2 = self.latest_runs()
        self.after_2 = self.vacancies()

    def latest_runs(self) -> dict:
        runs = RunStore(self.board.store.engine).recent(200)  # newest first
        return {run.source: run for run in reversed(runs)}

    def _hr_vacancy(self) -> Vacancy:
        vacancy = Vacancy(id="hr-starnberg-1", origin="hr", district="starnberg", title="Kämmerer (m/w/d)")
        self.board.save([vacancy])
        return vacancy

    def vacancies(self) -> dict[str, Vacancy]:
        return {v.id: v for v, _hidden in self.board.store.iter_all()}

    def by_url(self, snapshot: dict[str, Vacancy], source: str) -> dict[str, Vacancy]:
        return {v.source_url: v for v in snapshot.values() if v.source == source}

    def by_key(self, snapshot: dict[str, Vacancy], source: str) -> dict[str, Vacancy]:
        """Postings by the site's own id (the part after 'source:') and by URL."""
        found = self.by_url(snapshot, source)
        found.update({v.id.split(":", 1)[1]: v for v in snapshot.values() if v.source == source})
        return found

    def close(self) -> None:
        self.sites.stop()
        if self.settings.search_backend == "elasticsearch":
            self.board.backend.drop()


@pytest.fixture(scope="module")
def sqlite_night(tmp_path_factory):
    night = Night(tmp_path_factory.mktemp("e2e-sqlite"), "sqlite")
    yield night
    night.close()


@pytest.fixture(scope="module")
def es_night(tmp_path_factory, es_url):
    night = Night(tmp_path_factory.mktemp("e2e-es"), "elasticsearch", es_url)
    yield night
    night.close()


def _expected_found(night: Night, state: int) -> None:
    expected = night.sites.expected(state)
    snapshot = night.after_1 if state == 1 else night.after_2
    for source, postings in expected.items():
        if source in expected.failing:
            continue
        found = night.by_key(snapshot, source)
        for posting in postings:
            key = posting.source_id or posting.url  # one-page sites: many postings share the page URL
            assert key in found, f"{source}: {posting.title} ({posting.url}) fehlt"
            assert found[key].title == posting.title
            if posting.deadline:
                assert found[key].deadline == posting.deadline, posting.url


def test_every_expected_posting_is_found_night_one(sqlite_night):
    _expected_found(sqlite_night, 1)


def test_crawl_exits_nonzero_and_flags_the_broken_site(sqlite_night):
    assert sqlite_night.first.returncode == 1
    assert "weilheim-schongau-web" in sqlite_night.first.stdout and "FEHLER" in sqlite_night.first.stdout
    run = sqlite_night.runs_1["weilheim-schongau-web"]
    assert run.status == "failed" and "Stellenliste nicht abrufbar" in run.flag


def test_healthy_sources_succeed_and_count_postings(sqlite_night):
    expected = sqlite_night.sites.expected(1)
    for source, postings in expected.items():
        if source in expected.failing:
            continue
        run = sqlite_night.runs_1[source]
        assert run.status == "success", (source, run.flag, run.errors[:3])
        assert run.new >= len(postings) and run.pages > 0


def test_each_source_is_finished_when_its_own_work_is_done(sqlite_night):
    # All sources share one spider, but a one-page site does not wait for the 29 pages of starnberg.
    small, big = sqlite_night.runs_1["neu-ulm-web"], sqlite_night.runs_1["starnberg-web"]
    assert small.pages == 1 and big.pages > 20
    assert small.finished_at < big.finished_at


def test_at_least_300_postings_are_published(sqlite_night):
    published = [v for v in sqlite_night.after_1.values() if v.origin.value == "crawled"]
    assert len(published) >= 300


def test_robots_txt_is_obeyed(sqlite_night):
    assert not [path for slug, path in sqlite_night.sites.requests if "/intern/" in path]


def test_latin1_site_without_charset_is_decoded(sqlite_night):
    titles = [v.title for v in sqlite_night.after_1.values() if v.source == "miesbach-web"]
    assert titles and not any("\ufffd" in t or "Ã" in t for t in titles)
    assert any(ch in "".join(titles) for ch in "äöüÄÖÜß")


def test_descriptions_are_sanitised(sqlite_night):
    for vacancy in sqlite_night.after_1.values():
        lowered = vacancy.description.lower()
        assert "<script" not in lowered and "javascript:" not in lowered and " on" + "click" not in lowered


def test_a_posting_linked_twice_is_stored_once(sqlite_night):
    # miltenberg and starnberg link one posting twice from their lists (Scrapy fetches it once).
    for source in ("miltenberg-web", "starnberg-web"):
        urls = Counter(v.source_url for v in sqlite_night.after_1.values() if v.source == source)
        assert urls and max(urls.values()) == 1
        assert sqlite_night.runs_1[source].found == len(sqlite_night.sites.expected(1)[source])


def test_one_malformed_page_does_not_stop_its_site(sqlite_night):
    run = sqlite_night.runs_1["traunstein-web"]
    assert run.status == "success" and run.errors  # the bad page is recorded
    assert len(sqlite_night.by_url(sqlite_night.after_1, "traunstein-web")) == len(
        sqlite_night.sites.expected(1)["traunstein-web"]
    )


def test_night_two_expires_removed_postings(sqlite_night):
    expected_1, expected_2 = sqlite_night.sites.expected(1), sqlite_night.sites.expected(2)
    source = "miltenberg-web"
    gone = {p.url for p in expected_1[source]} - {p.url for p in expected_2[source]}
    assert gone
    after = sqlite_night.by_url(sqlite_night.after_2, source)
    assert all(after[url].state == State.expired for url in gone)
    assert sqlite_night.runs_2[source].expired == len(gone)


def test_night_two_updates_changed_and_adds_new(sqlite_night):
    _expected_found(sqlite_night, 2)
    run = sqlite_night.runs_2["miltenberg-web"]
    assert run.new == 2 and run.changed >= 2


def test_failed_and_suspicious_sources_expire_nothing(sqlite_night):
    for source in ("ebersberg-web", "dachau-web"):
        run = sqlite_night.runs_2[source]
        assert run.status == "failed" and run.expired == 0, (source, run.flag)
        before = sqlite_night.by_url(sqlite_night.after_1, source)
        after = sqlite_night.by_url(sqlite_night.after_2, source)
        assert all(after[url].state == State.published for url in before)
    assert "verdächtig wenige" in sqlite_night.runs_2["dachau-web"].flag


def test_a_twin_across_two_sources_is_stored_once_and_never_expired(sqlite_night):
    # augsburg publishes one posting on its website and through interamt: whichever copy is stored
    # first is kept, the other source records the twin and counts it as seen.
    ((web, vendor),) = sqlite_night.sites.expected(1).twins
    nights = ((sqlite_night.after_1, sqlite_night.runs_1), (sqlite_night.after_2, sqlite_night.runs_2))
    kept_ids = set()
    for snapshot, runs in nights:
        (kept,) = [v for v in snapshot.values() if v.source_url in (web.url, vendor.url)]
        assert kept.state == State.published
        other = vendor.source if kept.source == web.source else web.source
        assert runs[other].drop_reasons.get(f"Duplikat aus Quelle {kept.source}") == 1, runs[other]
        kept_ids.add(kept.id)
    assert len(kept_ids) == 1  # night two kept the same copy: not expired, not replaced by the twin


def test_hr_postings_are_never_touched(sqlite_night):
    before, after = sqlite_night.after_1["hr-starnberg-1"], sqlite_night.after_2["hr-starnberg-1"]
    assert after.model_dump() == before.model_dump()


def test_crawled_postings_are_searchable(sqlite_night):
    page = sqlite_night.board.search(SearchQuery(text="Sachbearbeiter", per_page=5))
    assert page.total > 0


@pytest.mark.elasticsearch
def test_elasticsearch_board_matches_the_store(es_night, sqlite_night):
    _expected_found(es_night, 1)
    _expected_found(es_night, 2)
    es_page = es_night.board.search(SearchQuery(per_page=1))
    sqlite_page = sqlite_night.board.search(SearchQuery(per_page=1))
    assert es_page.total == sqlite_page.total
    assert {f.value: f.count for f in es_page.facets["district"]} == {
        f.value: f.count for f in sqlite_page.facets["district"]
    }
    assert es_night.board.health()["index"]["behind"] is False


def test_two_worker_processes_crawl_the_same_as_one(tmp_path):
    """`--workers 2` (forked workers, each with its own crawler) finds every posting and records every run."""
    with SampleSites(port=0, today=TODAY, slow_delay=0.05) as sites:
        sites.write_districts_yaml(tmp_path / "districts.yaml")
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'board.db'}", search_backend="sqlite")
        districts = str(tmp_path / "districts.yaml")
        env = {**os.environ, "STELLEN_DATABASE_URL": settings.database_url,
               "STELLEN_SEARCH_BACKEND": "sqlite", "STELLEN_DISTRICTS_FILE": districts}  # fmt: skip
        done = crawl(env, "--impolite", "--workers", "2")
        expected = sites.expected(1)
    board = open_board(settings)
    runs = RunStore(board.store.engine).recent(200)
    assert sorted(run.source for run in runs) == sorted(expected)  # one run per source, none left open
    assert {run.source for run in runs if run.status != "success"} == set(expected.failing)
    assert done.returncode == 1 and "weilheim-schongau-web" in done.stdout
    found = {}  # as Night.by_key: by (source, site's own id) and by (source, URL)
    for v, _hidden in board.store.iter_all():
        found[v.source, v.source_url] = found[v.source, v.id.split(":", 1)[1]] = v
    for source, postings in expected.items():
        for posting in postings:
            key = (source, posting.source_id or posting.url)
            assert key in found and found[key].title == posting.title, key
