"""Where a model loses: each set's held-out pages in bands of bag F1.

    python -m training.experiments.errors                              # the bundled model
    python -m training.experiments.errors --model my.npz --sets wcxb_dev dragnet

For each set (the pages of ``training.evaluate``): how many pages score under 0.2,
0.2-0.5, 0.5-0.8, 0.8-0.95 and 0.95 or more, the share of the set's loss (1 - bag F1,
summed over its pages) in each band, and the band's mean precision and recall of the
kept tokens; then the pages whose gold text is empty (a page with nothing to keep,
where any kept line scores 0) and how many of them keep something. A set whose loss
sits in its lowest bands loses whole pages (a wrong block kept, a comment thread, a
gold that keeps only a summary), not a line here and there.
"""

from __future__ import annotations

import statistics
import sys

import bpclass
from training import script_parser
from training.evaluate import held_out_pages, page_bag_scores
from training.prepare import ALL_SETS, DEFAULT_OUT
from training.textmetrics import tokenize

BANDS = (0.2, 0.5, 0.8, 0.95)


def band_of(f1: float) -> int:
    """Index of the band (of ``BANDS``, and one past the last) a page's bag F1 falls in."""
    return sum(f1 >= edge for edge in BANDS)


def band_names() -> list[str]:
    edges = ("0", *(f"{edge:g}" for edge in BANDS))
    return [f"< {BANDS[0]:g}", *(f"{a}-{b}" for a, b in zip(edges[1:], edges[2:])), f">= {BANDS[-1]:g}"]


def loss_bands(scores: list[tuple[float, float, float]]) -> list[dict]:
    """Per band: pages, share of the loss, mean precision and recall, from each page's
    ``(precision, recall, F1)``."""
    total = sum(1.0 - f for _, _, f in scores)
    out = []
    for k in range(len(BANDS) + 1):
        mine = [s for s in scores if band_of(s[2]) == k]
        out.append(
            {
                "pages": len(mine),
                "loss_share": sum(1.0 - f for _, _, f in mine) / total if total else 0.0,
                "precision": statistics.fmean(p for p, _, _ in mine) if mine else None,
                "recall": statistics.fmean(r for _, r, _ in mine) if mine else None,
            }
        )
    return out


def _cell(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.experiments.errors")
    parser.add_argument("--model", help="a model file (default: the bundled model)")
    parser.add_argument("--prepared", default=DEFAULT_OUT)
    parser.add_argument("--sets", nargs="+", default=[s for s in ALL_SETS if s != "trafilatura_eval"])
    args = parser.parse_args(argv)
    try:
        model = bpclass.load_model(args.model)
    except (OSError, bpclass.ModelFileError) as error:
        print(f"cannot load the model: {error}", file=sys.stderr)
        return 2
    names = band_names()
    print("Per set: pages in each band of bag F1 / share of the set's loss / mean precision and recall there\n")
    print("| set | pages | mean bag F1 | " + " | ".join(names) + " | empty gold: pages (something kept) |")
    print("|---|---|---|" + "---|" * len(names) + "---|")
    for name in args.sets:
        try:
            pages = held_out_pages(model, name, args.prepared)
        except FileNotFoundError:
            continue
        if not pages:
            continue
        scores = page_bag_scores(model, pages)
        bands = loss_bands(scores)
        empty = [s for p, s in zip(pages, scores) if not tokenize(p["gold"])]
        cells = [f"{b['pages']} / {b['loss_share']:.2f} / {_cell(b['precision'])}, {_cell(b['recall'])}" for b in bands]
        mean = statistics.fmean(f for _, _, f in scores)
        print(
            f"| {name} | {len(pages)} | {mean:.3f} | "
            + " | ".join(cells)
            + f" | {len(empty)} ({sum(f < 1.0 for _, _, f in empty)}) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
