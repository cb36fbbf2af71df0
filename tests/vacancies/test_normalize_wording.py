"""Issue 15: the wording German public employers really use, read right by the normaliser.

Each case is a sentence written by us around a phrase employers use ("Befristung: unbefristet",
"Teilzeit- und Befristungsgesetz", interamt's "beides möglich", "EGr. S12 TV-L", "mind. E 14",
"baldmöglichst", "/Date(…)/"); the before-state of each is named in the test's docstring.
"""

from __future__ import annotations

from datetime import date

import pytest

from crawler.items import RawPosting
from crawler.pipelines import to_record
from vacancies.model import PostingType, Vacancy, WorkingTime
from vacancies.normalize import parse_fixed_term, parse_working_time, posting_type_from_title


def cases(table: dict[str, object]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(("text", "expected"), list(table.items()), ids=[repr(k) for k in table])


def raw(**changes) -> RawPosting:
    base = dict(
        source_id="15",
        url="https://lra.example/stellen/15",
        title="Sachbearbeiter (m/w/d) Bauamt",
        source="miltenberg-web",
        district="miltenberg",
    )
    return RawPosting(**{**base, **changes})


def vacancy(**changes) -> Vacancy:
    return Vacancy.model_validate(to_record(raw(**changes), today=date(2026, 11, 27)))


# ------------------------------------------------------------------------------------------- fixed term


@cases(
    {
        # Before: the label "Befristung" alone made these fixed term.
        "Befristung: unbefristet": (False, None),
        "Beschäftigungsumfang: Vollzeit\nBefristung: unbefristet\nBewerbungsfrist: 15.01.2027": (False, None),
        "Art der Befristung – unbefristet": (False, None),
        "Befristung: keine": (False, None),
        "befristet: nein": (False, None),
        # Before: the name of the law made any posting fixed term.
        "Die Einstellung erfolgt nach den Vorschriften des Teilzeit- und Befristungsgesetzes (TzBfG).": (
            None,
            None,
        ),
        "Die Stelle ist unbefristet; Teilzeit ist nach dem Teilzeit- und Befristungsgesetz möglich.": (
            False,
            None,
        ),
        # Before: not read at all.
        "Die Stelle ist zum nächstmöglichen Zeitpunkt auf Dauer zu besetzen.": (False, None),
        "Es handelt sich um eine Dauerstelle in Vollzeit.": (False, None),
        # Still fixed: a real term next to the law's name, and the label with a real answer.
        "Die Stelle ist nach dem Teilzeit- und Befristungsgesetz auf 2 Jahre befristet.": (True, 24),
        "Befristung: 24 Monate (Elternzeitvertretung)": (True, 24),
        "für die Dauer der Elternzeit befristet, Dauer: 12 Monate": (True, 12),
    }
)
def test_fixed_term_wording(text: str, expected: tuple[bool | None, int | None]) -> None:
    assert parse_fixed_term(text) == expected


def test_befristet_in_the_title_counts_even_when_the_text_does_not_say_it():
    """Before: the title was never read for the term, so "(befristet)" in it was lost."""
    found = vacancy(
        title="Sachbearbeiter (m/w/d) Wohngeld – befristet auf 2 Jahre",
        description_html="<p>Wir suchen zum 01.03.2027 eine engagierte Verstärkung. Vollzeit, E 9a TVöD.</p>",
    )
    assert (found.fixed_term, found.term_months) == (True, 24)


def test_title_befristet_takes_its_months_from_the_text():
    found = vacancy(
        title="Erzieherin (m/w/d) befristet",
        description_html="<p>Die Anstellung erfolgt zunächst für 18 Monate als Elternzeitvertretung.</p>",
    )
    assert (found.fixed_term, found.term_months) == (True, 18)


def test_title_without_a_term_leaves_the_text_decision():
    found = vacancy(description_html="<p>Die Stelle ist auf Dauer zu besetzen.</p>")
    assert found.fixed_term is False


# ----------------------------------------------------------------------------------------- posting type


@cases(
    {
        # Before: "dual" (Duales Lernen) + "studi" (Oberstudienrat) made it dual study.
        "Oberstudienrat (m/w/d) für Wirtschaft und Verwaltung – Duales Lernen": PostingType.job,
        "Studienrätin / Studienrat (m/w/d) an der Berufsschule – duale Ausbildung": PostingType.job,
        "Studiendirektor (m/w/d) – Koordination Duales System": PostingType.job,
        "Duales Studium Public Management (B.A.) 2027": PostingType.dual_study,
        "Dualer Studiengang Soziale Arbeit (m/w/d)": PostingType.dual_study,
        "Studium Bauingenieurwesen (dual) beim Landratsamt": PostingType.dual_study,
        "Dual Studierende (m/w/d) Verwaltungsinformatik": PostingType.dual_study,
        "Dualstudium Verwaltungsinformatik (B.Sc.)": PostingType.dual_study,
    }
)
def test_posting_type_dual_study_needs_the_words(text: str, expected: PostingType) -> None:
    assert posting_type_from_title(text) == expected


# --------------------------------------------------------------------------------------- working time

FULL, PART = WorkingTime.full_time, WorkingTime.part_time


@cases(
    {
        # Before: interamt's answer gave nothing (or only part time after the "Teilzeit" label).
        "beides möglich": [FULL, PART],
        "Teilzeit: beides möglich": [FULL, PART],
        "Vollzeit/Teilzeit: beides möglich": [FULL, PART],
        "Arbeitszeit – beides ist möglich": [FULL, PART],
        # Before: full time, because "Vollzeit" names the yardstick.
        "Die Stelle ist mit 50 Prozent einer entsprechenden Vollzeitbeschäftigung (20 Std./Woche) "
        "zu besetzen.": [PART],
        "Beschäftigungsumfang: 75 % einer Vollzeitstelle": [PART],
        "Die Arbeitszeit beträgt 80 % der regelmäßigen Arbeitszeit einer Vollzeitkraft.": [PART],
        "in Teilzeit (50 %)": [PART],
        "Die Stelle ist in Vollzeit oder Teilzeit zu besetzen.": [FULL, PART],
        "100 % einer Vollzeitstelle": [FULL],
        # "beides möglich" about something else is no working-time statement.
        "Arbeit im Homeoffice oder vor Ort: beides möglich": [],
        "Vollzeit, Teilzeit ist leider nicht möglich": [FULL],
    }
)
def test_working_time_wording(text: str, expected: list[WorkingTime]) -> None:
    assert parse_working_time(text) == expected


def test_share_of_full_time_gives_part_time_with_its_hours():
    found = vacancy(
        description_html="<p>Die Stelle ist mit 50 Prozent einer entsprechenden Vollzeitbeschäftigung "
        "(20 Std./Woche) ab 01.04.2027 zu besetzen.</p>"
    )
    assert [w.value for w in found.working_time] == ["part_time"] and found.weekly_hours == 20.0
