"""The examples in bpclass's docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib
import re
import shlex
from pathlib import Path

import pytest

MODULES = [
    "bpclass",
    "bpclass.features",
    "bpclass.estimator",
    "bpclass.checks",
    "bpclass.passes",
    "bpclass.lexicon",
    "bpclass.modelfile",
    "bpclass.model",
    "bpclass.io",
    "bpclass.cli",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


# -- the code blocks of the README and of docs/ ---------------------------------------
ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
# Arguments that name a file the command writes: they need not exist beforehand.
WRITES = {"-o", "--output", "--errors", "--out", "--output-dir"}
FILE_ENDS = (".txt", ".json", ".jsonl", ".gz", ".npz")


def _blocks(path: Path, kinds: set[str]) -> list[str]:
    return [body for kind, body in FENCE.findall(path.read_text(encoding="utf-8")) if kind in kinds]


def _python_blocks():
    return [
        pytest.param(body, id=f"{path.relative_to(ROOT)}:{k}")
        for path in DOC_FILES
        for k, body in enumerate(_blocks(path, {"python"}))
    ]


def _runnable_commands():
    """The ``bpclass ...`` command lines of the docs whose inputs are all shipped files
    (commands on placeholders such as PAGE.txt are shown, not run)."""
    found = []
    for path in DOC_FILES:
        for body in _blocks(path, {"", "bash", "console"}):
            for line in body.splitlines():
                line = line.split(" && ")[-1].split("  #")[0].strip()
                if not line.startswith("bpclass ") or "<" in line:
                    continue
                args = shlex.split(line)[1:]
                inputs = [a for k, a in enumerate(args) if a.endswith(FILE_ENDS) and args[k - 1] not in WRITES]
                if inputs and all((ROOT / a).exists() for a in inputs):
                    found.append(pytest.param(args, id=f"{path.relative_to(ROOT)}: {line}"))
    return found


@pytest.fixture
def in_scratch_dir(tmp_path, monkeypatch):
    """A working directory where the shipped data/ is at hand and outputs land in tmp."""
    (tmp_path / "data").symlink_to(ROOT / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("code", _python_blocks())
def test_python_blocks_of_the_docs_run(code, in_scratch_dir):
    exec(compile(code, "<doc block>", "exec"), {"__name__": "__doc_block__"})


@pytest.mark.parametrize("args", _runnable_commands())
def test_commands_of_the_docs_run_on_the_shipped_files(args, in_scratch_dir, capsys):
    from bpclass.cli import main

    assert main(args) == 0, capsys.readouterr().err
    assert capsys.readouterr().out or any(a in WRITES for a in args)


def test_the_docs_show_runnable_code():
    assert len(_python_blocks()) >= 1
    ids = " ".join(p.id for p in _runnable_commands())
    assert "bpclass clean data/pages/id_news_banjir.txt" in ids  # the quick start
    assert "--jsonl data/pages.jsonl" in ids


def test_readme_is_a_front_door():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    first_screen = "\n".join(readme.splitlines()[:40])
    assert "pip install . && bpclass clean data/pages/" in first_screen
    for doc in ("docs/experiments.md", "docs/model-card.md"):
        assert f"]({doc})" in readme and (ROOT / doc).exists()
