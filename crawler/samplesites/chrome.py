"""Page chrome of a plausible Landratsamt website, the pages every site has, and the render context."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

from vacancies.model import Vacancy
from vacancies.sample_data import postal_places

from .catalog import STRATEGY, DistrictInfo, SiteSpec
from .content import SitePosting

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str = HTML
    status: int = 200


@dataclass(frozen=True)
class ExpectedPosting:
    """What a correct crawler must find: one posting of one source."""

    source: str
    url: str  # the posting's own page (for one-page sites the list URL with #fragment)
    title: str
    deadline: date | None
    reference: str | None  # Kennziffer, as published
    source_id: str | None = None  # the site's own id where the site states one explicitly
    posting_type: str = "job"
    # What the page publishes for this posting (see published_fields): the truth of a field benchmark.
    fields: dict[str, Any] = field(default_factory=dict, compare=False)


def published_fields(
    v: Vacancy, *, career: bool = False, place: tuple[str, str] | None = None
) -> dict[str, Any]:
    """The facts a posting page states, in the record's canonical form.

    Keys (only when stated): title, deadline (ISO), reference, postal_code, city, pay_scale ("TVöD"),
    pay_grade_max ("E9b", "A10": vacancies.normalize.canonical_pay_grade), working_time (sorted
    values), fixed_term, career_level. Every sample page states title, deadline, reference, working
    time, term and pay grade (at least in the generated description); `career` says whether its facts
    name the Qualifikationsebene (else only a title or text naming it counts), `place` overrides the
    posting's place (a PDF with only its letterhead).
    """
    out: dict[str, Any] = {"title": v.title}
    if v.deadline:
        out["deadline"] = v.deadline.isoformat()
    if v.reference:
        out["reference"] = v.reference
    code, city = place or (v.location.postal_code, v.location.city)
    if code:
        out["postal_code"] = code
    if city:
        out["city"] = city
    if v.pay_scale and v.pay_grade_min:
        out["pay_scale"] = v.pay_scale.value
        out["pay_grade_max"] = v.pay_grade_max or v.pay_grade_min
    # The pages say "Vollzeit" when the record names no working time (content.working_time_text).
    out["working_time"] = sorted(t.value for t in v.working_time) or ["full_time"]
    if v.fixed_term is not None:
        out["fixed_term"] = v.fixed_term
    said = f"{v.career_level}. Qualifikationsebene" in f"{v.title} {v.description}"
    if v.career_level and (career or said):
        out["career_level"] = v.career_level
    return out


@dataclass
class SiteRender:
    """One site in one state: its pages, the ground truth, and its districts.yaml source."""

    pages: dict[str, Page]
    expected: list[ExpectedPosting]
    start_paths: list[str]  # the vacancy list (the source's start_urls); broken by list errors
    options: dict = field(default_factory=dict)
    strategy: str = ""
    failing: str | None = None  # "error" (list answers 500) or "suspicious" (far too few postings)
    vendor_pages: dict[str, Page] = field(default_factory=dict)  # served on the vendor host (VENDOR_IP)
    extra_sources: list[ExtraSource] = field(default_factory=list)  # a district's further sources
    twins: list[tuple[ExpectedPosting, ExpectedPosting]] = field(default_factory=list)


@dataclass
class ExtraSource:
    """A further source of the same district (e.g. its interamt account next to its own website)."""

    key: str
    strategy: str
    start_urls: list[str]
    allowed_domains: list[str]
    expected: list[ExpectedPosting]
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    spec: SiteSpec
    district: DistrictInfo
    base: str  # "http://127.0.0.X:PORT"
    postings: list[SitePosting]
    state: int
    today: date

    @property
    def source(self) -> str:
        return f"{self.spec.slug}-web"

    @property
    def strategy(self) -> str:
        return STRATEGY[self.spec.kind]

    def url(self, path: str) -> str:
        return self.base + path

    def expect(
        self,
        posting: SitePosting,
        url: str,
        source_id: str | None = None,
        *,
        source: str | None = None,
        **published: Any,
    ) -> ExpectedPosting:
        """The truth of one posting; `published` as for published_fields (career=, place=, pay=)."""
        v = posting.v
        return ExpectedPosting(
            source or self.source,
            url,
            v.title,
            v.deadline,
            v.reference,
            source_id,
            v.posting_type.value,
            published_fields(v, **published),
        )

    @property
    def office_address(self) -> tuple[str, str, str]:
        place = postal_places()[self.district.key][0]
        return "Landratsamt-Platz 1", place.postal_code, place.city


NAV = (
    ("/", "Startseite"),
    ("/buergerservice/", "Bürgerservice"),
    ("/landratsamt/", "Landratsamt"),
    ("/aktuelles/", "Aktuelles"),
    ("/karriere/", "Karriere"),
)
FOOTER = (
    ("/impressum/", "Impressum"),
    ("/datenschutz/", "Datenschutz"),
    ("/barrierefreiheit/", "Barrierefreiheit"),
)


def layout(ctx: Context, title: str, body: str, *, head: str = "", charset: bool = True) -> str:
    name = ctx.district.name
    street, code, city = ctx.office_address
    nav = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in NAV)
    foot = " | ".join(f'<a href="{href}">{label}</a>' for href, label in FOOTER)
    meta = '<meta charset="utf-8">\n' if charset else ""
    return (
        f'<!DOCTYPE html>\n<html lang="de">\n<head>\n{meta}'
        f"<title>{escape(title)} – Landratsamt {escape(name)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="stylesheet" href="/typo3conf/ext/lra_template/Resources/Public/Css/main.css">\n{head}'
        "</head>\n<body>\n"
        f'<header class="kopf"><a class="logo" href="/">Landratsamt {escape(name)}</a>'
        f'<span class="claim">Landkreis {escape(name)} – Regierungsbezirk {ctx.district.region}</span>'
        '<form class="suche" action="/suche/"><input name="q" placeholder="Suchbegriff"></form></header>\n'
        f'<nav class="hauptnavigation"><ul>{nav}</ul></nav>\n'
        f'<main id="content">\n{body}\n</main>\n'
        f'<footer class="fuss"><p>Landratsamt {escape(name)} · {street} · {code} {escape(city)}</p>'
        f"<p>{foot}</p></footer>\n</body>\n</html>\n"
    )


def html_page(ctx: Context, title: str, body: str, **kwargs) -> Page:
    return Page(layout(ctx, title, body, **kwargs).encode("utf-8"))


def common_pages(ctx: Context, list_path: str, robots: str | None) -> dict[str, Page]:
    """Home, Bürgerservice, Landratsamt, Aktuelles, Karriere, Impressum, … and robots.txt."""
    name = escape(ctx.district.name)
    street, code, city = ctx.office_address
    pages = {
        "/": html_page(
            ctx,
            "Startseite",
            f"<h1>Willkommen im Landkreis {name}</h1>"
            f"<p>{escape(ctx.district.region)}: Informationen, Formulare und Online-Dienste Ihres "
            "Landratsamts.</p><ul class='teaser'><li><a href='/buergerservice/'>Was erledige ich wo?</a></li>"
            "<li><a href='/aktuelles/'>Pressemitteilungen</a></li></ul>",
        ),
        "/buergerservice/": html_page(
            ctx,
            "Bürgerservice",
            "<h1>Bürgerservice</h1><p>Kfz-Zulassung, Führerschein, Bauanträge und mehr – vereinbaren Sie "
            "online einen Termin.</p>",
        ),
        "/landratsamt/": html_page(
            ctx,
            "Landratsamt",
            f"<h1>Das Landratsamt {name}</h1><p>Das Landratsamt ist Kreisbehörde und untere staatliche "
            "Verwaltungsbehörde zugleich.</p><p><a href='/karriere/'>Arbeiten beim Landratsamt</a></p>",
        ),
        "/aktuelles/": html_page(
            ctx, "Aktuelles", "<h1>Aktuelles</h1><p>Derzeit liegen keine Pressemitteilungen vor.</p>"
        ),
        "/karriere/": html_page(
            ctx,
            "Karriere",
            "<h1>Karriere beim Landratsamt</h1><p>Sichere Arbeitsplätze, flexible Arbeitszeiten und "
            "sinnstiftende Aufgaben für die Menschen im Landkreis.</p>"
            f'<ul><li><a href="{list_path}">Stellenangebote</a></li>'
            "<li><a href='/karriere/ausbildung/'>Ausbildung und Studium</a></li></ul>",
        ),
        "/karriere/ausbildung/": html_page(
            ctx,
            "Ausbildung und Studium",
            "<h1>Ausbildung und Studium</h1><p>Wir bilden Verwaltungsfachangestellte aus und bieten duale "
            f'Studiengänge an. Alle offenen Plätze finden Sie unter <a href="{list_path}">Stellenangebote'
            "</a>.</p>",
        ),
        "/impressum/": html_page(
            ctx,
            "Impressum",
            f"<h1>Impressum</h1><p>Landratsamt {name}<br>{street}<br>{code} {escape(city)}</p>"
            "<p>Der Landkreis ist eine Körperschaft des öffentlichen Rechts. Er wird vertreten durch den "
            "Landrat bzw. die Landrätin.</p>",
        ),
        "/datenschutz/": html_page(
            ctx, "Datenschutz", "<h1>Datenschutzerklärung</h1><p>Informationen nach Art. 13 DSGVO.</p>"
        ),
        "/barrierefreiheit/": html_page(
            ctx, "Barrierefreiheit", "<h1>Erklärung zur Barrierefreiheit</h1><p>Stand: 2025.</p>"
        ),
    }
    if robots is not None:
        pages["/robots.txt"] = Page(robots.encode("utf-8"), "text/plain; charset=utf-8")
    return pages


DEFAULT_ROBOTS = "User-agent: *\nDisallow: /suche/\nDisallow: /typo3/\n"


def error_page(ctx: Context, status: int = 500) -> Page:
    body = (
        "<h1>Interner Serverfehler</h1><p>Die angeforderte Seite ist vorübergehend nicht verfügbar. "
        "Bitte versuchen Sie es später erneut.</p>"
        if status >= 500
        else "<h1>Seite nicht gefunden</h1><p>Die angeforderte Seite existiert nicht (mehr).</p>"
    )
    return Page(layout(ctx, "Fehler", body).encode("utf-8"), status=status)


def json_ld(data: object) -> str:
    """A <script type="application/ld+json"> block; '</' is escaped so HTML in strings stays inside."""
    text = json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>\n'


def attr(text: str) -> str:
    return escape(text, quote=True)
