"""Conditional re-crawls (issue 19, item 7) and what a run records and logs (item 6), over real HTTP.

`stellenboerse crawl` runs as a subprocess against the sample sites (crawler.samplesites), which answer
conditional requests as a web server does: ETag and Last-Modified on every page, 304 for an unchanged
one. Eight sources cover the shapes: schema.org pages, a feed, PDFs, one interamt page, a site whose
robots.txt refuses three posting pages, one with an unreadable posting page, one whose list answers
500, and one read from its home page by `auto`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from crawler.samplesites.server import SampleSites
from vacancies.model import State
from vacancies.runs import CrawlRun, RunStore
from vacancies.service import open_board
from vacancies.settings import Settings

TODAY = date(2026, 11, 27)
SOURCES = ("miltenberg", "erding", "fuerstenfeldbruck", "landsberg-am-lech", "rosenheim", "traunstein",
           "weilheim-schongau", "lindau")  # fmt: skip
REPO_ROOT = Path(__file__).resolve().parents[2]


class Nights:
    """The sample sites (seven sources) and a board the crawls of this module write to."""

    def __init__(self, tmp: Path) -> None:
        self.sites = SampleSites(port=0, today=TODAY, slow_delay=0.3).start()
        config = self.sites.districts_config()
        config["districts"] = [d for d in config["districts"] if d["slug"] in SOURCES]
        self.districts = tmp / "districts.yaml"
        self.districts.write_text(
            json.dumps(config, ensure_ascii=False),
            encoding="utf-8",  # JSON is YAML too
        )
        self.settings = Settings(database_url=f"sqlite:///{tmp / 'board.db'}", search_backend="sqlite")
        self.board = open_board(self.settings)
        self.env = {**os.environ, "STELLEN_DATABASE_URL": self.settings.database_url,
                    "STELLEN_SEARCH_BACKEND": "sqlite", "STELLEN_TODAY": "2026-11-27"}  # fmt: skip

    def crawl(self, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, dict[str, CrawlRun], list]:
        """One night: the crawl's output, its runs by source and the answers the sites gave."""
        served = len(self.sites.served)
        command = [sys.executable, "-m", "cli.main", "crawl", "--districts-file", str(self.districts),
                   "--impolite", *args]  # fmt: skip
        done = subprocess.run(command, env={**self.env, **env}, cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        runs = RunStore(self.board.store.engine).recent(len(SOURCES))  # newest first: the newest wins
        return done, {run.source: run for run in reversed(runs)}, self.sites.served[served:]

    def published(self) -> dict[str, object]:
        return {v.id: v for v, _ in self.board.store.iter_all() if v.state == State.published}


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    nights = Nights(tmp_path_factory.mktemp("freshness"))
    nights.first = nights.crawl()
    nights.after_first = nights.published()
    nights.second = nights.crawl()
    nights.after_second = nights.published()
    yield nights
    nights.sites.stop()


def _bytes(answers: list) -> int:
    return sum(size for _, _, size in answers)


def test_the_sample_sites_answer_conditional_requests_like_a_web_server(nights):
    url = nights.sites.base_url("miltenberg") + "/karriere/stellenangebote/"
    with urllib.request.urlopen(url) as answer:
        etag, modified = answer.headers["ETag"], answer.headers["Last-Modified"]
        assert etag and modified and answer.read()
    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"x", W/{etag}'},
        {"If-Modified-Since": modified},
    ):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers))
        assert refused.value.code == 304 and refused.value.read() == b""
    # If-None-Match decides alone when sent: another ETag means a full answer, whatever the date says.
    other = urllib.request.Request(url, headers={"If-None-Match": '"alt"', "If-Modified-Since": modified})
    with urllib.request.urlopen(other) as answer:
        assert answer.status == 200 and answer.headers["ETag"] == etag


def test_an_unchanged_night_costs_304s_and_keeps_every_posting(nights):
    (_, first, answers_1), (done, second, answers_2) = nights.first, nights.second
    assert Counter(status for _, status, _ in answers_1)[304] == 0
    statuses = Counter(status for _, status, _ in answers_2)
    assert statuses[304] == sum(run.not_modified for run in second.values()) > 0
    assert _bytes(answers_2) <= 0.2 * _bytes(answers_1)  # the target: at least 80 % fewer bytes
    assert nights.after_second.keys() == nights.after_first.keys()
    for source, run in second.items():
        assert run.expired == 0 and run.new == 0 and run.changed == 0, source
        assert (run.found, run.status) == (first[source].found, first[source].status), source
        assert run.unchanged == run.found, source
    # A single interamt page gives all its postings: unchanged, it is one 304 and keeps them all.
    landsberg = second["landsberg-am-lech-web"]
    assert (landsberg.pages, landsberg.not_modified, landsberg.found) == (1, 1, first[landsberg.source].found)
    # List pages are always read in full: only they say which posting pages to ask for.
    assert second["miltenberg-web"].not_modified == second["miltenberg-web"].pages - 1
    assert "304" in done.stdout.splitlines()[0]


def test_a_changed_page_is_read_again_and_the_others_stay(nights):
    posting = next(v for v in nights.published().values() if v.source == "miltenberg-web")
    path = posting.source_url.split(str(nights.sites.port), 1)[1]
    old = nights.sites.page("miltenberg", path)
    assert old is not None and posting.title.encode() in old.body
    retitled = posting.title.replace("(m/w/d)", "– neu ausgeschrieben (m/w/d)")
    nights.sites.replace_page("miltenberg", path, old.body.replace(posting.title.encode(), retitled.encode()))
    _, runs, answers = nights.crawl()
    run = runs["miltenberg-web"]
    assert (run.changed, run.new, run.expired) == (1, 0, 0)
    assert run.not_modified == run.pages - 2  # the list and the changed page came in full
    assert nights.board.store.get(posting.id).title == retitled
    assert ("miltenberg", 200, len(nights.sites.page("miltenberg", path).body)) in answers


def test_a_posting_expired_since_is_read_in_full_and_published_again(nights):
    posting = next(v for v in nights.published().values() if v.source == "erding-web")
    nights.board.set_state([posting.id], State.expired)
    _, runs, answers = nights.crawl("--source", "erding-web")
    run = runs["erding-web"]
    # The feed (a list) and the expired posting's page come in full, the other posting pages answer 304.
    assert run.not_modified == run.pages - 2 == Counter(status for _, status, _ in answers)[304]
    assert nights.board.store.get(posting.id).state == State.published
    assert run.expired == 0 and run.found == len(
        [v for v in nights.published().values() if v.source == "erding-web"]
    )


def test_robots_refusals_and_unreadable_pages_are_recorded_on_a_successful_run(nights):
    _, runs, _ = nights.first
    rosenheim, traunstein = runs["rosenheim-web"], runs["traunstein-web"]
    assert rosenheim.status == "success" and rosenheim.note == "3 Seiten von robots.txt gesperrt"
    assert rosenheim.detail["counts"] == {"robots": 3}
    assert {p["kind"] for p in rosenheim.detail["failed_pages"]} == {"robots"}
    assert all(p["reason"] == "robots.txt verbietet den Abruf" for p in rosenheim.detail["failed_pages"])
    assert traunstein.status == "success" and traunstein.note == "1 Seite nicht lesbar"
    (unreadable,) = traunstein.detail["failed_pages"]
    assert unreadable["kind"] == "unreadable" and unreadable["url"].endswith(".html")
    broken = runs["weilheim-schongau-web"]
    assert broken.status == "failed" and broken.note is None
    assert broken.detail["failed_pages"][0]["kind"] == "http" and broken.detail["counts"] == {"http": 1}
    for run in runs.values():
        assert run.detail["strategy"] and run.detail["requests"] >= run.pages
    assert runs["landsberg-am-lech-web"].detail["readers"] == {
        "interamt": runs["landsberg-am-lech-web"].found
    }
    assert runs["miltenberg-web"].detail["readers"] == {"structured": runs["miltenberg-web"].found}
    lindau = runs["lindau-web"].detail["readers"]  # found from its home page by `auto`
    assert lindau and all(reader.startswith("auto → ") for reader in lindau)
    assert runs["miltenberg-web"].detail["bytes"] > 0 and runs["miltenberg-web"].note is None


def test_each_failure_is_one_german_line_with_its_source_and_no_traceback(nights):
    done, runs, _ = nights.first
    assert "Traceback" not in done.stderr and "Gave up retrying" not in done.stderr
    assert "Dropped:" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if "] WARNING: " in line]
    broken = [line for line in lines if "weilheim-schongau" in line]
    assert broken[0].endswith("WARNING: Quelle weilheim-schongau-web: Abruf fehlgeschlagen: "
                              f"{nights.sites.base_url('weilheim-schongau')}/karriere/stellenangebote/ "
                              "(HTTP 500)")  # fmt: skip
    robots = [line for line in lines if "robots.txt verbietet" in line]
    assert len(robots) == 3 and all("Quelle rosenheim-web: Abruf fehlgeschlagen: " in line for line in robots)


def test_debug_level_shows_scrapys_own_records(nights):
    done, _, _ = nights.crawl("--source", "weilheim-schongau-web", "--log-level", "DEBUG")
    assert "Gave up retrying" in done.stderr  # moved to debug level, not lost


def test_json_logs_carry_run_id_and_source(nights):
    done, runs, _ = nights.crawl("--source", "rosenheim-web", STELLEN_LOG_FORMAT="json")
    records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    others = [line for line in done.stderr.splitlines() if line and not line.startswith("{")]
    assert all(line.startswith("Hinweis: Entgelttabelle") for line in others)  # a print, not a log record
    refused = [r for r in records if "robots.txt verbietet" in r["message"]]
    assert len(refused) == 3
    for record in refused:
        assert set(record) == {"time", "level", "logger", "message", "run_id", "source"}
        assert (record["level"], record["logger"], record["source"]) == (
            "WARNING",
            "crawler.spider",
            "rosenheim-web",
        )
        assert record["run_id"] == runs["rosenheim-web"].id and record["time"].endswith("Z")


def test_an_unknown_log_format_is_a_clear_german_error(nights):
    done, _, _ = nights.crawl("--source", "rosenheim-web", STELLEN_LOG_FORMAT="xml")
    assert done.returncode == 2 and "Konfigurationsfehler" in done.stderr and "log_format" in done.stderr


def test_stored_validators_lapse_with_a_new_configuration_or_an_unpublished_posting(tmp_path):
    from crawler.config import SourceConfig
    from crawler.freshness import Validator, ValidatorStore, fingerprint
    from vacancies.model import Vacancy

    board = open_board(Settings(database_url=f"sqlite:///{tmp_path / 'b.db'}", search_backend="sqlite"))
    board.save(
        [Vacancy(id="s:1", origin="crawled", source="s", district="miltenberg", title="Kämmerer (m/w/d)")]
    )
    source = SourceConfig.model_validate(
        {"key": "s", "strategy": "auto", "start_urls": ["https://lra.example/"]}
    )
    store, page = (
        ValidatorStore(board.store.engine),
        Validator('"abc"', "Tue, 01 Dec 2026 08:00:00 GMT", ("s:1",)),
    )
    store.save("s", fingerprint(source), {"https://lra.example/1": page}, set(), complete=True)
    assert store.load("s", fingerprint(source)) == {"https://lra.example/1": page}
    other = source.model_copy(update={"start_urls": ["https://lra.example/karriere/"]})
    assert fingerprint(other) != fingerprint(source) and store.load("s", fingerprint(other)) == {}
    board.set_state(["s:1"], State.expired)
    assert store.load("s", fingerprint(source)) == {}  # its posting must come back through a full read
    store.save("s", fingerprint(source), {}, set(), complete=True)  # a complete run that did not ask it
    board.set_state(["s:1"], State.published)
    assert store.load("s", fingerprint(source)) == {}
