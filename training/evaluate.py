"""Score a model on held-out pages of each data set, beside two baselines.

For every set: the pages the model never trained on (the test split, by site, of
the sets it trains on; every page of the others). Printed per set, for bpclass,
keep-everything and C4's line rules on the same lines:

* line precision / recall / F1 of the content class, against the aligned labels
  (blank lines are not scored);
* mean over pages of the token-bag F1 of the kept text against the set's gold text.

``oracle`` is the bag F1 of the aligned labels themselves: the ceiling a perfect
line labeling reaches. Prints a Markdown table (the README's score table).

    python -m training.evaluate                     # the bundled model
    python -m training.evaluate --model my.npz --sets wcxb_dev
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np

import bpclass
from training.c4rules import c4_labels
from training.data import evaluation_pages
from training.prepare import ALL_SETS, DEFAULT_OUT
from training.textmetrics import bag_f1

SYSTEMS = ("bpclass", "keep-all", "C4 rules")


def _line_prf(pred: np.ndarray, gold: np.ndarray) -> tuple[int, int, int]:
    tp = int(((pred == 1) & (gold == 1)).sum())
    return tp, int((pred == 1).sum()), int((gold == 1).sum())


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_pages(model, pages: list[dict], threshold=None) -> dict:
    """Line P/R/F1 and mean bag F1 of bpclass and the baselines on these pages."""
    predicted = model.predict([p["lines"] for p in pages], threshold=threshold) if pages else []
    out = {}
    for system in SYSTEMS:
        counts = np.zeros(3, dtype=np.int64)
        bags = []
        for page, labels in zip(pages, predicted):
            lines = page["lines"]
            if system == "keep-all":
                labels = np.array([int(bool(line.strip())) for line in lines])
            elif system == "C4 rules":
                labels = np.array(c4_labels(lines))
            scored = np.array([y is not None for y in page["labels"]], dtype=bool)
            gold = np.array([y if y is not None else -1 for y in page["labels"]])
            counts += _line_prf(labels[scored], gold[scored])
            kept = "\n".join(line for line, y in zip(lines, labels) if y)
            bags.append(bag_f1(kept, page["gold"])[2])
        p, r, f = _prf(*counts)
        out[system] = {"line_p": p, "line_r": r, "line_f1": f, "bag_f1": statistics.mean(bags) if bags else 0.0}
    out["pages"] = len(pages)
    out["oracle_bag_f1"] = statistics.mean(p["labeler_f1"] for p in pages) if pages else 0.0
    return out


def evaluate(model, sets=ALL_SETS, prepared: Path = DEFAULT_OUT, trained_on=(), threshold=None) -> dict:
    """Scores per set (see :func:`score_pages`), plus ``all`` pooling every page."""
    results = {}
    every = []
    for name in sets:
        pages = evaluation_pages(name, prepared, trained_on)
        results[name] = score_pages(model, pages, threshold)
        every += pages
    results["all pages"] = score_pages(model, every, threshold)
    return results


def format_table(results: dict) -> str:
    head = (
        "| set | pages | bpclass line P / R / F1 | bpclass bag F1 | keep-all bag F1 | "
        "C4 rules line F1 | C4 rules bag F1 | oracle bag F1 |"
    )
    rows = [head, "|" + "---|" * 8]
    for name, r in results.items():
        b, k, c = r["bpclass"], r["keep-all"], r["C4 rules"]
        rows.append(
            f"| {name} | {r['pages']} | {b['line_p']:.3f} / {b['line_r']:.3f} / {b['line_f1']:.3f} | "
            f"**{b['bag_f1']:.3f}** | {k['bag_f1']:.3f} | {c['line_f1']:.3f} | {c['bag_f1']:.3f} | "
            f"{r['oracle_bag_f1']:.3f} |"
        )
    return "\n".join(rows)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the bundled model)")
    parser.add_argument("--prepared", type=Path, default=DEFAULT_OUT, help="folder of prepared sets")
    parser.add_argument("--sets", nargs="+", default=list(ALL_SETS))
    parser.add_argument("--json", type=Path, default=None, help="also write the scores as JSON here")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        model = bpclass.load_model(args.model)
    except bpclass.ModelFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    trained_on = tuple(model.metadata_.get("training_data", {}).get("sets", {}))
    try:
        results = evaluate(model, args.sets, args.prepared, trained_on)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"model: {args.model or 'bundled default'}; trained on {', '.join(trained_on) or 'unknown sets'}")
    print(f"held out: the test split (by site) of {', '.join(trained_on) or '-'}; every page of the other sets\n")
    print(format_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
