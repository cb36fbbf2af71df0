"""Postings published as PDF files linked from list pages.

Options: ``link_selector`` (default ``a[href$=".pdf"]``), ``next_selector``. The text comes from
PDFium (pypdfium2: Chromium's PDF engine, about three times faster than pypdf on these files); facts
are found line by line with the normalisation helpers, so a scanned PDF without a text layer yields a
parse error rather than an empty posting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

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
    return title


def best_title(lines: list[str], link_text: str, meta_title: str) -> str | None:
    """Metadata title, else the text line; a long title wraps in the PDF, so a link text that continues
    the line is the whole title."""
    if meta_title:
        return meta_title
    line = _title(lines)
    link = clean_text(link_text)
    if line and link.startswith(line) and len(link) > len(line):
        return link
    return line or link or None


def posting_from_text(text: str, url: str, link_text: str = "", meta_title: str = "") -> RawPosting | None:
    lines = [clean_text(line) for line in text.splitlines() if clean_text(line)]
    if not lines:
        return None
    reference = _first_group(_REFERENCE_RE, text)
    return RawPosting(
        # The document's URL is its identity: Kennziffern get reused and are often typed inconsistently.
        source_id=url_source_id(url),
        url=url,
        title=best_title(lines, link_text, meta_title),
        description_html=text_to_html(text),
        department=_department(lines),
        deadline=_deadline(text),
        reference=reference,
        pay_text=_line_where(lines, lambda line: parse_pay(line).grade_max is not None),
        working_time_text=_line_where(lines, lambda line: bool(parse_working_time(line))),
        term_text=_line_where(lines, lambda line: parse_fixed_term(line)[0] is not None),
        career_text=_line_where(lines, lambda line: parse_career_level(line) is not None),
        contact_email=find_email(text),
        attachments=[url],
    )


def _title(lines: list[str]) -> str | None:
    """The line with "(m/w/d)", else the first line that is not letterhead."""
    for line in lines[:25]:
        if _GENDER_RE.search(line):
            return line
    for line in lines[:25]:
        if len(line) >= 8 and re.search(r"[A-Za-zÄÖÜäöü]{3}", line) and not _BOILERPLATE_RE.match(line):
            return line
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
