"""Operator alerts (issue 19, item 5): a broken source gets one German mail per incident to the operator
addresses, through the mail outbox and a real SMTP server, and one when it works again.

Runs are recorded through the run-recording API (vacancies.runs.RunStore: start, then finish), as the
crawler records them; the end of a real `crawl_sources` call is checked to judge them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from tests.alerts.conftest import T0, settings_for
from tests.alerts.support import parts
from vacancies.alerts import Alerts
from vacancies.operator_alerts import RECOVERY_RUNS, OperatorAlerts, after_crawl, refusal
from vacancies.runs import CrawlRun, RunStore
from vacancies.schema import mail_outbox_table, operator_incidents_table

OPERATORS = "betrieb@landkreis.example, it-dienst@landkreis.example"
VENDOR_ROBOTS = "jobs.vendor.example verweigert den Abruf: robots.txt"


@pytest.fixture
def settings(smtp):
    return settings_for(smtp.url, operator_emails=OPERATORS)


@pytest.fixture
def watch(board, settings):
    return OperatorAlerts(board.store.engine, settings)


def record(board, source: str, status: str = "success", found: int = 20, flag: str | None = None,
           errors: list[list[str]] | None = None) -> CrawlRun:  # fmt: skip
    """A finished run of `source`, recorded as the crawler records one."""
    runs = RunStore(board.store.engine)
    run = runs.start(source, "freising")
    assert run is not None
    run.status, run.found, run.pages, run.flag = status, found, 3, flag
    run.errors = errors or []
    runs.finish(run)
    return run


def failed(board, source: str = "lra-freising") -> CrawlRun:
    return record(board, source, "failed", 0, "Stellenliste nicht abrufbar: Zeitüberschreitung")


def night(watch, board, smtp, settings, *runs: CrawlRun) -> list:
    """What the crawl's end does: judge, then deliver the outbox over SMTP."""
    notices = watch.check({run.source for run in runs})
    Alerts(board.store.engine, board, settings).deliver()
    return notices


def operator_mails(smtp) -> list:
    return [m for m in smtp.inbox.messages if m["To"] in OPERATORS]


def test_two_failed_runs_in_a_row_mail_every_operator_once(watch, board, smtp, settings):
    assert night(watch, board, smtp, settings, failed(board)) == []  # one failure is no incident yet
    [notice] = night(watch, board, smtp, settings, failed(board))
    assert (notice.kind, notice.event) == ("failing", "opened")
    mails = smtp.inbox.wait_for(2)
    assert sorted(m["To"] for m in mails) == ["betrieb@landkreis.example", "it-dienst@landkreis.example"]
    mail = mails[0]
    assert mail["Subject"] == "Stellenbörse: Quelle lra-freising fällt aus"
    assert mail["Content-Language"] == "de" and mail["List-Unsubscribe"] is None
    text, html = parts(mail)
    assert "zwei Läufe hintereinander fehlgeschlagen" in text and "Zeitüberschreitung" in text
    assert "stellenboerse runs --source lra-freising" in text
    assert '<html lang="de">' in html and "Quelle lra-freising fällt aus</h1>" in html
    # the source's own operations page (web/hr/operations.py: /hr/betrieb/<source>)
    assert f"{settings.public_base_url}/hr/betrieb/lra-freising" in text
    assert f'href="{settings.public_base_url}/hr/betrieb/lra-freising"' in html


def test_an_open_incident_mails_nothing_more_and_recovery_needs_two_good_runs(watch, board, smtp, settings):
    failed(board)
    night(watch, board, smtp, settings, failed(board))
    night(watch, board, smtp, settings, failed(board))  # still failing: the same incident
    assert night(watch, board, smtp, settings, record(board, "lra-freising")) == []  # one good run
    assert len(operator_mails(smtp)) == 2
    [notice] = night(watch, board, smtp, settings, record(board, "lra-freising"))
    assert (notice.event, RECOVERY_RUNS) == ("closed", 2)
    recovery = smtp.inbox.wait_for(4)[2:]
    assert {m["Subject"] for m in recovery} == {"Stellenbörse: Quelle lra-freising läuft wieder"}
    text, html = parts(recovery[0])
    assert "Entwarnung" in text and "2 Läufe hintereinander waren in Ordnung" in text
    assert "Entwarnung: Quelle lra-freising läuft wieder</h1>" in html


def test_a_flapping_source_stays_one_incident_with_one_mail(watch, board, smtp, settings):
    failed(board)
    night(watch, board, smtp, settings, failed(board))
    for _ in range(4):  # ok, failed, ok, failed, …: never two good runs in a row
        night(watch, board, smtp, settings, record(board, "lra-freising"))
        night(watch, board, smtp, settings, failed(board))
    assert len(operator_mails(smtp)) == 2  # the opening mail, once per address
    with board.store.engine.connect() as conn:
        rows = conn.execute(select(operator_incidents_table)).all()
    assert len(rows) == 1 and rows[0].closed_at is None and rows[0].good_runs == 0


def test_a_run_is_judged_once_and_no_mail_is_queued_twice(watch, board, smtp, settings):
    failed(board)
    failed(board)
    assert len(watch.check(["lra-freising"])) == 1
    assert watch.check(["lra-freising"]) == []
    with board.store.engine.connect() as conn:
        kinds = conn.execute(select(mail_outbox_table.c.kind)).scalars().all()
    assert kinds == ["operator", "operator"]


def test_the_first_look_at_a_source_judges_only_its_latest_run(watch, board, smtp, settings):
    failed(board)
    failed(board)  # two failures in a row, long before the alerts were switched on …
    record(board, "lra-freising")  # … and fixed since
    assert watch.check(["lra-freising"]) == []


@pytest.mark.parametrize(
    ("found", "mailed"),
    [(9, True), (10, False)],  # the usual number is 20: fewer than half is an incident, half is not
)
def test_less_than_half_the_usual_postings_is_an_incident(watch, board, smtp, settings, found, mailed):
    for usual in (22, 19, 20, 25, 20):
        record(board, "lra-freising", found=usual)
    watch.check(["lra-freising"])
    notices = night(watch, board, smtp, settings, record(board, "lra-freising", found=found))
    assert bool(notices) is mailed
    if mailed:
        [mail, _] = smtp.inbox.wait_for(2)
        assert mail["Subject"] == "Stellenbörse: Quelle lra-freising findet auffällig wenige Stellen"
        assert "9 Stellen gefunden, üblich sind 20" in parts(mail)[0]


def test_a_run_the_crawler_failed_for_its_fallen_count_is_judged_by_the_usual_number(
    watch, board, smtp, settings
):
    for usual in (22, 19, 20, 25, 20):
        record(board, "lra-freising", found=usual)
    watch.check(["lra-freising"])
    suspicious = record(board, "lra-freising", "failed", 8, "verdächtig wenige Stellen (8 statt zuletzt 20)")
    [notice] = night(watch, board, smtp, settings, suspicious)
    assert notice.kind == "few"


def test_one_unreachable_list_is_no_incident_although_it_found_nothing(watch, board, smtp, settings):
    for usual in (22, 19, 20, 25, 20):
        record(board, "lra-freising", found=usual)
    watch.check(["lra-freising"])
    assert night(watch, board, smtp, settings, failed(board)) == []


def test_too_few_is_not_judged_without_enough_history(watch, board, smtp, settings):
    record(board, "lra-freising", found=20)
    record(board, "lra-freising", found=20)
    watch.check(["lra-freising"])
    assert night(watch, board, smtp, settings, record(board, "lra-freising", found=1)) == []


def test_a_vendor_refusal_is_an_incident_at_once(watch, board, smtp, settings):
    run = record(board, "lra-freising", errors=[["https://jobs.vendor.example/stelle/1", VENDOR_ROBOTS]])
    [notice] = night(watch, board, smtp, settings, run)
    assert notice.kind == "refused"
    [mail, _] = smtp.inbox.wait_for(2)
    assert mail["Subject"] == "Stellenbörse: Quelle lra-freising wird vom Server abgewiesen"
    assert VENDOR_ROBOTS in parts(mail)[0]


@pytest.mark.parametrize(
    ("flag", "errors", "expected"),
    [
        ("Stellenliste nicht abrufbar: HTTP 429 (zu viele Anfragen) von lra.example", [], "HTTP 429"),
        (
            None,
            [["https://jobs.vendor.example/x", "jobs.vendor.example verweigert den Abruf: HTTP 403"]],
            "HTTP 403",
        ),  # fmt: skip
        (None, [["https://www.lra.example/x", "HTTP 403"]], None),  # the district's own site: a plain error
        (None, [["https://www.lra.example/x", "robots.txt verbietet den Abruf"]], None),
        (None, [], None),
    ],
)
def test_refusal_reads_what_the_crawler_records(flag, errors, expected):
    run = CrawlRun(source="s", district="d", started_at=T0, flag=flag, errors=errors)
    found = refusal(run)
    assert (found is None) if expected is None else (expected in (found or ""))


def test_without_operator_addresses_the_incident_is_kept_but_nobody_mailed(board, smtp):
    watch = OperatorAlerts(board.store.engine, settings_for(smtp.url))
    failed(board)
    failed(board)
    assert len(watch.check(["lra-freising"])) == 1
    with board.store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(mail_outbox_table)) == 0
        assert conn.scalar(select(func.count()).select_from(operator_incidents_table)) == 1


def test_sources_are_judged_apart(watch, board, smtp, settings):
    failed(board, "lra-a")
    failed(board, "lra-b")
    failed(board, "lra-a")
    notices = watch.check(["lra-a", "lra-b"])
    assert [(n.source, n.event) for n in notices] == [("lra-a", "opened")]


def test_bad_operator_addresses_are_refused_in_german():
    with pytest.raises(ValidationError, match="„kein-at-zeichen“ ist keine E-Mail-Adresse"):
        settings_for("", operator_emails="betrieb@landkreis.example, kein-at-zeichen")
    assert settings_for("", operator_emails=" a@b.example,,a@b.example ").operator_addresses == [
        "a@b.example"
    ]


def test_the_crawl_runner_judges_its_runs_at_the_end(tmp_path, smtp):
    """Two real `crawl_sources` calls of a source that cannot start: the second one mails."""
    from crawler.config import DistrictsConfig, SourceConfig
    from crawler.runner import crawl_sources
    from vacancies.service import open_board

    settings = settings_for(
        smtp.url, operator_emails=OPERATORS, database_url=f"sqlite:///{tmp_path / 'b.db'}"
    )
    broken = SourceConfig.model_construct(key="kaputt", district="testkreis", strategy="html", options={},
                                          start_urls=["http://127.0.0.1:9/stellen"], allowed_domains=[],
                                          enabled=True, schedule=None)  # fmt: skip
    for _ in range(2):
        (run,) = crawl_sources(DistrictsConfig(districts=[]), [broken], settings, board=open_board(settings))
        assert run.status == "failed"
    mails = smtp.inbox.wait_for(2)
    assert {m["Subject"] for m in mails} == {"Stellenbörse: Quelle kaputt fällt aus"}
    assert len(mails) == 2


def test_an_error_while_judging_never_fails_the_crawl(board, smtp, settings, caplog):
    failed(board)
    board.store.engine.dispose()
    with board.store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE operator_checks")  # a database the alerts cannot use
    assert after_crawl(board, settings, [failed(board)]) == []
    assert "Betriebswarnungen nicht geprüft" in caplog.text


def test_times_in_the_mail_are_berlin_time(watch, board, smtp, settings):
    failed(board)
    run = failed(board)
    with board.store.engine.begin() as conn:
        from sqlalchemy import update

        from vacancies.schema import crawl_runs_table

        finished = T0 + timedelta(hours=-3)  # 02:30 UTC = 03:30 in Berlin (winter)
        conn.execute(
            update(crawl_runs_table).where(crawl_runs_table.c.id == run.id).values(finished_at=finished)
        )
    night(watch, board, smtp, settings, run)
    [mail, _] = smtp.inbox.wait_for(2)
    assert "beendet am 01.12.2026, 03:30 Uhr" in parts(mail)[0]
