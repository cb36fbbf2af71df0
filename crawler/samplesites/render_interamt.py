"""interamt-style vacancy widget: the vendor's partner API, a page that loads /api/stellen.json by script,
that older JSON endpoint, and plain detail pages /koop/app/stelle?id=<Id>.

The crawler reads the partner API /koop/app/webservice_v2?partner=<n>, shaped like the real one
(``{"Anzahltreffer": N, "Stellenangebote": [...]}``, field names as the public integrations of the
vendor read them; values are our own). Its item: Id, StellenBezeichnung, Behoerde, Kennung,
Bezahlung{Entgelt, Besoldung}, Einsatzort{EinsatzortStrasse, EinsatzortPLZ, EinsatzortOrt}, Breite,
Laenge, Daten{Eingestellt, Bewerbungsfrist}, BeschaeftigungDauer ("befristet" | "unbefristet" | null),
BefristetFuer (months), Teilzeit ("Vollzeit" | "Teilzeit" | "beides möglich"), Beschreibung (HTML),
ExtAnsprechpartner{ExtAnsprechpartnerNachname, ExtAnsprechpartnerTelefon, ExtAnsprechpartnerEMail}; no
URL of its own, so the crawler names the detail page next to the API.

The older /api/stellen.json (what the widget page loads) keeps its list shape. Its item: Id (int),
StellenBezeichnung, Behoerde, Abteilung, Kennziffer, Bezahlung{Entgelt, Besoldung}
(strings like "TVöD E 9c", "TVöD-SuE S 11b - S 12", "A 10 - A 11"; null when not applicable),
StellenangebotOrt[{PLZ, Ort, Strasse, Breite, Laenge}], Daten{Eingestellt, Bewerbungsfrist} (ISO dates,
Bewerbungsfrist may be null), BeschaeftigungDauer ("unbefristet" | "befristet (24 Monate)" | null),
Teilzeit (bool: part-time possible), Arbeitszeit (text), Beschreibung (HTML), Url (detail page).
"""

from __future__ import annotations

import json
import zlib
from html import escape

from vacancies.model import Vacancy

from .chrome import DEFAULT_ROBOTS, Context, Page, SiteRender, common_pages, html_page
from .content import SitePosting, contact_text, description, pay_text, posted, working_time_text

LIST_PATH = "/karriere/stellenangebote/"
API_PATH = "/api/stellen.json"
PARTNER_PATH = "/koop/app/webservice_v2?partner={partner}"
DETAIL_PATH = "/koop/app/stelle?id={id}"

WIDGET = """<h1>Stellenangebote</h1>
<div id="interamt-stellen" data-api="/api/stellen.json"><noscript>Bitte aktivieren Sie JavaScript, um die
Stellenangebote zu sehen, oder besuchen Sie unser Profil bei interamt.</noscript></div>
<script>
fetch("/api/stellen.json").then(function (r) { return r.json(); }).then(function (list) {
  var box = document.getElementById("interamt-stellen");
  box.innerHTML = "<ul>" + list.map(function (s) {
    return '<li><a href="' + s.Url + '">' + s.StellenBezeichnung + "</a></li>";
  }).join("") + "</ul>";
});
</script>"""


def _grades(v: Vacancy) -> str | None:
    if not v.pay_grade_min:
        return None
    low = f"{v.pay_grade_min[0]} {v.pay_grade_min[1:]}"
    high = f"{v.pay_grade_max[0]} {v.pay_grade_max[1:]}" if v.pay_grade_max else low
    return low if low == high else f"{low} - {high}"


def item(ctx: Context, p: SitePosting) -> dict:
    v = p.v
    scale = v.pay_scale.value if v.pay_scale else None
    grades = _grades(v)
    entgelt = f"{scale} {grades}" if scale and scale != "BayBesG" and grades else None
    if not scale:
        entgelt = pay_text(v)
    duration = None
    if v.fixed_term is not None:
        duration = f"befristet ({v.term_months} Monate)" if v.fixed_term else "unbefristet"
    loc = v.location
    return {
        "Id": int(p.site_id),
        "StellenBezeichnung": v.title,
        "Behoerde": ctx.district.office,
        "Abteilung": v.department,
        "Kennziffer": v.reference,
        "Bezahlung": {"Entgelt": entgelt, "Besoldung": grades if scale == "BayBesG" else None},
        "StellenangebotOrt": [
            {
                "PLZ": loc.postal_code,
                "Ort": loc.city,
                "Strasse": loc.street,
                "Breite": loc.lat,
                "Laenge": loc.lon,
            }
        ],
        "Daten": {
            "Eingestellt": posted(v).isoformat(),
            "Bewerbungsfrist": v.deadline.isoformat() if v.deadline else None,
        },
        "BeschaeftigungDauer": duration,
        "Teilzeit": "part_time" in [t.value for t in v.working_time],
        "Arbeitszeit": working_time_text(v),
        "Ansprechpartner": contact_text(v),
        "Beschreibung": description(p),
        "Url": ctx.url(DETAIL_PATH.format(id=p.site_id)),
    }


def _part_time(v: Vacancy) -> str:
    kinds = {t.value for t in v.working_time}
    if {"full_time", "part_time"} <= kinds:
        return "beides möglich"
    return "Teilzeit" if kinds == {"part_time"} else "Vollzeit"


def _contact(v: Vacancy) -> dict | None:
    c = v.contact
    if not c:
        return None
    return {
        "ExtAnsprechpartnerNachname": c.name,
        "ExtAnsprechpartnerTelefon": c.phone,
        "ExtAnsprechpartnerEMail": c.email,
    }


def _duration(v: Vacancy) -> str | None:
    if v.fixed_term is None:
        return None
    return "befristet" if v.fixed_term else "unbefristet"


def partner_item(p: SitePosting, old: dict) -> dict:
    """One entry of the partner API, built from the older item so both say the same."""
    v, place = p.v, old["StellenangebotOrt"][0]
    return {
        "Id": old["Id"],
        "StellenBezeichnung": old["StellenBezeichnung"],
        "Behoerde": old["Behoerde"],
        "Kennung": v.reference,
        "Bezahlung": old["Bezahlung"],
        "Einsatzort": {
            "EinsatzortStrasse": place["Strasse"],
            "EinsatzortPLZ": place["PLZ"],
            "EinsatzortOrt": place["Ort"],
        },
        "Breite": place["Breite"],
        "Laenge": place["Laenge"],
        "Daten": old["Daten"],
        "BeschaeftigungDauer": None
        if v.fixed_term is None
        else "befristet"
        if v.fixed_term
        else "unbefristet",
        "BefristetFuer": v.term_months if v.fixed_term else None,
        "Teilzeit": _part_time(v),
        "Beschreibung": old["Beschreibung"],
        "ExtAnsprechpartner": _contact(v),
    }


def render(ctx: Context) -> SiteRender:
    pages = common_pages(ctx, LIST_PATH, DEFAULT_ROBOTS)
    pages[LIST_PATH] = html_page(ctx, "Stellenangebote", WIDGET)
    items, partner_items, expected = [], [], []
    for p in ctx.postings:
        data = item(ctx, p)
        items.append(data)
        partner_items.append(partner_item(p, data))
        pages[DETAIL_PATH.format(id=p.site_id)] = html_page(
            ctx,
            p.title,
            f'<article class="stelle"><h1>{escape(p.title)}</h1>'
            f'<div class="text">{data["Beschreibung"]}</div></article>',
        )
        expected.append(ctx.expect(p, data["Url"], str(data["Id"])))
    pages[API_PATH] = _json(items)
    partner_path = PARTNER_PATH.format(partner=zlib.crc32(ctx.district.key.encode()) % 100000)
    pages[partner_path] = _json({"Anzahltreffer": len(partner_items), "Stellenangebote": partner_items})
    # No options: the crawler reads its start URL and names the detail pages as on the real vendor.
    return SiteRender(pages, expected, [partner_path])


def _json(data: object) -> Page:
    return Page(
        json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"), "application/json; charset=utf-8"
    )
