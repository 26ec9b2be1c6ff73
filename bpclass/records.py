"""One batch of corpus records: parse each JSON line, clean its page, report each
record's outcome. This is the unit of work every engine runs (in this process, in a
pool of processes, or on a Dask cluster); a worker loads its model once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from bpclass.model import load_model, with_keep_comments


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


_WORKER_MODELS: dict = {}


def _worker_model(model_path):
    """The model of this worker process, loaded once per path."""
    if model_path not in _WORKER_MODELS:
        _WORKER_MODELS[model_path] = load_model(model_path)
    return _WORKER_MODELS[model_path]


def _worker_init(model_path):
    _worker_model(model_path)  # load before the first batch arrives


def parse_record(raw: bytes, options: CorpusOptions) -> tuple[dict, str]:
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


def record_site(record: dict, field: str):
    """The record's site for ``predict(sites=...)``: a str or int in ``field``; None
    (the page read on its own) when there is no such field or it holds something else."""
    value = record.get(field)
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "" else None


def clean_batch(batch: list[tuple[int, bytes]], options: CorpusOptions, model=None) -> list[tuple]:
    """Clean one batch of (line number, raw JSON line).

    Returns, in order, ``("ok", number, json_line, kept, dropped)`` or
    ``("error", number, reason, raw_text)`` for each record.
    """
    model = with_keep_comments(model if model is not None else _worker_model(options.model_path), options.keep_comments)
    results: list = [None] * len(batch)
    parsed = []
    for k, (number, raw) in enumerate(batch):
        try:
            record, text = parse_record(raw, options)
        except ValueError as exc:
            results[k] = ("error", number, str(exc), raw.decode("utf-8", "replace"))
            continue
        parsed.append((k, number, record, text.splitlines()))
    if parsed:
        sites = None
        if options.site_field is not None:
            sites = [record_site(record, options.site_field) for _, _, record, _ in parsed]
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
