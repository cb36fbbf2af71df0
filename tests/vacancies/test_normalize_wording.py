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
from vacancies.model import PayScale, PostingType, Vacancy, WorkingTime
from vacancies.normalize import (
    PayInfo,
    is_as_soon_as_possible,
    parse_deadline,
    parse_fixed_term,
    parse_german_date,
    parse_pay,
    parse_timestamp,
    parse_working_time,
    posting_type_from_title,
)


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
        # A two-column table read as text glues label and value.
        "ArbeitszeitVollzeit\nBefristungunbefristet\nBewerbungsfrist15.01.2027": (False, None),
        "Befristung\nunbefristet": (False, None),
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
        # Before: only the first mention was read for the length, a facts row that names none.
        "Befristung: befristet\nDie Stelle ist zunächst auf 12 Monate befristet.": (True, 12),
        "Die Stelle ist befristet zu besetzen.\nDie Befristung endet nach 12 Monaten.": (True, 12),
        "befristet\nVollzeit\nDie Stelle ist für zwei Jahre befristet.": (True, 24),
        "befristet\nProbezeit: 6 Monate": (True, None),  # another length is not the term
    }
)
def test_fixed_term_wording(text: str, expected: tuple[bool | None, int | None]) -> None:
    assert parse_fixed_term(text) == expected


def test_a_bare_befristet_row_takes_its_months_from_the_text():
    """Before: the page said "Befristung: befristet" and hid the "12 Monate" the text states."""
    found = vacancy(
        term_text="befristet",
        description_html="<p>Die Stelle ist zunächst auf 12 Monate befristet zu besetzen.</p>",
    )
    assert (found.fixed_term, found.term_months) == (True, 12)


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


def test_unbefristet_in_the_title_counts_when_the_text_is_silent():
    found = vacancy(
        title="Unbefristete Stelle: Sachbearbeiter (m/w/d) Kreiskasse",
        description_html="<p>Ihre Aufgaben: Buchung und Abstimmung der Zahlungseingänge.</p>",
    )
    assert found.fixed_term is False


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
        # A teacher *for* apprentices is a job, not an apprenticeship.
        "Lehrkraft (m/w/d) für duale Berufsausbildung an der Berufsschule": PostingType.job,
        "Dozent (m/w/d) für die Ausbildung im Verwaltungsdienst": PostingType.job,
        "Ausbildung zur Verwaltungsfachangestellten (m/w/d) 2027": PostingType.apprenticeship,
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
        # Before: nothing – neither says "Vollzeit" or "Teilzeit".
        "Die Stelle ist im Umfang von 100 % zu besetzen.": [FULL],
        "Vollbeschäftigung": [FULL],
        "Es handelt sich um eine Vollbeschäftigung, Teilzeit ist möglich.": [FULL, PART],
        "Die Stelle ist mit der Hälfte der regelmäßigen wöchentlichen Arbeitszeit zu besetzen.": [PART],
        "Beschäftigung mit drei Viertel der Arbeitszeit einer Vollzeitkraft": [PART],
        "Teilzeit nicht möglich, im Umfang von 100 %": [FULL],
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


# -------------------------------------------------------------------------------------------- pay scale

TVOED, TVL, SUE, BAY = PayScale.tvoed, PayScale.tvl, PayScale.tvoed_sue, PayScale.baybesg


@pytest.mark.parametrize(
    ("text", "employer", "expected"),
    [
        # Before: a bare E grade was TVöD at every employer.
        ("Die Eingruppierung erfolgt in Entgeltgruppe 11.", "Freistaat Bayern", PayInfo(TVL, "E11", "E11")),
        ("Vergütung nach EG 13", "Bayerisches Landesamt für Umwelt", PayInfo(TVL, "E13", "E13")),
        ("Bezahlung bis E 9b", "Landesanstalt für Landwirtschaft", PayInfo(TVL, None, "E9b")),
        ("Entgeltgruppe 10", "Staatliches Bauamt Aschaffenburg", PayInfo(TVL, "E10", "E10")),
        ("E 12", "Regierung von Unterfranken", PayInfo(TVL, "E12", "E12")),
        ("Entgeltgruppe 13", "Julius-Maximilians-Universität Würzburg", PayInfo(TVL, "E13", "E13")),
        ("EG 9a", "Hochschule für angewandte Wissenschaften Aschaffenburg", PayInfo(TVL, "E9a", "E9a")),
        ("Entgeltgruppe 9c", "Landkreis Miltenberg", PayInfo(TVOED, "E9c", "E9c")),
        ("Entgeltgruppe 9c", "Landratsamt Main-Spessart", PayInfo(TVOED, "E9c", "E9c")),
        ("EG 8", "Gemeinde Großostheim", PayInfo(TVOED, "E8", "E8")),
        ("EG 8", "Markt Kleinheubach", PayInfo(TVOED, "E8", "E8")),
        ("EG 10", "Universitätsstadt Erlangen", PayInfo(TVOED, "E10", "E10")),
        ("EG 7", "Zweckverband Abfallwirtschaft", PayInfo(TVOED, "E7", "E7")),
        ("EG 7", None, PayInfo(TVOED, "E7", "E7")),
        # A named tariff wins over the employer; A grades stay civil-servant pay.
        ("Entgeltgruppe 11 TVöD", "Freistaat Bayern", PayInfo(TVOED, "E11", "E11")),
        ("E 11 TV-L", "Landkreis Miltenberg", PayInfo(TVL, "E11", "E11")),
        ("Besoldungsgruppe A 11", "Freistaat Bayern", PayInfo(BAY, "A11", "A11")),
        # Before: "EGr. S12 TV-L" became TVöD-SuE.
        ("Die Vergütung erfolgt nach EGr. S12 TV-L.", "Freistaat Bayern", PayInfo(TVL, "S12", "S12")),
        ("EGr. S 8b TV-L", None, PayInfo(TVL, "S8b", "S8b")),
        ("Entgeltgruppe S 12 TVöD", None, PayInfo(SUE, "S12", "S12")),
        ("Entgeltgruppe S 11b", "Freistaat Bayern", PayInfo(SUE, "S11b", "S11b")),
        # Before: "mind." and "ab" closed the range at the one grade.
        ("Vergütung mind. E 14 TVöD", None, PayInfo(TVOED, "E14", None)),
        ("Bezahlung ab E 11 TVöD", None, PayInfo(TVOED, "E11", None)),
        ("mindestens Entgeltgruppe 9b", None, PayInfo(TVOED, "E9b", None)),
        ("Vergütung bis zu E 9c TVöD", None, PayInfo(TVOED, None, "E9c")),
        ("Entgeltgruppe 9a bis 9c TVöD", None, PayInfo(TVOED, "E9a", "E9c")),
        # Contradictory: a range across two scales gives no value.
        ("Vergütung E 9 – A 11", None, PayInfo(None, None, None)),
        ("Entgeltgruppe 9 bis Besoldungsgruppe A 11", None, PayInfo(None, None, None)),
        # Alternatives across scales stay as before: the first decides.
        ("BesGr. A 12 / EG 12 TVöD", None, PayInfo(BAY, "A12", "A12")),
    ],
)
def test_pay_wording(text: str, employer: str | None, expected: PayInfo) -> None:
    assert parse_pay(text, employer=employer) == expected


@cases(
    {"mind. E 14": True, "bis zu E 9c": True, "E 9a - E 10": True, "Vergütung nach TVöD": False, "": False}
)
def test_pay_info_has_grade_also_for_open_ranges(text: str, expected: bool) -> None:
    assert parse_pay(text).has_grade is expected


def test_parse_pay_without_employer_keeps_the_old_call():
    assert parse_pay("Entgeltgruppe 9c") == PayInfo(TVOED, "E9c", "E9c")


def test_pay_scale_follows_the_crawled_employer():
    found = vacancy(employer="Bayerisches Landesamt für Umwelt", pay_text="Entgeltgruppe 12")
    assert (found.pay_scale, found.pay_grade_min) == (TVL, "E12")


def test_pay_stated_after_the_first_3000_characters_is_found():
    """Before: only text[:3000] was read, so pay at the end of a long posting was missed."""
    tasks = "".join(
        f"<p>Aufgabe {n}: Prüfung und Bearbeitung von Bauanträgen im Landkreis.</p>" for n in range(80)
    )
    found = vacancy(
        description_html=f"{tasks}<h3>Wir bieten</h3><p>Die Vergütung erfolgt nach Entgeltgruppe 10 TVöD.</p>"
    )
    assert len(tasks) > 3000
    assert (found.pay_scale, found.pay_grade_min, found.pay_grade_max) == (TVOED, "E10", "E10")


def test_a_tariff_named_by_the_pay_hint_is_kept_when_no_grade_is_stated():
    found = vacancy(
        pay_text="Bezahlung nach TV-L",
        description_html="<p>Die Bezahlung richtet sich nach dem TVöD, Jahressonderzahlung inklusive.</p>",
    )
    assert (found.pay_scale, found.pay_grade_min, found.pay_grade_max) == (TVL, None, None)


def test_open_range_is_a_valid_record():
    found = vacancy(pay_text="mind. E 14")
    assert (found.pay_grade_min, found.pay_grade_max) == ("E14", None)


# ------------------------------------------------------------------------------------------------ dates

TODAY = date(2026, 11, 27)


@cases(
    {
        # Before: the vendor's filler dates were stored as dates.
        "01.01.1900": None,
        "Bewerbungsfrist: 01.01.1900": None,
        "1899-12-30": None,
        "31.12.2099": None,
        "31.12.9999": None,
        "01.01.2100": None,
        "01.12.2035": None,
        # Real dates, also a few years ahead (a start of a training year), stay.
        "15.01.2027": date(2027, 1, 15),
        "01.09.2029": date(2029, 9, 1),
        "baldmöglichst": None,
        "ab sofort": None,
    }
)
def test_placeholder_dates_are_no_dates(text: str, expected: date | None) -> None:
    assert parse_german_date(text, today=TODAY) == expected


@cases(
    {
        "baldmöglichst": True,
        "Einstellung ab sofort": True,
        "sofort": True,
        "Die Stelle ist zum nächstmöglichen Zeitpunkt zu besetzen.": True,
        "zum 01.04.2027": False,
        "Sofortmaßnahmen im Katastrophenschutz": False,
    }
)
def test_as_soon_as_possible_wording(text: str, expected: bool) -> None:
    assert is_as_soon_as_possible(text) is expected


@cases(
    {
        # Before: the first date of the text, whatever it was.
        "Bewerbungsfrist: 15.01.2027": date(2027, 1, 15),
        "Bewerbungsfrist 15.01.2027, Einstellung zum 01.04.2027": date(2027, 1, 15),
        "Bewerbungsschluss ist der 15.01.2027; die Vorstellungsgespräche finden am 02.02.2027 statt.": date(
            2027, 1, 15
        ),
        "Bewerbungsfrist: 15.01.2027 (Bewerbungsschluss 15.01.2027)": date(2027, 1, 15),
        # Before: none – three words between "Vorstellungsgespräche" and the date made it a second deadline.
        "Bewerbungsschluss ist der 29.01.2027. Die Vorstellungsgespräche finden voraussichtlich am "
        "10.02.2027 statt.": date(2027, 1, 29),
        # Contradictory: two different deadlines give none.
        "Bewerbungsfrist: 15.01.2027 – Bewerbungen bitte bis spätestens 31.01.2027": None,
        "baldmöglichst": None,
        "ab sofort": None,
        "zum nächstmöglichen Zeitpunkt": None,
        "01.01.1900": None,
    }
)
def test_parse_deadline(text: str, expected: date | None) -> None:
    assert parse_deadline(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1767139200, date(2025, 12, 31)),
        (1767139200000, date(2025, 12, 31)),
        ("1767139200", date(2025, 12, 31)),
        ("1767139200000", date(2025, 12, 31)),
        ("/Date(1767139200000)/", date(2025, 12, 31)),
        ("/Date(1767139200000+0100)/", date(2025, 12, 31)),
        ("\\/Date(1767139200000)\\/", date(2025, 12, 31)),
        # Midnight in Berlin is 23:00 UTC the day before: the German day counts.
        (1767135600, date(2025, 12, 31)),
        ("/Date(1767135600000-0500)/", date(2025, 12, 30)),
        # Json.NET writes a local midnight (+0100) as 23:00 UTC of the day before: the offset gives the day.
        ("\\/Date(1767135600000+0100)\\/", date(2025, 12, 31)),
        # Placeholders and numbers that are no timestamps.
        ("/Date(-2208988800000)/", None),
        (0, None),
        ("20261215", None),
        (True, None),
        ("15.01.2027", None),
        (None, None),
    ],
)
def test_parse_timestamp(value: object, expected: date | None) -> None:
    assert parse_timestamp(value) == expected


def test_record_dates_from_vendor_values():
    found = vacancy(
        deadline="/Date(1800000000000)/",
        date_posted="01.01.1900",
        start_date="baldmöglichst",
    )
    assert found.deadline == date(2027, 1, 15)
    assert found.date_posted is None and found.start_date is None


def test_record_placeholder_date_objects_are_dropped():
    found = vacancy(deadline=date(1900, 1, 1), start_date=date(2099, 12, 31), date_posted=date(2026, 11, 20))
    assert (found.deadline, found.start_date, found.date_posted) == (None, None, date(2026, 11, 20))


def test_record_deadline_baldmoeglichst_is_no_deadline():
    """Before (issue 15): "baldmöglichst" was shown as a deadline."""
    found = vacancy(deadline="baldmöglichst", description_html="<p>Bewerbung baldmöglichst erbeten.</p>")
    assert found.deadline is None and "baldmöglichst" in found.description
