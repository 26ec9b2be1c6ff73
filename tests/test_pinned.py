"""Pinned predictions: the bundled model's P(content) of every line of the shipped
example pages and the seed page, and a small model fitted on the shipped labeled
pages, must stay exactly what tests/pinned/predictions.json records.

A refactor must not change a single bit of them. A change that means to (new
features, a retrained model) rewrites the file on purpose:

    BPCLASS_REPIN=1 python -m pytest tests/test_pinned.py

and the diff of tests/pinned/predictions.json shows what moved.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, SEED, fit_on_examples

import bpclass

PINNED = Path(__file__).parent / "pinned" / "predictions.json"
REPIN = bool(os.environ.get("BPCLASS_REPIN"))


def _example_pages() -> dict[str, list[str]]:
    pages = {
        path.stem: path.read_text(encoding="utf-8").splitlines() for path in sorted((DATA / "pages").glob("*.txt"))
    }
    if SEED.exists():
        pages["seed"] = json.loads(SEED.read_text(encoding="utf-8"))["lines"]
    return pages


def _predictions(example_pages) -> dict[str, list[float]]:
    """Every pinned array, by name (floats round-trip exactly through JSON)."""
    pages = _example_pages()
    names, lines = list(pages), list(pages.values())
    bundled = bpclass.load_model()
    out = {}
    for name, proba in zip(names, bundled.predict_proba(lines)):
        out[f"bundled/{name}"] = proba.tolist()
    # A copy keeps comments: the cached bundled model is never changed.
    with_comments = copy.copy(bundled).set_params(keep_comments=True)
    for name, proba in zip(names, with_comments.predict_proba(lines)):
        out[f"bundled, comments kept/{name}"] = proba.tolist()
    # The shipped pages as pages of one site: their shared lines are the template.
    for name, proba in zip(names, bundled.predict_proba(lines, sites=["one site"] * len(lines))):
        out[f"bundled, one site/{name}"] = proba.tolist()
    fitted = fit_on_examples(example_pages, lexicon=True)
    for name, proba in zip(names, fitted.predict_proba(lines)):
        out[f"fitted with a lexicon/{name}"] = proba.tolist()
    return out


def test_predictions_are_pinned(example_pages):
    got = _predictions(example_pages)
    if REPIN:
        PINNED.write_text(json.dumps(got, indent=0) + "\n", encoding="utf-8")
        pytest.skip(f"wrote {PINNED}")
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    missing = sorted(set(pinned) - set(got))
    if missing and not SEED.exists():  # without ../shared the seed page is not read
        assert all(name.endswith("/seed") for name in missing)
    else:
        assert not missing
    assert set(got) <= set(pinned), "a page without pinned predictions: repin on purpose"
    for name, proba in got.items():
        np.testing.assert_array_equal(np.array(proba), np.array(pinned[name]), err_msg=name)
