"""The German analyzer shared by both search engines (vacancies/search/analysis.py).

`matches` applies the text semantics of vacancies/search/contract.py (AND of groups; a group matches when
a document token equals one of its terms or starts with one of its prefixes) to the analyzer's output, so
these tests check what both engines will find.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from vacancies.search.analysis import (
    GermanAnalyzer,
    QueryGroup,
    default_config_dir,
    fold,
    get_analyzer,
    highlight,
    snippet,
)

SAFE = re.compile(r"[a-z0-9]+")


@pytest.fixture(scope="module")
def analyzer() -> GermanAnalyzer:
    return get_analyzer()


def matches(analyzer: GermanAnalyzer, doc_text: str, query_text: str) -> bool:
    tokens = set(analyzer.document_tokens(doc_text))
    groups = analyzer.query_groups(query_text)
    assert groups, f"query {query_text!r} produced no groups"
    return all(
        any(t in tokens for t in g.terms) or any(tok.startswith(g.prefixes) for tok in tokens if g.prefixes)
        for g in groups
    )


def overlap(analyzer: GermanAnalyzer, doc_text: str, query_word: str) -> set[str]:
    """Exact (non-prefix) token overlap between a document and a closed single-word query."""
    (group,) = analyzer.query_groups(query_word + " ")
    return set(analyzer.document_tokens(doc_text)) & set(group.terms)


# ---------------------------------------------------------------- tokens


def test_tokens_are_safe_and_punctuation_splits(analyzer):
    tokens = analyzer.document_tokens('Bau-/Planungs"recht"; E9, A13 (TVöD) ab 01.10.2027! C++ & <b>')
    assert tokens and all(SAFE.fullmatch(t) for t in tokens)
    assert {"e9", "a13", "2027", "tvod"} <= set(tokens)
    assert "recht" in tokens


@pytest.mark.parametrize(
    "noise", ["(m/w/d)", "(w/m/d)", "(m/w/div)", "(gn)", "m/w/d", "(M/W/D)", "(m/w/x)", "und oder die"]
)
def test_gender_markers_and_stopwords_give_no_tokens(analyzer, noise):
    assert analyzer.document_tokens(noise) == []
    assert analyzer.query_groups(noise) == []


def test_title_with_marker_keeps_only_words(analyzer):
    assert analyzer.document_tokens("Erzieher (m/w/d)") == ["erzieh"]


@pytest.mark.parametrize("query", ["", "   ", "der die das", '"*():!~^\\/[]{}-+&|<>', "m/w/d ", "--", "*"])
def test_empty_or_stopword_query_gives_no_groups(analyzer, query):
    assert analyzer.query_groups(query) == []


@pytest.mark.parametrize(
    "query",
    [
        '"Sachbearbeiter*" AND (Jugendamt: !x) ~2 ^3 \\ / [a] {b} -c +d && e || f <g> NEAR(',
        "Verwaltung) OR (",
        'title_tokens:"x" -- */',
        "\x00\t\u200bStraße\u00ad!",
    ],
)
def test_hostile_query_is_safe(analyzer, query):
    groups = analyzer.query_groups(query)
    for g in groups:
        assert all(SAFE.fullmatch(t) for t in g.terms + g.prefixes)


# ---------------------------------------------------------------- folding


@pytest.mark.parametrize(
    ("doc", "query"),
    [
        ("Straße", "Strasse"),
        ("Strasse", "Straße"),
        ("München", "Muenchen"),
        ("Muenchen", "München"),
        ("Kämmerei", "Kammerei"),
        ("Kämmerei", "Kaemmerei"),
        ("Kaemmerei", "KÄMMEREI"),
        ("Öffentlichkeitsarbeit", "oeffentlichkeitsarbeit"),
        ("Bürgerbüro", "Buergerbuero"),
    ],
)
def test_umlaut_and_eszett_folding(analyzer, doc, query):
    assert overlap(analyzer, doc, query)
    assert matches(analyzer, doc, query + " ")


@pytest.mark.parametrize("word", ["neue", "Steuer", "Feuerwehr", "Quelle", "Bauer", "Betreuung", "aktuell"])
def test_ue_words_find_themselves(analyzer, word):
    assert matches(analyzer, word, word + " ")
    assert matches(analyzer, word.upper(), word.lower() + " ")


def test_ue_after_vowel_is_not_folded(analyzer):
    assert analyzer.normalize_word("Steuer") != analyzer.normalize_word("Ster")
    assert analyzer.normalize_word("Steuer").startswith("steu")


# ---------------------------------------------------------------- stemming and gender


@pytest.mark.parametrize(
    ("doc", "query"),
    [
        ("Sachbearbeiter", "Sachbearbeiterin"),
        ("Sachbearbeiterin", "Sachbearbeiter"),
        ("Erzieher", "Erzieherinnen"),
        ("Erzieherinnen", "Erzieher"),
        ("Erzieherin", "Erzieher"),
        ("Beamter", "Beamtin"),
        ("Beamtin", "Beamte"),
        ("Kaufmann", "Kauffrau"),
        ("Kauffrau", "Kaufmann"),
        ("Industriekauffrau", "Industriekaufmann"),
        ("Ingenieurin", "Ingenieur"),
        ("Ärztin", "Arzt"),
        ("Juristin", "Juristen"),
        ("Verwaltungen", "Verwaltung"),
    ],
)
def test_stemming_and_gender_forms(analyzer, doc, query):
    assert overlap(analyzer, doc, query)
    assert matches(analyzer, doc, query + " ")


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("Medizin", "Mediz"),
        ("Termin", "Term"),
        ("Benzin", "Benz"),
        ("Disziplin", "Diszipl"),
        ("Kaminen", "Kam"),
    ],
)
def test_words_ending_in_in_are_not_gender_stripped(analyzer, word, other):
    assert analyzer.normalize_word(word) != analyzer.normalize_word(other)
    assert matches(analyzer, word, word + " ")


def test_kamin_plural_finds_singular(analyzer):
    assert matches(analyzer, "Kaminen", "Kamin ")


def test_normalize_word(analyzer):
    assert analyzer.normalize_word("Erzieherinnen") == analyzer.normalize_word("Erzieher") == "erzieh"
    assert analyzer.normalize_word("E9a") == "e9a"
    assert analyzer.normalize_word("!!") == ""


# ---------------------------------------------------------------- compounds


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Verwaltungsfachangestellte", {"verwalt", "fach", "angestellt"}),
        ("Verwaltungsfachangestellten", {"verwalt", "fach", "angestellt"}),
        ("Sozialpädagogin", {"sozial", "padagog"}),
        ("Jugendamt", {"jugend", "amt"}),
        ("Straßenbauingenieur", {"strass", "bau", "ingenieur"}),
        ("Gesundheitsamt", {"amt"}),
        ("Umweltschutzingenieurin", {"umwelt", "schutz", "ingenieur"}),
    ],
)
def test_compound_parts_are_indexed_with_the_whole_word(analyzer, word, parts):
    tokens = analyzer.document_tokens(word)
    assert tokens[0] == analyzer.normalize_word(word)
    assert parts <= set(tokens)


@pytest.mark.parametrize(
    ("doc", "query"),
    [
        ("Verwaltungsfachangestellte", "Verwaltung"),
        ("Verwaltungsfachangestellte", "Verwaltungen"),
        ("Verwaltungsfachangestellte", "Angestellte"),
        ("Verwaltungsfachangestellte (m/w/d)", "Verwaltungsfachangestellte"),
        ("Sozialpädagogin im Jugendamt", "Pädagoge Amt"),
        ("Straßenbauingenieur", "Ingenieurin"),
    ],
)
def test_query_finds_compound_documents(analyzer, doc, query):
    assert matches(analyzer, doc, query + " ")


@pytest.mark.parametrize("word", ["Hoffnung", "Ratgeber", "Baustein", "Verwaltung", "Kinder"])
def test_no_split_without_known_parts(analyzer, word):
    assert analyzer.document_tokens(word) == [analyzer.normalize_word(word)]


def test_no_compound_part_shorter_than_three(analyzer):
    for word in ["Verwaltungsfachangestellte", "Landratsamt", "Kindertagesstätte", "Bauamtsleiter"]:
        parts = analyzer.split_compound(fold(word))
        assert len(parts) >= 2
        assert all(len(p) >= 3 for p in parts)


def test_query_compound_is_one_group_not_and_of_parts(analyzer):
    groups = analyzer.query_groups("Verwaltungsfachangestellte ")
    assert len(groups) == 1
    assert "verwaltungsfachangestellt" in groups[0].terms
    assert "fach" not in groups[0].terms
    # a document with only one of the parts does not match the compound query
    assert not matches(analyzer, "Fachkraft Verwaltung", "Verwaltungsfachangestellte ")


def test_hyphenated_words_index_parts_and_joined_form(analyzer):
    tokens = analyzer.document_tokens("Kfz-Mechatroniker")
    assert {"kfz", "mechatron", "kfzmechatron"} <= set(tokens)
    assert matches(analyzer, "Kfzmechatroniker", "Kfz-Mechatroniker ")


# ---------------------------------------------------------------- synonyms


@pytest.mark.parametrize(
    ("doc", "query"),
    [
        ("Ausbildungsplatz Verwaltungsfachangestellter", "Azubi"),
        ("Auszubildende (m/w/d) gesucht", "Lehrstelle "),
        ("Fachinformatiker Systemintegration", "IT "),
        ("EDV-Betreuer", "Informatik "),
        ("Kita Sonnenschein", "Kindergarten "),
        ("Mobiles Arbeiten möglich", "Homeoffice "),
        ("Home-Office möglich", "Telearbeit "),
    ],
)
def test_synonyms_apply_at_query_time(analyzer, doc, query):
    assert matches(analyzer, doc, query)


def test_azubi_is_no_synonym_of_every_ausbildung(analyzer):
    # apprenticeships are found through the word "Ausbildungsplatz" their index text carries
    assert not matches(analyzer, "Sie haben eine abgeschlossene Ausbildung", "Azubi")


def test_synonyms_are_not_indexed(analyzer):
    assert "ausbild" not in analyzer.document_tokens("Azubi")


def test_multiword_synonym_needs_adjacent_words(analyzer):
    assert "mobilesarbeit" in analyzer.document_tokens("mobiles Arbeiten")
    assert not matches(analyzer, "mobile Geräte, Arbeiten im Team", "Homeoffice ")
    assert matches(analyzer, "Homeoffice", "mobiles Arbeiten ")


# ---------------------------------------------------------------- query groups and prefixes


def test_each_word_is_an_and_group(analyzer):
    groups = analyzer.query_groups("Erzieher Jugendamt ")
    assert [g.terms[0] for g in groups] == ["erzieh", "jugendamt"]
    assert matches(analyzer, "Erzieherin im Jugendamt", "Erzieher Jugendamt ")
    assert not matches(analyzer, "Erzieherin in der Kita", "Erzieher Jugendamt ")


@pytest.mark.parametrize(
    ("doc", "query"),
    [
        ("Sachbearbeiterin", "Sachbearb"),
        ("Verwaltungsfachangestellte", "verwaltungsfach"),
        ("Straßenbauingenieur", "Straßenb"),
        ("Kämmerei", "Kaemm"),
        ("Erzieher im Jugendamt", "Jugendamt Erz"),
    ],
)
def test_last_word_matches_as_prefix(analyzer, doc, query):
    assert matches(analyzer, doc, query)


def test_prefix_only_for_last_open_word_with_three_letters(analyzer):
    assert not matches(analyzer, "Sachbearbeiterin", "Sachbearb ")  # trailing space: exact only
    assert analyzer.query_groups("Sachbearb Jugendamt")[0].prefixes == ()
    assert analyzer.query_groups("Sachbearb Jugendamt")[1].prefixes
    assert analyzer.query_groups("it")[0].prefixes == ()
    assert analyzer.query_groups("Bau")[0].prefixes == ("bau",)


def test_typing_prefixes_stay_specific(analyzer):
    (group,) = analyzer.query_groups("Ärzti")
    assert all(len(p) >= 4 for p in group.prefixes)
    assert not matches(analyzer, "Arbeit im Amt", "Ärzti")
    assert matches(analyzer, "Kaufmann", "Kauffr")


def test_query_group_is_frozen_dataclass():
    group = QueryGroup(terms=("a",))
    assert group.prefixes == ()
    with pytest.raises(AttributeError):
        group.terms = ()  # type: ignore[misc]


# ---------------------------------------------------------------- highlighting


def test_highlight_marks_original_words(analyzer):
    out = highlight("Sachbearbeiterin (m/w/d) im Jugendamt Miltenberg", "Sachbearbeiter Amt", analyzer)
    assert out == "<mark>Sachbearbeiterin</mark> (m/w/d) im <mark>Jugendamt</mark> Miltenberg"


def test_highlight_escapes_everything_else(analyzer):
    out = highlight('<script>alert("x")</script> Straße & Bau', "strasse", analyzer)
    assert "<script>" not in out
    assert out.startswith("&lt;script&gt;")
    assert "<mark>Straße</mark> &amp; Bau" in out


def test_highlight_prefix_umlauts_and_hyphen_parts(analyzer):
    out = highlight("Kämmerei und Kfz-Mechatroniker", "Kfz Kaemm", analyzer)
    assert out == "<mark>Kämmerei</mark> und <mark>Kfz</mark>-Mechatroniker"


def test_highlight_without_match_is_escaped_text(analyzer):
    assert highlight("a < b", "Zauberer ", analyzer) == "a &lt; b"
    assert highlight("<i>x</i>", "", analyzer) == "&lt;i&gt;x&lt;/i&gt;"


def test_highlight_phrase_synonym(analyzer):
    out = highlight("Wir bieten mobiles Arbeiten.", "Homeoffice ", analyzer)
    assert out == "Wir bieten <mark>mobiles Arbeiten</mark>."


def test_snippet_around_first_match(analyzer):
    text = "Einleitung " * 40 + "Wir suchen eine Erzieherin <für> die Kita. " + "Schluss " * 40
    out = snippet(text, "Erzieher", analyzer, length=120)
    assert out.startswith("…") and out.endswith("…")
    assert "<mark>Erzieherin</mark>" in out
    assert "&lt;für&gt;" in out
    assert len(out) < 160


def test_snippet_without_match_starts_at_beginning(analyzer):
    text = "<b>Anfang</b> " + "Wort " * 100
    out = snippet(text, "Zauberer", analyzer, length=60)
    assert out.startswith("&lt;b&gt;Anfang")
    assert out.endswith("…")
    assert snippet("kurz & gut", "gut", analyzer) == "kurz &amp; <mark>gut</mark>"


# ---------------------------------------------------------------- configuration


def test_default_config_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("STELLEN_CONFIG_DIR", raising=False)
    assert (default_config_dir() / "compounds.txt").is_file()
    monkeypatch.setenv("STELLEN_CONFIG_DIR", str(tmp_path))
    assert default_config_dir() == tmp_path / "search"


def test_get_analyzer_is_cached():
    assert get_analyzer() is get_analyzer()
    assert get_analyzer(str(default_config_dir())) is get_analyzer(str(default_config_dir()))


@pytest.fixture
def custom_dir(tmp_path) -> Path:
    target = tmp_path / "search"
    shutil.copytree(default_config_dir(), target)
    return target


def test_custom_synonym_file_drives_query(custom_dir):
    assert not matches(get_analyzer(), "Kreiskasse", "Zahlstelle ")
    with (custom_dir / "synonyms.txt").open("a", encoding="utf-8") as f:
        f.write("\nzahlstelle, kreiskasse\n")
    assert matches(get_analyzer(str(custom_dir)), "Kreiskasse", "Zahlstelle ")


def test_custom_stopwords_and_compounds(custom_dir):
    (custom_dir / "stopwords.txt").write_text("# test\nstellenangebot\n", encoding="utf-8")
    with (custom_dir / "compounds.txt").open("a", encoding="utf-8") as f:
        f.write("\nzauber lehrling\n")
    custom = GermanAnalyzer(custom_dir)
    assert custom.document_tokens("Stellenangebot") == []
    assert "und" in custom.document_tokens("und")  # no longer a stop word there
    assert {"zaub", "lehrling"} <= set(custom.document_tokens("Zauberlehrling"))
    assert "lehrling" not in get_analyzer().document_tokens("Zauberlehrling")


def test_custom_gender_pair(custom_dir):
    with (custom_dir / "gender_forms.txt").open("a", encoding="utf-8") as f:
        f.write("\npair: hebamme = entbindungspfleger\nkeep: juristin\n")
    custom = GermanAnalyzer(custom_dir)
    assert custom.normalize_word("Hebamme") == custom.normalize_word("Entbindungspfleger")
    assert custom.normalize_word("Juristin") != custom.normalize_word("Jurist")
    assert get_analyzer().normalize_word("Juristin") == get_analyzer().normalize_word("Jurist")


def test_unknown_directive_is_an_error(custom_dir):
    (custom_dir / "gender_forms.txt").write_text("swap: a = b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown directive"):
        GermanAnalyzer(custom_dir)


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("Straße", "strasse"),
        ("KÄMMEREI", "kammerei"),
        ("Kaemmerei", "kammerei"),
        ("Muenchen", "munchen"),
        ("Öffentlich", "offentlich"),
        ("Steuer", "steuer"),
        ("Bauer", "bauer"),
        ("Quelle", "quelle"),
        ("Café", "cafe"),
        ("E-9a", "e9a"),
    ],
)
def test_fold(word, folded):
    assert fold(word) == folded


@pytest.mark.parametrize(
    "word",
    [
        "Betreuung",
        "Erzieherinnen",
        "Sachbearbeiterin",
        "Fachinformatikerin",
        "Kauffrau",
        "Überwachung",
        "Muenchen",
        "Teilzeitbeschäftigung",
        "Verwaltungsfachangestellte",
    ],
)
def test_every_typed_prefix_finds_the_word(analyzer, word):
    for end in range(3, len(word) + 1):
        if fold(word[:end]) in analyzer.stopwords:  # "Über": a stop word gives no group while typed
            assert analyzer.query_groups(word[:end]) == []
            continue
        assert matches(analyzer, word, word[:end]), word[:end]
