"""Pure parts of the Suchauftrag forms (web/alert_forms.py): the search in words and the origin check."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from web.alert_forms import describe, kept_pairs, same_origin


def test_the_search_reads_in_the_order_of_the_search_form():
    params = {"working_time": ["part_time"], "near": ["85354"], "q": ["Sachbearbeitung"],
              "radius_km": ["50.0"], "district": ["freising"], "fixed_term": ["false"]}  # fmt: skip
    assert describe(params) == [
        "Suchbegriff: Sachbearbeitung",
        "Ort: 85354 (Umkreis 50 km)",
        "Landkreis: Freising",
        "Arbeitszeit: Teilzeit",
        "Befristung: unbefristet",
    ]
    assert describe({}) == ["alle neuen Stellen (ohne Einschränkung)"]


def test_an_alert_keeps_no_paging_order_or_empty_fields():
    pairs = [("q", "Erzieher"), ("page", "3"), ("sort", "newest"), ("per_page", "5"), ("near", " "),
             ("include_expired", "true")]  # fmt: skip
    assert kept_pairs(pairs) == [("q", "Erzieher")]


def _request(**headers: str) -> Request:
    raw = [(b"host", b"stellen.example")] + [
        (k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()
    ]
    return Request({"type": "http", "headers": raw})


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),  # no header at all: not a browser's cross-site form (those send Origin)
        ({"origin": "https://stellen.example"}, True),
        ({"sec_fetch_site": "same-origin"}, True),
        ({"sec_fetch_site": "none"}, True),  # typed or bookmarked by the person
        ({"origin": "https://evil.example"}, False),
        ({"origin": "null"}, False),  # sandboxed frames, data: URLs
        ({"sec_fetch_site": "cross-site"}, False),
        ({"sec_fetch_site": "same-site"}, False),  # a sibling subdomain is not us
    ],
)
def test_same_origin(headers, allowed):
    assert same_origin(_request(**headers)) is allowed
