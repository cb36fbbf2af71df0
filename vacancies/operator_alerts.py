"""Operator alerts (issue 19, item 5): a broken source is mailed to the operators once, and once again
when it works again.

After every crawl (crawler.runner calls `after_crawl`), each run not judged yet is judged against its
source's earlier runs (`crawl_runs`). A run shows a *problem* when

1. a host refused us (`refusal`: HTTP 429 from any host, a vendor's HTTP 403 or robots.txt), or
2. it failed and so did the source's run before it (two failed runs in a row), or
3. it found fewer than half the usual postings: the median of the source's last USUAL_RUNS
   successful runs (at least MIN_HISTORY of them, median at least MIN_USUAL; below that a drop is
   noise). Judged for successful runs and for those the crawler failed only for a fallen count.

A problem opens an *incident* of the source (table `operator_incidents`, migration 0017) and queues one
German mail (plain text + HTML) per address of STELLEN_OPERATOR_EMAILS in the mail outbox of the
Suchaufträge, delivered by the same Mailer with its retries. While the incident is open nothing more is
mailed, whatever else goes wrong with the source. It closes, with one "wieder in Ordnung" mail, after
RECOVERY_RUNS good runs in a row (succeeded, no refusal, not too few); a failed or otherwise bad run in
between starts the count again. So a flapping source (ok, failed, ok, failed, …) stays one open
incident and one mail, instead of a mail per night.

Each run is judged once (`operator_checks` keeps the last run judged per source); the first look at a
source judges only its latest run, against its history, so switching the alerts on does not mail old
news. Mails have idempotency keys per incident and address: a run judged twice queues nothing twice.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from jinja2 import Environment, select_autoescape
from sqlalchemy import Connection, Engine, insert, select, update

from vacancies.alerts.mail import parts, queue
from vacancies.clock import BERLIN
from vacancies.runs import CrawlRun, RunStore
from vacancies.schema import operator_checks_table as checks
from vacancies.schema import operator_incidents_table as incidents
from vacancies.settings import Settings
from vacancies.store import utcnow

log = logging.getLogger(__name__)

RECOVERY_RUNS = 2  # good runs in a row that close an incident
USUAL_RUNS = 5  # the usual number of postings: the median of this many latest successful runs
MIN_HISTORY = 3  # successful runs needed before "too few" is judged at all
MIN_USUAL = 4  # a usual number below this: a drop is noise, not a broken site
HISTORY = 50  # finished runs per source read for one check
# What crawler.spider.refusal writes for a refusing host (into a failed page's reason or the run's
# flag): "HTTP 429 (zu viele Anfragen) von host", "host verweigert den Abruf: HTTP 403|robots.txt".
REFUSED = re.compile(r"HTTP 429|verweigert den Abruf")
SUSPICIOUS = "verdächtig wenige Stellen"  # crawler.lifecycle.failure's flag when the count fell
KINDS = {
    "failing": "fällt aus",
    "few": "findet auffällig wenige Stellen",
    "refused": "wird vom Server abgewiesen",
}


@dataclass(frozen=True)
class Problem:
    kind: str  # failing | few | refused
    reason: str  # German, as mailed


@dataclass(frozen=True)
class Notice:
    """An incident that opened or closed in this check (its mails are queued)."""

    source: str
    kind: str
    event: str  # opened | closed
    incident_id: int


def refusal(run: CrawlRun) -> str | None:
    """The first refusal this run met (German, as recorded), or None.

    Today read from the reasons of the run's failed pages and its flag; the one place to feed the
    crawler's own refusal detail once crawl_runs records it."""
    reasons = [run.flag or ""] + [entry[-1] for entry in run.errors if entry]
    return next((reason for reason in reasons if REFUSED.search(reason)), None)


def usual_found(earlier: list[CrawlRun]) -> float | None:
    """The median postings of the latest USUAL_RUNS successful runs, None when it says too little."""
    found = [run.found for run in earlier if run.status == "success"][-USUAL_RUNS:]
    if len(found) < MIN_HISTORY:
        return None
    median = statistics.median(found)
    return median if median >= MIN_USUAL else None


def problem(run: CrawlRun, earlier: list[CrawlRun]) -> Problem | None:
    """What is wrong with `run`, given the source's finished runs before it (oldest first)."""
    if refused := refusal(run):
        return Problem("refused", refused[:500])
    # A count that fell against the last run fails the run already (crawler.lifecycle); its postings
    # were still counted, so it is judged by the usual number like a successful run.
    counted = run.status == "success" or (run.flag or "").startswith(SUSPICIOUS)
    usual = usual_found(earlier) if counted else None
    if usual is not None and run.found < usual / 2:
        return Problem(
            "few", f"{run.found} Stellen gefunden, üblich sind {usual:g} (Median der letzten Läufe)"
        )
    if run.status == "failed" and earlier and earlier[-1].status == "failed":
        return Problem("failing", f"zwei Läufe hintereinander fehlgeschlagen, zuletzt: {run.flag}")
    return None


class OperatorAlerts:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.runs = RunStore(engine)

    def check(self, sources: Iterable[str], now: datetime | None = None) -> list[Notice]:
        """Judge the runs of these sources not judged yet; queue the mails of incidents that opened or
        closed, in the transaction that records them."""
        now = now or utcnow()
        notices: list[Notice] = []
        for source in sorted(set(sources)):
            history = self.runs.finished(source, HISTORY)
            with self.engine.begin() as conn:
                notices += self._check_source(conn, source, history, now)
        return notices

    def _check_source(self, conn: Connection, source: str, history: list[CrawlRun], now) -> list[Notice]:
        if not history:
            return []
        checked = conn.scalar(select(checks.c.run_id).where(checks.c.source == source))
        notices = []
        for index, run in enumerate(history):
            if (checked is None and index == len(history) - 1) or (checked is not None and run.id > checked):
                notices += self._judge(conn, run, history[:index], now)
        latest = history[-1].id
        if checked is None:
            conn.execute(insert(checks).values(source=source, run_id=latest))
        else:
            conn.execute(update(checks).where(checks.c.source == source).values(run_id=latest))
        return notices

    def _judge(self, conn: Connection, run: CrawlRun, earlier: list[CrawlRun], now) -> list[Notice]:
        found = problem(run, earlier)
        incident = conn.execute(
            select(incidents).where(incidents.c.source == run.source, incidents.c.closed_at.is_(None))
        ).first()
        if incident is None:
            return [self._open(conn, run, found, now)] if found else []
        if found is not None or run.status != "success":
            values = {"last_bad_run_id": run.id, "good_runs": 0}
            conn.execute(update(incidents).where(incidents.c.id == incident.id).values(**values))
            return []
        if incident.good_runs + 1 < RECOVERY_RUNS:
            values = {"good_runs": incident.good_runs + 1}
            conn.execute(update(incidents).where(incidents.c.id == incident.id).values(**values))
            return []
        return [self._close(conn, incident, run, now)]

    def _open(self, conn: Connection, run: CrawlRun, found: Problem, now) -> Notice:
        values = {"source": run.source, "district": run.district, "kind": found.kind, "reason": found.reason,
                  "opened_at": now, "opened_run_id": run.id, "last_bad_run_id": run.id}  # fmt: skip
        incident_id = conn.execute(insert(incidents).values(**values).returning(incidents.c.id)).scalar_one()
        log.warning("Quelle %s %s: %s", run.source, KINDS[found.kind], found.reason)
        subject = f"Stellenbörse: Quelle {run.source} {KINDS[found.kind]}"
        self._queue(
            conn, incident_id, "opened", subject, {**values, "what": KINDS[found.kind], "run": run}, now
        )
        return Notice(run.source, found.kind, "opened", incident_id)

    def _close(self, conn: Connection, incident, run: CrawlRun, now) -> Notice:
        conn.execute(
            update(incidents)
            .where(incidents.c.id == incident.id)
            .values(closed_at=now, closed_run_id=run.id, good_runs=incident.good_runs + 1)
        )
        log.info("Quelle %s läuft wieder (Störung seit %s)", run.source, _berlin(incident.opened_at))
        subject = f"Stellenbörse: Quelle {run.source} läuft wieder"
        values = {**incident._asdict(), "what": KINDS[incident.kind], "run": run,
                  "opened": _berlin(incident.opened_at)}  # fmt: skip
        self._queue(conn, incident.id, "closed", subject, values, now)
        return Notice(run.source, incident.kind, "closed", incident.id)

    def _queue(self, conn: Connection, incident_id: int, event: str, subject: str, values: dict, now) -> None:
        addresses = self.settings.operator_addresses
        if not addresses:
            log.info("STELLEN_OPERATOR_EMAILS ist leer: „%s“ wird nicht gemailt", subject)
            return
        values = {**values, "subject": subject, "finished": _berlin(values["run"].finished_at),
                  "base_url": self.settings.public_base_url, "recovery_runs": RECOVERY_RUNS}  # fmt: skip
        text = _render(event, "text", values)
        html = _render(event, "html", values)
        for address in addresses:
            digest = hashlib.sha256(address.lower().encode()).hexdigest()[:16]
            queue(conn, {
                "idempotency_key": f"operator:{incident_id}:{event}:{digest}", "kind": "operator",
                "recipient": address, "email_key": address.lower(), "message": parts(subject, text, html, ""),
                "created_at": now, "next_attempt_at": now,
            })  # fmt: skip


def after_crawl(board, settings: Settings, runs: Iterable[CrawlRun]) -> list[Notice]:
    """The crawl runner's last step: judge the recorded runs' sources and deliver what that queued.
    An error here is logged, never the crawl's failure (its runs are recorded already)."""
    from vacancies.alerts import Alerts

    sources = {run.source for run in runs if run.id is not None}
    try:
        notices = OperatorAlerts(board.store.engine, settings).check(sources)
        if notices and settings.operator_addresses:
            # The outbox's own delivery (with the digests' renderer: a due digest goes out as it should).
            Alerts(board.store.engine, board, settings).deliver()
    except Exception as exc:  # a locked database or a mail server fault must not fail a finished crawl
        log.warning("Betriebswarnungen nicht geprüft: %s", exc, exc_info=log.isEnabledFor(logging.DEBUG))
        return []
    return notices


def _berlin(moment: datetime | None) -> str:
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


@functools.cache
def _template(event: str, form: str):
    environment = Environment(
        autoescape=select_autoescape(default=form == "html", default_for_string=form == "html"),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )  # fmt: skip
    return environment.from_string(TEMPLATES[event, form])


def _render(event: str, form: str, values: dict) -> str:
    return _template(event, form).render(**values)


OPENED_TEXT = """\
Guten Tag,

die Quelle {{ source }} (Landkreis {{ district }}) {{ what }}.

Grund: {{ reason }}
Lauf Nr. {{ run.id }}, beendet am {{ finished }}: {{ run.pages }} Seiten, {{ run.found }} Stellen gefunden.

Solange diese Störung besteht, schicken wir zu dieser Quelle keine weitere Mail. Sobald
{{ recovery_runs }} Läufe hintereinander wieder in Ordnung sind, melden wir Entwarnung.

Die Läufe der Quelle: stellenboerse runs --source {{ source }}
Betriebsseite: {{ base_url }}/hr/betrieb/{{ source }}

--
Automatische Betriebswarnung der Stellenbörse an die Adressen in STELLEN_OPERATOR_EMAILS.
"""

OPENED_HTML = """\
<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">
<main>
<h1 style="font-size: 1.4em;">Quelle {{ source }} {{ what }}</h1>
<dl>
<dt>Landkreis</dt><dd>{{ district }}</dd>
<dt>Grund</dt><dd>{{ reason }}</dd>
<dt>Lauf</dt><dd>Nr. {{ run.id }}, beendet am {{ finished }}: {{ run.pages }} Seiten,
{{ run.found }} Stellen gefunden</dd>
</dl>
<p>Solange diese Störung besteht, schicken wir zu dieser Quelle keine weitere Mail. Sobald
{{ recovery_runs }} Läufe hintereinander wieder in Ordnung sind, melden wir Entwarnung.</p>
<p>Die Läufe der Quelle: <code>stellenboerse runs --source {{ source }}</code></p>
<p><a href="{{ base_url }}/hr/betrieb/{{ source }}" style="color: #00457d; font-weight: bold;">
Zur Betriebsseite</a></p>
</main>
<footer>
<p>Automatische Betriebswarnung der Stellenbörse an die Adressen in STELLEN_OPERATOR_EMAILS.</p>
</footer>
</body>
</html>
"""

CLOSED_TEXT = """\
Guten Tag,

Entwarnung: die Quelle {{ source }} (Landkreis {{ district }}) läuft wieder.

Die Störung seit {{ opened }} („{{ what }}“: {{ reason }}) ist behoben:
{{ recovery_runs }} Läufe hintereinander waren in Ordnung, zuletzt Lauf Nr. {{ run.id }}, beendet am
{{ finished }}, mit {{ run.found }} Stellen.

Die Läufe der Quelle: stellenboerse runs --source {{ source }}
Betriebsseite: {{ base_url }}/hr/betrieb/{{ source }}

--
Automatische Betriebswarnung der Stellenbörse an die Adressen in STELLEN_OPERATOR_EMAILS.
"""

CLOSED_HTML = """\
<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">
<main>
<h1 style="font-size: 1.4em;">Entwarnung: Quelle {{ source }} läuft wieder</h1>
<p>Die Störung seit {{ opened }} („{{ what }}“: {{ reason }}) ist behoben:
{{ recovery_runs }} Läufe hintereinander waren in Ordnung.</p>
<dl>
<dt>Landkreis</dt><dd>{{ district }}</dd>
<dt>Letzter Lauf</dt><dd>Nr. {{ run.id }}, beendet am {{ finished }}, {{ run.found }} Stellen</dd>
</dl>
<p><a href="{{ base_url }}/hr/betrieb/{{ source }}" style="color: #00457d; font-weight: bold;">
Zur Betriebsseite</a></p>
</main>
<footer>
<p>Automatische Betriebswarnung der Stellenbörse an die Adressen in STELLEN_OPERATOR_EMAILS.</p>
</footer>
</body>
</html>
"""

TEMPLATES = {
    ("opened", "text"): OPENED_TEXT,
    ("opened", "html"): OPENED_HTML,
    ("closed", "text"): CLOSED_TEXT,
    ("closed", "html"): CLOSED_HTML,
}
