"""Corpus mode: order kept, nothing lost, bad records and dead workers reported, resumable."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import DATA

import bpclass
from bpclass import corpus, local_engine
from bpclass.cli import EXIT_BAD_RECORDS, EXIT_OK, main
from bpclass.corpus import CorpusOptions, run_corpus

EXAMPLES = [json.loads(line) for line in (DATA / "pages.jsonl").read_text(encoding="utf-8").splitlines()]


def _write_input(path, n, bad_every=0):
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            if bad_every and i % bad_every == bad_every - 1:
                fh.write("{broken json\n")
            else:
                base = EXAMPLES[i % len(EXAMPLES)]
                fh.write(json.dumps({"id": i, "text": base["text"]}, ensure_ascii=False) + "\n")


def _ids(path):
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_record_in_order_same_output_for_1_and_2_jobs(tmp_path):
    source = tmp_path / "in.jsonl"
    _write_input(source, 150)
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.jsonl"
        code = main(["clean", "--jsonl", str(source), "-o", str(out), "--jobs", str(jobs), "--batch-size", "7"])
        assert code == EXIT_OK
        assert _ids(out) == list(range(150))
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    first = json.loads(outputs[0].splitlines()[0])
    assert first["clean_text"] == bpclass.clean(first["text"])


def test_bad_records_go_to_the_errors_file(tmp_path, capsys):
    source, out, errors = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    _write_input(source, 40, bad_every=10)
    code = main(["clean", "--jsonl", str(source), "-o", str(out), "--errors", str(errors), "--jobs", "2"])
    assert code == EXIT_BAD_RECORDS
    bad = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [b["line"] for b in bad] == [10, 20, 30, 40]
    kept = _ids(out)
    assert len(kept) + len(bad) == 40 and kept == sorted(kept)
    assert "36 pages cleaned, 4 failed" in capsys.readouterr().err


class _Flaky:
    """A model that raises on pages containing 'BOOM'."""

    def __init__(self):
        self.model = bpclass.load_model()

    def predict(self, pages, threshold=None):
        if any("BOOM" in line for page in pages for line in page):
            raise RuntimeError("boom")
        return self.model.predict(pages, threshold=threshold)


def test_a_page_that_raises_is_recorded_and_the_run_goes_on(tmp_path):
    source, out, errors = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    records = [{"id": 0, "text": "Fine page.\nAnother line."}, {"id": 1, "text": "BOOM"}, {"id": 2, "text": "Fine."}]
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = run_corpus(str(source), str(out), str(errors), CorpusOptions(), model=_Flaky())
    assert _ids(out) == [0, 2]
    (bad,) = [json.loads(line) for line in errors.read_text().splitlines()]
    assert bad["line"] == 2 and "boom" in bad["error"]
    assert summary.pages == 2 and summary.failed == 1


_REAL_CLEAN_BATCH = corpus.clean_batch


def _crashing_clean_batch(batch, options, model=None):
    if any(b"CRASH" in raw for _, raw in batch):
        os._exit(1)  # a worker that dies without a word, as if killed
    return _REAL_CLEAN_BATCH(batch, options, model)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="patches the worker through fork")
def test_a_dead_worker_costs_only_its_record(tmp_path, monkeypatch):
    monkeypatch.setattr(local_engine, "clean_batch", _crashing_clean_batch)
    source, out, errors = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    _write_input(source, 30)
    lines = source.read_text().splitlines()
    lines[12] = json.dumps({"id": 12, "text": "CRASH"})
    source.write_text("\n".join(lines) + "\n")
    summary = run_corpus(str(source), str(out), str(errors), CorpusOptions(), jobs=2, batch_size=4)
    assert _ids(out) == [i for i in range(30) if i != 12]
    (bad,) = [json.loads(line) for line in errors.read_text().splitlines()]
    assert bad["line"] == 13 and "died" in bad["error"]
    assert summary.pages == 29 and summary.failed == 1


def test_killed_run_resumes_without_duplicates_or_losses(tmp_path, capsys):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(source, 4000)
    command = [sys.executable, "-m", "bpclass.cli", "clean", "--jsonl", str(source), "-o", str(out)]
    command += ["--batch-size", "16"]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    checkpoint = tmp_path / "out.jsonl.checkpoint"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if checkpoint.exists() and json.loads(checkpoint.read_text())["input_lines"] >= 64:
            break
        time.sleep(0.05)
    if process.poll() is not None:
        pytest.skip("the run finished before it could be killed")
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not out.exists()  # under its final name, an output is always complete
    with open(str(out) + ".partial", "ab") as fh:
        fh.write(b'{"id": "half a rec')  # as if killed in the middle of a write
    done_before = json.loads(checkpoint.read_text())["input_lines"]
    assert 0 < done_before < 4000
    assert main(["clean", "--jsonl", str(source), "-o", str(out), "--resume", "--batch-size", "64"]) == EXIT_OK
    assert _ids(out) == list(range(4000))
    assert f"resumed after input line {done_before}" in capsys.readouterr().err
    assert not checkpoint.exists()  # complete: nothing left to resume


def test_resume_refuses_stdout_and_gzip(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    _write_input(source, 3)
    assert main(["clean", "--jsonl", str(source), "--resume"]) == 2
    assert main(["clean", "--jsonl", str(source), "--resume", "-o", str(tmp_path / "o.jsonl.gz")]) == 2
    errors_gz = ["--errors", str(tmp_path / "e.jsonl.gz")]
    assert main(["clean", "--jsonl", str(source), "--resume", "-o", str(tmp_path / "o.jsonl"), *errors_gz]) == 2
    assert "--resume needs" in capsys.readouterr().err


def test_dask_engine_gives_the_same_output(tmp_path):
    distributed = pytest.importorskip("dask.distributed", reason='the dask engine needs: pip install "bpclass[dask]"')
    source = tmp_path / "in.jsonl"
    _write_input(source, 60, bad_every=25)
    local_out, local_err = tmp_path / "local.jsonl", tmp_path / "local.err"
    assert main(["clean", "--jsonl", str(source), "-o", str(local_out), "--errors", str(local_err)]) == EXIT_BAD_RECORDS
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with cluster:
        dask_out, dask_err = tmp_path / "dask.jsonl", tmp_path / "dask.err"
        command = ["clean", "--jsonl", str(source), "-o", str(dask_out), "--errors", str(dask_err), "--batch-size", "8"]
        command += ["--engine", "dask", "--scheduler", cluster.scheduler_address]
        assert main(command) == EXIT_BAD_RECORDS
    assert dask_out.read_bytes() == local_out.read_bytes()
    assert dask_err.read_bytes() == local_err.read_bytes()
    assert len(_ids(dask_out)) == 58


def test_scheduler_needs_the_dask_engine(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    _write_input(source, 2)
    assert main(["clean", "--jsonl", str(source), "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler goes with --engine dask" in capsys.readouterr().err


def test_labels_with_jsonl_add_each_lines_label_and_probability(tmp_path):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(source, 6)
    assert main(["clean", "--jsonl", str(source), "-o", str(out), "--labels", "--batch-size", "4"]) == EXIT_OK
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        lines = record["text"].splitlines()
        labels, proba = record["clean_text_labels"], record["clean_text_proba"]
        assert len(labels) == len(proba) == len(lines)
        assert record["clean_text"] == "\n".join(t for t, y in zip(lines, labels) if y)
        model_labels, model_proba = bpclass.load_model().predict_with_proba([lines])
        assert labels == model_labels[0].tolist()
        assert proba == [round(float(p), 3) for p in model_proba[0]]
    # Without --labels the records carry the cleaned text alone.
    assert main(["clean", "--jsonl", str(source), "-o", str(out)]) == EXIT_OK
    assert "clean_text_labels" not in json.loads(out.read_text(encoding="utf-8").splitlines()[0])


def test_a_wrong_text_field_is_said_early(tmp_path, capsys):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(source, 50)
    assert main(["clean", "--jsonl", str(source), "-o", str(out), "--text-field", "body", "--batch-size", "8"]) == 1
    err = capsys.readouterr().err
    assert err.count("is --text-field right?") == 1
    assert err.index("is --text-field right?") < err.index("0 pages cleaned, 50 failed")
    assert main(["clean", "--jsonl", str(source), "-o", str(out)]) == EXIT_OK
    assert "--text-field" not in capsys.readouterr().err


@pytest.mark.parametrize("gz", [False, True])
def test_progress_shows_how_far_through_the_input(tmp_path, capsys, gz):
    import gzip

    source, out = tmp_path / ("in.jsonl.gz" if gz else "in.jsonl"), tmp_path / "out.jsonl"
    _write_input(tmp_path / "plain.jsonl", 30)
    data = (tmp_path / "plain.jsonl").read_bytes()
    source.write_bytes(gzip.compress(data) if gz else data)
    assert main(["clean", "--jsonl", str(source), "-o", str(out), "--progress", "--batch-size", "4"]) == EXIT_OK
    err = capsys.readouterr().err
    assert "100%" in err and "30 pages" in err  # a total, the share done, the pages
