"""Pay in euros from the published pay tables (issue 15, item 4): config/pay and vacancies.pay."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from vacancies.model import PAY_GRADE_RE, PayScale, Vacancy
from vacancies.pay import PayTableError, grade_range, load_tables, pay_range, read_table, table_warnings
from vacancies.settings import REPO_ROOT

CONFIG = REPO_ROOT / "config" / "pay"
DAY = date(2026, 12, 3)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _table(folder: Path, name: str, scale: str, since: str, until: str, rows: str) -> Path:
    return _write(
        folder,
        name,
        f'name: "{name}"\npay_scale: "{scale}"\nvalid_from: {since}\nvalid_until: {until}\n'
        f'source: "test"\ngrades:\n{rows}',
    )


# -- the committed tables --------------------------------------------------------------------------


def test_every_committed_table_loads_with_source_and_validity():
    tables = load_tables(CONFIG)
    assert {t.pay_scale for t in tables} == {
        PayScale.tvoed,
        PayScale.tvoed_sue,
        PayScale.tvl,
        PayScale.baybesg,
    }
    for table in tables:
        assert table.source and table.valid_from and table.grades
        assert table.valid_until is None or table.valid_until > table.valid_from
        for grade, row in table.grades.items():
            assert PAY_GRADE_RE.match(grade), f"{table.path.name}: {grade} is no canonical grade"
            assert any(amount is not None for amount in row)


def test_committed_tables_cover_the_grades_postings_use():
    by_scale = {(t.pay_scale, t.s_grades): t for t in load_tables(CONFIG)}
    tvoed = by_scale[(PayScale.tvoed, False)]
    # The TVöD VKA splits E9 into E9a/E9b/E9c (since 2017).
    assert {f"E{n}" for n in range(2, 16) if n != 9} | {"E9a", "E9b", "E9c"} <= set(tvoed.grades)
    assert {"S8a", "S8b", "S11a", "S11b", "S18"} <= set(by_scale[(PayScale.tvoed_sue, True)].grades)
    assert {"E9a", "E9b", "E13"} <= set(by_scale[(PayScale.tvl, False)].grades)
    assert {"A9", "A13"} <= set(by_scale[(PayScale.baybesg, False)].grades)


def test_a_grade_pays_from_its_first_to_its_last_step():
    tables = load_tables(CONFIG)
    found = grade_range(PayScale.tvoed, "E9b", "E9b", DAY, tables)
    row = [a for a in found.table.grades["E9b"] if a is not None]
    assert (found.low, found.high) == (row[0], row[-1])
    assert (found.step_low, found.step_high) == (1, 6)
    assert found.table.pay_scale == PayScale.tvoed and not found.expired


def test_tv_l_and_tvoed_give_different_figures_for_the_same_grade():
    tables = load_tables(CONFIG)
    tvoed = grade_range(PayScale.tvoed, "E13", "E13", DAY, tables)
    tvl = grade_range(PayScale.tvl, "E13", "E13", DAY, tables)
    assert tvl.table.pay_scale == PayScale.tvl and tvoed.table.pay_scale == PayScale.tvoed
    assert (tvl.low, tvl.high) != (tvoed.low, tvoed.high)


def test_s_grades_of_the_tvoed_use_the_social_service_table():
    found = grade_range(PayScale.tvoed, "S8a", "S8a", DAY, load_tables(CONFIG))
    assert found.table.pay_scale == PayScale.tvoed_sue


def test_a_grade_the_tables_do_not_list_gives_no_figure():
    tables = load_tables(CONFIG)
    assert grade_range(PayScale.tvl, "E9c", "E9c", DAY, tables) is None  # the TV-L has no E9c
    assert grade_range(PayScale.tvoed, "E9a", "P8", DAY, tables) is None  # no half figures
    assert grade_range(None, "E9a", "E9a", DAY, tables) is None


# -- choosing a table ------------------------------------------------------------------------------


ROW = "  E9a: [3000, 3100, 3200]\n  E10: [3500, 3600, 3700]\n"


def test_the_table_in_force_is_chosen_and_an_expired_one_is_flagged(tmp_path):
    _table(tmp_path, "old.yaml", "TVöD", "2025-04-01", "2026-04-30", ROW)
    _table(tmp_path, "new.yaml", "TVöD", "2026-05-01", "2027-03-31", ROW.replace("3000", "3080"))
    tables = load_tables(tmp_path)
    assert grade_range(PayScale.tvoed, "E9a", "E9a", date(2026, 4, 30), tables).low == 3000
    in_force = grade_range(PayScale.tvoed, "E9a", "E9a", date(2026, 5, 1), tables)
    assert in_force.low == 3080 and not in_force.expired
    late = grade_range(PayScale.tvoed, "E9a", "E10", date(2027, 4, 1), tables)
    assert late.low == 3080 and late.high == 3700 and late.expired  # used, but never silently
    assert grade_range(PayScale.tvoed, "E9a", "E9a", date(2025, 1, 1), tables) is None  # none begun yet
    assert table_warnings(date(2026, 12, 3), tables) == []
    (warning,) = table_warnings(date(2027, 4, 1), tables)
    assert "abgelaufen" in warning and "31.03.2027" in warning and "new.yaml" in warning


def test_open_ranges_stay_open(tmp_path):
    _table(tmp_path, "t.yaml", "TVöD", "2026-05-01", "null", ROW)
    tables = load_tables(tmp_path)
    floor = grade_range(PayScale.tvoed, "E10", None, DAY, tables)  # "mind. E 10"
    assert (floor.low, floor.high, floor.step_low) == (3500, None, 1)
    ceiling = grade_range(PayScale.tvoed, None, "E9a", DAY, tables)  # "bis E 9a"
    assert (ceiling.low, ceiling.high, ceiling.step_high) == (None, 3200, 3)


def test_amounts_the_posting_states_win_over_the_tables(tmp_path):
    _table(tmp_path, "t.yaml", "TVöD", "2026-05-01", "null", ROW)
    vacancy = Vacancy(id="x", origin="hr", district="miltenberg", title="Stelle", pay_scale="TVöD",
                      pay_grade_min="E9a", pay_grade_max="E9a", salary_min=3900, salary_max=4100)  # fmt: skip
    found = pay_range(vacancy, DAY, load_tables(tmp_path))
    assert (found.low, found.high, found.table) == (3900, 4100, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name: "x"\npay_scale: "TVöD"\n', "es fehlen Angaben"),
        (
            'name: "x"\npay_scale: "TVöD"\nvalid_from: gestern\nvalid_until: null\nsource: s\n'
            "grades: {E9a: [1]}\n",
            "ist kein Datum",
        ),
        (
            'name: "x"\npay_scale: "TVöD"\nvalid_from: 2026-05-01\nvalid_until: null\nsource: s\n'
            "grades: {E9a: [3000, 2900]}\n",
            "steigen nicht",
        ),
        (
            'name: "x"\npay_scale: "TVöD"\nvalid_from: 2026-05-01\nvalid_until: null\nsource: s\n'
            'grades: {E9a: ["3.000 €"]}\n',
            "Liste von Beträgen",
        ),
        ("grades: [unclosed\n", "nicht lesbar"),
    ],
)
def test_a_broken_table_file_is_refused_with_a_german_reason(tmp_path, text, message):
    with pytest.raises(PayTableError, match=message):
        read_table(_write(tmp_path, "kaputt.yaml", text))
