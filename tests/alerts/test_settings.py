"""STELLEN_SMTP_URL, STELLEN_MAIL_FROM and the alert schedule: validated, German errors (item 5)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from vacancies.alerts.mail import SmtpTarget
from vacancies.settings import Settings


@pytest.mark.parametrize(
    "url, target",
    [
        ("smtp://mail.example.de", SmtpTarget("mail.example.de", 25, False)),
        ("smtp://mail.example.de:587", SmtpTarget("mail.example.de", 587, False)),
        ("smtps://mail.example.de", SmtpTarget("mail.example.de", 465, True)),
        ("smtps://stellen%40lra.de:ge%3Aheim@mail.example.de:2465",
         SmtpTarget("mail.example.de", 2465, True, "stellen@lra.de", "ge:heim")),
    ],
)  # fmt: skip
def test_smtp_url_forms(url, target):
    assert SmtpTarget.parse(url) == target
    assert Settings(smtp_url=url, _env_file=None).smtp_url == url


@pytest.mark.parametrize("url", ["mail.example.de", "http://mail.example.de", "smtp://", "smtp://host:99999"])
def test_bad_smtp_url_is_refused_in_german(url):
    with pytest.raises(ValidationError, match="SMTP-Adresse|Port"):
        Settings(smtp_url=url, _env_file=None)


def test_schedule_must_be_a_crontab_time():
    assert Settings(_env_file=None).alerts_schedule == "30 6 * * *"
    with pytest.raises(ValidationError, match="Crontab"):
        Settings(alerts_schedule="täglich", _env_file=None)


def test_smtp_from_the_environment(monkeypatch):
    monkeypatch.setenv("STELLEN_SMTP_URL", "smtp://127.0.0.1:2525")
    monkeypatch.setenv("STELLEN_MAIL_FROM", "Stellenbörse Freising <stellen@lra-fs.de>")
    settings = Settings(_env_file=None)
    assert (settings.smtp_url, settings.mail_from) == (
        "smtp://127.0.0.1:2525",
        "Stellenbörse Freising <stellen@lra-fs.de>",
    )
