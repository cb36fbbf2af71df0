"""Site resources for crawlers: sitemap.xml (published postings, start page, district pages) and robots.txt.

A sitemap file may list at most 50,000 URLs; past `SITEMAP_URLS` the sitemap becomes a sitemap index of
numbered parts (`/sitemap-1.xml`, …), so 100,000 postings stay within the protocol.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import PlainTextResponse

from api.deps import BoardDep, SettingsDep
from api.problems import ProblemError
from vacancies import districts
from vacancies.addresses import posting_path
from vacancies.public_listing import PublicListing
from vacancies.search.contract import BERLIN

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_TYPE = "application/xml; charset=utf-8"
SITEMAP_URLS = 40_000  # per file; the protocol allows 50,000

router = APIRouter(include_in_schema=False)


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(settings: SettingsDep) -> str:
    # The API and the HR portal are not for search engines; feeds are linked from the pages.
    return (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /api/\n"
        "Disallow: /hr/\n"
        f"Sitemap: {settings.public_base_url}/sitemap.xml\n"
    )


@router.get("/sitemap.xml")
def sitemap(board: BoardDep, settings: SettingsDep) -> Response:
    base = settings.public_base_url
    pages = _page_count(board)
    if pages == 1:
        return _xml(_urlset(base, board, 1))
    index = ET.Element("sitemapindex", xmlns=SITEMAP_NS)
    for number in range(1, pages + 1):
        ET.SubElement(ET.SubElement(index, "sitemap"), "loc").text = f"{base}/sitemap-{number}.xml"
    return _xml(index)


@router.get("/sitemap-{number}.xml")
def sitemap_part(number: Annotated[int, Path(ge=1)], board: BoardDep, settings: SettingsDep) -> Response:
    if number > _page_count(board):
        raise ProblemError(404, f"Die Sitemap {number} gibt es nicht.")
    return _xml(_urlset(settings.public_base_url, board, number))


def _page_count(board) -> int:
    total = len(_static_paths()) + PublicListing(board.store.engine).published_count()
    return max(1, math.ceil(total / SITEMAP_URLS))


def _urlset(base: str, board, number: int) -> ET.Element:
    """Part `number` (from 1) of all URLs: the static pages first, then the postings in id order."""
    urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
    static = _static_paths()
    start = (number - 1) * SITEMAP_URLS
    for path in static[start : start + SITEMAP_URLS]:
        ET.SubElement(ET.SubElement(urlset, "url"), "loc").text = f"{base}{path}"
    offset = max(0, start - len(static))
    limit = SITEMAP_URLS - len(urlset)
    for posting in PublicListing(board.store.engine).published_page(offset, limit):
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = f"{base}{posting_path(posting.id, posting.title)}"
        if posting.updated_at is not None:
            ET.SubElement(url, "lastmod").text = _day(posting.updated_at).isoformat()
    return urlset


def _static_paths() -> list[str]:
    members = [f"/landkreise/{d.slug}" for d in districts.load() if d.member]
    return ["/", "/landkreise", *members]


def _day(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        # SQLite hands back the stored UTC moment without its zone.
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BERLIN).date()
    return moment


def _xml(root: ET.Element) -> Response:
    return Response(ET.tostring(root, encoding="utf-8", xml_declaration=True), media_type=XML_TYPE)
