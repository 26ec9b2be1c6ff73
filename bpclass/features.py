"""Per-line features, computed for a whole page at once.

:func:`page_features` turns a page (a list of lines) into a matrix with one row per
line and one column per name in :data:`FEATURE_NAMES`. A feature is computed in two
stages, as jusText does it: first each non-blank line alone (:data:`LINE_FEATURES`),
then the page around it: position, repeats, truncated twins, the same line features
for the neighbouring non-blank lines, and averages over windows of lines.

Blank lines (empty or whitespace only) get a row of zeros: they are never scored.
"""

from __future__ import annotations

import collections
import functools
import math
import os
import re
import warnings

import numpy as np

from bpclass import patterns as P
from bpclass.markdown import MARKDOWN_STARTS, MIN_SIGNS, holds_markdown, plain_lines

# The compiled scan (bpclass/_speedups.c) computes the same numbers as the Python
# code below, many times faster; the tests hold the two to identical output.
# BPCLASS_PURE_PYTHON=1 turns it off (e.g. to compare the two).
try:
    if os.environ.get("BPCLASS_PURE_PYTHON"):
        raise ImportError("BPCLASS_PURE_PYTHON is set")
    from bpclass import _speedups
except ImportError:
    _speedups = None
# True when the compiled extension is in use.
NATIVE = _speedups is not None

# Patterns only look at this many characters of a line: dates, captions and widget
# text sit at the start of short lines, and the cap bounds the time spent on a
# pathological line. Lengths are measured on the whole line.
MAX_PATTERN_CHARS = 2000
# Neighbour offsets, in non-blank lines, whose line features each line sees.
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
# Half-widths of the windows over which the page's local texture is averaged.
WINDOWS = (3, 10)
WINDOW_SOURCES = (
    "log_chars",
    "ends_terminal",
    "share_stopwords",
    "ends_ellipsis",
    "share_words_in_prose",
    "blank_before",
    "share_capitalised",
    "lexical",
)
# A page of which the lexicon (learned from pages in one language, mostly) knows fewer
# words than this share is read without it: its lexical columns are 0, as on the
# training pages that BoilerplateClassifier.fit shows that way. On the shared sets,
# English pages' coverage by the bundled lexicon is above 0.7 (5th percentile 0.87),
# French, Spanish, German, Swedish, Finnish, Indonesian and CJK pages' below 0.6.
LEXICON_MIN_COVERAGE = 0.65
# A truncated twin must keep at least this many characters of the full line.
MIN_TWIN_PREFIX = 8
# Distinct truncated stems compared per shared prefix (bounds the work per line).
MAX_TWIN_CANDIDATES = 64
# A prose line: at least this many words and sentence punctuation at the end.
PROSE_MIN_WORDS = 12
# Distances to the nearest prose line are capped here (also "no prose line at all").
MAX_PROSE_DISTANCE = 30

# name -> one-line description, in column order.
LINE_FEATURES = {
    "log_chars": "log(1 + characters in the line)",
    "log_words": "log(1 + words in the line)",
    "mean_word_len": "mean length of the line's words, in characters",
    "ends_ellipsis": "the line ends with '...' or '…'",
    "ends_terminal": "the line ends with sentence punctuation (. ! ? : ; and CJK forms), maybe before a quote",
    "share_capitalised": "share of words that start with a capital letter",
    "share_upper": "share of letters that are upper case",
    "share_digits": "share of characters that are digits",
    "share_punct": "share of characters that are neither word characters nor spaces",
    "share_cjk": "share of characters from CJK scripts (words not split by spaces)",
    "share_stopwords": "share of words that are function words in one of several languages (CJK: per character)",
    "has_date": "an absolute date: '27 Desember 2022', 'March 3', '2022-12-27', '27/12/2022'",
    "has_weekday": "a day name in one of several languages ('Selasa', 'Monday')",
    "has_time": "a clock time ('15:04', '3.30 WIB', '11 am')",
    "has_relative_time": "a relative time ('8 menit yang lalu', '2 hours ago', 'vor 3 Stunden', 'il y a 2 jours')",
    "n_separators": "number of separator characters such as | » › • / (capped at 10)",
    "has_url": "a URL or bare domain name",
    "has_email": "an e-mail address",
    "has_copyright": "a copyright mark or phrase ('©', 'All rights reserved', 'Hak cipta')",
    "has_caption_cue": "a photo-credit cue ('Foto/', 'Photo:', 'Getty Images')",
    "has_byline": "starts like a byline ('By ...', 'Oleh ...', 'Penulis:')",
    "n_boiler_phrases": "number of widget/promo words ('share', 'baca juga', 'loading', ...; capped at 5)",
    "has_list_marker": "starts with a list marker ('- ', '1. ', '•')",
    "has_label_prefix": "starts with a short 'Label: ' prefix",
    "starts_lower": "the first letter is lower case",
}
PAGE_FEATURES = {
    "rel_position": "position of the line in the page, 0 (first) to 1 (last)",
    "rel_position_nonblank": "rank among non-blank lines, 0 to 1",
    "log_page_lines": "log(1 + non-blank lines in the page)",
    "blank_before": "the line just before is blank",
    "blank_after": "the line just after is blank",
    "log_repeats": "log(1 + other lines in the page with the same text)",
    "is_truncated_twin": "ends with an ellipsis and its text starts another, longer line of the page",
    "has_truncated_twin": "another line of the page is this line cut short with an ellipsis",
    "chars_vs_page_max": "the line's length over the page's longest line",
    "cum_chars_before": "share of the page's characters that come before this line",
    "is_first_line": "the first non-blank line of the page",
    "lines_to_next_prose": "non-blank lines down to the next prose line (capped), 0 on a prose line",
    "lines_since_prose": "non-blank lines up to the previous prose line (capped), 0 on a prose line",
    "share_prose_lines": "share of the page's non-blank lines that are prose lines",
    "share_words_in_prose": "share of the line's content words (3+ letters, no function words) in other prose lines",
    "n_words_in_prose": "log(1 + the line's content words used in the page's other prose lines)",
    "log_chars_vs_page": "log_chars minus its mean over the page's non-blank lines",
    "stopwords_vs_page": "share_stopwords minus its mean over the page's non-blank lines",
    "prose_words_vs_page": "share_words_in_prose minus its mean over the page's non-blank lines",
    "length_rank": "rank of the line's length among the page's non-blank lines, 0 (shortest) to 1 (longest)",
    "offset_from_prose": "non-blank lines from the centre of the page's sentence-ending text (weighted by characters), "
    "over the page's non-blank lines",
    "prose_chars_before": "share of the characters of the page's sentence-ending lines that come before the middle "
    "of this line (a page's only such line: 0.5)",
    "below_late_copyright": "the line lies below the page's last copyright line, which is in the page's second half "
    "with at most as many characters below it as up to it (what follows a footer: pop-ups, rules, cookie notices)",
    "lexical": "the model's word score: the sum of the learned weights of the line's words (Lexicon) over the square "
    "root of its word count; 0 without a lexicon, or on a page whose words it mostly does not know",
    "lexicon_coverage": "share of the page's words that the model's lexicon knows; 0 below LEXICON_MIN_COVERAGE "
    "(another language: the lexical columns are 0 too) or without a lexicon",
}
CONTEXT_SOURCES = (
    "log_chars",
    "share_words_in_prose",
    "has_label_prefix",
    "share_upper",
    "log_words",
    "ends_ellipsis",
    "ends_terminal",
    "share_capitalised",
    "share_digits",
    "share_stopwords",
    "has_date",
    "has_relative_time",
    "n_boiler_phrases",
    "blank_before",
    "has_truncated_twin",
    "is_truncated_twin",
    "lexical",
)


def _context_features() -> dict[str, str]:
    out = {}
    for offset in NEIGHBOUR_OFFSETS:
        where = f"{abs(offset)} non-blank line{'s' if abs(offset) > 1 else ''} {'before' if offset < 0 else 'after'}"
        for name in CONTEXT_SOURCES:
            out[f"{name}@{offset:+d}"] = f"{name} of the line {where} (-1 past the page's edge)"
    for width in WINDOWS:
        for name in WINDOW_SOURCES:
            out[f"{name}~{width}"] = f"mean {name} over the {2 * width + 1} non-blank lines centred on this one"
    return out


CONTEXT_FEATURES = _context_features()
FEATURE_DESCRIPTIONS = {**LINE_FEATURES, **PAGE_FEATURES, **CONTEXT_FEATURES}
FEATURE_NAMES = tuple(FEATURE_DESCRIPTIONS)


def line_features(line: str) -> list[float]:
    """The :data:`LINE_FEATURES` of one non-blank line, in order."""
    text = line.strip()
    head = text[:MAX_PATTERN_CHARS]
    n_chars = len(text)
    words = P.WORD.findall(head)
    n_words = len(words)
    letters = sum(len(w) for w in words)
    n_cjk = len(P.CJK.findall(head))
    # A CJK run is one "word" to the regex; count its characters as words instead.
    word_count = n_words + max(0, n_cjk - n_words) if n_cjk else n_words
    head_word_count = word_count
    if n_chars > len(head):
        word_count = int(word_count * n_chars / len(head))
    head_len = max(len(head), 1)
    n_digits = len(P.DIGIT.findall(head))
    tokens = {w.lower() for w in words}
    # Each costly pattern runs only when the cheap test (a digit, or one of its
    # words among the line's words) says it could match.
    has_date = bool(n_digits) and (
        bool(P.NUMERIC_DATE.search(head)) or (not tokens.isdisjoint(P.MONTH_WORDS) and bool(P.MONTH_DATE.search(head)))
    )
    has_relative = (bool(n_digits) or not tokens.isdisjoint(P.RELATIVE_WORDS)) and bool(P.RELATIVE_TIME.search(head))
    has_copyright = ("©" in head or not tokens.isdisjoint(P.COPYRIGHT_WORDS)) and bool(P.COPYRIGHT.search(head))
    return [
        math.log1p(n_chars),
        math.log1p(word_count),
        letters / n_words if n_words else 0.0,
        1.0 if P.ELLIPSIS_END.search(head[-10:]) else 0.0,
        1.0 if P.TERMINAL_END.search(text[-10:]) else 0.0,
        sum(w[0].isupper() for w in words) / n_words if n_words else 0.0,
        len(P.UPPER.findall(head)) / letters if letters else 0.0,
        n_digits / head_len,
        len(P.PUNCT.findall(head)) / head_len,
        n_cjk / head_len,
        _stopword_share(words, head, n_cjk, head_word_count),
        1.0 if has_date else 0.0,
        1.0 if not tokens.isdisjoint(P.WEEKDAY_WORDS) and P.WEEKDAY.search(head) else 0.0,
        1.0 if n_digits and P.CLOCK_TIME.search(head) else 0.0,
        1.0 if has_relative else 0.0,
        float(min(len(P.SEPARATOR.findall(head)), 10)),
        1.0 if P.URL.search(head) else 0.0,
        1.0 if "@" in head and P.EMAIL.search(head) else 0.0,
        1.0 if has_copyright else 0.0,
        1.0 if not tokens.isdisjoint(P.CAPTION_WORDS) and P.CAPTION.search(head) else 0.0,
        1.0 if P.BYLINE.search(head) else 0.0,
        float(min(len(P.BOILER_PHRASE.findall(head)), 5)) if not tokens.isdisjoint(P.BOILER_WORDS) else 0.0,
        1.0 if P.LIST_MARKER.search(head) else 0.0,
        1.0 if P.LABEL_PREFIX.search(head) else 0.0,
        1.0 if words and words[0][0].islower() else 0.0,
    ]


# Menus, footers and widgets repeat on every page of a site: a line seen before is
# looked up, not recomputed. At most LINE_CACHE_SIZE lines of at most
# MAX_CACHED_LINE_CHARS characters are kept (about 16 MB at worst).
LINE_CACHE_SIZE = 1 << 14
MAX_CACHED_LINE_CHARS = 500


@functools.lru_cache(maxsize=LINE_CACHE_SIZE)
def _cached_short_line(text: str) -> tuple:
    return tuple(line_features(text))


def _cached_line_features(text: str):
    return _cached_short_line(text) if len(text) <= MAX_CACHED_LINE_CHARS else line_features(text)


def clear_line_cache() -> None:
    """Forget the cached features of lines seen so far (benchmarks start cold with it)."""
    _cached_short_line.cache_clear()


def _stopword_share(words: list[str], head: str, n_cjk: int, word_count: int) -> float:
    """Share of the words of ``head`` that are function words; CJK characters count one each."""
    if not word_count:
        return 0.0
    hits = sum(w in P.STOPWORDS for w in (x.lower() for x in words))
    if n_cjk:
        hits += len(P.CJK_STOP.findall(head))
    return min(hits / word_count, 1.0)


def twin_stem(line: str) -> str | None:
    """A line cut short with an ellipsis ("Putin warns of..."): the text before the
    ellipsis (MIN_TWIN_PREFIX characters at least), by which truncated twins are
    compared; else None."""
    text = line.strip()
    if text.endswith("..."):
        stem = text[:-3]
    elif text.endswith("…"):
        stem = text[:-1]
    else:
        return None
    stem = stem.rstrip(" .,:;-–")
    return stem if len(stem) >= MIN_TWIN_PREFIX else None


def _twins(texts: list[str], candidates=None) -> tuple[np.ndarray, np.ndarray]:
    """Flags: line is a truncated twin of another line / has such a twin.

    Truncated lines are bucketed by their first MIN_TWIN_PREFIX characters; a full
    line is compared with at most MAX_TWIN_CANDIDATES distinct stems of its bucket,
    so a page of a million look-alike lines stays linear. ``candidates``: indices
    of the lines that may end with an ellipsis (default: all).
    """
    n = len(texts)
    is_twin = np.zeros(n)
    has_twin = np.zeros(n)
    buckets: dict[str, dict[str, list[int]]] = {}
    for i in range(n) if candidates is None else candidates:
        stem = twin_stem(texts[i])
        if stem is not None:
            stems = buckets.setdefault(stem[:MIN_TWIN_PREFIX], {})
            if stem in stems or len(stems) < MAX_TWIN_CANDIDATES:
                stems.setdefault(stem, []).append(i)
    if not buckets:
        return is_twin, has_twin
    for j in [j for j, text in enumerate(texts) if text[:MIN_TWIN_PREFIX] in buckets]:
        text = texts[j]
        for stem, owners in buckets[text[:MIN_TWIN_PREFIX]].items():
            if len(text) > len(stem) and text.startswith(stem):
                others = [i for i in owners if texts[i] != text]
                if others:
                    is_twin[others] = 1.0
                    has_twin[j] = 1.0
    return is_twin, has_twin


def _prose_vocabulary_overlap(texts: list[str], is_prose: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How much of each line's vocabulary the page's other prose lines use.

    The article's headline, subheads and captions share words with its body;
    menus, promos and related headlines mostly do not.
    """
    words = [
        {w for w in (x.lower() for x in P.WORD.findall(t[:MAX_PATTERN_CHARS])) if len(w) >= 3 and w not in P.STOPWORDS}
        for t in texts
    ]
    counts: dict[str, int] = {}
    for bag, prose in zip(words, is_prose):
        if prose:
            for w in bag:
                counts[w] = counts.get(w, 0) + 1
    share = np.zeros(len(texts))
    found = np.zeros(len(texts))
    for i, (bag, prose) in enumerate(zip(words, is_prose)):
        if not bag:
            continue
        own = 1 if prose else 0
        hits = sum(1 for w in bag if counts.get(w, 0) - own > 0)
        share[i] = hits / len(bag)
        found[i] = math.log1p(hits)
    return share, found


FEATURE_INDEX = {name: k for k, name in enumerate(FEATURE_NAMES)}
_N_LINE = len(LINE_FEATURES)
_CONTEXT_SOURCE_COLUMNS = np.array([FEATURE_INDEX[name] for name in CONTEXT_SOURCES], np.int32)
_WINDOW_SOURCE_COLUMNS = np.array([FEATURE_INDEX[name] for name in WINDOW_SOURCES], np.int32)

# What the compiled scan asks of the patterns, besides the numbers it computes.
# Bits of ``needs``: search the whole line for these (NEED_* = N_* in _speedups.c).
NEED_RELATIVE, NEED_BYLINE = 1, 4  # EMAIL the scan matches itself
# Not a pattern to search: the line holds one of patterns.COMMENT_WORDS (bpclass.policy).
NEED_COMMENT = 8
# Kinds of (line, kind, position) candidates: a match can only start at (or, for
# dates, copyright and captions, just before) such a position (K_* in _speedups.c).
CAND_MONTH, CAND_WEEKDAY, CAND_BOILER, CAND_COPYRIGHT, CAND_CAPTION, CAND_URL, CAND_RELATIVE = range(1, 8)

if _speedups is not None:
    try:
        # Bit k of a word's entry = membership of the k-th set (W_* in _speedups.c).
        _speedups.configure(
            [P.STOPWORDS, P.MONTH_WORDS, P.WEEKDAY_WORDS, P.RELATIVE_WORDS, P.COPYRIGHT_WORDS,
             P.CAPTION_WORDS, P.BOILER_WORDS, P.BYLINE_WORDS, P.RELATIVE_START_WORDS,
             P.RELATIVE_START_DIGIT_WORDS, P.RELATIVE_END_WORDS, P.RELATIVE_END_DIGIT_WORDS, P.URL_WORDS,
             P.COMMENT_WORDS, P.WEEKDAY_WHOLE_WORDS],
            "".join(sorted(P.CJK_STOP_CHARS)),
            P.FOLD_CHARS,
            [list(P.BOILER_PHRASES), sorted(P.COPYRIGHT_PHRASES, key=len, reverse=True), list(P.BYLINE_STARTS)],
        )  # fmt: skip
    except (TypeError, ValueError) as error:  # a build older than this code
        warnings.warn(f"bpclass._speedups does not fit this version ({error}); using pure Python", stacklevel=1)
        _speedups = None
        NATIVE = False

# Column of each pattern feature in LINE_FEATURES.
_DATE, _WEEKDAY, _TIME, _RELATIVE = 11, 12, 13, 14
_URL, _EMAIL, _COPYRIGHT, _CAPTION, _BYLINE, _BOILER = 16, 17, 18, 19, 20, 21
# Where a candidate's match may start, relative to its position: "12 May" starts up
# to 4 characters before the month, "(c)" and "(photo" one before the word.
_CAND_STARTS = {
    CAND_MONTH: ((P.MONTH_DATE, _DATE),),
    CAND_WEEKDAY: ((P.WEEKDAY, _WEEKDAY),),
    CAND_COPYRIGHT: ((P.COPYRIGHT, _COPYRIGHT),),
    CAND_CAPTION: ((P.CAPTION, _CAPTION),),
    CAND_URL: ((P.URL, _URL),),
    CAND_RELATIVE: ((P.RELATIVE_TIME, _RELATIVE),),
}
_CAND_BACK = {CAND_MONTH: range(-4, 1), CAND_COPYRIGHT: (-1, 0), CAND_CAPTION: (-1, 0)}
_SEARCHED = (
    (NEED_RELATIVE, P.RELATIVE_TIME, _RELATIVE),
    (NEED_BYLINE, P.BYLINE, _BYLINE),
)


def _run_patterns(texts: list[str], needs: np.ndarray, candidates: list, base: np.ndarray) -> None:
    """Fill the pattern columns of ``base`` where the compiled scan says a pattern may match.

    Gives the same values as :func:`line_features`, which runs each pattern on the
    whole line: ``needs`` flags lines to search whole, ``candidates`` (a flat list of
    line, kind, position triples) the only places where a pattern can start matching.
    """
    for bit, pattern, column in _SEARCHED:
        for i in np.flatnonzero(needs & bit).tolist():
            if pattern.search(texts[i][:MAX_PATTERN_CHARS]):
                base[i, column] = 1.0
    line = -1
    boiler_end = 0
    flat = iter(candidates)  # line, kind, position, line, ...
    for i, kind, pos in zip(flat, flat, flat):
        if i != line:
            line, head, boiler_end = i, texts[i][:MAX_PATTERN_CHARS], 0
        if kind == CAND_BOILER:
            # findall's count: matches do not overlap, so skip starts inside the last one.
            if pos >= boiler_end and base[i, _BOILER] < 5:
                match = P.BOILER_PHRASE.match(head, pos)
                if match:
                    base[i, _BOILER] += 1.0
                    boiler_end = match.end()
            continue
        for pattern, column in _CAND_STARTS[kind]:
            if base[i, column]:
                continue
            for delta in _CAND_BACK.get(kind, (0,)):
                if pos + delta >= 0 and pattern.match(head, pos + delta):
                    base[i, column] = 1.0
                    break


def _is_prose(base: np.ndarray) -> np.ndarray:
    return (base[:, 1] >= math.log1p(PROSE_MIN_WORDS)) & (base[:, 4] > 0)


def holds_comment_word(text: str) -> bool:
    """Does the line (its first MAX_PATTERN_CHARS characters) hold a word of
    :data:`bpclass.patterns.COMMENT_WORDS`? The line scan's ``NEED_COMMENT``."""
    return any(w.lower() in P.COMMENT_WORDS for w in P.WORD.findall(text[:MAX_PATTERN_CHARS]))


def line_words(text: str) -> list[str]:
    """The words a :class:`Lexicon` weighs: the runs of letters of a stripped line's
    first MAX_PATTERN_CHARS characters, lower-cased (as the line scan reads them)."""
    return [w.lower() for w in P.WORD.findall(text[:MAX_PATTERN_CHARS])]


class Lexicon:
    """A model's learned word weights: lower-cased words (see :func:`line_words`) ->
    weight. A line's ``lexical`` feature is the sum of its words' weights (0 for
    unknown words) over the square root of its word count.

    Parameters
    ----------
    words : list of str
        Distinct, non-empty, lower-cased words.
    weights : array-like of float
        One finite weight per word (held as float32).
    """

    def __init__(self, words, weights):
        words = list(words)
        # Held as float32 numbers, as model files store them.
        weights = np.array(weights, dtype=np.float64).ravel().astype(np.float32).astype(np.float64)
        if len(words) != len(weights):
            raise ValueError(f"a lexicon needs one weight per word: {len(words)} words, {len(weights)} weights.")
        if not all(type(w) is str and w for w in words):
            raise ValueError("lexicon words must be non-empty str.")
        if len(set(words)) != len(words):
            raise ValueError("lexicon words must be distinct.")
        if not np.isfinite(weights).all():
            raise ValueError("lexicon weights must be finite.")
        self.words = words
        self.weights = weights
        self._table = dict(zip(words, weights.tolist()))
        self._native = _speedups.make_lexicon(words, weights) if _speedups is not None else None

    def __reduce__(self):  # the compiled table is rebuilt, never pickled
        return (Lexicon, (self.words, self.weights))

    def __len__(self) -> int:
        return len(self.words)

    def read_many(self, texts: list[str]) -> np.ndarray:
        """Rows of ``(score, words known, words)`` of stripped lines (the line scan's
        numbers, without the rest of the features)."""
        out = np.zeros((len(texts), 3))
        if _speedups is not None and self._native is not None:
            _speedups.lexicon_rows(texts if type(texts) is list else list(texts), self._native, out)
        else:
            for i, t in enumerate(texts):
                out[i] = self.read(t)
        return out

    def read(self, text: str) -> tuple[float, int, int]:
        """``(score, words known, words)`` of one stripped line: ``score`` is its
        ``lexical`` feature before the page's coverage is checked
        (:data:`LEXICON_MIN_COVERAGE`)."""
        words = line_words(text)
        if not words:
            return 0.0, 0, 0
        total = 0.0
        known = 0
        table = self._table
        for w in words:  # in order, as the line scan adds them
            weight = table.get(w)
            if weight is not None:
                total += weight
                known += 1
        return total / math.sqrt(len(words)), known, len(words)


def _line_block(texts: list[str], bounds: np.ndarray, lexicon: Lexicon | None = None) -> tuple[np.ndarray, ...]:
    """LINE_FEATURES of stripped non-blank lines, their prose-vocabulary overlap, how
    many lines of their page have the same text, and the rows that hold a comment word
    (:func:`holds_comment_word`), and their ``lexical`` scores (zeros without a lexicon).

    ``bounds`` holds the first row of each page and, last, ``len(texts)``.
    """
    n = len(texts)
    base = np.empty((n, _N_LINE))
    share = np.zeros(n)
    found = np.zeros(n)
    repeats = np.empty(n)
    lexical = np.zeros((n, 3))  # score, words known, words
    if _speedups is not None:
        needs = np.zeros(n, dtype=np.int32)
        args = (lexicon._native, lexical) if lexicon is not None else ()
        candidates = _speedups.scan_lines(texts, bounds, base, needs, share, found, repeats, *args)
        _run_patterns(texts, needs, candidates, base)
        return base, share, found, repeats, np.flatnonzero(needs & NEED_COMMENT), lexical
    for i, t in enumerate(texts):  # row by row: no list of a million lists at once
        base[i] = _cached_line_features(t)
    is_prose = _is_prose(base)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        if hi > lo:
            share[lo:hi], found[lo:hi] = _prose_vocabulary_overlap(texts[lo:hi], is_prose[lo:hi])
            counts = collections.Counter(texts[lo:hi])
            repeats[lo:hi] = list(map(counts.__getitem__, texts[lo:hi]))
    comment_rows = np.array([i for i, t in enumerate(texts) if holds_comment_word(t)], dtype=np.int64)
    if lexicon is not None:
        lexical = lexicon.read_many(texts)
    return base, share, found, repeats, comment_rows, lexical


_OFFSETS = np.array(NEIGHBOUR_OFFSETS, np.int32)
_OFFSET_COLUMNS = np.array([FEATURE_INDEX[f"{CONTEXT_SOURCES[0]}@{o:+d}"] for o in NEIGHBOUR_OFFSETS], np.int32)
_WIDTHS = np.array(WINDOWS, np.int32)
_WIDTH_COLUMNS = np.array([FEATURE_INDEX[f"{WINDOW_SOURCES[0]}~{w}"] for w in WINDOWS], np.int32)


def _fill_context(
    X: np.ndarray,
    bounds: np.ndarray,
    rank: np.ndarray,
    n_row: np.ndarray,
    sources: np.ndarray = _CONTEXT_SOURCE_COLUMNS,
    offsets: np.ndarray = _OFFSETS,
    offset_columns: np.ndarray = _OFFSET_COLUMNS,
    window_sources: np.ndarray = _WINDOW_SOURCE_COLUMNS,
    widths: np.ndarray = _WIDTHS,
    width_columns: np.ndarray = _WIDTH_COLUMNS,
) -> None:
    """Neighbour and window columns of X, from other columns of the same rows.

    Neighbour ``offsets[o]``: columns ``offset_columns[o] + j`` get column
    ``sources[j]`` of the row that many rows away in the same page, -1 past its
    edges. Window ``widths[w]``: columns ``width_columns[w] + j`` get the mean of
    column ``window_sources[j]`` over the rows of the page at most that far away,
    summed in order of the offset, so that a page gets the very same numbers in any
    batch. The defaults fill the feature columns; the second pass
    (:mod:`bpclass.context`) fills its own.
    """
    if _speedups is not None:
        _speedups.fill_context(X, bounds, sources, offsets, offset_columns, window_sources, widths, width_columns)
        return
    n = len(X)
    rows = np.arange(n)
    n_src, n_wsrc = len(sources), len(window_sources)
    source_values = X[:, sources]
    window_values = X[:, window_sources]
    window_sums = {width: np.zeros_like(window_values) for width in widths.tolist()}
    window_counts = {width: np.zeros(n) for width in widths.tolist()}
    reach = int(widths.max(initial=0))
    for offset in range(min(-reach, int(offsets.min(initial=0))), max(reach, int(offsets.max(initial=0))) + 1):
        inside = (rank + offset >= 0) & (rank + offset < n_row)
        source_rows = np.clip(rows + offset, 0, n - 1)
        for o in np.flatnonzero(offsets == offset).tolist():
            first = int(offset_columns[o])
            X[:, first : first + n_src] = np.where(inside[:, None], source_values[source_rows], -1.0)
        if abs(offset) > reach:
            continue
        shifted = np.where(inside[:, None], window_values[source_rows], 0.0)
        for width in widths.tolist():
            if abs(offset) <= width:
                window_sums[width] += shifted
                window_counts[width] += inside
    for width, first in zip(widths.tolist(), width_columns.tolist()):
        X[:, first : first + n_wsrc] = window_sums[width] / window_counts[width][:, None]


_LEXICAL = FEATURE_INDEX["lexical"]
_LEXICAL_OFFSET_COLUMNS = np.array([FEATURE_INDEX[f"lexical@{o:+d}"] for o in NEIGHBOUR_OFFSETS], np.int32)
_LEXICAL_WIDTH_COLUMNS = np.array([FEATURE_INDEX[f"lexical~{w}"] for w in WINDOWS], np.int32)


_COVERAGE = FEATURE_INDEX["lexicon_coverage"]


def _gated(lexical: np.ndarray, row_page: np.ndarray, per_page: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``lexical`` and ``lexicon_coverage`` columns from rows of (score, words
    known, words): both 0 on pages whose coverage is below LEXICON_MIN_COVERAGE."""
    n_pages = len(per_page)
    known = np.bincount(row_page, weights=lexical[:, 1], minlength=n_pages)
    words = np.bincount(row_page, weights=lexical[:, 2], minlength=n_pages)
    coverage = np.where(words > 0, known / np.maximum(words, 1), 0.0)
    coverage = np.where(coverage >= LEXICON_MIN_COVERAGE, coverage, 0.0)[row_page]
    return np.where(coverage > 0, lexical[:, 0], 0.0), coverage


def set_lexical(X: np.ndarray, lexical: np.ndarray, per_page: np.ndarray) -> None:
    """Write the ``lexical`` and ``lexicon_coverage`` columns of feature rows of whole
    pages (``per_page`` rows each) from rows of (score, words known, words), and the
    neighbour and window columns that read them, in place (training fills in
    out-of-fold scores this way)."""
    bounds = np.zeros(len(per_page) + 1, dtype=np.int64)
    np.cumsum(per_page, out=bounds[1:])
    row_page = np.repeat(np.arange(len(per_page)), per_page)
    rank = np.arange(len(X)) - bounds[row_page]
    X[:, _LEXICAL], X[:, _COVERAGE] = _gated(lexical, row_page, per_page)
    _fill_context(
        X,
        bounds,
        rank,
        per_page[row_page],
        np.array([_LEXICAL], np.int32),
        _OFFSETS,
        _LEXICAL_OFFSET_COLUMNS,
        np.array([_LEXICAL], np.int32),
        _WIDTHS,
        _LEXICAL_WIDTH_COLUMNS,
    )


def _page_mean(values: np.ndarray, row_page: np.ndarray, per_page: np.ndarray) -> np.ndarray:
    """Each row's page mean of ``values`` (bincount adds in row order: the same in any batch)."""
    sums = np.bincount(row_page, weights=values, minlength=len(per_page))
    return (sums / np.maximum(per_page, 1))[row_page]


def _sums_before(values: np.ndarray, row_page: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the sum of ``values`` over the rows before it in its page, and its
    page's total. Exact, whatever the batch, for whole numbers stored as floats."""
    running = np.cumsum(values)
    before = running - values
    filled = bounds[:-1] < bounds[1:]
    page_start = np.zeros(len(bounds) - 1)
    page_start[filled] = before[bounds[:-1][filled]]
    page_total = np.zeros(len(bounds) - 1)
    page_total[filled] = running[bounds[1:][filled] - 1] - page_start[filled]
    return before - page_start[row_page], page_total[row_page]


def _page_relative(X, chars, row_page, rank, per_page, bounds) -> None:
    """The columns that set a line against the rest of its page."""
    col = FEATURE_INDEX
    for name, source in (
        ("log_chars_vs_page", "log_chars"),
        ("stopwords_vs_page", "share_stopwords"),
        ("prose_words_vs_page", "share_words_in_prose"),
    ):
        X[:, col[name]] = X[:, col[source]] - _page_mean(X[:, col[source]], row_page, per_page)
    n_row = per_page[row_page]
    # Shortest first; equal lengths in line order (a stable sort of one integer key:
    # page, then length; several times faster than lexsort).
    lengths = chars.astype(np.int64)
    order = np.argsort(row_page * (int(lengths.max(initial=0)) + 1) + lengths, kind="stable")
    length_rank = np.empty(len(chars))
    length_rank[order] = np.arange(len(chars)) - bounds[row_page[order]]
    X[:, col["length_rank"]] = length_rank / np.maximum(n_row - 1, 1)
    # Characters of sentence-ending lines: integers, so the sums are exact in any batch.
    weight = chars * (X[:, col["ends_terminal"]] > 0)
    page_weight = np.bincount(row_page, weights=weight, minlength=len(per_page))
    centre = np.bincount(row_page, weights=weight * rank, minlength=len(per_page)) / np.maximum(page_weight, 1)
    X[:, col["offset_from_prose"]] = (rank - centre[row_page]) / np.maximum(n_row, 1)
    before, total = _sums_before(weight, row_page, bounds)
    X[:, col["prose_chars_before"]] = (before + weight / 2) / np.maximum(total, 1)


def batch_features(
    pages: list[list[str]], spare_columns: int = 0, lexicon: Lexicon | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows of the non-blank lines of many pages, computed together.

    Parameters
    ----------
    pages : list of list of str
        Pages, each a list of lines without newlines.
    spare_columns : int, default=0
        Zero columns added after the features (room for the second pass's
        columns, :mod:`bpclass.context`, without copying the matrix).
    lexicon : Lexicon or None, default=None
        A model's word weights, for the ``lexical`` columns (zeros without one).

    Returns
    -------
    X : ndarray of shape (n_non_blank_lines, len(FEATURE_NAMES) + spare_columns)
        One row per non-blank line, page after page, in line order. A page's rows
        do not depend on the other pages of the batch.
    non_blank : ndarray of bool, shape (total number of lines,)
        Which lines (page after page) have a row in ``X``.
    """
    X, non_blank, _ = features_and_comment_rows(pages, spare_columns, lexicon)
    return X, non_blank


# A list item's bullet, as resiliparse ("• Latest posts") and inscriptis ("* Latest
# posts") begin their lines, is no part of its text: the features read the text after
# it (bullet_end in _speedups.c). Our own layout gives list items without one.
BULLETS = "\u2022\u25aa\u25e6\u2023\u2219\u25cf\u00b7*"
_BULLET = re.compile(f"^[{BULLETS}]\\s+(?=\\S)")


def without_bullet(text: str) -> str:
    """A stripped line as the batch code reads it: a leading bullet and the white space
    after it dropped ("· a" is "a"; "·a" stays as it is)."""
    return _BULLET.sub("", text, count=1) if text[0] in BULLETS else text


# A line with at least this many white-space characters before or after its text is
# padded (bpclass.columns); PAD_RUN in _speedups.c.
PAD_RUN = 5


def _edges(line: str) -> float:
    """The ``edges`` flags of one non-blank line (see :func:`features_and_comment_rows`)."""
    padded = len(line) - len(line.lstrip()) >= PAD_RUN or len(line) - len(line.rstrip()) >= PAD_RUN
    return (
        (len(line) > 1 and line[0] == " " and not line[1].isspace())
        + 2.0 * (len(line) > 1 and line[-1] == " " and not line[-2].isspace())
        + 4.0 * padded
    )


_MARKDOWN_FIRSTS = np.array([ord(c) for c in MARKDOWN_STARTS], dtype=np.float64)


def _read_markdown(
    pages: list, firsts: np.ndarray, non_blank: np.ndarray, page_lens: np.ndarray, shown: dict | None = None
) -> bool:
    """Replace the pages that are Markdown (:func:`bpclass.markdown.is_markdown`) by
    the plain text their lines show, in place; whether any was. The first test (lines
    starting with a Markdown character) reads the first characters the line scan
    found, so a page that is not Markdown costs nothing more. Given a dict as
    ``shown``, each replaced page's plain lines go in it under the page's number."""
    marked = firsts == _MARKDOWN_FIRSTS[0]
    for code in _MARKDOWN_FIRSTS[1:]:  # a few comparisons: cheaper than np.isin on a page's lines
        marked |= firsts == code
    if np.count_nonzero(marked) < MIN_SIGNS:
        return False
    line_page = np.repeat(np.arange(len(pages)), page_lens)[non_blank]
    per_page = np.bincount(line_page[marked], minlength=len(pages))
    changed = False
    for p in np.flatnonzero(per_page >= MIN_SIGNS).tolist():
        if holds_markdown(pages[p]):
            pages[p] = plain_lines(pages[p])
            if shown is not None:
                shown[p] = pages[p]
            changed = True
    return changed


def features_and_comment_rows(
    pages,
    spare_columns: int = 0,
    lexicon: Lexicon | None = None,
    read_markdown: bool = True,
    edges: list | None = None,
    shown: dict | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`batch_features`, and the rows (indices into ``X``) whose lines hold a
    comment word (:func:`holds_comment_word`; the line scan finds them for free): the
    only lines that can head a comment section (:mod:`bpclass.policy`). Pages that are
    Markdown are read as the text they show (:mod:`bpclass.markdown`) unless
    ``read_markdown`` is False. Given a list as ``edges``, an array is appended to it
    holding, for each row, 1 if its line began with exactly one space, plus 2 if it
    ended with exactly one space (the mark of lines cut at inline elements, which
    :mod:`bpclass.wrapping` reads), plus 4 if at least PAD_RUN white-space characters
    come before or after its text (a text browser's padded table cells, which
    :mod:`bpclass.columns` reads). Given a dict as ``shown``, the plain lines of each
    page read as Markdown go in it under the page's number (in ``pages``)."""
    if type(spare_columns) is not int or spare_columns < 0:
        raise ValueError(f"spare_columns must be a whole number >= 0, not {spare_columns!r}.")
    pages = [page if type(page) is list else list(page) for page in pages]
    n_pages = len(pages)
    page_lens = np.fromiter(map(len, pages), dtype=np.int64, count=n_pages)
    if _speedups is not None:
        non_blank = np.zeros(int(page_lens.sum()), dtype=bool)
        lengths, firsts = np.empty(len(non_blank)), np.empty(len(non_blank))
        spaced = np.empty(len(non_blank)) if edges is not None else None
        texts = _speedups.strip_pages(pages, non_blank, lengths, firsts, spaced)
        chars, firsts = lengths[: len(texts)], firsts[: len(texts)]
    else:
        stripped = [line.strip() for page in pages for line in page]
        non_blank = np.fromiter(map(bool, stripped), dtype=bool, count=len(stripped))
        firsts = np.fromiter((ord(t[0]) for t in stripped if t), dtype=np.float64)  # a bullet's: Markdown's marks
        texts = [without_bullet(t) for t in stripped if t]
        del stripped
        chars = np.fromiter(map(len, texts), dtype=np.float64, count=len(texts))
        spaced = None if edges is None else np.array([_edges(line) for page in pages for line in page if line.strip()])
    if read_markdown and _read_markdown(pages, firsts, non_blank, page_lens, shown):
        return features_and_comment_rows(pages, spare_columns, lexicon, read_markdown=False, edges=edges)
    if edges is not None:
        edges.append(spaced[: len(texts)] if len(texts) else np.zeros(0))
    n = len(texts)
    X = np.zeros((n, len(FEATURE_NAMES) + spare_columns))
    if n == 0:
        return X, non_blank, np.zeros(0, dtype=np.int64)

    line_start = np.zeros(n_pages + 1, dtype=np.int64)
    np.cumsum(page_lens, out=line_start[1:])
    where = np.flatnonzero(non_blank)  # each row's line, counted over the whole batch
    row_page = np.repeat(np.arange(n_pages), page_lens)[where]
    per_page = np.bincount(row_page, minlength=n_pages)  # non-blank lines of each page
    bounds = np.zeros(n_pages + 1, dtype=np.int64)
    np.cumsum(per_page, out=bounds[1:])
    rows = np.arange(n)
    rank = rows - bounds[row_page]  # among the page's non-blank lines
    n_row = per_page[row_page]
    pos = where - line_start[row_page]  # line number in the page
    lines_row = page_lens[row_page]

    base, share, found, repeats, comment_rows, lexical = _line_block(texts, bounds, lexicon)
    X[:, :_N_LINE] = base
    col = FEATURE_INDEX
    if lexicon is not None:
        X[:, _LEXICAL], X[:, _COVERAGE] = _gated(lexical, row_page, per_page)

    X[:, col["rel_position"]] = pos / np.maximum(lines_row - 1, 1)
    X[:, col["rel_position_nonblank"]] = rank / np.maximum(n_row - 1, 1)
    X[:, col["log_page_lines"]] = np.array([math.log1p(c) for c in per_page.tolist()])[row_page]
    X[:, col["blank_before"]] = np.where(pos > 0, ~non_blank[np.maximum(where - 1, 0)], True)
    next_line = np.minimum(where + 1, len(non_blank) - 1)
    X[:, col["blank_after"]] = np.where(pos < lines_row - 1, ~non_blank[next_line], True)

    # Rows that could end with an ellipsis (texts are stripped; long ones are cut for the flag).
    twin_rows = np.flatnonzero((base[:, 3] > 0) | (chars > MAX_PATTERN_CHARS))
    twin_pages: dict[int, list[int]] = {}
    for r in twin_rows.tolist():
        twin_pages.setdefault(int(row_page[r]), []).append(r)
    is_twin = X[:, col["is_truncated_twin"]]
    has_twin = X[:, col["has_truncated_twin"]]
    for p, rows_of_page in twin_pages.items():
        lo, hi = int(bounds[p]), int(bounds[p + 1])
        is_twin[lo:hi], has_twin[lo:hi] = _twins(texts[lo:hi], [r - lo for r in rows_of_page])
    X[:, col["log_repeats"]] = np.log(repeats)  # log(1 + others)

    filled = per_page > 0
    first = bounds[:-1][filled]
    page_max = np.zeros(n_pages)
    page_max[filled] = np.maximum.reduceat(chars, first)
    X[:, col["chars_vs_page_max"]] = chars / page_max[row_page]
    before, total = _sums_before(chars, row_page, bounds)
    X[:, col["cum_chars_before"]] = before / total
    X[:, col["is_first_line"]] = rank == 0

    is_prose = _is_prose(base)
    prose_at = np.where(is_prose, rows, -1)
    last = np.maximum.accumulate(prose_at)
    since = np.where(last >= bounds[row_page], rows - last, MAX_PROSE_DISTANCE)
    nxt = np.minimum.accumulate(np.where(is_prose, rows, n + MAX_PROSE_DISTANCE)[::-1])[::-1]
    to_next = np.where(nxt < bounds[row_page + 1], nxt - rows, MAX_PROSE_DISTANCE)
    X[:, col["lines_to_next_prose"]] = np.minimum(to_next, MAX_PROSE_DISTANCE)
    X[:, col["lines_since_prose"]] = np.minimum(since, MAX_PROSE_DISTANCE)
    prose_lines = np.zeros(n_pages)
    prose_lines[filled] = np.add.reduceat(is_prose.astype(np.float64), first)
    X[:, col["share_prose_lines"]] = (prose_lines / np.maximum(per_page, 1))[row_page]
    X[:, col["share_words_in_prose"]] = share
    X[:, col["n_words_in_prose"]] = found
    _page_relative(X, chars, row_page, rank, per_page, bounds)
    # Below the page's last copyright line, when that lies in the page's second half
    # and less of the page's text comes after it than up to it: the footer's (a photo
    # credit above it, "Copyright 2026 AP", marks nothing; nor does a footer that a
    # layout sets above the article, as resiliparse does on some pages).
    copyright_at = np.where(X[:, col["has_copyright"]] > 0, rows, -1)
    last = np.full(n_pages, -1)
    last[filled] = np.maximum.reduceat(copyright_at, first)
    footer = last[row_page]
    at = np.maximum(footer, 0)
    up_to = before[at] + chars[at]  # the page's characters up to the copyright line's end
    late = (footer >= 0) & (X[at, col["rel_position"]] > 0.5) & (total - up_to <= up_to)
    X[:, col["below_late_copyright"]] = late & (rows > footer)

    _fill_context(X, bounds, rank, n_row)
    return X, non_blank, comment_rows


def page_features(lines: list[str]) -> np.ndarray:
    """Feature matrix of one page: shape ``(len(lines), len(FEATURE_NAMES))``.

    Parameters
    ----------
    lines : list of str
        The page, one block per line. Lines must not contain newlines.

    Returns
    -------
    ndarray of float64
        Row ``i`` describes ``lines[i]``; rows of blank lines are all zero.

    Examples
    --------
    >>> X = page_features(["Headline", "", "A sentence of the body."])
    >>> X.shape == (3, len(FEATURE_NAMES))
    True
    >>> float(X[1].sum())
    0.0
    """
    X, non_blank = batch_features([lines])
    if len(X) == len(lines):
        return X
    out = np.zeros((len(lines), len(FEATURE_NAMES)))
    out[non_blank] = X
    return out
