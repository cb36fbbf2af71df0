"""Readable posting addresses: the title slug, the short id, parsing an address, finding the posting."""

from __future__ import annotations

import pytest

from tests.search.corpus import corpus
from tests.search.helpers import make_board
from tests.support import engine_at_revision
from vacancies import addresses
from vacancies.store import VacancyStore, migrate


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Sachbearbeiter (m/w/d) Kfz-Zulassung", "sachbearbeiter-kfz-zulassung"),
        ("Erzieherin / Erzieher (w/m/d) – Kindertagesstätte", "erzieherin-erzieher-kindertagesstaette"),
        ("Straßenwärter (m/w/i) für den Kreisbauhof", "strassenwaerter-fuer-den-kreisbauhof"),
        ("Café-Leitung (M/W/D)", "cafe-leitung"),
        ("(m/w/d)", ""),
    ],
)
def test_title_slug_is_lower_case_ascii_without_the_gender_marker(title, slug):
    assert addresses.title_slug(title) == slug


def test_a_long_title_is_cut_at_a_word():
    slug = addresses.title_slug("Verwaltungsfachangestellte " * 10)
    assert len(slug) <= addresses.SLUG_MAX and slug.endswith("verwaltungsfachangestellte")


def test_short_id_is_stable_lower_base32_and_differs_between_ids():
    assert addresses.short_id("miltenberg-html:4711") == addresses.short_id("miltenberg-html:4711")
    assert addresses.short_id("a:1") != addresses.short_id("a:2")
    assert len(addresses.short_id("a:1")) == addresses.SHORT_ID_LENGTH
    assert set(addresses.short_id("a:1")) <= set("abcdefghijklmnopqrstuvwxyz234567")


def test_posting_path_and_parse_agree():
    path = addresses.posting_path("s:1", "Förster (m/w/d)")
    assert path == f"/stellen/foerster-{addresses.short_id('s:1')}"
    assert addresses.parse(path.removeprefix("/stellen/")) == ("foerster", addresses.short_id("s:1"))
    assert addresses.parse(addresses.short_id("s:1")) == ("", addresses.short_id("s:1"))  # no title left
    assert addresses.parse("miltenberg-html:4711") is None  # an old id-based address


def test_board_finds_a_posting_by_short_id_even_after_its_title_changed(tmp_path):
    board = make_board("sqlite", tmp_path, corpus())
    v01 = board.get("v01")
    short = addresses.short_id("v01")
    assert board.get_public_at(f"ganz-anderer-titel-{short}").id == "v01"
    assert board.get_public_at(addresses.posting_path("v01", v01.title).removeprefix("/stellen/")).id == "v01"
    assert board.get_public_at("v01").id == "v01"  # the old address
    assert board.get_public_at(f"entwurf-{addresses.short_id('v13')}") is None  # a draft stays private
    assert board.get_public_at("gibt-es-nicht-aaaaaaaaaa") is None


def test_migration_gives_existing_postings_their_short_id(tmp_path):
    engine = engine_at_revision(tmp_path / "old.db", "0012")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO vacancies (id, origin, source, district, state, title, content_hash, data,"
            " first_seen, last_seen, updated_at) VALUES ('s:1', 'crawled', 's', 'miltenberg', 'published',"
            " 'Stelle 1', 'x', ?, '2026-01-01', '2026-01-01', '2026-01-01')",
            (corpus()[0].model_copy(update={"id": "s:1"}).model_dump_json(),),
        )
    migrate(engine)
    assert VacancyStore(engine).ids_for_short_id(addresses.short_id("s:1")) == ["s:1"]
