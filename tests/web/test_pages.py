"""Pages rendered in-process: status, key content, escaping, errors, sizes, JSON-LD, did-you-mean."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from tests.web.conftest import XSS, today
from vacancies.addresses import posting_path, short_id

FULL = posting_path("web:full", f"Kassierer (m/w/d) {XSS}")  # the readable address of the full posting
SEARCH_HTML_LIMIT = 50 * 1024
PAGE_LIMIT = 150 * 1024


def text_of(html: str) -> str:
    """Visible-ish text: block tags become spaces, inline tags vanish, whitespace collapsed."""
    blocks = re.sub(r"</?(?:p|div|li|ul|ol|dt|dd|dl|h\d|td|th|tr|br|section|aside|header)\b[^>]*>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", blocks))


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.scripts: list[dict] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "script":
            self.scripts.append(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]


def parsed(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


# -- search page ----------------------------------------------------------------------------------------


def test_search_page_lists_open_postings_with_facets_and_badges(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="de">' in html
    assert 'href="#inhalt"' in html and 'id="inhalt"' in html
    assert "17 Stellen gefunden" in html  # 16 visible corpus postings + the full test posting
    text = text_of(html)
    for label in ("Art der Stelle", "Landkreis", "Berufsfeld", "Arbeitszeit", "Befristung", "Homeoffice"):
        assert f"<legend>{label}</legend>" in html
    assert "Fürstenfeldbruck (4 Stellen)" in text
    assert "Ausbildung (1 Stelle)" in text and "Duales Studium (1 Stelle)" in text  # singular for 1
    assert "Teilzeit möglich" in text and "befristet (24 Monate)" in text
    # one form of deadline everywhere: the date, and how near it is
    assert f"Bewerbungsfrist: {(today() + timedelta(days=5)).strftime('%d.%m.%Y')} (noch 5 Tage)" in text
    assert "Geheime Stelle" not in html  # hidden
    assert "Entwurf" not in html and "Hort" not in html  # draft, past its deadline


def test_search_highlights_matches_and_keeps_the_query_in_the_form(client):
    html = client.get("/", params={"q": "Erzieherin"}).text
    assert "<mark>Erzieher</mark> (m/w/d) Kindertagesstätte" in html
    assert 'value="Erzieherin"' in html
    assert "1 Stelle gefunden" in html


def test_filters_written_other_ways_show_as_the_choices_they_applied(client):
    html = client.get("/", params={"fixed_term": "1", "career_level": "02", "include_expired": "1"}).text
    assert re.search(r'name="fixed_term" value="true" checked', html)
    assert 'id="include_expired" name="include_expired" value="true" checked' in html
    assert 'name="career_level" value="2" checked' in html
    assert not re.search(r'value="(1|02)" checked', html)  # no extra "1 (0 Stellen)" option


def test_a_repeated_search_term_counts_once_the_last_as_in_the_api(client):
    html = client.get("/?q=Kassierer&q=Erzieherin").text
    api = client.get("/api/v1/vacancies?q=Kassierer&q=Erzieherin").json()
    assert "1 Stelle gefunden" in html and api["total"] == 1
    assert 'value="Erzieherin"' in html and "Kassierer" not in text_of(html).split("Stelle gefunden")[0]


def test_a_bad_hidden_value_is_not_carried_into_the_next_search(client):
    response = client.get("/", params={"sort": "foo", "per_page": "abc", "q": "Erzieher"})
    assert response.status_code == 422
    html = response.text
    assert 'name="sort" value="foo"' not in html and 'name="per_page" value="abc"' not in html
    assert "unbekannte Auswahl" in html and "'relevance'" not in html
    assert "<title>Fehler: „Erzieher“ – Stellensuche" in html  # screen readers hear it first


def test_a_page_past_the_last_says_so_and_links_the_last_page(client):
    response = client.get("/", params={"per_page": "5", "page": "50"})
    assert response.status_code == 404
    html = response.text
    assert "die Treffer reichen bis Seite 4" in html
    assert 'href="/?per_page=5&amp;page=4">Zur letzten Seite' in html
    assert "Seite 50 von" not in html
    assert 'href="/?per_page=5&amp;page=4" rel="prev"' in html  # not to the empty page 49
    district = client.get("/landkreise/miltenberg", params={"page": "99"})
    assert district.status_code == 404 and "Zur letzten Seite" in district.text


def test_titles_are_escaped_and_only_marks_are_markup(client):
    html = client.get("/", params={"q": "Kassierer"}).text
    assert XSS not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html or "&lt;script&gt;" in html
    assert "<mark>Kassierer</mark>" in html


def test_filters_radius_sort_and_paging_live_in_the_url(client):
    html = client.get("/", params={"working_time": "part_time", "district": "fuerstenfeldbruck"}).text
    assert "2 Stellen gefunden" in html
    assert 'name="working_time" value="part_time" checked' in html
    html = client.get("/", params={"near": "63897", "radius_km": "10"}).text
    assert "im Umkreis von 10 km um 63897 Miltenberg" in html
    assert "0,0 km entfernt" in html
    html = client.get("/", params={"sort": "deadline", "per_page": "5", "page": "2"}).text
    assert "Seite 2 von 4" in html
    assert 'aria-current="true">Bewerbungsfrist</a>' in html
    assert 'href="/?sort=deadline&amp;per_page=5&amp;page=3" rel="next"' in html
    assert '<input type="hidden" name="sort" value="deadline">' in html


def test_sort_by_distance_is_offered_with_a_place_only(client):
    assert ">Entfernung</a>" not in client.get("/", params={"q": "Sachbearbeiter"}).text
    html = client.get("/", params={"near": "63739", "radius_km": "50", "sort": "distance"}).text
    assert 'href="/?near=63739&amp;radius_km=50&amp;sort=distance" aria-current="true">Entfernung</a>' in html
    assert '<input type="hidden" name="sort" value="distance">' in html
    assert html.index("0,0 km entfernt") < html.index("31,4 km entfernt")


def test_sort_by_distance_without_a_place_is_explained_and_dropping_the_place_drops_it(client):
    response = client.get("/", params={"sort": "distance"})
    assert response.status_code == 422
    assert "Nach Entfernung sortieren geht nur mit einem Ort oder einer PLZ" in response.text
    html = client.get("/", params={"q": "Jurist", "near": "63739", "radius_km": "5", "sort": "distance"}).text
    assert '<a href="/?q=Jurist&amp;radius_km=5">„Ort: 63739“ entfernen</a> – 1 Stelle' in html


def test_a_postal_code_in_the_search_words_is_the_place_and_the_page_says_so(client):
    html = client.get("/", params={"q": "Verwaltung 63897"}).text
    assert "Die PLZ im Suchbegriff gilt als Ort: Stellen im Umkreis von 25 km um 63897 Miltenberg" in html
    assert "gesucht nach „Verwaltung“" in html and "0,0 km entfernt" in html
    assert ">Entfernung</a>" in html  # a place: sorting by distance is offered
    html = client.get(
        "/", params={"q": "Sachbearbeiter 63739", "radius_km": "100", "sort": "distance", "per_page": "1"}
    ).text
    assert "0,0 km entfernt" in html and 'aria-current="true">Entfernung</a>' in html
    next_page = "/?q=Sachbearbeiter+63739&amp;radius_km=100&amp;sort=distance&amp;per_page=1&amp;page=2"
    assert f'href="{next_page}" rel="next"' in html


def test_a_place_named_in_the_search_words_is_offered_when_nothing_is_found(client):
    html = client.get("/", params={"q": "Sachbearbeiterin Kleinostheim"}).text
    assert "Keine passenden Stellen" in html
    link = '<a href="/?q=Sachbearbeiterin&amp;near=63801+Kleinostheim">'
    # v02 and v07 (Sachbearbeitung) in Aschaffenburg, 6 km away
    assert (
        f"Ist „Kleinostheim“ ein Ort? {link}„Sachbearbeiterin“ im Umkreis von 25 km um 63801 Kleinostheim "
        "suchen</a> – 2 Stellen"
    ) in html


def test_the_no_results_tip_names_the_radius_only_when_a_place_was_given(client):
    assert "vergrößern Sie den Umkreis" not in client.get("/", params={"q": "Astronautin"}).text
    html = client.get("/", params={"q": "Astronautin", "near": "63897"}).text
    assert "Keine passenden Stellen" in html and "vergrößern Sie den Umkreis" in html


def test_did_you_mean_corrects_a_misspelling_to_a_title_word_that_finds_postings(client):
    html = client.get("/", params={"q": "Erzieer"}).text
    assert 'Meinten Sie <a href="/?q=Erzieher">„Erzieher“</a>?' in html
    assert "1 Stelle gefunden" in client.get("/", params={"q": "Erzieher"}).text
    html = client.get("/", params={"q": "Sachbearbeitr"}).text
    assert "Keine passenden Stellen" in html
    assert "„Sachbearbeiter“" in html


def test_no_did_you_mean_for_known_words_or_unfixable_ones(client):
    assert "Meinten Sie" not in client.get("/", params={"q": "Erzieherinnen"}).text
    assert "Meinten Sie" not in client.get("/", params={"q": "Verwalt"}).text  # still typing
    assert "Meinten Sie" not in client.get("/", params={"q": "xyzzy"}).text


def test_no_results_names_the_filters_to_drop_with_links(client):
    html = client.get("/", params={"q": "Jurist", "district": "miltenberg"}).text
    assert "Keine passenden Stellen" in html
    assert '<a href="/?q=Jurist">„Landkreis: Miltenberg“ entfernen</a> – 1 Stelle' in html
    assert '<a href="/?district=miltenberg">„Suchbegriff: Jurist“ entfernen</a> – 5 Stellen' in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"per_page": "abc"}, "Treffer pro Seite", "muss eine ganze Zahl sein"),
        ({"near": "Atlantis"}, "near-error", "„Atlantis“ ist nicht bekannt"),
        ({"radius_km": "0"}, "radius_km-error", "muss größer als 0"),
        ({"pay_grade_min": "Z99"}, "pay_grade_min-error", "keine Entgelt- oder Besoldungsgruppe"),
        ({"posting_type": "boss"}, "Art der Stelle", "unbekannte Auswahl"),
        ({"page": "999", "per_page": "100"}, "Seite", "höchstens 10.000 Treffer"),
        ({"sort": "random"}, "Sortierung", "unbekannte Auswahl"),
    ],
)
def test_bad_parameters_render_the_form_with_a_german_message_and_422(client, params, field, message):
    response = client.get("/", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Bitte prüfen Sie Ihre Angaben" in response.text
    assert field in response.text and message in response.text


def test_every_mistake_is_reported_at_once(client):
    html = client.get("/", params={"per_page": "abc", "near": "Atlantis"}).text
    assert 'id="near-error"' in html and 'aria-invalid="true" aria-describedby="near-error"' in html
    assert "Treffer pro Seite: muss eine ganze Zahl sein" in html


def test_search_page_is_light(client):
    html = client.get("/").content
    assert len(html) <= SEARCH_HTML_LIMIT
    css = client.get("/static/site.css").content
    js = client.get("/static/site.js").content
    assert len(html) + len(css) + len(js) <= PAGE_LIMIT


def test_templates_have_no_inline_script_or_handlers(client):
    for url in ("/", FULL, "/landkreise", "/landkreise/miltenberg", "/ueber"):
        found = parsed(client.get(url).text)
        assert found.handlers == []
        for attrs in found.scripts:
            assert "src" in attrs or attrs.get("type") == "application/ld+json"
        assert len(found.ids) == len(set(found.ids)), url


def test_pay_scale_facet_is_a_filter(client):
    html = client.get("/", params={"pay_scale": "BayBesG"}).text
    assert "3 Stellen gefunden" in html
    assert "<legend>Tarif / Besoldungsordnung</legend>" in html
    assert 'name="pay_scale" value="BayBesG" checked' in html
    assert re.search(r'name="pay_scale" value="TVöD-SuE">', html)  # another scale is one click away


def test_start_asap_facet_is_a_radio_group_that_filters(client):
    html = client.get("/").text
    assert "<legend>Beginn</legend>" in html
    assert re.search(r'type="radio" id="f-start_asap-\d" name="start_asap" value="true">', html)
    assert "sofort zu besetzen" in html
    chosen = client.get("/", params={"start_asap": "true"}).text
    assert re.search(r'name="start_asap" value="true" checked', chosen)
    assert "3 Stellen gefunden" in chosen


def test_reset_all_filters_drops_every_facet_of_the_registry(client):
    """The link listed the facets by hand and kept pay_scale; it now takes them from the registry."""
    params = {"q": "Verwaltung", "pay_scale": "BayBesG", "district": "miltenberg", "start_asap": "false"}
    html = client.get("/", params=params).text
    link = re.search(r'<a href="([^"]*)">Alle Filter zurücksetzen</a>', html)
    assert link is not None and link.group(1).replace("&amp;", "&") == "/?q=Verwaltung"


# -- posting page ---------------------------------------------------------------------------------------


def test_posting_page_shows_facts_apply_button_attachments_and_similar(client):
    response = client.get(FULL)
    assert response.status_code == 200
    text = text_of(response.text)
    for fact in (
        "Entgelt TVöD E9a",
        "Arbeitszeit Vollzeit, Teilzeit (39 Std./Woche)",
        "Befristung befristet auf 24 Monate",
        "Qualifikationsebene 3. Qualifikationsebene",
        f"Bewerbungsfrist {(today() + timedelta(days=5)).strftime('%d.%m.%Y')} (noch 5 Tage)",
        "Kennziffer KK-2026-17",
        "Ansprechpartner Frau Muster, 09371 501-0, personal@lra-mil.de",
    ):
        assert fact in text
    html = response.text
    assert html.count('<a class="button" href="https://www.landkreis-miltenberg.de/bewerben/4711"') == 2
    assert "4711.pdf" in html and "Ausschreibung (PDF)" in html
    assert "Ähnliche Stellen" in html


def test_contact_phone_and_email_are_links(client):
    html = client.get(FULL).text
    assert '<a href="tel:+4993715010">09371 501-0</a>' in html
    assert '<a href="mailto:personal@lra-mil.de">personal@lra-mil.de</a>' in html


def test_apply_button_comes_before_the_facts(client):
    html = client.get(FULL).text
    top = html.index('class="apply apply-top"')
    assert top < html.index('id="facts-title"') and top < html.index("<dl>")


def test_old_address_redirects_permanently_to_the_readable_one_with_its_query(client):
    response = client.get("/stellen/web:full?zurueck=%2F%3Fq%3DKasse", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"https://stellen.example{FULL}?zurueck=%2F%3Fq%3DKasse"
    assert client.get(FULL).status_code == 200


def test_an_outdated_title_in_the_address_redirects_to_the_current_one(client):
    response = client.get(f"/stellen/alter-titel-{short_id('web:full')}", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == f"https://stellen.example{FULL}"


def test_results_link_readable_addresses_that_lead_back_to_the_same_results(client):
    html = client.get("/", params={"q": "Kassierer", "district": "miltenberg"}).text
    link = f"{FULL}?zurueck=%2F%3Fq%3DKassierer%26district%3Dmiltenberg"
    assert f'href="{link.replace("&", "&amp;")}"' in html
    posting = client.get(link).text
    assert '<a href="/?q=Kassierer&amp;district=miltenberg">‹ Zurück zu den Treffern</a>' in posting
    district = client.get("/landkreise/miltenberg", params={"page": "1"}).text
    assert "zurueck=%2Flandkreise%2Fmiltenberg" in district
    posting = client.get(FULL, params={"zurueck": "/landkreise/miltenberg?page=2"}).text
    assert '<a href="/landkreise/miltenberg?page=2">‹ Zurück zu den Treffern</a>' in posting


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/hr/stellen",
        "/stellen/x",
        "/?q=a\n",
        "",
        "x" * 3000,
    ],
)
def test_the_way_back_only_leads_to_our_own_search_pages(client, back):
    html = client.get(FULL, params={"zurueck": back}).text
    assert '<p class="back"><a href="/">‹ Zur Stellensuche</a></p>' in html
    assert "evil" not in html and "javascript:" not in html


def test_posting_description_is_sanitised_and_title_escaped(client):
    html = client.get(FULL).text
    assert XSS not in html
    assert "onerror" not in html
    assert "<h3>Ihre Aufgaben</h3><p>Führung der Kasse.</p>" in html  # allowed markup kept
    assert "<h1>Kassierer (m/w/d) &lt;script&gt;" in html


def test_posting_json_ld_has_what_google_requires(client):
    html = client.get(FULL).text
    data = json_ld(html)
    assert "</script" not in re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1)
    assert data["@type"] == "JobPosting" and data["@context"] == "https://schema.org"
    required = ("title", "description", "datePosted", "validThrough", "hiringOrganization", "jobLocation")
    for name in required:
        assert data[name], name
    assert data["hiringOrganization"]["name"] == "Landratsamt Miltenberg"
    address = data["jobLocation"]["address"]
    assert address["@type"] == "PostalAddress" and address["addressCountry"] == "DE"
    assert address["postalCode"] == "63897" and address["addressLocality"] == "Miltenberg"
    assert data["employmentType"] == ["FULL_TIME", "PART_TIME", "TEMPORARY"]
    assert data["identifier"]["value"] == "KK-2026-17"
    assert data["directApply"] is False
    assert data["validThrough"].startswith((today() + timedelta(days=5)).isoformat())
    assert "<script" not in data["description"] and data["title"].endswith(XSS)
    assert data["url"] == f"https://stellen.example{FULL}"
    assert f'<link rel="canonical" href="https://stellen.example{FULL}">' in html


def test_apply_falls_back_to_mail_and_the_source(client, board):
    html = client.get("/stellen/v01").text
    assert "Jetzt bewerben" not in html and "Per E-Mail" not in html  # corpus postings have no channel
    assert json_ld(html)["jobLocation"]["address"]["addressCountry"] == "DE"


def test_expired_posting_is_shown_without_json_ld(client):
    response = client.get("/stellen/v10")
    assert response.status_code == 200
    assert "nicht mehr ausgeschrieben" in response.text
    assert "application/ld+json" not in response.text and 'content="noindex"' in response.text


@pytest.mark.parametrize("vacancy_id", ["nope", "v12", "v13", "web:hidden"])
def test_unknown_draft_withdrawn_and_hidden_postings_are_404(client, vacancy_id):
    response = client.get(f"/stellen/{vacancy_id}")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_posting_page_is_light(client):
    assert len(client.get(FULL).content) <= SEARCH_HTML_LIMIT


# -- districts, map, static pages -------------------------------------------------------------------------


def test_districts_overview_has_map_and_table(client):
    html = client.get("/landkreise").text
    assert "<svg" in html and "<title>Miltenberg: 5 offene Stellen</title>" in html
    row = '<a href="/landkreise/miltenberg">Miltenberg</a></th><td>ja</td><td class="num">5</td>'
    assert row in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")


def test_map_svg_is_a_standalone_image_without_external_references(client):
    response = client.get("/karte.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    svg = response.text
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<title>Starnberg: 4 offene Stellen</title>" in svg
    assert "<script" not in svg and "href" not in svg


def test_map_description_counts_in_german_singular_and_plural():
    from vacancies.districts import load as load_districts
    from web.svgmap import render

    items = list(load_districts())
    one = {items[0].slug: 1}
    assert "1 offene Stelle in 1 Landkreis</desc>" in render(items, one)
    many = {items[0].slug: 2, items[1].slug: 3}
    assert "5 offene Stellen in 2 Landkreisen</desc>" in render(items, many)


def test_district_page_lists_its_postings_and_profile(client):
    html = client.get("/landkreise/bad-toelz-wolfratshausen").text
    assert "Landkreis Bad Tölz-Wolfratshausen" in html
    assert "zwischen Isartal und Karwendel" in html
    assert "2 offene Stellen" in html and "Sozialpädagogin" in html
    assert "Bauingenieur" not in html


def test_unknown_district_is_404(client):
    response = client.get("/landkreise/atlantis")
    assert response.status_code == 404 and "Landkreis kennt die Stellenbörse nicht" in response.text


@pytest.mark.parametrize("url", ["/ueber", "/impressum", "/datenschutz"])
def test_static_pages(client, url):
    response = client.get(url)
    assert response.status_code == 200 and "<h1>" in response.text


def test_privacy_page_names_geonames(client):
    attribution = "Postleitzahlen und Koordinaten: GeoNames (geonames.org), CC BY 4.0"
    assert attribution in client.get("/datenschutz").text


def test_unknown_address_is_a_german_page_for_browsers_and_a_problem_for_the_api(client):
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404 and "Seite nicht gefunden" in response.text
    api = client.get("/api/v1/gibt-es-nicht", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


# -- suggest --------------------------------------------------------------------------------------------


def test_suggest_titles_from_open_postings(client):
    data = client.get("/api/v1/suggest", params={"q": "sach", "kind": "title"}).json()
    values = [s["value"] for s in data["suggestions"]]
    assert values == ["Sachbearbeiterin Ausländerbehörde", "Sachbearbeiter Straßenverkehrsbehörde"]
    assert "Erzieherin Hort" not in [
        s["value"] for s in client.get("/api/v1/suggest", params={"q": "erz"}).json()["suggestions"]
    ]


def test_suggest_places_from_the_gazetteer(client):
    data = client.get("/api/v1/suggest", params={"q": "6389", "kind": "place"}).json()
    assert {"value": "63897 Miltenberg", "label": "Miltenberg (63897)"} in data["suggestions"]
    assert client.get("/api/v1/suggest", params={"q": "x", "kind": "weather"}).status_code == 422
