"""Helpers shared by the extraction strategies: requests, selectors, schema.org, text and dates.

A strategy never talks to Scrapy's engine directly: it builds requests with `Strategy.follow`, which
routes every response through the spider's `dispatch` (page count, error bookkeeping) and every
failure through its `on_error`. A request's *role* tells the spider what a failure means:

- ``list``: a start, list, feed or API page. If it fails the run cannot be complete.
- ``detail``: a page expected to hold one posting. If it fails, that posting must not expire.
- ``candidate``: a page that may hold a posting (default link following); empty is fine.
"""

from __future__ import annotations

import html
import math
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit

import scrapy
from extruct.jsonld import JsonLdExtractor
from extruct.uniform import _umicrodata_microformat
from extruct.w3cmicrodata import MicrodataExtractor
from parsel import Selector, SelectorList
from scrapy.utils.response import get_base_url
from w3lib.url import canonicalize_url

from crawler.config import SourceConfig
from vacancies.normalize import parse_german_date, parse_timestamp

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

LIST, DETAIL, CANDIDATE = "list", "detail", "candidate"

# Query parameters that change per visit, not per posting: they must not change a source_id.
_VOLATILE_PARAMS = re.compile(r"(?i)^(utm_\w+|jsessionid|phpsessid|sid|sessionid|s|cHash|fbclid|gclid)$")


class Reporter(Protocol):
    """What a strategy needs from the spider (tests may pass a stand-in)."""

    def record_parse_error(self, url: str, reason: str) -> None: ...

    def is_allowed(self, url: str) -> bool: ...


class Strategy:
    """Base of all strategies: configuration in, requests and RawPostings out."""

    name = ""

    def __init__(self, source: SourceConfig, reporter: Reporter) -> None:
        self.source = source
        self.options = dict(source.options)
        self.reporter = reporter
        # One bound method for all requests: Scrapy inspects the source of each new callback object
        # (to warn about generators that return values), and caches that only per object.
        self._callback = getattr(reporter, "dispatch", None)
        self._errback = getattr(reporter, "on_error", None)

    def start_requests(self) -> Iterator[scrapy.Request]:
        for url in self.source.start_urls:
            yield self.follow(url, "parse_list", LIST)

    def follow(self, url: str, handler: str, role: str, **meta: Any) -> scrapy.Request:
        """A request whose response goes to `self.<handler>` through the spider's bookkeeping."""
        return scrapy.Request(
            url,
            callback=self._callback,
            errback=self._errback,
            meta={"handler": handler, "role": role, "source": self.source.key, **meta},
        )

    def option(self, name: str, default: Any = None) -> Any:
        value = self.options.get(name)
        return default if value in (None, "") else value

    def required_option(self, name: str) -> Any:
        value = self.option(name)
        if value is None:
            raise ValueError(f"Quelle „{self.source.key}“: Strategie {self.name} braucht options.{name}")
        return value

    def next_pages(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        """Pagination: the list page behind `next_selector`, if configured and on the site."""
        selector = self.option("next_selector")
        if not selector or not isinstance(response, scrapy.http.TextResponse):  # a PDF has no links
            return
        for url in select_links(response, selector)[:1]:
            if self.reporter.is_allowed(url):
                yield self.follow(url, response.meta["handler"], LIST, **_carry(response))


def _carry(response: scrapy.http.Response) -> dict[str, Any]:
    # Per-chain state that must survive pagination (the auto strategy's depth, for one).
    return {k: v for k, v in response.meta.items() if k in ("depth_auto", "delegate")}


# ------------------------------------------------------------------------------------ selectors


def select(node: Selector | scrapy.http.TextResponse, query: str) -> SelectorList:
    """CSS by default, XPath with the prefix ``xpath:`` (as in districts.yaml)."""
    if query.startswith("xpath:"):
        return node.xpath(query.removeprefix("xpath:").strip())
    return node.css(query)


def select_links(response: scrapy.http.TextResponse, query: str) -> list[str]:
    """Absolute URLs of the matched `a` elements (or of matched href strings), in page order, unique."""
    urls: list[str] = []
    base = link_base(response)
    for node in select(response, query):
        href = node.attrib.get("href") if _is_element(node) else node.get()
        if href is None and _is_element(node):
            href = node.css("a::attr(href)").get()
        url = absolute(base, href)
        if url and url not in urls:
            urls.append(url)
    return urls


def _is_element(node: Selector) -> bool:
    # Attribute and text results (`::attr(href)`, `text()`) are plain strings, not elements.
    return not isinstance(node.root, str)


def absolute(base: str, href: str | None) -> str | None:
    """An http(s) URL for a link, or None for mailto:, javascript:, anchors and empty links."""
    href = (href or "").strip()
    if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
        return None
    try:
        url = urljoin(base, href).split("#", 1)[0]
    except ValueError:  # "http://[broken": urljoin's "Invalid IPv6 URL" must not fail the whole page
        return None
    return url if url.startswith(("http://", "https://")) else None


def link_base(page: scrapy.http.TextResponse | Selector, url: str = "") -> str:
    """The URL a page's relative links resolve against: its `<base href>` (CMS such as Contao set one,
    so "stellen/x.html" on /landratsamt/stellen.html means /stellen/x.html), else the page's own URL."""
    if isinstance(page, scrapy.http.TextResponse):
        return get_base_url(page)  # Scrapy's, cached per response
    base = page.xpath("//base[@href][1]/@href").get()
    return (absolute(url, base) or url) if base else url


def same_site_links(response: scrapy.http.TextResponse, reporter: Reporter) -> list[tuple[str, str]]:
    """(url, link text) of every link on the page that stays within the allowed domains."""
    found: dict[str, str] = {}
    base = link_base(response)
    for anchor in response.css("a[href]"):
        # lxml's own get(): parsel's attrib raises ValueError when any attribute holds control characters.
        url = absolute(base, anchor.root.get("href"))
        if url and reporter.is_allowed(url) and url != response.url:
            found.setdefault(url, clean_text(" ".join(anchor.css("::text").getall())))
    return list(found.items())


def node_text(nodes: Iterable[Selector]) -> str:
    """The visible text of the matched nodes, whitespace collapsed."""
    parts = []
    for node in nodes:
        parts.append(" ".join(node.xpath(".//text()").getall()) if _is_element(node) else node.get())
    return clean_text(" ".join(parts))


def inner_html(nodes: SelectorList) -> str:
    """The inner HTML of the matched elements (the wrapper itself is the site's layout, not content)."""
    out = []
    for node in nodes:
        if not _is_element(node):
            out.append(html.escape(node.get()))
            continue
        children = node.xpath("./node()")
        out.append("".join(child.get() for child in children))
    return "".join(out).strip()


# ----------------------------------------------------------------------------------- text, dates


def clean_text(text: str | None) -> str:
    return re.sub(r"\s+", " ", html.unescape(text or "")).strip()


def strip_tags(text: str | None) -> str:
    if not text:
        return ""
    return clean_text(Selector(text=f"<div>{text}</div>").xpath("string(//div)").get())


def text_to_html(text: str) -> str:
    """Plain text as escaped paragraphs: blank lines separate paragraphs, line breaks are kept."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return "\n".join(
        "<p>" + "<br>".join(html.escape(line.strip()) for line in p.splitlines() if line.strip()) + "</p>"
        for p in paragraphs
    )


def as_html(text: str | None) -> str:
    """HTML stays HTML (the sanitise pipeline cleans it); plain text becomes paragraphs."""
    if not text:
        return ""
    return text.strip() if re.search(r"<[a-zA-Z][^>]*>", text) else text_to_html(text)


def to_date(value: Any) -> date | str | None:
    """ISO ("2026-12-15", "2026-12-15T23:59:00+01:00") or German dates; unparseable text is kept."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    if (stamp := parse_timestamp(value)) is not None:  # vendor JSON: Unix seconds/ms, "/Date(ms)/"
        return stamp
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    return parse_german_date(text) or text


_PLACE_RE = re.compile(r"(?<!\d)(\d{5})\s+([A-ZÄÖÜ][\wÄÖÜäöüß.\- ]*?)(?=\s*(?:[,;(|/]|$|\s{2}))")


def parse_place(text: str | None) -> tuple[str | None, str | None, str | None]:
    """(street, postal code, city) from free text such as "Brückenstr. 1, 63897 Miltenberg"."""
    text = clean_text(text)
    match = _PLACE_RE.search(text)
    if not match:
        return None, None, None
    before = text[: match.start()].rstrip(" ,;")
    street = before.split(",")[-1].strip() or None if before else None
    city = match[2].strip()
    if city.endswith(".") and not re.search(r"(?:^|[\s.])\w{1,2}\.$", city):
        city = city[:-1]  # the sentence's full stop ("Dienstort: 84130 Dingolfing."), not "a.d." of a name
    return street, match[1], city


_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_RE = re.compile(r"(?:\+49|\(?0)\d[\d ()/\-]{5,}\d")


def find_email(text: str | None) -> str | None:
    match = _EMAIL_RE.search(text or "")
    return match[0] if match else None


def find_phone(text: str | None) -> str | None:
    match = _PHONE_RE.search(text or "")
    return clean_text(match[0]) if match else None


def to_float(value: Any) -> float | None:
    """A finite number or None: "NaN" or "inf" in a site's data must not reject the whole posting."""
    try:
        number = float(str(value).replace(",", ".")) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


# ------------------------------------------------------------------------------------ source ids


def url_source_id(url: str) -> str:
    """Path + query of a URL, canonical (sorted query, no fragment, no session or tracking parameters).

    Host and scheme are left out so that a move from http to https or to www. keeps the id.
    """
    parts = urlsplit(canonicalize_url(url))
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not _VOLATILE_PARAMS.match(pair.split("=")[0])
    )
    path = parts.path.rstrip("/") or "/"
    return f"{path}?{query}" if query else path


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


# --------------------------------------------------------------------------------- schema.org


def is_job_posting(data: dict[str, Any]) -> bool:
    kinds = data.get("@type") or data.get("type") or []
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(str(kind).rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting" for kind in kinds)


def find_job_postings(data: Any) -> Iterator[dict[str, Any]]:
    """Every JobPosting in a JSON-LD/microdata tree: @graph, arrays, ItemList elements, anywhere."""
    if isinstance(data, list):
        for entry in data:
            yield from find_job_postings(entry)
    elif isinstance(data, dict):
        if is_job_posting(data):
            yield data
            return
        for value in data.values():
            yield from find_job_postings(value)


def extract_job_postings(response: scrapy.http.TextResponse, reporter: Reporter) -> list[dict[str, Any]]:
    """schema.org JobPostings of a page, JSON-LD first, then microdata.

    Each JSON-LD script is parsed on its own: one broken script records a parse error and the others
    (and the microdata) are still read.
    """
    tree = response.selector.root
    found: list[dict[str, Any]] = []
    extractor = JsonLdExtractor()
    for script in JsonLdExtractor._xp_jsonld(tree):
        try:
            found.extend(find_job_postings(list(extractor._extract_items(script))))
        except (ValueError, TypeError) as exc:
            reporter.record_parse_error(response.url, f"JSON-LD nicht lesbar: {exc}")
    try:
        raw = MicrodataExtractor().extract_items(tree, base_url=response.url)
        found.extend(find_job_postings(_umicrodata_microformat(list(raw), "http://schema.org")))
    except Exception as exc:  # extruct raises whatever lxml or its own code raises on odd markup
        reporter.record_parse_error(response.url, f"Microdata nicht lesbar: {exc}")
    return found


def first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else (None if isinstance(value, list) else value)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (a feed's missing or malformed part)."""
    return value if isinstance(value, dict) else {}


def name_of(value: Any) -> str | None:
    """The name of an Organization/Thing, or the string itself."""
    value = first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("legalName")
    value = first(value)
    return clean_text(str(value)) or None if value not in (None, "") else None
