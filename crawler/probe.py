"""Try a strategy on a URL before configuring a district: crawl politely, print what would be stored.

`probe()` runs the spider for one ad-hoc source (key "probe", district "probe") in a fresh
CrawlerProcess in this process, so it can run once per process (Twisted's reactor cannot restart):
the `stellenboerse probe` command exits afterwards. Nothing is stored.

Every posting found goes through the crawl's own stages — `crawler.pipelines.prepare` (normalise,
validate with DROP_BAD_URLS, sanitise), the same-id check of the dedupe stage and the enrichment
`Board.save` applies — so the record printed is the record a crawl would store, and a posting the
crawl would drop is reported with the crawl's German reason. Not checked here: twins from other
sources and HR-owned ids, which need the board's store.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from crawler.config import SourceConfig, add_probe_arguments
from crawler.items import RawPosting
from crawler.pipelines import Rejected, prepare
from crawler.strategies.auto import VACANCY_RE

# Which of its helpers the auto strategy hands a page to, by the handler the request names.
AUTO_HANDLERS = {
    "parse_list": "structured",
    "parse_feed": "feed",
    "parse_pdf": "pdf",
    "parse_robots": "sitemap",
    "parse_sitemap": "sitemap",
}


@dataclass
class ProbeResult:
    postings: list[dict[str, Any]] = field(default_factory=list)  # the records a crawl would store
    found: list[dict[str, Any]] = field(default_factory=list)  # every posting: page, handler, fate
    pages: int = 0
    parse_errors: list[tuple[str, str]] = field(default_factory=list)
    fetch_errors: list[tuple[str, str]] = field(default_factory=list)
    list_failed: bool = False
    error_urls: list[str] = field(default_factory=list)
    close_reason: str = "finished"  # "closespider_timeout" when the time ran out
    looks_like_vacancies: bool = False  # the start page's URL, title or h1 says Stellenangebote, Karriere, …

    @property
    def failed(self) -> bool:
        """Nothing trustworthy was read: a list page failed, time ran out, or errors and no posting."""
        if self.list_failed or self.close_reason != "finished":
            return True
        return not self.found and bool(self.fetch_errors or self.parse_errors or not self.pages)

    @property
    def empty_vacancy_page(self) -> bool:
        """A page that says it lists vacancies, and not one posting on it or behind it."""
        return self.looks_like_vacancies and not self.found


def probe_settings(timeout: float) -> dict[str, Any]:
    """The crawl's own settings as shipped (politeness, retries, decoding, size cap, user agent), minus
    the store: what the probe prints is what a crawl would read."""
    from crawler.config import CrawlDefaults
    from crawler.runner import CrawlOptions, scrapy_settings
    from vacancies.settings import get_settings

    defaults = CrawlDefaults()
    values = scrapy_settings(defaults, get_settings(), CrawlOptions(log_level="ERROR")).copy_to_dict()
    values.update(
        ITEM_PIPELINES={},
        CLOSESPIDER_TIMEOUT=timeout,
        DOWNLOAD_TIMEOUT=min(defaults.download_timeout, max(5, int(timeout))),
        HTTPCACHE_ENABLED=False,
    )
    return values


def run_probe(
    url: str,
    strategy: str = "auto",
    options: dict[str, Any] | None = None,
    timeout: float = 60,
    settings: dict[str, Any] | None = None,
    today: date | None = None,
) -> ProbeResult:
    """Crawl once; the records a crawl would store, every posting's fate, and the spider's bookkeeping.

    Raises pydantic's ValidationError when the strategy's options are not valid (as districts.yaml)."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.spider import DistrictSpider, SourceCrawl

    # validated like districts.yaml: an unknown strategy typed on the command line is a ValidationError
    source = SourceConfig.model_validate(
        {
            "key": "probe",
            "district": "probe",
            "strategy": strategy,
            "start_urls": [url],
            "options": options or {},
        }
    )
    process = CrawlerProcess({**probe_settings(timeout), **(settings or {})})
    crawler = process.create_crawler(DistrictSpider)
    result, store = ProbeResult(), _Store(today)

    def collect(item: RawPosting, response: Any, **_: Any) -> None:
        found = store.take(item, strategy, _meta(response))
        result.found.append(found)
        if found["record"] is not None:
            result.postings.append(found["record"])

    def received(response: Any, request: Any, **_: Any) -> None:
        if request.meta.get("source") == "probe" and _is_start(request, url):
            result.looks_like_vacancies |= looks_like_vacancy_page(response)

    def closed(reason: str, **_: Any) -> None:
        result.close_reason = reason

    # Scrapy keeps weak references to receivers: these live in this frame until the crawl ends.
    crawler.signals.connect(collect, signal=signals.item_scraped)
    crawler.signals.connect(received, signal=signals.response_received)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    crawl = SourceCrawl(source)
    process.crawl(crawler, crawls=[crawl], today=today)
    process.start()
    result.pages, result.list_failed = crawl.pages, crawl.list_failed
    result.parse_errors, result.fetch_errors = list(crawl.parse_errors), list(crawl.fetch_errors)
    result.error_urls = sorted(crawl.error_urls)
    # The crawl's own rule (runner.fail_empty_vacancy_page): a vacancy page reached anywhere, nothing read.
    reached = getattr(crawl.strategy, "empty_vacancy_page", None)
    result.looks_like_vacancies |= bool(reached and reached())
    return result


def probe(url: str, strategy: str = "auto", options: dict | None = None, timeout: float = 60) -> list[dict]:
    return run_probe(url, strategy, options, timeout).postings


class _Store:
    """What the crawl does to a posting between the strategy and the store, without the store."""

    def __init__(self, today: date | None) -> None:
        from vacancies.geo import get_gazetteer
        from vacancies.settings import get_settings

        self.today = today
        self.gazetteer = get_gazetteer(str(get_settings().config_dir / "geo" / "plz_de.csv"))  # as open_board
        self.ids: set[str] = set()

    def take(self, item: RawPosting, strategy: str, meta: dict[str, Any]) -> dict[str, Any]:
        from vacancies.enrich import enrich

        found = {"title": item.title, "source_url": item.url, "handler": handler_name(strategy, meta, item),
                 "record": None, "dropped": None, "detail": ""}  # fmt: skip
        try:
            vacancy = prepare(item, self.today)
            if vacancy.id in self.ids:  # DedupePipeline's first check; twins need the board's store
                raise Rejected("doppelt verlinkt", vacancy.id)
        except Rejected as exc:
            found.update(dropped=exc.reason, detail=exc.detail)
            return found
        self.ids.add(vacancy.id)
        found["record"] = json.loads(enrich(vacancy, self.gazetteer).record_json())  # as Board.save
        return found


def handler_name(strategy: str, meta: dict[str, Any], item: RawPosting | None = None) -> str:
    """The strategy that read a posting; for auto, which of its helpers ("auto → pdf", "auto → plain",
    "auto → interamt" for a vendor portal found on the district's pages)."""
    if strategy != "auto":
        return strategy
    if meta.get("delegate"):
        return f"auto → {meta['delegate']}"
    handler = meta.get("handler", "parse_list")
    if handler == "parse_detail":  # as AutoStrategy.parse_detail decides
        if "hints" not in meta and "fallback" in meta and meta.get("fallback_on_error"):
            return "auto → feed"
        if item is not None and item.read_by == "" and "fallback" in meta:
            return "auto → Listenzeile"  # the list row stood in for a page that could not be fetched
        return f"auto → {(item.read_by if item is not None else '') or 'structured'}"
    return f"auto → {AUTO_HANDLERS.get(handler, handler)}"


def _meta(response: Any) -> dict[str, Any]:
    """The request meta of a response, or of a failed request (fallback postings come from errbacks)."""
    request = getattr(response, "request", None)
    return dict(getattr(request, "meta", None) or getattr(response, "meta", None) or {})


def _is_start(request: Any, url: str) -> bool:
    first = request.meta.get("redirect_urls", [request.url])[0]
    return first.rstrip("/") == url.rstrip("/")


def looks_like_vacancy_page(response: Any) -> bool:
    """The page's URL, title or first h1 says Stellenangebote, Stellenausschreibungen, Karriere, Jobs, …"""
    from scrapy.http import TextResponse

    texts = [response.url]
    if isinstance(response, TextResponse):
        texts += [" ".join(response.css("title ::text, h1 ::text").getall())]
    return any(VACANCY_RE.search(text) for text in texts)


# ------------------------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stellenboerse probe", description="Stellen einer Adresse testweise lesen"
    )
    add_probe_arguments(parser)
    return parser


EMPTY_VACANCY_PAGE = (
    "Die Seite sieht wie eine Stellenseite aus, aber es wurden keine Stellen gefunden: passt die Strategie "
    "(--strategy), stehen die Stellen in einem PDF, auf einer Unterseite oder bei einem Portal (z. B. "
    "interamt)? Die Auswahl der Links lässt sich mit --options einstellen."
)


def main_probe(args: argparse.Namespace | list[str] | None = None) -> int:
    """On stdout one JSON line per record a crawl would store; on stderr per posting the strategy that
    read it and, if dropped, why, then a German summary. Exit 1 if nothing could be read or a page that
    looks like a vacancy page gave no posting, 2 if the options are not valid."""
    if not isinstance(args, argparse.Namespace):
        args = _parser().parse_args(args)
    try:
        options = json.loads(args.options) if args.options else {}
        if not isinstance(options, dict):
            raise ValueError("kein JSON-Objekt")
    except ValueError as exc:
        print(f"--options: kein gültiges JSON-Objekt ({exc})", file=sys.stderr)
        return 2
    try:
        result = run_probe(args.url, args.strategy, options, args.timeout)
    except ValidationError as exc:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        print(f"Ungültige Angaben: {problems}", file=sys.stderr)
        return 2
    for record in result.postings:
        print(json.dumps(record, ensure_ascii=False))
    print(report(result), file=sys.stderr)
    return 1 if result.failed or result.empty_vacancy_page else 0


def report(result: ProbeResult) -> str:
    """Per posting: the strategy that read it and whether the crawl would store it; then the summary."""
    lines = []
    for found in result.found:
        fate = f"verworfen: {found['dropped']}" if found["dropped"] else "gespeichert"
        detail = f" ({found['detail']})" if found["detail"] else ""
        lines.append(f"[{found['handler']}] {found['title']} – {found['source_url']}: {fate}{detail}")
    lines.append(summary(result))
    if result.empty_vacancy_page:
        lines.append(EMPTY_VACANCY_PAGE)
    return "\n".join(lines)


def summary(result: ProbeResult) -> str:
    dropped = len(result.found) - len(result.postings)
    lines = [
        f"{len(result.found)} Stellenanzeige(n) gefunden, {result.pages} Seite(n) gelesen; "
        f"{len(result.postings)} würde(n) gespeichert, {dropped} verworfen.",
        f"Abruffehler: {len(result.fetch_errors)}, Lesefehler: {len(result.parse_errors)}.",
    ]
    if result.list_failed:
        lines.append("Achtung: eine Listen-/Startseite war nicht abrufbar oder nicht lesbar.")
    if result.close_reason == "closespider_timeout":
        lines.append("Achtung: abgebrochen, die Zeit (--timeout) ist abgelaufen; es fehlen Seiten.")
    elif result.close_reason != "finished":
        lines.append(f"Achtung: abgebrochen ({result.close_reason}).")
    lines += [f"  Abruf: {url} – {reason}" for url, reason in result.fetch_errors[:10]]
    lines += [f"  Lesen: {url} – {reason}" for url, reason in result.parse_errors[:10]]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main_probe(sys.argv[1:]))
