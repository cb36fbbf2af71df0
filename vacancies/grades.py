"""Pay grades on one axis: the canonical grade pattern and each grade's rank.

The model (validation of a record), normalisation (reading grades out of text), the search backends and
the alert matcher all order grades; they share this module, so nothing needs a lazy import.

Pay grade ranks (`pay_grade_rank`) put all scales on one axis so that range filters work across
TVöD, TVöD-SuE, TV-L, the Pflege table and Bavarian civil-servant pay (BayBesG). A rank is roughly
"1000 × the TVöD E grade that pays about the same"; sub-grades a/b/c add 100/200/300:

    grade   rank   E equivalent        grade  rank   E equivalent        grade  rank   E equivalent
    E1      1000   E1                  A3     3000   E3                  S2     2000   E2
    ...     n*1000                     A4     4000   E4                  S3     3000   E3
    E8      8000                       A5     5000   E5                  S4     4000   E4
    E9      9000   (plain E9, bottom   A6     6000   E6                  S5     5000   E5  (pre-2015)
                    of the E9 band)    A7     7500   between E7 and E8   S6     6000   E6  (pre-2015)
    E9a     9100                       A8     8500   between E8 and E9a  S7     7000   E7
    E9b     9200                       A9     9100   E9a                 S8     7900   below S8a (old)
    E9c     9300                       A10    9500   between E9c, E10    S8a    8000   E8
    E10     10000                      A11    11000  E11                 S8b    8500   E8/E9a
    ...     n*1000                     A12    12000  E12                 S9     9050   E9a
    E15     15000                      A13    13000  E13                 S10    9100   E9a
                                       A14    14000  E14                 S11    9120   below S11a (old)
    P5      4500   E4/E5               A15    15000  E15                 S11a   9150   E9a/E9b
    P6      5500   E5/E6               A16    15500  above E15           S11b   9200   E9b
    P7      7500   E7/E8                                                 S12    9300   E9c
    P8      8000   E8                                                    S13    9400   E9c/E10
    P9      8500   E8/E9a                                                S14    9600   E9c/E10
    P10     9100   E9a                                                   S15    10000  E10
    P11     9200   E9b                                                   S16    10500  E10/E11
    P12     9500   E9c/E10                                               S17    11000  E11
    P13     10500  E10/E11                                               S18    12000  E12
    P14     11000  E11
    P15     12000  E12
    P16     13000  E13

Grades that match the canonical pattern but do not exist (E16, A13a, S1) still get a rank, slotted
strictly between their real neighbours, so that a stored record can always be indexed.
`canonical_pay_grade` (vacancies.normalize) only ever returns grades from the table above.
"""

from __future__ import annotations

import re

PAY_GRADE_RE = re.compile(r"^(E|S|A|P)\d{1,2}[a-d]?\Z")


def _e_ranks() -> dict[str, int]:
    ranks = {f"E{n}": n * 1000 for n in range(1, 16)}
    ranks.update({"E9a": 9100, "E9b": 9200, "E9c": 9300})
    return ranks


_A_RANKS = {
    "A3": 3000, "A4": 4000, "A5": 5000, "A6": 6000, "A7": 7500, "A8": 8500, "A9": 9100, "A10": 9500,
    "A11": 11000, "A12": 12000, "A13": 13000, "A14": 14000, "A15": 15000, "A16": 15500,
}  # fmt: skip
_S_RANKS = {
    "S2": 2000, "S3": 3000, "S4": 4000, "S5": 5000, "S6": 6000, "S7": 7000, "S8": 7900, "S8a": 8000,
    "S8b": 8500, "S9": 9050, "S10": 9100, "S11": 9120, "S11a": 9150, "S11b": 9200, "S12": 9300,
    "S13": 9400, "S14": 9600, "S15": 10000, "S16": 10500, "S17": 11000, "S18": 12000,
}  # fmt: skip
_P_RANKS = {
    "P5": 4500, "P6": 5500, "P7": 7500, "P8": 8000, "P9": 8500, "P10": 9100, "P11": 9200,
    "P12": 9500, "P13": 10500, "P14": 11000, "P15": 12000, "P16": 13000,
}  # fmt: skip

# Every real grade and its rank; the table in the module docstring explains the numbers.
PAY_GRADE_RANKS: dict[str, int] = {**_e_ranks(), **_A_RANKS, **_S_RANKS, **_P_RANKS}

_SUFFIXES = "abcd"


def _grade_key(grade: str) -> tuple[str, int]:
    """(scale letter, ordinal) – the order of grades within one scale by number and sub-grade."""
    match = PAY_GRADE_RE.match(grade)
    if not match:
        raise ValueError(f"'{grade}' is not a canonical pay grade (e.g. E9a, E11, S11b, A13)")
    number = int(grade[1:].rstrip(_SUFFIXES))
    suffix = grade[-1]
    return grade[0], number * 5 + (_SUFFIXES.index(suffix) + 1 if suffix in _SUFFIXES else 0)


def pay_grade_rank(grade: str) -> int:
    """A number ordering canonical grades across scales (see the module docstring); >= 0."""
    if grade in PAY_GRADE_RANKS:
        return PAY_GRADE_RANKS[grade]
    letter, ordinal = _grade_key(grade)
    known = sorted((_grade_key(g)[1], rank) for g, rank in PAY_GRADE_RANKS.items() if g.startswith(letter))
    below = [(o, r) for o, r in known if o < ordinal]
    if not below:
        # Below the real grades of this scale (A1, S0): tiny ranks, still ordered, still >= 0.
        return ordinal
    # One step per ordinal above the nearest real grade; the table leaves gaps wide enough.
    low_ordinal, low_rank = below[-1]
    return low_rank + (ordinal - low_ordinal)
