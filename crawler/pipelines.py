"""Item pipelines: normalise → validate → sanitise → dedupe → store (in batches across the sources).

Every dropped posting is counted with its reason on its source's run; nothing is dropped silently.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import date
from typing import Any

from pydantic import ValidationError
from scrapy.exceptions import DropItem

from crawler.items import RawPosting
from vacancies import normalize, salary
from vacancies.html import sanitise_html
from vacancies.model import DROP_BAD_URLS, Vacancy, validation_message

log = logging.getLogger(__name__)

# -- normalise ------------------------------------------------------------------------------------------


def to_record(raw: RawPosting, today: date | None = None) -> dict[str, Any]:
    """RawPosting → a dict in the vacancy record's shape, using the normalisation helpers on the hints."""
    text = _plain(raw.description_html)
    record: dict[str, Any] = {
        "id": record_id(raw),
        "origin": "crawled",
        "source": raw.source,
        "source_url": raw.url,
        "district": raw.district,
        "title": _one_line(raw.title),
        "description": raw.description_html or "",
        "employer": _one_line(raw.employer),
        "department": _one_line(raw.department),
        "reference": _one_line(raw.reference),
        "apply_url": raw.apply_url,
        "apply_email": raw.apply_email,
        "attachments": list(dict.fromkeys(raw.attachments)),
        "location": _location(raw),
        "contact": _contact(raw),
        "date_posted": _date(raw.date_posted, today),
        "deadline": _date(raw.deadline, today, normalize.parse_deadline),
        "start_date": _date(raw.start_date, today),
    }
    record.update(_facts(raw, text))
    # The whole posting decides its Berufsfeld: the employer ("Landesanstalt für Landwirtschaft") and
    # the text help when the title alone says nothing.
    record["category"] = normalize.category_for(
        record["title"], record["department"], employer=record["employer"], text=text
    )
    # Values a site states exactly win over guesses; vendor extras (salary amounts, ids) are no record fields.
    stated = {k: v for k, v in raw.structured.items() if k in Vacancy.model_fields}
    record.update({k: v for k, v in stated.items() if v not in (None, "", [])})
    record.update(_salary(raw, text))
    if not record.get("start_date") and _starts_asap(raw, text):
        record["start_asap"] = True
    return {k: v for k, v in record.items() if v not in (None, "", [], {})}


def _salary(raw: RawPosting, text: str) -> dict[str, Any]:
    """Euros the site states: schema.org amounts first, then a pay sentence of the hint or the text."""
    amounts = raw.structured.get("salary")
    stated = salary.from_structured(amounts) if isinstance(amounts, dict) else None
    stated = stated or salary.parse_salary(f"{raw.pay_text or ''}\n{text}")
    return stated.record_fields() if stated else {}


def _starts_asap(raw: RawPosting, text: str) -> bool:
    """ "ab sofort", "zum nächstmöglichen Zeitpunkt": in the start field, or the text's own words."""
    if isinstance(raw.start_date, str) and raw.start_date.strip():
        return normalize.is_as_soon_as_possible(raw.start_date)
    return normalize.is_as_soon_as_possible(text[:_PAY_HEAD])


def record_id(raw: RawPosting) -> str:
    """The posting's id: its source and the site's own id, so it is known before anything is checked."""
    return f"{raw.source}:{_clean_id(raw.source_id)}"


def _pay(raw: RawPosting, text: str) -> normalize.PayInfo:
    """The pay hint first, then the title and the head of the text, then pay lines further down; a
    tariff the hint names ("Bezahlung nach TVöD") is kept when the text names no grade either."""
    employer = raw.employer  # decides the tariff of a bare E grade (TV-L at Land employers)
    stated = (
        normalize.parse_pay(raw.pay_text, employer) if raw.pay_text else normalize.PayInfo(None, None, None)
    )
    if stated.has_grade:
        return stated
    pay = normalize.parse_pay(f"{raw.title}\n{text[:_PAY_HEAD]}", employer)
    if not pay.has_grade and len(text) > _PAY_HEAD:
        pay = normalize.parse_pay(_pay_text(raw.title, text), employer)
    if pay.has_grade:
        return pay
    return stated if stated.pay_scale else pay


def _facts(raw: RawPosting, text: str) -> dict[str, Any]:
    hints = " \n".join(h for h in (raw.pay_text, raw.working_time_text, raw.term_text, raw.career_text) if h)
    pay = _pay(raw, text)
    fixed, months = _fixed_term(raw, hints, text)
    hours = normalize.parse_weekly_hours(raw.working_time_text or text)
    facts = {
        "pay_scale": pay.pay_scale.value if pay.pay_scale else None,
        "pay_grade_min": pay.grade_min,
        "pay_grade_max": pay.grade_max,
        "working_time": [w.value for w in normalize.parse_working_time(raw.working_time_text or text)],
        "weekly_hours": hours if hours is not None and 0 < hours <= 60 else None,
        "fixed_term": fixed,
        "term_months": months,
        "career_level": normalize.parse_career_level(raw.career_text or f"{raw.title}\n{text}"),
        "status": [s.value for s in normalize.parse_status(f"{raw.status_text or ''}\n{hints}\n{raw.title}")],
        "posting_type": normalize.posting_type_from_title(raw.posting_type_text or raw.title).value,
        "remote": _remote(raw.remote_text or text),
    }
    return facts


# Lines that can state pay: the grade words, the tariffs, or a grade itself ("e 9c", "a 11", "s 8b"),
# matched on the lower-cased tail in one pass (per-line searches cost ~5× as much).
_PAY_WORD_RE = re.compile(r"entgelt|besoldung|vergütung|tarif|tv\W?[öol]|besgr|[easp]\s?-?\d{1,2}\b|eg\s?\d")
_PAY_HEAD = 3000  # most postings state pay near the top; the rest is only searched line by line
_PAY_TAIL_LINES = 40  # bounded: a long description costs at most this many short lines
_PAY_LINE_CHARS = 400


def _pay_text(title: str, text: str) -> str:
    """The title, the head of the text, and the later lines that mention pay ("Die Vergütung erfolgt …"
    at the end of a long posting), so pay stated after the head is found at a bounded cost."""
    tail, lines, line_end = text[_PAY_HEAD:], [], -1
    for match in _PAY_WORD_RE.finditer(tail.lower()):  # lower() keeps offsets for German text
        if match.start() <= line_end:
            continue  # this line is taken already
        line_start = tail.rfind("\n", 0, match.start()) + 1
        line_end = tail.find("\n", match.start())
        line_end = len(tail) if line_end < 0 else line_end
        lines.append(tail[line_start:line_end][:_PAY_LINE_CHARS])
        if len(lines) == _PAY_TAIL_LINES:
            break
    return "\n".join([title, text[:_PAY_HEAD], *lines])


def _fixed_term(raw: RawPosting, hints: str, text: str) -> tuple[bool | None, int | None]:
    """A title saying "(befristet)" or "Elternzeitvertretung" states the term as plainly as the text."""
    fixed, months = normalize.parse_fixed_term(raw.term_text or f"{hints}\n{text}")
    if fixed and not months and raw.term_text:
        # "Befristung: befristet" (a facts row, an API's flag) with the length only in the text
        text_fixed, text_months = normalize.parse_fixed_term(text)
        months = text_months if text_fixed else None
    if fixed is not True:
        title_fixed, title_months = normalize.parse_fixed_term(raw.title or "")
        if title_fixed is True:
            return True, title_months or months
        if fixed is None and title_fixed is False:
            return False, None  # "Unbefristete Vollzeitstelle …" in the title, nothing in the text
    return fixed, months


def _remote(text: str) -> str:
    lowered = text.lower()
    if re.search(r"(vollständig|komplett|100\s*%)\s*(im\s*)?(homeoffice|mobil|remote)", lowered):
        return "remote"
    if re.search(r"homeoffice|home-office|mobiles arbeiten|mobile arbeit|telearbeit", lowered):
        return "hybrid"
    return "none"


def _plain(description: str) -> str:
    from vacancies.search.document import html_to_text

    return html_to_text(description or "")


def _one_line(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(html.unescape(str(value)).split())
    return text or None


def _clean_id(value: str) -> str:
    return re.sub(r"\s+", "-", str(value).strip())[:150] or "ohne-id"


def _date(value: date | str | None, today: date | None, parse=normalize.parse_german_date) -> str | None:
    """A record date; placeholders (01.01.1900, 2100 on) and "baldmöglichst" are none.

    Vendor timestamps that reach here as text (Unix seconds, "/Date(ms)/") are read too."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return None if normalize.is_placeholder_date(value, today) else value.isoformat()
    parsed = normalize.parse_timestamp(value) or parse(str(value), today=today)
    if parsed is not None and normalize.is_placeholder_date(parsed, today):
        return None
    return parsed.isoformat() if parsed else None


def _location(raw: RawPosting) -> dict[str, Any]:
    location: dict[str, str | float | None] = {
        "street": _one_line(raw.street),
        "postal_code": None,
        "city": _one_line(raw.city),
    }
    code = (raw.postal_code or "").strip()
    if re.fullmatch(r"\d{5}", code):
        location["postal_code"] = code
    if raw.lat is not None and raw.lon is not None:
        location["lat"], location["lon"] = float(raw.lat), float(raw.lon)
    return {k: v for k, v in location.items() if v is not None}


def _contact(raw: RawPosting) -> dict[str, Any] | None:
    contact = {"name": _one_line(raw.contact_name), "phone": _one_line(raw.contact_phone),
               "email": _one_line(raw.contact_email)}  # fmt: skip
    contact = {k: v for k, v in contact.items() if v}
    return contact or None


# -- the stages as functions: the pipelines below and `stellenboerse probe` run these same ones ----------


class Rejected(Exception):
    """A posting the crawl does not store: its German reason, and its id once it has one."""

    def __init__(self, reason: str, item_id: str | None = None, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.item_id, self.detail = reason, item_id, detail


def normalise(item: Any, today: date | None = None) -> dict[str, Any]:
    """A strategy's RawPosting → the record dict; Rejected without a title or for anything else."""
    if not isinstance(item, RawPosting):
        raise Rejected("unbekanntes Element")
    if not (item.title or "").strip():
        # Its id needs no title: the posting is seen, so a stored one is not expired as "missing".
        raise Rejected("Titel fehlt", record_id(item))
    return to_record(item, today=today)


def validate(record: dict[str, Any]) -> Vacancy:
    try:
        # A link the board cannot show (javascript:, data:, relative) costs the link, not the posting.
        return Vacancy.model_validate(record, context=DROP_BAD_URLS)
    except ValidationError as exc:
        detail = validation_message(exc)
        log.info("Stelle %s verworfen: %s", record.get("id"), detail)
        raise Rejected("ungültig: " + _first_field(exc), record.get("id"), detail) from exc


def _first_field(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return ".".join(str(p) for p in first["loc"]) or "Datensatz"


def sanitise(vacancy: Vacancy) -> Vacancy:
    vacancy.description = sanitise_html(vacancy.description)
    return vacancy


def prepare(item: Any, today: date | None = None) -> Vacancy:
    """Normalise → validate → sanitise, as the crawl does before dedupe and store; raises Rejected."""
    return sanitise(validate(normalise(item, today)))


# -- pipelines ------------------------------------------------------------------------------------------


class _Stage:
    """Base of the pipeline stages: the crawler's spider keeps the books of each source.

    Scrapy ≥ 2.13 calls item pipelines without a `spider` argument; the spider comes from the crawler.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def spider(self):
        return self.crawler.spider

    def drop(self, item: Any, reason: str, item_id: str | None = None) -> DropItem:
        crawl = self.spider.crawl_of(item)
        if crawl is not None:
            crawl.drop_reasons[reason] += 1
            if item_id:
                crawl.seen_ids.add(item_id)  # seen but unusable: must not be expired for being "missing"
        return DropItem(reason)


class NormalisePipeline(_Stage):
    def process_item(self, item: Any) -> dict[str, Any]:
        try:
            return normalise(item, today=getattr(self.spider, "today", None))
        except Rejected as exc:
            raise self.drop(item, exc.reason, exc.item_id) from None


class ValidatePipeline(_Stage):
    def process_item(self, item: dict[str, Any]) -> Vacancy:
        try:
            return validate(item)
        except Rejected as exc:
            raise self.drop(item, exc.reason, exc.item_id) from exc.__cause__


class SanitisePipeline(_Stage):
    def process_item(self, item: Vacancy) -> Vacancy:
        return sanitise(item)


class DedupePipeline(_Stage):
    """The same posting linked twice (same id) or from two sources (same district, title and deadline)."""

    def open_spider(self) -> None:
        self.ids: set[str] = set()

    def process_item(self, item: Vacancy) -> Vacancy:
        if item.id in self.ids:
            raise self.drop(item, "doppelt verlinkt")
        self.ids.add(item.id)
        twin = self.spider.board.store.find_twin(item)
        if twin is not None:
            raise self.drop(item, f"Duplikat aus Quelle {twin}", item.id)
        return item


class StorePipeline(_Stage):
    """Hands postings to the crawl's save batch; the spider flushes it when a source finishes."""

    def process_item(self, item: Vacancy) -> Vacancy:
        crawl = self.spider.crawl_of(item)
        if crawl is not None:
            crawl.seen_ids.add(item.id)
        self.spider.batch.add(item)
        return item


class SaveBatch:
    """Postings of all sources of a crawl, saved together: one transaction per batch, not per posting."""

    SIZE = 200

    def __init__(self, board, crawls: dict[str, Any]) -> None:
        self.board = board
        self.crawls = crawls  # source key -> its books (SourceCrawl)
        self.items: list[Vacancy] = []

    def add(self, vacancy: Vacancy) -> None:
        self.items.append(vacancy)
        if len(self.items) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        batch, self.items = self.items, []
        if not batch:
            return
        by_id = {v.id: self.crawls.get(v.source) if v.source else None for v in batch}
        owned_by_hr = self.board.store.hr_owned(list(by_id))
        for vacancy_id in owned_by_hr:  # HR-posted vacancies are never touched by crawls
            if (crawl := by_id[vacancy_id]) is not None:
                crawl.drop_reasons["von HR verwaltet"] += 1
        batch = [v for v in batch if v.id not in owned_by_hr]
        if not batch:
            return
        result = self.board.save(batch)
        for kind in ("new", "changed", "unchanged"):
            for vacancy_id in getattr(result, kind):
                if (crawl := by_id.get(vacancy_id)) is not None:
                    crawl.totals[kind] += 1
