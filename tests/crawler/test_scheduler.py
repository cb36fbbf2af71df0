"""Scheduler: nightly cron with jitter, catch-up of missed runs, clean SIGTERM shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from crawler.config import load_districts
from crawler.scheduler import CrawlJobs, build_scheduler, cron_for, missed_sources, previous_fire_time
from vacancies.runs import RunStore
from vacancies.settings import Settings
from vacancies.store import make_engine, migrate

BERLIN = ZoneInfo("Europe/Berlin")
CONFIG = """
defaults: {schedule: "30 2 * * *", jitter_minutes: 20}
districts:
  - {slug: miltenberg, key: "09676", name: Miltenberg, lat: 49.7, lon: 9.2, member: true,
     sources: [{key: a, strategy: auto, start_urls: ["http://127.0.0.1:9/"]},
               {key: b, strategy: auto, start_urls: ["http://127.0.0.1:9/"], schedule: "0 4 * * 1"}]}
"""


def runs(tmp_path) -> RunStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    migrate(engine)
    return RunStore(engine)


def test_default_schedule_is_nightly_with_jitter():
    config = load_districts(text=CONFIG)
    trigger = cron_for(config.sources()[0], config)
    fire = trigger.get_next_fire_time(None, datetime(2026, 11, 28, 12, 0, tzinfo=BERLIN))
    assert fire.date() == datetime(2026, 11, 29).date()
    assert timedelta(0) <= fire - datetime(2026, 11, 29, 2, 30, tzinfo=BERLIN) <= timedelta(minutes=20)


def test_source_schedule_overrides_default():
    config = load_districts(text=CONFIG)
    now = datetime(2026, 11, 28, 12, 0, tzinfo=BERLIN)  # a Saturday
    assert previous_fire_time(config.sources()[1], config, now) == datetime(2026, 11, 23, 4, 0, tzinfo=BERLIN)


def test_missed_runs_are_caught_up_once(tmp_path):
    config, store = load_districts(text=CONFIG), runs(tmp_path)
    now = datetime.now(BERLIN)
    assert {s.key for s in missed_sources(config, store, now)} == {"a", "b"}  # never ran
    done = store.start("a", "miltenberg")
    done.status = "success"
    store.finish(done)
    assert {s.key for s in missed_sources(config, store, now)} == {"b"}


def test_scheduler_has_one_job_per_source_and_never_overlaps(tmp_path):
    config = load_districts(text=CONFIG)
    scheduler = build_scheduler(config, CrawlJobs(Settings(), None), runs(tmp_path))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"a", "b"} <= set(jobs)
    assert all(job.max_instances == 1 for job in jobs.values())


def test_a_source_never_runs_twice_at_once(tmp_path):
    store = runs(tmp_path)
    assert store.start("a", "miltenberg") is not None
    assert store.start("a", "miltenberg") is None  # e.g. a second scheduler or a manual crawl


def test_sigterm_stops_the_scheduler_cleanly(tmp_path):
    config_file = tmp_path / "districts.yaml"
    config_file.write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "STELLEN_DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}"}
    # Far-future schedule for the catch-up: make both sources look done so nothing starts.
    store = runs(tmp_path)
    for key in ("a", "b"):
        done = store.start(key, "miltenberg")
        done.status = "success"
        store.finish(done)
    child = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "scheduler", "--districts-file", str(config_file)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert "Zeitplan aktiv für 2 Quellen" in child.stdout.readline()
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    assert "Zeitplan beendet." in out
    time.sleep(0)  # nothing left running: communicate() returned


def test_alert_digests_are_scheduled_after_the_crawls_at_06_30_berlin(tmp_path):
    config = load_districts(text=CONFIG)
    scheduler = build_scheduler(config, CrawlJobs(Settings(), None), runs(tmp_path))
    job = next(job for job in scheduler.get_jobs() if job.id == "alerts-send")
    assert job.max_instances == 1
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 11, 28, 12, 0, tzinfo=BERLIN))
    assert fire == datetime(2026, 11, 29, 6, 30, tzinfo=BERLIN)
    summer = job.trigger.get_next_fire_time(None, datetime(2026, 7, 1, 12, 0, tzinfo=BERLIN))
    assert summer == datetime(2026, 7, 2, 6, 30, tzinfo=BERLIN)  # 06:30 local time in summer too


def test_alert_schedule_is_configurable(tmp_path):
    config = load_districts(text=CONFIG)
    jobs = CrawlJobs(Settings(alerts_schedule="15 7 * * 1-5"), None)
    job = next(
        job for job in build_scheduler(config, jobs, runs(tmp_path)).get_jobs() if job.id == "alerts-send"
    )
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 11, 28, 12, 0, tzinfo=BERLIN))  # Saturday
    assert fire == datetime(2026, 11, 30, 7, 15, tzinfo=BERLIN)
    assert jobs.alerts_command()[1:] == ["-m", "cli.main", "alerts", "send"]


def test_alerts_wait_for_a_running_crawl(tmp_path):
    jobs = CrawlJobs(Settings(), None)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    jobs.children["a"] = sleeper  # a crawl of source "a" is running
    started = []
    jobs.alerts_command = lambda: [sys.executable, "-c", "print('ok')"]
    original = jobs._child

    def child(key, command, timeout):
        started.append(sleeper.poll())
        return original(key, command, timeout)

    jobs._child = child

    def finish_crawl():
        sleeper.wait()
        with jobs.lock:
            jobs.children.pop("a")

    import threading

    threading.Thread(target=finish_crawl).start()
    assert jobs.run_alerts(poll=0.05) == 0
    assert started == [0]  # the alerts started only after the crawl had ended
