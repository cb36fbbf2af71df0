"""The HR portal renders in the app's one Jinja environment, and its preview with the public posting
template (issue 17, item 7): filters and settings cannot drift between public pages and the portal."""

from __future__ import annotations

from fastapi.templating import Jinja2Templates

from tests.hr.conftest import DISTRICT_A, vacancy_body


def test_hr_pages_and_the_preview_render_in_the_apps_one_environment(portal, monkeypatch):
    import web.hr.pages

    env = portal.app.state.templates.env
    rendered: list[str] = []
    original = env.get_template

    def recording(name, *args, **kwargs):
        rendered.append(str(name))
        return original(name, *args, **kwargs)

    client = portal.client("own")
    vacancy = portal.hr.postings.create(portal.hr.postings.parse(vacancy_body()), DISTRICT_A, "t")
    monkeypatch.setattr(env, "get_template", recording)
    assert client.get("/hr/").status_code == 200
    assert client.get(f"/hr/stellen/{vacancy.id}").status_code == 200
    preview = client.get(f"/hr/stellen/{vacancy.id}/vorschau")
    assert preview.status_code == 200 and "Sachbearbeiter (m/w/d) Kämmerei" in preview.text
    assert {"hr/overview.html", "hr/editor.html", "hr/preview.html", "posting.html"} <= set(rendered)
    assert not [name for name, value in vars(web.hr.pages).items() if isinstance(value, Jinja2Templates)]


def test_hr_dates_and_times_are_german(portal):
    from datetime import UTC, datetime

    from web.present import german_time

    assert german_time(datetime(2027, 3, 5, 13, 30, tzinfo=UTC)) == "05.03.2027 14:30"  # Berlin, winter
    assert german_time(None) == ""
