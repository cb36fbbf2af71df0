"""Search parameters of the pages: the domain's filter model (vacancies.search.filters), as the API.

FastAPI would answer a bad parameter with problem+json; a page must instead show the form again with a
German message next to the field. So the page validates the query string itself, through the same model
the API declares: one definition of names, types and limits for API, pages, feeds, alerts and CLI.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from vacancies.geo import Gazetteer
from vacancies.search.contract import SearchQuery
from vacancies.search.filters import SearchParameters, applied_pairs, check


def list_fields() -> set[str]:
    return SearchParameters.list_fields()


def defaults() -> dict[str, typing.Any]:
    return {
        name: f.get_default(call_default_factory=True) for name, f in SearchParameters.model_fields.items()
    }


@dataclass
class PageSearch:
    """What the search form was given: raw values to show again, the query, or errors per field."""

    raw: list[tuple[str, str]]
    query: SearchQuery | None = None
    errors: dict[str, str] = field(default_factory=dict)
    place_from_text: str = ""  # "85354 Freising" when a postal code in q became the place

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.raw if k == name]

    def value(self, name: str, default: str = "") -> str:
        found = self.values(name)
        return found[-1] if found else default

    def url(self, path: str = "/", drop: tuple[str, str | None] | None = None, **changes: str | None) -> str:
        """This search's URL with some parameters changed (None removes) or one value dropped."""
        pairs = [(k, v) for k, v in self.raw if k not in changes and k != "page"]
        if drop:
            pairs = [(k, v) for k, v in pairs if not (k == drop[0] and (drop[1] is None or v == drop[1]))]
        pairs += [(k, v) for k, v in changes.items() if v is not None]
        if not self._has_place(pairs):
            # without a place there is no distance to sort by: such a link would only earn an error
            pairs = [(k, v) for k, v in pairs if (k, v) != ("sort", "distance")]
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def _has_place(self, pairs: list[tuple[str, str]]) -> bool:
        """A place given, or the postal code that became the place still among the search words."""
        code = self.place_from_text[:5]
        return any(k == "near" or (code and k == "q" and code in v) for k, v in pairs)


def parse(query_params: QueryParams, gazetteer: Gazetteer, extra: dict | None = None) -> PageSearch:
    """Validate the query string; empty form fields count as not given."""
    known = SearchParameters.model_fields
    raw = [(k, v) for k, v in query_params.multi_items() if k in known and v.strip()]
    checked = check(raw, gazetteer, **(extra or {}))
    bad = {e["field"] for e in checked.errors}
    search = PageSearch(raw=applied_pairs(raw, checked.filters, bad), query=checked.query)
    if checked.resolved and checked.resolved.place_from_text:
        search.place_from_text = checked.resolved.place_from_text.label
    search.errors = _by_field(checked.errors)
    return search


def _by_field(errors: list[dict]) -> dict[str, str]:
    out: dict[str, str] = {}
    for error in errors:
        name = error.get("field") or "q"
        message = error["message"]
        if message.startswith("erlaubt sind:"):  # the API's list of internal values means nothing here
            message = "unbekannte Auswahl"
        out[name] = f"{out[name]}; {message}" if name in out else message
    return out
