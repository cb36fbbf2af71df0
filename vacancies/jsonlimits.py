"""JSON from outside (HR API bodies, import files) read with limits a vacancy never needs.

Python's parser raises RecursionError for deep nesting and ValueError for integers past 4,300 digits;
neither is a JSONDecodeError, so callers that caught only that crashed (a 500, an aborted import).
`loads` turns every such case into `JsonRefused` with a German message.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64  # a posting nests three levels deep
MAX_NUMBER_DIGITS = 20


class JsonRefused(ValueError):
    """Not JSON, or JSON beyond what a posting can be; the message is German and shown as is."""


def loads(raw: str | bytes) -> Any:
    try:
        data = json.loads(raw, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:  # the C parser's own depth limit (~1,000 levels) is reached first
        raise JsonRefused(_TOO_DEEP) from None
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"kein gültiges JSON ({exc.msg}, Spalte {exc.colno})") from None
    except UnicodeDecodeError:
        raise JsonRefused("kein gültiges JSON (keine UTF-8-Kodierung)") from None
    if _depth(data) > MAX_DEPTH:
        raise JsonRefused(_TOO_DEEP)
    return data


_TOO_DEEP = f"zu tief verschachtelt (höchstens {MAX_DEPTH} Ebenen)"


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise JsonRefused(f"eine Zahl ist zu lang (höchstens {MAX_NUMBER_DIGITS} Ziffern)")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if len(text) > 40 or not math.isfinite(value):
        raise JsonRefused("eine Zahl ist zu lang oder zu groß")
    return value


def _constant(text: str) -> float:
    raise JsonRefused(f"{text} ist in JSON keine Zahl")


def _depth(data: Any) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, level + 1) for item in items if isinstance(item, dict | list))
    return deepest
