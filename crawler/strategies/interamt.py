"""The e-recruiting vendor's JSON widget (Interamt-style): one API call lists every posting.

Options: ``api_url`` (default: the first start URL), ``detail_url_template`` (e.g.
``https://host/stelle/{Id}``; any top-level key of a posting object may be used).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import scrapy

from crawler.items import RawPosting
from crawler.strategies.common import LIST, Strategy, as_html, clean_text, first, to_date, to_float


class InteramtStrategy(Strategy):
    name = "interamt"

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield self.follow(self.option("api_url", self.source.start_urls[0]), "parse_api", LIST)

    def parse_api(self, response: scrapy.http.Response) -> Iterator[RawPosting]:
        try:
            data = json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"Stellen-JSON nicht lesbar: {exc}") from exc
        entries = data.get("Stellen") if isinstance(data, dict) else data
        if not isinstance(entries, list):
            raise ValueError('Stellen-JSON: keine Liste (erwartet [...] oder {"Stellen": [...]})')
        for entry in entries:
            # One odd entry must not cost the others.
            try:
                yield self.posting(entry, response.url)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self.reporter.record_parse_error(response.url, f"Stelle nicht lesbar: {exc!r}"[:300])

    def posting(self, entry: dict[str, Any], api_url: str) -> RawPosting:
        ident = str(entry["Id"])
        pay = entry.get("Bezahlung") or {}
        dates = entry.get("Daten") or {}
        posting = RawPosting(
            source_id=ident,
            url=self._url(entry, api_url),
            title=clean_text(entry["StellenBezeichnung"]),
            description_html=as_html(entry.get("Beschreibung")),
            employer=clean_text(entry.get("Behoerde")) or None,
            date_posted=to_date(dates.get("Eingestellt")),
            deadline=to_date(dates.get("Bewerbungsfrist")),
            reference=clean_text(str(entry.get("Kennziffer") or "")) or None,
            pay_text=", ".join(str(pay[k]) for k in ("Entgelt", "Besoldung") if pay.get(k)) or None,
            term_text=clean_text(entry.get("BeschaeftigungDauer")) or None,
            working_time_text=_working_time(entry.get("Teilzeit")),
            structured={"interamt_id": ident},
        )
        _fill_place(posting, entry.get("StellenangebotOrt"))
        return posting

    def _url(self, entry: dict[str, Any], api_url: str) -> str:
        if entry.get("Url"):
            return str(entry["Url"])
        template = self.option("detail_url_template")
        # Without a page of its own, the API address plus the id still names the posting uniquely.
        return template.format(**entry) if template else f"{api_url}#{entry['Id']}"


def _working_time(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower() in ("ja", "nein", "true", "false"):
        value = value.strip().lower() in ("ja", "true")
    if isinstance(value, bool):
        return "Vollzeit, Teilzeit möglich" if value else "Vollzeit"
    return clean_text(str(value)) or None if value not in (None, "") else None


def _fill_place(posting: RawPosting, places: Any) -> None:
    place = first(places if isinstance(places, list) else [places] if places else [])
    if not isinstance(place, dict):
        return
    posting.postal_code = clean_text(str(place.get("PLZ") or "")) or None
    posting.city = clean_text(place.get("Ort")) or None
    posting.lat, posting.lon = to_float(place.get("Breite")), to_float(place.get("Laenge"))
