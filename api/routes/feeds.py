"""RSS 2.0 and Atom 1.0 feeds for any search: the newest 50 postings that match.

XML is built with xml.etree, never by pasting strings: titles and descriptions come from crawled sites.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from api.deps import BoardDep, SettingsDep
from api.problems import problem_responses
from vacancies import clock, districts
from vacancies.addresses import posting_path
from vacancies.model import Vacancy
from vacancies.pay import grade_text
from vacancies.search.contract import BERLIN, SearchQuery, Sort
from vacancies.search.document import html_to_text
from vacancies.search.filters import SearchFilters

FEED_SIZE = 50
SUMMARY_CHARS = 300
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"
SITE_TITLE = "Stellenbörse des Bayerischen Innovationsrings"
POSTING_TYPES = {
    "job": "Stelle",
    "apprenticeship": "Ausbildung",
    "dual_study": "Duales Studium",
    "internship": "Praktikum",
    "trainee": "Anwärter",
}
# Characters XML 1.0 cannot carry at all; a crawled page or a query may still contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Filters only: a feed fixes its order and size, so it does not advertise sort or paging.
FeedParams = Annotated[SearchFilters, Query()]

api_router = APIRouter(prefix="/api/v1", tags=["Feeds"])
site_router = APIRouter(include_in_schema=False)

_DESCRIPTION = (
    "Die {count} neuesten Stellen einer beliebigen Suche als {kind}, neueste zuerst. Parameter wie bei "
    "`/api/v1/vacancies` (ohne Seite und Sortierung). Jeder Eintrag verweist auf die Stellenseite "
    "`/stellen/<Titel>-<Kurzkennung>`; `guid` bzw. `id` bleiben auch bei geänderten Titeln gleich. "
    "Dieselben Feeds gibt es unter `/feed.rss` und `/feed.atom`."
)
RSS_EXAMPLE = """<?xml version='1.0' encoding='utf-8'?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Stellenbörse des Bayerischen Innovationsrings: „Erzieher“</title>
<item><title>Erzieher (m/w/d) Kindertagesstätte</title>
<link>https://stellenboerse.example/stellen/erzieher-kindertagesstaette-izgwrzpuwi</link>
<guid isPermaLink="false">https://stellenboerse.example/stellen/v03</guid>
<pubDate>Tue, 10 Nov 2026 00:00:00 +0100</pubDate>
<description>Landratsamt Starnberg, Kreisjugendamt, Starnberg. Bewerbungsfrist: 05.12.2026 …</description>
<category>Kita &amp; Erziehung</category></item>
</channel></rss>"""
ATOM_EXAMPLE = """<?xml version='1.0' encoding='utf-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
<title>Stellenbörse des Bayerischen Innovationsrings: „Erzieher“</title>
<entry><title>Erzieher (m/w/d) Kindertagesstätte</title>
<id>https://stellenboerse.example/stellen/v03</id>
<link href="https://stellenboerse.example/stellen/erzieher-kindertagesstaette-izgwrzpuwi" />
<updated>2026-11-10T08:00:00+00:00</updated>
<summary type="text">Landratsamt Starnberg, Kreisjugendamt, Starnberg …</summary>
<category term="Kita &amp; Erziehung" /></entry>
</feed>"""


def _responses(media_type: str, example: str) -> dict:
    return {
        200: {"description": "Feed", "content": {media_type.split(";")[0]: {"example": example}}},
        **problem_responses({422: "Ungültige Parameter"}),
    }


@api_router.get(
    "/feed.rss",
    summary="RSS-Feed einer Suche",
    description=_DESCRIPTION.format(count=FEED_SIZE, kind="RSS 2.0"),
    response_class=Response,
    responses=_responses(RSS_TYPE, RSS_EXAMPLE),
)
@site_router.get("/feed.rss")
def rss_feed(request: Request, board: BoardDep, settings: SettingsDep, params: FeedParams) -> Response:
    feed = _Feed(request, board, settings.public_base_url, params)
    return Response(feed.rss(), media_type=RSS_TYPE)


@api_router.get(
    "/feed.atom",
    summary="Atom-Feed einer Suche",
    description=_DESCRIPTION.format(count=FEED_SIZE, kind="Atom 1.0"),
    response_class=Response,
    responses=_responses(ATOM_TYPE, ATOM_EXAMPLE),
)
@site_router.get("/feed.atom")
def atom_feed(request: Request, board: BoardDep, settings: SettingsDep, params: FeedParams) -> Response:
    feed = _Feed(request, board, settings.public_base_url, params)
    return Response(feed.atom(), media_type=ATOM_TYPE)


class _Feed:
    """The postings of one search and everything both formats say about them."""

    def __init__(self, request: Request, board, base_url: str, params: SearchFilters) -> None:
        self.query = params.to_query(board.gazetteer, sort=Sort.newest, page=1, per_page=FEED_SIZE)
        self.vacancies = [hit.vacancy for hit in board.search(self.query).items]
        self.base = base_url
        query_string = f"?{request.url.query}" if request.url.query else ""
        self.self_url = f"{base_url}{request.url.path}{query_string}"
        self.search_url = f"{base_url}/{query_string}"
        self.title = _clean(feed_title(self.query))

    def posting_url(self, vacancy: Vacancy) -> str:
        return f"{self.base}{posting_path(vacancy.id, vacancy.title)}"

    def entry_id(self, vacancy: Vacancy) -> str:
        """What identifies an item for feed readers: the id-based address (it redirects to the page) never
        changes, while the readable one follows the title; subscribers see no item twice."""
        return f"{self.base}/stellen/{quote(vacancy.id, safe=':')}"

    def updated(self) -> datetime:
        """Newest change among the items: stable between requests, so the ETag is too."""
        moments = [_updated(v) for v in self.vacancies]
        return max(moments) if moments else _midnight(clock.today())

    def rss(self) -> bytes:
        # Tags stay unqualified and the namespace is declared by hand: ElementTree would otherwise invent
        # prefixes (ns0:) and cannot mix a default namespace with plain attribute names.
        rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
        channel = ET.SubElement(rss, "channel")
        _text(channel, "title", self.title)
        _text(channel, "link", self.search_url)
        _text(channel, "description", f"Neue Stellen der Landratsämter: {self.title}")
        _text(channel, "language", "de-de")
        _text(channel, "lastBuildDate", format_datetime(self.updated()))
        ET.SubElement(channel, "atom:link", href=self.self_url, rel="self", type=RSS_TYPE.split(";")[0])
        for vacancy in self.vacancies:
            item = ET.SubElement(channel, "item")
            url = self.posting_url(vacancy)
            _text(item, "title", _clean(vacancy.title))
            _text(item, "link", url)
            ET.SubElement(item, "guid", isPermaLink="false").text = self.entry_id(vacancy)
            _text(item, "pubDate", format_datetime(_published(vacancy)))
            _text(item, "description", summary(vacancy))
            for label in _categories(vacancy):
                _text(item, "category", label)
        return ET.tostring(rss, encoding="utf-8", xml_declaration=True)

    def atom(self) -> bytes:
        feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "de"})
        _text(feed, "title", self.title)
        _text(feed, "id", self.self_url)
        _text(feed, "updated", self.updated().isoformat())
        ET.SubElement(feed, "link", rel="self", href=self.self_url, type=ATOM_TYPE.split(";")[0])
        ET.SubElement(feed, "link", rel="alternate", href=self.search_url, type="text/html")
        author = ET.SubElement(feed, "author")
        _text(author, "name", SITE_TITLE)
        for vacancy in self.vacancies:
            entry = ET.SubElement(feed, "entry")
            url = self.posting_url(vacancy)
            _text(entry, "title", _clean(vacancy.title))
            _text(entry, "id", self.entry_id(vacancy))
            ET.SubElement(entry, "link", rel="alternate", href=url, type="text/html")
            _text(entry, "published", _published(vacancy).isoformat())
            _text(entry, "updated", _updated(vacancy).isoformat())
            ET.SubElement(entry, "summary", type="text").text = summary(vacancy)
            for label in _categories(vacancy):
                ET.SubElement(entry, "category", term=label)
        return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def feed_title(query: SearchQuery) -> str:
    """'Stellenbörse …: „Erzieher“, Miltenberg, Ausbildung, 25 km um 63897' — what the search asks."""
    names = districts.by_slug()
    parts = [f"„{query.text.strip()}“"] if query.text.strip() else []
    parts += [names[slug].name if slug in names else slug for slug in query.districts]
    parts += [POSTING_TYPES.get(t.value, t.value) for t in query.posting_types]
    parts += query.categories
    if query.near is not None:
        parts.append(f"{query.radius_km:g} km um {query.near.label or 'den Ort'}")
    return f"{SITE_TITLE}: {', '.join(parts)}" if parts else SITE_TITLE


def summary(vacancy: Vacancy) -> str:
    """Who, where, until when, which pay – then the start of the description, cut at a word."""
    who = ", ".join(x for x in (vacancy.employer, vacancy.department, vacancy.location.city) if x)
    facts = [who] if who else []
    if vacancy.deadline:
        facts.append(f"Bewerbungsfrist: {vacancy.deadline:%d.%m.%Y}")
    grades = grade_text(vacancy)
    if grades:
        facts.append(grades)
    text = " ".join(html_to_text(vacancy.description).split())
    if len(text) > SUMMARY_CHARS:
        text = text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    lead = ". ".join(facts)
    return _clean(f"{lead}. {text}" if lead and text else lead or text)


def _categories(vacancy: Vacancy) -> list[str]:
    labels = [POSTING_TYPES.get(vacancy.posting_type.value, vacancy.posting_type.value)]
    if vacancy.category:
        labels.append(_clean(vacancy.category))
    return labels


def _published(vacancy: Vacancy) -> datetime:
    if vacancy.date_posted:
        return _midnight(vacancy.date_posted)
    return vacancy.first_seen or _updated(vacancy)


def _updated(vacancy: Vacancy) -> datetime:
    moment = vacancy.updated_at or vacancy.first_seen
    if moment is None:
        return _midnight(vacancy.date_posted or date(1970, 1, 1))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BERLIN)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)
