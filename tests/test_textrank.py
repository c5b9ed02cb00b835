"""TextRank summaries, keywords and the tokenizer on the real seed articles (科学导报「开发区建设」).

The seed articles are what the page parser finds on seeds/ (text extracted from PDF).
"""


import pytest

from seed_articles import GAZETTEER, ROOT, SEED_ARTICLES
from summarize import Summary, Tokenizer, Weights, keywords, rank_sentences, split_sentences, summarize
from summarize.textrank import (
    BACKENDS, DEFAULT_MAX_CHARS, UnknownBackend, finish_sentence, join_sentences, select_sentences, stands_alone,
)
from summarize.tokens import base_dictionary

SEED_000 = next((ROOT / "seeds").glob("000_*.txt")).read_text("utf-8")


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(extra_words=GAZETTEER.forms())


def assert_whole_sentences_in_order(summary: Summary, text: str, max_chars: int = DEFAULT_MAX_CHARS) -> None:
    sentences = [finish_sentence(sentence) for sentence in split_sentences(text)]
    positions = [sentences.index(sentence) for sentence in summary.sentences]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    assert summary.text == join_sentences(summary.sentences)
    assert len(summary.text) <= max_chars


def assert_leading_clauses(summary: Summary, sentence: str, max_chars: int) -> None:
    """The summary is the start of `sentence` up to a clause boundary, "…" in the punctuation's place."""
    (shortened,) = summary.sentences
    assert max_chars // 2 <= len(summary.text) <= max_chars
    assert shortened.endswith("…")
    assert sentence.startswith(shortened[:-1])
    assert sentence[len(shortened) - 1] in "，、：, "


def test_there_are_seed_articles():
    assert len(SEED_ARTICLES) >= 25


@pytest.mark.parametrize("title, body", SEED_ARTICLES, ids=[title or "?" for title, _ in SEED_ARTICLES])
def test_every_seed_article(tokenizer, title, body):
    summary = summarize(body, title=title, tokenizer=tokenizer)
    assert 1 <= len(summary.sentences) <= 3
    assert_whole_sentences_in_order(summary, body)
    assert all(sentence[-1] in "。！？!?”\"’）)…" for sentence in summary.sentences)
    assert 1 <= len(summary.keywords) <= 8
    assert_stands_alone(summary, body)


def assert_stands_alone(summary: Summary, text: str) -> None:
    """A summary never opens on a sentence that leans on one before it (rule "dangling opener")."""
    assert stands_alone(summary.sentences[0]), summary.text


@pytest.mark.parametrize("max_chars, max_sentences", [(60, 3), (150, 1), (300, 5)])
def test_budgets(tokenizer, max_chars, max_sentences):
    title, body = SEED_ARTICLES[5]
    summary = summarize(body, title=title, tokenizer=tokenizer, max_chars=max_chars, max_sentences=max_sentences)
    assert len(summary.sentences) <= max_sentences
    assert_whole_sentences_in_order(summary, body, max_chars)


def test_the_aluminium_article_keeps_its_investment(tokenizer):
    (title, body), = [(t, b) for t, b in SEED_ARTICLES if t == "推动铝产业集群聚链成势"]
    summary = summarize(body, title=title, tokenizer=tokenizer)
    assert "56.94亿元" in summary.text
    assert "56.94亿元" in [figure.value for figure in summary.figures]


def test_keywords_are_the_article_s_own_words(tokenizer):
    (title, body), = [(t, b) for t, b in SEED_ARTICLES if t == "推动铝产业集群聚链成势"]
    found = summarize(body, title=title, tokenizer=tokenizer).keywords
    assert {"盂县经开区", "电解铝"} <= set(found)
    assert "发展" not in found
    assert tokenizer.rarity("发展") < tokenizer.rarity("电解铝") < tokenizer.rarity("盂县经开区")


def test_a_page_pasted_with_headings_dateline_and_byline(tokenizer):
    """Text from stdin: kicker, title, dateline and byline are there, and never a summary on their own."""
    start = SEED_000.index("清徐经济开发区\n")
    text = SEED_000[start : SEED_000.index("盐湖高新区\n")]
    summary = summarize(text, tokenizer=tokenizer)
    assert summary.sentences[0].startswith("7月17日，清徐经济开发区数智制造市域产教联合体成立并启动。")
    assert not any("科学导报" in sentence or sentence in {"佚名", "清徐经济开发区"} for sentence in summary.sentences)


@pytest.mark.parametrize("text", ["科学导报 记者王波", "科学导报讯", "王波\n\n李阳", "■ 梁栋 摄"])
def test_a_byline_alone_is_no_summary(tokenizer, text):
    assert () == summarize(text, tokenizer=tokenizer).sentences


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_text_gives_an_empty_summary(tokenizer, text):
    assert Summary((), "", (), ()) == summarize(text, tokenizer=tokenizer)


def test_one_sentence(tokenizer):
    assert ("项目开工。",) == summarize("项目开工。", tokenizer=tokenizer).sentences
    assert () == summarize("项目开工", tokenizer=tokenizer).sentences  # no end mark and too short to be news


def test_text_without_punctuation_comes_back_whole(tokenizer):
    text = "盂县经开区推动铝产业链一体化项目建设提速增效为全县高质量发展提供坚强支撑" * 3
    assert (text,) == summarize(text, tokenizer=tokenizer).sentences


def test_issue_3_a_400_character_sentence_gives_its_leading_clauses(tokenizer):
    """The aluminium article's sentences joined by commas: one sentence of 400 characters (",", "，", "、")."""
    (title, body), = [(t, b) for t, b in SEED_ARTICLES if t == "推动铝产业集群聚链成势"]
    clauses = "".join(body.split()).replace("。", "，")
    sentence = clauses[: clauses.index("，", 400)] + "。"
    summary = summarize(sentence + "短句也在。", title=title, tokenizer=tokenizer)
    assert_leading_clauses(summary, sentence, DEFAULT_MAX_CHARS)


def test_a_sentence_that_fits_is_preferred_to_a_cut_one(tokenizer):
    long_sentence = "开发区" + "，".join(["项目建设提速增效"] * 30) + "。"
    fitting = "开发区召开项目推进会议，研究部署下一阶段项目建设工作。"
    summary = summarize(long_sentence + fitting, tokenizer=tokenizer, max_chars=50)
    assert (fitting,) == summary.sentences
    assert_leading_clauses(summarize(long_sentence, tokenizer=tokenizer, max_chars=50), long_sentence, 50)


def test_one_megabyte_of_text_finishes(tokenizer):
    body = SEED_ARTICLES[0][1]
    text = (body * (1_000_000 // len(body) + 1))[:1_000_000]
    summary = summarize(text, tokenizer=tokenizer)
    assert_whole_sentences_in_order(summary, text)


@pytest.mark.parametrize("backend", BACKENDS)
def test_issue_3_one_megabyte_without_punctuation_is_cut_at_the_budget(tokenizer, backend):
    text = "开发区项目建设" * 150_000
    summary = summarize(text, tokenizer=tokenizer, backend=backend)
    assert (text[: DEFAULT_MAX_CHARS - 1] + "…",) == summary.sentences
    assert summary.text == summary.sentences[0]


def test_issue_3_one_megabyte_of_words_without_punctuation_ends_with_a_whole_word(tokenizer):
    text = "development zone project investment " * 30_000
    summary = summarize(text, max_chars=100, tokenizer=tokenizer)
    assert_leading_clauses(summary, text, 100)


def test_english_text(tokenizer):
    text = ("Shanxi's Yuxian zone signed an aluminium smelter worth 5.694 billion yuan. Work started in May. "
            "The zone plans eleven more projects along the aluminium chain. Output should reach 30 billion yuan.")
    summary = summarize(text, tokenizer=tokenizer, max_chars=150)
    assert_whole_sentences_in_order(summary, text, 150)
    assert "aluminium" in summary.keywords


def test_mixed_text_with_emoji(tokenizer):
    text = "🎉晋城经开区与中山大学签约🤝！项目总投资85亿元💰。AI 平台 launched 🚀。今天天气很好☀️。"
    summary = summarize(text, tokenizer=tokenizer)
    assert_whole_sentences_in_order(summary, text)
    assert "项目总投资85亿元💰。" in summary.sentences


def test_unknown_backend(tokenizer):
    with pytest.raises(UnknownBackend):
        summarize("项目开工。", tokenizer=tokenizer, backend="bert")


@pytest.mark.parametrize("max_chars, max_sentences", [(0, 3), (150, 0)])
def test_budget_must_be_positive(tokenizer, max_chars, max_sentences):
    with pytest.raises(ValueError):
        summarize("项目开工。", tokenizer=tokenizer, max_chars=max_chars, max_sentences=max_sentences)


def test_figures_lift_a_sentence(tokenizer):
    text = "开发区召开项目推进会议，研究项目建设工作。开发区推进项目建设，项目总投资32亿元，年产值45亿元。"
    with_figures = summarize(text, tokenizer=tokenizer, max_sentences=1)
    without = summarize(text, tokenizer=tokenizer, max_sentences=1, weights=Weights(figures=0.0))
    assert ("开发区推进项目建设，项目总投资32亿元，年产值45亿元。",) == with_figures.sentences
    assert ("开发区召开项目推进会议，研究项目建设工作。",) == without.sentences


def test_the_title_lifts_a_sentence(tokenizer):
    text = "开发区召开会议研究冬季供暖工作。开发区举行招商推介活动签约新项目。"
    assert ("开发区举行招商推介活动签约新项目。",) == summarize(
        text, title="招商推介签约", tokenizer=tokenizer, max_sentences=1, weights=Weights(position=0.0)
    ).sentences


@pytest.mark.parametrize("opening", ["同时，", "此外，", "其中，", "该", "这一"])
def test_a_sentence_that_points_back_is_demoted(tokenizer, opening):
    pointing_back = f"{opening}项目总投资32亿元，建成后年产值可达45亿元。"
    standalone = "开发区推进铝产业链项目建设，总投资32亿元，年产值45亿元。"
    tied = Weights(position=0.0)  # graph, figures and the rest score both alike: the first wins a tie
    text = pointing_back + standalone
    assert (standalone,) == summarize(text, tokenizer=tokenizer, max_sentences=1, weights=tied).sentences


@pytest.mark.parametrize("opening", ["同时，", "此外，", "与此同时，"])
def test_rule_additive_opener_is_dropped(tokenizer, opening):
    text = f"{opening}开发区推进铝产业链项目建设，总投资32亿元，年产值45亿元。"
    summary = summarize(text, tokenizer=tokenizer, weights=Weights(connective=0.0))
    assert ("开发区推进铝产业链项目建设，总投资32亿元，年产值45亿元。",) == summary.sentences


@pytest.mark.parametrize("opening", ["其中，", "该公司", "我们将", "“我们", "二是", "为此，", "这一项目"])
def test_rule_dangling_opener_never_opens_a_summary(tokenizer, opening):
    pointing_back = f"{opening}投资32亿元建设铝板带项目，建成后年产值可达45亿元。"
    plain = "开发区召开会议，研究部署下半年工作任务。"
    text = plain + pointing_back
    alone = summarize(text, tokenizer=tokenizer, max_sentences=1, weights=Weights(connective=0.0))
    assert (plain,) == alone.sentences
    together = summarize(text, tokenizer=tokenizer, max_sentences=2, weights=Weights(connective=0.0))
    assert (plain, pointing_back) == together.sentences


def test_rule_dangling_opener_keeps_my_province():
    assert stands_alone("我省开发区上半年完成投资32亿元。")
    assert not stands_alone("我们将加快项目建设。")


def test_rule_clause_end(tokenizer):
    text = "开发区推进铝产业链项目建设，总投资32亿元；\n园区重点推进以下三个方面的工作，全面提升服务水平：\n"
    summary = summarize(text, tokenizer=tokenizer)
    assert ("开发区推进铝产业链项目建设，总投资32亿元。",) == summary.sentences


def test_rank_sentences():
    scores = rank_sentences([["项目", "投资"], ["项目", "开工"], ["天气"], []])
    assert pytest.approx(1.0) == sum(scores)
    assert scores[0] == pytest.approx(scores[1])
    assert scores[0] > scores[2] == pytest.approx(scores[3])
    assert [] == rank_sentences([])


def test_keywords_rank_central_words_first():
    words = [["铝产业", "项目", "建设"], ["铝产业", "电解铝", "项目"], ["铝产业", "园区"], ["天气"]]
    assert ["铝产业", "项目"] == keywords(words, count=2)
    assert [] == keywords([["的"], []])


def test_select_sentences_skips_a_repeat_with_redundancy():
    candidates = [(0, 1.0, 40), (1, 0.95, 40), (2, 0.8, 40)]
    def same(i, j):
        return 1.0 if {i, j} == {0, 1} else 0.0
    assert [0, 1] == select_sentences(candidates, max_chars=150, max_sentences=2)
    assert [0, 2] == select_sentences(candidates, max_chars=150, max_sentences=2, similarity=same, redundancy=0.5)


def test_select_sentences_takes_the_best_alone_when_nothing_fits():
    assert [1] == select_sentences([(0, 0.2, 200), (1, 0.9, 300)], max_chars=150, max_sentences=3)
    assert [2, 0] == select_sentences([(0, 0.5, 100), (1, 0.9, 300), (2, 0.6, 50)], max_chars=150, max_sentences=3)


def test_zone_names_are_one_token(tokenizer):
    assert "盂县经开区" in tokenizer.words("盂县经开区推动铝产业集群聚链成势")
    assert "盂县经开区" not in Tokenizer().words("盂县经开区推动铝产业集群聚链成势")


def test_stop_words_numbers_and_punctuation_are_not_words(tokenizer):
    assert ["项目", "投资", "开工"] == tokenizer.words("这个项目的投资为8亿元，我们已经开工！")


def test_jieba_dictionary_loads_once_per_process():
    assert base_dictionary() is base_dictionary()
    first, second = Tokenizer(), Tokenizer()
    assert first.cut("开发区") == second.cut("开发区")
    assert first._load()[0].FREQ is second._load()[0].FREQ is base_dictionary().frequencies


@pytest.mark.parametrize("extra_words", [(), tuple(GAZETTEER.forms())], ids=["jieba", "with zone names"])
def test_segment_gives_jieba_s_tokens(extra_words):
    tokenizer = Tokenizer(extra_words)
    jieba_tokenizer = tokenizer._load()[0]
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text("utf-8") + " Mixed English text, 3.5km², emoji 🎉 and ＡＢＣ！"
        assert jieba_tokenizer.lcut(text, HMM=False) == list(tokenizer.segment(text))


@pytest.mark.parametrize("noise", ["同学们", "我们", "今年以来", "近年来", "紧紧围绕", "贯彻落实"])
def test_rules_people_time_and_officialese_are_no_keywords(noise):
    from summarize.textrank import clean_keywords

    assert ["光机电", "人才"] == clean_keywords(["光机电", noise, "人才"])


def test_seed_keywords_hold_no_people_time_or_officialese(tokenizer):
    from summarize.textrank import KEYWORD_OFFICIALESE, KEYWORD_TIMES

    for title, body in SEED_ARTICLES:
        words = summarize(body, title=title, tokenizer=tokenizer).keywords
        assert not [word for word in words if word.endswith("们") or word in KEYWORD_TIMES + KEYWORD_OFFICIALESE]
        assert len(words) == len(set(words)) <= 8


def test_rule_fragment_makes_a_cut_word_whole(tokenizer):
    from summarize.textrank import join_fragments

    text = "项目落户粤港澳大湾区。企业来自粤港澳大湾区科创园。"
    words = tokenizer.sentence_words(split_sentences(text))
    assert ["粤港澳", "大湾", "区"] == words[0][-3:]  # jieba cuts the word its dictionary lacks
    assert ["粤港澳", "大湾区", "项目"] == join_fragments(["粤港澳", "大湾", "项目"], words, text)


def test_rule_fragment_joins_before_and_keeps_a_word_made_twice():
    from summarize.textrank import join_fragments

    text = "深化产教融合。推进产教融合。产教融合见效。"
    words = [["深化", "产", "教", "融合"], ["推进", "产", "教", "融合"], ["产", "教", "融合", "见效"]]
    assert ["产教融合"] == join_fragments(["融合", "产教融合"], words, text)


def test_rule_fragment_leaves_a_word_used_on_its_own(tokenizer):
    from summarize.textrank import join_fragments

    once = "项目落户粤港澳大湾区。"  # one occurrence: nothing says the character belongs to it
    assert ["大湾"] == join_fragments(["大湾"], tokenizer.sentence_words(split_sentences(once)), once)
    apart = "建设硅酸钙板生产线。硅酸钙产量提升。"  # 硅酸钙 also stands alone
    assert ["硅酸钙"] == join_fragments(["硅酸钙"], tokenizer.sentence_words(split_sentences(apart)), apart)
    word_after = "发展低空经济。低空经济起步。"  # glued to a word, not to single characters
    assert ["低空"] == join_fragments(["低空"], tokenizer.sentence_words(split_sentences(word_after)), word_after)


def test_seed_keywords_hold_no_cut_word(tokenizer):
    words = {word for title, body in SEED_ARTICLES for word in summarize(body, title=title, tokenizer=tokenizer).keywords}
    assert "大湾" not in words
    assert "大湾区" in words
