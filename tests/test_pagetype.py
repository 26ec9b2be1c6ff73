"""Page types (bpclass.pagetype): signals, the classifier, its file, and the outputs."""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from bpclass import pagetype
from bpclass.modelfile import ModelFileError
from bpclass.pagetype import (
    MARKUP_NUMBER_NAMES,
    PAGE_TYPES,
    TEXT_NUMBER_NAMES,
    PageTypeClassifier,
    html_signals,
    read_page_types,
    text_signals,
    write_page_types,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "pages"


def _article(k):
    return [
        f"The council's plan number {k} for the river",
        "The plan, announced on Monday, would restore the river's banks over the next ten years. "
        "Residents said they had waited a long time for it, and the council agreed.",
        "Work is to start in the spring, when the water is low, and will be paid for by the region.",
    ]


def _product(k):
    return [f"Blue kettle model {k}", "$49.99", "Add to cart", "In stock", "Quantity", "Reviews (3)", "$5.00 shipping"]


def _forum(k):
    return [f"Thread {k}: my kettle leaks", "Posted by anna", "Reply", "Quote", "Posted by ben", "Reply", "Quote"]


# Lines any kind of page may have, so that no count or length tells the kinds apart.
FILLER = ["Home", "About us", "Contact", "Sign in to see your saved items and settings", "Menu", "2024"]


def _with_filler(make):
    return lambda k: make(k) + FILLER[: k % len(FILLER)]


MAKERS = {"article": _with_filler(_article), "product": _with_filler(_product), "forum": _with_filler(_forum)}


def _fitted(markup=False):
    pages, types, groups = [], [], []
    for k in range(30):
        for kind, make in MAKERS.items():
            lines = make(k)
            pages.append(
                html_signals("<html><body>" + "".join(f"<p>{x}</p>" for x in lines), None, lines)
                if markup
                else text_signals(lines, f"https://site{k}.example/page/{k}")
            )
            types.append(kind)
            groups.append(f"site{k}")
    return PageTypeClassifier(markup=markup, min_docs=2, folds=3, max_iter=20).fit(pages, types, groups)


def test_signals_have_their_numbers_and_tokens():
    s = text_signals(["Hello world, hello!", "", "Price: $12"], "https://shop.example.com/product/12?x=1")
    assert len(s.numbers) == len(TEXT_NUMBER_NAMES) and np.isfinite(s.numbers).all()
    assert s.tokens["words"] == {"hello": 2, "world": 1, "price": 1}
    assert "product" in s.tokens["url"] and "h_shop" in s.tokens["url"]
    h = html_signals('<html><head><meta property="og:type" content="product"></head><body class="ProductPage"><p>x</p>')
    assert len(h.numbers) == len(TEXT_NUMBER_NAMES) + len(MARKUP_NUMBER_NAMES)
    assert "og_product" in h.tokens["markup"] and "product" in h.tokens["markup"]


@pytest.mark.parametrize("html", ["", b"\xff\xfe<p>\x00", "<div>" * 50_000, "<p>&amp;" * 10_000])
def test_html_signals_of_bad_pages_are_finite(html):
    s = html_signals(html)
    assert np.isfinite(s.numbers).all()


def test_wrong_types_are_refused():
    with pytest.raises(TypeError):
        text_signals("a page as one string")
    with pytest.raises(TypeError):
        text_signals([1, 2])
    with pytest.raises(TypeError):
        PageTypeClassifier().fit([object()], ["article"], ["a"])
    with pytest.raises(ValueError, match="unknown page types"):
        PageTypeClassifier().fit([text_signals(["x"])], ["blog"], ["a"])


@pytest.mark.parametrize("markup", [False, True])
def test_classifier_learns_types_of_unseen_pages(markup):
    clf = _fitted(markup)
    new = {kind: make(k) for k, (kind, make) in zip((97, 98, 99), MAKERS.items())}
    signals = [html_signals("<p>" + "</p><p>".join(x), None, x) if markup else text_signals(x) for x in new.values()]
    assert clf.predict(signals) == list(new)
    proba = clf.predict_proba(signals)
    assert proba.shape == (3, len(PAGE_TYPES)) and np.allclose(proba.sum(axis=1), 1)
    # types the training pages lack are never predicted
    absent = [PAGE_TYPES.index(t) for t in PAGE_TYPES if t not in MAKERS]
    assert (proba[:, absent] < 1e-6).all()


def test_file_round_trip_predicts_the_same(tmp_path):
    text, html = _fitted(False), _fitted(True)
    path = tmp_path / "pt.npz"
    write_page_types({"text": text, "html": html}, path, {"note": "test"})
    read = read_page_types(path.read_bytes(), "pt.npz")
    signals = [text_signals(make(5)) for make in MAKERS.values()]
    assert np.allclose(read["text"].predict_proba(signals), text.predict_proba(signals))
    assert read["metadata"]["note"] == "test"


def _rewritten(data: bytes, change) -> bytes:
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    change(arrays)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def test_bad_files_are_refused(tmp_path):
    path = tmp_path / "pt.npz"
    write_page_types({"text": _fitted(False)}, path)
    data = path.read_bytes()
    with pytest.raises(ModelFileError):
        read_page_types(b"not a zip", "x")

    def wrong_coef(a):
        a["text_words_coef"] = a["text_words_coef"][:, :-1]

    def bad_class(a):
        a["text_trees_tree_class"] = a["text_trees_tree_class"] + 100

    def other_format(a):
        meta = json.loads(a["metadata"].tobytes())
        meta["format"] = "something-else"
        a["metadata"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)

    for change in (wrong_coef, bad_class, other_format):
        with pytest.raises(ModelFileError):
            read_page_types(_rewritten(data, change), "x")
    assert zipfile.is_zipfile(io.BytesIO(data))


def test_bundled_classifiers_read_their_pages():
    bundled = pagetype.bundled_page_types()
    assert set(bundled) >= {"text", "html", "metadata"}
    doc = [
        "API reference",
        "Parameters",
        "path (str) – the file to read.",
        "Returns",
        "A list of the file's lines.",
        "Example",
        "read_lines('notes.txt')",
        "Edit this page on GitHub",
        "Previous: Installation",
        "Next: Configuration",
    ]
    types = pagetype.page_types([doc, ["Only a line"]], ["https://docs.example.org/api/read_lines", None])
    assert types[0] == "documentation" and types[1] in PAGE_TYPES
    assert pagetype.html_page_types(["<p>hi</p>", b""]) == pagetype.html_page_types(["<p>hi</p>", ""])
    # a page with no text has no type
    assert pagetype.page_types([[], ["", "  "]]) == [None, None]
    assert pagetype.html_page_types(["", "<html><body><script>x()</script></body></html>"]) == [None, None]


def test_corpus_rows_carry_the_page_type_when_asked(tmp_path, capsys):
    from conftest import DATA

    from bpclass.cli import EXIT_OK, main

    source = DATA / "pages.jsonl"
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    plain, typed = tmp_path / "plain.jsonl", tmp_path / "typed.jsonl"
    assert main(["clean", "--jsonl", str(source), "-o", str(plain)]) == EXIT_OK
    assert main(["clean", "--jsonl", str(source), "-o", str(typed), "--page-type"]) == EXIT_OK
    plain_rows = [json.loads(line) for line in plain.read_text(encoding="utf-8").splitlines()]
    typed_rows = [json.loads(line) for line in typed.read_text(encoding="utf-8").splitlines()]
    assert all("clean_text_page_type" not in row for row in plain_rows)
    urls = [r.get("url") if isinstance(r.get("url"), str) else None for r in records]
    expected = pagetype.page_types([r["text"].splitlines() for r in records], urls)
    assert [row["clean_text_page_type"] for row in typed_rows] == expected
    # the cleaned text is the same with or without the type
    assert [row["clean_text"] for row in typed_rows] == [row["clean_text"] for row in plain_rows]
    page = DATA / "pages" / "en_news_library.html"
    assert main(["clean", "--report", str(page)]) == EXIT_OK
    err = capsys.readouterr().err
    assert f"page type {pagetype.html_page_types([page.read_bytes()])[0]}" in err


def test_crawl_rows_read_html_and_address_for_the_type():
    from bpclass.records import CorpusOptions, clean_batch

    html = "<html><body><h1>Kettle</h1><p>$49.99</p><button>Add to cart</button><p>In stock</p></body></html>"
    raw = json.dumps({"html": html, "url": "https://shop.example.com/product/kettle"}).encode()
    options = CorpusOptions(crawl=True, output_field="text", page_type=True)
    ((status, _, row, _, _),) = clean_batch([(1, raw)], options, serialize=False)
    assert status == "ok" and "html" not in row
    signals = html_signals(html, "https://shop.example.com/product/kettle")
    assert row["page_type"] == pagetype.classify([signals], html=True)[0]


def test_corpus_mode_parses_an_html_page_once_for_its_lines_and_its_type(monkeypatch):
    from bpclass import html as html_module
    from bpclass.records import CorpusOptions, clean_batch

    page = (DATA / "en_news_library.html").read_text(encoding="utf-8")
    url = "https://news.example.org/2024/library-opens"
    raw = json.dumps({"html": page, "url": url}).encode()
    options = CorpusOptions(crawl=True, output_field="text", page_type=True)
    expected = pagetype.classify([html_signals(page, url)], html=True)[0]
    parses = []
    real = html_module.parsed_tree
    monkeypatch.setattr(html_module, "parsed_tree", lambda html: parses.append(1) or real(html))
    ((status, _, row, _, _),) = clean_batch([(1, raw)], options, serialize=False)
    assert status == "ok" and row["page_type"] == expected
    assert len(parses) == 1
    # A page whose markup cannot be read is still cleaned; its type is unknown.
    monkeypatch.setattr(pagetype, "tree_signals", lambda tree: 1 / 0)
    ((status, _, row, _, _),) = clean_batch([(1, raw)], options, serialize=False)
    assert status == "ok" and row["text"] and row["page_type"] is None


def test_pages_of_unknown_words_go_to_the_classifier_without_words():
    text = _fitted(False)
    pages, types, groups = [], [], []
    for k in range(30):
        for kind, make in MAKERS.items():
            pages.append(text_signals(make(k)))
            types.append(kind)
            groups.append(f"site{k}")
    blind = PageTypeClassifier(words=False, min_docs=2, folds=3, max_iter=20).fit(pages, types, groups)
    assert blind.groups == ("url",) and "words" not in blind.bags_
    known = text_signals(_product(7))
    foreign = text_signals(["Niebieski czajnik", "49,99 zł", "Dodaj do koszyka", "Dostępny", "Ilość", "Opinie (3)"])
    assert text.bags_["words"].coverage(foreign.tokens["words"]) < pagetype.MIN_WORD_COVERAGE
    classifiers = {"text": text, "text_blind": blind}
    assert pagetype.classify([known, foreign], classifiers=classifiers) == [
        text.predict([known])[0],
        blind.predict([foreign])[0],
    ]
    # without a classifier for them, such pages are read with their words
    assert pagetype.classify([foreign], classifiers={"text": text}) == text.predict([foreign])


def test_info_says_what_the_page_types_learned_from(capsys):
    from bpclass.cli import EXIT_OK, main

    assert main(["info"]) == EXIT_OK
    described = json.loads(capsys.readouterr().out)["page_types"]
    assert described["trained_on"] == pagetype.bundled_page_types()["metadata"]["trained_on"]
    assert 0.5 < described["held_out_accuracy"]["html"] <= 1.0
