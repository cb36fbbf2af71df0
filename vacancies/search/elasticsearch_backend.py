"""Elasticsearch backend: the scale-out implementation of the search contract.

Documents carry the tokens of the Python `GermanAnalyzer` (vacancies/search/document.py); the index only
splits them on whitespace (config/elasticsearch/vacancies-template.json), so matching is the same as in
the embedded backend by construction. Search goes to an alias; `reindex` builds a new concrete index
behind it and moves the alias in one call, so search never goes dark (the pattern of PyPI's warehouse).

This is the only module that imports `elasticsearch`.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch import ConnectionError as EsConnectionError
from elasticsearch import TransportError as EsTransportError
from elasticsearch.helpers import BulkIndexError, streaming_bulk
from elasticsearch.serializer import NdjsonSerializer, OrjsonSerializer

from vacancies import visibility
from vacancies.model import Vacancy
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
    MAX_RESULT_WINDOW,
    FacetValue,
    GeoPoint,
    IndexUnavailable,
    SearchHit,
    SearchPage,
    SearchQuery,
    Sort,
    facet_selection,
)
from vacancies.search.document import DocumentBuilder, build_document, html_to_text

log = logging.getLogger(__name__)
T = TypeVar("T")

FACET_SIZE = 500
# Elasticsearch scores with BM25; the embedded backend uses the same title weight (3 for the title, 1
# for the body) on its own idf x binary-tf score (sqlite_backend.SqliteBackend._text), not BM25.
TITLE_BOOST = 3.0
RETRY_STATUS = (429, 502, 503, 504)  # the cluster is busy or restarting: try again later


def default_template_path() -> Path:
    """`<repo>/config/elasticsearch/...`, or under `$STELLEN_CONFIG_DIR` when that is set."""
    base = os.environ.get("STELLEN_CONFIG_DIR")
    root = Path(base) if base else Path(__file__).resolve().parents[2] / "config"
    return root / "elasticsearch" / "vacancies-template.json"


def load_template(alias: str, path: Path | None = None) -> dict[str, Any]:
    """The composable index template body for the indices behind `alias`."""
    text = (path or default_template_path()).read_text(encoding="utf-8")
    body = json.loads(text)
    body["index_patterns"] = [p.replace("{alias}", alias) for p in body["index_patterns"]]
    return body


# -- the query (pure: no client, unit-testable) -------------------------------------------------------


def build_search_body(query: SearchQuery, analyzer: GermanAnalyzer, today: date) -> dict[str, Any]:
    """The `_search` request body for a contract query (see contract.py for the semantics)."""
    groups = analyzer.query_groups(query.text) if query.text.strip() else []
    facet_filters = facet_filter_clauses(query)
    start = min(query.offset, MAX_RESULT_WINDOW)
    return {
        "query": {
            "bool": {
                "must": [text_clause(group) for group in groups],
                "filter": [visibility_clause(query.include_expired, today), *plain_filter_clauses(query)],
            }
        },
        # Facet filters narrow the hits after the aggregations ran, so each facet can leave its own out.
        "post_filter": {"bool": {"filter": list(facet_filters.values())}},
        "aggs": facet_aggregations(facet_filters),
        "sort": sort_clause(query.sort, has_text=bool(groups), near=query.near),
        "from": start,
        "size": max(0, min(query.per_page, MAX_RESULT_WINDOW - start)),
        "track_total_hits": True,
        "track_scores": bool(groups),
        "_source": ["vacancy"],
    }


def text_clause(group: QueryGroup) -> dict[str, Any]:
    """A group matches when a token equals one of its terms or starts with one of its prefixes."""
    should: list[dict[str, Any]] = []
    for term in group.terms:
        should.append({"term": {"title_tokens": {"value": term, "boost": TITLE_BOOST}}})
        should.append({"term": {"body_tokens": {"value": term}}})
    title_boost = round(TITLE_BOOST * PREFIX_WEIGHT, 3)  # a word only begun ranks below the word itself
    for prefix in group.prefixes:
        should.append({"prefix": {"title_tokens": {"value": prefix, "boost": title_boost}}})
        should.append({"prefix": {"body_tokens": {"value": prefix, "boost": PREFIX_WEIGHT}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def visibility_clause(include_expired: bool, today: date) -> dict[str, Any]:
    """vacancies.visibility as a filter: published and not past the Bewerbungsfrist; with
    `include_expired` also expired ones. Drafts and withdrawn postings are never visible (hidden ones
    are not in the index)."""
    values = [s.value for s in visibility.listed_states(include_expired)]
    states = {"term": {"state": values[0]}} if len(values) == 1 else {"terms": {"state": values}}
    if not visibility.deadline_counts(include_expired):
        return states
    in_time = {  # visibility.in_time
        "bool": {
            "should": [
                {"bool": {"must_not": {"exists": {"field": "deadline"}}}},
                {"range": {"deadline": {"gte": today.isoformat()}}},
            ],
            "minimum_should_match": 1,
        }
    }
    return {"bool": {"filter": [states, in_time]}}


def plain_filter_clauses(query: SearchQuery) -> list[dict[str, Any]]:
    """Filters that are not facets: pay grade range, employment status, radius."""
    clauses: list[dict[str, Any]] = []
    if query.pay_grade_min or query.pay_grade_max:
        clauses.extend(_grade_clauses(query.pay_grade_min, query.pay_grade_max))
    if query.min_monthly_pay is not None:
        clauses.append({"range": {"pay_month_high": {"gte": query.min_monthly_pay}}})
    if query.status:
        clauses.append({"terms": {"status": [s.value for s in query.status]}})
    if query.near is not None:
        clauses.append(
            {
                "geo_distance": {
                    "distance": f"{query.radius_km}km",
                    "distance_type": "arc",
                    "location": {"lat": query.near.lat, "lon": query.near.lon},
                }
            }
        )
    return clauses


def _grade_clauses(low: str | None, high: str | None) -> list[dict[str, Any]]:
    # Imported here like the embedded backend does: normalize is the one place that ranks grades.
    from vacancies.normalize import pay_grade_rank

    # The spans [grade_low, grade_high] and [low, high] overlap; postings without a grade are out.
    clauses: list[dict[str, Any]] = [{"exists": {"field": "grade_low"}}]
    if low:
        clauses.append({"range": {"grade_high": {"gte": pay_grade_rank(low)}}})
    if high:
        clauses.append({"range": {"grade_low": {"lte": pay_grade_rank(high)}}})
    return clauses


def facet_filter_clauses(query: SearchQuery) -> dict[str, dict[str, Any]]:
    """The chosen values of every facet with a selection, as `terms` clauses keyed by facet."""
    return {name: {"terms": {name: values}} for name, values in facet_selection(query).items()}


def facet_aggregations(facet_filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Disjunctive facets: facet F counts under every facet filter except F's own.

    Facets that need the same filters share one `filter` aggregation (every facet nobody chose needs
    all the chosen filters), and a facet that needs none is a plain `terms` aggregation: each `filter`
    wrapper, even a match-all one, costs about twice the `terms` aggregation inside it."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in FACET_FIELDS:
        groups.setdefault(tuple(other for other in facet_filters if other != name), []).append(name)
    aggs: dict[str, Any] = {}
    for others, names in groups.items():
        terms = {name: _terms_aggregation(name) for name in names}
        if others:
            filters = [facet_filters[other] for other in others]
            aggs[f"filtered_by:{','.join(others)}"] = {"filter": {"bool": {"filter": filters}}, "aggs": terms}
        else:
            aggs.update(terms)
    return aggs


def _terms_aggregation(field: str) -> dict[str, Any]:
    return {"terms": {"field": field, "size": FACET_SIZE, "order": [{"_count": "desc"}, {"_key": "asc"}]}}


def sort_clause(sort: Sort, has_text: bool, near: GeoPoint | None = None) -> list[Any]:
    newest = {"date_posted": {"order": "desc", "missing": "_last"}}
    by_id = {"id": {"order": "asc"}}
    if sort == Sort.deadline:
        return [{"deadline": {"order": "asc", "missing": "_last"}}, by_id]
    if sort == Sort.distance and near is not None:
        # arc: the same great-circle distance as the radius filter and the embedded backend
        point = {"lat": near.lat, "lon": near.lon}
        by_distance = {"location": point, "order": "asc", "unit": "km", "distance_type": "arc"}
        return [{"_geo_distance": by_distance}, newest, by_id]
    if sort == Sort.relevance and has_text:
        return [{"_score": {"order": "desc"}}, newest, by_id]
    return [newest, by_id]  # newest, and relevance without words


def distance_km(lat: float, lon: float, lat0: float, lon0: float) -> float:
    """Great-circle distance, the same haversine as the contract and the embedded backend."""
    phi, phi0 = math.radians(lat), math.radians(lat0)
    a = (
        math.sin((phi - phi0) / 2) ** 2
        + math.cos(phi) * math.cos(phi0) * math.sin(math.radians(lon - lon0) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def index_document(vacancy: Vacancy, doc: dict[str, Any]) -> dict[str, Any]:
    """The shared index document (build_document), plus a geo_point and the record for display."""
    lat, lon = doc.pop("lat"), doc.pop("lon")
    if lat is not None and lon is not None:
        doc["location"] = {"lat": lat, "lon": lon}
    doc["vacancy"] = vacancy.model_dump(mode="json")
    return doc


# -- the backend --------------------------------------------------------------------------------------


class ElasticsearchBackend:
    """`SearchBackend` (vacancies/search/protocols.py) on an Elasticsearch cluster (the same major as
    the client, see pyproject.toml). It has no transactional capability: the Board feeds it from the
    store's outbox after the commit (OutboxIndex: index, delete)."""

    name = "elasticsearch"

    def __init__(
        self,
        url: str,
        alias: str = "stellenboerse-vacancies",
        analyzer: GermanAnalyzer | None = None,
        refresh: bool | str = False,
        request_timeout: float = 10,
        *,
        retries: int = 3,
        initial_backoff: float = 1.0,
        max_backoff: float = 30.0,
        chunk_size: int = 500,
        template_path: Path | None = None,
        index_settings: dict[str, Any] | None = None,
        workers: int | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.alias = alias
        self.analyzer = analyzer or get_analyzer()
        self.refresh = refresh
        self.request_timeout = request_timeout
        self.retries = retries
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.chunk_size = chunk_size
        self.builder = DocumentBuilder(self.analyzer, workers)
        self.template = load_template(alias, template_path)
        if index_settings:
            self.template["template"]["settings"]["index"].update(index_settings)
        self._counter_pool: ThreadPoolExecutor | None = None  # started by the first search
        self._counter_lock = threading.Lock()
        # Retries are ours (`_retrying`), so that their number and backoff are known and testable.
        self.client = Elasticsearch(
            self.url, request_timeout=request_timeout, max_retries=0, serializers=_fast_serializers()
        )

    # -- writes -------------------------------------------------------------------------------------

    def index(self, vacancies: list[Vacancy]) -> None:
        if not vacancies:
            return
        actions = self._index_actions(vacancies, self.alias)
        self._retrying("index", self.ensure_index)
        self._bulk(actions, refresh=self.refresh)

    def delete(self, ids: list[str]) -> None:
        if not ids:
            return
        if not self._retrying("delete", lambda: self.client.indices.exists_alias(name=self.alias)):
            return  # nothing indexed yet, so nothing to delete
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids]
        self._bulk(actions, refresh=self.refresh, ignore_status=(404,))

    def ensure_index(self) -> None:
        """Create the template and a first index behind the alias unless the alias exists."""
        if self.client.indices.exists_alias(name=self.alias):
            self._add_new_fields()
            return
        self.put_template()
        name = self.new_index_name()
        log.info("Lege Suchindex %s hinter Alias %s an", name, self.alias)
        self.client.indices.create(index=name, aliases={self.alias: {}})

    def _add_new_fields(self) -> None:
        """Fields a newer template adds (pay_month_high) into the serving index: its mapping is strict,
        so documents carrying them would be refused until the next reindex. Adding fields is allowed on
        a live index; existing ones are sent unchanged."""
        if getattr(self, "_mapping_current", False):
            return  # once per process: ensure_index runs before every write
        properties = self.template["template"]["mappings"]["properties"]
        self.client.indices.put_mapping(index=self.alias, properties=properties)
        self._mapping_current = True

    def put_template(self) -> None:
        body = copy.deepcopy(self.template)
        meta = body.pop("_meta", None)
        self.client.indices.put_index_template(name=self.template_name, meta=meta, **body)

    @property
    def template_name(self) -> str:
        return f"{self.alias}-template"

    def new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"

    # -- zero-downtime rebuild ----------------------------------------------------------------------

    def reindex(self, vacancies: Iterable[Vacancy]) -> int:
        """New index with refresh off, bulk load, restore settings, move the alias in one call, drop the
        old index. If anything fails the new index is deleted and the old one keeps serving."""
        self._retrying("reindex", self.put_template)
        new = self.new_index_name()
        self._retrying(
            "reindex",
            lambda: self.client.indices.create(
                index=new, settings={"index": {"refresh_interval": "-1", "number_of_replicas": 0}}
            ),
        )
        try:
            count = self._load(new, vacancies)
            self._restore_settings(new)
            self.client.indices.refresh(index=new)
            old = self.indices_behind_alias()
            self._swap_alias(old, new)
        except BaseException:
            log.exception("Neuaufbau des Suchindex fehlgeschlagen; %s wird verworfen", new)
            self._discard(new)
            raise
        self._drop_old(old)
        return count

    def _load(self, index: str, vacancies: Iterable[Vacancy]) -> int:
        count = 0
        for batch in _batches(vacancies, self.chunk_size):
            self._bulk(self._index_actions(batch, index), refresh=False, require_alias=False)
            count += len(batch)
        return count

    def _restore_settings(self, index: str) -> None:
        replicas = self.template["template"]["settings"]["index"].get("number_of_replicas", 0)
        settings = {"index": {"refresh_interval": None, "number_of_replicas": replicas}}  # None: default
        self.client.indices.put_settings(index=index, settings=settings)

    def _swap_alias(self, old: list[str], new: str) -> None:
        actions: list[dict[str, Any]] = [{"remove": {"index": o, "alias": self.alias}} for o in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)

    def _discard(self, index: str) -> None:
        try:
            self.client.indices.delete(index=index, ignore_unavailable=True)
        except Exception:  # the original error matters more; a leftover index is only untidy
            log.exception("Konnte den verworfenen Index %s nicht löschen", index)

    def _drop_old(self, old: list[str]) -> None:
        if not old:
            return
        try:
            self.client.indices.delete(index=",".join(old), ignore_unavailable=True)
        except Exception:  # the swap is done; an old index left behind does not affect search
            log.exception("Konnte alte Indizes %s nicht löschen", old)

    def indices_behind_alias(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def drop(self) -> None:
        """Delete the alias, its indices and the template (tests, and starting over)."""
        old = self.indices_behind_alias()
        if old:
            self.client.indices.delete(index=",".join(old), ignore_unavailable=True)
        with contextlib.suppress(NotFoundError):
            self.client.indices.delete_index_template(name=self.template_name)

    # -- reads --------------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        hits_body, counts_body = _split_for_cache(
            build_search_body(query, self.analyzer, query.effective_today())
        )
        # Two concurrent requests rather than one msearch: the page's records are checked and
        # highlighted (several ms of Python) while Elasticsearch is still counting the facets.
        counting = self._counter().submit(self._search_request, counts_body, request_cache=True)
        try:
            hits = self._search_request(hits_body, request_cache=False)
            items = [self._hit(hit, query) for hit in hits["hits"]["hits"]] if hits is not None else []
        finally:
            counts = counting.result()
        if hits is None or counts is None:  # nothing indexed yet
            return SearchPage(0, query.page, query.per_page, [], {name: [] for name in FACET_FIELDS})
        return SearchPage(
            total=counts["hits"]["total"]["value"],
            page=query.page,
            per_page=query.per_page,
            items=items,
            facets=_facets(counts["aggregations"]),
        )

    def _counter(self) -> ThreadPoolExecutor:
        with self._counter_lock:
            if self._counter_pool is None:
                self._counter_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="es-counts")
            return self._counter_pool

    def _search_request(self, body: dict[str, Any], request_cache: bool) -> dict[str, Any] | None:
        """One `_search` on the alias; None when the alias names no index (nothing indexed yet).

        With `request_cache` the shard request cache keeps the answer (for a size-0 request, the
        facet counts), so the counts of a popular search are computed once per index refresh."""
        for attempt in range(2):
            try:
                return self.client.search(index=self.alias, body=body, request_cache=request_cache).body
            except NotFoundError as exc:
                if exc.error != "index_not_found_exception":
                    raise IndexUnavailable(f"Elasticsearch lehnt die Suche ab: {exc}") from exc
                # A reindex may have deleted the index the alias pointed to a moment ago: ask once more.
                if attempt:
                    return None
            except EsConnectionError as exc:
                raise IndexUnavailable(f"Elasticsearch unter {self.url} ist nicht erreichbar: {exc}") from exc
            except ApiError as exc:
                raise IndexUnavailable(f"Elasticsearch lehnt die Suche ab: {exc}") from exc
        return None

    def _hit(self, hit: dict[str, Any], query: SearchQuery) -> SearchHit:
        vacancy = Vacancy.model_validate(hit["_source"]["vacancy"])
        distance = None
        if query.near is not None and vacancy.location.lat is not None and vacancy.location.lon is not None:
            km = distance_km(vacancy.location.lat, vacancy.location.lon, query.near.lat, query.near.lon)
            distance = round(km, 1)
        return SearchHit(
            vacancy=vacancy,
            score=float(hit.get("_score") or 0.0),
            distance_km=distance,
            highlights={
                "title": highlight(vacancy.title, query.text, self.analyzer),
                "description": snippet(html_to_text(vacancy.description), query.text, self.analyzer),
            },
        )

    def transactional_index(self) -> None:
        """None: a cluster cannot join the store's transaction; the outbox feeds it after the commit."""
        return None

    def alert_percolation(self) -> AlertPercolator:
        return AlertPercolator(self)

    def generation(self) -> None:
        """None: the cluster keeps no cheap write counter (callers fall back to the store)."""
        return None

    def refresh_now(self) -> None:
        client = self.client.options(request_timeout=min(self.request_timeout, 5))
        try:
            client.indices.refresh(index=self.alias)
        except (EsTransportError, ApiError) as exc:
            raise IndexUnavailable(f"Elasticsearch unter {self.url} frischt nicht auf: {exc}") from exc

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ok": False,
            "backend": self.name,
            "documents": 0,
            "index": None,
            "cluster_status": None,
        }
        client = self.client.options(request_timeout=min(self.request_timeout, 5))
        try:
            result["cluster_status"] = client.cluster.health()["status"]
            indices = self.indices_behind_alias()
            if indices:
                result["index"] = indices[0] if len(indices) == 1 else indices
                result["documents"] = client.count(index=self.alias)["count"]
        except (EsConnectionError, ApiError) as exc:
            result["error"] = str(exc)
            return result
        result["ok"] = result["cluster_status"] in ("green", "yellow")
        return result

    # -- bulk and retries ---------------------------------------------------------------------------

    def _index_actions(self, vacancies: list[Vacancy], index: str) -> list[dict[str, Any]]:
        docs = self.builder.documents(vacancies)  # analysed in worker processes for big batches
        return [
            {"_index": index, "_id": v.id, "_source": index_document(v, doc)}
            for v, doc in zip(vacancies, docs, strict=True)
        ]

    def _bulk(self, actions: list[dict[str, Any]], **kwargs: Any) -> None:
        """Bulk with retries: per item on 429 (the helper), whole request on connection loss (ours)."""
        kwargs.setdefault("require_alias", True)  # never auto-create a concrete index named like the alias

        def send() -> None:
            for _ok, _item in streaming_bulk(
                self.client,
                actions,
                chunk_size=self.chunk_size,
                max_retries=self.retries,
                initial_backoff=self.initial_backoff,
                max_backoff=self.max_backoff,
                **kwargs,
            ):
                pass

        try:
            self._retrying("bulk", send)
        except BulkIndexError as exc:
            first = exc.errors[0] if exc.errors else {}
            raise IndexUnavailable(
                f"Elasticsearch hat {len(exc.errors)} Dokument(e) abgelehnt: {first}"
            ) from exc

    def _retrying(self, what: str, call: Callable[[], T]) -> T:
        delay = self.initial_backoff
        for attempt in range(self.retries + 1):
            try:
                return call()
            except (EsConnectionError, ApiError) as exc:
                if isinstance(exc, ApiError) and exc.status_code not in RETRY_STATUS:
                    raise
                if attempt == self.retries:
                    raise IndexUnavailable(
                        f"Elasticsearch unter {self.url}: {what} nach {attempt + 1} Versuchen "
                        f"fehlgeschlagen: {exc}"
                    ) from exc
                log.warning("Elasticsearch %s fehlgeschlagen (%s), neuer Versuch in %.1f s", what, exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._counter_pool is not None:
            self._counter_pool.shutdown(wait=True)
        self.client.close()


class _CompatibilityOrjson(OrjsonSerializer):
    mimetype = "application/vnd.elasticsearch+json"


class _OrjsonNdjson(NdjsonSerializer):
    """Newline-delimited JSON (bulk, msearch) with orjson: the client's own uses the stdlib per line."""

    json_dumps = OrjsonSerializer.json_dumps
    json_loads = OrjsonSerializer.json_loads


class _CompatibilityOrjsonNdjson(_OrjsonNdjson):
    mimetype = "application/vnd.elasticsearch+x-ndjson"


def _fast_serializers() -> dict[str, Any]:
    """orjson for JSON both ways: decoding a result page with the stdlib took ~1 ms per search.
    Elasticsearch 9 answers in its compatibility media types, so those need it too."""
    serializers = (OrjsonSerializer(), _CompatibilityOrjson(), _OrjsonNdjson(), _CompatibilityOrjsonNdjson())
    return {serializer.mimetype: serializer for serializer in serializers}


def _split_for_cache(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The search body as two requests: the page of hits, and the counts alone (size 0).

    The counts request visits every match anyway (for the facets), so it also counts the total (with
    the post_filter, which narrows the total but not the aggregations, as in one request). The hits
    request then only ranks: without an exact total Elasticsearch may skip blocks of documents that
    cannot reach the top of the page (a p95 of 25 ms inside Elasticsearch for the two requests)."""
    hits = {k: v for k, v in body.items() if k != "aggs"}
    hits["_source"] = ["vacancy"]  # the token fields are large and only for matching
    hits["track_total_hits"] = False
    facets = {"query": body["query"], "post_filter": body["post_filter"], "aggs": body["aggs"], "size": 0,
              "track_total_hits": True}  # fmt: skip
    return [hits, facets]


def _facets(aggregations: dict[str, Any]) -> dict[str, list[FacetValue]]:
    """Facet counts from the aggregations of facet_aggregations (plain, or inside a `filter` one)."""
    found: dict[str, Any] = {}
    for key, aggregation in aggregations.items():
        inner = {key: aggregation} if key in FACET_FIELDS else aggregation
        found.update({name: agg for name, agg in inner.items() if name in FACET_FIELDS})
    return {
        name: [
            FacetValue(str(b["key"]), b["doc_count"]) for b in found[name]["buckets"] if b["doc_count"] > 0
        ]
        for name in FACET_FIELDS
    }


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- saved searches (Suchaufträge, issue 18): percolator queries ---------------------------------------


def alert_query(query: SearchQuery, analyzer: GermanAnalyzer) -> dict[str, Any]:
    """The query the search would send for `query`, minus the date-dependent visibility (the alert
    matcher's caller keeps to visible postings), to be stored as a percolator query."""
    groups = analyzer.query_groups(query.text) if query.text.strip() else []
    filters = [*plain_filter_clauses(query), *facet_filter_clauses(query).values()]
    return {"bool": {"must": [text_clause(group) for group in groups], "filter": filters}}


def query_fingerprint(body: dict[str, Any]) -> str:
    """A stable id for a percolator query: equal queries share one stored document."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:40]


class PercolatorUnavailable(IndexUnavailable):
    """The cluster has no percolator module (e.g. Elastic's integ-test distribution): match elsewhere."""


class AlertPercolator:
    """The distinct queries of the stored alerts as percolator documents in `<alias>_alerts`.

    Outside the `<alias>-*` pattern of the vacancy indices, so a reindex never touches it. Its mapping
    is the vacancy mapping (what a percolated posting holds) plus the percolator field; documents are
    keyed by the query's fingerprint, so a thousand addresses with one search are one query."""

    BATCH = 250  # postings per percolate request

    def __init__(self, backend: ElasticsearchBackend) -> None:
        self.backend, self.client = backend, backend.client
        self.index = f"{backend.alias}_alerts"

    def ensure(self) -> None:
        if self.client.indices.exists(index=self.index):
            return
        properties = copy.deepcopy(self.backend.template["template"]["mappings"]["properties"])
        properties.pop("vacancy", None)
        properties["query"] = {"type": "percolator"}
        properties["key"] = {"type": "keyword"}
        settings = {"index": {"number_of_shards": 1, "number_of_replicas": 0}}
        try:
            self.client.indices.create(
                index=self.index, settings=settings, mappings={"dynamic": "strict", "properties": properties}
            )
        except ApiError as exc:
            if "percolator" in str(exc) and exc.status_code == 400:
                raise PercolatorUnavailable(
                    f"Elasticsearch unter {self.backend.url} kennt keine Perkolation"
                ) from exc
            raise

    def sync(self, queries: dict[str, dict[str, Any]]) -> tuple[int, int]:
        """Make the stored queries exactly `queries` (fingerprint -> query); returns (added, removed)."""
        self._guarded("ensure", self.ensure)
        stored = self._guarded("read", self._stored_keys)
        added = [key for key in queries if key not in stored]
        removed = sorted(stored - queries.keys())
        actions = [{"_index": self.index, "_id": k, "key": k, "query": queries[k]} for k in added]
        actions += [{"_op_type": "delete", "_index": self.index, "_id": k} for k in removed]
        if actions:
            self.backend._bulk(actions, refresh="wait_for", ignore_status=(404,), require_alias=False)
        return len(added), len(removed)

    def percolate(self, documents: list[dict[str, Any]]) -> dict[str, list[int]]:
        """Fingerprint -> positions of the documents (index documents without `vacancy`) it matches."""
        found: dict[str, list[int]] = {}
        for start in range(0, len(documents), self.BATCH):
            batch = documents[start : start + self.BATCH]
            for key, slots in self._guarded("percolate", functools.partial(self._percolated_batch, batch)):
                found.setdefault(key, []).extend(start + slot for slot in slots)
        return found

    def match_alerts(self, queries: dict[str, SearchQuery], vacancies: list[Vacancy]) -> dict[str, list[str]]:
        """`AlertPercolation`: store the distinct queries (dropping those no alert holds any more),
        then percolate the postings; raises IndexUnavailable (PercolatorUnavailable: no module)."""
        analyzer = self.backend.analyzer
        bodies = {key: alert_query(q, analyzer) for key, q in queries.items()}
        prints = {key: query_fingerprint(body) for key, body in bodies.items()}
        self.sync({prints[key]: body for key, body in bodies.items()})
        if not vacancies:
            return {}
        docs = []
        for vacancy in vacancies:
            doc = index_document(vacancy, build_document(vacancy, analyzer))
            doc.pop("vacancy")
            docs.append(doc)
        found = self.percolate(docs)
        return {key: [vacancies[i].id for i in sorted(found.get(fp, []))] for key, fp in prints.items()}

    def drop(self) -> None:
        self.client.indices.delete(index=self.index, ignore_unavailable=True)

    def _percolated_batch(self, batch: list[dict[str, Any]]) -> list[tuple[str, list[int]]]:
        return list(self._percolate_batch(batch))

    def _percolate_batch(self, batch: list[dict[str, Any]]) -> Iterator[tuple[str, list[int]]]:
        body: dict[str, Any] = {
            "query": {"percolate": {"field": "query", "documents": batch}},
            "size": 5000,
            "sort": [{"key": "asc"}],
            "_source": False,
            "track_total_hits": False,
        }
        while True:
            hits = self.client.search(index=self.index, body=body)["hits"]["hits"]
            for hit in hits:
                slots = hit.get("fields", {}).get("_percolator_document_slot", [0])
                yield hit["sort"][0], slots
            if len(hits) < body["size"]:
                return
            body["search_after"] = hits[-1]["sort"]

    def _stored_keys(self) -> set[str]:
        keys: set[str] = set()
        body: dict[str, Any] = {"query": {"match_all": {}}, "size": 10000, "sort": [{"key": "asc"}],
                                "_source": False, "track_total_hits": False}  # fmt: skip
        while hits := self.client.search(index=self.index, body=body)["hits"]["hits"]:
            keys.update(hit["sort"][0] for hit in hits)
            body["search_after"] = hits[-1]["sort"]
        return keys

    def _guarded(self, what: str, call: Callable[[], T]) -> T:
        try:
            return self.backend._retrying(f"Suchaufträge ({what})", call)
        except PercolatorUnavailable:
            raise
        except ApiError as exc:
            raise IndexUnavailable(f"Elasticsearch lehnt die Suchaufträge ab ({what}): {exc}") from exc
