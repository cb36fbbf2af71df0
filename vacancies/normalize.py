"""Normalisation helpers for German public-sector job postings.

Postings of Bavarian district offices (Landratsämter) spell the same facts in many ways: "EG 9b",
"Entgeltgruppe 9b TVöD", "BesGr. A 9", "Vollzeit, teilzeitfähig", "befristet auf 2 Jahre", "3. QE".
The functions here turn such free text into the values of the vacancy record (DESIGN.md). They never
guess wildly: when a text says nothing recognisable the result is None / an empty list.

Pay grade ranks (one axis for all scales) live in vacancies.grades;
`canonical_pay_grade` only ever returns grades from its table.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from vacancies import clock
from vacancies.categories import (
    CATEGORIES,
    CATEGORY_KEYWORDS,
    KLDB_BERUFSBEREICH,
    category_for,
    posting_type_from_title,
)
from vacancies.grades import PAY_GRADE_RANKS, pay_grade_rank
from vacancies.model import EmploymentStatus, PayScale, WorkingTime

__all__ = [
    "CATEGORIES",
    "CATEGORY_KEYWORDS",
    "KLDB_BERUFSBEREICH",
    "PayInfo",
    "canonical_pay_grade",
    "category_for",
    "is_as_soon_as_possible",
    "is_land_employer",
    "is_placeholder_date",
    "parse_career_level",
    "parse_deadline",
    "parse_fixed_term",
    "parse_german_date",
    "parse_pay",
    "parse_start_date",
    "parse_status",
    "parse_timestamp",
    "parse_weekly_hours",
    "parse_working_time",
    "posting_type_from_title",
]


@functools.lru_cache(maxsize=64)  # the parsers of one posting fold the same description in turn
def _fold(text: str) -> str:
    """Lower case with umlauts spelled out, so "Kämmerei" and "Kaemmerei" compare equal."""
    text = unicodedata.normalize("NFC", text).lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    return text


# --------------------------------------------------------------------------------------------- pay


_WORD = r"[A-Za-zÄÖÜäöüß]"
# "Entgeltgruppe", "Entgeltgr.", "EG", "Besoldungsgruppe", "BesGr." – the word before a grade number.
_GROUP_WORD = (
    r"(?i:entgeltgruppen?|entgeltgr(?:p|up)?\.?|egr?\.?"
    r"|besoldungsgruppen?|besgrp?\.?|bes\.\s?gr\.?|bgr\.?)"
)
_GRADE_RE = re.compile(
    rf"(?<!{_WORD})(?:(?P<word>{_GROUP_WORD})\s*(?P<letter1>[ESAP])?|(?P<letter2>[ESAP]))"
    rf"\s?-?\s?(?P<number>\d{{1,2}})(?!\d)"
    rf"(?:(?P<sub>[a-dA-D])(?!{_WORD})|\s(?P<spaced_sub>[a-d])(?!{_WORD}|\.\w))?"
)
# "A 9/10", "Entgeltgruppe 9a bis 9c": the second grade without its letter.
_CONTINUATION_RE = re.compile(
    rf"\s*(?:/|-|–|—|bis|bzw\.?|oder)\s*(?P<number>\d{{1,2}})(?!\d)(?:\s?(?P<sub>[a-d])(?!{_WORD}))?"
    r"(?!\s*(?:monat|jahr|std|stund|woche|%|\.\d))",
    re.IGNORECASE,
)


def _grade_from_parts(letter: str, number: str, sub: str | None) -> str | None:
    grade = f"{letter}{int(number)}{(sub or '').lower()}"
    if grade in PAY_GRADE_RANKS:
        return grade
    # A stray letter after a real grade ("A 13 a") is more likely noise than a new grade.
    plain = f"{letter}{int(number)}"
    return plain if sub and plain in PAY_GRADE_RANKS else None


def _letter_for(match: re.Match[str]) -> str:
    if match["letter1"] or match["letter2"]:
        return match["letter1"] or match["letter2"]
    # "Besoldungsgruppe 10" without a letter means A 10; "Entgeltgruppe 9" means E 9.
    return "A" if re.match(r"(?i)b", match["word"]) else "E"


def _find_grades(text: str) -> list[tuple[str, int]]:
    """All known grades in a text with their start positions, in reading order."""
    found: list[tuple[str, int]] = []
    for match in _GRADE_RE.finditer(text):
        letter = _letter_for(match)
        grade = _grade_from_parts(letter, match["number"], match["sub"] or match["spaced_sub"])
        if grade is None:
            continue
        found.append((grade, match.start()))
        found.extend(_continuations(text, match.end(), letter, grade))
    return found


def _continuations(text: str, pos: int, letter: str, previous: str) -> list[tuple[str, int]]:
    found = []
    while cont := _CONTINUATION_RE.match(text, pos):
        grade = _grade_from_parts(letter, cont["number"], cont["sub"])
        # Only a higher grade of the same scale continues a range; anything else is another number.
        if grade is None or PAY_GRADE_RANKS[grade] <= PAY_GRADE_RANKS[previous]:
            break
        found.append((grade, cont.start("number")))
        previous, pos = grade, cont.end()
    return found


def canonical_pay_grade(text: str) -> str | None:
    """One grade in any usual spelling ("EG 9b", "BesGr. A 9", "S11 b") as "E9b", "A9", "S11b"."""
    if not text:
        return None
    # Already (nearly) canonical, as typed into a search form: "e9a", "A 13".
    if compact := re.fullmatch(r"([ESAPesap])(\d{1,2})([a-dA-D]?)", re.sub(r"\s+", "", text)):
        grade = f"{compact[1].upper()}{int(compact[2])}{compact[3].lower()}"
        return grade if grade in PAY_GRADE_RANKS else None
    grades = {grade for grade, _ in _find_grades(text)}
    # Several different grades are a range, not "one grade".
    return grades.pop() if len(grades) == 1 else None


@dataclass(frozen=True)
class PayInfo:
    pay_scale: PayScale | None
    grade_min: str | None
    grade_max: str | None

    @property
    def has_grade(self) -> bool:
        """A grade is known: open ranges have only a floor ("mind. E 14") or only a ceiling ("bis E 11")."""
        return bool(self.grade_min or self.grade_max)


_SCALE_LETTERS = {
    PayScale.baybesg: "A",
    PayScale.tvoed: "EP",
    PayScale.tvl: "ES",  # the TV-L has its own S table for the social and educational service
    PayScale.tvoed_sue: "S",
}
_SUE_RE = re.compile(r"\bsue\b|sozial-?\s*und\s+erziehungsdienst")
_TVL_RE = re.compile(r"\btv\s?-?\s?l\b")
_TVOED_RE = re.compile(r"\btv\s?-?\s?o?e?d\b")
_BESOLDUNG_RE = re.compile(r"baybesg|besoldung|\bbesgr|\bbes\.\s?gr|\bbeamtenbesoldung")
_UP_TO_RE = re.compile(
    r"(?i)(?:\bbis|\bmax\.?|\bmaximal|\bhöchstens|\bhoechstens)\s+(?:(?:zu[rm]?|in)\s+)?(?:(?:die|der)\s+)?$"
)
# "mind. E 14", "ab E 11", "mindestens Entgeltgruppe 9b": the floor is known, the ceiling is open.
_AT_LEAST_RE = re.compile(r"(?i)(?:\bmind\.?|\bmindestens|\bab|\bnicht\s+unter)\s+(?:(?:die|der)\s+)?$")
# "E 9 – A 11": a range across two scales cannot be right; "A 12 / EG 12" (alternatives) can.
_RANGE_JOIN_RE = re.compile(r"(?i)(?:–|—|\s-\s|\bbis\b)\s*(?:[a-zäöüß.]+\s*)?$")
# Land (state) employers pay employees by the TV-L; Landkreise, Gemeinden, Städte, Märkte, Bezirke and
# Zweckverbände are municipal (VKA) employers and pay by the TVöD.
_LAND_EMPLOYER_RE = re.compile(
    r"freistaat|\blandes(?:amt|anstalt|betrieb|bibliothek|zentrale|kriminalamt)|\bstaatlich|\bstaats"
    r"(?:ministerium|kanzlei|archiv|bibliothek|anwaltschaft|forst|bad|theater|oper)|bezirksregierung|"
    r"\bregierung\s+(?:von|der|des)\b|\buniversitaet(?!sstadt)|\bhochschule|\bbayerische[ns]?\s+landes|"
    r"\b(?:amts|land|oberlandes|verwaltungs|sozial|arbeits|finanz)gericht|\bfinanzamt|\bpolizeipraesidium|"
    r"\bwasserwirtschaftsamt|\bamt\s+fuer\s+(?:ernaehrung|laendliche)|\bbezirksfinanzdirektion"
)


def _scale_from_keywords(folded: str) -> PayScale | None:
    # Substring tests before each regex: the regexes start with \b, so each would try every position
    # of a whole description, and most descriptions name only one scale.
    # SuE before TVöD: "TVöD-SuE" contains both.
    if ("sue" in folded or "erziehungsdienst" in folded) and _SUE_RE.search(folded):
        return PayScale.tvoed_sue
    if "tv" in folded:
        tvl, tvoed = _TVL_RE.search(folded), _TVOED_RE.search(folded)
        if tvl and tvoed:
            return PayScale.tvl if tvl.start() < tvoed.start() else PayScale.tvoed
        if tvl or tvoed:
            return PayScale.tvl if tvl else PayScale.tvoed
    return PayScale.baybesg if "bes" in folded and _BESOLDUNG_RE.search(folded) else None


def is_land_employer(employer: str | None) -> bool:
    """True for a state employer (Freistaat, Landesamt, Regierung von …, Universität): TV-L, not TVöD."""
    return bool(employer) and bool(_LAND_EMPLOYER_RE.search(_fold(employer)))


def _scale_for_grade(grade: str, folded: str, employer: str | None) -> PayScale:
    letter = grade[0]
    if letter == "A":
        return PayScale.baybesg
    named = _scale_from_keywords(folded)
    if letter == "S":
        # S grades follow the named tariff ("EGr. S12 TV-L"); without one they are the TVöD-SuE.
        return PayScale.tvl if named == PayScale.tvl else PayScale.tvoed_sue
    if letter == "E" and named in (PayScale.tvl, PayScale.tvoed):
        return named
    # A bare E grade: the employer decides. District offices (the default) are municipal (VKA) employers.
    if letter == "E" and named is None and is_land_employer(employer):
        return PayScale.tvl
    return PayScale.tvoed


def _mixes_scales(text: str, found: list[tuple[str, int]]) -> bool:
    """True for a range joined across scales ("E 9 – A 11"): no value is better than a wrong one."""
    for (first, first_start), (second, start) in zip(found, found[1:], strict=False):
        joined = start - first_start <= 30 and _RANGE_JOIN_RE.search(text[first_start:start])
        if first[0] != second[0] and joined:
            return True
    return False


def parse_pay(text: str, employer: str | None = None) -> PayInfo:
    """Pay scale and grade range of a free text such as "E 9a - E 10 TVöD" or "A9/A11".

    `employer` ("Landratsamt Miltenberg", "Freistaat Bayern") decides the tariff of a bare E grade.
    """
    text = text or ""
    found = _find_grades(text)
    folded = _fold(text)
    if not found:
        return PayInfo(_scale_from_keywords(folded), None, None)
    if _mixes_scales(text, found):
        return PayInfo(None, None, None)
    scale = _scale_for_grade(found[0][0], folded, employer)
    # Mixed texts ("BesGr. A 12 / EG 12 TVöD"): the first grade decides, the others are alternatives.
    grades = [g for g, _ in found if g[0] in _SCALE_LETTERS[scale]]
    low = min(grades, key=pay_grade_rank)
    high = max(grades, key=pay_grade_rank)
    if low == high:
        before = text[: found[0][1]]
        if _UP_TO_RE.search(before):
            return PayInfo(scale, None, high)  # "bis EG 11": only the ceiling is known
        if _AT_LEAST_RE.search(before):
            return PayInfo(scale, low, None)  # "mind. E 14": only the floor is known
    return PayInfo(scale, low, high)


# ----------------------------------------------------------------------------------- working time

_FULL_TIME_RE = re.compile(
    r"voll\s?-?\s?zeit|vollbeschaeftig|voll-\s*(?:,|/|oder|und|bzw\.?|&)\s*teil"
    # "im Umfang von 100 %" (of the regular working time) is full time.
    r"|(?:umfang|beschaeftigungsumfang|stellenumfang)\s+(?:von\s+)?100\s*(?:%|prozent)"
)
_PART_TIME_RE = re.compile(
    r"teil\s?-?\s?zeit|\bteilbar\b|job\s?-?\s?sharing"
    # "mit der Hälfte der regelmäßigen wöchentlichen Arbeitszeit": a fraction of the full working time.
    r"|\b(?:haelfte|drittel|viertel|dreiviertel)\s+(?:der|einer|des)\s+(?:[\w-]+\s+){0,3}?arbeitszeit"
)
_NEGATION_BEFORE_RE = re.compile(r"(?:\bkeine?[nr]?|\bnicht|\bohne)\s+$")
# Only filler words between the term and the negation: "Teilzeit ist leider nicht möglich".
_NEGATION_AFTER_RE = re.compile(
    r"^\w*[\s,()-]*(?:(?:ist|sind|wird|leider|grundsaetzlich|derzeit|hier|jedoch|aber)\s+)*"
    r"(?:nicht\s+(?:moeglich|vorgesehen|gegeben|angeboten)|ausgeschlossen)"
)
_FULL_TIME_HOURS = 35.0  # TVöD-VKA and Bavarian civil servants work 39 h; anything >= 35 h is full time


# "50 Prozent einer entsprechenden Vollzeitbeschäftigung", "75 % der regelmäßigen Arbeitszeit einer
# Vollzeitkraft": a share of full time is part time; the word "Vollzeit" there names the yardstick.
_SHARE_OF_FULL_RE = re.compile(
    r"(?:(?<![\d,.])(?P<share>\d{1,3}(?:[.,]\d{1,2})?)\s*(?:%|prozent)|\b(?:haelfte|drittel|viertel))"
    r"\s+(?:der|des|einer|eines)\s+(?:[\w-]+\s+){0,4}?$"
)
# interamt's working-time field answers "beides möglich" (full and part time); as a statement of its own
# or after a working-time label ("Teilzeit: beides möglich"), not inside some other sentence.
_BOTH_RE = re.compile(
    r"(?:^\W*|(?:voll|teil|arbeits)\s?-?\s?zeit\w*\s*(?:/\s*(?:voll|teil)\s?-?\s?zeit\w*\s*)?[:?\-–]\s*)"
    r"beides\s+(?:ist\s+)?moeglich\b"
)


def _negated(folded: str, match: re.Match[str]) -> bool:
    before, after = folded[max(0, match.start() - 12) : match.start()], folded[match.end() :]
    return bool(_NEGATION_BEFORE_RE.search(before) or _NEGATION_AFTER_RE.search(after))


def _mentioned(pattern: re.Pattern[str], folded: str) -> bool:
    """True if the pattern occurs at least once without a negation ("Teilzeit ist nicht möglich")."""
    return any(not _negated(folded, match) for match in pattern.finditer(folded))


def _full_time_stated(folded: str) -> tuple[bool, bool]:
    """(full time, part time by a share of full time) from the mentions of "Vollzeit"."""
    full = share_part = False
    for match in _FULL_TIME_RE.finditer(folded):
        share = _SHARE_OF_FULL_RE.search(folded[max(0, match.start() - 60) : match.start()])
        # "die Hälfte / drei Viertel einer Vollzeitstelle" has no number: always a share below 100.
        if share and (not share["share"] or float(share["share"].replace(",", ".")) < 100):
            share_part = True
        elif not _negated(folded, match):
            full = True
    return full, share_part


def parse_working_time(text: str) -> list[WorkingTime]:
    """[full_time], [part_time], both, or [] – "Vollzeit, teilzeitfähig" gives both."""
    folded = _fold(text or "")
    if "beides" in folded and _BOTH_RE.search(folded):
        return [WorkingTime.full_time, WorkingTime.part_time]
    full, share_part = _full_time_stated(folded)
    part = share_part or _mentioned(_PART_TIME_RE, folded)
    if not full and not part:
        hours = parse_weekly_hours(text)
        if hours is None:
            return []
        full, part = hours >= _FULL_TIME_HOURS, hours < _FULL_TIME_HOURS
    return [wt for wt, on in ((WorkingTime.full_time, full), (WorkingTime.part_time, part)) if on]


_HOURS_RE = re.compile(
    r"(?<![\d,.])(?P<hours>\d{1,2}(?:[.,]\d{1,2})?)\s*-?\s*"
    r"(?:wochenstunden|wochenarbeitsstunden|std\.?|stunden|h\b)"
    r"(?!\s*(?:/|pro|je|im|am|in\s+der|in\s+dem|am\s+tag)?\s*(?:monat|tag|jahr)|\s*taeglich)"
)


def parse_weekly_hours(text: str) -> float | None:
    """Weekly hours from "19,5 Wochenstunden", "39 Std./Woche", "Teilzeit mit 30 Stunden"."""
    for match in _HOURS_RE.finditer(_fold(text or "")):
        hours = float(match["hours"].replace(",", "."))
        if 0 < hours <= 60:  # the record's bounds; "24 Stunden" of something else would be odd here
            return hours
    return None


# ------------------------------------------------------------------------------------- fixed term

# No \b before the branches (see _FIXED_RE below: letter-first branches are scanned fast); "unbefristet"
# without \b also reads a two-column table glued into "Befristungunbefristet".
_PERMANENT_RE = re.compile(
    r"unbefristet|nicht\s+befristet|befrist(?:et|ung)\s*[:–-]\s*(?:nein|keine)\b|(?:ohne|keine)\s+befristung|"
    r"festanstellung|dauerstelle|dauerhaft\s+zu\s+besetzen|"
    r"auf\s+dauer\s+(?:zu\s+besetzen|angelegt|eingerichtet|ausgeschrieben)"
)
# "Befristung: unbefristet" / "Befristung: keine" is a label with its answer, not a fixed term.
_LABEL_ANSWER = r"(?!\s*[:–-]?\s*(?:unbefristet|keine\b|nein\b|entfaellt|ohne\b))"
# The look-behinds come after the first letter ("b(?<!unb)efristet" = "befristet" not after "un"): a
# pattern whose every branch starts with a letter lets the regex engine skip ahead to candidates
# instead of trying each position of a long description (~3× faster).
_FIXED_RE = re.compile(
    r"b(?<!unb)(?<!nicht b)efristet(?!\w*\s*[:–-]\s*(?:nein|keine)\b)|"
    # "Teilzeit- und Befristungsgesetz" (TzBfG) is the law every posting may cite, no fixed term.
    rf"b(?<!ohne b)(?<!keine b)efristung(?!s-?gesetz|s-?recht){_LABEL_ANSWER}|zeitlich\s+begrenzt|"
    r"(?:elternzeit|mutterschutz|krankheits|schwangerschafts)vertretung|"
    r"vertretung\s+(?:fuer\s+)?(?:waehrend\s+)?(?:der\s+|einer\s+|die\s+dauer\s+der\s+)?(?:elternzeit|mutterschutz)"
)
_NUMBER_WORDS = {
    "ein": 1, "eine": 1, "einem": 1, "einen": 1, "eines": 1, "zwei": 2, "drei": 3, "vier": 4,
    "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwoelf": 12,
    "achtzehn": 18, "vierundzwanzig": 24, "sechsunddreissig": 36, "eineinhalb": 1.5, "anderthalb": 1.5,
}  # fmt: skip
_DURATION_RE = re.compile(
    rf"(?<![\w.])(?P<amount>\d{{1,3}}(?:[.,]5)?|{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})"
    r"\s+(?P<unit>monat(?:e|en|s)?|jahr(?:e|en|es)?)\b"
)
_HALF_YEAR_RE = re.compile(r"\b(?:ein|einem|einen)\s+halbe[ns]?\s+jahr")


def _clause_around(folded: str, start: int, end: int) -> str:
    """The text of the sentence part holding a match; durations further away describe other things."""
    before = re.split(r"[;!?\n]|\.\s+(?=[a-z])|,\s*(?=mindestens|erfahrung)", folded[:start])[-1][-60:]
    after = re.split(r"[;!?\n]|\.\s+", folded[end:], maxsplit=1)[0][:80]
    return before + " " + after


def _months(clause: str) -> int | None:
    if _HALF_YEAR_RE.search(clause):
        return 6
    match = _DURATION_RE.search(clause)
    if not match:
        return None
    amount = match["amount"]
    value = _NUMBER_WORDS.get(amount) or float(amount.replace(",", "."))
    months = value * 12 if match["unit"].startswith("jahr") else value
    return int(months) if months == int(months) and 1 <= months <= 120 else None


_TERM_MENTIONS = 6  # later fixed-term mentions read for a length; bounded for very long texts


def _term_months(folded: str, first: re.Match) -> int | None:
    """The length from the first fixed-term mention that names one: a facts row "Befristung: befristet"
    says nothing, the text's "zunächst auf 12 Monate befristet" further down does."""
    later = itertools.islice(_FIXED_RE.finditer(folded, first.end()), _TERM_MENTIONS)
    mentions = itertools.chain([first], later)
    for match in mentions:
        if months := _months(_clause_around(folded, match.start(), match.end())):
            return months
    return None


def parse_fixed_term(text: str) -> tuple[bool | None, int | None]:
    """(fixed_term, term_months): "befristet auf 2 Jahre" -> (True, 24), "unbefristet" -> (False, None)."""
    folded = _fold(text or "")
    fixed = _FIXED_RE.search(folded)
    if fixed:
        # A real "befristet" wins over a later "unbefristete Übernahme wird angestrebt".
        return True, _term_months(folded, fixed)
    if _PERMANENT_RE.search(folded):
        return False, None
    return None, None


# ---------------------------------------------------------------------------------- career level

_ORDINAL_WORDS = {"erst": 1, "zweit": 2, "dritt": 3, "viert": 4}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QE = r"(?:qualifikationsebene|qe)\b"
_LEVEL_RANGE_RE = re.compile(rf"\b([1-4])\.?\s*(?:oder|bzw\.?|/|und|-|bis)\s*([1-4])\.?\s*{_QE}")
_LEVEL_RES = (
    re.compile(rf"\b(?P<digit>[1-4])\.\s*{_QE}"),
    re.compile(r"\b(?:qe|qualifikationsebene)\s*(?P<digit>[1-4])\b"),
    re.compile(r"\bqe\s*(?P<roman>iv|i{1,3})\b"),
    re.compile(r"\b(?P<word>erst|zweit|dritt|viert)e[nmrs]?\s+" + _QE),
)
_SERVICE_RE = re.compile(
    r"\b(?P<level>einfach|mittler|gehoben|hoeher)e[nmrs]?\s+(?:[\w()-]+\s+){0,2}?[\w-]*dienst(?:es)?\b"
)
_SERVICE_LEVELS = {"einfach": 1, "mittler": 2, "gehoben": 3, "hoeher": 4}


def parse_career_level(text: str) -> int | None:
    """Bavarian Qualifikationsebene 1–4: "3. QE", "QE 2", "zweite Qualifikationsebene", "gehobener Dienst"."""
    folded = _fold(text or "")
    # Every level pattern names the level ("qe"/"qualifikationsebene"); a substring test first spares
    # six regex scans of a whole description in the common case that it names none.
    if ("qe" in folded or "qualifikationsebene" in folded) and (level := _numbered_level(folded)):
        return level
    # The old career names (Laufbahngruppen) map one to one onto the four levels.
    if "dienst" in folded and (match := _SERVICE_RE.search(folded)):
        return _SERVICE_LEVELS[match["level"]]
    return None


def _numbered_level(folded: str) -> int | None:
    # "2. oder 3. QE": the entry level is the lower one.
    if match := _LEVEL_RANGE_RE.search(folded):
        return min(int(match[1]), int(match[2]))
    for pattern in _LEVEL_RES:
        if match := pattern.search(folded):
            if match.groupdict().get("digit"):
                return int(match["digit"])
            if match.groupdict().get("roman"):
                return _ROMAN[match["roman"]]
            return _ORDINAL_WORDS[match["word"]]
    return None


# ----------------------------------------------------------------------------------------- status

_CIVIL_SERVANT_RE = re.compile(r"beamt|verbeamt|besoldung|\bbesgr|\bbes\.\s?gr|baybesg|dienstherr")
_EMPLOYEE_RE = re.compile(
    r"tarifbeschaeftigt|tarifangestellt|arbeitsverhaeltnis|beschaeftigungsverhaeltnis|arbeitnehmer|"
    r"entgelt|\btv\s?-?\s?o?e?d\b|\btv\s?-?\s?l\b|\bangestellte|\bangestelltenverhaeltnis"
)


def parse_status(text: str) -> list[EmploymentStatus]:
    """[employee], [civil_servant] or both: Tarifbeschäftigte / Beamte."""
    folded = _fold(text or "")
    letters = {grade[0] for grade, _ in _find_grades(text or "")}
    civil = _mentioned(_CIVIL_SERVANT_RE, folded) or "A" in letters
    employee = _mentioned(_EMPLOYEE_RE, folded) or bool(letters & set("ESP"))
    pairs = ((EmploymentStatus.employee, employee), (EmploymentStatus.civil_servant, civil))
    return [status for status, on in pairs if on]


# -------------------------------------------------------------------------------------- category

# The Berufsfeld taxonomy, its KldB 2010 mapping and the matcher live in vacancies/categories.py
# (issue 15), with posting_type_from_title (category_for needs it: trainee posts first); these stay
# importable from here.


# ------------------------------------------------------------------------------------------- dates

_MONTHS = {
    "januar": 1, "jan": 1, "jaenner": 1, "februar": 2, "feb": 2, "maerz": 3, "mrz": 3, "maer": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "dezember": 12, "dez": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_RE = re.compile(
    r"(?<![\d.])(?:"
    r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d)"
    r"|(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.(?:\s?(?P<y>\d{4})|(?P<yy>\d{2}))?(?![\d])"
    rf"|(?P<nd>\d{{1,2}})\.?\s*(?P<nm>{_MONTH_NAMES})\b\.?(?:\s*(?P<ny>\d{{4}}))?"
    r")"
)


def _year_for(day: int, month: int, today: date) -> int:
    """A date without a year is the next such day from today on (deadlines lie ahead)."""
    try:
        return today.year if date(today.year, month, day) >= today else today.year + 1
    except ValueError:
        return today.year + 1  # 29.02. in a non-leap year: the check below rejects invalid dates


_FAR_AHEAD_DAYS = 5 * 366  # a posting's dates lie within a few years; 31.12.2099 is a filler


def is_placeholder_date(value: date, today: date | None = None) -> bool:
    """True for the filler dates of vendor systems: 01.01.1900 (and older), 2100 on, or years ahead."""
    if value.year <= 1900 or value.year >= 2100:
        return True
    return (value - (today or clock.today())).days > _FAR_AHEAD_DAYS


def parse_german_date(text: str, today: date | None = None) -> date | None:
    """The first date in a text: "15.12.2026", "15.12.26", "3. März 2027", "2026-12-15"; invalid -> None.

    A placeholder (01.01.1900, 31.12.9999, years ahead) is no date: None.
    """
    match = _DATE_RE.search(_fold(text or ""))
    if not match:
        return None
    return _date_of(match, today or clock.today())


def _date_of(match: re.Match[str], today: date) -> date | None:
    year: int | None
    if match["iy"]:
        year, month, day = int(match["iy"]), int(match["im"]), int(match["id"])
    elif match["d"]:
        day, month = int(match["d"]), int(match["m"])
        year = int(match["y"]) if match["y"] else 2000 + int(match["yy"]) if match["yy"] else None
    else:
        day, month = int(match["nd"]), _MONTHS[match["nm"]]
        year = int(match["ny"]) if match["ny"] else None
    if year is None:
        year = _year_for(day, month, today)
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return None if is_placeholder_date(found, today) else found


# "baldmöglichst", "ab sofort", "zum nächstmöglichen Zeitpunkt": a start as soon as possible, never a
# deadline. The record has no value for "as soon as possible", so such a start date stays None and the
# words stay in the description.
_AS_SOON_AS_POSSIBLE_RE = re.compile(
    r"baldmoeglichst|\bsofort\b|(?:zum|ab\s+dem)\s+(?:naechst|fruehest)moeglichen\s+(?:zeitpunkt|termin)"
    r"|\bab\s+sofort\b|\bschnellstmoeglich|\bumgehend\b|\bper\s+sofort\b"
)
# A date after these words is a start or an interview, not a (second) deadline.
_NOT_DEADLINE_RE = re.compile(
    r"(?:einstellung|beginn|eintritt|dienstantritt|besetz\w*|start|zum|ab|vorstellungs\w*|gespraech\w*|"
    r"auswahl\w*|veroeffentlich\w*|stand)\W*(?:\w+\W+){0,3}$"
)


def is_as_soon_as_possible(text: str | None) -> bool:
    """True for "baldmöglichst", "(ab) sofort", "zum nächstmöglichen Zeitpunkt" – a start, not a date."""
    return bool(_AS_SOON_AS_POSSIBLE_RE.search(_fold(text or "")))


def parse_deadline(text: str, today: date | None = None) -> date | None:
    """The application deadline of a text; None for "baldmöglichst" alone and for two different
    deadlines ("bis 15.01.2027 … Bewerbungsschluss 31.01.2027"): no value is better than a wrong one."""
    folded = _fold(text or "")
    today = today or clock.today()
    deadlines, first, previous_end = [], None, 0
    for match in _DATE_RE.finditer(folded):
        found = _date_of(match, today)
        if found is None:
            continue
        first = first or found
        if not _NOT_DEADLINE_RE.search(folded[previous_end : match.start()][-40:]):
            deadlines.append(found)
        previous_end = match.end()
    if len(set(deadlines)) > 1:
        return None
    return deadlines[0] if deadlines else first


def parse_start_date(text: str, today: date | None = None) -> date | None:
    """The start date: "zum 01.04.2027"; "baldmöglichst" and the like are None (no such record value)."""
    return parse_german_date(text, today)


# Microsoft JSON dates: "/Date(1767139200000)/", "/Date(1767139200000+0100)/", "\/Date(…)\/".
_MS_JSON_DATE_RE = re.compile(r"^\\?/?date\((?P<ms>-?\d{1,15})(?P<offset>[+-]\d{4})?\)\\?/?$", re.IGNORECASE)
_EPOCH_SECONDS = (946_684_800, 4_102_444_800)  # 2000-01-01 … 2100-01-01: outside, a number is no date
_BERLIN = "Europe/Berlin"


def parse_timestamp(value: object) -> date | None:
    """Vendor timestamps: Unix seconds (1767139200), milliseconds (1767139200000) as numbers or digit
    strings, and Microsoft JSON dates. The day is the German one (a midnight in Berlin is 23:00 UTC)."""
    if isinstance(value, bool) or value is None:
        return None
    tz = None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if match := _MS_JSON_DATE_RE.match(text):
            number = int(match["ms"]) / 1000
            tz = _offset_zone(match["offset"])
        elif re.fullmatch(r"\d{9,13}(?:\.\d+)?", text):
            number = float(text)
        else:
            return None
    if number > _EPOCH_SECONDS[1] and number / 1000 < _EPOCH_SECONDS[1]:
        number /= 1000  # milliseconds
    if not _EPOCH_SECONDS[0] <= number < _EPOCH_SECONDS[1]:
        return None
    return datetime.fromtimestamp(number, tz or ZoneInfo(_BERLIN)).date()


def _offset_zone(offset: str | None) -> timezone | None:
    if not offset:
        return None
    sign = -1 if offset[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
