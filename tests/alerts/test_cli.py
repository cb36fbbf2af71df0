"""`stellenboerse alerts send` as operators run it: a real subprocess, also killed midway (item 5)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import select, update

from tests.alerts.conftest import BASE_URL, posting, settings_for
from tests.alerts.support import SmtpServer
from tests.support import free_port
from vacancies.alerts import Alerts
from vacancies.alerts.mail import UNCERTAIN
from vacancies.schema import alerts_table, mail_outbox_table
from vacancies.store import utcnow

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ALERTS = 30


class SlowInbox:
    """An SMTP handler that takes its time, so a run can be killed while it is sending."""

    def __init__(self, server: SmtpServer, delay: float) -> None:
        self.server, self.delay = server, delay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(self.delay)
        return await self.server.inbox.handle_DATA(server, session, envelope)


def command_env(db: str, smtp_port: int) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": REPO, "STELLEN_DATABASE_URL": f"sqlite:///{db}",
            "STELLEN_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "STELLEN_PUBLIC_BASE_URL": BASE_URL,
            "STELLEN_SECRET_KEY": "test-secret-" + "x" * 20, "STELLEN_ENVIRONMENT": "test",
            "STELLEN_SEARCH_BACKEND": "sqlite"}  # fmt: skip


def prepare(board, smtp_url: str) -> Alerts:
    """ALERTS confirmed daily alerts, each with one new matching posting."""
    alerts = Alerts(board.store.engine, board, settings_for(smtp_url, alert_mails_per_client_hour=1000))
    start = utcnow() - timedelta(hours=3)
    for n in range(ALERTS):
        alerts.subscribe(f"person{n}@example.de", {"q": f"Stelle{n}"}, "daily", "192.0.2.1")
    with alerts.engine.begin() as conn:
        conn.execute(update(alerts_table).values(confirmed_at=start, watermark=start))
        conn.execute(update(mail_outbox_table).values(sent_at=start, message=""))  # confirmations: done
    board.save(
        [posting(f"p{n}", f"Stelle{n} Sachbearbeitung", start + timedelta(hours=1)) for n in range(ALERTS)]
    )
    return alerts


def digests_by_address(server: SmtpServer) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in server.inbox.messages:
        counts[message["To"]] = counts.get(message["To"], 0) + 1
    return counts


def test_alerts_send_prints_a_german_summary(tmp_path, board, smtp):
    prepare(board, smtp.url)
    db = str(tmp_path / "board.db")
    cmd = [sys.executable, "-m", "cli.main", "alerts", "send"]
    done = subprocess.run(
        cmd, env=command_env(db, smtp.port), capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    assert f"{ALERTS} Suchaufträge fällig" in done.stdout
    assert f"{ALERTS} Benachrichtigungen eingereiht; {ALERTS} Mails gesendet" in done.stdout
    assert len(smtp.inbox.wait_for(ALERTS)) == ALERTS


def test_killed_midway_and_run_again_sends_no_digest_twice(tmp_path, board):
    port = free_port()
    server = SmtpServer(port)
    server.controller.handler = SlowInbox(server, delay=0.05)
    server.start()
    try:
        alerts = prepare(board, server.url)
        db = str(tmp_path / "board.db")
        cmd = [sys.executable, "-m", "cli.main", "alerts", "send"]
        child = subprocess.Popen(cmd, env=command_env(db, port), cwd=REPO, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + 60
        while (
            len(server.inbox.messages) < ALERTS // 3 and time.monotonic() < deadline and child.poll() is None
        ):
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
        first = len(server.inbox.messages)
        assert 0 < first < ALERTS, "the run was to be killed while sending"

        again = subprocess.run(cmd, env=command_env(db, port), cwd=REPO, capture_output=True, text=True,
                               timeout=120)  # fmt: skip
        assert again.returncode == 0, again.stderr
        counts = digests_by_address(server)
        assert max(counts.values()) == 1  # never twice
        with alerts.engine.connect() as conn:
            rows = conn.execute(select(mail_outbox_table).where(mail_outbox_table.c.kind == "digest")).all()
        assert len(rows) == ALERTS  # every alert's digest was queued exactly once
        uncertain = [r for r in rows if r.last_error == UNCERTAIN]
        # The one mail (at most) whose SMTP exchange the kill cut off is not sent again, but recorded.
        assert len(uncertain) <= 1
        assert len(counts) + len([r for r in uncertain if r.recipient not in counts]) == ALERTS
        assert all(r.sent_at is not None or r.last_error == UNCERTAIN for r in rows)
    finally:
        server.stop()


def test_alerts_list_counts_alerts_by_state_and_the_outbox(tmp_path, board, smtp):
    """`alerts list` reads through the alerts domain (Alerts.overview), not the tables (issue 17, item 3)."""
    alerts = prepare(board, smtp.url)
    alerts.subscribe("neu@example.de", {"q": "Erzieher"}, "weekly", "192.0.2.2")  # unconfirmed, mail waits
    with alerts.engine.begin() as conn:
        conn.execute(update(mail_outbox_table).where(mail_outbox_table.c.id == 1).values(gave_up_at=utcnow()))
    overview = alerts.overview()
    assert overview.by_state == [("daily", True, ALERTS), ("weekly", False, 1)]
    assert (overview.waiting, overview.given_up) == (1, 1)
    db = str(tmp_path / "board.db")
    cmd = [sys.executable, "-m", "cli.main", "alerts", "list"]
    done = subprocess.run(
        cmd, env=command_env(db, smtp.port), capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    lines = [" ".join(line.split()) for line in done.stdout.splitlines()]
    assert lines == [f"täglich bestätigt {ALERTS}", "wöchentlich unbestätigt 1",
                     "Warteschlange: 1 Mails warten, 1 aufgegeben"]  # fmt: skip
