"""The comment-section policy: below a heading such as "12 Comments", lines are boilerplate."""

from __future__ import annotations

import copy
import json
import re

import numpy as np
import pytest
from conftest import rewrite_model_file

from bpclass import ModelFileError, load_model
from bpclass.cli import EXIT_OK, main
from bpclass.corpus import CorpusOptions, clean_batch
from bpclass.features import holds_comment_word
from bpclass.patterns import COMMENT_HEADING
from bpclass.policy import (
    CALL_PROSE_CHARS,
    CALL_REACH,
    CALL_SURE,
    COMMENT_COUNT_REACH,
    COMMENT_LIKELY,
    COMMENT_MAX_CHARS,
    COMMENT_MAX_HEADINGS,
    COMMENT_MAX_THREAD_HEADINGS,
    COMMENT_MAX_TITLE_WORDS,
    COMMENT_MAX_WORDS,
    COMMENT_META_LOOK,
    COMMENT_META_PIECE,
    COMMENT_META_REACH,
    COMMENT_MIN_CHARS_ABOVE,
    COMMENT_MIN_CHARS_ALONE,
    COMMENT_MIN_SHARE_ABOVE,
    COMMENT_NOUNS,
    COMMENT_PAIR_REACH,
    COMMENT_PIECE_CHARS,
    _comment_header,
    comment_section_start,
    drop_comment_sections,
)

ARTICLE = [
    "City opens a new library in the old train station",
    "",
    "The city council opened its new public library on Saturday, in the hall of the old train "
    "station that had stood empty for more than ten years.",
    "",
    "The building keeps its iron roof and its clock, and the former ticket office is now a reading "
    "room for children, with books in four languages.",
    "",
    "The mayor said that the library would stay open until nine in the evening on weekdays, so that "
    "people who work during the day can use it as well.",
    "",
    "More than two thousand people visited the library on its first day, and the staff said that "
    "nearly four hundred of them signed up for a library card.",
]
COMMENTS = [
    "",
    "12 Comments",
    "",
    "Anna says:",
    "I went there on Sunday with my two sons and we stayed for the whole afternoon. The reading room "
    "for children is lovely and the staff were very kind to us.",
    "",
    "Peter says:",
    "It is good to see the old station used again. I remember taking the train from there when I was "
    "a student, and the clock was always five minutes late.",
]


def test_the_heading_pattern():
    headings = ["12 Comments", "Leave a Reply", "Comments (3)", "» Comments", "3 Responses to “A title”"]
    headings += ["2 thoughts on “A title”", "Kommentare (14)", "Join the discussion", "No comments yet"]
    headings += ["LEAVE A REPLY", "Laissez un commentaire", "Tulis komentar", "Reader Comments (3)"]
    headings += ["Komentarze (4)", "Комментарии", "5 комментариев", "Yorumlar", "9 kommentarer:"]
    headings += ["Publier un nouveau commentaire", "Kommentare lesen (1 Beitrag)", "Scrivi un commento"]
    headings += ["Wszystkie komentarze", "Dodaj komentarz", "Добавить комментарий", "Комментарии: 0"]
    headings += ["Σχόλια (3)", "Αφήστε ένα σχόλιο", "网友评论：", "我要评论(0)", "评论", "コメント", "댓글 3"]
    headings += ["Коментарі (2)", "Додати коментар", "Komentari: 4", "Hozzászólások", "Adaugă un comentariu"]
    headings += ["Bình luận (3)", "التعليقات", "תגובות", "Komentāri", "Kommentaarid 5"]
    # A comment form's e-mail field, marked required or never published.
    headings += ["Email *", "E-mail (required)", "Email (will not be published) (required)", "Email Address: *"]
    headings += ["E-mail (niepublikowany) (potrzebny)", "E-Mail (не публикуется)"]
    # The rules of the comment section, above its form.
    headings += ["Comment policy", "Commenting guidelines:", "Правила комментирования", "Zasady komentowania"]
    headings += ["Regulamin komentarzy", "Όροι σχολιασμού", "评论规则"]
    # Calls to readers above a comment form.
    headings += ["Have your say", "Got something to say?", "What would you like to say?", "Your Comment*"]
    headings += ["Comment on this story", "Discuss This Article!", "Share your thoughts..."]
    headings += ["Please Add Comments", "Add comments:", "Please leave a reply"]
    # A comment form's note on its required fields.
    headings += ['"*" indicates required fields', "Required fields are marked *", "Fields marked with * are mandatory."]
    headings += ["* Звездочкой отмечены поля обязательные для заполнения", "- поля, обязательные для заполнения"]
    headings += ["Pola oznaczone * są wymagane", "Τα πεδία που εμφανίζονται με * είναι υποχρεωτικά"]
    for heading in headings:
        assert COMMENT_HEADING.match(heading), heading
        # Only lines holding a comment word are matched against the pattern: every heading has one.
        assert holds_comment_word(heading), heading
    others = ["Discussion", "No comment from the minister, for now", "He made 12 comments at the meeting."]
    others += ["Kommentarer till inlägget (Atom)", "留言", "Lascia un messaggio"]  # a feed link; a menu's guestbook
    # A menu, a column's name, an expert's comment, a heading that names a comment.
    others += ["业界|评论|专题|滚动", "新民评论", "Komentarze ekspertów", "Актуальный комментарий"]
    # Share buttons and a contact address are no form.
    others += ["Email", "E-mail this article", "Email: desk@example.com", "Email to a friend (2)"]
    others += ["Our comment policy asks you to be kind to each other."]  # a sentence about it
    # A share button, a notice after posting, a sentence that says "say".
    others += ["Share your thoughts with friends.", "Your comment has been posted. Post another comment"]
    others += ["Have your say on the plans at the town hall", "What would you like to say to your fans?"]
    others += ["Add comments to your photos to tell the story"]
    others += ["What tools are required for my repair?", "Fields marked on the map are required reading"]
    for other in others + ["Leave a\nreply", "Lascia un messaggio"]:
        assert not COMMENT_HEADING.match(other), other


def test_review_headings():
    # Buyers' reviews are a product page's comments.
    headings = ["Customer reviews", "Customer Reviews:", "Top reviews from the United States", "Write a review"]
    headings += ["Reviews (12)", "8 Reviews", "User Reviews", "Kundenrezensionen", "Bewertungen (4)"]
    headings += ["Отзывы покупателей", "Отзывы (3)", "Opinie klientów", "12 opinii", "Avis clients", "商品评价"]
    headings += ["累计评价(123)", "Κριτικές πελατών", "Recensioni clienti", "Opiniones de clientes"]
    for heading in headings:
        assert COMMENT_HEADING.match(heading), heading
        assert holds_comment_word(heading), heading
    # Bare, they name a menu's page or a news section as often; a review is an article.
    others = ["Reviews", "Review", "Opiniones", "Opinie", "Отзывы", "评价", "Editorial Reviews"]
    others += ["Review of the new film", "À mon avis", "Book reviews"]
    for other in others:
        assert not COMMENT_HEADING.match(other), other


def _reference_start(lines, proba):
    """comment_section_start written the slow, obvious way: the pattern on every line."""
    headings = [
        k
        for k, line in enumerate(lines)
        if "\n" not in line
        and len(line) <= COMMENT_MAX_CHARS
        and (
            len(line.split()) <= COMMENT_MAX_WORDS
            or (len(line.split()) <= COMMENT_MAX_TITLE_WORDS and line.rstrip()[-1] not in ".!?:;")
        )
        and COMMENT_HEADING.match(line)
    ]
    if not headings:
        return None

    def near_likely(k):  # the lines on each side up to the COMMENT_COUNT_REACH-th non-blank one
        for side in (list(range(k - 1, -1, -1)), list(range(k + 1, len(lines)))):
            filled = [j for j in side if lines[j].strip()]
            window = (
                side[: side.index(filled[COMMENT_COUNT_REACH - 1]) + 1] if len(filled) >= COMMENT_COUNT_REACH else side
            )
            if any(proba[j] >= COMMENT_LIKELY for j in window):
                return True
        return False

    counted = [k for k in headings if near_likely(k)] if len(headings) > COMMENT_MAX_HEADINGS else headings
    if len(counted) > COMMENT_MAX_HEADINGS:
        texts = [lines[k].strip().lower() for k in counted]
        counts = set(re.findall(r"\d+", " ".join(lines[k] for k in counted)))
        if len(counted) > COMMENT_MAX_THREAD_HEADINGS or len(set(texts)) < len(texts) or len(counts) > 1:
            return None
    chars = [len(line) if p >= COMMENT_LIKELY else 0 for line, p in zip(lines, proba)]
    for k in headings:
        above = sum(chars[:k])
        below = [line for line in lines[k + 1 :] if line.strip()][: COMMENT_META_REACH + 1]
        headers = any(
            len(line) <= COMMENT_MAX_CHARS
            and len(line.split()) <= COMMENT_MAX_WORDS + 4
            and _comment_header(line, above_it.strip())
            for above_it, line in zip([""] + below, below[:COMMENT_META_REACH])
        )

        def names(j):
            return re.search(r"\d", lines[j]) or set(re.findall(r"[^\W\d_]+", lines[j].lower())) & COMMENT_NOUNS

        alone = above >= COMMENT_MIN_CHARS_ALONE and names(k)
        later = [j for j in headings if j > k]  # a heading naming comments close below
        pair = bool(later) and sum(1 for line in lines[k + 1 : later[0]] if line.strip()) < COMMENT_PAIR_REACH
        pair = pair and names(later[0])
        # A call to comment right above the article's sure prose, more of it below than above.
        after = [j for j in range(k + 1, len(lines)) if lines[j].strip()][:CALL_REACH]
        sure = [j for j in after if len(lines[j].strip()) >= CALL_PROSE_CHARS and proba[j] >= CALL_SURE]
        call = not re.search(r"[\d*]", lines[k]) and bool(sure) and sum(chars[k + 1 :]) > above
        if above >= COMMENT_MIN_CHARS_ABOVE and (
            headers or alone or pair or (above >= COMMENT_MIN_SHARE_ABOVE * sum(chars) and not call)
        ):
            return k
    return None


def test_the_fast_scan_finds_what_matching_every_line_finds():
    rng = np.random.default_rng(0)
    odd = ["12 Comments", "Leave a Reply", "COMMENTS:", "comments", "2 thoughts on “X”", "Reply", "Kommentare",
           "Join the conversation", "No responses yet", "He replied.", "a\nComments", "Comment", "x" * 130,
           "Comments " + "word " * 9, "commentary on the news", "7 Responses to “A Title of Eight More Words Here”",
           "12 comments were made at the meeting, the mayor said.", "2 thoughts on " + "word " * 14,
           "Anna says:", "3 March 2024 at 10:15", "Report abuse", "53 Comments »", "Comments (53)",
           "{ 131 comments }", "Response to the critics", "Add a comment |", "Leave a comment",
           "Comments are closed.", "Comments closed"]  # fmt: skip
    found = 0
    for _ in range(300):
        size = rng.integers(0, 60)
        lines = [
            odd[rng.integers(len(odd))] if rng.random() < 0.1 else ARTICLE[rng.integers(len(ARTICLE))]
            for _ in range(size)
        ]
        proba = rng.random(size)
        start = comment_section_start(lines, proba)
        assert start == _reference_start(lines, proba), lines
        found += start is not None
    assert found > 50  # the pages were not all without a heading


def test_lines_below_the_heading_are_dropped():
    model = load_model()
    page = ARTICLE + COMMENTS
    start = page.index("12 Comments")
    kept = copy.copy(model).set_params(keep_comments=True)
    with_comments = kept.predict([page])[0]
    assert with_comments[start:].any()  # the model alone keeps some of the comments ...
    labels, proba = model.predict_with_proba([page])
    assert not labels[0][start:].any() and (proba[0][start:] == 0).all()  # ... the policy drops them
    assert (labels[0][:start] == with_comments[:start]).all()  # the article is untouched
    assert labels[0][:start].sum() >= 4


@pytest.mark.parametrize(
    "heading",
    ["Wszystkie komentarze", "Добавить комментарий", "Σχόλια (2)", "网友评论", "Comments are now closed"]
    + ["Комментарии закрыты", "Les commentaires sont fermés", "Τα σχόλια είναι κλειστά"]
    + ["Customer reviews", "Top reviews from the United States", "Отзывы покупателей"]
    + ["Правила комментирования", "Comment policy", "Have your say", "Got something to say?"],
)
def test_threads_under_other_headings_and_in_other_languages_are_dropped(heading):
    page = ARTICLE + ["", heading] + COMMENTS[2:]
    start = page.index(heading)
    assert copy.copy(load_model()).set_params(keep_comments=True).predict([page])[0][start:].any()
    labels, proba = load_model().predict_with_proba([page])
    assert not labels[0][start:].any() and (proba[0][start:] == 0).all()


def test_where_a_heading_counts():
    proba = np.array([0.9 if len(line) > 60 else 0.2 for line in ARTICLE + COMMENTS])
    page = ARTICLE + COMMENTS
    assert comment_section_start(page, proba) == page.index("12 Comments")
    # Under the headline, before the article, "12 Comments" is a link: nothing is cut.
    top = [ARTICLE[0], "12 Comments"] + ARTICLE[1:]
    top_proba = np.array([0.9 if len(line) > 60 else 0.2 for line in top])
    assert comment_section_start(top, top_proba) is None
    # Nor on a listing that counts the comments of every item.
    listing = []
    for k in range(COMMENT_MAX_HEADINGS + 1):
        listing += [ARTICLE[2], f"{k + 2} comments"]
    assert comment_section_start(listing, np.full(len(listing), 0.9)) is None
    # A short post with a longer thread below: the share of the text above is too small,
    # unless the comments' own headers ("Anna says:", a date) follow the heading.
    thread = ["12 Comments", "Anna says:", "3 March 2024 at 10:15"] + [ARTICLE[2], ARTICLE[4], ARTICLE[6]] * 3
    post = ARTICLE[:7] + thread
    post_proba = np.array([0.9 if len(line) > 60 else 0.2 for line in post])
    assert comment_section_start(post, post_proba) == 7
    bare = ARTICLE[:7] + ["12 Comments"] + thread[3:]
    assert comment_section_start(bare, np.array([0.9 if len(line) > 60 else 0.2 for line in bare])) is None
    # Nor when the text above is unlikely content.
    assert comment_section_start(page, np.where(np.arange(len(page)) < 11, 0.3, 0.9)) is None
    # A few headings that name one thread are no listing ...
    named = ARTICLE + ["Comments", "53 Comments »", "53 Responses to “City opens a library”", "Leave a Reply"]
    named += COMMENTS[2:]
    named_proba = np.array([0.9 if len(line) > 60 else 0.2 for line in named])
    assert comment_section_start(named, named_proba) == len(ARTICLE)
    # ... but one line repeated (a forum's "Add a comment" under every answer) is, and
    # so are more than COMMENT_MAX_THREAD_HEADINGS of them.
    forum = (ARTICLE[:3] + ["Add a comment"]) * (COMMENT_MAX_HEADINGS + 1)
    assert comment_section_start(forum, np.full(len(forum), 0.9)) is None
    names = ["Comments", "Comment", "COMMENTS:", "Leave a Reply", "Leave a comment", "Post a comment", "Add a comment"]
    many = ARTICLE + names + COMMENTS[2:]
    assert sum(COMMENT_HEADING.match(line) is not None for line in many) > COMMENT_MAX_THREAD_HEADINGS
    assert comment_section_start(many[: len(ARTICLE) + 4], np.full(len(ARTICLE) + 4, 0.9)) == len(ARTICLE)
    assert comment_section_start(many, np.full(len(many), 0.9)) is None
    # A thread far longer than a whole article: the share above is small, but a heading
    # that counts or names comments, with COMMENT_MIN_CHARS_ALONE of likely text above, starts it.
    body = [line for line in ARTICLE[2:] if line] * 6
    assert COMMENT_MIN_CHARS_ALONE <= sum(map(len, body)) < COMMENT_MIN_SHARE_ABOVE * sum(map(len, body * 5))
    for heading, start in [("Comments", len(body)), ("{ 131 comments }", len(body)), ("Responses to critics", None)]:
        long_thread = body + [heading] + body * 4
        assert comment_section_start(long_thread, np.full(len(long_thread), 0.9)) == start, heading
    short = body[:4] + ["Comments"] + body * 4
    assert sum(map(len, body[:4])) < COMMENT_MIN_CHARS_ALONE
    assert comment_section_start(short, np.full(len(short), 0.9)) is None
    # Long lines and lines holding a newline are never headings, and line k stays line k.
    odd = ["x" * 500, "a\nComments", ARTICLE[2] * 3, "Comments", "Bob says:"]
    assert comment_section_start(odd, np.array([0.9, 0.9, 0.9, 0.1, 0.1])) == 3
    probas = [np.array([0.9, 0.9, 0.9, 0.1, 0.8]), np.array([0.7])]
    drop_comment_sections([odd, ["Comments"]], probas)
    assert probas[0].tolist() == [0.9, 0.9, 0.9, 0.0, 0.0] and probas[1].tolist() == [0.7]


def test_dated_reply_headings_are_no_listing():
    # Each reply headed "Response to <name>, <date> <time>": more heading-like lines than
    # a thread's, but each names one comment, where a listing counts each item.
    replies = []
    for k, line in enumerate(COMMENTS[4:] * 3):
        if len(line) > 60:
            replies += [f"Response to Reader{k}, 13 December 2011 7:0{k}PM", line]
    page = ARTICLE + replies
    assert sum(COMMENT_HEADING.match(line) is not None for line in replies) > COMMENT_MAX_HEADINGS
    assert comment_section_start(page, np.array([0.9 if len(line) > 60 else 0.2 for line in page])) == len(ARTICLE)
    # Undated, they read as a listing's counts.
    undated = ARTICLE + [line.split(",")[0] if line.startswith("Response") else line for line in replies]
    assert comment_section_start(undated, np.array([0.9 if len(line) > 60 else 0.2 for line in undated])) is None


def test_headings_and_headers_cut_into_pieces():
    # One text node per line (BeautifulSoup's get_text("\\n")): the heading comes in
    # pieces, joined to the line that holds the comment word; the section starts at the first.
    pieces = ["{", "", "18", "comments… read them below or", "add one", "}"]
    assert all(len(line) <= COMMENT_PIECE_CHARS for line in pieces if "comments" not in line)
    page = ARTICLE + pieces + [line for line in COMMENTS if len(line) > 60]
    proba = np.array([0.9 if len(line) > 60 else 0.2 for line in page])
    assert comment_section_start(page, proba) == len(ARTICLE)
    # Only the nearest pieces make the heading: "1" above "Add " is the count of another
    # widget ("1 Add New Comment (" is no heading, "Add New Comment (" is).
    near = ARTICLE + ["1", "Add ", "New Comment (", ")"] + [line for line in COMMENTS if len(line) > 60]
    proba = np.array([0.9 if len(line) > 60 else 0.2 for line in near])
    assert comment_section_start(near, proba) == len(ARTICLE) + 1
    # A longer line next to it is no piece: "comments… read them below or" is no heading alone.
    apart = ARTICLE + ["Read what the mayor said", "comments… read them below or"] + COMMENTS[4:]
    assert comment_section_start(apart, np.array([0.9 if len(line) > 60 else 0.2 for line in apart])) is None
    # A comment's header cut into pieces ("Posted by:", a name, the date): the pieces do not
    # use up the reach in which a header is looked for, so a short post's thread is found ...
    header = ["Posted by:", "Ricardo Bueno |", "September 12, 2012 at 10:11 AM"]
    assert all(len(line) < COMMENT_META_PIECE for line in header[:2])
    thread = ["Comments", "You can follow this conversation by subscribing to the comment feed."]
    body = ([ARTICLE[2], ARTICLE[4]] * COMMENT_META_REACH)[: COMMENT_META_REACH - 2]
    thread += body + header + [ARTICLE[6]] * 6
    post = ARTICLE[:7] + thread
    post_proba = np.array([0.9 if len(line) > 60 else 0.2 for line in post])
    # Counting every line, "Posted by:" would be the last looked at.
    assert all(len(line) >= COMMENT_META_PIECE for line in body + thread[1:2])
    assert comment_section_start(post, post_proba) == 7
    # A first comment of five lines before its author's name and date is found too.
    five = ARTICLE[:7] + ["Comments"] + ([ARTICLE[2], ARTICLE[4]] * 3)[:5]
    five += ["Gerald", "October 5, 2010 at 10:11 AM"] + [ARTICLE[6]] * 6
    assert comment_section_start(five, np.array([0.9 if len(line) > 60 else 0.2 for line in five])) == 7
    # ... but only within COMMENT_META_LOOK lines.
    far = post[:8] + ["Share"] * COMMENT_META_LOOK + post[8:]
    assert comment_section_start(far, np.array([0.9 if len(line) > 60 else 0.2 for line in far])) is None
    # A thread's page links and sort order, a piece a line, come before its first header.
    controls = ["(186)", "1", "2", "3", "...", "5", "Next »", "Order By:", "Newest to Oldest", "Oldest to Newest"]
    paged = ARTICLE[:7] + ["Comments"] + controls + ["broper", "Posted on August 9, 2012 at 11:40am"]
    paged += [ARTICLE[6]] * 30  # long replies: what lies above is under a third of the likely text
    assert comment_section_start(paged, np.array([0.9 if len(line) > 60 else 0.2 for line in paged])) == 7


def test_a_toolbar_count_above_the_article_is_no_thread():
    # "Comments" and "14" in a toolbar under the article's lead, then teasers, the byline
    # and the dateline: a headline that ends in "says" and the date under the byline are
    # no comment's headers (latimes.com as inscriptis lays it out).
    lead, body = ARTICLE[:8], ARTICLE[2:] * 3  # over 300 characters above, under 30% of them
    top = lead + ["* Comments", "14"] + ["*"] * 4
    teasers = ["* Some smokers can blame their genes", "* Nicotine primes the brain to embrace cocaine, study says"]
    page = top + teasers + ["By Karen Kaplan, Los Angeles Times", "January 9, 2012 , 10:58 p.m."] + body
    proba = np.array([0.9 if len(line) > 60 else 0.2 for line in page])
    assert comment_section_start(page, proba) is None
    assert not _comment_header("Nicotine primes the brain to embrace cocaine, study says", "")
    assert not _comment_header("January 9, 2012 , 10:58 p.m.", "By Karen Kaplan, Los Angeles Times")
    # A reader's header is one: the thread below the heading is found.
    assert _comment_header("Ann Smith says:", "") and _comment_header("January 9, 2012 at 10:58 pm", "Ann Smith")
    thread = top + ["Ann Smith", "January 9, 2012 at 10:58 pm"] + body
    assert comment_section_start(thread, np.array([0.9 if len(line) > 60 else 0.2 for line in thread])) == len(lead)


def test_a_comment_form_starts_the_section():
    # No heading names the thread, but the form's e-mail field (marked required or never
    # published) ends the article: what follows is the thread and the page's teasers.
    form = ["Имя (обязательно)", "E-Mail (не публикуется)", "Текст комментария", "Игорь [27/11/11 06:14]"]
    page = ARTICLE + form + [line for line in COMMENTS if len(line) > 60] + ARTICLE[2:]
    proba = np.array([0.9 if len(line) > 60 else 0.2 for line in page])
    start = page.index("E-Mail (не публикуется)")
    assert comment_section_start(page, proba) == start
    labels, probas = load_model().predict_with_proba([page])
    assert labels[0][: len(ARTICLE)].sum() >= 4 and (probas[0][start:] == 0).all()
    # Without the field, the rule finds nothing to start from.
    bare = [line for line in page if line != "E-Mail (не публикуется)"]
    assert comment_section_start(bare, np.array([0.9 if len(line) > 60 else 0.2 for line in bare])) is None


def test_comment_counts_amid_boilerplate_do_not_make_a_listing():
    # A scraper that gives one text node per line puts a sidebar's "107 Comments" on a
    # line of its own, next to its headline: far from any likely line, it is no listing.
    sidebar = []
    for k in range(COMMENT_MAX_THREAD_HEADINGS + 2):
        sidebar += [f"Most discussed story number {k}", f"{k + 100} Comments", "Share", "Tweet"]
    page = ARTICLE + COMMENTS + sidebar
    proba = np.array([0.9 if len(line) > 60 else 0.2 for line in page])
    assert comment_section_start(page, proba) == page.index("12 Comments")
    # The same counts beside likely lines (a listing's items' text) still stop the rule.
    listing = ARTICLE + COMMENTS + [ARTICLE[2] if line == "Share" else line for line in sidebar]
    listing_proba = np.array([0.9 if len(line) > 60 else 0.2 for line in listing])
    assert comment_section_start(listing, listing_proba) is None
    # Likely text COMMENT_COUNT_REACH non-blank lines away is too far to count.
    spaced = ["Share"] * (COMMENT_COUNT_REACH - 1)
    far = ARTICLE + COMMENTS + [line for k in range(8) for line in [ARTICLE[2], *spaced, "", f"{k + 2} comments"]]
    far_proba = np.array([0.9 if len(line) > 60 else 0.2 for line in far])
    assert comment_section_start(far, far_proba) is None  # within reach: counted
    item = [ARTICLE[2], *spaced, "x", "{} comments", "x", *spaced]
    far = ARTICLE + COMMENTS + [line.format(k + 2) for k in range(8) for line in item]
    far_proba = np.array([0.9 if len(line) > 60 else 0.2 for line in far])
    assert comment_section_start(far, far_proba) == (ARTICLE + COMMENTS).index("12 Comments")


def test_keep_comments_is_saved_and_checked(tmp_path):
    model = copy.copy(load_model()).set_params(keep_comments=True)
    model.save(tmp_path / "keep.npz")
    assert load_model(tmp_path / "keep.npz").keep_comments is True
    assert load_model().keep_comments is False
    # Files without the key (made before it existed) drop comment sections.
    rewrite_model_file(tmp_path / "keep.npz", tmp_path / "old.npz", change_meta=lambda m: m.pop("keep_comments"))
    assert load_model(tmp_path / "old.npz").keep_comments is False
    rewrite_model_file(tmp_path / "keep.npz", tmp_path / "bad.npz", change_meta=lambda m: m.update(keep_comments="yes"))
    with pytest.raises(ModelFileError, match="keep_comments"):
        load_model(tmp_path / "bad.npz")
    with pytest.raises(TypeError, match="keep_comments"):
        copy.copy(model).set_params(keep_comments="no").predict([ARTICLE])


def test_the_cli_and_the_corpus_runner_keep_comments_when_asked(tmp_path, capsys):
    page = tmp_path / "page.txt"
    page.write_text("\n".join(ARTICLE + COMMENTS), encoding="utf-8")
    assert main(["clean", str(page)]) == EXIT_OK
    assert "Anna says:" not in capsys.readouterr().out
    assert main(["clean", "--keep-comments", str(page)]) == EXIT_OK
    assert "old station used again" in capsys.readouterr().out
    assert load_model().keep_comments is False  # the flag did not change the shared bundled model
    record = json.dumps({"text": "\n".join(ARTICLE + COMMENTS)}).encode()
    for keep, expected in ((None, False), (True, True)):
        [result] = clean_batch([(1, record)], CorpusOptions(keep_comments=keep))
        assert result[0] == "ok"
        assert ("old station used again" in json.loads(result[2])["clean_text"]) is expected


def test_the_line_scan_flags_the_lines_holding_a_comment_word(monkeypatch):
    from bpclass import features

    rng = np.random.default_rng(1)
    words = ["Comments", "COMMENT", "reply", "Replying", "comentários", "KOMMENTARE", "thoughts", "commentary",
             "the", "news", "12", "(3)", "é", "»", "-", "re-ply", "Kommentar:", "ſeen", "İstanbul", "Комментарии",
             "КОММЕНТАРИЕВ", "コメント", "评论", "Komentáře", "YORUMLAR"]  # fmt: skip
    pages = [
        [" ".join(words[i] for i in rng.integers(0, len(words), size=rng.integers(0, 6))) for _ in range(8)]
        for _ in range(60)
    ]
    expected = [[k for k, line in enumerate(page) if features.holds_comment_word(line)] for page in pages]
    assert sum(map(len, expected)) > 50 and sum(map(len, expected)) < 400  # both kinds of line were drawn

    def found(pages):
        X, non_blank, rows = features.features_and_comment_rows(pages)
        lines = np.flatnonzero(non_blank)[rows]
        ends = np.cumsum([len(page) for page in pages])
        page_of = np.searchsorted(ends, lines, side="right")
        out = [[] for _ in pages]
        for p, line in zip(page_of, lines):
            out[p].append(int(line - ends[p] + len(pages[p])))
        return out

    assert found(pages) == expected  # the compiled scan where it is built
    monkeypatch.setattr(features, "_speedups", None)
    assert found(pages) == expected  # and the Python one
    # The model's predictions, which take the flagged lines from the scan, and the
    # policy, which looks for them itself, cut the same pages at the same lines.
    monkeypatch.undo()
    page = ARTICLE + COMMENTS
    proba = load_model().predict_proba([page])[0]
    raw = copy.copy(load_model()).set_params(keep_comments=True).predict_proba([page])[0]
    drop_comment_sections([page], [raw])
    np.testing.assert_array_equal(proba, raw)


def test_clean_keeps_comments_when_asked():
    from bpclass import clean

    text = "\n".join(ARTICLE + COMMENTS)
    assert "old station used again" not in clean(text)
    assert "old station used again" in clean(text, keep_comments=True)
    assert load_model().keep_comments is False  # the bundled model was not changed
    with pytest.raises(TypeError, match="keep_comments"):
        clean(text, keep_comments="yes")


def test_long_lines_are_no_headings_and_are_not_kept_in_the_heading_cache():
    from bpclass import policy

    policy._is_short_heading.cache_clear()
    huge = "Comments " * 100_000
    page = ARTICLE + [huge, "Comments"] + COMMENTS[2:]
    proba = np.array([0.9 if len(line) > 60 else 0.2 for line in page])
    assert comment_section_start(page, proba, [len(ARTICLE), len(ARTICLE) + 1]) == len(ARTICLE) + 1
    assert policy._is_short_heading.cache_info().currsize == 1  # "Comments" only, not the huge line


def test_two_headings_together_head_a_long_thread_under_a_short_article():
    # The article holds far under COMMENT_MIN_SHARE_ABOVE of the likely text, and the
    # replies carry no header the rule knows: one heading is not enough, a call to
    # comment with a count of comments right below it is.
    article = ARTICLE[:5]
    reply = (
        "I do not agree with the council about the opening hours, and I think that the library "
        "should also open on Sunday mornings for families with young children who cannot come otherwise."
    )
    thread = [x for k in range(12) for x in ("", f"Reader {k}", reply)]
    proba = np.array([0.9 if len(line) > 40 else 0.0 for line in article + ["", "", "", ""] + thread])
    one = article + ["", "13 Comment(s)", "", ""] + thread
    two = article + ["", "Please Add Comments", "", "13 Comment(s)"] + thread
    assert len("".join(article)) < COMMENT_MIN_SHARE_ABOVE * len("".join(line for line in one if len(line) > 40))
    assert comment_section_start(one, proba) is None
    assert comment_section_start(two, proba) == two.index("Please Add Comments")


def test_a_heading_found_again_from_its_pieces_is_not_a_second_heading():
    # One text node per line: the article's toolbar under its photo's caption, above
    # its body. "Email" is read with the pieces around it as "203 comments Email Tweet
    # Print", the same heading as "203 comments" alone: no pair, and the body is kept.
    caption = "Women ride on a bus used mainly by the ultra-Orthodox community, during a protest " * 4
    toolbar = ["203 comments", "", "Email", "", "Tweet", "", "Print"]
    body = ARTICLE[2:] * 2
    lines = ["A headline", "", caption.strip(), "", *toolbar, "", *body]
    proba = np.array([0.9 if len(line) > 40 else 0.05 for line in lines])
    chars_above = len(lines[2])
    assert (
        COMMENT_MIN_CHARS_ABOVE
        <= chars_above
        < COMMENT_MIN_SHARE_ABOVE * sum(len(line) for line, p in zip(lines, proba) if p >= COMMENT_LIKELY)
    )
    assert comment_section_start(lines, proba) is None
    # A second, separate heading that names comments right below it still pairs.
    paired = ["A headline", "", caption.strip(), "", "Please Add Comments", "", "13 Comment(s)", "", *body]
    proba = np.array([0.9 if len(line) > 40 else 0.05 for line in paired])
    assert comment_section_start(paired, proba) == paired.index("Please Add Comments")


def test_a_call_to_comment_above_the_article_is_a_link():
    # Teasers above the article hold more than COMMENT_MIN_SHARE_ABOVE of the likely
    # text; under the byline, the toolbar's "Add a comment" sits right above the body.
    teasers = [
        "Protect your skin against winter with a few simple habits that cost next to nothing",
        "Sales of a baby cream doubled last year as mothers started using it on their own faces",
        "A supermarket's face cream sold out within days when a magazine called it a wonder",
        "Five ways to keep your hands soft when the temperature drops below freezing at night",
    ]
    body = [line for line in ARTICLE[2:] if line]

    def start(page):
        return comment_section_start(page, np.array([0.9 if len(line) > 60 else 0.1 for line in page]))

    page = ["A headline", "", *teasers, "By Ann Smith", "", "Add a comment", *body]
    above, total = sum(map(len, teasers)), sum(map(len, teasers + body))
    assert COMMENT_MIN_CHARS_ABOVE <= above and COMMENT_MIN_SHARE_ABOVE * total <= above < total - above
    assert start(page) is None
    # Below the article, with less likely text under it than above, it heads the thread.
    below = [*teasers, *body, "Add a comment", ARTICLE[2], ARTICLE[4]]
    assert start(below) == below.index("Add a comment")
    # So does a call followed by a form, not by the article's prose; and a count is never a link.
    form = ["A headline", "", *teasers, "Add a comment", "Your name", "Your e-mail", *body]
    assert start(form) == form.index("Add a comment")
    counted = ["A headline", "", *teasers, "By Ann Smith", "", "12 comments", *body]
    assert start(counted) == counted.index("12 comments")
