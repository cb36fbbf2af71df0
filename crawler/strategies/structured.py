"""schema.org JobPosting (JSON-LD and microdata) on list and detail pages.

What the schema states goes into the hints (``pay_text``, ``working_time_text``, ...); what it leaves out
(the pay grade is often only in the description) is taken from the description by the crawl's own
normaliser: see ``complete_from_description``.

Options: ``link_selector`` (CSS/``xpath:`` of detail links; default: every same-site link),
``link_pattern`` (regex an absolute link URL must match), ``next_selector`` (next list page).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import scrapy

from crawler.items import RawPosting
from crawler.strategies.common import (
    CANDIDATE,
    DETAIL,
    Strategy,
    absolute,
    as_html,
    as_list,
    clean_text,
    extract_job_postings,
    first,
    name_of,
    parse_place,
    same_site_links,
    select_links,
    slug,
    strip_tags,
    to_date,
    to_float,
    url_source_id,
)
from vacancies import normalize, salary

_EMPLOYMENT_TYPES = {
    "FULL_TIME": "Vollzeit",
    "PART_TIME": "Teilzeit",
    "TEMPORARY": "befristet",
    "INTERN": "Praktikum",
}


class StructuredStrategy(Strategy):
    name = "structured"

    def parse_list(self, response: scrapy.http.TextResponse) -> Iterator[Any]:
        on_page = [
            posting_from_schema(d, response.url) for d in extract_job_postings(response, self.reporter)
        ]
        followed = set()
        for posting in on_page:
            # A posting that links to its own page is read there (richer); this copy is the fallback.
            if posting.url != response.url and self.reporter.is_allowed(posting.url):
                followed.add(posting.url)
                yield self.follow(posting.url, "parse_detail", DETAIL, fallback=posting)
            else:
                yield posting
        yield from self._detail_requests(response, followed)
        yield from self.next_pages(response)

    def _detail_requests(self, response: scrapy.http.TextResponse, skip: set[str]) -> Iterator[Any]:
        pattern = self.option("link_pattern")
        selector = self.option("link_selector")
        if selector:
            urls = select_links(response, selector)
        else:
            urls = [url for url, _ in same_site_links(response, self.reporter)]
        # Without any hint which links are postings, an empty page is no error.
        role = DETAIL if (selector or pattern) else CANDIDATE
        for url in urls:
            if url in skip or not self.reporter.is_allowed(url):
                continue
            if pattern and not re.search(pattern, url):
                continue
            yield self.follow(url, "parse_detail", role)

    def parse_detail(self, response: scrapy.http.TextResponse) -> Iterator[RawPosting]:
        found = [posting_from_schema(d, response.url) for d in extract_job_postings(response, self.reporter)]
        fallback = response.meta.get("fallback")
        if not found and fallback is not None:
            found = [fallback]
        elif len(found) == 1 and isinstance(response, scrapy.http.TextResponse):
            from crawler.strategies.plain import complete_from_page  # plain imports this module

            complete_from_page(found[0], response)
        yield from found


# ------------------------------------------------------------------------- JobPosting -> RawPosting


def posting_from_schema(data: dict[str, Any], page_url: str) -> RawPosting:
    """One schema.org JobPosting (JSON-LD or uniform microdata) as a RawPosting."""
    url = absolute(page_url, _text(data.get("url"))) or page_url
    title = strip_tags(_text(data.get("title")) or _text(data.get("name")))
    posting = RawPosting(
        source_id=_source_id(data, url, page_url, title),
        url=url,
        title=title,
        description_html=_description(_text(data.get("description"))),
        employer=name_of(data.get("hiringOrganization")),
        department=_department(data),
        date_posted=to_date(_text(data.get("datePosted"))),
        deadline=to_date(_text(data.get("validThrough"))),
        start_date=to_date(_text(data.get("jobStartDate"))),
        reference=_identifier(data.get("identifier")),
        career_text=_education(data.get("educationRequirements")),
    )
    _fill_location(posting, data)
    _fill_employment(posting, data)
    _fill_salary(posting, data.get("baseSalary") or data.get("estimatedSalary"))
    _fill_apply(posting, data, page_url)
    complete_from_description(posting)
    return posting


def _text(value: Any) -> str | None:
    value = first(value)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("value") or value.get("name")
    return None if value in (None, "") else str(value)


# An escaped tag ("&lt;p&gt;", "&lt;/li&gt;", "&lt;br /&gt;"); a bare "&lt; 5 MB" is no tag.
_ESCAPED_TAG_RE = re.compile(r"&lt;/?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*?)?/?&gt;")
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")


def _description(text: str | None) -> str:
    """The description as HTML; markup the site escaped once more ("&lt;p&gt;") is decoded once.

    Only once: a "&amp;lt;" the site wrote as text becomes "&lt;" and stays text, never a tag. A
    description with real tags is left alone (it may mention "&lt;div&gt;" on purpose).
    """
    if text and not _TAG_RE.search(text) and _ESCAPED_TAG_RE.search(text):
        text = html.unescape(text)
    return as_html(text)


def _source_id(data: dict[str, Any], url: str, page_url: str, title: str) -> str:
    if identifier := _identifier(data.get("identifier")):
        return identifier
    if url != page_url or not title:
        return url_source_id(url)
    # Several postings without URL or id on one page: the title tells them apart.
    return f"{url_source_id(url)}#{slug(title)}"


def _identifier(value: Any) -> str | None:
    value = first(value)
    if isinstance(value, dict):
        value = value.get("value") or value.get("name")
    return clean_text(str(value)) or None if value not in (None, "") else None


def _department(data: dict[str, Any]) -> str | None:
    org = first(data.get("hiringOrganization"))
    if department := name_of(data.get("employmentUnit")):
        return department
    return name_of(org.get("department")) if isinstance(org, dict) else None


def _education(value: Any) -> str | None:
    texts = []
    for entry in as_list(value):
        if isinstance(entry, dict):
            entry = entry.get("credentialCategory") or entry.get("name") or entry.get("description")
        if entry:
            texts.append(clean_text(str(entry)))
    return ", ".join(texts) or None


def _fill_location(posting: RawPosting, data: dict[str, Any]) -> None:
    # A place given as plain text ("63897 Miltenberg") is its address.
    given = as_list(data.get("jobLocation"))
    places = [p if isinstance(p, dict) else {"address": p} for p in given if isinstance(p, dict) or _text(p)]
    with_address = [p for p in places if p.get("address")]
    place = (with_address or places or [{}])[0]
    address = first(place.get("address"))
    if not address:
        org = first(data.get("hiringOrganization"))
        address = first(org.get("address")) if isinstance(org, dict) else None
    _fill_address(posting, address)
    geo = first(place.get("geo")) or {}
    if isinstance(geo, dict):
        posting.lat, posting.lon = to_float(geo.get("latitude")), to_float(geo.get("longitude"))
    if "TELECOMMUTE" in str(data.get("jobLocationType", "")).upper():
        posting.remote_text = "Homeoffice möglich"


def _fill_address(posting: RawPosting, address: Any) -> None:
    if isinstance(address, str):
        posting.street, posting.postal_code, posting.city = parse_place(address)
        return
    if not isinstance(address, dict):
        return
    posting.street = _text(address.get("streetAddress"))
    posting.postal_code = _text(address.get("postalCode"))
    posting.city = _text(address.get("addressLocality"))


def _fill_employment(posting: RawPosting, data: dict[str, Any]) -> None:
    kinds = [str(k).upper().replace("-", "_").replace(" ", "_") for k in as_list(data.get("employmentType"))]
    words = [_EMPLOYMENT_TYPES.get(k, k) for k in kinds]
    hours = _text(data.get("workHours"))
    posting.working_time_text = ", ".join([w for w in words if w in ("Vollzeit", "Teilzeit")] + [hours or ""])
    posting.working_time_text = posting.working_time_text.strip(", ") or None
    if "TEMPORARY" in kinds:
        posting.term_text = "befristet"
    if "INTERN" in kinds:
        posting.posting_type_text = "Praktikum"
    if kinds:
        posting.structured["employment_type"] = kinds


def _fill_salary(posting: RawPosting, salary: Any) -> None:
    """Texts ("Entgeltgruppe 9c TVöD") go to pay_text; amounts go to structured["salary"]."""
    salary = first(salary)
    if salary is None:
        return
    if not isinstance(salary, dict):
        posting.pay_text = clean_text(str(salary))
        return
    value = first(salary.get("value"))
    texts = [salary.get("name"), salary.get("description")]
    amounts: dict[str, Any] = {"currency": salary.get("currency")}
    if isinstance(value, dict):
        texts += [value.get("name"), value.get("description")]
        for key, out in (("value", "value"), ("minValue", "min"), ("maxValue", "max")):
            amounts[out] = _amount(value.get(key))
        amounts["unit"] = value.get("unitText")
    else:
        amounts["value"] = _amount(value)
        texts.append(value if amounts["value"] is None else None)
    posting.pay_text = ", ".join(clean_text(str(t)) for t in texts if t) or None
    amounts = {k: v for k, v in amounts.items() if v is not None}
    if set(amounts) - {"currency", "unit"}:
        posting.structured["salary"] = amounts


def _amount(value: Any) -> float | None:
    return salary.amount(value)  # German "4.600,00" too; to_float would read it as 4.6


def _fill_apply(posting: RawPosting, data: dict[str, Any], page_url: str) -> None:
    contact = first(data.get("applicationContact"))
    if isinstance(contact, dict):
        posting.contact_name = _text(contact.get("name"))
        posting.contact_phone = _text(contact.get("telephone"))
        email = _text(contact.get("email"))
        posting.contact_email = email.removeprefix("mailto:") if email else None
        posting.apply_url = absolute(page_url, _text(contact.get("url")))
    direct = data.get("directApply")
    if direct is not None:
        posting.structured["direct_apply"] = str(direct).lower() in ("true", "1", "yes")
        if posting.structured["direct_apply"] and not posting.apply_url:
            posting.apply_url = posting.url


# ------------------------------------------------------------------ facts the schema leaves out


def complete_from_description(posting: RawPosting) -> None:
    """Facts missing from the schema come from the description, read by the crawl's normaliser.

    to_record reads a hint instead of the description whenever the hint is set, and looks for pay only
    in the title and the first 3000 characters. So a hint that is partial ("Vollzeit" without hours,
    "befristet" without a length) or unreadable ("bachelor degree") would hide what the description
    says: such hints are completed from the description or left empty. What the schema states wins.
    """
    from vacancies.search.document import html_to_text  # the plain text to_record reads, too

    text = html_to_text(posting.description_html)
    if not text:
        return
    posting.reference = _visible_reference(text) or posting.reference
    if not posting.postal_code:
        _place_from_text(posting, text)
    posting.pay_text = _with_pay(posting.pay_text, text)
    posting.working_time_text = _with_hours(posting.working_time_text, text)
    posting.term_text = _with_term_length(posting.term_text, text)
    if posting.career_text and normalize.parse_career_level(posting.career_text) is None:
        posting.career_text = None  # e.g. "bachelor degree": the title and description may say "3. QE"


_PLACE_LINE_RE = re.compile(r"(?i)^\s*(?:dienstort|arbeitsort|einsatzort|dienstsitz|standort)\s*:")


def _place_from_text(posting: RawPosting, text: str) -> None:
    """A place the schema gives without postal code ("Bad Neustadt a.d.Saale") from the description:
    a "Dienstort:" line, or an address line in the same place. Another place's address (the HR
    office's, say) is not taken for an unlabelled line."""
    lines = [line for line in text.splitlines() if line.strip()]
    labelled = [line.split(":", 1)[1] for line in lines if _PLACE_LINE_RE.match(line)]
    named = (posting.city or "").casefold()
    for line, must_match in [(line, False) for line in labelled] + [(line, True) for line in lines]:
        street, code, city = parse_place(line)
        if (
            code
            and city
            and (not must_match or (named and (named in city.casefold() or city.casefold() in named)))
        ):
            posting.street, posting.postal_code, posting.city = posting.street or street, code, city
            return


def _visible_reference(text: str) -> str | None:
    """The Kennziffer the description shows: applicants quote it, while the schema's `identifier` is often
    a database number. The identifier stays the posting's source_id."""
    from crawler.strategies.plain import reference_in  # plain imports this module

    return reference_in(text)


def _with_pay(hint: str | None, text: str) -> str | None:
    """Without a grade in the schema: the description's lines naming one (wherever they stand)."""
    if hint and normalize.parse_pay(hint).has_grade:
        return hint
    lines = [line for line in text.splitlines() if normalize.parse_pay(line).has_grade]
    return ", ".join(([hint] if hint else []) + lines) or None


def _with_hours(hint: str | None, text: str) -> str | None:
    """ "Vollzeit" from employmentType, plus the weekly hours the description names."""
    if not hint or normalize.parse_weekly_hours(hint) is not None:
        return hint
    if not normalize.parse_working_time(hint):
        return None  # workHours such as "Gleitzeit": nothing the normaliser reads, the description decides
    hours = normalize.parse_weekly_hours(text)
    return hint if hours is None else f"{hint}, {hours:g} Wochenstunden".replace(".", ",")


def _with_term_length(hint: str | None, text: str) -> str | None:
    """ "befristet" from employmentType TEMPORARY, plus the length the description names."""
    if not hint or normalize.parse_fixed_term(hint)[1] is not None:
        return hint
    fixed, months = normalize.parse_fixed_term(text)
    return f"{hint} auf {months} Monate" if fixed and months else hint
