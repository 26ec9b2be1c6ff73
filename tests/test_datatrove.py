"""bpclass in others' pipelines: the datatrove step (bpclass.datatrove) in a real
datatrove pipeline, and Hugging Face datasets' batched map through clean_pages."""

from __future__ import annotations

import gzip
import io
import itertools
import json

import pytest
from conftest import DATA, DATASETS

import bpclass
from bpclass.cli import EXIT_OK, main

PAGE_HTML = (DATA / "pages" / "en_news_library.html").read_bytes()
PAGE_TEXT = (DATA / "pages" / "en_news_library.txt").read_text(encoding="utf-8")


def _html_pages(n: int) -> list[tuple[str, bytes]]:
    """(url, HTML) of n pages: the shared sets' when they are there, else the shipped page."""
    path = DATASETS / "wcxb_dev.jsonl.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            records = (json.loads(line) for line in itertools.islice(fh, n))
            return [(r["url"], r["html"].encode("utf-8")) for r in records]
    return [(f"https://news.example/{k}", PAGE_HTML) for k in range(n)]


def _write_warc(path, pages: list[tuple[str, bytes]]) -> None:
    """A WARC file of HTML responses, written with warcio's writer."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, html in pages:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(html),
                http_headers=http,
                warc_headers_dict={"WARC-Identified-Payload-Type": "text/html"},
            )
            writer.write_record(record)


# datatrove's executor leaves files of its own open (its logs): not ours to close.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_datatrove_pipeline_gives_the_clis_texts(tmp_path):
    pytest.importorskip("datatrove")
    pytest.importorskip("warcio")
    pytest.importorskip("fastwarc")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    from bpclass.datatrove import BoilerplateCleaner

    pages = _html_pages(30)
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    _write_warc(crawl / "a.warc.gz", pages[:15])
    _write_warc(crawl / "b.warc.gz", pages[15:] + [("https://news.example/empty", b"<html><body></body></html>")])
    executor = LocalPipelineExecutor(
        pipeline=[
            WarcReader(str(crawl), glob_pattern="*.warc.gz"),
            BoilerplateCleaner(input="html", batch_size=8),
            JsonlWriter(str(tmp_path / "out")),
        ],
        tasks=2,
        workers=1,
        logging_dir=str(tmp_path / "logs"),
    )
    executor.run()
    docs = {}
    for part in sorted((tmp_path / "out").glob("*.jsonl.gz")):
        with gzip.open(part, "rt", encoding="utf-8") as fh:
            for line in fh:
                doc = json.loads(line)
                docs[doc["id"]] = doc
    assert len(docs) == 30  # both tasks' files; the empty page dropped

    rows = tmp_path / "cli.jsonl"
    files = [str(crawl / "a.warc.gz"), str(crawl / "b.warc.gz")]
    assert main(["clean", "--warc", *files, "-o", str(rows)]) == EXIT_OK
    cli = {r["warc_record_id"]: r for r in map(json.loads, rows.read_text(encoding="utf-8").splitlines())}
    assert {k for k, r in cli.items() if r["text"]} == set(docs)
    for record_id, doc in docs.items():
        assert doc["text"] == cli[record_id]["text"]
        assert doc["metadata"]["lines_kept"] == cli[record_id]["lines_kept"] > 0
        assert doc["metadata"]["lines_total"] == cli[record_id]["lines_total"]
        assert doc["metadata"]["confidence"] == cli[record_id]["confidence"]
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    cleaner = next(step for step in stats if "bpclass" in step["name"])
    assert cleaner["stats"]["dropped"] == 1 and cleaner["stats"]["forwarded"] == 30


def test_datatrove_step_on_text_documents_and_bad_settings():
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from bpclass.datatrove import BoilerplateCleaner

    docs = [Document(text=PAGE_TEXT, id="a"), Document(text="\n\n", id="blank"), Document(text="x\n" * 50, id="huge")]
    out = list(BoilerplateCleaner(max_page_lines=40)(docs))
    assert [d.id for d in out] == ["a"]  # the blank page dropped, the page over the cap reported
    assert out[0].text == bpclass.clean(PAGE_TEXT)
    assert out[0].metadata["lines_total"] == sum(1 for line in PAGE_TEXT.splitlines() if line.strip())
    (md,) = BoilerplateCleaner(input="html", markdown=True)([Document(text=PAGE_HTML.decode(), id="h")])
    assert md.text == bpclass.clean_html(PAGE_HTML, output="markdown") and md.text.startswith("# ")
    url = "https://news.example.com/2024/03/flood"
    (typed,) = BoilerplateCleaner(page_type=True)([Document(text=PAGE_TEXT, id="t", metadata={"url": url})])
    assert typed.metadata["page_type"] == bpclass.page_types([PAGE_TEXT.splitlines()], [url])[0]
    assert "page_type" not in out[0].metadata  # only when asked
    with pytest.raises(ValueError, match="input must be one of"):
        BoilerplateCleaner(input="markdown")
    with pytest.raises(ValueError, match="batch_size"):
        BoilerplateCleaner(batch_size=0)
    with pytest.raises(ValueError, match="threshold"):
        BoilerplateCleaner(threshold=2)


def test_hugging_face_datasets_batched_map():
    datasets = pytest.importorskip("datasets")
    other = (DATA / "pages" / "en_blog_bread.txt").read_text(encoding="utf-8")
    ds = datasets.Dataset.from_dict({"text": [PAGE_TEXT, other, ""], "html": [PAGE_HTML.decode(), "", "<p>x</p>"]})
    cleaned = ds.map(
        lambda batch: {
            "clean": bpclass.clean_pages(batch["text"]),
            "clean_html": bpclass.clean_pages(batch["html"], html=True),
        },
        batched=True,
        batch_size=2,
    )
    assert cleaned["clean"] == [bpclass.clean(PAGE_TEXT), bpclass.clean(other), ""]
    assert cleaned["clean_html"][0] == bpclass.clean_html(PAGE_HTML)
    assert 0 < len(cleaned["clean"][0].splitlines()) < len(PAGE_TEXT.splitlines())
