"""Postings published as PDF files linked from list pages.

Options: ``link_selector`` (default ``a[href$=".pdf"]``), ``next_selector``. The text comes from
PDFium (pypdfium2: Chromium's PDF engine, about three times faster than pypdf on these files); facts
are found line by line with the normalisation helpers, so a scanned PDF without a text layer yields a
parse error rather than an empty posting.

The title, in order: the line printed under "Stellenausschreibung" (skipping letterhead, dates and
"… sucht zum nächstmöglichen Zeitpunkt"), the PDF's metadata title, the line with "(m/w/d)", the link
text without its download adornments ("(PDF, 120 KB)", "[PDF]", "herunterladen"), the first line that
is not letterhead, the file name. The printed heading comes before the metadata because district
offices copy last year's Word file, and its metadata title with it.

The place: a "Dienstort:"/"Arbeitsort:" line, else the first address in the letterhead ("Donaupark 12,
93309 Kelheim", "D-93309 Kelheim"). A postal code counts only at the start of an address segment and
followed by a place name, so phone numbers, Kennziffern and amounts are not taken for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import pypdfium2
import scrapy

from crawler.items import RawPosting
from crawler.strategies.common import (
    DETAIL,
    Strategy,
    clean_text,
    find_email,
    node_text,
    select,
    text_to_html,
    url_source_id,
)
from vacancies.normalize import (
    parse_career_level,
    parse_fixed_term,
    parse_german_date,
    parse_pay,
    parse_working_time,
)

DEFAULT_LINKS = 'a[href$=".pdf"], a[href$=".PDF"]'
_GENDER_RE = re.compile(r"\(\s*[mwdfi]\s*/\s*[mwdfi]")
_BOILERPLATE_RE = re.compile(
    r"(?i)^(?:landratsamt|landkreis|der landkreis|das landratsamt|stellenausschreibung|stellenangebot|"
    r"ausschreibung|seite\s+\d|page\s+\d|\d|sucht|wir suchen|zum n[äa]chstm[öo]glichen)"
)
_DEADLINE_RE = re.compile(
    r"(?i)(?:bewerbungsfrist|bewerbungsschluss|einsendeschluss|bis\s+(?:sp[äa]testens\s+)?(?:zum\s+)?)"
)
_REFERENCE_RE = re.compile(
    r"(?i)\b(?:kennziffer|kennz\.|kennzahl|referenznummer|stellen-?nr\.?|ausschreibungs-?nr\.?|"
    r"ausschreibungsnummer)\s*[:.]?\s*([A-Za-z0-9][\w/.\-]*[A-Za-z0-9])"
)
_HEADING_RE = re.compile(
    r"(?i)^(?:(?:interne|externe|öffentliche)\s+)?(?:stellenausschreibung|stellenangebot|ausschreibung)"
    r"(?:\s*$|\s*[:\-–]\s*(?P<inline>.*)$|\s+(?:nr\.|nummer|vom|des|der|für|im|beim)\b.{0,60}$)"
)
# Lines between the heading and the title: dates, the "… sucht zum nächstmöglichen Zeitpunkt eine/n"
# sentence, lead-ins ending in a colon, contact lines.
_DATE_RE = re.compile(
    r"\b\d{1,2}\.\s?(?:\d{1,2}\.\s?\d{2,4}|(?:januar|februar|märz|april|mai|juni|juli|august|september|"
    r"oktober|november|dezember)\s+\d{4})",
    re.IGNORECASE,
)
_INTRO_RE = re.compile(
    r"(?i)\b(?:sucht|suchen|zu besetzen|n[äa]chstm[öo]glichen|zeitpunkt)\b|:\s*$|"
    r"^(?:tel\.?|telefon|fax|telefax|e-?mail|internet|www\.|postfach|az\.|aktenzeichen)\b"
)
_SIZE = r"\d+(?:[.,]\d+)?\s*(?:[kmg]i?b|[kmg]byte|bytes?)"
_ADORNMENT = (
    r"(?:pdf|docx?|odt|rtf)(?:[-\s]?(?:datei|dokument|format|file))?|datei(?:typ|größe)?|dokument|"
    r"(?:zum\s+)?download|herunterladen|application/pdf|" + _SIZE + r"|größe|format|"
    r"öffnet\s+in\s+(?:einem\s+)?neue[nm]?\s+(?:fenster|tab)|externer\s+link"
)
_ADORNED_GROUP_RE = re.compile(rf"(?i)\s*[(\[]\s*(?:(?:{_ADORNMENT})\b[\s,;:|/–\-]*)+[)\]]")
_ADORNED_START_RE = re.compile(rf"(?i)^(?:{_ADORNMENT})\b[\s,;:|/–\-]*")
_ADORNED_END_RE = re.compile(rf"(?i)[\s,;:|/–\-]*\b(?:{_ADORNMENT})$|\.pdf$")
_DEPARTMENT_RE = re.compile(
    r"(?i)^\s*((?:abteilung|sachgebiet|fachbereich|referat|fachstelle|amt\s+f[üu]r)\b.*)$"
    r"|\b(?:im|beim|f[üu]r\s+das|f[üu]r\s+den)\s+((?:kreis)?\w+amt)\b"
)


class PdfStrategy(Strategy):
    name = "pdf"

    def parse_list(self, response: scrapy.http.TextResponse) -> Iterator[Any]:
        seen: set[str] = set()
        for anchor in select(response, self.option("link_selector", DEFAULT_LINKS)):
            url = response.urljoin(anchor.attrib.get("href", "")) if anchor.attrib.get("href") else None
            if url and url not in seen and self.reporter.is_allowed(url):
                seen.add(url)
                yield self.follow(url, "parse_pdf", DETAIL, link_text=node_text([anchor]))
        yield from self.next_pages(response)

    def parse_pdf(self, response: scrapy.http.Response) -> Iterator[RawPosting]:
        text, title = pdf_contents(response.body)
        posting = posting_from_text(text, response.url, response.meta.get("link_text") or "", title)
        if posting is None:
            self.reporter.record_parse_error(response.url, "PDF ohne lesbaren Text (gescannt?)")
            return
        yield posting


def pdf_contents(body: bytes) -> tuple[str, str]:
    """(text layer, metadata title) of a PDF, read once; ValueError when the file is no readable PDF."""
    if not body.lstrip()[:5].startswith(b"%PDF"):
        raise ValueError("keine PDF-Datei")
    try:
        document = pypdfium2.PdfDocument(body)
    except pypdfium2.PdfiumError as exc:
        raise ValueError(f"PDF nicht lesbar: {exc}") from exc
    try:
        text = "\n".join(_page_text(page) for page in document)
        return text, _meta_title(document.get_metadata_dict())
    except pypdfium2.PdfiumError as exc:
        raise ValueError(f"PDF nicht lesbar: {exc}") from exc
    finally:
        document.close()


def _page_text(page: pypdfium2.PdfPage) -> str:
    text_page = page.get_textpage()
    try:
        text = text_page.get_text_range()
    finally:
        text_page.close()
        page.close()
    # PDFium joins a word hyphenated at the end of a line and marks the hyphen (U+FFFE); give the line
    # break back, so lines (title, pay grade, deadline) are the lines a reader sees.
    return text.replace("\ufffe", "-\n")


def _meta_title(metadata: dict[str, str]) -> str:
    """The title in the PDF's metadata ('' when absent or generic, like 'Microsoft Word - x.docx')."""
    title = clean_text(metadata.get("Title") or "")
    if re.match(r"(?i)(microsoft|untitled|unbenannt|dokument\d*$)", title) or title.lower().endswith(
        (".doc", ".docx")
    ):
        return ""
    # "Stellenausschreibung" alone, or a file name like "Ausschreibung_2026_03", names no position.
    if re.fullmatch(r"(?i)(?:stellen)?ausschreibung|stellenangebot|\S*_\S*", title):
        return ""
    return title


def best_title(lines: list[str], link_text: str, meta_title: str, url: str = "") -> str | None:
    """The posting's title (order in the module docstring); a long title wraps in the PDF, so a link
    text that continues the chosen line is the whole title."""
    link = link_title(link_text)
    for line in (_heading_title(lines), meta_title, _title(lines)):
        if line:
            longer = (t for t in (meta_title, link) if t.startswith(line) and len(t) > len(line))
            return next(longer, line)
    return link or _first_line(lines) or file_title(url) or None


def link_title(link_text: str) -> str:
    """A link text without download adornments: "Koch (m/w/d) (PDF, 120 KB)" -> "Koch (m/w/d)"."""
    text = clean_text(link_text)
    if re.fullmatch(r"(?i)\S+\.pdf", text):  # the link shows the file name
        return file_title(text)
    previous = None
    while text != previous:
        previous = text
        text = _ADORNED_GROUP_RE.sub("", text)
        text = _ADORNED_START_RE.sub("", text)
        text = _ADORNED_END_RE.sub("", text)
        text = text.strip(" \t,;:|/–-")
        if re.fullmatch(r"[(\[].*[)\]]", text) and not re.search(r"[)\]].*[(\[]", text):
            text = text[1:-1].strip()
    return _without_heading(text) if _meaningful(text) else ""


def file_title(url: str) -> str:
    """A title from a file name: ".../Ausschreibung_Sachbearbeiter_Bauamt.pdf" -> "Sachbearbeiter Bauamt"."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = clean_text(re.sub(r"[_+\-]+", " ", re.sub(r"(?i)\.pdf$", "", name)))
    name = _without_heading(name)
    return name[:1].upper() + name[1:] if _meaningful(name) else ""


def _without_heading(text: str) -> str:
    rest = re.sub(r"(?i)^(?:stellenausschreibung|stellenangebot|ausschreibung)\b[\s:–\-]*", "", text)
    return rest if _meaningful(rest) else text


def _meaningful(text: str) -> bool:
    return len(text) >= 4 and bool(re.search(r"[A-Za-zÄÖÜäöüß]{3}", text))


def posting_from_text(text: str, url: str, link_text: str = "", meta_title: str = "") -> RawPosting | None:
    lines = [clean_text(line) for line in text.splitlines() if clean_text(line)]
    if not lines:
        return None
    reference = _first_group(_REFERENCE_RE, text)
    street, postal_code, city = find_place(lines)
    return RawPosting(
        # The document's URL is its identity: Kennziffern get reused and are often typed inconsistently.
        source_id=url_source_id(url),
        url=url,
        title=best_title(lines, link_text, meta_title, url) or "",  # none: the pipeline rejects "Titel fehlt"
        description_html=text_to_html(text),
        department=_department(lines),
        street=street,
        postal_code=postal_code,
        city=city,
        deadline=_deadline(text),
        reference=reference,
        pay_text=_line_where(lines, lambda line: parse_pay(line).has_grade),
        working_time_text=_line_where(lines, lambda line: bool(parse_working_time(line))),
        term_text=_line_where(lines, lambda line: parse_fixed_term(line)[0] is not None),
        career_text=_line_where(lines, lambda line: parse_career_level(line) is not None),
        contact_email=find_email(text),
        attachments=[url],
    )


def _heading_title(lines: list[str]) -> str | None:
    """The first meaningful line under "Stellenausschreibung" (or its text after a colon); a line
    with "(m/w/d)" among the next few wins over a department line printed above it."""
    for index, line in enumerate(lines[:25]):
        if not (match := _HEADING_RE.match(line)):
            continue
        inline = clean_text(match["inline"] or "")
        if _meaningful(inline) and not _DATE_RE.search(inline):
            return inline
        candidates = [c for c in lines[index + 1 : index + 7] if _title_candidate(c)]
        return next((c for c in candidates if _GENDER_RE.search(c)), candidates[0] if candidates else None)
    return None


def _title_candidate(line: str) -> bool:
    return (
        _meaningful(line)
        and not _BOILERPLATE_RE.match(line)
        and not _HEADING_RE.match(line)
        and not _DATE_RE.search(line)
        and not _INTRO_RE.search(line)
        and not _REFERENCE_RE.search(line)
        and not find_email(line)
        and _address(line) is None
    )


def _title(lines: list[str]) -> str | None:
    """The line with "(m/w/d)"."""
    return next((line for line in lines[:25] if _GENDER_RE.search(line)), None)


def _first_line(lines: list[str]) -> str | None:
    """The first line that is not letterhead (nor an address, a date or a contact line)."""
    return next((line for line in lines[:25] if len(line) >= 8 and _title_candidate(line)), None)


# ----------------------------------------------------------------------------------------- place

_PLACE_LABEL_RE = re.compile(r"(?i)^(?:dienstort|arbeitsort|einsatzort|dienstsitz)\s*:\s*(.+)$")
_CONTACT_WORD = r"(?i:tel\.?|telefon|fax|telefax|e-?mail|internet|www|postfach|den)\b"
# One segment of an address line: "93309 Kelheim", "D-93309 Kelheim", "93309 Kelheim Tel. 09441 207-0",
# "92318 Neumarkt i.d.OPf.". The place is words without digits, the first one capitalised.
_SEGMENT_RE = re.compile(
    r"^(?:D[- ]|DE-)?(?P<code>(?!00)\d{5})\s+"
    rf"(?P<city>[A-ZÄÖÜ][A-Za-zÄÖÜäöüß.()\-]*(?:\s+(?!{_CONTACT_WORD})[A-Za-zÄÖÜäöüß.()\-]+){{0,4}})"
    rf"(?:\s+{_CONTACT_WORD}.*)?$"
)
_NOT_A_PLACE = {"euro", "eur", "einwohner", "beschäftigte", "mitarbeiter", "mitarbeitende", "stunden"}
_STREET_RE = re.compile(r"(?i)^(?!postfach\b)[a-zäöüß][a-zäöüß.\- ]+\s\d{1,4}\s?[a-z]?$")


def find_place(lines: list[str]) -> tuple[str | None, str | None, str | None]:
    """(street, postal code, city): the "Dienstort:" line, else the first letterhead address."""
    for line in lines:
        if match := _PLACE_LABEL_RE.match(line):
            # A stated place of work wins; without a postal code it is still the place (the letterhead's
            # code would belong to another town).
            return _address(match[1]) or (None, None, clean_text(match[1].split(",")[-1]) or None)
    for line in lines[:20]:
        if found := _address(line):
            return found
    return None, None, None


def _address(line: str) -> tuple[str | None, str, str] | None:
    """(street, postal code, city) when a segment of the line is an address, else None."""
    segments = [s.strip() for s in re.split(r"\s*[,;|·•]\s*|\s+[–\-]\s+", line) if s.strip()]
    for index, segment in enumerate(segments):
        match = _SEGMENT_RE.match(segment)
        if not match or match["city"].split()[0].lower() in _NOT_A_PLACE:
            continue
        before = segments[index - 1] if index else ""
        return (before if _STREET_RE.match(before) else None), match["code"], match["city"]
    return None


def _deadline(text: str) -> Any:
    flat = clean_text(text)
    for match in _DEADLINE_RE.finditer(flat):
        if found := parse_german_date(flat[match.end() : match.end() + 60]):
            return found
    return None


def _department(lines: list[str]) -> str | None:
    for line in lines:
        if match := _DEPARTMENT_RE.search(line):
            return clean_text(match[1] or match[2])
    return None


def _line_where(lines: list[str], test) -> str | None:
    return next((line for line in lines if test(line)), None)


def _first_group(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match[1] if match else None
