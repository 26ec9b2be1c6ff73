"""A Chinese site's disclaimer or reprint notice under its articles is boilerplate."""

import numpy as np

from bpclass import load_model
from bpclass.features import FEATURE_INDEX, FEATURE_NAMES
from bpclass.patterns import SITE_NOTICE
from bpclass.policy import NOTICE_READ_CHARS, notice_rows

ARTICLE = [
    "上交所加强上市公司监管",
    "上交所今日发布公告，称将进一步完善市场监管制度，加强对上市公司信息披露的监督，保护投资者的合法权益，促进资本市场健康发展。",
    "分析人士认为，此举将有助于提高市场透明度，增强投资者信心，推动市场长期稳定发展。",
    "此外，上交所还表示将继续推进多层次资本市场建设，进一步完善退市制度，提高上市公司质量。",
]
NOTICES = [
    "腾讯声明：频道所载文章、数据等内容纯属作者个人观点，仅供投资者参考，并不构成投资建议。投资者据此操作，风险自担。",
    "免責聲明：本文所載資料僅供參考，并不構成投資建議。",
    "• 凡注明为其他媒体来源的信息，均为转载自其他媒体，转载并不代表本网赞同其观点，也不代表本网对其真实性负责。",
    "1、凡本网注明“大江网讯”或“大江网”的所有作品，版权均属于大江网，未经本网授权不得转载、摘编或利用其它方式使用上述作品。",
    "【未经授权，不得转载、摘编等。】",
]


def test_the_notice_pattern():
    for notice in NOTICES:
        assert SITE_NOTICE.search(notice), notice
    # A statement quoted in a story, a sentence about reprints, the word for copyright.
    others = ["外交部发表声明：中方坚决反对任何形式的恐怖主义。", "外交部声明：中方坚决反对。"]
    others += ["公司发表声明称其拥有该作品版权，并不代表所有人的意见", "他说，转载这篇文章的网站很多。"]
    for other in others:
        assert not SITE_NOTICE.search(other), other


def test_notices_under_an_article_are_dropped():
    model = load_model()
    for notice in NOTICES[:4]:
        page = ARTICLE + ["", notice]
        labels, proba = model.predict_with_proba([page])
        assert labels[0][1:4].all()  # the article is kept
        assert not labels[0][-1] and proba[0][-1] == 0.0, notice


def _rows(cjk, proba, lines):
    X = np.zeros((len(lines), len(FEATURE_NAMES)))
    X[:, FEATURE_INDEX["share_cjk"]] = cjk
    read = []

    def lines_of(rows):
        read.extend(rows.tolist())
        return [lines[r] for r in rows]

    return notice_rows(X, np.array(proba), lines_of).tolist(), read


def test_only_likely_rows_with_cjk_are_read():
    found, read = _rows([0.9, 0.0, 0.9], [0.9, 0.9, 0.1], [NOTICES[0]] * 3)
    assert found == [0] and read == [0]  # row 1 holds no CJK, row 2 is unlikely


def test_a_huge_line_is_read_by_its_start():
    filler = "报道" * NOTICE_READ_CHARS
    found, _ = _rows([0.9, 0.9], [0.9, 0.9], [filler + NOTICES[0], "  " + NOTICES[0] + filler])
    assert found == [1]  # a notice past the first NOTICE_READ_CHARS is not seen; one at the start is
