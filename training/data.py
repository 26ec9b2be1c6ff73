"""Read the prepared pages (see ``training.prepare``) back for training and evaluation."""

from __future__ import annotations

import gzip
import json
import math
import zlib
from pathlib import Path

import numpy as np

from bpclass.features import LINE_FEATURES, batch_features, line_features
from bpclass.policy import policy_boilerplate_rows
from training.prepare import DEFAULT_OUT

LINE_FEATURES_INDEX = {name: k for k, name in enumerate(LINE_FEATURES)}

# Sets the bundled model learns from: the two permissive sets (CC-BY-4.0 and
# Apache-2.0) with the most varied pages, and daniel (GPL-3.0), the one multilingual
# news set, which buys +0.10 to +0.25 bag F1 per non-English language on held-out
# sites (docs/experiments.md, 2026-12-06). ``train --permissive`` leaves it out.
TRAIN_SETS = {
    "wcxb_dev": "CC-BY-4.0",
    "newspaper4k_aed": "Apache-2.0",
    "daniel": "GPL-3.0",
}
# Licences that let users redistribute a model derived from the data as they like.
PERMISSIVE_LICENCES = ("CC-BY-4.0", "Apache-2.0", "MIT")
# The licence of each shared set (../shared/datasets/README.md): a model trained on a
# set records it, so that its users can decide.
SET_LICENCES = {
    "wcxb_dev": "CC-BY-4.0",
    "newspaper4k_aed": "Apache-2.0",
    "dragnet": "AGPL-3.0",
    "cleaneval": "research only",
    "cleanportaleval": "research only",
    "readability_testpages": "Apache-2.0",
    "krdwrd_canola": "CC-BY-SA-4.0",
    "htmltotext_leogao": "none stated",
    "trafilatura_eval": "Apache-2.0",
    "turku_text_quality": "none stated",
    "turku_wac12": "none stated",
    "daniel": "GPL-3.0",
    "scrapinghub_aeb": "MIT",
}
# Sets that come as text lines with a label each (1 keep, 0 noise, -1 unsure), not as
# HTML aligned with a gold text: their labels are taken as given (unsure lines are not
# scored), with no labeler check and no cropped, blank-free or content-span copies.
LINE_LABEL_SETS = ("turku_text_quality", "turku_wac12")
# Sets whose pages come with snippets that must be kept or dropped instead of a gold
# text: their lines holding a snippet are labeled, the rest not (training.prepare).
SNIPPET_SETS = ("trafilatura_eval",)
# Never trained or tuned on.
TEST_ONLY_SETS = ("scrapinghub_aeb",)
# Pages whose aligned labels reproduce the gold text worse than this are not trained on.
MIN_LABELER_F1 = 0.9
# Some gold texts skip part of the article (a paywall, a truncated copy): long prose
# lines then sit, labeled boilerplate, between content lines. A page with this many
# is not trained on. Chosen on the validation split (3: +0.001, 6: +0.005, off: 0).
MAX_SKIPPED_PROSE = 6
SKIPPED_PROSE_MIN_WORDS = 25


# Our label policy calls datelines, bylines and photo credits boilerplate; some gold
# texts keep them (``python -m training.experiments.label_policy``: wcxb_dev keeps about a fifth).
# In the training pages, the lines bpclass.policy picks out are labeled 0. The model
# then keeps under 2% of such lines on every set but turku_text_quality (7.5%; 4-62%
# before); the price against the sets' own gold texts is in docs/experiments.md ("One label
# policy").


def policy_boilerplate(pages: list[dict]) -> np.ndarray:
    """For every line of the pages (page after page): a short dateline, byline or credit."""
    X, non_blank = batch_features([p["lines"] for p in pages])
    out = np.zeros(len(non_blank), dtype=bool)
    out[non_blank] = policy_boilerplate_rows(X)
    return out


def with_policy_labels(pages: list[dict]) -> list[dict]:
    """The pages with their short datelines, bylines and credits labeled 0."""
    flags = policy_boilerplate(pages)
    out, at = [], 0
    for page in pages:
        mine = flags[at : at + len(page["lines"])].tolist()
        at += len(page["lines"])
        if page.get("labels") is None:  # a page with snippets only
            out.append(page)
            continue
        labels = [0 if flag and y == 1 else y for y, flag in zip(page["labels"], mine)]
        out.append({**page, "labels": labels})
    return out


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


def training_pages(prepared: Path = DEFAULT_OUT, sets=tuple(TRAIN_SETS), policy: bool = True, whole=()) -> list[dict]:
    """Train-split pages of the training sets whose labels are trustworthy, labeled
    by our policy (``policy=False``: as the gold texts have them); of the sets in
    ``whole``, every page, their test splits too."""
    pages = []
    for name in sets:
        if name in TEST_ONLY_SETS:
            raise ValueError(f"{name} is test-only: never train on it.")
        for p in load_prepared(name, prepared):
            if p["split"] != "train" and name not in whole:
                continue
            if name in SNIPPET_SETS:
                if any(y is not None for y in p["labels"]):
                    pages.append(p)
                continue
            if p["gold"] is None:
                continue
            if name in LINE_LABEL_SETS:
                pages.append({**p, "labels": [y if y in (0, 1) else None for y in p["labels"]]})
            elif p["labeler_f1"] >= MIN_LABELER_F1 and skipped_prose_lines(p) < MAX_SKIPPED_PROSE:
                pages.append(p)
    return with_policy_labels(pages) if policy else pages


def site_share(pages: list[dict], share: float) -> list[dict]:
    """The pages of a fixed share of their sites, picked by a hash of the site name, so
    a smaller share's sites are among a larger one's (for learning curves)."""
    if not 0 < share <= 1:
        raise ValueError(f"the share of sites must be in (0, 1], not {share}")
    cut = round(share * 1000)
    return [p for p in pages if zlib.crc32(f"c:{p['site']}".encode()) % 1000 < cut]


def laid_out(pages: list[dict]) -> list[dict]:
    """The pages laid out from HTML (not of LINE_LABEL_SETS): the ones shown again as
    cropped, blank-free and content-span copies."""
    return [p for p in pages if p["set"] not in LINE_LABEL_SETS]


def evaluation_pages(name: str, prepared: Path = DEFAULT_OUT, trained_on=tuple(TRAIN_SETS), whole=()) -> list[dict]:
    """Held-out pages of a set: none if the model trained on all of it (``whole``),
    its test split if on its train split (``trained_on``), else all of it."""
    if name in whole:
        return []
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


def laid_out_as(pages: list[dict], layout: str | None = None, blank_lines: bool = True) -> list[dict]:
    """The pages as the tool ``layout`` lays them out (leaving out those it has no
    lines of; ``None``: as they are), without their blank lines if ``blank_lines`` is
    false."""
    if layout is not None:
        pages = [p for p in (in_layout(p, layout) for p in pages) if p is not None]
    if not blank_lines:
        pages = [without_blank_lines(p) for p in pages]
    return pages


def in_layout(page: dict, key: str) -> dict | None:
    """The page as another tool lays it out (``training.layouts``: its own lines,
    labels and labeler F1), or None when ``training.prepare`` gave it no such layout."""
    other = (page.get("layouts") or {}).get(key)
    if other is None:
        return None
    return {**{k: v for k, v in page.items() if k != "layouts"}, **other}
