"""Page views: from request parameters to the template context (no HTTP here, easy to test)."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from markupsafe import Markup
from starlette.datastructures import QueryParams

from vacancies import addresses, districts
from vacancies.model import State, Vacancy
from vacancies.pay import grade_text
from vacancies.search.contract import (
    MAX_RESULT_WINDOW,
    GeoPoint,
    IndexUnavailable,
    SearchHit,
    SearchPage,
    SearchQuery,
)
from vacancies.service import Board
from web import jsonld, payview, present, svgmap
from web.params import PageSearch, parse
from web.sanitize import description_html
from web.vocabulary import WORD_RE, Vocabulary, clean_title

# Parameters that narrow a search, in the order the "no results" hints list them.
NARROWING = ("q", "near", *present.FILTER_PARAMS)
MAX_HINTS = 8
BACK_PARAM = "zurueck"
BACK_PATH_RE = re.compile(r"/|/landkreise/[a-z0-9-]+")
MAX_BACK_CHARS = 2000


def posting_url(vacancy: Vacancy, back: str | None = None) -> str:
    """The readable page address; `back` (the results it was found in) rides along for the way back."""
    path = addresses.posting_path(vacancy.id, vacancy.title)
    return f"{path}?{urlencode({BACK_PARAM: back})}" if back else path


def safe_back(value: str | None) -> str | None:
    """A results address to return to, only if it is one of ours: the search page or a district page
    with its query. Anything else (another host, "//evil", a scheme, odd characters) is dropped, so the
    parameter can never send anyone elsewhere."""
    if not value or len(value) > MAX_BACK_CHARS or not value.isprintable() or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not BACK_PATH_RE.fullmatch(parts.path):
        return None
    query = urlencode(parse_qsl(parts.query))  # re-encoded: only plain name=value pairs survive
    return f"{parts.path}?{query}" if query else parts.path


# -- search -------------------------------------------------------------------------------------------


def search_view(board: Board, vocabulary: Vocabulary, query_params: QueryParams) -> tuple[dict, int]:
    search = parse(query_params, board.gazetteer)
    context: dict[str, Any] = {"search": search, "page": None, "hints": [], "did_you_mean": None,
                               "place_hint": None}  # fmt: skip
    if search.errors or search.query is None:  # no query exactly when there are errors
        return context, 422
    page = board.search(search.query)
    context.update(results_context(search, page))
    context["did_you_mean"] = did_you_mean(board, vocabulary, search)
    if page.total == 0:
        context["hints"] = drop_hints(board, search)
        context["place_hint"] = place_hint(board, search)
    return context, 404 if context["beyond"] else 200


def results_context(search: PageSearch, page: SearchPage, path: str = "/") -> dict[str, Any]:
    query = search.query
    return {
        "page": page,
        "hits": [hit_view(hit) for hit in page.items],
        "facets": facet_views(search, page),
        "pages": pagination(search, page, path),
        # a page number past the last page (an old link, a hand-edited URL): say so, link the last page
        "beyond": page.total > 0 and not page.items,
        "today": present.today(),
        "near_label": query.near.label if query and query.near else "",
        # the results as they are now, so the posting page can lead back to them
        "back": search.url(path, page=str(page.page)) if page.page > 1 else search.url(path),
    }


def hit_view(hit: SearchHit) -> dict[str, Any]:
    v = hit.vacancy
    return {
        "vacancy": v,
        "title": Markup(hit.highlights.get("title") or Markup.escape(v.title)),  # escaped by the analyzer
        "snippet": Markup(hit.highlights.get("description") or ""),
        "distance": f"{present.german_number(hit.distance_km)} km" if hit.distance_km is not None else "",
    }


def facet_views(search: PageSearch, page: SearchPage) -> list[dict[str, Any]]:
    out = []
    for facet, (param, legend, _) in present.FACETS.items():
        values = page.facets.get(facet, [])
        chosen = search.values(param) if param else []
        options = present.facet_options(facet, values, chosen)
        if options:
            out.append({"name": facet, "param": param, "legend": legend, "options": options,
                        "radio": facet in present.SINGLE_CHOICE})  # fmt: skip
    return out


def pagination(search: PageSearch, page: SearchPage, path: str = "/") -> dict[str, Any]:
    last = max(1, min(math.ceil(page.total / page.per_page), MAX_RESULT_WINDOW // page.per_page))
    current = page.page
    window = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    links: list[dict[str, Any]] = []
    for number in window:
        if links and number - links[-1]["number"] > 1:
            links.append({"number": None})
        url = search.url(path, page=str(number))
        links.append({"number": number, "url": url, "current": number == current})
    return {
        "last": last,
        "links": links if last > 1 else [],
        "prev": search.url(path, page=str(min(current - 1, last))) if current > 1 else None,
        "last_url": search.url(path, page=str(last)),
        "next": search.url(path, page=str(current + 1)) if current < last else None,
    }


def did_you_mean(board: Board, vocabulary: Vocabulary, search: PageSearch) -> dict[str, Any] | None:
    """A corrected query that really finds postings (with the same filters), or None."""
    if search.query is None:
        return None
    text = search.query.text
    corrected = vocabulary.correct(text) if text.strip() else None
    if not corrected or corrected.casefold() == text.strip().casefold():
        return None
    total = board.search(replace(search.query, text=corrected, page=1, per_page=1)).total
    if total == 0:
        return None
    return {"text": corrected, "url": search.url(q=corrected), "total": total}


def place_hint(board: Board, search: PageSearch) -> dict[str, Any] | None:
    """'Verwaltung Freising' found nothing as text: offer 'Verwaltung' near Freising, when that finds
    postings (a place named in the words is only a guess, so it is offered, not applied)."""
    query = search.query
    found = board.gazetteer.place_name_in(query.text) if query and query.near is None else None
    if found is None or query is None:
        return None
    rest, place = found
    label = f"{place.postal_code} {place.name}"
    near = GeoPoint(place.lat, place.lon, label)
    total = board.search(replace(query, text=rest, near=near, page=1, per_page=1)).total
    if total == 0:
        return None
    return {"text": rest, "place": label, "url": search.url(q=rest, near=label), "total": total}


def drop_hints(board: Board, search: PageSearch) -> list[dict[str, Any]]:
    """For each active filter: what dropping it would find (counted), so nobody is stuck at zero."""
    hints: list[dict[str, Any]] = []
    active = [(k, v) for k, v in search.raw if k in NARROWING]
    for name, value in active[:MAX_HINTS]:
        url = search.url(drop=(name, value))  # also drops what needs the dropped value (sort by distance)
        narrower = parse(QueryParams(url.partition("?")[2]), board.gazetteer)
        if narrower.query is None:
            continue
        total = board.search(replace(narrower.query, page=1, per_page=1)).total
        if total:
            hints.append({"label": present.param_label(name, value), "url": url, "total": total})
    hints.sort(key=lambda h: -h["total"])
    return hints


# -- posting ------------------------------------------------------------------------------------------


def posting_view(board: Board, vacancy: Vacancy, base_url: str, back: str | None = None) -> dict[str, Any]:
    today = present.today()
    open_now = vacancy.state == State.published and (vacancy.deadline is None or vacancy.deadline >= today)
    district = districts.by_slug().get(vacancy.district)
    url = f"{base_url}{posting_url(vacancy)}"
    description = description_html(vacancy.description)
    return {
        "vacancy": vacancy,
        "district": district,
        "open": open_now,
        "description": description,
        "facts": facts(vacancy, today),
        "apply": apply_link(vacancy),
        "similar": _similar_if_searchable(board, vacancy),
        "jsonld": jsonld.script_json(jsonld.job_posting(vacancy, url, description, today))
        if open_now
        else None,
        "canonical": url,
        "today": today,
        "back": safe_back(back),
    }


def facts(v: Vacancy, today) -> list[tuple[str, str]]:
    """(name, value) rows of "Auf einen Blick"; a value is plain text or Markup (links)."""
    rows = [
        *pay_facts(v, today),
        ("Arbeitszeit", present.working_time_text(v)),
        ("Befristung", present.term_text(v)),
        ("Qualifikationsebene", f"{v.career_level}. Qualifikationsebene" if v.career_level else ""),
        ("Dienstverhältnis", ", ".join(present.STATUS[s.value] for s in v.status)),
        ("Art der Stelle", present.POSTING_TYPES[v.posting_type.value]),
        ("Berufsfeld", v.category or ""),
        ("Arbeitsort", present.place(v)),
        ("Homeoffice", present.REMOTE[v.remote.value] if v.remote.value != "none" else ""),
        (
            "Beginn",
            present.german_date(v.start_date) or ("zum nächstmöglichen Zeitpunkt" if v.start_asap else ""),
        ),
        ("Bewerbungsfrist", present.deadline_label(v.deadline, today)),
        ("Veröffentlicht", present.german_date(v.date_posted)),
        ("Kennziffer", v.reference or ""),
        ("Ansprechpartner", present.contact_html(v.contact)),
    ]
    return [(name, value) for name, value in rows if value]


def pay_facts(v: Vacancy, today) -> list[tuple[str, str]]:
    """The pay rows, first in the facts: scale and grade, then the amount in euros."""
    label = present.PAY_SCALE_LABEL.get(v.pay_scale.value, "Entgelt") if v.pay_scale else "Entgelt/Besoldung"
    return [(label, grade_text(v)), ("Gehalt", payview.pay_text(v, today))]


def apply_link(v: Vacancy) -> dict[str, str] | None:
    if v.apply_url:
        return {"url": v.apply_url, "text": "Jetzt bewerben", "note": "beim Landratsamt (externe Seite)"}
    if v.apply_email:
        subject = quote(f"Bewerbung: {v.title}" + (f" (Kennziffer {v.reference})" if v.reference else ""))
        return {"url": f"mailto:{v.apply_email}?subject={subject}", "text": "Per E-Mail bewerben",
                "note": v.apply_email}  # fmt: skip
    if v.source_url:
        return {"url": v.source_url, "text": "Zur Ausschreibung", "note": "beim Landratsamt (externe Seite)"}
    return None


def _similar_if_searchable(board: Board, vacancy: Vacancy) -> list[Vacancy]:
    """The posting comes from the store; only its "similar postings" need the index, so an index
    that is down costs that box, not the page."""
    try:
        return similar(board, vacancy)
    except IndexUnavailable:
        return []


def similar(board: Board, vacancy: Vacancy, limit: int = 4) -> list[Vacancy]:
    """Postings sharing a title word in the same Berufsfeld, then the Berufsfeld's newest."""
    categories = [vacancy.category] if vacancy.category else []
    words = [w for w in WORD_RE.findall(clean_title(vacancy.title)) if len(w) > 3][:3]
    found: dict[str, Vacancy] = {}
    for text in [*words, ""]:
        if text == "" and not categories:
            break
        query = SearchQuery(text=text, categories=categories, per_page=limit + 1)
        for hit in board.search(query).items:
            if hit.vacancy.id != vacancy.id:
                found.setdefault(hit.vacancy.id, hit.vacancy)
        if len(found) >= limit:
            break
    return list(found.values())[:limit]


# -- districts ----------------------------------------------------------------------------------------


def open_counts(board: Board) -> dict[str, int]:
    page = board.search(SearchQuery(per_page=1))
    return {f.value: f.count for f in page.facets.get("district", [])}


def map_svg(board: Board, standalone: bool = False) -> Markup:
    return svgmap.render(list(districts.load()), open_counts(board), standalone=standalone)


def districts_view(board: Board) -> dict[str, Any]:
    counts = open_counts(board)
    rows = sorted(districts.load(), key=lambda d: (-counts.get(d.slug, 0), d.name))
    return {
        "rows": [(d, counts.get(d.slug, 0)) for d in rows],
        "total": sum(counts.values()),
        "map": svgmap.render(list(rows), counts),
        "legend": svgmap.legend(),
        "map_attribution": svgmap.attribution(),
    }


def district_view(board: Board, slug: str, query_params: QueryParams) -> tuple[dict, int] | None:
    district = districts.by_slug().get(slug)
    if district is None:
        return None
    page_only = [(k, v) for k, v in query_params.multi_items() if k == "page"]
    search = parse(QueryParams(page_only), board.gazetteer, extra={"district": [slug], "sort": "newest"})
    context: dict[str, Any] = {"district": district, "search": search, "page": None}
    if search.errors or search.query is None:
        return context, 422
    context.update(results_context(search, board.search(search.query), path=f"/landkreise/{slug}"))
    return context, 404 if context["beyond"] else 200
