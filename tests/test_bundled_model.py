"""The bundled model on pages it never trained on: the seed page and scrapinghub_aeb.

These read ../shared (the seed page and the public data sets) and skip without it.
The floors are set just under the bundled model's scores: a change that loses
accuracy fails here, and raising a floor is a deliberate edit.
"""

from __future__ import annotations

import gzip
import itertools
import json
import statistics

import pytest
from conftest import DATASETS, SEED, line_accuracy, needs_shared

import bpclass

# scrapinghub_aeb: mean token-bag F1 of the kept text against the gold article body.
# A guard against a broken model (features out of step, a bad file), set about 1.5
# points under the bundled model's 0.893 of the time (now 0.914; its standard error
# over 181 pages is about 0.01).
# Changes are chosen on validation data, never on this set: the training copies
# without blank lines and cut to the content span, and the threshold of 0.45, moved it
# from 0.898 to 0.888 while the pooled held-out score rose from 0.802 to 0.824; the
# page-relative columns brought it to 0.895, the one label policy to 0.893 (and
# weighting training lines by their words kept it there).
AEB_BAG_F1_FLOOR = 0.88
# The labeler: bag F1 of the lines labeled content against the gold text.
LABELER_F1_FLOOR = 0.97


@needs_shared
def test_seed_page_keeps_every_content_line():
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    predicted = bpclass.load_model().predict([seed["lines"]])[0]
    scored = [(y, int(p)) for y, p in zip(seed["labels"], predicted) if y is not None]
    assert len(scored) == 66
    content = [p for y, p in scored if y == 1]
    assert len(content) == 10 and all(content), "every headline and body line must be kept"
    right = sum(y == p for y, p in scored)
    assert right == 66, f"{right}/66 lines right"


def _records(name, limit=None):
    with gzip.open(DATASETS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in itertools.islice(fh, limit):
            yield json.loads(line)


@needs_shared
def test_scrapinghub_aeb_floor():
    pytest.importorskip("lxml")
    from training.prepare import prepare_record
    from training.textmetrics import bag_f1

    pages = [p for p in map(prepare_record, _records("scrapinghub_aeb")) if p]
    assert len(pages) > 150
    model = bpclass.load_model()
    predicted = model.predict([p["lines"] for p in pages])
    scores = [
        bag_f1("\n".join(line for line, y in zip(p["lines"], labels) if y), p["gold"])[2]
        for p, labels in zip(pages, predicted)
    ]
    assert statistics.mean(scores) >= AEB_BAG_F1_FLOOR


@needs_shared
def test_labeler_reproduces_the_gold_text():
    pytest.importorskip("lxml")
    from training.prepare import prepare_record

    pages = [p for p in map(prepare_record, _records("newspaper4k_aed", 100)) if p]
    assert statistics.mean(p["labeler_f1"] for p in pages) >= LABELER_F1_FLOOR


def test_shipped_examples(example_pages):
    # Pages we wrote (Indonesian, English, German); never trained on.
    right, total = line_accuracy(bpclass.load_model(), example_pages)
    assert right / total >= 0.9, f"{right}/{total}"


def test_word_weights_cover_english_pages_only(example_pages):
    # The bundled model's word weights were learned from English pages: the English
    # examples are read with them, the Indonesian and German ones by the forests
    # fitted without them (as a model without word weights reads them).
    from bpclass.features import FEATURE_INDEX, batch_features

    model = bpclass.load_model()
    for page in example_pages:
        X, _ = batch_features([page.lines], lexicon=model.lexicon_)
        covered = bool(X[0, FEATURE_INDEX["lexicon_coverage"]] > 0)
        assert covered == page.id.startswith("en_"), page.id
