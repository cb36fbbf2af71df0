"""The crawler files a posting's Berufsfeld from title, department, employer and text (issue 15, item 1)."""

from __future__ import annotations

from crawler.items import RawPosting
from crawler.pipelines import to_record


def raw(**changes) -> RawPosting:
    base = dict(
        source_id="0815",
        url="https://lfl.example/stellen/0815",
        title="Mitarbeiterin / Mitarbeiter (m/w/d)",
        source="lfl-web",
        district="freising",
    )
    return RawPosting(**{**base, **changes})


def test_the_employer_decides_when_the_title_says_nothing():
    record = to_record(raw(employer="Bayerische Landesanstalt für Landwirtschaft"))
    assert record["category"] == "Umwelt, Natur & Landwirtschaft"


def test_the_text_decides_when_title_and_employer_say_nothing():
    text = (
        "<h2>Ihre Aufgaben</h2><ul><li>Beratung in der Jugendhilfe</li>"
        "<li>Hilfeplanung mit dem Allgemeinen Sozialen Dienst</li></ul>"
    )
    record = to_record(raw(employer="Landratsamt Freising", description_html=text))
    assert record["category"] == "Soziales & Jugend"


def test_a_category_the_site_states_wins():
    record = to_record(raw(title="Lehrkräfte (m/w/d)", structured={"category": "Sonstiges"}))
    assert record["category"] == "Sonstiges"


def test_title_first():
    record = to_record(raw(title="Vertretungslehrkräfte (m/w/d)", employer="Landratsamt Freising"))
    assert record["category"] == "Schule & Bildung"
