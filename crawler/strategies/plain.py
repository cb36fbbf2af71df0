"""A posting on a page without schema.org: the commonest shape of a Landratsamt site.

TYPO3, ikiss, Sitepark or NOLIS pages put one posting between navigation, sidebar and footer: an h1, a
text block, often a facts table or ``dl`` ("Bewerbungsfrist", "Entgelt", "Kennziffer"), a PDF and a
contact box. The main content comes from trafilatura (a maintained main-content extractor); the fields
come from the page's facts rows and its German text. The pay grade, working time, term and career level
in the description are read later by the crawl's normaliser (`crawler.pipelines.to_record`); this module
sets those hints only where a facts row states them.

Being conservative matters more than being complete: a menu, list or news page stored as a posting is
worse than a posting missed, so `looks_like_posting` needs a job-like heading and posting body words.
"""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import scrapy
from lxml import etree
from parsel import Selector

from crawler.items import RawPosting
from crawler.strategies.common import (
    absolute,
    clean_text,
    find_email,
    find_phone,
    link_base,
    parse_place,
    url_source_id,
)
from crawler.strategies.structured import complete_from_description
from vacancies import normalize
from vacancies.normalize import parse_german_date
from vacancies.search.document import html_to_text

MAX_HTML = 2_000_000  # characters of a page handed to the parsers: a runaway page must not stall the crawl
MAX_TEXT = 200_000  # characters of text the field regexes run over
MAX_TITLE = 200  # a heading longer than this is a paragraph (or a page swallowed by an unclosed tag)

# ------------------------------------------------------------------------------ posting or not

# Headings that name a post. "Stelle" only as a word: "Stellenangebote" is the overview page.
_JOB_TITLE_RE = re.compile(
    r"(?i)\(\s*[mwdfi]\s*/\s*[mwdfi]|sachbearbeit|ingenieur|auszubildend|erzieh|leitung|leiter|fachkr[aä]ft|"
    r"mitarbeit|\bstelle\b|praktik|beamt|verwaltungsfach|ausbildung\s+(?:zu[mr]|als)|duales?\s+studium|"
    r"referent|sozialp[aä]dagog|sozialarbeit|assistenz|techniker|architekt|jurist|hausmeister|sekret[aä]r|"
    r"kraftfahr|stra(?:ß|ss)enw[aä]rter|[aä]rzt|psycholog|informatik|administrator|anw[aä]rter|"
    r"inspektor|kauffrau|kaufmann|meister|stellenausschreibung\s*:|\(\s*gn\s*\)|verwaltungswirt|fachwirt|"
    r"zeichner|vermess|biolog|geolog|g[äa]rtner|pflege|hauswirtschaft|reinigungskr|\bk[öo]ch|fahrer|"
    r"sachverst[äa]ndig|pr[üu]fer|kontrolleur|berater|betreuer|lehrkr|therapeut|archivar|controller|"
    r"koordinat|beauftragt|disponent|elektr|mechani|schreiner|w[äa]rter|bauhof|kassier|buchhalt"
)
# Overview, intro and service pages; their headings never name one post.
_NOT_A_TITLE_RE = re.compile(
    r"(?i)^(?:aktuelle\s+|offene\s+)?(?:stellen(?:angebote?|ausschreibung(?:en)?|markt|b[oö]rse)?|karriere|jobs?|"
    r"ausschreibung(?:en)?|ausbildung|impressum|kontakt|datenschutz|aktuelles|startseite|home|"
    r"arbeiten\s+(?:beim?|im)\b.*|karriere\s+(?:beim?|im)\b.*|ausbildung\s+(?:beim?|im)\b.*)$"
)
# Body words of a posting: at least one strong marker and two markers in all.
_STRONG_MARKERS = [
    r"ihre\s+aufgaben", r"aufgabengebiet", r"ihr\s+profil", r"wir\s+erwarten", r"wir\s+bieten",
    r"unser\s+angebot", r"bewerbungsfrist", r"bewerbungsschluss", r"entgeltgruppe", r"besoldungsgruppe",
    r"tv[öo]d", r"tv-?l\b", r"\beg\s?\d", r"einstellungsvoraussetzung", r"anforderungsprofil",
]  # fmt: skip
_WEAK_MARKERS = [
    r"\bbewerbung(?:en)?\b", r"\bbewerben\b", r"vollzeit", r"teilzeit", r"wochenstunden", r"befristet",
    r"kennziffer", r"stellenausschreibung", r"\beinstellung\b", r"ausbildungsbeginn", r"qualifikationsebene",
]  # fmt: skip
_STRONG_RE = [re.compile(p, re.I) for p in _STRONG_MARKERS]
_WEAK_RE = [re.compile(p, re.I) for p in _WEAK_MARKERS]
_NO_VACANCY_RE = re.compile(
    r"(?i)(?:derzeit|zurzeit|zur\s+zeit|momentan|aktuell)\s+(?:sind\s+|gibt\s+es\s+|haben\s+wir\s+)?"
    r"keine\s+(?:offenen\s+|freien\s+)?(?:stellen|stellenangebote|ausschreibungen|vakanzen)"
    r"|initiativbewerbung"
)
_NEWS_RE = re.compile(r"(?i)\bpressemitteilung\b|\bpressemeldung\b")
# The gender marker of a German posting's title: (m/w/d), (w/m/d), m/w/i, (gn), (all genders).
_GENDER_RE = re.compile(r"(?i)\b[mwdfi]\s*/\s*[mwdfi]\b|\(\s*gn\s*\)|\(\s*d\s*\)")
SHORT_PAGE = 2000  # characters: a page this short that says "keine Stellen" or "Initiativbewerbung" has none


def looks_like_posting(title: str, text: str) -> bool:
    """Whether a page with this heading and main text is a job posting (not navigation / news)."""
    title, text = clean_text(title), (text or "")[:MAX_TEXT]
    if not title or _NOT_A_TITLE_RE.match(title) or not _JOB_TITLE_RE.search(title):
        return False
    if _NEWS_RE.search(text) or (_NO_VACANCY_RE.search(text) and len(text) < SHORT_PAGE):
        return False
    strong = sum(1 for p in _STRONG_RE if p.search(text))
    weak = sum(1 for p in _WEAK_RE if p.search(text))
    if _GENDER_RE.search(title):
        return strong >= 1 and strong + weak >= 2
    # "Landrat begrüßt neue Auszubildende … die Bewerbungsfrist endet": a job word alone is not enough.
    return strong >= 2 and strong + weak >= 3


# ------------------------------------------------------------------------------------- the page


def posting_from_page(
    response: scrapy.http.TextResponse, hints: RawPosting | None = None
) -> RawPosting | None:
    """The posting on a page without schema.org, or None when the page is no posting (a menu page, a list
    page, a news article, a contact page). `hints` is what the list row said about it (title = link text,
    deadline / place / date columns, reference): used for fields the page itself does not state."""
    markup = response.text[:MAX_HTML]
    if not markup.strip():
        return None
    page = Selector(text=markup, base_url=response.url)
    _mark_chrome(page)
    title = page_title(page, hints.title if hints else "")
    description = main_content(markup, response.url, title, page)
    main_text = html_to_text(description)[:MAX_TEXT]
    if not looks_like_posting(title, main_text) or _is_list_like(page, response.url, title):
        return None
    posting = RawPosting(source_id=url_source_id(response.url), url=response.url, title=title,
                         description_html=description)  # fmt: skip
    _fill_from_text(posting, page, main_text)
    _fill_links(posting, page, main_text, response.url)
    if hints is not None:
        _fill_from_hints(posting, hints)
    if not posting.postal_code and not posting.city:
        # The office's address in the footer is the last resort: the list row's place is the post's own.
        _fill_place(posting, [], [], page_lines(page.root, skip_boilerplate=False))
    # A facts row "Arbeitszeit: Vollzeit" or "Befristung: befristet" would hide the hours or the length
    # the description states (to_record reads a hint instead of the text): completed as for JSON-LD.
    _complete_term(posting, main_text)
    complete_from_description(posting)
    return posting


def complete_from_page(posting: RawPosting, response: scrapy.http.TextResponse) -> None:
    """Facts a schema.org posting leaves out and its page shows in a facts table or list
    ("Qualifikationsebene: 3. Qualifikationsebene", "Bewerbungsfrist: 15.12.2026"): what the schema
    states wins. Only for a page of one posting: on a list page the rows belong to other postings."""
    missing = [name for name in _HINT_LABELS if getattr(posting, name) in (None, "")]
    if not missing and posting.deadline and posting.reference:
        return
    rows = _content_facts(response)
    for name in missing:
        setattr(posting, name, fact(rows, _HINT_LABELS[name]))
    posting.deadline = posting.deadline or _labelled_date(rows, _DEADLINE_LABEL, last=True)
    posting.reference = posting.reference or _reference(rows, "")


def _content_facts(response: scrapy.http.TextResponse) -> list[tuple[str, str]]:
    """(label, value) rows of the page's content. Its <main>/<article> is read on Scrapy's own parse
    (a crawl meets this on every schema.org posting page: no second parse, no chrome marking); a page
    without one is parsed again and its navigation and footer marked and skipped."""
    content = response.xpath("(//main | //article | //*[@role='main'])[1]")
    if content:
        return facts_rows(content[0]) + line_facts(page_lines(content[0].root, skip_boilerplate=False))
    page = Selector(text=response.text[:MAX_HTML], base_url=response.url)
    _mark_chrome(page)
    return facts_rows(page) + line_facts(page_lines(page.root, skip_boilerplate=True))


def _complete_term(posting: RawPosting, main_text: str) -> None:
    """ "Befristung: befristet" plus "… auf 24 Monate befristet" further down: the length, from the first
    line that names one (the normaliser reads the clause of the first "befristet" only: the facts row)."""
    fixed, months = normalize.parse_fixed_term(posting.term_text or "")
    if not fixed or months:
        return
    for line in main_text.splitlines():
        if (found := normalize.parse_fixed_term(line))[0] and found[1]:
            posting.term_text = f"{posting.term_text} auf {found[1]} Monate"
            return


def _posting_headings(page: Selector) -> set[str]:
    """Headings that each name a post ("… (m/w/d)"): two of them make a page of several postings.

    Linked headings are left out: "Weitere Stellenangebote" next to a posting are links to other pages.
    """
    headings = set()
    for node in page.xpath("//body//*[self::h1 or self::h2 or self::h3][not(ancestor::aside or .//a)]"):
        text = clean_text(" ".join(node.xpath(".//text()").getall()))
        if not _in_boilerplate(node.root) and _GENDER_RE.search(text) and _JOB_TITLE_RE.search(text):
            headings.add(_PREFIX_RE.sub("", text).casefold())
    return headings


def _is_list_like(page: Selector, url: str, title: str) -> bool:
    """A list page: several posting links in the content, a link named like the posting (a teaser that
    leads on to the posting's own page), or content that is mostly link text.

    Measured on the page, not on the extracted description: trafilatura drops link-only blocks.
    """
    links = _content_links(page, url)
    job_links = {
        href for href, text in _content_links(page, url, with_aside=False) if _JOB_TITLE_RE.search(text)
    }
    if len(job_links) >= 3 or len(_posting_headings(page)) >= 2:
        return True
    named = title.casefold()
    if any(text.casefold() == named and not _is_pdf(href) for href, text in links):
        return True
    text = sum(len(line) for line in page_lines(page.root, skip_boilerplate=True))
    return sum(len(link_text) for _, link_text in links) > 0.5 * text


# ------------------------------------------------------------------------------------- the title

_SEPARATOR_RE = re.compile(r"\s+(?:[–—|·-]|::)\s+|\s*\|\s*")
_SITE_RE = re.compile(
    r"(?i)landratsamt|landkreis|\bkreis\b|stadt|gemeinde|markt\s|startseite|\bhome\b|www\.|\.de\b|"
    r"verwaltungsgemeinschaft"  # not "Verwaltung": "… – Verwaltung und Finanzen" is part of a title
)
# "Stellenausschreibung: …", "Stellenausschreibung Nr. 12/2026 – …", "Ausschreibung (Kennziffer 7) - …"
_PREFIX_RE = re.compile(
    r"(?i)^(?:stellenausschreibung|stellenangebot|ausschreibung|stellenanzeige)"
    r"(?:\s*\(?\s*(?:nr\.?|kennziffer|kennz\.)\s*[\w/.-]+\)?)?\s*[:–-]\s*"
)
_LOGO_RE = re.compile(r"(?i)logo|brand|site-?title|site-?name|wappen")


def page_title(page: Selector, hint: str = "") -> str:
    """The content h1, else og:title or <title> without the site name, else the list row's link text;
    the first of them that names a post ("Stellenausschreibung Nr. 12/2026" does not), else the first."""
    site = clean_text(page.css('meta[property="og:site_name"]::attr(content)').get())
    candidates = []
    for h1 in page.xpath("//h1"):
        if _in_boilerplate(h1.root) or h1.xpath("ancestor::a") or _LOGO_RE.search(_classes(h1.root)):
            continue
        candidates.append(_tidy_title(clean_text(" ".join(h1.xpath(".//text()").getall())), site))
    for raw in (page.css('meta[property="og:title"]::attr(content)').get(), page.css("title::text").get()):
        candidates.append(_tidy_title(_without_site(clean_text(raw), site), site))
    candidates = [title for title in [*candidates, _tidy_title(clean_text(hint), site)] if title]
    return next((t for t in candidates if _JOB_TITLE_RE.search(t)), candidates[0] if candidates else "")


def _tidy_title(title: str, site: str) -> str:
    """Generic headings ("Stellenangebote") and the site's own name are no title; prefixes go."""
    rest = _PREFIX_RE.sub("", title)
    if rest != title and _JOB_TITLE_RE.search(rest):
        title = rest
    if not title or _NOT_A_TITLE_RE.match(title) or _is_site_name(title, site):
        return ""
    if len(title) > MAX_TITLE or "<" in title or ">" in title:
        return ""  # an unclosed <title> swallowed the page: markup and body text, no heading
    return title


def _without_site(title: str, site: str) -> str:
    """ "Sachbearbeiter (m/w/d) – Landratsamt Kelheim" → "Sachbearbeiter (m/w/d)"."""
    parts = [p.strip() for p in _SEPARATOR_RE.split(title) if p.strip()]

    while len(parts) > 1 and _is_site_name(parts[-1], site):
        parts.pop()
    while len(parts) > 1 and _is_site_name(parts[0], site):
        parts.pop(0)
    return " – ".join(parts)


def _is_site_name(text: str, site: str) -> bool:
    """ "Landratsamt Kelheim", "www.landkreis-cham.de": the site's own name, no post."""
    named = _SITE_RE.search(text) and not _JOB_TITLE_RE.search(text)
    return bool(named or (site and text.casefold() == site.casefold()))


# ------------------------------------------------------------------------------ the main content

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "form", "svg")


def main_content(markup: str, url: str, title: str, page: Selector) -> str:
    """The main content as HTML (trafilatura; the largest text block if it finds nothing).

    favor_recall: a posting's short headings ("Ihre Aufgaben", "Wir bieten") must stay, and the chrome
    is pruned before; `page` is this module's parse with the chrome marked, for the fallback.
    """
    import trafilatura  # ~0.9 s to import: only crawls that meet a page without schema.org pay it

    extracted = trafilatura.extract(
        markup, url=url, output_format="html", include_tables=True, include_links=True,
        include_formatting=True, include_comments=False, favor_recall=True, with_metadata=False,
        prune_xpath=_CHROME_XPATHS,
    )  # fmt: skip
    if extracted:
        body = Selector(text=extracted).xpath("//body")
        html = "".join(node.get() for node in body.xpath("./node()"))
    else:
        html = _largest_block(page)
    return _without_heading(html, title).strip()


def _without_heading(html: str, title: str) -> str:
    """The h1 repeats the title the board shows above the description."""
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html[:2000], re.S)
    if match and clean_text(re.sub(r"<[^>]+>", " ", match[1])) in (title, _PREFIX_RE.sub("", title)):
        return html[: match.start()] + html[match.end() :]
    return html


def _largest_block(page: Selector) -> str:
    """The main block by its text: from the body down into the child that holds most of the page's text
    (chrome left out), while one does; then without scripts and chrome."""
    body = page.xpath("//body")
    if not body:
        return ""
    node, size = body[0].root, _text_size(body[0].root)
    while size:
        children = [(child, _text_size(child)) for child in node if isinstance(child.tag, str)]
        child, child_size = max(children, key=lambda pair: pair[1], default=(None, 0))
        if child is None or child_size < _MAIN_SHARE * size:
            break
        node, size = child, child_size
    inner = html.escape(node.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in node)
    block = Selector(text=f"<div>{inner}</div>")  # a copy: the page itself is read on
    for bad in block.xpath(" | ".join(f"//{tag}" for tag in _DROP_TAGS) + f" | //*[@{_CHROME_MARK}]"):
        bad.drop()
    return "".join(part.get() for part in block.xpath("//body/div/node()"))


_MAIN_SHARE = 0.8  # a child with this share of its parent's text is the main block or holds it


def _text_size(element: Any) -> int:
    return sum(len(line) for line in page_lines(element, skip_boilerplate=True))


# ------------------------------------------------------------------------------------ boilerplate

# Site chrome: navigation, footer, breadcrumb, cookie banner, a page header with logo or menu. One XPath
# for both uses: trafilatura prunes it before extracting (a layout table's menu cell would otherwise stay),
# and this module marks it on its own parse of the page to skip it when reading links, facts and boxes.
# An element that holds the page's h1, main or article is never chrome (a wrapper "has-subnav" is content).
_CHROME_WORDS = ("nav", "menu", "footer", "fuss", "breadcrumb", "cookie", "consent", "skiplink", "sitemap")
_ID_AND_CLASS = (
    "translate(concat(@id, ' ', @class), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
)


def _class_has(*words: str) -> str:
    """An XPath condition: the element's id or class contains one of the words (any case)."""
    return " or ".join(f"contains({_ID_AND_CLASS}, {word!r})" for word in words)


_CHROME_XPATHS = [
    "//nav",
    "//footer",
    "//*[self::div or self::section or self::ul or self::ol or self::aside or self::td or self::header"
    " or self::span or self::p]"
    f"[{_class_has(*_CHROME_WORDS)}]"
    "[not(.//h1 or .//main or .//article)]",
    "//header[not(ancestor::main or ancestor::article)]"
    "[.//nav or .//ul or .//a[.//img or .//h1] or .//*[contains(@class, 'logo')]]",
]
_CHROME_MARK = "data-plain-chrome"


def _mark_chrome(page: Selector) -> None:
    for xpath in _CHROME_XPATHS:
        for element in page.root.xpath(xpath):
            element.set(_CHROME_MARK, "1")


def _classes(element: Any) -> str:
    return f"{element.get('id', '')} {element.get('class', '')}"


def _is_boilerplate(element: Any) -> bool:
    return isinstance(element.tag, str) and element.get(_CHROME_MARK) is not None


def _in_boilerplate(element: Any) -> bool:
    return bool(element.xpath(f"boolean(ancestor-or-self::*[@{_CHROME_MARK}])"))


def _content_links(page: Selector, url: str, with_aside: bool = True) -> list[tuple[str, str]]:
    """(absolute URL, link text) of the links outside navigation, header and footer."""
    found = []
    base = link_base(page, url)
    for anchor in page.xpath("//a[@href]"):
        if _in_boilerplate(anchor.root) or (not with_aside and anchor.xpath("ancestor::aside")):
            continue
        href = (anchor.root.get("href") or "").strip()  # not .attrib: one garbled attribute breaks it
        target = href if href.lower().startswith("mailto:") else absolute(base, href)
        if target and target != url:
            found.append((target, clean_text(" ".join(anchor.xpath(".//text()").getall()))))
    return found


def _is_pdf(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(".pdf")


# ------------------------------------------------------------------------------- text and facts

_BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table",
    "section", "article", "aside", "header", "footer", "ul", "ol", "dl", "address", "main", "blockquote",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title", "svg"}


def page_lines(root: Any, skip_boilerplate: bool) -> list[str]:
    """The visible text of a page, one line per block element (contact boxes, facts, addresses)."""
    parts: list[str] = []
    size, skipping = 0, 0

    def add(text: str | None) -> None:
        nonlocal size
        if text and not skipping:
            parts.append(text)
            size += len(text)

    for event, element in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            add(element.tail)  # text after a comment belongs to the parent
            continue
        tag = element.tag if isinstance(element.tag, str) else ""
        skip = tag in _SKIP_TAGS or (skip_boilerplate and _is_boilerplate(element))
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if event == "start":
            skipping += skip
            add(element.text)
        else:
            skipping -= skip
            if element is not root:  # the tail of the element read is outside it
                add(element.tail)
        if size > MAX_TEXT:
            break
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


def facts_rows(page: Selector) -> list[tuple[str, str]]:
    """(label, value) of the facts tables and definition lists outside navigation and footer."""
    rows = []
    for row in page.xpath(".//tr[count(th|td) = 2]"):
        if not _in_boilerplate(row.root):
            cells = [clean_text(" ".join(c.xpath(".//text()").getall())) for c in row.xpath("th|td")]
            rows.append((cells[0].rstrip(":"), cells[1]))
    for term in page.xpath(".//dt"):
        value = term.xpath("following-sibling::*[1][self::dd]")
        if value and not _in_boilerplate(term.root):
            label = clean_text(" ".join(term.xpath(".//text()").getall())).rstrip(":")
            rows.append((label, clean_text(" ".join(value.xpath(".//text()").getall()))))
    return [(label, value) for label, value in rows if label and value]


_LINE_FACT_RE = re.compile(r"^([A-ZÄÖÜ][\wäöüß./ -]{1,40}?)\s*:\s*(\S.*)$")


def line_facts(lines: list[str]) -> list[tuple[str, str]]:
    """ "Bewerbungsfrist: 15.01.2027" lines as (label, value)."""
    return [(m[1], m[2]) for line in lines if (m := _LINE_FACT_RE.match(line))]


def fact(rows: list[tuple[str, str]], label: re.Pattern[str]) -> str | None:
    return next((value for name, value in rows if label.match(name)), None)


_DEADLINE_LABEL = re.compile(
    r"(?i)(?:ende\s+der\s+)?bewerbungs(?:frist|schluss|ende|zeitraum)|bewerbung(?:en)?\s+bis|einsendeschluss|frist\b"
)
_START_LABEL = re.compile(
    r"(?i)einstellungs(?:termin|datum|zeitpunkt)|(?:dienst|arbeits|ausbildungs)?beginn|eintritt|stellenantritt|"
    r"besetzung|ab\b"
)
_REFERENCE_WORDS = (
    r"kennziffer|kennzahl|kennung|kennz\.|az\.|aktenzeichen|stellen-?id|stellen-?nummer|stellen-?nr\.?|"
    r"ausschreibungs-?(?:nummer|nr\.?)|referenz(?:nummer)?|chiffre"
)
_REFERENCE_LABEL = re.compile(rf"(?i)(?:{_REFERENCE_WORDS})")
_POSTED_LABEL = re.compile(
    r"(?i)ver[öo]ffentlich|ausschreibungsdatum|online\s+seit|erstellt|eingestellt\s+am|stand\b"
)
_PLACE_LABEL = re.compile(r"(?i)dienstort|arbeitsort|einsatzort|standort|anschrift|adresse|dienstsitz")
_DEPARTMENT_LABEL = re.compile(
    r"(?i)dienststelle|abteilung|sachgebiet|fachbereich|organisationseinheit|\bamt\b"
)
_HINT_LABELS = {
    "pay_text": re.compile(r"(?i)entgelt|besoldung|verg[üu]tung|eingruppierung|bezahlung|gehalt"),
    "working_time_text": re.compile(
        r"(?i)arbeitszeit|besch[äa]ftigungsumfang|stellenumfang|umfang|wochenarbeitszeit"
    ),
    "term_text": re.compile(r"(?i)befristung|vertragsart|besch[äa]ftigungsdauer|dauer\b|vertragsdauer"),
    "career_text": re.compile(r"(?i)qualifikationsebene|laufbahn|\bqe\b"),
}

# A German date as the text gives it; without a year ("bis 15. Januar") parse_german_date takes the next
# such day. The group is what parse_german_date reads.
_MONTH = (
    r"(?:jan(?:uar)?|feb(?:ruar)?|m(?:ä|ae)rz|mrz|apr(?:il)?|mai|jun[i]?|jul[i]?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dez(?:ember)?)\b\.?"
)
_DATE = (
    r"(\d{1,2}\.\s?\d{1,2}\.(?:\s?(?:\d{4}|\d{2})(?!\d)|(?!\d))"
    rf"|\d{{1,2}}\.\s*{_MONTH}(?:\s*\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}})"
)
_DATE_RE = re.compile(_DATE, re.I)
_DEADLINE_TEXT_RE = re.compile(
    rf"(?i)(?:bewerbungs(?:frist|schluss|ende)|ende\s+der\s+bewerbungsfrist)\D{{0,40}}?{_DATE}"
    rf"|\bbis\s+(?:zum\s+|sp[äa]testens\s+(?:zum\s+|am\s+)?|einschlie(?:ß|ss)lich\s+|am\s+)?(?:\w+,?\s+(?:den\s+)?)?{_DATE}"
)
_START_TEXT_RE = re.compile(
    rf"(?i)(?<!bis\s)(?<!spätestens\s)(?<!spaetestens\s)\b(?:zum|ab(?:\s+dem)?)\s+{_DATE}"
)
_START_CONTEXT_RE = re.compile(r"(?i)besetz|einstell|such|beginn|ausbildung|eintritt")
_POSTED_TEXT_RE = re.compile(
    rf"(?i)(?:ver[öo]ffentlicht\s+am|ver[öo]ffentlichungsdatum:?|stand:?|erstellt\s+am)\s*{_DATE}"
)
_REFERENCE_TEXT_RE = re.compile(
    rf"(?i)\b(?:{_REFERENCE_WORDS})[:.\s]*(?:nr\.?\s*)?([a-z0-9][\w./-]*\d[\w./-]*)"
)
_BEWERB_RE = re.compile(r"(?i)bewerb|unterlagen")
_TERM_RE = re.compile(r"(?i)befrist|vertretung|elternzeit|mutterschutz")
_NO_START_RE = re.compile(r"(?i)sofort|n[äa]chstm[öo]glich|baldm[öo]glich|umgehend")


def _fill_from_text(posting: RawPosting, page: Selector, main_text: str) -> None:
    lines = [_readable_emails(line) for line in page_lines(page.root, skip_boilerplate=True)]
    main_text = _readable_emails(main_text)
    main_lines = main_text.splitlines()
    rows = facts_rows(page) + line_facts(main_lines) + line_facts(lines)
    whole = "\n".join(lines)[:MAX_TEXT]
    posting.deadline = (
        _labelled_date(rows, _DEADLINE_LABEL, last=True) or _deadline_in(main_text) or _deadline_in(whole)
    )
    posting.start_date = _start_date(rows, main_text)
    posting.date_posted = _labelled_date(rows, _POSTED_LABEL) or _date_in(_POSTED_TEXT_RE, whole)
    posting.reference = _reference(rows, main_text) or _reference(rows, whole)
    for name, label in _HINT_LABELS.items():
        setattr(posting, name, fact(rows, label))
    posting.department = _department(rows)
    _fill_place(posting, rows, main_lines, lines)
    _fill_contact(posting, page, lines, main_text)


def _labelled_date(rows: list[tuple[str, str]], label: re.Pattern[str], last: bool = False) -> date | None:
    """The date of the first row so labelled; `last`: the end of a range ("01.12.2026 bis 15.01.2027")."""
    for name, value in rows:
        if not label.match(name):
            continue
        dates = [d for text in _DATE_RE.findall(value) if (d := parse_german_date(text))]
        if dates:
            return dates[-1] if last else dates[0]
    return None


def _date_in(pattern: re.Pattern[str], text: str) -> date | None:
    for match in pattern.finditer(text):
        if found := parse_german_date(next(g for g in match.groups() if g)):
            return found
    return None


def _deadline_in(text: str) -> date | None:
    """A labelled deadline, or "bis (spätestens) <date>" in a sentence about the application."""
    for match in _DEADLINE_TEXT_RE.finditer(text):
        labelled, loose = match[1], match[2]
        if loose:
            line_start = text.rfind("\n", 0, match.start()) + 1
            before = text[max(line_start, match.start() - 200) : match.start()]
            after = text[match.end() : match.end() + 80].split("\n", 1)[0]
            if not _BEWERB_RE.search(f"{before} {after}") or _TERM_RE.search(before):
                continue  # "befristet bis zum 31.12.2027" is the end of the contract, not the deadline
        if found := parse_german_date(labelled or loose):
            return found
    return None


def _start_date(rows: list[tuple[str, str]], text: str) -> date | None:
    value = fact([(n, v) for n, v in rows if not _DEADLINE_LABEL.match(n)], _START_LABEL)
    if value is not None:
        return None if _NO_START_RE.search(value) else parse_german_date(value)
    for match in _START_TEXT_RE.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line = text[line_start : line_end if line_end > 0 else None]
        if _START_CONTEXT_RE.search(line) and (found := parse_german_date(match[1])):
            return found
    return None


def reference_in(text: str) -> str | None:
    """The reference a text states ("Kennziffer: 2026/017", "Az. 12-345"), as (label, value) lines first."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return _reference(line_facts(lines), text[:MAX_TEXT])


def _reference(rows: list[tuple[str, str]], text: str) -> str | None:
    value = fact(rows, _REFERENCE_LABEL)
    if value and re.search(r"\d", value):
        return value.strip(" .,;")
    match = _REFERENCE_TEXT_RE.search(text)
    return match[1].rstrip(".,;") if match else None


def _department(rows: list[tuple[str, str]]) -> str | None:
    """The unit ("Sachgebiet: Sozialamt") before the office ("Dienststelle: Landratsamt Ebersberg"),
    which is the employer, not a department; an address is a place."""
    values = [value for name, value in rows if _DEPARTMENT_LABEL.match(name) and not parse_place(value)[1]]
    units = [value for value in values if not _is_site_name(value, "")]
    return units[0] if units else None


# ----------------------------------------------------------------------------------- place, contact

_STREET_RE = re.compile(r"(?i)\d|stra(?:ß|ss)e|str\.|platz|weg|ring|allee|gasse|park|damm|ufer")


def _fill_place(
    posting: RawPosting, rows: list[tuple[str, str]], main_lines: list[str], lines: list[str]
) -> None:
    """The labelled place ("Dienstort: 93309 Kelheim"), else the first address line, content first."""
    labelled = [value for name, value in rows if _PLACE_LABEL.match(name) or _DEPARTMENT_LABEL.match(name)]
    for text in labelled + main_lines + lines:
        street, postal_code, city = parse_place(text)
        if postal_code:
            posting.street, posting.postal_code, posting.city = _street(street), postal_code, _town(city)
            return


# The end of a sentence that names an address: "… für das Jobcenter in der Mainstraße 4" → "Mainstraße 4".
_STREET_TAIL_RE = re.compile(
    r"((?:[A-ZÄÖÜ][\wäöüß.-]*\s+(?:(?:der|dem|den)\s+)?)?[A-ZÄÖÜ][\wäöüß.-]*\s*\d+\s?[a-zA-Z]?)$"
)


def _street(text: str | None) -> str | None:
    street = text.rsplit(":", 1)[-1].strip() if text else ""
    if len(street.split()) > 4:
        match = _STREET_TAIL_RE.search(street)
        street = match[1] if match else ""
    return street if street and _STREET_RE.search(street) else None


def _town(city: str | None) -> str | None:
    """ "Bernried. Die Stelle ist …" → "Bernried": an address in running text ends with the sentence."""
    return re.split(r"\.\s+(?=[A-ZÄÖÜ])", city, maxsplit=1)[0].rstrip(".") if city else None


# A contact box's heading ("Ihre Ansprechpartnerin", "Kontakt") or a sentence naming the contact.
_CONTACT_HEAD_RE = re.compile(
    r"(?i)ansprechpartner|ansprechperson|^(?:ihr\s+|ihre\s+)?kontakt\b|fragen\s+(?:beantwortet|zur\s+stelle|zum)|"
    r"f[üu]r\s+(?:r[üu]ckfragen|fragen|ausk[üu]nfte|weitere\s+informationen)|ausk[üu]nfte\s+erteil"
)
_NAME_RE = re.compile(r"\b(?:Frau|Herr|Herrn)\s+(?:Dr\.\s+)?[A-ZÄÖÜ][\wäöüß-]+(?:\s+[A-ZÄÖÜ][\wäöüß-]+)?")
_BARE_NAME_RE = re.compile(r"^(?:Dr\.\s+)?[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?\s+[A-ZÄÖÜ][a-zäöüß-]+$")
# Two capitalised words that are a unit or a heading, not a person.
_NOT_A_NAME_RE = re.compile(
    r"(?i)amt\b|landkreis|verwaltung|abteilung|sachgebiet|personal|team|referat|stelle\b|leitung|"
    r"^(?:ihre?|unser|unsere|wir|das|die|der|weitere|mehr|zur|zum)\b"
)
_PHONE_LABEL_RE = re.compile(r"(?i)\btel\b|telefon|rufnummer")
_CONTACT_LINES = 6


# A sidebar or content box by its class (ikiss "mitarbeiter", TYPO3 "contact-box", …), not too large.
_CONTACT_BOX_XPATH = (
    "//*[self::div or self::aside or self::section or self::address or self::p or self::li]"
    f"[{_class_has('kontakt', 'contact', 'ansprech', 'mitarbeiter', 'person')}]"
)
_FAX_RE = re.compile(r"(?i)\bfax")
_MAX_BOX = 600  # characters: a larger "kontakt" element is a wrapper, not one person's box


def _fill_contact(posting: RawPosting, page: Selector, lines: list[str], main_text: str) -> None:
    """Name, phone and e-mail from a contact box: after "Ansprechpartner" or marked as one by its class.

    A box that names a person wins over one that only gives numbers (a service bar's switchboard).
    """
    windows = [lines[i : i + _CONTACT_LINES] for i, line in enumerate(lines) if _CONTACT_HEAD_RE.search(line)]
    for element in page.root.xpath(_CONTACT_BOX_XPATH):
        box_lines = [_readable_emails(line) for line in page_lines(element, skip_boilerplate=True)]
        if not _in_boilerplate(element) and sum(map(len, box_lines)) <= _MAX_BOX:
            windows.append([""] + box_lines)  # no heading line: the name may be the first line
    boxes = [box for box in map(_contact_box, windows) if box[1] or box[2]]
    if boxes:
        best = next((box for box in boxes if box[0]), boxes[0])
        posting.contact_name, posting.contact_phone, posting.contact_email = best
        return
    # No contact box: a phone number the text gives as such ("Tel. 09441 207-0"), never a bare number.
    phone_lines = [line for line in main_text.splitlines() if _PHONE_LABEL_RE.search(line)]
    posting.contact_phone = find_phone("\n".join(phone_lines))


def _contact_box(window: list[str]) -> tuple[str | None, str | None, str | None]:
    text = "\n".join(window)
    named = _NAME_RE.search(text)
    bare = (w for w in window[1:3] if _BARE_NAME_RE.match(w) and not _NOT_A_NAME_RE.search(w))
    name = named[0].replace("Herrn ", "Herr ") if named else next(bare, None)
    # The number labelled "Tel." first, never the fax number.
    labelled = [w for w in window if _PHONE_LABEL_RE.search(w) and not _FAX_RE.search(w)]
    phone = find_phone("\n".join(labelled)) or find_phone(
        "\n".join(w for w in window if not _FAX_RE.search(w))
    )
    return name, phone, find_email(text)


# Addresses written against spam harvesters: "anna.huber(at)landkreis-kelheim.de", "[at]", "(dot)".
_AT_RE = re.compile(r"(?i)\s*[(\[{]\s*(?:at|ät|@)\s*[)\]}]\s*")
_DOT_RE = re.compile(r"(?i)\s*[(\[{]\s*(?:dot|punkt)\s*[)\]}]\s*")


def _readable_emails(text: str) -> str:
    return _DOT_RE.sub(".", _AT_RE.sub("@", text)) if "(" in text or "[" in text or "{" in text else text


# ------------------------------------------------------------------------------------------ links

_APPLY_RE = re.compile(
    r"(?i)jetzt\s+(?:online\s+)?bewerben|online\s+bewerben|hier\s+bewerben|direkt\s+bewerben|"
    r"zur\s+(?:online-?)?bewerbung|online-?bewerbung|bewerbungsformular|bewerbungsportal|^bewerben$|^bewerbung$"
)


def _fill_links(posting: RawPosting, page: Selector, main_text: str, url: str) -> None:
    links = _content_links(page, url)
    for target, text in links:
        is_mail = target.lower().startswith("mailto:")
        if is_mail and re.search(r"(?i)bewerb", text) and not posting.apply_email:
            posting.apply_email = find_email(target)
        elif not is_mail and _APPLY_RE.search(text) and not target.lower().endswith(".pdf"):
            posting.apply_url = posting.apply_url or target
        elif not is_mail and _is_pdf(target):
            posting.attachments.append(target)
    posting.attachments = list(dict.fromkeys(posting.attachments))
    posting.apply_email = posting.apply_email or _apply_email(main_text)
    if posting.contact_email and posting.contact_email == posting.apply_email and not posting.contact_name:
        posting.contact_email = None


def _apply_email(text: str) -> str | None:
    """The address in a sentence about sending the application ("Bewerbungen … an bewerbung@…")."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        for address in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", line):
            context = " ".join(lines[max(0, i - 1) : i + 1])
            about_applying = _BEWERB_RE.search(context) and not _CONTACT_HEAD_RE.search(line)
            if about_applying or address.lower().startswith(("bewerbung", "personal")):
                return address.rstrip(".")
    return None


# ------------------------------------------------------------------------------------------ hints

_PLACE_FIELDS = {"street", "postal_code", "city", "lat", "lon"}
_NOT_FROM_HINTS = {
    "source_id",
    "url",
    "title",
    "description_html",
    "attachments",
    "structured",
    "source",
    "district",
}


def _fill_from_hints(posting: RawPosting, hints: RawPosting) -> None:
    """What the list row said fills what the page leaves out; the page wins where it speaks."""
    has_place = bool(posting.postal_code or posting.city)
    for field in dataclasses.fields(RawPosting):
        if field.name in _NOT_FROM_HINTS or (has_place and field.name in _PLACE_FIELDS):
            continue  # a place is one unit: no street of the row's place with the page's town
        if getattr(posting, field.name) in (None, "") and getattr(hints, field.name) not in (None, ""):
            setattr(posting, field.name, getattr(hints, field.name))
    if not posting.attachments:
        posting.attachments = list(hints.attachments)
