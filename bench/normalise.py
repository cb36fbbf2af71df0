"""Normaliser accuracy: per-field right / total over the labelled corpus of posting wording (issue 15).

Run on demand (a measurement, not a test: it always exits 0):

    python bench/normalise.py              # table of per-field accuracy against the targets
    python bench/normalise.py --verbose    # also every miss: phrase, expected, got
    python bench/normalise.py --json       # machine-readable: today, corpus, entries, fields, misses

The corpus lives in tests/vacancies/corpus/*.jsonl (see its README.md): one JSON object per line with the
input ("title" / "text" / "value", optional "employer") and the expected record values. Year-less dates
("bis 15.01.") depend on "today", so the bench pins it to 2026-12-02 through STELLEN_TODAY
(vacancies/clock.py) before the normaliser runs.

Targets (issue 15): at least 97 % per field, category at least 92 %.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

CORPUS_DIR = REPO_ROOT / "tests" / "vacancies" / "corpus"
TODAY = "2026-12-02"
TARGETS = {"category": 92.0}
DEFAULT_TARGET = 97.0
JSON_KEYS = ("today", "corpus", "entries", "fields", "misses")


@dataclass
class Tally:
    right: int = 0
    total: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def count(self, phrase: str, expected: Any, got: Any) -> None:
        self.total += 1
        if expected == got:
            self.right += 1
        else:
            self.misses.append({"phrase": phrase, "expected": expected, "got": got})


def load_corpus(directory: Path = CORPUS_DIR) -> dict[str, list[dict[str, Any]]]:
    """Every corpus file by its name (category, pay, …) as a list of entries."""
    corpus = {}
    for path in sorted(directory.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        corpus[path.stem] = [json.loads(line) for line in lines if line.strip()]
    return corpus


def _call(function: Callable[..., Any], text: Any, **optional: Any) -> Any:
    """Call with the keyword arguments the function accepts: `employer` may or may not exist yet."""
    accepted = inspect.signature(function).parameters
    return function(text, **{name: value for name, value in optional.items() if name in accepted})


def _value(value: Any) -> Any:
    """Enums and dates as the record stores them in JSON."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # StrEnum -> plain str
    return value


def _measure_category(normalize: Any, entries: list[dict], tallies: dict[str, Tally]) -> None:
    for entry in entries:
        got = _call(normalize.category_for, entry["title"], employer=entry.get("employer"))
        phrase = entry["title"] + (f" @ {entry['employer']}" if entry.get("employer") else "")
        tallies["category"].count(phrase, entry["expected"]["category"], _value(got))


def _measure_pay(normalize: Any, entries: list[dict], tallies: dict[str, Tally]) -> None:
    for entry in entries:
        info = _call(normalize.parse_pay, entry["text"], employer=entry.get("employer"))
        expected = entry["expected"]
        phrase = entry["text"] + (f" @ {entry['employer']}" if entry.get("employer") else "")
        tallies["pay_scale"].count(phrase, expected["pay_scale"], _value(info.pay_scale))
        tallies["pay_grade"].count(
            phrase,
            [expected["pay_grade_min"], expected["pay_grade_max"]],
            [info.grade_min, info.grade_max],
        )


def _measure_working_time(normalize: Any, entries: list[dict], tallies: dict[str, Tally]) -> None:
    for entry in entries:
        text, expected = entry["text"], entry["expected"]
        got = sorted(_value(v) for v in normalize.parse_working_time(text))
        tallies["working_time"].count(text, expected["working_time"], got)
        tallies["weekly_hours"].count(text, expected["weekly_hours"], normalize.parse_weekly_hours(text))


def _measure_fixed_term(normalize: Any, entries: list[dict], tallies: dict[str, Tally]) -> None:
    for entry in entries:
        text, expected = entry["text"], entry["expected"]
        fixed, months = normalize.parse_fixed_term(text)
        tallies["fixed_term"].count(text, expected["fixed_term"], fixed)
        tallies["term_months"].count(text, expected["term_months"], months)


def _measure_career_level(normalize: Any, entries: list[dict], tallies: dict[str, Tally]) -> None:
    for entry in entries:
        got = normalize.parse_career_level(entry["text"])
        tallies["career_level"].count(entry["text"], entry["expected"]["career_level"], got)


def _measure_posting_type(normalize: Any, entries: list[dict], tallies: dict[str, Tally]) -> None:
    for entry in entries:
        got = _value(normalize.posting_type_from_title(entry["title"]))
        tallies["posting_type"].count(entry["title"], entry["expected"]["posting_type"], got)


def _date_parsers(normalize: Any) -> dict[str, Callable[[Any], Any]]:
    """One parser per date kind; older normalisers without a function fall back to the nearest one."""
    start = getattr(normalize, "parse_start_date", normalize.parse_german_date)
    asap = getattr(normalize, "is_as_soon_as_possible", lambda _text: False)
    timestamp = getattr(normalize, "parse_timestamp", lambda _value: None)
    return {
        "deadline": normalize.parse_deadline,
        "start_date": start,
        "as_soon_as_possible": asap,
        "timestamp": timestamp,
    }


def _measure_dates(normalize: Any, entries: list[dict], tallies: dict[str, Tally]) -> None:
    parsers = _date_parsers(normalize)
    for entry in entries:
        kind = entry["kind"]
        value = entry["text"] if "text" in entry else entry["value"]
        got = _value(parsers[kind](value))
        tallies[kind].count(repr(value) if kind == "timestamp" else value, entry["expected"][kind], got)


MEASURES = {
    "category": _measure_category,
    "pay": _measure_pay,
    "working_time": _measure_working_time,
    "fixed_term": _measure_fixed_term,
    "career_level": _measure_career_level,
    "posting_type": _measure_posting_type,
    "dates": _measure_dates,
}
FIELDS = (
    "category", "pay_scale", "pay_grade", "working_time", "weekly_hours", "fixed_term", "term_months",
    "career_level", "posting_type", "deadline", "start_date", "as_soon_as_possible", "timestamp",
)  # fmt: skip


def measure(corpus: dict[str, list[dict[str, Any]]]) -> dict[str, Tally]:
    os.environ["STELLEN_TODAY"] = TODAY  # read on each call by vacancies.clock.today()
    from vacancies import normalize

    tallies = {name: Tally() for name in FIELDS}
    for name, entries in corpus.items():
        MEASURES[name](normalize, entries, tallies)
    return tallies


def report(corpus: dict[str, list[dict[str, Any]]], tallies: dict[str, Tally]) -> dict[str, Any]:
    fields = {}
    for name, tally in tallies.items():
        percent = round(100.0 * tally.right / tally.total, 1) if tally.total else None
        target = TARGETS.get(name, DEFAULT_TARGET)
        fields[name] = {
            "right": tally.right,
            "total": tally.total,
            "percent": percent,
            "target": target,
            "meets_target": percent is not None and percent >= target,
        }
    return {
        "today": TODAY,
        "corpus": str(CORPUS_DIR.relative_to(REPO_ROOT)),
        "entries": sum(len(entries) for entries in corpus.values()),
        "fields": fields,
        "misses": {name: tally.misses for name, tally in tallies.items() if tally.misses},
    }


def print_table(result: dict[str, Any], verbose: bool) -> None:
    print(f"Normaliser accuracy over {result['entries']} corpus entries (today pinned to {result['today']})")
    print(f"{'field':<22}{'right':>7}{'total':>7}{'%':>8}{'target':>8}  ok")
    for name, row in result["fields"].items():
        percent = "-" if row["percent"] is None else f"{row['percent']:.1f}"
        mark = "yes" if row["meets_target"] else "NO"
        print(f"{name:<22}{row['right']:>7}{row['total']:>7}{percent:>8}{row['target']:>8.0f}  {mark}")
    if not verbose:
        return
    for name, misses in result["misses"].items():
        print(f"\nmisses: {name}")
        for miss in misses:
            print(f"  {miss['phrase']!s:<70} expected {miss['expected']!r}, got {miss['got']!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss (phrase, expected, got)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    corpus = load_corpus()
    result = report(corpus, measure(corpus))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_table(result, args.verbose)
    return 0  # a measurement, not a gate


if __name__ == "__main__":
    sys.exit(main())
