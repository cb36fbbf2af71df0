"""Realistic, reproducible sample vacancies of Bavarian district offices (Landratsämter).

Used by the demo, the sample district sites and the search benchmark (`bench/search.py`). Every value is
drawn from one `random.Random(seed)`: the same seed (and the same `today`) gives the same postings, and
the first k postings of a run of n are the postings of a run of k.

    from vacancies.sample_data import generate_vacancies, write_jsonl
    for vacancy in generate_vacancies(1000, seed=7): ...
    write_jsonl("var/sample.jsonl", 10_000, seed=42)   # importable with `stellenboerse import`

Places are real: postal codes of the district from `config/geo/plz_de.csv` (GeoNames, CC BY 4.0),
districts from `config/geo/districts_bayern.csv` (Landkreise only).
"""

from __future__ import annotations

import csv
import functools
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from vacancies import clock
from vacancies.model import Vacancy
from vacancies.settings import config_dir

BERLIN = ZoneInfo("Europe/Berlin")
DESCRIPTION_MIN, DESCRIPTION_MAX = 1500, 3500

# ------------------------------------------------------------------------------------------ geography


def district_slug(name: str) -> str:
    """'Bad Tölz-Wolfratshausen' -> 'bad-toelz-wolfratshausen' (the slug form of config/districts)."""
    text = name.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass(frozen=True)
class District:
    slug: str
    key: str  # official key (AGS), e.g. "09676"
    name: str  # "Miltenberg"


@dataclass(frozen=True)
class PostalPlace:
    postal_code: str
    city: str
    lat: float
    lon: float


@functools.cache
def landkreise() -> dict[str, District]:
    """The Bavarian Landkreise by slug, in the order of their official key."""
    path = config_dir() / "geo" / "districts_bayern.csv"
    out: dict[str, District] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "landkreis":
                slug = district_slug(row["name"])
                out[slug] = District(slug=slug, key=row["district_key"], name=row["name"])
    return out


@functools.cache
def postal_places() -> dict[str, tuple[PostalPlace, ...]]:
    """Bavarian postal codes by district key, one place per code.

    A code is listed under a district only when the code's *first* row in the table (the place the
    gazetteer geocodes it to) lies in that district, so a posting's coordinates stay inside its district.
    """
    path = config_dir() / "geo" / "plz_de.csv"
    first: dict[str, dict[str, str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            first.setdefault(row["zipcode"], row)
    by_key: dict[str, list[PostalPlace]] = {}
    for code in sorted(first):
        row = first[code]
        if row["state"] != "Bayern":
            continue
        place = PostalPlace(code, row["place"], float(row["latitude"]), float(row["longitude"]))
        by_key.setdefault(row["district_key"], []).append(place)
    return {key: tuple(places) for key, places in by_key.items()}


# ------------------------------------------------------------------------------------------ vocabulary


@dataclass(frozen=True)
class JobTemplate:
    title: str  # "{year}" is replaced by the year the post starts
    departments: tuple[str, ...]
    category: str
    family: str  # key into TASKS / PROFILE
    posting_type: str = "job"
    pay_scale: str | None = "TVöD"
    grades: tuple[str, ...] = ()  # ascending; a posting spans one or two neighbouring grades
    career_level: int | None = None
    status: tuple[str, ...] = ("employee",)
    remote: bool = False  # office work that allows Homeoffice
    weight: int = 3  # how common the post is


_CIV = ("civil_servant",)
_BOTH = ("employee", "civil_servant")
_TRAINING = ("apprenticeship", "dual_study", "internship", "trainee")
# Categories of the taxonomy in vacancies/categories.py (issue 15), short so the table stays readable.
_SOZ = "Soziales & Jugend"
_GES = "Gesundheit & Veterinärwesen"
_UMW = "Umwelt, Natur & Landwirtschaft"
_SIO = "Sicherheit, Ordnung & Feuerwehr"
_FIN = "Finanzen & Steuern"
_AUS = "Ausbildung & Studium"
_STV = "Straßen & Verkehr"
_KITA = "Kita & Erziehung"
_BAU = "Bauen & Technik"

# fmt: off
JOBS: tuple[JobTemplate, ...] = (
    # Verwaltung
    JobTemplate("Sachbearbeiterin / Sachbearbeiter (m/w/d) Personalverwaltung", ("Personalverwaltung",),
                "Verwaltung", "verwaltung", grades=("E8", "E9a", "E9b"), career_level=3, remote=True,
                weight=5),
    JobTemplate("Verwaltungsfachangestellte/r (m/w/d) im Bürgerservice", ("Bürgerservice",), "Verwaltung",
                "verwaltung", grades=("E6", "E7", "E8"), career_level=2, weight=5),
    JobTemplate("Verwaltungsfachangestellter (m/w/d) für die Registratur", ("Zentrale Dienste",),
                "Verwaltung",
                "verwaltung", grades=("E5", "E6"), career_level=2),
    JobTemplate("Sachbearbeiter (m/w/d) Kommunalaufsicht", ("Kommunalaufsicht",), "Verwaltung", "verwaltung",
                pay_scale="BayBesG", grades=("A10", "A11", "A12"), career_level=3, status=_CIV, remote=True),
    JobTemplate("Beamtin / Beamter (m/w/d) der 3. Qualifikationsebene – Fachlaufbahn Verwaltung und Finanzen",
                ("Hauptverwaltung", "Kämmerei"), "Verwaltung", "verwaltung", pay_scale="BayBesG",
                grades=("A9", "A10", "A11"), career_level=3, status=_CIV, weight=4),
    JobTemplate("Beamtin / Beamter (m/w/d) der 2. Qualifikationsebene", ("Zentrale Dienste", "Bürgerservice"),
                "Verwaltung", "verwaltung", pay_scale="BayBesG", grades=("A6", "A7", "A8"), career_level=2,
                status=_CIV),
    JobTemplate("Assistenz (m/w/d) des Landrats", ("Büro des Landrats",), "Verwaltung", "verwaltung",
                grades=("E8", "E9a"), career_level=2, weight=1),
    JobTemplate("Teamassistenz (m/w/d) Sekretariat", ("Bauamt", "Jugendamt", "Gesundheitsamt"), "Verwaltung",
                "verwaltung", grades=("E6", "E7", "E8"), career_level=2),
    JobTemplate("Sachbearbeiter (m/w/d) Organisation und Personalentwicklung", ("Personalverwaltung",),
                "Verwaltung", "verwaltung", grades=("E9b", "E9c", "E10"), career_level=3, remote=True),
    JobTemplate("Sachbearbeiterin / Sachbearbeiter (m/w/d) Zentrale Vergabestelle",
                ("Zentrale Vergabestelle",),
                "Verwaltung", "verwaltung", grades=("E9a", "E9b", "E9c"), career_level=3, remote=True),
    JobTemplate("Sachbearbeiter (m/w/d) Schulverwaltung", ("Schulverwaltung",), "Verwaltung", "verwaltung",
                grades=("E8", "E9a"), career_level=2),
    JobTemplate("Mitarbeiter (m/w/d) Poststelle und Hausdienst", ("Zentrale Dienste",), "Verwaltung",
                "handwerk", grades=("E5",), career_level=1, weight=1),
    # Finanzen
    JobTemplate("Sachbearbeiter (m/w/d) Kämmerei – Haushalt und Controlling", ("Kämmerei",), _FIN,
                "finanzen", grades=("E9b", "E9c", "E10"), career_level=3, remote=True, weight=4),
    JobTemplate("Mitarbeiterin / Mitarbeiter (m/w/d) Kreiskasse", ("Kreiskasse",), _FIN, "finanzen",
                grades=("E6", "E7", "E8"), career_level=2),
    JobTemplate("Vollstreckungsbeamtin / Vollstreckungsbeamter (m/w/d)", ("Kreiskasse",), _FIN,
                "finanzen", pay_scale="BayBesG", grades=("A7", "A8", "A9"), career_level=2, status=_CIV,
                weight=1),
    JobTemplate("Controller (m/w/d) Beteiligungsmanagement", ("Kämmerei",), _FIN, "finanzen",
                grades=("E11", "E12"), career_level=3, remote=True, weight=1),
    JobTemplate("Sachbearbeiter (m/w/d) Anlagenbuchhaltung", ("Kämmerei",), _FIN, "finanzen",
                grades=("E8", "E9a"), career_level=2),
    JobTemplate("Prüferin / Prüfer (m/w/d) im Rechnungsprüfungsamt", ("Rechnungsprüfungsamt",), _FIN,
                "finanzen", grades=("E10", "E11"), career_level=3, weight=1),
    # Recht & Ordnung
    JobTemplate("Sachbearbeiter (m/w/d) Ausländerbehörde", ("Ausländerbehörde",), _SIO,
                "ordnung", grades=("E9a", "E9b"), career_level=3, weight=5),
    JobTemplate("Sachbearbeiterin / Sachbearbeiter (m/w/d) Einbürgerung und Staatsangehörigkeit",
                ("Ausländerbehörde",), _SIO, "ordnung", grades=("E9a", "E9b", "E9c"),
                career_level=3),
    JobTemplate("Mitarbeiter (m/w/d) Kfz-Zulassungsstelle", ("Zulassungsstelle",), _STV,
                "ordnung",
                grades=("E5", "E6"), career_level=2, weight=4),
    JobTemplate("Sachbearbeiter (m/w/d) Führerscheinstelle", ("Fahrerlaubnisbehörde",), _STV,
                "ordnung", grades=("E8", "E9a"), career_level=2),
    JobTemplate("Sachbearbeiter (m/w/d) Waffenrecht und Sprengstoffrecht",
                ("Öffentliche Sicherheit und Ordnung",),
                _SIO, "ordnung", grades=("E9a", "E9b"), career_level=3, weight=1),
    JobTemplate("Sachbearbeiter (m/w/d) Straßenverkehrsbehörde", ("Öffentliche Sicherheit und Ordnung",),
                _STV, "ordnung", grades=("E9a", "E9b"), career_level=3),
    JobTemplate("Jurist/in (m/w/d) für die Rechtsabteilung", ("Rechtsabteilung",), "Recht", "recht",
                pay_scale="BayBesG", grades=("A13", "A14"), career_level=4, status=_BOTH, remote=True),
    JobTemplate("Volljuristin / Volljurist (m/w/d) als Leitung des Sachgebiets Bauen und Umwelt", ("Bauamt",),
                "Recht", "recht", pay_scale="BayBesG", grades=("A13", "A14"), career_level=4,
                status=_BOTH, weight=1),
    JobTemplate("Sachbearbeiter (m/w/d) Katastrophenschutz", ("Öffentliche Sicherheit und Ordnung",),
                _SIO, "ordnung", grades=("E9b", "E9c", "E10"), career_level=3, weight=1),
    JobTemplate("Datenschutzbeauftragte/r (m/w/d)", ("Zentrale Dienste",), "Recht", "recht",
                grades=("E10", "E11"), career_level=3, remote=True, weight=1),
    JobTemplate("Sachbearbeiter (m/w/d) Gewerbe- und Gaststättenrecht",
                ("Öffentliche Sicherheit und Ordnung",),
                _SIO, "ordnung", grades=("E8", "E9a"), career_level=2),
    # Soziales
    JobTemplate("Sozialpädagoge/-in (m/w/d) im Jugendamt – Allgemeiner Sozialer Dienst", ("Jugendamt",),
                _SOZ, "sozial", pay_scale="TVöD-SuE", grades=("S11b", "S12", "S14"), career_level=3,
                weight=6),
    JobTemplate("Sozialpädagogin / Sozialpädagoge (m/w/d) Pflegekinderdienst", ("Jugendamt",), _SOZ,
                "sozial", pay_scale="TVöD-SuE", grades=("S11b", "S12"), career_level=3),
    JobTemplate("Sozialarbeiter (m/w/d) Jugendgerichtshilfe", ("Jugendamt",), _SOZ, "sozial",
                pay_scale="TVöD-SuE", grades=("S11b", "S12", "S14"), career_level=3),
    JobTemplate("Sozialpädagoge (m/w/d) Schulsozialarbeit", ("Jugendamt",), _SOZ, "sozial",
                pay_scale="TVöD-SuE", grades=("S11b", "S12"), career_level=3, weight=4),
    JobTemplate("Sachbearbeiter (m/w/d) Wirtschaftliche Jugendhilfe", ("Jugendamt",), _SOZ,
                "verwaltung",
                grades=("E9a", "E9b"), career_level=3),
    JobTemplate("Sachbearbeiter (m/w/d) Wohngeld", ("Sozialamt",), _SOZ, "verwaltung",
                grades=("E8", "E9a"), career_level=2),
    JobTemplate("Sachbearbeiterin / Sachbearbeiter (m/w/d) Grundsicherung und Hilfe zur Pflege",
                ("Sozialamt",),
                _SOZ, "verwaltung", grades=("E9a", "E9b"), career_level=3),
    JobTemplate("Arbeitsvermittler (m/w/d) im Jobcenter", ("Jobcenter",), _SOZ, "jobcenter",
                grades=("E9a", "E9b", "E9c"), career_level=3, weight=4),
    JobTemplate("Fallmanagerin / Fallmanager (m/w/d) im Jobcenter", ("Jobcenter",), _SOZ, "jobcenter",
                grades=("E9b", "E9c", "E10"), career_level=3),
    JobTemplate("Leistungssachbearbeiter (m/w/d) Jobcenter", ("Jobcenter",), _SOZ, "jobcenter",
                grades=("E8", "E9a"), career_level=2, weight=4),
    JobTemplate("Integrationsbeauftragte/r (m/w/d)", ("Sachgebiet Integration",), _SOZ, "sozial",
                grades=("E9b", "E9c", "E10"), career_level=3, weight=1),
    # Erziehung & Bildung
    JobTemplate("Erzieher/in (m/w/d) für die Kindertagesstätte am Landratsamt", ("Kreisjugendamt",),
                _KITA, "erziehung", pay_scale="TVöD-SuE", grades=("S8a",), career_level=2,
                weight=5),
    JobTemplate("Erzieherin / Erzieher (m/w/d) Heilpädagogische Tagesstätte", ("Kreisjugendamt",),
                _KITA, "erziehung", pay_scale="TVöD-SuE", grades=("S8a", "S8b"),
                career_level=2),
    JobTemplate("Kinderpflegerin / Kinderpfleger (m/w/d)", ("Kreisjugendamt",), _KITA,
                "erziehung", pay_scale="TVöD-SuE", grades=("S4",), career_level=2),
    JobTemplate("Pädagogische Fachkraft (m/w/d) Kommunale Jugendarbeit", ("Kommunale Jugendarbeit",),
                _SOZ, "sozial", pay_scale="TVöD-SuE", grades=("S11b", "S12"),
                career_level=3),
    JobTemplate("Leitung (m/w/d) der Kindertagesstätte", ("Kreisjugendamt",), _KITA,
                "erziehung", pay_scale="TVöD-SuE", grades=("S13", "S15", "S17"), career_level=3, weight=1),
    JobTemplate("Bildungskoordinator (m/w/d) für Neuzugewanderte", ("Bildungsbüro",), "Schule & Bildung",
                "sozial", grades=("E10", "E11"), career_level=3, remote=True, weight=1),
    # Technik & Bau
    JobTemplate("Bauingenieur/in (m/w/d) Hochbau", ("Hochbau und Liegenschaften",), _BAU,
                "technik",
                grades=("E11", "E12"), career_level=3, weight=4),
    JobTemplate("Bauingenieur/in (m/w/d) Tiefbau – Kreisstraßen", ("Tiefbauverwaltung",), _BAU,
                "technik", grades=("E11", "E12"), career_level=3, weight=4),
    JobTemplate("Architektin / Architekt (m/w/d) Bauaufsicht", ("Bauamt",), _BAU, "technik",
                grades=("E11", "E12"), career_level=3),
    JobTemplate("Bautechniker (m/w/d) Hochbau", ("Hochbau und Liegenschaften",), _BAU, "technik",
                grades=("E9a", "E9b", "E9c"), career_level=3),
    JobTemplate("Sachbearbeiter (m/w/d) Bauleitplanung und Baugenehmigung", ("Bauamt",), _BAU,
                "technik", grades=("E9b", "E9c", "E10"), career_level=3),
    JobTemplate("Kreisbaumeisterin / Kreisbaumeister (m/w/d)", ("Bauamt",), _BAU, "technik",
                grades=("E12", "E13"), career_level=4, weight=1),
    JobTemplate("Ingenieur (m/w/d) Elektrotechnik / Versorgungstechnik", ("Gebäudemanagement",),
                _BAU, "technik", grades=("E11", "E12"), career_level=3),
    JobTemplate("Vermessungstechniker (m/w/d) Geoinformation", ("Bauamt",), _BAU, "technik",
                grades=("E8", "E9a"), career_level=2, weight=1),
    # IT & Digitalisierung
    JobTemplate("IT-Systemadministrator/in (m/w/d)", ("IT und Digitalisierung",), "IT & Digitalisierung",
                "it",
                grades=("E9b", "E10", "E11"), career_level=3, remote=True, weight=5),
    JobTemplate("Netzwerkadministrator (m/w/d)", ("IT und Digitalisierung",), "IT & Digitalisierung", "it",
                grades=("E10", "E11"), career_level=3, remote=True),
    JobTemplate("Informationssicherheitsbeauftragte/r (m/w/d)", ("IT und Digitalisierung",),
                "IT & Digitalisierung", "it", grades=("E11", "E12"), career_level=3, remote=True, weight=1),
    JobTemplate("IT-Projektmanager (m/w/d) Digitalisierung und OZG", ("IT und Digitalisierung",),
                "IT & Digitalisierung", "it", grades=("E11", "E12"), career_level=3, remote=True),
    JobTemplate("Anwendungsbetreuer (m/w/d) Fachverfahren", ("IT und Digitalisierung",),
                "IT & Digitalisierung",
                "it", grades=("E9a", "E9b", "E9c"), career_level=3, remote=True),
    JobTemplate("Mitarbeiter (m/w/d) IT-Support", ("IT und Digitalisierung",), "IT & Digitalisierung", "it",
                grades=("E7", "E8", "E9a"), career_level=2),
    JobTemplate("GIS-Spezialist (m/w/d)", ("IT und Digitalisierung", "Bauamt"), "IT & Digitalisierung", "it",
                grades=("E10", "E11"), career_level=3, remote=True, weight=1),
    # Gesundheit (staatliche Aufgaben am Landratsamt: Tarif TV-L)
    JobTemplate("Amtsärztin / Amtsarzt (m/w/d)", ("Gesundheitsamt",), _GES, "gesundheit",
                pay_scale="TV-L", grades=("E14", "E15"), career_level=4, weight=2),
    JobTemplate("Ärztin / Arzt (m/w/d) im Gesundheitsamt – Kinder- und Jugendgesundheitsdienst",
                ("Gesundheitsamt",), _GES, "gesundheit", pay_scale="TV-L", grades=("E14", "E15"),
                career_level=4, weight=1),
    JobTemplate("Hygienekontrolleur (m/w/d)", ("Gesundheitsamt",), _GES, "gesundheit",
                pay_scale="TV-L",
                grades=("E9", "E10"), career_level=3),
    JobTemplate("Sozialmedizinische Assistentin / Sozialmedizinischer Assistent (m/w/d)", ("Gesundheitsamt",),
                _GES, "gesundheit", pay_scale="TV-L", grades=("E7", "E8"), career_level=2),
    JobTemplate("Lebensmittelkontrolleur (m/w/d)", ("Veterinäramt",), _GES, "gesundheit",
                pay_scale="TV-L", grades=("E9", "E10"), career_level=3),
    JobTemplate("Amtstierärztin / Amtstierarzt (m/w/d)", ("Veterinäramt",), _GES, "gesundheit",
                pay_scale="BayBesG", grades=("A13", "A14"), career_level=4, status=_BOTH, weight=1),
    # Umwelt & Natur
    JobTemplate("Sachbearbeiter (m/w/d) Immissionsschutz", ("Umweltamt",), _UMW, "umwelt",
                grades=("E10", "E11"), career_level=3),
    JobTemplate("Naturschutzfachkraft (m/w/d) an der unteren Naturschutzbehörde",
                ("Untere Naturschutzbehörde",),
                _UMW, "umwelt", grades=("E10", "E11"), career_level=3),
    JobTemplate("Klimaschutzmanagerin / Klimaschutzmanager (m/w/d)", ("Umweltamt",), _UMW,
                "umwelt",
                grades=("E11", "E12"), career_level=3, remote=True),
    JobTemplate("Abfallberater (m/w/d)", ("Abfallwirtschaft",), _UMW, "umwelt",
                grades=("E8", "E9a"), career_level=2),
    JobTemplate("Sachbearbeiter (m/w/d) Wasserrecht", ("Umweltamt",), _UMW, "umwelt",
                grades=("E9b", "E9c", "E10"), career_level=3),
    JobTemplate("Gebietsbetreuerin / Gebietsbetreuer (m/w/d) Natura 2000", ("Untere Naturschutzbehörde",),
                _UMW, "umwelt", grades=("E10", "E11"), career_level=3, weight=1),
    # Handwerk & Betrieb
    JobTemplate("Straßenwärter/in (m/w/d)", ("Kreisbauhof", "Straßenmeisterei"), _STV,
                "handwerk", grades=("E5", "E6"), career_level=2, weight=5),
    JobTemplate("Hausmeister/in (m/w/d) für die Kreisschulen", ("Hochbau und Liegenschaften",),
                "Handwerk & Betrieb", "handwerk", grades=("E5", "E6"), career_level=1, weight=4),
    JobTemplate("Kfz-Mechatroniker (m/w/d) für den Kreisbauhof", ("Kreisbauhof",), "Handwerk & Betrieb",
                "handwerk", grades=("E5", "E6", "E7"), career_level=2),
    JobTemplate("Gärtnerin / Gärtner (m/w/d) Garten- und Landschaftsbau", ("Kreisbauhof",),
                "Handwerk & Betrieb", "handwerk", grades=("E5", "E6"), career_level=2),
    JobTemplate("Haustechniker (m/w/d)", ("Hochbau und Liegenschaften",), "Handwerk & Betrieb", "handwerk",
                grades=("E6", "E7", "E8"), career_level=2),
    JobTemplate("Straßenmeister (m/w/d)", ("Straßenmeisterei",), _STV, "handwerk",
                grades=("E9a", "E9b"), career_level=3, weight=1),
    # Ausbildung, Studium, Praktikum, Vorbereitungsdienst
    JobTemplate("Ausbildung zum/zur Verwaltungsfachangestellten (m/w/d) {year}", ("Personalverwaltung",),
                _AUS, "ausbildung", posting_type="apprenticeship", pay_scale=None, weight=6),
    JobTemplate("Ausbildung zum Straßenwärter / zur Straßenwärterin (m/w/d) {year}", ("Kreisbauhof",),
                _AUS, "ausbildung", posting_type="apprenticeship", pay_scale=None, weight=2),
    JobTemplate("Ausbildung zur Fachinformatikerin / zum Fachinformatiker (m/w/d) Systemintegration {year}",
                ("IT und Digitalisierung",), _AUS, "ausbildung",
                posting_type="apprenticeship",
                pay_scale=None, weight=2),
    JobTemplate("Erzieher/in (m/w/d) in praxisintegrierter Ausbildung (OptiPrax) {year}", ("Kreisjugendamt",),
                _KITA, "ausbildung", posting_type="apprenticeship", pay_scale=None, weight=2),
    JobTemplate("Duales Studium Verwaltungsinformatik (B.Sc.) {year}", ("IT und Digitalisierung",),
                _AUS, "studium", posting_type="dual_study", pay_scale="BayBesG",
                grades=("A9",),
                career_level=3, status=_CIV, weight=2),
    JobTemplate("Duales Studium Public Management (B.A.) {year}", ("Personalverwaltung",), _AUS,
                "studium", posting_type="dual_study", pay_scale="BayBesG", grades=("A9",), career_level=3,
                status=_CIV, weight=3),
    JobTemplate("Duales Studium Soziale Arbeit (B.A.) {year}", ("Jugendamt",), _AUS, "studium",
                posting_type="dual_study", pay_scale=None, weight=2),
    JobTemplate("Duales Studium Bauingenieurwesen (B.Eng.) {year}", ("Tiefbauverwaltung",), _AUS,
                "studium", posting_type="dual_study", pay_scale=None, weight=1),
    JobTemplate("Praktikum (m/w/d) im Jugendamt", ("Jugendamt",), _AUS, "praktikum",
                posting_type="internship", pay_scale=None, status=()),
    JobTemplate("Praktikum (m/w/d) im Bereich Umwelt- und Naturschutz", ("Umweltamt",), _AUS,
                "praktikum", posting_type="internship", pay_scale=None, status=()),
    JobTemplate("Praxissemester Soziale Arbeit (m/w/d)", ("Jugendamt",), _AUS, "praktikum",
                posting_type="internship", pay_scale=None, status=(), weight=2),
    JobTemplate("Praktikum (m/w/d) IT und Digitalisierung", ("IT und Digitalisierung",),
                _AUS,
                "praktikum", posting_type="internship", pay_scale=None, status=(), weight=2),
    JobTemplate("Beamtenanwärter/in (m/w/d) 2. QE – Verwaltungswirt/in {year}", ("Personalverwaltung",),
                _AUS, "studium", posting_type="trainee", pay_scale="BayBesG", grades=("A6",),
                career_level=2, status=_CIV, weight=3),
    JobTemplate("Beamtenanwärter/in (m/w/d) 3. QE – Diplom-Verwaltungswirt/in (FH) {year}",
                ("Personalverwaltung",),
                _AUS, "studium", posting_type="trainee", pay_scale="BayBesG", grades=("A9",),
                career_level=3, status=_CIV, weight=2),
    JobTemplate("Rechtsreferendarin / Rechtsreferendar (m/w/d) – Verwaltungsstation", ("Rechtsabteilung",),
                _AUS, "recht", posting_type="trainee", pay_scale=None, status=(), weight=1),
)
_JOB_WEIGHTS = [job.weight for job in JOBS]

TASKS: dict[str, tuple[str, ...]] = {
    "verwaltung": (
        "Sie bearbeiten Anträge selbstständig von der Prüfung bis zum rechtssicheren Bescheid.",
        "Sie beraten Bürgerinnen und Bürger persönlich, telefonisch und schriftlich.",
        "Sie wirken bei der Digitalisierung unserer Verwaltungsabläufe mit.",
        "Sie führen Akten im Dokumentenmanagementsystem und erstellen Statistiken.",
        "Sie arbeiten eng mit den kreisangehörigen Gemeinden und anderen Behörden zusammen.",
        "Sie bereiten Sitzungen der Kreisgremien vor und fertigen Niederschriften.",
        "Sie erstellen Vermerke, Stellungnahmen und Entscheidungsvorlagen.",
        "Sie bearbeiten Widersprüche und begleiten Klageverfahren in Zusammenarbeit mit der Rechtsabteilung.",
        "Sie übernehmen die Sachbearbeitung im Personalwesen, etwa Einstellungen und Vertragsänderungen.",
        "Sie pflegen Fachverfahren und sorgen für eine saubere Datenqualität.",
    ),
    "finanzen": (
        "Sie wirken bei der Aufstellung und dem Vollzug des Kreishaushalts mit.",
        "Sie erstellen den Jahresabschluss nach den Grundsätzen der kommunalen Doppik.",
        "Sie überwachen Zahlungseingänge und bearbeiten Mahnungen und Vollstreckungen.",
        "Sie betreuen die Anlagenbuchhaltung und bewerten das Vermögen des Landkreises.",
        "Sie bauen das Berichtswesen und das Controlling weiter aus.",
        "Sie beraten die Fachbereiche in haushaltsrechtlichen Fragen.",
        "Sie bearbeiten Förderanträge und rechnen Zuschüsse ab.",
        "Sie prüfen Rechnungen, Verträge und Vergaben auf Wirtschaftlichkeit.",
    ),
    "ordnung": (
        "Sie bearbeiten Anträge und erteilen Genehmigungen und Erlaubnisse.",
        "Sie führen Anhörungen durch und erlassen Bescheide, auch in schwierigen Einzelfällen.",
        "Sie verfolgen Ordnungswidrigkeiten und setzen Verwarnungs- und Bußgelder fest.",
        "Sie beraten Antragstellerinnen und Antragsteller, auch mit Dolmetschern.",
        "Sie arbeiten mit Polizei, Gerichten und anderen Behörden zusammen.",
        "Sie bearbeiten Aufenthaltstitel, Verlängerungen und Verpflichtungserklärungen.",
        "Sie nehmen Anträge am Schalter entgegen und prüfen die vorgelegten Unterlagen.",
        "Sie wirken in der Koordinierungsgruppe des Katastrophenschutzes mit.",
        "Sie vertreten den Landkreis in verwaltungsgerichtlichen Verfahren.",
    ),
    "recht": (
        "Sie beraten die Landrätin bzw. den Landrat und die Fachbereiche in allen Rechtsfragen.",
        "Sie vertreten den Landkreis vor den Verwaltungs- und Zivilgerichten.",
        "Sie prüfen und gestalten Verträge, Satzungen und Verordnungen.",
        "Sie bearbeiten Widersprüche und Aufsichtsbeschwerden.",
        "Sie führen ein Sachgebiet fachlich und personell.",
        "Sie beraten in Fragen des Datenschutzes und der Informationssicherheit.",
        "Sie wirken bei Vergabeverfahren und Ausschreibungen mit.",
        "Sie lernen die Arbeit einer Kreisverwaltungsbehörde in allen ihren Facetten kennen.",
    ),
    "sozial": (
        "Sie beraten und unterstützen Kinder, Jugendliche und Familien in schwierigen Lebenslagen.",
        "Sie nehmen den Schutzauftrag bei Kindeswohlgefährdung nach § 8a SGB VIII wahr.",
        "Sie planen Hilfen zur Erziehung und schreiben die Hilfepläne gemeinsam mit den Familien fort.",
        "Sie arbeiten mit Schulen, Kindertagesstätten, Ärzten und freien Trägern zusammen.",
        "Sie wirken in familiengerichtlichen Verfahren mit und erstellen Stellungnahmen.",
        "Sie begleiten Pflegefamilien und Pflegekinder.",
        "Sie entwickeln präventive Angebote der Jugendarbeit im Landkreis weiter.",
        "Sie dokumentieren Ihre Fälle sorgfältig im Fachverfahren.",
        "Sie vernetzen Ehrenamtliche, Vereine und Gemeinden.",
    ),
    "jobcenter": (
        "Sie beraten Leistungsberechtigte und vermitteln sie in Arbeit oder Ausbildung.",
        "Sie erarbeiten mit Ihren Kundinnen und Kunden Kooperationspläne.",
        "Sie berechnen Leistungen nach dem SGB II und erlassen Bescheide.",
        "Sie pflegen Kontakte zu Arbeitgebern und Bildungsträgern in der Region.",
        "Sie bearbeiten Widersprüche, Erstattungs- und Ersatzansprüche.",
        "Sie arbeiten mit der Agentur für Arbeit und den Sozialdiensten zusammen.",
        "Sie unterstützen bei der Integration geflüchteter Menschen in den Arbeitsmarkt.",
    ),
    "erziehung": (
        "Sie betreuen, bilden und fördern Kinder in einer altersgemischten Gruppe.",
        "Sie planen und gestalten den pädagogischen Alltag nach dem Bayerischen Bildungs- und "
        "Erziehungsplan.",
        "Sie beobachten und dokumentieren die Entwicklung der Kinder.",
        "Sie führen Entwicklungsgespräche und arbeiten partnerschaftlich mit den Eltern zusammen.",
        "Sie wirken an der Weiterentwicklung unserer pädagogischen Konzeption mit.",
        "Sie begleiten Kinder mit besonderem Förderbedarf im Rahmen der Inklusion.",
        "Sie leiten Praktikantinnen und Praktikanten an.",
        "Sie übernehmen die Verantwortung für Personal, Haushalt und Qualitätsentwicklung der Einrichtung.",
    ),
    "technik": (
        "Sie planen Neubau-, Umbau- und Sanierungsmaßnahmen an kreiseigenen Gebäuden.",
        "Sie übernehmen die Projektleitung und Bauherrenvertretung von der Planung bis zur Abnahme.",
        "Sie schreiben Bauleistungen nach VOB aus und vergeben sie.",
        "Sie überwachen Kosten, Termine und Qualität und prüfen Rechnungen.",
        "Sie steuern beauftragte Architektur- und Ingenieurbüros.",
        "Sie planen und betreuen Maßnahmen an Kreisstraßen, Brücken und Radwegen.",
        "Sie prüfen Bauanträge auf ihre bautechnische und baurechtliche Zulässigkeit.",
        "Sie führen Baukontrollen durch und beraten Bauherren und Planer.",
        "Sie wirken bei der Fortschreibung unseres Energie- und Sanierungskonzepts mit.",
    ),
    "it": (
        "Sie betreiben und entwickeln unsere Server-, Speicher- und Virtualisierungsumgebung weiter.",
        "Sie administrieren Netzwerk, Firewall und WLAN an allen Standorten des Landratsamts.",
        "Sie betreuen Fachverfahren und Schnittstellen und unterstützen die Anwenderinnen und Anwender.",
        "Sie setzen Projekte nach dem Onlinezugangsgesetz (OZG) um.",
        "Sie wirken beim Informationssicherheitsmanagement nach BSI-Grundschutz mit.",
        "Sie automatisieren wiederkehrende Aufgaben und dokumentieren Ihre Systeme.",
        "Sie sind Ansprechpartner für den IT-Support und lösen Störungen.",
        "Sie planen die Beschaffung von Hard- und Software und betreuen Ausschreibungen.",
        "Sie pflegen Geodaten und erstellen Karten und Auswertungen im GIS.",
    ),
    "gesundheit": (
        "Sie führen amtsärztliche Untersuchungen und Begutachtungen durch.",
        "Sie überwachen die Hygiene in Gemeinschaftseinrichtungen, Praxen und Kliniken.",
        "Sie wirken beim Infektionsschutz und im Meldewesen nach dem Infektionsschutzgesetz mit.",
        "Sie führen Schuleingangsuntersuchungen durch und beraten Eltern.",
        "Sie kontrollieren Lebensmittelbetriebe und entnehmen Proben.",
        "Sie überwachen Trinkwasser und Badegewässer.",
        "Sie erstellen Gutachten und Stellungnahmen für Gerichte und Behörden.",
        "Sie beraten Bürgerinnen und Bürger in Fragen der öffentlichen Gesundheit.",
    ),
    "umwelt": (
        "Sie prüfen Vorhaben nach dem Bundes-Immissionsschutzgesetz und wirken in Genehmigungsverfahren mit.",
        "Sie geben naturschutzfachliche Stellungnahmen zu Bauvorhaben und Planungen ab.",
        "Sie setzen das Klimaschutzkonzept des Landkreises um und beraten die Gemeinden.",
        "Sie beraten Bürgerinnen, Bürger und Betriebe zur Vermeidung und Trennung von Abfällen.",
        "Sie erteilen wasserrechtliche Erlaubnisse und überwachen Gewässerbenutzungen.",
        "Sie betreuen Schutzgebiete und arbeiten mit Landwirtschaft und Verbänden zusammen.",
        "Sie organisieren Aktionen und Öffentlichkeitsarbeit im Umweltbereich.",
        "Sie ahnden Verstöße gegen das Umweltrecht.",
    ),
    "handwerk": (
        "Sie übernehmen Unterhalt und Pflege der Kreisstraßen, Radwege und Grünflächen.",
        "Sie leisten Winterdienst im Schichtbetrieb mit Rufbereitschaft.",
        "Sie führen kleinere Reparaturen selbst aus und koordinieren Fremdfirmen.",
        "Sie betreuen die haustechnischen Anlagen und kontrollieren Heizung, Lüftung und Elektrik.",
        "Sie warten und reparieren Fahrzeuge, Maschinen und Geräte des Bauhofs.",
        "Sie sichern Baustellen und Unfallstellen ab.",
        "Sie sind Ansprechpartner für Schulleitungen, Lehrkräfte und Reinigungsdienste.",
        "Sie übernehmen Botengänge, Postverteilung und Transporte.",
    ),
    "ausbildung": (
        "Sie lernen die verschiedenen Abteilungen des Landratsamts in der Praxis kennen.",
        "Sie besuchen die Berufsschule im Blockunterricht.",
        "Sie nehmen an dienstbegleitenden Lehrgängen der Bayerischen Verwaltungsschule teil.",
        "Sie arbeiten von Anfang an in echten Projekten mit.",
        "Sie werden von erfahrenen Ausbilderinnen und Ausbildern begleitet.",
        "Sie lernen den Umgang mit Bürgerinnen und Bürgern und mit modernen Fachverfahren.",
    ),
    "studium": (
        "Sie studieren an der Hochschule für den öffentlichen Dienst in Bayern in Hof.",
        "Sie absolvieren die fachpraktischen Zeiten bei uns im Landratsamt.",
        "Sie lernen Recht, Wirtschaft und Verwaltung in Theorie und Praxis kennen.",
        "Sie übernehmen früh eigene Aufgaben in verschiedenen Sachgebieten.",
        "Sie schließen mit einem anerkannten Abschluss und der Qualifikationsprüfung ab.",
        "Sie werden von Ausbildungsleitung und Praxisanleitungen persönlich betreut.",
    ),
    "praktikum": (
        "Sie lernen die Arbeit einer Kreisverwaltung aus erster Hand kennen.",
        "Sie begleiten Kolleginnen und Kollegen zu Terminen und Besprechungen.",
        "Sie übernehmen eigene kleinere Projekte.",
        "Sie unterstützen bei Recherchen, Auswertungen und Präsentationen.",
        "Sie erhalten eine qualifizierte Praxisanleitung.",
    ),
}

PROFILE: dict[str, tuple[str, ...]] = {
    "verwaltung": (
        "Eine abgeschlossene Ausbildung als Verwaltungsfachangestellte/r oder die Qualifikation für die "
        "2. bzw. 3. Qualifikationsebene",
        "Alternativ den erfolgreichen Abschluss des Beschäftigtenlehrgangs I oder II",
        "Sicherheit im Verwaltungsrecht und in der Anwendung von Rechtsvorschriften",
        "Gute Kenntnisse in den MS-Office-Anwendungen",
    ),
    "finanzen": (
        "Ein abgeschlossenes Studium (Bachelor) der Betriebswirtschaft oder Public Management oder den "
        "Beschäftigtenlehrgang II",
        "Kenntnisse im kommunalen Haushaltsrecht und in der Doppik",
        "Sicherer Umgang mit Zahlen und Tabellenkalkulation",
        "Erfahrung mit SAP oder einem vergleichbaren Finanzverfahren ist von Vorteil",
    ),
    "ordnung": (
        "Eine abgeschlossene Ausbildung als Verwaltungsfachangestellte/r oder den Beschäftigtenlehrgang I/II",
        "Gute Kenntnisse im allgemeinen Verwaltungsrecht",
        "Interkulturelle Kompetenz; Englischkenntnisse sind wünschenswert",
        "Sicheres und freundliches Auftreten, auch in Konfliktsituationen",
    ),
    "recht": (
        "Die Befähigung zum Richteramt (zwei juristische Staatsexamen)",
        "Interesse am öffentlichen Recht, insbesondere am Bau- und Umweltrecht",
        "Verhandlungsgeschick und ein sicheres Urteilsvermögen",
        "Führungskompetenz und Freude an der Arbeit im Team",
    ),
    "sozial": (
        "Ein abgeschlossenes Studium der Sozialen Arbeit oder Sozialpädagogik (Diplom/Bachelor) mit "
        "staatlicher Anerkennung",
        "Kenntnisse im SGB VIII und in der Methodik der Gesprächsführung",
        "Belastbarkeit und Entscheidungsfreude auch in Krisensituationen",
        "Berufserfahrung in der Jugendhilfe ist wünschenswert, Berufseinsteiger sind willkommen",
    ),
    "jobcenter": (
        "Einen Abschluss als Verwaltungsfachangestellte/r, einen Bachelor oder vergleichbare Erfahrung",
        "Kenntnisse im SGB II oder die Bereitschaft, sich schnell einzuarbeiten",
        "Freude an Beratung und am Umgang mit Menschen in schwierigen Lagen",
        "Kenntnisse des regionalen Arbeitsmarkts sind von Vorteil",
    ),
    "erziehung": (
        "Eine abgeschlossene Ausbildung als staatlich anerkannte/r Erzieher/in oder Kinderpfleger/in",
        "Freude an der Arbeit mit Kindern und Kreativität",
        "Kenntnisse des Bayerischen Kinderbildungs- und -betreuungsgesetzes (BayKiBiG)",
        "Bei Leitungsstellen: mehrjährige Berufserfahrung und Führungskompetenz",
    ),
    "technik": (
        "Ein abgeschlossenes Studium (Diplom-FH/Bachelor) im Bauingenieurwesen, in der Architektur oder "
        "eine Technikerausbildung",
        "Kenntnisse der VOB, der HOAI und des Baurechts",
        "Erfahrung in der Bauleitung oder Projektsteuerung",
        "Sicherer Umgang mit AVA- und CAD-Programmen",
    ),
    "it": (
        "Ein abgeschlossenes Studium der Informatik oder eine Ausbildung als Fachinformatiker/in",
        "Fundierte Kenntnisse in Windows-Server, Active Directory, VMware und Netzwerktechnik",
        "Interesse an Informationssicherheit und Verwaltungsdigitalisierung",
        "Eigenständige, strukturierte Arbeitsweise und Dienstleistungsorientierung",
    ),
    "gesundheit": (
        "Eine Approbation als Ärztin/Arzt bzw. Tierärztin/Tierarzt oder eine abgeschlossene Fachausbildung",
        "Eine Weiterbildung im öffentlichen Gesundheitsdienst ist wünschenswert, aber nicht Voraussetzung",
        "Kenntnisse im Infektionsschutz- und Lebensmittelrecht",
        "Sorgfalt, Durchsetzungsvermögen und ein sicheres Auftreten",
    ),
    "umwelt": (
        "Ein abgeschlossenes Studium der Umweltwissenschaften, Biologie, Landschaftsplanung oder einer "
        "vergleichbaren Fachrichtung",
        "Kenntnisse im Umwelt-, Naturschutz- oder Wasserrecht",
        "Artenkenntnis und Geländeerfahrung bei Stellen im Naturschutz",
        "Freude an Öffentlichkeitsarbeit und Beratung",
    ),
    "handwerk": (
        "Eine abgeschlossene Berufsausbildung in einem handwerklichen oder technischen Beruf",
        "Den Führerschein der Klasse B, möglichst auch C/CE",
        "Körperliche Belastbarkeit und Bereitschaft zum Winterdienst",
        "Handwerkliches Geschick und Zuverlässigkeit",
    ),
    "ausbildung": (
        "Einen guten mittleren Schulabschluss oder einen höheren Abschluss",
        "Interesse an rechtlichen und wirtschaftlichen Zusammenhängen",
        "Freude am Umgang mit Menschen",
        "Gute Deutschkenntnisse in Wort und Schrift",
    ),
    "studium": (
        "Die allgemeine Hochschulreife oder die Fachhochschulreife",
        "Die erfolgreiche Teilnahme am Auswahlverfahren des Landespersonalausschusses",
        "Die deutsche Staatsangehörigkeit oder die eines EU-Mitgliedstaats",
        "Interesse an Verwaltung, Recht und Digitalisierung",
    ),
    "praktikum": (
        "Eine Immatrikulation an einer Hochschule oder ein Schulpraktikum mit Pflichtcharakter",
        "Interesse an der Arbeit im öffentlichen Dienst",
        "Zuverlässigkeit und Teamfähigkeit",
    ),
}

PROFILE_COMMON: tuple[str, ...] = (
    "Eine selbstständige, sorgfältige und lösungsorientierte Arbeitsweise",
    "Kommunikationsstärke, Teamgeist und Kundenorientierung",
    "Verantwortungsbewusstsein und Einsatzbereitschaft",
    "Freundliches und verbindliches Auftreten",
    "Einen Führerschein der Klasse B und die Bereitschaft zu Außendiensten",
    "Sehr gute Deutschkenntnisse (mindestens C1)",
    "Die Bereitschaft zur Fortbildung",
    "Flexibilität und Belastbarkeit",
)

BENEFITS: tuple[str, ...] = (
    "Einen sicheren Arbeitsplatz bei einem modernen Arbeitgeber",
    "Flexible Arbeitszeiten im Rahmen unserer Gleitzeitregelung",
    "Die Möglichkeit, teilweise mobil bzw. im Homeoffice zu arbeiten",
    "Eine zusätzliche Altersversorgung (Betriebsrente) über die Bayerische Versorgungskammer",
    "Eine Jahressonderzahlung und eine leistungsorientierte Bezahlung",
    "Ein vielfältiges Fortbildungsangebot und gezielte Personalentwicklung",
    "Eine strukturierte Einarbeitung durch ein motiviertes Team",
    "Betriebliches Gesundheitsmanagement, Firmenfitness und Gesundheitstage",
    "Zuschuss zum Deutschlandticket als Jobticket",
    "JobRad – Fahrradleasing über Entgeltumwandlung",
    "30 Tage Urlaub im Jahr, dazu frei am 24. und 31. Dezember",
    "Ein familienfreundliches Arbeitsumfeld, ausgezeichnet mit dem Zertifikat audit berufundfamilie",
    "Kostenfreie Parkplätze und eine gute Anbindung an den öffentlichen Nahverkehr",
    "Ein kollegiales Arbeitsklima in einer sinnstiftenden Aufgabe für die Region",
    "Corporate Benefits und vergünstigte Angebote für Beschäftigte",
)

INTROS: tuple[str, ...] = (
    "Das Landratsamt {name} ist mit rund {staff} Beschäftigten ein moderner Dienstleister für die "
    "{people} Bürgerinnen und Bürger des Landkreises. Wir suchen {when} für den Bereich {department} "
    "eine engagierte Persönlichkeit als",
    "Der Landkreis {name} liegt in einer attraktiven Region mit hohem Freizeitwert. Für den Bereich "
    "{department} des Landratsamts suchen wir {when}",
    "Sie möchten etwas bewegen – für die Menschen in Ihrer Region? Das Landratsamt {name} sucht {when} im "
    "Bereich {department}",
    "Wir sind ein bürgernaher, familienfreundlicher Arbeitgeber mit rund {staff} Kolleginnen und Kollegen. "
    "Das Landratsamt {name} besetzt {when} im Bereich {department} die Stelle",
    "Werden Sie Teil unseres Teams! Beim Landratsamt {name} ist {when} im Bereich {department} folgende "
    "Stelle zu besetzen:",
)

CLOSINGS: tuple[str, ...] = (
    "Schwerbehinderte Bewerberinnen und Bewerber werden bei ansonsten im Wesentlichen gleicher Eignung "
    "bevorzugt berücksichtigt. Wir begrüßen Bewerbungen von Menschen aller Nationalitäten.",
    "Das Landratsamt {name} fördert die berufliche Gleichstellung von Frauen und Männern. Bewerbungen "
    "schwerbehinderter Menschen sind ausdrücklich erwünscht.",
    "Wir freuen uns auf Ihre Bewerbung – unabhängig von Geschlecht, Herkunft, Religion, Behinderung, Alter "
    "oder sexueller Identität.",
)

FIRST_NAMES = (
    "Anna", "Andreas", "Barbara", "Bernhard", "Christine", "Christian", "Daniela", "Florian", "Franziska",
    "Georg", "Julia", "Johannes", "Katharina", "Josef", "Lena", "Markus", "Maria", "Martin", "Monika",
    "Michael", "Sabine", "Stefan", "Theresa", "Thomas", "Veronika", "Wolfgang", "Sophie", "Tobias",
)
LAST_NAMES = (
    "Huber", "Bauer", "Wagner", "Müller", "Schmid", "Mayer", "Hofmann", "Gruber", "Schneider", "Fischer",
    "Weber", "Maier", "Brunner", "Wimmer", "Berger", "Moser", "Lang", "Kraus", "Hartmann", "Zimmermann",
    "Schäfer", "Wolf", "Eder", "Forster", "Reiter", "Steiner", "Winkler", "Pichler",
)
STREETS = (
    "Bahnhofstraße", "Hauptstraße", "Schloßplatz", "Am Stadtpark", "Landrat-Anton-Weg", "Ringstraße",
    "Kirchplatz", "Marktplatz", "Industriestraße", "Gartenstraße", "Lindenstraße", "Schulstraße",
)  # fmt: skip
PART_TIME_HOURS = (19.5, 20.0, 24.0, 25.0, 29.25, 30.0, 32.0)
FULL_TIME_HOURS = {"TVöD": 39.0, "TVöD-SuE": 39.0, "TV-L": 40.1, "BayBesG": 40.0, None: 39.0}
SCALE_TEXT = {
    "TVöD": "Entgeltgruppe {grade} TVöD",
    "TVöD-SuE": "Entgeltgruppe {grade} TVöD-SuE",
    "TV-L": "Entgeltgruppe {grade} TV-L",
    "BayBesG": "Besoldungsgruppe {grade} BayBesG",
}
# fmt: on


# ------------------------------------------------------------------------------------------ generator


def _berlin_today() -> date:
    return clock.today()


def _ascii(text: str) -> str:
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    return text.lower()


def _grade_span(rng: random.Random, grades: tuple[str, ...]) -> tuple[str | None, str | None]:
    if not grades:
        return None, None
    low = rng.randrange(len(grades))
    high = min(len(grades) - 1, low + (1 if rng.random() < 0.4 else 0))
    return grades[low], grades[high]


def _pay_text(scale: str | None, low: str | None, high: str | None) -> str:
    if scale is None or low is None:
        return ""
    grade = low if low == high else f"{low} bis {high}"
    return SCALE_TEXT[scale].format(grade=grade)


def _html_list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


class _Generator:
    def __init__(self, seed: int, today: date, districts: list[District]) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.districts = districts
        places = postal_places()
        self.places = {d.slug: places.get(d.key, ()) for d in districts}
        missing = [d.slug for d in districts if not self.places[d.slug]]
        if missing:
            raise ValueError(f"Keine Postleitzahlen für: {', '.join(missing)}")

    def vacancy(self, number: int) -> Vacancy:
        rng = self.rng
        district = rng.choice(self.districts)
        job = rng.choices(JOBS, weights=_JOB_WEIGHTS)[0]
        department = rng.choice(job.departments)
        posted = self.today - timedelta(days=rng.randrange(60))
        deadline = None if rng.random() < 0.15 else posted + timedelta(days=rng.randint(14, 56))
        training = job.posting_type in _TRAINING
        start_year = posted.year + (1 if training and posted.month >= 3 else 0)
        title = job.title.format(year=start_year)
        low, high = _grade_span(rng, job.grades)
        working_time, hours = self._working_time(job)
        fixed_term, term_months = self._term(job)
        start = self._start(job, start_year, deadline or posted)
        remote = "none"
        if job.remote:
            remote = rng.choices(("hybrid", "none", "remote"), weights=(70, 25, 5))[0]
        place = rng.choice(self.places[district.slug])
        code = re.sub(r"[^A-Z]", "", _ascii(department).upper())[:3]
        reference = f"{start_year % 100:02d}-{code}-{rng.randint(1, 299):03d}"
        site = f"https://www.landkreis-{district.slug}.de"
        mail_domain = f"lra-{district.slug}.de"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        area_code = ("08" if district.key.startswith("091") else "09") + f"{rng.randint(100, 999)}"
        contact = {
            "name": f"{'Frau' if first[-1] in 'aei' else 'Herr'} {first} {last}",
            "phone": f"{area_code} {rng.randint(10, 99)}-{rng.randint(100, 499)}",
            "email": f"{_ascii(first)}.{_ascii(last)}@{mail_domain}",
        }
        by_mail = rng.random() < 0.3
        state = "expired" if rng.random() < 0.04 else "published"
        record = {
            "id": f"{district.slug}-web:{number}",
            "origin": "crawled",
            "source": f"{district.slug}-web",
            "source_url": f"{site}/stellenangebote/{number}",
            "district": district.slug,
            "employer": f"Landratsamt {district.name}",
            "department": department,
            "title": title,
            "posting_type": job.posting_type,
            "category": job.category,
            "working_time": working_time,
            "weekly_hours": hours,
            "fixed_term": fixed_term,
            "term_months": term_months,
            "status": list(job.status),
            "pay_scale": job.pay_scale,
            "pay_grade_min": low,
            "pay_grade_max": high,
            "career_level": job.career_level,
            "remote": remote,
            "location": {
                "street": f"{rng.choice(STREETS)} {rng.randint(1, 40)}",
                "postal_code": place.postal_code,
                "city": place.city,
                "lat": place.lat,
                "lon": place.lon,
            },
            "date_posted": posted,
            "deadline": deadline,
            "start_date": start,
            "reference": reference,
            "apply_url": None if by_mail else f"{site}/karriere/bewerben?kennziffer={reference}",
            "apply_email": f"bewerbung@{mail_domain}" if by_mail else None,
            "contact": contact,
            "attachments": [f"{site}/fileadmin/stellen/{reference}.pdf"] if rng.random() < 0.25 else [],
            "state": state,
        }
        record["description"] = self._description(job, district, record, contact)
        return Vacancy.model_validate(record)

    def _working_time(self, job: JobTemplate) -> tuple[list[str], float | None]:
        rng = self.rng
        full = FULL_TIME_HOURS[job.pay_scale]
        if job.posting_type in _TRAINING:
            return ["full_time"], full if rng.random() < 0.7 else None
        kind = rng.choices(("full", "both", "part"), weights=(45, 40, 15))[0]
        if kind == "part":
            return ["part_time"], rng.choice(PART_TIME_HOURS) if rng.random() < 0.85 else None
        times = ["full_time"] if kind == "full" else ["full_time", "part_time"]
        return times, full if rng.random() < 0.8 else None

    def _term(self, job: JobTemplate) -> tuple[bool | None, int | None]:
        rng = self.rng
        if job.posting_type == "apprenticeship":
            return True, rng.choice((24, 36, 36, 36))
        if job.posting_type in ("dual_study", "trainee"):
            return True, rng.choice((24, 36, 42))
        if job.posting_type == "internship":
            return True, rng.choice((1, 2, 3, 5, 6))
        roll = rng.random()
        if roll < 0.22:
            return True, rng.choice((6, 12, 18, 24, 24, 36))
        if roll < 0.9:
            return False, None
        return None, None  # the posting does not say

    def _start(self, job: JobTemplate, start_year: int, after: date) -> date | None:
        if job.posting_type in ("apprenticeship", "dual_study", "trainee"):
            return date(start_year, 9, 1)
        if self.rng.random() < 0.6:
            return None  # "zum nächstmöglichen Zeitpunkt"
        month = after.month + self.rng.randint(1, 3)
        return date(after.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    def _description(self, job: JobTemplate, district: District, record: dict, contact: dict) -> str:
        rng = self.rng
        when = "zum nächstmöglichen Zeitpunkt"
        if record["start_date"]:
            when = f"zum {record['start_date']:%d.%m.%Y}"
        intro = rng.choice(INTROS).format(
            name=district.name,
            staff=rng.choice(("600", "750", "900", "1.100", "1.300")),
            people=rng.choice(("95.000", "120.000", "135.000", "160.000", "210.000")),
            when=when,
            department=record["department"],
        )
        tasks = rng.sample(TASKS[job.family], min(len(TASKS[job.family]), rng.randint(4, 6)))
        profile = rng.sample(PROFILE[job.family], rng.randint(2, len(PROFILE[job.family])))
        profile += rng.sample(PROFILE_COMMON, rng.randint(2, 4))
        benefits = rng.sample(BENEFITS, rng.randint(4, 7))
        pay = _pay_text(job.pay_scale, record["pay_grade_min"], record["pay_grade_max"])
        if pay:
            if job.pay_scale != "BayBesG":
                benefits.insert(0, f"Eine Vergütung nach {pay}")
            elif "employee" in job.status:
                benefits.insert(
                    0, f"Eine Besoldung nach {pay} bzw. eine vergleichbare Eingruppierung nach TVöD"
                )
            else:
                benefits.insert(0, f"Eine Besoldung nach {pay} und die Perspektive der Verbeamtung")
        terms = self._terms_sentence(record)
        spare_benefits = [b for b in BENEFITS if b not in benefits]
        spare_common = [p for p in PROFILE_COMMON if p not in profile]

        def render() -> str:
            deadline = record["deadline"]
            until = f"bis zum {deadline:%d.%m.%Y}" if deadline else "zeitnah"
            channel = (
                f"per E-Mail an {record['apply_email']}"
                if record["apply_email"]
                else "über unser Online-Portal"
            )
            reference = record["reference"]
            apply = f"Bitte bewerben Sie sich {until} unter Angabe der Kennziffer {reference} {channel}."
            return (
                f"<p>{intro} <strong>{record['title']}</strong>.</p>"
                f"<p>{terms}</p>"
                f"<h3>Ihre Aufgaben</h3>{_html_list(tasks)}"
                f"<h3>Ihr Profil</h3>{_html_list(profile)}"
                f"<h3>Wir bieten</h3>{_html_list(benefits)}"
                f"<p>{apply} Für Fragen steht Ihnen {contact['name']} unter Telefon {contact['phone']} gern "
                f"zur Verfügung.</p>"
                f"<p>{rng_closing.format(name=district.name)}</p>"
            )

        rng_closing = rng.choice(CLOSINGS)
        html = render()
        while len(html) < DESCRIPTION_MIN and (spare_benefits or spare_common):
            if spare_benefits:
                benefits.append(spare_benefits.pop(0))
            else:
                profile.append(spare_common.pop(0))
            html = render()
        while len(html) > DESCRIPTION_MAX and len(benefits) + len(profile) > 4:
            (benefits if len(benefits) >= len(profile) else profile).pop()
            html = render()
        return html

    @staticmethod
    def _terms_sentence(record: dict) -> str:
        times = record["working_time"]
        if times == ["full_time", "part_time"]:
            text = "Die Stelle ist in Vollzeit zu besetzen und grundsätzlich teilzeitfähig"
        elif times == ["part_time"]:
            text = "Die Stelle ist in Teilzeit zu besetzen"
        else:
            text = "Die Stelle ist in Vollzeit zu besetzen"
        if record["weekly_hours"]:
            hours = f"{record['weekly_hours']:g}".replace(".", ",")
            text += f" ({hours} Wochenstunden)"
        if record["fixed_term"]:
            text += f" und zunächst auf {record['term_months']} Monate befristet"
        elif record["fixed_term"] is False:
            text += " und unbefristet"
        if record["remote"] == "hybrid":
            text += ". Homeoffice ist an bis zu zwei Tagen pro Woche möglich"
        elif record["remote"] == "remote":
            text += ". Die Tätigkeit kann überwiegend mobil ausgeübt werden"
        return text + "."


def generate_vacancies(
    n: int, seed: int = 42, today: date | None = None, districts: list[str] | None = None
) -> Iterator[Vacancy]:
    """n realistic postings of Bavarian Landratsämter, reproducible from `seed` (and `today`).

    `districts`: slugs of Landkreise (default: all 71); postings are spread evenly over them.
    `today`: the day the postings are relative to (posted in the 60 days before); default: today in
    Europe/Berlin, so pin it when output must be identical across days.
    """
    known = landkreise()
    slugs = districts if districts is not None else list(known)
    unknown = [s for s in slugs if s not in known]
    if unknown or not slugs:
        raise ValueError(f"Unbekannte Landkreise: {', '.join(unknown) or '(keine angegeben)'}")
    generator = _Generator(seed, today or _berlin_today(), [known[s] for s in slugs])
    for number in range(1, n + 1):
        yield generator.vacancy(number)


def write_jsonl(path: str | Path, n: int, seed: int = 42, today: date | None = None) -> int:
    """Write n sample postings as JSON lines (the import format of `stellenboerse import`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for vacancy in generate_vacancies(n, seed, today):
            data = vacancy.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
            handle.write(json.dumps(data, ensure_ascii=False) + "\n")
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Beispiel-Stellenangebote als JSON Lines erzeugen")
    parser.add_argument("path")
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    print(write_jsonl(args.path, args.n, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
