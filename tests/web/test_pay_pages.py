"""Pay in euros on the pages, in JSON-LD and in the JSON API; the minimum-pay filter (issue 15, item 4).

Expected figures come from vacancies.pay over the committed tables, never typed in here."""

from __future__ import annotations

from tests.web.conftest import today
from tests.web.test_pages import json_ld, text_of
from vacancies.pay import pay_range
from web.payview import euros

HEADERS = {"Accept": "application/json"}


def _range(board, vacancy_id: str):
    return pay_range(board.get_public(vacancy_id), today())


def test_posting_page_shows_the_grades_monthly_range(client, board):
    found = _range(board, "web:full")  # TVöD E9a
    text = text_of(client.get("/stellen/web:full").text)
    assert f"Gehalt ca. {euros(found.low)} – {euros(found.high)} € brutto/Monat, Stufe 1–6" in text


def test_json_ld_carries_base_salary_with_the_exact_figures(client, board):
    found = _range(board, "web:full")
    salary = json_ld(client.get("/stellen/web:full").text)["baseSalary"]
    assert salary["@type"] == "MonetaryAmount" and salary["currency"] == "EUR"
    assert salary["value"] == {
        "@type": "QuantitativeValue",
        "unitText": "MONTH",
        "minValue": found.low,
        "maxValue": found.high,
    }


def test_a_range_across_grades_names_both_ends(client, board):
    found = _range(board, "v07")  # E11-E12
    text = text_of(client.get("/stellen/v07").text)
    assert f"ca. {euros(found.low)} – {euros(found.high)} € brutto/Monat, E11 Stufe 1 bis E12 Stufe 6" in text


def test_an_expired_table_is_named_on_the_page_not_used_silently(client, board):
    found = _range(board, "v05")  # BayBesG A9: the committed Bavarian table ended 30.09.2026
    assert found.expired
    text = text_of(client.get("/stellen/v05").text)
    assert f"ab ca. {euros(found.low)} € brutto/Monat" in text
    assert "Stand: BayBesG Besoldungsordnung A (Grundgehalt), gültig bis 30.09.2026" in text


def test_posting_without_pay_shows_no_salary_line(client):
    text = text_of(client.get("/stellen/v04").text)
    assert "brutto/Monat" not in text and "Gehalt" not in text


def test_api_detail_has_pay_euros_with_its_table(client, board):
    found = _range(board, "web:full")
    body = client.get("/api/v1/vacancies/web:full", headers=HEADERS).json()
    pay = body["pay_euros"]
    assert (pay["min"], pay["max"], pay["unit"]) == (found.low, found.high, "MONTH")
    assert pay["source"] == "pay_table"
    assert pay["table"]["name"] == found.table.name and pay["table"]["expired"] is False
    assert pay["steps"] == {"from": 1, "to": 6} and pay["approximate"] is True
    assert client.get("/api/v1/vacancies/v04", headers=HEADERS).json()["pay_euros"] is None


def test_min_monthly_pay_filters_api_and_page(client, board):
    threshold = int(_range(board, "v07").high)
    body = client.get(f"/api/v1/vacancies?min_monthly_pay={threshold}&per_page=100", headers=HEADERS).json()
    found = {item["id"] for item in body["items"]}
    assert "v07" in found and "v04" not in found and "v01" not in found
    page = client.get(f"/?min_monthly_pay={threshold}")
    assert page.status_code == 200 and "Gehalt mindestens" in page.text
    assert f'value="{threshold}"' in page.text  # the form shows the filter again


def test_nonsense_min_monthly_pay_is_a_clear_error(client):
    assert client.get("/api/v1/vacancies?min_monthly_pay=-5", headers=HEADERS).status_code == 422
    assert client.get("/api/v1/vacancies?min_monthly_pay=viel", headers=HEADERS).status_code == 422
    page = client.get("/?min_monthly_pay=-5")
    assert page.status_code == 422  # the form again, with the message at the field
    assert 'aria-invalid="true"' in page.text.split('id="min_monthly_pay"')[1].split(">")[0]
    assert "Gehalt mindestens:" in text_of(page.text)
