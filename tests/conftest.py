"""Shared fixtures: paths to the repo's example data and to ../shared (optional)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# training/ is not part of the installed package; appended (not prepended) so that
# the installed bpclass, not the source tree, is what the tests import.
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_0fe282cf5dec94e8.labeled.json"
DATASETS = SHARED / "datasets"
# The columns of a row made from a crawl file's page, in order.
CRAWL_COLUMNS = ("url", "warc_record_id", "warc_date", "language", "text", "lines_kept", "lines_total", "confidence")

needs_shared = pytest.mark.skipif(
    not SEED.exists() or not DATASETS.is_dir(),
    reason=f"needs the shared data folder at {SHARED} (seed page and public data sets); CI always has it",
)


@pytest.fixture(scope="session")
def example_pages():
    import bpclass

    return bpclass.read_labeled_pages(DATA / "labeled")


def fit_on_examples(example_pages, **params):
    """A model trained in a second on the shipped example pages (``params``: more
    BoilerplateClassifier parameters)."""
    import bpclass

    pages = example_pages * 3
    model = bpclass.BoilerplateClassifier(
        estimator=bpclass.LineClassifier(max_iter=20, min_samples_leaf=2, random_state=0), **params
    )
    return model.fit([p.lines for p in pages], [p.labels for p in pages])


@pytest.fixture(scope="session")
def small_model(example_pages):
    """A model trained in a second on the shipped example pages."""
    return fit_on_examples(example_pages)


def line_accuracy(model, pages) -> tuple[int, int]:
    """(lines labeled right, labeled lines) of a model on LabeledPages."""
    right = total = 0
    for page, predicted in zip(pages, model.predict([p.lines for p in pages])):
        for y, label in zip(page.labels, predicted):
            if y is not None:
                total += 1
                right += int(y == label)
    return right, total


def rewrite_model_file(src, dst, change_meta=None, change_arrays=None):
    """Copy a model file, changing its metadata and/or arrays on the way (for tests of bad files)."""
    import json

    import numpy as np

    with np.load(src, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(arrays.pop("metadata").tobytes())
    if change_meta:
        change_meta(meta)
    if change_arrays:
        change_arrays(arrays)
    arrays["metadata"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(dst, **arrays)


def interrupted_run(argv: list[str], monkeypatch, at_batch: int = 3) -> int:
    """The exit code of the CLI run ``argv``, interrupted (as by Ctrl-C) when corpus
    mode cleans its ``at_batch``-th batch."""
    from bpclass import corpus
    from bpclass.cli import main

    real = corpus.clean_batch
    calls = []

    def interrupted(batch, options, model=None):
        calls.append(1)
        if len(calls) == at_batch:
            raise KeyboardInterrupt
        return real(batch, options, model)

    monkeypatch.setattr(corpus, "clean_batch", interrupted)
    try:
        return main(argv)
    finally:
        monkeypatch.setattr(corpus, "clean_batch", real)
