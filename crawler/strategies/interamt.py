"""The e-recruiting vendor's JSON widget (interamt): one API call lists every posting.

The real partner widget (``https://interamt.de/koop/app/webservice_v2?partner=<ID>``) answers
``{"Anzahltreffer": N, "Stellenangebote": [...]}``; older widgets answer a bare list or
``{"Stellen": [...]}``. All three are read; any other answer is a parse error of the list.

Field names differ between the list answer and the single answer (``?id=<ID>``), as the public
integrations RRZE-Webteam/rrze-jobs and WSBusch/interamt_connect show; each field is read under
either name:

- title: ``StellenBezeichnung`` | ``Stellenbezeichnung``
- employer: ``Behoerde`` | ``StellenangebotBehoerde``
- reference: ``Kennung`` (older widgets: ``Kennziffer``)
- place: ``StellenangebotOrt[{PLZ, Ort, Strasse, Breite, Laenge}]`` | ``Einsatzort{EinsatzortPLZ,
  EinsatzortOrt, EinsatzortStrasse}`` | ``Plz``/``Ort``, coordinates ``Breite``/``Laenge``
- dates: ``Daten{Eingestellt, Bewerbungsfrist}`` | ``DatumOeffentlichAusschreiben``,
  ``DatumBewerbungsfrist``; start ``DatumBesetzungZum``
- pay: ``Bezahlung{Entgelt, Besoldung}`` | ``TarifEbeneVon/Bis``, ``BesoldungGruppeVon/Bis``
- term and working time: ``BeschaeftigungDauer``, ``BefristetFuer`` (months), ``Teilzeit``
  (bool, "ja"/"nein", "Vollzeit", "Teilzeit" or "beides möglich")
- contact: ``ExtAnsprechpartner{ExtAnsprechpartnerVorname, …Nachname, …Telefon, …EMail}``;
  application: ``BewerbungUrl`` (a URL or an e-mail address)

The partner list lacks most of a posting (description, contact, pay): as rrze-jobs does, each entry of
a partner widget (``…/webservice_v2?partner=<ID>``) without a ``Beschreibung`` is completed by the
single answer ``…/webservice_v2?id=<Id>`` on the same host; the list entry is the fallback when that
answer fails or is unreadable. The widget does not page (rrze-jobs and interamt_connect read one
answer per partner).
A page that embeds or links the widget is found by `crawler.strategies.vendors`.

The start URL may also be the district's page that embeds or links the widget: the widget found
there is read (its host is then allowed for this source).

Options: ``api_url`` (default: the first start URL), ``detail_url_template`` (e.g.
``https://host/stelle/{Id}``; any top-level key of a posting object may be used). Without either an
own URL or a template, an API under ``/koop/app/`` names the vendor's detail page
``/koop/app/stelle?id=<Id>`` next to it; any other API gets ``<api_url>#<Id>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import scrapy

from crawler.items import RawPosting
from crawler.strategies.common import (
    CANDIDATE,
    LIST,
    Strategy,
    _carry,
    as_dict,
    as_html,
    clean_text,
    first,
    to_date,
    to_float,
)

ENVELOPES = ("Stellenangebote", "Stellen")
KOOP_PATH = "/koop/app/"
WIDGET = "webservice_v2"
BOTH = ("beides möglich", "beides")


class InteramtStrategy(Strategy):
    name = "interamt"

    def start_requests(self) -> Iterator[scrapy.Request]:
        yield self.follow(self.option("api_url", self.source.start_urls[0]), "parse_api", LIST)

    def parse_api(self, response: scrapy.http.Response) -> Iterator[Any]:
        try:
            data = json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            embedded = self._embedded(response)
            if not embedded:
                raise ValueError(f"Stellen-JSON nicht lesbar: {exc}") from exc
            yield from embedded
            return
        details = _is_partner_widget(response.url)
        for entry in _entries(data):
            # One odd entry must not cost the others.
            try:
                posting = self.posting(entry, response.url)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self.reporter.record_parse_error(response.url, f"Stelle nicht lesbar: {exc!r}"[:300])
                continue
            if details and not entry.get("Beschreibung"):
                # The real list names a posting without describing it. The list posting rides along:
                # if the single answer fails, it is stored instead.
                url = widget_url(response.url, id=posting.source_id)
                yield self.follow(url, "parse_single", CANDIDATE, fallback=posting, fallback_on_error=True,
                                  **_carry(response))  # fmt: skip
            else:
                yield posting

    def _embedded(self, response: scrapy.http.Response) -> list[scrapy.Request]:
        """A start URL that is the district's page embedding the widget: the widget's own answers."""
        from crawler.strategies.vendors import find_portals, vendor_hosts  # vendors builds on this module

        portals = [p for p in find_portals(response) if p.vendor == self.name]
        allow = getattr(self.reporter, "allow_vendor_host", None)
        if allow is not None:
            for portal in portals:
                for host in vendor_hosts(portal):
                    allow(host)
        return [
            self.follow(p.url, p.handler, p.role, **({"posting_url": p.posting_url} if p.posting_url else {}))
            for p in portals
        ]

    def parse_single(self, response: scrapy.http.Response) -> Iterator[RawPosting]:
        """The single answer (``?id=<Id>``): all fields on the top level, completed by the list posting."""
        fallback: RawPosting | None = response.meta.get("fallback")
        try:
            entry = json.loads(response.body)
            # The widget answers an unknown id with an empty answer (interamt_connect probes ?id=1):
            # without a list that names it, the posting is gone.
            if (not isinstance(entry, dict) or "Id" not in entry) and fallback is None:
                if not entry:
                    return
                raise ValueError("keine Stelle (erwartet ein Objekt mit Id)")
            posting = self.posting(entry, response.url)
        except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
            if fallback is None:
                raise ValueError(f"Stellen-JSON nicht lesbar: {exc}") from exc
            yield fallback  # the list said enough to keep the posting
            return
        if fallback is not None:
            if posting.source_id != fallback.source_id:
                yield fallback  # an answer about another posting: not ours to merge
                return
            posting = _completed(posting, fallback)
        yield posting

    def posting(self, entry: dict[str, Any], api_url: str) -> RawPosting:
        ident = str(entry["Id"])
        dates = entry.get("Daten") or {}
        posting = RawPosting(
            source_id=ident,
            url=self._url(entry, api_url),
            title=_title(entry),
            description_html=as_html(entry.get("Beschreibung")),
            employer=_text(entry.get("Behoerde") or entry.get("StellenangebotBehoerde")),
            date_posted=to_date(dates.get("Eingestellt") or entry.get("DatumOeffentlichAusschreiben")),
            deadline=to_date(dates.get("Bewerbungsfrist") or entry.get("DatumBewerbungsfrist")),
            start_date=to_date(entry.get("DatumBesetzungZum")),
            reference=_text(entry.get("Kennung") or entry.get("Kennziffer")),
            pay_text=_pay(entry),
            term_text=_term(entry),
            working_time_text=_working_time(entry.get("Teilzeit"), _weekly_hours(entry)),
            structured={"interamt_id": ident},
        )
        _fill_place(posting, entry)
        _fill_contact(posting, entry)
        return posting

    def _url(self, entry: dict[str, Any], api_url: str) -> str:
        own = entry.get("Url") or entry.get("url")
        if own:
            return str(own)
        template = self.option("detail_url_template")
        if template:
            return template.format(**entry)
        # Without a page of its own, the API address plus the id still names the posting uniquely.
        return _koop_detail_url(api_url, entry["Id"]) or f"{api_url}#{entry['Id']}"


def _completed(posting: RawPosting, fallback: RawPosting) -> RawPosting:
    """The single answer, with what only the list said; the list's URL stays (it named the posting)."""
    for item in fields(RawPosting):
        if getattr(posting, item.name) in (None, "", [], {}):
            setattr(posting, item.name, getattr(fallback, item.name))
    posting.url = fallback.url
    return posting


def _is_partner_widget(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path.endswith(WIDGET) and "partner" in {k.lower() for k, _ in parse_qsl(parts.query)}


def widget_url(url: str, **query: str) -> str:
    """``…/koop/app/webservice_v2?<query>`` on the scheme, host and path prefix of `url`."""
    parts = urlsplit(url)
    path = parts.path
    prefix = path[: path.index(KOOP_PATH) + len(KOOP_PATH)] if KOOP_PATH in path else "/koop/app/"
    return urlunsplit((parts.scheme, parts.netloc, prefix + WIDGET, urlencode(query), ""))


def _entries(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ENVELOPES:
            if isinstance(data.get(key), list):
                return data[key]
        if data.get("Anzahltreffer") == 0 and not any(key in data for key in ENVELOPES):
            return []  # the real widget of an office with no vacancy today
    raise ValueError(
        'Stellen-JSON: keine Liste (erwartet {"Stellenangebote": [...]}, {"Stellen": [...]} oder [...])'
    )


def _koop_detail_url(api_url: str, ident: Any) -> str | None:
    """The vendor's detail page next to its API; scheme and host stay those of the API address."""
    parts = urlsplit(api_url)
    if KOOP_PATH not in parts.path:
        return None
    prefix = parts.path[: parts.path.index(KOOP_PATH) + len(KOOP_PATH)]
    return urlunsplit((parts.scheme, parts.netloc, prefix + "stelle", f"id={quote(str(ident))}", ""))


def _title(entry: dict[str, Any]) -> str:
    title = _text(entry.get("StellenBezeichnung") or entry.get("Stellenbezeichnung"))
    if not title:
        raise KeyError("StellenBezeichnung")
    return title


def _text(value: Any) -> str | None:
    return clean_text(str(value)) or None if value not in (None, "") else None


def _span(entry: dict[str, Any], stem: str) -> str | None:
    low, high = _text(entry.get(f"{stem}Von")), _text(entry.get(f"{stem}Bis"))
    if low and high and low != high:
        return f"{low} - {high}"
    return low or high


def _pay(entry: dict[str, Any]) -> str | None:
    pay = entry.get("Bezahlung") or {}
    parts = [pay.get("Entgelt"), pay.get("Besoldung")]
    parts += [_span(entry, "TarifEbene"), _span(entry, "BesoldungGruppe")]
    return ", ".join(str(part) for part in parts if part) or None


def _term(entry: dict[str, Any]) -> str | None:
    term, months = _text(entry.get("BeschaeftigungDauer")), _text(entry.get("BefristetFuer"))
    if term and months:
        return f"{term} ({months} Monate)" if months.isdigit() else f"{term} ({months})"
    return term


def _working_time(value: Any, hours: str | None = None) -> str | None:
    if isinstance(value, str) and value.strip().lower() in ("ja", "nein", "true", "false", *BOTH):
        value = value.strip().lower() not in ("nein", "false")
    text: str | None
    if isinstance(value, bool):
        text = "Vollzeit, Teilzeit möglich" if value else "Vollzeit"
    else:
        text = _text(value)
    if hours:
        return f"{text}, {hours} Wochenstunden" if text else f"{hours} Wochenstunden"
    return text


def _weekly_hours(entry: dict[str, Any]) -> str | None:
    """Hours a week of employees or of civil servants (the single answer states them)."""
    return _text(entry.get("WochenarbeitszeitArbeitnehmer") or entry.get("WochenarbeitszeitBeamter"))


def _place(entry: dict[str, Any]) -> dict[str, Any]:
    """Older widgets: a list of places; the real one: ``Einsatzort`` or flat ``Plz``/``Ort``."""
    places = entry.get("StellenangebotOrt")
    old = first(places if isinstance(places, list) else [places] if places else [])
    if isinstance(old, dict):
        return {"street": old.get("Strasse"), "plz": old.get("PLZ"), "city": old.get("Ort"),
                "lat": old.get("Breite"), "lon": old.get("Laenge")}  # fmt: skip
    site = as_dict(entry.get("Einsatzort"))
    return {
        "street": site.get("EinsatzortStrasse"),
        "plz": site.get("EinsatzortPLZ") or entry.get("Plz"),
        "city": site.get("EinsatzortOrt") or entry.get("Ort"),
        "lat": entry.get("Breite"),
        "lon": entry.get("Laenge"),
    }


def _fill_place(posting: RawPosting, entry: dict[str, Any]) -> None:
    place = _place(entry)
    posting.street, posting.postal_code, posting.city = (
        _text(place["street"]), _text(place["plz"]), _text(place["city"]),
    )  # fmt: skip
    posting.lat, posting.lon = to_float(place["lat"]), to_float(place["lon"])


def _fill_contact(posting: RawPosting, entry: dict[str, Any]) -> None:
    contact = entry.get("ExtAnsprechpartner")
    if isinstance(contact, dict):
        names = [_text(contact.get(f"ExtAnsprechpartner{part}")) for part in ("Vorname", "Nachname")]
        posting.contact_name = " ".join(filter(None, names)) or None
        posting.contact_phone = _text(contact.get("ExtAnsprechpartnerTelefon"))
        posting.contact_email = _text(contact.get("ExtAnsprechpartnerEMail"))
    apply = _text(entry.get("BewerbungUrl"))
    if apply and apply.startswith(("http://", "https://")):
        posting.apply_url = apply
    elif apply and "@" in apply:
        posting.apply_email = apply.removeprefix("mailto:")
