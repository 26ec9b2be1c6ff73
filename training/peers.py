"""Accuracy beside the HTML extractors: bpclass on the text lines, and trafilatura,
readability and resiliparse on the same pages' HTML, scored against the same gold.

For every set whose pages come as HTML: the pages the model never trained on (as in
``training.evaluate``). Each extractor reads the page's HTML from the shared data
set; bpclass reads the lines ``training.prepare`` laid out from that HTML. Printed:
the mean over pages of the token-bag F1 of each one's text against the set's gold
text (a Markdown table, the README's score table). An extractor that is not
installed is left out; one that fails on a page scores 0 there.

    pip install ".[bench]"                          # trafilatura, readability-lxml, resiliparse
    python -m training.peers                        # every set with HTML, the bundled model
    python -m training.peers --sets newspaper4k_aed --limit 50    # a quick look
    python -m training.peers --layouts              # bpclass also on other tools' text lines
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import bpclass
from bpclass.html import html_lines as html_to_lines
from training import script_parser
from training.data import LINE_LABEL_SETS
from training.evaluate import _kept_text, held_out_pages, page_bag_f1s
from training.layouts import LAYOUTS, installed, installed_layouts
from training.prepare import ALL_SETS, DEFAULT_DATA, DEFAULT_OUT
from training.textmetrics import bag_f1

# Sets with HTML and a full gold text (trafilatura_eval has snippets only).
HTML_SETS = tuple(name for name in ALL_SETS if name not in LINE_LABEL_SETS and name != "trafilatura_eval")


def _trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def _readability(html: str) -> str:
    import logging

    from readability import Document

    logging.getLogger("readability.readability").setLevel(logging.CRITICAL)  # its own failures: scored 0

    return "\n".join(html_to_lines(Document(html).summary()))


def _resiliparse(html: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    return extract_plain_text(html, main_content=True)


PEERS = {"trafilatura": _trafilatura, "readability": _readability, "resiliparse": _resiliparse}


def installed_peers() -> list[str]:
    """The extractors of PEERS that are installed (each is imported as it is named)."""
    return [name for name in PEERS if installed(name)]


def _peer_scores(job: tuple[list[str], str, str]) -> list[float]:
    """The bag F1 of each named extractor's text of one page (0 where it fails)."""
    names, html, gold = job
    out = []
    for name in names:
        try:
            text = PEERS[name](html)
        except Exception:  # noqa: BLE001 - a peer's failure on a page is its score of 0
            text = ""
        out.append(bag_f1(text, gold)[2])
    return out


def _htmls(data: Path, name: str, ids: set) -> dict:
    """The HTML of the pages ``ids`` of a shared set."""
    out = {}
    with gzip.open(data / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        for raw in fh:
            record = json.loads(raw)
            if str(record.get("id")) in ids and record.get("html"):
                out[str(record["id"])] = record["html"]
    return out


def score_set(
    model, name: str, peers: list[str], data: Path, prepared: Path, jobs: int, limit=None, layouts=()
) -> dict:
    """Per system, the bag F1 of each held-out page of a set that has HTML; with
    ``layouts``, also bpclass on each of those tools' lines of the page."""
    pages = held_out_pages(model, name, prepared)
    htmls = _htmls(data, name, {str(p["id"]) for p in pages})
    pages = [p for p in pages if str(p["id"]) in htmls][:limit]
    scores = {"bpclass": page_bag_f1s(model, pages)}
    jobs_in = [(peers, htmls[str(p["id"])], p["gold"]) for p in pages]
    if jobs <= 1:
        per_page = list(map(_peer_scores, jobs_in))
    else:
        with ProcessPoolExecutor(jobs) as pool:
            per_page = list(pool.map(_peer_scores, jobs_in, chunksize=4))
    for k, peer in enumerate(peers):
        scores[peer] = [row[k] for row in per_page]
    for layout in layouts:
        lines = [LAYOUTS[layout][2](htmls[str(p["id"])]) for p in pages]
        kept = model.predict(lines)
        scores[f"bpclass on {LAYOUTS[layout][1]}"] = [
            bag_f1(_kept_text(page_lines, labels), p["gold"])[2] for p, page_lines, labels in zip(pages, lines, kept)
        ]
    return scores


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.peers")
    parser.add_argument("--model", default=None, help="a model file (default: the bundled model)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the shared *.jsonl.gz sets")
    parser.add_argument("--prepared", type=Path, default=DEFAULT_OUT, help="prepared sets (training.prepare)")
    parser.add_argument("--sets", nargs="+", default=list(HTML_SETS), choices=HTML_SETS, metavar="SET")
    parser.add_argument("--limit", type=int, default=None, help="at most this many pages per set")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the extractors (default 2)")
    parser.add_argument(
        "--layouts",
        action="store_true",
        help="also bpclass on other tools' lines of the page (resiliparse, BeautifulSoup, inscriptis)",
    )
    args = parser.parse_args(argv)
    try:
        model = bpclass.load_model(args.model)
        peers = installed_peers()
        if not peers:
            print('no extractor is installed: pip install ".[bench]"', file=sys.stderr)
        layouts = installed_layouts() if args.layouts else []
        systems = ["bpclass", *(f"bpclass on {LAYOUTS[layout][1]}" for layout in layouts), *peers]
        print(f"bpclass: {'bundled model' if args.model is None else args.model}, from the text lines; ", end="")
        print("the others from the HTML. Mean bag F1 over pages against each set's gold text.\n")
        print("| set | pages | " + " | ".join(systems) + " |")
        print("|---|---|" + "---|" * len(systems))
        pooled: dict = {s: [] for s in systems}
        for name in args.sets:
            scores = score_set(model, name, peers, args.data, args.prepared, args.jobs, args.limit, layouts)
            n = len(scores["bpclass"])
            means = [statistics.mean(scores[s]) if n else 0.0 for s in systems]
            print(f"| {name} | {n} | " + " | ".join(_cell(m, means) for m in means) + " |", flush=True)
            for s in systems:
                pooled[s] += scores[s]
        n = len(pooled["bpclass"])
        means = [statistics.mean(pooled[s]) if n else 0.0 for s in systems]
        print(f"| all pages | {n} | " + " | ".join(_cell(m, means) for m in means) + " |")
    except (FileNotFoundError, bpclass.ModelFileError) as exc:
        print(f"error: {exc} (run python -m training.prepare first, with ../shared/datasets)", file=sys.stderr)
        return 2
    return 0


def _cell(value: float, row: list[float]) -> str:
    """A score, in bold when it is the row's best."""
    return f"**{value:.3f}**" if value == max(row) else f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
