"""One behaviour suite, run against both backends (the Wagtail pattern).

`BackendContract` holds the behaviour; `TestSqliteContract` and `TestElasticsearchContract` run it.
Ranking may differ between engines; membership, totals and facet counts may not, which
`test_backends_agree` checks directly on many queries.
"""

from __future__ import annotations

import pytest

from tests.search.corpus import TODAY, VISIBLE, corpus, relevance_corpus
from tests.search.helpers import make_board
from vacancies.geo import haversine_km
from vacancies.model import EmploymentStatus, PayScale, PostingType, Remote, WorkingTime
from vacancies.search.contract import SearchQuery, Sort
from vacancies.search.document import pay_month_high


def _by_id(vacancy_id: str):
    return next(v for v in corpus() if v.id == vacancy_id)


def ids(page) -> set[str]:
    return {hit.vacancy.id for hit in page.items}


def ordered(page) -> list[str]:
    return [hit.vacancy.id for hit in page.items]


def facet(page, name: str) -> dict[str, int]:
    return {f.value: f.count for f in page.facets[name]}


class BackendContract:
    board = None  # set by the subclass fixture

    def search(self, text: str = "", **kwargs):
        kwargs.setdefault("per_page", 100)
        return self.board.search(SearchQuery(text=text, today=TODAY, **kwargs))

    def found(self, text: str = "", **kwargs) -> set[str]:
        return ids(self.search(text, **kwargs))

    def near(self, code: str):
        return self.board.gazetteer.lookup(code)

    # -- German matching ----------------------------------------------------------------------------

    def test_empty_query_returns_every_visible_posting(self):
        page = self.search()
        assert page.total == len(VISIBLE)
        assert ids(page) == VISIBLE

    def test_ss_spelling_finds_eszett(self):
        assert "v09" in self.found("Strasse")

    def test_eszett_finds_eszett(self):
        assert "v09" in self.found("Straße")

    def test_ue_spelling_finds_umlaut(self):
        assert self.found("Muenchen") == {"v15", "v20"}

    def test_missing_umlaut_finds_umlaut(self):
        assert self.found("Kammerei") == {"v01", "v14"}

    def test_ae_spelling_finds_umlaut(self):
        assert self.found("Kaemmerei") == {"v01", "v14"}

    def test_feminine_query_finds_masculine_title(self):
        assert "v09" in self.found("Sachbearbeiterin")

    def test_masculine_query_finds_feminine_title(self):
        assert "v02" in self.found("Sachbearbeiter")

    def test_plural_feminine_finds_erzieher(self):
        assert self.found("Erzieherinnen") == {"v03"}

    def test_compound_part_finds_compound(self):
        assert {"v01", "v04"} <= self.found("Verwaltung")

    def test_synonym_azubi_finds_ausbildung(self):
        assert "v04" in self.found("Azubi")

    def test_gender_marker_is_ignored(self):
        assert self.found("Erzieher (m/w/d)") == self.found("Erzieher")

    def test_gender_marker_alone_is_an_empty_query(self):
        assert self.search("(m/w/d)").total == len(VISIBLE)

    def test_prefix_on_last_word(self):
        assert {"v02", "v09"} <= self.found("Sachbearb")

    def test_all_words_must_match(self):
        assert self.found("Sachbearbeiter Ausländerbehörde") == {"v02"}

    def test_case_does_not_matter(self):
        assert self.found("ERZIEHER") == self.found("erzieher")

    def test_unknown_word_finds_nothing(self):
        page = self.search("Astronautin")
        assert page.total == 0 and page.items == []

    def test_description_text_is_searched(self):
        assert self.found("Aufenthaltstiteln") == {"v02"}

    @pytest.mark.parametrize("text", ['" * ( : ! ~ ^ \\ / [', 'Erzieher")(', "AND OR NOT", "*", "title:x"])
    def test_query_syntax_characters_never_error(self, text):
        page = self.search(text)
        assert page.total >= 0

    def test_matches_are_highlighted_in_the_title(self):
        hit = self.search("Erzieher").items[0]
        assert "<mark>Erzieher</mark>" in hit.highlights["title"]

    # -- filters ------------------------------------------------------------------------------------

    def test_start_asap_is_a_yes_no_facet(self):
        asap = {"v02", "v03", "v07"}  # v10 too, but it has expired
        assert self.found(start_asap=True) == asap
        assert self.found(start_asap=False) == VISIBLE - asap
        assert facet(self.search(), "start_asap") == {"true": 3, "false": len(VISIBLE) - 3}
        chosen = self.search(start_asap=True, districts=["aschaffenburg"])
        assert ids(chosen) == {"v02", "v07"}
        assert facet(chosen, "start_asap") == {"true": 2}  # disjunctive: its own choice left out
        assert facet(chosen, "district") == {"aschaffenburg": 2, "starnberg": 1}

    def test_filter_one_district(self):
        assert self.found(districts=["aschaffenburg"]) == {"v02", "v07"}

    def test_filter_several_districts(self):
        assert self.found(districts=["aschaffenburg", "starnberg"]) == {
            "v02",
            "v07",
            "v03",
            "v08",
            "v17",
            "v20",
        }

    def test_filter_posting_type(self):
        assert self.found(posting_types=[PostingType.apprenticeship]) == {"v04"}

    def test_filter_category(self):
        assert self.found(categories=["Sicherheit, Ordnung & Feuerwehr"]) == {"v02"}
        assert self.found(categories=["Recht", "Straßen & Verkehr"]) == {"v09", "v20"}

    def test_filter_part_time_includes_either_way_postings(self):
        assert self.found(working_time=[WorkingTime.part_time]) == {"v01", "v02", "v08", "v15", "v18", "v19"}

    def test_filter_fixed_term(self):
        assert self.found(fixed_term=True) == {"v02", "v04", "v15"}

    def test_filter_permanent(self):
        assert self.found(fixed_term=False) == {"v01", "v07"}

    def test_filter_pay_grade_range_overlaps(self):
        # E9a-E10 overlaps E9a (v02), E10 (v08), E9a-E9b (v09) and, across scales, A9 (v05),
        # A10-A11 (v14) and S11b-S12 (v15); not E8 (v01), S8a (v03), E11-E12 (v07), A6 (v17).
        assert self.found(pay_grade_min="E9a", pay_grade_max="E10") == {
            "v02",
            "v05",
            "v08",
            "v09",
            "v14",
            "v15",
        }

    def test_filter_pay_grade_minimum_only(self):
        assert {"v07", "v20"} <= self.found(pay_grade_min="E11")
        assert not {"v01", "v02"} & self.found(pay_grade_min="E11")

    def test_filter_pay_grade_excludes_postings_without_grade(self):
        assert "v16" not in self.found(pay_grade_max="E15")

    def test_filter_min_monthly_pay_reaches_the_upper_figure(self):
        """Issue 15: "Gehalt mindestens" keeps postings whose upper monthly figure (stated, else by the
        pay tables in config/pay) reaches it; the expected set comes from vacancies.pay, not from here."""
        top = {v.id: pay_month_high(v) for v in corpus() if v.id in VISIBLE}
        threshold = top["v07"]  # E11-E12 TVöD
        assert threshold is not None
        expected = {i for i, figure in top.items() if figure is not None and figure >= threshold}
        assert self.found(min_monthly_pay=threshold) == expected
        assert "v07" in expected and "v07" not in self.found(min_monthly_pay=threshold + 1)
        assert {"v01", "v03"}.isdisjoint(expected)  # E8 and S8a pay less than E12 at its top

    def test_filter_min_monthly_pay_excludes_postings_without_a_figure(self):
        assert "v16" not in self.found(min_monthly_pay=1)
        assert self.found(min_monthly_pay=1) == {i for i in VISIBLE if pay_month_high(_by_id(i))}

    def test_filter_pay_scale(self):
        assert self.found(pay_scales=[PayScale.tvoed_sue]) == {"v03", "v15"}
        both = {"v03", "v05", "v14", "v15", "v17"}
        assert self.found(pay_scales=[PayScale.baybesg, PayScale.tvoed_sue]) == both

    def test_pay_scale_facet_is_disjunctive(self):
        page = self.search(pay_scales=[PayScale.baybesg])
        assert facet(page, "pay_scale") == {"TVöD": 6, "BayBesG": 3, "TVöD-SuE": 2}
        assert facet(page, "district") == {"fuerstenfeldbruck": 2, "starnberg": 1}

    def test_filter_career_level(self):
        assert self.found(career_levels=[3]) == {"v02", "v05", "v07", "v14"}

    def test_filter_status(self):
        assert self.found(status=[EmploymentStatus.civil_servant]) == {"v05", "v14", "v17"}

    def test_filter_remote(self):
        assert self.found(remote=[Remote.hybrid, Remote.remote]) == {"v02", "v08", "v20"}

    def test_text_and_filters_combine(self):
        assert self.found("Sachbearbeiter", districts=["miltenberg"]) == {"v09"}

    # -- radius -------------------------------------------------------------------------------------

    def _distance(self, code_a: str, code_b: str) -> float:
        a, b = self.near(code_a), self.near(code_b)
        return haversine_km(a.lat, a.lon, b.lat, b.lon)

    def test_radius_includes_a_posting_just_inside(self):
        edge = self._distance("63897", "63739")
        assert {"v02", "v07"} <= self.found(near=self.near("63897"), radius_km=edge + 0.2)

    def test_radius_excludes_a_posting_just_outside(self):
        edge = self._distance("63897", "63739")
        found = self.found(near=self.near("63897"), radius_km=edge - 0.2)
        assert "v02" not in found and {"v01", "v04", "v09"} <= found

    def test_radius_excludes_postings_without_coordinates(self):
        assert "v16" not in self.found(near=self.near("63897"), radius_km=300)

    def test_radius_reports_distance(self):
        page = self.search(near=self.near("63739"), radius_km=1)
        assert ids(page) == {"v02", "v07"}
        assert all(hit.distance_km == 0.0 for hit in page.items)

    def test_place_name_equals_postal_code(self):
        by_name = self.found(near=self.near("Starnberg"), radius_km=10)
        assert by_name == self.found(near=self.near("82319"), radius_km=10) and "v03" in by_name

    # -- sorting ------------------------------------------------------------------------------------

    def test_sort_newest(self):
        order = ordered(self.search(sort=Sort.newest))
        assert order[:3] == ["v07", "v20", "v02"]

    def test_sort_deadline_puts_missing_last(self):
        order = ordered(self.search(sort=Sort.deadline))
        assert order[:3] == ["v09", "v03", "v08"]
        assert set(order[-5:]) == {"v06", "v07", "v16", "v18", "v19"}

    def test_sort_distance_puts_the_nearest_first(self):
        page = self.search(near=self.near("63897"), radius_km=100, sort=Sort.distance)
        assert [hit.distance_km for hit in page.items] == [0.0, 0.0, 0.0, 31.4, 31.4]
        # equal distances (one town): the newest first, as relevance breaks its ties
        assert ordered(page) == ["v01", "v09", "v04", "v07", "v02"]

    def test_sort_distance_without_a_place_sorts_as_newest(self):
        assert ordered(self.search(sort=Sort.distance)) == ordered(self.search(sort=Sort.newest))

    def test_relevance_without_text_sorts_as_newest(self):
        assert ordered(self.search(sort=Sort.relevance)) == ordered(self.search(sort=Sort.newest))

    def test_ties_are_broken_by_id(self):
        order = ordered(self.search("Reinigungskraft", sort=Sort.newest))
        assert order == ["v18", "v19"]

    def test_relevance_prefers_title_matches(self):
        order = ordered(self.search("Hochbau"))
        assert order[0] == "v07"

    # -- paging -------------------------------------------------------------------------------------

    def test_pages_do_not_overlap_and_cover_all(self):
        pages = [self.search(sort=Sort.newest, page=n, per_page=5) for n in (1, 2, 3, 4)]
        seen = [i for page in pages for i in ordered(page)]
        assert len(seen) == len(set(seen)) == len(VISIBLE)

    def test_page_past_the_end_is_empty_but_counts(self):
        page = self.search(page=9, per_page=5)
        assert page.items == [] and page.total == len(VISIBLE)

    def test_per_page_one(self):
        page = self.search(sort=Sort.newest, per_page=1)
        assert ordered(page) == ["v07"] and page.total == len(VISIBLE)

    # -- lifecycle ----------------------------------------------------------------------------------

    def test_expired_postings_are_hidden(self):
        assert "v10" not in self.found("Kämmerei")

    def test_postings_past_deadline_are_hidden(self):
        assert "v11" not in self.found("Hort")

    def test_deadline_today_is_still_visible(self):
        assert "v09" in self.found()

    def test_include_expired_shows_expired_and_past_deadline(self):
        found = self.found(include_expired=True)
        assert found == VISIBLE | {"v10", "v11"}

    def test_withdrawn_and_drafts_never_appear(self):
        assert not {"v12", "v13"} & self.found("Verwaltungsfachangestellter", include_expired=True)

    # -- facets -------------------------------------------------------------------------------------

    def test_facets_count_every_visible_posting(self):
        page = self.search()
        assert facet(page, "district") == {
            "miltenberg": 4,
            "aschaffenburg": 2,
            "starnberg": 4,
            "fuerstenfeldbruck": 4,
            "bad-toelz-wolfratshausen": 2,
        }
        assert facet(page, "working_time") == {"full_time": 8, "part_time": 6}
        assert facet(page, "fixed_term") == {"true": 3, "false": 2}
        assert facet(page, "career_level") == {"2": 2, "3": 4, "4": 1}
        assert facet(page, "remote") == {"none": 13, "hybrid": 2, "remote": 1}

    def test_facet_values_are_ordered_by_count(self):
        values = self.search().facets["district"]
        assert [f.value for f in values] == [
            "fuerstenfeldbruck",
            "miltenberg",
            "starnberg",
            "aschaffenburg",
            "bad-toelz-wolfratshausen",
        ]

    def test_facets_are_disjunctive(self):
        page = self.search(districts=["aschaffenburg"])
        assert facet(page, "district")["starnberg"] == 4
        assert facet(page, "posting_type") == {"job": 2}

    def test_facets_follow_the_text_query(self):
        page = self.search("Sachbearbeiter")  # v07 says "Sachbearbeitung": the same stem
        assert facet(page, "district") == {"aschaffenburg": 2, "miltenberg": 1}


class TestSqliteContract(BackendContract):
    @pytest.fixture(autouse=True, scope="class")
    @classmethod
    def _board(cls, tmp_path_factory):
        cls.board = make_board("sqlite", tmp_path_factory.mktemp("sqlite"), corpus())


@pytest.mark.elasticsearch
class TestElasticsearchContract(BackendContract):
    @pytest.fixture(autouse=True, scope="class")
    @classmethod
    def _board(cls, tmp_path_factory, es_url):
        board = make_board("elasticsearch", tmp_path_factory.mktemp("es"), corpus(), es_url=es_url)
        cls.board = board
        yield
        board.backend.drop()


class RelevanceContract:
    """Cases that used to be found or ranked wrongly (issue 16, item 5), on their own small corpus."""

    board = None

    def ordered(self, text: str) -> list[str]:
        return ordered(self.board.search(SearchQuery(text=text, today=TODAY, per_page=100)))

    def test_a_whole_word_ranks_before_words_it_only_begins(self):
        order = self.ordered("Fahrer")
        # r01 has it in the title, r03 in the text; r04 (Fahrradbeauftragter) and r02 (Fahrtkostenzuschuss,
        # Fahrradleasing) only begin with it
        assert order == ["r01", "r03", "r04", "r02"]

    def test_a_word_being_typed_still_finds_the_words_it_begins(self):
        assert set(self.ordered("Fahrr")) == {"r02", "r04"}

    def test_the_contact_persons_name_is_not_searched(self):
        assert self.ordered("Förster") == ["r05"]
        assert self.ordered("Forster") == ["r05"]
        assert self.ordered("Michael") == [] and self.ordered("Sabine") == []

    def test_azubi_finds_apprenticeships_not_every_abgeschlossene_ausbildung(self):
        assert self.ordered("Azubi") == ["r08"]
        assert self.ordered("Ausbildungsplatz") == ["r08"]
        assert set(self.ordered("Ausbildung")) == {"r08", "r09"}  # the word itself is still the word


class TestSqliteRelevance(RelevanceContract):
    @pytest.fixture(autouse=True, scope="class")
    @classmethod
    def _board(cls, tmp_path_factory):
        cls.board = make_board("sqlite", tmp_path_factory.mktemp("sqlite-rel"), relevance_corpus())


@pytest.mark.elasticsearch
class TestElasticsearchRelevance(RelevanceContract):
    @pytest.fixture(autouse=True, scope="class")
    @classmethod
    def _board(cls, tmp_path_factory, es_url):
        board = make_board(
            "elasticsearch", tmp_path_factory.mktemp("es-rel"), relevance_corpus(), es_url=es_url
        )
        cls.board = board
        yield
        board.backend.drop()


AGREEMENT_QUERIES = [
    {},
    {"text": "Verwaltung"},
    {"text": "Sachbearb"},
    {"text": "Kammerei"},
    {"text": "Erzieherinnen", "include_expired": True},
    {"text": "Landkreis"},
    {"districts": ["miltenberg"]},
    {"working_time": [WorkingTime.part_time], "fixed_term": True},
    {"districts": ["miltenberg", "starnberg"], "working_time": [WorkingTime.full_time], "fixed_term": False},
    {"pay_grade_min": "E9a", "pay_grade_max": "A11"},
    {"min_monthly_pay": 4500},
    {"min_monthly_pay": 3000, "text": "Verwaltung"},
    {"career_levels": [3], "status": [EmploymentStatus.civil_servant]},
    {"pay_scales": [PayScale.tvoed, PayScale.tvoed_sue], "working_time": [WorkingTime.part_time]},
    {"near": "63897", "radius_km": 50},
    {"start_asap": True, "working_time": [WorkingTime.part_time]},
    {"near": "82319", "radius_km": 40, "text": "m/w/d"},
    {"include_expired": True, "sort": Sort.deadline},
    {"near": "82319", "radius_km": 300, "sort": Sort.distance},
]


@pytest.mark.elasticsearch
@pytest.mark.parametrize(
    "params", AGREEMENT_QUERIES, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "all"
)
def test_backends_agree(params, agreement_boards):
    sqlite_board, es_board = agreement_boards
    params = dict(params)
    near = params.pop("near", None)
    results = []
    for board in (sqlite_board, es_board):
        geo = board.gazetteer.lookup(near) if near else None
        page = board.search(SearchQuery(today=TODAY, per_page=100, near=geo, **params))
        facets = {name: {(f.value, f.count) for f in values} for name, values in page.facets.items()}
        results.append((page.total, ids(page), facets))
    assert results[0] == results[1]


@pytest.mark.elasticsearch
def test_backends_agree_on_the_order_by_distance(agreement_boards):
    orders = []
    for board in agreement_boards:
        query = SearchQuery(today=TODAY, per_page=100, near=board.gazetteer.lookup("82319"), radius_km=300)
        query.sort = Sort.distance
        orders.append([(hit.vacancy.id, hit.distance_km) for hit in board.search(query).items])
    assert orders[0] == orders[1] and len(orders[0]) > 5


@pytest.fixture(scope="module")
def agreement_boards(tmp_path_factory, es_url):
    sqlite_board = make_board("sqlite", tmp_path_factory.mktemp("agree-sqlite"), corpus())
    es_board = make_board("elasticsearch", tmp_path_factory.mktemp("agree-es"), corpus(), es_url=es_url)
    yield sqlite_board, es_board
    es_board.backend.drop()


@pytest.mark.elasticsearch
@pytest.mark.parametrize("text", ["Fahrer", "Fahrr", "Förster", "Azubi", "Ausbildung", "Verwaltung"])
def test_backends_agree_on_the_relevance_corpus(text, tmp_path_factory, es_url):
    orders = []
    for backend in ("sqlite", "elasticsearch"):
        board = make_board(backend, tmp_path_factory.mktemp(backend), relevance_corpus(), es_url=es_url)
        orders.append(ordered(board.search(SearchQuery(text=text, today=TODAY, per_page=100))))
        if backend == "elasticsearch":
            board.backend.drop()
    assert orders[0] == orders[1]
