"""Nightly crawls with APScheduler.

Each run is `stellenboerse crawl --source KEY` in a subprocess: Scrapy's reactor cannot restart inside a
long-lived process. One job per source, jittered so the districts are not all hit in the same minute;
never two runs of one source at once (max_instances=1 here, and the run lock in the store across
processes); a run missed while the scheduler was down runs once at start-up; SIGTERM stops cleanly.

No crawl outlives the scheduler: SIGTERM stops them (`CrawlJobs.stop`), and each crawl asks the kernel
for SIGTERM should the scheduler die without that (STELLEN_PARENT_PID, vacancies.lifeline). The
children are started from APScheduler's pool threads, which live until the scheduler shuts down: the
kernel's signal follows the thread that started a child, not the process.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# APScheduler 3 ships no type hints (no py.typed, no stubs package): pyproject's [tool.mypy] overrides.
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from crawler.config import DistrictsConfig, SourceConfig
from crawler.cron import crontab_trigger
from vacancies.lifeline import PARENT_ENV
from vacancies.runs import RunStore
from vacancies.settings import Settings
from vacancies.store import make_engine, migrate

log = logging.getLogger(__name__)
CRAWL_TIMEOUT = 3 * 3600  # a crawl that hangs longer is killed; its run is recorded as failed
ALERTS_JOB = "alerts-send"  # the Suchaufträge digests (issue 18), after the nightly crawls
ALERTS_TIMEOUT = 2 * 3600
ALERTS_WAIT_FOR_CRAWLS = 2 * 3600  # a crawl still running at the alerts' time: wait this long for it


def cron_for(source: SourceConfig, config: DistrictsConfig) -> CronTrigger:
    defaults = config.defaults
    jitter = defaults.jitter_minutes * 60 or None
    return crontab_trigger(source.schedule or defaults.schedule, defaults.timezone, jitter)


def previous_fire_time(source: SourceConfig, config: DistrictsConfig, now: datetime) -> datetime | None:
    """The last scheduled time at or before `now` (cron without jitter), looking back up to 8 days."""
    trigger = crontab_trigger(source.schedule or config.defaults.schedule, config.defaults.timezone)
    moment, last = now - timedelta(days=8), None
    while (fire := trigger.get_next_fire_time(last, moment)) is not None and fire <= now:
        last, moment = fire, fire + timedelta(seconds=1)
    return last


def missed_sources(config: DistrictsConfig, runs: RunStore, now: datetime) -> list[SourceConfig]:
    """Sources whose last scheduled time passed without a run starting after it (the box was down)."""
    missed = []
    for source in config.sources():
        due = previous_fire_time(source, config, now)
        latest = runs.latest(source.key)
        if due is not None and (latest is None or _utc(latest.started_at) < due):
            missed.append(source)
    return missed


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


class CrawlJobs:
    """Starts crawl subprocesses and stops them on shutdown."""

    def __init__(self, settings: Settings, districts_file: str | None) -> None:
        self.settings, self.districts_file = settings, districts_file
        self.children: dict[str, subprocess.Popen] = {}
        self.lock = threading.Lock()
        self.stopping = False

    def command(self, source_key: str) -> list[str]:
        cmd = [sys.executable, "-m", "cli.main", "crawl", "--source", source_key]
        if self.districts_file:
            cmd += ["--districts-file", str(self.districts_file)]
        return cmd

    def run(self, source_key: str) -> int | None:
        code = self._child(source_key, self.command(source_key), CRAWL_TIMEOUT)
        log.info("Crawl %s beendet mit Status %s", source_key, code, extra={"source": source_key})
        return code

    def alerts_command(self) -> list[str]:
        return [sys.executable, "-m", "cli.main", "alerts", "send"]

    def run_alerts(self, poll: float = 30.0) -> int | None:
        """`stellenboerse alerts send`, once the crawls running now have finished (their new postings
        belong in this morning's digests), waiting at most ALERTS_WAIT_FOR_CRAWLS."""
        deadline = time.monotonic() + ALERTS_WAIT_FOR_CRAWLS
        while self.crawling() and time.monotonic() < deadline and not self.stopping:
            time.sleep(poll)
        code = self._child(ALERTS_JOB, self.alerts_command(), ALERTS_TIMEOUT)
        log.info("Suchaufträge versandt, Status %s", code)
        return code

    def crawling(self) -> bool:
        with self.lock:
            return any(key != ALERTS_JOB for key in self.children)

    def _child(self, key: str, command: list[str], timeout: float) -> int | None:
        with self.lock:
            if self.stopping or key in self.children:
                return None
            env = {**os.environ, PARENT_ENV: str(os.getpid())}
            child = subprocess.Popen(command, env=env)
            self.children[key] = child
        try:
            code = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            code = child.wait()
        finally:
            with self.lock:
                self.children.pop(key, None)
        return code

    def stop(self, grace: float = 30) -> None:
        with self.lock:
            self.stopping = True
            children = list(self.children.values())
        for child in children:
            child.send_signal(signal.SIGTERM)  # Scrapy closes spiders cleanly; their runs expire nothing
        for child in children:
            try:
                child.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                child.kill()


def build_scheduler(config: DistrictsConfig, jobs: CrawlJobs, runs: RunStore) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=ZoneInfo(config.defaults.timezone))
    for source in config.sources():
        scheduler.add_job(jobs.run, cron_for(source, config), args=[source.key], id=source.key,
                          max_instances=1, coalesce=True, misfire_grace_time=3600)  # fmt: skip
    alerts = crontab_trigger(jobs.settings.alerts_schedule, config.defaults.timezone)
    scheduler.add_job(jobs.run_alerts, alerts, id=ALERTS_JOB, max_instances=1, coalesce=True,
                      misfire_grace_time=3 * 3600)  # fmt: skip
    now = datetime.now(ZoneInfo(config.defaults.timezone))
    for offset, source in enumerate(missed_sources(config, runs, now)):
        log.info("Verpasster Lauf wird nachgeholt: %s", source.key)
        scheduler.add_job(jobs.run, DateTrigger(now + timedelta(seconds=5 + 10 * offset)), args=[source.key],
                          id=f"catch-up-{source.key}", max_instances=1)  # fmt: skip
    return scheduler


def run_scheduler(config: DistrictsConfig, settings: Settings, districts_file: str | None = None) -> int:
    from crawler.logs import configure

    configure(settings.log_format, logging.INFO)
    engine = make_engine(settings.database_url)
    migrate(engine)
    jobs = CrawlJobs(settings, districts_file)
    scheduler = build_scheduler(config, jobs, RunStore(engine))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler.start()
    for job in scheduler.get_jobs():
        log.info("Geplant: %s — nächster Lauf %s", job.id, job.next_run_time)
    print(f"Zeitplan aktiv für {len(config.sources())} Quellen. Beenden mit SIGTERM/Strg+C.", flush=True)
    stop.wait()
    log.info("Beende: laufende Crawls werden sauber gestoppt")
    jobs.stop()
    scheduler.shutdown(wait=True)
    print("Zeitplan beendet.", flush=True)
    return 0
