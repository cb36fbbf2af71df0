"""The description is the only HTML a page prints unescaped; it is cleaned once more on the way out.

The crawler already cleans crawled HTML with nh3 and an allow-list; postings from the HR portal or an
import file arrive by other roads, so the page does not rely on any one of them (defence in depth).
"""

from __future__ import annotations

from markupsafe import Markup, escape

try:
    import nh3
except ModuleNotFoundError:  # pragma: no cover - nh3 is installed with the crawler
    nh3 = None

TAGS = {
    "p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a", "dl", "dt", "dd", "hr", "span", "div",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def description_html(html: str) -> Markup:
    if nh3 is None:
        return Markup(f"<p>{escape(html)}</p>")
    cleaned = nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(_demote_headings(cleaned))


def _demote_headings(html: str) -> str:
    """The page has its own h1 and h2; description headings start below them (h3)."""
    return html.replace("<h2", "<h3").replace("</h2>", "</h3>")
