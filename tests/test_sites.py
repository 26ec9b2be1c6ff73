"""Template lines across pages of one site: bpclass.sites, predict(sites=...), clean(site_pages=...), --site-pages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import DATA

import bpclass
from bpclass.cli import EXIT_OK, EXIT_USAGE, main
from bpclass.sites import line_key, template_lines

PROMO = "Support local journalism: become a Riverside Courier member today and read every story without limits."
FOOTER = "© 2024 Riverside Courier. All rights reserved."


WORDS = "river bridge school market library council garden harbour station museum".split()


def article(k: int) -> list[str]:
    """A page of the site: its own headline and prose, and the site's promo and footer.
    (Pages differ by their words: digits alone do not tell lines apart.)"""
    a, b = WORDS[k % 10], WORDS[(k // 10 + 3 * k + 1) % 10] + "s" * (k // 10)
    return [
        f"The {a} and the {b} make the news",
        f"This is the opening paragraph about the {a}, written about a {b} event of the week.",
        PROMO,
        f"The {b} story goes on with its own details, quotes and {a} figures that no other page repeats.",
        "Share",
        FOOTER.replace("2024", str(2000 + k)),
    ]


def test_lines_recurring_on_other_pages_of_the_site_are_template():
    pages = [article(k) for k in range(3)]
    flags = template_lines(pages, ["courier"] * 3)
    for page, flag in zip(pages, flags):
        assert flag.dtype == bool and len(flag) == len(page)
        # The promo, and the footer whose year differs (digits match any digits).
        assert flag.tolist() == [False, False, True, False, False, True]


def test_short_lines_other_sites_and_pages_on_their_own_are_left_alone():
    pages = [article(0), article(1), article(2), article(3)]
    # "Share" recurs but is under three words; pages of different sites never match.
    flags = template_lines(pages, ["a", "b", None, float("nan")])
    assert not any(f.any() for f in flags)
    assert not template_lines([["Share", "Share this"], ["Share", "Share this"]], ["s", "s"])[0].any()


def test_a_copy_of_a_page_is_not_another_page_of_its_site():
    page = article(0)
    assert not any(f.any() for f in template_lines([page, list(page)], ["s", "s"]))
    # With a third page the promo recurs on a page that is not a copy.
    flags = template_lines([page, list(page), article(1)], ["s"] * 3)
    assert flags[0][2] and flags[1][2] and flags[2][2]
    assert not flags[0][1] and not flags[1][1]  # the copies' own prose stays


def test_a_line_must_be_on_a_tenth_of_the_other_pages():
    line = "A sidebar sentence that only a few pages of the site carry with them."
    pages = [article(k) for k in range(21)]
    pages[0] = pages[0] + [line]
    pages[1] = pages[1] + [line]
    assert not template_lines(pages, ["s"] * 21)[0][-1]  # on 1 of 20 other pages: not enough
    pages[2] = pages[2] + [line]
    assert template_lines(pages, ["s"] * 21)[0][-1]  # on 2 of 20


def test_line_key():
    assert line_key("  Copyright  2024   ACME ") == line_key("copyright 1999 acme")
    assert line_key("Page 1 of 3") != line_key("Page one of three")


@pytest.mark.parametrize(
    "sites, error",
    [("abc", TypeError), (["a"], ValueError), ([["a"], "a"], TypeError), (5, TypeError)],
)
def test_bad_sites(sites, error):
    with pytest.raises(error, match="sites"):
        template_lines([article(0), article(1)], sites)


def test_predict_with_sites_zeroes_template_lines_only():
    model = bpclass.load_model()
    pages = [article(k) for k in range(3)]
    alone = model.predict_proba(pages)
    together = model.predict_proba(pages, sites=["courier"] * 3)
    flags = template_lines(pages, ["courier"] * 3)
    for a, t, f in zip(alone, together, flags):
        assert (t[f] == 0).all()
        np.testing.assert_array_equal(a[~f], t[~f])
    labels = model.predict(pages, sites=["courier"] * 3)
    assert not any(y[2] for y in labels)
    with pytest.raises(ValueError, match="one site per page"):
        model.predict(pages, sites=["courier"])


PAGE = DATA / "pages" / "en_news_library.txt"


def with_promo(lines: list[str]) -> list[str]:
    """The page with the promo inside its article (after its first long paragraph)."""
    at = next(k for k, line in enumerate(lines) if line.startswith("About 600 people"))
    return lines[: at + 1] + [PROMO] + lines[at + 1 :]


def test_clean_with_site_pages_drops_the_template():
    text = "\n".join(with_promo(PAGE.read_text(encoding="utf-8").splitlines()))
    others = ["\n".join(article(k)) for k in range(2)]
    assert PROMO in bpclass.clean(text).splitlines()  # alone, the promo reads like the article
    cleaned = bpclass.clean(text, site_pages=others).splitlines()
    assert PROMO not in cleaned
    assert cleaned == [line for line in bpclass.clean(text).splitlines() if line != PROMO]
    # The same lines as predict(..., sites=...), at any threshold (at 0 every line is kept, template or not).
    model = bpclass.load_model()
    for threshold in (0.0, 0.45, 0.8):
        pages = [text.splitlines(), *(other.splitlines() for other in others)]
        labels = model.predict(pages, threshold=threshold, sites=["s"] * 3)[0]
        expected = [line for line, y in zip(pages[0], labels) if y]
        assert bpclass.clean(text, threshold=threshold, site_pages=others).splitlines() == expected
    with pytest.raises(TypeError, match="site_pages"):
        bpclass.clean(text, site_pages="one page")
    with pytest.raises(TypeError, match="site_pages"):
        bpclass.clean(text, site_pages=[b"bytes"])


def test_cli_site_pages(tmp_path, capsys):
    page = tmp_path / "page.txt"
    page.write_text("\n".join(with_promo(PAGE.read_text(encoding="utf-8").splitlines())), encoding="utf-8")
    others = []
    for k in range(2):
        others.append(tmp_path / f"other{k}.txt")
        others[-1].write_text("\n".join(article(k)), encoding="utf-8")
    assert main(["clean", str(page)]) == EXIT_OK
    assert PROMO in capsys.readouterr().out.splitlines()
    assert main(["clean", str(page), "--site-pages", *map(str, others)]) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert PROMO not in out and any(line.startswith("The Riverside Public Library opened") for line in out)
    assert main(["clean", "--labels", str(page), "--site-pages", *map(str, others)]) == EXIT_OK
    row = next(r for r in capsys.readouterr().out.splitlines() if r.endswith(PROMO))
    assert row.split("\t")[:2] == ["0", "0.000"]
    # Usage errors: one line, exit 2.
    assert main(["clean", str(page), "--site-pages", "-"]) == EXIT_USAGE
    assert "standard input" in capsys.readouterr().err
    assert main(["clean", str(page), "--site-pages", str(tmp_path / "missing.txt")]) == EXIT_USAGE
    assert "cannot read" in capsys.readouterr().err
    assert main(["clean", "--jsonl", str(page), "--site-pages", str(others[0])]) == EXIT_USAGE
    assert "--jsonl" in capsys.readouterr().err


def test_nan_is_a_page_on_its_own():
    pages = [article(0), article(1)]
    assert not any(f.any() for f in template_lines(pages, [math.nan, math.nan]))


def test_evaluation_site_keys_keep_sets_apart():
    from training.evaluate import site_keys

    pages = [{"set": "a", "site": "x.com"}, {"set": "b", "site": "x.com"}, {"set": "a", "site": None, "id": 7}]
    assert site_keys(pages) == ["a:x.com", "b:x.com", "a:7"]


def test_jsonl_site_field(tmp_path, capsys):
    import json

    page = "\n".join(with_promo(PAGE.read_text(encoding="utf-8").splitlines()))
    records = [
        {"text": page, "host": "courier"},
        {"text": "\n".join(article(0)), "host": "courier"},
        {"text": "\n".join(article(1)), "host": "courier"},
        {"text": page, "host": "another.example"},  # the same text on another site: left alone
        {"text": page},  # no site: read on its own
        {"text": page, "host": ["not", "a", "site"]},  # not a str: read on its own
    ]
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    target = tmp_path / "out.jsonl"
    assert main(["clean", "--jsonl", str(source), "-o", str(target), "--site-field", "host"]) == EXIT_OK
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r.get("host") for r in out] == [r.get("host") for r in records]
    kept = [r["clean_text"].splitlines() for r in out]
    assert PROMO not in kept[0] and PROMO in kept[3] and PROMO in kept[4] and PROMO in kept[5]
    assert kept[0] == [line for line in kept[3] if line != PROMO]
    # Without --site-field every record is read alone.
    assert main(["clean", "--jsonl", str(source), "-o", str(target)]) == EXIT_OK
    alone = [json.loads(line)["clean_text"].splitlines() for line in target.read_text(encoding="utf-8").splitlines()]
    assert PROMO in alone[0] and alone[0] == kept[3]
    # --site-field without --jsonl is a usage error.
    assert main(["clean", str(tmp_path / "pages.jsonl"), "--site-field", "host"]) == EXIT_USAGE
    assert "--jsonl" in capsys.readouterr().err


def test_cjk_lines_count_their_characters_as_words():
    from bpclass.sites import word_count

    assert word_count("版权所有 新华网") == 7 and word_count("Share") == 1 and word_count("a b c") == 3
    footer = "版权所有©新华网"  # one run between spaces, seven CJK words: a template line, not a long one
    titles = ["北京迎来今冬首场降雪", "上海地铁新线路开通运营", "广州举办国际美食节活动"]
    pages = [[title, f"{title}，记者从有关部门了解到更多的消息。", footer, "分享"] for title in titles]
    flags = template_lines(pages, ["xinhua"] * 3)
    assert all(f.tolist() == [False, False, True, False] for f in flags)


@pytest.mark.parametrize("pages", ["one page", [b"bytes"], [["a line", 3]], None])
def test_bad_pages(pages):
    with pytest.raises(TypeError, match="page"):
        template_lines(pages, ["s"])


def test_jsonl_site_field_output_is_the_same_with_two_jobs(tmp_path):
    import json

    records = [{"text": "\n".join(article(k)), "host": "courier" if k % 3 else "other"} for k in range(12)]
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    outputs = []
    for jobs in ("1", "2"):
        target = tmp_path / f"out{jobs}.jsonl"
        argv = ["clean", "--jsonl", str(source), "-o", str(target), "--site-field", "host", "--batch-size", "4"]
        assert main([*argv, "--jobs", jobs]) == EXIT_OK
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    cleaned = [json.loads(line)["clean_text"] for line in outputs[0].decode("utf-8").splitlines()]
    # Batches of 4: each holds pages of "courier" sharing the promo, which is dropped there.
    assert not any(PROMO in text.splitlines() for text, r in zip(cleaned, records) if r["host"] == "courier")


def test_jsonl_site_field_keeps_a_run_of_one_site_in_one_batch(tmp_path):
    import json

    from bpclass.corpus import SITE_RUN_BATCHES

    page = "\n".join(with_promo(PAGE.read_text(encoding="utf-8").splitlines()))
    courier = [{"text": "\n".join(article(k)), "host": "courier"} for k in range(4)]
    courier.append({"text": page, "host": "courier"})
    records = courier + [{"text": "\n".join(article(k)), "host": "other"} for k in range(4, 7)]
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    target = tmp_path / "out.jsonl"
    # Batches of 2 would leave the fifth courier page with the first of "other";
    # the run of five grows its batch instead (5 <= SITE_RUN_BATCHES * 2).
    assert 5 <= SITE_RUN_BATCHES * 2
    argv = ["clean", "--jsonl", str(source), "-o", str(target), "--batch-size", "2"]
    assert main([*argv, "--site-field", "host"]) == EXIT_OK
    cleaned = [json.loads(line)["clean_text"].splitlines() for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(cleaned) == len(records) and PROMO not in cleaned[4]
    assert main(argv) == EXIT_OK  # read alone, that page keeps the promo
    alone = [json.loads(line)["clean_text"].splitlines() for line in target.read_text(encoding="utf-8").splitlines()]
    assert PROMO in alone[4]


def test_site_runs_are_capped(tmp_path):
    import io
    import json

    from bpclass.corpus import SITE_RUN_BATCHES, CorpusOptions, _batches, _Input

    def lines(raw):
        return _Input(io.BytesIO(raw), 1 << 20)

    raw = b"".join(json.dumps({"text": "x", "host": "a"}).encode() + b"\n" for _ in range(30))
    options = CorpusOptions(site_field="host")
    sizes = [len(b) for b in _batches(lines(raw), 3, options)]
    assert sizes == [3 * SITE_RUN_BATCHES] * (30 // (3 * SITE_RUN_BATCHES)) + [30 % (3 * SITE_RUN_BATCHES)]
    # A bad record ends a run (its site is unknown) and still goes into a batch.
    raw = raw[: raw.index(b"\n") + 1] * 4 + b"not json\n" + raw[: raw.index(b"\n") + 1] * 2
    assert [len(b) for b in _batches(lines(raw), 3, options)] == [4, 3]
    assert [len(b) for b in _batches(lines(raw), 3, CorpusOptions())] == [3, 3, 1]


def test_site_batches_after_a_resume_are_the_rest_of_the_full_run():
    import io
    import json

    from bpclass.corpus import CorpusOptions, _batches, _Input

    hosts = "aaaaabbcccccccccccdab"
    raw = b"".join(json.dumps({"text": "x", "host": h}).encode() + b"\n" for h in hosts)
    options = CorpusOptions(site_field="host")
    full = list(_batches(_Input(io.BytesIO(raw), 1 << 20), 2, options))
    assert len(full) > 3 and any(len(b) > 2 for b in full)
    for k in range(1, len(full)):
        resumed = _Input(io.BytesIO(raw), 1 << 20)
        resumed.skip(full[k - 1][-1][0])  # the checkpoint after batch k - 1
        assert list(_batches(resumed, 2, options)) == full[k:]
