"""Crawl files end to end: bpclass on WET and WARC files beside datatrove's Trafilatura step, in one run.

From the shared sets' HTML pages it writes, in a temporary folder, a WARC file (one
HTML ``response`` record per page, gzipped per record, with warcio's writer) and the
matching WET file (one ``conversion`` record per page: the page laid out as text
lines). Then, on one core, each start to finish (gzip, WARC parsing, cleaning,
writing), best of REPEATS runs (trafilatura: one run, it is slow):

- ``bpclass clean --warc x.warc.wet.gz -o out.parquet`` (corpus mode, --jobs 1),
  and with ``--page-type`` (each row's page type, bpclass.pagetype);
- ``bpclass clean --warc x.warc.gz -o out.parquet`` (HTML mode);
- datatrove ``WarcReader -> BoilerplateCleaner(input="html")`` on the WARC file;
- datatrove ``WarcReader -> Trafilatura`` on the WARC file (FineWeb's extraction step).

Printed: pages/s of each and the ratio of each to datatrove's Trafilatura step. Needs
``pip install ".[bench,crawl,parquet]" "datatrove[io]"`` and ``../shared``.

    python -m training.crawlbench --pages 400
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

from bpclass.html import html_lines
from training import script_parser
from training.benchmark import load_pages
from training.prepare import DEFAULT_DATA

REPEATS = 3


def write_crawl_files(folder: Path, htmls: list[str]) -> tuple[Path, Path]:
    """(WARC file, WET file) of the pages, written with warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    warc, wet = folder / "pages.warc.gz", folder / "pages.warc.wet.gz"
    with open(warc, "wb") as warc_fh, open(wet, "wb") as wet_fh:
        warc_writer, wet_writer = WARCWriter(warc_fh, gzip=True), WARCWriter(wet_fh, gzip=True)
        for k, html in enumerate(htmls):
            url = f"https://site{k % 50}.example/page/{k}"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            warc_writer.write_record(
                warc_writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(html.encode("utf-8")),
                    http_headers=http,
                    warc_headers_dict={"WARC-Identified-Payload-Type": "text/html"},
                )
            )
            text = "\n".join(html_lines(html)).encode("utf-8")
            wet_writer.write_record(
                wet_writer.create_warc_record(
                    url,
                    "conversion",
                    payload=io.BytesIO(text),
                    warc_headers_dict={"Content-Type": "text/plain", "WARC-Identified-Content-Language": "eng"},
                )
            )
    return warc, wet


def _bpclass_cli(path: Path, out: Path, *flags: str):
    from bpclass.cli import main

    def run():
        out.unlink(missing_ok=True)
        if main(["clean", "--warc", str(path), "-o", str(out), "--no-progress", *flags]) != 0:
            raise RuntimeError(f"bpclass clean --warc {path} failed")

    return run


def _datatrove(folder: Path, step_factory):
    """A run of WarcReader on the WARC file, then the step, every document drawn through."""
    from datatrove.pipeline.readers import WarcReader

    def run():
        step = step_factory()
        reader = WarcReader(str(folder), glob_pattern="*.warc.gz")
        for _ in step(reader()):
            pass

    return run


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.crawlbench")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pages", type=int, default=400)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: data folder {args.data} not found (pass --data)", file=sys.stderr)
        return 2
    try:
        import datatrove  # noqa: F401
        import warcio  # noqa: F401
        from datatrove.pipeline.extractors import Trafilatura

        from bpclass.datatrove import BoilerplateCleaner
    except ImportError as exc:
        print(f'error: {exc}; pip install ".[bench,crawl,parquet]" "datatrove[io]"', file=sys.stderr)
        return 2
    from threadpoolctl import threadpool_limits

    htmls = [html for html, _, _ in load_pages(args.data, args.pages)]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        warc, wet = write_crawl_files(folder, htmls)
        sizes = f"WARC file {warc.stat().st_size / 1e6:.1f} MB, WET file {wet.stat().st_size / 1e6:.1f} MB"
        print(f"{len(htmls)} pages; {sizes} (gzipped); one core\n")
        systems = {
            "bpclass clean --warc WET -> Parquet": (_bpclass_cli(wet, folder / "wet.parquet"), REPEATS),
            "bpclass clean --warc WET --page-type -> Parquet": (
                _bpclass_cli(wet, folder / "wet_typed.parquet", "--page-type"),
                REPEATS,
            ),
            "bpclass clean --warc WARC (HTML) -> Parquet": (_bpclass_cli(warc, folder / "warc.parquet"), REPEATS),
            "datatrove WarcReader -> bpclass BoilerplateCleaner(html)": (
                _datatrove(folder, lambda: BoilerplateCleaner(input="html")),
                REPEATS,
            ),
            "datatrove WarcReader -> Trafilatura (FineWeb's step)": (
                _datatrove(folder, lambda: Trafilatura(favour_precision=True, timeout=10)),
                1,
            ),
        }
        seconds = {}
        with threadpool_limits(limits=1):
            for name, (run, repeats) in systems.items():
                run()  # warm-up: imports, the model
                best = float("inf")
                for _ in range(repeats):
                    start = time.perf_counter()
                    run()
                    best = min(best, time.perf_counter() - start)
                seconds[name] = best
    trafilatura = len(htmls) / seconds["datatrove WarcReader -> Trafilatura (FineWeb's step)"]
    print("| end to end, one core | pages/s | this / datatrove's Trafilatura step |\n|---|---|---|")
    for name, s in seconds.items():
        pps = len(htmls) / s
        print(f"| {name} | {pps:,.0f} | {pps / trafilatura:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
