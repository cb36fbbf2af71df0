"""The one spider of a crawl, and the books it keeps for each source.

All sources of a crawl run in one Scrapy crawler: setting up a crawler costs about 0.1 s of CPU, more
than crawling a small district site. Everything per source lives in a `SourceCrawl`:

- the source's extraction strategy; its requests carry the source key (``meta["source"]``) and come
  back to this object's `dispatch` / `on_error`;
- ``pages``: responses parsed;
- ``parse_errors``: (url, reason) for pages that were fetched but could not be read;
- ``fetch_errors``: (url, reason) for HTTP >= 400 after retries, timeouts, DNS/connection errors and
  robots.txt denials;
- ``list_failed``: a start/list/feed/API page failed or was unreadable, so the run is not complete;
- vendor portals (interamt, Personio, d.vinci) found on the source's pages: their hosts are allowed for
  this source only (`allow_vendor_host`, `may_fetch`), and responses whose request names a vendor
  (``meta["delegate"]``) go to a strategy object of that vendor kept for the source;
- ``error_urls``: posting URLs whose page failed, so their postings must not expire;
- ``validators``: what pages said last time (crawler.freshness), asked conditionally; a 304 keeps the
  postings the page gave (``not_modified``, ``kept_ids``), a full answer with validators is kept for the
  next run (``page_validators``);
- ``requests`` and ``bytes``: answers received and their bodies' size, for the run's detail;
- the pipelines' tally (``seen_ids``, ``drop_reasons``, ``totals``) and the recorded run.

A source is finished as soon as none of its requests and postings is still under way (``pending``),
so its run record and lifecycle do not wait for the slowest site of the crawl; whatever is still open
when the spider closes is finished then, with the spider's close reason.

Politeness (robots.txt, throttling, user agent, timeouts, size caps, cache) is the runner's business:
``custom_settings`` stays empty on purpose.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (  # Scrapy ≥ 2.13 wraps Twisted's network errors in these
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefused
from twisted.internet.error import DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.python.failure import Failure

from crawler.config import SourceConfig
from crawler.freshness import NOT_MODIFIED, Validator
from crawler.items import RawPosting
from crawler.pipelines import record_id
from crawler.strategies import STRATEGIES
from crawler.strategies.common import DETAIL, LIST

logger = logging.getLogger(__name__)


class SourceCrawl:
    """One source's part of a crawl: its strategy, its bookkeeping and (in a real crawl) its run."""

    def __init__(self, source: SourceConfig | dict[str, Any], run: Any = None) -> None:
        if isinstance(source, dict):
            source = SourceConfig.model_validate(source)
        self.source = source
        self.run = run
        self.allowed_domains = source.allowed_domains or default_domains(source)
        self._domains = [d.lower() for d in self.allowed_domains]
        self.strategy = STRATEGIES[source.strategy](source, self)
        self._delegates: dict[str, Any] = {}
        self._vendor_hosts: set[str] = set()
        self.pages = 0
        self.parse_errors: list[tuple[str, str]] = []
        self.fetch_errors: list[tuple[str, str]] = []
        self.failure_kinds: dict[str, str] = {}  # URL of a fetch error -> its kind (see failure_kind)
        self.list_failed = False
        self.error_urls: set[str] = set()
        self._reported_network_errors: set[tuple[str | None, str]] = set()
        self._stamped: set[str] = set()
        # Conditional re-crawls (crawler.freshness): set by the runner from the store
        self.validators: dict[str, Validator] = {}
        self.page_validators: dict[str, Validator] = {}  # pages read in full that may be asked so next time
        self.unvalidated: set[str] = set()  # pages answered or failed without validators: forget theirs
        self.kept_ids: set[str] = set()  # postings of pages that answered 304
        self.not_modified = 0
        self.requests = 0
        self.bytes = 0
        self.readers: Counter[str] = Counter()  # postings per reader ("auto → structured", "interamt")
        # Filled by the pipelines
        self.seen_ids: set[str] = set()
        self.drop_reasons: Counter[str] = Counter()
        self.totals: Counter[str] = Counter()
        # Requests and postings handed to Scrapy and not yet come back
        self.pending = 0
        self.started = False
        self.finished = False
        self.on_idle: Callable[[SourceCrawl], None] | None = None

    @property
    def key(self) -> str:
        return self.source.key

    def start_requests(self) -> Iterator[scrapy.Request]:
        """The strategy's start requests; a strategy that cannot start fails this source only."""
        try:
            for request in self.strategy.start_requests():
                yield self._issued(request)
        except Exception as exc:
            self.record_parse_error(self.source.start_urls[0], f"Start nicht möglich: {_reason(exc)}")
        self.started = True
        self._check_idle()

    # ------------------------------------------------------------------------------- callbacks

    def dispatch(self, response: scrapy.http.Response) -> Iterator[Any]:
        """Every response of every strategy comes here: count it, run its handler, catch its errors."""
        for result in self._handle(response):
            yield self._issued(result)
        self.done_with(1)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """Errback of every request: record, mark, and carry on (a fallback posting if there is one)."""
        for result in self._failed(failure):
            yield self._issued(result)
        self.done_with(1)

    def _handle(self, response: scrapy.http.Response) -> Iterator[Any]:
        self.pages += 1
        self.requests += 1
        self.bytes += len(response.body)
        if response.status == NOT_MODIFIED:
            self._not_modified(response)
            return
        role = response.meta.get("role", LIST)
        strategy = self.strategy_for(response.meta)
        handler = getattr(strategy, response.meta.get("handler", "parse_list"))
        errors_before, found = self._errors_for(response.url), 0
        ids: set[str] | None = set()  # the page's postings; None once it led further or repeated one
        try:
            for result in handler(response):
                if isinstance(result, RawPosting):
                    found += 1
                    result = self._stamp(result, response.url)
                    if result is not None and role == DETAIL:
                        # The link the list gave, not where it redirected or what the page calls itself:
                        # when that link fails in a later run, lifecycle finds the posting by it.
                        result.url = _followed_link(response)
                    if result is not None:
                        self.readers[self._reader(strategy.source.strategy, result)] += 1
                    if ids is not None and result is not None:
                        ids.add(record_id(result))
                    else:
                        ids = None
                elif isinstance(result, scrapy.Request):
                    ids = None
                if result is not None:
                    yield result
        except Exception as exc:  # a broken page of any kind must not stop the crawl
            self.record_parse_error(response.url, _reason(exc))
            ids = None
        self._remember(response, ids if self._errors_for(response.url) == errors_before else None)
        if role == DETAIL and not found and self._errors_for(response.url) == errors_before:
            self.record_parse_error(response.url, "keine Stellenanzeige auf der Seite gefunden")
        # A list page with any error may have hidden postings; a posting page only if it gave none.
        if self._errors_for(response.url) > errors_before and (role == LIST or not found):
            self._page_failed(response.request or response, role, response.url)

    def _reader(self, name: str, posting: RawPosting) -> str:
        """Who read a posting, for the run's detail: the source's strategy, a vendor's strategy it
        handed over to, and the strategy's reader where it names one (auto: structured or plain)."""
        reader = name if name == self.source.strategy else f"{self.source.strategy} → {name}"
        return f"{reader} → {posting.read_by}" if posting.read_by else reader

    def _remember(self, response: scrapy.http.Response, ids: set[str] | None) -> None:
        """A page read in full: keep its validators for the next run if it gave postings and nothing
        else (crawler.freshness: a page that leads further is always read in full)."""
        key = _followed_link(response)
        request = response.request
        page = Validator.of(response.headers, ids) if ids and response.status == 200 else None
        if page is None or (request is not None and request.method != "GET"):
            self.unvalidated.add(key)
            return
        self.page_validators[key] = page

    def _not_modified(self, response: scrapy.http.Response) -> None:
        """A page unchanged since the last run: the postings it gave then stay as they are."""
        key = _followed_link(response)
        page = self.validators.get(key)
        if page is None:  # a 304 to a question we did not ask: nothing to keep
            self.record_parse_error(response.url, "HTTP 304 ohne gespeicherte Fassung der Seite")
            self._page_failed(response.request or response, response.meta.get("role", LIST), response.url)
            return
        self.not_modified += 1
        fresh = page.postings if isinstance(page.postings, tuple) else tuple(page.postings)
        new = [i for i in fresh if i not in self.seen_ids]
        self.seen_ids.update(new)
        self.kept_ids.update(new)
        self.totals["unchanged"] += len(new)
        self.page_validators[key] = Validator(
            _header_text(response, b"ETag") or page.etag,
            _header_text(response, b"Last-Modified") or page.last_modified,
            fresh,
        )

    def strategy_for(self, meta: dict[str, Any]) -> Any:
        """The source's strategy, or for a vendor portal found on its pages that vendor's strategy."""
        name = meta.get("delegate")
        if not name or name == self.source.strategy:
            return self.strategy
        if name not in self._delegates:
            # The source's options belong to its own strategy (auto's feed_url is no Personio feed).
            source = self.source.model_copy(update={"strategy": name, "options": {}})
            self._delegates[name] = STRATEGIES[name](source, self)
        return self._delegates[name]

    def _failed(self, failure: Failure) -> Iterator[Any]:
        request = _request_of(failure)
        reason = refusal(failure, self.is_vendor_host(request.url)) or describe_failure(failure)
        self.fetch_errors.append((request.url, reason))
        self.failure_kinds[request.url] = failure_kind(failure)
        self.unvalidated.add(request.meta.get("redirect_urls", [request.url])[0])
        if isinstance(failure.value, HttpError):
            self.requests += 1
            self.bytes += len(failure.value.response.body)
        self._log_failure(request.url, reason, isinstance(failure.value, NETWORK_ERRORS))
        fallback = request.meta.get("fallback")
        if fallback is not None and request.meta.get("fallback_on_error") and not _robots_denial(failure):
            # The page the row stands in for may be stored under the site's own id: it must not expire.
            self.error_urls.add(request.url)
            if (stamped := self._stamp(fallback, request.url)) is not None:
                yield stamped
            return
        self._page_failed(request, request.meta.get("role", LIST), request.url)

    def _log_failure(self, url: str, reason: str, network: bool) -> None:
        """A host that cannot be reached fails every request alike: one line for it, not one per URL."""
        key = (urlsplit(url).hostname, reason)
        level = logging.WARNING
        if network and key in self._reported_network_errors:
            level = logging.INFO
        self._reported_network_errors.add(key)
        message = "Quelle %s: Abruf fehlgeschlagen: %s (%s)"
        logger.log(level, message, self.key, url, reason, extra=self.log_extra)

    @property
    def log_extra(self) -> dict[str, Any]:
        """The fields of this source's log records (crawler.logs: JSON logs carry them)."""
        return {"source": self.key, "run_id": getattr(self.run, "id", None)}

    # ----------------------------------------------------------------------------- bookkeeping

    def record_parse_error(self, url: str, reason: str) -> None:
        logger.warning("Quelle %s: Seite nicht lesbar: %s (%s)", self.key, url, reason, extra=self.log_extra)
        self.parse_errors.append((url, reason[:500]))

    def is_allowed(self, url: str) -> bool:
        """Within the source's own site: where its strategy may follow links."""
        return _within(url, self._domains)

    def may_fetch(self, url: str) -> bool:
        """What the source may download: its site, and the vendor portals found on it. Links into a
        vendor's pages are not followed (the vendor's feed says it all), so is_allowed stays the site."""
        return _within(url, self._domains) or _within(url, self._vendor_hosts)

    def allow_vendor_host(self, host: str) -> None:
        """A vendor portal found on this source's pages: that host (and its subdomains) may be fetched
        for this source, and only for this source."""
        if host:
            self._vendor_hosts.add(host.lower())

    def is_vendor_host(self, url: str) -> bool:
        return _within(url, self._vendor_hosts)

    def done_with(self, count: int) -> None:
        """`count` requests or postings of this source came back (answered, failed, dropped, stored)."""
        self.pending -= count
        self._check_idle()

    def _issued(self, result: Any) -> Any:
        if isinstance(result, scrapy.Request | RawPosting):
            self.pending += 1
        return result

    def _check_idle(self) -> None:
        if self.started and self.pending <= 0 and not self.finished and self.on_idle is not None:
            self.on_idle(self)

    def request_refused(self, request: scrapy.Request, reason: str) -> None:
        """A request filtered before it was sent (a redirect to another site): a failed page."""
        self.fetch_errors.append((request.url, reason))
        self.failure_kinds[request.url] = "offsite"
        message = "Quelle %s: Abruf verweigert: %s (%s)"
        logger.warning(message, self.key, request.url, reason, extra=self.log_extra)
        self._page_failed(request, request.meta.get("role", LIST), request.url)
        self.done_with(1)

    def _page_failed(self, request: Any, role: str, url: str) -> None:
        if role == LIST:
            self.list_failed = True
            return
        meta = getattr(request, "meta", {})
        self.error_urls.update((url, request.url, *meta.get("redirect_urls", ())))
        if (fallback := meta.get("fallback")) is not None:
            self.error_urls.add(fallback.url)
        if posting_url := meta.get("posting_url"):
            self.error_urls.add(posting_url)  # a feed asked for a posting stored under its page's URL

    def _errors_for(self, url: str) -> int:
        # Counted per URL: Scrapy interleaves callbacks, so a global count could include other pages.
        return sum(1 for u, _ in self.parse_errors if u == url)

    def _stamp(self, posting: RawPosting, url: str) -> RawPosting | None:
        if not posting.title.strip():
            self.record_parse_error(url, "Stellenanzeige ohne Titel")
            return None
        if posting.source_id in self._stamped:
            return None  # the same posting reached twice (list page and detail page)
        self._stamped.add(posting.source_id)
        posting.source, posting.district = self.source.key, self.source.district
        return posting


class DistrictSpider(scrapy.Spider):
    """Crawls the given sources side by side; finishes each source's run when that source is done.

    `finish(crawl, reason)` is called once per source: when its last request and posting came back,
    or at the latest when the spider closes (then with the close reason, e.g. "shutdown").
    """

    name = "district"
    custom_settings: dict[str, Any] = {}

    def __init__(
        self,
        crawls: list[SourceCrawl] | None = None,
        finish: Callable[[SourceCrawl, str], None] | None = None,
        today: date | None = None,
        claim: Callable[[], list[str] | None] | None = None,
        max_active: int = 4,
        **kwargs: Any,
    ) -> None:
        """With `claim`, the sources start a few at a time (at most `max_active` unfinished): `claim()`
        names the next ones to crawl (keys of `crawls`; other processes crawl the rest), None when
        none are left. Without it, all `crawls` start at once."""
        if not crawls:
            raise ValueError("DistrictSpider braucht crawls=[SourceCrawl(...)]")
        super().__init__(**kwargs)
        self._claim = claim
        self._unclaimed = {crawl.key: crawl for crawl in crawls} if claim else {}
        self.crawls = {} if claim else {crawl.key: crawl for crawl in crawls}
        self.max_active = max_active
        self.today = today
        self._finish = finish
        # Scrapy's own offsite filter (as in `probe`) sees the union; SourceOffsiteMiddleware is per source.
        self.allowed_domains = sorted({d for crawl in crawls for d in crawl.allowed_domains})
        for crawl in crawls:
            crawl.on_idle = self._source_idle

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> DistrictSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._item_done, signal=signal)
        crawler.signals.connect(spider._spider_closed, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        if self._claim is None:
            for crawl in self.crawls.values():
                for request in crawl.start_requests():
                    yield request
            return
        while (keys := await self._next_claim()) is not None:
            for key in keys:
                crawl = self.crawls[key] = self._unclaimed.pop(key)
                for request in crawl.start_requests():
                    yield request

    async def _next_claim(self) -> list[str] | None:
        # Scrapy keeps the spider open while start() has not ended, so waiting here is safe.
        while self._unfinished() >= self.max_active and not self._nothing_in_flight():
            await asyncio.sleep(0.02)
        assert self._claim is not None
        return self._claim()

    def _unfinished(self) -> int:
        return sum(not crawl.finished for crawl in self.crawls.values())

    def _nothing_in_flight(self) -> bool:
        """Scrapy's own idle test without the start requests: should a source's count of pending
        requests ever go wrong, it must not hold the others back (it is closed when the spider closes)."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        return (
            engine.scraper.slot is not None
            and engine.scraper.slot.is_idle()
            and not engine.downloader.active
            and slot is not None
            and not slot.scheduler.has_pending_requests()
        )

    def crawl_of(self, thing: Any) -> SourceCrawl | None:
        """The source a request (by its meta) or an item (RawPosting, record dict, Vacancy) belongs to."""
        meta = getattr(thing, "meta", None)
        if isinstance(meta, dict):
            key = meta.get("source")
        elif isinstance(thing, dict):
            key = thing.get("source")
        else:
            key = getattr(thing, "source", None)
        return self.crawls.get(key) if isinstance(key, str) else None

    def allows_anywhere(self, url: str) -> bool:
        """A request of no source (robots.txt): allowed if some source of the crawl may fetch the host."""
        return any(crawl.may_fetch(url) for crawl in self.crawls.values())

    def request_gone(self, request: scrapy.Request) -> None:
        """A request left the crawl without reaching its callback or errback (a duplicate URL)."""
        if (crawl := self.crawl_of(request)) is not None:
            crawl.done_with(1)

    def request_offsite(self, request: scrapy.Request) -> None:
        """A request to a host outside the source's domains, i.e. a redirect off the site."""
        if (crawl := self.crawl_of(request)) is not None:
            origin = request.meta.get("redirect_urls", [request.url])[0]
            crawl.request_refused(
                request, f"Weiterleitung von {origin} auf eine fremde Adresse: {request.url}"
            )

    # -------------------------------------------------------------------------------- signals

    def _request_dropped(self, request: scrapy.Request, **_: Any) -> None:
        self.request_gone(request)  # the dupe filter: the same URL is already requested

    def _item_done(self, item: Any, **_: Any) -> None:
        if (crawl := self.crawl_of(item)) is not None:
            crawl.done_with(1)

    def _source_idle(self, crawl: SourceCrawl) -> None:
        self._close_source(crawl, "finished")

    def _spider_closed(self, spider: Any, reason: str) -> None:
        for crawl in self.crawls.values():
            self._close_source(crawl, reason)

    def _close_source(self, crawl: SourceCrawl, reason: str) -> None:
        if crawl.finished:
            return
        crawl.finished = True
        if self._finish is None:
            return
        try:
            self._finish(crawl, reason)
        except Exception:  # one source's bookkeeping must not take the others down
            message = "Lauf der Quelle %s konnte nicht abgeschlossen werden"
            logger.exception(message, crawl.key, extra=crawl.log_extra)


def default_domains(source: SourceConfig) -> list[str]:
    """The hosts of the start URLs and of a configured feed/API URL."""
    urls = [*source.start_urls, source.options.get("feed_url"), source.options.get("api_url")]
    hosts = {urlsplit(u).hostname for u in urls if isinstance(u, str) and u}
    return sorted(h for h in hosts if h)


def _within(url: str, domains: Any) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def _followed_link(response: scrapy.http.Response) -> str:
    redirected = response.meta.get("redirect_urls")
    return redirected[0] if redirected else response.url


def describe_failure(failure: Failure) -> str:
    """A short German reason for the run report."""
    error = failure.value
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status}"
    if isinstance(error, IgnoreRequest):
        if "robots" in str(error).lower():
            return "robots.txt verbietet den Abruf"
        return f"Abruf verworfen: {error}"
    if isinstance(error, TxTimeoutError | TCPTimedOutError) or "timeout" in type(error).__name__.lower():
        return "Zeitüberschreitung"
    if isinstance(error, DNSLookupError | CannotResolveHostError):
        return f"Name „{urlsplit(_request_of(failure).url).hostname}“ nicht auflösbar (DNS)"
    if isinstance(error, TxConnectionRefused | DownloadConnectionRefusedError):
        return "Verbindung abgelehnt"
    return _reason(error)


def failure_kind(failure: Failure) -> str:
    """The kind of a failed request, for the run's detail: dns, refused, timeout, http, robots, other."""
    error = failure.value
    if isinstance(error, HttpError):
        return "http"
    if isinstance(error, IgnoreRequest):
        return "robots" if "robots" in str(error).lower() else "other"
    if isinstance(error, DNSLookupError | CannotResolveHostError):
        return "dns"
    if isinstance(error, TxConnectionRefused | DownloadConnectionRefusedError):
        return "refused"
    if isinstance(error, TxTimeoutError | TCPTimedOutError) or "timeout" in type(error).__name__.lower():
        return "timeout"
    return "other"


def _header_text(response: scrapy.http.Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() or None if value else None


NETWORK_ERRORS = (
    DNSLookupError, CannotResolveHostError, TxConnectionRefused, DownloadConnectionRefusedError,
    TxTimeoutError, TCPTimedOutError, DownloadTimeoutError,
)  # fmt: skip


def reported_by_spider(record: logging.LogRecord) -> bool:
    """A Scrapy record of a failure the spider reports itself, in one German line with the source:
    a host that cannot be reached (also from robots.txt), and a request of a source that ran out of
    retries ("Gave up retrying", which reaches the source's errback)."""
    args = record.args if isinstance(record.args, dict) else {}
    candidates = [
        record.exc_info[1] if record.exc_info else None,
        args.get("reason"),
        args.get("f_exception"),
    ]
    if any(isinstance(c, NETWORK_ERRORS) for c in candidates):
        return True
    meta = getattr(args.get("request"), "meta", None)
    return record.name == "scrapy.downloadermiddlewares.retry" and isinstance(meta, dict) and "source" in meta


def refusal(failure: Failure, vendor: bool) -> str | None:
    """A host that refuses us, named: too many requests (any host); a vendor's 403 or robots.txt."""
    error, host = failure.value, _host(_request_of(failure).url)
    if isinstance(error, HttpError) and error.response.status == 429:
        return f"HTTP 429 (zu viele Anfragen) von {host}"
    if not vendor:
        return None  # the district's own site: the plain reasons below
    if isinstance(error, HttpError) and error.response.status == 403:
        return f"{host} verweigert den Abruf: HTTP 403"
    if isinstance(error, IgnoreRequest) and "robots" in str(error).lower():
        return f"{host} verweigert den Abruf: robots.txt"
    return None


def _request_of(failure: Failure) -> scrapy.Request:
    """The request that failed: Scrapy sets it on the Failure of an errback (not in Twisted's types)."""
    return failure.request  # type: ignore[attr-defined]  # set by Scrapy at run time


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or url).lower()
    return host.removeprefix("www.")


def _robots_denial(failure: Failure) -> bool:
    # A page robots.txt forbids is not ours to publish, not even as the list row's summary of it.
    return isinstance(failure.value, IgnoreRequest) and "robots" in str(failure.value).lower()


def _reason(exc: BaseException | None) -> str:  # Twisted types a Failure's value as optional
    return f"{type(exc).__name__}: {exc}"[:500]
