"""Words and titles of the published postings: did-you-mean and title autocomplete.

The vocabulary is read from the store (the truth), cached, and rebuilt when the store's signature
(count, published count, hidden count, last update) changes — checked at most every `max_age` seconds,
so a busy search page costs one small aggregate query now and then, not a table scan.
"""

from __future__ import annotations

import difflib
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from vacancies.schema import vacancies_table as table
from vacancies.search.analysis import GermanAnalyzer, fold, get_analyzer
from vacancies.service import Board
from web import present

WORD_RE = re.compile(r"[^\W\d_]{3,}")
GENDER_NOISE_RE = re.compile(r"\s*\((?:[mwdfix]\s*/\s*)+[mwdfix]\)\s*", re.I)
MIN_SIMILARITY = 0.8


def clean_title(title: str) -> str:
    """'Erzieher (m/w/d) Hort' -> 'Erzieher Hort': the gender note is not something people type."""
    return re.sub(r"\s+", " ", GENDER_NOISE_RE.sub(" ", title)).strip()


@dataclass
class _Words:
    signature: tuple = ()
    display: dict[str, str] = field(default_factory=dict)  # folded word -> most frequent spelling
    stems: set[str] = field(default_factory=set)
    titles: Counter = field(default_factory=Counter)  # cleaned title -> postings
    title_words: dict[str, tuple[str, ...]] = field(default_factory=dict)


REBUILD_INTERVAL = 300.0  # seconds between vocabulary rebuilds once one is loaded


class Vocabulary:
    def __init__(self, board: Board, analyzer: GermanAnalyzer | None = None, max_age: float = 5.0):
        self.board = board
        self.analyzer = analyzer or get_analyzer()
        self.max_age = max_age
        self._words = _Words()
        self._checked = float("-inf")
        self._loaded = float("-inf")
        self._lock = threading.Lock()

    # -- loading ------------------------------------------------------------------------------------

    def _signature(self) -> tuple:
        # The embedded index counts its writes: one indexed read. Counting rows with filters instead
        # scans the whole table (100+ ms at 100,000 postings), which showed as latency spikes.
        generation = self.board.backend.generation()
        if generation is not None:
            return (generation, present.today())  # deadlines pass at midnight
        query = select(
            func.count(),
            func.count().filter(table.c.state == "published"),
            func.count().filter(table.c.hidden.is_(True)),
            func.max(table.c.updated_at),
        )
        with self.board.store.engine.connect() as conn:
            return (*conn.execute(query).one(), present.today())

    def _current(self) -> _Words:
        now = time.monotonic()
        if now - self._checked < self.max_age:
            return self._words
        with self._lock:
            if now - self._checked >= self.max_age:
                signature = self._signature()
                # Rebuilding reads every title (seconds at 100,000 postings): a busy HR day would
                # otherwise rebuild on every write. A did-you-mean a few minutes stale is harmless.
                stale = now - self._loaded >= REBUILD_INTERVAL or not self._words.title_words
                if signature != self._words.signature and stale:
                    self._words = self._load(signature)
                    self._loaded = now
                self._checked = now
        return self._words

    def _load(self, signature: tuple) -> _Words:
        words = _Words(signature=signature)
        spellings: dict[str, Counter] = {}
        query = select(table.c.title).where(
            table.c.state == "published",
            table.c.hidden.is_(False),
            or_(table.c.deadline.is_(None), table.c.deadline >= signature[-1]),
        )
        with self.board.store.engine.connect() as conn:
            for title in conn.scalars(query):
                cleaned = clean_title(title)
                words.titles[cleaned] += 1
                for word in WORD_RE.findall(cleaned):
                    spellings.setdefault(fold(word), Counter())[word] += 1
        for title in words.titles:
            words.title_words[title] = tuple(fold(w) for w in WORD_RE.findall(title))
        words.display = {key: counter.most_common(1)[0][0] for key, counter in spellings.items()}
        words.stems = {self.analyzer.normalize_word(key) for key in words.display}
        return words

    # -- did you mean -------------------------------------------------------------------------------

    def correct(self, text: str) -> str | None:
        """The query with unknown words replaced by the closest title word; None if nothing to fix."""
        words = self._current()
        vocabulary = list(words.display)
        changed = False
        out = []
        for token in re.split(r"(\s+)", text):
            key = fold(token)
            if len(key) < 3 or not token.isalpha() or self._known(key, words):
                out.append(token)
                continue
            close = difflib.get_close_matches(key, vocabulary, n=1, cutoff=MIN_SIMILARITY)
            if close:
                out.append(words.display[close[0]])
                changed = True
            else:
                out.append(token)
        return "".join(out).strip() if changed else None

    def _known(self, key: str, words: _Words) -> bool:
        if key in words.display or self.analyzer.normalize_word(key) in words.stems:
            return True
        return any(word.startswith(key) for word in words.display)  # someone still typing

    # -- autocomplete -------------------------------------------------------------------------------

    def suggest_titles(self, text: str, limit: int = 8) -> list[str]:
        """Titles whose words start with every typed word; titles that start with it first."""
        typed = [fold(w) for w in WORD_RE.findall(text)] or ([fold(text)] if fold(text) else [])
        if not typed:
            return []
        words = self._current()
        hits = []
        for title, title_words in words.title_words.items():
            if all(any(w.startswith(t) for w in title_words) for t in typed):
                starts = bool(title_words) and title_words[0].startswith(typed[0])
                hits.append((not starts, -words.titles[title], len(title), title))
        hits.sort()
        return [title for *_, title in hits[:limit]]
