"""Find a district's vacancy pages from its start URL and read them with whatever fits.

Discovery (crawler.strategies.discovery): from the start page, links whose text or path say
Stellenangebote, Karriere, Jobs, Ausbildung, … are followed best first (menus above passing mentions,
``max_depth``, default 2); robots.txt ``Sitemap:`` lines and ``/sitemap.xml`` add vacancy pages and
posting candidates. On every page reached: schema.org JobPostings are taken; an RSS/Atom
``<link rel="alternate">`` is read as a feed; vendor portals (interamt, …) are handed to their
readers; the repeated posting rows of a list (crawler.strategies.listing) are visited with what the
row says as hints (and as the posting when its page cannot be fetched); postings published as
sections of one page are read there; PDF links are read as postings; further pages of a list are
followed.
Detail pages: schema.org first, else the plain page reader. Option: ``max_depth``.

A run that reached a vacancy page and found no posting, on a page that does not say it has none,
is reported by `empty_vacancy_page` (the runner fails such a run: a site that changed shape must
never silently yield nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy

from crawler.items import RawPosting
from crawler.strategies import discovery, listing
from crawler.strategies.common import (
    CANDIDATE,
    DETAIL,
    LIST,
    Strategy,
    absolute,
    extract_job_postings,
    link_base,
    same_site_links,
)
from crawler.strategies.feed import FeedStrategy
from crawler.strategies.pdf import PdfStrategy
from crawler.strategies.plain import complete_from_page, posting_from_page
from crawler.strategies.structured import posting_from_schema
from crawler.strategies.vendors import vendor_requests

VACANCY_RE = discovery.VACANCY_RE  # probe's "looks like a vacancy page" uses the same words
# A link on a vacancy page that names a post rather than a menu entry.
POSTING_RE = listing.POSTING_TITLE_RE
# PDFs on a vacancy page that are forms or notices, not postings.
NOT_A_POSTING_RE = listing.NOT_A_POSTING_RE
FEED_TYPES = ("application/rss+xml", "application/atom+xml")
MAX_LINKS_PER_PAGE = 100  # a guard against following a whole site map from one page
# Answers to robots.txt and sitemap requests that mean "none here" (redirects are still followed).
_OPTIONAL_STATUSES = [400, 401, 403, 404, 410, 500, 502, 503, 504]
# A script's request for the list: fetch("…"), $.getJSON("…"), axios.get("…").
_FETCH_RE = re.compile(r"""(?:fetch|getJSON|\.get)\(\s*["']([^"']+)["']""")
_JSON_PATH_RE = re.compile(r"(?i)\.json(?:$|\?)|/api/")
# Hints a detail page may leave out and its list row states.
_HINT_FIELDS = ("deadline", "date_posted", "reference", "street", "postal_code", "city")

EMPTY_VACANCY_PAGE = (
    "Stellenseite gefunden ({url}), aber keine Stellenanzeige erkannt – hat sich die Seite geändert?"
)


class AutoStrategy(Strategy):
    name = "auto"

    def __init__(self, source, reporter) -> None:
        super().__init__(source, reporter)
        self.max_depth = int(self.option("max_depth", 2))
        self.feed = FeedStrategy(source, reporter)
        self.pdf = PdfStrategy(source, reporter)
        # For the end of the run: vacancy pages reached, and whether one said it has nothing on offer.
        self.vacancy_pages: list[tuple[int, str]] = []  # (depth, URL)
        self.says_no_vacancies = False

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield from super().start_requests()
        # Once per source start: the sitemaps robots.txt declares, and the usual /sitemap.xml. Neither
        # is required: an error answer is handled by the callback, not recorded as a failure.
        roots = dict.fromkeys(discovery.site_root(url) for url in self.source.start_urls)
        for root in roots:
            yield self._optional(f"{root}/robots.txt", "parse_robots")
            yield self._optional(f"{root}/sitemap.xml", "parse_sitemap")

    def _optional(self, url: str, handler: str) -> scrapy.Request:
        request = self.follow(url, handler, CANDIDATE)
        # Any answer but a redirect comes to the handler, which reads only a 200: no fetch error is recorded.
        request.meta["handle_httpstatus_list"] = _OPTIONAL_STATUSES
        return request

    def empty_vacancy_page(self) -> str | None:
        """The deepest vacancy page reached (the nearest to where postings were), unless a page said it
        has no vacancies right now.

        The runner asks this when the run found no posting: such a run must fail, not pass quietly."""
        if self.says_no_vacancies or not self.vacancy_pages:
            return None
        deepest = max(depth for depth, _ in self.vacancy_pages)
        return next(url for depth, url in self.vacancy_pages if depth == deepest)

    # ------------------------------------------------------------------------------ list pages

    def parse_list(self, response: scrapy.http.TextResponse) -> Iterator[Any]:
        if not isinstance(response, scrapy.http.TextResponse):
            # A menu entry "Stellenangebote" that serves a PDF is a posting (or a list) in a PDF.
            yield from self._read_detail(response, None)
            return
        depth = response.meta.get("depth_auto", 0)
        looks_like = discovery.is_vacancy_page(response)
        on_vacancy_page = looks_like or bool(response.meta.get("vacancy_link"))
        if looks_like:
            self.vacancy_pages.append((depth, response.url))
            self.says_no_vacancies |= discovery.says_no_vacancies(response)
        on_page = [
            posting_from_schema(d, response.url) for d in extract_job_postings(response, self.reporter)
        ]
        yield from on_page
        yield from self._feeds(response)
        vendors = vendor_requests(self, response)
        yield from vendors
        if on_vacancy_page:
            yield from self._widget_feeds(response, {r.url for r in vendors})
        links = same_site_links(response, self.reporter)
        next_pages = list(self._next_pages(response)) if on_vacancy_page else []
        taken = {r.url for r in next_pages} | {p.url for p in on_page}  # schema.org said it already
        rows = [
            row
            for row in listing.posting_rows(response, self.reporter.is_allowed, on_vacancy_page)
            if row.url not in taken and not _names_a_vacancy_page(row)
        ]
        taken |= {row.url for row in rows}
        # Postings and further pages of this list are no vacancy pages to discover.
        pages = list(self._vacancy_pages(response, depth, taken)) if depth < self.max_depth else []
        taken |= {r.url for r in pages}
        yield from pages
        yield from next_pages
        yield from self._rows(rows, on_vacancy_page)
        if on_vacancy_page and not rows:
            # A one-page list: each posting a section under its own heading.
            yield from listing.section_postings(response)
        yield from self._pdfs([(u, t) for u, t in links if u not in taken], on_vacancy_page)
        if on_vacancy_page:
            # Pages requested already are not requested again as candidates (the dupe filter would
            # drop the second request, whichever it is).
            yield from self._posting_pages(response, links, taken, strict=bool(rows))

    def _feeds(self, response: scrapy.http.TextResponse) -> Iterator[scrapy.Request]:
        for link in response.css('link[rel~="alternate"][href]'):
            url = absolute(link_base(response), link.attrib["href"])
            if link.attrib.get("type") in FEED_TYPES and url and self.reporter.is_allowed(url):
                yield self.follow(url, "parse_feed", LIST)

    def _widget_feeds(self, response: scrapy.http.TextResponse, skip: set[str]) -> Iterator[scrapy.Request]:
        """A vacancy page whose list a script loads from the district's own JSON endpoint
        (``<div data-api="/api/stellen.json">``, ``fetch("/api/stellen.json")``): the interamt widget's
        answer served through the site. Read by the interamt reader; a JSON it cannot read fails the
        run, as any list that cannot be read."""
        found = response.xpath("//*/@data-api | //*/@data-url | //*/@data-src | //*/@data-feed").getall()
        found += _FETCH_RE.findall(" ".join(response.xpath("//script[not(@src)]/text()").getall()))
        for href in dict.fromkeys(found):
            url = absolute(link_base(response), href)
            if url and url not in skip and self.reporter.is_allowed(url) and _JSON_PATH_RE.search(url):
                yield self.follow(url, "parse_api", LIST, delegate="interamt")

    def _vacancy_pages(
        self, response: scrapy.http.TextResponse, depth: int, skip: set[str]
    ) -> Iterator[scrapy.Request]:
        for link in discovery.vacancy_links(response, self.reporter.is_allowed):
            if link.url in skip or listing.is_page_step(response.url, link.url):
                continue
            request = self.follow(link.url, "parse_list", LIST, depth_auto=depth + 1, vacancy_link=True)
            request.priority = link.score  # menus first
            yield request

    def _next_pages(self, response: scrapy.http.TextResponse) -> Iterator[scrapy.Request]:
        page = response.meta.get("list_page", 1)
        if page >= listing.MAX_LIST_PAGES:
            return
        for url in listing.next_pages(response, self.reporter.is_allowed):
            yield self.follow(
                url,
                "parse_list",
                LIST,
                depth_auto=response.meta.get("depth_auto", 0),
                vacancy_link=True,
                list_page=page + 1,
            )

    def _rows(self, rows: list[listing.Row], on_vacancy_page: bool) -> Iterator[scrapy.Request]:
        # Off a vacancy page (a home page's teaser box) a row may be news about a post: a candidate.
        for row in rows[:MAX_LINKS_PER_PAGE]:
            if row.is_pdf:
                yield self.follow(row.url, "parse_pdf", DETAIL, link_text=row.title)
            elif row.is_sure and on_vacancy_page:
                # The row is a posting whatever its page says: if that page fails, the row stands.
                yield self.follow(
                    row.url,
                    "parse_detail",
                    DETAIL,
                    hints=row.hints,
                    fallback=row.hints,
                    fallback_on_error=True,
                )
            else:
                yield self.follow(row.url, "parse_detail", CANDIDATE, hints=row.hints)

    def _pdfs(self, links: list[tuple[str, str]], on_vacancy_page: bool) -> Iterator[scrapy.Request]:
        for url, text in links:
            if not urlsplit(url).path.lower().endswith(".pdf") or NOT_A_POSTING_RE.search(url + " " + text):
                continue
            # On the home page only PDFs that say they are postings: it links Amtsblätter too.
            if on_vacancy_page or POSTING_RE.search(text) or VACANCY_RE.search(url):
                yield self.follow(url, "parse_pdf", DETAIL, link_text=text)

    def _posting_pages(
        self, response: scrapy.http.TextResponse, links: list[tuple[str, str]], skip: set[str], strict: bool
    ) -> Iterator[Any]:
        """Links of a vacancy page that may be postings. When the page's rows were recognised, only
        links that name a post themselves: the rest is the page's own navigation."""
        base = urlsplit(response.url).path.rsplit("/", 1)[0] + "/"
        picked = [
            url
            for url, text in links
            if url not in skip
            and not url.lower().endswith(".pdf")
            and (
                POSTING_RE.search(text)
                or (not strict and urlsplit(url).path.startswith(base) and base != "/")
            )
        ]
        for url in picked[:MAX_LINKS_PER_PAGE]:
            yield self.follow(url, "parse_detail", CANDIDATE)

    # --------------------------------------------------------------------------------- sitemaps

    def parse_robots(self, response: scrapy.http.Response) -> Iterator[Any]:
        if response.status != 200:
            return
        for url in discovery.sitemap_urls(response)[: discovery.MAX_SITEMAPS]:
            if self.reporter.is_allowed(url):
                yield self._optional(url, "parse_sitemap")

    def parse_sitemap(self, response: scrapy.http.Response) -> Iterator[Any]:
        if response.status != 200:
            return  # no sitemap: nothing to add, nothing wrong
        entries = discovery.read_sitemap(response)
        for url in entries.sitemaps:
            if self.reporter.is_allowed(url):
                yield self._optional(url, "parse_sitemap")
        for url in entries.vacancy_pages:
            if self.reporter.is_allowed(url):
                # A page found in the sitemap, not linked: CANDIDATE, so a stale entry fails nothing.
                yield self.follow(url, "parse_list", CANDIDATE, depth_auto=self.max_depth, vacancy_link=True)
        for url in entries.candidates:
            if self.reporter.is_allowed(url):
                if urlsplit(url).path.lower().endswith(".pdf"):
                    yield self.follow(url, "parse_pdf", CANDIDATE)
                else:
                    yield self.follow(url, "parse_detail", CANDIDATE)

    # ---------------------------------------------------------------- handlers the requests name

    def parse_feed(self, response: scrapy.http.Response) -> Iterator[Any]:
        return self.feed.parse_feed(response)

    def parse_pdf(self, response: scrapy.http.Response) -> Iterator[Any]:
        return self.pdf.parse_pdf(response)

    def parse_detail(self, response: scrapy.http.Response) -> Iterator[Any]:
        meta = response.meta
        # Feed items lead to detail pages that carry their fallback; list rows carry their hints.
        if "hints" not in meta and "fallback" in meta and meta.get("fallback_on_error"):
            return self.feed.parse_detail(response)
        return self._read_detail(response, meta.get("hints"))

    def _read_detail(self, response: scrapy.http.Response, hints: RawPosting | None) -> Iterator[Any]:
        """schema.org first, else the plain page reader. The row's fallback stands in only when the page
        cannot be fetched (the spider's errback): a page that is broken or reads as no posting must not
        overwrite what was stored from it before, so it is left to the spider's error bookkeeping."""
        if not isinstance(response, scrapy.http.TextResponse):
            if response.body.lstrip()[:5].startswith(b"%PDF"):  # "stelle.php?id=5" may answer with a PDF
                yield from self.pdf.parse_pdf(response)
            return
        found = [posting_from_schema(d, response.url) for d in extract_job_postings(response, self.reporter)]
        if found:  # the site's own ids (schema.org identifier) stay the ids
            if len(found) == 1:
                complete_from_page(found[0], response)
            for posting in found:
                posting.read_by = "structured"
                yield _complete(posting, hints, own_id=True)
            return
        plain = posting_from_page(response, hints)
        if plain is not None:
            plain.read_by = "plain"
            yield _complete(plain, hints, own_id=False)


def _complete(posting: RawPosting, hints: RawPosting | None, own_id: bool) -> RawPosting:
    """The row's facts where the page left them out. A page without an id of its own keeps the row's
    (its link, not where it redirected), so the posting is one whichever way it was read."""
    if hints is None or posting is hints:
        return posting
    for name in _HINT_FIELDS:
        if getattr(posting, name) in (None, "") and getattr(hints, name) not in (None, ""):
            setattr(posting, name, getattr(hints, name))
    if not own_id:
        posting.source_id = hints.source_id
    return posting


def _names_a_vacancy_page(row: listing.Row) -> bool:
    """A row whose title is a menu word ("Stellenangebote", "Ausbildung"): a page to discover, not a post."""
    score = discovery.link_score(row.url, row.title, False)
    return score >= discovery.MIN_SCORE and not listing.looks_like_posting_title(row.title)
