"""Train and score the page-type classifiers (bpclass.pagetype) on wcxb_dev's pages and news.

wcxb_dev is the one shared set whose pages carry a type (article, collection,
documentation, forum, listing, product, service). Its pages are English; the pages of
``--article-sets`` (newspaper4k_aed: English news, Apache-2.0) join them as articles.
Four classifiers are fitted on the training splits (by site): for text lines and for
HTML, each with the page's words and without them (for pages in languages the words
do not cover). They are scored on the held-out pages: on wcxb_dev, accuracy, each
type's recall and the confusion matrix; on a news set, the share of its pages typed as
articles; for text lines and HTML, with and without the page's address. daniel's
news in five languages, never trained on, checks them outside English. ``--cv``
scores five folds by site over all the pages instead.

    python -m training.pagetypes                                  # held-out scores only
    python -m training.pagetypes --out bpclass/models/page_types.npz   # ... and write the file
    python -m training.pagetypes --cv                             # five folds by site
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from bpclass.pagetype import (
    PAGE_TYPES,
    PageSignals,
    PageTypeClassifier,
    classify,
    html_signals,
    text_signals,
    write_page_types,
)
from training import script_parser
from training.data import load_prepared
from training.peers import _htmls
from training.prepare import DEFAULT_DATA, DEFAULT_OUT

SET = "wcxb_dev"
ARTICLE_SETS = ("newspaper4k_aed",)
# News in five languages, never trained on: the share of its pages typed as articles
# checks the classifiers outside English.
CHECK_SET = "daniel"


def typed_pages(prepared: Path, data: Path, article_sets=ARTICLE_SETS) -> list[dict]:
    """wcxb_dev's prepared pages that have a type, and the pages of ``article_sets``
    as articles, that have HTML, each with its ``html`` and ``set``."""
    out = []
    for name in (SET, *article_sets):
        pages = load_prepared(name, prepared)
        if name == SET:
            pages = [p for p in pages if p.get("page_type") in PAGE_TYPES]
        else:
            pages = [{**p, "page_type": "article"} for p in pages]
        htmls = _htmls(data, name, {str(p["id"]) for p in pages})
        out += [{**p, "html": htmls[str(p["id"])], "set": name} for p in pages if str(p["id"]) in htmls]
    return out


def report_sets(label: str, pages: list[dict], predicted: list[str]) -> dict:
    """wcxb_dev's report, and each news set's share of pages typed as articles."""
    scores = {}
    for name in dict.fromkeys(p["set"] for p in pages):
        rows = [k for k, p in enumerate(pages) if p["set"] == name]
        truth, told = [pages[k]["page_type"] for k in rows], [predicted[k] for k in rows]
        if name == SET:
            scores[name] = report(f"{label}, {name}", truth, told)
        else:
            share = sum(t == "article" for t in told) / len(told)
            print(f"{label}, {name}: {share:.3f} of {len(told)} news pages typed as articles")
            scores[name] = {"article_share": share, "pages": len(told)}
    return scores


def signals_of(pages: list[dict], kind: str) -> list:
    """Each page's signals (with its address) for a ``kind`` of classifier: "html" or "text"."""
    if kind == "html":
        return [html_signals(p["html"], p.get("url"), p["lines"]) for p in pages]
    return [text_signals(p["lines"], p.get("url")) for p in pages]


def without_address(signals: list) -> list:
    """The same signals as a page without its address gives them."""
    return [PageSignals({**s.tokens, "url": Counter()}, s.numbers) for s in signals]


def report(name: str, truth: list[str], predicted: list[str]) -> dict:
    """Print and return accuracy, each type's recall and the confusion matrix."""
    truth, predicted = np.array(truth), np.array(predicted)
    accuracy = float((truth == predicted).mean())
    recall = {t: float((predicted[truth == t] == t).mean()) for t in PAGE_TYPES if (truth == t).any()}
    print(f"\n{name}: accuracy {accuracy:.3f} on {len(truth)} pages")
    print("type           pages  recall  " + " ".join(t[:5].rjust(5) for t in PAGE_TYPES))
    for t in PAGE_TYPES:
        row = [int(((truth == t) & (predicted == u)).sum()) for u in PAGE_TYPES]
        counts = " ".join(f"{c:>5}" for c in row)
        print(f"{t:<14} {int((truth == t).sum()):>5}  {recall.get(t, float('nan')):>6.3f}  {counts}")
    return {"accuracy": accuracy, "recall": recall, "pages": len(truth)}


def fit_kinds(pages: list[dict]) -> dict:
    """The four classifiers of a page-type file (bpclass.pagetype.KINDS), each fitted on
    every page twice, with its address and without (a page often comes without one),
    the two in the same fold; the ``_blind`` ones without the pages' words."""
    types, sites = [p["page_type"] for p in pages] * 2, [p["site"] for p in pages] * 2
    out = {}
    for kind in ("text", "html"):
        signals = signals_of(pages, kind)
        signals += without_address(signals)
        for suffix in ("", "_blind"):
            clf = PageTypeClassifier(markup=kind == "html", words=not suffix)
            out[kind + suffix] = clf.fit(signals, types, sites)
    return out


def typed(classifiers: dict, signals: list, kind: str) -> list[str]:
    """The pages' types as bpclass.pagetype.classify gives them from their signals."""
    return classify(signals, html=kind == "html", classifiers=classifiers)


def news_check(classifiers: dict, prepared: Path) -> dict:
    """The share of each language's pages of the CHECK_SET news typed as articles
    (text lines, no address), for a set the classifiers never saw."""
    pages = load_prepared(CHECK_SET, prepared)
    told = typed(classifiers, without_address(signals_of(pages, "text")), "text")
    shares = {}
    for lang in dict.fromkeys(p.get("lang") for p in pages):
        mine = [t for p, t in zip(pages, told) if p.get("lang") == lang]
        shares[lang] = sum(t == "article" for t in mine) / len(mine)
    listed = ", ".join(f"{lang} {share:.2f}" for lang, share in shares.items())
    print(f"\n{CHECK_SET} (never trained on), text lines alone, share typed as articles: {listed}")
    return shares


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.pagetypes")
    parser.add_argument("--prepared", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, help="write the classifiers fitted on the training split here")
    parser.add_argument("--cv", action="store_true", help="score five folds by site over all pages")
    parser.add_argument(
        "--article-sets", nargs="*", default=list(ARTICLE_SETS), help="news sets whose pages join as articles"
    )
    args = parser.parse_args(argv)
    start = time.time()
    pages = typed_pages(args.prepared, args.data, args.article_sets)
    scores = {}
    if args.cv:
        from bpclass.pagetype import _group_folds

        sites = np.array([p["site"] for p in pages])
        predicted = {kind: [None] * len(pages) for kind in ("text", "html")}
        for rows in _group_folds(sites, 5):
            held = set(rows.tolist())
            classifiers = fit_kinds([p for i, p in enumerate(pages) if i not in held])
            for kind in predicted:
                for i, t in zip(rows, typed(classifiers, signals_of([pages[i] for i in rows], kind), kind)):
                    predicted[kind][i] = t
        for kind, told in predicted.items():
            report_sets(f"{kind} and address (five folds by site)", pages, told)
        print(f"\n({time.time() - start:.0f} s)")
        return 0
    train = [p for p in pages if p["split"] == "train"]
    test = [p for p in pages if p["split"] != "train"]
    fitted = fit_kinds(train)
    test_signals = {kind: signals_of(test, kind) for kind in ("text", "html")}
    for kind, signals in test_signals.items():
        for address in (True, False):
            label = f"{'HTML' if kind == 'html' else 'text lines'} {'and address' if address else 'alone'}"
            shown = signals if address else without_address(signals)
            scores[f"{kind}{'' if address else ' without address'}"] = report_sets(
                f"{label} (held-out pages)", test, typed(fitted, shown, kind)
            )
    typed_set = [k for k, p in enumerate(test) if p["set"] == SET]
    scores["text without words"] = report_sets(
        "text lines and address, the classifier without words (held-out pages)",
        [test[k] for k in typed_set],
        fitted["text_blind"].predict([test_signals["text"][k] for k in typed_set]),
    )
    scores[f"{CHECK_SET} article share"] = news_check(fitted, args.prepared)
    if args.out:
        sets = {name: sum(p["set"] == name for p in train) for name in dict.fromkeys(p["set"] for p in train)}
        metadata = {"trained_on": {f"{name} train split": n for name, n in sets.items()}, "held_out_scores": scores}
        write_page_types(fitted, args.out, metadata)
        print(f"\nwrote {args.out}")
    print(f"\n({time.time() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
