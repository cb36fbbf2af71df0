"""Embedded search: SQLite FTS5 over the analysed tokens, in the same database as the store.

Text matching and BM25 come from FTS5. Filters, facets, radius and sorting run on column arrays
(numpy) cached from `search_docs`: counting eight facets over 100,000 postings with GROUP BY would cost
tens of milliseconds per search, bincount costs well under one. The cache is reloaded when the
`generation` counter, bumped in the same transaction as every index write, changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from vacancies.model import EmploymentStatus, State, Vacancy, WorkingTime
from vacancies.search.analysis import GermanAnalyzer, QueryGroup, get_analyzer, highlight, snippet
from vacancies.search.contract import (
    EARTH_RADIUS_KM,
    FACET_FIELDS,
    FacetValue,
    SearchHit,
    SearchPage,
    SearchQuery,
    Sort,
)
from vacancies.search.document import build_document, html_to_text

CATEGORICAL = ("district", "posting_type", "category", "fixed_term", "pay_scale", "career_level", "remote")
BITSETS = {"working_time": [w.value for w in WorkingTime], "status": [s.value for s in EmploymentStatus]}
DOC_COLUMNS = (
    "id",
    "district",
    "posting_type",
    "category",
    "working_time",
    "fixed_term",
    "pay_scale",
    "career_level",
    "remote",
    "status",
    "grade_low",
    "grade_high",
    "lat",
    "lon",
    "date_posted",
    "deadline",
    "state",
)
MISSING_DAY = np.iinfo(np.int32).max  # sorts last in ascending order


def _day(value: str | None) -> int:
    return date.fromisoformat(value).toordinal() if value else MISSING_DAY


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
    lat: np.ndarray
    lon: np.ndarray
    date_posted: np.ndarray
    deadline: np.ndarray
    state: np.ndarray  # codes in vocab["state"]

    @classmethod
    def load(cls, conn: Connection, generation: int) -> _Columns:
        cursor = conn.exec_driver_sql(
            f"SELECT rowid, {', '.join(DOC_COLUMNS)} FROM search_docs ORDER BY rowid"
        )
        rows = cursor.fetchall()
        fields = list(zip(*rows, strict=True)) if rows else [[] for _ in range(len(DOC_COLUMNS) + 1)]
        col = dict(zip(("rowid", *DOC_COLUMNS), fields, strict=True))
        ids = list(col["id"])
        codes, vocab = {}, {}
        for name in (*CATEGORICAL, "state"):
            codes[name], vocab[name] = _encode(col[name])
        bits = {name: _bitset(col[name], values) for name, values in BITSETS.items()}
        return cls(
            generation=generation,
            rowids=np.asarray(col["rowid"], dtype=np.int64),
            ids=ids,
            id_rank=np.argsort(np.argsort(np.asarray(ids, dtype=object), kind="stable"), kind="stable"),
            codes=codes,
            vocab=vocab,
            bits=bits,
            grade_low=np.asarray([g if g is not None else -1 for g in col["grade_low"]], dtype=np.int32),
            grade_high=np.asarray([g if g is not None else -1 for g in col["grade_high"]], dtype=np.int32),
            lat=np.asarray([v if v is not None else np.nan for v in col["lat"]], dtype=np.float64),
            lon=np.asarray([v if v is not None else np.nan for v in col["lon"]], dtype=np.float64),
            date_posted=np.asarray([_day(v) for v in col["date_posted"]], dtype=np.int32),
            deadline=np.asarray([_day(v) for v in col["deadline"]], dtype=np.int32),
            state=codes["state"],
        )

    def __len__(self) -> int:
        return len(self.ids)


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
    name = "sqlite"
    transactional = True  # index rows are written in the store's transaction

    def __init__(self, engine: Engine, analyzer: GermanAnalyzer | None = None) -> None:
        self.engine = engine
        self.analyzer = analyzer or get_analyzer()
        self._cache: _Columns | None = None
        self._lock = threading.Lock()

    # -- writes (inside the caller's transaction) ---------------------------------------------------

    def write(self, conn: Connection, vacancies: list[Vacancy]) -> None:
        if not vacancies:
            return
        self.remove(conn, [v.id for v in vacancies], bump=False)
        for vacancy in vacancies:
            self._insert(conn, build_document(vacancy, self.analyzer))
        self._bump(conn)

    def _insert(self, conn: Connection, doc: dict[str, Any]) -> None:
        values = [",".join(doc[c]) if isinstance(doc[c], list) else doc[c] for c in DOC_COLUMNS]
        for i, column in enumerate(DOC_COLUMNS):
            if column in CATEGORICAL and isinstance(doc[column], list):
                values[i] = doc[column][0] if doc[column] else None
        placeholders = ", ".join("?" * len(DOC_COLUMNS))
        cursor = conn.exec_driver_sql(
            f"INSERT INTO search_docs ({', '.join(DOC_COLUMNS)}) VALUES ({placeholders})", tuple(values)
        )
        conn.exec_driver_sql(
            "INSERT INTO search_fts (rowid, title_tokens, body_tokens) VALUES (?, ?, ?)",
            (cursor.lastrowid, doc["title_tokens"], doc["body_tokens"]),
        )

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

    # -- the SearchBackend protocol -----------------------------------------------------------------

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

    def health(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            documents = conn.exec_driver_sql("SELECT count(*) FROM search_docs").scalar()
        return {"ok": True, "backend": self.name, "documents": documents}

    def search(self, query: SearchQuery) -> SearchPage:
        with self.engine.connect() as conn:
            cols = self._columns(conn)
            scores, text_mask = self._text(conn, cols, query)
        return _Search(cols, query, scores, text_mask, self).run()

    # -- internals ----------------------------------------------------------------------------------

    def _columns(self, conn: Connection) -> _Columns:
        generation = conn.exec_driver_sql("SELECT value FROM search_meta WHERE key = 'generation'").scalar()
        cache = self._cache
        if cache is not None and cache.generation == generation:
            return cache
        with self._lock:
            if self._cache is None or self._cache.generation != generation:
                self._cache = _Columns.load(conn, generation)
            return self._cache

    def _text(self, conn: Connection, cols: _Columns, query: SearchQuery):
        groups = self.analyzer.query_groups(query.text) if query.text.strip() else []
        if not groups:
            return None, None
        rows = conn.exec_driver_sql(
            "SELECT rowid, bm25(search_fts, 3.0, 1.0) FROM search_fts WHERE search_fts MATCH ?",
            (fts_expression(groups),),
        ).fetchall()
        scores = np.zeros(len(cols), dtype=np.float64)
        mask = np.zeros(len(cols), dtype=bool)
        if rows:
            rowids, bm25 = (np.asarray(x) for x in zip(*rows, strict=True))
            positions = np.searchsorted(cols.rowids, rowids)
            valid = (positions < len(cols)) & (cols.rowids[np.minimum(positions, len(cols) - 1)] == rowids)
            mask[positions[valid]] = True
            scores[positions[valid]] = -bm25[valid]  # FTS5 bm25: lower is better
        return scores, mask

    def hydrate(self, ids: list[str]) -> dict[str, Vacancy]:
        from vacancies.store import VacancyStore  # the store and this index share one database

        return VacancyStore(self.engine).get_many(ids)


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

    def run(self) -> SearchPage:
        final = self.base.copy()
        for mask in self.facet_masks.values():
            final &= mask
        positions = self._ordered(np.flatnonzero(final))
        page = positions[self.query.offset : self.query.offset + self.query.per_page]
        return SearchPage(
            total=int(final.sum()),
            page=self.query.page,
            per_page=self.query.per_page,
            items=self._hits(page),
            facets=self._facets(),
        )

    # -- masks --------------------------------------------------------------------------------------

    def _visible(self) -> np.ndarray:
        cols, today = self.cols, self.query.effective_today().toordinal()
        published = self._state_mask(State.published)
        in_time = (cols.deadline == MISSING_DAY) | (cols.deadline >= today)
        if not self.query.include_expired:
            return published & in_time
        return published | self._state_mask(State.expired)

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
        if q.status:
            mask &= self._bits_mask("status", [s.value for s in q.status])
        if q.near is not None:
            self.distance = _haversine(cols.lat, cols.lon, q.near.lat, q.near.lon)
            with np.errstate(invalid="ignore"):
                mask &= self.distance <= q.radius_km
        return mask

    def _facet_masks(self) -> dict[str, np.ndarray]:
        q = self.query
        wanted = {
            "district": q.districts,
            "posting_type": [p.value for p in q.posting_types],
            "category": q.categories,
            "working_time": [w.value for w in q.working_time],
            "fixed_term": [] if q.fixed_term is None else ["true" if q.fixed_term else "false"],
            "career_level": [str(c) for c in q.career_levels],
            "remote": [r.value for r in q.remote],
        }
        masks = {}
        for name, values in wanted.items():
            if values:
                masks[name] = (
                    self._bits_mask(name, values) if name in BITSETS else self._code_mask(name, values)
                )
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
        return {name: self._facet(name) for name in FACET_FIELDS}

    def _facet(self, name: str) -> list[FacetValue]:
        mask = self.base.copy()
        for other, other_mask in self.facet_masks.items():
            if other != name:
                mask &= other_mask
        if name in BITSETS:
            selected = self.cols.bits[name][mask]
            counts = {v: int(np.count_nonzero(selected & (1 << i))) for i, v in enumerate(BITSETS[name])}
        else:
            codes = self.cols.codes[name][mask]
            tally = np.bincount(codes[codes >= 0], minlength=len(self.cols.vocab[name]))
            counts = dict(zip(self.cols.vocab[name], (int(c) for c in tally), strict=True))
        values = [FacetValue(v, c) for v, c in counts.items() if c > 0]
        values.sort(key=lambda f: (-f.count, f.value))
        return values

    # -- order and hits -----------------------------------------------------------------------------

    def _ordered(self, positions: np.ndarray) -> np.ndarray:
        cols, sort = self.cols, self.query.sort
        id_rank = cols.id_rank[positions]
        newest = np.where(
            cols.date_posted[positions] == MISSING_DAY, MISSING_DAY, -cols.date_posted[positions]
        )
        if sort == Sort.deadline:
            order = np.lexsort((id_rank, cols.deadline[positions]))
        elif sort == Sort.relevance and self.scores is not None:
            order = np.lexsort((id_rank, newest, -self.scores[positions]))
        else:
            order = np.lexsort((id_rank, newest))
        return positions[order]

    def _hits(self, positions: np.ndarray) -> list[SearchHit]:
        ids = [self.cols.ids[p] for p in positions]
        found = self.backend.hydrate(ids)
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


def _haversine(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    phi, phi0 = np.radians(lat), np.radians(lat0)
    a = np.sin((phi - phi0) / 2) ** 2 + np.cos(phi) * np.cos(phi0) * np.sin(np.radians(lon - lon0) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
