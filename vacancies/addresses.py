"""Readable posting addresses: `/stellen/<slug of the title>-<short id>`.

A vacancy id is stable but unreadable (`miltenberg-html:https%3A…`, `hr-5f3c…`). The page address
shows the title instead, and a short id names the posting:

- the short id is the first 10 characters of the SHA-256 of the vacancy id in lower-case base32
  (50 bits: among a million postings a clash is about one in two thousand, and then the title slug
  decides). It never changes, so a corrected title only changes the slug, and the old address still
  finds the posting (the page redirects to the current one).
- the slug is the title in lower case, umlauts spelled out ("ä" -> "ae"), the gender marker "(m/w/d)"
  dropped, every other run of characters a hyphen, cut at a word boundary after 80 characters.

The store keeps the short id in an indexed column (migration 0013) to find the posting again.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata

SHORT_ID_LENGTH = 10
SLUG_MAX = 80
PREFIX = "/stellen/"

_GENDER_RE = re.compile(r"\(\s*[mwdix]\s*(?:/\s*[mwdix]\s*)+\)", re.IGNORECASE)
_UMLAUTS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))
_NOT_WORD_RE = re.compile(r"[^a-z0-9]+")
# base32's alphabet is a-z and 2-7; the slug before it ends in a hyphen (or is missing)
_ADDRESS_RE = re.compile(rf"(?:(?P<slug>[a-z0-9-]*)-)?(?P<short>[a-z2-7]{{{SHORT_ID_LENGTH}}})")


def short_id(vacancy_id: str) -> str:
    digest = hashlib.sha256(vacancy_id.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii")[:SHORT_ID_LENGTH].lower()


def title_slug(title: str) -> str:
    """ "Sachbearbeiter (m/w/d) Kfz-Zulassung" -> "sachbearbeiter-kfz-zulassung"."""
    text = unicodedata.normalize("NFC", _GENDER_RE.sub(" ", title)).lower()
    for umlaut, spelled in _UMLAUTS:
        text = text.replace(umlaut, spelled)
    # other accents ("é") lose their mark; letters without an ASCII form become separators
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_WORD_RE.sub("-", text).strip("-")
    if len(slug) > SLUG_MAX:
        cut = slug[: SLUG_MAX + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:SLUG_MAX]
    return slug


def posting_path(vacancy_id: str, title: str) -> str:
    slug = title_slug(title)
    return f"{PREFIX}{slug}-{short_id(vacancy_id)}" if slug else f"{PREFIX}{short_id(vacancy_id)}"


def parse(segment: str) -> tuple[str, str] | None:
    """(slug, short id) of an address's last part, or None when it is not a readable address."""
    match = _ADDRESS_RE.fullmatch(segment)
    return (match["slug"] or "", match["short"]) if match else None
