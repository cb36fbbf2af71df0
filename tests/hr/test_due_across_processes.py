"""Scheduled publication run by several processes at once (server workers, a cron `hr-due`): each due
posting is published exactly once, with exactly one audit entry."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import text

from tests.hr.conftest import DISTRICT_A, vacancy_body
from vacancies.store import utcnow

POSTINGS = 30


def test_two_processes_publish_each_due_posting_once(portal):
    _, secret = portal.hr.accounts.create_token(DISTRICT_A, "ATS", "test")
    client, auth = portal.client(), {"Authorization": f"Bearer {secret}"}
    later = (utcnow() + timedelta(days=1)).isoformat()
    for number in range(POSTINGS):
        body = vacancy_body(title=f"Förster (m/w/d) {number}", state="draft", publish_at=later)
        assert client.put(f"/api/v1/hr/vacancies/plan-{number}", json=body, headers=auth).status_code == 201
    engine = portal.board.store.engine
    with engine.begin() as conn:  # all of them became due a minute ago
        conn.execute(text("UPDATE hr_postings SET publish_at = :at"), {"at": utcnow() - timedelta(minutes=1)})
    env = {**os.environ, "STELLEN_DATABASE_URL": str(engine.url), "STELLEN_SEARCH_BACKEND": "sqlite"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "cli.main", "hr-due"], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    published = sum(int(out.split("Veröffentlicht: ")[1].split(",")[0]) for out in outputs)
    assert published == POSTINGS, outputs
    with engine.connect() as conn:
        states = conn.execute(text("SELECT state, count(*) FROM vacancies GROUP BY state")).all()
        entries = conn.execute(
            text("SELECT vacancy_id, count(*) FROM audit_log WHERE action = 'publish' GROUP BY vacancy_id")
        ).all()
    assert dict(states) == {"published": POSTINGS}
    assert len(entries) == POSTINGS and {count for _, count in entries} == {1}
