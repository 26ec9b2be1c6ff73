"""The HTML stage: fit it on pages the text model never saw, and score it by site.

The HTML stage (``BoilerplateClassifier.fit_markup``) re-scores the lines of an HTML
page from what the markup says about them (bpclass.markup) and the text model's
P(content). It must learn from probabilities like the ones it will see: those of
pages the text model never trained on. So it is fitted on the held-out pages of
the shared sets that come as HTML (the test splits of the text model's sets, every
page of the others; never ``scrapinghub_aeb``, which is test-only), with the label
policy applied as for the text model.

Its own scores come from cross-fitting by site: the pages are cut in ``FOLDS``
groups by site, and each group is scored by a stage fitted on the others.
``scrapinghub_aeb`` is scored by the stage fitted on every page.

    python -m training.train --html                  # add the stage to the bundled model
    python -m training.evaluate --html               # its cross-fitted scores beside the extractors
"""

from __future__ import annotations

import copy
import logging
import statistics
import zlib
from collections import defaultdict
from pathlib import Path

from training.data import TEST_ONLY_SETS, evaluation_pages, with_policy_labels
from training.evaluate import _kept_text, trained_sets
from training.peers import HTML_SETS, _htmls, _peer_scores, installed_peers
from training.textmetrics import bag_f1

LOGGER = logging.getLogger(__name__)
FOLDS = 2


def fold_of(page: dict, folds: int = FOLDS) -> int:
    """A page's cross-fitting group: a hash of its set and site."""
    return zlib.crc32(f"html:{page['set']}:{page.get('site') or page['id']}".encode()) % folds


def stage_pages(model, prepared: Path, data: Path, sets=None, test_only: bool = False, limit=None) -> list[dict]:
    """Held-out pages (of ``model``) of the sets with HTML, each with its ``html`` and
    policy labels; the test-only sets instead with ``test_only=True``. A page whose
    prepared lines are not the library's layout of its HTML is left out."""
    from bpclass.html import html_lines

    names = [n for n in (sets or HTML_SETS) if (n in TEST_ONLY_SETS) == test_only]
    out = []
    for name in names:
        pages = [p for p in evaluation_pages(name, prepared, trained_sets(model)) if p.get("gold") is not None]
        htmls = _htmls(data, name, {str(p["id"]) for p in pages})
        pages = [p for p in pages if str(p["id"]) in htmls][:limit]
        kept = []
        for p in pages:
            html = htmls[str(p["id"])]
            if html_lines(html) == p["lines"]:
                kept.append({**p, "html": html})
        if len(kept) < len(pages):
            LOGGER.warning("%s: %d pages laid out otherwise than prepared, left out", name, len(pages) - len(kept))
        out += with_policy_labels(kept)
    return out


def fit_stage(model, pages: list[dict]):
    """A copy of ``model`` with an HTML stage fitted on ``pages``."""
    fitted = copy.deepcopy(model)
    fitted.markup_estimator_ = None
    fitted.fit_markup([p["html"] for p in pages], [p["labels"] for p in pages])
    return fitted


def _bag_f1s(model, pages: list[dict], html: bool) -> list[float]:
    if html:
        labels = model.predict_html([p["html"] for p in pages])
    else:
        labels = model.predict([p["lines"] for p in pages])
    return [bag_f1(_kept_text(p["lines"], y), p["gold"])[2] for p, y in zip(pages, labels)]


def cross_fitted(model, pages: list[dict], folds: int = FOLDS) -> list[float]:
    """Each page's bag F1 from the HTML stage fitted on the other groups' pages."""
    scores = [0.0] * len(pages)
    fold = [fold_of(p, folds) for p in pages]
    for k in range(folds):
        mine = [i for i in range(len(pages)) if fold[i] == k]
        LOGGER.info("cross-fitting: group %d of %d (%d pages held out)", k + 1, folds, len(mine))
        stage = fit_stage(model, [pages[i] for i in range(len(pages)) if fold[i] != k])
        for i, f1 in zip(mine, _bag_f1s(stage, [pages[i] for i in mine], html=True)):
            scores[i] = f1
    return scores


def score_table(model, prepared: Path, data: Path, sets=None, peers: bool = True, jobs: int = 2, limit=None) -> str:
    """The Markdown tables of ``training.evaluate --html``: per set and per language,
    bpclass from the text lines, bpclass from the HTML (cross-fitted stage), and the
    installed extractors, on the same held-out pages."""
    pages = stage_pages(model, prepared, data, sets, limit=limit)
    html_scores = cross_fitted(model, pages)
    test_pages = stage_pages(model, prepared, data, sets, test_only=True, limit=limit)
    if test_pages:
        html_scores += _bag_f1s(fit_stage(model, pages), test_pages, html=True)
    pages += test_pages
    systems = {"bpclass, text lines": _bag_f1s(model, pages, html=False), "bpclass, HTML": html_scores}
    names = installed_peers() if peers else []
    if names:
        from concurrent.futures import ProcessPoolExecutor

        jobs_in = [(names, p["html"], p["gold"]) for p in pages]
        with ProcessPoolExecutor(jobs) as pool:
            per_page = list(pool.map(_peer_scores, jobs_in, chunksize=4))
        for k, name in enumerate(names):
            systems[name] = [row[k] for row in per_page]
    rows = defaultdict(list)
    for i, p in enumerate(pages):
        rows[("set", p["set"])].append(i)
        rows[("language", p.get("lang") or "?")].append(i)
        rows[("all", "all pages")].append(i)
    header = "| {} | pages | " + " | ".join(systems) + " |\n|---|---|" + "---|" * len(systems)
    out = []
    for kind, title in (("set", "set"), ("language", "language")):
        lines = [header.format(title)]
        keys = sorted(k for k in rows if k[0] == kind)
        if kind == "language":
            keys = [k for k in keys if len(rows[k]) >= 10]
        for key in keys + [("all", "all pages")]:
            means = [statistics.mean(scores[i] for i in rows[key]) for scores in systems.values()]
            best = max(means)
            cells = [f"**{m:.3f}**" if m == best else f"{m:.3f}" for m in means]
            lines.append(f"| {key[1]} | {len(rows[key])} | " + " | ".join(cells) + " |")
        out.append("\n".join(lines))
    return "\n\n".join(out)
