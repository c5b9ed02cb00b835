"""Patterns and text helpers every stage of the page reader shares."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date

from summarize.divisions import county_cities


CJK = "\u4e00-\u9fff"
# A paragraph ending in one of these ends a sentence; any other ending was cut by a PDF line break.
SENTENCE_FINAL = frozenset("。！？；…”’』」）!?;)\"")
# A line ending in one of these ends a sentence for sure (titles may end in a closing quote).
STRICT_SENTENCE_FINAL = frozenset("。！？…!?")
# Titles, kickers and section labels never hold these.
CLAUSE_MARKS = frozenset("，,。；;：:")
# A body shorter than this is a scrap, not an article (the shortest seed brief has 60 characters).
MIN_BODY_CHARS = 30
MAX_TITLE_CHARS = 48  # the longest seed headline has 36 characters; a zone and a long title on one line, more
MAX_MASTHEAD_CHARS = 80  # the seed's issue line has 56; a dated sentence in a body is longer
MASTHEAD_REACH = 2  # the page name and slogan sit this close to the issue line
PAGE_NAME = "开发区建设"  # the page's name, printed in its masthead and slogan
MASTHEAD_WORDS = re.compile(r"邮发代号|投稿邮箱|统一连续出版物号|统一刊号|(?:责任编辑|责编|美编|校对)\s*[:：]")
# The page's editors, on a short line of their own: "责编 王波 版式 李阳 校对 赵敏".
EDITORS = re.compile(rf"(?:^|\s)(?:责任编辑|责编|美术编辑|美编|校对|版式|排版)(?:\s*[:：]\s*|\s+)[{CJK}]{{2,4}}(?=\s|$)")
SECTION_LABEL = re.compile(
    rf"^[{CJK}]{{0,4}}(?:新闻|动态|速递|快讯|要闻|简讯|简报|资讯|导读|巡礼|链接|聚焦|视点|短波|传真|关注|专栏|观察|扫描|掠影)$"
)
ISSUE = re.compile(r"(\d{4})\s*年\s*第\s*(\d{1,4})\s*期")
ISSUE_NUMBER = re.compile(r"(?<!总)第\s*(\d{1,4})\s*期")  # "2024年9月3日 星期二 第34期": the year is the date's
FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
FIRST_DATE = re.compile(r"(?<!\d)(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
YEAR_MONTH = re.compile(r"(?<!\d)(\d{4})\s*年\s*\d{1,2}(?:\s*[~～\-—至到]\s*\d{1,2})?\s*月")
# Words that make the date after them a plan's, and the deadline mark after one (…30日前).
PLAN_WORDS = re.compile(r"力争|计划|预计|争取|确保|有望|将于|将在|拟于|拟在")
PLAN_DEADLINE = re.compile(r"\s*(?:之前|以前|前)")
PLAN_REACH = 6  # characters before a date searched for PLAN_WORDS ("力争在今年" + date)
WEEKDAY = re.compile(r"(?:星期|周)[一二三四五六日天]")
# Dates, weekdays, issue and page numbers alone on a line ("2025年4月18日", "总第1234期 第34期", "D3").
MASTHEAD_SCRAP = re.compile(
    rf"^(?:\s*(?:{FULL_DATE.pattern}|{WEEKDAY.pattern}|总?第\s*\d{{1,5}}\s*[期版]|[A-Z]\s*\d{{1,2}}\s*版?))+\s*$"
)
CONTINUATION = re.compile(r"[（(]\s*(?:[上下]?[接转])\s*(?:第\s*)?[A-Za-zＡ-Ｚａ-ｚ]?\s*\d+\s*版\s*[)）]")
# The reporters a dateline credits: "记者王波", "记者李阳 通讯员李明", in brackets "（记者 王波 通讯员 赵敏）".
ROLE = r"(?:特约记者|见习记者|记者|通讯员)"
CREDITED = rf"{ROLE}\s*[{CJK}]{{2,4}}"
# Where and when a dateline may say before 讯: "本报太原5月8日讯".
DATELINE_PLACE_DAY = rf"(?:[{CJK}]{{2,4}}?)?\s*(?:\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)?\s*(?=讯)"
DATELINE = re.compile(
    rf"^(?:科学导报|本报)(?:{DATELINE_PLACE_DAY})?讯?"
    rf"(?:\s*[（(](?P<bracketed>\s*{CREDITED}(?:(?:[\s、，,]*{ROLE}\s*|[\s、，,]+)[{CJK}]{{2,4}})*)\s*[)）]"
    rf"|\s*(?P<credited>{CREDITED}(?:\s+{CREDITED})*)(?=\s|$)"
    rf"|(?<=讯)|(?=\s|$))"
)
# How Gazetteer.lookup finds a place by its own name (not by a typo or a sound: 祁峰 is a person).
PLACE_LOOKUPS = frozenset({"exact", "alias", "short", "city", "traditional"})
# A personal name has 2–3 characters, or 3–4 after a two-character surname (欧阳, 司马, …): a
# four-character line such as 园区新貌 is a title, not a byline.
COMPOUND_SURNAMES = (
    "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐|端木|独孤|南宫|西门|呼延|轩辕|万俟|闻人|赫连|澹台"
)
NAME = rf"(?:(?:{COMPOUND_SURNAMES})[{CJK}]{{1,2}}|[{CJK}]{{2,3}})"
# The commonest one-character surnames (the first character of most people's names in China).
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路"
    "游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟"
    "应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠"
)
# A byline: one name, or several separated by spaces ("罗文平 张小菊 朱怡").
NAMES = rf"(?:{NAME}(?:\s+{NAME})*)"
NAMES_ONLY = re.compile(rf"^{NAMES}$")
# What a byline may print before the names: "文/图 王波", "图/文 王波", "文/王波", "记者 李泽宇".
BYLINE_LABEL = rf"(?:(?:本报|科学导报)?{ROLE}\s*|(?:文\s*[/／]\s*图|图\s*[/／]\s*文|文|图)(?:\s*[/／:：]\s*|\s+))"
BRACKETED_NAMES = rf"[（(]\s*(?P<label>{BYLINE_LABEL})?(?P<names>{NAMES})\s*[)）]"  # "（通讯员 何君苗）"
# More roles after the first names: "本报记者 常乐 通讯员 任龙", "文/刘晓晶 图/魏亚栋".
ROLE_OR_CREDIT = rf"(?:(?:本报|科学导报)?{ROLE}|(?:文|图|摄影)\s*[/／:：])"
MORE_ROLES = rf"(?:\s*{ROLE_OR_CREDIT}\s*{NAMES})*"
ROLE_WORDS = re.compile(ROLE_OR_CREDIT)
# A byline of the paper's own staff: "本报记者 王波", "本报记者 常乐 通讯员 任龙".
STAFF_BYLINE = re.compile(rf"^(?:本报|科学导报){ROLE}\s*{NAMES}{MORE_ROLES}$")
# A line that is a byline whatever comes before it: names with a label, or in brackets.
BYLINE_LINES = (
    re.compile(rf"^(?P<label>{BYLINE_LABEL})(?P<names>{NAMES}{MORE_ROLES})$"),
    re.compile(rf"^{BRACKETED_NAMES}$"),
)
# A byline after the last sentence of a paragraph: "…贡献。 王波", "…贡献。 文/图 王波", "…贡献。（王波）".
TRAILING_BYLINES = (
    re.compile(rf"^(?P<text>.*?\S)\s+(?P<label>{BYLINE_LABEL})?(?P<names>{NAMES})$"),
    re.compile(rf"^(?P<text>.*?\S)\s*{BRACKETED_NAMES}$"),
)
PHOTO_MARK = "■"
PHOTO_CAPTION_OPENING = "图为"  # a paragraph opening so is a photo caption, credited or not
TAKEN_BY = r"\s*[/／]?\s*(?:摄影|摄)"  # "梁栋 摄", "张哲远摄", "卫佳/摄"
PHOTOGRAPHER_ROLE = rf"(?:本报|科学导报)?{ROLE}"  # "本报记者 王波 摄"
CREDIT = re.compile(rf"^(?P<role>{PHOTOGRAPHER_ROLE})?\s*(?P<who>.*?)(?:{TAKEN_BY}|\s*供图)$")
# A caption (or nothing: a credit line under its caption) and its credit:
# "…500万元。 张哲远摄", "园区新貌 张哲远摄", "…厂房。（王波 摄）", "…一角。 XX开发区供图".
CAPTION_CREDIT = re.compile(
    rf"^(?:(?P<caption>.*[。！？”…!?])\s*|(?P<spaced>.*\S)\s+)?(?P<role>{PHOTOGRAPHER_ROLE})?\s*(?P<who>{NAMES}){TAKEN_BY}$"
    rf"|^(?P<bracketed>.*?)\s*[（(]\s*(?P<role2>{PHOTOGRAPHER_ROLE})?\s*(?P<who2>{NAMES}){TAKEN_BY}\s*[)）]$"
    rf"|^(?P<provided>.*[。！？”…!?])\s*(?P<who3>[^\s，。,]{{2,20}}?)\s*供图$"
)
# A column's name in lenticular brackets before a title: "【园区动态】抽水蓄能产业链加快布局".
COLUMN_LABEL = re.compile(r"^\s*【[^】\s]{1,10}】\s*")
COLUMN_ONLY = re.compile(r"^【[^】\s]{1,10}】$")
# A zone the gazetteer may not know, named at the start of a line: 2–6 characters of place and
# the words official names end in (not 全省/各/本 …: those are no place).
ZONE_NAME = re.compile(
    rf"^(?![全各本该省市县])[{CJK}]{{2,6}}?(?:经济技术开发区|经济开发区|高新技术产业开发区|高新技术开发区|经开区|高新区)"
)
# The words an official zone name ends in (the bare 开发区 is no name: 召开开发区…).
ZONE_WORDS = r"(?:经济技术开发区|经济开发区|高新技术产业开发区|高新技术开发区|经开区|高新区)"


@functools.cache
def county_zone_names() -> re.Pattern[str]:
    """A zone named after a Shanxi county or county-level city, anywhere in a text (平定经济技术开发区,
    介休经开区): the counties from summarize.divisions, longest first."""
    counties = sorted(county_cities(), key=len, reverse=True)
    return re.compile(f"(?:{'|'.join(map(re.escape, counties))}){ZONE_WORDS}")


# A headline may open with a short place or unit and a colon: "山西大同：招商引资促发展".
MAX_COLON_LEAD_CHARS = 10
# A title under a zone kicker may hold one comma: "抢抓机遇，奋力打造百亿级产业园" (a body line is longer).
MAX_COMMA_TITLE_CHARS = 24
SUBTITLE_DASHES = ("——", "—", "--", "－－")
# PDF extraction sometimes turns a subtitle's "——" into "一".
SUBTITLE_DASH_LOOKALIKE = "一"
SPACES = re.compile(r"\s+")
# pdftotext ends each page with a form feed: text after one is a new page, laid out on its own.
PAGE_BREAK = "\f"
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")  # zero-width spaces and joiners, byte-order marks
LATIN = re.compile(r"[A-Za-z0-9]")


def squeeze(text: str) -> str:
    """Body text without PDF spaces: a space survives only between two Latin letters or digits."""
    text = text.strip()

    def keep(match: re.Match[str]) -> str:
        before, after = text[match.start() - 1], text[match.end()]
        return " " if LATIN.match(before) and LATIN.match(after) else ""

    return SPACES.sub(keep, text)


def single_spaced(text: str) -> str:
    """Title text: runs of spaces become one space (it may separate two halves of a title)."""
    return SPACES.sub(" ", text.strip())


def is_unfinished(text: str) -> bool:
    """Whether a paragraph stops in the middle of a sentence."""
    text = text.rstrip()
    return bool(text) and text[-1] not in SENTENCE_FINAL


def has_clause_marks(text: str) -> bool:
    return any(char in CLAUSE_MARKS for char in text)


def visible_length(text: str) -> int:
    return len(SPACES.sub("", text))


def iso_date(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def full_dates(text: str) -> Iterator[str]:
    for match in FULL_DATE.finditer(text):
        found = iso_date(*match.groups())
        if found:
            yield found


def text_dates(text: str, issue_year: str | None) -> Iterator[str]:
    """Every date the page reports (not plans): full dates, and month-day dates (7月22日) completed
    with the page's year — the masthead's, else the latest year printed with a month (2025年1~11月)."""
    for match in FULL_DATE.finditer(text):
        found = iso_date(*match.groups())
        if found and not planned(text, match):
            yield found
    years = [match.group(1) for match in YEAR_MONTH.finditer(text) if not planned(text, match)]
    year = issue_year or (max(years) if years else None)
    if year is None:
        return
    for match in FIRST_DATE.finditer(text):
        if match.group(1) is None and not planned(text, match):
            found = iso_date(year, match.group(2), match.group(3))
            if found:
                yield found


def planned(text: str, date_match: re.Match[str]) -> bool:
    """Whether a date is a plan's (力争2025年6月30日前建成), which does not date the page."""
    before = text[max(0, date_match.start() - PLAN_REACH) : date_match.start()]
    return bool(PLAN_WORDS.search(before) or PLAN_DEADLINE.match(text, date_match.end()))


def first_sentence(text: str) -> str:
    return re.split(r"[。！？!?]", text, maxsplit=1)[0]


def lead_date(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """(published, published_month_day) from the first date in the lead sentence of `text`."""
    match = FIRST_DATE.search(first_sentence(text))
    if not match:
        return None, None
    year, month, day = match.groups()
    if year:
        return iso_date(year, month, day), None
    if iso_date("2000", month, day):  # a leap year: 2月29日 is a real month and day
        return None, (int(month), int(day))
    return None, None
