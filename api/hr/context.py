"""The HR portal's parts, built once per app (app.state.hr) from the board and the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from vacancies.accounts import Accounts
from vacancies.audit import AuditLog
from vacancies.hr_postings import HrPostings
from vacancies.service import Board
from vacancies.settings import REPO_ROOT, Settings
from vacancies.store import utcnow


def uploads_dir(settings: Settings) -> Path:
    """Uploads live next to the database (outside the web root): `<database dir>/uploads`."""
    url = settings.database_url
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url.split(":///", 1)[1]).resolve().parent / "uploads"
    return REPO_ROOT / "var" / "uploads"


@dataclass
class HrContext:
    settings: Settings
    board: Board
    clock: Callable[[], datetime] = utcnow  # tests replace it to move time
    due_interval_seconds: float = 10.0  # scheduled publications and expiry run at most this often
    last_due_run: float = field(default=0.0)

    def __post_init__(self) -> None:
        engine = self.board.store.engine
        now = self.now
        self.audit = AuditLog(engine, clock=now)
        self.accounts = Accounts(engine, clock=now, audit=self.audit)  # logins and tokens audit themselves
        self.postings = HrPostings(
            self.board, self.audit, uploads_dir(self.settings), self.settings.public_base_url, clock=now
        )

    def now(self) -> datetime:
        return self.clock()
