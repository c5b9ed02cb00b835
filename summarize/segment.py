"""Split one newspaper page (text extracted from PDF) into articles.

The data model below is the contract between the parser and the store (bot/ingest.py).

How a 科学导报「开发区建设」 page reads once its PDF is text, and what `split_page` does about it:

- An article is a header (a kicker line naming a zone, a unit or a city; a title; maybe a
  ``——…见闻`` subtitle), body paragraphs (the first may open with a dateline such as
  ``科学导报讯``, ``科学导报 记者王波`` or ``本报讯（记者 王波 通讯员 赵敏）``) and a byline: names
  after the last sentence, alone on a line or under the title, maybe after 文/图 or 记者, maybe
  in brackets. A dateline always opens a new body; a byline after body text always closes one.
  Personal names have 2–3 characters (4 after a two-character surname): 园区新貌 is a title.
- PDF extraction breaks sentences over blank lines and leaves spaces between Chinese characters:
  a paragraph that does not end a sentence is joined with the next body paragraph, and spaces
  are dropped unless they separate two Latin words or digits (titles keep theirs).
- Headers are not always above their body. A header with no body of its own (followed by another
  header, the masthead or the end of the page) belongs to the headerless body printed just before
  it, else to a body elsewhere that is about its zone. A header printed in the middle of a
  sentence belongs to the body that sentence is in.
- A form feed (pdftotext ends each page with one) starts a new page, parsed on its own.
- Masthead lines, section labels, continuation marks and byline labels (文/图, 记者) are recorded
  in `Page.notes`; photo captions become PHOTO records; text that fits nowhere goes to
  `Page.fragments`. Nothing is dropped: every Chinese character of the page ends up in one of
  these places (the words 摄 and 供图 of a photo credit aside).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from summarize.zones import Gazetteer

ARTICLE = "article"
PHOTO = "photo"


@dataclass(frozen=True)
class Article:
    """One article, or one photo with its caption, as printed on a page."""

    kind: str  # ARTICLE or PHOTO
    title: str | None
    body: tuple[str, ...]  # paragraphs, PDF line breaks mended, no dateline prefix
    zone: str | None = None  # official full name of the zone it is about
    zones: tuple[str, ...] = ()  # every zone it concerns, official names, `zone` first
    city: str | None = None
    subtitle: str | None = None  # 副题, e.g. "——朔州经济开发区见闻"
    kicker: str | None = None  # the line above the title as printed (zone, zone + unit, city)
    author: str | None = None  # byline at the end, or the reporters named in the dateline
    dateline: str | None = None  # "科学导报讯", "科学导报 记者王波", … as printed
    published: str | None = None  # YYYY-MM-DD when the article's dateline/lead gives a full date
    published_month_day: tuple[int, int] | None = None  # (month, day) when it gives only that


@dataclass(frozen=True)
class Page:
    """What split_page found on one page."""

    articles: tuple[Article, ...]
    fragments: tuple[str, ...] = ()  # text that could not be placed in any article: kept, counted
    issue_label: str | None = None  # from the masthead, e.g. "2024年第34期"
    masthead_date: str | None = None  # YYYY-MM-DD when the masthead prints one
    # the latest date the text reports (YYYY-MM-DD; a plan's dates aside): full dates, and month-day
    # dates completed with the masthead's year, else the latest year printed with a month
    latest_date: str | None = None
    notes: tuple[str, ...] = field(default=())  # what the parser did that a reader should know


# Prefixes of the notes that hold page text no article carries (see Page.notes).
NOTE_MASTHEAD = "masthead: "
NOTE_SECTION = "section label: "
NOTE_CONTINUATION = "continuation mark: "
NOTE_BYLINE_LABEL = "byline label: "

CJK = "\u4e00-\u9fff"
# A paragraph ending in one of these ends a sentence; any other ending was cut by a PDF line break.
SENTENCE_FINAL = frozenset("。！？；…”’』」）!?;)\"")
# A line ending in one of these ends a sentence for sure (titles may end in a closing quote).
STRICT_SENTENCE_FINAL = frozenset("。！？…!?")
# Titles, kickers and section labels never hold these.
CLAUSE_MARKS = frozenset("，,。；;：:")
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
# A line that is a byline whatever comes before it: names with a label, or in brackets.
BYLINE_LINES = (
    re.compile(rf"^(?P<label>{BYLINE_LABEL})(?P<names>{NAMES})$"),
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
SUBTITLE_DASHES = ("——", "—", "--", "－－")
# PDF extraction sometimes turns a subtitle's "——" into "一".
SUBTITLE_DASH_LOOKALIKE = "一"
SPACES = re.compile(r"\s+")
# pdftotext ends each page with a form feed: text after one is a new page, laid out on its own.
PAGE_BREAK = "\f"
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")  # zero-width spaces and joiners, byte-order marks
LATIN = re.compile(r"[A-Za-z0-9]")


# ---------------------------------------------------------------------------------------------
# Text helpers


def _squeeze(text: str) -> str:
    """Body text without PDF spaces: a space survives only between two Latin letters or digits."""
    text = text.strip()

    def keep(match: re.Match[str]) -> str:
        before, after = text[match.start() - 1], text[match.end()]
        return " " if LATIN.match(before) and LATIN.match(after) else ""

    return SPACES.sub(keep, text)


def _single_spaced(text: str) -> str:
    """Title text: runs of spaces become one space (it may separate two halves of a title)."""
    return SPACES.sub(" ", text.strip())


def _unfinished(text: str) -> bool:
    """Whether a paragraph stops in the middle of a sentence."""
    text = text.rstrip()
    return bool(text) and text[-1] not in SENTENCE_FINAL


def _has_clause_marks(text: str) -> bool:
    return any(char in CLAUSE_MARKS for char in text)


def _visible_length(text: str) -> int:
    return len(SPACES.sub("", text))


def _iso_date(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _full_dates(text: str) -> Iterator[str]:
    for match in FULL_DATE.finditer(text):
        found = _iso_date(*match.groups())
        if found:
            yield found


def _text_dates(text: str, issue_year: str | None) -> Iterator[str]:
    """Every date the page reports (not plans): full dates, and month-day dates (7月22日) completed
    with the page's year — the masthead's, else the latest year printed with a month (2025年1~11月)."""
    for match in FULL_DATE.finditer(text):
        found = _iso_date(*match.groups())
        if found and not _planned(text, match):
            yield found
    years = [match.group(1) for match in YEAR_MONTH.finditer(text) if not _planned(text, match)]
    year = issue_year or (max(years) if years else None)
    if year is None:
        return
    for match in FIRST_DATE.finditer(text):
        if match.group(1) is None and not _planned(text, match):
            found = _iso_date(year, match.group(2), match.group(3))
            if found:
                yield found


def _planned(text: str, date_match: re.Match[str]) -> bool:
    """Whether a date is a plan's (力争2025年6月30日前建成), which does not date the page."""
    before = text[max(0, date_match.start() - PLAN_REACH) : date_match.start()]
    return bool(PLAN_WORDS.search(before) or PLAN_DEADLINE.match(text, date_match.end()))


def _first_sentence(text: str) -> str:
    return re.split(r"[。！？!?]", text, maxsplit=1)[0]


# ---------------------------------------------------------------------------------------------
# Lines -> items


@dataclass
class _Para:
    """A body paragraph (or a subsection heading inside a body), text as printed."""

    line: int
    text: str
    dateline: str | None = None
    reporters: str | None = None  # the names the dateline credits
    heading: bool = False


@dataclass(frozen=True)
class _HeadLine:
    """A line that may belong to a header: a zone/city line, a title, a subtitle."""

    line: int
    text: str
    place_end: int = 0  # > 0: the line starts with a zone name (or is a city) ending here
    zone: str | None = None  # the zone named at its start
    city: str | None = None  # the city it names, when it is a city line

    @property
    def bare_place(self) -> bool:
        return self.place_end > 0 and not self.text[self.place_end:].strip()

    @property
    def dashed(self) -> bool:
        return self.text.startswith(SUBTITLE_DASHES)


@dataclass(frozen=True)
class _Byline:
    line: int
    names: str
    label: str = ""  # what was printed before the names: "文/图", "记者"

    @property
    def printed(self) -> str:
        return f"{self.label} {self.names}".strip()


@dataclass(frozen=True)
class _Photo:
    """A photo caption with its credit, or (caption None) a credit line under the caption above."""

    line: int
    caption: str | None
    author: str | None
    label: str = ""  # a role printed before the photographer: "本报记者"


@dataclass(frozen=True)
class _Skip:
    """A line that is not article text: masthead, section label, continuation mark."""

    line: int
    note: str
    barrier: bool  # masthead and section labels end whatever came before


_Item = _Para | _HeadLine | _Byline | _Photo | _Skip


@dataclass(frozen=True)
class _Masthead:
    lines: frozenset[int]
    issue_label: str | None
    date: str | None


def _find_masthead(lines: Sequence[str]) -> _Masthead:
    """The masthead lines (issue line, page name, slogan, date), the issue label and the printed date.

    An issue line (邮发代号…, 2024 年第 34 期, a date with its weekday) anchors the masthead; the
    page's name, its slogan and scraps (a date, 第34期) printed alone within MASTHEAD_REACH lines
    of an anchor or of the page's name belong to it.
    """
    anchors = [
        number
        for number, text in enumerate(lines)
        if MASTHEAD_WORDS.search(text) or ((ISSUE.search(text) or _weekday_dated(text) or EDITORS.search(text)) and _plain(text))
    ]
    found = set(anchors)
    for number in anchors:
        found.update(near for near in _around(number, len(lines)) if _names_the_page(lines[near]))
    for number, text in enumerate(lines):
        nearby = _around(number, len(lines))
        if MASTHEAD_SCRAP.match(text) and any(near in found or _names_the_page(lines[near]) for near in nearby):
            found.add(number)
    printed_lines = [lines[number] for number in sorted(found) if _plain(lines[number])]
    printed = next((day for text in printed_lines for day in _full_dates(text)), None)
    issue = next((match for match in map(ISSUE.search, printed_lines) if match), None)
    label = f"{issue.group(1)}年第{int(issue.group(2))}期" if issue else None
    number_only = next((match for match in map(ISSUE_NUMBER.search, printed_lines) if match), None)
    if label is None and number_only and printed:
        label = f"{printed[:4]}年第{int(number_only.group(1))}期"
    return _Masthead(frozenset(found), label, printed)


def _weekday_dated(text: str) -> bool:
    return bool(FULL_DATE.search(text) and WEEKDAY.search(text))


def _plain(text: str) -> bool:
    """Short and without sentence punctuation, as masthead lines are (a dated sentence is not)."""
    return len(text) <= MAX_MASTHEAD_CHARS and not any(mark in text for mark in "，。,")


def _around(number: int, count: int) -> range:
    """The line numbers within MASTHEAD_REACH of a line."""
    return range(max(0, number - MASTHEAD_REACH), min(count, number + MASTHEAD_REACH + 1))


def _names_the_page(text: str) -> bool:
    return PAGE_NAME in text and not _has_clause_marks(text)


def _is_name(text: str, gazetteer: Gazetteer) -> bool:
    """Whether `text` can be a byline: names only, not a section label nor a place (a zone, a
    city, the county or town a zone is named after: 盂县, 长子)."""
    if not NAMES_ONLY.match(text) or SECTION_LABEL.match(text) or gazetteer.mentions(text):
        return False
    city = gazetteer.city_in(text)
    if city is not None and text in (city, city + "市"):
        return False
    return gazetteer.lookup(text).how not in PLACE_LOOKUPS




def _photo(text: str) -> _Photo | None:
    """A caption with a credit (…。 张哲远摄, … ■ XX供图), a credit line (■ 梁栋 摄), or a caption
    without one (■ 园区一角, 图为…)."""
    marked = text.startswith(PHOTO_MARK)
    text = text.removeprefix(PHOTO_MARK).strip()
    if PHOTO_MARK in text:
        caption, _, credit = text.rpartition(PHOTO_MARK)
        return _credited(caption, credit.strip())
    match = CAPTION_CREDIT.match(text)
    if match:
        return _captioned(match)
    if marked:
        return _credited("", text) if CREDIT.match(text) else _Photo(0, text or None, None)
    if text.startswith(PHOTO_CAPTION_OPENING):
        return _Photo(0, text, None)
    return None


def _credited(caption: str, credit: str) -> _Photo:
    """A caption and the credit printed after a photo mark ("梁栋 摄", "XX供图")."""
    match = CREDIT.match(credit)
    who = match.group("who").strip() if match else credit
    return _Photo(0, caption.strip() or None, who or None, (match.group("role") if match else None) or "")


def _captioned(match: re.Match[str]) -> _Photo:
    """The photo a CAPTION_CREDIT match describes."""
    caption = match.group("caption") or match.group("spaced") or match.group("bracketed") or match.group("provided")
    who = match.group("who") or match.group("who2") or match.group("who3")
    role = match.group("role") or match.group("role2") or ""
    trailing_role = re.search(rf"(?:^|\s){PHOTOGRAPHER_ROLE}$", caption or "") if not role else None
    if caption and trailing_role:  # "园区新貌 本报记者 王波 摄": the caption took the role
        caption, role = caption[: trailing_role.start()], trailing_role.group(0).strip()
    return _Photo(0, (caption or "").strip() or None, _single_spaced(who), role)


def _place(text: str, gazetteer: Gazetteer) -> tuple[int, str | None, str | None]:
    """(end of the zone name or city the line starts with, that zone, that city); (0, None, None)."""
    mentions = gazetteer.mentions(text)
    if mentions and mentions[0].start == 0:
        return mentions[0].end, mentions[0].zone, None
    city = gazetteer.city_in(text)
    if city and SPACES.sub("", text) in (city, city + "市"):
        return len(text), None, city
    return 0, None, None


def _headline_shaped(text: str, gazetteer: Gazetteer) -> bool:
    """Short and without clause marks, but for a colon after the zone or city that opens a
    headline ("侯马经开区：保税物流跑出加速度")."""
    if _visible_length(text) > MAX_TITLE_CHARS:
        return False
    place, colon, rest = text.partition("：") if "：" in text else text.partition(":")
    if colon and rest.strip() and _place(place, gazetteer)[0] == len(place.rstrip()) > 0:
        text = place + rest
    return not _has_clause_marks(text)


def _classify(lines: Sequence[str], masthead: _Masthead, gazetteer: Gazetteer) -> list[_Item]:
    """Each non-empty line as an item; a body line may give two (paragraph, trailing byline)."""
    items: list[_Item] = []
    pending: list[_Para] = []  # "科学导报 记者王波" alone on its line: the body starts on the next

    def flush() -> None:
        items.extend(_Para(para.line, para.dateline or "") for para in pending)
        pending.clear()

    def emit(item: _Item) -> None:
        if pending and isinstance(item, _Para) and item.dateline is None:
            item = replace(item, line=pending[0].line, dateline=pending[0].dateline, reporters=pending[0].reporters)
            pending.clear()
        flush()
        items.append(item)

    for number, text in enumerate(lines):
        for mark in CONTINUATION.findall(text):
            emit(_Skip(number, NOTE_CONTINUATION + _squeeze(mark), barrier=False))
        text = CONTINUATION.sub("", text).strip()
        if not text:
            continue
        if number in masthead.lines:
            emit(_Skip(number, NOTE_MASTHEAD + text, barrier=True))
            continue
        if text == PAGE_NAME or SECTION_LABEL.match(text):
            emit(_Skip(number, NOTE_SECTION + text, barrier=True))
            continue
        photo = _photo(text)
        if photo and photo.caption is None and not pending and _uncredited_caption(items[-1] if items else None):
            items[-1] = replace(items[-1], author=photo.author, label=photo.label)  # the credit under its caption
            continue
        if photo:
            emit(replace(photo, line=number))
            continue
        dateline = DATELINE.match(text)
        if dateline:
            para = _Para(number, text[dateline.end():].strip(), dateline.group(0), _reporters(dateline))
            if not para.text:
                flush()
                pending.append(para)
                continue
        else:
            byline = _byline_alone(text, items[-1] if items else None, gazetteer)
            if byline and not pending:
                emit(replace(byline, line=number))
                continue
            if _headline_shaped(text, gazetteer):
                place_end, zone, city = _place(text, gazetteer)
                emit(_HeadLine(number, text, place_end, zone, city))
                continue
            para = _Para(number, text)
        trailing = _trailing_byline(para.text, gazetteer)
        if trailing:
            text, byline = trailing
            emit(replace(para, text=text))
            emit(replace(byline, line=number))
        else:
            emit(para)
    flush()
    return items


def _first_match(patterns: Sequence[re.Pattern[str]], text: str) -> re.Match[str] | None:
    return next((match for match in (pattern.match(text) for pattern in patterns) if match), None)


def _uncredited_caption(item: _Item | None) -> bool:
    return isinstance(item, _Photo) and item.caption is not None and item.author is None


def _reporters(dateline: re.Match[str]) -> str | None:
    """The names a dateline credits, space-separated ("记者李阳 通讯员李明" -> "李阳 李明"), or None."""
    credits = dateline.group("bracketed") or dateline.group("credited")
    if not credits:
        return None
    return " ".join(name for name in re.split(rf"{ROLE}|[\s、，,]+", credits) if name)


def _byline_alone(text: str, before: _Item | None, gazetteer: Gazetteer) -> _Byline | None:
    """The byline a whole line is: names after a label or in brackets anywhere, bare names where
    a byline may stand (see _may_sign); else None."""
    match = _first_match(BYLINE_LINES, text)
    if match and _are_names(match.group("names"), gazetteer):
        return _Byline(0, _single_spaced(match.group("names")), _squeeze(match.group("label") or ""))
    if _may_sign(before) and _is_name(text, gazetteer):
        return _Byline(0, _single_spaced(text))
    return None


def _may_sign(before: _Item | None) -> bool:
    """Whether a line of names printed after `before` can be a byline.

    Not at the top of a page, nor after a byline, a photo, the masthead or a kicker: there it is
    a short title.
    """
    if isinstance(before, _HeadLine):
        return not before.bare_place
    return isinstance(before, _Para)


def _are_names(names: str, gazetteer: Gazetteer) -> bool:
    return all(_is_name(name, gazetteer) for name in names.split())


def _trailing_byline(paragraph: str, gazetteer: Gazetteer) -> tuple[str, _Byline] | None:
    """(the paragraph's text, its byline) when names follow its last sentence, else None.

    One unlabelled name needs a finished sentence before it ("…产品 价值" is a broken line).
    After an unfinished sentence, PDF spaces make its last words look like a name
    ("…综合利 用率达 赵敏 韩七"): leading "names" without a common surname stay in the text.
    """
    match = _first_match(TRAILING_BYLINES, paragraph)
    if match is None:
        return None
    text, names = match.group("text"), match.group("names").split()
    while _unfinished(text) and len(names) > 1 and names[0][0] not in COMMON_SURNAMES:
        text = f"{text} {names.pop(0)}"
    if not _are_names(" ".join(names), gazetteer):
        return None
    if match.group("label") or len(names) > 1 or not _unfinished(text):
        return text, _Byline(0, " ".join(names), _squeeze(match.group("label") or ""))
    return None


# ---------------------------------------------------------------------------------------------
# Header lines -> headers


@dataclass(frozen=True)
class _Header:
    line: int
    printed: tuple[str, ...]  # the lines as printed, for a fragment if the header finds no body
    kicker: str | None = None
    title: str | None = None
    subtitle: str | None = None
    zone: str | None = None  # the zone its kicker line names
    city: str | None = None  # the city its kicker line names, when that line is a city

    @property
    def title_only(self) -> bool:
        return self.kicker is None and self.subtitle is None and self.zone is None

    @property
    def label(self) -> str:
        return self.title or self.kicker or self.subtitle or ""


def _is_subtitle(line: _HeadLine) -> bool:
    return line.dashed or (
        line.text.startswith(SUBTITLE_DASH_LOOKALIKE) and _visible_length(line.text) > 4
    )


def _closing_zone_title(line: _HeadLine, after: Sequence[_HeadLine]) -> bool:
    """Whether a line is a title naming its zone (交口经济技术开发区一季度开工项目8个) that ends its
    header group: no title of its own follows it, at most a subtitle."""
    rest = line.text[line.place_end :]
    return bool(rest.strip()) and not rest[0].isspace() and (not after or _is_subtitle(after[0]))


def _parse_headers(run: Sequence[_HeadLine]) -> list[_Header]:
    """Consecutive header lines -> headers: [kicker] title [subtitle], a zone line starting each."""
    headers: list[_Header] = []
    index = 0
    while index < len(run):
        start = index
        kicker = title = subtitle = zone = city = None
        line = run[index]
        following = run[index + 1] if index + 1 < len(run) else None
        title_follows = following is not None and not _is_subtitle(following) and not following.bare_place
        if line.place_end:
            rest = line.text[line.place_end:]
            zone, city = line.zone, line.city
            if not rest.strip() or title_follows:
                kicker = line.text
            elif rest[0].isspace():
                kicker, title = line.text[: line.place_end], rest
            else:  # a title that names the zone (临汾经济开发区党工委……调研……)
                title, zone = line.text, None
            index += 1
        elif title_follows and following is not None and (
            not following.place_end or _closing_zone_title(following, run[index + 2 :])
        ):
            kicker = line.text  # 引题 above the title
            index += 1
        if title is None and index < len(run) and not run[index].bare_place and (
            index == start or not run[index].dashed
        ):
            title = run[index].text
            index += 1
        if title is not None and index < len(run) and _is_subtitle(run[index]):
            subtitle = run[index].text
            index += 1
        elif title is not None:  # title and subtitle on one line: 园区焕新颜——风陵渡经济开发区见闻
            head, dashes, tail = title.strip().partition(SUBTITLE_DASHES[0])
            if head and tail:
                title, subtitle = head, dashes + tail
        index = max(index, start + 1)
        headers.append(
            _Header(
                line=run[start].line,
                printed=tuple(item.text for item in run[start:index]),
                kicker=_single_spaced(kicker) if kicker else None,
                title=_single_spaced(title) if title else None,
                subtitle=_squeeze(subtitle) if subtitle else None,
                zone=zone,
                city=city,
            )
        )
    return headers


# ---------------------------------------------------------------------------------------------
# Items -> units (a header with its body, or a headerless body)


@dataclass
class _Unit:
    header: _Header | None
    paras: list[_Para] = field(default_factory=list)
    byline: str | None = None
    at_page_start: bool = False  # a headerless body with nothing but headers/masthead before it
    closed_by: str = ""  # "header" | "byline" | "dateline" | "barrier" | "end"

    @property
    def line(self) -> int:
        lines = [para.line for para in self.paras[:1]] + ([self.header.line] if self.header else [])
        return min(lines)


class _Zones:
    """Zone names in the page's texts, memoised: a page asks about the same paragraph often."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._seen: dict[str, tuple[str, ...]] = {}

    def named(self, text: str | None) -> tuple[str, ...]:
        if not text:
            return ()
        if text not in self._seen:
            self._seen[text] = tuple(mention.zone for mention in self.gazetteer.mentions(text))
        return self._seen[text]

    def in_header(self, header: _Header | None) -> tuple[str, ...]:
        if header is None:
            return ()
        return self.named(header.kicker) + self.named(header.title) + self.named(header.subtitle)

    def primary(self, header: _Header | None) -> str | None:
        """The zone a header is about: its zone line, else its subtitle, title, kicker."""
        if header is None or header.city:
            return None
        if header.zone:
            return header.zone
        for text in (header.subtitle, header.title, header.kicker):
            named = self.named(text)
            if named:
                return named[0]
        return None

    def of_unit(self, unit: _Unit) -> tuple[str, ...]:
        named = list(self.in_header(unit.header))
        for para in unit.paras:
            named.extend(self.named(para.text))
        return tuple(dict.fromkeys(named))

    def split_point(self, unit: _Unit, zone: str) -> int | None:
        """Where the paragraphs about `zone` start in a body about something else, if they do.

        The first paragraph (not the body's first) that names `zone`, when neither the header nor
        an earlier paragraph does.
        """
        before = set(self.in_header(unit.header))
        for index, para in enumerate(unit.paras):
            named = self.named(para.text)
            if zone in named:
                return index if index > 0 and zone not in before else None
            before.update(named)
        return None


@dataclass
class _Assembly:
    units: list[_Unit] = field(default_factory=list)
    photos: list[tuple[int, Article]] = field(default_factory=list)
    fragments: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _next_body(items: Sequence[_Item], index: int) -> _Para | None:
    """The paragraph that follows items[index:], skipping photo captions; None if other."""
    for item in items[index:]:
        if isinstance(item, _Photo) and item.caption is not None:
            continue
        return item if isinstance(item, _Para) else None
    return None


def _sign(unit: _Unit, byline: _Byline, done: _Assembly) -> None:
    """Give a unit its byline: names printed under the title and again at the end are kept once
    (and the repeat noted), other names printed at the end are added to those under the title."""
    if byline.label:
        done.notes.append(NOTE_BYLINE_LABEL + byline.label)
    if unit.byline is None or unit.byline == byline.names:
        if unit.byline:
            done.notes.append(f"byline printed twice: {byline.names}")
        unit.byline = byline.names
    else:
        unit.byline = f"{unit.byline} {byline.names}"


def _closing_sentences(run: Sequence[_HeadLine]) -> int:
    """How many lines at the start of a header run are short sentences ending the body above
    ("…稳步推进！"): lines ending a sentence, followed by a zone line that opens the next header."""
    count = 0
    while count < len(run) and not run[count].place_end and run[count].text[-1] in STRICT_SENTENCE_FINAL:
        count += 1
    return count if count < len(run) and run[count].place_end else 0


def _assemble(items: Sequence[_Item], zones: _Zones, gazetteer: Gazetteer) -> _Assembly:
    """Walk the items in order, opening and closing units at headers, datelines and bylines."""
    done = _Assembly()
    current: _Unit | None = None
    seen_body = False

    def close(how: str) -> None:
        nonlocal current
        if current is not None:
            current.closed_by = how
            done.units.append(current)
        current = None

    index = 0
    while index < len(items):
        item = items[index]
        if isinstance(item, _HeadLine):
            end = index
            while end < len(items) and isinstance(items[end], _HeadLine):
                end += 1
            run: list[_HeadLine] = items[index:end]  # type: ignore[assignment]
            signed = end < len(items) and isinstance(items[end], _Byline)
            bare_titles = not any(line.place_end or _is_subtitle(line) for line in run)
            if signed and bare_titles and current is not None and current.paras:  # signed: the body's last lines
                current.paras.extend(_Para(line.line, line.text) for line in run)
                index = end
                continue
            if current is not None and current.paras:
                ending = _closing_sentences(run)
                current.paras.extend(_Para(line.line, line.text) for line in run[:ending])
                run = run[ending:]
            headers = _parse_headers(run)
            body = _next_body(items, end)
            continues = body is not None and body.dateline is None
            for number, header in enumerate(headers):
                last = number == len(headers) - 1
                if last and continues and current is not None:
                    assert body is not None
                    placed = _place_inner_header(header, current, body, zones, done)
                    if placed is not None:
                        current = placed
                        continue
                close("header")
                current = _Unit(header)
            index = end
            continue
        if isinstance(item, _Para):
            if item.dateline is not None and current is not None and (current.paras or not current.header):
                close("dateline")
            if current is None:
                current = _Unit(None, at_page_start=not seen_body)
            current.paras.append(item)
            seen_body = True
        elif isinstance(item, _Byline):
            under_title = current is not None and not current.paras and current.header and current.byline is None
            if current is not None and (current.paras or under_title):
                _sign(current, item, done)
                if current.paras:
                    close("byline")
            else:
                done.fragments.append((item.line, item.printed))
        elif isinstance(item, _Photo):
            caption, line = item.caption, item.line
            if caption is None and current is not None and current.paras:
                above = current.paras.pop()  # the caption printed above its credit line
                caption, line = above.text, above.line
                if not current.paras and current.header is None:
                    current = None
            if caption is None:
                done.fragments.append((line, f"{item.label} {item.author or ''}".strip()))
            else:
                if item.label:
                    done.notes.append(NOTE_BYLINE_LABEL + item.label)
                done.photos.append((line, _photo_article(caption, item.author, zones, gazetteer)))
        elif isinstance(item, _Skip):
            done.notes.append(item.note)
            if item.barrier:
                close("barrier")
        index += 1
    close("end")
    return done


def _place_inner_header(
    header: _Header, current: _Unit, following: _Para, zones: _Zones, done: _Assembly
) -> _Unit | None:
    """A header with body text on both sides (`following` is the paragraph after it): the unit
    it belongs to, or None if it opens one.

    Printed mid-sentence, it is the header of the headerless body it interrupts, or of the
    paragraphs about its zone at the end of the body it interrupts. Between two paragraphs of a
    headerless dateline body about its zone, it is that body's header. A bare title between
    finished paragraphs is a subsection heading, unless it would be the body's first heading
    and the paragraph after it turns to zones the body has not named: then it is the title of
    a new article. (A feature whose sections take one zone each names them in its lead or has
    its first heading before it turns to a second zone.)
    """
    if not current.paras:
        if header.title_only and current.header is not None and current.header.title:
            current.paras.append(_Para(header.line, header.title, heading=True))
            return current
        return None
    zone = zones.primary(header)
    unfinished = _unfinished(current.paras[-1].text)
    about_its_zone = current.paras[0].dateline is not None and zone is not None and zone == _about(current, zones)
    if current.header is None and (unfinished or about_its_zone):
        current.header = header
        done.notes.append(f"header printed inside its body: {header.label}")
        return current
    if unfinished and header.title_only and header.title and current.header is not None:
        current.paras.append(_Para(header.line, header.title))  # a sentence runs on through the line
        return current
    split = zones.split_point(current, zone) if unfinished and zone else None
    if split is not None:
        moved = _Unit(header, current.paras[split:])
        current.paras = current.paras[:split]
        current.closed_by = "header"
        done.units.append(current)
        done.notes.append(f"header printed inside its body: {header.label}")
        return moved
    own_zones = set(zones.of_unit(current))
    foreign = [named for named in zones.named(header.title) if named not in own_zones]
    next_zones = set(zones.named(following.text))
    first_heading = not any(para.heading for para in current.paras)
    turns_away = first_heading and bool(own_zones) and bool(next_zones) and not own_zones & next_zones
    dateline_body = current.header is not None or current.paras[0].dateline is not None
    if header.title_only and dateline_body and not foreign and not turns_away and header.title:
        current.paras.append(_Para(header.line, header.title, heading=True))
        return current
    return None


def _photo_article(caption: str, author: str | None, zones: _Zones, gazetteer: Gazetteer) -> Article:
    named = tuple(dict.fromkeys(zones.named(caption) + zones.named(author)))
    zone = named[0] if named else None
    found = gazetteer.get(zone) if zone else None
    published, month_day = _published(caption)
    return Article(
        kind=PHOTO,
        title=None,
        body=(_squeeze(caption),),
        zone=zone,
        zones=named,
        city=found.city if found else None,
        author=author,
        published=published,
        published_month_day=month_day,
    )


# ---------------------------------------------------------------------------------------------
# Units without a body (headers) or without a header (bodies) find each other


def _claim_bodies(done: _Assembly, zones: _Zones) -> None:
    """Give each header that has no body of its own (maybe a byline printed under it) the body it
    belongs to."""
    for orphan in [unit for unit in done.units if unit.header and not unit.paras]:
        position = _position(done, orphan)
        header = orphan.header
        assert header is not None
        before = done.units[position - 1] if position > 0 else None
        if before is not None and before.header is None:
            _take_header(before, orphan, done)
            done.units.pop(position)
            done.notes.append(f"header printed after its body: {header.label}")
            continue
        zone = zones.primary(header)
        if not (zone and _claim_by_zone(done, orphan, zone, zones)):
            done.units.pop(position)
            printed = [*(_single_spaced(text) for text in header.printed), *filter(None, [orphan.byline])]
            done.fragments.append((header.line, " ".join(printed)))
            done.notes.append(f"header without a body kept as a fragment: {header.label}")


def _position(done: _Assembly, unit: _Unit) -> int:
    return next(index for index, other in enumerate(done.units) if other is unit)


def _take_header(target: _Unit, orphan: _Unit, done: _Assembly) -> None:
    """Give a body the header (and the byline under it) of a unit that has no body."""
    target.header = orphan.header
    if orphan.byline and target.byline is None:
        target.byline = orphan.byline
    elif orphan.byline:
        done.fragments.append((orphan.line, orphan.byline))


def _claim_by_zone(done: _Assembly, orphan: _Unit, zone: str, zones: _Zones) -> bool:
    """A headerless body about `zone`, or a signed run about it at the end of another body."""
    header = orphan.header
    assert header is not None
    for unit in done.units:
        if unit.header is None and unit.paras and zones.of_unit(unit)[:1] == (zone,):
            _take_header(unit, orphan, done)
            done.units.pop(_position(done, orphan))
            done.notes.append(f"header joined to the body about its zone: {header.label}")
            return True
    for unit in done.units:
        if unit.header is None or not unit.paras or unit.byline is None:
            continue
        split = zones.split_point(unit, zone)
        if split is None:
            continue
        kept = _Unit(unit.header, unit.paras[:split])
        run = _Unit(None, unit.paras[split:])
        if set(zones.of_unit(run)) & set(zones.of_unit(kept)):
            continue
        run.byline, run.closed_by = unit.byline, unit.closed_by
        unit.paras, unit.byline = kept.paras, None
        _take_header(run, orphan, done)
        done.units[_position(done, orphan)] = run
        done.notes.append(f"column about its zone moved out of another article: {header.label}")
        return True
    return False


def _rejoin_sections(done: _Assembly, zones: _Zones) -> None:
    """A bare title over paragraphs without a dateline, about the zone of an unsigned article
    above it with only signed articles about other zones between them (columns printed inside
    it), is that article's next section: as _place_inner_header reads it with nothing between."""
    index = 0
    while index < len(done.units):
        section = done.units[index]
        article = _interrupted_article(done.units[:index], section, zones)
        if article is None:
            index += 1
            continue
        assert section.header is not None and section.header.title is not None
        article.paras += [_Para(section.header.line, section.header.title, heading=True), *section.paras]
        article.byline, article.closed_by = section.byline, section.closed_by
        done.units.pop(index)
        done.notes.append(f"section rejoined to its article: {section.header.title}")


def _interrupted_article(before: Sequence[_Unit], section: _Unit, zones: _Zones) -> _Unit | None:
    """The article `section` continues (see _rejoin_sections), if any."""
    header = section.header
    if header is None or not header.title_only or not header.title or section.paras[0].dateline is not None:
        return None
    zone = _about(section, zones)
    for unit in reversed(before):
        if unit.closed_by == "barrier":  # a masthead or section label between: a new part of the page
            return None
        if unit.header is not None and unit.byline is None and zone is not None and _about(unit, zones) == zone:
            return unit
        if unit.byline is None or _about(unit, zones) in (zone, None):
            return None
    return None


def _place_orphans(done: _Assembly, zones: _Zones) -> None:
    """Headerless bodies: articles if dated or signed, else a lead, a spill-over or fragments."""
    continued = any(note.startswith(NOTE_CONTINUATION) and "上接" in note for note in done.notes)
    index = 0
    while index < len(done.units):
        unit = done.units[index]
        if unit.header is not None or unit.byline or unit.paras[0].dateline is not None:
            index += 1
            continue
        after = done.units[index + 1] if index + 1 < len(done.units) else None
        before = done.units[index - 1] if index > 0 else None
        if unit.at_page_start and unit.closed_by == "header" and after and after.header and not continued:
            after.paras[:0] = unit.paras
            done.notes.append(f"lead paragraph printed above its title: {after.header.label}")
        elif before is not None and _about(before, zones) and _about(before, zones) in zones.of_unit(unit):
            before.paras.extend(unit.paras)
            done.notes.append(f"paragraph after a byline joined to the article about its zone: {_label(before)}")
        else:
            done.fragments.extend((para.line, _squeeze(para.text)) for para in unit.paras)
        done.units.pop(index)


def _about(unit: _Unit, zones: _Zones) -> str | None:
    """The zone a unit is about: its header's, else the first its body names (unless a city's)."""
    if unit.header is not None and (unit.header.city or zones.primary(unit.header)):
        return zones.primary(unit.header)
    named = zones.of_unit(unit)
    return named[0] if named else None


def _label(unit: _Unit) -> str:
    return unit.header.label if unit.header else _squeeze(unit.paras[0].text)[:12]


# ---------------------------------------------------------------------------------------------
# Units -> articles


def _mend(paras: Sequence[_Para]) -> list[_Para]:
    """Join each paragraph that stops mid-sentence with the body paragraph after it."""
    mended: list[_Para] = []
    for para in paras:
        last = mended[-1] if mended else None
        if (
            last is not None
            and not last.heading
            and not para.heading
            and para.dateline is None
            and _unfinished(last.text)
        ):
            glue = " " if LATIN.match(last.text.rstrip()[-1]) and LATIN.match(para.text.lstrip()[0]) else ""
            mended[-1] = replace(last, text=last.text.rstrip() + glue + para.text.lstrip())
        else:
            mended.append(para)
    return mended


def _published(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """(published, published_month_day) from the first date in the lead sentence of `text`."""
    match = FIRST_DATE.search(_first_sentence(text))
    if not match:
        return None, None
    year, month, day = match.groups()
    if year:
        return _iso_date(year, month, day), None
    if _iso_date("2000", month, day):  # a leap year: 2月29日 is a real month and day
        return None, (int(month), int(day))
    return None, None


def _to_article(unit: _Unit, zones: _Zones, gazetteer: Gazetteer) -> Article:
    header = unit.header
    dated = next((para for para in unit.paras if para.dateline is not None), None)
    paras = _mend(unit.paras)
    body = tuple(_single_spaced(p.text) if p.heading else _squeeze(p.text) for p in paras)
    lead = next((text for para, text in zip(paras, body) if not para.heading), "")
    published, month_day = _published(lead)
    if (published, month_day) == (None, None) and dated and dated.dateline:
        published, month_day = _published(dated.dateline)  # 本报太原5月8日讯
    zone = _about(unit, zones)
    named = [zone] if zone else []
    named += zones.in_header(header)
    for text in body:
        named += zones.named(text)
    found = gazetteer.get(zone) if zone else None
    city = found.city if found else None
    if city is None and header is not None:
        city = header.city or gazetteer.city_in(header.kicker or "") or gazetteer.city_in(header.title or "")
    return Article(
        kind=ARTICLE,
        title=header.title if header else None,
        body=body,
        zone=zone,
        zones=tuple(dict.fromkeys(named)),
        city=city,
        subtitle=header.subtitle if header else None,
        kicker=header.kicker if header else None,
        author=unit.byline or (dated.reporters if dated else None),
        dateline=_single_spaced(dated.dateline) if dated and dated.dateline else None,
        published=published,
        published_month_day=month_day,
    )


# ---------------------------------------------------------------------------------------------


def split_page(text: str, gazetteer: Gazetteer) -> Page:
    """Split the text of one page into articles and photos, in the order they are printed.

    Pure: text in, values out. Any text (empty, a masthead only, no headers at all) gives a
    Page; what cannot be placed in an article is kept in `Page.fragments`.

    Example usage::

        gazetteer = Gazetteer.from_csv(Path("config/zones.csv").read_text("utf-8"))
        page = split_page(Path("seeds/003_697c6edd13f2ce04.txt").read_text("utf-8"), gazetteer)
        page.articles[0].title  # '构筑校地合作新生态'
        page.articles[0].zone  # '晋城经济技术开发区'
        page.articles[0].author  # '王波'

    Args:
        text: the page as extracted from the PDF (any line endings; a form feed starts a new page,
            whose records follow those of the page before).
        gazetteer: the zones, to recognise zone lines and name the zones articles are about.
    """
    text = INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    sheets = [_split_sheet(sheet, gazetteer) for sheet in text.split(PAGE_BREAK)]
    issue_label = next((sheet.issue_label for sheet in sheets if sheet.issue_label), None)
    dates = sorted(_text_dates(text, issue_label[:4] if issue_label else None))
    return Page(
        articles=tuple(article for sheet in sheets for article in sheet.articles),
        fragments=tuple(fragment for sheet in sheets for fragment in sheet.fragments),
        issue_label=issue_label,
        masthead_date=next((sheet.masthead_date for sheet in sheets if sheet.masthead_date), None),
        latest_date=dates[-1] if dates else None,
        notes=tuple(note for sheet in sheets for note in sheet.notes),
    )


def _split_sheet(text: str, gazetteer: Gazetteer) -> Page:
    """split_page for the text of one printed page (no form feed); latest_date left to the caller."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    masthead = _find_masthead(lines)
    zones = _Zones(gazetteer)
    done = _assemble(_classify(lines, masthead, gazetteer), zones, gazetteer)
    _claim_bodies(done, zones)
    _rejoin_sections(done, zones)
    _place_orphans(done, zones)
    placed = [(unit.line, _to_article(unit, zones, gazetteer)) for unit in done.units] + done.photos
    placed.sort(key=lambda pair: pair[0])
    return Page(
        articles=tuple(article for _, article in placed),
        fragments=tuple(fragment for _, fragment in sorted(done.fragments) if fragment),
        issue_label=masthead.issue_label,
        masthead_date=masthead.date,
        notes=tuple(done.notes),
    )
