"""When may a run expire postings? The decision rules, one per failure mode.

The spider here is a plain namespace carrying the bookkeeping a real SourceCrawl keeps (pages,
errors); the end-to-end lifecycle over real HTTP is in test_crawl_e2e.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from crawler.config import CrawlDefaults
from crawler.lifecycle import failure
from vacancies.runs import CrawlRun

DEFAULTS = CrawlDefaults()


def spider(**changes):
    return SimpleNamespace(**{"list_failed": False, "fetch_errors": [], "parse_errors": [], **changes})


def run(pages: int = 10, found: int = 10) -> CrawlRun:
    return CrawlRun(source="s", district="d", started_at=datetime.now(UTC), pages=pages, found=found)


def test_complete_run_is_trusted():
    assert failure(spider(), "finished", run(), run(found=12), DEFAULTS) is None


def test_aborted_run_fails():
    assert "abgebrochen (shutdown)" in failure(spider(), "shutdown", run(), None, DEFAULTS)


def test_unreachable_list_fails_with_the_reason():
    broken = spider(list_failed=True, fetch_errors=[("http://x/stellen", "HTTP 500")])
    assert failure(broken, "finished", run(), None, DEFAULTS) == "Stellenliste nicht abrufbar: HTTP 500"


def test_unreadable_list_fails_with_the_parse_error():
    unreadable = spider(list_failed=True, parse_errors=[("http://x/feed", "Feed nicht lesbar: kein XML")])
    expected = "Stellenliste nicht lesbar: Feed nicht lesbar: kein XML"
    assert failure(unreadable, "finished", run(), None, DEFAULTS) == expected


def test_a_vacancy_page_that_changed_shape_says_so_even_after_a_failed_posting_link():
    from crawler.strategies.auto import EMPTY_VACANCY_PAGE

    shape = EMPTY_VACANCY_PAGE.format(url="http://x/stellen")
    changed = spider(
        list_failed=True,
        fetch_errors=[("http://x/stellen/alt.html", "HTTP 404")],
        parse_errors=[("http://x/stellen", shape)],
    )
    assert failure(changed, "finished", run(), None, DEFAULTS) == f"Stellenliste nicht lesbar: {shape}"


def test_robots_denial_of_the_list_fails():
    denied = spider(list_failed=True, fetch_errors=[("http://x/", "robots.txt verbietet den Abruf")])
    assert "robots.txt" in failure(denied, "finished", run(), None, DEFAULTS)


def test_too_many_parse_errors_fail():
    noisy = spider(parse_errors=[("u", "kaputt")] * 3)
    assert failure(noisy, "finished", run(), None, DEFAULTS) == "zu viele fehlerhafte Seiten (3 von 10)"


def test_a_few_parse_errors_are_tolerated():
    assert failure(spider(parse_errors=[("u", "kaputt")]), "finished", run(), None, DEFAULTS) is None


def test_far_fewer_postings_than_last_time_is_suspicious():
    assert (
        failure(spider(), "finished", run(found=3), run(found=20), DEFAULTS)
        == "verdächtig wenige Stellen (3 statt zuletzt 20)"
    )


def test_small_sources_may_shrink():
    assert failure(spider(), "finished", run(found=1), run(found=3), DEFAULTS) is None


def test_no_pages_at_all_fails():
    assert failure(spider(), "finished", run(pages=0, found=0), None, DEFAULTS) == "keine Seite abgerufen"
