"""Score a model on held-out pages of each data set, beside two baselines.

For every set: the pages the model never trained on (the test split, by site, of
the sets it trains on; every page of the others). Printed per set, for bpclass,
keep-everything and C4's line rules on the same lines:

* line precision / recall / F1 of the content class, against the aligned labels
  (blank lines are not scored);
* mean over pages of the token-bag F1 of the kept text against the set's gold text;

then how well the page confidence (bpclass.confidence) ranks each set's pages by
their bag F1, the bag F1 by language and, for sets that give one (wcxb_dev), by page type,
and for ``trafilatura_eval`` (snippets only) the share of ``with_snippets`` kept and
of ``without_snippets`` dropped, per language.

``oracle`` is the bag F1 of the aligned labels themselves: the ceiling a perfect
line labeling reaches (with ``--policy-labels``, of the labels with our policy
applied: the ceiling of a labeling that follows it). Prints Markdown tables (the
the README's and docs/model-card.md's score tables).

    python -m training.evaluate                     # the bundled model
    python -m training.evaluate --model my.npz --sets wcxb_dev
    python -m training.evaluate --layout soup       # lines as BeautifulSoup's get_text("\\n") gives
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import numpy as np

import bpclass
from bpclass.confidence import expected_bag_f1
from bpclass.pagetype import PAGE_TYPES, page_types
from training import script_parser
from training.c4rules import c4_labels
from training.data import content_span, evaluation_pages, laid_out_as, with_policy_labels
from training.layouts import LAYOUTS
from training.prepare import ALL_SETS, DEFAULT_DATA, DEFAULT_OUT
from training.textmetrics import bag_f1

SYSTEMS = ("bpclass", "keep-all", "C4 rules")


def _line_prf(pred: np.ndarray, gold: np.ndarray) -> tuple[int, int, int]:
    tp = int(((pred == 1) & (gold == 1)).sum())
    return tp, int((pred == 1).sum()), int((gold == 1).sum())


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _system_labels(system: str, lines: list[str], predicted: np.ndarray) -> np.ndarray:
    if system == "keep-all":
        return np.array([int(bool(line.strip())) for line in lines])
    if system == "C4 rules":
        return np.array(c4_labels(lines), dtype=np.int64)
    return predicted


def _kept_text(lines: list[str], labels) -> str:
    return "\n".join(line for line, y in zip(lines, labels) if y)


def trained_sets(model) -> tuple[str, ...]:
    """The sets a model was trained on, as its metadata names them (their test splits
    are its held-out pages)."""
    return tuple(model.metadata_.get("training_data", {}).get("sets", {}))


def whole_sets(model) -> tuple[str, ...]:
    """The sets a model was trained on every page of (it has no held-out page of them)."""
    return tuple(model.metadata_.get("training_data", {}).get("whole_sets", ()))


def held_out_pages(model, name: str, prepared: Path = DEFAULT_OUT) -> list[dict]:
    """The pages of a set the model never trained on, with a gold text."""
    pages = evaluation_pages(name, prepared, trained_sets(model), whole_sets(model))
    return [p for p in pages if p.get("gold") is not None]


def site_keys(pages: list[dict]) -> list[str]:
    """Each page's site for ``predict(..., sites=...)``: its set and host (pages
    without a URL are their own site)."""
    return [f"{p['set']}:{p.get('site') or p.get('id')}" for p in pages]


def _predicted(model, pages: list[dict], threshold=None, sites: bool = False) -> list:
    """The model's labels of the pages (``sites=True``: told each page's site, see
    :func:`site_keys`). Arguments left at their defaults are not passed, for stand-in
    models that take fewer."""
    told = {"sites": site_keys(pages)} if sites else {}
    if threshold is not None:
        told["threshold"] = threshold
    return model.predict([p["lines"] for p in pages], **told)


def page_bag_scores(model, pages: list[dict], sites: bool = False) -> list[tuple[float, float, float]]:
    """The bag precision, recall and F1 of each page's kept text against its gold text
    (``sites=True``: the model is told each page's site, see :func:`site_keys`)."""
    predicted = _predicted(model, pages, sites=sites)
    return [bag_f1(_kept_text(p["lines"], y), p["gold"]) for p, y in zip(pages, predicted)]


def page_bag_f1s(model, pages: list[dict], sites: bool = False) -> list[float]:
    """The bag F1 of each page's kept text against its gold text."""
    return [f1 for _, _, f1 in page_bag_scores(model, pages, sites)]


def score_pages(model, pages: list[dict], threshold=None, sites: bool = False) -> dict:
    """Line P/R/F1 and mean bag F1 of bpclass and the baselines on pages with a gold text.

    ``per_page`` lists (language, {system: bag F1}) for the by-language table,
    ``page_types`` each page's type where its set gives one (else None). ``sites=True``
    tells the model each page's site, so that lines recurring across a site's pages
    are dropped (see ``bpclass.sites``).
    """
    pages = [p for p in pages if p.get("gold") is not None]
    confidence = None
    if pages and hasattr(model, "predict_with_proba"):
        told = {"sites": site_keys(pages)} if sites else {}
        predicted, probas = model.predict_with_proba([p["lines"] for p in pages], threshold, **told)
        confidence = [expected_bag_f1(p["lines"], q, y) for p, q, y in zip(pages, probas, predicted)]
    else:
        predicted = _predicted(model, pages, threshold, sites) if pages else []
    out = {"per_page": [(p.get("lang") or "?", {}) for p in pages], "page_types": [p.get("page_type") for p in pages]}
    out["confidence"] = confidence
    if any(out["page_types"]):  # what bpclass.pagetype says (lines and address) of pages it did not learn from
        typed = page_types([p["lines"] for p in pages], [p.get("url") for p in pages])
        out["typed_as"] = [
            t if p.get("split") != "train" and p.get("page_type") in PAGE_TYPES else None for p, t in zip(pages, typed)
        ]  # a set's own types (htmltotext_leogao's news, blog) are not bpclass.pagetype's
    for system in SYSTEMS:
        counts = np.zeros(3, dtype=np.int64)
        bags = []
        for k, (page, ours) in enumerate(zip(pages, predicted)):
            lines = page["lines"]
            labels = _system_labels(system, lines, ours)
            scored = np.array([y is not None for y in page["labels"]], dtype=bool)
            gold = np.array([y if y is not None else -1 for y in page["labels"]])
            counts += _line_prf(labels[scored], gold[scored])
            bags.append(bag_f1(_kept_text(lines, labels), page["gold"])[2])
            out["per_page"][k][1][system] = bags[-1]
        p, r, f = _prf(*counts)
        out[system] = {"line_p": p, "line_r": r, "line_f1": f, "bag_f1": statistics.mean(bags) if bags else 0.0}
    out["pages"] = len(pages)
    # The ceiling: the bag F1 of the lines the labels call content (with policy labels,
    # what a labeling that follows our policy perfectly scores against the gold).
    oracle = [bag_f1(_kept_text(p["lines"], [y == 1 for y in p["labels"]]), p["gold"])[2] for p in pages]
    out["oracle_bag_f1"] = statistics.mean(oracle) if oracle else 0.0
    return out


def _normalise(text: str) -> str:
    return " ".join(text.split())


def score_snippets(model, pages: list[dict], threshold=None) -> dict:
    """Per language and system: share of ``with_snippets`` kept, of ``without_snippets`` dropped."""
    pages = [p for p in pages if p.get("with_snippets") or p.get("without_snippets")]
    predicted = model.predict([p["lines"] for p in pages], threshold=threshold) if pages else []
    tallies: dict = {}
    for page, ours in zip(pages, predicted):
        for lang in (page.get("lang") or "?", "all"):
            row = tallies.setdefault(lang, {"pages": 0, **{s: [0, 0, 0, 0] for s in SYSTEMS}})
            row["pages"] += 1
            for system in SYSTEMS:
                kept = _normalise(_kept_text(page["lines"], _system_labels(system, page["lines"], ours)))
                with_, without = page.get("with_snippets") or [], page.get("without_snippets") or []
                row[system][0] += sum(_normalise(s) in kept for s in with_)
                row[system][1] += len(with_)
                row[system][2] += sum(_normalise(s) not in kept for s in without)
                row[system][3] += len(without)
    return tallies


def evaluate(
    model,
    sets=ALL_SETS,
    prepared: Path = DEFAULT_OUT,
    trained_on=(),
    threshold=None,
    blank_lines=True,
    span=False,
    policy=False,
    sites=False,
    layout=None,
    whole=(),
) -> dict:
    """Scores per set (see :func:`score_pages`), plus ``all pages`` pooling every page with a gold text.

    ``blank_lines=False`` scores the pages with their blank lines removed, as
    scrapers that drop empty lines give them; ``span=True`` scores them cut to run
    from their first to their last content line, as an article's container gives them.
    ``policy=True`` scores the lines against labels with our label policy applied
    (short datelines, bylines and credits are boilerplate; see ``training.data``);
    the bag F1 is still against each set's own gold text. ``sites=True`` gives the
    model each page's site (see :func:`score_pages`). ``layout`` (a key of
    ``training.layouts.LAYOUTS``) scores the pages as that tool lays them out, leaving
    out those it has no lines of (the line-label sets, which come without HTML).
    Sets in ``whole`` (the model trained on all their pages) are left out.
    """
    results = {}
    every = []
    for name in sets:
        pages = laid_out_as(evaluation_pages(name, prepared, trained_on, whole), layout, blank_lines)
        if span:
            pages = [content_span(p) for p in pages]
        if policy:
            pages = with_policy_labels(pages)
        if not any(p.get("gold") is not None for p in pages):
            continue  # snippet-only sets: see score_snippets
        results[name] = score_pages(model, pages, threshold, sites)
        every += pages
    results["all pages"] = score_pages(model, every, threshold, sites)
    return results


def _largest_first(groups: dict) -> list:
    return sorted(groups.items(), key=lambda item: -len(item[1]))


def _means_row(label: str, pages: list[dict]) -> str:
    """A table row: the label, the pages, and each system's mean bag F1 over them."""
    means = [statistics.mean(p[s] for p in pages) for s in SYSTEMS]
    return f"| {label} | {len(pages)} | **{means[0]:.3f}** | {means[1]:.3f} | {means[2]:.3f} |"


def format_languages(results: dict) -> str:
    """Mean bag F1 per language over every evaluated page with a gold text."""
    by_lang: dict = {}
    for lang, scores in results["all pages"]["per_page"]:
        by_lang.setdefault(lang, []).append(scores)
    rows = ["| language | pages | bpclass bag F1 | keep-all bag F1 | C4 rules bag F1 |", "|---|---|---|---|---|"]
    rows += [_means_row(lang, pages) for lang, pages in _largest_first(by_lang)]
    return "\n".join(rows)


def format_page_types(results: dict) -> str:
    """Mean bag F1 per page type, for the sets that give their pages' types ("" if none
    does), and how often bpclass.pagetype tells the type from the text lines and address."""
    head = "| set | page type | pages | bpclass bag F1 | keep-all bag F1 | C4 rules bag F1 | typed so by bpclass |"
    rows = [head, "|---" * 7 + "|"]
    for name, r in results.items():
        if name == "all pages" or not any(r.get("page_types", ())):
            continue
        by_type: dict = {}
        typed: dict = {}
        told_as = r.get("typed_as") or [None] * len(r["page_types"])
        for kind, told, (_, scores) in zip(r["page_types"], told_as, r["per_page"]):
            by_type.setdefault(kind or "?", []).append(scores)
            if told is not None and kind:
                typed.setdefault(kind, []).append(told == kind)
        for kind, pages in _largest_first(by_type):
            share = f"{statistics.mean(typed[kind]):.3f}" if typed.get(kind) else "-"
            rows.append(f"{_means_row(f'{name} | {kind}', pages)} {share} |")
        hits = [hit for kind_hits in typed.values() for hit in kind_hits]
        if hits:
            rows.append(f"| {name} | all typed pages | {len(hits)} | | | | **{statistics.mean(hits):.3f}** |")
    return "\n".join(rows) if len(rows) > 2 else ""


def confidence_scores(confidence: list[float], bags: list[float]) -> tuple[float, float]:
    """(Spearman correlation of the pages' confidence with their bag F1, the share of
    the loss (1 - bag F1, summed) that the tenth of pages with the lowest confidence
    carries)."""
    from scipy.stats import spearmanr

    order = np.argsort(np.asarray(confidence), kind="stable")
    loss = 1.0 - np.asarray(bags)
    lowest = order[: max(1, len(order) // 10)]
    share = float(loss[lowest].sum() / loss.sum()) if loss.sum() > 0 else 0.0
    rho = float(spearmanr(confidence, bags).statistic) if len(set(confidence)) > 1 else 0.0
    return rho, share


def format_confidence(results: dict) -> str:
    """Per set: how well the model's page confidence ranks its pages (bpclass.confidence)."""
    rows = ["| set | pages | Spearman (confidence, bag F1) | loss in the lowest-confidence tenth |"]
    rows.append("|---|---|---|---|")
    for name, r in results.items():
        if not r.get("confidence") or r["pages"] < 10:
            continue
        rho, share = confidence_scores(r["confidence"], [scores["bpclass"] for _, scores in r["per_page"]])
        rows.append(f"| {name} | {r['pages']} | {rho:.3f} | {share:.1%} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def format_snippets(tallies: dict) -> str:
    rows = [
        "| language | pages | bpclass: with kept / without dropped | keep-all | C4 rules |",
        "|---|---|---|---|---|",
    ]
    order = sorted((k for k in tallies if k != "all"), key=lambda k: -tallies[k]["pages"]) + ["all"]
    for lang in order:
        row = tallies[lang]
        cells = []
        for system in SYSTEMS:
            kept, n_with, dropped, n_without = row[system]
            cells.append(f"{kept / max(n_with, 1):.3f} / {dropped / max(n_without, 1):.3f}")
        rows.append(f"| {lang} | {row['pages']} | **{cells[0]}** | {cells[1]} | {cells[2]} |")
    return "\n".join(rows)


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
    parser = script_parser(__doc__, "training.evaluate")
    parser.add_argument("--model", type=Path, default=None, help="model file (default: the bundled model)")
    parser.add_argument("--prepared", type=Path, default=DEFAULT_OUT, help="folder of prepared sets")
    parser.add_argument("--sets", nargs="+", default=list(ALL_SETS))
    parser.add_argument("--json", type=Path, default=None, help="also write the scores as JSON here")
    parser.add_argument("--no-blank-lines", action="store_true", help="score the pages with their blank lines removed")
    parser.add_argument(
        "--content-span", action="store_true", help="score the pages cut to their first..last content line"
    )
    parser.add_argument(
        "--policy-labels",
        action="store_true",
        help="line scores against labels with our policy applied (short datelines, bylines, credits are 0)",
    )
    parser.add_argument(
        "--sites",
        action="store_true",
        help="give the model each page's site, so lines recurring across a site's pages are dropped",
    )
    parser.add_argument(
        "--layout",
        choices=sorted(LAYOUTS),
        default=None,
        help="score the pages as this tool lays them out (training.prepare keeps those installed) "
        "instead of bpclass's own layout",
    )
    parser.add_argument(
        "--html",
        action="store_true",
        help="score bpclass from the HTML (the HTML stage, cross-fitted by site: training/htmlstage.py) beside "
        "bpclass from the text lines and the installed extractors, on the held-out pages that come as HTML",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="with --html: folder of the shared sets")
    parser.add_argument("--no-peers", action="store_true", help="with --html: leave out the other extractors")
    parser.add_argument(
        "--stage-sets",
        nargs="+",
        default=None,
        metavar="SET",
        help="with --html: fit the HTML stage on these sets' pages (default: training.htmlstage.STAGE_SETS)",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        model = bpclass.load_model(args.model)
    except bpclass.ModelFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.html:
        from training.htmlstage import score_table

        sets = None if args.sets == list(ALL_SETS) else args.sets
        print(f"model: {args.model or 'bundled default'}; bag F1, mean over held-out pages")
        print(
            "bpclass, HTML: the HTML stage cross-fitted by site (training/htmlstage.py; scrapinghub_aeb: fitted on all)"
        )
        try:
            told = {} if args.stage_sets is None else {"stage_sets": tuple(args.stage_sets)}
            table = score_table(model, args.prepared, args.data, sets, peers=not args.no_peers, **told)
            print(table)
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    trained_on = trained_sets(model)
    try:
        results = evaluate(
            model,
            args.sets,
            args.prepared,
            trained_on,
            blank_lines=not args.no_blank_lines,
            span=args.content_span,
            policy=args.policy_labels,
            sites=args.sites,
            layout=args.layout,
            whole=whole_sets(model),
        )
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"model: {args.model or 'bundled default'}; trained on {', '.join(trained_on) or 'unknown sets'}")
    whole = whole_sets(model)
    split = [name for name in trained_on if name not in whole]
    print(f"held out: the test split (by site) of {', '.join(split) or '-'}; every page of the other sets")
    if whole:
        print(f"trained on every page of {', '.join(whole)}: scored by training.experiments.setcv instead")
    forms = [f"as {LAYOUTS[args.layout][1]} lays them out"] if args.layout else []
    forms += ["blank lines removed"] * args.no_blank_lines + ["cut to the content span"] * args.content_span
    notes = [f"pages {' and '.join(forms)}"] * bool(forms)
    notes += ["line scores against labels with our label policy applied"] * args.policy_labels
    notes += ["each page's site given to the model (lines recurring across a site's pages dropped)"] * args.sites
    print("\n".join(notes) + "\n" if notes else "")
    print(format_table(results))
    confidence = format_confidence(results)
    if confidence:
        print("\nPage confidence (the bag F1 the model expects of each page, bpclass.confidence):\n")
        print(confidence)
    print("\nBy language (every page above with a gold text; languages as the sets give or detect them):\n")
    print(format_languages(results))
    by_type = format_page_types(results)
    if by_type:
        print("\nBy page type (sets that give one; the last column: the share bpclass.pagetype types so):\n")
        print(by_type)
    if "trafilatura_eval" in args.sets and not (args.no_blank_lines or args.content_span):
        try:
            tallies = score_snippets(model, evaluation_pages("trafilatura_eval", args.prepared, trained_on))
        except FileNotFoundError:
            tallies = {}
        if tallies:
            print("\ntrafilatura_eval snippets: share of with_snippets kept / of without_snippets dropped:\n")
            print(format_snippets(tallies))
    if args.json:
        for r in results.values():
            r.pop("per_page", None)
            r.pop("page_types", None)
            r.pop("typed_as", None)
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
