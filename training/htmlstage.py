"""The HTML stage: fit it on pages the text model never saw, and score it by site.

The HTML stage (``BoilerplateClassifier.fit_markup``) re-scores the lines of an HTML
page from what the markup says about them (bpclass.markup) and the text model's
P(content). It is fitted on every page of STAGE_SETS, the shared sets with HTML
whose licences let users redistribute a model derived from them (the pages the
text model trained on too: their probabilities are a little more sure than on new
pages, but the stage gains more from the pages than it loses to that), with the
label policy applied as for the text model.

Its scores come from cross-fitting by site: the held-out pages of every set with
HTML (never trained on by the text model) are cut in ``FOLDS`` groups by site, and
each group is scored by a stage fitted on the other groups' pages of STAGE_SETS plus
the text model's training pages of STAGE_SETS (other sites, by the split).
``scrapinghub_aeb`` (test-only) is scored by the stage fitted on all of them.

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

from training.data import TEST_ONLY_SETS, load_prepared, with_policy_labels
from training.evaluate import _kept_text, held_out_pages, trained_sets
from training.peers import HTML_SETS, _htmls, _peer_scores, installed_peers
from training.textmetrics import bag_f1

LOGGER = logging.getLogger(__name__)
FOLDS = 2
# Sets the HTML stage learns from: those with HTML and a permissive licence
# (training.data.SET_LICENCES). With dragnet, cleaneval, cleanportaleval,
# krdwrd_canola, htmltotext_leogao and daniel's held-out pages too, the
# cross-fitted mean was 0.907 instead of 0.893, mostly on dragnet's own other sites
# (+0.026); on the sets neither trained on, +0.004 (docs/experiments.md, 2026-12-06).
STAGE_SETS = ("wcxb_dev", "newspaper4k_aed", "readability_testpages")


def fold_of(page: dict, folds: int = FOLDS) -> int:
    """A page's cross-fitting group: a hash of its set and site."""
    return zlib.crc32(f"html:{page['set']}:{page.get('site') or page['id']}".encode()) % folds


def stage_pages(
    model, prepared: Path, data: Path, sets=None, test_only: bool = False, limit=None, trained: bool = False
) -> list[dict]:
    """Held-out pages (of ``model``) of the sets with HTML, each with its ``html`` and
    policy labels; the test-only sets instead with ``test_only=True``, the pages the
    text model trained on with ``trained=True``. A page whose prepared lines are not
    the library's layout of its HTML is left out."""
    from bpclass.html import html_lines

    names = [n for n in (sets or HTML_SETS) if (n in TEST_ONLY_SETS) == test_only]
    out = []
    for name in names:
        if trained:
            if name not in trained_sets(model):
                continue
            pages = [p for p in load_prepared(name, prepared) if p["split"] == "train" and p.get("gold") is not None]
        else:
            pages = held_out_pages(model, name, prepared)
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


def cross_fitted(model, pages: list[dict], folds: int = FOLDS, stage_sets=None, also=()) -> list[float]:
    """Each page's bag F1 from an HTML stage that never saw its site: the stage is
    fitted on the pages of ``stage_sets`` (default: every set) in the other groups,
    and on ``also`` (pages of other sites); so a page of another set is scored by a
    stage that saw none of its set."""
    scores = [0.0] * len(pages)
    fold = [fold_of(p, folds) for p in pages]
    trains = [stage_sets is None or p["set"] in stage_sets for p in pages]
    for k in range(folds):
        mine = [i for i in range(len(pages)) if fold[i] == k]
        LOGGER.info("cross-fitting: group %d of %d (%d pages held out)", k + 1, folds, len(mine))
        stage = fit_stage(model, [pages[i] for i in range(len(pages)) if fold[i] != k and trains[i]] + list(also))
        for i, f1 in zip(mine, _bag_f1s(stage, [pages[i] for i in mine], html=True)):
            scores[i] = f1
    return scores


def training_stage_pages(model, prepared: Path, data: Path, stage_sets=STAGE_SETS) -> list[dict]:
    """Every page the bundled HTML stage learns from: the held-out and the trained-on
    pages of ``stage_sets``."""
    held_out = stage_pages(model, prepared, data, stage_sets)
    return held_out + stage_pages(model, prepared, data, stage_sets, trained=True)


def score_table(
    model, prepared: Path, data: Path, sets=None, peers: bool = True, jobs: int = 2, limit=None, stage_sets=STAGE_SETS
) -> str:
    """The Markdown tables of ``training.evaluate --html``: per set and per language,
    bpclass from the text lines, bpclass from the HTML (the stage cross-fitted as the
    module says), and the installed extractors, on the same held-out pages."""
    pages = stage_pages(model, prepared, data, sets, limit=limit)
    also = stage_pages(model, prepared, data, stage_sets, limit=limit, trained=True)
    html_scores = cross_fitted(model, pages, stage_sets=stage_sets, also=also)
    test_pages = stage_pages(model, prepared, data, sets, test_only=True, limit=limit)
    if test_pages:
        trained = [p for p in pages if p["set"] in stage_sets] + also
        html_scores += _bag_f1s(fit_stage(model, trained), test_pages, html=True)
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
