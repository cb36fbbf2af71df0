"""The index document: what both backends store for one vacancy.

Built once in Python so that both engines index exactly the same tokens and facet values; this is what
makes their results agree (see DESIGN.md, "One German analyzer").
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from html import unescape
from typing import Any

from vacancies import pay
from vacancies.lifeline import die_with_parent
from vacancies.model import Vacancy
from vacancies.normalize import pay_grade_rank
from vacancies.search.analysis import GermanAnalyzer

_BLOCK = r"p|br|li|div|h[1-6]|tr|ul|ol|section|dt|dd|table|blockquote|hr"
_BLOCK_TAG = re.compile(rf"<\s*/?\s*(?:{_BLOCK})\b[^>]*>", re.I)
_DROP = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


@functools.lru_cache(maxsize=4096)  # the same postings come up in many result pages
def html_to_text(html: str) -> str:
    """Plain text of (sanitised) description HTML, paragraphs kept as line breaks.

    Regular expressions, not a parser: descriptions are allow-list sanitised before they are stored,
    and this runs for every posting indexed and every hit shown (an HTMLParser took ~1 ms each).
    """
    text = _index_text(html)
    if "<" not in html:
        return text.strip()
    # str.split/join, not regular expressions: collapsing blanks with re.sub cost 0.2 ms per posting.
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def grade_span(vacancy: Vacancy) -> tuple[int | None, int | None]:
    low = vacancy.pay_grade_min or vacancy.pay_grade_max
    high = vacancy.pay_grade_max or vacancy.pay_grade_min
    if not low or not high:
        return None, None
    return pay_grade_rank(low), pay_grade_rank(high)


def pay_month_high(vacancy: Vacancy) -> int | None:
    """The upper monthly figure in whole euros: stated by the posting, else by the pay tables in force
    when it is indexed (`stellenboerse reindex` after new tables)."""
    if vacancy.pay_scale is None and vacancy.salary_min is None and vacancy.salary_max is None:
        return None  # the common case, without touching the tables
    found = pay.pay_range(vacancy)
    figure = found.monthly_high if found else None
    return int(figure) if figure is not None else None


def _body_fields(vacancy: Vacancy) -> tuple[str | None, ...]:
    """The raw body fields, description still HTML (cheap to send to a worker process); the contact's
    name last, to be taken out of the description."""
    return (
        vacancy.department,
        vacancy.employer,
        vacancy.category,
        vacancy.location.city,
        vacancy.reference,
        POSTING_TYPE_WORDS.get(vacancy.posting_type._value_),
        vacancy.description,
        vacancy.contact.name if vacancy.contact else None,
    )


def _joined_body(fields: tuple[str | None, ...]) -> str:
    *plain, description, contact = fields
    text = without_people(_index_text(description or ""), contact)
    return "\n".join(f for f in (*plain, text) if f)


# What a posting IS, said in words its text may lack: an apprenticeship titled "Ausbildung zum
# Verwaltungsfachangestellten" is found by "Azubi" (a synonym of "Ausbildungsplatz") without making
# every "abgeschlossene Ausbildung" of a job posting an Azubi match.
POSTING_TYPE_WORDS = {"apprenticeship": "Ausbildungsplatz"}

# Names of people are no search text: "Förster" must not find an Erzieher posting because its contact
# is Herr Forster. A salutation with up to two capitalised words after it (titles allowed) is a name,
# and so is every word of the posting's contact name; mail addresses carry names too. Found by str.find
# and anchored matches: a regular expression scanning the whole text cost ~0.4 ms per posting.
_SALUTED = re.compile(
    r"(?:Herrn?|Frau)\s+(?:(?:Dr|Prof|Dipl)\.[\w.-]*\s*)*(?:[A-ZÄÖÜ][\w'-]+\s+)?[A-ZÄÖÜ][\w'-]+"
)
_MAIL_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)+")
_NOT_A_NAME = frozenset({"Herr", "Herrn", "Frau", "Dr", "Prof", "Dipl"})


def without_people(text: str, contact_name: str | None = None) -> str:
    """`text` without the names of people (salutations, the contact's name) and mail addresses."""
    if not text:
        return text
    spans = [m.span() for i in _word_starts(text, ("Herr", "Frau")) if (m := _SALUTED.match(text, i))]
    spans += _mail_spans(text)
    words = [w for w in re.findall(r"[\w'-]+", contact_name or "") if len(w) > 1 and w not in _NOT_A_NAME]
    spans += [
        (i, i + len(w)) for w in words for i in _word_starts(text, (w,)) if _ends_word(text, i + len(w))
    ]
    return _blanked(text, spans)


def _word_starts(text: str, literals: tuple[str, ...]) -> Iterator[int]:
    for literal in literals:
        i = text.find(literal)
        while i != -1:
            if i == 0 or not text[i - 1].isalnum():
                yield i
            i = text.find(literal, i + 1)


def _ends_word(text: str, end: int) -> bool:
    return end == len(text) or not text[end].isalnum()


def _mail_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    i = text.find("@")
    while i != -1:
        if match := _MAIL_DOMAIN.match(text, i):
            start = i
            while start and (text[start - 1].isalnum() or text[start - 1] in "._+-"):
                start -= 1
            spans.append((start, match.end()))
        i = text.find("@", i + 1)
    return spans


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    out, position = [], 0
    for start, end in sorted(spans):
        if end > position:
            out.append(text[position : max(start, position)])
            position = end
    out.append(text[position:])
    return " ".join(out)


def _index_text(html: str) -> str:
    """Description HTML as text with blanks as they are: what the analyzer reads (html_to_text
    collapses them for display).

    The analyzer works line by line and finds words by regex, so blanks inside a line and empty lines
    do not change a single token; collapsing them was half the cost of converting a description."""
    if "<" not in html:
        return unescape(html)
    return unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", _DROP.sub("", html))))


def facet_values(vacancy: Vacancy) -> dict[str, list[str]]:
    """The facet values of a posting as strings; multi-valued facets have several.

    Enum members are read through `_value_`: the `.value` property costs a Python call each, and
    this runs for every posting indexed."""
    v = vacancy
    return {
        "district": [v.district] if v.district else [],
        "posting_type": [v.posting_type._value_],
        "category": [v.category] if v.category else [],
        "working_time": [w._value_ for w in v.working_time],
        "fixed_term": [] if v.fixed_term is None else ["true" if v.fixed_term else "false"],
        "pay_scale": [v.pay_scale._value_] if v.pay_scale else [],
        "career_level": [] if v.career_level is None else [str(v.career_level)],
        "remote": [v.remote._value_],
    }


def analyse_text(
    analyzer: GermanAnalyzer, title: str, body_fields: tuple[str | None, ...], unique_body: bool
) -> tuple[str, str]:
    """(title tokens, body tokens) as space-separated strings: the expensive part of a document."""
    body = analyzer.document_tokens(_joined_body(body_fields))
    if unique_body:  # an index that ignores term frequency need not store repeats
        body = list(dict.fromkeys(body))
    return " ".join(analyzer.document_tokens(title)), " ".join(body)


def build_document(
    vacancy: Vacancy,
    analyzer: GermanAnalyzer,
    unique_body: bool = False,
    tokens: tuple[str, str] | None = None,
) -> dict[str, Any]:
    title_tokens, body_tokens = tokens or analyse_text(
        analyzer, vacancy.title, _body_fields(vacancy), unique_body
    )
    low, high = grade_span(vacancy)
    doc: dict[str, Any] = {
        "id": vacancy.id,
        "title_tokens": title_tokens,
        "body_tokens": body_tokens,
        "status": [s._value_ for s in vacancy.status],
        "grade_low": low,
        "grade_high": high,
        "pay_month_high": pay_month_high(vacancy),
        "lat": vacancy.location.lat,
        "lon": vacancy.location.lon,
        "date_posted": vacancy.date_posted.isoformat() if vacancy.date_posted else None,
        "deadline": vacancy.deadline.isoformat() if vacancy.deadline else None,
        "state": vacancy.state._value_,
    }
    doc.update(facet_values(vacancy))
    return doc


# -- many documents: German analysis in worker processes -------------------------------------------

_CHUNK = 100  # postings per worker task: small enough that the writer can start on the first ones
_MIN_PARALLEL = 400  # below this, starting work elsewhere costs more than it saves
_pools: dict[int, ProcessPoolExecutor] = {}
_keepers: dict[int, threading.Event] = {}  # per pool: set to let the thread that forked it end
_pools_lock = threading.Lock()
_worker_analyzers: dict[str, GermanAnalyzer] = {}


def default_workers() -> int:
    """Analysis processes for bulk writes: one per core but the writer's, at least one, at most four
    (STELLEN_INDEX_WORKERS overrides). On two cores a second worker only took CPU from the writer,
    which is the slower side: import 2,100/s with two workers, 2,300/s with one."""
    configured = os.environ.get("STELLEN_INDEX_WORKERS", "").strip()
    if configured.isdigit():
        return int(configured)
    return max(1, min((os.cpu_count() or 1) - 1, 4))


class DocumentBuilder:
    """Builds the index documents of a batch, analysing large batches in worker processes.

    German analysis is ~60 % of the cost of indexing a posting and is pure Python, so one process
    uses one core. Bulk writes (import, crawl, reindex) hand it to `workers` processes while the
    calling process writes the store; single writes (HR) stay in process. `documents()` starts the
    work at once and yields the documents in order as they arrive.
    """

    def __init__(self, analyzer: GermanAnalyzer, workers: int | None = None, unique_body: bool = False):
        self.analyzer = analyzer
        self.workers = default_workers() if workers is None else workers
        self.unique_body = unique_body

    def documents(self, vacancies: list[Vacancy]) -> Iterator[dict[str, Any]]:
        """The documents of `vacancies`, in order (the analysis starts before this returns)."""
        started = self.start(vacancies)
        if started is None:
            return (build_document(v, self.analyzer, self.unique_body) for v in vacancies)
        return started.documents(vacancies)

    def start(self, vacancies: list[Vacancy]) -> StartedAnalysis | None:
        """Hand the analysis of a big batch to the workers now; None when it is better done in process."""
        if self.workers < 1 or len(vacancies) < _MIN_PARALLEL:
            return None
        config_dir = str(self.analyzer.config_dir)
        # Forked workers inherit this analyzer with its warm caches instead of loading their own.
        _worker_analyzers.setdefault(config_dir, self.analyzer)
        pool = _pool(self.workers)
        futures = []
        for chunk in _chunks(vacancies, _CHUNK):
            # Only the texts travel: pickling strings is cheap, pickling pydantic models is not.
            texts = [(v.title, _body_fields(v)) for v in chunk]
            futures.append(pool.submit(_analyse_chunk, config_dir, texts, self.unique_body))
        return StartedAnalysis(self.analyzer, vacancies, futures)


class StartedAnalysis:
    """Token analysis of a batch running in the workers; documents for any subset of it, in order."""

    def __init__(self, analyzer: GermanAnalyzer, vacancies: list[Vacancy], futures: list[Future]):
        self.analyzer = analyzer
        self.position = {id(v): i for i, v in enumerate(vacancies)}  # by identity: ids may repeat
        self.futures = futures

    def documents(self, subset: list[Vacancy]) -> Iterator[dict[str, Any]]:
        try:
            for vacancy in subset:
                chunk, offset = divmod(self.position[id(vacancy)], _CHUNK)
                tokens = self.futures[chunk].result()[offset]
                yield build_document(vacancy, self.analyzer, tokens=tokens)
        finally:
            self.cancel()

    def cancel(self) -> None:
        for future in self.futures:  # a writer that failed half-way leaves no work queued
            future.cancel()


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per process and size, started on first bulk write.

    fork, not spawn/forkserver: the workers inherit the loaded analyzer with its warm caches and do not
    re-run the calling script (a script without a `__main__` guard would start itself again). Bulk
    writes come from the import, crawl and reindex commands, and from the web server when it pushes a
    backlog of index writes (Elasticsearch).

    The workers never outlive this process (`_worker_start`): a killed import left its worker (~140 MB)
    behind, and a worker of `serve` kept the listening socket it inherited, so a restart found the port
    taken.
    """
    with _pools_lock:
        if workers not in _pools:
            context = multiprocessing.get_context("fork")
            pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),)
            )
            _keepers[workers] = _launch(pool)
            _pools[workers] = pool
        return _pools[workers]


def _launch(pool: ProcessPoolExecutor) -> threading.Event:
    """Fork the pool's processes now, from a thread kept until the pool is shut down; the event ends it.

    The kernel's parent-death signal follows the thread that forked a child, not the process: forked
    from a request thread of the web server, which ends when idle, the workers would be killed then.
    ProcessPoolExecutor forks all its processes in the first `submit` (fork context)."""
    forked: Future = Future()
    done = threading.Event()

    def keep() -> None:
        try:
            pool.submit(os.getpid).result()
        except BaseException as exc:  # reported to the caller of _launch
            forked.set_exception(exc)
            return
        forked.set_result(None)
        done.wait()

    threading.Thread(target=keep, name="analysis-pool", daemon=True).start()
    forked.result()
    return done


def _worker_start(parent: int) -> None:
    """First thing in each analysis process: end with the process that started it (SIGKILL: pure
    computation, nothing to clean up)."""
    die_with_parent(parent, signal.SIGKILL)


def shutdown_pools() -> None:
    """End the analysis processes of this process now (e.g. when a server stops). Python also ends them
    at a normal exit; when the process is killed, the kernel does (`_worker_start`)."""
    with _pools_lock:
        pools = [(_pools.pop(workers), _keepers.pop(workers)) for workers in list(_pools)]
    for pool, keeper in pools:
        pool.shutdown(wait=True, cancel_futures=True)
        keeper.set()


def _forget_pools() -> None:
    """In a forked child: the parent's pools are not this process's (their workers are the parent's),
    and their lock may have been held by a thread the child does not have."""
    global _pools_lock
    _pools.clear()
    _keepers.clear()
    _pools_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_pools)


def _analyse_chunk(
    config_dir: str, items: list[tuple[str, tuple[str | None, ...]]], unique_body: bool
) -> list[tuple[str, str]]:
    """Worker side: the analyzer is built once per process and config, its caches live on."""
    analyzer = _worker_analyzers.get(config_dir)
    if analyzer is None:
        from vacancies.search.analysis import get_analyzer

        analyzer = _worker_analyzers[config_dir] = get_analyzer(config_dir)
    return [analyse_text(analyzer, title, body, unique_body) for title, body in items]
