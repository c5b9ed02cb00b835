"""Key figures in Chinese news text: investment, capacity, area, growth, counts and dates.

Every figure is a number with a unit the newspaper prints (亿元, 万吨, MW, 亩, %, 家 …) plus, where
the sentence says it, what the number measures (总投资, 年产值, 规模, 同比增长, 企业 …), found as the
nearest measure word before the number in its clause (or, failing that, just after the unit).
Numbers without a known unit (ordinals, codes such as SAJD41, 5G) are not figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from summarize.sentences import split_sentences
from summarize.zones import Gazetteer

MONEY = "money"
CAPACITY = "capacity"
AREA = "area"
PERCENT = "percent"
COUNT = "count"
DATE = "date"
DURATION = "duration"  # 3个工作日: a span of time, says how much but counts nothing

# Units as printed after a number and its magnitude (万, 亿): 56.94亿元 is 56.94, 亿, 元.
_UNITS: dict[str, tuple[str, ...]] = {
    MONEY: ("美元", "元"),
    CAPACITY: (
        "千瓦时", "兆瓦时", "千瓦", "兆瓦", "GWh", "MWh", "kWh", "KWh", "GW", "MW", "kW", "KW", "吨", "立方米",
    ),
    AREA: ("平方公里", "平方米", "平米", "公顷", "亩"),
    PERCENT: ("个百分点", "%", "％"),
    COUNT: ("个", "家", "项", "名", "人", "座", "条", "台", "套", "件", "辆", "所", "户", "位"),
}
_KIND_OF_UNIT = {unit: kind for kind, units in _UNITS.items() for unit in units}

# What a number may measure, as the paper writes it; when several precede a number, the nearest wins.
_MEASURES = (
    "总投资", "投资额", "投资", "年产值", "产值", "增加值", "年销售额", "销售额", "销售收入", "营业收入",
    "收入", "营收", "利润", "利税", "税收", "进出口总额", "出口总额", "出口额", "签约额", "总额", "规模",
    "资金", "基金", "贷款", "融资", "资助", "奖励", "补贴", "费用", "成本", "产能", "年产", "装机",
    "容量", "储能", "发电", "占地面积", "总建筑面积", "建筑面积", "面积", "用地", "土地", "厂房",
    "同比增长", "同比下降", "增长", "增速", "下降", "占比", "比重", "完成率", "开工率", "办结率",
    "达产率", "利用率", "覆盖率", "自动化率", "复工", "开工", "就业",
)
# What a count counts (10家企业, 项目193个); a count with none of these nearby is not a figure.
_COUNTED = (
    "项目", "企业", "公司", "单位", "机构", "园区", "产业园", "基地", "平台", "专利", "院士", "博士",
    "人才", "人员", "员工", "工人", "技师", "学生", "毕业生", "岗位", "就业", "国家和地区", "国家",
    "产业链", "生产线", "厂房", "车间", "煤矿", "中心", "工作站", "院所", "高校", "院校", "协议",
    "成果", "站", "汽车", "车辆", "车", "项目专班", "专班", "单体", "手续", "银行", "金融机构", "学校", "学员", "同学", "团队", "院所", "科研院所",
)
# Rule "own noun": a count whose unit is followed at once by one of these counts that, whatever
# else the clause names (10家银行: banks, not the 企业 before them).
_OWN_NOUNS = (
    "批", "次", "轮", "方面", "环节", "领域", "银行", "学生", "同学", "学员", "博士", "院士", "人次",
    "单位", "部门", "高校", "院校", "村", "乡镇",
)
# Rule "time is no count": 3个工作日, 2个月 are spans of time, not things counted (企业开办时间从3个
# 工作日压缩至1个工作日 counts no firms).
_TIME_NOUNS = ("工作日", "小时", "分钟", "天", "日", "周", "星期", "月", "季度", "年")
_CLAUSE_BREAKS = "，,；;：:。！？!?、\n"
# Rule "period": what a figure covers, as the sentence says it before the figure (上半年, 2024年,
# 1-11月, 一季度, 前三季度, 今年以来); a year followed by a month and day is a date, not a period.
_PERIOD = re.compile(
    r"(?:(?:19|20)\d{2}\s?年\s?)?(?:上半年|下半年|前三季度|前[两二三四五六七八九十]个?月|[一二三四1-4]季度|第[一二三四]季度|首季度?|全年)"
    r"|(?:(?:19|20)\d{2}\s?年\s?)?\d{1,2}\s?[-–~～至]\s?\d{1,2}\s?月(?:份)?"
    r"|(?:19|20)\d{2}\s?年(?!\s?\d{1,2}\s?月\s?\d{1,2}\s?[日号])(?:\s?\d{1,2}\s?月(?:份)?)?"
    r"|今年以来|去年以来|今年|去年|上年"
)
_CARRY_OPENERS = ("其间", "同期", "其中")
_PER_YEAR = ("年产", "年产能", "产能")
_COUNT_WINDOW = 25  # characters after a count's unit searched for what it counts
_LOOK_BEFORE = 30  # characters before a number searched for what it measures or counts
_LOOK_AFTER = 15  # characters after a unit searched for what it counts or measures

_QUALIFIER = r"(?:约|近|超过|超|逾|不低于|不少于|不足|将近)"
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_FIGURE = re.compile(
    # 200MW/400MWh: the power and energy of a storage plant, one figure
    rf"(?P<power>{_NUMBER})\s?(?P<power_unit>[GMk]W)\s?/\s?(?P<energy>{_NUMBER})\s?(?P<energy_unit>[GMk]Wh)"
    # 2024年7月18日, 7月22日, 4-6月, 2025年1~11月, 2024年
    r"|(?P<date>(?:(?P<year>(?:19|20)\d{2})\s?年\s?)?(?P<month>\d{1,2})(?:[-~～至](?P<month_end>\d{1,2}))?\s?月份?"
    r"(?:\s?(?P<day>\d{1,2})\s?[日号])?|(?P<year_only>(?:19|20)\d{2})\s?年)"
    # 56.94亿元, 近5万平方米, 70余家, 2亿多元, 39.4万吨/年, 100亿元以上
    rf"|(?P<qualifier>{_QUALIFIER})?(?P<number>{_NUMBER})\s?(?P<magnitude>万|亿)?(?P<approx>余|多)?\s?"
    rf"(?P<unit>{_alternation(tuple(_KIND_OF_UNIT))})"
    r"(?P<per_year>/年)?(?P<tail>以上|左右|以内)?"
)
_MEASURE = re.compile(_alternation(_MEASURES))
_COUNTED_WORD = re.compile(_alternation(_COUNTED))
_NOT_A_FIGURE_AFTER = set("#第") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")  # SAJD41, 第3期
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Figure:
    """A number that matters, as printed in `sentence`.

    `number` is the numeral as printed (56.94 for 56.94亿元; the unit carries 亿/万), None when the
    figure is not one number (200MW/400MWh, dates). `measure` is what it measures as the sentence
    words it (总投资, 规模, 同比增长; for a count, what is counted: 企业, 项目), None when the sentence
    does not say. `kind` is one of money, capacity, area, percent, count, date, duration (3个工作日: never a
    count of things, and it has no measure).
    """

    value: str
    number: float | None
    unit: str
    measure: str | None
    sentence: str
    kind: str
    period: str | None = None  # what the figure covers, as the sentence says it (上半年, 2024年, 1-4月)


def extract_figures(text: str) -> list[Figure]:
    """The figures in `text`, in order of appearance; a repeated (value, measure) is kept once.

    Example usage::

        extract_figures("山西兆丰铝电新材料有限公司投资56.94亿元建设的新建39.4万吨/年电解铝项目。")
        # [Figure(value='56.94亿元', number=56.94, unit='亿元', measure='投资', …, kind='money'),
        #  Figure(value='39.4万吨/年', number=39.4, unit='万吨/年', measure='年产能', …, kind='capacity')]
    """
    return unique_figures(figure for found in text_figures(split_sentences(text)) for figure in found)


def text_figures(sentences: list[str]) -> list[list[Figure]]:
    """The figures of each sentence of a text, in order. A sentence that names no period takes
    the period of the one before it when it continues that one (rule "period carries on"): the
    one before ended on ；, or it opens by pointing back (其间, 同期, 其中); the period carried is
    the one the figures of the sentence before had."""
    found: list[list[Figure]] = []
    carried: str | None = None
    for number, sentence in enumerate(sentences):
        continues = number > 0 and (sentences[number - 1].rstrip()[-1:] in "；;" or sentence.startswith(_CARRY_OPENERS))
        figures = sentence_figures(sentence, carried if continues else None)
        found.append(figures)
        periods = [figure.period for figure in figures if figure.kind != DATE]
        carried = periods[-1] if periods else (carried if continues else None)
    return found


def figures_about(figures: Iterable[Figure], zone: str, primary: str | None, gazetteer: Gazetteer) -> list[Figure]:
    """The figures that are `zone`'s (rule "zone's own figures"): their sentence names `zone`, or
    names no zone at all in an article whose primary zone is `zone`. A roundup's figures about
    another zone never reach this zone's card (综改区's 56GW on 原平's).

    Example usage::

        figures_about(summary.figures, "原平经济技术开发区", article_zone, gazetteer)
    """
    found = []
    for figure in figures:
        named = {mention.zone for mention in gazetteer.mentions(figure.sentence)}
        if zone in named or (not named and primary == zone):
            found.append(figure)
    return found


def unique_figures(figures: Iterable[Figure]) -> list[Figure]:
    """The figures in order, each (value, measure) kept at its first appearance only."""
    unique: dict[tuple[str, str | None], Figure] = {}
    for figure in figures:
        unique.setdefault((figure.value, figure.measure), figure)
    return list(unique.values())


def sentence_figures(sentence: str, carried: str | None = None) -> list[Figure]:
    """The figures in one sentence, in order (see extract_figures); `carried` is the period of
    the sentence it continues, for the figures before which the sentence names none."""
    figures: list[Figure] = []
    if not _DIGIT.search(sentence):
        return figures
    previous_end = 0
    for match in _FIGURE.finditer(sentence):
        if match.start() > 0 and sentence[match.start() - 1] in _NOT_A_FIGURE_AFTER:
            continue
        figure = _figure(sentence, match, previous_end, carried)
        if figure is not None:
            figures.append(figure)
            previous_end = match.end()
    return figures


def _figure(sentence: str, match: re.Match[str], previous_end: int, carried: str | None = None) -> Figure | None:
    value = _SPACE.sub("", match.group())
    if match["date"]:
        return Figure(value, None, "", None, sentence, DATE) if _valid_date(match) else None
    period = period_before(sentence, match.start()) or carried
    if match["power"]:
        unit = f"{match['power_unit']}/{match['energy_unit']}"
        return Figure(value, None, unit, _described(_MEASURE, sentence, match, previous_end), sentence, CAPACITY, period)
    unit = (match["magnitude"] or "") + match["unit"] + (match["per_year"] or "")
    kind = _KIND_OF_UNIT[match["unit"]]
    number = float(match["number"].replace(",", ""))
    span = next((noun for noun in _TIME_NOUNS if sentence.startswith(noun, match.end())), None)
    if kind == COUNT and span:  # rule "time is no count"; 2个月来 is "lately", no figure at all
        since = sentence.startswith(("来", "以来"), match.end() + len(span))
        return None if since else Figure(value + span, number, unit + span, None, sentence, DURATION, period)
    if kind == COUNT:
        counted = _counted(sentence, match, previous_end)
        return Figure(value, number, unit, counted, sentence, COUNT, period) if counted else None
    measure = "年产能" if match["per_year"] else _described(_MEASURE, sentence, match, previous_end)
    if measure in _PER_YEAR:  # rule "a yearly rate has no period": 年产56GW is every year's
        period = None
    return Figure(value, number, unit, measure, sentence, kind, period)


def period_before(sentence: str, position: int) -> str | None:
    """The last period the sentence names before `position` (rule "period"), spaces dropped."""
    found = [match for match in _PERIOD.finditer(sentence, 0, position)]
    return _SPACE.sub("", found[-1].group()) if found else None


def _counted(sentence: str, match: re.Match[str], previous_end: int) -> str | None:
    """What a count counts, from its own clause: the noun right after the unit when it is one of
    _OWN_NOUNS (rule "own noun"); else the head of the noun phrase that follows (after its last 的:
    10家有技术需求的高新技术企业 -> 企业); else the nearest counted word before it (项目193个)."""
    after = sentence[match.end(): _clause_end(sentence, match.end(), _COUNT_WINDOW)]
    own = next((noun for noun in _OWN_NOUNS if after.startswith(noun)), None)
    if own:
        return own
    head = _COUNTED_WORD.search(after, after.rfind("的") + 1) or _COUNTED_WORD.search(after)
    if head:
        return head.group()
    before = _COUNTED_WORD.findall(sentence, _clause_start(sentence, match.start(), previous_end), match.start())
    return before[-1] if before else None


def _valid_date(match: re.Match[str]) -> bool:
    if match["year_only"]:
        return True
    months = [int(match["month"]), int(match["month_end"] or match["month"])]
    day = int(match["day"] or 1)
    return all(1 <= month <= 12 for month in months) and 1 <= day <= 31


def _clause_start(sentence: str, position: int, previous_end: int) -> int:
    """Where the words before `position` that may describe it begin: its clause, not before the
    previous figure, at most _LOOK_BEFORE characters back."""
    start = max(previous_end, position - _LOOK_BEFORE)
    return max([start, *(sentence.rfind(mark, start, position) + 1 for mark in _CLAUSE_BREAKS)])


def _clause_end(sentence: str, position: int, look_after: int = _LOOK_AFTER) -> int:
    """Where the words after `position` that may describe it end: its clause, at most `look_after` characters on."""
    end = min(len(sentence), position + look_after)
    return min([end, *(index for mark in _CLAUSE_BREAKS if (index := sentence.find(mark, position, end)) != -1)])


def _described(
    words: re.Pattern[str], sentence: str, match: re.Match[str], previous_end: int, *, after_first: bool = False
) -> str | None:
    """The word of `words` that says what the figure `match` is: the nearest one before it in its
    clause, else the first one after it (or the other way round with `after_first`)."""
    before = words.findall(sentence, _clause_start(sentence, match.start(), previous_end), match.start())
    after = words.search(sentence, match.end(), _clause_end(sentence, match.end()))
    nearest_before = before[-1] if before else None
    first_after = after.group() if after else None
    return (first_after or nearest_before) if after_first else (nearest_before or first_after)
