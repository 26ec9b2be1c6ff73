"""Pages whose paragraphs come in pieces, read a paragraph at a time.

Two kinds of pieces, the same remedy. Before the model reads such a page, each run
of lines that belong to one paragraph is joined into one line, and every line of the
run gets the joined line's probability
(:meth:`bpclass.BoilerplateClassifier.predict_proba`).

**Wrapped at a fixed width.** Text browsers' dumps (lynx, w3m), html2text's default
output and plain-text mail break every paragraph into lines of at most a fixed width,
70 to 80 characters as a rule. Line by line, such a paragraph reads like a column of
short lines, which is what a menu looks like.

- **The width** is the one at which the most lines would be wrapping breaks (below),
  between :data:`MIN_WIDTH` and :data:`MAX_WIDTH`. Lines that run past the width do
  not blur it: html2text never breaks a link's address, so a Markdown page has lines
  of every length at each link and menus of links that cluster at other lengths. (A
  first test on a batch, :func:`likely_wrapped`, looks for the length below which the
  most lines end, within :data:`NEAR` characters, with the fewest just above it.)
- **A wrapping break**: a line that ends within :data:`FILLED` characters of the width
  is continued by the next line when the next line's first word would not have
  fitted on it (the only reason a greedy wrapper breaks a line), unless the next line
  starts a list item, a heading or a quote, or the line ends a sentence and the next
  begins with a capital (a paragraph may end there, and a sentence reads well alone).
- **A wrapped page** has at least :data:`MIN_BREAKS` such breaks, as many as
  :data:`MIN_BREAK_SHARE` of its lines longer than half the width that start no
  list item, heading or quote, and at least
  :data:`MIN_BREAKS` of them, and :data:`MIN_LOWER_SHARE` of those before a cased
  letter, go on in lower case: wrapping breaks sentences, while a list of titles cut
  at one length (teasers, "Read more") starts each line anew. On a wrapped page, a
  line that goes on in lower case after one that ends no sentence continues it too
  (a paragraph's first line is often short: the text it came from began after a tag).

A page whose lines run as long as their paragraphs has no such breaks: of the 7,505
pages of the shared sets as bpclass lays them out, 40 count as wrapped. CJK text,
which wraps without spaces, is never taken for wrapped.

**Cut at every inline element.** BeautifulSoup's ``get_text("\\n")`` gives each text
node a line of its own, so a paragraph with a link or a bold word comes as pieces
("...what a " / "certified accountant" / ", it is..."). Text nodes keep the spaces
around them, so such a page has many lines that begin or end with exactly one space,
which neither a browser's lines nor a text browser's have: at least
:data:`MIN_EDGES` lines, and :data:`MIN_EDGE_SHARE` of the page's lines or
:data:`MIN_EDGES_ALONE` of them (an article amid menus of hundreds of lines). On such a
page a line is continued by the next when it ends with exactly one space, or the
next begins with exactly one space or with punctuation that goes on (``,`` ``.``
``)`` ...), or the next goes on in lower case after a line that ends no sentence.

Predicting, first tests read what the features' line scan already found (the lines'
lengths, first letters and single-space edges: :func:`likely_wrapped`,
:func:`likely_cut`), so a page of neither kind costs nothing; only the pages they let
through get the full test.
"""

from __future__ import annotations

import re

import numpy as np

from bpclass.columns import PADDED

try:
    from bpclass import _speedups
except ImportError:  # pragma: no cover - exercised where the extension is not built
    _speedups = None

# The widths looked for, and how close below the width the lines of a wrapped page end.
MIN_WIDTH, MAX_WIDTH = 50, 200
NEAR = 10
# A broken line ends at least this close to the width (a long word may leave it
# shorter: then it is not joined).
FILLED = 20
# How many breaks make a page wrapped, and which share of its lines longer than half
# the width they must be.
MIN_BREAKS = 5
MIN_BREAK_SHARE = 0.1
# The share of the breaks before a cased letter that must go on in lower case.
MIN_LOWER_SHARE = 0.4

# How many lines, and which share of the page's lines, begin or end with exactly one
# space on a page cut at every inline element.
MIN_EDGES = 5
MIN_EDGE_SHARE = 0.1
# ... or at least this many, whatever their share (a page whose menus far outnumber
# its article's pieces). daniel cross-validated by site in BeautifulSoup's layout:
# 0.917 -> 0.920 (Russian 0.831 -> 0.846) with 30; 15 lost Greek 0.007, 50 kept less
# (docs/experiments.md, 2026-12-07).
MIN_EDGES_ALONE = 30
# A cut page's runs: fewer joins than this and the page is read as it is.
MIN_JOINS = 3
# Two lines of at most TINY_PIECE characters are not joined for the second going on in
# lower case: a hidden form's transliteration key ("a", "b", "v", "jo", "zh"), read as
# one line, looked like prose to the model (aif.ua in BeautifulSoup's layout).
TINY_PIECE = 2

# The share of runs of wrapped lines that a blank line must follow for a filled line
# ending a sentence to be wrapping too.
MIN_BLANK_AFTER = 0.8

# The columns of line_shapes.
LENGTH, FIRST_WORD, LOWER, UPPER, SENTENCE_END = range(5)
_SENTENCE_END = frozenset(".!?:;\"')\u00bb\u201d")
_GOES_ON = re.compile(r"[,.;:!?)\]\u00bb\u201d\u2019]")
_ONE_SPACE_FIRST = re.compile(r" \S")
_ONE_SPACE_LAST = re.compile(r"\S $")
_NEW_BLOCK = re.compile(r"(?:[*+\-•·]|\d{1,9}[.)]|#{1,6}|>)(?:\s|$)")
# A quoted line's marks: html2text and mail quote a wrapped paragraph on every line
# ("> read Bill Manhire's piece and agreed with much it said and the").
_QUOTE = re.compile(r"[^\S\n]*(?:>[^\S\n]?)+")
# The first characters (after white space) of a line _NEW_BLOCK may match, or a digit.
_BLOCK_FIRST = frozenset("*+-•·#>")


def line_shapes(pages: list[list[str]]) -> np.ndarray:
    """For each line of the pages (page after page), a row of five numbers: its length
    without trailing white space, the length of its first word, whether its first
    character is lower case, whether upper case, and whether its last character may
    end a sentence; a blank line's row is all 0."""
    out = np.zeros((sum(map(len, pages)), 5))
    if _speedups is not None:
        _speedups.line_shapes(pages, out)
        return out
    k = 0
    for page in pages:
        for line in page:
            text = line.rstrip()
            stripped = text.lstrip()
            if stripped:
                first = stripped[0]
                out[k] = (len(text), len(stripped.split(None, 1)[0]), first.islower(), first.isupper(),
                          text[-1] in _SENTENCE_END)  # fmt: skip
            k += 1
    return out


def wrapped_runs(page: list[str]) -> np.ndarray | None:
    """None when the page is not wrapped; else, for each of its lines, the number of
    the joined line it belongs to (see :func:`joined_lines`)."""
    return _page_runs(page, line_shapes([page])) if len(page) > MIN_BREAKS else None


def likely_wrapped(
    log_chars: np.ndarray, lower: np.ndarray, ends: np.ndarray, row_line: np.ndarray, row_page: np.ndarray, n_pages: int
) -> np.ndarray:
    """The pages of a batch worth the full test of :func:`wrapped_runs`, from numbers
    the features already hold for each non-blank line (row): log(1 + its characters,
    stripped), whether its first letter is lower case, whether it ends with a
    sentence's punctuation, its line number in the batch and its page. A page gets
    this far when it has a width and :data:`MIN_BREAKS` lines ending near it, mid
    sentence, that the line right below goes on from in lower case."""
    # Rows whose next row is the next line and goes on in lower case, mid sentence:
    # few on a page that is not wrapped, so the rest looks at few rows.
    goes_on = np.flatnonzero((lower[1:] > 0) & (ends[:-1] == 0) & (row_line[1:] == row_line[:-1] + 1))
    goes_on = goes_on[row_page[goes_on] == row_page[goes_on + 1]]
    if len(goes_on) < MIN_BREAKS:
        return np.zeros(0, dtype=np.int64)
    lengths = np.rint(np.expm1(log_chars[goes_on])).astype(np.int64)
    keep = (lengths >= MIN_WIDTH - FILLED) & (lengths <= MAX_WIDTH)
    goes_on, lengths = goes_on[keep], lengths[keep]
    pages = np.flatnonzero(np.bincount(row_page[goes_on], minlength=n_pages) >= MIN_BREAKS)
    if not len(pages):
        return pages
    mine = np.flatnonzero(np.isin(row_page, pages))  # the rows of those pages
    all_lengths = np.rint(np.expm1(log_chars[mine])).astype(np.int64)
    page_of = np.searchsorted(pages, row_page[mine])
    width, has_width = _widths(all_lengths, page_of, len(pages))
    keep = np.isin(row_page[goes_on], pages)
    goes_on, lengths = goes_on[keep], lengths[keep]
    at = np.searchsorted(pages, row_page[goes_on])
    near = (lengths >= width[at] - FILLED) & (lengths <= width[at])
    count = np.bincount(at[near], minlength=len(pages))
    return pages[has_width & (count >= MIN_BREAKS)]


def _widths(lengths: np.ndarray, page_of: np.ndarray, n_pages: int) -> tuple[np.ndarray, np.ndarray]:
    """Each page's width (see the module's docstring) and whether it has one, from
    the lengths of its non-blank lines."""
    size = MAX_WIDTH + NEAR + 2
    counts = np.bincount(page_of * size + np.minimum(lengths, size - 1), minlength=n_pages * size)
    sums = np.zeros((n_pages, size + 1))
    np.cumsum(counts.reshape(n_pages, size), axis=1, out=sums[:, 1:])
    widths = np.arange(MIN_WIDTH, MAX_WIDTH + 1)
    near = sums[:, widths + 1] - sums[:, widths + 1 - NEAR]  # lengths in (w - NEAR, w]
    over = sums[:, widths + 1 + NEAR] - sums[:, widths + 1]  # lengths in (w, w + NEAR]
    score = near - 4 * over
    best = np.argmax(score, axis=1)
    rows = np.arange(n_pages)
    return widths[best], (near[rows, best] >= MIN_BREAKS) & (score[rows, best] > 0)


def _breaks(shapes: np.ndarray, width: float) -> np.ndarray:
    """Which lines of a page (rows of ``shapes``) are wrapping breaks at ``width`` as
    far as the lengths tell: filled, and the next line's first word would not have
    fitted (not the list, heading and quote marks, nor the sentences: see
    :func:`_ends_sentence`)."""
    n = shapes[:, LENGTH]
    after = np.zeros_like(shapes)  # the next line's shape; the last line has none (length 0)
    after[:-1] = shapes[1:]
    return (after[:, LENGTH] > 0) & (n >= width - FILLED) & (n <= width) & (n + 1 + after[:, FIRST_WORD] > width)


def _ends_sentence(shapes: np.ndarray) -> np.ndarray:
    """Which lines of a page end a sentence before a line that begins with a capital
    (a paragraph may end there)."""
    out = np.zeros(len(shapes), dtype=bool)
    out[:-1] = (shapes[:-1, SENTENCE_END] > 0) & (shapes[1:, UPPER] > 0)
    return out


def _runs(joins: np.ndarray) -> np.ndarray:
    """For each line, the number of its joined line, from ``joins`` (line i+1 goes on
    from line i): a line starts a new joined line unless the line before joins it."""
    new = np.ones(len(joins), dtype=np.int64)
    new[1:] = ~joins[:-1]
    return np.cumsum(new) - 1


def _quoted(page: list[str], shapes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shapes of a page's lines read after their quote marks (a quoted line's
    first word and case are its text's; a bare ">" is a blank line), and each line's
    quote depth (0: not quoted)."""
    depth = np.zeros(len(page), dtype=np.int64)
    if not any(line.lstrip().startswith(">") for line in page):
        return shapes, depth
    shapes = shapes.copy()
    for i, line in enumerate(page):
        mark = _QUOTE.match(line)
        if mark is None:
            continue
        depth[i] = mark.group().count(">")
        text = line[mark.end() :].strip()
        if text:
            shapes[i, FIRST_WORD] = len(text.split(None, 1)[0])
            shapes[i, LOWER], shapes[i, UPPER] = text[0].islower(), text[0].isupper()
        else:
            shapes[i] = 0
    return shapes, depth


def _starts_block(page: list[str], depth: np.ndarray, i: int) -> bool:
    """Does line ``i``'s text (after its quote marks) start a list item, a heading or
    a quote?"""
    text = page[i].lstrip()
    first = text[:1]
    if not first or not (first in _BLOCK_FIRST or first.isdigit()):  # nothing _NEW_BLOCK may match
        return False
    mark = _QUOTE.match(page[i]) if depth[i] else None
    return bool(_NEW_BLOCK.match(page[i][mark.end() :] if mark else text))


def _opens_block(page: list[str], depth: np.ndarray, i: int) -> bool:
    """Does line ``i`` start a block, or a quote's depth change, rather than go on
    from the line above?"""
    return bool(i and depth[i] != depth[i - 1]) or _starts_block(page, depth, i)


def _break_width(page: list[str], shapes: np.ndarray, depth: np.ndarray, ends: np.ndarray) -> tuple[int, int]:
    """The width at which the most lines of a page would be wrapping breaks (see
    :func:`_breaks`), and how many: a line of n characters whose next line goes on
    with a first word of f characters is a break at every width from n to n + f (at
    most n + :data:`FILLED`); ``ends``: :func:`_ends_sentence` of the page."""
    lengths = shapes[:, LENGTH].astype(np.int64)
    low = lengths[:-1]
    high = np.minimum(low + shapes[1:, FIRST_WORD].astype(np.int64), low + FILLED)
    may = (low > 0) & (lengths[1:] > 0) & (high >= MIN_WIDTH) & (low <= MAX_WIDTH) & ~ends[:-1]
    rows = [i for i in np.flatnonzero(may).tolist() if not _opens_block(page, depth, i + 1)]
    if not rows:
        return MIN_WIDTH, 0
    starts = np.zeros(MAX_WIDTH + FILLED + 2, dtype=np.int64)
    np.add.at(starts, low[rows], 1)
    np.add.at(starts, high[rows] + 1, -1)
    counts = np.cumsum(starts)[MIN_WIDTH : MAX_WIDTH + 1]
    best = int(np.argmax(counts))
    return MIN_WIDTH + best, int(counts[best])


def _page_runs(page: list[str], shapes: np.ndarray) -> np.ndarray | None:
    """The runs of one page (see :func:`wrapped_runs`), or None."""
    shapes, depth = _quoted(page, shapes)
    lengths = shapes[:, LENGTH].astype(np.int64)
    ends = _ends_sentence(shapes)
    width, found = _break_width(page, shapes, depth, ends)
    if found < MIN_BREAKS:
        return None
    filled = _breaks(shapes, float(width))
    for i in np.flatnonzero(filled).tolist():
        if _opens_block(page, depth, i + 1):
            filled[i] = False
    breaks = filled & ~ends
    # Lines long enough to be a paragraph's pieces; a menu of links is not.
    half = sum(1 for i in np.flatnonzero(lengths > width / 2).tolist() if not _starts_block(page, depth, i))
    count = int(breaks.sum())
    if count < MIN_BREAKS or count < MIN_BREAK_SHARE * half:
        return None
    following = np.flatnonzero(breaks) + 1
    lower = int((shapes[following, LOWER] > 0).sum())
    cased = lower + int((shapes[following, UPPER] > 0).sum())
    if lower < MIN_BREAKS or lower < MIN_LOWER_SHARE * cased:
        return None
    # A line going on in lower case after one that ends no sentence continues it, and
    # so does a line that leaves a bracket open (a Markdown link wrapped mid-way:
    # "When I arrived at The [Oberoi" / "Grand](http://www.oberoihotels.com/...)").
    goes_on = np.zeros(len(page), dtype=bool)
    goes_on[:-1] = (
        (lengths[:-1] > 0) & (shapes[:-1, SENTENCE_END] == 0) & (shapes[1:, LOWER] > 0) & (depth[:-1] == depth[1:])
    )
    for i in range(len(page) - 1):
        if lengths[i + 1] > 0 and _leaves_open(page[i]):
            goes_on[i] = True
    joins = breaks | goes_on
    # Where a blank line ends nearly every paragraph, a filled line that ends a sentence
    # before a capital is wrapping too ("...can differ among index funds." / "For
    # example, ..."): a paragraph ends only at a blank line.
    last = np.flatnonzero(joins[:-1] & ~joins[1:]) + 1  # the last lines of runs of two or more
    if len(last) >= MIN_BREAKS:
        after = last + 1
        blank = (after >= len(page)) | (lengths[np.minimum(after, len(page) - 1)] == 0)
        if blank.mean() >= MIN_BLANK_AFTER:
            joins |= filled
    return _runs(joins)


def _leaves_open(line: str) -> bool:
    """Does the line open a bracket it does not close ("[", or the "](" of a link)?"""
    if "[" not in line and "(" not in line:
        return False
    return line.rfind("[") > line.rfind("]") or line.rfind("](") > line.rfind(")")


def merged_runs(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The runs of a page whose lines go on where either of two readings of it joins
    them (wrapped at a width, and cut at every inline element)."""
    joins = np.zeros(len(first), dtype=bool)
    joins[:-1] = (first[1:] == first[:-1]) | (second[1:] == second[:-1])
    return _runs(joins)


def joined_lines(page: list[str], runs: np.ndarray) -> list[str]:
    """The page with each run of wrapped lines joined into one line (by one space); a
    quoted run's lines after its first lose their quote marks."""
    out: list[list[str]] = [[] for _ in range(int(runs[-1]) + 1)] if len(runs) else []
    for line, run in zip(page, runs.tolist()):
        if not out[run]:
            out[run].append(line.rstrip())
            continue
        text = line.strip()
        if text.startswith(">") and out[run][0].lstrip().startswith(">"):
            text = text[_QUOTE.match(text).end() :]
        out[run].append(text)
    return [" ".join(parts) for parts in out]


def likely_cut(edges: np.ndarray, row_page: np.ndarray, n_pages: int) -> np.ndarray:
    """The pages of a batch that may be cut at every inline element, from each
    non-blank line's single-space edges (``edges`` of
    :func:`bpclass.features.features_and_comment_rows`) and its page."""
    spaced = np.bincount(row_page[np.fmod(edges, PADDED) > 0], minlength=n_pages)  # the padded flag aside
    lines = np.bincount(row_page, minlength=n_pages)
    return np.flatnonzero((spaced >= MIN_EDGES) & ((spaced >= MIN_EDGE_SHARE * lines) | (spaced >= MIN_EDGES_ALONE)))


def cut_runs(page: list[str]) -> np.ndarray | None:
    """For a page cut at every inline element, the number of the joined line each of
    its lines belongs to (see :func:`joined_lines`); None when the page is not cut
    (too few lines with single-space edges, or fewer than :data:`MIN_JOINS` joins)."""
    filled = [line for line in page if line.strip()]
    spaced = sum(1 for line in filled if _ONE_SPACE_FIRST.match(line) or _ONE_SPACE_LAST.search(line))
    if spaced < MIN_EDGES or (spaced < MIN_EDGE_SHARE * len(filled) and spaced < MIN_EDGES_ALONE):
        return None
    joins = np.zeros(len(page), dtype=bool)  # joins[i]: line i+1 goes on from line i
    for i in range(len(page) - 1):
        line, following = page[i], page[i + 1]
        if not line.strip() or not following.strip():
            continue
        start = following.lstrip()
        joins[i] = bool(
            _ONE_SPACE_LAST.search(line)
            or _ONE_SPACE_FIRST.match(following)
            or _GOES_ON.match(start)
            or (
                start[0].islower()
                and line.rstrip()[-1] not in _SENTENCE_END
                and (len(start.rstrip()) > TINY_PIECE or len(line.strip()) > TINY_PIECE)
            )
        )
    if joins.sum() < MIN_JOINS:
        return None
    return _runs(joins)
