"""A page's own style sheet and scripts, which some scrapers give with its text (lxml's
text_content()), are never content; the code an article shows is left to the model."""

from __future__ import annotations

import numpy as np
import pytest

import bpclass
from bpclass import model as model_module
from bpclass import policy
from bpclass.policy import code_line

STYLE_SHEET = [
    "#NewsTopText {",
    "text-align:left;",
    "font-family : Verdana, Arial, Helvetica, sans-serif, 新細明體, 細明體;",
    "*font-size : 18px;  /* 20px * 0.8 = 18px */",
    "@media print {",
    "/* Make sure containers never lose their center alignment */",
    ".wp-block-image{margin:0 0 1em}.wp-block-image img{height:auto;max-width:100%;vertical-align:bottom}" * 2,
    # A style sheet's lines joined by a scraper (or by bpclass.wrapping) into one.
    "#NewsTopText { padding:3px 8px 0px 8px; text-align:left; height : 20px; }",
    "padding:3px 8px 0px 8px; text-align:left; white-space : nowrap;",
]
SCRIPTS = [
    "window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date());",
    "(function(d){var s=d.createElement('script');s.async=true;s.src='//cdn.example.com/w.js';"
    "document.getElementsByTagName('head')[0].appendChild(s);})(document);",
    '{"@context":"https://schema.org","@type":"NewsArticle","headline":"Bridge opens","datePublished":"2026-01-01",'
    '"author":{"@type":"Person","name":"Ann Smith"}}',
]
# Code an article shows, and prose about code: not for this rule to judge.
SHOWN = [
    "func main() {",
    "if i > 3 {",
    "const [todos, setTodos] = useState([{ text: 'Learn Hooks' }]);",
    "useEffect(() => {    document.title = `You clicked ${count} times`;",
    'export SUDO_PROMPT="$(tput setaf 1 bold)Password:$(tput sgr0) "',
    "SELECT * FROM orders WHERE user_id = 123;",
    '{"a": 0, "b": 0, "c": 0}',
    "jQuery arrived in 2006 and papered over all of it. $('#element').hide() worked everywhere, "
    "and $.ajax() made AJAX calls simple.",
    "explicitly-installed: packages that were literally passed to a generic pacman -S or -U command;",
    "| [[logo]](/) | A blog about the web: how a style sheet like .a{color:red;}.b{margin:0;} is read by the "
    "browser, and what it does with it when the page loads |",
    "The mayor said on Monday that the city would open three new schools next year.",
    "Opening hours: from nine to five; weekends: closed; holidays: by appointment;",
]


@pytest.mark.parametrize("line", STYLE_SHEET + SCRIPTS)
def test_a_pages_own_code_is_code(line):
    assert code_line(line)
    assert code_line("  " + line + "  ")


@pytest.mark.parametrize("line", SHOWN)
def test_code_an_article_shows_and_prose_are_not(line):
    assert not code_line(line)


def test_code_lines_are_dropped_from_a_page(monkeypatch):
    article = [
        "The city council opened its new public library on Saturday, in the hall of the old train station.",
        "The building keeps its iron roof and its clock, and the ticket office is now a reading room.",
        "More than two thousand people visited on its first day, and the staff said it went well.",
    ]
    page = ["New library opens in the old station", ""] + STYLE_SHEET[:4] + [""] + article + [""] + SCRIPTS
    model = bpclass.load_model()
    labels = model.predict([page])[0]
    proba = model.predict_proba([page])[0]
    for line, label, p in zip(page, labels, proba):
        if line in STYLE_SHEET or line in SCRIPTS:
            assert not label and p == 0.0, line
        elif line in article:
            assert label, line
    assert "{" not in bpclass.clean("\n".join(page))
    # The passes alone keep some of them: the rule is what drops them.
    monkeypatch.setattr(model_module, "code_rows", lambda X, proba, lines_of: np.zeros(0, dtype=np.int64))
    kept = [line for line, label in zip(page, model.predict([page])[0]) if label]
    assert any(line in STYLE_SHEET + SCRIPTS for line in kept)


def test_a_huge_line_of_code_is_read_in_one_go():
    line = ".a{color:red;margin:0 auto}" * 200_000  # 5 MB of minified style sheet
    assert code_line(line)
    assert not code_line("word " * 1_000_000)
    # A huge line is judged by its start (policy.CODE_READ_CHARS), never split whole.
    prose = "The mayor said the library would open on Monday, and the staff agreed. "
    assert not code_line(prose * (policy.CODE_READ_CHARS // len(prose) + 1) + line)
    assert code_line(line + prose * 300_000)
