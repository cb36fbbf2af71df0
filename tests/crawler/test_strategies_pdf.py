"""pdf: postings as PDF files. The PDFs are written by hand (no PDF writer library is installed)."""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.http import Response

from crawler.strategies.common import url_source_id
from crawler.strategies.pdf import best_title, find_place, link_title, pdf_contents
from tests.crawler.test_strategies_common import (
    fixture_bytes,
    make_spider,
    postings,
    requests,
    response_for,
    run,
)

BASE = "https://www.landkreis-kitzingen.example"
LINES = [
    "Landratsamt Kitzingen",
    "Stellenausschreibung",
    "Sachbearbeiter (m/w/d) für die Kämmerei",
    "Sachgebiet 12 - Kreiskämmerei",
    "Kennziffer: 2026/KAE-03",
    "Die Stelle ist unbefristet und in Vollzeit zu besetzen, Teilzeit ist möglich.",
    "Bezahlung nach Entgeltgruppe 9b TVöD.",
    "Voraussetzung: Qualifikation für die 2. Qualifikationsebene",
    "Bewerbungsfrist: 15.12.2026",
    "Bewerbungen an personal@kitzingen.example",
]


def make_pdf(lines: list[str]) -> bytes:
    """A minimal valid PDF: one page, Helvetica, WinAnsi text (umlauts as cp1252 octal escapes)."""

    def escape(line: str) -> str:
        raw = line.encode("cp1252")
        out = "".join(chr(b) if 32 <= b < 127 and chr(b) not in "()\\" else f"\\{b:03o}" for b in raw)
        return f"({out}) Tj T*"

    stream = "BT /F1 11 Tf 14 TL 60 780 Td " + " ".join(escape(line) for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def pdf_response(body: bytes, url: str = f"{BASE}/media/stellen/kaemmerei-2026.pdf") -> Response:
    return response_for(url, body, "parse_pdf", "detail", kind=Response, link_text="Sachbearbeiter Kämmerei")


def test_hand_written_pdf_is_read():
    assert "Kämmerei" in pdf_contents(make_pdf(LINES))[0]


@pytest.fixture
def posting():
    return postings(run(make_spider("pdf", f"{BASE}/stellen"), pdf_response(make_pdf(LINES))))[0]


def test_title_is_the_line_with_gender_marker(posting):
    assert posting.title == "Sachbearbeiter (m/w/d) für die Kämmerei"


def test_deadline(posting):
    assert posting.deadline == date(2026, 12, 15)


def test_reference_is_read_and_the_url_is_the_source_id(posting):
    # Kennziffern are reused and typed inconsistently; the PDF's address identifies the posting.
    assert posting.reference == "2026/KAE-03"
    assert posting.source_id == url_source_id(posting.url)


def test_department(posting):
    assert posting.department == "Sachgebiet 12 - Kreiskämmerei"


def test_pay_line(posting):
    assert posting.pay_text == "Bezahlung nach Entgeltgruppe 9b TVöD."


def test_working_time_and_term(posting):
    line = "Die Stelle ist unbefristet und in Vollzeit zu besetzen, Teilzeit ist möglich."
    assert (posting.working_time_text, posting.term_text) == (line, line)


def test_career_level(posting):
    assert posting.career_text == "Voraussetzung: Qualifikation für die 2. Qualifikationsebene"


def test_description_is_escaped_paragraphs(posting):
    assert posting.description_html.startswith("<p>Landratsamt Kitzingen<br>")


def test_pdf_is_its_own_attachment(posting):
    assert posting.attachments == [posting.url]


def test_title_falls_back_to_the_link_text():
    found = postings(
        run(make_spider("pdf", f"{BASE}/stellen"), pdf_response(make_pdf(["Landratsamt", "12"])))
    )
    assert found[0].title == "Sachbearbeiter Kämmerei"


def test_list_follows_pdf_links_only():
    response = response_for(f"{BASE}/stellen", fixture_bytes("pdf", "list.html"), "parse_list")
    urls = [r.url for r in requests(run(make_spider("pdf", f"{BASE}/stellen"), response))]
    assert urls == [f"{BASE}/media/stellen/kaemmerei-2026.pdf", f"{BASE}/media/stellen/leer.pdf"]


@pytest.mark.parametrize("body", [b"", b"%PDF-1.4\n", make_pdf([]), b"<html>Fehler</html>"])
def test_empty_or_broken_pdf_is_a_parse_error(body):
    spider = make_spider("pdf", f"{BASE}/stellen")
    assert run(spider, pdf_response(body)) == []
    assert len(spider.parse_errors) == 1
    assert f"{BASE}/media/stellen/kaemmerei-2026.pdf" in spider.error_urls


@pytest.mark.parametrize(
    ("meta_title", "expected"),
    [
        ("Sachbearbeiter (m/w/d) Kämmerei", "Sachbearbeiter (m/w/d) Kämmerei"),
        ("Microsoft Word - Ausschreibung_KAE.docx", ""),  # a generic title says nothing
        ("Stellenausschreibung", ""),
        ("Ausschreibung_2026_03", ""),  # a file name, not a position
        ("", ""),
    ],
)
def test_pdf_contents_reads_text_and_metadata_title_in_one_pass(meta_title, expected):
    from crawler.samplesites.render_pdf import pdf_document

    text, title = pdf_contents(pdf_document([("p", "Bewerbungsfrist: 15.12.2026")], title=meta_title))
    assert "Bewerbungsfrist: 15.12.2026" in text
    assert title == expected


def test_pdf_contents_refuses_what_is_no_pdf():
    with pytest.raises(ValueError, match="keine PDF-Datei"):
        pdf_contents(b"<html>Fehlerseite</html>")


def test_a_word_hyphenated_at_the_end_of_a_line_keeps_its_line_break():
    # PDFium joins such lines and marks the hyphen; the facts are found line by line, so the break and
    # the hyphen must come back as they are printed.
    text, _ = pdf_contents(make_pdf(["Bewerbung über unser Online-", "Portal bis 15.12.2026"]))
    assert [line.strip() for line in text.splitlines() if line.strip()] == [
        "Bewerbung über unser Online-",
        "Portal bis 15.12.2026",
    ]


def test_every_page_is_read():
    from crawler.samplesites.render_pdf import pdf_document

    blocks = [("p", f"Absatz {n} der Ausschreibung mit genug Text für eine Zeile") for n in range(120)]
    text, _ = pdf_contents(pdf_document(blocks + [("p", "Bewerbungsfrist: 15.12.2026")]))
    assert "Absatz 0 der" in text and "Bewerbungsfrist: 15.12.2026" in text


def test_encrypted_pdf_is_refused_with_a_clear_error():
    from tests.hr.pdfs import encrypted_pdf

    with pytest.raises(ValueError, match="PDF nicht lesbar"):
        pdf_contents(encrypted_pdf())


def test_damaged_pdf_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="PDF nicht lesbar"):
        pdf_contents(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << >>\n%%EOF")


# --------------------------------------------------------------------- title: heading, link, file

KELHEIM = "https://www.landkreis-kelheim.example"


def crawl_pdf(lines: list[str], link_text: str = "", url: str = f"{KELHEIM}/fileadmin/stellen/a.pdf"):
    response = response_for(url, make_pdf(lines), "parse_pdf", "detail", kind=Response, link_text=link_text)
    return postings(run(make_spider("pdf", f"{KELHEIM}/stellen"), response))[0]


@pytest.mark.parametrize(
    ("link_text", "expected"),
    [
        ("Sachbearbeiter Kämmerei (PDF, 120 KB)", "Sachbearbeiter Kämmerei"),
        ("Sachbearbeiter Kämmerei (pdf 1,2 MB)", "Sachbearbeiter Kämmerei"),
        ("[PDF] Erzieherin / Erzieher (m/w/d)", "Erzieherin / Erzieher (m/w/d)"),
        ("Erzieher (m/w/d) [PDF, 98 kB]", "Erzieher (m/w/d)"),
        ("PDF-Datei: Hausmeister (m/w/d) Realschule", "Hausmeister (m/w/d) Realschule"),
        ("Download: Stellenausschreibung Bautechniker (m/w/d)", "Bautechniker (m/w/d)"),
        ("Koch (m/w/d) für die Mensa herunterladen", "Koch (m/w/d) für die Mensa"),
        ("– Förster (m/w/d) – 310 KB", "Förster (m/w/d)"),
        ("Straßenwärter (m/w/d) (Download PDF | 240 KB) (öffnet in neuem Fenster)", "Straßenwärter (m/w/d)"),
        ("Stellenausschreibung_Jugendamt_Sozialpaedagoge.pdf", "Jugendamt Sozialpaedagoge"),
        ("Download (PDF, 98 KB)", ""),  # nothing left: the file name has to do
    ],
)
def test_link_text_loses_its_download_adornments(link_text, expected):
    assert link_title(link_text) == expected


def test_adorned_link_text_is_the_title_when_the_pdf_has_none():
    assert crawl_pdf(["Landratsamt", "12"], "Sachbearbeiter Kämmerei (PDF, 120 KB)").title == (
        "Sachbearbeiter Kämmerei"
    )


def test_file_name_is_the_title_when_the_link_text_is_only_adornment():
    url = f"{KELHEIM}/fileadmin/stellen/Ausschreibung_Hausmeister_Realschule.pdf"
    assert crawl_pdf(["Landratsamt", "12"], "Download [PDF] 98 kB", url).title == "Hausmeister Realschule"


def test_list_page_link_texts_become_clean_titles():
    spider = make_spider("pdf", f"{KELHEIM}/stellen")
    listing = response_for(f"{KELHEIM}/stellen", fixture_bytes("pdf", "list_adorned.html"), "parse_list")
    titles = [
        crawl_pdf(["Landratsamt Kelheim", "3"], request.meta["link_text"], request.url).title
        for request in requests(run(spider, listing))
    ]
    assert titles == ["Straßenwärter (m/w/d) für die Kreisstraßenmeisterei", "Hausmeister Realschule"]


LETTERHEAD = [
    "Landratsamt Kelheim",
    "Donaupark 12, 93309 Kelheim",
    "Telefon 09441 207-0, Telefax 09441 207-1150",
    "Kelheim, 24.11.2026",
    "Stellenausschreibung",
    "Der Landkreis Kelheim sucht für die Kreisstraßenmeisterei zum nächstmöglichen Zeitpunkt eine/n",
    "Straßenwärter als Kolonnenführer",
    "Kennziffer 40521",
    "Die Stelle ist unbefristet in Vollzeit zu besetzen.",
]


def test_title_is_the_heading_under_stellenausschreibung_not_letterhead_date_or_lead_in():
    assert crawl_pdf(LETTERHEAD, "Stellenangebot (PDF, 80 KB)").title == "Straßenwärter als Kolonnenführer"


def test_gender_marked_line_under_the_heading_wins_over_a_department_line():
    lines = ["Stellenangebot", "Sachgebiet 31 – Hochbau", "Bautechniker (m/w/d)", "Frist: 15.01.2027"]
    assert crawl_pdf(lines).title == "Bautechniker (m/w/d)"


def test_title_printed_on_the_heading_line_after_a_colon():
    assert crawl_pdf(["Interne Stellenausschreibung: Hausmeister (m/w/d) für das Gymnasium"]).title == (
        "Hausmeister (m/w/d) für das Gymnasium"
    )


def test_printed_heading_wins_over_a_stale_metadata_title():
    # Offices copy last year's Word file; its metadata title comes along.
    lines = ["Stellenausschreibung", "Verwaltungsfachangestellte (m/w/d) Bauamt"]
    stale = "Sachbearbeiter (m/w/d) Kämmerei"
    assert best_title(lines, "", stale) == "Verwaltungsfachangestellte (m/w/d) Bauamt"


def test_wrapped_heading_is_completed_from_the_link_text():
    lines = ["Stellenausschreibung", "Sachbearbeiter (m/w/d) für die", "Führerscheinstelle"]
    link = "Sachbearbeiter (m/w/d) für die Führerscheinstelle (PDF, 75 KB)"
    assert best_title(lines, link, "") == "Sachbearbeiter (m/w/d) für die Führerscheinstelle"


# ------------------------------------------------------------------------------ place: letterhead


def test_postal_code_and_place_from_the_letterhead():
    posting = crawl_pdf(LETTERHEAD)
    assert (posting.street, posting.postal_code, posting.city) == ("Donaupark 12", "93309", "Kelheim")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Landratsamt Kelheim", "Donaupark 12", "D-93309 Kelheim"], (None, "93309", "Kelheim")),
        (
            ["Landratsamt · Nürnberger Str. 1 · 92318 Neumarkt i.d.OPf. · Tel. 09181 470-0"],
            ("Nürnberger Str. 1", "92318", "Neumarkt i.d.OPf."),
        ),
        (["93309 Kelheim, den 24.11.2026", "84048 Mainburg"], (None, "93309", "Kelheim")),  # the first one
        (
            ["Dienstort: Außenstelle, Ulrichstraße 5, 84048 Mainburg", "93309 Kelheim"],
            ("Ulrichstraße 5", "84048", "Mainburg"),
        ),
        (["93309 Kelheim", "Dienstort: Abensberg"], (None, None, "Abensberg")),  # stated place, no code
    ],
)
def test_first_address_or_stated_place_of_work(lines, expected):
    assert find_place(lines) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Telefon 09441 20712",
        "09441 20712 Durchwahl Personalstelle",
        "Fax: 0871 40855 Landshut",
        "Kennziffer 40521 Bauamt",
        "Az. 12345 Personal",
        "Vergütung: rund 45000 Euro brutto jährlich",
        "45000 Euro Jahresgehalt",
        "Bewerbungsfrist: 15.01.2027",
    ],
)
def test_numbers_that_are_no_postal_codes_are_not_taken(line):
    assert find_place(["Landratsamt Kelheim", line]) == (None, None, None)


def test_phone_and_kennziffer_in_a_letterhead_leave_the_postal_code_to_the_address():
    lines = ["Landratsamt", "Tel. 09441 20712", "Kennziffer 40521 Bauamt", "Donaupark 12, 93309 Kelheim"]
    assert crawl_pdf(lines, "Bauzeichner (m/w/d) (PDF)").postal_code == "93309"
