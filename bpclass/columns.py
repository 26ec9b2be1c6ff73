"""Lines that hold several blocks side by side, read a block at a time.

A text browser (inscriptis, lynx, w3m) lays a layout table out as the screen shows
it: its cells side by side, each padded with spaces to its column's width. One line
of such a page may then hold a news feed's ``14:09`` and a paragraph of the article,
or a sidebar's headline and a line of the body. Read whole, the line is neither, and
the model drops it: three of daniel's held-out Russian news pages scored 0.00 as
inscriptis lays them out (docs/experiments.md, 2026-12-07).

- **A gap** is a run of at least :data:`GAP` spaces (or tabs, no-break spaces)
  between two pieces of a line's text.
- **A page in columns** has at least :data:`MIN_LINES` lines with a gap, and as many
  as :data:`MIN_SHARE` of its non-blank lines. It is read again as pieces, one per
  line: its lines cut at their gaps, and a table's pieces read a column at a time
  (:func:`column_pieces`). Each line gets the highest of its pieces' probabilities
  (:meth:`bpclass.BoilerplateClassifier.predict_proba`): labels stay one per line, and
  a line is kept whole when any of its blocks is content, so no line of the article
  is lost for the cells beside it.
- **A table's box**: a text browser pads every line of a table to the table's width,
  so a run of lines of one length is one table (:func:`_boxed`), read a column at a
  time even where a line holds a single cell, and apart from the box of another
  width below it (the footer's table). A line that is neither cut nor in a box is
  read where it stands, however far it is set in (text browsers indent nested lists
  and blocks: read by offset, an indented footer came before the article).

Predicting, a first test reads what the features' line scan already found: lines
padded with at least ``PAD_RUN`` white-space characters before or after their text
(:func:`likely_columned`), which a text browser's table rows are and the lines of
other layouts seldom; only the pages it lets through are searched for gaps.
"""

from __future__ import annotations

import re

import numpy as np

# A run of at least GAP spaces between two pieces of text cuts a line.
GAP = 5
_GAP = re.compile(rf"[ \t\u00a0]{{{GAP},}}")
# The first test: a page with at least MIN_PADDED padded lines may be in columns.
MIN_PADDED = 5
# A page in columns has at least MIN_LINES lines with a gap, and MIN_SHARE of its
# non-blank lines.
MIN_LINES = 3
MIN_SHARE = 0.1
# A table's box: at least MIN_BOX lines padded to one width (_boxed).
MIN_BOX = 3
# Bounds against hostile input: a line is cut at its first MAX_CUTS gaps at most, and a
# page that would be read as more than MAX_GROWTH pieces per line is read as it is.
MAX_CUTS = 16
MAX_GROWTH = 4
# The ``edges`` flag of a padded line (bpclass.features.features_and_comment_rows).
PADDED = 4.0


def likely_columned(edges: np.ndarray, row_page: np.ndarray, n_pages: int) -> np.ndarray:
    """The pages of a batch that may be in columns, from each non-blank line's
    ``edges`` flags (:func:`bpclass.features.features_and_comment_rows`) and its page."""
    return np.flatnonzero(np.bincount(row_page[edges >= PADDED], minlength=n_pages) >= MIN_PADDED)


def column_pieces(page: list[str]) -> tuple[list[str], np.ndarray] | None:
    """A page in columns as the pieces it is read as, with the line each piece comes
    from; ``None`` for a page that is not in columns (or that would come in more than
    :data:`MAX_GROWTH` pieces per line).

    Each line is cut at its gaps. Within a run of lines that are cut, or of one table's
    box (:func:`_boxed`), the pieces are read a column at a time (those that start
    at one offset, top to bottom, then the next offset's), so that a cell's lines are
    read together and not interleaved with the cells beside them; a blank piece ends
    each column. Lines outside such runs are read as they are."""
    cuts = []
    cut = lines = 0
    for line in page:
        text = line.strip()
        if not text:
            cuts.append([])
            continue
        lines += 1
        at = len(line) - len(line.lstrip())
        parts = []
        for part in _GAP.split(text, maxsplit=MAX_CUTS):
            start = line.index(part, at)
            parts.append((start, part))
            at = start + len(part)
        cut += len(parts) > 1
        cuts.append(parts)
    if cut < MIN_LINES or cut < MIN_SHARE * lines or sum(map(len, cuts)) > MAX_GROWTH * len(page):
        return None
    boxed = _boxed(page, cuts)
    pieces: list[str] = []
    owner: list[int] = []
    k = 0
    while k < len(page):
        if not (_in_table(cuts[k]) or (cuts[k] and boxed[k] >= 0)):
            pieces.append(cuts[k][0][1] if cuts[k] else "")
            owner.append(k)
            k += 1
            continue
        box, end = boxed[k], k + 1
        while (
            end < len(page)
            and boxed[end] in (-1, box)
            and (not cuts[end] or _in_table(cuts[end]) or boxed[end] == box >= 0)
        ):
            end += 1
        while not cuts[end - 1]:  # a table's trailing blank lines are read after it
            end -= 1
        by_offset: dict[int, list[tuple[int, str]]] = {}
        for j in range(k, end):
            for start, part in cuts[j]:
                by_offset.setdefault(start, []).append((j, part))
        for start in sorted(by_offset):
            for j, part in by_offset[start]:
                pieces.append(part)
                owner.append(j)
            pieces.append("")
            owner.append(by_offset[start][-1][0])
        k = end
    return pieces, np.array(owner, dtype=np.int64)


def _boxed(page: list[str], cuts: list[list]) -> list[int]:
    """For each line, the first line of the table box it is in, or -1. A text browser
    pads every line of a table to the table's width, so a box is a run of at least
    MIN_BOX lines of one length (blank lines of spaces too), with at least one line
    cut at a gap: its lines are a table's even where a line holds a single cell (a
    news item beside an empty cell)."""
    out = [-1] * len(page)
    start = 0
    for k in range(1, len(page) + 1):
        if k < len(page) and len(page[k]) == len(page[start]):
            continue
        if k - start >= MIN_BOX and len(page[start]) > 0 and any(_in_table(cuts[j]) for j in range(start, k)):
            out[start:k] = [start] * (k - start)
        start = k
    return out


def _in_table(parts: list) -> bool:
    """Is a line (its pieces and where they start) part of a table: cut at a gap? A
    line merely set in is not (a text browser indents nested lists and blocks too): it
    joins a table only inside its box (:func:`_boxed`)."""
    return len(parts) > 1


def line_proba(proba: np.ndarray, owner: np.ndarray, n_lines: int) -> np.ndarray:
    """Each line's P(content): the highest of its pieces' (``proba``); 0.0 for a blank
    line."""
    out = np.zeros(n_lines)
    np.maximum.at(out, owner, proba)
    return out


def line_flags(flags: np.ndarray, pieces: list[str], owner: np.ndarray, n_lines: int) -> np.ndarray:
    """Each line's flag (the label policy's): its longest piece's."""
    out = np.zeros(n_lines, dtype=bool)
    longest = np.full(n_lines, -1)
    for k, (piece, line) in enumerate(zip(pieces, owner.tolist())):
        size = len(piece.strip())
        if size > longest[line]:
            longest[line], out[line] = size, flags[k]
    return out
