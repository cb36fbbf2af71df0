"""Feed sites: an RSS 2.0 or Atom feed whose items link to detail pages.

Detail pages carry JSON-LD (variant "jsonld") or are plain HTML in the CMS "dl" layout (variant "html",
options.fields as for the html strategy). A normal HTML list page links the feed as rel=alternate.
"""

from __future__ import annotations

from datetime import datetime, time
from email.utils import format_datetime
from html import escape
from xml.sax.saxutils import escape as xml

from .chrome import DEFAULT_ROBOTS, Context, Page, SiteRender, common_pages, html_page, json_ld
from .content import SitePosting, posted, teaser
from .render_html import DL_FIELDS, detail_dl
from .render_structured import BERLIN, job_posting

LIST_PATH = "/karriere/stellenangebote/"
RSS_PATH = "/karriere/stellenangebote/rss.xml"
ATOM_PATH = "/karriere/stellenangebote/feed.atom"


def render(ctx: Context) -> SiteRender:
    atom = ctx.spec.kind == "atom"
    feed_path = ATOM_PATH if atom else RSS_PATH
    pages = common_pages(ctx, LIST_PATH, DEFAULT_ROBOTS)
    expected = []
    for p in ctx.postings:
        url = ctx.url(detail_path(p))
        if ctx.spec.variant == "jsonld":
            body = detail_dl(ctx, p) + json_ld(job_posting(ctx, p, url))
        else:
            body = detail_dl(ctx, p)
        pages[detail_path(p)] = html_page(ctx, p.title, body)
        expected.append(ctx.expect(p, url, career=True))  # the dl layout names the QE
    feed = _atom(ctx) if atom else _rss(ctx)
    mime = "application/atom+xml" if atom else "application/rss+xml"
    pages[feed_path] = Page(feed.encode("utf-8"), f"{mime}; charset=utf-8")
    items = "".join(
        f'<li><a href="{detail_path(p)}">{escape(p.title)}</a> – {escape(teaser(p.v))}</li>'
        for p in ctx.postings
    )
    pages[LIST_PATH] = html_page(
        ctx,
        "Stellenangebote",
        f"<h1>Stellenangebote</h1><p>Alle Stellen auch als <a href='{feed_path}'>Feed</a>.</p>"
        f"<ul>{items}</ul>",
        head=f'<link rel="alternate" type="{mime}" title="Stellenangebote" href="{feed_path}">\n',
    )
    options: dict = {"feed_url": ctx.url(feed_path)}
    if ctx.spec.variant != "jsonld":
        options["fields"] = dict(DL_FIELDS)
    return SiteRender(pages, expected, [feed_path], options)


def detail_path(p: SitePosting) -> str:
    return f"{LIST_PATH}{p.site_id}.html"


def _posted(p: SitePosting) -> datetime:
    return datetime.combine(posted(p.v), time(8, 0), BERLIN)


def _latest(ctx: Context) -> datetime:
    return max((_posted(p) for p in ctx.postings), default=datetime.combine(ctx.today, time(0), BERLIN))


def _rss(ctx: Context) -> str:
    office = xml(ctx.district.office)
    items = "".join(
        "<item>"
        f"<title>{xml(p.title)}</title>"
        f"<link>{ctx.url(detail_path(p))}</link>"
        f'<guid isPermaLink="false">{ctx.spec.slug}-stelle-{p.site_id}</guid>'
        f"<pubDate>{format_datetime(_posted(p))}</pubDate>"
        f"<category>{xml(p.v.department or '')}</category>"
        f"<description><![CDATA[{teaser(p.v)}]]></description>"
        "</item>\n"
        for p in ctx.postings
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>Stellenangebote – {office}</title>\n<link>{ctx.url(LIST_PATH)}</link>\n"
        f"<description>Aktuelle Stellenangebote des {office}</description>\n<language>de-de</language>\n"
        f"<lastBuildDate>{format_datetime(_latest(ctx))}</lastBuildDate>\n"
        f'<atom:link href="{ctx.url(RSS_PATH)}" rel="self" type="application/rss+xml"/>\n'
        f"{items}</channel>\n</rss>\n"
    )


def _atom(ctx: Context) -> str:
    host = ctx.base.split("//", 1)[1].split(":")[0]
    entries = "".join(
        "<entry>"
        f"<title>{xml(p.title)}</title>"
        f'<link rel="alternate" type="text/html" href="{ctx.url(detail_path(p))}"/>'
        f"<id>tag:{host},{p.v.date_posted:%Y-%m-%d}:stelle-{p.site_id}</id>"
        f"<published>{_posted(p).isoformat()}</published><updated>{_posted(p).isoformat()}</updated>"
        f"<summary>{xml(teaser(p.v))}</summary>"
        "</entry>\n"
        for p in ctx.postings
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">\n'
        f"<title>Stellenangebote – {xml(ctx.district.office)}</title>\n"
        f"<id>tag:{host},2025:stellenangebote</id>\n<updated>{_latest(ctx).isoformat()}</updated>\n"
        f'<link rel="self" href="{ctx.url(ATOM_PATH)}"/>\n'
        f'<link rel="alternate" href="{ctx.url(LIST_PATH)}"/>\n'
        f"<author><name>{xml(ctx.district.office)}</name></author>\n{entries}</feed>\n"
    )
