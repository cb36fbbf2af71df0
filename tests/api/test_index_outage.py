"""Elasticsearch goes away and comes back while the server runs (real ES behind a loopback TCP relay).

Before: an HR write waited 14.6 s on the client's retries on the event loop while every other request
waited too, the outbox was drained only by the next write, and search, facets, feeds and districts
answered 500 while posting pages answered 503 although the posting was in the store.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

import httpx2
import pytest

from tests.hr.conftest import DISTRICT_A, build_portal, crawled, vacancy_body
from tests.support import served

pytestmark = pytest.mark.elasticsearch


class Relay:
    """A TCP relay on 127.0.0.1 in front of the real Elasticsearch that can be switched off: while off it
    closes every connection at once, like a cluster whose node is gone."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.up, self.open = True, set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def switch(self, up: bool) -> None:
        self.up = up
        if not up:
            with self.lock:
                for conn in list(self.open):
                    _close(conn)
                self.open.clear()

    def close(self) -> None:
        self.switch(False)
        _close(self.listener)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                _close(client)
                continue
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.open.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@contextmanager
def outage_portal(tmp_path, es_url):
    relay = Relay(es_url)
    portal = build_portal(tmp_path, "elasticsearch", relay.url)
    portal.board.save([crawled("miltenberg-web:1", DISTRICT_A, "Förster (m/w/d)")])
    portal.app.state.outbox_timing = (0.2, 1.0)
    _, secret = portal.hr.accounts.create_token(DISTRICT_A, "ATS", "test")
    try:
        with served(portal.app) as url:
            yield relay, portal, url, {"Authorization": f"Bearer {secret}"}
    finally:
        relay.switch(True)
        portal.board.backend.drop()
        relay.close()


def test_with_the_index_down_search_answers_503_and_the_store_still_serves(tmp_path, es_url):
    with outage_portal(tmp_path, es_url) as (relay, _portal, url, _auth):
        relay.switch(False)
        paths = ("/api/v1/vacancies?q=Förster", "/api/v1/facets", "/api/v1/feed.rss", "/api/v1/districts")
        for path in paths:
            response = httpx2.get(url + path, timeout=30)
            assert response.status_code == 503, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert int(response.headers["retry-after"]) > 0
            assert "nicht erreichbar" in response.json()["detail"]
        search_page = httpx2.get(url + "/?q=Förster", timeout=30)
        assert search_page.status_code == 503 and search_page.headers["retry-after"]
        old_address = httpx2.get(url + "/stellen/miltenberg-web:1", timeout=30)  # found in the store alone
        assert old_address.status_code == 301
        posting = httpx2.get(url + urlsplit(old_address.headers["location"]).path, timeout=30)
        assert posting.status_code == 200 and "Förster" in posting.text


def test_hr_writes_do_not_wait_for_a_down_index_and_it_catches_up_while_idle(tmp_path, es_url):
    with outage_portal(tmp_path, es_url) as (relay, _portal, url, auth):
        relay.switch(False)
        times: dict[str, float] = {}

        def put(number: int) -> None:
            started = time.monotonic()
            body = vacancy_body(title=f"Gärtner (m/w/d) Los {number}", state="published")
            target = f"{url}/api/v1/hr/vacancies/los-{number}"
            response = httpx2.put(target, json=body, headers=auth, timeout=60)
            assert response.status_code == 201, response.text
            times[f"put{number}"] = time.monotonic() - started

        writers = [threading.Thread(target=put, args=(n,)) for n in range(3)]
        for writer in writers:
            writer.start()
        started = time.monotonic()
        assert httpx2.get(url + "/robots.txt", timeout=30).status_code == 200
        times["robots"] = time.monotonic() - started
        for writer in writers:
            writer.join(60)
        assert max(times.values()) < 3.0, times  # the client's retries would take far longer
        health = httpx2.get(url + "/api/v1/health", timeout=30).json()
        assert health["index"]["behind"] is True and health["index"]["pending_writes"] >= 3

        relay.switch(True)  # the cluster is back; nobody writes, the drainer catches up by itself
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            health = httpx2.get(url + "/api/v1/health", timeout=30).json()
            if health["index"]["pending_writes"] == 0:
                break
            time.sleep(0.2)
        assert health["index"]["pending_writes"] == 0 and health["index"]["behind"] is False
        httpx2.post(f"{es_url}/{_portal.board.backend.alias}/_refresh", timeout=30)
        found = httpx2.get(url + "/api/v1/vacancies?q=Gärtner", timeout=30).json()
        assert found["total"] == 3
