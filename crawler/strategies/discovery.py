"""Finding a district's vacancy pages: scored navigation links, robots.txt and sitemap.xml.

A Landratsamt home page links its vacancies from the menu ("Stellenangebote", "Karriere", "Arbeiten
beim Landratsamt", …), and mentions "Stellen" in many words that are no vacancies ("Beratungsstellen",
"Zulassungsstelle", "Stellungnahme"). Links are scored by what their text and path say, with a bonus
for menus and a malus for long running text, so that menus rank above passing mentions.

Sitemaps are read with Scrapy's own utilities (`Sitemap`, `sitemap_urls_from_robots`): their URLs whose
path says stellen/karriere/job/ausschreibung are vacancy pages or posting candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.strategies.common import absolute, clean_text, link_base

# What a vacancy page or a menu entry leading to one is called. Every term starts at a word boundary,
# so that "Beratungsstellen", "Haltestellen" or "Zulassungsstelle" never match.
_STRONG = (
    r"\bstellen-?angebot|\bstellen-?ausschreibung|\bstellen-?b(?:ö|oe|o)rse|\bstellenmarkt|"
    r"\bjob-?b(?:ö|oe|o)rse|\b(?:offene|freie|aktuelle)[-_ ]stellen\b|\bkarriere|\bjobs?\b|"
    r"\barbeiten[-_ ](?:bei|beim|im|am|für)\b|\barbeitgeber[-_ ](?:landratsamt|landkreis)"
)
# Apprenticeships: a vacancy page too, but not "Ausbildungsförderung" (BAföG, an office service).
_TRAINING = r"\bausbildung(?:splätze|splaetze|sstellen|sangebote)?\b"
VACANCY_RE = re.compile(rf"(?i){_STRONG}|{_TRAINING}|\bstellen\b")
_STRONG_RE = re.compile(f"(?i){_STRONG}")
_TRAINING_RE = re.compile(f"(?i){_TRAINING}")
_BARE_STELLEN_RE = re.compile(r"(?i)^\W*stellen\W*$|^\W*stellen\s*(?:&|und|/)\s*\w+\W*$")
# A sitemap path that is about vacancies (a list page or a posting).
SITEMAP_PATH_RE = re.compile(r"(?i)\bstellen|karriere|\bjobs?\b|ausschreibung|\bausbildung\b")
# Menus: the navigation landmarks and the class/id names CMS themes give them.
_NAV_XPATH = (
    "ancestor::nav or ancestor::header or ancestor::*[@role='navigation'] or "
    "ancestor::*[contains(@class, 'nav') or contains(@class, 'menu') or contains(@id, 'nav') or "
    "contains(@id, 'menu')]"
)
_SENTENCE_TAGS = {"p", "td", "dd", "span", "strong", "em", "b"}
MIN_SCORE = 3  # a vacancy word in the link text; a path alone only counts in a menu
MAX_VACANCY_LINKS = 10  # per page, best first
MAX_SITEMAPS = 10  # sub-sitemaps followed from one sitemap index
MAX_SITEMAP_URLS = 200  # vacancy URLs taken from one sitemap


@dataclass(frozen=True)
class VacancyLink:
    url: str
    text: str
    score: int


def link_score(url: str, text: str, in_menu: bool) -> int:
    """How surely a link leads to vacancies: its text counts most, its path less, a menu adds."""
    text = clean_text(text)
    path = unquote(urlsplit(url).path)
    score = 0
    if _STRONG_RE.search(text) or _BARE_STELLEN_RE.search(text):
        score += 3
    elif _TRAINING_RE.search(text):
        score += 2
    if VACANCY_RE.search(path.replace("/", " ")):
        score += 2
    if score and in_menu:
        score += 2
    if len(text.split()) > 8:  # running text that mentions jobs in passing
        score -= 2
    return score


def vacancy_links(response: scrapy.http.TextResponse, is_allowed) -> list[VacancyLink]:
    """Same-site links that lead to vacancy pages, best first (menus above passing mentions)."""
    best: dict[str, VacancyLink] = {}
    for anchor in response.css("a[href]"):
        url = absolute(link_base(response), anchor.attrib.get("href"))
        if not url or url == response.url or not is_allowed(url) or url.lower().endswith(".pdf"):
            continue
        text = clean_text(" ".join(anchor.css("::text").getall()) or anchor.attrib.get("title", ""))
        score = link_score(url, text, anchor.xpath(f"boolean({_NAV_XPATH})").get() == "1")
        if score < MIN_SCORE and _said_around(anchor, text):
            score = MIN_SCORE
        if score >= MIN_SCORE and (url not in best or best[url].score < score):
            best[url] = VacancyLink(url, text, score)
    return sorted(best.values(), key=lambda link: -link.score)[:MAX_VACANCY_LINKS]


def _said_around(anchor, text: str) -> bool:
    """A short link in a short sentence that says where the vacancies are ("Unsere
    Stellenausschreibungen veröffentlichen wir unter <a>Aktuelles</a>", "Offene Stellen: <a>hier</a>")."""
    parent = anchor.xpath("..")
    if len(text.split()) > 4 or not parent or parent[0].root.tag not in _SENTENCE_TAGS:
        return False
    if anchor.xpath(f"boolean({_NAV_XPATH})").get() == "1":
        return False  # a menu's neighbours are other menu entries, not a sentence
    context = clean_text(" ".join(parent[0].xpath(".//text()").getall()))
    return len(context.split()) <= 30 and bool(_STRONG_RE.search(context))


def is_vacancy_page(response: scrapy.http.Response) -> bool:
    """The page's URL path, title or first heading says Stellenangebote, Karriere, Jobs, …"""
    texts = [unquote(urlsplit(response.url).path).replace("/", " ")]
    if isinstance(response, scrapy.http.TextResponse):
        texts.append(" ".join(response.css("title ::text").getall()))
        texts.append(" ".join(response.css("h1 ::text").getall()[:3]))
    return any(VACANCY_RE.search(text) for text in texts)


# The wording of a vacancy page that has nothing on offer right now (then 0 postings is right).
NO_VACANCIES_RE = re.compile(
    r"(?i)\b(?:derzeit|zurzeit|zur\s+zeit|momentan|aktuell|gegenwärtig|im\s+moment)\b[^.!?]{0,60}?"
    r"\bkeine\b[^.!?]{0,30}?\b(?:stellen|stellenangebote|stellenausschreibungen|ausschreibungen|"
    r"vakanzen|jobs|ausbildungsplätze)\b|"
    r"\bkeine\s+(?:offenen|freien|aktuellen|ausgeschriebenen)\s+(?:stellen|stellenangebote|"
    r"stellenausschreibungen)\b|"
    r"\bkeine\s+stellen(?:angebote|ausschreibungen)?\s+(?:vorhanden|verfügbar|ausgeschrieben)\b"
)


def says_no_vacancies(response: scrapy.http.Response) -> bool:
    if not isinstance(response, scrapy.http.TextResponse):
        return False
    text = clean_text(" ".join(response.xpath("//body//text()[not(ancestor::script)]").getall()))
    return bool(NO_VACANCIES_RE.search(text))


# ------------------------------------------------------------------------------------- sitemaps


def site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sitemap_urls(response: scrapy.http.Response) -> list[str]:
    """The sitemaps a robots.txt declares (`Sitemap:` lines), absolute."""
    return list(dict.fromkeys(sitemap_urls_from_robots(response.body, base_url=response.url)))


@dataclass
class SitemapEntries:
    sitemaps: list[str]  # sub-sitemaps of a sitemap index
    vacancy_pages: list[str]  # paths that end in a vacancy word: list pages
    candidates: list[str]  # paths below a vacancy word: postings, perhaps


def read_sitemap(response: scrapy.http.Response) -> SitemapEntries:
    """A sitemap or sitemap index (gzipped or not) as the URLs a vacancy crawl wants."""
    entries = SitemapEntries([], [], [])
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=20 * 1024 * 1024)
        except OSError:
            return entries
    if body.lstrip()[:1] != b"<":
        return entries  # an HTML error page served with 200, or nothing
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml gives up on documents that are no XML at all
        return entries
    # A gzipped sitemap (application/gzip) arrives as a binary Response: no <base>, its own URL is the base.
    base = link_base(response) if isinstance(response, scrapy.http.TextResponse) else response.url
    for entry in sitemap:
        url = absolute(base, entry.get("loc"))
        if not url:
            continue
        if sitemap.type == "sitemapindex":
            entries.sitemaps.append(url)
        else:
            _sort_url(url, entries)
    entries.sitemaps = entries.sitemaps[:MAX_SITEMAPS]
    entries.vacancy_pages = entries.vacancy_pages[:MAX_VACANCY_LINKS]
    entries.candidates = entries.candidates[:MAX_SITEMAP_URLS]
    return entries


def _sort_url(url: str, entries: SitemapEntries) -> None:
    segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
    if not segments or not any(SITEMAP_PATH_RE.search(s) for s in segments):
        return
    # "/karriere/stellenangebote/" is a list; "/stellenangebote/sachbearbeiter-m-w-d.html" a posting.
    if _is_list_segment(segments[-1]):
        entries.vacancy_pages.append(url)
    else:
        entries.candidates.append(url)


_FILLER_RE = re.compile(
    r"(?i)\b(?:index|uebersicht|übersicht|liste|beim|bei|im|am|und|das|die|der|landratsamt|landkreis)\b"
)


def _is_list_segment(segment: str) -> bool:
    """A path segment that names a vacancy page and nothing else ("stellenangebote", "offene-stellen")."""
    words = re.sub(r"\.(?:html?|php|aspx?)$", "", segment.lower())
    words = re.sub(r"[-_.+]+", " ", words)
    if not VACANCY_RE.search(words):
        return False
    rest = _FILLER_RE.sub(" ", VACANCY_RE.sub(" ", words))
    return len(re.sub(r"[^a-zäöüß]", "", rest)) <= 3
