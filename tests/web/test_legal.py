"""Pages every public authority's site needs (issue 16, item 13): Impressum, Datenschutzerklärung,
Erklärung zur Barrierefreiheit, Leichte Sprache, Deutsche Gebärdensprache — filled from the operator's
settings, linked from every footer; production refuses to start with placeholders.

axe-core on these pages at 360 and 1280 px: tests/web/test_browser_authority.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from server.app import create_app
from tests.search.helpers import make_board
from vacancies.legal import REQUIRED
from vacancies.settings import Settings

LEGAL_PAGES = ["/impressum", "/datenschutz", "/barrierefreiheit", "/leichte-sprache", "/gebaerdensprache"]
OPERATOR = {
    "legal_operator": "Landratsamt Miltenberg",
    "legal_address": "Brückenstraße 1 | 63897 Miltenberg",
    "legal_representative": "Landrat Max Muster",
    "legal_email": "stellenboerse@lra-mil.de",
    "legal_phone": "09371 501-0",
    "legal_supervisory_authority": "Regierung von Unterfranken | Peterplatz 9 | 97070 Würzburg",
    "legal_data_protection_officer": "Frau Erika Beispiel | Brückenstraße 1 | 63897 Miltenberg"
    " | datenschutz@lra-mil.de",
    "legal_log_retention_days": 14,
    "accessibility_email": "barrierefrei@lra-mil.de",
    "accessibility_reviewed": date(2026, 11, 30),
}


def client_for(tmp_path_factory, **values) -> TestClient:
    directory = tmp_path_factory.mktemp("legal")
    board = make_board("sqlite", directory, [])
    settings = Settings(environment="test", database_url=f"sqlite:///{directory / 'board.db'}", **values)
    return TestClient(create_app(settings, board), headers={"Accept": "text/html"})


@pytest.fixture(scope="module")
def configured(tmp_path_factory) -> TestClient:
    return client_for(tmp_path_factory, **OPERATOR, sign_language_video_url="https://video.example/dgs.mp4")


@pytest.fixture(scope="module")
def unconfigured(tmp_path_factory) -> TestClient:
    return client_for(tmp_path_factory)


def test_imprint_is_filled_from_the_operators_settings(configured):
    html = configured.get("/impressum").text
    assert "Landratsamt Miltenberg<br>Brückenstraße 1<br>63897 Miltenberg" in html
    assert "Landrat Max Muster" in html and "09371 501-0" in html
    assert '<a href="mailto:stellenboerse@lra-mil.de">' in html
    assert "Regierung von Unterfranken<br>Peterplatz 9<br>97070 Würzburg" in html
    assert "§ 5 Digitale-Dienste-Gesetz" in html and "© GeoBasis-DE / BKG" in html
    assert "Bitte eintragen" not in html


def test_privacy_statement_names_controller_officer_rights_and_retention(configured):
    html = configured.get("/datenschutz").text
    assert "Landratsamt Miltenberg<br>Brückenstraße 1" in html
    assert "Frau Erika Beispiel<br>Brückenstraße 1<br>63897 Miltenberg<br>datenschutz@lra-mil.de" in html
    assert "nach 14 Tagen gelöscht" in html
    for right in ("Art. 15 DSGVO", "Art. 16", "Art. 17", "Art. 18", "Art. 21 DSGVO", "Art. 77 DSGVO"):
        assert right in html
    assert "Bayerische Landesbeauftragte für den Datenschutz" in html
    assert "Bitte eintragen" not in html


def test_accessibility_statement_has_feedback_contact_and_enforcement_body(configured):
    html = configured.get("/barrierefreiheit").text
    assert "<h1>Erklärung zur Barrierefreiheit</h1>" in html
    assert '<a href="mailto:barrierefrei@lra-mil.de">barrierefrei@lra-mil.de</a>' in html
    assert "am 30.11.2026 erstellt" in html
    assert "Durchsetzungs- und Überwachungsstelle" in html and "§ 11 BayDiV" in html
    assert "Landesamt für Digitalisierung, Breitband und Vermessung<br>St.-Martin-Straße 47" in html
    assert "teilweise vereinbar" in html and "sechs Wochen" in html
    assert "Bitte eintragen" not in html


def test_easy_language_and_sign_language_pages(configured):
    easy = configured.get("/leichte-sprache").text
    assert "<h1>Informationen in Leichter Sprache</h1>" in easy and "barrierefrei@lra-mil.de" in easy
    sign = configured.get("/gebaerdensprache").text
    assert "<h1>Informationen in Deutscher Gebärdensprache</h1>" in sign
    assert '<a class="button" href="https://video.example/dgs.mp4">' in sign
    assert "Inhalt des Videos" in sign


def test_without_a_video_the_sign_language_page_gives_its_contents_in_writing(unconfigured):
    html = unconfigured.get("/gebaerdensprache").text
    assert "wird gerade erstellt" in html and "Inhalt des Videos" in html and 'class="button"' not in html


def test_outside_production_the_pages_show_visible_placeholders(unconfigured):
    for url in ("/impressum", "/datenschutz", "/barrierefreiheit"):
        assert "[Bitte eintragen: Name der verantwortlichen Stelle]" in unconfigured.get(url).text, url
    assert "[Bitte eintragen: Datum]" in unconfigured.get("/barrierefreiheit").text


@pytest.mark.parametrize("url", ["/", "/landkreise", "/ueber", "/hr/anmelden", *LEGAL_PAGES])
def test_every_footer_links_the_legal_pages(unconfigured, url):
    html = unconfigured.get(url).text
    footer = html.split("<footer", 1)[1]
    for page in LEGAL_PAGES:
        assert f'href="{page}"' in footer, (url, page)


def test_production_refuses_placeholders_and_names_the_variables():
    with pytest.raises(ValidationError) as error:
        Settings(environment="production", secret_key="s" * 40, _env_file=None)
    message = str(error.value)
    assert "Platzhalter" in message
    assert all(f"STELLEN_{name.upper()}" in message for name in REQUIRED)


def test_production_starts_with_every_detail_filled_in():
    public = {"public_base_url": "https://stellen.lra-miltenberg.de"}  # not the loopback default (production)
    settings = Settings(environment="production", secret_key="s" * 40, _env_file=None, **OPERATOR, **public)
    assert settings.legal_operator == "Landratsamt Miltenberg"
    partly = {**OPERATOR, "legal_phone": "[Bitte eintragen: Telefonnummer]"}
    with pytest.raises(ValidationError, match="STELLEN_LEGAL_PHONE"):
        Settings(environment="production", secret_key="s" * 40, _env_file=None, **partly, **public)


def test_a_video_address_must_be_an_address():
    with pytest.raises(ValidationError, match="keine Adresse eines Videos"):
        Settings(environment="test", sign_language_video_url="javascript:alert(1)", _env_file=None)


def test_the_command_refuses_to_start_in_production_with_placeholders(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STELLEN_")}
    environment.update(STELLEN_ENVIRONMENT="production", STELLEN_SECRET_KEY="s" * 40,
                       STELLEN_DATABASE_URL=f"sqlite:///{tmp_path / 'b.db'}")  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "cli.main", "search", "x"], capture_output=True,
                            text=True, env=environment, cwd=tmp_path, timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert "Platzhalter" in result.stderr and "STELLEN_LEGAL_OPERATOR" in result.stderr
    assert "Traceback" not in result.stderr
