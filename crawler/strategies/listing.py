"""List pages without selectors: the repeated posting links of a vacancy page, and its next pages.

A vacancy page lists its postings as rows of a table, items of a list, or teaser cards (TYPO3 news,
ikiss, Drupal views …). They are recognised by structure — siblings with the same tag and class in
the same parent, each with a link — and by a posting-likeness check of their titles ("(m/w/d)",
"Sachbearbeiter", "Ingenieur", …), never by fixed selectors. Menus are lists of links too, but
their entries read "Bürgerservice", not "Sachbearbeiter (m/w/d)".

What a row says (deadline column, place, date, reference) is kept as a RawPosting: the hints for
the detail page, and the posting itself when that page fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import scrapy
from parsel import Selector

from crawler.items import RawPosting
from crawler.strategies.common import (
    absolute,
    clean_text,
    link_base,
    parse_place,
    slug,
    to_date,
    url_source_id,
)
from crawler.strategies.plain import looks_like_posting, page_lines

# A title that names a post. Public employers' postings almost always carry the gender marker, a
# job noun or a pay grade; menu entries and news headlines do not.
POSTING_TITLE_RE = re.compile(
    r"(?i)\(\s*[mwdfi]\s*[/|,]\s*[mwdfi]|\bm\s*/\s*w\s*/\s*d\b|\(\s*gn\s*\)|\w[*:_]innen?\b|"
    r"sachbearbeit|mitarbeiter|beschäftigte|fachkr(?:a|ä)ft|fachangestellte|leiter|leitung|ingenieur|"
    r"techniker|erzieher|pädagog|sozialarbeit|psycholog|\b(?:amts|fach)?(?:arzt|ärztin)\b|jurist|"
    r"beamt|inspektor|anwärter|auszubildende|ausbildung\s+(?:zum|zur|als)|praktik|duales?\s+studium|"
    r"referent|informatiker|administrator|hausmeister|reinigungskr|assistenz|sekretär|kraftfahrer|"
    r"straßenwärter|förster|controller|koordinator|beauftragte|manager|kontrolleur|hebamme|"
    r"pfleger|pflegefach|bibliothekar|gärtner|elektrik|stellenausschreibung|\bEG\s*\d|\bA\s*\d{1,2}\b|"
    r"tvöd|\b(?:voll|teil)zeit\b"
)
# The gender marker every public posting must carry ("(m/w/d)", "(w/m/d)", "(gn)", "Sachbearbeiter*in").
GENDER_MARK_RE = re.compile(
    r"(?i)\(\s*[mwdfi]\s*[/|,]\s*[mwdfi]|\bm\s*/\s*w\s*/\s*d\b|\(\s*gn\s*\)|\w[*:_]innen?\b"
)
# Rows of a vacancy page that are forms or notices, not postings.
NOT_A_POSTING_RE = re.compile(
    r"(?i)datenschutz|formular|merkblatt|antrag|satzung|impressum|bewerbungsbogen|initiativbewerbung"
)
# A row the employer marks as open to its own staff only: no public posting.
INTERNAL_RE = re.compile(r"(?i)nur\s+(?:für\s+)?interne|interne\s+(?:stellen)?ausschreibung|\bnur\s+intern\b")
# A link to the application form.
APPLY_RE = re.compile(r"(?i)\bbewerb(?:en|ung\s+(?:starten|absenden))\b|\bapply\b")
# Link texts that say "open" and not what: the card's heading is the title then.
GENERIC_LINK_RE = re.compile(
    r"(?i)^\W*(?:mehr|weiterlesen|weiter\s*lesen|mehr\s+(?:erfahren|lesen|infos?|informationen)|"
    r"details?|zur\s+(?:stelle|ausschreibung|stellenanzeige)|zum\s+(?:angebot|stellenangebot)|"
    r"ansehen|anzeigen|öffnen|hier|link|pdf|download|herunterladen|jetzt\s+bewerben|bewerben|"
    r"read\s+more|more)\W*$"
)
_DATE = (
    r"\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.\s?(?:Januar|Februar|März|April|Mai|"
    r"Juni|Juli|August|September|Oktober|November|Dezember)\s+\d{4}"
)
DATE_RE = re.compile(_DATE)
# Labels of the facts a row states, as column headers or as "Label: value" in a card.
_DEADLINE_LABEL = r"bewerbungsfrist|bewerbungsschluss|ende\s+der\s+bewerbungsfrist|frist|bewerbung\s+bis|bis"
_POSTED_LABEL = (
    r"veröffentlicht(?:\s+am)?|ver(?:ö|oe)ffentlichung|eingestellt(?:\s+am)?|online\s+seit|datum|vom"
)
_REFERENCE_LABEL = (
    r"kennziffer|kennung|kennz\.|aktenzeichen|az\.|referenz(?:nummer)?|ref\.-?nr\.|stellen-?nr\.|nr\."
)
_PLACE_LABEL = r"dienstort|einsatzort|arbeitsort|standort|ort|dienststelle"
_LABELS = {
    "deadline": re.compile(rf"(?i)^\W*(?:{_DEADLINE_LABEL})\W*$"),
    "date_posted": re.compile(rf"(?i)^\W*(?:{_POSTED_LABEL})\W*$"),
    "reference": re.compile(rf"(?i)^\W*(?:{_REFERENCE_LABEL})\W*$"),
    "place": re.compile(rf"(?i)^\W*(?:{_PLACE_LABEL})\W*$"),
}
_LABELLED = {
    "deadline": re.compile(rf"(?i)\b(?:{_DEADLINE_LABEL})\s*:?\s*(?:zum\s+|spätestens\s+)?({_DATE})"),
    "date_posted": re.compile(rf"(?i)\b(?:{_POSTED_LABEL})\s*:?\s*({_DATE})"),
    "reference": re.compile(rf"(?i)(?:^|\s)(?:{_REFERENCE_LABEL})\s*:?\s*([A-Z0-9][\w./-]*\d[\w./-]*)"),
    "place": re.compile(
        rf"(?i)\b(?:{_PLACE_LABEL})\s*:\s*([^|;\n]{{2,60}}?)(?=\s*(?:\||;|$|\s[A-ZÄÖÜ][a-zäöü]+:))"
    ),
}
# Landmarks whose links are the site's own chrome, not its content.
_CHROME_XPATH = (
    "ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside or "
    "ancestor::*[@role='navigation'] or ancestor::*[contains(@class, 'breadcrumb') or "
    "contains(@class, 'pagination') or contains(@class, 'pager') or contains(@class, 'menu') or "
    "contains(@class, 'nav') or contains(@id, 'menu') or contains(@id, 'nav')]"
)
_ITEM_TAGS = {"tr", "li", "dt", "dd"}
_CARD_TAGS = {"div", "article", "section", "p"}
_MAX_ITEM_DEPTH = 6  # ancestors climbed from a link to find the row or card it belongs to


@dataclass
class Row:
    """One posting as its list shows it."""

    url: str
    title: str
    hints: RawPosting

    @property
    def is_sure(self) -> bool:
        """The row itself says it is a posting (gender marker, deadline or reference): its fallback
        stands even when the detail page reads as no posting."""
        hints = self.hints
        return bool(GENDER_MARK_RE.search(self.title) or hints.deadline or hints.reference)

    @property
    def is_pdf(self) -> bool:
        return urlsplit(self.url).path.lower().endswith(".pdf")


def looks_like_posting_title(title: str) -> bool:
    return bool(POSTING_TITLE_RE.search(title or ""))


def posting_rows(
    response: scrapy.http.TextResponse, is_allowed: Callable[[str], bool], on_vacancy_page: bool
) -> list[Row]:
    """The postings a page lists: repeated rows, items or cards whose titles name posts.

    On a vacancy page a group of rows counts when at least half of its titles name posts; a lone row
    must name one itself. Elsewhere (a home page's teaser box) every row must name a post.
    """
    groups: dict[tuple, list[Selector]] = {}
    for anchor in response.xpath("//body//a[@href]"):
        if anchor.xpath(f"boolean({_CHROME_XPATH})").get() == "1":
            continue
        item = _item_of(anchor)
        if item is None:
            continue
        key = (_identity(item.xpath("..")[0]), item.root.tag, item.attrib.get("class", ""))
        members = groups.setdefault(key, [])
        if not any(m.root == item.root for m in members):
            members.append(item)
    rows: list[Row] = []
    seen: set[str] = set()
    for members in groups.values():
        found = [row for item in members if (row := _row(response, item, is_allowed)) is not None]
        found = [row for row in found if not NOT_A_POSTING_RE.search(f"{row.url} {row.title}")]
        likely = [row for row in found if looks_like_posting_title(row.title)]
        if not on_vacancy_page or len(likely) * 2 < len(found):
            found = likely
        for row in found:
            if row.url not in seen:
                seen.add(row.url)
                rows.append(row)
    return rows


def _identity(node: Selector) -> str:
    # lxml hands out short-lived proxies: id() of one may be reused by another element.
    return node.root.getroottree().getpath(node.root)


def _item_of(anchor: Selector) -> Selector | None:
    """The row, list item or repeated card a link belongs to."""
    node = anchor
    for _ in range(_MAX_ITEM_DEPTH):
        parents = node.xpath("..")
        if not parents or parents[0].root.tag in ("body", "html"):
            return None
        node = parents[0]
        tag = node.root.tag
        if tag in _ITEM_TAGS:
            return node
        if tag in _CARD_TAGS and node.attrib.get("class") and (_repeated(node) or _is_entry(node)):
            return node
    return None


# Class names CMS themes give a list's entries: a lone entry (the last list page) is still one.
_ENTRY_CLASS_RE = re.compile(r"(?i)item|entry|eintrag|teaser|card|result|listing|stelle|job")


def _is_entry(node: Selector) -> bool:
    return bool(_ENTRY_CLASS_RE.search(node.attrib.get("class", ""))) and bool(
        node.xpath(".//*[self::h2 or self::h3 or self::h4]")
    )


def _repeated(node: Selector) -> bool:
    # A card: its parent holds a sibling of the same tag and class.
    siblings = node.xpath(f"../{node.root.tag}[@class=$cls]", cls=node.attrib.get("class"))
    return len(siblings) >= 2


def _row(response: scrapy.http.TextResponse, item: Selector, is_allowed: Callable[[str], bool]) -> Row | None:
    links = []
    for anchor in item.xpath(".//a[@href]"):
        url = absolute(link_base(response), anchor.attrib.get("href"))
        if url and is_allowed(url) and url != response.url:
            text = clean_text(" ".join(anchor.xpath(".//text()").getall()) or anchor.attrib.get("title", ""))
            if not APPLY_RE.search(text):  # "Jetzt online bewerben" leads to a form, not to the posting
                links.append((url, text))
    if not links:
        return None
    heading = clean_text(
        " ".join(
            item.xpath(
                "(.//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or "
                "contains(@class, 'title') or contains(@class, 'titel') or contains(@class, 'headline')])[1]"
                "//text()"
            ).getall()
        )
    )
    named = [(url, text) for url, text in links if text and not GENERIC_LINK_RE.match(text)]
    url, link_text = (named or links)[0]
    title = heading or link_text
    if not title or GENERIC_LINK_RE.match(title):
        title = _first_cell_text(item)
    if not title:
        return None
    if INTERNAL_RE.search(" ".join(item.xpath(".//text()").getall())):
        return None
    hints = RawPosting(source_id=url_source_id(url), url=url, title=title)
    _fill_hints(hints, item)
    return Row(url=url, title=title, hints=hints)


def _first_cell_text(item: Selector) -> str:
    for cell in item.xpath("./td | ./th"):
        text = clean_text(" ".join(cell.xpath(".//text()").getall()))
        if text and not DATE_RE.fullmatch(text) and not GENERIC_LINK_RE.match(text):
            return text
    return ""


# ------------------------------------------------------------------------------- one-page lists

_HEADING_LEVELS = ("h2", "h3", "h4")


def section_postings(response: scrapy.http.TextResponse) -> list[RawPosting]:
    """Postings published as sections of one page: a heading that names a post, the text below it up
    to the next heading of its level. Each is its own posting at the page's URL with the heading's
    anchor ("…/stellenausschreibungen/#amtsarzt"); sections such as "Initiativbewerbung" or "So
    bewerben Sie sich" are none (the plain reader's posting check)."""
    found: list[RawPosting] = []
    page_url = response.url.split("#", 1)[0]
    # An accordion's <details><summary> is a heading too: its section is the rest of the <details>.
    for heading in response.xpath("//body//*[self::h2 or self::h3 or self::h4 or self::summary]"):
        if heading.xpath(f"boolean({_CHROME_XPATH})").get() == "1":
            continue
        title = clean_text(" ".join(heading.xpath(".//text()").getall()))
        if not looks_like_posting_title(title) or NOT_A_POSTING_RE.search(title):
            continue
        if _links_away(heading, response.url):
            continue  # a heading that links to the posting's own page is a list entry, read there
        body = _section_body(heading)
        section = Selector(text=f"<div>{''.join(body)}</div>").xpath("//body/div")[0]
        text = clean_text(" ".join(section.xpath(".//text()").getall()))
        if not looks_like_posting(title, text):
            continue
        anchor = (
            heading.attrib.get("id")
            or heading.xpath(".//a/@name | .//a/@id | self::summary/parent::details/@id").get()
            or _slug(title)
        )
        posting = RawPosting(
            source_id=f"{url_source_id(page_url)}#{anchor}",
            url=f"{page_url}#{anchor}",
            title=title,
            description_html="".join(body),
        )
        _fill_hints(posting, section)
        found.append(posting)
    return found


def _links_away(heading: Selector, page_url: str) -> bool:
    page = page_url.split("#", 1)[0]
    for href in heading.xpath(".//a/@href").getall():
        url = absolute(page_url, href)
        if url and url.split("#", 1)[0] != page:
            return True
    return False


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _slug(title: str) -> str:
    return slug(title.translate(_UMLAUTS))


def _section_body(heading: Selector) -> list[str]:
    if heading.root.tag == "summary":
        return [sibling.get() for sibling in heading.xpath("following-sibling::*")]
    level = _HEADING_LEVELS.index(heading.root.tag)
    parts = []
    for sibling in heading.xpath("following-sibling::*"):
        tag = sibling.root.tag
        if tag == "h1" or (tag in _HEADING_LEVELS and _HEADING_LEVELS.index(tag) <= level):
            break
        parts.append(sibling.get())
    return parts


# ------------------------------------------------------------------------------------------ hints


def _fill_hints(hints: RawPosting, item: Selector) -> None:
    """What the row states: by its table's column headers, by definition lists, by "Label: value"."""
    found: dict[str, str] = {}
    if item.root.tag == "tr":
        found.update(_by_columns(item))
    for term in item.xpath(".//dt"):
        label = _label_of(clean_text(" ".join(term.xpath(".//text()").getall())))
        value = clean_text(" ".join(term.xpath("following-sibling::dd[1]//text()").getall()))
        if label and value:
            found.setdefault(label, value)
    # One line per block (cell, paragraph): "Dienstort: 84130 Dingolfing." ends with its paragraph.
    text = " | ".join(page_lines(item.root, skip_boilerplate=False))
    for name, pattern in _LABELLED.items():
        if name not in found and (match := pattern.search(text)):
            found[name] = match[1]
    if "date_posted" not in found:  # a news list's unlabelled date is the day it was published
        dated = clean_text(
            " ".join(
                item.xpath(".//*[contains(@class, 'date') or contains(@class, 'datum')]//text()").getall()
            )
        )
        if match := DATE_RE.search(dated):
            found["date_posted"] = match[0]
    if "deadline" in found and (match := DATE_RE.search(found["deadline"])):
        hints.deadline = to_date(match[0])
    if "date_posted" in found and (match := DATE_RE.search(found["date_posted"])):
        hints.date_posted = to_date(match[0])
    hints.reference = found.get("reference") or None
    if place := found.get("place"):
        street, postal_code, city = parse_place(place)
        hints.street, hints.postal_code = street, postal_code
        hints.city = city or place


def _label_of(text: str) -> str | None:
    for name, pattern in _LABELS.items():
        if pattern.match(text):
            return name
    return None


def _by_columns(row: Selector) -> dict[str, str]:
    """Cells by their column's header; a date cell without a header is the deadline."""
    headers = [
        clean_text(" ".join(th.xpath(".//text()").getall()))
        for th in row.xpath("ancestor::table[1]/thead/tr[1]/th | ancestor::table[1]/thead/tr[1]/td")
    ]
    if not headers:
        first = row.xpath("ancestor::table[1]//tr[1]")
        if first and first[0].root is not row.root and first[0].xpath("./th"):
            headers = [
                clean_text(" ".join(c.xpath(".//text()").getall())) for c in first[0].xpath("./th|./td")
            ]
    found: dict[str, str] = {}
    for index, cell in enumerate(row.xpath("./td | ./th")):
        value = clean_text(" ".join(cell.xpath(".//text()").getall()))
        label = _label_of(headers[index]) if index < len(headers) else None
        if label is None and not headers and DATE_RE.fullmatch(value):
            label = "deadline"
        if label and value:
            found.setdefault(label, value)
    return found


# ------------------------------------------------------------------------------------- pagination

NEXT_TEXT_RE = re.compile(
    r"(?i)^\W*(?:weiter|nächste(?:\s+seite)?|naechste(?:\s+seite)?|vor|next|seite\s*\d{1,3}|\d{1,3})"
    r"\s*[»›>]*\W*$|^\s*[»›>]{1,2}\s*$"
)
_NEXT_LABEL_RE = re.compile(r"(?i)nächste|naechste|weiter|next")
_PAGE_KEY_RE = re.compile(r"(?i)seite|page|start|offset|^p$|^pg$|^s$|pagenum|currentpage")
_ID_KEY_RE = re.compile(r"(?i)id$|^nr$|^no$")
_PAGE_PATH_RE = re.compile(r"(?i)^(?:(?:seite|page|p)[-_/]?)?\d{1,4}(?:\.html?)?/?$")
MAX_LIST_PAGES = 20  # list pages per pagination chain


def next_pages(response: scrapy.http.TextResponse, is_allowed: Callable[[str], bool]) -> list[str]:
    """The further pages of a list: rel=next, "weiter »", "nächste Seite", "›", "Seite 2", numbers.

    Only links that stay on the list: the same path with a page-like query change (?seite=, ?page=,
    ?start=, ?p=), or the path plus a page number ("/seite/2/"). A "weiter" into another part of
    the site is no next page.
    """
    found: list[str] = []
    for href in response.xpath(
        "//a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href | "
        "//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
    ).getall():
        url = absolute(link_base(response), href)
        if url and is_allowed(url) and url != response.url:
            found.append(url)
    for anchor in response.xpath("//body//a[@href]"):
        text = clean_text(" ".join(anchor.xpath(".//text()").getall()))
        label = " ".join(anchor.xpath("@title | @aria-label").getall())
        if not (NEXT_TEXT_RE.match(text) or (not text.strip("»›> ") and _NEXT_LABEL_RE.search(label))):
            continue
        url = absolute(link_base(response), anchor.attrib.get("href"))
        if url and url != response.url and is_allowed(url) and is_page_step(response.url, url):
            found.append(url)
    return list(dict.fromkeys(found))


def _is_page_key(key: str) -> bool:
    # "seite", "page", "start", "tx_news_pi1[@widget_0][currentPage]", and short CMS keys ("pi", "pg");
    # never a posting's id ("id", "uid", "stelle").
    return bool(_PAGE_KEY_RE.search(key) or (len(key) <= 3 and not _ID_KEY_RE.search(key)))


def _directory(path: str) -> str:
    # "/stellen/" and "/stellen/index.php" are one page.
    return re.sub(r"(?i)/(?:index|default)\.(?:html?|php\d?|aspx?|jsp)$", "", path).rstrip("/")


def is_page_step(current: str, target: str) -> bool:
    """Does `target` show another page of the same list as `current`?"""
    a, b = urlsplit(current), urlsplit(target)
    if a.netloc.lower() != b.netloc.lower():
        return False
    if _directory(a.path) == _directory(b.path):
        old, new = dict(parse_qsl(a.query)), dict(parse_qsl(b.query))
        changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
        return bool(changed) and all(
            _is_page_key(k) and re.fullmatch(r"\d{1,6}", new.get(k, "0")) for k in changed
        )
    # "/stellen/" → "/stellen/seite/2/"; "/stellen/seite/2/" → "/stellen/seite/3/"; "liste_2.html"
    base, path = a.path.rstrip("/"), b.path
    if path.startswith(base + "/") and _PAGE_PATH_RE.match(path[len(base) + 1 :]):
        return True
    digitless = re.sub(r"\d+", "#", a.path.rstrip("/")), re.sub(r"\d+", "#", b.path.rstrip("/"))
    return digitless[0] == digitless[1] and "#" in digitless[1]
