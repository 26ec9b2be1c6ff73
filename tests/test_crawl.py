"""Crawl files in: WET and WARC records as pages, in corpus mode (bpclass.crawl)."""

from __future__ import annotations

import gzip
import json
import uuid

import pytest
from conftest import CRAWL_COLUMNS, DATA, SHARED, interrupted_run

import bpclass
from bpclass.cli import EXIT_BAD_RECORDS, EXIT_OK, EXIT_USAGE, main

pytest.importorskip("fastwarc", reason='crawl files need FastWARC: pip install ".[crawl]"')

PAGE_TEXT = (DATA / "pages" / "en_news_library.txt").read_text(encoding="utf-8")
PAGE_HTML = (DATA / "pages" / "en_news_library.html").read_text(encoding="utf-8")


def _record(kind: str, payload: bytes, url: str | None = None, extra: dict | None = None) -> bytes:
    """One WARC/1.0 record (a test fixture: what a crawler writes, built by hand)."""
    headers = {
        "WARC-Type": kind,
        "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>",
        "WARC-Date": "2024-05-18T01:58:10Z",
        **({"WARC-Target-URI": url} if url else {}),
        **(extra or {}),
        "Content-Length": str(len(payload)),
    }
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode("utf-8") + payload + b"\r\n\r\n"


def _response(html: bytes, content_type: str = "text/html; charset=UTF-8") -> bytes:
    http = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(html)}\r\n\r\n"
    return http.encode("ascii") + html


def _write_warc(path, records: list[bytes], gz: bool = True) -> None:
    """Each record its own gzip member, as Common Crawl writes them."""
    with open(path, "wb") as fh:
        for record in records:
            fh.write(gzip.compress(record) if gz else record)


def _mixed(n: int = 3) -> list[bytes]:
    records = [_record("warcinfo", b"software: test\r\n")]
    for k in range(n):
        url = f"https://news.example/{k}"
        records.append(_record("request", b"GET / HTTP/1.1\r\n\r\n", url, {"Content-Type": "application/http"}))
        records.append(_record("response", _response(PAGE_HTML.encode()), url, {"Content-Type": "application/http"}))
        records.append(_record("metadata", b"fetchTimeMs: 1\r\n", url))
    pdf = _response(b"%PDF-1.4", "application/pdf")
    records.append(_record("response", pdf, "https://news.example/a.pdf", {"Content-Type": "application/http"}))
    wet = {"Content-Type": "text/plain", "WARC-Identified-Content-Language": "eng"}
    records.append(_record("conversion", PAGE_TEXT.encode(), "https://news.example/wet", wet))
    return records


def _rows(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_wet_and_warc_records_become_dataset_rows(tmp_path, capsys):
    warc = tmp_path / "crawl.warc.gz"
    _write_warc(warc, _mixed(3))
    out = tmp_path / "out.jsonl"
    assert main(["clean", "--warc", str(warc), "-o", str(out)]) == EXIT_OK
    rows = _rows(out)
    assert [r["url"] for r in rows] == [f"https://news.example/{k}" for k in range(3)] + ["https://news.example/wet"]
    for row in rows:
        assert list(row) == [*CRAWL_COLUMNS]
        assert row["warc_record_id"].startswith("<urn:uuid:") and row["warc_date"] == "2024-05-18T01:58:10Z"
    assert rows[0]["text"] == bpclass.clean_html(PAGE_HTML) and rows[0]["language"] is None
    assert rows[-1]["text"] == bpclass.clean(PAGE_TEXT) and rows[-1]["language"] == "eng"
    assert rows[-1]["lines_kept"] == len(rows[-1]["text"].splitlines())
    assert rows[-1]["lines_total"] == sum(1 for line in PAGE_TEXT.splitlines() if line.strip())
    err = capsys.readouterr().err
    assert "4 pages cleaned, 0 failed" in err
    assert "3 metadata, 3 request, 1 response (not HTML), 1 warcinfo" in err


def test_uncompressed_files_several_files_and_a_glob(tmp_path):
    _write_warc(tmp_path / "a.warc", _mixed(1), gz=False)
    _write_warc(tmp_path / "b.warc.gz", _mixed(2))
    out_list, out_glob = tmp_path / "list.jsonl", tmp_path / "glob.jsonl"
    assert main(["clean", "--warc", str(tmp_path / "a.warc"), str(tmp_path / "b.warc.gz"), "-o", str(out_list)]) == 0
    assert main(["clean", "--warc", str(tmp_path / "*.warc*"), "-o", str(out_glob)]) == EXIT_OK
    assert len(_rows(out_list)) == 2 + 3 and _rows(out_list) == _rows(out_glob)


def test_two_jobs_give_the_same_rows(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    _write_warc(warc, _mixed(20))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["clean", "--warc", str(warc), "-o", str(one), "--batch-size", "4"]) == EXIT_OK
    assert main(["clean", "--warc", str(warc), "-o", str(two), "--batch-size", "4", "--jobs", "2"]) == EXIT_OK
    assert one.read_bytes() == two.read_bytes()


def test_an_oversized_record_is_reported_not_lost(tmp_path, capsys):
    big = "<html><body>" + "<p>word word word word.</p>" * 2000 + "</body></html>"
    warc = tmp_path / "crawl.warc.gz"
    http = {"Content-Type": "application/http; msgtype=response"}
    _write_warc(warc, [_record("response", _response(big.encode()), "https://x.example/big", http), *_mixed(1)])
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    args = ["clean", "--warc", str(warc), "-o", str(out), "--errors", str(errors), "--max-record-bytes", "20000"]
    assert main(args) == EXIT_BAD_RECORDS
    assert len(_rows(out)) == 2
    (failed,) = _rows(errors)
    assert failed["line"] == 1 and failed["length"] > 20000 and failed["offset"] == 0


def _interrupted_at_the_third_batch(warc, out, monkeypatch) -> None:
    """A run of batches of 2 pages, interrupted (as by Ctrl-C) at its third batch."""
    assert interrupted_run(["clean", "--warc", str(warc), "-o", str(out), "--batch-size", "2"], monkeypatch) == 130


def test_an_interrupted_run_resumes_to_the_same_rows(tmp_path, monkeypatch, capsys):
    warc = tmp_path / "crawl.warc.gz"
    _write_warc(warc, _mixed(12))
    whole, out = tmp_path / "whole.jsonl", tmp_path / "out.jsonl"
    assert main(["clean", "--warc", str(warc), "-o", str(whole), "--batch-size", "2"]) == EXIT_OK
    _interrupted_at_the_third_batch(warc, out, monkeypatch)
    assert not out.exists() and (tmp_path / "out.jsonl.checkpoint").exists()
    assert main(["clean", "--warc", str(warc), "-o", str(out), "--batch-size", "2", "--resume"]) == EXIT_OK
    assert out.read_bytes() == whole.read_bytes()
    assert "resumed after input line 4" in capsys.readouterr().err


def test_resume_refuses_other_crawl_files(tmp_path, monkeypatch, capsys):
    warc, out = tmp_path / "crawl.warc.gz", tmp_path / "out.jsonl"
    _write_warc(warc, _mixed(12))
    _interrupted_at_the_third_batch(warc, out, monkeypatch)
    _write_warc(warc, _mixed(12))  # the same pages under new record ids: another crawl file
    assert main(["clean", "--warc", str(warc), "-o", str(out), "--batch-size", "2", "--resume"]) == EXIT_USAGE
    assert "records differ" in capsys.readouterr().err


def test_files_that_are_not_crawl_files(tmp_path, capsys):
    text = tmp_path / "page.txt"
    text.write_text("Just a page.\n", encoding="utf-8")
    assert main(["clean", "--warc", str(text)]) == EXIT_USAGE
    assert "is not a WARC or WET file" in capsys.readouterr().err
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert main(["clean", "--warc", str(broken)]) == EXIT_USAGE
    assert main(["clean", "--warc", str(tmp_path / "none-*.warc.gz")]) == EXIT_USAGE
    assert "no file matches" in capsys.readouterr().err
    assert main(["clean", "--warc", str(broken), "--jsonl"]) == EXIT_USAGE


def test_the_shipped_common_crawl_files():
    folder = SHARED / "commoncrawl"
    if not folder.is_dir():
        pytest.skip("../shared/commoncrawl is not here")
    from bpclass.crawl import CrawlInput

    source = CrawlInput([str(folder / "whirlwind.warc.gz"), str(folder / "whirlwind.warc.wet.gz")], 1 << 25)
    pages = [raw for _, raw in source]  # records, as dicts
    assert [("html" in p, "text" in p) for p in pages] == [(True, False), (False, True)]
    assert pages[0]["url"] == pages[1]["url"] == "https://an.wikipedia.org/wiki/Escopete"
    assert pages[1]["language"] == "spa" and "Escopete" in pages[1]["text"]
    assert dict(source.skipped) == {"warcinfo": 2, "request": 1, "metadata": 1}


def test_without_fastwarc_the_run_says_what_to_install(tmp_path, monkeypatch, capsys):
    from bpclass import crawl

    warc = tmp_path / "crawl.warc.gz"
    _write_warc(warc, _mixed(1))

    def missing():
        raise crawl.CrawlFileError('reading WARC and WET files needs FastWARC: pip install "bpclass[crawl]"')

    monkeypatch.setattr(crawl, "_fastwarc", missing)
    out = tmp_path / "out.jsonl"
    assert main(["clean", "--warc", str(warc), "-o", str(out)]) == EXIT_USAGE
    assert 'pip install "bpclass[crawl]"' in capsys.readouterr().err
    assert not list(tmp_path.glob("out.jsonl*"))  # nothing opened, nothing left behind


def test_files_of_ten_thousand_records(tmp_path):
    """A WET file of 10,000 pages to Parquet, and a WARC file of 10,000 HTML responses
    to JSONL: every page a row, in the files' order, with two jobs."""
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    n = 10_000
    wet_records, warc_records = [], []
    for k in range(n):
        body = f"Page {k}\nHome\nA sentence of page {k}, as the article wrote it, with words enough.\nShare"
        url = f"https://site{k % 97}.example/{k}"
        wet_records.append(_record("conversion", body.encode(), url, {"Content-Type": "text/plain"}))
        html = f"<html><body><nav>Home</nav><h1>Page {k}</h1><p>{body.splitlines()[2]}</p></body></html>"
        warc_records.append(_record("response", _response(html.encode()), url, {"Content-Type": "application/http"}))
    wet, warc = tmp_path / "big.warc.wet.gz", tmp_path / "big.warc.gz"
    _write_warc(wet, wet_records)
    _write_warc(warc, warc_records)
    assert main(["clean", "--warc", str(wet), "-o", str(tmp_path / "wet.parquet"), "--jobs", "2"]) == EXIT_OK
    table = pq.read_table(tmp_path / "wet.parquet")
    assert table.num_rows == n and table.column_names == [*CRAWL_COLUMNS]
    assert table.column("url").to_pylist() == [f"https://site{k % 97}.example/{k}" for k in range(n)]
    assert main(["clean", "--warc", str(warc), "-o", str(tmp_path / "warc.jsonl"), "--jobs", "2"]) == EXIT_OK
    rows = _rows(tmp_path / "warc.jsonl")
    assert [r["url"] for r in rows] == table.column("url").to_pylist()
    assert all(f"A sentence of page {k}," in r["text"] for k, r in enumerate(rows))


def test_a_page_that_fails_is_reported_with_its_record(tmp_path):
    warc, out, errors = tmp_path / "crawl.warc.gz", tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    _write_warc(warc, _mixed(2))
    args = ["clean", "--warc", str(warc), "-o", str(out), "--errors", str(errors), "--max-page-lines", "30"]
    assert main(args) == EXIT_BAD_RECORDS
    failed = _rows(errors)
    assert failed and all("over the cap of 30" in f["error"] for f in failed)
    records = [json.loads(f["raw"]) for f in failed]  # the page's whole record: nothing lost
    assert all(r["url"].startswith("https://news.example/") and ("html" in r or "text" in r) for r in records)
    assert len(_rows(out)) + len(failed) == 3


def test_the_dask_engine_gives_the_same_rows_to_parquet(tmp_path):
    distributed = pytest.importorskip("dask.distributed", reason='the dask engine needs: pip install "bpclass[dask]"')
    pytest.importorskip("pyarrow")
    warc = tmp_path / "crawl.warc.gz"
    _write_warc(warc, _mixed(10))
    local, on_dask = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    assert main(["clean", "--warc", str(warc), "-o", str(local), "--batch-size", "3"]) == EXIT_OK
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with cluster:
        command = ["clean", "--warc", str(warc), "-o", str(on_dask), "--batch-size", "3"]
        assert main([*command, "--engine", "dask", "--scheduler", cluster.scheduler_address]) == EXIT_OK
    assert on_dask.read_bytes() == local.read_bytes()  # the same rows, in the same order, written alike
