"""The Elasticsearch backend beyond the shared contract: the query body, bulk, reindex, health.

The pure tests of `build_search_body` need no server. Everything else runs against the real
Elasticsearch of tests/elasticsearch/run_es.sh (marker `elasticsearch`, fixtures from tests/conftest.py):
a fake client could not tell us that the template, a query or the alias swap is wrong.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest

from vacancies.geo import haversine_km as distance_km
from vacancies.model import EmploymentStatus, PostingType, Vacancy, WorkingTime
from vacancies.search.analysis import QueryGroup
from vacancies.search.contract import FACET_FIELDS, GeoPoint, IndexUnavailable, SearchQuery, Sort
from vacancies.search.elasticsearch_backend import ElasticsearchBackend, build_search_body

TODAY = date(2026, 12, 1)


class FixedAnalyzer:
    """Query groups chosen by the test, so the body tests do not depend on the German data files."""

    def __init__(self, groups: list[QueryGroup]) -> None:
        self.groups = groups

    def query_groups(self, text: str) -> list[QueryGroup]:
        return self.groups


def body(analyzer=None, **kwargs) -> dict:
    return build_search_body(SearchQuery(**kwargs), analyzer or FixedAnalyzer([]), TODAY)


def vacancy(vacancy_id: str, title: str, **fields) -> Vacancy:
    fields.setdefault("district", "miltenberg")
    return Vacancy(id=vacancy_id, source="s", title=title, **fields)


# -- build_search_body (no server) ----------------------------------------------------------------------


def test_text_groups_are_and_of_or():
    groups = [
        QueryGroup(terms=("erzieh",)),
        QueryGroup(terms=("kita", "kindertagesstatt"), prefixes=("kit",)),
    ]
    must = body(FixedAnalyzer(groups), text="Erzieher Kit")["query"]["bool"]["must"]
    assert len(must) == 2
    second = must[1]["bool"]
    assert second["minimum_should_match"] == 1
    assert {"term": {"title_tokens": {"value": "kita", "boost": 3.0}}} in second["should"]
    assert {"term": {"body_tokens": {"value": "kindertagesstatt"}}} in second["should"]
    # a word only begun counts a tenth of the word itself (PREFIX_WEIGHT)
    assert {"prefix": {"title_tokens": {"value": "kit", "boost": 0.3}}} in second["should"]
    assert {"prefix": {"body_tokens": {"value": "kit", "boost": 0.1}}} in second["should"]


def test_empty_text_has_no_text_clause_and_sorts_newest():
    result = body(text="   ")
    assert result["query"]["bool"]["must"] == []
    assert result["sort"] == [
        {"date_posted": {"order": "desc", "missing": "_last"}},
        {"id": {"order": "asc"}},
    ]
    assert result["track_scores"] is False


def test_relevance_sort_with_text_breaks_ties_by_newest_then_id():
    result = body(FixedAnalyzer([QueryGroup(terms=("a",))]), text="a")
    assert result["sort"] == [
        {"_score": {"order": "desc"}},
        {"date_posted": {"order": "desc", "missing": "_last"}},
        {"id": {"order": "asc"}},
    ]


def test_deadline_sort_puts_missing_last():
    result = body(sort=Sort.deadline)
    assert result["sort"] == [{"deadline": {"order": "asc", "missing": "_last"}}, {"id": {"order": "asc"}}]


def test_default_visibility_is_published_and_in_time():
    visibility = body()["query"]["bool"]["filter"][0]
    assert visibility["bool"]["filter"][0] == {"term": {"state": "published"}}
    in_time = visibility["bool"]["filter"][1]["bool"]["should"]
    assert {"range": {"deadline": {"gte": "2026-12-01"}}} in in_time


def test_include_expired_adds_expired_but_never_drafts():
    assert body(include_expired=True)["query"]["bool"]["filter"][0] == {
        "terms": {"state": ["published", "expired"]}
    }


def test_facet_filters_go_to_post_filter_and_leave_their_own_facet_out():
    result = body(districts=["miltenberg"], posting_types=[PostingType.job], fixed_term=True)
    assert result["post_filter"]["bool"]["filter"] == [
        {"terms": {"district": ["miltenberg"]}},
        {"terms": {"posting_type": ["job"]}},
        {"terms": {"fixed_term": ["true"]}},
    ]
    terms = {"field": "district", "size": 500, "order": [{"_count": "desc"}, {"_key": "asc"}]}
    aggs = result["aggs"]
    # Each chosen facet counts under the other chosen filters ...
    assert aggs["filtered_by:posting_type,fixed_term"]["filter"]["bool"]["filter"] == [
        {"terms": {"posting_type": ["job"]}},
        {"terms": {"fixed_term": ["true"]}},
    ]
    assert aggs["filtered_by:posting_type,fixed_term"]["aggs"] == {"district": {"terms": terms}}
    assert set(aggs["filtered_by:district,fixed_term"]["aggs"]) == {"posting_type"}
    assert set(aggs["filtered_by:district,posting_type"]["aggs"]) == {"fixed_term"}
    # ... and the facets nobody chose share one filter aggregation under all three.
    shared = aggs["filtered_by:district,posting_type,fixed_term"]
    assert len(shared["filter"]["bool"]["filter"]) == 3
    assert set(shared["aggs"]) == set(FACET_FIELDS) - {"district", "posting_type", "fixed_term"}
    assert len(aggs) == 4


def test_facets_without_another_facets_filter_are_plain_terms_aggregations():
    """Each `filter` wrapper, even a match-all one, costs about twice the terms aggregation inside."""
    terms = {"field": "district", "size": 500, "order": [{"_count": "desc"}, {"_key": "asc"}]}
    assert body()["aggs"]["district"] == {"terms": terms}
    assert set(body()["aggs"]) == set(FACET_FIELDS)
    assert all(set(agg) == {"terms"} for agg in body()["aggs"].values())
    chosen = body(districts=["miltenberg"])["aggs"]
    assert chosen["district"] == {"terms": terms}  # its own filter is left out, and there is no other
    shared = chosen["filtered_by:district"]
    assert shared["filter"]["bool"]["filter"] == [{"terms": {"district": ["miltenberg"]}}]
    assert set(shared["aggs"]) == set(FACET_FIELDS) - {"district"}


def test_status_grade_and_radius_are_plain_filters():
    result = body(
        status=[EmploymentStatus.civil_servant],
        pay_grade_min="E9a",
        near=GeoPoint(49.7, 9.26),
        radius_km=30,
        working_time=[WorkingTime.part_time],
    )
    filters = result["query"]["bool"]["filter"]
    assert {"terms": {"status": ["civil_servant"]}} in filters
    assert {"exists": {"field": "grade_low"}} in filters
    assert any("grade_high" in f.get("range", {}) for f in filters)
    assert not any("grade_low" in f.get("range", {}) for f in filters)  # no upper bound asked
    geo = next(f["geo_distance"] for f in filters if "geo_distance" in f)
    assert geo == {"distance": "30km", "distance_type": "arc", "location": {"lat": 49.7, "lon": 9.26}}
    assert {"terms": {"working_time": ["part_time"]}} in result["post_filter"]["bool"]["filter"]


def test_paging_and_totals():
    result = body(page=3, per_page=20)
    assert (result["from"], result["size"], result["track_total_hits"]) == (40, 20, True)


def test_paging_never_asks_past_the_result_window():
    result = body(page=501, per_page=20)  # offset 10,000: Elasticsearch would refuse
    assert (result["from"], result["size"]) == (10_000, 0)


def test_distance_uses_the_contract_radius():
    # One degree of latitude on a sphere of R = 6371.0088 km.
    assert distance_km(0, 0, 1, 0) == pytest.approx(111.195, abs=0.001)


# -- against a real server ------------------------------------------------------------------------------


@pytest.fixture
def backend(es_url: str, es_index_prefix: str) -> Iterator[ElasticsearchBackend]:
    index = ElasticsearchBackend(es_url, es_index_prefix, refresh="wait_for")
    yield index
    index.drop()
    index.close()


def visible_ids(backend: ElasticsearchBackend, text: str = "", **kwargs) -> set[str]:
    page = backend.search(SearchQuery(text=text, today=TODAY, per_page=100, **kwargs))
    return {hit.vacancy.id for hit in page.items}


def old_and_new() -> tuple[list[Vacancy], list[Vacancy]]:
    old = [vacancy(f"old:{i}", f"Sachbearbeiter Kasse {i}") for i in range(3)]
    new = [vacancy(f"new:{i}", f"Erzieher Kita {i}") for i in range(3)]
    return old, new


@pytest.mark.elasticsearch
def test_index_search_delete_roundtrip(backend):
    backend.index(
        [
            vacancy(
                "s:1",
                "Verwaltungsfachangestellte (m/w/d)",
                description="<p>Im <b>Jugendamt</b> des Landkreises</p>",
                location={"city": "Miltenberg", "lat": 49.7036, "lon": 9.2596},
                date_posted=date(2026, 11, 20),
                career_level=2,
                fixed_term=False,
            ),
            vacancy("s:2", "Erzieher (m/w/d)", district="starnberg", date_posted=date(2026, 11, 25)),
            vacancy("s:3", "Erzieher Entwurf", state="draft"),
            vacancy("s:4", "Erzieher abgelaufen", deadline=date(2026, 11, 30)),
        ]
    )
    page = backend.search(SearchQuery(text="Verwaltung", near=GeoPoint(49.8, 9.2), today=TODAY))
    assert [hit.vacancy.id for hit in page.items] == ["s:1"]
    hit = page.items[0]
    assert hit.vacancy.location.city == "Miltenberg"
    assert hit.distance_km == round(distance_km(49.7036, 9.2596, 49.8, 9.2), 1)
    assert "<mark>" in hit.highlights["title"]
    assert hit.highlights["description"] == "Im Jugendamt des Landkreises"
    assert {f.value: f.count for f in page.facets["career_level"]} == {"2": 1}
    assert {f.value: f.count for f in page.facets["fixed_term"]} == {"false": 1}

    assert visible_ids(backend) == {"s:1", "s:2"}
    assert visible_ids(backend, include_expired=True) == {"s:1", "s:2", "s:4"}
    backend.delete(["s:2", "unknown"])
    assert visible_ids(backend) == {"s:1"}
    assert backend.health()["documents"] == 3


@pytest.mark.elasticsearch
def test_search_before_anything_was_indexed_is_empty(backend):
    page = backend.search(SearchQuery(today=TODAY))
    assert (page.total, page.items) == (0, [])
    assert set(page.facets) == set(FACET_FIELDS)
    backend.delete(["nothing-here"])  # no alias yet: nothing to do, no error


@pytest.mark.elasticsearch
def test_index_uses_the_template_mapping(backend):
    backend.index([vacancy("s:1", "Erzieher", location={"lat": 49.7, "lon": 9.26})])
    (name,) = backend.indices_behind_alias()
    mapping = backend.client.indices.get_mapping(index=name)[name]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["properties"]["title_tokens"]["analyzer"] == "whitespace"
    assert mapping["properties"]["location"]["type"] == "geo_point"
    assert mapping["properties"]["vacancy"] == {"type": "object", "enabled": False}


@pytest.mark.elasticsearch
def test_reindex_swaps_the_alias_and_removes_the_old_index(backend):
    old, new = old_and_new()
    backend.index(old)
    (before,) = backend.indices_behind_alias()

    assert backend.reindex(iter(new)) == 3

    (after,) = backend.indices_behind_alias()
    assert after != before
    assert not backend.client.indices.exists(index=before)
    assert visible_ids(backend) == {v.id for v in new}
    settings = backend.client.indices.get_settings(index=after)[after]["settings"]["index"]
    assert "refresh_interval" not in settings  # back to the default, not left at -1
    assert settings["number_of_replicas"] == "0"


@pytest.mark.elasticsearch
def test_reindex_of_a_fresh_install_creates_the_alias(backend):
    assert backend.reindex([vacancy("s:1", "Erzieher")]) == 1
    assert len(backend.indices_behind_alias()) == 1
    assert visible_ids(backend, "Erzieher") == {"s:1"}


@pytest.mark.elasticsearch
def test_search_keeps_answering_during_reindex(backend):
    old, new = old_and_new()
    backend.index(old)
    seen_during: list[set[str]] = []

    def store_rows() -> Iterator[Vacancy]:
        # The rebuild reads the store lazily (Board passes a generator): search while it is half done.
        for i, item in enumerate(new):
            if i == 1:
                seen_during.append(visible_ids(backend))
            yield item

    backend.chunk_size = 1  # several bulk requests, so the search really falls between two of them
    backend.reindex(store_rows())
    assert seen_during == [{v.id for v in old}]
    assert visible_ids(backend) == {v.id for v in new}


@pytest.mark.elasticsearch
def test_search_from_another_thread_never_fails_during_reindex(backend):
    old, new = old_and_new()
    backend.index(old)
    results: list[set[str]] = []
    errors: list[Exception] = []
    done = threading.Event()

    def searcher() -> None:
        while not done.is_set():
            try:
                results.append(visible_ids(backend))
            except Exception as exc:  # reported below: a thread's exception would vanish
                errors.append(exc)

    thread = threading.Thread(target=searcher)
    thread.start()
    try:
        for _ in range(3):
            backend.reindex(old + new)
    finally:
        done.set()
        thread.join(timeout=30)
    everything = {v.id for v in old + new}
    assert errors == []
    assert results  # the searcher ran
    assert all(r in ({v.id for v in old}, everything) for r in results)  # never empty, never partial


@pytest.mark.elasticsearch
def test_failing_reindex_deletes_the_new_index_and_keeps_the_old(backend):
    old, new = old_and_new()
    backend.index(old)
    (before,) = backend.indices_behind_alias()

    def broken_store() -> Iterator[Vacancy]:
        yield new[0]
        raise RuntimeError("store went away")

    backend.chunk_size = 1
    with pytest.raises(RuntimeError, match="store went away"):
        backend.reindex(broken_store())

    assert backend.indices_behind_alias() == [before]
    assert _indices(backend) == [before]  # the half-built index is gone
    assert visible_ids(backend) == {v.id for v in old}


@pytest.mark.elasticsearch
def test_failing_alias_swap_deletes_the_new_index(backend, monkeypatch):
    # The real server cannot be made to refuse one update_aliases call on demand, so this one client
    # method is replaced; template, index creation, bulk load, settings and refresh all run for real.
    old, new = old_and_new()
    backend.index(old)
    (before,) = backend.indices_behind_alias()

    def refuse(**kwargs):
        raise IndexUnavailable("alias swap refused")

    monkeypatch.setattr(backend.client.indices, "update_aliases", refuse)
    with pytest.raises(IndexUnavailable):
        backend.reindex(new)
    monkeypatch.undo()

    assert backend.indices_behind_alias() == [before]
    assert _indices(backend) == [before]
    assert visible_ids(backend) == {v.id for v in old}


@pytest.mark.elasticsearch
def test_rejected_document_raises_index_unavailable(backend, monkeypatch):
    # A document the strict mapping refuses (an unknown field) is a write the index refused.
    import vacancies.search.elasticsearch_backend as module

    real = module.index_document
    monkeypatch.setattr(module, "index_document", lambda v, doc: {**real(v, doc), "surprise": 1})
    with pytest.raises(IndexUnavailable, match="abgelehnt"):
        backend.index([vacancy("s:1", "Erzieher")])


@pytest.mark.elasticsearch
def test_unreachable_cluster_raises_index_unavailable_after_retries(es_index_prefix):
    closed = _closed_port_url()
    backend = ElasticsearchBackend(closed, es_index_prefix, retries=2, initial_backoff=0.05, max_backoff=0.1)
    started = time.monotonic()
    with pytest.raises(IndexUnavailable, match="3 Versuchen"):
        backend.index([vacancy("s:1", "Erzieher")])
    assert 0.1 <= time.monotonic() - started < 10  # it did back off (0.05 + 0.1 s), and gave up quickly
    with pytest.raises(IndexUnavailable):
        backend.delete(["s:1"])


@pytest.mark.elasticsearch
def test_health_when_reachable(backend):
    assert backend.health() == {
        "ok": True,
        "backend": "elasticsearch",
        "documents": 0,
        "index": None,
        "cluster_status": backend.health()["cluster_status"],
    }
    backend.index([vacancy("s:1", "Erzieher"), vacancy("s:2", "Erzieherin")])
    health = backend.health()
    assert health["ok"] is True
    assert health["cluster_status"] in ("green", "yellow")
    assert health["documents"] == 2
    assert health["index"].startswith(f"{backend.alias}-")


@pytest.mark.elasticsearch
def test_health_when_unreachable(es_index_prefix):
    backend = ElasticsearchBackend(_closed_port_url(), es_index_prefix)
    health = backend.health()
    assert health["ok"] is False
    assert health["backend"] == "elasticsearch"
    assert health["cluster_status"] is None


def _indices(backend: ElasticsearchBackend) -> list[str]:
    found = backend.client.indices.get(index=f"{backend.alias}-*", expand_wildcards="all")
    return sorted(found.body)


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.elasticsearch
def test_search_on_an_unreachable_cluster_raises_index_unavailable(es_index_prefix):
    backend = ElasticsearchBackend(_closed_port_url(), es_index_prefix)
    with pytest.raises(IndexUnavailable, match="nicht erreichbar"):
        backend.search(SearchQuery(text="Erzieher"))
    backend.close()


@pytest.mark.elasticsearch
def test_a_search_elasticsearch_refuses_raises_index_unavailable(backend, monkeypatch):
    """The hits and the counts are separate requests: a refused one must not pass as an empty page."""
    import vacancies.search.elasticsearch_backend as module

    backend.index([vacancy("s:1", "Erzieher")])
    real = module.build_search_body
    monkeypatch.setattr(
        module, "build_search_body", lambda *a: {**real(*a), "sort": [{"no_such_field": "x"}]}
    )
    with pytest.raises(IndexUnavailable, match="lehnt die Suche ab"):
        backend.search(SearchQuery(text="Erzieher"))
