"""The labeled-page formats: the +/- text format and JSON Lines."""

from __future__ import annotations

import json

import pytest
from conftest import DATA

from bpclass.io import (
    LabeledPage,
    format_labeled_text,
    parse_labeled_text,
    read_labeled_pages,
    write_labeled_pages,
)

TEXT = """# a comment
### page one
+ Headline

- Selasa, 27 Desember 2022 - 15:04 WIB
+ Body sentence.
### page two
- Menu
+ Other body.
"""


def test_parse_text_format():
    one, two = parse_labeled_text(TEXT)
    assert one.id == "one" and two.id == "two"
    assert one.lines == ["Headline", "", "Selasa, 27 Desember 2022 - 15:04 WIB", "Body sentence."]
    assert one.labels == [1, None, 0, 1]
    assert two.labels == [0, 1]


def test_text_format_round_trip():
    pages = parse_labeled_text(TEXT)
    assert parse_labeled_text(format_labeled_text(pages)) == pages


def test_text_format_errors_name_the_line():
    with pytest.raises(ValueError, match=r"<text>:2: a line must start with"):
        parse_labeled_text("+ ok\nno marker here")
    with pytest.raises(ValueError, match="needs text"):
        parse_labeled_text("+ ok\n+")
    with pytest.raises(ValueError, match="no labeled lines"):
        parse_labeled_text("# only a comment\n")


@pytest.mark.parametrize("name", ["pages.jsonl", "pages.jsonl.gz", "pages.txt"])
def test_write_read_round_trip(tmp_path, name):
    pages = parse_labeled_text(TEXT)
    write_labeled_pages(pages, tmp_path / name)
    again = read_labeled_pages(tmp_path / name)
    assert [(p.id, p.lines, p.labels) for p in again] == [(p.id, p.lines, p.labels) for p in pages]


def test_single_json_page_like_the_seed(tmp_path):
    record = {"id": "x", "lang": "id", "lines": ["a", "", "b"], "labels": [1, None, 0], "label_policy": "..."}
    (tmp_path / "x.json").write_text(json.dumps(record))
    (page,) = read_labeled_pages(tmp_path / "x.json")
    assert page.lines == ["a", "", "b"] and page.labels == [1, None, 0] and page.lang == "id"
    assert page.extra == {"label_policy": "..."}


def test_bad_json_records(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"lines": ["a"], "labels": [1]}\n{not json}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:2: not valid JSON"):
        read_labeled_pages(path)
    path.write_text('{"lines": ["a", "b"], "labels": [1]}\n')
    with pytest.raises(ValueError, match="2 lines but 1 labels"):
        read_labeled_pages(path)
    path.write_text('{"lines": ["a"], "labels": [7]}\n')
    with pytest.raises(ValueError, match="'labels' must be"):
        read_labeled_pages(path)


def test_unknown_suffix(tmp_path):
    with pytest.raises(ValueError, match="unknown labeled-page format"):
        read_labeled_pages(tmp_path / "pages.csv")


def test_mismatched_page_is_refused():
    with pytest.raises(ValueError):
        LabeledPage(lines=["a"], labels=[])


def test_shipped_examples_match_their_plain_pages(example_pages):
    assert len(example_pages) >= 4
    assert {"id_news_banjir", "en_news_library"} <= {p.id for p in example_pages}
    for page in example_pages:
        plain = (DATA / "pages" / f"{page.id}.txt").read_text(encoding="utf-8").splitlines()
        assert plain == page.lines
        assert 1 in page.labels and 0 in page.labels
    records = [json.loads(line) for line in (DATA / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["id"] for r in records} == {p.id for p in example_pages}
