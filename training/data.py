"""Read the prepared pages (see ``training.prepare``) back for training and evaluation."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

from bpclass.features import LINE_FEATURES, line_features
from training.prepare import DEFAULT_OUT

LINE_FEATURES_INDEX = {name: k for k, name in enumerate(LINE_FEATURES)}

# Sets the bundled model learns from: the two whose licences allow sharing a model
# derived from them (CC-BY-4.0 and Apache-2.0), and which hold the most varied pages.
TRAIN_SETS = {
    "wcxb_dev": "CC-BY-4.0",
    "newspaper4k_aed": "Apache-2.0",
}
# Never trained or tuned on.
TEST_ONLY_SETS = ("scrapinghub_aeb",)
# Pages whose aligned labels reproduce the gold text worse than this are not trained on.
MIN_LABELER_F1 = 0.9
# Some gold texts skip part of the article (a paywall, a truncated copy): long prose
# lines then sit, labeled boilerplate, between content lines. A page with this many
# is not trained on. Chosen on the validation split (3: +0.001, 6: +0.005, off: 0).
MAX_SKIPPED_PROSE = 6
SKIPPED_PROSE_MIN_WORDS = 25


def skipped_prose_lines(page: dict) -> int:
    """Long sentence-ending lines labeled 0 between the page's first and last content lines."""
    labels = page["labels"]
    content = [i for i, y in enumerate(labels) if y == 1]
    if len(content) < 2:
        return 0
    words, terminal = LINE_FEATURES_INDEX["log_words"], LINE_FEATURES_INDEX["ends_terminal"]
    count = 0
    for i in range(content[0] + 1, content[-1]):
        if labels[i] == 0:
            row = line_features(page["lines"][i])
            count += row[words] >= math.log1p(SKIPPED_PROSE_MIN_WORDS) and row[terminal] > 0
    return count


def load_prepared(name: str, prepared: Path = DEFAULT_OUT) -> list[dict]:
    path = Path(prepared) / f"{name}.jsonl.gz"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `python -m training.prepare` first.")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [{**json.loads(line), "set": name} for line in fh]


def training_pages(prepared: Path = DEFAULT_OUT, sets=tuple(TRAIN_SETS)) -> list[dict]:
    """Train-split pages of the training sets whose labels are trustworthy."""
    pages = []
    for name in sets:
        if name in TEST_ONLY_SETS:
            raise ValueError(f"{name} is test-only: never train on it.")
        pages += [
            p
            for p in load_prepared(name, prepared)
            if p["split"] == "train"
            and p["gold"] is not None
            and p["labeler_f1"] >= MIN_LABELER_F1
            and skipped_prose_lines(p) < MAX_SKIPPED_PROSE
        ]
    return pages


def evaluation_pages(name: str, prepared: Path = DEFAULT_OUT, trained_on=tuple(TRAIN_SETS)) -> list[dict]:
    """Held-out pages of a set: its test split if we train on it, else all of it."""
    pages = load_prepared(name, prepared)
    if name in trained_on:
        pages = [p for p in pages if p["split"] == "test"]
    return pages


def without_blank_lines(page: dict) -> dict:
    """The page as a scraper that drops empty lines gives it; labels stay in step."""
    keep = [i for i, line in enumerate(page["lines"]) if line.strip()]
    return {**page, "lines": [page["lines"][i] for i in keep], "labels": [page["labels"][i] for i in keep]}


def content_span(page: dict) -> dict:
    """The page cut to run from its first to its last content line, as a scraper that
    takes the article's container gives it (unchanged when no line is content)."""
    content = [i for i, y in enumerate(page["labels"]) if y == 1]
    if not content:
        return page
    first, last = content[0], content[-1] + 1
    return {**page, "lines": page["lines"][first:last], "labels": page["labels"][first:last]}
