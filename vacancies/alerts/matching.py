"""Which new postings match which saved searches, on either backend, as the search itself would.

An alert's query is the search's own `SearchQuery`; matching applies exactly the search's text rule and
filters (vacancies/search/contract.py) to a small set of new postings instead of the whole index:

- `EmbeddedMatcher` (any backend, the default for the embedded one): the new postings become the
  search's documents (`build_document`, the same German analysis), held as an inverted index whose
  posting lists are Python integers used as bit sets. A query group is the OR of its terms' bit sets
  and of the bit sets of every token starting with one of its prefixes; groups and filters AND
  together. Each distinct query is evaluated once, however many addresses saved it.
- The engine's own matcher where the backend offers one (`SearchBackend.alert_percolation()`,
  vacancies/search/protocols.py): Elasticsearch stores each distinct query as a percolator document
  (the very clauses the search sends, minus the date-dependent visibility) and percolates the new
  postings in batches; that index is derived and brought in line with the stored alerts before each
  run. Where it is missing or fails, this module's matcher answers.

Visibility (published, not past the deadline, not hidden) is applied by the caller before matching, so
a stored percolator query never depends on the day it was written.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from vacancies.model import Vacancy
from vacancies.normalize import pay_grade_rank
from vacancies.search.analysis import GermanAnalyzer, QueryGroup
from vacancies.search.contract import FACET_FIELDS, SearchQuery, facet_selection
from vacancies.search.document import build_document
from vacancies.search.sqlite_backend import _haversine

# -- embedded ------------------------------------------------------------------------------------------


class EmbeddedMatcher:
    """The new postings as an in-memory index; `match(query)` -> positions (a bit set) of the matches."""

    def __init__(self, vacancies: list[Vacancy], analyzer: GermanAnalyzer) -> None:
        self.analyzer = analyzer
        self.ids = [v.id for v in vacancies]
        self.all = (1 << len(vacancies)) - 1
        self.docs = [build_document(v, analyzer) for v in vacancies]
        self.postings: dict[str, int] = {}  # token -> bit set of the documents holding it
        self.values: dict[tuple[str, str], int] = {}  # (facet or status, value) -> bit set
        for position, doc in enumerate(self.docs):
            bit = 1 << position
            for token in set(doc["title_tokens"].split()) | set(doc["body_tokens"].split()):
                self.postings[token] = self.postings.get(token, 0) | bit
            for name in (*FACET_FIELDS, "status"):
                for value in doc[name]:
                    self.values[(name, value)] = self.values.get((name, value), 0) | bit
        self.vocabulary = sorted(self.postings)
        self._cache: dict[Any, int] = {}
        self.lat = np.array([np.nan if d["lat"] is None else d["lat"] for d in self.docs], dtype=np.float64)
        self.lon = np.array([np.nan if d["lon"] is None else d["lon"] for d in self.docs], dtype=np.float64)
        self.grade_low = _numbers(d["grade_low"] for d in self.docs)
        self.grade_high = _numbers(d["grade_high"] for d in self.docs)
        self.pay = _numbers(d["pay_month_high"] for d in self.docs)

    def match(self, query: SearchQuery) -> int:
        mask = self.all
        groups = self.analyzer.query_groups(query.text) if query.text.strip() else []
        for group in groups:
            mask &= self._group(group)
            if not mask:
                return 0
        for name, values in facet_selection(query).items():
            mask &= self._any_of(name, values)
        if query.status:
            mask &= self._any_of("status", [s.value for s in query.status])
        if mask and (query.pay_grade_min or query.pay_grade_max):
            mask &= self._cached(("grade", query.pay_grade_min, query.pay_grade_max), self._grades, query)
        if mask and query.min_monthly_pay is not None:
            mask &= self._cached(("pay", query.min_monthly_pay), self._pay, query)
        if mask and query.near is not None:
            key = ("near", query.near.lat, query.near.lon, query.radius_km)
            mask &= self._cached(key, self._near, query)
        return mask

    def ids_of(self, mask: int) -> list[str]:
        """The ids of a bit set, in the order the postings were given."""
        if not mask:
            return []
        n = len(self.ids)
        bits = np.unpackbits(
            np.frombuffer(mask.to_bytes((n + 7) // 8, "little"), dtype=np.uint8), bitorder="little"
        )
        return [self.ids[i] for i in np.flatnonzero(bits[:n])]

    def _group(self, group: QueryGroup) -> int:
        return self._cached(("group", group.terms, group.prefixes), self._group_mask, group)

    def _group_mask(self, group: QueryGroup) -> int:
        mask = 0
        for term in group.terms:
            mask |= self.postings.get(term, 0)
        for prefix in group.prefixes:
            start = bisect.bisect_left(self.vocabulary, prefix)
            for token in self.vocabulary[start:]:
                if not token.startswith(prefix):
                    break
                mask |= self.postings[token]
        return mask

    def _any_of(self, name: str, values: Iterable[str]) -> int:
        mask = 0
        for value in values:
            mask |= self.values.get((name, value), 0)
        return mask

    def _cached(self, key: Any, compute, argument) -> int:
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = compute(argument)
        return found

    # Numeric filters over all new postings at once (numpy); NaN (no value) compares False, so postings
    # without a grade, a pay figure or coordinates are out, as in the search.

    def _grades(self, query: SearchQuery) -> int:
        low = pay_grade_rank(query.pay_grade_min) if query.pay_grade_min else -math.inf
        high = pay_grade_rank(query.pay_grade_max) if query.pay_grade_max else math.inf
        return _bits(~np.isnan(self.grade_low) & (self.grade_high >= low) & (self.grade_low <= high))

    def _pay(self, query: SearchQuery) -> int:
        return _bits(self.pay >= query.min_monthly_pay)

    def _near(self, query: SearchQuery) -> int:
        near = query.near
        if near is None:  # asked only with a place (match); without one nothing is out
            return _bits(np.ones(len(self.lat), dtype=bool))
        # The embedded search's own haversine: the same floating-point result at the radius' edge.
        with np.errstate(invalid="ignore"):
            distance = _haversine(self.lat, self.lon, near.lat, near.lon)
            return _bits(distance <= query.radius_km)


def _numbers(values: Iterable[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _bits(mask: np.ndarray) -> int:
    """A boolean array as an integer bit set (bit i = element i)."""
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")
