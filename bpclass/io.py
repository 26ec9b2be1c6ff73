"""Labeled pages on disk: a text format people can edit, and JSON Lines.

Text format (``.txt``), documented in ``data/FORMAT.md``::

    ### page sindo-putin
    + Putin Ungkap Ancaman terhadap Negara-negara Bekas Soviet

    - Selasa, 27 Desember 2022 - 15:04 WIB
    + MOSKOW - Republik-republik pasca-Soviet menghadapi ...

``+ `` marks content, ``- `` boilerplate, an empty or whitespace-only line is a
blank line of the page. ``### page ID`` starts a page (optional for a file holding
one page); other lines starting with ``#`` are comments.

JSON (``.json``, one page) and JSON Lines (``.jsonl``, ``.jsonl.gz``, one page per
line) hold objects with ``lines`` (list of str) and ``labels`` (1, 0 or null per
line), and optionally ``id``, ``lang``, ``url``, ``site``.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

PAGE_HEADER = "### page"
SUFFIXES = (".txt", ".json", ".jsonl", ".jsonl.gz")


@dataclass
class LabeledPage:
    """One page: its lines and a label per line (1 content, 0 boilerplate, None blank)."""

    lines: list[str]
    labels: list[int | None]
    id: str | None = None
    lang: str | None = None
    url: str | None = None
    site: str | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if len(self.lines) != len(self.labels):
            raise ValueError(f"page {self.id!r}: {len(self.lines)} lines but {len(self.labels)} labels.")


def parse_labeled_text(text: str, source: str = "<text>") -> list[LabeledPage]:
    """Parse the ``+``/``-`` text format; returns the pages it holds."""
    pages: list[LabeledPage] = []
    lines: list[str] = []
    labels: list[int | None] = []
    page_id = None

    def finish():
        while lines and labels[-1] is None:  # trailing blank lines carry nothing
            lines.pop()
            labels.pop()
        if lines:
            pages.append(LabeledPage(list(lines), list(labels), id=page_id))
        lines.clear()
        labels.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith(PAGE_HEADER):
            finish()
            page_id = raw[len(PAGE_HEADER) :].strip() or None
        elif raw.startswith("#"):
            continue
        elif not raw.strip():
            if lines:
                lines.append("")
                labels.append(None)
        elif raw[:2] in ("+ ", "- ") or raw in ("+", "-"):
            content = raw[2:]
            if not content.strip():
                raise ValueError(f"{source}:{number}: a labeled line needs text after {raw[:1]!r}.")
            lines.append(content)
            labels.append(1 if raw[0] == "+" else 0)
        else:
            raise ValueError(
                f"{source}:{number}: a line must start with '+ ' (content), '- ' (boilerplate), "
                f"'#' (comment) or be blank; got {raw[:40]!r}."
            )
    finish()
    if not pages:
        raise ValueError(f"{source}: no labeled lines found.")
    if len(pages) == 1 and pages[0].id is None:
        pages[0].id = Path(source).stem if source != "<text>" else None
    return pages


def format_labeled_text(pages: list[LabeledPage]) -> str:
    """The pages in the ``+``/``-`` text format."""
    out = []
    for page in pages:
        out.append(f"{PAGE_HEADER} {page.id or ''}".rstrip())
        for line, label in zip(page.lines, page.labels):
            if not line.strip():
                out.append("")
            elif label is None:
                raise ValueError(f"page {page.id!r}: a non-blank line has no label; the text format needs one.")
            else:
                out.append(("+ " if label else "- ") + line)
    return "\n".join(out) + "\n"


def page_from_record(record: dict, source: str = "<record>") -> LabeledPage:
    """A LabeledPage from a JSON object with ``lines`` and ``labels``."""
    if not isinstance(record, dict):
        raise ValueError(f"{source}: expected a JSON object, got {type(record).__name__}.")
    lines, labels = record.get("lines"), record.get("labels")
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        raise ValueError(f"{source}: 'lines' must be a list of strings.")
    if not isinstance(labels, list) or not all(x in (0, 1, None) for x in labels):
        raise ValueError(f"{source}: 'labels' must be a list of 0, 1 or null.")
    known = {"lines", "labels", "id", "lang", "url", "site"}
    try:
        return LabeledPage(
            lines=lines,
            labels=[None if x is None else int(x) for x in labels],
            id=None if record.get("id") is None else str(record["id"]),
            lang=record.get("lang"),
            url=record.get("url"),
            site=record.get("site"),
            extra={k: v for k, v in record.items() if k not in known},
        )
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from exc


def _record(page: LabeledPage) -> dict:
    record = asdict(page)
    extra = record.pop("extra")
    return {**{k: v for k, v in record.items() if v is not None}, **extra}


def _open_text(path: Path):
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def iter_labeled_pages(path):
    """Yield the pages of one file (any of :data:`SUFFIXES`) or of every such file in a folder."""
    path = Path(path)
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.is_file() and child.name.endswith(SUFFIXES):
                yield from iter_labeled_pages(child)
        return
    name = path.name
    if name.endswith((".jsonl", ".jsonl.gz")):
        with _open_text(path) as fh:
            for number, raw in enumerate(fh, start=1):
                if raw.strip():
                    try:
                        record = json.loads(raw)
                    except json.JSONDecodeError as exc:
                        raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg}).") from exc
                    yield page_from_record(record, f"{path}:{number}")
    elif name.endswith(".json"):
        with _open_text(path) as fh:
            try:
                record = json.load(fh)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: not valid JSON ({exc.msg}).") from exc
        page = page_from_record(record, str(path))
        page.id = page.id or path.stem
        yield page
    elif name.endswith(".txt"):
        with _open_text(path) as fh:
            yield from parse_labeled_text(fh.read(), str(path))
    else:
        raise ValueError(f"{path}: unknown labeled-page format; use one of {', '.join(SUFFIXES)}.")


def read_labeled_pages(path) -> list[LabeledPage]:
    """All pages of a labeled file or folder (see :func:`iter_labeled_pages`)."""
    return list(iter_labeled_pages(path))


def write_labeled_pages(pages, path) -> None:
    """Write pages as ``.txt`` (text format), ``.json`` (one page) or ``.jsonl[.gz]``."""
    path = Path(path)
    pages = list(pages)
    name = path.name
    if name.endswith((".jsonl", ".jsonl.gz")):
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "wt", encoding="utf-8") as fh:
            for page in pages:
                fh.write(json.dumps(_record(page), ensure_ascii=False) + "\n")
    elif name.endswith(".json"):
        if len(pages) != 1:
            raise ValueError(f"{path}: a .json file holds one page; got {len(pages)}. Use .jsonl.")
        path.write_text(json.dumps(_record(pages[0]), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif name.endswith(".txt"):
        path.write_text(format_labeled_text(pages), encoding="utf-8")
    else:
        raise ValueError(f"{path}: unknown labeled-page format; use one of {', '.join(SUFFIXES)}.")


__all__ = [
    "LabeledPage",
    "format_labeled_text",
    "iter_labeled_pages",
    "page_from_record",
    "parse_labeled_text",
    "read_labeled_pages",
    "write_labeled_pages",
]
