"""Compare two model files page by page on the held-out pages: is a change real or noise?

For each set, both models label the same held-out pages; the table shows the mean
over pages of the difference in token-bag F1 (B minus A) and its standard error.
A difference within about two standard errors is noise. Pages are those of
``training.evaluate`` (the test split of the training sets, every page of the others).

    python -m training.experiments.compare old.npz bpclass/models/default.npz
    python -m training.experiments.compare old.npz new.npz --sets wcxb_dev dragnet --no-blank-lines
    python -m training.experiments.compare bpclass/models/default.npz bpclass/models/default.npz --sites-b
"""

from __future__ import annotations

import math
import statistics
import sys

import bpclass
from training import script_parser
from training.data import content_span, evaluation_pages, without_blank_lines
from training.evaluate import page_bag_f1s, trained_sets, whole_sets
from training.prepare import ALL_SETS, DEFAULT_OUT


def mean_and_error(differences: list[float]) -> tuple[float, float]:
    """Mean of the paired differences and its standard error (0 for fewer than two)."""
    if not differences:
        raise ValueError("no pages to compare")
    mean = statistics.fmean(differences)
    if len(differences) < 2:
        return mean, 0.0
    return mean, statistics.stdev(differences) / math.sqrt(len(differences))


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.experiments.compare")
    parser.add_argument("model_a")
    parser.add_argument("model_b")
    parser.add_argument("--prepared", default=DEFAULT_OUT)
    parser.add_argument("--sets", nargs="+", default=[s for s in ALL_SETS if s != "trafilatura_eval"])
    parser.add_argument("--no-blank-lines", action="store_true", help="score the pages without their blank lines")
    parser.add_argument("--content-span", action="store_true", help="score the pages cut to their content span")
    parser.add_argument(
        "--sites-b",
        action="store_true",
        help="tell model B each page's site (lines recurring across a site's pages dropped); A reads pages alone",
    )
    args = parser.parse_args(argv)
    try:
        a, b = bpclass.load_model(args.model_a), bpclass.load_model(args.model_b)
    except (OSError, bpclass.ModelFileError) as error:
        print(f"cannot compare: {error}", file=sys.stderr)
        return 2
    # The pages neither model trained on: the test splits of the sets either trained on.
    trained = tuple(dict.fromkeys(trained_sets(a) + trained_sets(b)))
    whole = tuple(dict.fromkeys(whole_sets(a) + whole_sets(b)))
    told = " told each page's site" if args.sites_b else ""
    print(f"B minus A, mean bag F1 difference per page (A = {args.model_a}, B = {args.model_b}{told})\n")
    print("| set | pages | A | B | B - A | standard error |\n|---|---|---|---|---|---|")
    everything, all_a, all_b = [], [], []
    for name in args.sets:
        try:
            pages = [
                p
                for p in evaluation_pages(name, args.prepared, trained_on=trained, whole=whole)
                if p.get("gold") is not None
            ]
        except FileNotFoundError:
            continue
        if args.no_blank_lines:
            pages = [without_blank_lines(p) for p in pages]
        if args.content_span:
            pages = [content_span(p) for p in pages]
        if not pages:
            continue
        scores_a, scores_b = page_bag_f1s(a, pages), page_bag_f1s(b, pages, args.sites_b)
        differences = [y - x for x, y in zip(scores_a, scores_b)]
        everything += differences
        all_a += scores_a
        all_b += scores_b
        mean, error = mean_and_error(differences)
        print(
            f"| {name} | {len(pages)} | {statistics.fmean(scores_a):.4f} | {statistics.fmean(scores_b):.4f} "
            f"| {mean:+.4f} | {error:.4f} |"
        )
    if everything:
        mean, error = mean_and_error(everything)
        print(
            f"| all pages | {len(everything)} | {statistics.fmean(all_a):.4f} | {statistics.fmean(all_b):.4f} "
            f"| {mean:+.4f} | {error:.4f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
