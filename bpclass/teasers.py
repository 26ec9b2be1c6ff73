"""Teaser lists below the article: the next stories' lead paragraphs, dropped.

Many news sites follow the article with the next stories, each a unit of a few short
lines (a rubric, a time, a title) and its lead paragraph. A lead reads like the
article's own paragraphs, so the model keeps many of them; the title above it looks
like what it is, so the model drops most titles. Line by line nothing gives the list
away, but its rhythm does: long lines at an even spacing, every :data:`PERIODS` lines,
the lines between them short.

Below the page's article (its run of kept lines with the most characters, at least
:data:`MIN_ARTICLE_LONG` long lines of its own), a chain of at least :data:`MIN_UNITS`
long lines (:data:`LONG` characters or more) at one spacing, nothing long between
them, is a teaser list when

- some of its leads are kept, but the model is not sure of them (their mean
  P(content) at most :data:`MAX_MEAN_PROBA`; an article's paragraphs between photo
  credits are kept with 0.9 and more);
- at most :data:`MAX_TITLES_KEPT` of the lines right above the leads are kept (on a
  listing page, where the list is the content, the model keeps the titles too);
- the leads share less than :data:`MAX_OVERLAP` of their words with the article, on
  average: they tell other stories (an interview's answers between its questions
  share the article's words).

Its leads get probability 0 (:func:`drop_teaser_lists`). Cross-validated by site on
daniel, Russian news 0.871 -> 0.897 (vz.ru's news feed and argumenti.ru's rubric
lists), the other languages and every held-out set within 0.001
(docs/experiments.md, 2026-12-07). Any share of kept leads will do, not half: other
tools' lines show argumenti.ru's 25 rubric units with 12 leads kept (Russian in
BeautifulSoup's layout 0.846 -> 0.858, in resiliparse's 0.859 -> 0.876).
"""

from __future__ import annotations

import numpy as np

from bpclass.article import core_run
from bpclass.patterns import CJK, WORD

MIN_UNITS = 4
LONG = 80
PERIODS = (2, 3, 4)
_PERIOD = np.isin(np.arange(max(PERIODS) + 2), PERIODS)  # spacing -> in PERIODS (the last: any longer)
MIN_ARTICLE_LONG = 2
MAX_MEAN_PROBA = 0.8
# Half, not a third: other tools' lines show a feed's hidden summaries, and the titles
# above them come out kept as often as not (vz.ru, argumenti.ru in BeautifulSoup's
# layout). Daniel cross-validated by site in that layout 0.914 -> 0.917 (Russian 0.809
# -> 0.831), the other layouts and every held-out set within +-0.0005
# (docs/experiments.md, 2026-12-07).
MAX_TITLES_KEPT = 1 / 2
MAX_OVERLAP = 0.2
# Words are compared by their first letters (Russian and Polish inflect their ends);
# words shorter than this are left out.
STEM, MIN_WORD = 6, 4


def _words(text: str) -> set[str]:
    """A line's words for the overlap: the first STEM letters (lower case) of its words
    of MIN_WORD letters or more, and its CJK characters one by one."""
    out = {w[:STEM].lower() for w in WORD.findall(text) if len(w) >= MIN_WORD}
    out.update(CJK.findall(text))
    return out


def _chains(long_at: list[int]):
    """Runs of at least MIN_UNITS of the positions ``long_at`` (ascending) with one
    spacing in PERIODS between neighbours, as lists of positions."""
    start = 0
    while start < len(long_at) - 1:
        gap = long_at[start + 1] - long_at[start]
        end = start + 1
        while end + 1 < len(long_at) and long_at[end + 1] - long_at[end] == gap:
            end += 1
        if gap in PERIODS and end - start + 1 >= MIN_UNITS:
            yield long_at[start : end + 1]
        start = end


def _may_chain(long_at: np.ndarray) -> bool:
    """Do MIN_UNITS (3 or more) of the positions ``long_at`` follow each other at one
    spacing in PERIODS anywhere? A first test that most pages fail: an article's
    paragraphs follow each other with nothing between them."""
    gaps = np.diff(long_at)
    same = (gaps[1:] == gaps[:-1]) & _PERIOD[np.minimum(gaps[1:], len(_PERIOD) - 1)]  # three at one spacing
    run = MIN_UNITS - 2  # so many of those in a row: MIN_UNITS lines
    if len(same) < run:
        return False
    count = np.concatenate(([0], np.cumsum(same)))
    return bool((count[run:] - count[:-run] == run).any())


def teaser_leads(lines: list[str], proba: np.ndarray, threshold: float, length=None) -> list[int]:
    """Indices of the page's lines that lead a teaser list's units (see the module's
    docstring); ``proba`` is P(content) of each line (blank lines 0), ``length`` (if
    known) each line's length without the white space around it."""
    stripped = np.fromiter(map(len, map(str.strip, lines)), np.int64, len(lines)) if length is None else length
    filled = np.flatnonzero(stripped)
    if len(filled) < MIN_UNITS * min(PERIODS):
        return []
    length = stripped[filled]
    is_long = length >= LONG
    if np.count_nonzero(is_long) < MIN_ARTICLE_LONG + MIN_UNITS or not _may_chain(np.flatnonzero(is_long)):
        return []
    p = np.asarray(proba)[filled]
    kept = p >= threshold
    core = core_run(kept, length)  # the run of kept lines with most characters
    if core is None:
        return []
    first, stop, _ = core
    if np.count_nonzero(is_long[first:stop]) < MIN_ARTICLE_LONG:
        return []
    long_at = (np.flatnonzero(is_long[stop:]) + stop).tolist()
    if len(long_at) < MIN_UNITS:
        return []
    article_words: set[str] | None = None
    out: list[int] = []
    for chain in _chains(long_at):
        leads = np.array(chain)
        if not kept[leads].any() or p[leads].mean() > MAX_MEAN_PROBA:
            continue
        if np.count_nonzero(kept[leads - 1]) > MAX_TITLES_KEPT * len(leads):
            continue
        if article_words is None:
            article_words = _words(" ".join(lines[filled[k]] for k in range(first, stop)))
        shares = [len(w & article_words) / len(w) if w else 0.0 for w in (_words(lines[filled[k]]) for k in chain)]
        if sum(shares) / len(shares) < MAX_OVERLAP:
            out.extend(filled[chain].tolist())
    return out


def drop_teaser_lists(pages: list[list[str]], probas: list[np.ndarray], threshold: float, lengths=None) -> None:
    """Set P(content) to 0, in place, on each page's teaser leads (:func:`teaser_leads`);
    ``lengths``: per page, its lines' lengths as teaser_leads takes them, if known."""
    for k, (lines, proba) in enumerate(zip(pages, probas)):
        leads = teaser_leads(lines, proba, threshold, None if lengths is None else lengths[k])
        if leads:
            proba[leads] = 0.0
