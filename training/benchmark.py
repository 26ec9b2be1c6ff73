"""Throughput: bpclass beside C4's line rules, trafilatura and resiliparse, on the same pages, in one run.

Pages come from the shared data sets: their HTML for trafilatura and resiliparse
(which read HTML) and for bpclass's HTML mode (``bpclass.html`` lays the page out
and records its markup, then the model reads the lines and the HTML stage the
markup; also timed without the stage, and the layouts alone), the same pages laid out as text lines beforehand for
bpclass's text mode and C4's rules. Each system runs on
one core (this process), after one warm-up pass, the systems taking turns in rotating
order (the best of REPEATS rounds counts). Printed per system: pages/s,
lines/s, peak Python-heap memory (tracemalloc; numpy's buffers included) and the
ratio of bpclass's speed to each peer's; then the start-up time: ``bpclass clean`` on a
shipped example page, start to finish, in a fresh process. Run it on an otherwise idle machine.

bpclass caches the features of short lines it has seen (menus and footers repeat
across a site's pages); each timed run starts with an empty cache, so only repeats
within the run's pages help, as in a real corpus run.

bpclass is timed two ways: ``batch`` (``predict`` on batches of pages, as corpus mode
does) and ``per page`` (one ``predict`` call per page). ``--also-model PATH`` times
another model file (batch) in the same run, e.g. the bundled model before a change.
``--sites`` also times ``predict(..., sites=...)`` on the same batches, each page
given its host name, for what finding the site template lines costs.
With html2text installed (the ``bench`` extra), bpclass is also timed on the same
pages as html2text's Markdown (its default output, wrapped at 78 characters: lines read
as the text they show, wrapped paragraphs joined), the input that Markdown converters
and crawlers for language models give; its lines/s counts the text-line pages' lines.

    python -m training.benchmark                     # 600 pages
    python -m training.benchmark --pages 2000 --no-trafilatura
    python -m training.benchmark --pages 400 --also-model old.npz
    python -m training.benchmark --no-trafilatura --sites
    python -m training.benchmark --no-trafilatura --memory    # peak memory: largest page, line cap, 100,000 records
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
from bpclass.html import html_lines as html_to_lines
from bpclass.html import lay_out
from training import script_parser
from training.c4rules import c4_labels
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


# What the memory table runs, each in a fresh process that prints its peak resident size:
# Linux's VmHWM, which starts afresh with the process's own memory (ru_maxrss keeps the
# high-water mark of the parent that forked it), elsewhere ru_maxrss.
_PEAK = """
import resource, sys
try:
    hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
    print(int(hwm.split()[1]) * 1024)
except (OSError, IndexError):
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""
MEMORY_RECORDS = 100_000


def _peak_rss(code: str) -> int:
    """The peak resident memory (bytes) of a fresh Python process running ``code``."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", code + "\n" + _PEAK], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


def memory_table(largest: list[str], records: int = MEMORY_RECORDS) -> list[tuple[str, int]]:
    """(case, peak resident bytes): bpclass loaded, the largest benchmark page, a page at
    the line cap, and corpus mode over ``records`` JSONL records (from the shipped
    example pages, in batches of the default size, --jobs 1)."""
    import json
    import tempfile

    from bpclass.records import MAX_PAGE_LINES

    load = "import bpclass; model = bpclass.load_model()"
    with tempfile.TemporaryDirectory() as scratch:
        page, capped = Path(scratch) / "page.json", Path(scratch) / "capped.json"
        page.write_text(json.dumps(largest))
        filler = [line for line in largest if line.strip()] or ["A line of text."]
        capped.write_text(json.dumps([filler[k % len(filler)] for k in range(MAX_PAGE_LINES)]))
        examples = (Path(__file__).resolve().parent.parent / "data" / "pages.jsonl").read_text().splitlines()
        source = Path(scratch) / "records.jsonl"
        with open(source, "w") as fh:
            for k in range(records):
                fh.write(examples[k % len(examples)] + "\n")
        out = str(Path(scratch) / "out.jsonl")
        run = f"from bpclass.cli import main; main(['clean', '--jsonl', {str(source)!r}, '-o', {out!r}])"

        def predict(path: Path) -> str:
            return f"{load}; import json; model.predict([json.load(open({str(path)!r}))])"

        return [
            ("bpclass imported, the bundled model loaded", _peak_rss(load)),
            (f"the largest page of these ({len(largest):,} lines)", _peak_rss(predict(page))),
            (f"a page at the line cap ({MAX_PAGE_LINES:,} lines)", _peak_rss(predict(capped))),
            (f"corpus mode, {records:,} records, --jobs 1", _peak_rss(run)),
        ]


STARTUP_RUNS = 5


def startup_table(runs: int = STARTUP_RUNS) -> list[tuple[str, float]]:
    """(case, seconds, best of ``runs``): a fresh Python process that does nothing, one
    that imports bpclass, and the ``bpclass clean`` command on a shipped example page,
    each start to finish as a user waits for it."""
    import subprocess

    example = Path(__file__).resolve().parent.parent / "data" / "pages" / "en_news_library.txt"
    clean = [sys.executable, "-c", "import sys; from bpclass.cli import main; sys.exit(main())", "clean", str(example)]
    cases = [
        ("python, nothing imported", [sys.executable, "-c", "pass"]),
        ("import bpclass", [sys.executable, "-c", "import bpclass"]),
        (f"bpclass clean {example.parent.name}/{example.name}", clean),
    ]
    out = []
    for case, command in cases:
        best = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            best = min(best, time.perf_counter() - start)
        out.append((case, best))
    return out


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
    parser.add_argument(
        "--memory",
        action="store_true",
        help=f"also print peak memory: the largest page, a page at the line cap, {MEMORY_RECORDS:,} JSONL records",
    )
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

    htmls = [html for html, _, _ in pages]
    systems = {
        "bpclass (batch)": _batches(model, line_pages),
        "bpclass (HTML: layout with markup, batch, HTML stage)": lambda: [
            model.predict_html(htmls[i : i + BATCH]) for i in range(0, len(htmls), BATCH)
        ],
        "bpclass (HTML: layout and batch, lines only)": lambda: [
            model.predict([html_to_lines(html) for html in htmls[i : i + BATCH]]) for i in range(0, len(htmls), BATCH)
        ],
        "bpclass's HTML layout alone": lambda: [html_to_lines(html) for html in htmls],
        "bpclass's HTML layout with markup alone": lambda: [lay_out(html, markup=True) for html in htmls],
        "bpclass (per page)": lambda: [model.predict([lines]) for lines in line_pages],
        **{name: _batches(other, line_pages) for name, other in others.items()},
        "C4 line rules": lambda: [c4_labels(lines) for lines in line_pages],
    }
    try:
        import html2text

        markdown_pages = [html2text.HTML2Text().handle(html).splitlines() for html in htmls]
        systems["bpclass (batch, html2text's Markdown of the pages)"] = _batches(model, markdown_pages)
    except ImportError:
        print("html2text is not installed (pip install html2text); the Markdown row is skipped\n")
    if args.sites:
        sites = [site for _, _, site in pages]
        systems["bpclass (batch, sites given)"] = _batches(model, line_pages, sites)
    if not args.no_trafilatura:
        try:
            import trafilatura

            systems["trafilatura (HTML)"] = lambda: [trafilatura.extract(html) for html in htmls]
        except ImportError:
            print("trafilatura is not installed (pip install trafilatura); skipped\n")
        try:
            from resiliparse.extract.html2text import extract_plain_text

            systems["resiliparse (HTML, main content)"] = lambda: [
                extract_plain_text(html, main_content=True) for html in htmls
            ]
        except ImportError:
            print("resiliparse is not installed (pip install resiliparse); skipped\n")

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
    print(f"\n| start-up (a fresh process, best of {STARTUP_RUNS}) | seconds |\n|---|---|")
    for case, seconds in startup_table():
        print(f"| {case} | {seconds:.2f} |")
    if args.memory:
        print("\n| case (each in a fresh process) | peak resident memory |\n|---|---|")
        for case, peak in memory_table(max(line_pages, key=len)):
            print(f"| {case} | {peak / 2**20:,.0f} MiB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
