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
from dataclasses import dataclass, field

from bpclass.dask_engine import run_dask
from bpclass.local_engine import run_parallel
from bpclass.model import load_model
from bpclass.records import CorpusOptions, clean_batch, error_line, parse_record, record_site

DEFAULT_BATCH = 64
# With --site-field, a batch may grow to this many times --batch-size to keep a run of
# one site's records together.
SITE_RUN_BATCHES = 4
CHECKPOINT_SUFFIX = ".checkpoint"
# The summary keeps the first failures for the console; the errors file has them all.
MAX_FAILURES_KEPT = 1000


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
        return record_site(parse_record(raw, options)[0], options.site_field)
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
                out.write(line)
                summary.pages += 1
                summary.kept += kept
                summary.dropped += dropped
            else:
                _, number, reason, raw = result
                summary.failed += 1
                if len(summary.failures) < MAX_FAILURES_KEPT:
                    summary.failures.append((number, reason))
                if errors:
                    errors.write(error_line(number, reason, raw))
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
            run_dask(batches, options, jobs, scheduler, write)
        elif jobs <= 1:
            model = model if model is not None else load_model(options.model_path)
            for batch in batches:
                write(clean_batch(batch, options, model), batch[-1][0])
        else:
            run_parallel(batches, options, jobs, write)
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
