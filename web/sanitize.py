"""The description is the only HTML a page prints unescaped; it is cleaned once more on the way out.

The crawler already cleans crawled HTML with nh3 and an allow-list; postings from the HR portal or an
import file arrive by other roads, so the page does not rely on any one of them (defence in depth).
"""

from __future__ import annotations

from markupsafe import Markup

from vacancies.html import sanitise_html
from vacancies.textmarkup import as_html


def description_html(html: str) -> Markup:
    """The one rendering of a description, for the posting page and the HR preview alike; a stored
    text without tags is the HR editor's markup (paragraphs and lists, vacancies.textmarkup)."""
    return Markup(_demote_headings(sanitise_html(as_html(html))))


def _demote_headings(html: str) -> str:
    """The page has its own h1 and h2; description headings start below them (h3)."""
    return html.replace("<h2", "<h3").replace("</h2>", "</h3>")
