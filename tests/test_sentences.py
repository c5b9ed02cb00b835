"""split_sentences on tricky cases and on the real seed pages (科学导报「开发区建设」, text from PDF)."""

from pathlib import Path

import pytest

from summarize.sentences import ends_mid_sentence, has_end_mark, shorten_sentence, split_sentences

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


@pytest.mark.parametrize(
    "text, expected",
    [
        # sumy's '[^　！？。]*[！？。]' gives 建设。 + ”随后离开。: the closing quote belongs to its sentence
        ("他说：“要加快建设。”随后离开。", ["他说：“要加快建设。”", "随后离开。"]),
        ('建设。"随后离开。', ['建设。"', "随后离开。"]),
        # ... and sumy drops a tail without an end mark
        ("项目已经开工。二期工程正在建设", ["项目已经开工。", "二期工程正在建设"]),
        ("山西兆丰铝电新材料有限公司投资56.94亿元。下一句。", ["山西兆丰铝电新材料有限公司投资56.94亿元。", "下一句。"]),
        ("以及4-6月份的销售旺季。2025年1~11月出口增长。", ["以及4-6月份的销售旺季。", "2025年1~11月出口增长。"]),
        (
            "一是规范职能职责，科学设定岗位职责。二是强化纪律意识、强化作风纪律建设。",
            ["一是规范职能职责，科学设定岗位职责。", "二是强化纪律意识、强化作风纪律建设。"],
        ),
        ("推动产学研对接和科创成果落地转化……经过数年的发展。", ["推动产学研对接和科创成果落地转化……", "经过数年的发展。"]),
        ("他问：“能行吗？”大家说：“能！”", ["他问：“能行吗？”", "大家说：“能！”"]),
        ("聚焦重点；靶向施策;完成。", ["聚焦重点；", "靶向施策;", "完成。"]),
        ("标题没有句号\n\n正文第一句。\n王波", ["标题没有句号", "正文第一句。", "王波"]),
        # a straight quote opens the next sentence when its partner follows in the paragraph
        ('他说："好。"然后走了。"下一句。"', ['他说："好。"', "然后走了。", '"下一句。"']),
        ("（下转 D4 版。）后文。", ["（下转 D4 版。）", "后文。"]),
        ("Investment reached 3.5 billion yuan. Work starts in May. OK", ["Investment reached 3.5 billion yuan.", "Work starts in May.", "OK"]),
        ("项目开工了🎉！总投资8亿元👍。", ["项目开工了🎉！", "总投资8亿元👍。"]),
        ("", []),
        ("  \n\n ", []),
    ],
)
def test_split(text, expected):
    assert expected == split_sentences(text)


@pytest.mark.parametrize("path", SEEDS, ids=lambda path: path.name[:3])
def test_no_character_lost_on_seed_pages(path):
    text = path.read_text("utf-8")
    sentences = split_sentences(text)
    assert "".join(text.split()) == "".join("".join(sentences).split())
    assert all(sentence == sentence.strip() and sentence for sentence in sentences)


def test_seed_sentences_keep_their_closing_quotes():
    text = next(path for path in SEEDS if path.name.startswith("000")).read_text("utf-8")
    sentences = split_sentences(text)
    assert "随着新厂房的试运营，将解决近百人的就业问题。”" in sentences
    assert not any(sentence.startswith("”") for sentence in sentences)


def test_one_megabyte_without_punctuation_is_one_sentence():
    text = "开发区项目建设" * 150_000
    assert [text] == split_sentences(text)


@pytest.mark.parametrize(
    "sentence, expected",
    [("项目开工。", True), ("项目开工。”", True), ('他说："好！"', True), ("经过数年的发展……", True), ("Work starts.", True),
     ("科学导报 记者王波", False), ("体量巨大的南引擎", False), ("（下转 D4 版）", False), ("", False)],
)
def test_has_end_mark(sentence, expected):
    assert expected == has_end_mark(sentence)


@pytest.mark.parametrize(
    "sentence, max_chars, expected",
    [
        ("项目开工。", 5, "项目开工。"),
        # the last clause boundary within the budget; "…" takes the comma's place
        ("开发区举行签约仪式，项目总投资56.94亿元，年产值45亿元。", 25, "开发区举行签约仪式，项目总投资56.94亿元…"),
        ("山西职业技术学院、太原重型机械集团牵头组建。", 12, "山西职业技术学院…"),
        # the only boundary would keep less than half the budget: cut at the budget
        ("开发区，项目建设提速增效项目建设提速增效。", 12, "开发区，项目建设提速增…"),
        # ... but not inside a number (1,000 is one) or a Latin word
        ("项目总投资为人民币1,000万元整。", 12, "项目总投资为人民币…"),
        ("Shanxi zone signed an aluminium smelter worth 5.694 billion yuan, and work started in May.", 40,
         "Shanxi zone signed an aluminium smelter…"),
        ("Shanxi zone signed an aluminium smelter worth 5.694 billion yuan, and work started in May.", 66,
         "Shanxi zone signed an aluminium smelter worth 5.694 billion yuan…"),
        # a word longer than half the budget is cut
        ("a" * 100, 10, "a" * 9 + "…"),
        ("开发区项目建设" * 1000, 10, "开发区项目建设开发…"),
        ("项目开工。", 1, "项…"),  # at least one character
    ],
)
def test_shorten_sentence(sentence, max_chars, expected):
    assert expected == shorten_sentence(sentence, max_chars)


@pytest.mark.parametrize("max_chars", [10, 30, 60, 100])
def test_shortened_seed_sentences_are_their_leading_words_within_the_budget(max_chars):
    for path in SEEDS:
        for sentence in split_sentences(path.read_text("utf-8")):
            shortened = shorten_sentence(sentence, max_chars)
            if len(sentence) <= max_chars:
                assert sentence == shortened
            else:
                assert max_chars // 2 <= len(shortened) <= max_chars
                assert shortened.endswith("…") and sentence.startswith(shortened[:-1])


@pytest.mark.parametrize(("text", "cut"), [
    ("利用率达95%。", False),
    ("他说：“让更多项目落地开花。”", False),
    ("打造“硬支撑”。\n\n", False),
    ("项目投产。（完）", False),
    ("项目投产（记者 王波）", False),
    ("你来了吗？", False),
    ("目前，全市固废综合利用率达", True),
    ("以高质量党建推", True),
    ("入选全国省级开发区高质量发展百", True),
    ("一是", True),
    ("", False),
])
def test_ends_mid_sentence_when_the_text_stops_without_an_end_mark(text, cut):
    assert cut == ends_mid_sentence(text)
