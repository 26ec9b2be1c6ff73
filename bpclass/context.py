"""The second pass: columns that read the first pass's probabilities around a line.

The first forest labels each line from its own features and a fixed window of its
neighbours' features. The second forest sees those features again plus what the
first forest thought of the lines around it: the neighbours' probabilities, the
mean probability over wider windows and over the page, the page's most confident
line, and how much of the page's likely content text lies above the line. A short
line between two confident prose lines can then be kept, and a lone prose-like line
inside a run of boilerplate dropped (the idea of jusText's context revision, learned
instead of written as rules).

A line's columns depend only on its own page, whatever the batch (the neighbour
and window columns are filled as the features' are, by
:func:`bpclass.features._fill_context`).
"""

from __future__ import annotations

import numpy as np

from bpclass.features import FEATURE_INDEX, FEATURE_NAMES, _fill_context, _page_mean, _sums_before

# Offsets of the neighbours whose probability is a column (outside the page: -1).
NEIGHBOURS = (-2, -1, 1, 2)
# Half-widths of the windows (in non-blank lines, clipped at the page's ends) whose
# mean probability is a column.
WINDOWS = (3, 10, 30)
# For the share of the text above a line, probabilities are rounded to this many
# steps, so that the weights are whole numbers and add exactly in any order.
_STEPS = 65536.0

CONTEXT_DESCRIPTIONS = {
    "first_pass": "the first pass's probability that the line is content",
    **{
        f"first_pass_{'prev' if k < 0 else 'next'}_{abs(k)}": (
            f"the first pass's probability of the non-blank line {abs(k)} {'above' if k < 0 else 'below'} (-1: none)"
        )
        for k in NEIGHBOURS
    },
    **{f"first_pass_window_{r}": f"mean first-pass probability of the lines within {r} of the line" for r in WINDOWS},
    "first_pass_page_mean": "mean first-pass probability over the page",
    "first_pass_page_max": "highest first-pass probability on the page",
    "first_pass_text_before": ("share of the page's probability-weighted characters above the line's middle"),
}
CONTEXT_FEATURE_NAMES = tuple(CONTEXT_DESCRIPTIONS)

# The second pass's output may only rise with these columns (a monotonic constraint
# on its trees). Unconstrained, it learned from a few training pages whose gold text
# stops early (a live blog's summary, a truncated copy) that the surest prose of a
# long page is boilerplate: on one held-out news page it turned first-pass 0.98 into
# 0.27 and dropped 426 body lines. Cross-validated by site (docs/experiments.md, "Second pass"):
# mean 0.8505 / 0.8504 -> 0.8511 / 0.8506 (two seeds); the neighbours' and windows'
# columns as well: 0.8513 / 0.8501.
RISING_CONTEXT = ("first_pass",)


_N_FEATURES = len(FEATURE_NAMES)
_COLUMN = {name: _N_FEATURES + k for k, name in enumerate(CONTEXT_FEATURE_NAMES)}
_FIRST_PASS = np.array([_COLUMN["first_pass"]], np.int32)
_NEIGHBOUR_COLUMNS = np.array(
    [_COLUMN[f"first_pass_{'prev' if k < 0 else 'next'}_{abs(k)}"] for k in NEIGHBOURS], np.int32
)
_WINDOW_COLUMNS = np.array([_COLUMN[f"first_pass_window_{r}"] for r in WINDOWS], np.int32)


def add_context_columns(X: np.ndarray, proba: np.ndarray, per_page: np.ndarray) -> None:
    """Fill the second pass's columns of ``X`` in place.

    Parameters
    ----------
    X : ndarray of shape (n_rows, len(FEATURE_NAMES) + len(CONTEXT_FEATURE_NAMES))
        Feature rows, page after page (as :func:`bpclass.features.batch_features`
        gives them, with ``spare_columns=len(CONTEXT_FEATURE_NAMES)``); the last
        columns are overwritten.
    proba : ndarray of shape (n_rows,)
        The first pass's P(content) of each row.
    per_page : ndarray of int, shape (n_pages,)
        How many rows each page has.
    """
    proba = np.asarray(proba, dtype=np.float64)
    per_page = np.asarray(per_page, dtype=np.int64)
    n = len(proba)
    if X.ndim != 2 or X.shape[1] != _N_FEATURES + len(CONTEXT_FEATURE_NAMES):
        raise ValueError(f"X must have {_N_FEATURES + len(CONTEXT_FEATURE_NAMES)} columns, not {X.shape}.")
    if X.shape[0] != n or int(per_page.sum()) != n or (per_page < 0).any():
        raise ValueError(f"{n} probabilities for {X.shape[0]} rows in pages of {int(per_page.sum())} rows.")
    if n == 0:
        return
    bounds = np.concatenate([[0], np.cumsum(per_page)])
    row_page = np.repeat(np.arange(len(per_page)), per_page)
    rank = np.arange(n) - bounds[row_page]
    X[:, _COLUMN["first_pass"]] = proba
    _fill_context(
        X,
        bounds,
        rank,
        per_page[row_page],
        _FIRST_PASS,
        np.array(NEIGHBOURS, np.int32),
        _NEIGHBOUR_COLUMNS,
        _FIRST_PASS,
        np.array(WINDOWS, np.int32),
        _WINDOW_COLUMNS,
    )
    X[:, _COLUMN["first_pass_page_mean"]] = _page_mean(proba, row_page, per_page)
    filled = per_page > 0
    page_max = np.zeros(len(per_page))
    page_max[filled] = np.maximum.reduceat(proba, bounds[:-1][filled])
    X[:, _COLUMN["first_pass_page_max"]] = page_max[row_page]
    weight = np.rint(np.expm1(X[:, FEATURE_INDEX["log_chars"]])) * np.rint(proba * _STEPS)
    before, total = _sums_before(weight, row_page, bounds)
    X[:, _COLUMN["first_pass_text_before"]] = (before + weight / 2) / np.maximum(total, 1)


def context_features(proba: np.ndarray, X: np.ndarray, per_page: np.ndarray) -> np.ndarray:
    """The second pass's columns alone, for feature rows ``X`` (``len(FEATURE_NAMES)``
    columns) and their first-pass ``proba``: an array of shape
    ``(n_rows, len(CONTEXT_FEATURE_NAMES))`` (see :func:`add_context_columns`)."""
    wide = np.zeros((X.shape[0], _N_FEATURES + len(CONTEXT_FEATURE_NAMES)))
    wide[:, :_N_FEATURES] = X[:, :_N_FEATURES]
    add_context_columns(wide, proba, per_page)
    return wide[:, _N_FEATURES:]
