"""Turn the shared HTML + gold-text data sets into labeled text-line pages.

For each page: lay the HTML out as text lines (``bpclass.html``, the library's own layout), label each
line by aligning it with the gold text (``training.align``), and measure the
labeling: the token-bag F1 of the lines labeled content against the gold text. Sets
that already come as text lines with line labels (``turku_*``) are taken as they are.

Output: one ``<set>.jsonl.gz`` per set in ``--out`` (default ``build/prepared``,
which git ignores: the public sets' pages never enter the repository), in bpclass's
JSON Lines format with extra fields ``dataset``, ``gold`` (the reference text),
``labeler_f1`` and ``split`` (``train`` or ``test``, decided by site), and ``layouts``:
the same page as other tools lay it out (``training.layouts``, those installed), each
with its own lines, labels and labeler F1. Pages that
come with snippets only (``trafilatura_eval``) keep ``with_snippets`` and
``without_snippets`` instead of a gold text, and have no line labels.

    python -m training.prepare                      # all sets
    python -m training.prepare --sets wcxb_dev newspaper4k_aed
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import time
import zlib
from multiprocessing import Pool
from pathlib import Path
from urllib.parse import urlsplit

from bpclass.html import html_lines as html_to_lines
from training import script_parser
from training.align import label_lines
from training.layouts import LAYOUTS, installed_layouts
from training.textmetrics import bag_f1

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "build" / "prepared"
# Pages whose gold text is mostly absent from the HTML cannot be labeled.
MIN_GOLD_RECALL_IN_HTML = 0.8
# One in TEST_SHARE_MOD sites (by a hash of the site name) is held out for testing.
TEST_SHARE_MOD = 5
ALL_SETS = (
    "wcxb_dev",
    "newspaper4k_aed",
    "dragnet",
    "cleaneval",
    "cleanportaleval",
    "readability_testpages",
    "krdwrd_canola",
    "htmltotext_leogao",
    "turku_wac12",
    "turku_text_quality",
    "trafilatura_eval",
    "daniel",
    "scrapinghub_aeb",
)


def site_of(record: dict) -> str:
    """The site a page comes from: its URL's host, or the set's ``host`` field (daniel
    gives no URL); pages with neither are their own site.

    Pages with identical HTML (``duplicate_html_ids``) share one site name, so
    copies never land on both sides of a split.
    """
    url = record.get("url")
    host = (urlsplit(url).hostname or "") if url else (record.get("host") or "")
    host = host.lower().removeprefix("www.")
    if host:
        return host
    ids = [str(record["id"])] + [str(x) for x in record.get("duplicate_html_ids") or []]
    return f"{record['dataset']}:{min(ids)}"


def split_of(site: str) -> str:
    return "test" if zlib.crc32(site.encode("utf-8")) % TEST_SHARE_MOD == 0 else "train"


def _normalised(text: str) -> str:
    return " ".join(text.split())


def snippet_labels(lines: list[str], with_snippets: list[str], without_snippets: list[str]) -> list:
    """Partial line labels from snippets: a line holding a text that must be kept is
    content (1), one holding a text that must be dropped is boilerplate (0), the rest
    (and a line holding both) unlabeled (None)."""
    keep = [t for t in map(_normalised, with_snippets) if t]
    drop = [t for t in map(_normalised, without_snippets) if t]
    labels = []
    for line in map(_normalised, lines):
        kept = bool(line) and any(t in line for t in keep)
        dropped = bool(line) and any(t in line for t in drop)
        labels.append(1 if kept and not dropped else 0 if dropped and not kept else None)
    return labels


def prepare_record(record: dict) -> dict | None:
    """One shared-set record -> one labeled page (a JSON-ready dict), or None to skip."""
    kind = record.get("gold_kind")
    site = site_of(record)
    base = {
        "id": str(record["id"]),
        "dataset": record["dataset"],
        "lang": record.get("lang"),
        "url": record.get("url"),
        "site": site,
        "split": split_of(site),
    }
    if record.get("page_type"):  # wcxb_dev: article, product, forum, ...
        base["page_type"] = record["page_type"]
    if kind == "line_labels":
        lines = [line.strip() for line in record["lines"]]
        labels = [None if not line else int(y) for line, y in zip(lines, record["line_labels"])]
        gold = "\n".join(line for line, y in zip(lines, labels) if y == 1)
        return {**base, "lines": lines, "labels": labels, "gold": gold, "labeler_f1": 1.0}
    if kind == "snippets_only":
        lines = html_to_lines(record.get("html") or "")
        if not lines or not (record.get("with_snippets") or record.get("without_snippets")):
            return None
        return {
            **base,
            "lines": lines,
            "labels": snippet_labels(lines, record.get("with_snippets") or [], record.get("without_snippets") or []),
            "gold": None,
            "labeler_f1": None,
            "with_snippets": record.get("with_snippets") or [],
            "without_snippets": record.get("without_snippets") or [],
        }
    gold = record.get("gold_text")
    recall = record.get("gold_token_recall_in_html")
    if not gold or not record.get("html") or (recall is not None and recall < MIN_GOLD_RECALL_IN_HTML):
        return None
    lines = html_to_lines(record["html"])
    if not lines:
        return None
    page = {**base, **_labeled(lines, gold, record.get("title")), "gold": gold}
    layouts = {}
    for key in installed_layouts():
        try:
            other = LAYOUTS[key][2](record["html"])
        except Exception:  # noqa: BLE001 - a tool that fails on a page gives no lines of it
            continue
        if any(line.strip() for line in other):
            layouts[key] = _labeled(other, gold, record.get("title"))
    if layouts:
        page["layouts"] = layouts
    return page


def _labeled(lines: list[str], gold: str, title: str | None) -> dict:
    """The lines, their labels aligned with the gold text, and how well those labels
    reproduce it (the labeler's bag F1)."""
    labels = label_lines(lines, gold, title)
    kept = "\n".join(line for line, y in zip(lines, labels) if y == 1)
    return {"lines": lines, "labels": labels, "labeler_f1": round(bag_f1(kept, gold)[2], 4)}


def _records(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def prepare_set(name: str, data_dir: Path, out_dir: Path, jobs: int) -> dict:
    source = data_dir / f"{name}.jsonl.gz"
    target = out_dir / f"{name}.jsonl.gz"
    start = time.time()
    f1s, n_in, n_out, n_lines = [], 0, 0, 0
    with Pool(jobs) as pool, gzip.open(target, "wt", encoding="utf-8") as out:
        for page in pool.imap(prepare_record, _records(source), chunksize=4):
            n_in += 1
            if page is None:
                continue
            n_out += 1
            n_lines += sum(label is not None for label in page["labels"])
            if page["labeler_f1"] is not None:
                f1s.append(page["labeler_f1"])
            out.write(json.dumps(page, ensure_ascii=False) + "\n")
    return {
        "set": name,
        "pages_in": n_in,
        "pages_labeled": n_out,
        "lines": n_lines,
        "labeler_f1_mean": round(statistics.mean(f1s), 4) if f1s else None,
        "labeler_f1_median": round(statistics.median(f1s), 4) if f1s else None,
        "share_f1_below_0.9": round(sum(f < 0.9 for f in f1s) / len(f1s), 4) if f1s else None,
        "seconds": round(time.time() - start, 1),
    }


def parse_args(argv=None):
    parser = script_parser(__doc__, "training.prepare")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the shared *.jsonl.gz sets")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/prepared)")
    parser.add_argument("--sets", nargs="+", default=list(ALL_SETS), help="which sets to prepare")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not args.data.is_dir():
        print(f"error: data folder {args.data} not found (pass --data)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{'set':<24}{'pages':>7}{'labeled':>9}{'lines':>9}{'labeler F1':>12}{'median':>8}{'<0.9':>7}{'s':>7}")
    report = []
    for name in args.sets:
        row = prepare_set(name, args.data, args.out, args.jobs)
        report.append(row)
        print(
            f"{name:<24}{row['pages_in']:>7}{row['pages_labeled']:>9}{row['lines']:>9}"
            + (
                f"{row['labeler_f1_mean']:>12.4f}{row['labeler_f1_median']:>8.4f}{row['share_f1_below_0.9']:>7.3f}"
                if row["labeler_f1_mean"] is not None
                else f"{'snippets':>12}{'-':>8}{'-':>7}"
            )
            + f"{row['seconds']:>7.1f}",
            flush=True,
        )
    report_path = args.out / "labeling_report.json"
    earlier = json.loads(report_path.read_text()) if report_path.exists() else []
    merged = {row["set"]: row for row in earlier + report}
    report_path.write_text(json.dumps(list(merged.values()), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
