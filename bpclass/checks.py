"""Checks of what callers hand to fit and predict: pages, labels, groups and the
model's numeric settings. Each raises TypeError or ValueError with a message that
says what was expected; nothing here computes a feature."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from bpclass import features as _features

DEFAULT_THRESHOLD = 0.5
# How much each labeled line counts in training (BoilerplateClassifier(line_weight=...)).
LINE_WEIGHTS = ("words", "uniform")


def check_pages(pages) -> list[list[str]]:
    """Validate the pages argument; return it as a list of lists of str."""
    if isinstance(pages, (str, bytes)):
        raise TypeError(
            "pages must be a list of pages, each a list of lines (str); got a single "
            f"{type(pages).__name__}. For one page of text use [text.splitlines()] or bpclass.clean(text)."
        )
    if not isinstance(pages, Sequence):
        raise TypeError(f"pages must be a list of pages, each a list of lines (str); got {type(pages).__name__}.")
    checked = []
    for p, page in enumerate(pages):
        if isinstance(page, (str, bytes)) or not isinstance(page, Sequence):
            raise TypeError(
                f"page {p} must be a list of lines (str); got {type(page).__name__}. "
                "Wrap a single page in a list: predict([lines])."
            )
        page = page if type(page) is list else list(page)
        # The compiled scan checks each line itself, with the same message.
        if _features._speedups is None and not set(map(type, page)) <= {str}:  # subclasses of str and other types below
            for i, line in enumerate(page):
                if not isinstance(line, str):
                    raise TypeError(f"page {p}, line {i} must be a str; got {type(line).__name__}.")
        checked.append(page)
    return checked


_LABEL_CODES = {None: -1, 0: 0, 1: 1}


def check_labels(pages: list[list[str]], labels) -> list[np.ndarray]:
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
        raise TypeError("labels must be a list with one sequence of 0/1 labels per page.")
    if len(labels) != len(pages):
        raise ValueError(f"got {len(pages)} pages but {len(labels)} label sequences.")
    out = []
    for p, (page, page_labels) in enumerate(zip(pages, labels)):
        if len(page_labels) != len(page):
            raise ValueError(f"page {p} has {len(page)} lines but {len(page_labels)} labels.")
        try:  # -1 for None (not trained on); True and 1.0 count as 1
            row = np.fromiter(map(_LABEL_CODES.__getitem__, page_labels), dtype=np.int64, count=len(page))
        except (KeyError, TypeError):
            for i, label in enumerate(page_labels):
                if label is not None and not (isinstance(label, Hashable) and label in _LABEL_CODES):
                    raise ValueError(f"page {p}, line {i}: label must be 0 or 1 (or None); got {label!r}.") from None
            raise
        out.append(row)
    return out


def group_names(groups, n_pages: int) -> list[str]:
    """The checked ``groups`` of ``fit`` (one per page; None: each page its own) as
    one name per page, equal for the pages of a group."""
    if groups is None:
        groups = range(n_pages)
    elif isinstance(groups, np.ndarray):
        groups = groups.tolist()
    if isinstance(groups, (str, bytes)) or not isinstance(groups, Sequence):
        raise TypeError(f"groups must be a list with one group per page, not {type(groups).__name__}.")
    elif len(groups) != n_pages:
        raise ValueError(f"{n_pages} pages but {len(groups)} groups.")
    for k, group in enumerate(groups):
        if not isinstance(group, Hashable):
            raise TypeError(f"group {k} must be hashable (a str or int), not {type(group).__name__}.")
    return [repr(group) for group in groups]


def _check_share(value, what: str) -> None:
    """Raise ValueError unless ``value`` is a number between 0 and 1 (``what`` names it)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{what} must be a number between 0 and 1; got {value!r}.")


def check_first_pass_weight(weight) -> None:
    """Raise ValueError unless ``weight`` is a number between 0 and 1."""
    _check_share(weight, "first_pass_weight")


def check_markup_text_weight(weight) -> None:
    """Raise ValueError unless ``weight`` is a number between 0 and 1."""
    _check_share(weight, "markup_text_weight")


def check_threshold(threshold) -> None:
    """Raise ValueError unless ``threshold`` is a number between 0 and 1."""
    _check_share(threshold, "threshold")


def check_line_weight(how) -> None:
    """Raise ValueError unless ``how`` is one of LINE_WEIGHTS."""
    if how not in LINE_WEIGHTS:
        raise ValueError(f"line_weight must be one of {LINE_WEIGHTS}; got {how!r}.")


def check_flag(value, name: str) -> None:
    """Raise TypeError unless ``value`` (the parameter ``name``) is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, not {value!r}.")
