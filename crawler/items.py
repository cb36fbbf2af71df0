"""What an extraction strategy yields: a raw posting, as found, before normalisation.

Strategies fill what the site states; free-text hints (`pay_text`, `working_time_text`, ...) are turned
into the vacancy record's fields by the normalise pipeline with the helpers of vacancies.normalize.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class RawPosting:
    source_id: str  # stable within the source: the site's own id, else derived from the posting's URL
    url: str  # the posting's own page (or the list page when it has none)
    title: str
    description_html: str = ""
    employer: str | None = None
    department: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    lat: float | None = None
    lon: float | None = None
    date_posted: date | str | None = None
    deadline: date | str | None = None
    start_date: date | str | None = None
    reference: str | None = None
    apply_url: str | None = None
    apply_email: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    attachments: list[str] = field(default_factory=list)
    # Free-text hints, as published ("Entgeltgruppe 9c TVöD", "Vollzeit, teilzeitfähig", ...)
    pay_text: str | None = None
    working_time_text: str | None = None
    term_text: str | None = None
    career_text: str | None = None
    status_text: str | None = None
    remote_text: str | None = None
    posting_type_text: str | None = None
    # Structured values when a site states them exactly (schema.org, vendor JSON)
    structured: dict[str, Any] = field(default_factory=dict)
    # Which reader of a strategy read it ("structured", "plain"): probe names it to the operator
    read_by: str = ""
    # Set by the spider
    source: str = ""
    district: str = ""
