"""config/districts.yaml: the shipped file is valid; every error names district, field and problem."""

from __future__ import annotations

import pytest

from crawler.config import DistrictsConfigError, load_districts

GOOD = """
districts:
  - slug: miltenberg
    key: "09676"
    name: Miltenberg
    lat: 49.7
    lon: 9.2
    member: true
    sources:
      - key: miltenberg-web
        strategy: html
        start_urls: ["https://example.org/stellen"]
        options: {link_selector: "a.stelle"}
"""


def test_shipped_config_lists_all_71_landkreise():
    config = load_districts()
    assert len(config.districts) == 71
    assert {"miltenberg", "aschaffenburg", "bad-toelz-wolfratshausen", "starnberg", "fuerstenfeldbruck"} <= {
        d.slug for d in config.members
    }
    assert config.district("miltenberg").key == "09676"
    assert all(s.district for s in config.sources())


def test_valid_config_fills_district_into_sources():
    source = load_districts(text=GOOD).sources()[0]
    assert source.district == "miltenberg" and source.options == {"link_selector": "a.stelle"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("strategy: html", "strategy: magie"),
            "Landkreis „miltenberg“, sources[0].strategy: unbekannte Strategie",
        ),
        (('key: "09676"', 'key: "08111"'), "Landkreis „miltenberg“, key:"),
        (('start_urls: ["https://example.org/stellen"]', "start_urls: []"), "sources[0].start_urls:"),
        (
            ('start_urls: ["https://example.org/stellen"]', 'start_urls: ["ftp://x"]'),
            "keine vollständige http(s)",
        ),
        (
            ('start_urls: ["https://example.org/stellen"]', 'start_urls: ["http://"]'),
            "keine vollständige http(s)",
        ),
        (
            ('start_urls: ["https://example.org/stellen"]', 'start_urls: ["https://exa mple.org/x"]'),
            "„https://exa mple",
        ),
        (('options: {link_selector: "a.stelle"}', "options: {}"), "sources[0]: options.link_selector: fehlt"),
        (
            ('options: {link_selector: "a.stelle"}', 'options: {link_selector: "a[[["}'),
            "Selektor „a[[[“ ist ungültig",
        ),
        (
            (
                'options: {link_selector: "a.stelle"}',
                'options: {link_selector: "xpath://a[", next_selector: "a"}',
            ),
            "options.link_selector: Selektor",
        ),
        (
            (
                'options: {link_selector: "a.stelle"}',
                'options: {link_selector: "a", api_ulr: "https://x.de"}',
            ),
            "options.api_ulr: unbekannte Option der Strategie html",
        ),
        (
            ('options: {link_selector: "a.stelle"}', 'options: {link_selector: "a", fields: [title]}'),
            "options.fields: muss eine Zuordnung",
        ),
        (
            ('options: {link_selector: "a.stelle"}', 'options: {link_selector: "a", fields: {titel: h1}}'),
            "options.fields.titel: unbekanntes Feld",
        ),
        (("member: true", "member: false"), "nur Mitglieder haben Quellen"),
        (("name: Miltenberg", "nme: Miltenberg"), "nme: unbekanntes Feld"),
        (("strategy: html", "strategy: html\n        schedule: jeden Abend"), "kein gültiger Cron-Ausdruck"),
    ],
)
def test_errors_name_district_field_and_problem(change, expected):
    with pytest.raises(DistrictsConfigError) as caught:
        load_districts(text=GOOD.replace(*change))
    assert expected in str(caught.value)


def test_duplicate_source_keys_are_refused():
    twice = GOOD + GOOD.split("districts:\n", 1)[1].replace("slug: miltenberg", "slug: aschaffenburg")
    with pytest.raises(DistrictsConfigError, match="Quelle „miltenberg-web“ ist doppelt"):
        load_districts(text=twice)


def test_unreadable_yaml_is_a_clear_error():
    with pytest.raises(DistrictsConfigError, match="nicht lesbar"):
        load_districts(text="districts: [unclosed")


def test_css_with_scrapy_pseudo_elements_and_xpath_selectors_are_accepted():
    options = 'options: {link_selector: "a.stelle::attr(href)", fields: {title: "xpath://h1/text()"}}'
    source = load_districts(text=GOOD.replace('options: {link_selector: "a.stelle"}', options)).sources()[0]
    assert source.options["fields"] == {"title": "xpath://h1/text()"}


def test_a_source_key_used_twice_names_both_districts():
    second = GOOD.split("districts:\n", 1)[1].replace("miltenberg", "starnberg").replace("09676", "09188")
    text = GOOD + second.replace("key: starnberg-web", "key: miltenberg-web")
    with pytest.raises(
        DistrictsConfigError, match="„miltenberg-web“ ist doppelt eingetragen.*„miltenberg“ und „starnberg“"
    ):
        load_districts(text=text)
