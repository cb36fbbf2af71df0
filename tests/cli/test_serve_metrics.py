"""`serve --workers 2` and /metrics (issue 19, item 4): whichever worker answers the scrape, it counts the
requests of both (prometheus_client's multiprocess mode, set up by the supervisor)."""

from __future__ import annotations

import signal

import httpx2
from prometheus_client.parser import text_string_to_metric_families

from tests.cli.test_serve_workers import _start, _workers_of
from tests.support import free_port, wait_until_answering

REQUESTS = 30


def _searches_counted(url: str) -> float:
    text = httpx2.get(f"{url}/metrics", timeout=30).text  # a new connection: any worker may answer
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "stellen_http_requests_total" and sample.labels["route"] == "/api/v1/vacancies":
                return sample.value
    return 0.0


def test_every_worker_reports_the_requests_of_all(tmp_path):
    port = free_port()
    server = _start(tmp_path / "b.db", port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/api/v1/health", server)
        assert len(_workers_of(server)) == 2
        for _ in range(REQUESTS):  # each on a connection of its own: the kernel spreads them over both
            assert httpx2.get(f"{url}/api/v1/vacancies?per_page=1", timeout=30).status_code == 200
        assert [_searches_counted(url) for _ in range(8)] == [REQUESTS] * 8
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
