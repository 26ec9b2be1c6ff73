"""Parquet in and out for corpus mode (the ``parquet`` extra: pyarrow).

**Out.** A run whose output file ends in ``.parquet`` writes its rows as JSON lines to
the usual ``OUT.partial`` file, so that every guarantee of a JSONL run holds as it is
(input order, ``--jobs``, the Dask engine, ``--errors``, ``--resume`` after SIGKILL by
byte offsets); when the run is complete, :func:`jsonl_to_parquet` turns that file
into ``OUT`` in row groups of at most :data:`ROWS_PER_GROUP` rows (or
:data:`BYTES_PER_GROUP` of JSON), so memory stays flat however many rows there are.
A column's type is what pyarrow infers from its values, unified over all row groups
(an integer column with a float in it is a float column); a field whose values cannot
share one Parquet type (a number in one row, a string in another) is written as JSON
text, so no value is lost. A record without a field has a null there. A lone
surrogate (which JSON's escapes can carry, and Parquet's UTF-8 cannot) is written as
U+FFFD.

**In.** :class:`ParquetInput` hands out a Parquet file's rows, one record batch at a
time, as corpus mode's numbered raw JSON records: dates and times become ISO 8601
text, decimals text, binary values text (UTF-8, else ``base64:`` and the bytes in
base64; the page field's HTML is decoded as an HTML file is, by its declared or
detected charset), NaN or infinite floats, which JSON cannot hold, null, and any
other value JSON has no form for its text. A row
whose JSON is longer than the record cap (``--max-record-bytes``) is not cleaned: it
is reported by its row number (0-based, as ``offset``) and its length.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import math
import os
import re
import zlib
from collections import deque

from bpclass.records import Oversize, Positions

ROWS_PER_GROUP = 5_000
# A lone surrogate in a JSON string (only an escape can carry one), and in a str.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abAB]|\\u[dD][c-fC-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
BYTES_PER_GROUP = 64 << 20
# Rows read from a Parquet input at a time (a record batch is held whole in memory).
READ_BATCH_ROWS = 64


class ParquetError(ValueError):
    """A Parquet file that cannot be read or written, with the reason."""


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # the optional extra
        raise ParquetError('Parquet in or out needs pyarrow: pip install "bpclass[parquet]"') from exc
    return pa, pq


def check_pyarrow() -> None:
    """Raise :class:`ParquetError` (saying what to install) when pyarrow is missing."""
    _pyarrow()


def _valid_text(value):
    """``value`` with every lone surrogate in its strings (JSON's ``\\ud800`` escapes can
    carry one; Parquet's UTF-8 cannot) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_valid_text(k): _valid_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_valid_text(v) for v in value]
    return value


def _chunks(path: str, escapes: list | None = None):
    """The JSON records of a JSONL file, in lists of at most ROWS_PER_GROUP records
    and BYTES_PER_GROUP bytes; a record that escapes a surrogate has its lone ones
    replaced (:func:`_valid_text`), and is counted in ``escapes[0]``."""
    rows, size = [], 0
    with open(path, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            if _SURROGATE_ESCAPE.search(line):
                record = _valid_text(record)
                if escapes is not None:
                    escapes[0] += 1
            rows.append(record)
            size += len(line)
            if len(rows) >= ROWS_PER_GROUP or size >= BYTES_PER_GROUP:
                yield rows
                rows, size = [], 0
    if rows:
        yield rows


def _columns(rows: list[dict], names: dict) -> dict[str, list]:
    """The rows' values by field (None where a row lacks it); new fields are added
    to ``names`` (an ordered set: a dict of name to None) in order of appearance."""
    for row in rows:
        for name in row:
            if name not in names:
                names[name] = None
    return {name: [row.get(name) if isinstance(row, dict) else None for row in rows] for name in names}


def _schema(path: str, escapes: list | None = None):
    """(field names in order, {name: pyarrow type}, names written as JSON text) over
    every row of the JSONL file (records that escape a surrogate counted in ``escapes``)."""
    pa, _ = _pyarrow()
    names: dict = {}
    types: dict = {}
    as_json: set = set()
    for rows in _chunks(path, escapes):
        for name, values in _columns(rows, names).items():
            if name in as_json:
                continue
            try:
                kind = pa.array(values).type
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                as_json.add(name)
                continue
            if name not in types or types[name] == kind:
                types[name] = kind
                continue
            try:
                types[name] = (
                    pa.unify_schemas(
                        [pa.schema([pa.field(name, types[name])]), pa.schema([pa.field(name, kind)])],
                        promote_options="permissive",
                    )
                    .field(name)
                    .type
                )
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                as_json.add(name)
    for name in names:
        if name in as_json or pa.types.is_null(types.get(name, pa.null())):
            types[name] = pa.string()  # JSON text, or a column that is null in every row
    return list(names), types, as_json


def _arrow_pass(source: str, dest: str, schema) -> int:
    """The second pass by Arrow's JSON reader, in row groups of about ROWS_PER_GROUP rows."""
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    reader = pj.open_json(
        source,
        read_options=pj.ReadOptions(block_size=BYTES_PER_GROUP // 4),
        parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
    )
    rows = 0
    with pq.ParquetWriter(dest, schema, compression="zstd") as writer:
        for batch in reader:
            for start in range(0, batch.num_rows, ROWS_PER_GROUP):
                part = batch.slice(start, ROWS_PER_GROUP)
                writer.write_batch(part, row_group_size=ROWS_PER_GROUP)
                rows += part.num_rows
    return rows


def jsonl_to_parquet(source: str, dest: str, fast: bool = True) -> int:
    """Write the JSON records of ``source`` (one per line) to the Parquet file
    ``dest``; returns the number of rows. Two passes over ``source``: the columns'
    types, then the row groups (by Arrow's JSON reader when every column has one type
    and no string needs mending; else, or with ``fast=False``, record by record)."""
    pa, pq = _pyarrow()
    escapes = [0]
    names, types, as_json = _schema(source, escapes)
    schema = pa.schema([pa.field(name, types[name]) for name in names])
    if fast and names and not as_json and not escapes[0]:
        # Every column has one type and every string is valid: Arrow's own JSON reader
        # parses the second pass several times faster than json.loads and pa.array.
        try:
            return _arrow_pass(source, dest, schema)
        except pa.ArrowException:
            pass  # something Arrow's reader reads otherwise: record by record, below
    rows_written = 0
    known = dict.fromkeys(names)
    with pq.ParquetWriter(dest, schema, compression="zstd") as writer:
        for rows in _chunks(source):
            columns = _columns(rows, known)
            arrays = []
            for name in names:
                values = columns[name]
                if name in as_json:
                    values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
                arrays.append(pa.array(values, type=types[name]))
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            rows_written += len(rows)
    return rows_written


def finish_parquet(spool: str, output_path: str) -> None:
    """Turn a complete run's JSONL spool into ``output_path`` (written beside it, then
    renamed), and remove the spool."""
    tmp = output_path + ".tmp"
    try:
        jsonl_to_parquet(spool, tmp)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), output_path) from exc
    except Exception:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    os.replace(tmp, output_path)
    os.remove(spool)


def _json_value(value):
    """A value JSON cannot hold, as text."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(data).decode("ascii")
    return str(value)  # anything else (a UUID, an extension type's value): its text


def _finite(value):
    """``value`` with every NaN or infinite float inside it replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class ParquetInput(Positions):
    """The rows of a Parquet file as numbered raw JSON records, with the interface of
    corpus mode's line input (``number``, ``offset`` and ``crc`` after the records
    handed out, ``positions``, :meth:`skip`, ``stream`` for progress). The position is
    the number of rows, with a CRC-32 of their JSON, so a resumed run checks it reads
    the same rows."""

    def __init__(self, path: str, page_field: str | None = None, html: bool = False, max_bytes: int | None = None):
        _, pq = _pyarrow()
        self.path, self.page_field, self.html, self.max_bytes = path, page_field, html, max_bytes
        try:
            self.file = pq.ParquetFile(path)
        except OSError as exc:
            raise ParquetError(f"cannot read {path}: {exc}") from exc
        except Exception as exc:  # pyarrow's ArrowInvalid and kin: not a Parquet file
            raise ParquetError(f"{path} is not a readable Parquet file ({type(exc).__name__}: {exc})") from exc
        self.total_rows = self.file.metadata.num_rows
        self.number = self.offset = self.crc = 0
        self.positions: deque = deque()
        self.stream = None
        self._rows = self._generate()

    def read_position(self) -> int:
        """Rows handed out (progress counts rows: total_rows is the total)."""
        return self.number

    def skip(self, records: int) -> None:
        for _ in zip(range(records), self._rows):
            pass
        self.positions.clear()

    def __iter__(self):
        return self._rows

    def close(self) -> None:
        self.file.close()

    def _page_value(self, value):
        if isinstance(value, (bytes, bytearray, memoryview)):
            if self.html:
                from bpclass.html import decode_html

                return decode_html(bytes(value))
            return bytes(value).decode("utf-8", errors="replace")
        return value

    def _generate(self):
        for batch in self.file.iter_batches(batch_size=READ_BATCH_ROWS):
            for row in batch.to_pylist():
                if self.page_field in row:
                    row[self.page_field] = self._page_value(row[self.page_field])
                try:
                    raw = json.dumps(row, ensure_ascii=False, default=_json_value, allow_nan=False)
                except ValueError:  # NaN or infinity, which JSON cannot hold: null
                    raw = json.dumps(_finite(row), ensure_ascii=False, default=_json_value, allow_nan=False)
                raw = raw.encode("utf-8")
                self.number += 1
                self.offset = self.number
                self.crc = zlib.crc32(raw, self.crc)
                self.positions.append((self.number, self.offset, self.crc))
                if self.max_bytes is not None and len(raw) > self.max_bytes:
                    # Reported by its row (0-based) and its JSON's length, as an oversized line is.
                    yield self.number, Oversize(self.number - 1, len(raw))
                else:
                    yield self.number, raw
