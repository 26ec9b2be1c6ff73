"""Per-line features, computed for a whole page at once.

:func:`page_features` turns a page (a list of lines) into a matrix with one row per
line and one column per name in :data:`FEATURE_NAMES`. A feature is computed in two
stages, as jusText does it: first each non-blank line alone (:data:`LINE_FEATURES`),
then the page around it: position, repeats, truncated twins, the same line features
for the neighbouring non-blank lines, and averages over windows of lines.

Blank lines (empty or whitespace only) get a row of zeros: they are never scored.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from bpclass import patterns as P

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
)
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


def _twins(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Flags: line is a truncated twin of another line / has such a twin.

    Truncated lines are bucketed by their first MIN_TWIN_PREFIX characters; a full
    line is compared with at most MAX_TWIN_CANDIDATES distinct stems of its bucket,
    so a page of a million look-alike lines stays linear.
    """
    n = len(texts)
    is_twin = np.zeros(n)
    has_twin = np.zeros(n)
    buckets: dict[str, dict[str, list[int]]] = {}
    for i, text in enumerate(texts):
        if text.endswith("..."):
            stem = text[:-3]
        elif text.endswith("…"):
            stem = text[:-1]
        else:
            continue
        stem = stem.rstrip(" .,:;-–")
        if len(stem) >= MIN_TWIN_PREFIX:
            stems = buckets.setdefault(stem[:MIN_TWIN_PREFIX], {})
            if stem in stems or len(stems) < MAX_TWIN_CANDIDATES:
                stems.setdefault(stem, []).append(i)
    if not buckets:
        return is_twin, has_twin
    for j, text in enumerate(texts):
        for stem, owners in buckets.get(text[:MIN_TWIN_PREFIX], {}).items():
            if len(text) > len(stem) and text.startswith(stem):
                others = [i for i in owners if texts[i] != text]
                if others:
                    is_twin[others] = 1.0
                    has_twin[j] = 1.0
    return is_twin, has_twin


def _shift(values: np.ndarray, offset: int) -> np.ndarray:
    """values[k + offset] for each k, -1 where that falls outside the array."""
    out = np.full_like(values, -1.0)
    n = len(values)
    if offset < 0 and -offset < n:
        out[-offset:] = values[: n + offset]
    elif 0 < offset < n:
        out[: n - offset] = values[offset:]
    return out


def _prose_distances(is_prose: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-blank lines to the next / since the previous prose line, capped."""
    n = len(is_prose)
    idx = np.arange(n)
    prose_at = np.where(is_prose, idx, -1)
    last = np.maximum.accumulate(prose_at)
    since = np.where(last >= 0, idx - last, MAX_PROSE_DISTANCE)
    nxt = np.where(is_prose, idx, n + MAX_PROSE_DISTANCE)
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]
    to_next = nxt - idx
    return np.minimum(to_next, MAX_PROSE_DISTANCE).astype(float), np.minimum(since, MAX_PROSE_DISTANCE).astype(float)


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


def _window_mean(values: np.ndarray, width: int) -> np.ndarray:
    padded = np.concatenate([[0.0], np.cumsum(values)])
    n = len(values)
    idx = np.arange(n)
    lo = np.maximum(idx - width, 0)
    hi = np.minimum(idx + width + 1, n)
    return (padded[hi] - padded[lo]) / (hi - lo)


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
    n_lines = len(lines)
    out = np.zeros((n_lines, len(FEATURE_NAMES)))
    keep = [i for i, line in enumerate(lines) if line.strip()]
    n = len(keep)
    if n == 0:
        return out
    texts = [lines[i].strip() for i in keep]
    base = np.empty((n, len(LINE_FEATURES)))
    for i, t in enumerate(texts):  # row by row: no list of a million lists at once
        base[i] = _cached_line_features(t)
    own = {name: base[:, k] for k, name in enumerate(LINE_FEATURES)}

    page = {}
    positions = np.array(keep, dtype=np.float64)
    page["rel_position"] = positions / max(n_lines - 1, 1)
    page["rel_position_nonblank"] = np.arange(n) / max(n - 1, 1)
    page["log_page_lines"] = np.full(n, math.log1p(n))
    keep_arr = np.array(keep)
    blank = np.ones(n_lines + 1, dtype=bool)  # one past the end counts as blank
    blank[keep_arr] = False
    page["blank_before"] = np.where(keep_arr > 0, blank[keep_arr - 1], True).astype(float)
    page["blank_after"] = blank[keep_arr + 1].astype(float)
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    page["log_repeats"] = np.log([counts[t] for t in texts])  # log(1 + others)
    page["is_truncated_twin"], page["has_truncated_twin"] = _twins(texts)
    chars = np.array([len(t) for t in texts], dtype=np.float64)
    page["chars_vs_page_max"] = chars / chars.max()
    page["cum_chars_before"] = (np.cumsum(chars) - chars) / chars.sum()
    page["is_first_line"] = (np.arange(n) == 0).astype(float)
    is_prose = (own["log_words"] >= math.log1p(PROSE_MIN_WORDS)) & (own["ends_terminal"] > 0)
    page["lines_to_next_prose"], page["lines_since_prose"] = _prose_distances(is_prose)
    page["share_prose_lines"] = np.full(n, is_prose.mean())
    page["share_words_in_prose"], page["n_words_in_prose"] = _prose_vocabulary_overlap(texts, is_prose)

    columns = {**own, **page}
    for offset in NEIGHBOUR_OFFSETS:
        for name in CONTEXT_SOURCES:
            columns[f"{name}@{offset:+d}"] = _shift(columns[name], offset)
    for width in WINDOWS:
        for name in WINDOW_SOURCES:
            columns[f"{name}~{width}"] = _window_mean(columns[name], width)

    rows = slice(None) if n == n_lines else keep_arr  # a slice writes in place, no index gather
    for k, name in enumerate(FEATURE_NAMES):
        out[rows, k] = columns[name]
    return out
