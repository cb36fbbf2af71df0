"""German messages for pydantic validation errors: one wording for the API, the pages and the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_MESSAGES = {
    "int_parsing": "muss eine ganze Zahl sein",
    "int_from_float": "muss eine ganze Zahl sein",
    "float_parsing": "muss eine Zahl sein",
    "finite_number": "muss eine Zahl sein",  # "nan", "inf"
    "bool_parsing": "muss true oder false sein",
    "enum": "erlaubt sind: {expected}",
    "literal_error": "erlaubt sind: {expected}",
    "greater_than_equal": "muss mindestens {ge} sein",
    "less_than_equal": "darf höchstens {le} sein",
    "greater_than": "muss größer als {gt} sein",
    "missing": "fehlt",
    "string_too_long": "ist zu lang (höchstens {max_length} Zeichen)",
    "json_invalid": "ist kein gültiges JSON",
    "extra_forbidden": "ist hier nicht vorgesehen",
    "string_type": "muss ein Text sein",
    "list_type": "muss eine Liste sein",
    "dict_type": "muss ein JSON-Objekt sein",
    "model_attributes_type": "muss ein JSON-Objekt sein",
}
# Where a value came from, not which field it was: people know the parameter, not these.
_SOURCES = ("query", "body", "path", "header")


def field_errors(items: Iterable[Any]) -> list[dict[str, str]]:
    """pydantic's error items as [{"field": "per_page", "message": "darf höchstens 100 sein"}]."""
    errors = []
    for item in items:
        # Repeated query parameters put a list index in loc; people know the parameter, not the index.
        loc = [str(p) for p in item.get("loc", ()) if p not in _SOURCES and not isinstance(p, int)]
        errors.append({"field": ".".join(loc), "message": message(item)})
    return errors


def message(item: Any) -> str:
    template = _MESSAGES.get(item.get("type", ""))
    if not template:
        return str(item.get("msg", "ungültig"))
    return template.format(**{key: _german(value) for key, value in item.get("ctx", {}).items()})


def _german(value: object) -> object:
    """Bounds and choices as a German reader writes them: 300 not 300.0, 0,5 not 0.5, 'a' oder 'b'."""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, str):
        return value.replace("' or '", "' oder '")
    return value


def joined(errors: list[dict[str, str]]) -> str:
    """The one-line form of field errors: "page: ...; sort: ..."."""
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)
