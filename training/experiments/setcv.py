"""Cross-validate the bundled recipe by site over every page of one training set.

A set the bundled model trains on (daniel, say) has a fixed test split of few sites,
so its per-language figures swing with those sites. This script writes ``--folds``
copies of the prepared sets in which that set's split is rewritten (one fold of its
sites, by ``crc32("cv:" + site)``, is the test split), fits the bundled recipe on
each (``python -m training.train --prepared FOLD --no-eval --no-html``, ``--jobs``
at a time), and scores every page of the set by the fit that never saw its site:
bag F1, precision and recall per language. The other sets are untouched (their own
test splits stay held out in every fit).

    python -m training.experiments.setcv --set daniel --out build/cv              # the recipe as it is
    python -m training.experiments.setcv --set daniel --out build/cv --folds-only 0   # a screen: one fold
    python -m training.experiments.setcv --set daniel --out build/cv --score-only  # score fits made before
    python -m training.experiments.setcv --set daniel --out build/cv --score-only --layout soup  # another tool's lines

Run it from the checkout whose recipe you want to measure: the fits run that
checkout's ``training.train``. A fold's model is reused when its file exists.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import zlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bpclass
from training import script_parser
from training.data import evaluation_pages, laid_out_as
from training.evaluate import whole_sets
from training.prepare import DEFAULT_OUT
from training.textmetrics import bag_f1


def fold_of(site: str, folds: int) -> int:
    return zlib.crc32(("cv:" + site).encode("utf-8")) % folds


def write_folds(prepared: Path, name: str, folds: int, out: Path) -> list[Path]:
    """``folds`` folders of the prepared sets, ``name``'s split rewritten in each."""
    dirs = []
    for k in range(folds):
        folder = out / f"fold{k}"
        folder.mkdir(parents=True, exist_ok=True)
        for source in prepared.glob("*.jsonl.gz"):
            target = folder / source.name
            if source.name != f"{name}.jsonl.gz" and not target.exists():
                os.symlink(source.resolve(), target)
        with gzip.open(prepared / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fin:
            with gzip.open(folder / f"{name}.jsonl.gz", "wt", encoding="utf-8") as fout:
                for line in fin:
                    record = json.loads(line)
                    record["split"] = "test" if fold_of(record["site"], folds) == k else "train"
                    fout.write(json.dumps(record, ensure_ascii=False) + "\n")
        dirs.append(folder)
    return dirs


def fit(folder: Path, model: Path, extra: list[str]) -> None:
    if model.exists():
        return
    command = [sys.executable, "-m", "training.train", "--prepared", str(folder), "--out", str(model)]
    with open(model.with_suffix(".log"), "w", encoding="utf-8") as log:
        # --whole-sets with no value: a fold's model must not train on the test fold's
        # sites (the bundled recipe trains on all of daniel).
        subprocess.run([*command, "--no-eval", "--no-html", "--whole-sets", *extra], check=True, stdout=log, stderr=log)


def score(
    name: str, dirs: list[Path], models: dict[int, Path], layout: str | None = None, blank_lines: bool = True
) -> dict[str, list[tuple[float, float, float]]]:
    """(precision, recall, F1) of each page, by language, from the fit that did not see its site;
    ``layout`` and ``blank_lines`` lay the pages out as ``training.evaluate`` does."""
    out = defaultdict(list)
    for k, model_path in models.items():
        model = bpclass.load_model(model_path)
        if name in whole_sets(model):
            raise ValueError(f"{model_path} trained on every page of {name}: it has no held-out fold")
        pages = laid_out_as([p for p in evaluation_pages(name, dirs[k], (name,)) if p.get("gold")], layout, blank_lines)
        for page, labels in zip(pages, model.predict([p["lines"] for p in pages])):
            kept = "\n".join(line for line, y in zip(page["lines"], labels) if y)
            out[page.get("lang") or "?"].append(bag_f1(kept, page["gold"]))
    return out


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.experiments.setcv")
    parser.add_argument("--set", default="daniel", help="the training set whose sites are cut into folds")
    parser.add_argument("--prepared", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--out", type=Path, required=True, help="folder for the fold data and the fits")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--folds-only", type=int, nargs="+", default=None, metavar="K", help="fit and score these")
    parser.add_argument("--jobs", type=int, default=2, help="fits at a time")
    parser.add_argument("--tag", default="fit", help="model files are OUT/TAG<k>.npz")
    parser.add_argument("--score-only", action="store_true", help="score the fits already in OUT")
    parser.add_argument("--layout", default=None, help="score the pages as this tool lays them out (training.layouts)")
    parser.add_argument("--no-blank-lines", action="store_true", help="score the pages with their blank lines removed")
    parser.add_argument("train_args", nargs="*", help="more arguments for training.train (after --)")
    args = parser.parse_args(argv)
    dirs = write_folds(args.prepared, args.set, args.folds, args.out)
    which = args.folds_only if args.folds_only is not None else list(range(args.folds))
    models = {k: args.out / f"{args.tag}{k}.npz" for k in which}
    if not args.score_only:
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(lambda k: fit(dirs[k], models[k], args.train_args), which))
    done = {k: m for k, m in models.items() if m.exists()}
    scores = score(args.set, dirs, done, args.layout, not args.no_blank_lines)
    how = f", as {args.layout} lays them out" if args.layout else ""
    how += ", blank lines removed" if args.no_blank_lines else ""
    print(f"{args.set}, folds {' '.join(map(str, which))} of {args.folds} by site{how}; bag F1 / precision / recall\n")
    print("| language | pages | bag F1 | precision | recall |\n|---|---|---|---|---|")
    everything = [s for rows in scores.values() for s in rows]
    for lang, rows in [*sorted(scores.items()), ("all", everything)]:
        p, r, f = (statistics.mean(s[i] for s in rows) for i in range(3))
        print(f"| {lang} | {len(rows)} | {f:.3f} | {p:.3f} | {r:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
