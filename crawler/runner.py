"""Run crawls of configured sources in this process (one Twisted reactor per process).

`stellenboerse crawl` calls `crawl_sources`; the scheduler starts that command as a subprocess per
source, because Scrapy's reactor cannot be restarted inside a long-lived process.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.settings import Settings as ScrapySettings

from crawler.config import CrawlDefaults, DistrictsConfig, SourceConfig
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


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, but each retry waits longer (1 s, 2 s, 4 s … capped): a sick site is not hammered."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    async def process_request(self, request, spider=None):
        retries = request.meta.get("retry_times", 0)
        if retries:
            await asyncio.sleep(min(self.cap, self.base * 2 ** (retries - 1)))
        return None


def scrapy_settings(defaults: CrawlDefaults, settings: Settings, options: CrawlOptions) -> ScrapySettings:
    polite = options.polite
    values = {
        "BOT_NAME": "stellenboerse",
        "USER_AGENT": defaults.user_agent.format(contact_url=settings.contact_url),
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16 if polite else 64,
        "CONCURRENT_REQUESTS_PER_DOMAIN": defaults.concurrent_requests_per_domain if polite else 16,
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
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.runner.BackoffRetryMiddleware": 550,
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
    """Crawl the given sources concurrently (politely per domain) and return their recorded runs."""
    from crawler.spider import DistrictSpider

    options = options or CrawlOptions()
    board = board or open_board(settings)
    runs = RunStore(board.store.engine)
    process = CrawlerProcess(scrapy_settings(config.defaults, settings, options))
    opened: list[CrawlRun] = []
    for source in sources:
        run = runs.start(source.key, source.district)
        if run is None:
            log.warning("Quelle %s läuft bereits — übersprungen", source.key)
            continue
        opened.append(run)
        process.crawl(DistrictSpider, source=source, board=board, run=run, run_store=runs,
                      defaults=config.defaults, today=options.today)  # fmt: skip
    if opened:
        process.start()
    return [_closed(runs, run) for run in opened]


def _closed(runs: RunStore, run: CrawlRun) -> CrawlRun:
    latest = runs.latest(run.source) or run
    if latest.status == "running":  # the spider died before it could close: never leave a run open
        latest.status, latest.flag = "failed", "Lauf nicht regulär beendet"
        runs.finish(latest)
    return latest
