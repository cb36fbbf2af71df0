"""One home for each piece of knowledge (issue 17, item 7): the configuration directory, the districts
model, the great-circle distance, batching, and no dead helpers."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest

from vacancies.batching import batched

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "web", "cli", "crawler", "vacancies", "server")


def _sources() -> list[Path]:
    return [
        path for package in PACKAGES if (ROOT / package).is_dir() for path in (ROOT / package).rglob("*.py")
    ]


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# -- settings resolved once -----------------------------------------------------------------------------


def test_the_configuration_directory_is_resolved_in_one_place():
    readers = [_relative(p) for p in _sources() if '"STELLEN_CONFIG_DIR"' in p.read_text(encoding="utf-8")]
    assert readers == ["vacancies/settings.py"]


def test_every_configuration_file_follows_the_configuration_directory(monkeypatch, tmp_path):
    from crawler.samplesites import catalog
    from vacancies.districts import districts_file
    from vacancies.search.analysis import default_config_dir
    from vacancies.search.elasticsearch_backend import default_template_path
    from vacancies.settings import REPO_ROOT, Settings, config_dir

    monkeypatch.delenv("STELLEN_DISTRICTS_FILE", raising=False)
    monkeypatch.delenv("STELLEN_CONFIG_DIR", raising=False)
    assert config_dir() == REPO_ROOT / "config" == Settings().config_dir
    monkeypatch.setenv("STELLEN_CONFIG_DIR", str(tmp_path))
    assert config_dir() == tmp_path == Settings().config_dir
    assert districts_file() == tmp_path / "districts.yaml"
    assert default_config_dir() == tmp_path / "search"
    assert default_template_path() == tmp_path / "elasticsearch" / "vacancies-template.json"
    catalog._coordinates.cache_clear()  # the sample sites' district table
    try:
        with pytest.raises(FileNotFoundError, match=str(tmp_path)):
            catalog._coordinates()
    finally:
        catalog._coordinates.cache_clear()


# -- one districts model ----------------------------------------------------------------------------------


def test_the_crawler_reads_districts_with_the_one_model():
    from crawler.config import DistrictConfig, load_districts
    from vacancies.districts import District, load

    assert issubclass(DistrictConfig, District)
    assert set(DistrictConfig.model_fields) - set(District.model_fields) == {"sources"}
    crawled = load_districts()
    public = load()
    assert [District.model_validate(d.model_dump(exclude={"sources"})) for d in crawled.districts] == list(
        public
    )


def test_a_district_the_crawler_refuses_is_refused_by_the_public_model_too(tmp_path):
    from pydantic import ValidationError

    from crawler.config import DistrictsConfigError, load_districts
    from vacancies import districts

    text = "districts:\n  - {slug: miltenberg, key: '09676', name: Miltenberg, lat: 60.0, lon: 9.2}\n"
    path = tmp_path / "districts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DistrictsConfigError, match="lat"):
        load_districts(path)
    with pytest.raises(ValidationError, match="lat"):
        districts.load(str(path))


# -- one geo helper -----------------------------------------------------------------------------------------


def test_the_great_circle_formula_lives_only_in_geo():
    users = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.attr if isinstance(n, ast.Attribute) else n.id for n in ast.walk(tree)
                 if isinstance(n, (ast.Attribute, ast.Name))}  # fmt: skip
        if names & {"asin", "arcsin"}:
            users.append(_relative(path))
    assert users == ["vacancies/geo.py"]


def test_the_scalar_and_the_vectorised_distance_agree():
    """numpy's sin/cos may differ from libm's in the last bit: the embedded search and the alert matcher
    both use the vectorised form, so they agree exactly with each other at a radius' edge."""
    from vacancies.geo import EARTH_RADIUS_KM, haversine_km, haversine_km_array

    rng = np.random.default_rng(17)
    lat, lon = rng.uniform(47, 51, 500), rng.uniform(8.9, 14, 500)
    vectorised = haversine_km_array(lat, lon, 49.7036, 9.2596)
    scalar = [haversine_km(a, o, 49.7036, 9.2596) for a, o in zip(lat, lon, strict=True)]
    assert scalar == pytest.approx(list(vectorised), rel=1e-12, abs=1e-9)
    assert haversine_km(0, 0, 1, 0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 180)


# -- one batching helper ------------------------------------------------------------------------------------


def test_batched_yields_lists_and_a_shorter_last_one():
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []
    with pytest.raises(ValueError):
        list(batched([1], 0))


def test_batched_is_lazy_on_a_stream():
    taken = []

    def stream():
        for number in range(10):
            taken.append(number)
            yield number

    first = next(batched(stream(), 4))
    assert first == [0, 1, 2, 3] and taken == [0, 1, 2, 3]


def test_no_module_keeps_its_own_batching_helper():
    own = [
        f"{_relative(path)}:{node.name}"
        for path in _sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name.strip("_") in {"chunks", "batches", "batched"}
        and _relative(path) != "vacancies/batching.py"
    ]  # fmt: skip
    assert own == []


# -- dead code ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("crawler.strategies.common", "json_text"),
        ("crawler.strategies.common", "iter_postings"),
        ("vacancies.search.document", "body_text"),
    ],
)
def test_unused_helpers_are_gone(module, name):
    import importlib

    assert not hasattr(importlib.import_module(module), name)
