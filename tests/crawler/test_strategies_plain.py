"""plain: a posting on a page without schema.org (TYPO3, ikiss, Sitepark, NOLIS, old table layouts).

The fixtures are written in the shapes of Landratsamt sites: a content h1 next to a logo h1, facts tables
and definition lists, "Label: value" paragraphs, contact boxes in a sidebar, a PDF-only page, a page in
windows-1252 declared only in a meta tag; and pages that are no posting (overview, teaser list, news,
career intro, Impressum, "keine Stellen", a department's contact page).
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.items import RawPosting
from crawler.pipelines import Rejected, prepare
from crawler.strategies.plain import looks_like_posting, page_title, posting_from_page
from tests.crawler.test_strategies_common import fixture_bytes

BASE = "https://www.landkreis-kelheim.de"
URL = f"{BASE}/karriere/stellen/sachbearbeiter-bauamt"
TODAY = date(2026, 12, 2)


def response(body: bytes | str, url: str = URL, **kwargs) -> HtmlResponse:
    """A response as Scrapy builds it: the encoding comes from the headers or the page, not from us."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return HtmlResponse(url=url, body=data, request=Request(url), **kwargs)


def read(name: str, url: str = URL, hints: RawPosting | None = None) -> RawPosting | None:
    return posting_from_page(response(fixture_bytes("plain", f"{name}.html"), url), hints)


def posting(name: str, url: str = URL) -> RawPosting:
    found = read(name, url)
    assert found is not None, f"{name}: no posting read"
    return found


# ------------------------------------------------------------------------------------ TYPO3 table


@pytest.fixture(scope="module")
def typo3() -> RawPosting:
    return posting("typo3_table")


def test_typo3_title_is_the_content_h1_not_the_logo(typo3):
    assert typo3.title == "Sachbearbeiter (m/w/d) im Bauamt"


def test_typo3_read_despite_links_to_other_postings():
    # "Weitere Stellenangebote" with two linked "(m/w/d)" headings: still this page's one posting.
    body = fixture_bytes("plain", "typo3_table.html")
    assert body.count(b"</a></h3>") == 2 and body.count(b"(m/w/d)") >= 3
    assert posting_from_page(response(body)) is not None


def test_typo3_ids_from_the_url(typo3):
    assert (typo3.source_id, typo3.url) == ("/karriere/stellen/sachbearbeiter-bauamt", URL)


def test_typo3_facts_table(typo3):
    assert typo3.deadline == date(2027, 1, 15)
    assert typo3.reference == "BA-2026-17"
    assert typo3.pay_text == "Entgeltgruppe 9b TVöD"
    assert typo3.working_time_text == "Vollzeit mit 39 Wochenstunden, Teilzeit ist möglich"
    assert typo3.term_text == "unbefristet"
    assert typo3.career_text is None


def test_typo3_start_date_next_possible_is_none(typo3):
    assert typo3.start_date is None  # "zum nächstmöglichen Zeitpunkt"


def test_typo3_contact_from_the_sidebar_box(typo3):
    assert typo3.contact_name == "Frau Anna Huber"
    assert typo3.contact_phone == "09441 207-1234"
    assert typo3.contact_email == "anna.huber@landkreis-kelheim.de"


def test_typo3_spam_protected_email_and_fax_number(typo3):
    # TYPO3 writes "anna.huber(at)landkreis-kelheim.de" behind a javascript: link; the fax comes first.
    assert typo3.contact_email == "anna.huber@landkreis-kelheim.de"
    assert typo3.contact_phone == "09441 207-1234"
    assert not any("javascript" in url for url in [typo3.apply_url or "", *typo3.attachments])


def test_typo3_place_from_the_contact_box_address(typo3):
    assert (typo3.street, typo3.postal_code, typo3.city) == ("Donaupark 12", "93309", "Kelheim")


def test_typo3_apply_link_and_email(typo3):
    assert typo3.apply_url == "https://bewerbung.landkreis-kelheim.de/stelle/17"
    assert typo3.apply_email == "bewerbung@landkreis-kelheim.de"


def test_typo3_attachments_are_the_contents_pdfs_not_the_footers(typo3):
    assert typo3.attachments == [f"{BASE}/fileadmin/user_upload/stellen/ba-2026-17.pdf"]


def test_typo3_description_is_the_main_content(typo3):
    html = typo3.description_html
    assert "<table>" in html and "Entgeltgruppe 9b TVöD" in html
    assert "<h2>Ihre Aufgaben</h2>" in html and "<li>Prüfen von Bauanträgen" in html
    assert 'href="https://www.landkreis-kelheim.de/karriere/fortbildung"' in html  # links kept, absolute


def test_typo3_description_without_chrome_or_scripts(typo3):
    html = typo3.description_html.lower()
    chrome = ["cookies", "alle akzeptieren", "bürgerservice", "wirtschaft &amp; tourismus", "impressum",
              "barrierefreiheit", "zum inhalt springen", "<script", "datalayer"]  # fmt: skip
    for text in chrome:
        assert text not in html, text


def test_typo3_description_does_not_repeat_the_title(typo3):
    assert "<h1" not in typo3.description_html


# -------------------------------------------------------------------------------- ikiss, Beamte, dl


@pytest.fixture(scope="module")
def ikiss() -> RawPosting:
    return posting("ikiss_dl")


def test_ikiss_title(ikiss):
    assert ikiss.title == "Beamter / Beamtin (m/w/d) der 3. Qualifikationsebene für die Kommunalaufsicht"


def test_ikiss_definition_list_facts(ikiss):
    assert ikiss.pay_text == "Besoldungsgruppe A 10 bis A 11"
    assert ikiss.career_text == "3. Qualifikationsebene (ehem. gehobener Dienst)"
    assert ikiss.working_time_text == "Vollzeit"
    assert ikiss.department == "Sachgebiet 13 – Kommunalaufsicht"


def test_department_is_the_unit_not_the_office():
    main = (
        "<h1>Sachbearbeiter (m/w/d) Grundsicherung</h1><table>"
        "<tr><th>Dienststelle</th><td>Landratsamt Ebersberg</td></tr>"
        "<tr><th>Sachgebiet</th><td>Sozialamt</td></tr></table>"
        "<p>Ihre Aufgaben: Bescheide. Vollzeit.</p>"
    )
    found = posting_from_page(response(f"<html><body><main>{main}</main></body></html>"))
    assert found.department == "Sozialamt"


def test_ikiss_deadline_written_out(ikiss):
    assert ikiss.deadline == date(2027, 1, 15)  # "bis spätestens 15. Januar 2027"


def test_ikiss_start_date_from_zu_besetzen(ikiss):
    assert ikiss.start_date == date(2027, 4, 1)


def test_ikiss_reference_kennung_with_space(ikiss):
    assert ikiss.reference == "KA 04/2026"


def test_ikiss_contact_box_without_heading_and_place(ikiss):  # <div class="mitarbeiter">
    assert (ikiss.contact_name, ikiss.contact_phone) == ("Herr Thomas Bauer", "09771 94-210")
    assert ikiss.contact_email == "thomas.bauer@rhoen-grabfeld.de"
    assert (ikiss.street, ikiss.postal_code, ikiss.city) == (
        "Spörleinstraße 11",
        "97616",
        "Bad Neustadt a.d.Saale",
    )


def test_ikiss_apply_portal_and_upper_case_pdf(ikiss):
    assert ikiss.apply_url == "https://karriere.rhoen-grabfeld.de/bewerbung/ka-04-2026"
    assert ikiss.attachments == [f"{BASE}/media/custom/2245_1812_1.PDF?1700000000"]


# ------------------------------------------------------------------------------ Sitepark paragraphs


@pytest.fixture(scope="module")
def sitepark() -> RawPosting:
    return posting("sitepark_paragraphs")


def test_sitepark_title_from_og_title_without_site_name(sitepark):
    assert sitepark.title == "Verwaltungsfachangestellte (m/w/d) für das Jobcenter"


def test_sitepark_dates_from_sentences(sitepark):
    assert sitepark.deadline == date(
        2027, 1, 31
    )  # "… unter Angabe der Kennziffer 2026/45 bis zum 31.01.2027"
    assert sitepark.start_date == date(2027, 3, 1)  # "sucht zum 01.03.2027"
    assert sitepark.date_posted == date(2026, 11, 20)  # "Stand: 20.11.2026"


def test_sitepark_reference_apply_email_contact(sitepark):
    assert sitepark.reference == "2026/45"
    assert sitepark.apply_email == "personal@lra-mil.de"
    assert (sitepark.contact_name, sitepark.contact_phone) == ("Frau Petra Schmitt", "09371 501-332")


def test_sitepark_place_from_running_text(sitepark):
    # "… für das Jobcenter in der Mainstraße 4, 63897 Miltenberg. Gesucht wird …"
    place = (sitepark.street, sitepark.postal_code, sitepark.city)
    assert place == ("Mainstraße 4", "63897", "Miltenberg")


def test_sitepark_hints_left_to_the_normaliser(sitepark):
    # No facts rows: hours and term are read from the description by the pipeline; the line naming the
    # pay grade is handed on as the pay hint (to_record reads pay only in the first 3000 characters).
    assert (sitepark.working_time_text, sitepark.term_text) == (None, None)
    assert sitepark.pay_text.endswith("Die Vergütung erfolgt nach Entgeltgruppe 8 TVöD.")


# ----------------------------------------------------------------------------------- NOLIS sidebar


@pytest.fixture(scope="module")
def nolis() -> RawPosting:
    return posting("nolis_sidebar")


def test_nolis_label_paragraphs(nolis):
    assert nolis.start_date == date(2027, 4, 1)  # "Einstellungstermin: 01.04.2027"
    assert nolis.deadline == date(2027, 1, 20)  # "Ende der Bewerbungsfrist: 20.01.2027"
    assert nolis.reference == "11-0231/2026"  # "Az.: 11-0231/2026"


def test_nolis_place_from_dienstort(nolis):
    assert (nolis.street, nolis.postal_code, nolis.city) == ("Schloßgraben 3", "92224", "Amberg")


def test_nolis_contact_is_the_person_not_the_service_bar(nolis):
    assert (nolis.contact_name, nolis.contact_phone) == ("Herr Michael Roth", "09621 39-412")
    assert nolis.contact_email == "m.roth@amberg-sulzbach.de"


def test_nolis_apply_link_zur_online_bewerbung(nolis):
    assert nolis.apply_url == "https://amberg-sulzbach.bewerbung-online.example/job/231"


# ------------------------------------------------------------------------------ other page shapes


def test_pdf_only_page():
    found = posting("pdf_only")
    assert found.title == "Erzieher (m/w/d) für die Kindertagesstätte Sonnenschein"
    assert found.deadline == date(2027, 1, 10)
    assert found.attachments == [f"{BASE}/fileadmin/stellen/erzieher-kita-sonnenschein.pdf"]
    assert "Bewerbungsschluss" in found.description_html


def test_ausbildung_page():
    found = posting("ausbildung")
    assert found.title == "Ausbildung zum Verwaltungsfachangestellten (m/w/d) 2027"
    assert found.start_date == date(2027, 9, 1)  # "Ausbildungsbeginn: 1. September 2027"
    # "Bewerbungszeitraum: 01.10.2026 bis 30.11.2026": the end of the range, already past (pipeline decides)
    assert found.deadline == date(2026, 11, 30)
    assert found.reference == "2027-AZ-03"  # "Stellen-ID"
    assert (
        found.apply_url
        == "https://www.landkreis-neumarkt.example/ausbildung/online-bewerbung?stelle=2027-AZ-03"
    )
    assert (found.contact_name, found.contact_phone) == ("Julia Meier", "09181 470-215")


def test_windows_1252_page_keeps_umlauts():
    body = fixture_bytes("plain", "cp1252.html")
    assert "ä".encode("cp1252") in body and "ä".encode() not in body  # the fixture really is windows-1252
    found = posting_from_page(response(body))
    assert found is not None
    assert found.title == "Sachbearbeiterin / Sachbearbeiter (m/w/d) für die Straßenverkehrsbehörde"
    assert (found.street, found.postal_code, found.city) == ("An der Kapuzinermauer 1", "89312", "Günzburg")
    assert "Großraum- und Schwertransporte" in found.description_html
    assert found.pay_text == "EG 9a TVöD"
    assert (found.deadline, found.start_date) == (date(2027, 2, 5), date(2027, 2, 1))


def test_layout_table_menu_cell_is_not_description():
    found = posting("cp1252")
    assert "Bürgerservice" not in found.description_html
    assert "Impressum" not in found.description_html


def test_prefixed_title_and_logo_h1():
    found = posting("prefixed_title")
    assert found.title == "Ingenieur (m/w/d) Tiefbau"
    assert found.date_posted == date(2026, 11, 25)
    assert found.reference == "2026-TB-9"  # "Ausschreibungsnummer:"
    assert (found.pay_text, found.working_time_text) == ("bis Entgeltgruppe 11 TVöD", "Vollzeit")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("<p>Bewerbungsfrist: 15. Januar</p>", date(2027, 1, 15)),  # no year: the next such day
        ("<p>Bitte senden Sie Ihre Bewerbung bis zum 20.12. an uns.</p>", date(2026, 12, 20)),
        ("<table><tr><th>Bewerbungszeitraum</th><td>1. Dezember 2026 bis 15. Januar 2027</td></tr></table>",
         date(2027, 1, 15)),
        ("<p>Bewerbungsschluss ist der 3.2.27.</p>", date(2027, 2, 3)),
    ],
)  # fmt: skip
def test_deadline_wordings(monkeypatch, sentence, expected):
    monkeypatch.setenv("STELLEN_TODAY", TODAY.isoformat())
    main = f"<h1>Sachbearbeiter (m/w/d)</h1><p>Ihre Aufgaben: Kasse. Vollzeit.</p>{sentence}"
    found = posting_from_page(response(f"<html><body><main>{main}</main></body></html>"))
    assert found is not None and found.deadline == expected


def test_contract_end_is_not_the_deadline():
    found = posting("prefixed_title")
    assert found.deadline == date(2027, 1, 15)  # not "befristet bis zum 31.12.2028"


def test_apply_email_from_sentence_and_contact_with_title():
    found = posting("prefixed_title")
    assert found.apply_email == "stellen@landkreis-regen.example"
    assert (found.contact_name, found.contact_phone) == ("Frau Dr. Eva Zollner", "09921 601-230")


def test_generic_h1_falls_back_to_og_title():
    found = posting("generic_h1")
    assert found.title == "Systemadministrator (m/w/d)"
    assert found.start_date is None  # "ab sofort"
    assert found.deadline == date(2026, 12, 31)
    assert (found.pay_text, found.term_text) == ("EG 10 TVöD", "unbefristet")


# ------------------------------------------------------------------------------------------ hints


def hint(**changes) -> RawPosting:
    base = dict(source_id="row-7", url=f"{BASE}/stellen", title="Sachbearbeiter (m/w/d) Kämmerei",
                deadline=date(2027, 2, 28), city="Kelheim", postal_code="93309",
                reference="KÄ-7")  # fmt: skip
    return RawPosting(**{**base, **changes})


def test_page_without_title_takes_the_list_rows_title_and_fields():
    found = read("hints_only", hints=hint())
    assert found is not None
    assert found.title == "Sachbearbeiter (m/w/d) Kämmerei"
    assert (found.deadline, found.reference) == (date(2027, 2, 28), "KÄ-7")
    assert (found.postal_code, found.city) == ("93309", "Kelheim")
    assert (found.source_id, found.url) == ("/karriere/stellen/sachbearbeiter-bauamt", URL)


def test_heading_that_names_no_post_gives_way_to_the_rows_title():
    body = fixture_bytes("plain", "hints_only.html").replace(
        b'<div id="content">', b'<div id="content"><h1>Stellenausschreibung Nr. 12/2026</h1>'
    )
    assert posting_from_page(response(body)) is None  # no heading names a post: no posting
    found = posting_from_page(response(body), hint())
    assert found is not None and found.title == "Sachbearbeiter (m/w/d) Kämmerei"


def test_page_without_title_and_without_hints_is_no_posting():
    assert read("hints_only") is None


def test_footer_address_is_the_last_resort_for_the_place():
    # The page states no place of its own: the office's address in the footer …
    alone = posting("pdf_only")
    assert (alone.street, alone.postal_code, alone.city) == ("Rachelstraße 6", "93413", "Cham")
    # … loses to the place of the list row, which is taken as one unit (no footer street mixed in).
    found = read("pdf_only", hints=hint(postal_code="93426", city="Roding", street=None))
    assert (found.street, found.postal_code, found.city) == (None, "93426", "Roding")


def test_page_wins_over_hints_where_it_speaks():
    found = read("typo3_table", hints=hint(title="Bauamt", deadline=date(2027, 3, 1), reference="X"))
    assert found.title == "Sachbearbeiter (m/w/d) im Bauamt"
    assert (found.deadline, found.reference) == (date(2027, 1, 15), "BA-2026-17")


# ------------------------------------------------------------------------------------ no postings


@pytest.mark.parametrize(
    "name",
    ["non_overview", "non_teasers", "non_news", "non_karriere", "non_impressum", "non_keine_stellen",
     "non_contact", "non_sections"],
)  # fmt: skip
def test_non_postings_are_none(name):
    assert read(name) is None


@pytest.mark.parametrize("name", ["non_overview", "non_teasers", "non_keine_stellen", "non_sections"])
def test_list_pages_stay_none_with_a_job_like_hint(name):
    # The list row's link text is job-like; the page it led to is still a list, not the posting.
    assert read(name, hints=hint()) is None


def test_list_page_with_one_teaser_is_no_posting():
    # The row led to a list whose only teaser (title, deadline, pay) links on to the posting's own page.
    body = fixture_bytes("plain", "non_teasers.html").decode()
    teasers = body.split('<div class="teaser">')
    one = teasers[0] + '<div class="teaser">' + teasers[1] + "</div></body></html>"
    assert one.count('class="teaser"') == 1 and "Sozialpädagoge (m/w/d)" in one
    teaser = hint(title="Sozialpädagoge (m/w/d) Allgemeiner Sozialdienst")
    assert posting_from_page(response(one), teaser) is None


def test_pdf_named_like_the_posting_is_an_attachment_not_a_teaser():
    body = fixture_bytes("plain", "pdf_only.html").replace(
        b"Stellenausschreibung Erzieher (PDF, 95 KB)",
        b"Erzieher (m/w/d) f\xc3\xbcr die Kindertagesst\xc3\xa4tte Sonnenschein",
    )
    found = posting_from_page(response(body))
    assert found is not None and found.attachments


def test_page_of_links_is_no_posting():
    links = "".join(
        f'<li><a href="/stellen/{i}">Sachbearbeiter (m/w/d) Stelle {i}</a></li>' for i in range(2)
    )
    body = (f"<html><body><main><h1>Sachbearbeiter (m/w/d)</h1><ul>{links}</ul>"
            "<p><a href='/x'>Ihre Aufgaben</a> <a href='/y'>Bewerbungsfrist und TVöD</a></p>"
            "</main></body></html>")  # fmt: skip
    assert posting_from_page(response(body)) is None


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Sachbearbeiter (m/w/d) Kämmerei", "Ihre Aufgaben: Haushalt. Vollzeit.", True),
        ("Erzieherin / Erzieher", "Bewerbungsfrist: 15.01.2027. Entgeltgruppe S 8a TVöD SuE", True),
        ("Stellenangebote", "Ihre Aufgaben … Bewerbungsfrist … TVöD", False),  # overview heading
        ("Karriere beim Landratsamt", "Wir bieten TVöD, Vollzeit und Teilzeit", False),
        ("Sachbearbeiter (m/w/d)", "Wir freuen uns über Ihr Interesse.", False),  # no body words
        ("Sachbearbeiter (m/w/d)", "Vollzeit, Teilzeit, Bewerbung", False),  # weak words only
        ("Neue Leitung im Gesundheitsamt", "Pressemitteilung: Wir bieten … TVöD", False),  # news
        ("Mitarbeiter (m/w/d)", "Derzeit sind keine Stellen ausgeschrieben. Bewerbungsfrist", False),
        ("", "Ihre Aufgaben Bewerbungsfrist", False),
        # News whose heading names a job word but no post: one strong body word is not enough.
        ("Landrat begrüßt neue Auszubildende", "Die Bewerbungsfrist endet am 15.12. Bewerbungen", False),
        ("Sachbearbeiterin Kämmerei", "Ihre Aufgaben … Wir bieten … Bewerbungsfrist", True),
        ("Erzieher (w/m/d)", "Bewerbungsfrist: 10.01.2027. Stellenausschreibung als PDF", True),
        ("Verwaltungswirt (gn)", "Ihre Aufgaben: Kasse. Teilzeit.", True),
        ("Mitarbeiter (m/w/d)", "Initiativbewerbungen sind willkommen. Ihr Profil. Bewerbung", False),
    ],
)
def test_looks_like_posting(title, text, expected):
    assert looks_like_posting(title, text) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sachbearbeiter (m/w/d) – Landratsamt Kelheim", "Sachbearbeiter (m/w/d)"),
        ("Sachbearbeiter (m/w/d) — Landkreis Cham", "Sachbearbeiter (m/w/d)"),
        ("Landratsamt Kelheim | Erzieher (m/w/d)", "Erzieher (m/w/d)"),
        ("Ingenieur (m/w/d) :: Landkreis Regen", "Ingenieur (m/w/d)"),
        ("Hausmeister (m/w/d) · Landratsamt Cham", "Hausmeister (m/w/d)"),
        ("Sachbearbeiter (m/w/d) - Bauamt - Landratsamt Kelheim", "Sachbearbeiter (m/w/d) – Bauamt"),
        ("Stellenausschreibung: Jurist (m/w/d) - Landratsamt Regen", "Jurist (m/w/d)"),
        ("Stellenangebote - Landratsamt Kelheim", ""),
        ("Stellenausschreibung Nr. 12/2026 – Erzieher (m/w/d)", "Erzieher (m/w/d)"),
        ("Ausschreibung (Kennziffer 7) - Jurist (m/w/d)", "Jurist (m/w/d)"),
        (
            "Beamter (m/w/d) der 2. QE – Verwaltung und Finanzen - Landratsamt Tirschenreuth",
            "Beamter (m/w/d) der 2. QE – Verwaltung und Finanzen",
        ),
    ],
)
def test_title_without_site_name(raw, expected):
    from parsel import Selector

    assert (
        page_title(Selector(text=f"<html><head><title>{raw}</title></head><body></body></html>")) == expected
    )


# ------------------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("body", [b"", b"   \n", b"\x00\x01\x02\xff\xfe", b"<html>", b"<<<>>>&&&"])
def test_empty_or_garbage_page_is_none(body):
    assert posting_from_page(response(body)) is None


def test_truncated_page_still_reads():
    body = fixture_bytes("plain", "typo3_table.html")
    cut = body[: body.index(b"<h2>Wir bieten</h2>")]
    found = posting_from_page(response(cut))
    assert found is not None and found.title == "Sachbearbeiter (m/w/d) im Bauamt"
    assert found.deadline == date(2027, 1, 15)


def test_script_inside_the_content_never_reaches_the_description():
    body = fixture_bytes("plain", "ikiss_dl.html").replace(
        b"<h3>Wir bieten</h3>", b"<script>alert('x')</script><style>p{}</style><h3>Wir bieten</h3>"
    )
    found = posting_from_page(response(body))
    assert "<script" not in found.description_html and "alert(" not in found.description_html


def test_huge_page_is_read_in_bounded_time():
    filler = "<p>" + "Weitere Informationen zum Landkreis und seinen Gemeinden. " * 40 + "</p>\n"
    body = fixture_bytes("plain", "typo3_table.html").replace(
        b"</main>", (filler * 1500).encode() + b"</main>"
    )
    assert len(body) > 3_000_000
    started = time.monotonic()
    found = posting_from_page(response(body))
    assert time.monotonic() - started < 30
    assert found is not None and found.title == "Sachbearbeiter (m/w/d) im Bauamt"


def test_without_trafilatura_result_the_largest_text_block_is_the_description(monkeypatch):
    monkeypatch.setattr("trafilatura.extract", lambda *args, **kwargs: None)
    found = posting("typo3_table")
    html = found.description_html
    assert "Prüfen von Bauanträgen" in html and "Entgeltgruppe 9b TVöD" in html
    for chrome in ("Bürgerservice", "Impressum", "Cookies", "<script", "Landratsamt Kelheim · Donaupark"):
        assert chrome not in html, chrome
    assert found.deadline == date(2027, 1, 15)


def test_no_h1_no_title_no_hints_is_none():
    body = "<html><body><p>Ihre Aufgaben: Haushalt. Bewerbungsfrist: 15.01.2027. Vollzeit.</p></body></html>"
    assert posting_from_page(response(body)) is None


# ------------------------------------------------------------------------- through the crawl's stages


def stored(name: str):
    found = posting(name)
    found.source, found.district = "lra-web", "kelheim"
    return prepare(found, today=TODAY)


def test_pipeline_typo3_pay_and_working_time():
    vacancy = stored("typo3_table")
    assert (vacancy.pay_scale.value, vacancy.pay_grade_min, vacancy.pay_grade_max) == ("TVöD", "E9b", "E9b")
    assert [w.value for w in vacancy.working_time] == ["full_time", "part_time"]
    assert vacancy.weekly_hours == 39
    assert vacancy.fixed_term is False
    assert vacancy.deadline == date(2027, 1, 15)
    assert vacancy.contact.email == "anna.huber@landkreis-kelheim.de"
    assert "<script" not in vacancy.description


def test_pipeline_beamte_grade_range_and_career_level():
    vacancy = stored("ikiss_dl")
    assert (vacancy.pay_scale.value, vacancy.pay_grade_min, vacancy.pay_grade_max) == (
        "BayBesG",
        "A10",
        "A11",
    )
    assert vacancy.career_level == 3
    assert [s.value for s in vacancy.status] == ["civil_servant"]


def test_pipeline_paragraph_page_facts_from_the_description():
    vacancy = stored("sitepark_paragraphs")
    assert (vacancy.pay_grade_min, vacancy.pay_grade_max) == ("E8", "E8")
    assert [w.value for w in vacancy.working_time] == ["part_time"]
    assert vacancy.weekly_hours == 19.5
    assert (vacancy.fixed_term, vacancy.term_months) == (True, 24)
    assert vacancy.location.postal_code == "63897"


def test_pipeline_partial_facts_rows_completed_from_the_description():
    # "Arbeitszeit: Vollzeit" and "Befristung: befristet" must not hide the text's hours and length.
    main = (
        "<h1>Sachbearbeiter (m/w/d) Kreiskasse</h1>"
        "<table><tr><th>Arbeitszeit</th><td>Vollzeit</td></tr><tr><th>Befristung</th><td>befristet</td></tr>"
        "<tr><th>Vergütung</th><td>nach TVöD</td></tr></table>"
        "<p>Die Stelle umfasst 39 Wochenstunden und ist auf 24 Monate befristet.</p>"
        "<h2>Ihre Aufgaben</h2><p>Buchungen und Mahnwesen.</p><p>Eingruppierung: Entgeltgruppe 8 TVöD.</p>"
    )
    found = posting_from_page(response(f"<html><body><main>{main}</main></body></html>"))
    found.source, found.district = "lra-web", "kelheim"
    vacancy = prepare(found, today=TODAY)
    assert vacancy.weekly_hours == 39
    assert (vacancy.fixed_term, vacancy.term_months) == (True, 24)
    assert (vacancy.pay_grade_min, vacancy.pay_grade_max) == ("E8", "E8")


def test_pipeline_rejects_nothing_for_a_page_posting_without_hints():
    try:
        stored("pdf_only")
    except Rejected as exc:  # pragma: no cover - the assertion below names the reason
        pytest.fail(f"pdf_only rejected: {exc.reason} {exc.detail}")
