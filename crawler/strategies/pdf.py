"""Postings published as PDF files linked from list pages.

Options: ``link_selector`` (default ``a[href$=".pdf"]``), ``next_selector``. The text comes from
pypdf; facts are found line by line with the normalisation helpers, so a scanned PDF without a text
layer yields a parse error rather than an empty posting.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import scrapy
from pypdf import PdfReader
from pypdf.errors import PyPdfError

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
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings on sloppy PDFs are noise here
    try:
        reader = PdfReader(io.BytesIO(body))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"PDF nicht lesbar: {exc}") from exc
    return text, _meta_title(reader)


def _meta_title(reader: PdfReader) -> str:
    """The title in the PDF's metadata ('' when absent or generic, like 'Microsoft Word - x.docx')."""
    try:
        title = clean_text((reader.metadata or {}).get("/Title") or "")
    except (PyPdfError, ValueError, KeyError, TypeError):
        return ""
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
