"""Unit tests for vacancies.normalize: real spellings from Bavarian district office postings."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from vacancies.grades import PAY_GRADE_RANKS
from vacancies.model import PAY_GRADE_RE, EmploymentStatus, PayScale, PostingType, WorkingTime
from vacancies.normalize import (
    CATEGORIES,
    CATEGORY_KEYWORDS,
    PayInfo,
    canonical_pay_grade,
    category_for,
    parse_career_level,
    parse_fixed_term,
    parse_german_date,
    parse_pay,
    parse_status,
    parse_weekly_hours,
    parse_working_time,
    pay_grade_rank,
    posting_type_from_title,
)

FULL = WorkingTime.full_time
PART = WorkingTime.part_time
EMPLOYEE = EmploymentStatus.employee
CIVIL = EmploymentStatus.civil_servant


def cases(table: dict[str, object]) -> pytest.MarkDecorator:
    """Parametrize (text, expected) with the input text as the readable test id."""
    return pytest.mark.parametrize(("text", "expected"), list(table.items()), ids=[repr(k) for k in table])


# ------------------------------------------------------------------------------------ canonical_pay_grade


@cases(
    {
        "EG 9b": "E9b",
        "E 9 b TVöD": "E9b",
        "Entgeltgruppe 9c": "E9c",
        "Entgeltgruppe E 9a": "E9a",
        "TV-L E13": "E13",
        "E13 TV-L": "E13",
        "E 13": "E13",
        "e9a": "E9a",
        "E9A": "E9a",
        "E 09": "E9",
        "S 11b": "S11b",
        "S11 b": "S11b",
        "SuE S 8a": "S8a",
        "Entgeltgruppe S 11b TVöD-SuE": "S11b",
        "S 18": "S18",
        "A 13": "A13",
        "BesGr. A 9": "A9",
        "BesGr A9": "A9",
        "Besoldungsgruppe A 10": "A10",
        "Besoldungsgruppe 11": "A11",
        "A9": "A9",
        "EG9": "E9",
        "EG 15": "E15",
        "Entgeltgr. 10": "E10",
        "P 8": "P8",
        "Entgeltgruppe P 8 (Pflege)": "P8",
        "Vergütung nach Entgeltgruppe 5 TVöD": "E5",
    }
)
def test_canonical_pay_grade_spellings(text: str, expected: str) -> None:
    assert canonical_pay_grade(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "xyz",
        "E 99",
        "A 0",
        "E16",
        "A2",
        "S1",
        "P4",
        "E9d",
        "Entgeltgruppe",
        "TVöD",
        "E 9a - E 10",
        "S. 8",
    ],
    ids=repr,
)
def test_canonical_pay_grade_rejects_nonsense_and_ranges(text: str) -> None:
    assert canonical_pay_grade(text) is None


def test_canonical_pay_grade_results_match_the_model_pattern() -> None:
    for grade in PAY_GRADE_RANKS:
        assert PAY_GRADE_RE.match(grade), grade
        assert canonical_pay_grade(grade) == grade


# --------------------------------------------------------------------------------------------- parse_pay


@cases(
    {
        "Entgeltgruppe 9c TVöD": PayInfo(PayScale.tvoed, "E9c", "E9c"),
        "A9/A11": PayInfo(PayScale.baybesg, "A9", "A11"),
        "A 9 bis A 11": PayInfo(PayScale.baybesg, "A9", "A11"),
        "A 12/13": PayInfo(PayScale.baybesg, "A12", "A13"),
        "E 9a - E 10 TVöD": PayInfo(PayScale.tvoed, "E9a", "E10"),
        "E 10 – E 9a TVöD": PayInfo(PayScale.tvoed, "E9a", "E10"),
        "Entgeltgruppe 9a bis 9c TVöD": PayInfo(PayScale.tvoed, "E9a", "E9c"),
        "bis EG 11": PayInfo(PayScale.tvoed, None, "E11"),
        "bis zur Entgeltgruppe 11 TVöD": PayInfo(PayScale.tvoed, None, "E11"),
        "BesGr. A 12 / EG 12 TVöD": PayInfo(PayScale.baybesg, "A12", "A12"),
        "EG 12 TVöD bzw. BesGr. A 12": PayInfo(PayScale.tvoed, "E12", "E12"),
        "E 13 TV-L": PayInfo(PayScale.tvl, "E13", "E13"),
        "Vergütung nach TVL, E 11": PayInfo(PayScale.tvl, "E11", "E11"),
        "S 11b TVöD SuE": PayInfo(PayScale.tvoed_sue, "S11b", "S11b"),
        "Entgeltgruppe S 8a bis S 8b TVöD": PayInfo(PayScale.tvoed_sue, "S8a", "S8b"),
        "P 8 TVöD (Pflege)": PayInfo(PayScale.tvoed, "P8", "P8"),
        "EG 9a": PayInfo(PayScale.tvoed, "E9a", "E9a"),
        "Bezahlung nach TVöD": PayInfo(PayScale.tvoed, None, None),
        "Vergütung nach dem TVöD-SuE": PayInfo(PayScale.tvoed_sue, None, None),
        "nach dem Tarif für den Sozial- und Erziehungsdienst": PayInfo(PayScale.tvoed_sue, None, None),
        "Vergütung nach TV-L": PayInfo(PayScale.tvl, None, None),
        "Besoldung nach BayBesG": PayInfo(PayScale.baybesg, None, None),
        "E 9, befristet auf 12 Monate": PayInfo(PayScale.tvoed, "E9", "E9"),
        "attraktive Vergütung": PayInfo(None, None, None),
        "": PayInfo(None, None, None),
        "E 99": PayInfo(None, None, None),
    }
)
def test_parse_pay(text: str, expected: PayInfo) -> None:
    assert parse_pay(text) == expected


def test_pay_info_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse_pay("E 9").grade_min = "E10"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------- pay_grade_rank


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("E1", "E2"),
        ("E8", "E9"),
        ("E9", "E9a"),
        ("E9a", "E9b"),
        ("E9b", "E9c"),
        ("E9c", "E10"),
        ("E14", "E15"),
        ("A8", "A9"),
        ("A9", "A10"),
        ("A15", "A16"),
        ("S8a", "S8b"),
        ("S11a", "S11b"),
        ("S11b", "S12"),
        ("S17", "S18"),
        ("P7", "P8"),
        ("P15", "P16"),
        # across scales
        ("E9a", "A10"),
        ("A10", "E10"),
        ("E10", "A11"),
        ("S8a", "E9a"),
        ("E15", "A16"),
    ],
    ids=lambda g: g,
)
def test_pay_grade_rank_orders(lower: str, higher: str) -> None:
    assert pay_grade_rank(lower) < pay_grade_rank(higher)


@pytest.mark.parametrize(
    ("grade", "equivalent"),
    [
        ("A9", "E9a"),
        ("A11", "E11"),
        ("A12", "E12"),
        ("A13", "E13"),
        ("S8a", "E8"),
        ("S11b", "E9b"),
        ("S12", "E9c"),
        ("S15", "E10"),
        ("S17", "E11"),
        ("S18", "E12"),
        ("P8", "E8"),
    ],
    ids=lambda g: g,
)
def test_pay_grade_rank_cross_scale_equivalents(grade: str, equivalent: str) -> None:
    assert pay_grade_rank(grade) == pay_grade_rank(equivalent)


def test_pay_grade_rank_a10_lies_between_e9c_and_e10() -> None:
    assert pay_grade_rank("E9c") < pay_grade_rank("A10") < pay_grade_rank("E10")


@pytest.mark.parametrize("letter", "ESAP")
def test_pay_grade_rank_is_strictly_monotone_over_every_pattern_grade(letter: str) -> None:
    # All 500 strings the model's pattern allows per scale, in (number, sub-grade) order.
    grades = [f"{letter}{n}{sub}" for n in range(100) for sub in ("", "a", "b", "c", "d")]
    ranks = [pay_grade_rank(g) for g in grades]
    assert all(r >= 0 for r in ranks)
    assert all(a < b for a, b in zip(ranks, ranks[1:], strict=False)), letter


def test_pay_grade_rank_unknown_pattern_grades_slot_between_neighbours() -> None:
    assert pay_grade_rank("E15") < pay_grade_rank("E16")
    assert pay_grade_rank("A13") < pay_grade_rank("A13a") < pay_grade_rank("A14")


@pytest.mark.parametrize("grade", ["", "e9a", "E 9a", "EG9", "X9", "E", "E100", "E9e", "A13 ", "9"], ids=repr)
def test_pay_grade_rank_rejects_non_canonical(grade: str) -> None:
    with pytest.raises(ValueError):
        pay_grade_rank(grade)


# ------------------------------------------------------------------------------------ parse_working_time


@cases(
    {
        "Vollzeit": [FULL],
        "in Vollzeit": [FULL],
        "Vollzeitstelle": [FULL],
        "Teilzeit": [PART],
        "Teilzeitstelle": [PART],
        "Vollzeit, teilzeitfähig": [FULL, PART],
        "Voll- oder Teilzeit": [FULL, PART],
        "Voll-/Teilzeit": [FULL, PART],
        "Vollzeit (auch Teilzeit möglich)": [FULL, PART],
        "in Voll- und Teilzeit": [FULL, PART],
        "Teilzeit oder Vollzeit": [FULL, PART],
        "Vollzeit, die Stelle ist grundsätzlich teilbar": [FULL, PART],
        "Teilzeit (50 %)": [PART],
        "19,5 Std./Woche": [PART],
        "39 Wochenstunden": [FULL],
        "35 Stunden pro Woche": [FULL],
        "30 Stunden/Woche": [PART],
        "Vollzeit, Teilzeit ist leider nicht möglich": [FULL],
        "Vollzeit (keine Teilzeit)": [FULL],
        "VOLLZEIT": [FULL],
        "": [],
        "xyz": [],
        "ab sofort": [],
    }
)
def test_parse_working_time(text: str, expected: list[WorkingTime]) -> None:
    assert parse_working_time(text) == expected


# ------------------------------------------------------------------------------------ parse_weekly_hours


@cases(
    {
        "19,5 Wochenstunden": 19.5,
        "39 Std./Woche": 39.0,
        "Teilzeit mit 30 Stunden": 30.0,
        "mit einer wöchentlichen Arbeitszeit von 38,5 Stunden": 38.5,
        "40-Stunden-Woche": 40.0,
        "20 Std. pro Woche": 20.0,
        "29.25 Wochenarbeitsstunden": 29.25,
        "Vollzeit": None,
        "8 Stunden täglich": None,
        "160 Stunden im Monat": None,
        "Teilzeit (50 %)": None,
        "": None,
        "xyz": None,
    }
)
def test_parse_weekly_hours(text: str, expected: float | None) -> None:
    assert parse_weekly_hours(text) == expected


# -------------------------------------------------------------------------------------- parse_fixed_term


@cases(
    {
        "befristet auf 2 Jahre": (True, 24),
        "befristet für 18 Monate": (True, 18),
        "für die Dauer von zwei Jahren befristet": (True, 24),
        "zunächst auf ein Jahr befristet": (True, 12),
        "befristet auf eineinhalb Jahre": (True, 18),
        "befristet für ein halbes Jahr": (True, 6),
        "zunächst befristet bis 31.12.2027": (True, None),
        "Elternzeitvertretung": (True, None),
        "als Elternzeitvertretung für 12 Monate": (True, 12),
        "Mutterschutzvertretung": (True, None),
        "Die Stelle ist zeitlich befristet.": (True, None),
        "Befristung bis 30.06.2027": (True, None),
        "zunächst befristet, eine unbefristete Übernahme wird angestrebt": (True, None),
        "befristet; mindestens 2 Jahre Berufserfahrung erforderlich": (True, None),
        "unbefristet": (False, None),
        "in unbefristetem Arbeitsverhältnis": (False, None),
        "Unbefristete Vollzeitstelle": (False, None),
        "nicht befristet": (False, None),
        "ohne Befristung": (False, None),
        "Vollzeit": (None, None),
        "": (None, None),
        "xyz": (None, None),
    }
)
def test_parse_fixed_term(text: str, expected: tuple[bool | None, int | None]) -> None:
    assert parse_fixed_term(text) == expected


# ------------------------------------------------------------------------------------ parse_career_level


@cases(
    {
        "3. Qualifikationsebene": 3,
        "QE 2": 2,
        "QE3": 3,
        "zweite Qualifikationsebene": 2,
        "in der vierten Qualifikationsebene": 4,
        "4. QE": 4,
        "1.QE": 1,
        "Einstieg in der 3. Qualifikationsebene": 3,
        "Fachlaufbahn Verwaltung und Finanzen, QE III": 3,
        "2. oder 3. QE": 2,
        "gehobener Dienst": 3,
        "gehobenen nichttechnischen Verwaltungsdienst": 3,
        "mittlerer Dienst": 2,
        "im mittleren Dienst": 2,
        "höherer Dienst": 4,
        "hoeherer Dienst": 4,
        "einfacher Dienst": 1,
        "Rettungsdienst": None,
        "QE 5": None,
        "": None,
        "xyz": None,
    }
)
def test_parse_career_level(text: str, expected: int | None) -> None:
    assert parse_career_level(text) == expected


# ------------------------------------------------------------------------------------------ parse_status


@cases(
    {
        "Beamtin/Beamter": [CIVIL],
        "im Beamtenverhältnis": [CIVIL],
        "Besoldung nach A 9": [CIVIL],
        "BesGr. A 11": [CIVIL],
        "A 13": [CIVIL],
        "Tarifbeschäftigte": [EMPLOYEE],
        "TVöD": [EMPLOYEE],
        "Entgeltgruppe 9c": [EMPLOYEE],
        "in unbefristetem Arbeitsverhältnis": [EMPLOYEE],
        "S 11b": [EMPLOYEE],
        "A 9 / E 9a (Beamte oder Tarifbeschäftigte)": [EMPLOYEE, CIVIL],
        "Beamtin/Beamter oder Tarifbeschäftigte/r": [EMPLOYEE, CIVIL],
        "E 11 TVöD, eine Verbeamtung ist nicht möglich": [EMPLOYEE],
        "": [],
        "xyz": [],
    }
)
def test_parse_status(text: str, expected: list[EmploymentStatus]) -> None:
    assert parse_status(text) == expected


# ------------------------------------------------------------------------------- posting_type_from_title


@cases(
    {
        "Ausbildung zum Verwaltungsfachangestellten (m/w/d)": PostingType.apprenticeship,
        "Ausbildung zur Straßenwärterin / zum Straßenwärter": PostingType.apprenticeship,
        "Auszubildende (m/w/d) Fachinformatik": PostingType.apprenticeship,
        "Azubi Verwaltung 2026": PostingType.apprenticeship,
        "Verwaltungsfachangestellte (m/w/d) – Ausbildung 2026": PostingType.apprenticeship,
        "Ausbildungsplatz Kfz-Mechatroniker": PostingType.apprenticeship,
        "Duales Studium Public Management (B.A.)": PostingType.dual_study,
        "Duales Studium – Ausbildung mit Studium": PostingType.dual_study,
        "Studium Soziale Arbeit (dual)": PostingType.dual_study,
        "Bachelor of Laws (dual)": PostingType.dual_study,
        "Dualer Studiengang Bauingenieurwesen": PostingType.dual_study,
        "Beamtenanwärter (m/w/d) 3. QE – Duales Studium Verwaltung": PostingType.dual_study,
        "Praktikum im Jugendamt": PostingType.internship,
        "Praktikant/in (m/w/d)": PostingType.internship,
        "Pflichtpraktikum Soziale Arbeit": PostingType.internship,
        "Anerkennungspraktikum Erzieher": PostingType.internship,
        "Anwärter (m/w/d) 2. QE": PostingType.trainee,
        "Anwärterin für den Vorbereitungsdienst": PostingType.trainee,
        "Beamtenanwärter (m/w/d)": PostingType.trainee,
        "Beamtenanwaerter 2. QE": PostingType.trainee,
        "Trainee Digitalisierung": PostingType.trainee,
        "Vorbereitungsdienst Vermessung": PostingType.trainee,
        "Rechtsreferendar (m/w/d) Wahlstation": PostingType.trainee,
        "Ausbilder (m/w/d) für Auszubildende": PostingType.job,
        "Ausbilder (m/w/d)": PostingType.job,
        "Ausbildungsleiter (m/w/d)": PostingType.job,
        "Sachbearbeiter Ausbildung und Personalentwicklung": PostingType.job,
        "FSJ im Landratsamt": PostingType.job,
        "Sachbearbeiter (m/w/d) Jugendamt": PostingType.job,
        "Dualer Sachbearbeiter": PostingType.job,
        "": PostingType.job,
    }
)
def test_posting_type_from_title(text: str, expected: PostingType) -> None:
    assert posting_type_from_title(text) == expected


# ------------------------------------------------------------------------------------------ category_for


@cases(
    {
        "Sozialpädagoge (m/w/d) Jugendamt": "Soziales & Jugend",
        "Sozialpaedagogin (m/w/d)": "Soziales & Jugend",
        "Sachbearbeitung Wohngeld": "Soziales & Jugend",
        "Erzieher (m/w/d)": "Kita & Erziehung",
        "Leitung Kita Sonnenschein": "Kita & Erziehung",
        "Kinderpfleger (m/w/d)": "Kita & Erziehung",
        "Bauingenieur (m/w/d) Hochbau": "Bauen & Technik",
        "Techniker Tiefbau": "Bauen & Technik",
        "Architekt (m/w/d)": "Bauen & Technik",
        "IT-Administrator (m/w/d)": "IT & Digitalisierung",
        "IT-Administrator (m/w/d) Gesundheitsamt": "IT & Digitalisierung",
        "Systemadministrator (m/w/d)": "IT & Digitalisierung",
        "Fachinformatiker Systemintegration": "IT & Digitalisierung",
        "Referent Digitalisierung": "IT & Digitalisierung",
        "Ärztin/Arzt im Gesundheitsamt": "Gesundheit & Veterinärwesen",
        "Amtsarzt (m/w/d)": "Gesundheit & Veterinärwesen",
        "Pflegefachkraft (m/w/d)": "Gesundheit & Veterinärwesen",
        "Naturschutzfachkraft": "Umwelt, Natur & Landwirtschaft",
        "Umweltingenieur (m/w/d)": "Umwelt, Natur & Landwirtschaft",
        "Abfallberater (m/w/d)": "Umwelt, Natur & Landwirtschaft",
        "Sachbearbeiter (m/w/d) Kämmerei": "Finanzen & Steuern",
        "Sachbearbeiter Kaemmerei": "Finanzen & Steuern",
        "Mitarbeiter Kreiskasse": "Finanzen & Steuern",
        "Buchhalter (m/w/d)": "Finanzen & Steuern",
        "Steuerfachangestellte (m/w/d)": "Finanzen & Steuern",
        "Sachbearbeiter (m/w/d) Ausländerbehörde": "Sicherheit, Ordnung & Feuerwehr",
        "Sachbearbeiter Auslaenderbehoerde": "Sicherheit, Ordnung & Feuerwehr",
        "Mitarbeiter Ordnungsamt": "Sicherheit, Ordnung & Feuerwehr",
        "Jurist (m/w/d)": "Recht",
        "Volljurist (m/w/d)": "Recht",
        "Sachbearbeiter Kfz-Zulassungsstelle": "Straßen & Verkehr",
        "Hausmeister (m/w/d)": "Handwerk & Betrieb",
        "Straßenwärter (m/w/d)": "Straßen & Verkehr",
        "Strassenwaerter (m/w/d)": "Straßen & Verkehr",
        "Mitarbeiter Bauhof": "Handwerk & Betrieb",
        "Kfz-Mechatroniker (m/w/d)": "Handwerk & Betrieb",
        "Landschaftsgärtner (m/w/d)": "Handwerk & Betrieb",
        "Verwaltungsfachangestellte (m/w/d)": "Verwaltung",
        "Sachbearbeiter (m/w/d)": "Verwaltung",
        "Sachbearbeitung Personal": "Verwaltung",
        "Mitarbeiter (m/w/d)": "Sonstiges",
        "Glücksfee": "Sonstiges",
        "": "Sonstiges",
    }
)
def test_category_for_title(text: str, expected: str) -> None:
    assert category_for(text) == expected


@pytest.mark.parametrize(
    ("title", "department", "expected"),
    [
        ("Mitarbeiter (m/w/d)", "Jugendamt", "Soziales & Jugend"),
        ("Mitarbeiter (m/w/d)", "Gesundheitsamt", "Gesundheit & Veterinärwesen"),
        ("Mitarbeiter (m/w/d)", "Zentrale Dienste", "Verwaltung"),
        ("Mitarbeiter (m/w/d)", "Sachgebiet Personal", "Verwaltung"),
        ("Mitarbeiter (m/w/d)", "Landrat", "Sonstiges"),
        ("Mitarbeiter (m/w/d)", None, "Sonstiges"),
        ("Erzieher (m/w/d)", "Jugendamt", "Kita & Erziehung"),
        ("IT-Administrator (m/w/d)", "Gesundheitsamt", "IT & Digitalisierung"),
        ("Sachbearbeiter (m/w/d)", "Kämmerei", "Finanzen & Steuern"),
    ],
    ids=lambda v: repr(v),
)
def test_category_for_department(title: str, department: str | None, expected: str) -> None:
    assert category_for(title, department) == expected


def test_categories_and_keyword_table_agree() -> None:
    assert CATEGORIES[-1] == "Sonstiges" and len(CATEGORIES) == 15
    assert set(CATEGORY_KEYWORDS) == set(CATEGORIES) - {"Sonstiges", "Ausbildung & Studium"}
    assert all(keywords for keywords in CATEGORY_KEYWORDS.values())


# ------------------------------------------------------------------------------------- parse_german_date

TODAY = date(2026, 6, 1)


@cases(
    {
        "15.12.2026": date(2026, 12, 15),
        "15.12.26": date(2026, 12, 15),
        "1.2.2027": date(2027, 2, 1),
        "15. 12. 2026": date(2026, 12, 15),
        "15. Dezember 2026": date(2026, 12, 15),
        "15. Dez. 2026": date(2026, 12, 15),
        "2026-12-15": date(2026, 12, 15),
        "bis zum 3. März 2027": date(2027, 3, 3),
        "bis zum 3. Maerz 2027": date(2027, 3, 3),
        "Bewerbungsfrist: 01.02.2027": date(2027, 2, 1),
        "Bewerbungsschluss ist Montag, der 7. September 2026.": date(2026, 9, 7),
        "29.02.2028": date(2028, 2, 29),
        "bis 15.12.": date(2026, 12, 15),
        "bis 15. Januar": date(2027, 1, 15),
        "31.02.2027": None,
        "29.02.2027": None,
        "32.01.2027": None,
        "15.13.2026": None,
        "2026-02-30": None,
        "": None,
        "xyz": None,
        "ab sofort": None,
        "Tel. 09371 501-0": None,
    }
)
def test_parse_german_date(text: str, expected: date | None) -> None:
    assert parse_german_date(text, today=TODAY) == expected


def test_parse_german_date_takes_the_first_date() -> None:
    text = "Bewerbungsfrist 15.01.2027, Einstellung zum 01.04.2027"
    assert parse_german_date(text, today=TODAY) == date(2027, 1, 15)
