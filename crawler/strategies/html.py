"""Plain HTML list and detail pages, read with configured selectors.

Options: ``link_selector`` (required: detail links on the list page), ``next_selector`` (next list
page), ``fields`` (field -> CSS selector, ``xpath:`` prefix for XPath, applied on the detail page).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import scrapy

from crawler.config import FIELDS
from crawler.items import RawPosting
from crawler.strategies.common import (
    DETAIL,
    Strategy,
    absolute,
    find_email,
    find_phone,
    inner_html,
    link_base,
    node_text,
    parse_place,
    select,
    select_links,
    to_date,
    url_source_id,
)

# Configured field -> RawPosting attribute, for the fields that are plain text.
_TEXT_FIELDS = {
    "department": "department",
    "employer": "employer",
    "pay": "pay_text",
    "working_time": "working_time_text",
    "term": "term_text",
    "career": "career_text",
    "reference": "reference",
}


class HtmlStrategy(Strategy):
    name = "html"

    def __init__(self, source, reporter) -> None:
        super().__init__(source, reporter)
        self.required_option("link_selector")
        self.fields = check_fields(self.option("fields", {}), source.key)

    def parse_list(self, response: scrapy.http.TextResponse) -> Iterator[Any]:
        for url in select_links(response, self.options["link_selector"]):
            if self.reporter.is_allowed(url):
                yield self.follow(url, "parse_detail", DETAIL)
        yield from self.next_pages(response)

    def parse_detail(self, response: scrapy.http.TextResponse) -> Iterator[RawPosting]:
        posting = posting_from_fields(response, self.fields)
        if posting is None:
            self.reporter.record_parse_error(response.url, "kein Stellentitel gefunden")
            return
        yield posting


def check_fields(fields: Any, key: str) -> dict[str, str]:
    if not isinstance(fields, dict):
        raise ValueError(f"Quelle „{key}“: options.fields muss eine Zuordnung Feld → Selektor sein")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValueError(f"Quelle „{key}“: unbekannte Felder in options.fields: {', '.join(unknown)}")
    return {name: str(query) for name, query in fields.items()}


def posting_from_fields(response: scrapy.http.TextResponse, fields: dict[str, str]) -> RawPosting | None:
    """A RawPosting from a detail page; None when not even a title is there (a broken page)."""
    title = node_text(select(response, fields.get("title", "h1"))[:1])
    if not title:
        return None
    posting = RawPosting(source_id=url_source_id(response.url), url=response.url, title=title)
    if "description" in fields:
        posting.description_html = inner_html(select(response, fields["description"]))
    for name, attribute in _TEXT_FIELDS.items():
        if name in fields:
            setattr(posting, attribute, node_text(select(response, fields[name])) or None)
    for name in ("deadline", "date_posted"):
        if name in fields:
            setattr(posting, name, to_date(node_text(select(response, fields[name]))))
    _fill_links(posting, response, fields)
    _fill_place_and_contact(posting, response, fields)
    return posting


def _fill_links(posting: RawPosting, response: scrapy.http.TextResponse, fields: dict[str, str]) -> None:
    if "apply_url" in fields:
        nodes = select(response, fields["apply_url"])
        href = nodes.attrib.get("href") if nodes else None
        href = href or (nodes.css("a::attr(href)").get() if nodes else None) or node_text(nodes[:1])
        if href and href.startswith("mailto:"):
            posting.apply_email = href.removeprefix("mailto:").split("?")[0]
        else:
            posting.apply_url = absolute(link_base(response), href)
    if "attachments" in fields:
        posting.attachments = select_links(response, fields["attachments"])


def _fill_place_and_contact(
    posting: RawPosting, response: scrapy.http.TextResponse, fields: dict[str, str]
) -> None:
    if "location" in fields:
        posting.street, posting.postal_code, posting.city = parse_place(
            node_text(select(response, fields["location"]))
        )
    if "contact" in fields:
        nodes = select(response, fields["contact"])
        text = node_text(nodes)
        mailto = nodes.css("a[href^='mailto:']::attr(href)").get() if nodes else None
        posting.contact_email = (mailto or "").removeprefix("mailto:").split("?")[0] or find_email(text)
        posting.contact_phone = find_phone(text)
        posting.contact_name = _name_part(text) or None


_NAME_END_RE = re.compile(r"(?i)\b(?:tel|telefon|fax|e-?mail|zimmer)\b|\+49|\(?0\d|\S+@")
_LABEL_RE = re.compile(r"(?i)^(?:ihr[e]?\s+)?(?:ansprechpart\w*|kontakt|fragen beantwortet\w*)\s*:?\s*")


def _name_part(text: str) -> str:
    """The contact's name: the text before the first phone number, e-mail address or label."""
    match = _NAME_END_RE.search(text)
    name = text[: match.start()] if match else text
    return _LABEL_RE.sub("", name.strip()).strip(" ,:;-–")
