"""/api/v1/health reports the nightly crawl besides store and index (issue 19, item 3): failing sources,
the oldest last success, and HTTP 503 "stale" when that is older than the configured age."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML has no inline types; no stub package here
from fastapi.testclient import TestClient
from pydantic import ValidationError

from server.app import create_app
from tests.runs_support import nightly, record
from tests.search.helpers import make_board
from tests.support import served
from vacancies.runs import RunStore
from vacancies.settings import Settings

TOELZ, STARNBERG = "bad-toelz-wolfratshausen", "starnberg"  # sources of config/districts.yaml


@pytest.fixture
def setup(tmp_path):
    board = make_board("sqlite", tmp_path)

    def client(**settings) -> TestClient:
        config = Settings(database_url=f"sqlite:///{tmp_path / 'board.db'}", environment="test", **settings)
        return TestClient(create_app(config, board))

    return client, RunStore(board.store.engine)


def test_a_fresh_installation_without_runs_is_healthy_not_stale(setup):
    client, _ = setup
    response = client().get("/api/v1/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok" and body["store"]["ok"] is True and body["index"]["behind"] is False
    assert body["crawl"]["status"] == "no_runs"
    assert body["crawl"]["failing"] == {"count": 0, "sources": []} and body["crawl"]["oldest_success"] is None


def test_recent_successful_runs_are_ok_and_name_the_oldest(setup):
    client, runs = setup
    record(runs, f"{TOELZ}-web", TOELZ, ago=timedelta(hours=20))
    record(runs, f"{STARNBERG}-web", STARNBERG, ago=timedelta(hours=2))
    response = client().get("/api/v1/health")
    crawl = response.json()["crawl"]
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert crawl["status"] == "ok" and crawl["max_age_hours"] == 36
    assert crawl["oldest_success"]["source"] == f"{TOELZ}-web"
    assert 19.9 < crawl["oldest_success"]["age_hours"] < 20.1


def test_a_last_success_older_than_36_hours_is_stale_with_503(setup):
    client, runs = setup
    record(runs, f"{TOELZ}-web", TOELZ, ago=timedelta(hours=40))
    record(runs, f"{TOELZ}-web", TOELZ, ago=timedelta(hours=2), status="failed", flag="HTTP 500", found=0)
    record(runs, f"{STARNBERG}-web", STARNBERG, ago=timedelta(hours=2))
    response = client().get("/api/v1/health")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "stale" and body["crawl"]["status"] == "stale"
    assert body["crawl"]["oldest_success"]["source"] == f"{TOELZ}-web"
    assert body["crawl"]["failing"] == {"count": 1, "sources": [f"{TOELZ}-web"]}
    assert body["store"]["ok"] is True and "index" in body  # what health said before stays


def test_the_age_is_configurable(setup, monkeypatch):
    client, runs = setup
    record(runs, f"{TOELZ}-web", TOELZ, ago=timedelta(hours=40))
    assert client(health_max_crawl_age_hours=48).get("/api/v1/health").status_code == 200
    monkeypatch.setenv("STELLEN_HEALTH_MAX_CRAWL_AGE_HOURS", "24")
    assert Settings().health_max_crawl_age_hours == 24
    monkeypatch.setenv("STELLEN_HEALTH_MAX_CRAWL_AGE_HOURS", "0")
    with pytest.raises(ValidationError, match="Stunden größer als 0"):
        Settings()


def test_failing_sources_are_counted_without_making_the_service_stale(setup):
    client, runs = setup
    nightly(runs, f"{TOELZ}-web", TOELZ, [12, 11, 12])
    record(runs, f"{TOELZ}-web", TOELZ, ago=timedelta(minutes=30), found=0)  # usually 12: failing
    record(runs, f"{STARNBERG}-web", STARNBERG, status="failed", flag="Stellenliste nicht abrufbar")
    response = client().get("/api/v1/health")
    crawl = response.json()["crawl"]
    assert response.status_code == 200
    assert crawl["failing"] == {"count": 2, "sources": [f"{TOELZ}-web", f"{STARNBERG}-web"]}
    assert crawl["never_succeeded"] == [f"{STARNBERG}-web"]


def test_a_source_removed_from_districts_yaml_does_not_make_the_crawl_stale(setup):
    client, runs = setup
    record(runs, "abgeschafft-web", "abgeschafft", ago=timedelta(days=30))
    record(runs, f"{TOELZ}-web", TOELZ, ago=timedelta(hours=3))
    response = client().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["crawl"]["oldest_success"]["source"] == f"{TOELZ}-web"


def _compose_healthcheck(url: str) -> subprocess.CompletedProcess:
    """docker-compose.yml's health check of the web service, run against `url` instead of port 8000."""
    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
    command = compose["services"]["web"]["healthcheck"]["test"]
    assert command[:3] == ["CMD", "python", "-c"]
    script = command[3].replace("http://127.0.0.1:8000", url)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_the_container_health_check_tells_stale_apart(setup):
    client, runs = setup
    app = client().app
    with served(app) as url:
        healthy = _compose_healthcheck(url)
        assert healthy.returncode == 0, healthy.stderr
        record(runs, f"{TOELZ}-web", TOELZ, ago=timedelta(hours=50))
        stale = _compose_healthcheck(url)
    assert stale.returncode == 1
    assert stale.stderr.strip() == "unhealthy: stale"
