"""Offline geocoding from the GeoNames postal-code table (config/geo/plz_de.csv, CC BY 4.0).

Postal code or place name -> coordinates, for the radius search and for postings that only name a
postal code. No network: the table ships with the project.

The source mixes places with "Großkundenpostleitzahlen", codes of single firms and offices ("Honeywell
GmbH", "AOK Bayern – Die Gesundheitskasse", "Landratsamt Freising"). Those rows live apart, in
plz_de_grosskunden.csv: their codes still resolve (a posting may give its office's own code), but they
are no place name to search near and never a suggestion.
"""

from __future__ import annotations

import csv
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vacancies.search.contract import GeoPoint
from vacancies.settings import config_dir

COLUMNS = ["zipcode", "place", "state", "district", "district_key", "latitude", "longitude"]
COMPANY_SUFFIX = "_grosskunden"  # plz_de.csv -> plz_de_grosskunden.csv
ATTRIBUTION = "Postleitzahlen und Koordinaten: GeoNames (geonames.org), CC BY 4.0"


@dataclass(frozen=True)
class Place:
    postal_code: str
    name: str
    state: str
    district: str
    district_key: str
    lat: float
    lon: float


_CODE_IN_TEXT = re.compile(r"(?<![\w-])(\d{5})(?![\w-])")  # a word of five digits, not part of "24-00123"
_UMLAUTS = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def spell_name(name: str) -> str:
    """Case- and punctuation-insensitive key that keeps umlauts apart: 'Fürth' == 'Fuerth' != 'Furth'."""
    text = name.strip().lower().translate(_UMLAUTS)
    if not text.isascii():  # accents of other languages ('Besançon'): strip them
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_ALNUM.sub(" ", text).strip()


def fold_name(name: str) -> str:
    """Looser key, also for umlauts typed without dots: 'Bad Tölz' == 'bad toelz' == 'Bad-Tolz'."""
    return _loosen(spell_name(name))


def _loosen(spelled: str) -> str:
    return spelled.replace("ae", "a").replace("oe", "o").replace("ue", "u")


class Gazetteer:
    """Postal codes and place names of Germany, Bavarian places preferred for ambiguous names."""

    def __init__(self, csv_path: Path) -> None:
        self.by_code: dict[str, Place] = {}
        # Two name tables: the spelling keeps "Fürth" and "Furth" (125 km apart) apart; the folded one
        # finds "Bad Tolz" typed without dots, where the spelling finds nothing.
        self.by_spelling: dict[str, Place] = {}
        self.by_name: dict[str, Place] = {}
        # Postal codes per place name and district: the table has no population, and a town's size
        # shows in its codes (München 74, Freising 2, Freyung 1), so suggestions list larger places first.
        self.codes_of: dict[tuple[str, str], int] = {}
        # Every `stellenboerse` process that normalises or searches builds this (23,000 rows) at start:
        # plain rows and positional fields keep it at ~0.15 s.
        with open(csv_path, encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle)
            columns = next(rows)
            if columns != COLUMNS:
                raise ValueError(f"{csv_path}: Spalten {columns}, erwartet {COLUMNS}")
            for code, name, state, district, district_key, lat, lon in rows:
                self._add(Place(code, name, state, district, district_key, float(lat), float(lon)))
        self.place_codes = frozenset(self.by_code)
        companies = csv_path.with_name(f"{csv_path.stem}{COMPANY_SUFFIX}{csv_path.suffix}")
        if companies.exists():
            for place in _read(companies):
                self.by_code.setdefault(place.postal_code, place)  # a place of the same code wins

    def _add(self, place: Place) -> None:
        self.by_code.setdefault(place.postal_code, place)
        spelled = spell_name(place.name)
        size = (spelled, place.district_key)
        self.codes_of[size] = self.codes_of.get(size, 0) + 1
        _prefer(self.by_spelling, spelled, place)
        _prefer(self.by_name, _loosen(spelled), place)

    def lookup(self, text: str) -> GeoPoint | None:
        """A postal code ('63897') or a place name ('Miltenberg', 'Muenchen'); None if unknown."""
        text = (text or "").strip()
        if not text:
            return None
        match = re.match(r"^(\d{5})\b\s*(.*)$", text)
        place = self.by_code.get(match.group(1)) if match else self.place_named(text)
        if place is None:
            return None
        return GeoPoint(place.lat, place.lon, f"{place.postal_code} {place.name}")

    def postal_code_in(self, text: str) -> tuple[str, GeoPoint | None]:
        """A Bavarian postal code typed among the search words ("Verwaltung 85354"): (the words without
        it, its place); (text, None) when there is none. A job seeker who types a code means a place."""
        for match in _CODE_IN_TEXT.finditer(text or ""):
            code = match.group(1)
            place = self.by_code.get(code) if code in self.place_codes else None
            if place is not None and place.state == "Bayern":
                rest = " ".join(f"{text[: match.start()]} {text[match.end() :]}".split())
                return rest, GeoPoint(place.lat, place.lon, f"{place.postal_code} {place.name}")
        return text, None

    def place_name_in(self, text: str) -> tuple[str, Place] | None:
        """A Bavarian place named among the search words ("Verwaltung Freising"): (the other words, the
        place), longest name first; None when none is named or nothing else is left. Only a hint: "Hof"
        and "Au" are places and words, so the caller asks, it does not decide."""
        words = (text or "").split()
        for length in (3, 2, 1):
            for start in range(len(words) - length + 1):
                place = self.by_spelling.get(spell_name(" ".join(words[start : start + length])))
                rest = " ".join(words[:start] + words[start + length :])
                if place is not None and place.state == "Bayern" and rest:
                    return rest, place
        return None

    def place_named(self, name: str) -> Place | None:
        return self.by_spelling.get(spell_name(name)) or self.by_name.get(fold_name(name))

    def place_for_code(self, postal_code: str) -> Place | None:
        return self.by_code.get(postal_code)

    def suggest(self, prefix: str, limit: int = 8) -> list[Place]:
        """Places whose name or postal code starts with the typed text (for autocomplete)."""
        key = fold_name(prefix)
        if not key:
            return []
        if key.isdigit():
            codes = sorted(code for code in self.place_codes if code.startswith(key))
            return [self.by_code[code] for code in codes[:limit]]
        spelled = spell_name(prefix)
        hits = [(name, p) for name, p in self.by_spelling.items() if _loosen(name).startswith(key)]
        # as typed first ("Fürt": Fürth before Furth), then Bavarian, then larger places ("Fre": Freising
        # before Freyung and Freihung), then short names
        hits.sort(
            key=lambda h: (
                not h[0].startswith(spelled),
                h[1].state != "Bayern",
                -self.codes_of[(h[0], h[1].district_key)],
                len(h[1].name),
                h[1].name,
            )
        )
        return [p for _, p in hits[:limit]]


def _read(csv_path: Path) -> list[Place]:
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        if next(rows) != COLUMNS:
            raise ValueError(f"{csv_path}: Spalten weichen ab, erwartet {COLUMNS}")
        return [Place(c, n, s, d, k, float(lat), float(lon)) for c, n, s, d, k, lat, lon in rows]


def _prefer(table: dict[str, Place], key: str, place: Place) -> None:
    known = table.get(key)
    # "Neustadt" exists many times: the board is Bavarian, so a Bavarian place wins.
    if known is None or (known.state != "Bayern" and place.state == "Bayern"):
        table[key] = place


@functools.cache
def get_gazetteer(csv_path: str | None = None) -> Gazetteer:
    return Gazetteer(Path(csv_path) if csv_path else config_dir() / "geo" / "plz_de.csv")


# -- distances: the one home of the great-circle formula (issue 17, item 7) ---------------------------------
#
# Both search backends, the alert matcher and the tests measure with these. The scalar and the vectorised
# form compute the same expression; numpy's sin/cos may differ from libm's in the last bit, so the embedded
# search and the alert matcher both use the vectorised one (a posting at the radius' edge is inside for
# both or for neither).

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG), as Elasticsearch's arc distance uses


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def haversine_km_array(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    """haversine_km from many points to one, vectorised (the embedded backend measures every posting of a
    radius search at once; a Python loop cost ~10x)."""
    phi, phi0 = np.radians(lat), np.radians(lat0)
    a = np.sin((phi - phi0) / 2) ** 2 + np.cos(phi) * np.cos(phi0) * np.sin(np.radians(lon - lon0) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
