"""Embedded search: SQLite FTS5 over the analysed tokens, in the same database as the store.

Text matching comes from FTS5; scoring is not BM25 but BM25's idf with binary term frequency and no
length normalisation (see SqliteBackend._text), so only the order among hits can differ from
Elasticsearch, never the members. Filters, facets, radius and sorting run on column arrays
(numpy) cached from `search_docs`: counting eight facets over 100,000 postings with GROUP BY would cost
tens of milliseconds per search, bincount costs well under one. The cache is reloaded when the
`generation` counter, bumped in the same transaction as every index write, changes.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from vacancies import visibility
from vacancies.model import EmploymentStatus, State, Vacancy, WorkingTime
from vacancies.search.analysis import (
    PREFIX_WEIGHT,
    GermanAnalyzer,
    QueryGroup,
    get_analyzer,
    highlight,
    snippet,
)
from vacancies.search.contract import (
    EARTH_RADIUS_KM,
    FACET_FIELDS,
    FacetValue,
    SearchHit,
    SearchPage,
    SearchQuery,
    Sort,
    facet_selection,
)
from vacancies.search.document import DocumentBuilder, StartedAnalysis, html_to_text
from vacancies.search.protocols import TransactionalIndex

CATEGORICAL = ("district", "posting_type", "category", "fixed_term", "pay_scale", "career_level", "remote")
BITSETS = {"working_time": [w.value for w in WorkingTime], "status": [s.value for s in EmploymentStatus]}
DOC_COLUMNS = (
    "id",
    *FACET_FIELDS,
    "status",
    "grade_low",
    "grade_high",
    "pay_month_high",
    "lat",
    "lon",
    "date_posted",
    "deadline",
    "state",
)
MISSING_DAY = np.iinfo(np.int32).max  # sorts last in ascending order
TITLE_WEIGHT, BODY_WEIGHT = 3.0, 1.0
SEARCH_SLOTS = 4  # searches of one process at once (FTS and numpy release the GIL now and then)


class _LruCache:
    """A small thread-safe LRU map (functools.lru_cache cannot drop entries of an old generation)."""

    def __init__(self, size: int) -> None:
        self.size, self.lock = size, threading.Lock()
        self.items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


# Days as proleptic Gregorian ordinals (date.toordinal), computed by SQLite; missing dates sort last.
_DAY = "coalesce(CAST(julianday({0}) - 1721424.5 AS INTEGER), " + str(int(np.iinfo(np.int32).max)) + ")"
_LOAD_FIELDS = ("rowid", *(c for c in DOC_COLUMNS))
_LOAD_SQL = "SELECT rowid, " + ", ".join(
    _DAY.format(c) if c in ("date_posted", "deadline")
    else f"coalesce({c}, -1)" if c in ("grade_low", "grade_high", "pay_month_high")
    else c
    for c in DOC_COLUMNS
) + " FROM search_docs ORDER BY rowid"  # fmt: skip
_LOAD_NEWER_SQL = _LOAD_SQL.replace(" ORDER BY rowid", " WHERE rowid > ? ORDER BY rowid")
# Above every rowid ever used, not only the present ones: a column cache extends itself by "rows above
# my highest rowid" (_Columns.refreshed), which a reused rowid would fool. An index written before the
# mark existed starts it at its highest rowid.
_NEXT_ROWID_SQL = (
    "SELECT coalesce((SELECT value FROM search_meta WHERE key = 'last_rowid'), "
    "(SELECT max(rowid) FROM search_docs), 0) + 1"
)


def _doc_values(doc: dict[str, Any]) -> tuple:
    """Column values of search_docs: categorical facets hold one value, bit sets a comma list."""
    values = []
    for column in DOC_COLUMNS:
        value = doc[column]
        if isinstance(value, list):
            value = (value[0] if value else None) if column in CATEGORICAL else ",".join(value)
        values.append(value)
    return tuple(values)


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def fts_expression(groups: list[QueryGroup]) -> str:
    """FTS5 MATCH text: AND of groups, OR inside a group. Tokens are [a-z0-9] only, so quoting is safe."""
    parts = []
    for group in groups:
        alternatives = [f'"{t}"' for t in group.terms] + [f'"{p}" *' for p in group.prefixes]
        parts.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


@dataclass
class _Columns:
    """The filter and facet columns of every indexed posting, aligned by position."""

    generation: int
    rowids: np.ndarray
    ids: list[str]
    id_rank: np.ndarray
    codes: dict[str, np.ndarray]
    vocab: dict[str, list[str]]
    bits: dict[str, np.ndarray]
    grade_low: np.ndarray
    grade_high: np.ndarray
    pay_month_high: np.ndarray  # whole euros, -1 unknown
    lat: np.ndarray
    lon: np.ndarray
    date_posted: np.ndarray
    deadline: np.ndarray
    state: np.ndarray  # codes in vocab["state"]
    newest_rank: np.ndarray  # place in "newest first, then id" order
    deadline_rank: np.ndarray  # place in "deadline first (missing last), then id" order

    @classmethod
    def load(cls, conn: Connection, generation: int) -> _Columns:
        """Every row of search_docs (0.9 s at 100,000 postings: the first search after a start)."""
        raw = _raw(conn)
        part = _Part.read(raw, _LOAD_SQL)
        codes, vocab = {}, {}
        for name in (*CATEGORICAL, "state"):
            codes[name], vocab[name] = _encode(part.col[name])
        bits = {name: _bitset(part.col[name], values) for name, values in BITSETS.items()}
        return cls._assemble(raw, generation, part.rowids, part.ids, codes, vocab, bits, part.numbers)

    def refreshed(self, conn: Connection, generation: int) -> _Columns:
        """The columns of a newer generation from these plus the rows written since.

        Every write bumps the generation; reloading all rows after each HR save cost every search
        0.9 s at 100,000 postings. Rows are never changed in place (a write deletes and inserts, with
        rowids above every earlier one, see SqliteBackend.write), so the new generation is: the rows
        of this one that still exist, then the rows above this one's highest rowid."""
        raw = _raw(conn)
        current = _rowids(raw, "SELECT group_concat(rowid) FROM search_docs")
        top = int(self.rowids[-1]) if len(self.rowids) else 0
        kept = np.isin(self.rowids, current, assume_unique=True)
        added = _Part.read(raw, _LOAD_NEWER_SQL, (top,))
        if int(kept.sum()) + len(added.rowids) != len(current) or len(added.rowids) > len(current) // 2:
            return _Columns.load(conn, generation)  # an older snapshot, or most rows new: read them all
        codes, vocab = {}, {}
        for name in (*CATEGORICAL, "state"):
            codes[name], vocab[name] = _extend(self.codes[name][kept], self.vocab[name], added.col[name])
        bits = {
            name: np.concatenate([self.bits[name][kept], _bitset(added.col[name], values)])
            for name, values in BITSETS.items()
        }
        numbers = {
            name: np.concatenate([getattr(self, name)[kept], added.numbers[name]]) for name in _NUMBER_COLUMNS
        }
        ids = [self.ids[i] for i in np.flatnonzero(kept)] + added.ids
        rowids = np.concatenate([self.rowids[kept], added.rowids])
        return _Columns._assemble(raw, generation, rowids, ids, codes, vocab, bits, numbers)

    @classmethod
    def _assemble(cls, raw, generation, rowids, ids, codes, vocab, bits, numbers) -> _Columns:
        by_id = raw.execute("SELECT rowid FROM search_docs ORDER BY id")
        in_id_order = np.fromiter((r[0] for r in by_id), np.int64, count=len(rowids))
        id_rank = np.empty(len(rowids), dtype=np.int64)
        id_rank[np.searchsorted(rowids, in_id_order)] = np.arange(len(rowids))
        date_posted, deadline = numbers["date_posted"], numbers["deadline"]
        newest = np.where(date_posted == MISSING_DAY, MISSING_DAY, -date_posted)
        return cls(
            generation=generation,
            rowids=rowids,
            ids=ids,
            id_rank=id_rank,
            codes=codes,
            vocab=vocab,
            bits=bits,
            **numbers,
            state=codes["state"],
            newest_rank=_order_rank(newest, id_rank),
            deadline_rank=_order_rank(deadline, id_rank),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def mask_of(self, rowids: np.ndarray) -> np.ndarray:
        """Boolean mask over positions for these FTS rowids (rowids not in the cache are ignored)."""
        mask = np.zeros(len(self), dtype=bool)
        if len(rowids) and len(self):
            positions = np.searchsorted(self.rowids, rowids)
            valid = (positions < len(self)) & (self.rowids[np.minimum(positions, len(self) - 1)] == rowids)
            mask[positions[valid]] = True
        return mask


_NUMBER_COLUMNS = {
    "grade_low": np.int32,
    "grade_high": np.int32,
    "pay_month_high": np.int32,
    "lat": np.float64,  # NULL -> nan
    "lon": np.float64,
    "date_posted": np.int64,
    "deadline": np.int64,
}


@dataclass
class _Part:
    """Rows of search_docs as columns: all of them, or those written since a cache was built."""

    rowids: np.ndarray
    ids: list[str]
    col: dict[str, tuple]
    numbers: dict[str, np.ndarray]

    @classmethod
    def read(cls, raw, sql: str, parameters: tuple = ()) -> _Part:
        rows = raw.execute(sql, parameters).fetchall()
        fields = list(zip(*rows, strict=True)) if rows else [()] * len(_LOAD_FIELDS)
        col = dict(zip(_LOAD_FIELDS, fields, strict=True))
        numbers = {name: np.asarray(col[name], dtype=kind) for name, kind in _NUMBER_COLUMNS.items()}
        return cls(np.asarray(col["rowid"], dtype=np.int64), list(col["id"]), col, numbers)


def _rowids(raw, sql: str, parameters: tuple = ()) -> np.ndarray:
    """Rowids from a group_concat: one string instead of a Python tuple per row, 3-4x faster for a word
    in most postings."""
    listed = raw.execute(sql, parameters).fetchone()[0]
    return np.fromstring(listed, dtype=np.int64, sep=",") if listed else np.empty(0, np.int64)


def _extend(codes: np.ndarray, vocab: list[str], values) -> tuple[np.ndarray, list[str]]:
    """Codes of the kept rows plus the added rows' values; values not seen before extend the vocabulary
    (its order does not matter: masks look values up, facets sort by count and value)."""
    vocab = list(vocab)
    index = {v: i for i, v in enumerate(vocab)}
    for value in values:
        if value is not None and value not in index:
            index[value] = len(vocab)
            vocab.append(value)
    added = np.asarray([index.get(v, -1) for v in values], dtype=np.int32)
    return np.concatenate([codes, added]), vocab


def _encode(values) -> tuple[np.ndarray, list[str]]:
    vocab = sorted({v for v in values if v is not None})
    index = {v: i for i, v in enumerate(vocab)}
    return np.asarray([index.get(v, -1) for v in values], dtype=np.int32), vocab


def _bitset(values, names: list[str]) -> np.ndarray:
    flags = {name: 1 << i for i, name in enumerate(names)}
    out = np.zeros(len(values), dtype=np.uint8)
    for i, value in enumerate(values):
        for name in (value or "").split(","):
            out[i] |= flags.get(name, 0)
    return out


class SqliteBackend:
    """`SearchBackend` (vacancies/search/protocols.py) in the store's own SQLite database, with the
    transactional capability: index rows are written in the store's transaction."""

    name = "sqlite"

    def __init__(
        self, engine: Engine, analyzer: GermanAnalyzer | None = None, workers: int | None = None
    ) -> None:
        self.engine = engine
        self.analyzer = analyzer or get_analyzer()
        # The columns of the newest generations: a search that began just before a commit still
        # finds its own snapshot's columns while the next one's are used by newer searches.
        self._caches = _LruCache(2)
        self._latest: _Columns | None = None  # the newest generation's columns: the base of the next
        self._lock = threading.Lock()
        # A search is CPU work under the GIL: 40 server threads interleaving 40 searches finish them all
        # late (p95 314 ms at 20 clients). A few at a time, first come first served (threading's
        # Condition wakes waiters in order), keeps each search short and the pooled connections warm.
        self._slots = threading.BoundedSemaphore(SEARCH_SLOTS)
        # Per-term matches of the current generation: popular words are asked for again and again.
        self._match_cache = _LruCache(256)
        # Term frequency is not used in scoring (see _text), so each body token is stored once.
        self.builder = DocumentBuilder(self.analyzer, workers, unique_body=True)

    # -- TransactionalIndex: writes inside the caller's transaction -----------------------------------

    def transactional_index(self) -> TransactionalIndex:
        return self

    def alert_percolation(self) -> None:
        """None: saved searches are matched in memory (vacancies.alerts.matching.EmbeddedMatcher)."""
        return None

    def documents(self, vacancies: list[Vacancy]) -> Iterator[dict[str, Any]]:
        """Start building the index documents of `vacancies` (see DocumentBuilder); pass to write()."""
        return self.builder.documents(vacancies)

    def start_analysis(self, vacancies: list[Vacancy]) -> StartedAnalysis | None:
        """Analyse a batch ahead of writing it (Board.save_batches); None: it will be done in write()."""
        return self.builder.start(vacancies)

    def write(
        self, conn: Connection, vacancies: list[Vacancy], documents: Iterable[dict[str, Any]] | None = None
    ) -> None:
        if not vacancies:
            return
        self.remove(conn, [v.id for v in vacancies], bump=False)  # also takes SQLite's write lock
        raw = _raw(conn)
        first = raw.execute(_NEXT_ROWID_SQL).fetchone()[0]
        docs = self.documents(vacancies) if documents is None else documents
        marks = ", ".join("?" * (len(DOC_COLUMNS) + 1))
        insert_doc = f"INSERT INTO search_docs (rowid, {', '.join(DOC_COLUMNS)}) VALUES ({marks})"
        insert_fts = "INSERT INTO search_fts (rowid, title_tokens, body_tokens) VALUES (?, ?, ?)"
        # Chunk by chunk: rows are written while worker processes still analyse the later ones.
        rowid = first
        for chunk in _batched(docs, 100):
            rowids = range(rowid, rowid + len(chunk))
            raw.executemany(insert_doc, [(r, *_doc_values(d)) for r, d in zip(rowids, chunk, strict=True)])
            raw.executemany(
                insert_fts,
                [(r, d["title_tokens"], d["body_tokens"]) for r, d in zip(rowids, chunk, strict=True)],
            )
            rowid += len(chunk)
        raw.execute("INSERT OR REPLACE INTO search_meta (key, value) VALUES ('last_rowid', ?)", (rowid - 1,))
        self._bump(conn)

    def remove(self, conn: Connection, ids: list[str], bump: bool = True) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            conn.exec_driver_sql(
                "DELETE FROM search_fts WHERE rowid IN "
                f"(SELECT rowid FROM search_docs WHERE id IN ({marks}))",
                tuple(chunk),
            )
            conn.exec_driver_sql(f"DELETE FROM search_docs WHERE id IN ({marks})", tuple(chunk))
        if bump:
            self._bump(conn)

    def clear(self, conn: Connection) -> None:
        conn.exec_driver_sql("DELETE FROM search_fts")
        conn.exec_driver_sql("DELETE FROM search_docs")
        self._bump(conn)

    @staticmethod
    def _bump(conn: Connection) -> None:
        conn.exec_driver_sql("UPDATE search_meta SET value = value + 1 WHERE key = 'generation'")

    # -- SearchIndex and OutboxIndex: each call its own transaction ------------------------------------

    def index(self, vacancies: list[Vacancy]) -> None:
        with self.engine.begin() as conn:
            self.write(conn, vacancies)

    def delete(self, ids: list[str]) -> None:
        with self.engine.begin() as conn:
            self.remove(conn, ids)

    def reindex(self, vacancies: Iterable[Vacancy]) -> int:
        # One transaction: under WAL, readers keep seeing the old index until the commit.
        count = 0
        with self.engine.begin() as conn:
            self.clear(conn)
            stream = iter(vacancies)
            while batch := list(islice(stream, 1000)):
                self.write(conn, batch)
                count += len(batch)
        return count

    def generation(self) -> int:
        """Bumped by every index write (cheap change detection for caches built on the index)."""
        with self.engine.connect() as conn:
            return _generation(conn)

    def refresh_now(self) -> None:
        """Nothing to do: a committed write is searchable at once."""

    def health(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            documents = conn.exec_driver_sql("SELECT count(*) FROM search_docs").scalar()
        return {"ok": True, "backend": self.name, "documents": documents}

    def search(self, query: SearchQuery) -> SearchPage:
        with self._slots, self._snapshot() as conn:
            cols = self._columns(conn)
            scores, text_mask = self._text(conn, cols, query)
            return _Search(cols, query, scores, text_mask, self).run(lambda ids: self._hydrate(conn, ids))

    # -- internals ----------------------------------------------------------------------------------

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """One read transaction for a whole search.

        Under WAL a transaction reads one snapshot from its first read to its end. Without it every
        statement (generation, column cache, FTS matches, records) saw the newest commit, and a write
        between two of them gave arrays of different lengths or hits whose records were gone."""
        with self.engine.connect() as conn:
            raw = _raw(conn)
            raw.execute("BEGIN")  # deferred: the snapshot starts at the first read below
            try:
                yield conn
            finally:
                raw.rollback()  # read only: nothing to commit, and the snapshot is released

    def _columns(self, conn: Connection) -> _Columns:
        generation = _generation(conn)
        found = self._caches.get(generation)
        if found is not None:
            return found
        with self._lock:  # one load per generation, however many searches ask for it at once
            found = self._caches.get(generation)
            if found is None:
                latest = self._latest
                found = latest.refreshed(conn, generation) if latest else _Columns.load(conn, generation)
                self._caches.put(generation, found)
                if latest is None or generation > latest.generation:
                    self._latest = found
            return found

    def _text(self, conn: Connection, cols: _Columns, query: SearchQuery):
        """(scores, mask) of the text query, or (None, None) without one.

        Each group is matched with rowid-only FTS5 queries (fast: no auxiliary function per row), once in
        any column and once in the title, and scored with BM25's idf but binary term frequency and no
        length normalisation: the sum over groups of idf(group) * (3 if in the title + 1 if anywhere),
        a group's prefixes weighted PREFIX_WEIGHT. This is not BM25 (a word said five times counts once,
        and a short posting is not preferred); FTS5's bm25() would cost ~20 µs per matching row, 600 ms
        for a word in every posting, while this costs a few ms and still ranks title matches of rare
        words first. Equal scores are ordered newest first (see _Search._top_relevance).
        """
        groups = self.analyzer.query_groups(query.text) if query.text.strip() else []
        if not groups:
            return None, None
        raw = _raw(conn)
        mask = np.ones(len(cols), dtype=bool)
        scores = np.zeros(len(cols), dtype=np.float64)
        for group in groups:
            matched = self._matches(raw, cols, "", group)
            in_title = self._matches(raw, cols, "title_tokens : ", group)
            mask &= matched
            df = int(np.count_nonzero(matched))
            idf = math.log(1 + (len(cols) - df + 0.5) / (df + 0.5))
            if group.prefixes:  # the whole word counts fully, a word it only begins a little
                exact = QueryGroup(group.terms)
                scores += idf * PREFIX_WEIGHT * (TITLE_WEIGHT * in_title + BODY_WEIGHT * matched)
                matched = self._matches(raw, cols, "", exact)
                in_title = self._matches(raw, cols, "title_tokens : ", exact)
            scores += idf * (TITLE_WEIGHT * in_title + BODY_WEIGHT * matched)
        return scores, mask

    def _matches(self, raw, cols: _Columns, column_filter: str, group: QueryGroup) -> np.ndarray:
        expression = f"{column_filter}{fts_expression([group])}"
        key = (cols.generation, expression)
        found = self._match_cache.get(key)
        if found is None:
            sql = "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH ?"
            found = cols.mask_of(_rowids(raw, sql, (expression,)))
            self._match_cache.put(key, found)
        return found

    @staticmethod
    def _hydrate(conn: Connection, ids: list[str]) -> dict[str, Vacancy]:
        """The records of one result page, read from the store table in the search's own snapshot."""
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = _raw(conn).execute(f"SELECT id, data FROM vacancies WHERE id IN ({marks})", ids).fetchall()
        return {vacancy_id: Vacancy.model_validate_json(data) for vacancy_id, data in rows}


def _raw(conn: Connection) -> sqlite3.Connection:
    """The DB-API connection under SQLAlchemy's: bulk inserts and column reads skip its statement layer."""
    raw = conn.connection.driver_connection
    assert raw is not None, "a checked-out connection has a driver connection"
    return raw


def _generation(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SELECT value FROM search_meta WHERE key = 'generation'").scalar_one())


class _Search:
    """One search over the cached columns: masks, facets, order, page."""

    def __init__(self, cols: _Columns, query: SearchQuery, scores, text_mask, backend: SqliteBackend):
        self.cols, self.query, self.scores, self.backend = cols, query, scores, backend
        self.distance: np.ndarray | None = None
        self.base = self._visible()
        if text_mask is not None:
            self.base &= text_mask
        self.base &= self._plain_filters()
        self.facet_masks = self._facet_masks()

    def run(self, hydrate: Callable[[list[str]], dict[str, Vacancy]]) -> SearchPage:
        self.hydrate = hydrate
        final = self.base.copy()
        for mask in self.facet_masks.values():
            final &= mask
        top = self._top(np.flatnonzero(final), self.query.offset + self.query.per_page)
        page = top[self.query.offset :]
        return SearchPage(
            total=int(final.sum()),
            page=self.query.page,
            per_page=self.query.per_page,
            items=self._hits(page),
            facets=self._facets(),
        )

    # -- masks --------------------------------------------------------------------------------------

    def _visible(self) -> np.ndarray:
        """vacancies.visibility as a mask (hidden postings are not in the index)."""
        cols, include_expired = self.cols, self.query.include_expired
        mask = np.zeros(len(cols), dtype=bool)
        for state in visibility.listed_states(include_expired):
            mask |= self._state_mask(state)
        if visibility.deadline_counts(include_expired):
            today = self.query.effective_today().toordinal()
            mask &= (cols.deadline == MISSING_DAY) | (cols.deadline >= today)  # visibility.in_time
        return mask

    def _state_mask(self, state: State) -> np.ndarray:
        vocab = self.cols.vocab["state"]
        if state.value not in vocab:
            return np.zeros(len(self.cols), dtype=bool)
        return self.cols.state == vocab.index(state.value)

    def _plain_filters(self) -> np.ndarray:
        q, cols = self.query, self.cols
        mask = np.ones(len(cols), dtype=bool)
        if q.pay_grade_min or q.pay_grade_max:
            from vacancies.normalize import pay_grade_rank

            has_grade = cols.grade_low >= 0
            low = pay_grade_rank(q.pay_grade_min) if q.pay_grade_min else -1
            high = pay_grade_rank(q.pay_grade_max) if q.pay_grade_max else np.iinfo(np.int32).max
            mask &= has_grade & (cols.grade_high >= low) & (cols.grade_low <= high)
        if q.min_monthly_pay is not None:  # postings without a known figure are out
            mask &= cols.pay_month_high >= q.min_monthly_pay
        if q.status:
            mask &= self._bits_mask("status", [s.value for s in q.status])
        if q.near is not None:
            self.distance = _haversine(cols.lat, cols.lon, q.near.lat, q.near.lon)
            with np.errstate(invalid="ignore"):
                mask &= self.distance <= q.radius_km
        return mask

    def _facet_masks(self) -> dict[str, np.ndarray]:
        masks = {}
        for name, values in facet_selection(self.query).items():
            masks[name] = self._bits_mask(name, values) if name in BITSETS else self._code_mask(name, values)
        return masks

    def _code_mask(self, name: str, values: list[str]) -> np.ndarray:
        vocab = self.cols.vocab[name]
        codes = [vocab.index(v) for v in values if v in vocab]
        return np.isin(self.cols.codes[name], codes)

    def _bits_mask(self, name: str, values: list[str]) -> np.ndarray:
        flags = sum(1 << BITSETS[name].index(v) for v in values if v in BITSETS[name])
        return (self.cols.bits[name] & flags) != 0

    # -- facets -------------------------------------------------------------------------------------

    def _facets(self) -> dict[str, list[FacetValue]]:
        selections: dict[tuple[str, ...], np.ndarray] = {}
        out = {}
        for name in FACET_FIELDS:
            # Facets whose own filter is not set share one selection: compute each distinct one once.
            others = tuple(f for f in self.facet_masks if f != name)
            if others not in selections:
                mask = self.base.copy()
                for other in others:
                    mask &= self.facet_masks[other]
                selections[others] = np.flatnonzero(mask)
            out[name] = self._facet(name, selections[others])
        return out

    def _facet(self, name: str, selected: np.ndarray) -> list[FacetValue]:
        if name in BITSETS:
            bits = self.cols.bits[name][selected]
            counts = {v: int(np.count_nonzero(bits & (1 << i))) for i, v in enumerate(BITSETS[name])}
        else:
            vocab = self.cols.vocab[name]
            tally = np.bincount(self.cols.codes[name][selected] + 1, minlength=len(vocab) + 1)[1:]  # -1: none
            counts = dict(zip(vocab, (int(c) for c in tally), strict=True))
        values = [FacetValue(v, c) for v, c in counts.items() if c > 0]
        values.sort(key=lambda f: (-f.count, f.value))
        return values

    # -- order and hits -----------------------------------------------------------------------------

    def _top(self, positions: np.ndarray, k: int) -> np.ndarray:
        """The first k positions in the query's order — O(n) selection, then a sort of only k."""
        cols = self.cols
        if k <= 0 or not len(positions):
            return positions[:0]
        if self.query.sort == Sort.deadline:
            return _smallest(positions, cols.deadline_rank[positions], k)
        if self.query.sort == Sort.distance and self.distance is not None:
            order = np.lexsort((cols.newest_rank[positions], self.distance[positions]))
            return positions[order[:k]]
        if self.query.sort == Sort.relevance and self.scores is not None:
            return self._top_relevance(positions, k)
        return _smallest(positions, cols.newest_rank[positions], k)

    def _top_relevance(self, positions: np.ndarray, k: int) -> np.ndarray:
        # Score desc, then newest; binary-tf scores tie a lot, so the k-th score's ties are cut by rank.
        negative, rank = -self.scores[positions], self.cols.newest_rank[positions]
        if k >= len(positions):
            return positions[np.lexsort((rank, negative))]
        kth = np.partition(negative, k - 1)[k - 1]
        above, tie = negative < kth, negative == kth
        ahead = positions[above][np.lexsort((rank[above], negative[above]))]
        return np.concatenate([ahead, _smallest(positions[tie], rank[tie], k - len(ahead))])

    def _hits(self, positions: np.ndarray) -> list[SearchHit]:
        ids = [self.cols.ids[p] for p in positions]
        found = self.hydrate(ids)
        hits = []
        for position, vacancy_id in zip(positions, ids, strict=True):
            vacancy = found.get(vacancy_id)
            if vacancy is not None:
                hits.append(self._hit(position, vacancy))
        return hits

    def _hit(self, position: int, vacancy: Vacancy) -> SearchHit:
        text, analyzer = self.query.text, self.backend.analyzer
        distance = None
        if self.distance is not None:
            distance = round(float(self.distance[position]), 1)
        return SearchHit(
            vacancy=vacancy,
            score=float(self.scores[position]) if self.scores is not None else 0.0,
            distance_km=distance,
            highlights={
                "title": highlight(vacancy.title, text, analyzer),
                "description": snippet(html_to_text(vacancy.description), text, analyzer),
            },
        )


def _smallest(positions: np.ndarray, keys: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k smallest keys (keys are distinct ranks), in key order."""
    if k <= 0:
        return positions[:0]
    if k < len(positions):
        chosen = np.argpartition(keys, k - 1)[:k]
        positions, keys = positions[chosen], keys[chosen]
    return positions[np.argsort(keys, kind="stable")]


def _order_rank(primary: np.ndarray, id_rank: np.ndarray) -> np.ndarray:
    """Each position's place in the order (primary asc, id asc): a permutation of 0..n-1."""
    rank = np.empty(len(primary), dtype=np.int64)
    rank[np.lexsort((id_rank, primary))] = np.arange(len(primary))
    return rank


def _haversine(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    phi, phi0 = np.radians(lat), np.radians(lat0)
    a = np.sin((phi - phi0) / 2) ** 2 + np.cos(phi) * np.cos(phi0) * np.sin(np.radians(lon - lon0) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
