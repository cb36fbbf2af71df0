"""Suchaufträge (job alerts by e-mail): save any search, confirm once, get new matches by mail.

The pieces, each in its own module:
- `model`: the Alert record, the errors (German messages) and the digest statistics;
- `tokens`: the signed links of the mails (confirm, manage, one-click unsubscribe);
- `service`: `Alerts`, everything the pages, the API and the CLI do with alerts;
- `matching`: which new postings match which alerts (percolator on Elasticsearch, the same German
  analysis and filters in memory on the embedded backend);
- `mail`: the outbox, SMTP delivery with retries, and the German multipart messages.
"""

from vacancies.alerts.model import (
    FREQUENCIES,
    Alert,
    AlertError,
    AlertLinkError,
    AlertRateLimited,
    DeliveryStats,
    DigestStats,
)
from vacancies.alerts.service import AlertOverview, Alerts, kept_params
from vacancies.alerts.tokens import confirm_url, manage_url, unsubscribe_url

__all__ = [
    "FREQUENCIES",
    "Alert",
    "AlertError",
    "AlertLinkError",
    "AlertOverview",
    "AlertRateLimited",
    "Alerts",
    "DeliveryStats",
    "DigestStats",
    "confirm_url",
    "kept_params",
    "manage_url",
    "unsubscribe_url",
]
