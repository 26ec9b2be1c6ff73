"""The label policy's own tests: short datelines, bylines and photo credits; comment sections.

Our policy (the seed page's) calls the headline and the body content, and datelines,
bylines and photo credits boilerplate, whatever a data set's gold text keeps. A line
of at most POLICY_MAX_WORDS words with a date, relative time or clock time, a byline
start or a caption cue, and no sentence end, is such a line. ``training/data.py``
labels these lines 0 in the training pages; the second pass (``bpclass.model``) may
not raise their probability above the first pass's (context says "inside the
article", the policy says "not article text").

Readers' comments are not the article either, but they read like it: sentences full
of function words, often longer than the article itself. A comment section is found
by its heading ("12 Comments", "Leave a Reply", "3 Responses to ...",
:data:`bpclass.patterns.COMMENT_HEADING`) below most of the page's likely content;
from the heading down, every line is boilerplate (:func:`drop_comment_sections`).
"""

from __future__ import annotations

import math

import numpy as np

from bpclass.features import FEATURE_INDEX
from bpclass.patterns import COMMENT_HEADING

POLICY_MAX_WORDS = 12
# Kind of line -> the feature columns of which at least one must be set.
POLICY_CUES = {
    "date": ("has_date", "has_relative_time", "has_time"),
    "byline": ("has_byline",),
    "caption": ("has_caption_cue",),
}
_CUE_COLUMNS = {kind: np.array([FEATURE_INDEX[name] for name in cues]) for kind, cues in POLICY_CUES.items()}


def policy_kinds(X: np.ndarray) -> dict[str, np.ndarray]:
    """For each feature row, per kind of line the policy makes boilerplate: is it one?"""
    short = X[:, FEATURE_INDEX["log_words"]] <= math.log1p(POLICY_MAX_WORDS)
    sentence = X[:, FEATURE_INDEX["ends_terminal"]] > 0  # "By then, it was over." is body text
    candidate = short & ~sentence
    return {kind: candidate & X[:, columns].any(axis=1) for kind, columns in _CUE_COLUMNS.items()}


def policy_boilerplate_rows(X: np.ndarray) -> np.ndarray:
    """For each feature row: is it a line of any of the policy's kinds?"""
    return np.logical_or.reduce(list(policy_kinds(X).values()))


# A comment heading is a short line ...
COMMENT_MAX_WORDS = 8
COMMENT_MAX_CHARS = 120
# ... with at least this share of the page's likely content text above it (the
# characters of lines with P(content) >= COMMENT_LIKELY), and at least
# COMMENT_MIN_CHARS_ABOVE such characters: "12 comments" under a headline is a link,
# not the start of the thread. (Weighting every line by its probability instead lets
# a long menu of 0.2s outweigh the article below a "Comments" link.)
COMMENT_LIKELY = 0.5
COMMENT_MIN_SHARE_ABOVE = 0.3
COMMENT_MIN_CHARS_ABOVE = 300
# A page with more heading-like lines than this is a listing ("2 comments" under every
# item), not an article with a thread below it.
COMMENT_MAX_HEADINGS = 3


def comment_section_start(lines: list[str], proba: np.ndarray) -> int | None:
    """Index of the line that heads the page's comment section, or ``None``.

    ``proba`` is P(content) of each line (blank lines 0). The heading is the first
    short line matching :data:`~bpclass.patterns.COMMENT_HEADING` with enough likely
    content above it (see the constants above), on a page with at most
    :data:`COMMENT_MAX_HEADINGS` such lines.
    """
    # One scan of the page: long lines and lines holding a newline cannot be headings
    # and are left out (as empty lines, so that line k stays line k).
    short = [line if len(line) <= COMMENT_MAX_CHARS and "\n" not in line else "" for line in lines]
    text = "\n".join(short)
    starts = [m.start() for m in COMMENT_HEADING.finditer(text)]
    if not starts:
        return None
    offsets = np.cumsum([0] + [len(line) + 1 for line in short])
    headings = [
        k for k in np.searchsorted(offsets, starts, side="right") - 1 if len(short[k].split()) <= COMMENT_MAX_WORDS
    ]
    if not headings or len(headings) > COMMENT_MAX_HEADINGS:
        return None
    likely = np.array([len(line) for line in lines], dtype=np.float64) * (np.asarray(proba) >= COMMENT_LIKELY)
    above = np.concatenate([[0.0], np.cumsum(likely)])
    for k in headings:
        if above[k] >= COMMENT_MIN_CHARS_ABOVE and above[k] >= COMMENT_MIN_SHARE_ABOVE * above[-1]:
            return int(k)
    return None


def drop_comment_sections(pages: list[list[str]], probas: list[np.ndarray]) -> None:
    """Set P(content) to 0, in place, from each page's comment heading down
    (:func:`comment_section_start`); pages without one are left as they are."""
    for lines, proba in zip(pages, probas):
        start = comment_section_start(lines, proba)
        if start is not None:
            proba[start:] = 0.0
