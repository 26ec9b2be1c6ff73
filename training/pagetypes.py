"""Train and score the page-type classifiers (bpclass.pagetype) on wcxb_dev's pages.

wcxb_dev is the one shared set whose pages carry a type (article, collection,
documentation, forum, listing, product, service). The classifiers are fitted on its
training split (by site) and scored on its held-out pages: accuracy, each type's
recall, and the confusion matrix, for text lines (with and without the page's address)
and for HTML. ``--cv`` scores five folds by site over all its pages instead.

    python -m training.pagetypes                                  # held-out scores only
    python -m training.pagetypes --out bpclass/models/page_types.npz   # ... and write the file
    python -m training.pagetypes --cv                             # five folds by site
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from bpclass.pagetype import PAGE_TYPES, PageTypeClassifier, html_signals, text_signals, write_page_types
from training import script_parser
from training.data import load_prepared
from training.peers import _htmls
from training.prepare import DEFAULT_DATA, DEFAULT_OUT

SET = "wcxb_dev"


def typed_pages(prepared: Path, data: Path) -> list[dict]:
    """wcxb_dev's prepared pages that have a type and HTML, each with its ``html``."""
    pages = [p for p in load_prepared(SET, prepared) if p.get("page_type") in PAGE_TYPES]
    htmls = _htmls(data, SET, {str(p["id"]) for p in pages})
    return [{**p, "html": htmls[str(p["id"])]} for p in pages if str(p["id"]) in htmls]


def signals_of(pages: list[dict], kind: str) -> list:
    """Each page's signals for a ``kind`` of classifier: "html", "text" (lines and
    address) or "lines" (the lines alone, as a page without its address is read)."""
    if kind == "html":
        return [html_signals(p["html"], p.get("url"), p["lines"]) for p in pages]
    return [text_signals(p["lines"], p.get("url") if kind == "text" else None) for p in pages]


def fit(pages: list[dict], kind: str) -> PageTypeClassifier:
    """A classifier fitted on each page twice, with its address and without (a page
    often comes without one), the two in the same fold."""
    clf = PageTypeClassifier(markup=kind == "html")
    signals = signals_of(pages, kind)
    if kind != "lines":
        signals += signals_of([{**p, "url": None} for p in pages], kind)
        pages = pages + pages
    return clf.fit(signals, [p["page_type"] for p in pages], [p["site"] for p in pages])


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


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.pagetypes")
    parser.add_argument("--prepared", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, help="write the classifiers fitted on the training split here")
    parser.add_argument("--cv", action="store_true", help="score five folds by site over all pages")
    args = parser.parse_args(argv)
    start = time.time()
    pages = typed_pages(args.prepared, args.data)
    scores = {}
    if args.cv:
        from bpclass.pagetype import _group_folds

        sites = np.array([p["site"] for p in pages])
        for kind in ("lines", "text", "html"):
            predicted = [None] * len(pages)
            for rows in _group_folds(sites, 5):
                held = set(rows.tolist())
                clf = fit([p for i, p in enumerate(pages) if i not in held], kind)
                for i, t in zip(rows, clf.predict(signals_of([pages[i] for i in rows], kind))):
                    predicted[i] = t
            report(f"{kind} (five folds by site)", [p["page_type"] for p in pages], predicted)
        print(f"\n({time.time() - start:.0f} s)")
        return 0
    train = [p for p in pages if p["split"] == "train"]
    test = [p for p in pages if p["split"] != "train"]
    fitted = {}
    for kind in ("text", "html"):
        fitted[kind] = fit(train, kind)
        for address in (True, False):
            shown = [p if address else {**p, "url": None} for p in test]
            label = f"{'HTML' if kind == 'html' else 'text lines'} {'and address' if address else 'alone'}"
            scores[f"{kind}{'' if address else ' without address'}"] = report(
                f"{label} (held-out wcxb_dev pages)",
                [p["page_type"] for p in test],
                fitted[kind].predict(signals_of(shown, kind)),
            )
    if args.out:
        metadata = {"trained_on": f"{SET} train split ({len(train)} pages)", "held_out_scores": scores}
        write_page_types(fitted, args.out, metadata)
        print(f"\nwrote {args.out}")
    print(f"\n({time.time() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
