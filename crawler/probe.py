"""Try a strategy on a URL before configuring a district: crawl politely, print what was found.

`probe()` runs the spider for one ad-hoc source (key "probe", district "probe") in a fresh
CrawlerProcess in this process, so it can run once per process (Twisted's reactor cannot restart):
the `stellenboerse probe` command exits afterwards. Nothing is stored.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from crawler.config import SourceConfig
from crawler.items import RawPosting
from vacancies.normalize import (
    parse_career_level,
    parse_fixed_term,
    parse_pay,
    parse_working_time,
    posting_type_from_title,
)


@dataclass
class ProbeResult:
    postings: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    parse_errors: list[tuple[str, str]] = field(default_factory=list)
    fetch_errors: list[tuple[str, str]] = field(default_factory=list)
    list_failed: bool = False
    error_urls: list[str] = field(default_factory=list)
    close_reason: str = "finished"  # "closespider_timeout" when the time ran out

    @property
    def failed(self) -> bool:
        """Nothing trustworthy was read: a list page failed, time ran out, or errors and no posting."""
        if self.list_failed or self.close_reason != "finished":
            return True
        return not self.postings and bool(self.fetch_errors or self.parse_errors or not self.pages)


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
) -> ProbeResult:
    """Crawl once; the postings as record-like dicts plus the spider's bookkeeping.

    Raises pydantic's ValidationError when the strategy's options are not valid (as districts.yaml)."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.spider import DistrictSpider, SourceCrawl

    source = SourceConfig(
        key="probe", district="probe", strategy=strategy, start_urls=[url], options=options or {}
    )
    process = CrawlerProcess({**probe_settings(timeout), **(settings or {})})
    crawler = process.create_crawler(DistrictSpider)
    result = ProbeResult()

    def collect(item: RawPosting, **_: Any) -> None:
        result.postings.append(posting_record(item))

    def closed(reason: str, **_: Any) -> None:
        result.close_reason = reason

    # Scrapy keeps weak references to receivers: these live in this frame until the crawl ends.
    crawler.signals.connect(collect, signal=signals.item_scraped)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    crawl = SourceCrawl(source)
    process.crawl(crawler, crawls=[crawl])
    process.start()
    result.pages, result.list_failed = crawl.pages, crawl.list_failed
    result.parse_errors, result.fetch_errors = list(crawl.parse_errors), list(crawl.fetch_errors)
    result.error_urls = sorted(crawl.error_urls)
    return result


def probe(url: str, strategy: str = "auto", options: dict | None = None, timeout: float = 60) -> list[dict]:
    return run_probe(url, strategy, options, timeout).postings


def posting_record(posting: RawPosting) -> dict[str, Any]:
    """A RawPosting under the vacancy record's field names, with the normalised hints beside it."""
    record = {
        "source_id": posting.source_id,
        "source_url": posting.url,
        "title": posting.title,
        "employer": posting.employer,
        "department": posting.department,
        "date_posted": _iso(posting.date_posted),
        "deadline": _iso(posting.deadline),
        "start_date": _iso(posting.start_date),
        "reference": posting.reference,
        "location": {
            "street": posting.street,
            "postal_code": posting.postal_code,
            "city": posting.city,
            "lat": posting.lat,
            "lon": posting.lon,
        },
        "apply_url": posting.apply_url,
        "apply_email": posting.apply_email,
        "contact": {
            "name": posting.contact_name,
            "phone": posting.contact_phone,
            "email": posting.contact_email,
        },
        "attachments": list(posting.attachments),
        "description": posting.description_html,
    }
    record.update(_hints(posting))
    record["structured"] = json.loads(json.dumps(posting.structured, default=str))
    return record


def _hints(posting: RawPosting) -> dict[str, Any]:
    pay = parse_pay(posting.pay_text or "")
    fixed, months = parse_fixed_term(posting.term_text or "")
    return {
        "pay_text": posting.pay_text,
        "pay_scale": pay.pay_scale.value if pay.pay_scale else None,
        "pay_grade_min": pay.grade_min,
        "pay_grade_max": pay.grade_max,
        "working_time_text": posting.working_time_text,
        "working_time": [w.value for w in parse_working_time(posting.working_time_text or "")],
        "term_text": posting.term_text,
        "fixed_term": fixed,
        "term_months": months,
        "career_text": posting.career_text,
        "career_level": parse_career_level(posting.career_text or ""),
        "posting_type": posting_type_from_title(posting.title).value,
    }


def _iso(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


# ------------------------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stellenboerse probe", description="Stellen einer Adresse testweise lesen"
    )
    from cli.crawl import add_probe_arguments

    add_probe_arguments(parser)
    return parser


def main_probe(args: argparse.Namespace | list[str] | None = None) -> int:
    """One JSON object per posting on stdout, a German summary on stderr; 1 if nothing could be read,
    2 if the options are not valid."""
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
    print(summary(result), file=sys.stderr)
    return 1 if result.failed else 0


def summary(result: ProbeResult) -> str:
    lines = [
        f"{len(result.postings)} Stellenanzeige(n) gefunden, {result.pages} Seite(n) gelesen.",
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
