"""Redirects and lifecycle, over HTTP with a real crawl: a page that fails in a later run keeps its
posting even when the list links it through a redirect, and a redirect off the site fails the page."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from vacancies.model import State
from vacancies.runs import RunStore
from vacancies.service import open_board
from vacancies.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
POSTING = """<!doctype html><html lang="de"><head><title>Stelle {n}</title>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "JobPosting",
"title": "Sachbearbeiter (m/w/d) Stelle {n}", "url": "{base}/kanonisch/{n}",
"description": "<p>Aufgaben der Stelle {n}</p>", "datePosted": "2026-11-01",
"hiringOrganization": {{"@type": "Organization", "name": "Landratsamt Miltenberg"}},
"jobLocation": {{"@type": "Place", "address": {{"postalCode": "63897", "addressLocality": "Miltenberg"}}}}}}
</script></head><body><h1>Stelle {n}</h1></body></html>"""


class Site(BaseHTTPRequestHandler):
    night = 1  # the test switches to the second night's answers
    base = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path, night = self.path, Site.night
        if path == "/liste":  # links through a redirect; night 2: the link of posting 3 answers 503
            links = "".join(
                f'<li><a class="s" href="/stelle?id={n}">Stelle {n}</a></li>' for n in range(1, 6)
            )
            self._send(200, f"<html><body><ul>{links}</ul></body></html>")
        elif path.startswith("/stelle?id="):
            n = path.rsplit("=", 1)[1]
            if night == 2 and n == "3":
                self._send(503, "Wartung")
            else:
                self._redirect(f"/stellen/{n}.html")
        elif path.startswith("/stellen/") and path.endswith(".html"):
            self._send(200, POSTING.format(n=path[9:-5], base=Site.base))
        elif path == "/zweite-liste":  # night 2: moved to another host, outside the source's domains
            if night == 2:
                self._redirect("http://stellen.anderswo.example/zweite-liste")
            else:
                self._send(200, '<html><body><a class="s" href="/stellen/7.html">Stelle 7</a></body></html>')
        else:
            self._send(404, "nicht gefunden")

    def _send(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    Site.night, Site.base = 1, f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site.base
    server.shutdown()
    server.server_close()


def _districts(tmp_path: Path, base: str) -> Path:
    def source(key: str, path: str) -> dict:
        return {"key": key, "strategy": "structured", "start_urls": [f"{base}{path}"],
                "allowed_domains": ["127.0.0.1"], "options": {"link_selector": "a.s"}}  # fmt: skip

    sources = [source("umleitung", "/liste"), source("umzug", "/zweite-liste")]
    district = {"slug": "miltenberg", "key": "09676", "name": "Miltenberg", "lat": 49.78, "lon": 9.24,
                "member": True, "sources": sources}  # fmt: skip
    path = tmp_path / "districts.yaml"
    path.write_text(yaml.safe_dump({"districts": [district]}, allow_unicode=True), encoding="utf-8")
    return path


def _crawl(tmp_path: Path, districts: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "STELLEN_DATABASE_URL": f"sqlite:///{tmp_path / 'board.db'}",
           "STELLEN_SEARCH_BACKEND": "sqlite"}  # fmt: skip
    command = [sys.executable, "-m", "cli.main", "crawl", "--districts-file", str(districts), "--impolite"]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_redirected_links_and_redirects_off_the_site_expire_nothing(tmp_path, site):
    districts = _districts(tmp_path, site)
    first = _crawl(tmp_path, districts)
    assert first.returncode == 0, first.stdout + first.stderr
    board = open_board(Settings(database_url=f"sqlite:///{tmp_path / 'board.db'}", search_backend="sqlite"))
    ids = board.store.ids_for_source("umleitung")
    assert len(ids) == 5 and len(board.store.ids_for_source("umzug")) == 1

    Site.night = 2
    second = _crawl(tmp_path, districts)
    states = {vacancy_id: board.get(vacancy_id).state for vacancy_id in ids}
    assert list(states.values()) == [State.published] * 5, states  # posting 3's link failed: kept
    (moved,) = board.store.ids_for_source("umzug")
    assert board.get(moved).state == State.published
    runs = RunStore(board.store.engine)
    umleitung, umzug = runs.latest("umleitung"), runs.latest("umzug")
    assert umleitung.status == "success" and umleitung.expired == 0
    assert any("503" in reason for _, reason in umleitung.errors)
    assert umzug.status == "failed" and umzug.expired == 0
    assert "fremde Adresse" in umzug.flag and "stellen.anderswo.example" in umzug.flag
    assert second.returncode == 1 and "fremde Adresse" in second.stdout
