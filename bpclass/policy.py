"""The label policy's own line test: short datelines, bylines and photo credits.

Our policy (the seed page's) calls the headline and the body content, and datelines,
bylines and photo credits boilerplate, whatever a data set's gold text keeps. A line
of at most POLICY_MAX_WORDS words with a date, relative time or clock time, a byline
start or a caption cue, and no sentence end, is such a line. ``training/data.py``
labels these lines 0 in the training pages; the second pass (``bpclass.model``) may
not raise their probability above the first pass's (context says "inside the
article", the policy says "not article text").
"""

from __future__ import annotations

import math

import numpy as np

from bpclass.features import FEATURE_INDEX

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
