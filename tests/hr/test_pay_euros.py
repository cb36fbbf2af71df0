"""HR states euros itself (issue 15, item 4): they win over the pay tables on the public page and API."""

from __future__ import annotations

from tests.hr.conftest import DISTRICT_A, vacancy_body


def test_stated_monthly_pay_wins_on_page_and_api(portal):
    token = portal.hr.accounts.create_token(DISTRICT_A, "ATS", "test")[1]
    client = portal.client()
    auth = {"Authorization": f"Bearer {token}"}
    body = vacancy_body(salary_min=3900, salary_max=4650)
    response = client.put("/api/v1/hr/vacancies/pay-1", json=body, headers=auth)
    assert response.status_code == 201, response.text
    assert (response.json()["salary_min"], response.json()["salary_max"]) == (3900, 4650)
    public = client.get(
        "/api/v1/vacancies/hr-miltenberg-pay-1", headers={"Accept": "application/json"}
    ).json()
    assert public["pay_euros"] == {
        "min": 3900,
        "max": 4650,
        "unit": "MONTH",
        "currency": "EUR",
        "source": "posting",
    }
    page = client.get(
        "/stellen/hr-miltenberg-pay-1", headers={"Accept": "text/html"}, follow_redirects=True
    ).text
    assert "3.900 – 4.650 € brutto/Monat (laut Ausschreibung)" in page


def test_without_euros_the_page_shows_the_table_range(portal):
    token = portal.hr.accounts.create_token(DISTRICT_A, "ATS", "test")[1]
    client = portal.client()
    client.put(
        "/api/v1/hr/vacancies/pay-2", json=vacancy_body(), headers={"Authorization": f"Bearer {token}"}
    )
    public = client.get(
        "/api/v1/vacancies/hr-miltenberg-pay-2", headers={"Accept": "application/json"}
    ).json()
    assert public["pay_euros"]["source"] == "pay_table" and public["pay_euros"]["min"] > 0


def test_a_reversed_or_absurd_salary_is_a_422_that_names_the_field(portal):
    token = portal.hr.accounts.create_token(DISTRICT_A, "ATS", "test")[1]
    client = portal.client()
    auth = {"Authorization": f"Bearer {token}"}
    reversed_ = client.put("/api/v1/hr/vacancies/pay-3", json=vacancy_body(salary_min=5000, salary_max=4000),
                           headers=auth)  # fmt: skip
    assert reversed_.status_code == 422 and "salary_max" in reversed_.text
    absurd = client.put("/api/v1/hr/vacancies/pay-4", json=vacancy_body(salary_min=5), headers=auth)
    assert absurd.status_code == 422 and "salary_min" in absurd.text
    assert client.get("/api/v1/vacancies/hr-miltenberg-pay-3").status_code == 404  # nothing was stored
