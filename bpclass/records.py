"""One batch of corpus records: parse each JSON line, clean its page, report each
record's outcome. This is the unit of work every engine runs (in this process, in a
pool of processes, or on a Dask cluster); a worker loads its model once.
"""

from __future__ import annotations

import base64
import ctypes
import itertools
import json
import os
import signal
import sys
from collections import deque
from dataclasses import dataclass

import numpy as np

from bpclass.confidence import expected_bag_f1, line_weights
from bpclass.model import load_model, reads_markup, with_options

# A JSONL line longer than this is not read whole (--max-record-bytes); a page of more
# lines than this is not cleaned (--max-page-lines). A page costs about 2 KB of memory
# per line while it is scored, so the default cap is about 200 MB a page.
MAX_RECORD_BYTES = 32 * 1024 * 1024
MAX_PAGE_LINES = 100_000
# The field of a crawl record (bpclass.crawl) that holds its page: HTML from a WARC
# response, text from a WET conversion.
CRAWL_HTML_FIELD, CRAWL_TEXT_FIELD = "html", "text"
# prctl's option for a signal on the parent's death (linux/prctl.h).
PR_SET_PDEATHSIG = 1


@dataclass
class CorpusOptions:
    text_field: str = "text"
    output_field: str = "clean_text"
    threshold: float | None = None
    encoding: str = "utf-8"
    strict: bool = False
    model_path: str | None = None
    # None: as the model says (bundled: comment sections dropped).
    keep_comments: bool | None = None
    # True: keep one copy of an article a page holds twice (BoilerplateClassifier's
    # drop_repeats); None: as the model says.
    drop_repeats: bool | None = None
    # A field naming each record's site: records of one site in one batch are read
    # together, so lines that recur across them are dropped (bpclass.sites).
    site_field: str | None = None
    # Caps that keep one record from exhausting memory: a longer input line is
    # reported by its offset and length, a page of more lines is refused.
    max_record_bytes: int = MAX_RECORD_BYTES
    max_page_lines: int = MAX_PAGE_LINES
    # Also add each line's label and P(content), as OUTPUT_FIELD_labels and
    # OUTPUT_FIELD_proba (one entry per line of the text, blank lines included).
    line_labels: bool = False
    # A field holding each record's page as HTML: read instead of text_field, and laid
    # out as lines as bpclass.html does.
    html_field: str | None = None
    # Records made from crawl files (bpclass.crawl): the page is in "html" or "text",
    # and the output is a dataset row: the page's field gives way to the cleaned text
    # (in output_field) and lines_kept, lines_total.
    crawl: bool = False
    # The input is a Parquet file (bpclass.parquet): its rows are the records.
    parquet: bool = False
    # Write the kept lines as Markdown (bpclass.html.markdown): an HTML page's
    # headings, lists, quotes, code and tables as its markup has them.
    markdown: bool = False
    # Also add each page's type (bpclass.pagetype: article, forum, product, ...), read
    # from its lines, its HTML and its "url" field, as "page_type" in a crawl row, else
    # as OUTPUT_FIELD_page_type.
    page_type: bool = False

    @property
    def page_field(self) -> str:
        """The field a record's page is read from."""
        return self.html_field if self.html_field is not None else self.text_field

    def page_field_of(self, record: dict) -> str:
        """The field this record's page is read from (crawl records: html or text)."""
        if self.crawl:
            return CRAWL_HTML_FIELD if CRAWL_HTML_FIELD in record else CRAWL_TEXT_FIELD
        return self.page_field

    def is_html(self, record: dict) -> bool:
        """Whether this record's page is HTML (to be laid out as lines)."""
        return self.page_field_of(record) == CRAWL_HTML_FIELD if self.crawl else self.html_field is not None


@dataclass(frozen=True)
class Oversize:
    """An input line longer than the record size cap: never read whole, reported by
    where it lies (byte offset in the uncompressed input, and length)."""

    offset: int
    length: int


class Positions:
    """Where an input stood after each record handed out and not yet written:
    ``positions`` holds (record number, offset, crc) triples, oldest first."""

    positions: deque

    def position_after(self, number: int) -> tuple[int, int]:
        """(offset, crc) after record ``number``, forgetting the records up to it."""
        while True:
            line, offset, crc = self.positions.popleft()
            if line == number:
                return offset, crc


_WORKER_MODELS: dict = {}


def _worker_model(model_path):
    """The model of this worker process, loaded once per path."""
    if model_path not in _WORKER_MODELS:
        _WORKER_MODELS[model_path] = load_model(model_path)
    return _WORKER_MODELS[model_path]


def _die_with_parent() -> None:
    """Ask Linux to end this worker process when its parent dies, however it dies
    (SIGKILL included): a pool's workers must not outlive the run. Elsewhere, only
    SIGTERM's default (ending the process) is restored."""
    # A worker forked from the CLI inherits its SIGTERM handler, which turns SIGTERM
    # into KeyboardInterrupt for a clean, resumable stop of the run. In a worker that
    # exception, raised while it cleans a batch, is caught by the pool and sent back
    # as the batch's result, and the orphan then waits for work forever: here SIGTERM
    # (the parent's death, or a user's kill) must simply end the process.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request was made
        os._exit(1)


def _worker_init(model_path):
    _die_with_parent()
    _worker_model(model_path)  # load before the first batch arrives


def _no_constant(name: str):
    raise ValueError(f"{name} is not valid JSON (strict JSON has no NaN or Infinity)")


def parse_record(raw: bytes, options: CorpusOptions) -> tuple[dict, str]:
    """The record of a raw JSON line and its page's text; ValueError says why a line
    is not one (any failure to decode or parse it is such a ValueError). ``raw`` may
    also be a record already parsed (a dict, as bpclass.crawl hands them out)."""
    if isinstance(raw, dict):
        return _page_text(dict(raw), options)
    try:
        line = raw.decode(options.encoding, errors="strict" if options.strict else "replace")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid {options.encoding} at byte {exc.start}") from exc
    except (UnicodeError, ValueError) as exc:  # codecs such as idna raise plain UnicodeError
        raise ValueError(f"cannot be decoded as {options.encoding} ({exc})") from exc
    try:
        record = json.loads(line, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise ValueError("not read: JSON nested too deeply") from exc
    if not isinstance(record, dict):
        raise ValueError(f"a record must be a JSON object, got {type(record).__name__}")
    return _page_text(record, options)


def _page_text(record: dict, options: CorpusOptions) -> tuple[dict, str]:
    field = options.page_field_of(record)
    text = record.get(field)
    if not isinstance(text, str):
        what = "missing" if field not in record else f"a {type(text).__name__}, not a string"
        raise ValueError(f"field {field!r} is {what}")
    return record, text


def page_blocks(
    text: str, options: CorpusOptions, record: dict | None = None, markup: bool = False, on_tree=None
) -> tuple[list[str], list[str] | None, list | None]:
    """A record's page as lines: its text's lines, or its HTML laid out (html_field, or
    a crawl record's html); for HTML, each line's kind (for Markdown output; the
    layout finds them anyway) and, with ``markup`` (a model with an HTML stage), what
    the markup says of each line (bpclass.html.html_markup); else None for both.
    ``on_tree``: for HTML, called with the parsed page (bpclass.html.lay_out)."""
    if not options.is_html(record or {}):
        return text.splitlines(), None, None
    from bpclass.html import lay_out

    laid = lay_out(text, markup=markup, on_tree=on_tree)
    return laid.lines, laid.kinds, laid.markup


def output_line(record: dict) -> bytes:
    """A record as one line of UTF-8 JSON. Text that UTF-8 cannot hold (a lone
    surrogate, which JSON's \\ud800 escapes can carry) is written escaped, as ASCII
    JSON: the same record, still valid JSON."""
    try:
        return json.dumps(record, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(record, ensure_ascii=True, allow_nan=False).encode("ascii") + b"\n"


def error_line(number: int, reason: str, raw) -> bytes:
    """A failed record's line in the errors file: its input line number, the reason,
    and its raw line (as text when it is UTF-8, else as base64: nothing is lost), or,
    for a line too long to hold (:class:`Oversize`), where it lies in the input."""
    entry: dict = {"line": number, "error": reason}
    if isinstance(raw, Oversize):
        entry["offset"], entry["length"] = raw.offset, raw.length
    elif isinstance(raw, dict):
        entry["raw"] = json.dumps(raw, ensure_ascii=False)
    else:
        try:
            entry["raw"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            entry["raw_base64"] = base64.b64encode(raw).decode("ascii")
    return json.dumps(entry, ensure_ascii=True).encode("ascii") + b"\n"


def record_site(record: dict, field: str):
    """The record's site for ``predict(sites=...)``: a str or int in ``field``; None
    (the page read on its own) when there is no such field or it holds something else."""
    value = record.get(field)
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "" else None


def _predicted(model, pages: list[list[str]], options: CorpusOptions, sites=None, markup=None) -> tuple:
    """(labels, P(content)) of each page; the probabilities None each for a model
    that has only ``predict`` (then a record gets no confidence). ``markup``: each
    page's markup or None (HTML pages, for a model with an HTML stage)."""
    told = {"sites": sites} if sites is not None else {}
    if markup is not None and any(m is not None for m in markup):
        told["markup"] = markup
    if hasattr(model, "predict_with_proba"):
        return model.predict_with_proba(pages, options.threshold, **told)
    if options.line_labels:
        raise TypeError(f"{type(model).__name__} gives no probabilities (predict_with_proba) for --labels")
    return model.predict(pages, threshold=options.threshold, **told), [None] * len(pages)


def _page_types(parsed: list, options: CorpusOptions, markup_signals: dict | None = None) -> dict:
    """Each parsed record's page type (bpclass.pagetype), by its place in the batch;
    one whose signals cannot be read gets None. ``markup_signals``: the HTML pages'
    markup signals read while they were laid out (by place in the batch), if any."""
    from bpclass.pagetype import classify, html_signals, text_signals

    markup_signals = markup_signals or {}
    signals: dict = {"text": [], "html": []}
    for k, _, record, lines, kinds, _ in parsed:
        url = record.get("url") if isinstance(record.get("url"), str) else None
        try:
            if kinds is not None:  # an HTML page: read its markup too
                page = record.get(options.page_field_of(record))
                signals["html"].append((k, html_signals(page, url, lines, markup_signals.get(k))))
            else:
                signals["text"].append((k, text_signals(lines, url)))
        except Exception:  # noqa: BLE001 - the page is still cleaned; its type is unknown
            continue
    types: dict = dict.fromkeys((page[0] for page in parsed), None)
    for kind, pages in signals.items():
        if pages:
            types.update(zip((k for k, _ in pages), classify([s for _, s in pages], html=kind == "html")))
    return types


def _signals_hook(out: dict, k: int):
    """A ``lay_out`` hook that puts the parsed page's markup signals (bpclass.pagetype)
    in ``out[k]``; a page whose markup cannot be read is still laid out (its type is
    then read the slow way, or unknown)."""

    def hook(tree) -> None:
        from bpclass.pagetype import tree_signals

        try:
            out[k] = tree_signals(tree)
        except Exception:  # noqa: BLE001 - the page is still cleaned
            pass

    return hook


def clean_batch(batch: list[tuple[int, bytes]], options: CorpusOptions, model=None, serialize: bool = True) -> list:
    """Clean one batch of (line number, raw JSON line).

    Returns, in order, ``("ok", number, output line (bytes), kept, dropped)`` or
    ``("error", number, reason, raw line)`` for each record (see :func:`error_line`);
    with ``serialize=False``, the "ok" results hold the output record itself (a dict)
    instead of its JSON line, for callers that use it in place (bpclass.datatrove).
    """
    model = with_options(
        model if model is not None else _worker_model(options.model_path), options.keep_comments, options.drop_repeats
    )
    results: list = [None] * len(batch)
    with_markup = reads_markup(model)
    markup_signals: dict = {}  # an HTML page's markup signals, read in its one parse (--page-type)
    parsed = []
    for k, (number, raw) in enumerate(batch):
        if isinstance(raw, Oversize):
            reason = f"a line of {raw.length} bytes, over the cap of {options.max_record_bytes} (--max-record-bytes)"
            results[k] = ("error", number, reason, raw)
            continue
        try:
            record, text = parse_record(raw, options)
        except ValueError as exc:
            results[k] = ("error", number, str(exc), raw)
            continue
        try:
            lines, kinds, markup = page_blocks(
                text, options, record, with_markup, _signals_hook(markup_signals, k) if options.page_type else None
            )
        except Exception as exc:  # noqa: BLE001 - reported in the errors file, run goes on
            results[k] = ("error", number, f"page not laid out ({type(exc).__name__}: {exc})", raw)
            continue
        if len(lines) > options.max_page_lines:
            reason = f"a page of {len(lines)} lines, over the cap of {options.max_page_lines} (--max-page-lines)"
            results[k] = ("error", number, reason, raw)
            continue
        parsed.append((k, number, record, lines, kinds, markup))
    types = _page_types(parsed, options, markup_signals) if options.page_type else {}
    if parsed:
        sites = None
        if options.site_field is not None:
            sites = [record_site(record, options.site_field) for _, _, record, _, _, _ in parsed]
        try:
            pages, markups = [page[3] for page in parsed], [page[5] for page in parsed]
            labels, probas = _predicted(model, pages, options, sites, markups)
        except Exception:  # noqa: BLE001 - one bad page must not sink its batch: retry one by one
            labels = probas = None
        for idx, (k, number, record, lines, kinds, markup) in enumerate(parsed):
            raw = batch[k][1]
            try:
                if labels is None:
                    page_labels, page_proba = (out[0] for out in _predicted(model, [lines], options, None, [markup]))
                else:
                    page_labels, page_proba = labels[idx], probas[idx]
                if options.crawl:
                    record.pop(options.page_field_of(record), None)
                if options.markdown:
                    from bpclass.html import markdown

                    kept = itertools.compress(zip(lines, kinds or itertools.repeat("")), page_labels.tolist())
                    record[options.output_field] = markdown(list(kept))
                else:
                    record[options.output_field] = "\n".join(itertools.compress(lines, page_labels.tolist()))
                if options.line_labels:
                    record[options.output_field + "_labels"] = page_labels.tolist()
                    record[options.output_field + "_proba"] = [round(float(p), 3) for p in page_proba]
                weights = line_weights(lines)
                kept = int(np.sum(page_labels))
                dropped = int(np.count_nonzero(weights)) - kept
                if options.crawl:
                    record["lines_kept"], record["lines_total"] = kept, kept + dropped
                if page_proba is not None:  # the bag F1 the model expects (bpclass.confidence)
                    confidence = round(expected_bag_f1(lines, page_proba, page_labels, weights), 3)
                    record["confidence" if options.crawl else options.output_field + "_confidence"] = confidence
                if k in types:
                    record["page_type" if options.crawl else options.output_field + "_page_type"] = types[k]
                results[k] = ("ok", number, output_line(record) if serialize else record, kept, dropped)
            except Exception as exc:  # noqa: BLE001 - reported in the errors file, run goes on
                results[k] = ("error", number, f"{type(exc).__name__}: {exc}", raw)
    return results
