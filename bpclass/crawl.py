"""Crawl files in: the pages of WARC and WET files, as corpus mode's records.

Common Crawl ships two formats a corpus builder cleans:

* **WET** (``.warc.wet.gz``): each ``conversion`` record is a page's text, one block
  per line: read in text mode;
* **WARC** (``.warc.gz``): each ``response`` record holds the HTTP response; one whose
  payload is HTML (``text/html``, ``application/xhtml+xml``) is read in HTML mode
  (:mod:`bpclass.html`).

Every other record (``warcinfo``, ``request``, ``metadata``, ``revisit``, responses
that are not HTML) is skipped and counted. Records are read with FastWARC (the
``crawl`` extra), gzipped or not, one file after another.

Each page becomes one record (a dict) for :func:`bpclass.records.clean_batch`, with the
fields of a dataset row: ``url``, ``warc_record_id``, ``warc_date``, ``language``
(WET's ``WARC-Identified-Content-Language``, else null) and the page (``text`` or
``html``). A record whose payload is larger than the record cap is not read whole:
it becomes an :class:`~bpclass.records.Oversize` (its offset in its file and its
length) and is reported, never lost silently.

A run's position is the number of pages handed out, with a CRC-32 of their record
ids: a resumed run skips that many pages and checks that they are the same ones.
"""

from __future__ import annotations

import os
import zlib
from collections import Counter, deque

from bpclass.records import CRAWL_HTML_FIELD, CRAWL_TEXT_FIELD, Oversize, Positions

# Content types of responses read as HTML pages.
HTML_TYPES = ("text/html", "application/xhtml+xml")
# How far a crawl file's format is sniffed: a WARC file starts with "WARC/1." (after
# gzip's own header when compressed).
_WARC_MAGIC = b"WARC/"


class CrawlFileError(ValueError):
    """A file that is not a WARC or WET file (or is damaged), with the reason."""


def _fastwarc():
    try:
        from fastwarc.warc import ArchiveIterator, WarcRecordType
    except ImportError as exc:  # the optional extra
        raise CrawlFileError('reading WARC and WET files needs FastWARC: pip install "bpclass[crawl]"') from exc
    return ArchiveIterator, WarcRecordType


def check_crawl_file(path: str) -> None:
    """Refuse, with a clear message, a file that is missing or does not start like a
    WARC record (plain or gzipped)."""
    import gzip

    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
            fh.seek(0)
            if head == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=fh) as inner:
                    head = inner.read(len(_WARC_MAGIC))
            else:
                head = fh.read(len(_WARC_MAGIC))
    except OSError as exc:
        raise CrawlFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (EOFError, gzip.BadGzipFile) as exc:
        raise CrawlFileError(f"{path} is not a WARC or WET file (a damaged gzip stream: {exc})") from exc
    if head != _WARC_MAGIC:
        raise CrawlFileError(f"{path} is not a WARC or WET file (it does not start with a WARC record)")


def _header(headers, name: str):
    value = headers.get(name) if headers is not None else None
    return value if value else None


def _charset(content_type: str | None) -> str | None:
    """The charset a Content-Type header names, if any."""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _html_text(payload: bytes, content_type: str | None) -> str:
    """A response's HTML as text: in the charset its HTTP header names when that reads
    it cleanly, else as :func:`bpclass.html.decode_html` decides."""
    from bpclass.html import decode_html

    charset = _charset(content_type)
    if charset:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError, ValueError):
            pass
    return decode_html(payload)


class CrawlInput(Positions):
    """The pages of crawl files as numbered raw JSON records, with the interface of
    corpus mode's line input: ``number``, ``offset`` (pages handed out), ``crc`` (of
    their record ids), ``positions`` and ``position_after``, :meth:`skip`, and
    ``stream`` (the file being read, for progress). ``skipped`` counts the records
    that are not pages, by type."""

    def __init__(self, paths: list[str], max_bytes: int):
        self.paths, self.max_bytes = list(paths), max_bytes
        _fastwarc()  # without the crawl extra, say so before any output is opened
        for path in self.paths:
            check_crawl_file(path)
        self.number = self.offset = self.crc = 0
        self.positions: deque = deque()
        self.skipped: Counter = Counter()
        self.stream = None
        self.total_bytes = sum(os.path.getsize(p) for p in self.paths)
        self._done_bytes = 0  # the sizes of the files already read
        self._pages = self._generate()

    def read_position(self) -> int:
        """How far through the files' bytes the run has read (for progress)."""
        try:
            here = self.stream.tell() if self.stream is not None and not self.stream.closed else 0
        except (OSError, ValueError):
            here = 0
        return self._done_bytes + here

    def skip(self, pages: int) -> None:
        """Resuming: read past the first ``pages`` pages (the caller then checks
        ``number``, ``offset`` and ``crc`` against its checkpoint)."""
        for _ in zip(range(pages), self._pages):
            pass
        self.positions.clear()

    def __iter__(self):
        return self._pages

    def _generate(self):
        ArchiveIterator, WarcRecordType = _fastwarc()
        wanted = WarcRecordType.response | WarcRecordType.conversion
        for path in self.paths:
            with open(path, "rb") as fh:
                self.stream = fh
                for record in ArchiveIterator(fh, parse_http=True):
                    kind = record.record_type
                    if not kind & wanted:
                        self.skipped[str(kind)] += 1
                        continue
                    page = self._page(record, kind == WarcRecordType.conversion)
                    if page is None:
                        continue
                    record_id = _header(record.headers, "WARC-Record-ID") or ""
                    self.number += 1
                    self.offset = self.number
                    self.crc = zlib.crc32(record_id.encode("utf-8", "replace"), self.crc)
                    self.positions.append((self.number, self.offset, self.crc))
                    yield self.number, page
                self._done_bytes += os.fstat(fh.fileno()).st_size
            self.stream = None

    def _page(self, record, is_text: bool):
        """A page's record (a dict: nothing to parse again), an Oversize, or None for a
        response that is not HTML (counted as skipped)."""
        content_type = None
        if not is_text:
            content_type = _header(record.http_headers, "Content-Type")
            if (content_type or "").split(";")[0].strip().lower() not in HTML_TYPES:
                self.skipped["response (not HTML)"] += 1
                return None
        payload = record.reader.read(self.max_bytes + 1)
        if len(payload) > self.max_bytes:
            length = len(payload)
            while chunk := record.reader.read(1 << 20):
                length += len(chunk)
            return Oversize(record.stream_pos, length)
        headers = record.headers
        row = {
            "url": _header(headers, "WARC-Target-URI"),
            "warc_record_id": _header(headers, "WARC-Record-ID"),
            "warc_date": _header(headers, "WARC-Date"),
            "language": _header(headers, "WARC-Identified-Content-Language"),
        }
        if is_text:
            row[CRAWL_TEXT_FIELD] = payload.decode("utf-8", errors="replace")
        else:
            row[CRAWL_HTML_FIELD] = _html_text(payload, content_type)
        return row
