"""Hostile input against the promises: nothing is lost in corpus mode, whatever a
record holds; the run goes on past it, and --resume can always get past it."""

from __future__ import annotations

import base64
import json

import pytest

from bpclass.cli import EXIT_BAD_RECORDS, EXIT_OK, EXIT_USAGE, main

GOOD = {"text": "Big news today\n\nThe minister said the plan will start in May, and the town agreed."}


def _run(tmp_path, lines: list[bytes], *extra: str) -> tuple[int, list[dict], list[dict]]:
    source, out, errors = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    source.write_bytes(b"".join(line + b"\n" for line in lines))
    code = main(["clean", "--jsonl", str(source), "-o", str(out), "--errors", str(errors), *extra])
    written = [json.loads(line) for line in out.read_bytes().splitlines()] if out.exists() else []
    failed = [json.loads(line) for line in errors.read_bytes().splitlines()] if errors.exists() else []
    return code, written, failed


def _good(i: int) -> bytes:
    return json.dumps({"id": i, **GOOD}).encode()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_lone_surrogate_is_cleaned_and_written_as_valid_json(tmp_path, jobs):
    surrogate = b'{"id": 1, "text": "A line with a lone surrogate \\ud800 in it.\\nShare"}'
    code, written, failed = _run(tmp_path, [_good(0), surrogate, _good(2)], "--jobs", jobs)
    assert code == EXIT_OK and not failed
    assert [r["id"] for r in written] == [0, 1, 2]
    assert written[1]["text"] == "A line with a lone surrogate \ud800 in it.\nShare"  # the record, unchanged
    assert "clean_text" in written[1]


def test_records_that_cannot_be_read_are_reported_with_their_raw_line(tmp_path):
    deep = b'{"id": 1, "text": "x", "deep": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    nan = b'{"id": 2, "text": "x", "score": NaN}'
    huge_int = b'{"id": 3, "text": "x", "n": ' + b"9" * 5000 + b"}"
    code, written, failed = _run(tmp_path, [_good(0), deep, nan, huge_int, _good(4)])
    assert code == EXIT_BAD_RECORDS
    assert [r["id"] for r in written] == [0, 4]
    assert [f["line"] for f in failed] == [2, 3, 4]
    assert "nested too deeply" in failed[0]["error"] and "NaN" in failed[1]["error"]
    assert [f["raw"].encode() for f in failed] == [deep + b"\n", nan + b"\n", huge_int + b"\n"]
    assert all("NaN" not in json.dumps(r) for r in written)


def test_bytes_that_are_not_text_are_kept_whole_in_the_errors_file(tmp_path):
    bad = b'{"id": 1, "text": "caf\xe9 \xff"}'
    code, written, failed = _run(tmp_path, [_good(0), bad], "--strict")
    assert code == EXIT_BAD_RECORDS and [r["id"] for r in written] == [0]
    assert base64.b64decode(failed[0]["raw_base64"]) == bad + b"\n"


def test_a_page_that_fails_in_the_model_keeps_its_raw_line(tmp_path):
    from bpclass.corpus import CorpusOptions, run_corpus

    class Failing:
        def predict(self, pages, threshold=None, sites=None):
            raise RuntimeError("the model failed")

    source, out, errors = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    source.write_bytes(_good(0) + b"\n")
    summary = run_corpus(str(source), str(out), str(errors), CorpusOptions(), model=Failing())
    (failed,) = [json.loads(line) for line in errors.read_bytes().splitlines()]
    assert summary.failed == 1 and failed["raw"].encode() == _good(0) + b"\n"


@pytest.mark.parametrize("encoding", ["idna", "punycode", "unicode_escape"])
def test_odd_encodings_fail_record_by_record_not_the_run(tmp_path, encoding):
    code, written, failed = _run(tmp_path, [_good(0), b'{"text": "\\\\x"}', _good(2)], "--encoding", encoding)
    assert code in (EXIT_OK, EXIT_BAD_RECORDS)
    assert len(written) + len(failed) == 3


def test_an_encoding_that_is_not_for_text_is_a_usage_error(tmp_path, capsys):
    code, _, _ = _run(tmp_path, [_good(0)], "--encoding", "rot13")
    assert code == EXIT_USAGE and "rot13" in capsys.readouterr().err


@pytest.mark.parametrize("encoding", ["idna", "punycode", "unicode_escape", "rot13"])
@pytest.mark.parametrize("strict", [[], ["--strict"]])
def test_odd_encodings_of_one_page_are_usage_errors_not_crashes(encoding, strict, capsys):
    from conftest import DATA

    code = main(["clean", str(DATA / "pages" / "de_news_fahrrad.txt"), "--encoding", encoding, *strict])
    assert code in (EXIT_OK, EXIT_USAGE)
    assert "internal error" not in capsys.readouterr().err
