"""The one "visible to the public" rule in SQL and the listings built on it (issue 17, item 3)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.search.helpers import make_board
from vacancies.model import State, Vacancy
from vacancies.public_listing import PublicListing

TODAY = date(2026, 12, 3)


def posting(vacancy_id: str, title: str, **fields) -> Vacancy:
    data = {"id": vacancy_id, "title": title, "district": "freising", "source": "test",
            "location": {"postal_code": "85354", "city": "Freising"},
            "deadline": TODAY + timedelta(days=30)}  # fmt: skip
    return Vacancy.model_validate({**data, **fields})


def listing_with_every_case(tmp_path):
    board = make_board("sqlite", tmp_path)
    board.save(
        [
            posting("t:1", "Sachbearbeitung Bauamt"),
            posting("t:2", "Erzieherin Kita", deadline=TODAY),  # its last day: still visible
            posting("t:3", "Hausmeister", deadline=TODAY - timedelta(days=1)),  # deadline passed
            posting("t:4", "Kämmerei"),  # hidden by an operator below
            posting("t:5", "IT-Administration", deadline=None),
            posting("t:6", "Ausgelaufen"),  # expired below
        ]
    )
    board.set_hidden("t:4", True)
    board.set_state(["t:6"], State.expired)
    return board, PublicListing(board.store.engine)


def test_only_published_not_hidden_and_not_past_the_deadline_are_listed(tmp_path):
    _, listing = listing_with_every_case(tmp_path)
    assert listing.published_count(TODAY) == 3
    assert [p.id for p in listing.published_page(0, 10, TODAY)] == ["t:1", "t:2", "t:5"]
    assert sorted(listing.published_titles(TODAY)) == [
        "Erzieherin Kita",
        "IT-Administration",
        "Sachbearbeitung Bauamt",
    ]
    # the next day the posting whose last day it was is gone
    assert listing.published_count(TODAY + timedelta(days=1)) == 2


def test_pages_are_in_id_order_and_do_not_overlap(tmp_path):
    _, listing = listing_with_every_case(tmp_path)
    first, second = listing.published_page(0, 2, TODAY), listing.published_page(2, 2, TODAY)
    assert [p.id for p in first] == ["t:1", "t:2"]
    assert [p.id for p in second] == ["t:5"]
    assert listing.published_page(0, 0, TODAY) == []
    assert all(p.updated_at is not None for p in first)


def test_change_signature_moves_when_what_the_public_sees_may_have(tmp_path):
    board, listing = listing_with_every_case(tmp_path)
    before = listing.change_signature()
    assert before[:3] == (6, 5, 1)  # postings, published, hidden
    board.set_hidden("t:4", False)
    assert listing.change_signature() != before
