"""Fixtures of the alert tests: a real board (SQLite + embedded index), a real SMTP server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.alerts.support import SmtpServer
from tests.search.helpers import make_board
from tests.support import free_port
from vacancies.alerts import Alerts
from vacancies.model import Vacancy
from vacancies.settings import Settings

BASE_URL = "https://stellen.example"
T0 = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)  # 06:30 in Berlin, the nightly run


@pytest.fixture
def smtp():
    server = SmtpServer(free_port()).start()
    yield server
    server.stop()


def settings_for(smtp_url: str = "", **extra) -> Settings:
    values = {"environment": "test", "public_base_url": BASE_URL, "secret_key": "test-secret-" + "x" * 20,
              "smtp_url": smtp_url, "mail_from": "Stellenbörse <noreply@stellen.example>"}  # fmt: skip
    return Settings(**{**values, **extra})


@pytest.fixture
def board(tmp_path):
    return make_board("sqlite", tmp_path)


@pytest.fixture
def alerts(board, smtp):
    return Alerts(board.store.engine, board, settings_for(smtp.url))


def posting(vacancy_id: str, title: str, first_seen: datetime, **fields) -> Vacancy:
    data = {
        "id": vacancy_id,
        "title": title,
        "district": "freising",
        "source": "test",
        "employer": "Landratsamt Freising",
        "location": {"postal_code": "85354", "city": "Freising"},
        "deadline": date(2027, 1, 31),
        "date_posted": first_seen.date(),
        "first_seen": first_seen,
    }
    data.update(fields)
    return Vacancy.model_validate(data)


def confirmed(alerts: Alerts, smtp, email: str, params: dict, frequency: str = "daily", at: datetime = T0):
    """Subscribe, deliver the confirmation mail over SMTP and follow its link; the alert's confirmation
    time is then set to `at` (the tests' clock)."""
    from sqlalchemy import update

    from tests.alerts.support import link, token
    from vacancies.schema import alerts_table

    alert = alerts.subscribe(email, params, frequency, "192.0.2.1")
    alerts.deliver()
    mail = smtp.inbox.to(email)[-1]
    alert = alerts.confirm(token(link(mail, "/suchauftrag/bestaetigen")))
    with alerts.engine.begin() as conn:
        conn.execute(
            update(alerts_table).where(alerts_table.c.id == alert.id).values(confirmed_at=at, watermark=at)
        )
    return alert


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)
