"""interamt-style vacancy widget: a page that loads /api/stellen.json by script, the JSON endpoint, and
plain detail pages /stelle/<Id>.

JSON item: Id (int), StellenBezeichnung, Behoerde, Abteilung, Kennziffer, Bezahlung{Entgelt, Besoldung}
(strings like "TVöD E 9c", "TVöD-SuE S 11b - S 12", "A 10 - A 11"; null when not applicable),
StellenangebotOrt[{PLZ, Ort, Strasse, Breite, Laenge}], Daten{Eingestellt, Bewerbungsfrist} (ISO dates,
Bewerbungsfrist may be null), BeschaeftigungDauer ("unbefristet" | "befristet (24 Monate)" | null),
Teilzeit (bool: part-time possible), Arbeitszeit (text), Beschreibung (HTML), Url (detail page).
"""

from __future__ import annotations

import json
from html import escape

from vacancies.model import Vacancy

from .chrome import DEFAULT_ROBOTS, Context, Page, SiteRender, common_pages, html_page
from .content import SitePosting, contact_text, description, pay_text, working_time_text

LIST_PATH = "/karriere/stellenangebote/"
API_PATH = "/api/stellen.json"

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
            "Eingestellt": v.date_posted.isoformat(),
            "Bewerbungsfrist": v.deadline.isoformat() if v.deadline else None,
        },
        "BeschaeftigungDauer": duration,
        "Teilzeit": "part_time" in [t.value for t in v.working_time],
        "Arbeitszeit": working_time_text(v),
        "Ansprechpartner": contact_text(v),
        "Beschreibung": description(p),
        "Url": ctx.url(f"/stelle/{p.site_id}"),
    }


def render(ctx: Context) -> SiteRender:
    pages = common_pages(ctx, LIST_PATH, DEFAULT_ROBOTS)
    pages[LIST_PATH] = html_page(ctx, "Stellenangebote", WIDGET)
    items, expected = [], []
    for p in ctx.postings:
        data = item(ctx, p)
        items.append(data)
        pages[f"/stelle/{p.site_id}"] = html_page(
            ctx,
            p.title,
            f'<article class="stelle"><h1>{escape(p.title)}</h1>'
            f'<div class="text">{data["Beschreibung"]}</div></article>',
        )
        expected.append(ctx.expect(p, data["Url"], str(data["Id"])))
    body = json.dumps(items, ensure_ascii=False, indent=1).encode("utf-8")
    pages[API_PATH] = Page(body, "application/json; charset=utf-8")
    options = {"api_url": ctx.url(API_PATH), "detail_url_template": ctx.url("/stelle/{Id}")}
    return SiteRender(pages, expected, [API_PATH], options)
