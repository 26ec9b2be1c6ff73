"""Corpus mode: clean a JSON Lines stream of pages in bounded memory, on every core.

Records are read in batches of ``batch_size``; at most ``2 * jobs`` batches are in
flight at once, so memory does not grow with the input. Results are written in
input order. Nothing is lost: every input record is either written to the output
(with the cleaned text added) or written to the errors file with its line number
and the reason. A worker that dies takes only its batch with it: those records go
to the errors file and the run goes on with a fresh pool.

Resuming: after each batch is written and flushed, a checkpoint file
``OUTPUT.checkpoint`` records how many input lines are done and how long the output
and errors files were at that point. ``resume=True`` truncates both files back to
the checkpoint (dropping anything written after it, e.g. by a killed run) and skips
the input lines already done, so no record is duplicated or lost. A run that
completes removes its checkpoint.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import numpy as np

DEFAULT_BATCH = 64
# With --site-field, a batch may grow to this many times --batch-size to keep a run of
# one site's records together.
SITE_RUN_BATCHES = 4
CHECKPOINT_SUFFIX = ".checkpoint"
# The summary keeps the first failures for the console; the errors file has them all.
MAX_FAILURES_KEPT = 1000


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
    # A field naming each record's site: records of one site in one batch are read
    # together, so lines that recur across them are dropped (bpclass.sites).
    site_field: str | None = None


@dataclass
class Summary:
    pages: int = 0
    failed: int = 0
    kept: int = 0
    dropped: int = 0
    skipped_input_lines: int = 0
    seconds: float = 0.0
    failures: list = field(default_factory=list)

    def line(self) -> str:
        rate = self.pages / self.seconds if self.seconds > 0 else 0.0
        resumed = f" (resumed after input line {self.skipped_input_lines})" if self.skipped_input_lines else ""
        return (
            f"bpclass: {self.pages} pages cleaned, {self.failed} failed; "
            f"{self.kept} lines kept, {self.dropped} dropped ({rate:.0f} pages/s){resumed}"
        )


_WORKER_MODELS: dict = {}


def _worker_model(model_path):
    """The model of this worker process, loaded once per path."""
    if model_path not in _WORKER_MODELS:
        from bpclass.model import load_model

        _WORKER_MODELS[model_path] = load_model(model_path)
    return _WORKER_MODELS[model_path]


def _worker_init(model_path):
    _worker_model(model_path)  # load before the first batch arrives


def _parse(raw: bytes, options: CorpusOptions) -> tuple[dict, str]:
    try:
        line = raw.decode(options.encoding, errors="strict" if options.strict else "replace")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid {options.encoding} at byte {exc.start}") from exc
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise ValueError(f"a record must be a JSON object, got {type(record).__name__}")
    text = record.get(options.text_field)
    if not isinstance(text, str):
        what = "missing" if options.text_field not in record else f"a {type(text).__name__}, not a string"
        raise ValueError(f"field {options.text_field!r} is {what}")
    return record, text


def _site(record: dict, field: str):
    """The record's site for ``predict(sites=...)``: a str or int in ``field``; None
    (the page read on its own) when there is no such field or it holds something else."""
    value = record.get(field)
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "" else None


def clean_batch(batch: list[tuple[int, bytes]], options: CorpusOptions, model=None) -> list[tuple]:
    """Clean one batch of (line number, raw JSON line).

    Returns, in order, ``("ok", number, json_line, kept, dropped)`` or
    ``("error", number, reason, raw_text)`` for each record.
    """
    from bpclass.model import with_keep_comments

    model = with_keep_comments(model if model is not None else _worker_model(options.model_path), options.keep_comments)
    results: list = [None] * len(batch)
    parsed = []
    for k, (number, raw) in enumerate(batch):
        try:
            record, text = _parse(raw, options)
        except ValueError as exc:
            results[k] = ("error", number, str(exc), raw.decode("utf-8", "replace"))
            continue
        parsed.append((k, number, record, text.splitlines()))
    if parsed:
        sites = None
        if options.site_field is not None:
            sites = [_site(record, options.site_field) for _, _, record, _ in parsed]
        try:
            labels = model.predict([lines for _, _, _, lines in parsed], threshold=options.threshold, sites=sites)
        except Exception:  # noqa: BLE001 - one bad page must not sink its batch: retry one by one
            labels = None
        for idx, (k, number, record, lines) in enumerate(parsed):
            try:
                page_labels = labels[idx] if labels is not None else model.predict([lines], options.threshold)[0]
                record[options.output_field] = "\n".join(line for line, y in zip(lines, page_labels) if y)
                kept = int(np.sum(page_labels))
                dropped = sum(1 for line in lines if line.strip()) - kept
                results[k] = ("ok", number, json.dumps(record, ensure_ascii=False), kept, dropped)
            except Exception as exc:  # noqa: BLE001 - reported in the errors file, run goes on
                results[k] = ("error", number, f"{type(exc).__name__}: {exc}", "")
    return results


def _open_input(path: str):
    if path == "-":
        return sys.stdin.buffer
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def _batches(stream, batch_size: int, skip: int, options: CorpusOptions | None = None):
    """Batches of (line number, raw line). With ``options.site_field``, a batch that
    is full still takes the records that follow while they are of its last record's
    site, up to SITE_RUN_BATCHES times ``batch_size``: a run of one site's records is
    not cut where it need not be."""
    if options is None or options.site_field is None:
        yield from _plain_batches(stream, batch_size, skip)
        return
    batch: list = []
    last = unknown = object()  # the site of the batch's last record, parsed only once the batch is full
    for number, raw in enumerate(stream, start=1):
        if number <= skip or not raw.strip():
            continue
        if len(batch) >= batch_size:
            if last is unknown:
                last = _raw_site(batch[-1][1], options)
            site = _raw_site(raw, options)
            if site is None or site != last or len(batch) >= SITE_RUN_BATCHES * batch_size:
                yield batch
                batch, last = [], unknown
            else:
                last = site
        batch.append((number, raw))
    if batch:
        yield batch


def _plain_batches(stream, batch_size: int, skip: int):
    batch = []
    for number, raw in enumerate(stream, start=1):
        if number <= skip or not raw.strip():
            continue
        batch.append((number, raw))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _raw_site(raw: bytes, options: CorpusOptions):
    """The site of a raw record, or None (a record that does not parse fails later, in its batch)."""
    try:
        return _site(_parse(raw, options)[0], options.site_field)
    except ValueError:
        return None


class _Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.start = time.monotonic()
        self.last = 0.0

    def update(self, pages: int, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now - self.last < 0.5:
            return
        self.last = now
        rate = pages / max(now - self.start, 1e-9)
        sys.stderr.write(f"\r{pages} pages, {rate:.0f} pages/s")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _read_checkpoint(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return {k: int(data[k]) for k in ("input_lines", "output_bytes", "errors_bytes")}
    except (OSError, ValueError, KeyError, TypeError):
        return {"input_lines": 0, "output_bytes": 0, "errors_bytes": 0}


def _write_checkpoint(path: str, state: dict) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(state, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


ENGINES = ("local", "dask")


def run_corpus(
    input_path: str,
    output_path: str,
    errors_path: str | None,
    options: CorpusOptions,
    jobs: int = 1,
    batch_size: int = DEFAULT_BATCH,
    resume: bool = False,
    progress: bool = False,
    model=None,
    engine: str = "local",
    scheduler: str | None = None,
) -> Summary:
    """Clean every record of ``input_path`` into ``output_path``; see the module docstring."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}.")
    if output_path == "-" and resume:
        raise ValueError("--resume needs an output file, not standard output.")
    if resume and output_path.endswith(".gz"):
        raise ValueError("--resume needs an uncompressed output file (not .gz).")
    checkpoint = output_path + CHECKPOINT_SUFFIX if output_path != "-" else None
    state = {"input_lines": 0, "output_bytes": 0, "errors_bytes": 0}
    if resume and checkpoint:
        state = _read_checkpoint(checkpoint)

    if output_path == "-":
        out = sys.stdout.buffer
    elif output_path.endswith(".gz"):
        out = gzip.open(output_path, "wb")
    else:
        out = open(output_path, "r+b" if resume and os.path.exists(output_path) else "wb")
        out.truncate(state["output_bytes"])
        out.seek(state["output_bytes"])
    errors = None
    if errors_path:
        errors = open(errors_path, "r+b" if resume and os.path.exists(errors_path) else "wb")
        errors.truncate(state["errors_bytes"])
        errors.seek(state["errors_bytes"])

    summary = Summary(skipped_input_lines=state["input_lines"])
    bar = _Progress(progress)
    start = time.monotonic()

    def write(results, last_line):
        for result in results:
            if result[0] == "ok":
                _, _, line, kept, dropped = result
                out.write(line.encode("utf-8") + b"\n")
                summary.pages += 1
                summary.kept += kept
                summary.dropped += dropped
            else:
                _, number, reason, raw = result
                summary.failed += 1
                if len(summary.failures) < MAX_FAILURES_KEPT:
                    summary.failures.append((number, reason))
                if errors:
                    errors.write(json.dumps({"line": number, "error": reason, "raw": raw}).encode("utf-8") + b"\n")
        out.flush()
        if errors:
            errors.flush()
        if checkpoint and not output_path.endswith(".gz"):
            state["input_lines"] = last_line
            state["output_bytes"] = out.tell()
            state["errors_bytes"] = errors.tell() if errors else 0
            _write_checkpoint(checkpoint, state)
        bar.update(summary.pages)

    stream = _open_input(input_path)
    try:
        batches = _batches(stream, batch_size, state["input_lines"], options)
        if engine == "dask":
            from bpclass.dask_engine import run_dask

            run_dask(batches, options, jobs, scheduler, write)
        elif jobs <= 1:
            from bpclass.model import load_model

            model = model if model is not None else load_model(options.model_path)
            for batch in batches:
                write(clean_batch(batch, options, model), batch[-1][0])
        else:
            _run_parallel(batches, options, jobs, write)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
        if out is not sys.stdout.buffer:
            out.close()
        if errors:
            errors.close()
    if checkpoint and os.path.exists(checkpoint):
        os.remove(checkpoint)  # the run is complete: nothing left to resume
    summary.seconds = time.monotonic() - start
    bar.update(summary.pages, final=True)
    return summary


def _run_parallel(batches, options: CorpusOptions, jobs: int, write) -> None:
    """Clean batches on ``jobs`` processes, at most 2 * jobs in flight, written in order."""
    pool = _new_pool(jobs, options)
    pending: deque = deque()
    try:
        for batch in batches:
            pending.append((batch, _submit(pool, batch, options)))
            while len(pending) >= 2 * jobs:
                pool = _finish_oldest(pending, pool, options, jobs, write)
        while pending:
            pool = _finish_oldest(pending, pool, options, jobs, write)
    finally:
        pool.shutdown(cancel_futures=True)


def _new_pool(jobs: int, options: CorpusOptions) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(jobs, initializer=_worker_init, initargs=(options.model_path,))


def _alone(batch: list, options: CorpusOptions):
    """Clean a batch in a fresh one-worker pool; None if the worker dies."""
    pool = _new_pool(1, options)
    try:
        return pool.submit(clean_batch, batch, options).result()
    except BrokenProcessPool:
        return None
    finally:
        pool.shutdown(cancel_futures=True)


def _isolate(batch: list, options: CorpusOptions) -> list:
    """Results for a batch whose worker died: retry it, then record by record."""
    results = _alone(batch, options)
    if results is not None:
        return results
    out = []
    for number, raw in batch:
        single = _alone([(number, raw)], options)
        out += single or [("error", number, "the worker process died on this record", raw.decode("utf-8", "replace"))]
    return out


def _submit(pool, batch: list, options: CorpusOptions):
    """The batch's future, or None when the pool is already broken."""
    try:
        return pool.submit(clean_batch, batch, options)
    except BrokenProcessPool:
        return None


def _finish_oldest(pending: deque, pool, options, jobs, write):
    batch, future = pending.popleft()
    try:
        if future is None:
            raise BrokenProcessPool("the pool broke before this batch was submitted")
        results = future.result()
    except BrokenProcessPool:
        # A worker died (killed, out of memory, crashed). Every batch in flight
        # failed with it; find the record that did it, then resubmit the others.
        pool.shutdown(cancel_futures=True)
        results = _isolate(batch, options)
        pool = _new_pool(jobs, options)
        for k, (other, _) in enumerate(pending):
            pending[k] = (other, _submit(pool, other, options))
    write(results, batch[-1][0])
    return pool
