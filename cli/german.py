"""German headings and error messages for the command's help (argparse's own texts are English).

argparse looks its texts up through the module globals `_` and `ngettext` (gettext) each time it uses
them, and no German catalogue ships with Python. Replacing the two lookups with this table gives
`stellenboerse --help` and its errors in German without touching how arguments are parsed.
"""

from __future__ import annotations

import argparse

GERMAN = {
    "usage: ": "Aufruf: ",
    "positional arguments": "Argumente",
    "options": "Optionen",
    "show this help message and exit": "diese Hilfe anzeigen und beenden",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "Argument %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "unbekannte Argumente: %s",
    "the following arguments are required: %s": "diese Angaben fehlen: %s",
    "one of the arguments %s is required": "eine dieser Angaben ist nötig: %s",
    "not allowed with argument %s": "nicht zusammen mit %s möglich",
    "ignored explicit argument %r": "Wert %r wird nicht erwartet",
    "expected one argument": "erwartet einen Wert",
    "expected at most one argument": "erwartet höchstens einen Wert",
    "expected at least one argument": "erwartet mindestens einen Wert",
    "ambiguous option: %(option)s could match %(matches)s": (
        "mehrdeutige Option: %(option)s passt zu %(matches)s"
    ),
    "invalid %(type)s value: %(value)r": "ungültiger Wert (%(type)s): %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "unbekannte Auswahl: %(value)r (möglich: %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "„%(filename)s“ lässt sich nicht öffnen: %(error)s",
    "unexpected option string: %s": "unerwartete Option: %s",
}
PLURALS = {"expected %s argument": ("erwartet %s Wert", "erwartet %s Werte")}


def _gettext(message: str) -> str:
    return GERMAN.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    german = PLURALS.get(singular)
    if german is None:
        return singular if count == 1 else plural
    return german[0] if count == 1 else german[1]


def use_german_help() -> None:
    """Before the parsers are built: some texts (headings, -h) are looked up when they are made."""
    argparse._ = _gettext  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]
