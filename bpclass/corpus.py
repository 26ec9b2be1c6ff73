"""Corpus mode: clean a JSON Lines stream of pages in bounded memory, on every core.

Records are read in batches of ``batch_size``; at most ``2 * jobs`` batches are in
flight at once, so memory does not grow with the input. Results are written in
input order. Nothing is lost: every input record is either written to the output
(with the cleaned text added) or written to the errors file with its line number
and the reason. A worker that dies takes only its batch with it: those records go
to the errors file and the run goes on with a fresh pool.

A run writes ``OUTPUT.partial`` (and ``ERRORS.partial``) and renames them to their
final names when it completes, so a file under the final name is always whole. It
holds a lock on ``OUTPUT.lock`` meanwhile: a second run on the same output stops.

Resuming: after each batch is written and flushed, a checkpoint file
``OUTPUT.checkpoint`` records how many input lines are done (with the byte count and
CRC-32 of the input read so far) and how long the partial output and errors files
were at that point. ``resume=True`` checks the input's done part and the partial
files against it, truncates both files back to the checkpoint (dropping anything
written after it, e.g. by a killed run) and goes on after the input lines already
done, so no record is duplicated or lost. A run that completes removes its checkpoint.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import sys
import time
import zlib
from collections import deque
from dataclasses import dataclass, field

from bpclass.dask_engine import run_dask
from bpclass.local_engine import run_parallel
from bpclass.model import load_model
from bpclass.records import CorpusOptions, Oversize, Positions, clean_batch, error_line, parse_record, record_site

DEFAULT_BATCH = 64
# With --site-field, a batch may grow to this many times --batch-size to keep a run of
# one site's records together.
SITE_RUN_BATCHES = 4
CHECKPOINT_SUFFIX = ".checkpoint"
LOCK_SUFFIX = ".lock"
# A run writes OUTPUT.partial (and ERRORS.partial), renamed into place when it ends:
# a file under the final name is always complete.
PARTIAL_SUFFIX = ".partial"
# Lines longer than the record cap are read on in pieces of this size, never whole.
READ_PIECE = 1 << 20
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
    warned: bool = False
    failures: list = field(default_factory=list)
    # Crawl files: the records that are not pages, by type.
    skipped_records: dict = field(default_factory=dict)

    def line(self) -> str:
        rate = self.pages / self.seconds if self.seconds > 0 else 0.0
        resumed = f" (resumed after input line {self.skipped_input_lines})" if self.skipped_input_lines else ""
        skipped = ""
        if self.skipped_records:
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped_records.items()))
            skipped = f"; records skipped (not pages): {counts}"
        return (
            f"bpclass: {self.pages} pages cleaned, {self.failed} failed; "
            f"{self.kept} lines kept, {self.dropped} dropped ({rate:.0f} pages/s){resumed}{skipped}"
        )


def _open_input(path: str):
    if path == "-":
        return sys.stdin.buffer
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


class _Input(Positions):
    """The input's lines, numbered from 1, each read at most ``max_bytes`` + 1 bytes
    at a time: a longer line is never held whole (it is read on in pieces and
    yielded as an :class:`~bpclass.records.Oversize`, its offset and length), so a
    gzip bomb costs time, not memory. ``offset`` and ``crc`` are the count and CRC-32
    of the (uncompressed) bytes read so far: a checkpoint records them, and a resumed
    run checks that the input it skips is the input the checkpoint saw."""

    def __init__(self, stream, max_bytes: int):
        self.stream, self.max_bytes = stream, max_bytes
        self.number = self.offset = self.crc = 0
        # (line number, offset, crc) after each line read and not yet written out.
        self.positions: deque = deque()

    def _read(self, limit: int) -> bytes:
        raw = self.stream.readline(limit)
        self.offset += len(raw)
        self.crc = zlib.crc32(raw, self.crc)
        return raw

    def __iter__(self):
        while raw := self._read(self.max_bytes + 1):
            self.number += 1
            if len(raw) > self.max_bytes and not raw.endswith(b"\n"):
                start, length = self.offset - len(raw), len(raw)
                while not raw.endswith(b"\n") and (raw := self._read(READ_PIECE)):
                    length += len(raw)
                raw = Oversize(start, length)
            self.positions.append((self.number, self.offset, self.crc))
            yield self.number, raw

    def skip(self, lines: int) -> None:
        """Read past the first ``lines`` lines (resuming), in bounded pieces."""
        while self.number < lines:
            raw = self._read(READ_PIECE)
            if not raw:
                return
            if raw.endswith(b"\n"):
                self.number += 1


def _batches(lines, batch_size: int, options: CorpusOptions | None = None):
    """Batches of (line number, raw line) of the numbered, non-blank ``lines``. With
    ``options.site_field``, a batch that is full still takes the records that follow
    while they are of its last record's site, up to SITE_RUN_BATCHES times
    ``batch_size``: a run of one site's records is not cut where it need not be."""
    lines = ((number, raw) for number, raw in lines if isinstance(raw, (Oversize, dict)) or raw.strip())
    if options is None or options.site_field is None:
        yield from _plain_batches(lines, batch_size)
        return
    batch: list = []
    last = unknown = object()  # the site of the batch's last record, parsed only once the batch is full
    for number, raw in lines:
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


def _plain_batches(lines, batch_size: int):
    batch = []
    for number, raw in lines:
        batch.append((number, raw))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _raw_site(raw, options: CorpusOptions):
    """The site of a raw record, or None (a record that does not parse fails later, in its batch)."""
    if isinstance(raw, Oversize):
        return None
    try:
        return record_site(parse_record(raw, options)[0], options.site_field)
    except ValueError:
        return None


# After this many records that all lack the text field, the run says so at once.
MISSING_FIELD_WARN_AFTER = 20


def _warn_missing_field(summary: Summary, field_name: str, option: str = "--text-field") -> None:
    """Say once, early, when every record so far lacks the page's field: a wrong
    --text-field (or --html-field) would otherwise show only at the end of the run."""
    missing = f"field {field_name!r} is missing"
    if summary.pages or summary.warned or summary.failed < MISSING_FIELD_WARN_AFTER:
        return
    if all(reason == missing for _, reason in summary.failures):
        summary.warned = True
        sys.stderr.write(
            f"warning: none of the first {summary.failed} records has a field {field_name!r}; "
            f"is {option} right? (the run goes on)\n"
        )


class _Progress:
    """Pages cleaned and pages/s on standard error and, when the input's size is known
    (a file), how far through it the run is: bytes, a percentage and the time left
    (a tqdm bar over the input's bytes, compressed ones for a .gz file)."""

    def __init__(self, enabled: bool, total: int | None = None, done: int = 0, unit: str = "B"):
        self.bar = None
        self.start = time.monotonic()
        self.position = done
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                initial=done,
                unit=unit,
                unit_scale=True,
                unit_divisor=1024 if unit == "B" else 1000,
                desc="bpclass",
                file=sys.stderr,
                mininterval=0.5,
                dynamic_ncols=True,
            )

    def update(self, pages: int, position: int, final: bool = False) -> None:
        if self.bar is None:
            return
        rate = pages / max(time.monotonic() - self.start, 1e-9)
        self.bar.set_postfix_str(f"{pages} pages, {rate:.0f} pages/s", refresh=False)
        self.bar.update(position - self.position)
        self.position = position
        if final:
            self.bar.close()


def _input_position(stream, source: _Input):
    """The input's size (None for standard input) and a function giving how far the
    run has read it: the compressed file's position for a .gz input."""
    raw = getattr(stream, "fileobj", None)  # a GzipFile's underlying file
    try:
        total = os.fstat((raw or stream).fileno()).st_size if stream is not sys.stdin.buffer else None
    except (OSError, AttributeError, ValueError):
        total = None
    if raw is not None:
        return total, raw.tell
    return total, lambda: source.offset


CHECKPOINT_KEYS = ("input_lines", "input_bytes", "input_crc", "output_bytes", "errors_bytes")


def _read_checkpoint(path: str) -> dict | None:
    """The state a checkpoint file records; None when there is none (nothing to
    resume: the run starts over). A file that cannot be read is an error: resuming
    from it could skip or repeat records."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return {k: int(data[k]) for k in CHECKPOINT_KEYS}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"cannot resume: the checkpoint {path} is unreadable or from an older bpclass ({exc}); "
            "run again without --resume to start over."
        ) from exc


def _write_checkpoint(path: str, state: dict) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(state, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (through links, ``./``, hard links)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return False


def check_paths(input_path: str, output_path: str, errors_path: str | None) -> None:
    """Refuse outputs that would overwrite the input or each other."""
    named = [("the output (-o)", output_path), ("the errors file (--errors)", errors_path)]
    named = [(what, path) for what, path in named if path and path != "-"]
    for what, path in named:
        if input_path != "-" and _same_file(input_path, path):
            raise ValueError(f"{what} {path} is the input file; writing it would destroy the input.")
    if len(named) == 2 and _same_file(named[0][1], named[1][1]):
        raise ValueError(f"the output and the errors file are one file ({output_path}); give two files.")


class _Lock:
    """An exclusive lock on ``OUTPUT.lock`` for the run's length: a second run on the
    same output stops at once with a clear message instead of mixing its records in.
    (Advisory, through ``fcntl.flock``; where there is no fcntl, no lock is taken.)"""

    def __init__(self, output_path: str):
        self.path = output_path + LOCK_SUFFIX
        self.handle = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # not a POSIX system
            return self
        handle = open(self.path, "a")  # noqa: SIM115 - held until __exit__
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.close()
            raise ValueError(
                f"another bpclass run is writing {self.path[: -len(LOCK_SUFFIX)]} (it holds {self.path}); "
                "wait for it to end, or write elsewhere."
            ) from exc
        self.handle = handle
        return self

    def __exit__(self, *exc_info):
        if self.handle is not None:
            os.remove(self.path)  # still ours: no other run can hold it
            self.handle.close()


class _Output:
    """A file the run writes, whose write errors (a full disk, a size limit) name it."""

    def __init__(self, handle, name: str):
        self.handle, self.name = handle, name

    @classmethod
    def open(cls, path: str, resume: bool, at: int) -> _Output:
        """``path`` opened for writing (``-``: standard output; ``.gz``: compressed);
        when resuming, cut back to ``at`` bytes and written on from there."""
        if path == "-":
            return cls(sys.stdout.buffer, "standard output")
        if path.endswith(".gz" + PARTIAL_SUFFIX):
            return cls(gzip.open(path, "wb"), path)
        handle = open(path, "r+b" if resume and os.path.exists(path) else "wb")  # noqa: SIM115 - closed by close()
        handle.truncate(at)
        handle.seek(at)
        return cls(handle, path)

    def close(self) -> None:
        if self.handle is sys.stdout.buffer:
            self.flush()
        else:
            self._guarded(self.handle.close)

    def _guarded(self, action, *args):
        try:
            return action(*args)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror or str(exc), self.name) from exc

    def write(self, data: bytes) -> None:
        self._guarded(self.handle.write, data)

    def flush(self) -> None:
        self._guarded(self.handle.flush)

    def tell(self) -> int:
        return self.handle.tell()


def _file_size(path: str | None) -> int:
    try:
        return os.path.getsize(path) if path else 0
    except OSError:
        return -1  # missing


def _check_resume(state: dict, output_path: str, errors_path: str | None, checkpoint: str) -> None:
    """Refuse to resume when the outputs are not what the checkpoint saw."""
    for what, path, recorded in (
        ("output", output_path, state["output_bytes"]),
        ("errors file", errors_path, state["errors_bytes"]),
    ):
        if path is None:
            if recorded:
                raise ValueError(f"cannot resume: {checkpoint} was written with an errors file; give it again.")
            continue
        size = _file_size(path)
        if size < recorded:
            have = "is missing" if size < 0 else f"holds {size} bytes"
            raise ValueError(
                f"cannot resume: {checkpoint} says the {what} {path} held {recorded} bytes, but it {have} "
                "(changed since); run again without --resume to start over."
            )


ENGINES = ("local", "dask")
# An output file of this name is written as Parquet (bpclass.parquet) when the run ends.
PARQUET_SUFFIX = ".parquet"


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
    crawl_paths: list[str] | None = None,
) -> Summary:
    """Clean every record of ``input_path`` into ``output_path``; see the module docstring.
    With ``crawl_paths`` (and ``options.crawl``), the pages of those WARC or WET files
    are the records instead (``bpclass.crawl``; ``input_path`` names them in messages)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}.")
    if output_path == "-" and resume:
        raise ValueError("--resume needs an output file, not standard output.")
    if output_path.endswith(PARQUET_SUFFIX) or options.parquet:
        from bpclass.parquet import check_pyarrow

        check_pyarrow()  # without the parquet extra, say so before any output is opened
    if resume and (output_path.endswith(".gz") or (errors_path or "").endswith(".gz")):
        raise ValueError("--resume needs an uncompressed output and errors file (not .gz).")
    for path in crawl_paths or [input_path]:
        check_paths(path, output_path, errors_path)
    run = functools.partial(
        _run, input_path, output_path, errors_path, options, jobs, batch_size, progress=progress, model=model
    )
    if output_path == "-":
        return run(resume=False, engine=engine, scheduler=scheduler, crawl_paths=crawl_paths)
    with _Lock(output_path):
        return run(resume=resume, engine=engine, scheduler=scheduler, crawl_paths=crawl_paths)


def _open_source(input_path: str, options: CorpusOptions, crawl_paths):
    """(the stream to close or None, the numbered records, (size, position function, unit))."""
    if crawl_paths:
        from bpclass.crawl import CrawlInput

        source = CrawlInput(crawl_paths, options.max_record_bytes)
        return None, source, lambda: (source.total_bytes, source.read_position, "B")
    if options.parquet:
        from bpclass.parquet import ParquetInput

        source = ParquetInput(input_path, options.page_field, options.html_field is not None, options.max_record_bytes)
        return source.file, source, lambda: (source.total_rows, source.read_position, " rows")
    stream = _open_input(input_path)
    source = _Input(stream, options.max_record_bytes)
    return stream, source, lambda: (*_input_position(stream, source), "B")


def _run(
    input_path,
    output_path,
    errors_path,
    options,
    jobs,
    batch_size,
    resume,
    progress,
    model,
    engine,
    scheduler,
    crawl_paths=None,
):
    checkpoint = output_path + CHECKPOINT_SUFFIX if output_path != "-" else None
    # Where the run writes until it ends (then renamed to the final names).
    work = output_path if output_path == "-" else output_path + PARTIAL_SUFFIX
    errors_work = errors_path + PARTIAL_SUFFIX if errors_path else None
    state = dict.fromkeys(CHECKPOINT_KEYS, 0)
    if resume and checkpoint:
        state = _read_checkpoint(checkpoint) or state
        _check_resume(state, work, errors_work, checkpoint)

    stream, source, sizes = _open_source(input_path, options, crawl_paths)
    out = errors = None
    try:
        if state["input_lines"]:
            source.skip(state["input_lines"])
            if (source.number, source.offset, source.crc) != (
                state["input_lines"],
                state["input_bytes"],
                state["input_crc"],
            ):
                raise ValueError(
                    f"cannot resume: {input_path} is not the input {checkpoint} was written for (its first "
                    f"{state['input_lines']} records differ); run again without --resume to start over."
                )
        out = _Output.open(work, resume, state["output_bytes"])
        errors = _Output.open(errors_work, resume, state["errors_bytes"]) if errors_work else None
        summary = Summary(skipped_input_lines=state["input_lines"])
        total, position, unit = sizes()
        bar = _Progress(progress, total, position(), unit)
        start = time.monotonic()
        batches = _batches(source, batch_size, options)

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
            _warn_missing_field(
                summary, options.page_field, "--text-field" if options.html_field is None else "--html-field"
            )
            input_bytes, input_crc = source.position_after(last_line)
            if checkpoint and not output_path.endswith(".gz"):
                state.update(input_lines=last_line, input_bytes=input_bytes, input_crc=input_crc)
                state["output_bytes"] = out.tell()
                state["errors_bytes"] = errors.tell() if errors else 0
                _write_checkpoint(checkpoint, state)
            bar.update(summary.pages, position())

        if engine == "dask":
            run_dask(batches, options, jobs, scheduler, write)
        elif jobs <= 1:
            model = model if model is not None else load_model(options.model_path)
            for batch in batches:
                write(clean_batch(batch, options, model), batch[-1][0])
        else:
            run_parallel(batches, options, jobs, write)
        bar.update(summary.pages, position(), final=True)
        summary.skipped_records = dict(getattr(source, "skipped", {}))
    finally:
        failing = sys.exc_info()[1]
        if stream is not None and stream is not sys.stdin.buffer:
            stream.close()
        for handle in (out, errors):
            try:
                if handle is not None:
                    handle.close()
            except OSError:
                if failing is None:  # else the error already on its way says what went wrong
                    raise
    if output_path != "-":  # the run is complete: the outputs take their names, nothing is left to resume
        if output_path.endswith(PARQUET_SUFFIX):
            from bpclass.parquet import finish_parquet

            finish_parquet(work, output_path)
        else:
            os.replace(work, output_path)
        if errors_work:
            os.replace(errors_work, errors_path)
        if os.path.exists(checkpoint):
            os.remove(checkpoint)
    summary.seconds = time.monotonic() - start
    return summary
