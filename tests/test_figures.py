"""Key figures on real sentences of the seed pages (科学导报「开发区建设」, text from PDF)."""

from pathlib import Path

import pytest

from summarize.figures import AREA, CAPACITY, COUNT, DATE, DURATION, MONEY, PERCENT, Figure, extract_figures
from summarize.sentences import split_sentences

SEED_SENTENCES = [
    sentence
    for path in sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
    for sentence in split_sentences(path.read_text("utf-8"))
]


def seed_sentence(fragment: str) -> str:
    """The seed sentence holding `fragment` (so every case below is real text)."""
    (sentence,) = {sentence for sentence in SEED_SENTENCES if fragment in sentence}
    return sentence


def find(figures: list[Figure], value: str) -> Figure:
    (figure,) = [figure for figure in figures if figure.value == value]
    return figure


@pytest.mark.parametrize(
    "fragment, value, number, unit, measure, kind",
    [
        ("投资56.94亿元建设的新建39.4万吨/年电解铝项目", "56.94亿元", 56.94, "亿元", "投资", MONEY),
        ("投资56.94亿元建设的新建39.4万吨/年电解铝项目", "39.4万吨/年", 39.4, "万吨/年", "年产能", CAPACITY),
        ("该项目规模200MW/400MWh", "200MW/400MWh", None, "MW/MWh", "规模", CAPACITY),
        ("累计收储低效用地838.1476亩", "838.1476亩", 838.1476, "亩", "用地", AREA),
        ("盘活6家闲置厂房近5万平方米", "近5万平方米", 5.0, "万平方米", "厂房", AREA),
        ("增加值完成13.9亿元，同比增长17.9%", "17.9%", 17.9, "%", "同比增长", PERCENT),
        ("宏明空调等10家有技术需求的高新技术企业", "10家", 10.0, "家", "企业", COUNT),
        ("联合本科院校、中高职院校、企业、科研院所等70余家单位", "70余家", 70.0, "家", "单位", COUNT),
        ("该县谋划2024年项目193个", "193个", 193.0, "个", "项目", COUNT),
        ("项目总投资32亿元，建成投产后预计年产值达45亿元", "45亿元", 45.0, "亿元", "年产值", MONEY),
        ("基金规模为5亿元", "5亿元", 5.0, "亿元", "规模", MONEY),
        ("2024年7月18日，大同经济技术开发区首創股权投资私募基金", "2024年7月18日", None, "", None, DATE),
        ("以及4-6月份的销售旺季", "4-6月份", None, "", None, DATE),
        ("2025年1~11月,交城经济开发区硝基肥出口总额达9.24亿元", "9.24亿元", 9.24, "亿元", "出口总额", MONEY),
        ("帮助十多家企业获得贷款2亿多元", "2亿多元", 2.0, "亿元", "贷款", MONEY),
        ("累计培养了4万名专业技师", "4万名", 4.0, "万名", "技师", COUNT),
        ("年产30万辆氢燃料电池汽车制造项目", "30万辆", 30.0, "万辆", "汽车", COUNT),
    ],
)
def test_figure_in_seed_sentence(fragment, value, number, unit, measure, kind):
    sentence = seed_sentence(fragment)
    figure = find(extract_figures(sentence), value)
    assert (value, number, unit, measure, kind, sentence) == (
        figure.value, figure.number, figure.unit, figure.measure, figure.kind, figure.sentence
    )


def test_the_aluminium_smelter_investment_names_its_project():
    figure = find(extract_figures(seed_sentence("投资56.94亿元建设的新建")), "56.94亿元")
    assert "投资" == figure.measure
    assert "电解铝项目" in figure.sentence


@pytest.mark.parametrize(
    "fragment",
    [
        "备案编码:SAJD41",  # a code
        "在中控室5G+工业互联网控制平台上",  # 5G is not five of anything
        "第一条生产线已具备点火条件",  # an ordinal
        "对2个月来的训练营参训情况进行了总结汇报",  # "个" counting months, not projects or firms
    ],
)
def test_no_figure_in(fragment):
    seed_sentence(fragment)  # the fragment is real seed text
    assert [] == [figure for figure in extract_figures(fragment) if figure.kind != DATE]


def test_spaces_from_pdf_are_dropped_from_values():
    figures = extract_figures(seed_sentence("达产后年产值2000亿元"))
    assert "1000亿元" in [figure.value for figure in figures]


def test_a_repeated_figure_is_kept_once():
    text = "项目总投资8亿元。该项目总投资8亿元，年产值12亿元。"
    assert ["8亿元", "12亿元"] == [figure.value for figure in extract_figures(text)]


def test_no_figures_in_empty_or_plain_text():
    assert [] == extract_figures("")
    assert [] == extract_figures("开发区持续优化营商环境。")


# --- what a figure means: its own noun, its period, its zone --------------------------------------


def test_rule_time_is_no_count():
    sentence = seed_sentence("企业开办时间从3个工作日")
    assert [] == [figure for figure in extract_figures(sentence) if figure.kind == COUNT]
    span = find(extract_figures(sentence), "3个工作日")
    assert (DURATION, None) == (span.kind, span.measure)


def test_rule_own_noun_counts_banks_and_students_not_the_firms_nearby():
    assert "银行" == find(extract_figures("园区企业与10家银行签订合作协议。"), "10家").measure
    sentence = seed_sentence("组织30余名意向到长治经开区企业就业")
    assert "学生" == find(extract_figures(sentence), "30余名").measure


def test_a_count_counts_the_head_of_its_noun_phrase():
    sentence = seed_sentence("等10家有技术需求的高新技术企业")
    assert "企业" == find(extract_figures(sentence), "10家").measure
    assert "项目" == find(extract_figures("该县谋划2024年项目193个，总投资416.03亿元。"), "193个").measure


@pytest.mark.parametrize("text, value, period", [
    ("上半年,临汾经济开发区规上工业增加值完成7.58亿元,增速27.65%。", "27.65%", "上半年"),
    ("2024年1-11月，园区完成投资12亿元。", "12亿元", "2024年1-11月"),
    ("一季度完成规模以上工业增加值14.96亿元。", "14.96亿元", "一季度"),
    ("襄汾县2023年省级重点项目完成投资5.99亿元。", "5.99亿元", "2023年"),
    ("2024年7月18日，基金规模为5亿元。", "5亿元", None),  # a day is when, not a period
    ("项目总投资32亿元。", "32亿元", None),
])
def test_rule_period(text, value, period):
    assert period == find(extract_figures(text), value).period


def test_rule_zones_own_figures():
    from bot.config import Settings
    from bot.ingest import load_gazetteer
    from summarize.figures import figures_about

    gazetteer = load_gazetteer(Settings().zones_csv)
    figures = extract_figures("晶科能源年产56GW垂直一体化大基地达产后年产值2000亿元。原平经济技术开发区签约项目9个。")
    about = {figure.value for figure in figures_about(figures, "原平经济技术开发区", "山西转型综合改革示范区", gazetteer)}
    assert {"9个"} == about
    primary = {figure.value for figure in figures_about(figures, "山西转型综合改革示范区", "山西转型综合改革示范区", gazetteer)}
    assert {"56GW", "2000亿元"} == primary


def test_rule_period_carries_on_into_a_clause_that_continues_the_sentence():
    figures = extract_figures("上半年,全区在建项目5个，总投资10.4亿元；已签约项目3个，总投资19.5亿元。项目总投资8亿元。")
    assert ["上半年", "上半年", "上半年", "上半年", None] == [figure.period for figure in figures]


def test_rule_a_yearly_rate_has_no_period():
    assert None is find(extract_figures("今年,园区改造两条年产400万平方米的生产线。"), "400万平方米").period

