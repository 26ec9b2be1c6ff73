"""How far the sets' gold texts follow our label policy, measured on their aligned labels.

Our policy: the headline and the body are content; datelines, bylines, captions and
credits, comments and the rest are boilerplate. The sets disagree on some of these.
For each kind of line recognised by the features (lines of at most 12 words without a
sentence end, so that a body sentence that happens to hold a date does not count; the
same lines ``training.data.with_policy_labels`` makes boilerplate in the training
pages), this prints the share of such lines that the set's gold text makes content,
and how many there are:

* headline: the title-like line (2-25 words, no sentence end, no date) nearest above
  the first content line, or that line itself, within a few lines;
* date: a short line with an absolute or relative date, or a clock time;
* byline: a short line that starts like a byline ("By ...");
* caption: a short line with a photo-credit cue ("Photo:", "Getty Images");
* comment: any non-blank line of a comment section, from its heading down, the heading
  found as the library finds it (``bpclass.policy.comment_section_start``) with the
  gold's content lines as the likely content above it.

The labels are the aligned ones the training and evaluation use: where a set gives
the page's title, the aligner has already made its headline line content (see
``training.align``), so the headline column shows what remains of the disagreement.

The last three columns are the shares of those headline lines, of those date, byline
and caption lines and of those comment lines that a model keeps (the bundled one
unless ``--model`` names another; every page of each set, trained on or not): one
policy means about the same high share of headlines and low shares of the others on
every set.

    python -m training.experiments.label_policy                 # every prepared set
    python -m training.experiments.label_policy --gold-only     # the gold texts only
"""

from __future__ import annotations

import math
import sys

import numpy as np

import bpclass
from bpclass.features import FEATURE_INDEX, batch_features
from bpclass.policy import comment_section_start, policy_kinds
from training import script_parser
from training.data import load_prepared
from training.prepare import ALL_SETS, DEFAULT_OUT

HEADLINE_REACH = 4
KINDS = ("headline", "date", "byline", "caption", "comment")


def _kinds_of_page(page: dict) -> list[tuple[str, int]]:
    """(kind, line index) for the recognised lines of one page."""
    lines, labels = page["lines"], page["labels"]
    X, non_blank = batch_features([lines])
    rows = [i for i, keep in enumerate(non_blank) if keep]
    col = FEATURE_INDEX
    out = []
    for kind, flags in policy_kinds(X).items():
        out += [(kind, rows[r]) for r in np.flatnonzero(flags).tolist() if labels[rows[r]] is not None]
    content = [i for i in rows if labels[i] == 1]
    if content:
        first = content[0]
        # The title-like line nearest above the first body line, or the first body line
        # itself when it looks like a title (the gold kept the headline).
        candidates = [i for i in rows if i <= first][-HEADLINE_REACH - 1 :]
        for i in reversed(candidates):
            x = X[rows.index(i)]
            words = math.expm1(x[col["log_words"]])
            if 2 <= words <= 25 and not x[col["ends_terminal"]] and not x[col["has_date"]]:
                out.append(("headline", i))
                break
    gold = np.array([1.0 if y == 1 else 0.0 for y in labels])
    start = comment_section_start(lines, gold)
    if start is not None:
        out += [("comment", i) for i in rows if i >= start and labels[i] is not None]
    return out


def policy_table(sets, prepared=DEFAULT_OUT, model=None) -> str:
    """The table; with a model, also the shares of the headline lines, of the short
    dateline, byline and credit lines (all three kinds together) and of the comment
    lines that it keeps."""
    header = ["set", "pages", *(f"{kind}: gold keeps (lines)" for kind in KINDS)]
    if model is not None:
        header += ["headline: model keeps", "date/byline/caption: model keeps", "comment: model keeps"]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in sets:
        try:
            pages = [p for p in load_prepared(name, prepared) if p.get("gold") and p.get("labels")]
        except FileNotFoundError:
            continue
        if not pages:  # snippets only (trafilatura_eval)
            continue
        counts = {kind: [0, 0] for kind in KINDS}
        model_kept = {"headline": [0, 0], "policy": [0, 0], "comment": [0, 0]}
        predicted = model.predict([p["lines"] for p in pages]) if model is not None else [None] * len(pages)
        for page, labels in zip(pages, predicted):
            for kind, i in _kinds_of_page(page):
                counts[kind][0] += page["labels"][i] == 1
                counts[kind][1] += 1
                if labels is not None:
                    share = model_kept[kind if kind in ("headline", "comment") else "policy"]
                    share[0] += int(labels[i])
                    share[1] += 1
        cells = [name, str(len(pages))]
        for kind in KINDS:
            kept, seen = counts[kind]
            cells.append(f"{kept / seen:.2f} ({seen})" if seen else "-")
        if model is not None:
            cells += [f"{kept / seen:.3f}" if seen else "-" for kept, seen in model_kept.values()]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.experiments.label_policy")
    parser.add_argument("--prepared", default=DEFAULT_OUT)
    parser.add_argument("--sets", nargs="+", default=list(ALL_SETS))
    parser.add_argument("--model", help="also the share those lines a model keeps (default: the bundled one)")
    parser.add_argument("--gold-only", action="store_true", help="the gold texts only, no model")
    args = parser.parse_args(argv)
    model = None if args.gold_only else bpclass.load_model(args.model)
    print(policy_table(args.sets, args.prepared, model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
