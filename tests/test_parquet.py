"""Parquet in and out in corpus mode (bpclass.parquet)."""

from __future__ import annotations

import datetime
import json
import math
import sys

import pytest
from conftest import CRAWL_COLUMNS, DATA, SHARED, interrupted_run

from bpclass import parquet
from bpclass.cli import EXIT_OK, EXIT_USAGE, main

pa = pytest.importorskip("pyarrow", reason='Parquet needs pyarrow: pip install ".[parquet]"')
pq = pytest.importorskip("pyarrow.parquet")

RECORDS = (DATA / "pages.jsonl").read_text(encoding="utf-8").splitlines()


def _rows(path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def _jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_parquet_output_holds_the_rows_of_the_jsonl_output(tmp_path, monkeypatch):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(RECORDS * 5) + "\n", encoding="utf-8")
    monkeypatch.setattr(parquet, "ROWS_PER_GROUP", 3)  # several row groups
    assert main(["clean", "--jsonl", str(source), "-o", str(tmp_path / "out.jsonl")]) == EXIT_OK
    assert main(["clean", "--jsonl", str(source), "-o", str(tmp_path / "out.parquet")]) == EXIT_OK
    assert _rows(tmp_path / "out.parquet") == _jsonl(tmp_path / "out.jsonl")
    assert pq.ParquetFile(tmp_path / "out.parquet").metadata.num_row_groups == 7  # 20 rows, 3 per group
    assert not list(tmp_path.glob("out.parquet.*"))  # no spool, no checkpoint left


def test_columns_whose_values_differ_in_type_lose_nothing(tmp_path, monkeypatch):
    records = [
        {"text": "A page.", "n": 1, "score": 1, "meta": {"a": 1}},
        {"text": "A page.", "n": "one", "score": 2.5, "meta": {"b": "x"}},
        {"text": "A page."},  # fields missing: null
        {"text": "A page.", "n": [1, 2], "score": None, "meta": {"a": 2, "b": "y"}, "late": True},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    monkeypatch.setattr(parquet, "ROWS_PER_GROUP", 1)  # each row its own group: types unified across them
    assert main(["clean", "--jsonl", str(source), "-o", str(tmp_path / "out.parquet")]) == EXIT_OK
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.field("score").type == pa.float64()  # int and float: float
    assert table.schema.field("n").type == pa.string()  # int, str and list: JSON text
    rows = table.to_pylist()
    assert [json.loads(r["n"]) if r["n"] is not None else None for r in rows] == [1, "one", None, [1, 2]]
    assert [r["score"] for r in rows] == [1.0, 2.5, None, None]
    assert [r["meta"] for r in rows] == [
        {"a": 1, "b": None},
        {"a": None, "b": "x"},
        None,
        {"a": 2, "b": "y"},
    ]  # struct keys merged over the row groups, none dropped
    assert [r["late"] for r in rows] == [None, None, None, True]


def test_parquet_input_rows_become_records(tmp_path):
    page = (DATA / "pages" / "en_news_library.txt").read_text(encoding="utf-8")
    html = (DATA / "pages" / "en_news_library.html").read_bytes()
    table = pa.table(
        {
            "id": [1, 2],
            "text": [page, page],
            "html": [html, html],
            "when": [datetime.datetime(2024, 5, 1, 12, 0), None],
            "weight": [math.nan, 0.5],
            "blob": [b"\xff\xfe", b"ok"],
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    out = tmp_path / "out.jsonl"
    assert main(["clean", "--parquet", str(tmp_path / "in.parquet"), "-o", str(out)]) == EXIT_OK
    rows = _jsonl(out)
    assert [r["id"] for r in rows] == [1, 2]
    expected = main(["clean", str(DATA / "pages" / "en_news_library.txt"), "-o", str(tmp_path / "page.txt")])
    assert expected == EXIT_OK
    assert rows[0]["clean_text"].splitlines() == (tmp_path / "page.txt").read_text(encoding="utf-8").splitlines()
    assert rows[0]["when"] == "2024-05-01T12:00:00" and rows[1]["when"] is None
    assert rows[0]["weight"] is None and rows[1]["weight"] == 0.5  # NaN: null (JSON has no NaN)
    assert rows[0]["blob"] == "base64://4=" and rows[1]["blob"] == "ok"
    # The HTML column, read in HTML mode, its bytes decoded as an HTML file's are.
    out_html = tmp_path / "html.parquet"
    argv = ["clean", "--parquet", str(tmp_path / "in.parquet"), "--html-field", "html", "-o", str(out_html)]
    assert main(argv) == EXIT_OK
    assert main(["clean", str(DATA / "pages" / "en_news_library.html"), "-o", str(tmp_path / "h.txt")]) == EXIT_OK
    assert _rows(out_html)[0]["clean_text"].splitlines() == (tmp_path / "h.txt").read_text().splitlines()


def test_an_interrupted_parquet_run_resumes_to_the_same_file(tmp_path, monkeypatch, capsys):
    source = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([json.loads(r) for r in RECORDS * 3]), source)
    whole, out = tmp_path / "whole.parquet", tmp_path / "out.parquet"
    assert main(["clean", "--parquet", str(source), "-o", str(whole), "--batch-size", "2"]) == EXIT_OK
    assert interrupted_run(["clean", "--parquet", str(source), "-o", str(out), "--batch-size", "2"], monkeypatch) == 130
    assert not out.exists() and (tmp_path / "out.parquet.checkpoint").exists()
    assert main(["clean", "--parquet", str(source), "-o", str(out), "--batch-size", "2", "--resume"]) == EXIT_OK
    assert "resumed after input line 4" in capsys.readouterr().err
    assert _rows(out) == _rows(whole)


def test_bad_parquet_input_and_no_pyarrow(tmp_path, monkeypatch, capsys):
    fake = tmp_path / "fake.parquet"
    fake.write_bytes(b"PAR1 not really")
    assert main(["clean", "--parquet", str(fake), "-o", str(tmp_path / "o.jsonl")]) == EXIT_USAGE
    assert "is not a readable Parquet file" in capsys.readouterr().err
    assert main(["clean", "--parquet", "-", "-o", str(tmp_path / "o.jsonl")]) == EXIT_USAGE
    assert main(["clean", str(DATA / "pages" / "en_blog_bread.txt"), "-o", str(tmp_path / "o.parquet")]) == EXIT_USAGE
    assert "give --jsonl, --parquet or --warc" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if the extra were not installed
    source = tmp_path / "in.jsonl"
    source.write_text(RECORDS[0] + "\n", encoding="utf-8")
    assert main(["clean", "--jsonl", str(source), "-o", str(tmp_path / "o.parquet")]) == EXIT_USAGE
    assert 'pip install "bpclass[parquet]"' in capsys.readouterr().err
    assert not list(tmp_path.glob("o.parquet*"))  # refused before any output was opened


@pytest.mark.skipif(not (SHARED / "commoncrawl").is_dir(), reason="needs ../shared/commoncrawl")
def test_common_crawl_wet_to_parquet(tmp_path):
    pytest.importorskip("fastwarc")
    wet = str(SHARED / "commoncrawl" / "whirlwind.warc.wet.gz")
    assert main(["clean", "--warc", wet, "-o", str(tmp_path / "wet.jsonl")]) == EXIT_OK
    assert main(["clean", "--warc", wet, "-o", str(tmp_path / "wet.parquet")]) == EXIT_OK
    table = pq.read_table(tmp_path / "wet.parquet")
    assert table.column_names == [*CRAWL_COLUMNS]
    assert table.to_pylist() == _jsonl(tmp_path / "wet.jsonl")


def test_an_interrupted_crawl_run_to_parquet_resumes_to_the_same_file(tmp_path, monkeypatch):
    pytest.importorskip("fastwarc")
    from test_crawl import _mixed, _write_warc

    warc, whole, out = tmp_path / "crawl.warc.gz", tmp_path / "whole.parquet", tmp_path / "out.parquet"
    _write_warc(warc, _mixed(12))
    argv = ["clean", "--warc", str(warc), "--batch-size", "2", "-o"]
    assert main([*argv, str(whole)]) == EXIT_OK
    assert interrupted_run([*argv, str(out)], monkeypatch) == 130
    assert not out.exists() and (tmp_path / "out.parquet.partial").exists()
    assert main([*argv, str(out), "--resume"]) == EXIT_OK
    assert _rows(out) == _rows(whole) and len(_rows(out)) == 13


def test_a_parquet_row_over_the_record_cap_is_reported_not_cleaned(tmp_path):
    source, out, errors = tmp_path / "in.parquet", tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    pq.write_table(pa.table({"text": ["A short page.", "x" * 5000, "Another page."]}), source)
    argv = ["clean", "--parquet", str(source), "-o", str(out), "--errors", str(errors), "--max-record-bytes", "1000"]
    assert main(argv) == 1
    assert [r["text"] for r in _jsonl(out)] == ["A short page.", "Another page."]
    (failed,) = _jsonl(errors)
    assert failed["line"] == 2 and failed["offset"] == 1 and failed["length"] > 5000


def test_arrow_and_record_by_record_passes_write_the_same_file(tmp_path, monkeypatch):
    arrow_rows = []
    real = parquet._arrow_pass
    monkeypatch.setattr(parquet, "_arrow_pass", lambda *args: arrow_rows.append(real(*args)) or arrow_rows[-1])
    rows = [
        {
            "url": f"https://x.example/{k}",
            "language": None if k % 3 else "eng",
            "text": f"Page {k}\nA line.",
            "n": k,
            "score": k / 7,
            "meta": {"a": k} if k % 2 else {"b": "x"},
            "tags": ["a", "b"][: k % 3],
        }
        for k in range(50)
    ]
    spool = tmp_path / "spool.jsonl"
    spool.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert parquet.jsonl_to_parquet(str(spool), str(tmp_path / "fast.parquet")) == 50
    assert parquet.jsonl_to_parquet(str(spool), str(tmp_path / "slow.parquet"), fast=False) == 50
    fast, slow = pq.read_table(tmp_path / "fast.parquet"), pq.read_table(tmp_path / "slow.parquet")
    assert arrow_rows == [50]  # the first file was written by Arrow's reader, the second record by record
    assert fast.equals(slow) and fast.to_pylist()[1]["meta"] == {"a": 1, "b": None}


def test_a_lone_surrogate_is_written_as_a_replacement_character(tmp_path):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    source.write_text('{"id": "\\ud800x", "text": "A page \\udc00 with a lone surrogate."}\n', encoding="ascii")
    assert main(["clean", "--jsonl", str(source), "-o", str(out)]) == EXIT_OK
    (row,) = _rows(out)
    assert row["id"] == "\ufffdx" and row["text"] == "A page \ufffd with a lone surrogate."
    assert row["clean_text"] == "A page \ufffd with a lone surrogate."


def test_values_json_has_no_form_for_become_text(tmp_path):
    import decimal
    import uuid

    assert parquet._json_value(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert parquet._json_value(decimal.Decimal("1.50")) == "1.50"
    table = pa.table(
        {
            "text": ["A page of text."],
            "when": pa.array([datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.timezone.utc)]),
            "kv": pa.array([[("a", 1)]], type=pa.map_(pa.string(), pa.int64())),
            "price": pa.array([decimal.Decimal("9.99")], type=pa.decimal128(5, 2)),
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    assert main(["clean", "--parquet", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "out.jsonl")]) == EXIT_OK
    (row,) = _jsonl(tmp_path / "out.jsonl")
    assert row["when"] == "2024-05-01T12:00:00+00:00" and row["kv"] == [["a", 1]] and row["price"] == "9.99"
