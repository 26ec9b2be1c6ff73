"""How good a page's cleaned text is likely to be: the bag F1 the model expects of it.

Each line's P(content) is read as the chance that it is content, and each line weighs
its characters (any script: no word splitting needed). Then the expected overlap of
the kept text with the content is the kept lines' P(content), weighted; the expected
content is every line's; and the confidence is the F1 of those two expectations, as
the token-bag F1 of :mod:`bpclass.metrics` scores the kept text against a gold text.
A page whose lines the model is sure of scores near 1 whatever it keeps; a page with
many lines near the threshold, or with little it is sure is content, scores low.

Nothing here is fitted: on held-out pages of the shared sets the confidence ranks pages
by their real bag F1 with a Spearman correlation of 0.72, and the tenth of pages with
the lowest confidence carries 36% of the loss (``python -m training.evaluate`` prints
both; docs/experiments.md, 2026-12-06). It runs a little high between 0.5 and 0.9.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def line_weights(lines: Sequence[str]) -> np.ndarray:
    """Each line's characters, without the spaces around it (0 for a blank line)."""
    return np.fromiter(map(len, map(str.strip, lines)), dtype=np.float64, count=len(lines))


def expected_bag_f1(
    lines: Sequence[str], proba: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None
) -> float:
    """The bag F1 that the model expects the kept lines (``labels`` 1) to score, given
    each line's P(content) ``proba``. When nothing is kept, the score is 1 if the page
    really has no content (two empty texts agree) and 0 otherwise: the confidence is
    then the chance that every non-blank line is boilerplate. ``weights``: the lines'
    :func:`line_weights`, when the caller has them."""
    if weights is None:
        weights = line_weights(lines)
    kept = np.asarray(labels, dtype=bool)
    expected_content = proba * weights
    overlap = float(expected_content[kept].sum())
    kept_chars = float(weights[kept].sum())
    content_chars = float(expected_content.sum())
    if kept_chars == 0:
        return float(np.prod(1.0 - proba[weights > 0]))
    return 2.0 * overlap / (kept_chars + content_chars)
