"""Berufsfeld of a posting (issue 15, item 1 and the category row of item 2): real public-sector wording."""

from __future__ import annotations

import pytest

from vacancies import normalize
from vacancies.categories import CATEGORIES, CATEGORY_KEYWORDS, KLDB_BERUFSBEREICH, category_for

# Titles as Landratsämter, Gemeinden, schools and Land offices word them.
TITLES = {
    # the wordings the issue names
    "Beamtin auf Probe (m/w/d) – Staatsanwältin / Staatsanwalt": "Recht",
    "Staatsanwältin / Staatsanwalt (m/w/d) als Beamtin / Beamter auf Probe": "Recht",
    "hauptamtlicher Gerätewart (m/w/d) für die Feuerwehr": "Sicherheit, Ordnung & Feuerwehr",
    "Hauptamtlicher Gerätewart (m/w/d)": "Sicherheit, Ordnung & Feuerwehr",
    "Sachbearbeitung IKT-Fachverfahren (m/w/d)": "IT & Digitalisierung",
    "Lehrkräfte (m/w/d) für Mathematik und Physik": "Schule & Bildung",
    "Vertretungslehrkräfte (m/w/d) an Grund- und Mittelschulen": "Schule & Bildung",
    "Zweite Konrektorin / Zweiter Konrektor (m/w/d)": "Schule & Bildung",
    "Rektorin / Rektor – Schulleiter/-in (m/w/d)": "Schule & Bildung",
    "Tischler (m/w/d) für die Hausverwaltung": "Handwerk & Betrieb",
    "Elektromeister (m/w/d) Gebäudetechnik": "Handwerk & Betrieb",
    "Sachbearbeitung Bevölkerungsschutz (m/w/d)": "Sicherheit, Ordnung & Feuerwehr",
    "Ingenieur (m/w/d) für Entwässerung": "Bauen & Technik",
    "W2-Professur für Verwaltungsrecht": "Schule & Bildung",
    "Sozialpädagoge (m/w/d) im Kreisjugendamt": "Soziales & Jugend",
    "Pädagogische Fachkraft (m/w/d) für die Jugendsozialarbeit an Schulen": "Soziales & Jugend",
    "Sachbearbeiterin / Sachbearbeiter (m/w/d) Bauordnungsrecht": "Bauen & Technik",
    "Mitarbeiterin / Mitarbeiter (m/w/d) Kreisjugendamt": "Soziales & Jugend",
    # typical Landratsamt titles
    "Sachbearbeiterin / Sachbearbeiter (m/w/d) Personalverwaltung": "Verwaltung",
    "Verwaltungsfachangestellte/r (m/w/d) im Bürgerservice": "Verwaltung",
    "Beamtin / Beamter (m/w/d) der 3. Qualifikationsebene": "Verwaltung",
    "Assistenz der Amtsleitung (m/w/d)": "Verwaltung",
    "Bauingenieur (m/w/d) Hochbau": "Bauen & Technik",
    "Architektin / Architekt (m/w/d) Bauaufsicht": "Bauen & Technik",
    "Bautechniker (m/w/d) Kreisbauamt": "Bauen & Technik",
    "Sachbearbeitung Grundstücksentwässerung (m/w/d)": "Bauen & Technik",
    "Systemadministrator (m/w/d) Client-Management": "IT & Digitalisierung",
    "Fachinformatikerin / Fachinformatiker (m/w/d) Systemintegration": "IT & Digitalisierung",
    "Digitalisierungsbeauftragter (m/w/d)": "IT & Digitalisierung",
    "Sozialarbeiterin (m/w/d) Allgemeiner Sozialer Dienst (ASD)": "Soziales & Jugend",
    "Sachbearbeitung Wohngeld (m/w/d)": "Soziales & Jugend",
    "Amtsvormund (m/w/d)": "Soziales & Jugend",
    "Fachkraft (m/w/d) Eingliederungshilfe": "Soziales & Jugend",
    "Amtsärztin / Amtsarzt (m/w/d) Gesundheitsamt": "Gesundheit & Veterinärwesen",
    "Amtstierärztin / Amtstierarzt (m/w/d)": "Gesundheit & Veterinärwesen",
    "Lebensmittelkontrolleur (m/w/d)": "Gesundheit & Veterinärwesen",
    "Hygienekontrolleur (m/w/d)": "Gesundheit & Veterinärwesen",
    "Erzieherin / Erzieher (m/w/d) Kinderkrippe": "Kita & Erziehung",
    "Kinderpflegerin (m/w/d) im Kinderhort": "Kita & Erziehung",
    "Leitung (m/w/d) der Kindertagesstätte Sonnenschein": "Kita & Erziehung",
    "Pädagogische Fachkraft (m/w/d) Kita": "Kita & Erziehung",
    "Studienrätin / Studienrat (m/w/d) Deutsch": "Schule & Bildung",
    "Oberstudienrat (m/w/d) Duales Lernen": "Schule & Bildung",
    "Schulbegleitung (m/w/d)": "Schule & Bildung",
    "Fachkraft (m/w/d) Naturschutz": "Umwelt, Natur & Landwirtschaft",
    "Umweltingenieur (m/w/d) Immissionsschutz": "Umwelt, Natur & Landwirtschaft",
    "Abfallberaterin (m/w/d)": "Umwelt, Natur & Landwirtschaft",
    "Klimaschutzmanager (m/w/d)": "Umwelt, Natur & Landwirtschaft",
    "Försterin / Förster (m/w/d)": "Umwelt, Natur & Landwirtschaft",
    "Sachbearbeitung Ausländerbehörde (m/w/d)": "Sicherheit, Ordnung & Feuerwehr",
    "Sachbearbeitung Waffenrecht (m/w/d)": "Sicherheit, Ordnung & Feuerwehr",
    "Kreisbrandmeister (m/w/d)": "Sicherheit, Ordnung & Feuerwehr",
    "Disponent (m/w/d) Integrierte Leitstelle": "Sicherheit, Ordnung & Feuerwehr",
    "Sachbearbeiter (m/w/d) Kreiskämmerei": "Finanzen & Steuern",
    "Mitarbeiter (m/w/d) Kreiskasse": "Finanzen & Steuern",
    "Sachbearbeitung Vollstreckung (m/w/d)": "Finanzen & Steuern",
    "Steuerfachangestellte (m/w/d)": "Finanzen & Steuern",
    "Volljuristin / Volljurist (m/w/d)": "Recht",
    "Justiziar (m/w/d) Rechtsabteilung": "Recht",
    "Rechtspflegerin (m/w/d)": "Recht",
    "Straßenwärter (m/w/d) Straßenmeisterei": "Straßen & Verkehr",
    "Ingenieur (m/w/d) Straßenbau und Tiefbau": "Straßen & Verkehr",
    "Sachbearbeitung Kfz-Zulassungsstelle (m/w/d)": "Straßen & Verkehr",
    "Sachbearbeitung Fahrerlaubnisbehörde (m/w/d)": "Straßen & Verkehr",
    "Sachbearbeitung ÖPNV (m/w/d)": "Straßen & Verkehr",
    "Hausmeister (m/w/d) Realschule": "Handwerk & Betrieb",
    "Mitarbeiter (m/w/d) Bauhof": "Handwerk & Betrieb",
    "Bauhofleiter (m/w/d)": "Handwerk & Betrieb",
    "Kfz-Mechatroniker (m/w/d)": "Handwerk & Betrieb",
    "Reinigungskraft (m/w/d)": "Handwerk & Betrieb",
    "Ausbildung zur/zum Verwaltungsfachangestellten 2027": "Ausbildung & Studium",
    "Duales Studium Bachelor of Laws (dual) – Verwaltungsinformatik": "Ausbildung & Studium",
    "Beamtenanwärter (m/w/d) 3. QE": "Ausbildung & Studium",
    "Praktikum (m/w/d) im Jugendamt": "Ausbildung & Studium",
    "Mitarbeiter (m/w/d)": "Sonstiges",
    "Glücksfee": "Sonstiges",
    "": "Sonstiges",
}

# Substrings that used to decide wrongly and must not match as words.
NOT_WORDS = {
    "Verbandsdirektor (m/w/d)": "Sonstiges",  # "Rektor" is no compound head of "Direktor"
    "Mitarbeiter (m/w/d) Steuerungsunterstützung": "Sonstiges",  # "Steuerung" is no Steuer
    "Referentin / Referent (m/w/d) Hauptamtliches Ehrenamt": "Soziales & Jugend",  # no Hauptamt
}


@pytest.mark.parametrize(("title", "expected"), TITLES.items(), ids=list(TITLES))
def test_category_from_title(title: str, expected: str) -> None:
    assert category_for(title) == expected


@pytest.mark.parametrize(("title", "expected"), NOT_WORDS.items(), ids=list(NOT_WORDS))
def test_keywords_match_words_not_substrings(title: str, expected: str) -> None:
    assert category_for(title) == expected


def test_umlauts_may_be_spelled_out() -> None:
    assert category_for("Strassenwaerter (m/w/d)") == "Straßen & Verkehr"
    assert category_for("Sachbearbeiter Kaemmerei") == "Finanzen & Steuern"


@pytest.mark.parametrize(
    ("title", "department", "employer", "expected"),
    [
        (
            "Mitarbeiter (m/w/d)",
            None,
            "Bayerische Landesanstalt für Landwirtschaft",
            "Umwelt, Natur & Landwirtschaft",
        ),
        ("Sachbearbeiter (m/w/d)", None, "Gymnasium Dachau", "Schule & Bildung"),
        ("Sekretärin / Sekretär (m/w/d)", None, "Staatliche Realschule Erding", "Schule & Bildung"),
        ("Mitarbeiter (m/w/d)", "Kreisjugendamt", "Landratsamt Starnberg", "Soziales & Jugend"),
        ("Sachbearbeiter (m/w/d)", "Kämmerei", "Landratsamt Starnberg", "Finanzen & Steuern"),
        ("Sachbearbeiter (m/w/d)", None, "Landratsamt Starnberg", "Verwaltung"),
        ("Bauingenieur (m/w/d)", None, "Gymnasium Dachau", "Bauen & Technik"),  # the title's field wins
    ],
)
def test_employer_and_department_help(
    title: str, department: str | None, employer: str, expected: str
) -> None:
    assert category_for(title, department, employer=employer) == expected


def test_text_decides_only_when_it_names_a_field_twice() -> None:
    text = "Ihre Aufgaben: Beratung in der Jugendhilfe, Hilfeplanung mit dem Allgemeinen Sozialen Dienst."
    assert category_for("Mitarbeiter (m/w/d)", text=text) == "Soziales & Jugend"
    assert category_for("Mitarbeiter (m/w/d)", text="Wir sind ein Teil der Jugendhilfe.") == "Sonstiges"
    # the title's own field is not overruled by the text
    assert category_for("Hausmeister (m/w/d)", text=text) == "Handwerk & Betrieb"


def test_taxonomy_is_the_agreed_one() -> None:
    assert CATEGORIES == (
        "Verwaltung", "Bauen & Technik", "IT & Digitalisierung", "Soziales & Jugend",
        "Gesundheit & Veterinärwesen", "Schule & Bildung", "Kita & Erziehung",
        "Umwelt, Natur & Landwirtschaft", "Sicherheit, Ordnung & Feuerwehr", "Finanzen & Steuern", "Recht",
        "Straßen & Verkehr", "Handwerk & Betrieb", "Ausbildung & Studium", "Sonstiges",
    )  # fmt: skip
    # Ausbildung & Studium comes from the posting type, Sonstiges from nothing matching
    assert set(CATEGORY_KEYWORDS) == set(CATEGORIES) - {"Ausbildung & Studium", "Sonstiges"}


KLDB_OFFICIAL = {
    "0": "Militär",
    "1": "Land-, Forst- und Tierwirtschaft und Gartenbau",
    "2": "Rohstoffgewinnung, Produktion und Fertigung",
    "3": "Bau, Architektur, Vermessung und Gebäudetechnik",
    "4": "Naturwissenschaft, Geografie und Informatik",
    "5": "Verkehr, Logistik, Schutz und Sicherheit",
    "6": "Kaufmännische Dienstleistungen, Warenhandel, Vertrieb, Hotel und Tourismus",
    "7": "Unternehmensorganisation, Buchhaltung, Recht und Verwaltung",
    "8": "Gesundheit, Soziales, Lehre und Erziehung",
    "9": "Sprach-, Literatur-, Geistes-, Gesellschafts- und Wirtschaftswissenschaften, Medien, Kunst, Kultur "
    "und Gestaltung",
}


def test_every_category_but_sonstiges_has_its_kldb_berufsbereich() -> None:
    assert set(KLDB_BERUFSBEREICH) == set(CATEGORIES) - {"Sonstiges"}
    for code, name in KLDB_BERUFSBEREICH.values():
        assert KLDB_OFFICIAL[code] == name


@pytest.mark.parametrize(
    ("category", "code"),
    [
        ("Verwaltung", "7"),
        ("Recht", "7"),
        ("Finanzen & Steuern", "7"),
        ("Bauen & Technik", "3"),
        ("IT & Digitalisierung", "4"),
        ("Schule & Bildung", "8"),
        ("Kita & Erziehung", "8"),
        ("Soziales & Jugend", "8"),
        ("Gesundheit & Veterinärwesen", "8"),
        ("Umwelt, Natur & Landwirtschaft", "1"),
        ("Sicherheit, Ordnung & Feuerwehr", "5"),
        ("Handwerk & Betrieb", "2"),
    ],
)
def test_kldb_code(category: str, code: str) -> None:
    assert KLDB_BERUFSBEREICH[category][0] == code


def test_normalize_still_exports_the_category_api() -> None:
    assert normalize.category_for is category_for
    assert normalize.CATEGORIES is CATEGORIES
    assert normalize.KLDB_BERUFSBEREICH is KLDB_BERUFSBEREICH


def test_hr_and_imported_postings_are_categorised_by_the_same_rules():
    from vacancies.enrich import enrich
    from vacancies.geo import get_gazetteer
    from vacancies.model import Vacancy

    vacancy = Vacancy.model_validate(
        {
            "id": "hr:1",
            "origin": "hr",
            "district": "miltenberg",
            "title": "Sachbearbeiter (m/w/d)",
            "employer": "Staatliches Gymnasium Miltenberg",
            "description": "<p>Sekretariat der Schule.</p>",
        }
    )
    assert enrich(vacancy, get_gazetteer()).category == "Schule & Bildung"  # the employer decides
