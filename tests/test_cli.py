"""The command line, through main(argv)."""

from __future__ import annotations

import gzip
import io
import json
import sys

import pytest
from conftest import DATA

import bpclass
import bpclass.features
from bpclass.cli import EXIT_BAD_RECORDS, EXIT_MODEL, EXIT_OK, EXIT_USAGE, main, parse_args

PAGE = DATA / "pages" / "en_news_library.txt"


def test_parse_args():
    args = parse_args(["clean", "x.txt", "--threshold", "0.7", "--labels"])
    assert args.command == "clean" and args.threshold == 0.7 and args.labels


def test_clean_prints_content_lines(capsys):
    assert main(["clean", str(PAGE)]) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    assert out and set(out) <= set(lines)
    assert any(line.startswith("The Riverside Public Library opened") for line in out)
    assert not any("All rights reserved" in line for line in out)


def test_labels_output(capsys):
    assert main(["clean", "--labels", str(PAGE)]) == EXIT_OK
    rows = capsys.readouterr().out.splitlines()
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(lines)
    label, proba, text = rows[0].split("\t", 2)
    assert label in ("0", "1") and 0.0 <= float(proba) <= 1.0 and text == lines[0]


def test_threshold_one_keeps_nothing_and_zero_everything(capsys):
    assert main(["clean", "--threshold", "1", str(PAGE)]) == EXIT_OK
    assert capsys.readouterr().out == ""
    assert main(["clean", "--threshold", "0", str(PAGE)]) == EXIT_OK
    kept = capsys.readouterr().out.splitlines()
    assert kept == [line for line in PAGE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_bad_threshold(capsys):
    assert main(["clean", "--threshold", "2", str(PAGE)]) == EXIT_USAGE
    assert "between 0 and 1" in capsys.readouterr().err


def test_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PAGE.read_bytes())))
    assert main(["clean", "-"]) == EXIT_OK
    assert "Riverside Public Library" in capsys.readouterr().out


def test_missing_file_and_directory(tmp_path, capsys):
    assert main(["clean", str(tmp_path / "nope.txt")]) == EXIT_USAGE
    assert "cannot read" in capsys.readouterr().err
    assert main(["clean", str(tmp_path)]) == EXIT_USAGE
    assert "directory" in capsys.readouterr().err


def test_empty_and_binary_input(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["clean", str(empty)]) == EXIT_OK
    assert capsys.readouterr().out == ""
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\xff\xfe binary \x89PNG\r\n\x1a\n" * 50)
    assert main(["clean", "--labels", str(junk)]) == EXIT_OK
    captured = capsys.readouterr()
    assert "replaced with U+FFFD" in captured.err
    assert len(captured.out.splitlines()) == len(junk.read_bytes().decode("utf-8", "replace").splitlines())


def test_strict_refuses_invalid_utf8(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok line\n\xff\xfe broken\n")
    assert main(["clean", "--strict", str(bad)]) == EXIT_USAGE
    assert "not valid utf-8" in capsys.readouterr().err
    assert main(["clean", "--encoding", "latin-1", "--strict", str(bad)]) == EXIT_OK
    assert main(["clean", "--encoding", "no-such-codec", str(bad)]) == EXIT_USAGE


def test_bad_model_file(tmp_path, capsys):
    model = tmp_path / "m.npz"
    model.write_bytes(b"garbage")
    assert main(["clean", "--model", str(model), str(PAGE)]) == EXIT_MODEL
    err = capsys.readouterr().err
    assert "not a bpclass model file" in err and "Traceback" not in err


def test_usage_errors_return_2(capsys):
    assert main([]) == EXIT_USAGE
    assert main(["clean"]) == EXIT_USAGE
    assert main(["frobnicate"]) == EXIT_USAGE
    assert main(["--version"]) == EXIT_OK


def test_jsonl_round_trip(tmp_path, capsys):
    out = tmp_path / "out.jsonl.gz"
    assert main(["clean", "--jsonl", str(DATA / "pages.jsonl"), "-o", str(out)]) == EXIT_OK
    records = [json.loads(line) for line in gzip.open(out, "rt", encoding="utf-8")]
    source = [json.loads(line) for line in (DATA / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [r["id"] for r in source]  # every record, in order
    for record, original in zip(records, source):
        assert record["text"] == original["text"]
        kept = record["clean_text"].split("\n")
        assert set(kept) <= set(original["text"].split("\n"))
    assert "4 pages cleaned, 0 failed" in capsys.readouterr().err


def test_jsonl_bad_records_are_reported_not_lost(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": 1, "body": "Line one.\\nLine two."}\nnot json\n{"id": 3}\n["a list"]\n{"id": 5, "body": 42}\n',
        encoding="utf-8",
    )
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    code = main(
        [
            "clean",
            "--jsonl",
            "--text-field",
            "body",
            "--output-field",
            "kept",
            str(source),
            "-o",
            str(out),
            "--errors",
            str(errors),
        ]
    )
    assert code == EXIT_BAD_RECORDS
    good = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in good] == [1] and "kept" in good[0]
    bad = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [b["line"] for b in bad] == [2, 3, 4, 5]
    assert "not valid JSON" in bad[0]["error"] and "missing" in bad[1]["error"]
    err = capsys.readouterr().err
    assert "1 pages cleaned, 4 failed" in err and "Traceback" not in err


def test_info(capsys):
    assert main(["info"]) == EXIT_OK
    meta = json.loads(capsys.readouterr().out)
    assert meta["format"] == "bpclass-model" and meta["n_features"] > 50
    assert meta["compiled_speedups"] is bpclass.features.NATIVE
    model = bpclass.load_model()  # the bundled model learned word weights, and the forests for pages they miss
    assert meta["lexicon"] is True and meta["uncovered_trees"] is True
    assert meta["n_lexicon_words"] == len(model.lexicon_) > 1000
    # ... and it reads HTML pages' markup too, with a stage fitted on the permissive sets' pages.
    assert meta["reads_markup"] is True and model.markup_estimator_ is not None
    assert set(meta["html_stage"]["sets"]) == {"wcxb_dev", "newspaper4k_aed", "readability_testpages"}


@pytest.mark.parametrize("text", ["a\r\nb\r\nc", "a\rb\rc", "a\u2028b\u2029c"])
def test_line_breaks_of_every_kind(tmp_path, capsys, text):
    page = tmp_path / "p.txt"
    page.write_text(text, encoding="utf-8", newline="")
    assert main(["clean", "--labels", str(page)]) == EXIT_OK
    assert [row.split("\t", 2)[2] for row in capsys.readouterr().out.splitlines()] == ["a", "b", "c"]


def test_unexpected_errors_are_one_line_not_a_traceback(monkeypatch, capsys):
    import bpclass.cli as cli

    def broken(args, model):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(cli, "_clean_page", broken)
    assert main(["clean", str(PAGE)]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error (RuntimeError: something nobody expected)" in err and "Traceback" not in err


def test_a_20_mb_line(tmp_path, capsys):
    page = tmp_path / "huge.txt"
    page.write_text("Headline\n" + "x" * 20_000_000 + "\nThe end of the story, told in a sentence.\n")
    assert main(["clean", "--labels", str(page), "-o", str(tmp_path / "out.txt")]) == EXIT_OK
    rows = (tmp_path / "out.txt").read_text().splitlines()
    assert len(rows) == 3 and len(rows[1]) > 20_000_000  # the line comes back whole


def test_many_files_each_cleaned_into_the_output_dir(tmp_path, capsys):
    pages = sorted((DATA / "pages").glob("*.txt"))
    out = tmp_path / "out"
    assert main(["clean", *map(str, pages), "--output-dir", str(out)]) == EXIT_OK
    assert f"{len(pages)} pages cleaned, 0 failed" in capsys.readouterr().err
    for page in pages:  # the same text as cleaning each page alone
        assert main(["clean", str(page)]) == EXIT_OK
        assert (out / page.name).read_text(encoding="utf-8") == capsys.readouterr().out
    # A folder, recursively, by a pattern; a page that cannot be read is reported, the rest go on.
    tree = tmp_path / "in"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "a.txt").write_text(pages[0].read_text(encoding="utf-8"), encoding="utf-8")
    (tree / "b.txt").write_bytes(b"\xff\xfe bad \xff")
    (tree / "skip.md").write_text("not a page")
    code = main(["clean", "--input-dir", str(tree), "--output-dir", str(tmp_path / "o2"), "--strict", "--labels"])
    assert code == EXIT_BAD_RECORDS
    assert "b.txt" in capsys.readouterr().err
    written = sorted(p.relative_to(tmp_path / "o2").as_posix() for p in (tmp_path / "o2").rglob("*") if p.is_file())
    assert written == ["sub/a.txt"]
    first = (tmp_path / "o2" / "sub" / "a.txt").read_text(encoding="utf-8").splitlines()[0]
    assert first.split("\t")[0] in ("0", "1") and len(first.split("\t")) == 3


def test_many_files_need_an_output_dir_that_is_not_the_input(tmp_path, capsys):
    pages = [str(p) for p in sorted((DATA / "pages").glob("*.txt"))]
    assert main(["clean", *pages]) == EXIT_USAGE  # several pages, one standard output
    assert main(["clean", "--input-dir", str(DATA / "pages"), "--output-dir", str(DATA / "pages")]) == EXIT_USAGE
    assert main(["clean", *pages, "--output-dir", str(tmp_path), "--jobs", "2"]) == EXIT_USAGE
    assert main(["clean"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--output-dir" in err and "input" in err and "--jobs" in err


HTML_PAGE = DATA / "pages" / "en_news_library.html"


def test_an_html_page_is_detected_and_laid_out(tmp_path, capsys):
    from bpclass.html import html_lines

    assert main(["clean", "--labels", str(HTML_PAGE)]) == EXIT_OK
    rows = [row.split("\t", 2)[2] for row in capsys.readouterr().out.splitlines()]
    assert rows == html_lines(HTML_PAGE.read_bytes())
    # Detected by its start too, whatever its name; --format text reads it as text lines.
    renamed = tmp_path / "page.dat"
    renamed.write_bytes(HTML_PAGE.read_bytes())
    assert main(["clean", "--threshold", "0", str(renamed)]) == EXIT_OK
    assert "<html" not in capsys.readouterr().out
    assert main(["clean", "--threshold", "0", "--format", "text", str(renamed)]) == EXIT_OK
    assert '<html lang="en">' in capsys.readouterr().out.splitlines()


def test_an_html_page_in_its_declared_charset_or_a_forced_one(tmp_path, capsys):
    text = "Привет, мир! Это проверка кодировки страницы, и она должна пройти без ошибок."
    page = tmp_path / "ru.html"
    page.write_bytes(
        f'<html><head><meta charset="windows-1251"></head><body><p>{text}</p></body></html>'.encode("cp1251")
    )
    assert main(["clean", "--threshold", "0", str(page)]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [text]
    assert main(["clean", "--threshold", "0", "--encoding", "koi8-r", str(page)]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() != [text]  # told the wrong charset: read as told


def test_jsonl_html_field(tmp_path, capsys):
    html = HTML_PAGE.read_text(encoding="utf-8")
    source = tmp_path / "pages.jsonl"
    records = [{"id": 1, "html": html}, {"id": 2, "html": ["not", "a", "page"]}, {"id": 3, "html": ""}]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    code = main(["clean", "--jsonl", str(source), "--html-field", "html", "-o", str(out), "--errors", str(errors)])
    assert code == EXIT_BAD_RECORDS
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in written] == [1, 3]
    assert written[0]["clean_text"] == bpclass.clean_html(html) and written[1]["clean_text"] == ""
    failed = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [f["line"] for f in failed] == [2] and "'html' is a list" in failed[0]["error"]
    assert "1 failed" in capsys.readouterr().err


def test_html_options_in_the_wrong_mode(tmp_path, capsys):
    assert main(["clean", "--html-field", "html", str(HTML_PAGE)]) == EXIT_USAGE
    assert "--html-field goes with --jsonl" in capsys.readouterr().err
    source = tmp_path / "pages.jsonl"
    source.write_text('{"text": "x"}\n', encoding="utf-8")
    assert main(["clean", "--jsonl", str(source), "--format", "html"]) == EXIT_USAGE
    assert "--html-field" in capsys.readouterr().err


def test_train_command_scores_held_out_pages_then_saves_a_model(tmp_path, capsys, monkeypatch):
    # From any folder: the command needs neither the repository nor an HTML library.
    monkeypatch.chdir(tmp_path)
    pages_dir = tmp_path / "mine"
    pages_dir.mkdir()
    for path in (DATA / "labeled").iterdir():
        (pages_dir / path.name).write_bytes(path.read_bytes())
    assert main(["train", "mine", "-o", "my.npz", "--folds", "2"]) == EXIT_OK
    err = capsys.readouterr().err
    assert "2-fold cross-validation by page" in err and "your model:" in err and "4 labeled pages are few" in err
    model = bpclass.load_model(tmp_path / "my.npz")
    assert model.metadata_["training_data"]["held_out"]["folds"] == 2
    page = (DATA / "pages" / "en_blog_bread.txt").read_text(encoding="utf-8").splitlines()
    assert len(model.predict([page])[0]) == len(page)
    assert main(["train", "mine", "-o", "quick.npz", "--folds", "0"]) == EXIT_OK
    assert "cross-validation" not in capsys.readouterr().err
    assert "held_out" not in bpclass.load_model(tmp_path / "quick.npz").metadata_["training_data"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "missing", "-o", "m.npz"], "missing: no such file or folder"),
        (["train", "mine", "-o", "m.txt"], "ends in .npz"),
        (["train", "mine", "-o", "nowhere/m.npz"], "does not exist"),
        (["train", "mine", "-o", "m.npz", "--folds", "1"], "--folds"),
        (["train", "empty.txt", "-o", "m.npz"], "no labeled lines"),
    ],
)
def test_train_command_refuses_bad_input(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a.txt").write_bytes((DATA / "labeled" / "en_blog_bread.txt").read_bytes())
    (tmp_path / "empty.txt").write_text("")
    assert main(argv) == EXIT_USAGE
    assert message in capsys.readouterr().err
