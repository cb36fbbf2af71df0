"""RSS 2.0 and Atom feeds whose items lead to posting pages.

Options: ``feed_url`` (default: the first start URL), ``fields`` (as for html, used on detail pages
without schema.org data). A detail page that cannot be fetched, or a link off the site, falls back to
the item's own title, description and date.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import scrapy
from lxml import etree
from w3lib.encoding import http_content_type_encoding

from crawler.items import RawPosting
from crawler.strategies.common import (
    DETAIL,
    LIST,
    Strategy,
    absolute,
    as_html,
    clean_text,
    extract_job_postings,
    strip_tags,
    to_date,
    url_source_id,
)
from crawler.strategies.html import check_fields, posting_from_fields
from crawler.strategies.structured import posting_from_schema

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


class FeedStrategy(Strategy):
    name = "feed"

    def __init__(self, source, reporter) -> None:
        super().__init__(source, reporter)
        self.fields = check_fields(self.option("fields", {}), source.key)

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield self.follow(self.option("feed_url", self.source.start_urls[0]), "parse_feed", LIST)

    def parse_feed(self, response: scrapy.http.Response) -> Iterator[Any]:
        try:
            root = _parse_xml(response)
        except etree.XMLSyntaxError as exc:
            # The spider records the error and marks the list failed: no item may expire now.
            raise ValueError(f"Feed nicht lesbar: {exc}") from exc
        for item in feed_items(root, response.url):
            if item.url != response.url and self.reporter.is_allowed(item.url):
                yield self.follow(item.url, "parse_detail", DETAIL, fallback=item, fallback_on_error=True)
            else:
                yield item

    def parse_detail(self, response: scrapy.http.Response) -> Iterator[RawPosting]:
        item: RawPosting = response.meta["fallback"]
        posting = self._from_page(response) or item
        # The item's id stays the id, whichever way the posting was read tonight.
        posting.source_id = item.source_id
        posting.date_posted = posting.date_posted or item.date_posted
        posting.description_html = posting.description_html or item.description_html
        yield posting

    def _from_page(self, response: scrapy.http.Response) -> RawPosting | None:
        if not isinstance(response, scrapy.http.TextResponse):  # a PDF or other binary: no page to read
            return None
        found = extract_job_postings(response, self.reporter)
        if found:
            return posting_from_schema(found[0], response.url)
        return posting_from_fields(response, self.fields) if self.fields else None


def feed_items(root: etree._Element, feed_url: str) -> Iterator[RawPosting]:
    """The entries of an RSS 2.0 or Atom document as postings read from the feed alone."""
    if root.tag == f"{ATOM}feed":
        yield from (_atom_entry(entry, feed_url) for entry in root.iter(f"{ATOM}entry"))
    else:
        yield from (_rss_item(item, feed_url) for item in root.iter("item"))


def _rss_item(item: etree._Element, feed_url: str) -> RawPosting:
    url = absolute(feed_url, item.findtext("link")) or feed_url
    guid = clean_text(item.findtext("guid"))
    description = item.findtext(CONTENT) or item.findtext("description")
    return _posting(url, guid, item.findtext("title"), description, item.findtext("pubDate"))


def _atom_entry(entry: etree._Element, feed_url: str) -> RawPosting:
    links = entry.findall(f"{ATOM}link")
    href = next((link.get("href") for link in links if link.get("rel", "alternate") == "alternate"), None)
    url = absolute(feed_url, href) or feed_url
    description = entry.findtext(f"{ATOM}content") or entry.findtext(f"{ATOM}summary")
    published = entry.findtext(f"{ATOM}published") or entry.findtext(f"{ATOM}updated")
    return _posting(
        url, clean_text(entry.findtext(f"{ATOM}id")), entry.findtext(f"{ATOM}title"), description, published
    )


def _posting(
    url: str, guid: str, title: str | None, description: str | None, published: str | None
) -> RawPosting:
    # A guid that is a URL is as unstable as any URL: reduce it to path + query like the others.
    if guid.startswith(("http://", "https://")):
        guid = url_source_id(guid)
    source_id = guid or url_source_id(url)
    return RawPosting(
        source_id=source_id,
        url=url,
        title=strip_tags(title),
        description_html=as_html(description),
        date_posted=to_date(_rfc822_date(published)),
    )


def _rfc822_date(value: str | None) -> str | None:
    """RSS pubDate ("Mon, 02 Mar 2026 08:00:00 +0100") as ISO; anything else as it is."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value.strip()).date().isoformat()
    except (TypeError, ValueError):
        return value.strip()


def _parse_xml(response: scrapy.http.Response) -> etree._Element:
    """The charset of the Content-Type header, when there is one, wins over the XML declaration
    (RFC 7303): a feed sent as ISO-8859-1 without saying so in the XML is read as ISO-8859-1. When
    that fails (a server that calls everything UTF-8), the document's own declaration is tried."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    charset = http_content_type_encoding(content_type)
    if charset:
        try:
            return etree.fromstring(response.body, etree.XMLParser(resolve_entities=False, encoding=charset))
        except (etree.XMLSyntaxError, LookupError):
            pass
    return etree.fromstring(response.body, etree.XMLParser(resolve_entities=False))
