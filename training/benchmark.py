"""Throughput: bpclass beside C4's line rules and trafilatura, on the same pages, in one run.

Pages come from the shared data sets: their HTML for trafilatura (which reads HTML),
the same pages laid out as text lines for bpclass and C4's rules. Each system runs on
one core (this process), after one warm-up pass, the systems taking turns in rotating
order (the best of REPEATS rounds counts). Printed per system: pages/s,
lines/s, peak Python-heap memory (tracemalloc; numpy's buffers included) and the
ratio of bpclass's speed to each peer's. Run it on an otherwise idle machine.

bpclass caches the features of short lines it has seen (menus and footers repeat
across a site's pages); each timed run starts with an empty cache, so only repeats
within the run's pages help, as in a real corpus run.

bpclass is timed two ways: ``batch`` (``predict`` on batches of pages, as corpus mode
does) and ``per page`` (one ``predict`` call per page). ``--also-model PATH`` times
another model file (batch) in the same run, e.g. the bundled model before a change.
``--sites`` also times ``predict(..., sites=...)`` on the same batches, each page
given its host name, for what finding the site template lines costs.

    python -m training.benchmark                     # 600 pages
    python -m training.benchmark --pages 2000 --no-trafilatura
    python -m training.benchmark --pages 400 --also-model old.npz
    python -m training.benchmark --no-trafilatura --sites
"""

from __future__ import annotations

import gzip
import json
import sys
import time
import tracemalloc
from pathlib import Path

import bpclass
import bpclass.features
from bpclass.features import clear_line_cache
from training import script_parser
from training.c4rules import c4_labels
from training.htmltext import html_to_lines
from training.prepare import DEFAULT_DATA, site_of

SETS = ("newspaper4k_aed", "wcxb_dev", "dragnet", "cleaneval")
BATCH = 200
# Timed runs per system; the best counts (a shared machine's noise only slows runs down).
REPEATS = 5
# The throughput goal is stated for pages of about this many lines.
GOAL_LINES_PER_PAGE = 150


def load_pages(data: Path, n: int) -> list[tuple[str, list[str], str]]:
    """(html, lines, site) for about n pages, taken evenly from SETS."""
    per_set = n // len(SETS) + 1
    out = []
    for name in SETS:
        taken = 0
        with gzip.open(data / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
            for raw in fh:
                if taken >= per_set:
                    break
                record = json.loads(raw)
                lines = html_to_lines(record["html"]) if record.get("html") else []
                if lines:
                    out.append((record["html"], lines, f"{name}:{site_of(record)}"))
                    taken += 1
    return out[:n]


def timed(systems: dict) -> dict:
    """Per system: (best of REPEATS wall times, peak memory of one more run under tracemalloc).

    The systems take turns, one run each per round, each round starting one system
    later: a machine that speeds up or slows down during the benchmark (clock, other
    jobs) does so for all of them alike, and no system always runs right after the
    same other one (what ran just before moves a run's time by a few percent: timed
    one after the other, or in the same order every round, the same model came out up
    to 4.5% slower in one place than in another). tracemalloc slows Python code down
    several times, so it never runs while timing.
    """
    for fn in systems.values():
        fn()  # warm-up: lazy imports, the bundled model
    seconds = dict.fromkeys(systems, float("inf"))
    order = list(systems.items())
    for round_ in range(REPEATS):
        for name, fn in order[round_ % len(order) :] + order[: round_ % len(order)]:
            clear_line_cache()  # repeats across these pages count; repeats of the last run do not
            start = time.perf_counter()
            fn()
            seconds[name] = min(seconds[name], time.perf_counter() - start)
    out = {}
    for name, fn in systems.items():
        clear_line_cache()
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out[name] = (seconds[name], peak)
    return out


def _batches(model, line_pages: list[list[str]], sites=None):
    """A function that predicts every page with ``model``, BATCH pages per call
    (with ``sites``, each page's site is given too)."""
    return lambda: [
        model.predict(line_pages[i : i + BATCH], sites=None if sites is None else sites[i : i + BATCH])
        for i in range(0, len(line_pages), BATCH)
    ]


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.benchmark")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--no-trafilatura", action="store_true", help="skip trafilatura (slow)")
    parser.add_argument(
        "--also-model",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="also time this model file in batches (e.g. an earlier bundled model); repeatable",
    )
    parser.add_argument("--sites", action="store_true", help="also time predict(..., sites=...) on the same batches")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: data folder {args.data} not found (pass --data)", file=sys.stderr)
        return 2
    try:
        others = {f"bpclass (batch, {path.name})": bpclass.load_model(path) for path in args.also_model}
    except bpclass.ModelFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    pages = load_pages(args.data, args.pages)
    line_pages = [lines for _, lines, _ in pages]
    n_lines = sum(len(lines) for lines in line_pages)
    n_text = sum(1 for lines in line_pages for line in lines if line.strip())
    model = bpclass.load_model()
    print(
        f"{len(pages)} pages, {n_lines / len(pages):.0f} lines per page on average "
        f"({n_text / len(pages):.0f} not blank); one core; compiled speedups: {bpclass.features.NATIVE}\n"
    )

    systems = {
        "bpclass (batch)": _batches(model, line_pages),
        "bpclass (per page)": lambda: [model.predict([lines]) for lines in line_pages],
        **{name: _batches(other, line_pages) for name, other in others.items()},
        "C4 line rules": lambda: [c4_labels(lines) for lines in line_pages],
    }
    if args.sites:
        sites = [site for _, _, site in pages]
        systems["bpclass (batch, sites given)"] = _batches(model, line_pages, sites)
    if not args.no_trafilatura:
        try:
            import trafilatura

            systems["trafilatura (HTML)"] = lambda: [trafilatura.extract(html) for html, _, _ in pages]
        except ImportError:
            print("trafilatura is not installed (pip install trafilatura); skipped\n")

    # One core: no library may start helper threads (numpy's BLAS would spin on the other core).
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        times = timed(systems)
    results = {name: (len(pages) / seconds, n_lines / seconds, peak) for name, (seconds, peak) in times.items()}
    ours = results["bpclass (batch)"][0]
    print("| system | pages/s | lines/s | peak memory | bpclass (batch) speed / this |")
    print("|---|---|---|---|---|")
    for name, (pps, lps, peak) in results.items():
        print(f"| {name} | {pps:,.0f} | {lps:,.0f} | {peak / 1e6:.0f} MB | {ours / pps:.2f}x |")
    lines_per_s = results["bpclass (batch)"][1]
    print(
        f"\nbpclass (batch) at {GOAL_LINES_PER_PAGE} lines per page: {lines_per_s / GOAL_LINES_PER_PAGE:,.0f} pages/s "
        f"(its lines/s over {GOAL_LINES_PER_PAGE}; these pages have {n_lines / len(pages):.0f} lines)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
