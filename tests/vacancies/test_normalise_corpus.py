"""The labelled corpus of posting wording is valid, and bench/normalise.py measures against it (issue 15).

These tests check the corpus and the bench, not the normaliser's accuracy: the accuracy is a measurement
(`python bench/normalise.py`), reported in the issue, not a gate.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from vacancies.grades import pay_grade_rank
from vacancies.model import PAY_GRADE_RE, PayScale, PostingType, WorkingTime

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO_ROOT / "tests" / "vacancies" / "corpus"
BENCH = REPO_ROOT / "bench" / "normalise.py"

CATEGORIES = {
    "Verwaltung", "Bauen & Technik", "IT & Digitalisierung", "Soziales & Jugend",
    "Gesundheit & Veterinärwesen", "Schule & Bildung", "Kita & Erziehung", "Umwelt, Natur & Landwirtschaft",
    "Sicherheit, Ordnung & Feuerwehr", "Finanzen & Steuern", "Recht", "Straßen & Verkehr",
    "Handwerk & Betrieb", "Ausbildung & Studium", "Sonstiges",
}  # fmt: skip
FILES = {
    "category": ("title", {"category"}),
    "pay": ("text", {"pay_scale", "pay_grade_min", "pay_grade_max"}),
    "working_time": ("text", {"working_time", "weekly_hours"}),
    "fixed_term": ("text", {"fixed_term", "term_months"}),
    "career_level": ("text", {"career_level"}),
    "posting_type": ("title", {"posting_type"}),
    "dates": (None, None),  # input and expected key depend on the entry's kind
}
DATE_KINDS = {"deadline", "start_date", "timestamp", "as_soon_as_possible"}


def _load(name: str) -> list[dict]:
    lines = (CORPUS_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _all_entries() -> dict[str, list[dict]]:
    return {name: _load(name) for name in FILES}


def _is_iso_date_or_none(value: object) -> bool:
    if value is None:
        return True
    return isinstance(value, str) and date.fromisoformat(value).isoformat() == value


def _is_grade_or_none(value: object) -> bool:
    return value is None or (isinstance(value, str) and bool(PAY_GRADE_RE.match(value)))


def test_corpus_has_at_least_400_entries_with_unique_ids() -> None:
    entries = [entry for rows in _all_entries().values() for entry in rows]
    assert len(entries) >= 400
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids))
    assert sorted(path.stem for path in CORPUS_DIR.glob("*.jsonl")) == sorted(FILES)


@pytest.mark.parametrize("name", [name for name in FILES if name != "dates"])
def test_every_entry_has_its_input_and_exactly_the_expected_keys(name: str) -> None:
    input_key, expected_keys = FILES[name]
    for entry in _load(name):
        assert isinstance(entry[input_key], str) and entry[input_key].strip(), entry["id"]
        assert set(entry["expected"]) == expected_keys, entry["id"]
        assert entry.get("employer") is None or entry["employer"].strip(), entry["id"]


def test_every_category_is_one_of_the_fifteen() -> None:
    categories = [entry["expected"]["category"] for entry in _load("category")]
    assert set(categories) <= CATEGORIES
    assert set(categories) == CATEGORIES  # every category is measured


def test_pay_values_are_in_the_record_formats() -> None:
    scales = {scale.value for scale in PayScale}
    for entry in _load("pay"):
        expected = entry["expected"]
        low, high = expected["pay_grade_min"], expected["pay_grade_max"]
        assert expected["pay_scale"] is None or expected["pay_scale"] in scales, entry["id"]
        assert _is_grade_or_none(low) and _is_grade_or_none(high), entry["id"]
        if low and high:
            assert pay_grade_rank(low) <= pay_grade_rank(high), entry["id"]
        if low or high:
            assert expected["pay_scale"] is not None, entry["id"]


def test_working_time_values_are_sorted_known_and_hours_in_range() -> None:
    allowed = {value.value for value in WorkingTime}
    for entry in _load("working_time"):
        values, hours = entry["expected"]["working_time"], entry["expected"]["weekly_hours"]
        assert values == sorted(set(values)) and set(values) <= allowed, entry["id"]
        assert hours is None or (isinstance(hours, float) and 0 < hours <= 60), entry["id"]


def test_fixed_term_values_are_in_the_record_formats() -> None:
    for entry in _load("fixed_term"):
        fixed, months = entry["expected"]["fixed_term"], entry["expected"]["term_months"]
        assert fixed in (True, False, None), entry["id"]
        assert months is None or (isinstance(months, int) and 1 <= months <= 120), entry["id"]
        assert months is None or fixed is True, entry["id"]  # a duration only for a fixed term


def test_career_levels_and_posting_types_are_in_the_record_formats() -> None:
    for entry in _load("career_level"):
        level = entry["expected"]["career_level"]
        assert level is None or (isinstance(level, int) and 1 <= level <= 4), entry["id"]
    types = {value.value for value in PostingType}
    assert {entry["expected"]["posting_type"] for entry in _load("posting_type")} == types


def test_date_entries_have_a_kind_an_input_and_an_iso_date() -> None:
    for entry in _load("dates"):
        kind = entry["kind"]
        assert kind in DATE_KINDS, entry["id"]
        assert set(entry["expected"]) == {kind}, entry["id"]
        if kind == "timestamp":
            assert "value" in entry, entry["id"]
        else:
            assert isinstance(entry["text"], str) and entry["text"].strip(), entry["id"]
        value = entry["expected"][kind]
        if kind == "as_soon_as_possible":
            assert isinstance(value, bool), entry["id"]
        else:
            assert _is_iso_date_or_none(value), entry["id"]
    assert {entry["kind"] for entry in _load("dates")} == DATE_KINDS


def test_bench_json_prints_the_documented_keys_for_every_field() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--json"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"today", "corpus", "entries", "fields", "misses"}
    assert result["today"] == "2026-12-02"
    assert result["entries"] == sum(len(rows) for rows in _all_entries().values())
    assert (
        "category" in result["fields"] and "pay_scale" in result["fields"] and "deadline" in result["fields"]
    )
    for name, row in result["fields"].items():
        assert set(row) == {"right", "total", "percent", "target", "meets_target"}, name
        assert 0 <= row["right"] <= row["total"] and row["total"] > 0, name
    assert result["fields"]["category"]["target"] == 92.0
    assert result["fields"]["pay_scale"]["target"] == 97.0


def test_bench_counts_a_wrong_label_as_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("bench_normalise", BENCH)
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    monkeypatch.setenv("STELLEN_TODAY", "2020-06-01")  # the bench must pin its own today over this
    rows = [
        {"id": "dates-001", "kind": "deadline", "text": "bis 15.01.", "expected": {"deadline": "2027-01-15"}},
        {"id": "dates-002", "kind": "deadline", "text": "bis 15.01.", "expected": {"deadline": "2030-01-15"}},
    ]
    (tmp_path / "dates.jsonl").write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    tallies = bench.measure(bench.load_corpus(tmp_path))
    assert (tallies["deadline"].right, tallies["deadline"].total) == (1, 2)  # year from the pinned today
    assert tallies["deadline"].misses == [
        {"phrase": "bis 15.01.", "expected": "2030-01-15", "got": "2027-01-15"}
    ]
