"""Allow-list HTML clean-up for posting descriptions, shared by the HR portal (and usable by the crawler).

Same allow-list as `crawler.pipelines.sanitise_html`; it lives here because `api/` must not import the
crawler (DESIGN.md: crawler → vacancies ← api), and the crawler imports scrapy.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a", "dl", "dt", "dd", "hr", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def sanitise_html(value: str | None) -> str:
    """No scripts, styles, event handlers, javascript: links or foreign markup survive."""
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()
