"""Shapes of real district sites that no strategy option describes: each is read from its home page "/"
with `strategy: auto` and no options (issue 14, item 8). Variants (SiteSpec.variant):

- cms1252:    an old CMS: windows-1252 declared only in `<meta http-equiv="Content-Type" …>` (no charset
              in the HTTP header), the list a table paged only by a "weiter »" link (no rel=next, no
              page numbers), plain detail pages with a facts table (no schema.org)
- teaser:     teaser cards (`div.teaser`: h3, a short text, a "mehr" link) → detail pages in running
              text only (deadline, pay and Kennziffer in sentences)
- pdfnews:    PDF postings in the "Stellenausschreibungen" section of the "Aktuelles" page, linked as
              "Titel (PDF, 120 KB)", "[PDF] Titel", "Download: Titel"; the PDF names the place only in
              its letterhead "Landratsamt X · Straße · PLZ Ort"
- vendor:     the district page embeds the interamt partner widget (iframe and link
              `…/koop/app/trefferliste?partner=ID`) on the vendor's own host (catalog.VENDOR_IP), which
              serves `/koop/app/webservice_v2?partner=ID` in its real envelope and `/koop/app/stelle?id=ID`
- jsonldtext: JSON-LD without any salary property: the pay grade only in the description text, and the
              description HTML escaped twice (`&lt;p&gt;` inside the JSON string)
- sitemap:    postings reachable only through robots.txt `Sitemap:` → sitemap.xml; no page links them

Every home page mentions "Stellen" in passing (Beratungsstellen, Zulassungsstelle), so that discovery
must tell such a page from a vacancy page. `render_twin` builds a district with two sources (its own
JSON-LD website and its interamt account) publishing one posting in both.
"""

from __future__ import annotations

import zlib
from dataclasses import replace
from html import escape
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml

from . import render_interamt, render_structured
from .catalog import VENDOR_IP
from .chrome import (
    DEFAULT_ROBOTS,
    Context,
    ExtraSource,
    Page,
    SiteRender,
    common_pages,
    html_page,
    json_ld,
)
from .content import (
    SitePosting,
    career_text,
    contact_text,
    date_de,
    description,
    location_text,
    pay_text,
    posted,
    start_text,
    term_text,
    working_time_text,
)
from .render_pdf import html_to_blocks, pdf_document

NO_DEADLINE = "bis zur Besetzung der Stelle"


def render(ctx: Context) -> SiteRender:
    return VARIANTS[ctx.spec.variant](ctx)


# ------------------------------------------------------------------------------------ shared pieces


def _home(ctx: Context, links: str = "") -> Page:
    """The home page: news teasers, `links` (e.g. a direct job link) and services whose names contain
    "Stelle" without being vacancies."""
    name = escape(ctx.district.name)
    return html_page(
        ctx,
        "Startseite",
        f"<h1>Willkommen im Landkreis {name}</h1>"
        f"<p>{escape(ctx.district.region)}: Informationen, Formulare und Online-Dienste Ihres "
        "Landratsamts.</p><ul class='teaser'><li><a href='/buergerservice/'>Was erledige ich wo?</a></li>"
        f"<li><a href='/aktuelles/'>Pressemitteilungen</a></li>{links}</ul>"
        "<h2>Beratung und Termine</h2><p>Unsere <a href='/soziales/beratungsstellen/'>Beratungsstellen</a> "
        "helfen Familien, Senioren und Menschen mit Behinderung. Die "
        "<a href='/buergerservice/zulassungsstelle/'>Zulassungsstelle</a> und die Führerscheinstelle "
        "erreichen Sie nur mit Termin; Stellungnahmen zu Bauanträgen gibt die Bauaufsicht ab.</p>",
    )


def _service_pages(ctx: Context) -> dict[str, Page]:
    return {
        "/soziales/beratungsstellen/": html_page(
            ctx,
            "Beratungsstellen",
            "<h1>Beratungsstellen</h1><ul><li>Erziehungsberatungsstelle – Hilfe bei Fragen zu Erziehung "
            "und Familie</li><li>Schuldnerberatungsstelle – kostenlos und vertraulich</li><li>Fachstelle "
            "für pflegende Angehörige</li></ul><p>Alle Stellen beraten nach Terminvereinbarung.</p>",
        ),
        "/buergerservice/zulassungsstelle/": html_page(
            ctx,
            "Zulassungsstelle",
            "<h1>Zulassungsstelle</h1><p>Zulassung, Umschreibung und Außerbetriebsetzung von Fahrzeugen. "
            "Die Außenstelle ist dienstags und donnerstags geöffnet. Bitte buchen Sie vorab einen Termin."
            "</p>",
        ),
    }


def _pages(ctx: Context, list_path: str, robots: str | None = DEFAULT_ROBOTS, links: str = "") -> dict:
    pages = common_pages(ctx, list_path, robots)
    pages["/"] = _home(ctx, links)
    pages.update(_service_pages(ctx))
    return pages


def _port(ctx: Context) -> int:
    return urlsplit(ctx.base).port or 80


def vendor_base(ctx: Context) -> str:
    return f"http://{VENDOR_IP}:{_port(ctx)}"


def partner_id(ctx: Context) -> int:
    return zlib.crc32(ctx.district.key.encode()) % 100000


def vendor_id(ctx: Context, site_id: str) -> str:
    """The vendor numbers the postings of all its partners in one sequence."""
    return str(partner_id(ctx) * 100000 + int(site_id))


def _deadline(p: SitePosting) -> str:
    return date_de(p.v.deadline) if p.v.deadline else NO_DEADLINE


# ------------------------------------------------------------------------------------ a: windows-1252 CMS

CMS_LIST = "/verwaltung/stellenausschreibungen/index.php"
CMS_PAGE_SIZE = 5
META_1252 = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">\n'


def _cms(ctx: Context) -> SiteRender:
    pages = _pages(ctx, CMS_LIST)
    expected = []
    for p in ctx.postings:
        path = f"/verwaltung/stellenausschreibungen/ausschreibung-{p.site_id}.html"
        pages[path] = html_page(ctx, p.title, _cms_detail(p))
        expected.append(ctx.expect(p, ctx.url(path)))
    postings = ctx.postings
    chunks = [postings[i : i + CMS_PAGE_SIZE] for i in range(0, len(postings), CMS_PAGE_SIZE)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        rows = "".join(
            f'<tr><td><a href="ausschreibung-{p.site_id}.html">{escape(p.title)}</a></td>'
            f"<td>{escape(p.v.department or '')}</td><td>{_deadline(p)}</td></tr>"
            for p in chunk
        )
        pager = []
        if number > 1:
            pager.append(f'<a href="{_cms_page(number - 1)}">« zurück</a>')
        if number < len(chunks):
            pager.append(f'<a href="{_cms_page(number + 1)}">weiter »</a>')
        body = (
            "<h1>Stellenausschreibungen</h1><p>Das Landratsamt sucht zum nächstmöglichen Zeitpunkt:</p>"
            '<table class="liste" border="0" cellpadding="3"><tr><th>Stelle</th><th>Sachgebiet</th>'
            f"<th>Bewerbungsfrist</th></tr>{rows}</table>"
            f'<p class="blaettern">{" | ".join(pager)}</p>'
        )
        pages[CMS_LIST if number == 1 else CMS_LIST + f"?pi={number}"] = html_page(ctx, "Stellen", body)
    pages = {path: _meta_1252(page) for path, page in pages.items()}
    return SiteRender(pages, expected, ["/"])


def _cms_page(number: int) -> str:
    # A CMS parameter of its own: the "weiter »" text is the only sign of a next page.
    return "index.php" if number == 1 else f"index.php?pi={number}"


def _cms_detail(p: SitePosting) -> str:
    v = p.v
    rows = [
        ("Bewerbungsfrist", _deadline(p)),
        ("Entgeltgruppe", pay_text(v)),
        ("Arbeitszeit", working_time_text(v)),
        ("Befristung", term_text(v)),
        ("Kennziffer", v.reference),
        ("Dienstort", location_text(v)),
    ]
    table = "".join(f"<tr><th>{label}</th><td>{escape(val)}</td></tr>" for label, val in rows if val)
    return (
        f'<h1>{escape(v.title)}</h1><table class="fakten">{table}</table>'
        f'<div class="text">{description(p)}</div>'
        f"<p>Ansprechpartner: {escape(contact_text(v))}</p>"
    )


def _meta_1252(page: Page) -> Page:
    """An old CMS: windows-1252 bytes, the charset only in a meta http-equiv, none in the header."""
    if not page.content_type.startswith("text/html"):
        return page
    text = page.body.decode("utf-8").replace('<meta charset="utf-8">\n', META_1252)
    return Page(text.encode("cp1252", errors="xmlcharrefreplace"), "text/html", page.status)


# ------------------------------------------------------------------------------------ b: teaser cards

TEASER_LIST = "/karriere/jobs/"


def _teaser(ctx: Context) -> SiteRender:
    pages = _pages(ctx, TEASER_LIST, links=f"<li><a href='{TEASER_LIST}'>Jobs beim Landratsamt</a></li>")
    cards, expected = [], []
    for p in ctx.postings:
        path = f"{TEASER_LIST}stellenangebot-{p.site_id}/"
        pages[path] = html_page(ctx, p.title, _teaser_detail(ctx, p))
        expected.append(ctx.expect(p, ctx.url(path)))
        short = f"{p.v.department or 'Landratsamt'}: {working_time_text(p.v)}."
        cards.append(
            f'<div class="teaser"><h3>{escape(p.title)}</h3><p>{escape(short)}</p>'
            f'<a href="{path}">mehr</a></div>'
        )
    pages[TEASER_LIST] = html_page(
        ctx,
        "Jobs",
        "<h1>Jobs beim Landratsamt</h1><p>Werden Sie Teil unseres Teams!</p>"
        f'<div class="teaserliste">{"".join(cards)}</div>',
    )
    return SiteRender(pages, expected, ["/"])


def _teaser_detail(ctx: Context, p: SitePosting) -> str:
    v = p.v
    loc = v.location
    return (
        f'<div class="artikel"><h1>{escape(v.title)}</h1>'
        f'<p class="datum">{date_de(posted(v))}</p>{description(p)}'
        f"<p>Ihr Arbeitsplatz befindet sich in der {escape(loc.street or '')}, {loc.postal_code} "
        f"{escape(loc.city or '')}. Die Stelle ist {escape(start_text(v))} zu besetzen.</p>"
        f'<p><a href="/karriere/jobs/">Zurück zur Übersicht</a></p></div>'
    )


# -------------------------------------------------------------------------------- c: PDFs under "Aktuelles"

NEWS = (
    ("wertstoffhoefe", "Neue Öffnungszeiten der Wertstoffhöfe", "Ab dem 1. des Monats gelten neue Zeiten."),
    ("kreistag", "Sitzung des Kreistags", "Die Tagesordnung steht im Ratsinformationssystem."),
)


def _pdfnews(ctx: Context) -> SiteRender:
    pages = _pages(ctx, "/aktuelles/")
    pages["/karriere/"] = html_page(
        ctx,
        "Karriere",
        "<h1>Karriere beim Landratsamt</h1><p>Unsere Stellenausschreibungen veröffentlichen wir unter "
        "<a href='/aktuelles/'>Aktuelles</a>.</p>",
    )
    links, expected = [], []
    for number, p in enumerate(ctx.postings):
        path = f"/fileadmin/Dateien/Aktuelles/Stellen/{p.site_id}_Ausschreibung.pdf"
        pdf = _letterhead_pdf(ctx, p)
        pages[path] = Page(pdf, "application/pdf")
        title, size = escape(p.title), max(1, round(len(pdf) / 1024))
        text = (f"{title} (PDF, {size} KB)", f"[PDF] {title}", f"Download: {title}")[number % 3]
        links.append(f'<li><a href="{path}" target="_blank">{text}</a></li>')
        _street, code, city = ctx.office_address
        expected.append(ctx.expect(p, ctx.url(path), place=(code, city)))
    news = "".join(f'<li><a href="/aktuelles/{slug}/">{escape(head)}</a></li>' for slug, head, _ in NEWS)
    for slug, head, text in NEWS:
        pages[f"/aktuelles/{slug}/"] = html_page(ctx, head, f"<h1>{escape(head)}</h1><p>{escape(text)}</p>")
    pages["/aktuelles/"] = html_page(
        ctx,
        "Aktuelles",
        f"<h1>Aktuelles</h1><h2>Pressemitteilungen</h2><ul>{news}</ul>"
        f'<h2>Stellenausschreibungen</h2><ul class="dateien">{"".join(links)}</ul>',
    )
    return SiteRender(pages, expected, ["/"])


def _letterhead_pdf(ctx: Context, p: SitePosting) -> bytes:
    """The place only in the letterhead; the title is the heading after "Stellenausschreibung"."""
    v = p.v
    street, code, city = ctx.office_address
    blocks = [
        ("p", f"{ctx.district.office} · {street} · {code} {city}"),
        ("p", ""),
        ("p", "Stellenausschreibung"),
        ("h1", v.title),
    ]
    facts = [
        v.department,
        f"Kennziffer: {v.reference}" if v.reference else None,
        pay_text(v),
        working_time_text(v),
        term_text(v),
        f"Beginn: {start_text(v)}",
    ]
    blocks += [("p", fact) for fact in facts if fact]
    blocks.append(("p", ""))
    blocks += html_to_blocks(v.description)
    blocks.append(("p", ""))
    blocks.append(("h2", f"Bewerbungsfrist: {_deadline(p)}"))
    blocks.append(("p", f"Ansprechpartner: {contact_text(v)}"))
    return pdf_document(blocks, title=f"Stellenausschreibung {v.reference or ''}".strip())


# -------------------------------------------------------------------------------- d: interamt, vendor host

KOOP = "/koop/app/"
VENDOR_ROBOTS = "User-agent: *\nDisallow: /koop/app/bewerbung\n"


def _vendor(ctx: Context) -> SiteRender:
    list_path = "/karriere/stellenangebote/"
    pages = _pages(ctx, list_path)
    widget = f"{vendor_base(ctx)}{KOOP}trefferliste?partner={partner_id(ctx)}"
    pages[list_path] = html_page(
        ctx,
        "Stellenangebote",
        "<h1>Stellenangebote</h1><p>Unsere Stellenangebote veröffentlichen wir über das Karriereportal "
        f'interamt.</p><iframe src="{widget}" width="100%" height="900" title="Stellenangebote bei '
        f'interamt"></iframe><p><a href="{widget}" target="_blank">Alle Stellenangebote bei interamt.de '
        "anzeigen</a></p>",
    )
    vendor_pages, expected = interamt_account(ctx, ctx.postings)
    return SiteRender(pages, expected, ["/"], vendor_pages=vendor_pages)


def interamt_account(
    ctx: Context, postings: list[SitePosting], source: str | None = None
) -> tuple[dict[str, Page], list]:
    """The pages of the district's partner account on the vendor host, and their truth (the vendor's
    detail URL, the vendor's Id)."""
    partner, base = partner_id(ctx), vendor_base(ctx)
    items, rows, expected = [], [], []
    pages: dict[str, Page] = {"/robots.txt": Page(VENDOR_ROBOTS.encode(), "text/plain; charset=utf-8")}
    for p in postings:
        item = render_interamt.partner_item(p, render_interamt.item(ctx, p))
        ident = item["Id"] = int(vendor_id(ctx, p.site_id))
        items.append(item)
        detail = f"{KOOP}stelle?id={ident}"
        pages[detail] = _vendor_page(p.title, _vendor_detail(item))
        rows.append(
            f'<tr class="ia-e-table__row"><td data-field="StellenangebotId">{ident}</td>'
            f'<td><a href="stelle?id={ident}">{escape(p.title)}</a></td>'
            f"<td>{escape(item['Behoerde'])}</td><td>{escape(item['Einsatzort']['EinsatzortOrt'] or '')}</td>"
            f"<td>{_iso_de(item['Daten']['Bewerbungsfrist'])}</td></tr>"
        )
        expected.append(ctx.expect(p, base + detail, str(ident), source=source))
    pages[f"{KOOP}trefferliste?partner={partner}"] = _vendor_page(
        "Trefferliste",
        f"<h1>Stellenangebote – {escape(ctx.district.office)}</h1>"
        f'<table class="ia-m-table"><tbody>{"".join(rows)}</tbody></table>',
    )
    pages[f"{KOOP}webservice_v2?partner={partner}"] = render_interamt._json(
        {"Anzahltreffer": len(items), "Stellenangebote": items}
    )
    return pages, expected


def _iso_de(value: str | None) -> str:
    if not value:
        return ""
    year, month, day = value.split("-")
    return f"{day}.{month}.{year}"


def _vendor_detail(item: dict) -> str:
    place = item["Einsatzort"]
    facts = [
        ("Behörde", item["Behoerde"]),
        ("Kennung", item["Kennung"]),
        ("Einsatzort", f"{place['EinsatzortPLZ']} {place['EinsatzortOrt']}"),
        ("Bezahlung", item["Bezahlung"]["Entgelt"] or item["Bezahlung"]["Besoldung"]),
        ("Teilzeit", item["Teilzeit"]),
        ("Beschäftigungsdauer", item["BeschaeftigungDauer"]),
        ("Bewerbungsfrist", _iso_de(item["Daten"]["Bewerbungsfrist"])),
    ]
    rows = "".join(f"<dt>{label}</dt><dd>{escape(str(val))}</dd>" for label, val in facts if val)
    return (
        f'<div class="ia-m-jobdetail"><h1>{escape(item["StellenBezeichnung"])}</h1><dl>{rows}</dl>'
        f'<div class="ia-m-jobdetail__text">{item["Beschreibung"]}</div></div>'
    )


def _vendor_page(title: str, body: str) -> Page:
    html = (
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)} – Interamt</title>\n</head>\n<body>\n"
        '<header class="ia-m-header"><a href="/">Interamt</a> – Das Stellenportal für den öffentlichen '
        f"Dienst</header>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return Page(html.encode("utf-8"))


# ------------------------------------------------------------------------------------ e: JSON-LD, pay in text

JSONLD_LIST = "/karriere/stellenangebote/"
SALARY_KEYS = ("baseSalary", "salaryCurrency", "incentiveCompensation")


def _jsonldtext(ctx: Context) -> SiteRender:
    pages = _pages(ctx, JSONLD_LIST)
    expected = []

    def detail_path(p: SitePosting) -> str:
        return f"{JSONLD_LIST}{p.site_id}-stellenangebot.html"

    for p in ctx.postings:
        url = ctx.url(detail_path(p))
        data = render_structured.job_posting(ctx, p, url)
        pay = p.v.pay_scale is not None and p.v.pay_grade_min is not None  # as "11 bis 12"
        for key in SALARY_KEYS:
            data.pop(key, None)
        text = description(p) + (f"<p>Die Eingruppierung erfolgt in {pay_text(p.v)}.</p>" if pay else "")
        # The CMS stores the HTML escaped and the JSON-LD template escapes it once more.
        data["description"] = escape(text, quote=False)
        body = (
            f'<article class="stelle"><h1>{escape(p.title)}</h1><div class="text">{text}</div>'
            "</article>\n" + json_ld(data)
        )
        pages[detail_path(p)] = html_page(ctx, p.title, body)
        expected.append(ctx.expect(p, url, p.site_id))
    pages.update(render_structured.list_pages(ctx, JSONLD_LIST, detail_path, None))
    return SiteRender(pages, expected, ["/"])


# ------------------------------------------------------------------------------------ f: sitemap only


def _sitemap(ctx: Context) -> SiteRender:
    robots = DEFAULT_ROBOTS + f"\nSitemap: {ctx.url('/sitemap.xml')}\n"
    pages = _pages(ctx, "/karriere/", robots)
    # The career pages tell, but link no list: the postings are found through the sitemap alone.
    pages["/karriere/"] = html_page(
        ctx,
        "Karriere",
        "<h1>Karriere beim Landratsamt</h1><p>Sichere Arbeitsplätze, flexible Arbeitszeiten und "
        "sinnstiftende Aufgaben. Freie Stellen veröffentlichen wir zusätzlich im Amtsblatt.</p>",
    )
    pages["/karriere/ausbildung/"] = html_page(
        ctx, "Ausbildung", "<h1>Ausbildung und Studium</h1><p>Wir bilden jedes Jahr aus.</p>"
    )
    entries, expected = [], []
    for path in ("/", "/buergerservice/", "/landratsamt/", "/aktuelles/", "/karriere/", "/impressum/"):
        entries.append(f"<url><loc>{xml(ctx.url(path))}</loc></url>")
    for p in ctx.postings:
        path = f"/landratsamt/ausschreibungen/{p.site_id}.html"
        pages[path] = html_page(ctx, p.title, _sitemap_detail(p))
        entries.append(f"<url><loc>{xml(ctx.url(path))}</loc><lastmod>{p.v.date_posted}</lastmod></url>")
        expected.append(ctx.expect(p, ctx.url(path), career=True))
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(entries)
        + "\n</urlset>\n"
    )
    pages["/sitemap.xml"] = Page(sitemap.encode("utf-8"), "application/xml")
    return SiteRender(pages, expected, ["/"])


def _sitemap_detail(p: SitePosting) -> str:
    v = p.v
    facts = [
        ("Bewerbungsschluss", _deadline(p)),
        ("Vergütung", pay_text(v)),
        ("Arbeitszeit", working_time_text(v)),
        ("Befristung", term_text(v)),
        ("Qualifikationsebene", career_text(v)),
        ("Einsatzort", location_text(v)),
        ("Az.", v.reference),
    ]
    lines = "".join(f"<p><strong>{k}:</strong> {escape(val)}</p>" for k, val in facts if val)
    return f'<div class="ausschreibung"><h1>{escape(v.title)}</h1>{lines}{description(p)}</div>'


VARIANTS = {
    "cms1252": _cms,
    "teaser": _teaser,
    "pdfnews": _pdfnews,
    "vendor": _vendor,
    "jsonldtext": _jsonldtext,
    "sitemap": _sitemap,
}


# ------------------------------------------------------------------------------------ twin district


TWIN = 5  # the position of the posting both sources publish (unchanged in state 2)


def vendor_only(index: int) -> bool:
    """Postings only the vendor account has: 2 of every 8 (a scaled site keeps the unscaled ones)."""
    return index % 8 in (6, 7)


def render_twin(ctx: Context) -> SiteRender:
    """Its own website (JSON-LD, `structured`) and its interamt account (`interamt`, a second source):
    one posting is published in both, with the same title and deadline."""
    own = [p for p in ctx.postings if not vendor_only(p.index)]
    at_vendor = [p for p in ctx.postings if p.index == TWIN or vendor_only(p.index)]
    site = render_structured.render(replace(ctx, postings=own, spec=replace(ctx.spec, variant="plain")))
    key = f"{ctx.spec.slug}-interamt"
    site.vendor_pages, vendor_expected = interamt_account(ctx, at_vendor, source=key)
    ids = {p.site_id for p in ctx.postings if p.index == TWIN}
    web_twin = [e for e in site.expected if e.source_id in ids]
    vendor_ids = {vendor_id(ctx, site_id) for site_id in ids}
    vendor_twin = [e for e in vendor_expected if e.source_id in vendor_ids]
    site.twins = list(zip(web_twin, vendor_twin, strict=True))
    # Which copy the crawl keeps depends on which source is stored first: the truth lists neither.
    site.expected = [e for e in site.expected if e.source_id not in ids]
    partner = partner_id(ctx)
    site.extra_sources = [
        ExtraSource(
            key=key,
            strategy="interamt",
            start_urls=[f"{vendor_base(ctx)}{KOOP}webservice_v2?partner={partner}"],
            allowed_domains=[VENDOR_IP],
            expected=[e for e in vendor_expected if e.source_id not in vendor_ids],
        )
    ]
    return site
