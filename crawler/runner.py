"""Run crawls of configured sources in this process (one Twisted reactor per process).

`stellenboerse crawl` calls `crawl_sources`; the scheduler starts that command as a subprocess per
source, because Scrapy's reactor cannot be restarted inside a long-lived process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawler.config import CrawlDefaults, DistrictsConfig, SourceConfig
from crawler.lifecycle import finish_run
from crawler.pipelines import SaveBatch
from vacancies.runs import CrawlRun, RunStore
from vacancies.service import Board, open_board
from vacancies.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class CrawlOptions:
    polite: bool = True  # off only for benchmarks against our own sample sites
    http_cache_dir: Path | None = None
    today: date | None = None
    log_level: str = "WARNING"


def scrapy_settings(
    defaults: CrawlDefaults, settings: Settings, options: CrawlOptions, sources: int = 1
) -> ScrapySettings:
    polite = options.polite
    per_domain = defaults.concurrent_requests_per_domain if polite else 16
    values = {
        "BOT_NAME": "stellenboerse",
        "USER_AGENT": defaults.user_agent.format(contact_url=settings.contact_url),
        "ROBOTSTXT_OBEY": True,
        # One crawler serves all sources: requests waiting out a site's delay count against the global
        # limit, so each source keeps the 16 it had with a crawler of its own. Impolite runs are
        # CPU-bound: more connections at once only cost more CPU.
        "CONCURRENT_REQUESTS": 16 * sources if polite else 64,
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
        },
        "ITEM_PIPELINES": {
            "crawler.pipelines.NormalisePipeline": 100,
            "crawler.pipelines.ValidatePipeline": 200,
            "crawler.pipelines.SanitisePipeline": 300,
            "crawler.pipelines.DedupePipeline": 400,
            "crawler.pipelines.StorePipeline": 900,
        },
        "TELNETCONSOLE_ENABLED": False,
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
    """Crawl the given sources concurrently (politely per domain) and return their recorded runs.

    One Scrapy crawler for all of them (a crawler per source costs more CPU than a small site);
    each source still gets its own run record, lifecycle and failure decision.
    """
    from crawler.spider import DistrictSpider, SourceCrawl

    options = options or CrawlOptions()
    board = board or open_board(settings)
    runs = RunStore(board.store.engine)
    opened: list[CrawlRun] = []
    crawls: list[SourceCrawl] = []
    for source in sources:
        run = runs.start(source.key, source.district)
        if run is None:
            log.warning("Quelle %s läuft bereits — übersprungen", source.key)
            continue
        opened.append(run)
        try:
            crawls.append(SourceCrawl(source, run=run))
        except Exception as exc:  # e.g. a strategy option missing: this source fails, the others run
            log.error("Quelle %s kann nicht starten: %s", source.key, exc)
            run.errors = [[source.start_urls[0], f"Quelle kann nicht starten: {exc}"[:500]]]
    if crawls:
        batch = SaveBatch(board, {crawl.key: crawl for crawl in crawls})

        def finish(crawl: SourceCrawl, reason: str) -> None:
            batch.flush()  # the lifecycle must see every posting of this source saved
            finish_run(crawl, reason, board, runs, config.defaults)

        process = CrawlerProcess(scrapy_settings(config.defaults, settings, options, sources=len(crawls)))
        process.crawl(DistrictSpider, crawls=crawls, finish=finish, today=options.today, board=board,
                      batch=batch)  # fmt: skip
        process.start()
    return [_closed(runs, run) for run in opened]


def _closed(runs: RunStore, run: CrawlRun) -> CrawlRun:
    latest = runs.latest(run.source) or run
    if latest.status == "running":  # the spider died before it could close: never leave a run open
        latest.status, latest.flag = "failed", "Lauf nicht regulär beendet"
        latest.errors = latest.errors or run.errors
        runs.finish(latest)
    return latest
