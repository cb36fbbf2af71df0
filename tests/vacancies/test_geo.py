"""The gazetteer: postal codes and place names from config/geo/plz_de.csv."""

from __future__ import annotations

import pytest

from vacancies.geo import Gazetteer, config_dir, fold_name, get_gazetteer


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Bad Tölz", "bad tolz"),
        ("bad toelz", "bad tolz"),
        ("Bad-Tolz", "bad tolz"),
        ("  MÜNCHEN ", "munchen"),
        ("Muenchen", "munchen"),
        ("Weißenburg i.Bay.", "weissenburg i bay"),
        ("Sankt Pölten", "sankt polten"),
        ("Besançon", "besancon"),  # accents of other languages are dropped too
        ("Neustadt a.d. Waldnaab", "neustadt a d waldnaab"),
        ("", ""),
    ],
)
def test_fold_name(written, folded):
    assert fold_name(written) == folded


def test_postal_code_and_place_name_lookups():
    gazetteer = get_gazetteer()
    by_code = gazetteer.lookup("63897")
    assert by_code is not None and "Miltenberg" in by_code.label
    by_name = gazetteer.lookup("muenchen")
    assert by_name is not None and abs(by_name.lat - 48.14) < 0.2
    assert gazetteer.lookup("Gibt es nicht") is None


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Fürth", "90762 Fürth"),  # a city; "Furth" is a village 125 km away
        ("Fuerth", "90762 Fürth"),
        ("Furth", "84095 Furth"),
        ("Pöcking", "82343 Pöcking"),  # Starnberg; "Pocking" is in Landkreis Passau
        ("Pocking", "94060 Pocking"),
        ("Bad Tolz", "83646 Bad Tölz"),  # typed without dots: the folded name still finds it
    ],
)
def test_umlauts_keep_places_apart_and_are_found_without_dots(typed, found):
    point = get_gazetteer().lookup(typed)
    assert point is not None and point.label == found


def test_suggestions_put_the_spelling_as_typed_first():
    names = [place.name for place in get_gazetteer().suggest("Fürt")]
    assert names[0] == "Fürth" and "Furth" in names
    assert get_gazetteer().suggest("Furt")[0].name == "Furth"


@pytest.mark.parametrize("name", ["Grafenau", "Altdorf", "Seefeld"])
def test_an_ambiguous_place_name_prefers_the_bavarian_place(name):
    # each is listed first for another state in the table
    assert get_gazetteer().by_name[fold_name(name)].state == "Bayern"


def test_a_table_with_other_columns_is_refused_with_its_name(tmp_path):
    table = tmp_path / "plz.csv"
    table.write_text("plz,ort,lat,lon\n63897,Miltenberg,49.7,9.26\n", encoding="utf-8")
    with pytest.raises(ValueError, match="plz.csv: Spalten"):
        Gazetteer(table)


def test_the_shipped_table_loads_completely():
    gazetteer = Gazetteer(config_dir() / "geo" / "plz_de.csv")
    # 8,200 place codes plus 2,600 codes of single firms and offices (plz_de_grosskunden.csv)
    assert len(gazetteer.place_codes) > 8000 and len(gazetteer.by_code) > 10_000
    assert len(gazetteer.by_name) > 13_000


@pytest.mark.parametrize("typed", ["630", "6306", "AXA", "AOK", "Honeywell", "Landratsamt", "Deutsche"])
def test_suggestions_are_places_never_the_postal_codes_of_firms(typed):
    suggestions = get_gazetteer().suggest(typed)
    names = [place.name for place in suggestions]
    assert not any(word in name for name in names for word in ("AXA", "AOK", "GmbH", " AG", "Honeywell"))
    if typed.isdigit():  # 63065 Offenbach am Main is a place, 63059 (AXA / DBV) and 63063 (Honeywell) are not
        codes = [place.postal_code for place in suggestions]
        assert "63059" not in codes and "63063" not in codes and codes == sorted(codes) and codes
    else:
        assert names == []


def test_a_firms_postal_code_still_resolves_but_its_name_is_no_place():
    gazetteer = get_gazetteer()
    office = gazetteer.lookup("85350")  # Landratsamt, Stadtverwaltung and Finanzamt Freising
    assert office is not None and abs(office.lat - 48.4) < 0.1
    assert gazetteer.lookup("Landratsamt Freising") is None and gazetteer.lookup("Honeywell GmbH") is None
    assert gazetteer.lookup("63897").label == "63897 Miltenberg"  # a place of the code wins over firms


def test_suggestions_list_larger_places_first():
    names = [place.name for place in get_gazetteer().suggest("Fre")]
    # Freising has two postal codes, Freyung and Freihung one each
    assert names[0] == "Freising" and {"Freyung", "Freihung"} <= set(names)
    assert [place.name for place in get_gazetteer().suggest("Münch")][0] == "München"
    assert [place.name for place in get_gazetteer().suggest("Wür")][0] == "Würzburg"


@pytest.mark.parametrize(
    ("text", "rest", "label"),
    [
        ("Verwaltung 85354", "Verwaltung", "85354 Freising"),
        ("85354 Erzieher  Kita", "Erzieher Kita", "85354 Freising"),
        ("63897", "", "63897 Miltenberg"),
        ("Kennziffer 24-00123", "Kennziffer 24-00123", None),  # digits inside a reference are no code
        ("Verwaltung 10115", "Verwaltung 10115", None),  # Berlin: the board is Bavarian
        ("Verwaltung 85350", "Verwaltung 85350", None),  # the Landratsamt's own code is no place
        ("Verwaltung 99999", "Verwaltung 99999", None),
    ],
)
def test_a_bavarian_postal_code_among_the_search_words_is_a_place(text, rest, label):
    words, point = get_gazetteer().postal_code_in(text)
    assert words == rest and (point.label if point else None) == label


def test_a_place_named_among_the_search_words_is_found_with_the_other_words():
    gazetteer = get_gazetteer()
    rest, place = gazetteer.place_name_in("Erzieher Bad Tölz")
    assert rest == "Erzieher" and place.name == "Bad Tölz"
    assert gazetteer.place_name_in("Freising") is None  # nothing left to search for
    assert gazetteer.place_name_in("Verwaltung Atlantis") is None


def test_a_posting_with_an_offices_postal_code_gets_coordinates_but_not_the_office_as_its_town():
    from vacancies.enrich import enrich
    from vacancies.model import Vacancy

    def located(code: str) -> Vacancy:
        record = {"id": "g1", "source": "geo", "district": "freising", "title": "Sachbearbeiter"}
        record["location"] = {"postal_code": code}
        return enrich(Vacancy.model_validate(record), get_gazetteer())

    office = located("85350")  # Landratsamt Freising
    assert office.location.lat is not None and office.location.city is None
    assert located("85354").location.city == "Freising"
