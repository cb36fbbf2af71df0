"""Find a district's vacancy pages from its start URL and read them with whatever fits.

From the start page, links whose text or URL say Stellenangebote, Karriere, Jobs, Ausbildung, … are
followed (``max_depth``, default 2). On every page reached: schema.org JobPostings are taken; an
RSS/Atom ``<link rel="alternate">`` is read as a feed; PDF links are read as postings; links that look
like postings are visited for schema.org data. Option: ``max_depth``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy

from crawler.strategies.common import (
    CANDIDATE,
    DETAIL,
    LIST,
    Strategy,
    absolute,
    extract_job_postings,
    same_site_links,
)
from crawler.strategies.feed import FeedStrategy
from crawler.strategies.pdf import PdfStrategy
from crawler.strategies.structured import StructuredStrategy, posting_from_schema

VACANCY_RE = re.compile(
    r"(?i)stellen-?angebot|stellen-?ausschreibung|stellen-?b(?:ö|oe|o)rse|stellenmarkt|offene[-_ ]stellen|"
    r"karriere|\bjobs?\b|ausbildung|arbeiten[-_ ]bei|\bstellen\b"
)
# A link on a vacancy page that names a post rather than a menu entry.
POSTING_RE = re.compile(
    r"(?i)\(\s*[mwdfi]\s*/\s*[mwdfi]|sachbearbeit|mitarbeiter|fachkraft|leitung|ingenieur|erzieher|"
    r"sozialp[äa]dagog|auszubildende|ausbildung\s+zu|praktik|duales\s+studium|referent|stellenausschreibung"
)
# PDFs on a vacancy page that are forms or notices, not postings.
NOT_A_POSTING_RE = re.compile(r"(?i)datenschutz|formular|merkblatt|antrag|satzung|impressum|bewerbungsbogen")
FEED_TYPES = ("application/rss+xml", "application/atom+xml")
MAX_LINKS_PER_PAGE = 100  # a guard against following a whole site map from one page


class AutoStrategy(Strategy):
    name = "auto"

    def __init__(self, source, reporter) -> None:
        super().__init__(source, reporter)
        self.max_depth = int(self.option("max_depth", 2))
        self.feed = FeedStrategy(source, reporter)
        self.pdf = PdfStrategy(source, reporter)
        self.structured = StructuredStrategy(source, reporter)

    def parse_list(self, response: scrapy.http.TextResponse) -> Iterator[Any]:
        depth = response.meta.get("depth_auto", 0)
        is_vacancy_page = depth > 0 or bool(VACANCY_RE.search(response.url))
        for data in extract_job_postings(response, self.reporter):
            yield posting_from_schema(data, response.url)
        yield from self._feeds(response)
        links = same_site_links(response, self.reporter)
        yield from self._pdfs(links, is_vacancy_page)
        pages = list(self._vacancy_pages(links, depth)) if depth < self.max_depth else []
        yield from pages
        if is_vacancy_page:
            # Pages requested for discovery are not requested again as candidates (the dupe filter would
            # drop the second request, whichever it is).
            yield from self._posting_pages(response, links, {r.url for r in pages})

    def _feeds(self, response: scrapy.http.TextResponse) -> Iterator[scrapy.Request]:
        for link in response.css('link[rel~="alternate"][href]'):
            url = absolute(response.url, link.attrib["href"])
            if link.attrib.get("type") in FEED_TYPES and url and self.reporter.is_allowed(url):
                yield self.follow(url, "parse_feed", LIST)

    def _pdfs(self, links: list[tuple[str, str]], on_vacancy_page: bool) -> Iterator[scrapy.Request]:
        for url, text in links:
            if not urlsplit(url).path.lower().endswith(".pdf") or NOT_A_POSTING_RE.search(url + " " + text):
                continue
            # On the home page only PDFs that say they are postings: it links Amtsblätter too.
            if on_vacancy_page or POSTING_RE.search(text) or VACANCY_RE.search(url):
                yield self.follow(url, "parse_pdf", DETAIL, link_text=text)

    def _posting_pages(
        self, response: scrapy.http.TextResponse, links: list[tuple[str, str]], skip: set[str]
    ) -> Iterator[Any]:
        base = urlsplit(response.url).path.rsplit("/", 1)[0] + "/"
        picked = [
            url
            for url, text in links
            if url not in skip
            and not url.lower().endswith(".pdf")
            and (POSTING_RE.search(text) or (urlsplit(url).path.startswith(base) and base != "/"))
        ]
        for url in picked[:MAX_LINKS_PER_PAGE]:
            yield self.follow(url, "parse_detail", CANDIDATE)

    def _vacancy_pages(self, links: list[tuple[str, str]], depth: int) -> Iterator[scrapy.Request]:
        found = [
            url for url, text in links if VACANCY_RE.search(text) or VACANCY_RE.search(urlsplit(url).path)
        ]
        for url in found[:MAX_LINKS_PER_PAGE]:
            if not url.lower().endswith(".pdf"):
                yield self.follow(url, "parse_list", LIST, depth_auto=depth + 1)

    # Handlers the requests above name: the spider looks them up on this object.
    def parse_feed(self, response: scrapy.http.Response) -> Iterator[Any]:
        return self.feed.parse_feed(response)

    def parse_pdf(self, response: scrapy.http.Response) -> Iterator[Any]:
        return self.pdf.parse_pdf(response)

    def parse_detail(self, response: scrapy.http.Response) -> Iterator[Any]:
        # Feed items lead to detail pages that carry their fallback; candidate pages carry none.
        if "fallback" in response.meta and response.meta.get("fallback_on_error"):
            return self.feed.parse_detail(response)
        return self.structured.parse_detail(response)
