"""CMS-style sites without structured data: a paginated list and detail pages with facts in a
definition list (variant "dl"), in a table (variant "table", selected by XPath), or the "dl" layout in
windows-1252 without any charset declaration (variant "latin1")."""

from __future__ import annotations

from html import escape

from .chrome import DEFAULT_ROBOTS, Context, Page, SiteRender, attr, common_pages, html_page
from .content import (
    SitePosting,
    career_text,
    contact_text,
    date_de,
    description,
    location_text,
    pay_text,
    posted,
    teaser,
    term_text,
    working_time_text,
)
from .render_pdf import posting_pdf

PAGE_SIZE = 10
LIST_PATH = "/karriere/stellenangebote/"
NO_DEADLINE = "bis zur Besetzung der Stelle"
EURO_NOTE = "<p>Zusätzlich gewähren wir einen Fahrtkostenzuschuss von 50 € monatlich.</p>"

DL_FIELDS = {
    "title": "h1.stelle-titel",
    "description": "div.stelle-text",
    "employer": "p.dienststelle",
    "department": "dd.fakt-abteilung",
    "pay": "dd.fakt-entgelt",
    "working_time": "dd.fakt-arbeitszeit",
    "term": "dd.fakt-befristung",
    "career": "dd.fakt-qe",
    "location": "dd.fakt-ort",
    "deadline": "dd.fakt-frist",
    "date_posted": "dd.fakt-datum",
    "reference": "dd.fakt-kennziffer",
    "contact": "dd.fakt-kontakt",
    "apply_url": "a.btn-bewerben",
    "attachments": "p.anlagen a",
}


def _row(label: str) -> str:
    return f'xpath://table[@class="contenttable"]//tr[th[normalize-space()="{label}"]]/td'


TABLE_FIELDS = {
    "title": 'xpath://div[@class="ce-stellenangebot"]/h1',
    "description": 'xpath://div[@class="ce-bodytext"]',
    "employer": _row("Dienststelle"),
    "department": _row("Sachgebiet"),
    "pay": _row("Entgeltgruppe"),
    "working_time": _row("Arbeitszeit"),
    "term": _row("Befristung"),
    "location": _row("Dienstort"),
    "deadline": _row("Bewerbungsfrist"),
    "date_posted": _row("Veröffentlicht am"),
    "reference": _row("Kennziffer"),
    "contact": _row("Ansprechpartner"),
    "apply_url": 'xpath://a[contains(normalize-space(.), "Online-Bewerbung")]',
}


def render(ctx: Context) -> SiteRender:
    variant = ctx.spec.variant
    latin1 = variant == "latin1"
    pages = common_pages(ctx, LIST_PATH, None if latin1 else DEFAULT_ROBOTS)
    expected = []
    for p in ctx.postings:
        path = detail_path(p)
        if variant == "table":
            pages[path] = html_page(ctx, p.title, detail_table(ctx, p))
        else:
            pages[path] = html_page(ctx, p.title, detail_dl(ctx, p, extra=EURO_NOTE if latin1 else ""))
        if p.v.attachments:
            pages[attachment_path(p)] = Page(posting_pdf(ctx, p), "application/pdf")
        expected.append(ctx.expect(p, ctx.url(path), career=variant != "table"))  # the table has no QE
    pages.update(_list_pages(ctx))
    fields = TABLE_FIELDS if variant == "table" else DL_FIELDS
    options: dict[str, str | dict[str, str]]
    if variant == "table":
        options = {"link_selector": "div.stellen-eintrag h3 a", "next_selector": "li.next a"}
    else:
        options = {"link_selector": "div.stellen-eintrag h3 a, div.aktuell a", "next_selector": "li.next a"}
    options["fields"] = dict(fields)
    if latin1:
        pages = {path: _windows_1252(page) for path, page in pages.items()}
    return SiteRender(pages, expected, [LIST_PATH], options)


def detail_path(p: SitePosting) -> str:
    return f"{LIST_PATH}detail/{p.site_id}/"


def attachment_path(p: SitePosting) -> str:
    return f"/fileadmin/user_upload/stellen/ausschreibung-{p.site_id}.pdf"


def _list_pages(ctx: Context) -> dict[str, Page]:
    postings = ctx.postings
    chunks = [postings[i : i + PAGE_SIZE] for i in range(0, len(postings), PAGE_SIZE)] or [[]]
    pages = {}
    for number, chunk in enumerate(chunks, start=1):
        items = "".join(
            f'<div class="news-list-item stellen-eintrag"><h3><a href="{detail_path(p)}">'
            f"{escape(p.title)}</a></h3><p>{escape(teaser(p.v))}</p></div>"
            for p in chunk
        )
        top = ""
        if ctx.spec.duplicate_link and number == 1 and len(postings) > 2:
            p = postings[2]
            link = f'<a href="{detail_path(p)}">{escape(p.title)}</a>'
            top = f'<div class="aktuell"><strong>Neu:</strong> {link}</div>'
        pager = ""
        if len(chunks) > 1:
            links = []
            if number > 1:
                links.append(f'<li class="previous"><a href="{page_path(number - 1)}">« Zurück</a></li>')
            for n in range(1, len(chunks) + 1):
                current = ' class="current"' if n == number else ""
                links.append(f'<li{current}><a href="{page_path(n)}">{n}</a></li>')
            if number < len(chunks):
                links.append(f'<li class="next"><a href="{page_path(number + 1)}">Weiter »</a></li>')
            pager = f'<ul class="f3-widget-paginator">{"".join(links)}</ul>'
        body = (
            f"<h1>Stellenangebote</h1><p>Seite {number} von {len(chunks)} – {len(postings)} offene Stellen."
            f"</p>{top}<div class='news-list-view'>{items}</div>{pager}"
        )
        pages[page_path(number)] = html_page(ctx, "Stellenangebote", body)
    return pages


def page_path(number: int) -> str:
    return LIST_PATH if number == 1 else f"{LIST_PATH}?seite={number}"


def _apply_link(ctx: Context, p: SitePosting, css: str, text: str) -> str:
    if p.v.apply_email:
        return f'<a href="mailto:{p.v.apply_email}">Bewerbung per E-Mail an {p.v.apply_email}</a>'
    url = ctx.url(f"/karriere/bewerben/?kennziffer={p.v.reference}")
    return f'<a class="{css}" href="{attr(url)}">{text}</a>'


def detail_dl(ctx: Context, p: SitePosting, extra: str = "") -> str:
    v = p.v
    rows = [
        ("Organisationseinheit", "abteilung", v.department),
        ("Entgeltgruppe", "entgelt", pay_text(v)),
        ("Arbeitszeit", "arbeitszeit", working_time_text(v)),
        ("Befristung", "befristung", term_text(v)),
        ("Qualifikationsebene", "qe", career_text(v)),
        ("Dienstort", "ort", location_text(v)),
        ("Bewerbungsfrist", "frist", date_de(v.deadline) if v.deadline else NO_DEADLINE),
        ("Veröffentlicht am", "datum", date_de(posted(v))),
        ("Kennziffer", "kennziffer", v.reference),
        ("Ansprechpartner", "kontakt", contact_text(v)),
    ]
    facts = "".join(
        f'<dt>{label}</dt><dd class="fakt-{css}">{escape(val)}</dd>' for label, css, val in rows if val
    )
    attachments = ""
    if v.attachments:
        attachments = f'<p class="anlagen"><a href="{attachment_path(p)}">Stellenausschreibung (PDF)</a></p>'
    return (
        f'<article class="stellenangebot"><h1 class="stelle-titel">{escape(v.title)}</h1>'
        f'<p class="dienststelle">{escape(ctx.district.office)}</p>'
        f'<dl class="stelle-fakten">{facts}</dl>'
        f'<div class="stelle-text">{description(p)}{extra}</div>'
        f'<p class="bewerben">{_apply_link(ctx, p, "btn-bewerben", "Jetzt online bewerben")}</p>'
        f"{attachments}</article>"
    )


def detail_table(ctx: Context, p: SitePosting) -> str:
    v = p.v
    rows = [
        ("Dienststelle", ctx.district.office),
        ("Sachgebiet", v.department),
        ("Entgeltgruppe", pay_text(v)),
        ("Arbeitszeit", working_time_text(v)),
        ("Befristung", term_text(v)),
        ("Dienstort", location_text(v)),
        ("Bewerbungsfrist", date_de(v.deadline) if v.deadline else NO_DEADLINE),
        ("Veröffentlicht am", date_de(posted(v))),
        ("Kennziffer", v.reference),
        ("Ansprechpartner", contact_text(v)),
    ]
    table = "".join(f"<tr><th>{label}</th><td>{escape(val)}</td></tr>" for label, val in rows if val)
    return (
        f'<div class="ce-stellenangebot"><h1>{escape(v.title)}</h1>'
        f'<table class="contenttable"><tbody>{table}</tbody></table>'
        f'<div class="ce-bodytext">{description(p)}</div>'
        f"<p>{_apply_link(ctx, p, 'internal-link', 'Zur Online-Bewerbung')}</p></div>"
    )


def _windows_1252(page: Page) -> Page:
    """The same page as an old CMS serves it: windows-1252 bytes, no charset anywhere."""
    if not page.content_type.startswith("text/html"):
        return page
    text = page.body.decode("utf-8").replace('<meta charset="utf-8">\n', "")
    return Page(text.encode("cp1252", errors="xmlcharrefreplace"), "text/html", page.status)
