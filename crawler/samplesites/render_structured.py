"""Sites whose detail pages carry schema.org JobPosting: JSON-LD in several shapes, or microdata.

Variants (SiteSpec.variant) of the JSON-LD sites:
- plain:   one JobPosting object per detail page
- graph:   `@graph` with Organization + WebPage + JobPosting (hiringOrganization is an `@id` reference);
           the list has two pages
- array:   a top-level array [BreadcrumbList, JobPosting]; two `jobLocation`s; `identifier` as a string
- nested:  hiringOrganization with `department` and `address`; detail links found without a selector
- onepage: every JobPosting in one `@graph` on the list page (url = list URL + "#stelle-<id>"), no
           detail pages
`auto` sites use this module too (home → Karriere → Stellenangebote → details).
"""

from __future__ import annotations

from datetime import datetime, time
from html import escape
from zoneinfo import ZoneInfo

from .chrome import DEFAULT_ROBOTS, Context, Page, SiteRender, attr, common_pages, html_page, json_ld
from .content import (
    SitePosting,
    career_text,
    contact_text,
    date_de,
    description,
    employment_types,
    location_text,
    pay_text,
    posted,
    salary_range,
    start_text,
    teaser,
    term_text,
    working_time_text,
)

BERLIN = ZoneInfo("Europe/Berlin")
SCHEMA = "https://schema.org"
PAGE_SIZE = {"graph": 8}


def render(ctx: Context) -> SiteRender:
    spec = ctx.spec
    microdata = spec.kind == "microdata" or spec.variant == "microdata"
    variant = "plain" if spec.kind == "auto" else spec.variant
    list_path = "/stellenangebote/" if variant == "nested" else "/karriere/stellenangebote/"
    robots = DEFAULT_ROBOTS + ("Disallow: /intern/\n" if spec.hidden else "")
    pages = common_pages(ctx, list_path, robots)
    if variant == "onepage":
        return _onepage(ctx, pages, list_path)

    def detail_path(p: SitePosting) -> str:
        if p.hidden:
            return f"/intern/stellenangebote/stelle-{p.site_id}.html"
        if variant == "nested":
            return f"/stellenangebote/{p.site_id}/"
        return f"{list_path}stelle-{p.site_id}.html"

    expected = []
    for p in ctx.postings:
        url = ctx.url(detail_path(p))
        if p.malformed:
            pages[detail_path(p)] = _malformed(p)
            continue
        if microdata:
            pages[detail_path(p)] = html_page(ctx, p.title, _microdata_body(ctx, p))
        else:
            data = job_posting(ctx, p, url, variant)
            pages[detail_path(p)] = html_page(ctx, p.title, _visible(ctx, p) + json_ld(data))
        if not p.hidden:  # the microdata layout names no Qualifikationsebene
            expected.append(ctx.expect(p, url, p.site_id, career=not microdata))
    pages.update(list_pages(ctx, list_path, detail_path, PAGE_SIZE.get(variant)))
    options: dict = {}
    if spec.kind == "auto":
        start = "/"
    else:
        start = list_path
        if variant == "nested":
            options = {"link_pattern": r"/stellenangebote/\d+/$"}
        else:
            options = {"link_selector": "ul.stellenliste a.stelle-link, div.top-stelle a"}
        if variant in PAGE_SIZE:
            options["next_selector"] = "a.naechste-seite"
    return SiteRender(pages, expected, [start], options)


def list_pages(ctx: Context, list_path: str, detail_path, page_size: int | None) -> dict[str, Page]:
    postings = ctx.postings
    size = page_size or max(1, len(postings))
    chunks = [postings[i : i + size] for i in range(0, len(postings), size)] or [[]]
    pages = {}
    for number, chunk in enumerate(chunks, start=1):
        items = "".join(
            f'<li class="stelle"><a class="stelle-link" href="{detail_path(p)}">{escape(p.title)}</a>'
            f'<span class="meta">{escape(teaser(p.v))}</span>'
            + (' <em class="hinweis">(nur für interne Bewerbungen)</em>' if p.hidden else "")
            + "</li>"
            for p in chunk
        )
        top = ""
        if ctx.spec.duplicate_link and number == 1 and len(postings) > 2:
            top_p = postings[2]
            top = (
                '<div class="top-stelle"><h2>Top-Stellenangebot</h2>'
                f'<a href="{detail_path(top_p)}">{escape(top_p.title)}</a></div>'
            )
        pager = ""
        if len(chunks) > 1:
            pager = '<nav class="seiten">' + " ".join(
                f'<a href="{_page_path(list_path, n)}">{n}</a>' for n in range(1, len(chunks) + 1)
            )
            if number < len(chunks):
                pager += (
                    f' <a class="naechste-seite" rel="next" href="{_page_path(list_path, number + 1)}">»</a>'
                )
            pager += "</nav>"
        body = (
            f"<h1>Stellenangebote</h1><p>Aktuell {len(postings)} offene Stellen beim "
            f"{escape(ctx.district.office)}.</p>{top}<ul class='stellenliste'>{items}</ul>{pager}"
        )
        pages[_page_path(list_path, number)] = html_page(ctx, "Stellenangebote", body)
    return pages


def _page_path(list_path: str, number: int) -> str:
    return list_path if number == 1 else f"{list_path}?page={number}"


def _visible(ctx: Context, p: SitePosting) -> str:
    v = p.v
    facts = [
        ("Organisationseinheit", v.department),
        ("Vergütung", pay_text(v)),
        ("Arbeitszeit", working_time_text(v)),
        ("Befristung", term_text(v)),
        ("Qualifikationsebene", career_text(v)),
        ("Beginn", start_text(v)),
        ("Dienstort", location_text(v)),
        ("Bewerbungsfrist", date_de(v.deadline) if v.deadline else "bis auf Weiteres"),
        ("Kennziffer", v.reference),
        ("Ansprechpartner", contact_text(v)),
    ]
    items = "".join(f"<li><strong>{k}:</strong> {escape(val)}</li>" for k, val in facts if val)
    return (
        f'<article class="stellenangebot"><h1>{escape(v.title)}</h1><ul class="fakten">{items}</ul>'
        f'<div class="beschreibung">{description(p)}</div>{_apply(ctx, p)}</article>\n'
    )


def _apply(ctx: Context, p: SitePosting) -> str:
    v = p.v
    if v.apply_email:
        return f'<p class="bewerben"><a href="mailto:{v.apply_email}">Bewerbung per E-Mail</a></p>'
    return f'<p class="bewerben"><a href="{attr(apply_url(ctx, p))}">Jetzt online bewerben</a></p>'


def apply_url(ctx: Context, p: SitePosting) -> str:
    return ctx.url(f"/karriere/bewerben/?kennziffer={p.v.reference}")


def _iso_end_of_day(day) -> str:
    return datetime.combine(day, time(23, 59, 59), BERLIN).isoformat()


def _address(street: str | None, code: str | None, city: str | None) -> dict:
    return {
        "@type": "PostalAddress",
        "streetAddress": street,
        "postalCode": code,
        "addressLocality": city,
        "addressRegion": "Bayern",
        "addressCountry": "DE",
    }


def job_posting(ctx: Context, p: SitePosting, url: str, variant: str = "plain") -> dict:
    v = p.v
    office = ctx.district.office
    types = employment_types(v)
    place = {
        "@type": "Place",
        "address": _address(v.location.street, v.location.postal_code, v.location.city),
    }
    data: dict = {
        "@context": SCHEMA,
        "@type": "JobPosting",
        "title": v.title,
        "description": description(p),
        "identifier": {"@type": "PropertyValue", "name": office, "value": p.site_id},
        "datePosted": v.date_posted.isoformat() if v.date_posted else None,
        "employmentType": types if len(types) > 1 else types[0],
        "hiringOrganization": {
            "@type": "Organization",
            "name": office,
            "sameAs": ctx.url("/"),
            "department": {"@type": "Organization", "name": v.department},
        },
        "jobLocation": place,
        "url": url,
        "directApply": v.apply_email is None,
    }
    if v.deadline:
        data["validThrough"] = _iso_end_of_day(v.deadline)
    if v.start_date:
        data["jobStartDate"] = v.start_date.isoformat()
    if v.weekly_hours:
        data["workHours"] = working_time_text(v)
    salary = salary_range(v)
    if salary and variant in ("plain", "array", "nested"):
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": "EUR",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": salary[0],
                "maxValue": salary[1],
                "unitText": "MONTH",
            },
        }
    if pay_text(v):
        data["salaryCurrency"] = "EUR"
        data["incentiveCompensation"] = pay_text(v)
    if v.category:
        data["occupationalCategory"] = v.category
    if variant == "graph":
        org_id = ctx.url("/#organisation")
        data.pop("@context")
        data["datePosted"] = datetime.combine(posted(v), time(8, 0), BERLIN).isoformat()
        data["hiringOrganization"] = {"@id": org_id}
        data["mainEntityOfPage"] = {"@id": url}
        street, code, city = ctx.office_address
        organisation = {
            "@type": "GovernmentOrganization",
            "@id": org_id,
            "name": office,
            "url": ctx.url("/"),
            "address": _address(street, code, city),
        }
        return {
            "@context": SCHEMA,
            "@graph": [organisation, {"@type": "WebPage", "@id": url, "name": v.title}, data],
        }
    if variant == "array":
        street, code, city = ctx.office_address
        data["identifier"] = p.site_id
        data["jobLocation"] = [place, {"@type": "Place", "address": _address(street, code, city)}]
        crumbs = {
            "@context": SCHEMA,
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i + 1, "name": name, "item": ctx.url(path)}
                for i, (name, path) in enumerate(
                    [
                        ("Startseite", "/"),
                        ("Karriere", "/karriere/"),
                        ("Stellenangebote", "/karriere/stellenangebote/"),
                    ]
                )
            ],
        }
        return [crumbs, data]  # type: ignore[return-value]
    if variant == "nested":
        street, code, city = ctx.office_address
        data["hiringOrganization"]["@type"] = "GovernmentOrganization"
        data["hiringOrganization"]["address"] = _address(street, code, city)
        data["hiringOrganization"]["logo"] = ctx.url("/fileadmin/wappen.png")
    return data


def _microdata_body(ctx: Context, p: SitePosting) -> str:
    v = p.v
    types = "".join(f'<meta itemprop="employmentType" content="{t}">' for t in employment_types(v))
    salary = salary_range(v)
    pay = escape(pay_text(v) or "")
    if salary:
        pay = (
            f'<span itemprop="baseSalary" itemscope itemtype="{SCHEMA}/MonetaryAmount">'
            f'<meta itemprop="currency" content="EUR">{pay}'
            f'<span itemprop="value" itemscope itemtype="{SCHEMA}/QuantitativeValue">'
            f'<meta itemprop="minValue" content="{salary[0]}">'
            f'<meta itemprop="maxValue" content="{salary[1]}">'
            '<meta itemprop="unitText" content="MONTH"></span></span>'
        )
    loc = v.location
    deadline = (
        f'<time itemprop="validThrough" datetime="{v.deadline.isoformat()}">{date_de(v.deadline)}</time>'
        if v.deadline
        else "bis auf Weiteres"
    )
    term = term_text(v)
    return (
        f'<article class="stellenangebot" itemscope itemtype="{SCHEMA}/JobPosting">'
        f'<h1 itemprop="title">{escape(v.title)}</h1>'
        f'<meta itemprop="identifier" content="{p.site_id}">'
        f'<meta itemprop="datePosted" content="{posted(v).isoformat()}">'
        '<ul class="fakten">'
        f'<li>Dienststelle: <span itemprop="hiringOrganization" itemscope itemtype="{SCHEMA}/Organization">'
        f'<span itemprop="name">{escape(ctx.district.office)}</span></span>, '
        f"{escape(v.department or '')}</li>"
        f"<li>Vergütung: {pay}</li>"
        f"<li>Arbeitszeit: {escape(working_time_text(v))}{types}</li>"
        + (f"<li>Befristung: {escape(term)}</li>" if term else "")
        + f'<li>Dienstort: <span itemprop="jobLocation" itemscope itemtype="{SCHEMA}/Place">'
        f'<span itemprop="address" itemscope itemtype="{SCHEMA}/PostalAddress">'
        f'<span itemprop="streetAddress">{escape(loc.street or "")}</span>, '
        f'<span itemprop="postalCode">{loc.postal_code}</span> '
        f'<span itemprop="addressLocality">{escape(loc.city or "")}</span></span></span></li>'
        f"<li>Bewerbungsfrist: {deadline}</li>"
        f"<li>Kennziffer: {escape(v.reference or '')}</li>"
        f"<li>Ansprechpartner: {escape(contact_text(v))}</li></ul>"
        f'<div itemprop="description">{description(p)}</div>{_apply(ctx, p)}</article>'
    )


def _malformed(p: SitePosting) -> Page:
    """A detail page the CMS broke: unclosed tags, truncated and invalid JSON-LD."""
    v = p.v
    body = (
        "<!DOCTYPE html><html><head><title>Stellenangebot<title>"
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "JobPosting", '
        f'"title": "{v.title}", "datePosted": "{posted(v).isoformat()}",, "description": "<p>Die Stelle '
        "</script></head><body><div class='stellenangebot'><h1>"
        f"{escape(v.title)}<p>Diese Seite wird gerade überarbeitet<table><tr><td>"
        "<div><span>Bewerbungsfrist: </b></body>"
    )
    return Page(body.encode("utf-8"))


def _onepage(ctx: Context, pages: dict[str, Page], list_path: str) -> SiteRender:
    list_url = ctx.url(list_path)
    graph, articles, expected = [], [], []
    for p in ctx.postings:
        url = f"{list_url}#stelle-{p.site_id}"
        data = job_posting(ctx, p, url)
        data.pop("@context")
        graph.append(data)
        articles.append(f'<section id="stelle-{p.site_id}">{_visible(ctx, p)}</section>')
        expected.append(ctx.expect(p, url, p.site_id, career=True))
    body = (
        f"<h1>Stellenangebote</h1><p>Aktuell {len(ctx.postings)} offene Stellen.</p>"
        + "".join(articles)
        + json_ld({"@context": SCHEMA, "@graph": graph})
    )
    pages[list_path] = html_page(ctx, "Stellenangebote", body)
    return SiteRender(pages, expected, [list_path], {"link_pattern": r"/karriere/stellenangebote/.+"})
