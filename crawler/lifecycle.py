"""End of a source's run: decide success or failure, expire what vanished, record the run.

A posting missing from a *complete, successful* run expires. A run that failed — list unreachable,
robots.txt denial, too many parse errors, far fewer postings than last time, aborted — expires nothing
and is flagged, so a broken site never wipes a district's postings.
"""

from __future__ import annotations

import logging
from collections import Counter

from crawler.config import CrawlDefaults
from crawler.freshness import ValidatorStore, fingerprint
from crawler.strategies.auto import EMPTY_VACANCY_PAGE
from vacancies.model import State
from vacancies.runs import CrawlRun, RunStore

log = logging.getLogger(__name__)
MIN_POSTINGS_FOR_RATIO = 4  # below this a drop in numbers is normal noise, not a broken site
MAX_FAILED_PAGES = 200  # listed in a run's detail; a broken site has many (`counts` has them all)


CHANGED_SHAPE = EMPTY_VACANCY_PAGE.split("{", 1)[0]


def failure(crawl, reason: str, run: CrawlRun, last: CrawlRun | None, defaults: CrawlDefaults) -> str | None:
    """Why this run must not be trusted (German, for operators), or None when it is complete.

    `crawl` is the source's bookkeeping (a SourceCrawl: list_failed, fetch_errors, parse_errors).
    """
    if reason != "finished":
        return f"Lauf abgebrochen ({reason})"
    if crawl.list_failed:
        # A vacancy page that changed shape says so, even when a posting link also failed this night.
        if shape := next((r for _, r in crawl.parse_errors if r.startswith(CHANGED_SHAPE)), None):
            return f"Stellenliste nicht lesbar: {shape}"
        errors = crawl.fetch_errors or crawl.parse_errors  # fetched but unreadable: the parse error says why
        first = errors[0][1] if errors else "unbekannter Fehler"
        return f"Stellenliste nicht {'abrufbar' if crawl.fetch_errors else 'lesbar'}: {first}"
    if run.pages == 0:
        return "keine Seite abgerufen"
    if len(crawl.parse_errors) > defaults.max_parse_error_ratio * run.pages:
        return f"zu viele fehlerhafte Seiten ({len(crawl.parse_errors)} von {run.pages})"
    if last and last.found >= MIN_POSTINGS_FOR_RATIO and run.found < defaults.min_found_ratio * last.found:
        return f"verdächtig wenige Stellen ({run.found} statt zuletzt {last.found})"
    return None


def finish_run(crawl, reason: str, board, runs: RunStore, defaults: CrawlDefaults) -> CrawlRun:
    """Record the run of one source (a SourceCrawl) and, when it is trusted, expire what vanished.

    Its postings must be saved already (the caller flushes the save batch first).
    """
    run: CrawlRun = crawl.run
    run.pages = crawl.pages
    run.found = len(crawl.seen_ids)
    totals = crawl.totals
    run.new, run.changed, run.unchanged = totals["new"], totals["changed"], totals["unchanged"]
    run.drop_reasons = dict(crawl.drop_reasons)
    run.dropped = sum(run.drop_reasons.values())
    run.errors = [list(e) for e in (*crawl.fetch_errors, *crawl.parse_errors)]
    run.not_modified = getattr(crawl, "not_modified", 0)
    run.detail = run_detail(crawl)
    run.flag = failure(crawl, reason, run, runs.last_success(run.source), defaults)
    run.status = "failed" if run.flag else "success"
    extra = {"source": run.source, "run_id": run.id}
    if run.status == "success":
        run.note = note(run.detail["counts"])
        run.expired = _expire_missing(crawl, board, run)
    else:
        log.warning("Quelle %s: %s — nichts wird ausgeblendet", run.source, run.flag, extra=extra)
    _keep_validators(crawl, board, complete=run.status == "success")
    runs.finish(run)
    return run


def run_detail(crawl) -> dict:
    """The run's detail for the operations page (shape: vacancies.runs.CrawlRun.detail)."""
    kinds = getattr(crawl, "failure_kinds", {})
    failed = [{"url": u, "reason": reason, "kind": kinds.get(u, "other")} for u, reason in crawl.fetch_errors]
    failed += [{"url": url, "reason": reason, "kind": "unreadable"} for url, reason in crawl.parse_errors]
    source = crawl.source
    return {
        "strategy": source.strategy,
        "readers": dict(getattr(crawl, "readers", {})),
        "requests": getattr(crawl, "requests", crawl.pages),
        "bytes": getattr(crawl, "bytes", 0),
        "failed_pages": failed[:MAX_FAILED_PAGES],
        "counts": dict(Counter(page["kind"] for page in failed)),
    }


def note(counts: dict[str, int]) -> str | None:
    """What went wrong in a run that still succeeded, in German (None: nothing)."""
    parts = []
    if robots := counts.get("robots", 0):
        parts.append(f"{_pages(robots)} von robots.txt gesperrt")
    if unreadable := counts.get("unreadable", 0):
        parts.append(f"{_pages(unreadable)} nicht lesbar")
    if fetch := sum(n for kind, n in counts.items() if kind not in ("robots", "unreadable")):
        parts.append(f"{_pages(fetch)} nicht abrufbar")
    return ", ".join(parts) or None


def _pages(count: int) -> str:
    return "1 Seite" if count == 1 else f"{count} Seiten"


def _keep_validators(crawl, board, complete: bool) -> None:
    """Store what the pages said for the next run's conditional requests (crawler.freshness) and mark
    the postings of unchanged pages as seen."""
    if not hasattr(crawl, "page_validators"):
        return
    store = ValidatorStore(board.store.engine)
    # A page whose postings were not all stored (one dropped as invalid) is read in full next time.
    pages = {url: page for url, page in crawl.page_validators.items() if crawl.seen_ids >= set(page.postings)}
    forget = (crawl.unvalidated | set(crawl.page_validators)) - set(pages)
    store.save(crawl.key, fingerprint(crawl.source), pages, forget, complete)
    store.touch(crawl.kept_ids)


def _expire_missing(crawl, board, run: CrawlRun) -> int:
    known = board.store.ids_for_source(run.source)
    # Postings whose own page failed this time were not seen, but they have not vanished either.
    shielded = board.store.ids_for_urls(run.source, set(crawl.error_urls)) if crawl.error_urls else set()
    missing = sorted(known - crawl.seen_ids - shielded)
    if missing:
        board.set_state(missing, State.expired)
    return len(missing)
