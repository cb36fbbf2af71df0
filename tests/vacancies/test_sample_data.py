"""The sample vacancy generator: reproducible, valid, and plausible."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta

import pytest

from vacancies.grades import PAY_GRADE_RANKS, pay_grade_rank
from vacancies.model import Vacancy
from vacancies.sample_data import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    JOBS,
    district_slug,
    generate_vacancies,
    landkreise,
    write_jsonl,
)
from vacancies.settings import REPO_ROOT

TODAY = date(2026, 5, 4)
N = 600


@pytest.fixture(scope="module")
def sample() -> list[Vacancy]:
    return list(generate_vacancies(N, seed=42, today=TODAY))


def _dump(vacancies: list[Vacancy]) -> list[str]:
    return [v.model_dump_json() for v in vacancies]


def test_same_seed_gives_identical_output(sample):
    again = list(generate_vacancies(N, seed=42, today=TODAY))
    assert _dump(again) == _dump(sample)


def test_global_random_state_is_neither_used_nor_disturbed(sample):
    random.seed(1)
    expected = random.random()
    random.seed(1)
    again = list(generate_vacancies(50, seed=42, today=TODAY))
    assert random.random() == expected
    assert _dump(again) == _dump(sample[:50])  # a shorter run is a prefix of a longer one


def test_different_seed_gives_different_output(sample):
    other = list(generate_vacancies(N, seed=43, today=TODAY))
    differing = sum(a != b for a, b in zip(_dump(other), _dump(sample), strict=True))
    assert differing > N * 0.9


def test_every_record_validates_and_round_trips(sample):
    ids = [v.id for v in sample]
    assert len(set(ids)) == N
    for vacancy in sample:
        again = Vacancy.model_validate_json(vacancy.model_dump_json())
        assert again == vacancy
        assert vacancy.id == f"{vacancy.source}:{vacancy.id.rsplit(':', 1)[1]}"
        assert vacancy.source == f"{vacancy.district}-web"
        assert vacancy.employer.startswith("Landratsamt ")
        assert vacancy.apply_url or vacancy.apply_email
        assert vacancy.contact and vacancy.contact.name and vacancy.reference


def test_grades_are_canonical_ordered_and_fit_the_scale(sample):
    letters = {"TVöD": "E", "TV-L": "E", "TVöD-SuE": "S", "BayBesG": "A"}
    graded = [v for v in sample if v.pay_grade_min]
    assert len(graded) > N * 0.7
    for v in graded:
        assert v.pay_grade_min in PAY_GRADE_RANKS and v.pay_grade_max in PAY_GRADE_RANKS
        assert pay_grade_rank(v.pay_grade_min) <= pay_grade_rank(v.pay_grade_max)
        assert v.pay_scale is not None
        assert v.pay_grade_min[0] == v.pay_grade_max[0] == letters[v.pay_scale.value]
    for job in JOBS:
        ranks = [pay_grade_rank(g) for g in job.grades]
        assert ranks == sorted(ranks), job.title


def test_dates_deadlines_and_terms(sample):
    for v in sample:
        assert TODAY - timedelta(days=59) <= v.date_posted <= TODAY
        if v.deadline is not None:
            assert v.date_posted + timedelta(days=14) <= v.deadline <= v.date_posted + timedelta(days=56)
        if v.fixed_term:
            assert v.term_months
        else:
            assert v.term_months is None
    assert any(v.deadline is None for v in sample)
    states = [v.state.value for v in sample]
    assert 0 < states.count("expired") < N * 0.1
    assert set(states) == {"published", "expired"}


def test_descriptions_are_html_of_plausible_length(sample):
    for v in sample:
        assert DESCRIPTION_MIN <= len(v.description) <= DESCRIPTION_MAX
        for heading in ("Ihre Aufgaben", "Ihr Profil", "Wir bieten"):
            assert f"<h3>{heading}</h3><ul><li>" in v.description
    assert len({v.description for v in sample}) == N


def test_variety(sample):
    assert len({v.title for v in sample}) >= 50
    assert len({v.district for v in sample}) >= 60
    assert {v.posting_type.value for v in sample} == {
        "job",
        "apprenticeship",
        "dual_study",
        "internship",
        "trainee",
    }
    assert {v.pay_scale.value for v in sample if v.pay_scale} == {"TVöD", "TVöD-SuE", "TV-L", "BayBesG"}
    assert {v.career_level for v in sample} >= {1, 2, 3, 4}
    assert {v.remote.value for v in sample} == {"none", "hybrid", "remote"}
    assert any(v.working_time == ["full_time", "part_time"] for v in sample)


def test_postal_codes_lie_in_their_district(sample):
    keys_of_code: dict[str, set[str]] = {}
    with open(REPO_ROOT / "config" / "geo" / "plz_de.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            keys_of_code.setdefault(row["zipcode"], set()).add(row["district_key"])
    districts = landkreise()
    for v in sample:
        assert districts[v.district].key in keys_of_code[v.location.postal_code], v.id
        assert v.location.lat is not None and 47.2 < v.location.lat < 50.6 and 8.9 < v.location.lon < 13.9


def test_slugs():
    assert district_slug("Bad Tölz-Wolfratshausen") == "bad-toelz-wolfratshausen"
    assert district_slug("Wunsiedel i.Fichtelgebirge") == "wunsiedel-i-fichtelgebirge"
    districts = landkreise()
    assert len(districts) == 71
    assert districts["miltenberg"].key == "09676"
    assert districts["muenchen"].key == "09184"  # the Landkreis, not the city


def test_chosen_districts_only():
    chosen = ["miltenberg", "starnberg"]
    assert {v.district for v in generate_vacancies(100, seed=3, today=TODAY, districts=chosen)} == set(chosen)
    with pytest.raises(ValueError):
        list(generate_vacancies(1, districts=["atlantis"]))


def test_write_jsonl(tmp_path):
    path = tmp_path / "sample.jsonl"
    assert write_jsonl(path, 20, seed=5, today=TODAY) == 20
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [Vacancy.model_validate(json.loads(line)) for line in lines]
    assert _dump(records) == _dump(list(generate_vacancies(20, seed=5, today=TODAY)))
