"""A twin across two sources of one district, in a real crawl (issue 14, item 9).

The sample district augsburg publishes one posting on its own website (JSON-LD, source augsburg-web)
and through its interamt account on the vendor's host (source augsburg-interamt). The website was
onboarded first; once the interamt source is added, the crawl stores the posting once: the interamt
copy is dropped as a twin with its reason recorded on that source's run, counts as seen, and nothing
is expired on the next night.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from crawler.samplesites.server import SampleSites
from vacancies.model import State
from vacancies.runs import RunStore
from vacancies.service import open_board
from vacancies.settings import Settings

TODAY = date(2026, 11, 27)
WEB, VENDOR = "augsburg-web", "augsburg-interamt"
REASON = f"Duplikat aus Quelle {WEB}"


def crawl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "cli.main", "crawl", "--districts-file", env["STELLEN_DISTRICTS_FILE"],
               "--impolite", *args]  # fmt: skip
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


class Nights:
    """Night 1: the website alone; night 2: both sources; night 3 (state 2): both sources again."""

    def __init__(self, tmp: Path) -> None:
        self.sites = SampleSites(port=0, today=TODAY, slow_delay=0.05).start()
        self.sites.write_districts_yaml(tmp / "districts.yaml")
        settings = Settings(database_url=f"sqlite:///{tmp / 'board.db'}", search_backend="sqlite")
        env = {
            **os.environ,
            "STELLEN_DATABASE_URL": settings.database_url,
            "STELLEN_SEARCH_BACKEND": "sqlite",
            "STELLEN_DISTRICTS_FILE": str(tmp / "districts.yaml"),
        }
        self.board = open_board(settings)
        self.truth = self.sites.expected(1)
        ((self.web_copy, self.vendor_copy),) = self.truth.twins
        self.done, self.runs, self.stored = [], [], []
        district = "--district=augsburg"
        for selection, state in ((f"--source={WEB}", 1), (district, 1), (district, 2)):
            self.sites.set_state(state)
            self.done.append(crawl(env, selection))
            self.runs.append(self.latest_runs())
            self.stored.append({v.id: v for v, _hidden in self.board.store.iter_all()})

    def latest_runs(self) -> dict:
        return {run.source: run for run in reversed(RunStore(self.board.store.engine).recent(20))}

    def copies(self, night: int) -> dict[str, list]:
        """source -> the stored postings titled as the twin, after `night` (0, 1, 2)."""
        found: dict[str, list] = {}
        for v in self.stored[night].values():
            if v.title == self.web_copy.title and v.deadline == self.web_copy.deadline:
                found.setdefault(v.source, []).append(v)
        return found

    def close(self) -> None:
        self.sites.stop()


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    run = Nights(tmp_path_factory.mktemp("twins"))
    yield run
    run.close()


def test_the_district_has_two_sources_and_one_posting_in_both(nights):
    assert nights.web_copy.source == WEB and nights.vendor_copy.source == VENDOR
    assert nights.vendor_copy.url.startswith(nights.sites.vendor_url + "/koop/app/stelle?id=")
    assert [d.returncode for d in nights.done] == [0, 0, 0], [d.stdout[-2000:] for d in nights.done]
    first = nights.runs[0]
    assert first[WEB].status == "success" and VENDOR not in first
    assert set(nights.copies(0)) == {WEB}


def test_the_second_source_drops_the_twin_with_its_reason(nights):
    run = nights.runs[1][VENDOR]
    assert run.status == "success", (run.flag, run.errors[:3])
    assert run.drop_reasons == {REASON: 1} and run.dropped == 1
    assert run.new == len(nights.truth[VENDOR])  # the vendor's other postings are stored
    assert nights.runs[1][WEB].drop_reasons == {}
    (kept,) = nights.copies(1)[WEB]
    assert set(nights.copies(1)) == {WEB} and kept.state == State.published
    vendor_ids = {v.source_url for v in nights.stored[1].values() if v.source == VENDOR}
    assert vendor_ids == {p.url for p in nights.truth[VENDOR]}
    assert nights.vendor_copy.url not in vendor_ids


def test_the_twin_is_not_expired_on_the_next_night(nights):
    runs = nights.runs[2]
    assert runs[VENDOR].drop_reasons == {REASON: 1}
    assert runs[VENDOR].expired == 0 and runs[VENDOR].status == "success"
    (kept,) = nights.copies(2)[WEB]
    assert set(nights.copies(2)) == {WEB}
    assert kept.state == State.published and kept.id == nights.copies(1)[WEB][0].id
    # the vendor's own postings stay published too: the run expired nothing it still saw
    assert all(v.state == State.published for v in nights.stored[2].values() if v.source == VENDOR)
