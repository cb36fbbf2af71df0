"""The shared corpus of the two-backend contract suite. Search 'today' is pinned to TODAY."""

from __future__ import annotations

from datetime import date

from vacancies.model import Vacancy

TODAY = date(2026, 12, 1)

_BASE = {"source": "contract", "origin": "crawled", "employer": "Landratsamt"}

RECORDS: list[dict] = [
    {
        "id": "v01",
        "title": "Verwaltungsfachangestellte (m/w/d)",
        "department": "Kämmerei",
        "district": "miltenberg",
        "location": {"postal_code": "63897", "city": "Miltenberg"},
        "posting_type": "job",
        "category": "Verwaltung",
        "working_time": ["full_time", "part_time"],
        "fixed_term": False,
        "pay_scale": "TVöD",
        "pay_grade_min": "E8",
        "pay_grade_max": "E8",
        "status": ["employee"],
        "career_level": 2,
        "date_posted": "2026-11-20",
        "deadline": "2026-12-15",
        "description": "<p>Wir suchen Verstärkung für die Kasse und Buchhaltung des Landkreises.</p>",
    },
    {
        "id": "v02",
        "start_asap": True,  # "ab sofort": the start_asap facet
        "title": "Sachbearbeiterin (m/w/d) Ausländerbehörde",
        "department": "Ausländerbehörde",
        "district": "aschaffenburg",
        "location": {"postal_code": "63739", "city": "Aschaffenburg"},
        "category": "Sicherheit, Ordnung & Feuerwehr",
        "working_time": ["part_time"],
        "fixed_term": True,
        "term_months": 24,
        "pay_scale": "TVöD",
        "pay_grade_min": "E9a",
        "pay_grade_max": "E9a",
        "career_level": 3,
        "status": ["employee"],
        "remote": "hybrid",
        "date_posted": "2026-11-25",
        "deadline": "2026-12-20",
        "description": "<p>Bearbeitung von Aufenthaltstiteln. Teilzeit mit 30 Stunden.</p>",
    },
    {
        "id": "v03",
        "start_asap": True,  # "ab sofort": the start_asap facet
        "title": "Erzieher (m/w/d) Kindertagesstätte",
        "department": "Kreisjugendamt",
        "district": "starnberg",
        "location": {"postal_code": "82319", "city": "Starnberg"},
        "category": "Kita & Erziehung",
        "working_time": ["full_time"],
        "pay_scale": "TVöD-SuE",
        "pay_grade_min": "S8a",
        "pay_grade_max": "S8a",
        "status": ["employee"],
        "date_posted": "2026-11-10",
        "deadline": "2026-12-05",
        "description": "<p>Pädagogische Arbeit mit Kindern im Alter von 1 bis 6 Jahren.</p>",
    },
    {
        "id": "v04",
        "title": "Ausbildung zum Verwaltungsfachangestellten (m/w/d) 2027",
        "district": "miltenberg",
        "location": {"postal_code": "63897", "city": "Miltenberg"},
        "posting_type": "apprenticeship",
        "category": "Verwaltung",
        "working_time": ["full_time"],
        "fixed_term": True,
        "term_months": 36,
        "date_posted": "2026-11-01",
        "deadline": "2027-01-31",
        "description": "<p>Drei Jahre Ausbildung mit Berufsschule in Aschaffenburg.</p>",
    },
    {
        "id": "v05",
        "title": "Duales Studium Bachelor of Arts Public Management",
        "district": "fuerstenfeldbruck",
        "location": {"postal_code": "82256", "city": "Fürstenfeldbruck"},
        "posting_type": "dual_study",
        "category": "Verwaltung",
        "status": ["civil_servant"],
        "career_level": 3,
        "pay_scale": "BayBesG",
        "pay_grade_min": "A9",
        "date_posted": "2026-10-15",
        "deadline": "2027-02-15",
        "description": "<p>Studium an der Hochschule für den öffentlichen Dienst in Bayern.</p>",
    },
    {
        "id": "v06",
        "title": "Praktikum im Bereich Umweltschutz",
        "district": "bad-toelz-wolfratshausen",
        "location": {"postal_code": "83646", "city": "Bad Tölz"},
        "posting_type": "internship",
        "category": "Umwelt, Natur & Landwirtschaft",
        "date_posted": "2026-11-05",
        "description": "<p>Mitarbeit im Naturschutz und bei der Abfallberatung.</p>",
    },
    {
        "id": "v07",
        "start_asap": True,  # "ab sofort": the start_asap facet
        "title": "Bauingenieur (m/w/d) Hochbau",
        "department": "Kreisbauamt",
        "district": "aschaffenburg",
        "location": {"postal_code": "63739", "city": "Aschaffenburg"},
        "category": "Bauen & Technik",
        "working_time": ["full_time"],
        "fixed_term": False,
        "pay_scale": "TVöD",
        "pay_grade_min": "E11",
        "pay_grade_max": "E12",
        "career_level": 3,
        "status": ["employee"],
        "date_posted": "2026-11-28",
        "description": "<p>Planung und Bauleitung von Schulen. Sachbearbeitung im Hochbau.</p>",
    },
    {
        "id": "v08",
        "title": "IT-Administrator (m/w/d)",
        "department": "Digitalisierung",
        "district": "starnberg",
        "location": {"postal_code": "82319", "city": "Starnberg"},
        "category": "IT & Digitalisierung",
        "working_time": ["full_time", "part_time"],
        "pay_scale": "TVöD",
        "pay_grade_min": "E10",
        "pay_grade_max": "E10",
        "remote": "hybrid",
        "status": ["employee"],
        "date_posted": "2026-11-22",
        "deadline": "2026-12-10",
        "description": "<p>Betreuung der Server und Netzwerke.</p>",
    },
    {
        "id": "v09",
        "title": "Sachbearbeiter (m/w/d) Straßenverkehrsbehörde",
        "district": "miltenberg",
        "location": {"postal_code": "63897", "city": "Miltenberg"},
        "category": "Straßen & Verkehr",
        "working_time": ["full_time"],
        "pay_scale": "TVöD",
        "pay_grade_min": "E9a",
        "pay_grade_max": "E9b",
        "date_posted": "2026-11-15",
        "deadline": "2026-12-01",
        "description": "<p>Genehmigungen für Sondernutzungen an der Straße.</p>",
    },
    {
        "id": "v10",
        "start_asap": True,  # "ab sofort": the start_asap facet
        "title": "Sachbearbeiter (m/w/d) Kämmerei",
        "district": "miltenberg",
        "state": "expired",
        "location": {"postal_code": "63897"},
        "date_posted": "2026-09-01",
        "category": "Finanzen & Steuern",
    },
    {
        "id": "v11",
        "title": "Erzieherin (m/w/d) Hort",
        "district": "starnberg",
        "deadline": "2026-11-20",
        "location": {"postal_code": "82319"},
        "date_posted": "2026-10-01",
        "category": "Kita & Erziehung",
    },
    {
        "id": "v12",
        "title": "Verwaltungsfachangestellter (m/w/d) Landratsamt",
        "district": "miltenberg",
        "state": "withdrawn",
        "date_posted": "2026-11-02",
        "category": "Verwaltung",
    },
    {
        "id": "v13",
        "title": "Verwaltungsfachangestellter (m/w/d) Entwurf",
        "district": "miltenberg",
        "state": "draft",
        "origin": "hr",
        "source": None,
        "category": "Verwaltung",
    },
    {
        "id": "v14",
        "title": "Beamtin/Beamter (m/w/d) der 3. Qualifikationsebene",
        "department": "Kämmerei",
        "district": "fuerstenfeldbruck",
        "location": {"postal_code": "82256"},
        "category": "Finanzen & Steuern",
        "status": ["civil_servant"],
        "career_level": 3,
        "pay_scale": "BayBesG",
        "pay_grade_min": "A10",
        "pay_grade_max": "A11",
        "date_posted": "2026-11-18",
        "deadline": "2026-12-31",
        "description": "<p>Haushaltsplanung und Kassenwesen.</p>",
    },
    {
        "id": "v15",
        "title": "Sozialpädagogin (m/w/d) Jugendamt",
        "district": "bad-toelz-wolfratshausen",
        "location": {"postal_code": "82515", "city": "Wolfratshausen"},
        "category": "Soziales & Jugend",
        "working_time": ["part_time"],
        "fixed_term": True,
        "term_months": 12,
        "pay_scale": "TVöD-SuE",
        "pay_grade_min": "S11b",
        "pay_grade_max": "S12",
        "status": ["employee"],
        "date_posted": "2026-11-12",
        "deadline": "2026-12-12",
        "description": "<p>Beratung von Familien im Raum München.</p>",
    },
    {
        "id": "v16",
        "title": "Hausmeister (m/w/d)",
        "district": "miltenberg",
        "category": "Handwerk & Betrieb",
        "working_time": ["full_time"],
        "date_posted": "2026-11-03",
        "description": "<p>Betreuung der Schulgebäude im Landkreis.</p>",
    },
    {
        "id": "v17",
        "title": "Anwärter (m/w/d) für die 2. Qualifikationsebene",
        "district": "starnberg",
        "location": {"postal_code": "82319"},
        "posting_type": "trainee",
        "category": "Verwaltung",
        "status": ["civil_servant"],
        "career_level": 2,
        "pay_scale": "BayBesG",
        "pay_grade_min": "A6",
        "date_posted": "2026-11-08",
        "deadline": "2027-03-01",
    },
    {
        "id": "v18",
        "title": "Reinigungskraft (m/w/d)",
        "district": "fuerstenfeldbruck",
        "location": {"postal_code": "82256"},
        "category": "Handwerk & Betrieb",
        "working_time": ["part_time"],
        "date_posted": "2026-11-11",
    },
    {
        "id": "v19",
        "title": "Reinigungskraft (m/w/d)",
        "district": "fuerstenfeldbruck",
        "location": {"postal_code": "82256"},
        "category": "Handwerk & Betrieb",
        "working_time": ["part_time"],
        "date_posted": "2026-11-11",
    },
    {
        "id": "v20",
        "title": "Jurist (m/w/d) Rechtsabteilung",
        "district": "starnberg",
        "location": {"postal_code": "80331", "city": "München"},
        "category": "Recht",
        "career_level": 4,
        "pay_scale": "TVöD",
        "pay_grade_min": "E13",
        "pay_grade_max": "E13",
        "working_time": ["full_time"],
        "remote": "remote",
        "date_posted": "2026-11-26",
        "deadline": "2026-12-18",
        "description": "<p>Beratung der Fachbereiche in allen Rechtsfragen.</p>",
    },
]


def corpus() -> list[Vacancy]:
    out = []
    for record in RECORDS:
        data = {**_BASE, **record}
        if data.get("source") is None:
            data.pop("source")
        out.append(Vacancy.model_validate(data))
    return out


VISIBLE = {
    "v01",
    "v02",
    "v03",
    "v04",
    "v05",
    "v06",
    "v07",
    "v08",
    "v09",
    "v14",
    "v15",
    "v16",
    "v17",
    "v18",
    "v19",
    "v20",
}


# -- relevance: a second, small corpus of postings that used to be found or ranked wrongly (issue 16) --

_RELEVANCE_BASE = {
    **_BASE,
    "district": "freising",
    "location": {"postal_code": "85354", "city": "Freising"},
    "date_posted": "2026-11-20",
}

RELEVANCE_RECORDS: list[dict] = [
    # "Fahrer": the word itself, in the title or the text, before words it only begins
    {
        "id": "r01",
        "title": "Fahrer (m/w/d) für den Fahrdienst",
        "description": "<p>Dienstfahrten im Landkreis.</p>",
    },
    {
        "id": "r02",
        "title": "Sachbearbeiter (m/w/d) Personal",
        "description": "<p>Wir bieten Fahrtkostenzuschuss und Fahrradleasing.</p>",
    },
    {
        "id": "r03",
        "title": "Mitarbeiter (m/w/d) Fuhrpark",
        "description": "<p>Sie planen die Einsätze unserer Fahrer und pflegen die Fahrzeuge.</p>",
    },
    {
        "id": "r04",
        "title": "Fahrradbeauftragter (m/w/d)",
        "description": "<p>Sie entwickeln das Radwegenetz.</p>",
    },
    # "Förster": the contact person Forster is no search text
    {
        "id": "r05",
        "title": "Förster (m/w/d) Revier Nord",
        "description": "<p>Bewirtschaftung des Körperschaftswaldes.</p>",
        "contact": {"name": "Herr Thomas Huber"},
    },
    {
        "id": "r06",
        "title": "Erzieher (m/w/d) Kinderkrippe",
        "description": "<p>Für Fragen steht Ihnen Herr Michael Forster unter Telefon 08161 600-123 gern zur "
        "Verfügung, michael.forster@lra-fs.de.</p>",
        "contact": {"name": "Herr Michael Forster", "email": "michael.forster@lra-fs.de"},
    },
    {
        "id": "r07",
        "title": "Kinderpfleger (m/w/d)",
        "description": "<p>Ansprechpartnerin: Sabine Forster, Kreisjugendamt.</p>",
        "contact": {"name": "Sabine Forster"},
    },
    # "Azubi": apprenticeships, not every job that asks for an "abgeschlossene Ausbildung"
    {
        "id": "r08",
        "title": "Ausbildung zum Verwaltungsfachangestellten (m/w/d) 2027",
        "posting_type": "apprenticeship",
        "description": "<p>Drei Jahre Berufsschule und Praxis im Landratsamt.</p>",
    },
    {
        "id": "r09",
        "title": "Sachbearbeiter (m/w/d) Bauamt",
        "location": {"postal_code": "63897", "city": "Miltenberg"},
        "description": "<p>Sie haben eine abgeschlossene Ausbildung als Verwaltungsfachangestellter.</p>",
    },
]


def relevance_corpus() -> list[Vacancy]:
    return [Vacancy.model_validate({**_RELEVANCE_BASE, **record}) for record in RELEVANCE_RECORDS]
