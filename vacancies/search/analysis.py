"""The German text analyzer shared by both search engines, plus match highlighting.

Text is analysed here, in Python, and both engines index the resulting tokens verbatim (SQLite FTS5 with
a plain tokenizer, Elasticsearch with the `whitespace` analyzer), so matching is identical by
construction (DESIGN.md, "One German analyzer, written once, for both engines").

Pipeline for one word (documents and queries alike):

1. split: words are runs of letters/digits; all other characters split words. Hyphenated runs
   ("Kfz-Mechatroniker") give the tokens of each part plus those of the joined word ("kfzmechatroniker").
2. fold: Unicode NFKD, case folded, accents dropped (ä->a, ö->o, ü->u, é->e), ß->ss; then "ae"->a,
   "oe"->o and "ue"->u except after a, e or q ("Steuer", "neue", "Bauer", "Quelle" keep their "ue").
   Whatever is not [a-z0-9] afterwards is removed, so every token is FTS5/whitespace safe.
3. drop: single letters and stop words (stopwords.txt, incl. the "(m/w/d)" noise) give no tokens.
4. gender: feminine forms become masculine before stemming (gender_forms.txt): explicit pairs
   (Kauffrau -> Kaufmann), then -innen/-in when the remainder looks like a person noun.
5. stem: the Snowball German stemmer (snowballstemmer; PyStemmer's C implementation when installed).
   Words with digits ("e9", "2027") are kept as folded.
6. compounds (documents only): the gender-normalised word is split into known parts from
   compounds.txt, and each part is stemmed like a standalone word. A document word yields its own stem
   first, then the stems of its parts: "Verwaltungsfachangestellte" -> verwaltungsfachangestellt,
   verwalt, fach, angestellt.

Queries (`query_groups`) yield one `QueryGroup` per word (AND across groups, OR within one): the word's
stem plus the stems of its synonyms (synonyms.txt, query time only). A query word is NOT split into its
compound parts (documents index the full compound stem too). The last word also matches as a prefix
when the query does not end with whitespace. Multi-word synonym members ("mobiles arbeiten") are
phrases: documents get one joined token when the words stand next to each other (stop words skipped),
and a query containing the phrase uses it as one group.
"""

from __future__ import annotations

import functools
import html
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import snowballstemmer  # type: ignore[import-untyped]  # ships neither stubs nor py.typed

__all__ = [
    "GermanAnalyzer",
    "QueryGroup",
    "default_config_dir",
    "get_analyzer",
    "highlight",
    "snippet",
]

# A word: letters/digits, optionally joined by hyphens (ASCII hyphen-minus, U+2010, U+2011).
_RUN_RE = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_HYPHEN_RE = re.compile(r"[-\u2010\u2011]")
_UE_RE = re.compile(r"(?<![aeq])ue")
_NON_TOKEN_RE = re.compile(r"[^a-z0-9]+")

_MIN_PART = 3  # compound parts are at least this long
_MIN_REMAINDER = 4  # an unknown last part of a compound is at least this long ...
_MIN_PART_BEFORE_REMAINDER = 4  # ... and follows a known part at least this long
_MIN_SPLIT_WORD = 6
_MAX_SPLIT_WORD = 60
_MIN_PREFIX = 3
# Endings a user may be in the middle of typing ("Betreuu|ng", "Erzieheri|n"): the stem of the full word
# is shorter than what was typed, so the last word's prefixes also include the word without any partial
# ending from this list (all non-empty beginnings of these endings).
_TYPING_ENDINGS = ("ungen", "igung", "erinnen", "innen", "ern", "en", "es")
_TYPING_CUTS = tuple(sorted({e[:k] for e in _TYPING_ENDINGS for k in range(1, len(e) + 1)}, key=len))


# A document that only matches a word being typed ("Fahrer" -> "Fahrtkostenzuschuss", "Fahrradleasing")
# ranks below every document that has the word itself: both backends weigh prefix-only matches this much.
PREFIX_WEIGHT = 0.1


@dataclass(frozen=True)
class QueryGroup:
    terms: tuple[str, ...]  # document tokens any of which satisfies the group
    prefixes: tuple[str, ...] = ()  # or any document token starting with one of these


@dataclass(frozen=True)
class _QueryItem:
    head: str  # stem of the word (or phrase token)
    folded: str  # folded, unstemmed word (for the prefix); "" for a phrase
    letters: int = 0  # letters as typed (before folding)


def fold(word: str) -> str:
    """Case, umlaut/ß and accent folding of one word; the result contains only [a-z0-9]."""
    w = word.casefold()
    if not w.isascii():
        w = unicodedata.normalize("NFKD", w)
        w = "".join(c for c in w if not unicodedata.combining(c))
        w = w.casefold()
    if "e" in w:
        w = _UE_RE.sub("u", w).replace("ae", "a").replace("oe", "o")
    if not (w.isascii() and w.isalnum()):
        w = _NON_TOKEN_RE.sub("", w)
    return w


def _read_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def _words(line: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", line) if w]


class GermanAnalyzer:
    """Analyzer driven by the data files in `config_dir` (compounds, synonyms, gender forms, stop words)."""

    def __init__(self, config_dir: Path) -> None:
        self.config_dir = Path(config_dir)
        self._stemmer = snowballstemmer.stemmer("german")
        self._stem_lock = threading.Lock()  # PyStemmer objects are not thread-safe
        self._load_stopwords(self.config_dir / "stopwords.txt")
        self._load_gender(self.config_dir / "gender_forms.txt")
        self._load_compounds(self.config_dir / "compounds.txt")
        self._run_info = functools.lru_cache(maxsize=262_144)(self._compute_run)
        self._line_tokens = functools.lru_cache(maxsize=32_768)(self._analyse_line)
        self._normalize = functools.lru_cache(maxsize=65_536)(self._compute_normalize)
        self._typing_prefixes = functools.lru_cache(maxsize=16_384)(self._typing_prefixes)  # type: ignore[method-assign]
        self._cached_groups = functools.lru_cache(maxsize=4096)(self._compute_groups)
        self.matcher = functools.lru_cache(maxsize=32)(lambda query: _QueryMatcher(self, query))
        self._load_synonyms(self.config_dir / "synonyms.txt")

    # ------------------------------------------------------------------ loading

    def _load_stopwords(self, path: Path) -> None:
        self.stopwords: frozenset[str] = frozenset(
            fold(w) for line in _read_lines(path) for w in _words(line) if fold(w)
        )

    def _load_gender(self, path: Path) -> None:
        self._strip_suffixes: tuple[str, ...] = ()
        self._after_endings: tuple[str, ...] = ()
        pairs: dict[str, str] = {}
        keep: set[str] = set()
        for line in _read_lines(path):
            key, _, value = line.partition(":")
            key = key.strip().lower()
            if key == "pair":
                feminine, _, masculine = value.partition("=")
                if fold(feminine) and fold(masculine):
                    pairs[fold(feminine)] = fold(masculine)
            elif key == "strip":
                self._strip_suffixes += tuple(fold(w) for w in _words(value))
            elif key == "after":
                self._after_endings += tuple(fold(w) for w in _words(value))
            elif key == "keep":
                keep.update(fold(w) for w in _words(value))
            else:
                raise ValueError(f"{path}: unknown directive {line!r}")
        self._strip_suffixes = tuple(sorted(set(self._strip_suffixes), key=len, reverse=True))
        self._after_endings = tuple(set(self._after_endings))
        # longest feminine ending first, so "kauffrauen" wins over a shorter pair
        self._gender_pairs = tuple(sorted(pairs.items(), key=lambda kv: len(kv[0]), reverse=True))
        self._gender_common = tuple(
            (fem, masc, len(os.path.commonprefix([fem, masc]))) for fem, masc in self._gender_pairs
        )
        self._gender_keep = frozenset(keep)

    def _load_compounds(self, path: Path) -> None:
        parts: set[str] = set()
        directives: dict[str, list[str]] = {"linking": [], "endings": []}
        for line in _read_lines(path):
            if line.startswith("@"):
                key, _, value = line[1:].partition(":")
                if key.strip().lower() not in directives:
                    raise ValueError(f"{path}: unknown directive {line!r}")
                directives[key.strip().lower()].extend(fold(w) for w in _words(value))
                continue
            parts.update(f for w in _words(line) if len(f := fold(w)) >= _MIN_PART)
        self.compound_parts: frozenset[str] = frozenset(parts)
        self._linking = tuple(sorted({x for x in directives["linking"] if x}, key=len))
        self._endings = tuple(sorted({x for x in directives["endings"] if x}, key=len))
        self._max_part = max((len(p) for p in parts), default=0)
        # known words for the gender rules, by length (for the "ends with a known word" check)
        self._known_tails = tuple(sorted((p for p in parts if len(p) >= 4), key=len, reverse=True))

    def _load_synonyms(self, path: Path) -> None:
        groups: list[list[str]] = []
        # phrases: tuple of word heads -> joined token; indexed by the last head for a cheap check
        phrases: dict[tuple[str, ...], str] = {}
        for line in _read_lines(path):
            members: list[str] = []
            for member in line.split(","):
                words = [fold(w) for w in _RUN_RE.findall(member)]
                words = [w for w in words if w]
                if not words:
                    continue
                token = self.normalize_word("".join(words))
                heads = tuple(self.normalize_word(w) for w in words if not self._dropped(w))
                if len(heads) > 1:
                    phrases[heads] = token
                if token:
                    members.append(token)
            if members:
                groups.append(members)
        synonyms: dict[str, set[str]] = {}
        for members in groups:
            for token in members:
                synonyms.setdefault(token, set()).update(members)
        self.synonyms: dict[str, tuple[str, ...]] = {k: tuple(sorted(v)) for k, v in synonyms.items()}
        self._phrases = phrases
        by_last: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for heads, token in sorted(phrases.items(), key=lambda kv: len(kv[0]), reverse=True):
            by_last.setdefault(heads[-1], []).append((heads, token))
        self._phrases_by_last = by_last

    # ------------------------------------------------------------------ word level

    def _dropped(self, folded: str) -> bool:
        return not folded or (len(folded) == 1 and folded.isalpha()) or folded in self.stopwords

    def _stem(self, folded: str) -> str:
        if not folded.isalpha():
            return folded  # "e9", "2027", "a13"
        with self._stem_lock:
            return self._stemmer.stemWord(folded)

    def _gender(self, w: str) -> str:
        """Feminine -> masculine base form of a folded word (unstemmed)."""
        if not w.isalpha() or w in self._gender_keep:
            return w
        for feminine, masculine in self._gender_pairs:
            if w.endswith(feminine):
                rest = w[: len(w) - len(feminine)]
                if not rest or len(rest) >= _MIN_PART:
                    return rest + masculine
        for suffix in self._strip_suffixes:
            if not w.endswith(suffix):
                continue
            rest = w[: len(w) - len(suffix)]
            if len(rest) < _MIN_PART or rest in self._gender_keep:
                continue
            if (
                rest.endswith(self._after_endings)
                or rest in self.compound_parts
                or any(rest.endswith(tail) for tail in self._known_tails)
            ):
                return rest
        return w

    def _compute_normalize(self, folded: str) -> str:
        return self._stem(self._gender(folded))

    def normalize_word(self, word: str) -> str:
        """Folding, gender normalisation and stemming of one word ("" when nothing is left)."""
        folded = fold(word)
        return self._normalize(folded) if folded else ""

    def split_compound(self, word: str) -> list[str]:
        """Known parts of a folded word (unstemmed), or [] when it does not split.

        Preference: the shortest unknown remainder (0 when all parts are known; the last part may carry
        an inflection ending from `@endings`), then fewest parts, then fewest linking letters.
        """
        n = len(word)
        if n < _MIN_SPLIT_WORD or n > _MAX_SPLIT_WORD or not word.isalpha() or not self.compound_parts:
            return []
        parts_set = self.compound_parts
        linking = self._linking
        max_part = self._max_part

        endings = self._endings

        def last_known(rest: str) -> bool:
            if rest in parts_set:
                return True
            return any(
                rest.endswith(e) and len(rest) - len(e) >= _MIN_PART and rest[: -len(e)] in parts_set
                for e in endings
            )

        @functools.cache
        def best(i: int, remainder_ok: bool, whole_ok: bool = True):
            # best split of word[i:]; score = (length of an unknown remainder, parts, linking letters)
            found = ((0, 1, 0), (word[i:],)) if whole_ok and last_known(word[i:]) else None
            for j in range(i + _MIN_PART, min(n - _MIN_PART, i + max_part) + 1):
                part = word[i:j]
                if part not in parts_set:
                    continue
                for link in ("", *linking):
                    k = j + len(link)
                    if (link and not word.startswith(link, j)) or n - k < _MIN_PART:
                        continue
                    rest = best(k, len(part) >= _MIN_PART_BEFORE_REMAINDER)
                    if rest is None:
                        continue
                    (rem, count, links), tail = rest
                    cand = ((rem, count + 1, links + len(link)), (part, *tail))
                    if found is None or cand[0] < found[0]:
                        found = cand
            if remainder_ok and n - i >= _MIN_REMAINDER:
                cand = ((n - i, 1, 0), (word[i:],))
                if found is None or cand[0] < found[0]:
                    found = cand
            return found

        # the word itself is always indexed; look for a split into at least two parts
        result = best(0, False, False)
        return list(result[1]) if result else []

    def _word_tokens(self, folded: str) -> tuple[str, ...]:
        """Document tokens of one folded word: its stem first, then the stems of its compound parts."""
        if self._dropped(folded):
            return ()
        base = self._gender(folded)
        head = self._stem(base)
        tokens = [head]
        for part in self.split_compound(base):
            stem = self._stem(part)
            if stem and stem not in tokens:
                tokens.append(stem)
        return tuple(tokens)

    def _compute_run(self, run: str) -> tuple[tuple[str, ...], str]:
        """(document tokens, head) of one run of the regex; head is the stem used for phrases ("" = none)."""
        if not _HYPHEN_RE.search(run):
            words = self._word_tokens(fold(run))
            return words, words[0] if words else ""
        pieces = [fold(p) for p in _HYPHEN_RE.split(run)]
        tokens: list[str] = []
        for piece in pieces:
            tokens.extend(self._word_tokens(piece))
        joined = "".join(pieces)
        if sum(1 for p in pieces if any(c.isalpha() for c in p)) >= 2:
            joined_tokens = self._word_tokens(joined)
            tokens.extend(joined_tokens)
            return tuple(tokens), joined_tokens[0] if joined_tokens else ""
        return tuple(tokens), tokens[-1] if tokens else ""

    # ------------------------------------------------------------------ public API

    def document_tokens(self, text: str) -> list[str]:
        """Tokens to index for `text`, in text order; duplicates are kept (Elasticsearch's BM25
        counts them; the embedded index keeps each body token once, its score ignores frequency).

        Analysed line by line with a cache: postings repeat whole paragraphs (benefits, pay, the
        application note), so most lines of a district's postings have been analysed before.
        """
        if not text:
            return []
        if "\n" not in text:
            return list(self._line_tokens(text))
        tokens: list[str] = []
        for line in text.split("\n"):
            if line:
                tokens.extend(self._line_tokens(line))
        return tokens

    def _analyse_line(self, text: str) -> tuple[str, ...]:
        tokens: list[str] = []
        extend = tokens.extend
        run_info = self._run_info
        by_last = self._phrases_by_last
        heads: list[str] = []
        for run in _RUN_RE.findall(text.lower()):
            toks, head = run_info(run)
            if not toks:
                continue
            extend(toks)
            if by_last:
                heads.append(head)
                candidates = by_last.get(head)
                if candidates:
                    for key, token in candidates:
                        if len(heads) >= len(key) and tuple(heads[-len(key) :]) == key:
                            tokens.append(token)
        return tuple(tokens)

    def _query_items(self, text: str) -> list[_QueryItem]:
        items: list[_QueryItem] = []
        heads: list[str] = []
        for run in _RUN_RE.findall(text.lower()):
            folded = fold(_HYPHEN_RE.sub("", run))
            if self._dropped(folded):
                continue
            head = self._normalize(folded)
            items.append(_QueryItem(head, folded, sum(c.isalpha() for c in run)))
            heads.append(head)
            for key, token in self._phrases_by_last.get(head, ()):
                if len(heads) >= len(key) and tuple(heads[-len(key) :]) == key:
                    del items[-len(key) :]
                    del heads[-len(key) :]
                    items.append(_QueryItem(token, ""))
                    heads.append(token)
                    break
        return items

    def _typing_prefixes(self, item: _QueryItem) -> tuple[str, ...]:
        """Prefixes for the word being typed: as typed (folded), its stem, and without a partial ending."""
        word = item.folded
        found = [word, item.head]
        if word.isalpha():
            for cut in _TYPING_CUTS:
                if word.endswith(cut) and len(word) - len(cut) >= _MIN_PREFIX:
                    rest = word[: -len(cut)]
                    found.append(rest)
                    if len(stem := self._normalize(rest)) > _MIN_PREFIX:
                        found.append(stem)
            for feminine, masculine, common in self._gender_common:  # "Kauffr" -> "kauf" (Kaufmann)
                for k in range(len(feminine), common, -1):
                    if word.endswith(feminine[:k]):
                        rest = word[: len(word) - k]
                        base = rest + masculine[:common]
                        if (not rest or len(rest) >= _MIN_PART) and len(base) > _MIN_PREFIX:
                            found.append(base)
                        break
        return tuple(p for p in dict.fromkeys(found) if p)

    def query_groups(self, text: str) -> list[QueryGroup]:
        """AND of groups, one per query word; [] for an empty or stop-word-only query."""
        return list(self._cached_groups(text)) if text else []

    def _compute_groups(self, text: str) -> tuple[QueryGroup, ...]:
        # Highlighting asks for the same query's groups once per word of every hit: cache them.
        if not text:
            return ()
        items = self._query_items(text)
        open_end = not text[-1].isspace()
        groups: list[QueryGroup] = []
        for index, item in enumerate(items):
            terms = self.synonyms.get(item.head, (item.head,))
            if item.head not in terms:
                terms = (item.head, *terms)
            else:
                terms = (item.head, *(t for t in terms if t != item.head))
            prefixes: tuple[str, ...] = ()
            is_last = index == len(items) - 1
            if is_last and open_end and item.folded and item.letters >= _MIN_PREFIX:
                prefixes = self._typing_prefixes(item)
            group = QueryGroup(terms=terms, prefixes=prefixes)
            if group not in groups:
                groups.append(group)
        return tuple(groups)


def default_config_dir() -> Path:
    """`<repo>/config/search`, or `$STELLEN_CONFIG_DIR/search` when that variable is set."""
    env = os.environ.get("STELLEN_CONFIG_DIR")
    if env:
        return Path(env) / "search"
    return Path(__file__).resolve().parents[2] / "config" / "search"


@functools.cache
def get_analyzer(config_dir: str | None = None) -> GermanAnalyzer:
    """The shared analyzer (one per config dir; None = `default_config_dir()` at first call)."""
    return GermanAnalyzer(Path(config_dir) if config_dir else default_config_dir())


# ---------------------------------------------------------------------- highlighting


class _QueryMatcher:
    """Which words of a text match one query, memoised per word form.

    A result page highlights 20 titles and snippets that share most of their words; looking each
    form up once per query instead of testing its tokens every time makes highlighting ~5x cheaper.
    """

    _MEMO_LIMIT = 4096  # word forms per query (bounded: the web server keeps a few dozen queries)

    def __init__(self, analyzer: GermanAnalyzer, query: str) -> None:
        self.analyzer = analyzer
        groups = analyzer.query_groups(query)
        self.active = bool(groups)
        self.terms = {t for g in groups for t in g.terms}
        self.prefixes = tuple(p for g in groups for p in g.prefixes)
        self.phrase_keys = [key for key, token in analyzer._phrases.items() if token in self.terms]
        self._memo: dict[str, tuple[tuple[int, int], ...]] = {}

    def _hit(self, tokens: tuple[str, ...]) -> bool:
        terms, prefixes = self.terms, self.prefixes
        return any(t in terms or (prefixes and t.startswith(prefixes)) for t in tokens)

    def run_spans(self, run: str) -> tuple[tuple[int, int], ...]:
        """Matching spans inside one run of the tokenizer regex, relative to its start."""
        found = self._memo.get(run)
        if found is None:
            found = self._compute(run)
            if len(self._memo) < self._MEMO_LIMIT:
                self._memo[run] = found
        return found

    def _compute(self, run: str) -> tuple[tuple[int, int], ...]:
        run_info = self.analyzer._run_info
        tokens = run_info(run.lower())[0]
        if not tokens:
            return ()
        if not _HYPHEN_RE.search(run):
            return ((0, len(run)),) if self._hit(tokens) else ()
        spans, pos = [], 0
        for piece in _HYPHEN_RE.split(run):  # mark the matching part of "Verwaltungs-Fachangestellte"
            if self._hit(run_info(piece.lower())[0]):
                spans.append((pos, pos + len(piece)))
            pos += len(piece) + 1
        if not spans and self._hit(tokens):
            spans.append((0, len(run)))
        return tuple(spans)

    def spans(self, text: str) -> list[tuple[int, int]]:
        if not self.active or not text:
            return []
        spans: list[tuple[int, int]] = []
        for m in _RUN_RE.finditer(text):
            found = self.run_spans(m.group())
            if found:
                offset = m.start()
                spans.extend((offset + a, offset + b) for a, b in found)
        if self.phrase_keys:
            spans.extend(self._phrase_spans(text))
        return _merge(spans)

    def _phrase_spans(self, text: str) -> list[tuple[int, int]]:
        """Multi-word synonyms ("Duales Studium"): consecutive heads equal to a phrase key."""
        words = []  # (start, end, head) of the runs that are not dropped
        for m in _RUN_RE.finditer(text):
            tokens, head = self.analyzer._run_info(m.group().lower())
            if tokens:
                words.append((m.start(), m.end(), head))
        heads = [h for _, _, h in words]
        found = []
        for key in self.phrase_keys:
            k = len(key)
            for i in range(len(heads) - k + 1):
                if tuple(heads[i : i + k]) == key:
                    found.append((words[i][0], words[i + k - 1][1]))
        return found


def _match_spans(text: str, query: str, analyzer: GermanAnalyzer) -> list[tuple[int, int]]:
    return analyzer.matcher(query).spans(text)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, query: str, analyzer: GermanAnalyzer) -> str:
    """`text` HTML-escaped, with every word matching the query wrapped in <mark>…</mark>."""
    text = text or ""
    return _render(text, _match_spans(text, query, analyzer), 0, len(text))


def _first_candidate(text: str, query: str, analyzer: GermanAnalyzer) -> int | None:
    """Where the analysis may start: a little before the first place whose folded text contains a query
    term or prefix; None when no term occurs at all (a cheap substring test on folded text)."""
    needles = {t for g in analyzer.query_groups(query) for t in (*g.terms, *g.prefixes) if len(t) >= 2}
    plain = text.lower().replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss")
    variants = (plain, plain.replace("ae", "a").replace("oe", "o").replace("ue", "u"))
    found = [i for i in (v.find(n) for v in variants for n in needles) if i >= 0]
    if not found:
        return None
    # Folding shortens "ae"/"ue" and lengthens "ß": step back generously, on a word boundary.
    back = max(0, min(found) - 200)
    space = text.rfind(" ", 0, back)
    return space + 1 if space > 0 else 0


def _spans_near_first_match(
    text: str, query: str, analyzer: GermanAnalyzer, length: int
) -> list[tuple[int, int]]:
    """Match spans from the first match on, analysing the text window by window.

    A result page shows 20 snippets of 2–3 KB descriptions; analysing only up to the first match (and
    the excerpt after it) keeps that at a fraction of a millisecond each.
    """
    if not query.strip() or len(text) <= length:
        return _match_spans(text, query, analyzer) if query.strip() else []
    start = _first_candidate(text, query, analyzer)
    if start is None:
        return []
    window = 2 * length
    while start < len(text):
        end = _word_end(text, start + window)
        found = [(a + start, b + start) for a, b in _match_spans(text[start:end], query, analyzer)]
        if found:
            # The excerpt reaches about `length` past the first match; analyse that tail only if needed.
            reach = _word_end(text, found[0][0] + length + 40)
            if reach > end:
                found += [(a + end, b + end) for a, b in _match_spans(text[end:reach], query, analyzer)]
            return found
        start = end
    return []


def _word_end(text: str, position: int) -> int:
    """`position`, moved back to the last space before it (never cut a word in two)."""
    if position >= len(text):
        return len(text)
    space = text.rfind(" ", position - 60, position)
    return space if space > 0 else position


def snippet(text: str, query: str, analyzer: GermanAnalyzer, length: int = 240) -> str:
    """An escaped excerpt of about `length` characters around the first match (or from the start),
    with "…" where it was cut and matches in <mark>."""
    text = text or ""
    spans = _spans_near_first_match(text, query, analyzer, length)
    if len(text) <= length:
        return _render(text, spans, 0, len(text))
    first_start, first_end = spans[0] if spans else (0, 0)
    start = max(0, first_start - length // 3)
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    if start > 0:  # cut at a word boundary, without cutting off the first match
        space = text.find(" ", start, first_start)
        if space != -1:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", max(first_end, start), end)
        if space > start:
            end = space
    body = _render(text, spans, start, end).strip()
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
