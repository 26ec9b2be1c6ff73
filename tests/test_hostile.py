"""Hostile input against the promises: nothing is lost in corpus mode, whatever a
record holds; the run goes on past it, and --resume can always get past it."""

from __future__ import annotations

import base64
import json

import numpy as np
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


# -- outputs that could destroy data ---------------------------------------------------
def _input_file(tmp_path, n=5):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(_good(i) + b"\n" for i in range(n)))
    return source


@pytest.mark.parametrize("how", ["same", "dot", "symlink", "errors"])
def test_an_output_that_is_the_input_is_refused_and_the_input_kept(tmp_path, monkeypatch, how, capsys):
    source = _input_file(tmp_path)
    before = source.read_bytes()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.jsonl").symlink_to(source)
    target = {"same": str(source), "dot": "./in.jsonl", "symlink": "link.jsonl", "errors": "out.jsonl"}[how]
    argv = ["clean", "--jsonl", "in.jsonl", "-o", target]
    if how == "errors":
        argv += ["--errors", "./in.jsonl"]
    assert main(argv) == EXIT_USAGE
    assert "is the input file" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_one_page_cannot_overwrite_itself(tmp_path, capsys):
    page = tmp_path / "page.txt"
    page.write_text("Big news today\nThe minister said the plan will start in May.\n")
    assert main(["clean", str(page), "-o", str(page)]) == EXIT_USAGE
    assert page.read_text().startswith("Big news today")


def test_errors_and_output_in_one_file_are_refused(tmp_path, capsys):
    _input_file(tmp_path)
    out = tmp_path / "out.jsonl"
    assert main(["clean", "--jsonl", str(tmp_path / "in.jsonl"), "-o", str(out), "--errors", str(out)]) == EXIT_USAGE
    assert "one file" in capsys.readouterr().err


def test_a_second_run_on_the_same_output_stops_at_once(tmp_path, capsys):
    import fcntl

    source = _input_file(tmp_path)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"what the first run wrote\n")
    with open(str(out) + ".lock", "a") as held:  # the first run, still going
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["clean", "--jsonl", str(source), "-o", str(out)]) == EXIT_USAGE
    assert "another bpclass run" in capsys.readouterr().err
    assert out.read_bytes() == b"what the first run wrote\n"
    assert main(["clean", "--jsonl", str(source), "-o", str(out)]) == EXIT_OK  # the lock is free again
    assert not (tmp_path / "out.jsonl.lock").exists()


def _interrupted_run(tmp_path, monkeypatch, n=40):
    """An input, and the partial output (with its checkpoint) of a run stopped after 3
    batches of 8."""
    from bpclass import corpus, records

    source, out = _input_file(tmp_path, n), tmp_path / "out.jsonl"
    done = []

    def three_batches(batch, options, model=None):
        if len(done) == 3:
            raise KeyboardInterrupt  # as if stopped
        done.append(batch)
        return records.clean_batch(batch, options, model)

    monkeypatch.setattr(corpus, "clean_batch", three_batches)
    with pytest.raises(KeyboardInterrupt):
        corpus.run_corpus(str(source), str(out), None, corpus.CorpusOptions(), batch_size=8)
    monkeypatch.undo()
    assert not out.exists()  # an unfinished output is only ever OUTPUT.partial
    return source, out.with_name(out.name + ".partial")


def test_resume_refuses_an_input_that_changed(tmp_path, monkeypatch, capsys):
    source, partial = _interrupted_run(tmp_path, monkeypatch)
    out = tmp_path / "out.jsonl"
    checkpoint = json.loads((tmp_path / "out.jsonl.checkpoint").read_text())
    assert checkpoint["input_lines"] == 24
    before = partial.read_bytes()
    lines = source.read_bytes().splitlines(keepends=True)
    lines[3] = json.dumps({"id": 99, **GOOD}).encode() + b"\n"  # an edit above the checkpoint
    source.write_bytes(b"".join(lines))
    assert main(["clean", "--jsonl", str(source), "-o", str(out), "--resume"]) == EXIT_USAGE
    assert "not the input" in capsys.readouterr().err
    assert partial.read_bytes() == before
    # Records added after the checkpoint are not a change: resuming picks them up.
    lines[3] = _good(3) + b"\n"
    source.write_bytes(b"".join(lines) + _good(40) + b"\n")
    assert main(["clean", "--jsonl", str(source), "-o", str(out), "--resume"]) == EXIT_OK
    assert [json.loads(line)["id"] for line in out.read_bytes().splitlines()] == list(range(41))
    assert not partial.exists()


def test_resume_refuses_a_stale_checkpoint(tmp_path, monkeypatch, capsys):
    source, partial = _interrupted_run(tmp_path, monkeypatch)
    out = tmp_path / "out.jsonl"
    partial.unlink()  # the output is gone, its checkpoint is not
    assert main(["clean", "--jsonl", str(source), "-o", str(out), "--resume"]) == EXIT_USAGE
    assert "is missing" in capsys.readouterr().err
    assert not out.exists() and not partial.exists()
    (tmp_path / "out.jsonl.checkpoint").write_text("{not json")
    assert main(["clean", "--jsonl", str(source), "-o", str(out), "--resume"]) == EXIT_USAGE
    assert "unreadable" in capsys.readouterr().err


# -- records and pages too big for memory ------------------------------------------------
def test_a_line_over_the_record_cap_is_reported_by_offset_and_length(tmp_path):
    import gzip

    huge = b'{"id": 1, "text": "' + b"a" * 3_000_000 + b'"}'
    source = tmp_path / "in.jsonl.gz"
    with gzip.open(source, "wb") as fh:
        fh.write(_good(0) + b"\n" + huge + b"\n" + _good(2) + b"\n")
    out, errors = tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    argv = ["clean", "--jsonl", str(source), "-o", str(out), "--errors", str(errors), "--max-record-bytes", "1000000"]
    assert main(argv) == EXIT_BAD_RECORDS
    assert [json.loads(line)["id"] for line in out.read_bytes().splitlines()] == [0, 2]
    (failed,) = [json.loads(line) for line in errors.read_bytes().splitlines()]
    assert failed["line"] == 2 and "--max-record-bytes" in failed["error"]
    assert (failed["offset"], failed["length"]) == (len(_good(0)) + 1, len(huge) + 1)
    assert "raw" not in failed


def test_a_page_over_the_line_cap_is_refused(tmp_path, capsys):
    many = json.dumps({"id": 1, "text": "line\n" * 500}).encode()
    code, written, failed = _run(tmp_path, [_good(0), many], "--max-page-lines", "100")
    assert code == EXIT_BAD_RECORDS and [r["id"] for r in written] == [0]
    assert "--max-page-lines" in failed[0]["error"] and failed[0]["raw"].encode() == many + b"\n"
    page = tmp_path / "page.txt"
    page.write_text("line\n" * 500)
    assert main(["clean", str(page), "--max-page-lines", "100"]) == EXIT_USAGE
    assert main(["clean", str(page), "--max-record-bytes", "100"]) == EXIT_USAGE
    assert "--max-page-lines" in capsys.readouterr().err


# -- model files built to exhaust memory or time ------------------------------------------
def _bundled_path():
    from importlib import resources

    return resources.files("bpclass") / "models" / "default.npz"


def _hostile_model(tmp_path, change_meta=None, change_arrays=None, name="hostile.npz"):
    from conftest import rewrite_model_file

    target = tmp_path / name
    rewrite_model_file(_bundled_path(), target, change_meta, change_arrays)
    return target


def _refused(path, capsys, words: str):
    from bpclass import ModelFileError, load_model

    with pytest.raises(ModelFileError, match=words):
        load_model(path)
    assert main(["clean", "--model", str(path), "-"]) == 3  # EXIT_MODEL, before reading any page
    err = capsys.readouterr().err
    assert len(err) < 600, "a message quotes at most a short excerpt"


def _npy_header(shape) -> bytes:
    """The .npy header of a float64 array of ``shape`` (what numpy reads before the data)."""
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_a_zip_bomb_array_is_refused_before_it_is_inflated(tmp_path, capsys):
    import zipfile

    target = tmp_path / "bomb.npz"
    with zipfile.ZipFile(_bundled_path()) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            dst.writestr(member.filename, src.read(member))
        with dst.open("extra.npy", "w", force_zip64=True) as fh:
            fh.write(_npy_header((300 << 17,)))
            chunk = bytes(1 << 20)
            for _ in range(300):  # 300 MiB of zeros: a file of a few hundred KB
                fh.write(chunk)
    assert target.stat().st_size < 2_000_000
    _refused(target, capsys, "inflate")


def test_an_array_whose_header_claims_more_than_it_holds_is_refused(tmp_path, capsys):
    import zipfile

    target = tmp_path / "liar.npz"
    with zipfile.ZipFile(_bundled_path()) as src, zipfile.ZipFile(target, "w") as dst:
        for member in src.infolist():
            dst.writestr(member.filename, src.read(member))
        dst.writestr("extra.npy", _npy_header((10**12,)) + bytes(64))
    _refused(target, capsys, "larger than it is")


def _shared_children(arrays):
    # One tree of depth 40 whose nodes share their children: 41 nodes, 2**40 paths.
    depth = 40
    arrays["feature"] = np.array([0] * depth + [-1], dtype=arrays["feature"].dtype)
    arrays["threshold"] = np.zeros(depth + 1)
    arrays["left"] = np.array(list(range(1, depth + 1)) + [0], dtype=arrays["left"].dtype)
    arrays["right"] = arrays["left"].copy()
    arrays["value"] = np.zeros(depth + 1)
    arrays["roots"] = np.array([0], dtype=arrays["roots"].dtype)
    arrays["tree_class"] = np.array([0], dtype=arrays["tree_class"].dtype)


def test_trees_whose_nodes_share_children_are_refused(tmp_path, capsys):
    _refused(_hostile_model(tmp_path, change_arrays=_shared_children), capsys, "reached once")


def test_many_roots_on_one_tree_are_refused(tmp_path, capsys):
    def roots(arrays):
        arrays["roots"] = np.zeros(100_000, dtype=arrays["roots"].dtype)
        arrays["tree_class"] = np.zeros(100_000, dtype=arrays["tree_class"].dtype)

    _refused(_hostile_model(tmp_path, change_arrays=roots), capsys, "trees")


def test_a_chain_deeper_than_the_cap_is_refused(tmp_path, capsys):
    def chain(arrays):
        # A real tree, but a chain 100 splits deep: split k is node 2k, its leaf node
        # 2k + 1, the next split node 2k + 2; the last node is a leaf.
        n = 2 * 100 + 1
        split = [i % 2 == 0 and i < n - 1 for i in range(n)]
        arrays["feature"] = np.array([0 if s else -1 for s in split], dtype=np.int64)
        arrays["left"] = np.array([i + 1 if s else 0 for i, s in enumerate(split)], dtype=np.int64)
        arrays["right"] = np.array([i + 2 if s else 0 for i, s in enumerate(split)], dtype=np.int64)
        arrays["threshold"] = np.zeros(n)
        arrays["value"] = np.zeros(n)
        arrays["roots"] = np.array([0], dtype=np.int64)
        arrays["tree_class"] = np.array([0], dtype=np.int64)

    _refused(_hostile_model(tmp_path, change_arrays=chain), capsys, "deeper")


def test_metadata_nested_deep_or_huge_is_refused_and_not_echoed(tmp_path, capsys):
    import zipfile

    deep = tmp_path / "deep.npz"
    with zipfile.ZipFile(_bundled_path()) as src, zipfile.ZipFile(deep, "w") as dst:
        for member in src.infolist():
            if member.filename != "metadata.npy":
                dst.writestr(member.filename, src.read(member))
        text = b'{"format": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        buffer = __import__("io").BytesIO()
        np.save(buffer, np.frombuffer(text, dtype=np.uint8))
        dst.writestr("metadata.npy", buffer.getvalue())
    _refused(deep, capsys, "nests")
    big = _hostile_model(tmp_path, change_meta=lambda meta: meta.update(format="x" * 3_000_000), name="big.npz")
    _refused(big, capsys, "not a bpclass model file")


def test_loading_out_of_memory_is_a_model_file_error(tmp_path, monkeypatch, capsys):
    from bpclass import modelfile

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(modelfile, "_parts", no_memory)
    _refused(_hostile_model(tmp_path), capsys, "MemoryError")


# -- processes, signals and exits -------------------------------------------------------
def _children(pid: int) -> set[int]:
    from pathlib import Path

    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    from pathlib import Path

    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _start_run(tmp_path, n=3000, jobs="2"):
    import subprocess
    import sys
    import time

    source, out = _input_file(tmp_path, n), tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "bpclass.cli", "clean", "--jsonl", str(source), "-o", str(out)]
    process = subprocess.Popen([*command, "--jobs", jobs, "--batch-size", "16"], stderr=subprocess.PIPE)
    checkpoint = tmp_path / "out.jsonl.checkpoint"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if checkpoint.exists() and json.loads(checkpoint.read_text())["input_lines"] >= 64:
            return process, source, out
        time.sleep(0.05)
    pytest.skip("the run ended before it could be stopped")


def test_a_worker_ends_on_sigterm_even_with_the_clis_handler():
    # The CLI turns SIGTERM into KeyboardInterrupt; a worker forked from it must not
    # keep that handler: raised mid-batch, the pool would catch it and the orphan live on.
    import subprocess
    import sys

    code = (
        "import signal, sys\n"
        "from bpclass import cli, records\n"
        "signal.signal(signal.SIGTERM, cli._terminate)\n"
        "records._die_with_parent()\n"
        "sys.exit(0 if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL else 1)\n"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc; prctl is Linux's")
def test_workers_die_with_their_parent_even_on_sigkill(tmp_path):
    import signal
    import time

    process, _, _ = _start_run(tmp_path)
    workers = _children(process.pid)
    assert len(workers) >= 2
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)


def test_sigterm_stops_a_run_cleanly_and_it_resumes(tmp_path):
    import signal

    process, source, out = _start_run(tmp_path)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and b"interrupted" in err and b"Traceback" not in err
    assert main(["clean", "--jsonl", str(source), "-o", str(out), "--resume"]) == EXIT_OK
    assert [json.loads(line)["id"] for line in out.read_bytes().splitlines()] == list(range(3000))


def test_an_output_that_cannot_be_written_is_named_in_the_error(tmp_path):
    import subprocess
    import sys

    source = _input_file(tmp_path, 200)
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000))\n"
        "from bpclass.cli import main\n"
        f"sys.exit(main(['clean', '--jsonl', {str(source)!r}, '-o', {str(tmp_path / 'out.jsonl')!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "out.jsonl.partial" in done.stderr and "in.jsonl" not in done.stderr
    assert "Traceback" not in done.stderr


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path):
    import subprocess
    import sys

    source = _input_file(tmp_path, 2000)
    command = f"{sys.executable} -m bpclass.cli clean --jsonl {source} | head -c 10 > /dev/null"
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)
    assert "Broken pipe" not in done.stderr and "error" not in done.stderr
