"""Run crawls of configured sources in this process (one Twisted reactor per process), or in workers.

`stellenboerse crawl` calls `crawl_sources`; the scheduler starts that command as a subprocess per
source, because Scrapy's reactor cannot be restarted inside a long-lived process.
"""

from __future__ import annotations

import gc
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from scrapy.settings import default_settings
from scrapy.utils.misc import load_object

from crawler.config import CrawlDefaults, DistrictsConfig, SourceConfig
from crawler.lifecycle import finish_run
from crawler.pipelines import SaveBatch
from crawler.workers import BundleQueue, forward, partition, run_forked, signals_forwarded, wait_all
from vacancies import operator_alerts
from vacancies.runs import CrawlRun, Heartbeat, RunStore
from vacancies.service import Board, open_board
from vacancies.settings import Settings
from vacancies.store import utcnow

log = logging.getLogger(__name__)


@dataclass
class CrawlOptions:
    polite: bool = True  # off only for benchmarks against our own sample sites
    http_cache_dir: Path | None = None
    today: date | None = None
    log_level: str = "WARNING"
    workers: int = 1  # processes (crawler.workers); only CPU-bound, impolite crawls gain from more


IMPOLITE_CONCURRENCY = 64  # requests at once per crawl process with politeness off

UNUSED_EXTENSIONS = (
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.feedexport.FeedExporter",  # postings go through the pipelines, not feeds
)
UNUSED_DOWNLOADER_MIDDLEWARES = ("scrapy.downloadermiddlewares.cookies.CookiesMiddleware",)  # no cookies


def _without(components: dict[str, int], unused: tuple[str, ...]) -> dict[str, int]:
    return {path: order for path, order in components.items() if path not in unused}


def scrapy_settings(
    defaults: CrawlDefaults, settings: Settings, options: CrawlOptions, sources: int = 1
) -> ScrapySettings:
    polite = options.polite
    # Politeness off (benchmarks against our own sample sites): no limit per host but the crawler's own,
    # so a site that answers slowly gets all its pages asked for at once instead of in waves of 16.
    per_domain = defaults.concurrent_requests_per_domain if polite else IMPOLITE_CONCURRENCY
    values = {
        "BOT_NAME": "stellenboerse",
        "USER_AGENT": defaults.user_agent.format(contact_url=settings.contact_url),
        "ROBOTSTXT_OBEY": True,
        # One crawler serves all sources: requests waiting out a site's delay count against the global
        # limit, so each source keeps the 16 it had with a crawler of its own. Impolite runs are
        # CPU-bound: more connections at once only cost more CPU.
        "CONCURRENT_REQUESTS": 16 * sources if polite else IMPOLITE_CONCURRENCY,
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_domain,
        # The pipelines are synchronous: Scrapy's parallel item slots would only add a task per slot and
        # response (100 by default), not concurrency.
        "CONCURRENT_ITEMS": 1,
        "DOWNLOAD_DELAY": defaults.download_delay if polite else 0,
        "AUTOTHROTTLE_ENABLED": defaults.autothrottle and polite,
        "AUTOTHROTTLE_START_DELAY": max(defaults.download_delay, 0.5),
        "AUTOTHROTTLE_MAX_DELAY": 30,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": defaults.download_timeout,
        "DOWNLOAD_MAXSIZE": defaults.max_response_bytes,
        "DOWNLOAD_WARNSIZE": defaults.max_response_bytes // 2,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "RETRY_BACKOFF_BASE": 1.0 if polite else 0.05,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "crawler.middlewares.SourceOffsiteMiddleware": 50,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.BackoffRetryMiddleware": 550,
            # After decompression (590), before the first look at the text (meta refresh, 580).
            "crawler.middlewares.WesternFallbackEncodingMiddleware": 585,
            "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
        },
        # Depth bookkeeping (no depth limit here), copied-meta warnings and download statistics are
        # only read by people debugging Scrapy itself; each costs a layer of calls per request or item.
        "SPIDER_MIDDLEWARES": {
            "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
            "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
        },
        "ITEM_PIPELINES": {
            "crawler.pipelines.NormalisePipeline": 100,
            "crawler.pipelines.ValidatePipeline": 200,
            "crawler.pipelines.SanitisePipeline": 300,
            "crawler.pipelines.DedupePipeline": 400,
            "crawler.pipelines.StorePipeline": 900,
        },
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy ≥ 2.19 otherwise serves an HTTP endpoint that runs Python code sent to it (for its MCP
        # server): not on a production crawler.
        "REMOTE_CONTROL_ENABLED": False,
        # Scrapy imports every component its base lists name, even a disabled one: leaving these out
        # spares each crawl process aiohttp (remote control), twisted.conch (telnet) and tldextract.
        "EXTENSIONS_BASE": _without(default_settings.EXTENSIONS_BASE, UNUSED_EXTENSIONS),
        "DOWNLOADER_MIDDLEWARES_BASE": _without(
            default_settings.DOWNLOADER_MIDDLEWARES_BASE, UNUSED_DOWNLOADER_MIDDLEWARES
        ),
        "LOG_LEVEL": options.log_level,
        "COOKIES_ENABLED": False,
        "REDIRECT_MAX_TIMES": 5,
    }
    if defaults.http_cache and options.http_cache_dir:
        # RFC 2616 policy: revalidates with If-Modified-Since / If-None-Match, so unchanged pages cost little.
        values.update(
            HTTPCACHE_ENABLED=True,
            HTTPCACHE_POLICY="scrapy.extensions.httpcache.RFC2616Policy",
            HTTPCACHE_DIR=str(options.http_cache_dir),
            HTTPCACHE_IGNORE_HTTP_CODES=[500, 502, 503, 504, 408, 429],
        )
    return ScrapySettings(values)


def crawl_sources(
    config: DistrictsConfig,
    sources: list[SourceConfig],
    settings: Settings,
    options: CrawlOptions | None = None,
    board: Board | None = None,
) -> list[CrawlRun]:
    """Crawl the given sources concurrently (politely per domain) and return their runs, in the order of
    `sources`: the recorded ones, and for a source another live run holds, an unrecorded run with
    status "skipped" and the reason in its flag.

    One Scrapy crawler per process for all its sources (a crawler per source costs more CPU than a
    small site); each source still gets its own run record, lifecycle and failure decision. With
    ``options.workers`` > 1 the sources are split over forked worker processes (see crawler.workers).
    While it crawls, this process renews the runs' heartbeat (vacancies.runs).
    """
    options = options or CrawlOptions()
    board = board or open_board(settings)
    runs = RunStore(board.store.engine)
    opened: list[tuple[SourceConfig, CrawlRun]] = []
    skipped: dict[str, CrawlRun] = {}
    for source in sources:
        run = runs.start(source.key, source.district)
        if run is None:
            skipped[source.key] = _skipped(runs, source)
            log.warning("Quelle %s: %s", source.key, skipped[source.key].flag)
            continue
        opened.append((source, run))
    mine, *theirs = _shares(opened, options, runs)
    pids: list[int] = []
    if theirs:
        _import_components(scrapy_settings(config.defaults, settings, options))
        board.store.engine.dispose()  # no open database connection may be shared with a worker
        gc.freeze()  # what the workers inherit stays shared (copy-on-write) instead of being collected

        def work(share: list) -> None:  # a worker's own board: connections must not cross a fork
            own = open_board(settings)
            _crawl(config, share, settings, options, own)
            own.store.engine.dispose()  # the worker ends with os._exit: close the database cleanly

        pids = run_forked(theirs, work)
    with Heartbeat(
        runs, [run.id for _, run in opened if run.id is not None]
    ):  # after the fork: see Heartbeat
        _crawl(config, mine, settings, options, board, on_shutdown=_stopping(pids))
        if pids:
            with signals_forwarded(pids):
                wait_all(pids)
    closed = {run.source: _closed(runs, run) for _, run in opened}
    operator_alerts.after_crawl(board, settings, closed.values())  # one mail per broken source (issue 19)
    return [closed.get(source.key) or skipped[source.key] for source in sources]


def _skipped(runs: RunStore, source: SourceConfig) -> CrawlRun:
    """The summary's row for a source that another live run holds (not recorded: that run is)."""
    holder = runs.holder(source.key)
    reason = "läuft bereits"
    if holder is not None and holder.pid is not None:
        reason += f" (Prozess {holder.pid} auf {holder.host}, seit {holder.started_at:%d.%m. %H:%M} UTC)"
    return CrawlRun(source=source.key, district=source.district, started_at=utcnow(), status="skipped",
                    flag=f"{reason} — übersprungen")  # fmt: skip


def _stopping(pids: list[int]) -> Callable[[int], None] | None:
    """What a SIGTERM of this process must also do while it crawls: stop its workers."""
    if not pids:
        return None

    def stop(signum: int) -> None:
        if signum == signal.SIGTERM:  # SIGINT from a terminal reaches every worker by itself
            forward(pids)

    return stop


def _import_components(settings: ScrapySettings) -> None:
    """Import the components every crawler loads once, before forking the workers: each would
    otherwise import them itself (~0.3 s of CPU per process, mostly Scrapy's TLS context factory)."""
    for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES"):
        settings.get_component_priority_dict_with_base(name)  # loads each class to normalise its key
    for scheme in ("http", "https"):
        load_object(settings.getdict("DOWNLOAD_HANDLERS_BASE")[scheme])


def _shares(opened: list[tuple[SourceConfig, CrawlRun]], options: CrawlOptions, runs: RunStore) -> list:
    """What each process crawls: a fixed list of sources, or (impolite, CPU-bound) one BundleQueue that
    all processes take from; balanced by the pages of the sources' last successful runs."""
    if options.workers <= 1 or len(opened) <= 1:
        return [opened]
    weight = source_weights([source for source, _ in opened], runs)

    def weight_of(item: tuple[SourceConfig, CrawlRun]) -> float:
        return weight[item[0].key]

    def hosts(item: tuple[SourceConfig, CrawlRun]) -> set[str]:
        return _hosts(item[0])

    if options.polite:
        return partition(opened, options.workers, hosts=hosts, weight=weight_of)
    queue = BundleQueue(opened, hosts=hosts, weight=weight_of)
    return [queue] * min(options.workers, len(queue.bundles))


def source_weights(sources: list[SourceConfig], runs: RunStore) -> dict[str, float]:
    """Expected work per source: the pages of its last successful run. A source never crawled counts as
    a typical one, twice that if its list is paginated (`next_selector`): a list longer than a page
    means more postings, and its list pages can only be fetched one after another, so it should start
    early (a first crawl otherwise ends with one worker still on the biggest sites and the others idle)."""
    pages = {source.key: _last_pages(runs, source.key) for source in sources}
    known = sorted(p for p in pages.values() if p) or [1]
    typical = known[len(known) // 2]
    return {
        source.key: pages[source.key] or typical * (2 if source.options.get("next_selector") else 1)
        for source in sources
    }


def _last_pages(runs: RunStore, source: str) -> int:
    last = runs.last_success(source)
    return last.pages if last else 0


def _hosts(source: SourceConfig) -> set[str]:
    from crawler.spider import default_domains

    return {host.lower() for host in (*default_domains(source), *source.allowed_domains)}


def _crawl(config: DistrictsConfig, share: list[tuple[SourceConfig, CrawlRun]] | BundleQueue,
           settings: Settings, options: CrawlOptions, board: Board,
           on_shutdown: Callable[[int], None] | None = None) -> None:  # fmt: skip
    """Crawl `share` (its sources, or the bundles this process takes from a queue shared with the other
    workers) with one Scrapy crawler; every run crawled here is finished (recorded) here.
    `on_shutdown(signum)` runs on SIGTERM/SIGINT besides Scrapy's own clean shutdown."""
    from crawler.spider import DistrictSpider, SourceCrawl

    runs = RunStore(board.store.engine)
    queue = share if isinstance(share, BundleQueue) else None
    # BundleQueue is not generic: its items are the (source, run) pairs it was made of.
    pairs = cast(
        list[tuple[SourceConfig, CrawlRun]], share.items if isinstance(share, BundleQueue) else share
    )
    crawls: list[SourceCrawl] = []
    for source, run in pairs:
        try:
            crawls.append(SourceCrawl(source, run=run))
        except Exception as exc:  # e.g. a strategy option missing: this source fails, the others run
            log.error("Quelle %s kann nicht starten: %s", source.key, exc)
            run.errors = [[source.start_urls[0], f"Quelle kann nicht starten: {exc}"[:500]]]
    if not crawls:
        return
    batch = SaveBatch(board, {crawl.key: crawl for crawl in crawls})
    claim = None
    if queue is not None:

        def claim() -> list[str] | None:
            bundle = queue.claim()  # a source that could not start is left out
            return (
                None if bundle is None else [source.key for source, _ in bundle if source.key in batch.crawls]
            )

    def finish(crawl: SourceCrawl, reason: str) -> None:
        batch.flush()  # the lifecycle must see every posting of this source saved
        if reason == "finished":
            fail_empty_vacancy_page(crawl)
        finish_run(crawl, reason, board, runs, config.defaults)

    process = CrawlerProcess(scrapy_settings(config.defaults, settings, options, sources=len(crawls)))
    quiet_scrapy(options.log_level)
    process.crawl(DistrictSpider, crawls=crawls, finish=finish, today=options.today, board=board, batch=batch,
                  claim=claim)  # fmt: skip
    if on_shutdown is not None:
        _also_on_shutdown(on_shutdown)
    # What is loaded by now (code, settings, caches, the crawler) lives as long as the process: keep it
    # out of the collector's full passes during the crawl (~0.5 s for the sample sites).
    gc.freeze()
    process.start()


def fail_empty_vacancy_page(crawl) -> bool:
    """A run that reached a vacancy page and found not one posting fails (and so expires nothing):
    a site that changed shape must never silently yield nothing. The strategy says whether it saw
    such a page (`empty_vacancy_page()`: its URL, or None when none was reached or a page said it has
    no vacancies right now)."""
    check = getattr(crawl.strategy, "empty_vacancy_page", None)
    if check is None or crawl.seen_ids or crawl.list_failed:
        return False
    url = check()
    if url is None:
        return False
    from crawler.strategies.auto import EMPTY_VACANCY_PAGE

    reason = EMPTY_VACANCY_PAGE.format(url=url)
    log.warning("Quelle %s: %s", crawl.key, reason)
    crawl.parse_errors.insert(0, (url, reason))  # first: the run's flag names the first error
    crawl.list_failed = True
    return True


def _also_on_shutdown(action: Callable[[int], None]) -> None:
    """Chain `action` before Scrapy's handlers of SIGTERM and SIGINT. Scrapy installs those once the
    reactor has started; a call scheduled then (callLater 0) runs after all start-up triggers."""
    from twisted.internet import reactor

    def chain() -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            scrapy_handler = signal.getsignal(sig)

            def both(signum: int, frame, scrapy_handler=scrapy_handler) -> None:
                action(signum)
                if callable(scrapy_handler):
                    scrapy_handler(signum, frame)

            signal.signal(sig, both)

    reactor.callWhenRunning(reactor.callLater, 0, chain)


def quiet_scrapy(level: str) -> None:
    """Scrapy sets the root logger to NOTSET and filters in its handler: every response and item would
    still build a DEBUG record ("Crawled (200)", "Scraped from") only to drop it (~2 % of a crawl).
    Its own loggers' level is one Scrapy leaves alone."""
    logging.getLogger("scrapy").setLevel(level)
    from crawler.spider import NetworkErrorFilter

    for name in ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt"):
        target = logging.getLogger(name)
        if not any(isinstance(f, NetworkErrorFilter) for f in target.filters):
            target.addFilter(NetworkErrorFilter())


def _closed(runs: RunStore, run: CrawlRun) -> CrawlRun:
    latest = runs.latest(run.source) or run
    if latest.status == "running":  # the spider died before it could close: never leave a run open
        latest.status, latest.flag = "failed", "Lauf nicht regulär beendet"
        latest.errors = latest.errors or run.errors
        runs.finish(latest)
    return latest
