"""Subscribing, confirming, managing and leaving (issue 18, items 1 and 3; domain side)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.alerts.conftest import BASE_URL, settings_for
from tests.alerts.support import link, token
from vacancies.alerts import AlertError, AlertLinkError, AlertRateLimited, Alerts
from vacancies.schema import alerts_table, mail_outbox_table
from vacancies.store import utcnow


def count(alerts: Alerts, table) -> int:
    with alerts.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_subscribe_stores_canonical_query_and_mails_a_confirmation_link(alerts, smtp):
    alert = alerts.subscribe(
        " Erika.Muster@Example.DE ",
        {"q": "  Sachbearbeitung  ", "near": "Freising", "radius_km": 25, "working_time": ["part_time"],
         "page": "3", "sort": "newest"},
        "daily",
        "192.0.2.1",
    )  # fmt: skip
    assert alert.email == "Erika.Muster@example.de"
    assert alert.params == {
        "near": ["Freising"],
        "q": ["Sachbearbeitung"],
        "radius_km": ["25"],
        "working_time": ["part_time"],
    }
    assert alert.search_path() == "/?near=Freising&q=Sachbearbeitung&radius_km=25&working_time=part_time"
    assert not alert.confirmed
    assert alerts.deliver().sent == 1
    (mail,) = smtp.inbox.wait_for(1)
    assert mail["To"] == "Erika.Muster@example.de"
    assert "bestätigen" in mail["Subject"]
    confirm = link(mail, "/suchauftrag/bestaetigen")
    assert confirm.startswith(f"{BASE_URL}/suchauftrag/bestaetigen?t=")
    assert alerts.confirm(token(confirm)).confirmed


def test_nothing_but_the_confirmation_is_sent_before_confirming(alerts, smtp, board):
    from tests.alerts.conftest import day, posting

    alerts.subscribe("a@example.de", {"q": "Verwaltung"}, "daily", "192.0.2.1")
    board.save([posting("p1", "Verwaltungsfachangestellte", day(0) + timedelta(hours=1))])
    stats = alerts.send_digests(now=utcnow() + timedelta(days=1))
    assert stats.due == 0 and stats.queued == 0
    assert [m["Subject"] for m in smtp.inbox.wait_for(1)] == [
        "Bitte bestätigen Sie Ihren Suchauftrag bei der Stellenbörse"
    ]


@pytest.mark.parametrize("address", ["", "keine-adresse", "a@b", "a b@example.de", "x@" + "e" * 250 + ".de"])
def test_invalid_address_is_refused_in_german(alerts, address):
    with pytest.raises(AlertError) as caught:
        alerts.subscribe(address, {"q": "x"}, "daily", "192.0.2.1")
    assert caught.value.field == "email"
    assert "E-Mail-Adresse" in caught.value.message
    assert count(alerts, alerts_table) == 0


@pytest.mark.parametrize(
    "params, word",
    [
        ({"near": "Nirgendwo am See"}, "nicht bekannt"),
        ({"pay_grade_min": "Z99"}, "Entgelt"),
        ({"career_level": "7"}, "1 bis 4"),
        ({"radius_km": "-3", "near": "Freising"}, "radius_km"),
        ({"q": "x" * 201}, "q"),
        ({"working_time": "immer"}, "working_time"),
        ({"q": {"nested": 1}}, "ungültigen Wert"),
    ],
)
def test_a_query_the_search_refuses_is_refused(alerts, params, word):
    with pytest.raises(AlertError) as caught:
        alerts.subscribe("a@example.de", params, "daily", "192.0.2.1")
    assert caught.value.field == "query"
    assert word in caught.value.message
    assert count(alerts, alerts_table) == 0


def test_unknown_frequency_is_refused(alerts):
    with pytest.raises(AlertError) as caught:
        alerts.subscribe("a@example.de", {"q": "x"}, "hourly", "192.0.2.1")
    assert caught.value.field == "frequency"


def test_same_address_and_search_again_gives_the_same_alert_and_no_second_mail(alerts, smtp):
    first = alerts.subscribe(
        "a@example.de", {"q": "Verwaltung", "district": ["b", "a"]}, "daily", "192.0.2.1"
    )
    again = alerts.subscribe(
        "A@example.de", {"district": ["a", "b", "a"], "q": " Verwaltung"}, "weekly", "192.0.2.9"
    )
    assert again.id == first.id
    assert count(alerts, alerts_table) == 1
    assert count(alerts, mail_outbox_table) == 1


def test_one_confirmation_per_address_per_day(alerts):
    alerts.subscribe("a@example.de", {"q": "Verwaltung"}, "daily", "192.0.2.1")
    with pytest.raises(AlertRateLimited) as caught:
        alerts.subscribe("a@example.de", {"q": "Erzieher"}, "daily", "192.0.2.1")
    assert "24 Stunden" in caught.value.message and caught.value.field == "email"
    with alerts.engine.begin() as conn:  # a day later the address may get another one
        old = utcnow() - timedelta(hours=25)
        conn.execute(update(mail_outbox_table).values(created_at=old))
    assert alerts.subscribe("a@example.de", {"q": "Erzieher"}, "daily", "192.0.2.1").id
    assert count(alerts, mail_outbox_table) == 2


def test_a_client_address_may_trigger_only_a_few_confirmations_per_hour(board, smtp):
    alerts = Alerts(board.store.engine, board, settings_for(smtp.url, alert_mails_per_client_hour=3))
    for n in range(3):
        alerts.subscribe(f"person{n}@example.de", {"q": "x"}, "daily", "198.51.100.7")
    with pytest.raises(AlertRateLimited) as caught:
        alerts.subscribe("victim@example.de", {"q": "x"}, "daily", "198.51.100.7")
    assert "zu viele" in caught.value.message
    assert alerts.subscribe("victim@example.de", {"q": "x"}, "daily", "198.51.100.8").id


def test_confirmation_link_works_once(alerts, smtp):
    alerts.subscribe("a@example.de", {"q": "x"}, "daily", "192.0.2.1")
    alerts.deliver()
    confirm = token(link(smtp.inbox.wait_for(1)[0], "/suchauftrag/bestaetigen"))
    alerts.confirm(confirm)
    with pytest.raises(AlertLinkError, match="schon benutzt"):
        alerts.confirm(confirm)


def test_forged_and_foreign_links_are_refused(alerts, board, smtp):
    alerts.subscribe("a@example.de", {"q": "x"}, "daily", "192.0.2.1")
    alerts.deliver()
    genuine = token(link(smtp.inbox.wait_for(1)[0], "/suchauftrag/bestaetigen"))
    with pytest.raises(AlertLinkError, match="ungültig"):
        alerts.confirm(genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"))
    with pytest.raises(AlertLinkError, match="ungültig"):
        alerts.by_manage_token(genuine)  # a confirmation token is no manage token (salt per purpose)
    other = Alerts(board.store.engine, board, settings_for(smtp.url, secret_key="another-secret-" + "y" * 20))
    with pytest.raises(AlertLinkError, match="ungültig"):
        other.confirm(genuine)


def test_expired_confirmation_link_is_refused(alerts, smtp, monkeypatch):
    import itsdangerous.timed

    alerts.subscribe("a@example.de", {"q": "x"}, "daily", "192.0.2.1")
    alerts.deliver()
    confirm = token(link(smtp.inbox.wait_for(1)[0], "/suchauftrag/bestaetigen"))
    later = utcnow() + timedelta(hours=48, minutes=1)
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: int(later.timestamp())
    )
    with pytest.raises(AlertLinkError, match="abgelaufen"):
        alerts.confirm(confirm)


def test_unconfirmed_alerts_are_purged_after_48_hours(alerts):
    alert = alerts.subscribe("a@example.de", {"q": "x"}, "daily", "192.0.2.1")
    assert alerts.purge_unconfirmed(now=alert.created_at + timedelta(hours=47)) == 0
    assert alerts.purge_unconfirmed(now=alert.created_at + timedelta(hours=48, seconds=1)) == 1
    assert count(alerts, alerts_table) == 0
    assert count(alerts, mail_outbox_table) == 0  # the undelivered confirmation went with it


def test_manage_link_shows_changes_and_deletes(alerts, smtp):
    from tests.alerts.conftest import confirmed

    first = confirmed(alerts, smtp, "a@example.de", {"q": "Verwaltung"})
    with alerts.engine.begin() as conn:  # let the address get a second confirmation
        conn.execute(update(mail_outbox_table).values(created_at=utcnow() - timedelta(days=2)))
    second = confirmed(alerts, smtp, "a@example.de", {"q": "Erzieher"}, frequency="weekly")
    manage = alerts.manage_token(first)
    alert, all_of_address = alerts.by_manage_token(manage)
    assert alert.id == first.id
    assert [a.id for a in all_of_address] == [first.id, second.id]
    assert alerts.set_frequency(manage, "weekly").frequency == "weekly"
    with pytest.raises(AlertError) as caught:
        alerts.set_frequency(manage, "monthly")
    assert caught.value.field == "frequency"
    alerts.delete(manage)
    with pytest.raises(AlertLinkError, match="gibt es nicht mehr"):
        alerts.by_manage_token(manage)
    assert alerts.delete_all(alerts.manage_token(second)) == 1
    assert count(alerts, alerts_table) == 0


def test_one_click_unsubscribe_deletes_at_once_and_twice_is_harmless(alerts, smtp):
    from tests.alerts.conftest import confirmed

    alert = confirmed(alerts, smtp, "a@example.de", {"q": "Verwaltung"})
    unsubscribe = alerts.unsubscribe_token(alert)
    assert alerts.unsubscribe(unsubscribe) is True
    assert count(alerts, alerts_table) == 0
    assert alerts.unsubscribe(unsubscribe) is False
    with pytest.raises(AlertLinkError):
        alerts.unsubscribe("forged")


def test_a_link_of_a_deleted_alert_never_reaches_a_new_one(alerts, smtp):
    from tests.alerts.conftest import confirmed

    old = confirmed(alerts, smtp, "a@example.de", {"q": "Verwaltung"})
    stale = alerts.unsubscribe_token(old)
    alerts.unsubscribe(stale)
    with alerts.engine.begin() as conn:
        conn.execute(update(mail_outbox_table).values(created_at=utcnow() - timedelta(days=2)))
    new = confirmed(alerts, smtp, "a@example.de", {"q": "Verwaltung"})
    assert new.id != old.id
    assert alerts.unsubscribe(stale) is False
    assert count(alerts, alerts_table) == 1
