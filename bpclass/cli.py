"""The ``bpclass`` command line.

    bpclass clean PAGE.txt                  # print the page's content lines
    bpclass clean PAGE.html                 # ... of an HTML page (detected; --format forces it)
    bpclass clean --markdown PAGE.html      # ... as Markdown: headings, lists, quotes, tables
    bpclass clean - < PAGE.txt              # the page from standard input
    bpclass clean --labels PAGE.txt         # every line with its label and P(content)
    bpclass clean --jsonl pages.jsonl -o out.jsonl   # one page per JSON record
    bpclass clean --warc CC-MAIN-*.warc.wet.gz -o out.jsonl   # the pages of crawl files
    bpclass info                            # what the model is, what trained it, its scores
    bpclass train my_pages/ -o my.npz       # a model of your labeled pages (held-out score first)

Exit codes: 0 success; 1 some JSONL records could not be cleaned (each is reported,
the others are written); 2 bad usage or unreadable input; 3 the model file is
unusable; 4 an internal error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import sys
import threading
from pathlib import Path

import numpy as np

import bpclass
from bpclass.checks import check_threshold
from bpclass.confidence import expected_bag_f1, line_weights
from bpclass.corpus import DEFAULT_BATCH, ENGINES, CorpusOptions, check_paths, run_corpus
from bpclass.model import ModelFileError, predict_page_of_site, reads_markup, with_options
from bpclass.records import MAX_PAGE_LINES, MAX_RECORD_BYTES

EXIT_OK = 0
EXIT_BAD_RECORDS = 1
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_INTERNAL = 4
# Failed JSONL records named on standard error; all of them go to --errors.
MAX_ERRORS_SHOWN = 20


class InputError(Exception):
    """Input the CLI cannot use; its message is printed as is."""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bpclass",
        description="Keep a web page's article text, drop its boilerplate, line by line.",
        epilog="Exit codes: 0 ok; 1 some JSONL records failed; 2 bad usage or input; 3 unusable model; "
        "4 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"bpclass {bpclass.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    clean = sub.add_parser("clean", help="print the content lines of a page (or of JSONL records)")
    clean.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="a page file: text, one block per line, or HTML ('-' for standard input); several files need --output-dir",
    )
    clean.add_argument(
        "--format",
        choices=("auto", "text", "html"),
        default="auto",
        help="page files: text lines or HTML (default auto: HTML when the name ends in .html or .htm, or the "
        "file starts like an HTML page)",
    )
    clean.add_argument(
        "--input-dir", type=Path, default=None, help="clean every file of this folder matching --pattern (recursive)"
    )
    clean.add_argument("--pattern", default="*.txt", help="with --input-dir: which files (a glob; default *.txt)")
    clean.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="write each page's content lines to a file of the same name (and subfolder) here",
    )
    clean.add_argument(
        "--labels",
        action="store_true",
        help="print every line as LABEL<TAB>P(content)<TAB>LINE; with --jsonl, add OUTPUT_FIELD_labels and "
        "OUTPUT_FIELD_proba (one per line) to each record",
    )
    clean.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="P(content) needed to keep a line (default: the model's; 0.45 for the bundled one)",
    )
    clean.add_argument("--model", type=Path, default=None, help="a model file (default: the bundled model)")
    clean.add_argument(
        "--keep-comments",
        action="store_true",
        help="keep readers' comments below a heading such as '12 Comments' or 'Leave a Reply' "
        "(by default they are boilerplate)",
    )
    clean.add_argument(
        "--drop-repeats",
        action="store_true",
        help="keep one copy of an article the page holds twice (a print, mobile or hidden copy): of two runs "
        "of long lines with the same text, drop the one the model is less sure of",
    )
    clean.add_argument(
        "--site-pages",
        nargs="+",
        default=None,
        metavar="PAGE",
        help="other pages (text files) of the input's site: lines of the input that recur on them are "
        "dropped as the site's template",
    )
    clean.add_argument(
        "--markdown",
        action="store_true",
        help="write the kept lines as Markdown (an HTML page's headings, lists, quotes, code and tables as its "
        "markup has them; a text page's lines as paragraphs), in page files and corpus records alike",
    )
    clean.add_argument(
        "--report",
        action="store_true",
        help="one page: also say on standard error how many lines were kept, the model's confidence (the bag "
        "F1 it expects of its output; corpus outputs always carry it) and the page's type",
    )
    clean.add_argument(
        "--page-type",
        action="store_true",
        help="corpus mode: also give each record its page type (article, collection, documentation, forum, "
        "listing, product or service; read from its lines, its HTML and its url field), as page_type in crawl "
        "rows, else as OUTPUT_FIELD_page_type. It costs about 2 ms a page (a WET file: 970 -> 331 pages/s, "
        "training.crawlbench)",
    )
    clean.add_argument("--jsonl", action="store_true", help="input is JSON Lines (.gz allowed), one page per record")
    clean.add_argument(
        "--parquet",
        action="store_true",
        help="input is a Parquet file, one page per row (--text-field or --html-field names the column); "
        "needs the parquet extra. An output named *.parquet is written as Parquet, whatever the input",
    )
    clean.add_argument(
        "--warc",
        nargs="+",
        default=None,
        metavar="FILE",
        help="read the pages of WARC or WET files (.warc.gz, .warc.wet.gz, uncompressed, several, or a quoted "
        "glob): WET conversion records as text, WARC HTML responses as HTML; writes one JSON row per page "
        "(url, warc_record_id, warc_date, language, text, lines_kept, lines_total). Needs the crawl extra",
    )
    clean.add_argument("--text-field", default="text", help="JSONL: the field holding the page text (default: text)")
    clean.add_argument(
        "--html-field",
        default=None,
        metavar="FIELD",
        help="JSONL: read each record's page as HTML from this field instead of text from --text-field",
    )
    clean.add_argument(
        "--output-field", default="clean_text", help="JSONL: the field the cleaned text goes to (default: clean_text)"
    )
    clean.add_argument(
        "--site-field",
        default=None,
        metavar="FIELD",
        help="JSONL: the field naming each record's site (e.g. its host); records of one site in one batch "
        "are read together and the lines they share dropped as the site's template",
    )
    clean.add_argument(
        "--errors", type=Path, default=None, help="JSONL: write records that failed here, with the reason"
    )
    clean.add_argument("--jobs", type=int, default=1, help="JSONL: worker processes (default 1)")
    clean.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="JSONL: records per batch")
    clean.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="JSONL: 'local' processes, or 'dask' (needs the dask extra)",
    )
    clean.add_argument(
        "--scheduler",
        default=None,
        help="JSONL, --engine dask: the scheduler's address (default: a local cluster of --jobs workers)",
    )
    clean.add_argument(
        "--resume", action="store_true", help="JSONL: continue an interrupted run into the same output file"
    )
    clean.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="JSONL: show pages/s on standard error (default: when it is a terminal)",
    )
    clean.add_argument("-o", "--output", default="-", help="where to write (default: standard output; .gz compresses)")
    clean.add_argument(
        "--encoding",
        default=None,
        help="input encoding (default: utf-8; an HTML page's own charset, or a detected one, for HTML)",
    )
    clean.add_argument(
        "--strict",
        action="store_true",
        help="fail on bytes that are not valid in the encoding, instead of replacing them",
    )

    clean.add_argument(
        "--max-page-lines",
        type=int,
        default=MAX_PAGE_LINES,
        help=f"refuse a page of more lines (default {MAX_PAGE_LINES:,}; about 2 KB of memory per line)",
    )
    clean.add_argument(
        "--max-record-bytes",
        type=int,
        default=MAX_RECORD_BYTES,
        help=f"refuse a page file, or a JSONL line, of more bytes (default {MAX_RECORD_BYTES:,}); "
        "such a JSONL line is reported by its offset and length, never read whole",
    )

    train = sub.add_parser(
        "train",
        help="train a model on your labeled pages, after scoring it on held-out pages beside the bundled one",
        description="Train a model on your labeled pages (data/FORMAT.md). It first cross-validates the recipe "
        "by site (by page when the pages name no site) and prints the held-out scores of your model and of the "
        "bundled one on the same pages, then fits on every page. To add your pages to the bundled model's data, "
        "run `python -m training.train --pages PAGES --with-bundled-data --out OUT` in a clone of the repository.",
    )
    train.add_argument("pages", nargs="+", type=Path, metavar="PAGES", help="labeled page files or folders")
    train.add_argument("-o", "--output", type=Path, required=True, help="the model file to write (.npz)")
    train.add_argument(
        "--folds", type=int, default=5, help="cross-validation folds for the held-out score (0: skip it; default 5)"
    )
    train.add_argument(
        "--keep-comments", action="store_true", help="your labels keep comment sections: so does the model"
    )
    train.add_argument("--lexicon", action="store_true", help="also learn word weights (wants pages of many sites)")
    info = sub.add_parser("info", help="describe a model: versions, training data, scores")
    info.add_argument("--model", type=Path, default=None, help="a model file (default: the bundled model)")
    return parser.parse_args(argv)


def _check_threshold(value) -> None:
    """The model's own threshold check, reported as a usage error before any work."""
    if value is not None:
        try:
            check_threshold(value)
        except ValueError as exc:
            raise InputError(f"--{exc}") from exc


def _read_bytes(source: str, max_bytes: int) -> bytes:
    """The bytes of a page file (``-``: standard input); more than ``max_bytes`` is an error."""
    if Path(source).is_dir():
        raise InputError(f"{source} is a directory; give a text file.")
    try:
        if source == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with open(source, "rb") as fh:
                data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}.") from exc
    if len(data) > max_bytes:
        raise InputError(f"{source} is larger than --max-record-bytes ({max_bytes:,} bytes); raise it to clean it.")
    return data


def _decode(data: bytes, source: str, encoding: str, strict: bool) -> str:
    try:
        return data.decode(encoding, errors="strict")
    except LookupError as exc:
        raise InputError(f"unknown encoding {encoding!r}.") from exc
    except UnicodeError as exc:  # codecs such as idna raise plain UnicodeError
        if strict:
            where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
            raise InputError(f"{source}: not valid {encoding}{where} (drop --strict to replace such bytes).") from exc
    try:
        text = data.decode(encoding, errors="replace")
    except UnicodeError as exc:  # a codec that cannot replace what it cannot read
        raise InputError(f"{source}: cannot be decoded as {encoding} ({exc}).") from exc
    print(
        f"warning: {source}: {text.count(chr(0xFFFD))} invalid {encoding} sequence(s) replaced with U+FFFD "
        "(use --strict to fail instead)",
        file=sys.stderr,
    )
    return text


HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


def _is_html(source: str, data: bytes, form: str) -> bool:
    """Whether a page file is HTML: as --format says, else by its name or its start."""
    if form != "auto":
        return form == "html"
    from bpclass.html import looks_like_html

    return Path(source).suffix.lower() in HTML_SUFFIXES or looks_like_html(data[:4096].decode("latin-1"))


class PageLines(list):
    """A page's lines, and for an HTML page each line's kind (bpclass.html.html_blocks;
    None for a text page), for --markdown."""

    kinds: list[str] | None = None
    markup: list | None = None
    html: str | None = None  # the page's HTML, for its page type (--report)


def _page_lines(source: str, args, markup: bool = False) -> PageLines:
    """The lines of a page file, in the bounds and encoding the arguments give: its
    text's lines, or, for HTML, the page laid out as bpclass.html does (with
    ``markup``, and what the markup says of each line, for a model's HTML stage)."""
    data = _read_bytes(source, args.max_record_bytes)
    if _is_html(source, data, args.format):
        from bpclass.html import decode_html, lay_out

        text = decode_html(data) if args.encoding is None else _decode(data, source, args.encoding, args.strict)
        laid = lay_out(text, markup=markup)
        lines = PageLines(laid.lines)
        lines.kinds, lines.markup, lines.html = laid.kinds, laid.markup, text
        return lines
    return PageLines(_decode(data, source, args.encoding or "utf-8", args.strict).splitlines())


def _open_output(target: str):
    if target == "-":
        return sys.stdout
    try:
        if target.endswith(".gz"):
            return gzip.open(target, "wt", encoding="utf-8")
        return open(target, "w", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}.") from exc


def _site_pages(args) -> list[list[str]]:
    """The lines of each of --site-pages (none when it is not given)."""
    pages = []
    for source in args.site_pages or ():
        if source == "-":
            raise InputError("--site-pages takes files; standard input can only be the page to clean.")
        pages.append(_page_lines(source, args))
    return pages


# Pages read and scored together in many-files mode.
FILES_PER_BATCH = 64


def _page_files(args) -> list[tuple[Path, Path]]:
    """(page file, output file) of each page to clean in many-files mode."""
    if args.output_dir is None:
        raise InputError("several pages need --output-dir (one output file per page).")
    if args.jsonl or args.parquet or args.site_pages or args.output != "-" or args.html_field:
        raise InputError(
            "--input-dir, --output-dir and several pages go without --jsonl, --html-field, --site-pages and -o."
        )
    if args.jobs != 1 or args.resume or args.errors is not None:
        raise InputError("--jobs, --resume and --errors go with --jsonl; many page files are cleaned in one process.")
    if args.input_dir is not None:
        if args.inputs:
            raise InputError("give --input-dir or page files, not both.")
        if not args.input_dir.is_dir():
            raise InputError(f"--input-dir {args.input_dir} is not a folder.")
        files = sorted(p for p in args.input_dir.rglob(args.pattern) if p.is_file())
        pairs = [(p, args.output_dir / p.relative_to(args.input_dir)) for p in files]
    else:
        if "-" in args.inputs:
            raise InputError("standard input is one page: with --output-dir, give page files.")
        pairs = [(Path(p), args.output_dir / Path(p).name) for p in args.inputs]
        if len({out for _, out in pairs}) < len(pairs):
            raise InputError("two of the pages have the same file name: their outputs would collide.")
    for source, target in pairs:
        try:
            check_paths(str(source), str(target), None)
        except ValueError as exc:
            raise InputError(f"{exc} (--output-dir is the input's folder?)") from exc
    return pairs


def _clean_files(args, model) -> int:
    """Many-files mode: each page file cleaned into a file of its name under
    --output-dir; a page that cannot be read is reported and the others go on."""
    pairs = _page_files(args)
    failed = kept = dropped = 0
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    from tqdm import tqdm

    bar = tqdm(total=len(pairs), unit="page", desc="bpclass", file=sys.stderr, disable=not progress)
    for start in range(0, len(pairs), FILES_PER_BATCH):
        batch, pages = [], []
        for source, target in pairs[start : start + FILES_PER_BATCH]:
            try:
                lines = _page_lines(str(source), args, reads_markup(model))
                if len(lines) > args.max_page_lines:
                    raise InputError(f"{source} has {len(lines):,} lines, more than --max-page-lines.")
            except InputError as exc:
                failed += 1
                print(f"error: {exc}", file=sys.stderr)
                continue
            batch.append(target)
            pages.append(lines)
        markup = [page.markup for page in pages]
        told = {"markup": markup} if any(m is not None for m in markup) else {}
        labels, probas = model.predict_with_proba(pages, args.threshold, **told) if pages else ([], [])
        for target, lines, page_labels, proba in zip(batch, pages, labels, probas):
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            with open(partial, "w", encoding="utf-8") as out:
                _write_lines(out, lines, page_labels, proba, args.labels, args.markdown)
            os.replace(partial, target)  # under its own name, an output is always whole
            page_kept = int(page_labels.sum())
            kept += page_kept
            dropped += int(np.count_nonzero(line_weights(lines))) - page_kept
        bar.update(len(pairs[start : start + FILES_PER_BATCH]))
    bar.close()
    print(
        f"bpclass: {len(pairs) - failed} pages cleaned, {failed} failed; {kept} lines kept, {dropped} dropped",
        file=sys.stderr,
    )
    return EXIT_BAD_RECORDS if failed else EXIT_OK


def _write_lines(out, lines, labels, proba, with_labels: bool, as_markdown: bool = False) -> None:
    """A page's content lines, or (``with_labels``) every line as LABEL, P(content), line,
    or (``as_markdown``) the content lines as Markdown (bpclass.html.markdown)."""
    if as_markdown:
        from bpclass.html import markdown

        kinds = getattr(lines, "kinds", None) or [""] * len(lines)
        text = markdown([(line, kind) for line, kind, label in zip(lines, kinds, labels) if label])
        if text:
            out.write(text + "\n")
        return
    if with_labels:
        for line, label, p in zip(lines, labels, proba):
            out.write(f"{label}\t{p:.3f}\t{line}\n")
    else:
        for line, label in zip(lines, labels):
            if label:
                out.write(line + "\n")


def _clean_page(args, model) -> int:
    try:
        if args.output.endswith(".parquet"):
            raise InputError("a .parquet output holds corpus rows: give --jsonl, --parquet or --warc input.")
        check_paths(args.input, args.output, None)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    lines = _page_lines(args.input, args, reads_markup(model))
    if len(lines) > args.max_page_lines:
        raise InputError(
            f"{args.input} has {len(lines):,} lines, more than --max-page-lines ({args.max_page_lines:,}); "
            "raise it to clean the page anyway (about 2 KB of memory per line)."
        )
    others = _site_pages(args)
    out = _open_output(args.output)
    try:
        # With --site-pages, the other pages are read with the input as one site.
        labels, proba = predict_page_of_site(model, lines, others, args.threshold, lines.markup)
        _write_lines(out, lines, labels, proba, args.labels, args.markdown)
    finally:
        if out is not sys.stdout:
            out.close()
    if args.report:
        weights = line_weights(lines)  # as corpus mode counts and weighs a page's lines
        kept, total = int(labels.sum()), int(np.count_nonzero(weights))
        confidence = expected_bag_f1(lines, proba, labels, weights)
        print(
            f"bpclass: kept {kept} of {total} non-blank lines; confidence {confidence:.3f} "
            f"(the bag F1 the model expects of the kept text); page type {_page_type(lines) or 'none (no text)'}",
            file=sys.stderr,
        )
    return EXIT_OK


def _page_type(lines) -> str | None:
    """The page's type (bpclass.pagetype), from its HTML when it was HTML."""
    from bpclass.pagetype import classify, html_signals, text_signals

    html = getattr(lines, "html", None)
    if html is not None:
        return classify([html_signals(html, None, list(lines))], html=True)[0]
    return classify([text_signals(list(lines))])[0]


def _crawl_paths(patterns: list[str]) -> list[str]:
    """The crawl files: each argument a file, or a glob that names some."""
    import glob

    paths = []
    for pattern in patterns:
        if os.path.exists(pattern) or not glob.has_magic(pattern):
            paths.append(pattern)
            continue
        found = sorted(glob.glob(pattern))
        if not found:
            raise InputError(f"--warc {pattern}: no file matches.")
        paths += found
    for path in paths:
        if not Path(path).is_file():
            raise InputError(f"cannot read {path}: no such file.")
    return paths


def _clean_jsonl(args, model) -> int:
    crawl = args.warc is not None
    options = CorpusOptions(
        text_field=args.text_field,
        html_field=args.html_field,
        crawl=crawl,
        output_field="text" if crawl else args.output_field,
        threshold=args.threshold,
        encoding=args.encoding or "utf-8",
        strict=args.strict,
        model_path=None if args.model is None else str(args.model),
        keep_comments=True if args.keep_comments else None,
        drop_repeats=True if args.drop_repeats else None,
        site_field=args.site_field,
        max_record_bytes=args.max_record_bytes,
        max_page_lines=args.max_page_lines,
        line_labels=args.labels,
        parquet=args.parquet,
        markdown=args.markdown,
        page_type=args.page_type,
    )
    if args.parquet and args.input == "-":
        raise InputError("--parquet reads a file, not standard input.")
    if args.jobs < 1 or args.batch_size < 1:
        raise InputError("--jobs and --batch-size must be at least 1.")
    try:
        b"a".decode(options.encoding)
    except LookupError as exc:  # unknown, or not a text encoding (rot13, base64)
        raise InputError(f"--encoding {args.encoding!r}: {exc}.") from exc
    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler goes with --engine dask.")
    crawl_paths = _crawl_paths(args.warc) if crawl else None
    if crawl:  # each file is checked as run_corpus opens them, before any output
        args.input = crawl_paths[0] if len(crawl_paths) == 1 else f"{crawl_paths[0]} (and {len(crawl_paths) - 1} more)"
    elif args.input != "-" and not Path(args.input).is_file():
        raise InputError(f"cannot read {args.input}: no such file.")
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    try:
        summary = run_corpus(
            args.input,
            args.output,
            None if args.errors is None else str(args.errors),
            options,
            jobs=args.jobs,
            batch_size=args.batch_size,
            resume=args.resume,
            progress=progress,
            model=model,
            engine=args.engine,
            scheduler=args.scheduler,
            crawl_paths=crawl_paths,
        )
    except BrokenPipeError:
        raise  # the reader went away: main() ends quietly
    except (OSError, EOFError) as exc:  # an output's errors name it; the rest are the input's
        where = exc.filename if isinstance(exc, OSError) and exc.filename else args.input
        raise InputError(f"{where}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}") from exc
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    for number, reason in summary.failures[:MAX_ERRORS_SHOWN]:
        print(f"error: {args.input}:{number}: {reason}", file=sys.stderr)
    if summary.failed > MAX_ERRORS_SHOWN:
        print(f"error: ... and {summary.failed - MAX_ERRORS_SHOWN} more (see --errors)", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    return EXIT_BAD_RECORDS if summary.failed else EXIT_OK


def _info(args) -> int:
    model = bpclass.load_model(args.model)
    meta = dict(model.metadata_)
    meta["n_trees"] = int(len(model.estimator_.trees_["roots"]))
    meta["n_features"] = len(model.feature_names_)
    lexicon = getattr(model, "lexicon_", None)
    meta["n_lexicon_words"] = 0 if lexicon is None else len(lexicon)
    # Whether HTML pages are read with their markup too (BoilerplateClassifier.fit_markup).
    meta["reads_markup"] = reads_markup(model)
    # Whether this install runs the compiled extension (same numbers, several times faster).
    meta["compiled_speedups"] = bpclass.features.NATIVE
    # The bundled page-type classifiers (--page-type): what they learned from, how they score.
    from bpclass.pagetype import bundled_page_types

    types = bundled_page_types()["metadata"]
    meta["page_types"] = {
        "file": "page_types.npz (bundled, whatever --model says)",
        "trained_on": types.get("trained_on"),
        "held_out_accuracy": {
            mode: round(scores["wcxb_dev"]["accuracy"], 3)
            for mode, scores in types.get("held_out_scores", {}).items()
            if isinstance(scores, dict) and "accuracy" in scores.get("wcxb_dev", {})
        },
    }
    print(json.dumps(meta, indent=1, ensure_ascii=False))
    return EXIT_OK


def _train(args) -> int:
    from bpclass import trainer

    if args.folds < 0 or args.folds == 1:
        raise InputError("--folds must be 0 (no held-out score) or at least 2.")
    if args.output.suffix != ".npz":
        raise InputError(f"--output {args.output}: a model file's name ends in .npz.")
    if not args.output.parent.is_dir():
        raise InputError(f"--output {args.output}: folder {args.output.parent} does not exist.")
    try:
        pages = trainer.read_pages(args.pages)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(str(exc)) from exc
    try:
        trainer.train_pages(pages, args.output, args.keep_comments, args.lexicon, args.folds)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    return EXIT_OK


def run(args) -> int:
    if args.command == "info":
        return _info(args)
    if args.command == "train":
        return _train(args)
    if args.markdown and args.labels:
        raise InputError("--markdown writes the kept lines as Markdown; --labels writes every line: choose one.")
    if args.max_page_lines < 1 or args.max_record_bytes < 1:
        raise InputError("--max-page-lines and --max-record-bytes must be at least 1.")
    _check_threshold(args.threshold)
    many = args.input_dir is not None or args.output_dir is not None or len(args.inputs) > 1
    if args.warc is not None and (many or args.inputs):
        raise InputError("--warc takes the crawl files itself: no page files, --input-dir or --output-dir.")
    if not many and len(args.inputs) != 1 and args.warc is None:
        raise InputError("give a page file ('-' for standard input), or --input-dir with --output-dir.")
    args.input = args.inputs[0] if args.inputs else None
    model = bpclass.load_model(args.model)  # also for --jobs > 1: a bad model fails here, once
    model = with_options(model, True if args.keep_comments else None, True if args.drop_repeats else None)
    if args.warc is not None:
        if args.jsonl or args.parquet or args.html_field or args.site_field or args.site_pages or args.format != "auto":
            raise InputError(
                "--warc reads crawl files on its own: without --jsonl, --html-field, --site-field, --site-pages "
                "and --format."
            )
        return _clean_jsonl(args, model)
    if many:
        return _clean_files(args, model)
    if args.jsonl and args.parquet:
        raise InputError("--jsonl and --parquet: the input is one or the other.")
    if args.jsonl or args.parquet:
        if args.format != "auto":
            raise InputError("--format is for page files; a JSONL record's HTML is read with --html-field.")
        if args.site_pages:
            raise InputError("--site-pages works on one page, not with --jsonl (use --site-field).")
        return _clean_jsonl(args, model)
    if args.html_field:
        raise InputError("--html-field goes with --jsonl; a page file's HTML is detected (or give --format html).")
    if args.site_field:
        raise InputError("--site-field goes with --jsonl; for one page, give its site's other pages with --site-pages.")
    return _clean_page(args, model)


def _terminate(signum, frame):
    raise KeyboardInterrupt  # SIGTERM stops a run as Ctrl-C does: cleanly, resumable


def main(argv=None) -> int:
    """Entry point: parse ``argv``, run the command, return its exit code."""
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse has printed its message
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(args) -> int:
    try:
        return run(args)
    except ModelFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_MODEL
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as other tools do,
        # and point stdout at devnull so the interpreter's final flush does not fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("error: out of memory (is the input a huge single page?)", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        print(f"error: internal error ({type(exc).__name__}: {exc}); please report it", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
