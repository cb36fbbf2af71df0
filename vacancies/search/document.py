"""The index document: what both backends store for one vacancy.

Built once in Python so that both engines index exactly the same tokens and facet values; this is what
makes their results agree (see DESIGN.md, "One German analyzer").
"""

from __future__ import annotations

import functools
import re
from html import unescape
from typing import Any

from vacancies.model import Vacancy
from vacancies.normalize import pay_grade_rank
from vacancies.search.analysis import GermanAnalyzer

_BLOCK = r"p|br|li|div|h[1-6]|tr|ul|ol|section|dt|dd|table|blockquote|hr"
_BLOCK_TAG = re.compile(rf"<\s*/?\s*(?:{_BLOCK})\b[^>]*>", re.I)
_DROP = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")  # only blanks that need changing: most are single
_NEWLINES = re.compile(r"[ \t]*\n\s*")  # line breaks with the blanks and empty lines around them


@functools.lru_cache(maxsize=4096)  # the same postings come up in many result pages
def html_to_text(html: str) -> str:
    """Plain text of (sanitised) description HTML, paragraphs kept as line breaks.

    Regular expressions, not a parser: descriptions are allow-list sanitised before they are stored,
    and this runs for every posting indexed and every hit shown (an HTMLParser took ~1 ms each).
    """
    if "<" not in html:
        return unescape(html).strip()
    text = unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", _DROP.sub("", html))))
    text = _BLANKS.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def grade_span(vacancy: Vacancy) -> tuple[int | None, int | None]:
    low = vacancy.pay_grade_min or vacancy.pay_grade_max
    high = vacancy.pay_grade_max or vacancy.pay_grade_min
    if not low or not high:
        return None, None
    return pay_grade_rank(low), pay_grade_rank(high)


def body_text(vacancy: Vacancy) -> str:
    """Everything searchable besides the title."""
    fields = [
        vacancy.department,
        vacancy.employer,
        vacancy.category,
        vacancy.location.city,
        vacancy.reference,
        html_to_text(vacancy.description),
    ]
    return "\n".join(f for f in fields if f)


def facet_values(vacancy: Vacancy) -> dict[str, list[str]]:
    """The facet values of a posting as strings; multi-valued facets have several."""

    def one(value: Any) -> list[str]:
        return [] if value is None or value == "" else [str(value)]

    return {
        "district": one(vacancy.district),
        "posting_type": one(vacancy.posting_type.value),
        "category": one(vacancy.category),
        "working_time": [w.value for w in vacancy.working_time],
        "fixed_term": [] if vacancy.fixed_term is None else ["true" if vacancy.fixed_term else "false"],
        "pay_scale": one(vacancy.pay_scale.value if vacancy.pay_scale else None),
        "career_level": one(vacancy.career_level),
        "remote": one(vacancy.remote.value),
    }


def build_document(vacancy: Vacancy, analyzer: GermanAnalyzer) -> dict[str, Any]:
    low, high = grade_span(vacancy)
    doc: dict[str, Any] = {
        "id": vacancy.id,
        "title_tokens": " ".join(analyzer.document_tokens(vacancy.title)),
        "body_tokens": " ".join(analyzer.document_tokens(body_text(vacancy))),
        "status": [s.value for s in vacancy.status],
        "grade_low": low,
        "grade_high": high,
        "lat": vacancy.location.lat,
        "lon": vacancy.location.lon,
        "date_posted": vacancy.date_posted.isoformat() if vacancy.date_posted else None,
        "deadline": vacancy.deadline.isoformat() if vacancy.deadline else None,
        "state": vacancy.state.value,
    }
    doc.update(facet_values(vacancy))
    return doc
