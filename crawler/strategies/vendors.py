"""E-recruiting portals a district embeds or links, read through the vendor's own public feed.

A Landratsamt that publishes through a vendor shows its postings in an iframe, a script widget or a
link to the vendor's host. `vendor_requests` finds those on any page the crawl reaches and asks the
vendor's feed directly; the source may then cross to that vendor host (for this source only, see
`SourceCrawl.allow_vendor_host`). Each request names its vendor in ``meta["delegate"]``: the spider
hands the response to a strategy object of that vendor kept for the source.

- **interamt** (``…/koop/app/<page>?partner=<ID>``, ``webservice_v2?partner=<ID>``, links to single
  postings ``…/koop/app/stelle?id=<ID>``): the partner widget JSON ``webservice_v2?partner=<ID>`` on the
  same scheme and host, see `crawler.strategies.interamt`.
- **Personio** (``<company>.jobs.personio.de`` or ``.com``): the public XML feed ``/xml``, as the public
  integrations read it: ``<workzag-jobs><position>`` with ``id``, ``name``, ``subcompany``, ``office``
  (and ``additionalOffices/office``), ``department``, ``recruitingCategory``, ``employmentType``
  (permanent, temporary, trainee, intern, working_student, freelance), ``schedule`` (full-time,
  part-time, full-or-part-time), ``seniority``, ``createdAt`` and
  ``jobDescriptions/jobDescription/{name, value}`` (value: HTML). The job page is ``/job/<id>``.
- **d.vinci** (``<customer>.dvinci-hr.com``, also ``dvinci-easy.com``; a widget's ``data-url``): the
  public JSON ``[/portal/<name>]/jobPublication/list.json``, an array of publications with ``id``,
  ``position``, ``subtitle``, ``jobPublicationURL``, ``applicationFormURL``, ``startDate``,
  ``endDate`` (taken as the deadline, as validThrough), the HTML sections ``introduction``, ``tasks``,
  ``profile``, ``weOffer``, ``closingText`` and ``jobOpening`` {``reference``, ``department``,
  ``company{name}`` | ``orgUnit{name}``, ``salaryRange``, ``location``, ``locations[{name,
  address{address1, zipCode, city}}]`` (or flat ``street``, ``zip``, ``city``), ``workingTimes[{name}]``,
  ``contractPeriod{name}``, ``createdDate``}. A customer's own host is recognised by the list's path.

Configured explicitly: ``strategy: personio`` (options.feed_url, else the start URL's host) and
``strategy: dvinci`` (options.api_url, else the start URL's host).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from parsel import Selector

from crawler.items import RawPosting
from crawler.strategies.common import (
    CANDIDATE,
    LIST,
    Strategy,
    absolute,
    as_dict,
    as_html,
    clean_text,
    link_base,
    parse_place,
    to_date,
)
from crawler.strategies.interamt import KOOP_PATH, widget_url

# Where a page names another address: frames, scripts, links, embeds and widget containers.
URL_ATTRIBUTES = (
    "//iframe/@src | //iframe/@data-src | //frame/@src | //script/@src | //a/@href | //embed/@src | "
    "//object/@data | //link/@href | //*[@data-url]/@data-url | //*[@data-src]/@data-src"
)
# Absolute addresses written into inline scripts (widget set-ups).
INLINE_URL_RE = re.compile(r"""https?://[^\s"'<>\\]+""")
PERSONIO_HOST_RE = re.compile(r"(?i)^[a-z0-9][a-z0-9-]*\.jobs\.personio\.(?:de|com)$")
DVINCI_HOST_RE = re.compile(r"(?i)^(?!www\.|static\.)[a-z0-9][a-z0-9-]*\.dvinci-(?:hr|easy)\.com$")
DVINCI_LIST = "jobPublication/list.json"
INTERAMT_HOST = "interamt.de"


@dataclass(frozen=True)
class Portal:
    """A vendor feed to read: which vendor, its URL and the handler of that vendor's strategy."""

    vendor: str
    url: str
    handler: str
    role: str = LIST
    posting_url: str | None = None  # for one posting's answer: the page it is stored under


def vendor_requests(strategy: Strategy, response: scrapy.http.TextResponse) -> list[scrapy.Request]:
    """Requests for every vendor portal the page embeds or links (iframe, script, link), each routed
    to the vendor's handler. Lets the source cross to that vendor's host (for this source only)."""
    allow = getattr(strategy.reporter, "allow_vendor_host", None)
    found = []
    for portal in find_portals(response):
        if allow is not None:
            for host in vendor_hosts(portal):
                allow(host)
        extra = {"posting_url": portal.posting_url} if portal.posting_url else {}
        found.append(
            strategy.follow(portal.url, portal.handler, portal.role, delegate=portal.vendor, **extra)
        )
    return found


def vendor_hosts(portal: Portal) -> list[str]:
    """The hosts a portal may answer from: interamt redirects between interamt.de and www.interamt.de,
    Personio between a company's .de and .com host; anything else stays on the host found."""
    host = (urlsplit(portal.url).hostname or "").lower()
    if portal.vendor == "interamt" and (host == INTERAMT_HOST or host.endswith("." + INTERAMT_HOST)):
        return [INTERAMT_HOST]
    if portal.vendor == "personio":
        stem = host.rsplit(".", 1)[0]
        return [f"{stem}.de", f"{stem}.com"]
    return [host]


def find_portals(response: scrapy.http.Response) -> list[Portal]:
    """The vendor feeds a page names, each once, in page order."""
    if not isinstance(response, scrapy.http.TextResponse):
        return []
    try:
        raw = response.xpath(URL_ATTRIBUTES).getall()
        raw += INLINE_URL_RE.findall(" ".join(response.xpath("//script[not(@src)]/text()").getall()))
    except ValueError:  # not HTML/XML (a JSON or plain-text answer)
        return []
    portals: dict[str, Portal] = {}
    for href in raw:
        url = absolute(link_base(response), html.unescape(href))
        portal = portal_for(url) if url else None
        if portal is not None:
            portals.setdefault(portal.url, portal)
    return list(portals.values())


def portal_for(url: str) -> Portal | None:
    """The vendor feed behind an address on a district's page, or None for any other address."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    query = {key.lower(): value for key, value in parse_qsl(parts.query)}
    if KOOP_PATH in parts.path or host == INTERAMT_HOST or host.endswith("." + INTERAMT_HOST):
        return _interamt_portal(url, parts.path, query)
    if PERSONIO_HOST_RE.match(host):
        return Portal("personio", personio_feed_url(url), "parse_personio")
    if DVINCI_HOST_RE.match(host) or parts.path.endswith("/" + DVINCI_LIST):
        # Customers may serve the portal under their own host: its list path still names d.vinci.
        return Portal("dvinci", dvinci_list_url(url), "parse_dvinci")
    return None


def _interamt_portal(url: str, path: str, query: dict[str, str]) -> Portal | None:
    if KOOP_PATH not in path:
        return None  # interamt's home or search pages name no partner
    if query.get("partner", "").strip():
        return Portal("interamt", widget_url(url, partner=query["partner"].strip()), "parse_api")
    if path.endswith("/stelle") and query.get("id", "").strip():
        # One posting linked on its own: its single answer. If that fails, the posting (stored under
        # its page) is kept; an old link to a posting that is gone must not fail the whole source.
        ident = query["id"].strip()
        page = urlunsplit((urlsplit(url).scheme, urlsplit(url).netloc, path, urlencode({"id": ident}), ""))
        return Portal("interamt", widget_url(url, id=ident), "parse_single", CANDIDATE, page)
    return None


# ------------------------------------------------------------------------------------------ Personio

SCHEDULES = {"full-time": "Vollzeit", "part-time": "Teilzeit", "full-or-part-time": "Vollzeit oder Teilzeit"}
TERMS = {"permanent": "unbefristet", "temporary": "befristet"}
KINDS = {"trainee": "Ausbildung", "intern": "Praktikum"}
OFFICES = "office/text() | additionalOffices/office/text()"


def personio_feed_url(url: str) -> str:
    """``/xml`` on the company's Personio host; a feed URL stays as it is."""
    parts = urlsplit(url)
    if parts.path.rstrip("/").endswith("/xml"):
        return url
    return urlunsplit((parts.scheme, parts.netloc, "/xml", urlencode({"language": "de"}), ""))


class PersonioStrategy(Strategy):
    name = "personio"

    def start_requests(self) -> Iterator[scrapy.Request]:
        url = self.option("feed_url") or personio_feed_url(self.source.start_urls[0])
        yield self.follow(url, "parse_personio", LIST)

    def parse_personio(self, response: scrapy.http.Response) -> Iterator[RawPosting]:
        try:
            # From the bytes: the XML declares its own encoding, and a feed served as
            # application/octet-stream is no TextResponse.
            root = Selector(body=response.body, type="xml")
        except ValueError as exc:
            raise ValueError(f"Personio-XML nicht lesbar: {exc}") from exc
        if not root.xpath("/workzag-jobs"):
            raise ValueError("Personio-XML: kein <workzag-jobs> (erwartet /xml des Karriereportals)")
        for position in root.xpath("/workzag-jobs/position"):
            try:
                yield self.posting(position, response.url)
            except (KeyError, ValueError) as exc:
                self.reporter.record_parse_error(response.url, f"Stelle nicht lesbar: {exc!r}"[:300])

    def posting(self, position: Selector, feed_url: str) -> RawPosting:
        ident, title = _xml_text(position, "id"), _xml_text(position, "name")
        if not ident or not title:
            raise KeyError("id" if not ident else "name")
        parts = urlsplit(feed_url)
        url = urlunsplit((parts.scheme, parts.netloc, f"/job/{ident}", "", ""))
        kind = (_xml_text(position, "employmentType") or "").lower()
        schedule = (_xml_text(position, "schedule") or "").lower()
        offices = [
            clean_text(o.get()) for o in position.xpath("office/text() | additionalOffices/office/text()")
        ]
        street, postal_code, city = parse_place(offices[0]) if offices else (None, None, None)
        return RawPosting(
            source_id=ident,
            url=url,
            title=title,
            description_html=_personio_description(position),
            employer=_xml_text(position, "subcompany"),
            department=_xml_text(position, "department"),
            street=street,
            postal_code=postal_code,
            city=city or (offices[0] if offices else None),
            date_posted=to_date(_xml_text(position, "createdAt")),
            apply_url=url,  # the job page carries the application form
            working_time_text=SCHEDULES.get(schedule) or _xml_text(position, "schedule"),
            term_text=TERMS.get(kind),
            posting_type_text=f"{KINDS[kind]}: {title}" if kind in KINDS else None,
            structured={
                "personio_id": ident,
                "employment_type": kind or None,
                "schedule": schedule or None,
                "seniority": _xml_text(position, "seniority"),
                "offices": offices,
            },  # fmt: skip
        )


def _xml_text(node: Selector, name: str) -> str | None:
    return clean_text(node.xpath(f"string({name})").get()) or None


def _personio_description(position: Selector) -> str:
    sections = []
    for part in position.xpath("jobDescriptions/jobDescription"):
        heading, value = _xml_text(part, "name"), part.xpath("string(value)").get() or ""
        body = as_html(value)
        if heading:
            body = f"<h3>{html.escape(heading)}</h3>\n{body}"
        if body.strip():
            sections.append(body)
    return "\n".join(sections)


# ------------------------------------------------------------------------------------------- d.vinci

DVINCI_SECTIONS = ("introduction", "tasks", "profile", "weOffer", "closingText")


def dvinci_list_url(url: str) -> str:
    """``[/portal/<name>]/jobPublication/list.json`` on the customer's host; the list URL of a widget
    (``data-url``) keeps its path but not ``fields=small`` (that answer lacks the texts)."""
    parts = urlsplit(url)
    path = parts.path
    if path.endswith(DVINCI_LIST):
        prefix = path[: -len(DVINCI_LIST)]
    else:
        match = re.match(r"^/portal/[^/]+/", path)
        prefix = match[0] if match else "/"
    keep = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() in ("lang", "language")]
    return urlunsplit((parts.scheme, parts.netloc, prefix + DVINCI_LIST, urlencode(keep), ""))


class DvinciStrategy(Strategy):
    name = "dvinci"

    def start_requests(self) -> Iterator[scrapy.Request]:
        url = self.option("api_url") or dvinci_list_url(self.source.start_urls[0])
        yield self.follow(url, "parse_dvinci", LIST)

    def parse_dvinci(self, response: scrapy.http.Response) -> Iterator[RawPosting]:
        try:
            data = json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"d.vinci-JSON nicht lesbar: {exc}") from exc
        if isinstance(data, dict):  # some portals wrap the array
            data = data.get("jobPublications", data.get("content"))
        if not isinstance(data, list):
            raise ValueError("d.vinci-JSON: keine Liste (erwartet [ {position, jobPublicationURL, …} ])")
        for entry in data:
            try:
                yield self.posting(entry, response.url)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self.reporter.record_parse_error(response.url, f"Stelle nicht lesbar: {exc!r}"[:300])

    def posting(self, entry: dict[str, Any], list_url: str) -> RawPosting:
        ident, title = _value(entry.get("id")), _value(entry.get("position"))
        if not ident or not title:
            raise KeyError("id" if not ident else "position")
        opening = as_dict(entry.get("jobOpening"))
        parts = urlsplit(list_url)
        own = _value(entry.get("jobPublicationURL"))
        url = own or urlunsplit((parts.scheme, parts.netloc, f"/de/jobs/{ident}", "", ""))
        posting = RawPosting(
            source_id=ident,
            url=url,
            title=title,
            description_html=_dvinci_description(entry),
            employer=_name(opening.get("company")) or _name(opening.get("orgUnit")),
            department=_name(opening.get("department")),
            date_posted=to_date(entry.get("startDate") or opening.get("createdDate")),
            # The publication's end is the date the portal stops taking applications (validThrough).
            deadline=to_date(entry.get("endDate")),
            reference=_value(opening.get("reference")),
            apply_url=_value(entry.get("applicationFormURL")),
            pay_text=_value(opening.get("salaryRange")),
            working_time_text=", ".join(filter(None, map(_name, _as_list(opening.get("workingTimes")))))
            or None,
            term_text=_name(opening.get("contractPeriod")),
            structured={"dvinci_id": ident},
        )
        _dvinci_place(posting, opening, entry)
        return posting


def _dvinci_description(entry: dict[str, Any]) -> str:
    return "\n".join(as_html(entry.get(part)) for part in DVINCI_SECTIONS if entry.get(part))


def _value(value: Any) -> str | None:
    return clean_text(str(value)) or None if value not in (None, "") else None


def _name(value: Any) -> str | None:
    """A d.vinci catalogue value: ``{"name": …}`` or the text itself."""
    return _value(value.get("name")) if isinstance(value, dict) else _value(value)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def _dvinci_place(posting: RawPosting, opening: dict[str, Any], entry: dict[str, Any]) -> None:
    """A location's address (``address{address1, zipCode, city}``, or flat ``street``/``zip``/``city``),
    else a postal code and place in its name, the opening's ``location`` or the subtitle."""
    locations = _as_list(opening.get("locations"))
    place = locations[0] if locations and isinstance(locations[0], dict) else {}
    if isinstance(place.get("address"), dict):
        place = {**place, **place["address"]}
    text = _name(place) or _value(opening.get("location")) or _value(entry.get("subtitle"))
    street, postal_code, city = parse_place(text)
    posting.street = _value(place.get("street") or place.get("address1")) or street
    code = place.get("zip") or place.get("zipCode") or place.get("postalCode")
    posting.postal_code = _value(code) or postal_code
    # "Hauptverwaltung, Wuppertal": the place is the last part of a location's name.
    named = (_name(place) or _value(opening.get("location")) or "").rsplit(",", 1)[-1].strip() or None
    posting.city = _value(place.get("city")) or city or named
