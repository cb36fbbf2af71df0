"""German texts of the alert mails: plain text and accessible HTML (lang="de", headings, a list).

The HTML is small and inline-styled only where mail clients need it; every value is escaped (Jinja2
autoescape), links are absolute (settings.public_base_url).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from vacancies.model import Vacancy

MAX_LISTED = 50  # a digest lists this many postings; the rest are behind the link to the full search
FREQUENCY_WORDS = {"daily": "täglich", "weekly": "wöchentlich"}


@dataclass
class DigestItem:
    """One posting of a digest, rendered once per run however many digests list it."""

    text: str
    html: Markup

    @classmethod
    def of(cls, vacancy: Vacancy, url: str) -> DigestItem:
        loc = vacancy.location
        values = {"title": vacancy.title, "employer": vacancy.employer or "", "url": url,
                  "place": " ".join(part for part in (loc.postal_code, loc.city) if part),
                  "deadline": german_date(vacancy.deadline)}  # fmt: skip
        return cls(_render(ITEM_TEXT, **values), Markup(_render(ITEM_HTML, **values)))


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    unsubscribe: str  # the one-click link, also the List-Unsubscribe header


def german_date(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def describe(params: dict[str, list[str]]) -> str:
    """A short German description of a saved search, e.g. „Sachbearbeitung“, 25 km um Freising."""
    parts = []
    if params.get("q"):
        parts.append(f"„{params['q'][0]}“")
    if params.get("near"):
        radius = params.get("radius_km", ["25"])[0]
        parts.append(f"{radius} km um {params['near'][0]}")
    filters = sum(len(v) for k, v in params.items() if k not in ("q", "near", "radius_km"))
    if filters:
        parts.append(f"{filters} Filter" if filters > 1 else "1 Filter")
    return ", ".join(parts) or "alle Stellen"


def confirmation(search: str, frequency: str, confirm: str, search_url: str, unsubscribe: str) -> Rendered:
    values = {"search": search, "frequency": FREQUENCY_WORDS[frequency], "confirm": confirm,
              "search_url": search_url, "unsubscribe": unsubscribe}  # fmt: skip
    subject = "Bitte bestätigen Sie Ihren Suchauftrag bei der Stellenbörse"
    html = _render(CONFIRM_HTML, subject=subject, **values)
    return Rendered(subject, _render(CONFIRM_TEXT, **values), html, unsubscribe)


def digest(
    search: str,
    frequency: str,
    items: list[DigestItem],
    search_url: str,
    manage: str,
    unsubscribe: str,
    count: int | None = None,
) -> Rendered:
    """`items`: the postings to list (at most MAX_LISTED are); `count`: how many are new in all."""
    count = len(items) if count is None else count
    subject = f"{count} neue Stelle" if count == 1 else f"{count} neue Stellen"
    subject += f" für Ihren Suchauftrag {search}"
    values = {"search": search, "frequency": FREQUENCY_WORDS[frequency], "items": items[:MAX_LISTED],
              "more": max(0, count - min(len(items), MAX_LISTED)), "count": count, "search_url": search_url,
              "manage": manage, "unsubscribe": unsubscribe}  # fmt: skip
    html = _render(DIGEST_HTML, subject=subject, **values)
    return Rendered(subject, _render(DIGEST_TEXT, **values), html, unsubscribe)


@functools.cache
def _environment(html: bool) -> Environment:
    # HTML escapes every value; plain text must not (a "&" in a link stays a "&").
    escape = select_autoescape(default=html, default_for_string=html)
    return Environment(autoescape=escape, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@functools.cache
def _compiled(template: str, html: bool):
    return _environment(html).from_string(template)


def _render(template: str, **values) -> str:
    html = template in (CONFIRM_HTML, DIGEST_HTML, ITEM_HTML)  # escaped; the plain text parts are not
    return _compiled(template, html).render(**values)


CONFIRM_TEXT = """\
Guten Tag,

für diese E-Mail-Adresse wurde bei der Stellenbörse ein Suchauftrag angelegt:
Suche: {{ search }}
Benachrichtigung: {{ frequency }}

Bitte bestätigen Sie ihn mit diesem Link (48 Stunden gültig):
{{ confirm }}

Erst nach der Bestätigung schicken wir Ihnen neue Stellen. Wenn Sie den Suchauftrag nicht angelegt
haben, müssen Sie nichts tun: ohne Bestätigung löschen wir ihn und Ihre Adresse nach 48 Stunden.

Die Suche ansehen: {{ search_url }}
Suchauftrag sofort löschen: {{ unsubscribe }}
"""

CONFIRM_HTML = """\
<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">
<main>
<h1 style="font-size: 1.4em;">Bitte bestätigen Sie Ihren Suchauftrag</h1>
<p>Für diese E-Mail-Adresse wurde bei der Stellenbörse ein Suchauftrag angelegt.</p>
<dl>
<dt>Suche</dt><dd>{{ search }}</dd>
<dt>Benachrichtigung</dt><dd>{{ frequency }}</dd>
</dl>
<p><a href="{{ confirm }}" style="color: #00457d; font-weight: bold;">Suchauftrag bestätigen</a>
(der Link ist 48 Stunden gültig)</p>
<p>Erst nach der Bestätigung schicken wir Ihnen neue Stellen. Wenn Sie den Suchauftrag nicht angelegt
haben, müssen Sie nichts tun: ohne Bestätigung löschen wir ihn und Ihre Adresse nach 48 Stunden.</p>
</main>
<footer>
<p><a href="{{ search_url }}" style="color: #00457d;">Die Suche ansehen</a> ·
<a href="{{ unsubscribe }}" style="color: #00457d;">Suchauftrag sofort löschen</a></p>
</footer>
</body>
</html>
"""

DIGEST_TEXT = """\
Guten Tag,

{% if count == 1 %}es gibt 1 neue Stelle{% else %}es gibt {{ count }} neue Stellen{% endif %} \
für Ihren Suchauftrag {{ search }}.

{% for item in items %}
{{ item.text }}
{% endfor %}
{% if more %}… und {{ more }} weitere.
{% endif %}
Alle Treffer Ihrer Suche: {{ search_url }}

--
Sie erhalten diese E-Mail {{ frequency }}, weil Sie diesen Suchauftrag bestätigt haben.
Suchauftrag ändern oder löschen: {{ manage }}
Abmelden mit einem Klick: {{ unsubscribe }}
"""

DIGEST_HTML = """\
<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">
<main>
<h1 style="font-size: 1.4em;">Neue Stellen für Ihren Suchauftrag</h1>
<p>Suche: {{ search }}</p>
<h2 style="font-size: 1.2em;">
{% if count == 1 %}1 neue Stelle{% else %}{{ count }} neue Stellen{% endif %}
</h2>
<ul style="padding-left: 1.2em;">
{% for item in items %}
{{ item.html }}
{% endfor %}
</ul>
{% if more %}<p>… und {{ more }} weitere.</p>{% endif %}
<p><a href="{{ search_url }}" style="color: #00457d; font-weight: bold;">
Alle Treffer Ihrer Suche ansehen</a></p>
</main>
<footer>
<p>Sie erhalten diese E-Mail {{ frequency }}, weil Sie diesen Suchauftrag bestätigt haben.</p>
<p><a href="{{ manage }}" style="color: #00457d;">Suchauftrag ändern oder löschen</a> ·
<a href="{{ unsubscribe }}" style="color: #00457d;">Abmelden</a></p>
</footer>
</body>
</html>
"""

ITEM_TEXT = """\
{{ title }}
{% if employer %}  {{ employer }}
{% endif %}
{% if place %}  Ort: {{ place }}
{% endif %}
{% if deadline %}  Bewerbungsfrist: {{ deadline }}
{% endif %}
  {{ url }}
"""

ITEM_HTML = """\
<li style="margin-bottom: 1em;">
<h3 style="font-size: 1.05em; margin: 0;">
<a href="{{ url }}" style="color: #00457d;">{{ title }}</a>
</h3>
{% if employer %}<p style="margin: 0;">{{ employer }}</p>{% endif %}
{% if place %}<p style="margin: 0;">Ort: {{ place }}</p>{% endif %}
{% if deadline %}<p style="margin: 0;">Bewerbungsfrist: {{ deadline }}</p>{% endif %}
</li>"""
