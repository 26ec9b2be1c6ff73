"""Lines far from the article: kept without conviction, dropped.

A page's article is its run of kept lines (P(content) at least the threshold, among
its non-blank lines) with the most characters: its *core*. Below it come related
headlines, the next story's summary, a feed of other stories, a footer's prose; above
it, a menu's teasers. The model keeps some of those lines, though seldom with
conviction (P under :data:`MAX_PROBA`), and each is parted from the article by many
lines the model is sure are boilerplate.

Walking away from the core (down from its end, up from its start), once
:data:`GAP` lines with P under :data:`UNLIKELY` have come since the last kept line,
every kept line under MAX_PROBA is dropped, until a sure line (P at least MAX_PROBA:
the article goes on after a long widget) starts the count again. Pages whose core
holds under :data:`MIN_CORE_SHARE` of the kept characters are left alone: a forum's
posts, a listing's items and a product page's sections are many runs, none of them
the page's one article.

Cross-validated by site on daniel (five languages, four layouts), +0.002 to +0.008
bag F1 (Russian in BeautifulSoup's layout 0.874 -> 0.894); the held-out sets, all
pages +0.000 to +0.002 in the same layouts, no set moving more than 0.004
(docs/experiments.md, 2026-12-07).
"""

from __future__ import annotations

import numpy as np

GAP = 10
UNLIKELY = 0.3
MAX_PROBA = 0.7
MIN_CORE_SHARE = 0.4


def core_run(kept: np.ndarray, length: np.ndarray) -> tuple[int, int, float] | None:
    """``(first, stop, share)`` of the run of ``kept`` lines (a mask over a page's
    non-blank lines, whose lengths are ``length``) with the most characters, and its
    share of all kept characters; None when no line is kept."""
    edges = np.diff(np.concatenate(([0], kept.view(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not len(starts):
        return None
    chars = np.add.reduceat(np.where(kept, length, 0), starts)
    best = int(np.argmax(chars))
    total = float(chars.sum())
    return int(starts[best]), int(stops[best]), float(chars[best]) / total if total else 0.0


def _walk(p: np.ndarray, order, threshold: float) -> list[int]:
    """The far lines met walking the non-blank lines in ``order`` (positions into
    ``p``, their P(content)) away from the core (see the module's docstring)."""
    out: list[int] = []
    unlikely, far = 0, False
    for j in order:
        q = p[j]
        if q >= threshold:
            unlikely = 0
        elif q < UNLIKELY:
            unlikely += 1
        if unlikely >= GAP:
            far = True
        if q >= MAX_PROBA:
            far, unlikely = False, 0
        elif far and q >= threshold:
            out.append(j)
    return out


def far_lines(lines: list[str], proba: np.ndarray, threshold: float, length=None) -> list[int]:
    """Indices of the page's kept lines far from its article (see the module's
    docstring); ``proba`` is P(content) of each line (blank lines 0), ``length`` (if
    known) each line's length without the white space around it."""
    stripped = np.fromiter(map(len, map(str.strip, lines)), np.int64, len(lines)) if length is None else length
    filled = np.flatnonzero(stripped)
    p = np.asarray(proba)[filled]
    kept = p >= threshold
    unsure = np.flatnonzero(kept & (p < MAX_PROBA))
    if not len(unsure):
        return []
    # A far line needs GAP unlikely lines between two kept lines somewhere on the page.
    kept_at = np.flatnonzero(kept)
    unlikely = np.cumsum(p < UNLIKELY)
    if not (unlikely[kept_at[1:]] - unlikely[kept_at[:-1]] >= GAP).any():
        return []
    core = core_run(kept, stripped[filled])
    if core is None or core[2] < MIN_CORE_SHARE:
        return []
    first, stop, _ = core
    out: list[int] = []
    values = p.tolist()
    # Only a kept, unsure line at least GAP lines away from the core can be far.
    if unsure[-1] >= stop + GAP:
        out += _walk(values, range(stop, len(p)), threshold)
    if unsure[0] < first - GAP:
        out += _walk(values, range(first - 1, -1, -1), threshold)
    return filled[out].tolist() if out else []


def drop_far_lines(pages: list[list[str]], probas: list[np.ndarray], threshold: float, lengths=None) -> None:
    """Set P(content) to 0, in place, on each page's :func:`far_lines`; ``lengths``:
    per page, its lines' lengths as far_lines takes them, if known."""
    for k, (lines, proba) in enumerate(zip(pages, probas)):
        found = far_lines(lines, proba, threshold, None if lengths is None else lengths[k])
        if found:
            proba[found] = 0.0
