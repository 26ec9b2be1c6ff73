"""HTML in: the page laid out as lines (bpclass.html), cleaned (clean_html), and
hostile markup that must neither hang nor crash."""

from __future__ import annotations

import re

import pytest
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bpclass
from bpclass import html as bphtml
from bpclass.html import decode_html, html_lines, looks_like_html


def test_blocks_paragraphs_and_inline():
    html = "<html><body><div>Hello <b>world</b>  and <i>more</i></div><p>Para one.</p><p>Two<br>lines</p></body></html>"
    assert html_lines(html) == ["Hello world and more", "", "Para one.", "", "Two", "lines"]


def test_what_is_not_rendered_is_not_text():
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body><script>var x=1;</script>"
        "<div hidden>secret</div><div style='display: none'>also</div><p>seen</p><!-- note --></body></html>"
    )
    assert html_lines(html) == ["seen"]


def test_lists_tables_and_pre():
    html = (
        "<ul><li>a</li><li>b <a href='#'>link</a></li></ul>"
        "<table><tr><td>c1</td><td>c2</td></tr></table><pre>x  y\nz</pre>"
    )
    assert html_lines(html) == ["a", "b link", "c1\tc2", "x  y", "z"]


def test_indentation_between_blocks_is_not_a_blank_line():
    html = "<ul>\n  <li>one</li>\n  <li>two</li>\n</ul>\n<div> <span>x</span> y</div>"
    assert html_lines(html) == ["one", "two", "x y"]


def test_an_unclosed_button_does_not_swallow_the_page():
    assert "Body text." in html_lines("<button>Menu<div><p>Body text.</p></div>")


def test_empty_pages():
    assert html_lines("") == [] and html_lines("   ") == [] and html_lines(b"") == []
    assert html_lines("<html><head><title>Only a title</title></head></html>") == []


def test_bytes_are_decoded_with_the_declared_or_detected_charset():
    russian = "Привет, мир! Это проверка кодировки страницы."
    declared = f'<html><head><meta charset="windows-1251"></head><body><p>{russian}</p></body></html>'
    assert html_lines(declared.encode("cp1251")) == [russian]
    assert html_lines(f"<p>{russian}</p>".encode()) == [russian]  # valid UTF-8 wins
    assert html_lines(f"<p>{russian}</p>".encode("utf-16")) == [russian]  # a byte-order mark
    french = "Le café du village a fermé ses portes après quarante années de service à la communauté."
    assert html_lines(f"<html><body><p>{french} {french}</p></body></html>".encode("cp1252")) == [f"{french} {french}"]
    with pytest.raises(TypeError, match="str or bytes"):
        html_lines(42)
    with pytest.raises(TypeError, match="bytes"):
        decode_html("text")


def test_looks_like_html():
    assert looks_like_html("<!DOCTYPE html><html><body>x</body></html>")
    assert looks_like_html("\ufeff  <!-- saved page -->\n<html lang='en'>")
    assert looks_like_html("<div class='a'>x</div>")
    assert not looks_like_html("Home\nNews\nThe storm hit the coast at dawn.")
    assert not looks_like_html("a < b and <3 for everyone")


def test_deep_nesting_keeps_its_text_and_returns():
    # Tree building costs the square of the depth; past MAX_DEPTH the tags go, the text stays.
    depth = 50_000
    html = "<div>" * depth + "deep" + "</div>" * depth + "<p>after</p>"
    assert html_lines(html) == ["deep", "", "after"]
    lines, markup = bphtml.html_markup(html)  # the markup's element paths too, without recursion
    assert lines == ["deep", "", "after"] and markup[0]["depth"] == len(markup[0]["path"]) > bphtml.MAX_DEPTH - 10
    formatting = "<b><i>" * 30_000 + "bold" + "<p>next</p>"
    assert "bold" in " ".join(html_lines(formatting))


def test_a_select_of_many_options_returns():
    # With DOM mutation events on, lexbor takes seconds per 30,000 options.
    lines = html_lines("<select>" + "<option>x" * 50_000 + "</select><p>after</p>")
    assert lines[-1] == "after" and lines[0] == "x" * 50_000


def test_a_huge_page_is_cut_at_the_cap(monkeypatch):
    monkeypatch.setattr(bphtml, "MAX_HTML_CHARS", 1_000)
    html = "<p>" + "word " * 250 + "</p><p>LATE</p>"  # LATE lies past character 1,000
    lines = html_lines(html)
    assert lines and "LATE" not in " ".join(lines) and lines[0].startswith("word word")


def test_entities_are_not_expanded_beyond_html():
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><p>&b;&b; &amp; &eacute;</p>'
    assert html_lines(bomb)[-1] == "&b;&b; & é"


def test_processing_instructions_are_not_text():
    assert html_lines("<body><p>a</p><?php echo 1; ?><p>b</p></body>") == ["a", "", "b"]


def test_lone_surrogates_and_nul_characters():
    assert html_lines("<p>a\ud800b</p>") == ["ab"]
    assert html_lines("<p>a\x00b</p>") == ["ab"]


_TAGS = st.sampled_from(
    ["div", "p", "span", "b", "a", "li", "ul", "table", "tr", "td", "pre", "br", "script", "select", "option", "h1"]
    + ["nav", "footer", "aside", "div class='sidebar related'", "a href=x", "article id=main-content"]
)
_PIECES = st.one_of(
    _TAGS.map(lambda t: f"<{t}>"),
    _TAGS.map(lambda t: f"</{t}>"),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.sampled_from(["<!--", "-->", "&amp;", "&#0;", "&#x110000;", "<![CDATA[", "<", ">", "\n", "\t", " hidden>"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=60))
def test_any_markup_gives_tidy_lines(pieces):
    lines = html_lines("".join(pieces))
    assert isinstance(lines, list) and all(isinstance(line, str) for line in lines)
    assert all(line == line.strip() for line in lines)
    assert not lines or (lines[0] and lines[-1])
    assert all(a or b for a, b in zip(lines, lines[1:]))  # never two blank lines in a row
    laid = bphtml.lay_out("".join(pieces), markup=True)  # the markup's layout is the same
    assert laid.lines == lines and len(laid.markup) == len(lines)
    for line, info in zip(lines, laid.markup):
        assert (info is None) == (not line)
        if info is not None:
            assert 0 <= info["link_chars"] <= info["chars"] and info["depth"] == len(info["path"])


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_lines(data):
    assert all(isinstance(line, str) for line in html_lines(data))


def test_clean_html_keeps_the_article_of_the_shipped_page():
    html = (DATA / "pages" / "en_news_library.html").read_text(encoding="utf-8")
    text = bpclass.clean_html(html)
    assert "The Riverside Public Library opened its doors again on Saturday morning" in text
    assert "twelve study rooms that can be booked online;" in text
    for boilerplate in ("Skip to main content", "Most Read", "All rights reserved", "Subscribe now"):
        assert boilerplate not in text
    assert bpclass.clean_html(html.encode("utf-8")) == text
    assert bpclass.clean_html("<html><body></body></html>") == ""
    with pytest.raises(TypeError):
        bpclass.clean_html(["<p>x</p>"])


def test_clean_pages_cleans_a_batch_as_clean_and_clean_html_do_one_page():
    text = (DATA / "pages" / "en_news_library.txt").read_text(encoding="utf-8")
    html = (DATA / "pages" / "en_news_library.html").read_text(encoding="utf-8")
    other = "Home\n\nA sentence of the article, as it was written, with enough words to read as prose.\nShare"
    assert bpclass.clean_pages([text, "", other]) == [bpclass.clean(text), "", bpclass.clean(other)]
    assert bpclass.clean_pages([html, html.encode()], html=True) == [bpclass.clean_html(html)] * 2
    assert bpclass.clean_pages([]) == []
    assert bpclass.clean_pages([text], threshold=0) == ["\n".join(line for line in text.splitlines() if line.strip())]
    with pytest.raises(TypeError, match="list of pages"):
        bpclass.clean_pages(text)
    with pytest.raises(TypeError, match=r"pages\[1\]"):
        bpclass.clean_pages([text, None])


# -- Markdown output -------------------------------------------------------------------
MARKED_UP = (
    "<nav><a href='/'>Home</a></nav><article><h1>Storm floods the valley</h1>"
    "<p>Rain fell all night on the <b>valley</b>.</p><h3>What to do</h3>"
    "<ul><li>Stay home</li><li>Call <a href='#'>the line</a></li></ul>"
    "<ol><li>First</li><li>Second<ul><li>inner</li></ul></li></ol>"
    "<blockquote><p>It was the worst in years.</p></blockquote>"
    "<pre>level = 4.2\n  rising</pre>"
    "<table><tr><th>Town</th><th>Level</th></tr><tr><td>Ash|ford</td><td>4.2</td></tr></table></article>"
)


def test_html_blocks_give_each_line_its_kind():
    from bpclass.html import html_blocks

    blocks = html_blocks(MARKED_UP)
    assert [line for line, _ in blocks] == html_lines(MARKED_UP)
    kinds = dict(blocks)
    assert kinds["Home"] == "" and kinds["Storm floods the valley"] == "h1" and kinds["What to do"] == "h3"
    assert kinds["Stay home"] == kinds["Call the line"] == "li"
    assert kinds["First"] == kinds["Second"] == "ol" and kinds["inner"] == "li"  # the innermost list decides
    assert kinds["It was the worst in years."] == "quote"
    assert kinds["level = 4.2"] == kinds["rising"] == "pre"  # lines are stripped, in <pre> too
    assert kinds["Town\tLevel"] == "" and kinds["Rain fell all night on the valley."] == ""


def test_markdown_writes_the_kinds():
    from bpclass.html import html_blocks, markdown

    assert markdown(html_blocks(MARKED_UP)) == "\n".join(
        [
            "Home",
            "",
            "# Storm floods the valley",
            "",
            "Rain fell all night on the valley.",
            "",
            "### What to do",
            "",
            "- Stay home",
            "- Call the line",
            "",
            "1. First",
            "1. Second",
            "",
            "- inner",
            "",
            "> It was the worst in years.",
            "",
            "```",
            "level = 4.2",
            "rising",
            "```",
            "",
            "| Town | Level |",
            "|---|---|",
            "| Ash\\|ford | 4.2 |",
        ]
    )
    assert markdown([]) == "" and markdown([("", ""), ("Only", "")]) == "Only"


def test_clean_html_as_markdown_keeps_the_same_lines():
    page = (DATA / "pages" / "en_news_library.html").read_text(encoding="utf-8")
    text = bpclass.clean_html(page)
    md = bpclass.clean_html(page, output="markdown")
    assert md.startswith("# ") and md.splitlines()[0][2:] == text.splitlines()[0]  # the headline, as a heading
    unmarked = [re.sub(r"^(#+ |- |1\. |> )", "", line) for line in md.splitlines() if line]
    assert unmarked == text.splitlines()  # the same kept lines, in order
    assert "- a children's wing with a story-time theatre;" in md.splitlines()  # a list item
    assert bpclass.clean_pages(["Share\n\nA sentence of the article, as it was written here."], output="markdown")
    with pytest.raises(ValueError, match="output must be one of"):
        bpclass.clean_html(page, output="html")


def test_cli_markdown(tmp_path, capsys):
    import json

    from bpclass.cli import EXIT_OK, EXIT_USAGE, main

    page = DATA / "pages" / "en_news_library.html"
    assert main(["clean", "--markdown", str(page)]) == EXIT_OK
    assert capsys.readouterr().out.startswith("# ")
    assert main(["clean", "--markdown", "--labels", str(page)]) == EXIT_USAGE
    assert "choose one" in capsys.readouterr().err
    # Corpus mode: each record's HTML page cleaned into Markdown, as clean_html gives it.
    html = page.read_text(encoding="utf-8")
    source, out = tmp_path / "pages.jsonl", tmp_path / "out.jsonl"
    source.write_text(json.dumps({"html": html}) + "\n" + json.dumps({"html": MARKED_UP}) + "\n", encoding="utf-8")
    assert main(["clean", "--jsonl", str(source), "--html-field", "html", "--markdown", "-o", str(out)]) == EXIT_OK
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["clean_text"] for r in rows] == [bpclass.clean_html(h, output="markdown") for h in (html, MARKED_UP)]
    assert rows[0]["clean_text"].startswith("# ")
