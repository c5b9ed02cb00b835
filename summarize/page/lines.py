"""Stage 1b: each line of a page as an item: paragraph, header line, byline, photo or skipped text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from summarize.zones import Gazetteer, Mention
from summarize.page.model import NOTE_CONTINUATION, NOTE_MASTHEAD, NOTE_SECTION
from summarize.page.text import (
    BYLINE_LINES,
    CAPTION_CREDIT,
    COLUMN_ONLY,
    COMMON_SURNAMES,
    CONTINUATION,
    CREDIT,
    DATELINE,
    MAX_COLON_LEAD_CHARS,
    MAX_COMMA_TITLE_CHARS,
    MAX_TITLE_CHARS,
    NAMES_ONLY,
    PAGE_NAME,
    PHOTOGRAPHER_ROLE,
    PHOTO_CAPTION_OPENING,
    PHOTO_MARK,
    PLACE_LOOKUPS,
    ROLE,
    ROLE_WORDS,
    SECTION_LABEL,
    SENTENCE_FINAL,
    SPACES,
    STAFF_BYLINE,
    SUBTITLE_DASHES,
    TRAILING_BYLINES,
    ZONE_NAME,
    has_clause_marks,
    is_unfinished,
    single_spaced,
    squeeze,
    visible_length,
)
from summarize.page.masthead import Masthead


@dataclass
class Para:
    """A body paragraph (or a subsection heading inside a body), text as printed."""

    line: int
    text: str
    dateline: str | None = None
    reporters: str | None = None  # the names the dateline credits
    heading: bool = False


@dataclass(frozen=True)
class HeadLine:
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
class Byline:
    line: int
    names: str
    label: str = ""  # what was printed before the names: "文/图", "记者"

    @property
    def printed(self) -> str:
        return f"{self.label} {self.names}".strip()


@dataclass(frozen=True)
class Photo:
    """A photo caption with its credit, or (caption None) a credit line under the caption above."""

    line: int
    caption: str | None
    author: str | None
    label: str = ""  # a role printed before the photographer: "本报记者"


@dataclass(frozen=True)
class Skip:
    """A line that is not article text: masthead, section label, continuation mark."""

    line: int
    note: str
    barrier: bool  # masthead and section labels end whatever came before


Item = Para | HeadLine | Byline | Photo | Skip


def is_name(text: str, gazetteer: Gazetteer) -> bool:
    """Whether `text` can be a byline: names only, not a section label nor a place (a zone, a
    city, the county or town a zone is named after: 盂县, 长子)."""
    if not NAMES_ONLY.match(text) or SECTION_LABEL.match(text) or gazetteer.mentions(text):
        return False
    city = gazetteer.city_in(text)
    if city is not None and text in (city, city + "市"):
        return False
    return gazetteer.lookup(text).how not in PLACE_LOOKUPS


def photo_of(text: str) -> Photo | None:
    """A caption with a credit (…。 张哲远摄, … ■ XX供图), a credit line (■ 梁栋 摄), or a caption
    without one (■ 园区一角, 图为…)."""
    marked = text.startswith(PHOTO_MARK)
    text = text.removeprefix(PHOTO_MARK).strip()
    if PHOTO_MARK in text:
        caption, _, credit = text.rpartition(PHOTO_MARK)
        return credited_photo(caption, credit.strip())
    match = CAPTION_CREDIT.match(text)
    if match:
        return captioned(match)
    if marked:
        return credited_photo("", text) if CREDIT.match(text) else Photo(0, text or None, None)
    if text.startswith(PHOTO_CAPTION_OPENING):
        return Photo(0, text, None)
    return None


def credited_photo(caption: str, credit: str) -> Photo:
    """A caption and the credit printed after a photo mark ("梁栋 摄", "XX供图")."""
    match = CREDIT.match(credit)
    who = match.group("who").strip() if match else credit
    return Photo(0, caption.strip() or None, who or None, (match.group("role") if match else None) or "")


def captioned(match: re.Match[str]) -> Photo:
    """The photo a CAPTION_CREDIT match describes."""
    caption = match.group("caption") or match.group("spaced") or match.group("bracketed") or match.group("provided")
    who = match.group("who") or match.group("who2") or match.group("who3")
    role = match.group("role") or match.group("role2") or ""
    trailing_role = re.search(rf"(?:^|\s){PHOTOGRAPHER_ROLE}$", caption or "") if not role else None
    if caption and trailing_role:  # "园区新貌 本报记者 王波 摄": the caption took the role
        caption, role = caption[: trailing_role.start()], trailing_role.group(0).strip()
    return Photo(0, (caption or "").strip() or None, single_spaced(who), role)


def place_at_start(text: str, gazetteer: Gazetteer) -> tuple[int, str | None, str | None]:
    """(end of the zone name or city the line starts with, that zone, that city); (0, None, None)."""
    mentions = gazetteer.mentions(text)
    if mentions and mentions[0].start == 0:
        return mentions[0].end, mentions[0].zone, None
    city = gazetteer.city_in(text)
    if city and SPACES.sub("", text) in (city, city + "市"):
        return len(text), None, city
    return unlisted_zone_at_start(text, mentions, gazetteer)


def unlisted_zone_at_start(text: str, mentions: Sequence[Mention], gazetteer: Gazetteer) -> tuple[int, str | None, None]:
    """Rule: a line opening with an official-looking zone name (介休经济技术开发区) names that zone,
    listed or not: a listed zone inside it (山西大同经济技术开发区) or of its place with another zone
    word (祁县经济技术开发区 for 祁县经济开发区) is that zone, else the name as printed is a zone the
    gazetteer lacks."""
    match = ZONE_NAME.match(text)
    if match is None:
        return 0, None, None
    inside = next((mention for mention in mentions if mention.start < match.end()), None)
    if inside is not None:
        return match.end(), inside.zone, None
    return match.end(), listed_or_printed(squeeze(match.group(0)), gazetteer), None


def listed_or_printed(name: str, gazetteer: Gazetteer) -> str:
    """The listed zone a zone name means by its place (祁县经济技术开发区 -> 祁县经济开发区), else the
    name as printed (a zone the gazetteer lacks)."""
    found = gazetteer.lookup(name)
    listed = found.zone is not None and found.how in PLACE_LOOKUPS | {"suffix"}
    return found.zone.name if listed and found.zone else name


def headline_shaped(text: str, gazetteer: Gazetteer) -> bool:
    """Short and without clause marks, but for a colon after the zone or city that opens a
    headline ("侯马经开区：保税物流跑出加速度")."""
    if visible_length(text) > MAX_TITLE_CHARS:
        return False
    place, colon, rest = text.partition("：") if "：" in text else text.partition(":")
    if colon and colon_headline(place, rest, gazetteer):
        text = place + rest
    return not has_clause_marks(text)


def comma_title_under_kicker(text: str, before: Item | None) -> bool:
    """Rule: right under a zone or city kicker, a short line with one comma and no sentence end
    is the title (抢抓机遇，奋力打造百亿级产业园), not the body."""
    after_kicker = isinstance(before, HeadLine) and before.bare_place
    commas = text.count("，") + text.count(",")
    return (
        after_kicker
        and commas == 1
        and visible_length(text) <= MAX_COMMA_TITLE_CHARS
        and not has_clause_marks(text.replace("，", "").replace(",", ""))
        and text.rstrip()[-1] not in SENTENCE_FINAL
    )


def colon_headline(place: str, rest: str, gazetteer: Gazetteer) -> bool:
    """Rule: before a headline's colon stands a zone or city, or a short place or unit of at most
    MAX_COLON_LEAD_CHARS characters (山西大同：…, 唐槐产业园区：…); after it, the headline."""
    if visible_length(rest) < 2:
        return False
    whole_place = place_at_start(place, gazetteer)[0] == len(place.rstrip()) > 0
    return whole_place or 0 < visible_length(place) <= MAX_COLON_LEAD_CHARS


class Classifier:
    """Reads the lines of a page one by one into items (see classify)."""

    def __init__(self, masthead: Masthead, gazetteer: Gazetteer) -> None:
        self.masthead, self.gazetteer = masthead, gazetteer
        self.items: list[Item] = []
        self.pending: list[Para] = []  # "科学导报 记者王波" alone on its line: the body starts on the next

    @property
    def last(self) -> Item | None:
        return self.items[-1] if self.items else None

    def flush(self) -> None:
        self.items.extend(Para(para.line, para.dateline or "") for para in self.pending)
        self.pending.clear()

    def emit(self, item: Item) -> None:
        pending = self.pending
        if pending and isinstance(item, Para) and item.dateline is None:
            item = replace(item, line=pending[0].line, dateline=pending[0].dateline, reporters=pending[0].reporters)
            pending.clear()
        self.flush()
        self.items.append(item)

    def line(self, number: int, text: str) -> None:
        for mark in CONTINUATION.findall(text):
            self.emit(Skip(number, NOTE_CONTINUATION + squeeze(mark), barrier=False))
        text = CONTINUATION.sub("", text).strip()
        if not text:
            return
        if number in self.masthead.lines:
            self.emit(Skip(number, NOTE_MASTHEAD + text, barrier=True))
        elif text == PAGE_NAME or SECTION_LABEL.match(text) or COLUMN_ONLY.match(text):
            self.emit(Skip(number, NOTE_SECTION + text, barrier=True))
        elif not self.photo(number, text):
            self.text(number, text)

    def photo(self, number: int, text: str) -> bool:
        """A caption or credit line: emitted (or given to the caption above); False if none."""
        photo = photo_of(text)
        if photo is None:
            return False
        last = self.last
        if photo.caption is None and not self.pending and uncredited_caption(last):
            assert isinstance(last, Photo)
            self.items[-1] = replace(last, author=photo.author, label=photo.label)  # the credit under its caption
        else:
            self.emit(replace(photo, line=number))
        return True

    def text(self, number: int, text: str) -> None:
        """A dateline body, a byline, a header line or a paragraph (maybe with its byline)."""
        dateline = None if staff_byline_after_body(text, self.last) else DATELINE.match(text)
        if dateline:
            para = Para(number, text[dateline.end() :].strip(), dateline.group(0), reporters_of(dateline))
            if not para.text:
                self.flush()
                self.pending.append(para)
                return
        else:
            byline = byline_alone(text, self.last, self.gazetteer)
            if byline and not self.pending:
                self.emit(replace(byline, line=number))
                return
            if headline_shaped(text, self.gazetteer) or comma_title_under_kicker(text, self.last):
                place_end, zone, city = place_at_start(text, self.gazetteer)
                self.emit(HeadLine(number, text, place_end, zone, city))
                return
            para = Para(number, text)
        trailing = trailing_byline(para.text, self.gazetteer)
        if trailing:
            self.emit(replace(para, text=trailing[0]))
            self.emit(replace(trailing[1], line=number))
        else:
            self.emit(para)


def classify(lines: Sequence[str], masthead: Masthead, gazetteer: Gazetteer) -> list[Item]:
    """Each non-empty line as an item; a body line may give two (paragraph, trailing byline)."""
    classifier = Classifier(masthead, gazetteer)
    for number, text in enumerate(lines):
        classifier.line(number, text)
    classifier.flush()
    return classifier.items


def staff_byline_after_body(text: str, before: Item | None) -> bool:
    """Rule: "本报记者 常乐 通讯员 任龙" right after body text signs it (it is no dateline: no
    body follows it in its article)."""
    return isinstance(before, Para) and bool(STAFF_BYLINE.match(text))


def first_match(patterns: Sequence[re.Pattern[str]], text: str) -> re.Match[str] | None:
    return next((match for match in (pattern.match(text) for pattern in patterns) if match), None)


def uncredited_caption(item: Item | None) -> bool:
    return isinstance(item, Photo) and item.caption is not None and item.author is None


def reporters_of(dateline: re.Match[str]) -> str | None:
    """The names a dateline credits, space-separated ("记者李阳 通讯员李明" -> "李阳 李明"), or None."""
    credits = dateline.group("bracketed") or dateline.group("credited")
    if not credits:
        return None
    return " ".join(name for name in re.split(rf"{ROLE}|[\s、，,]+", credits) if name)


def byline_alone(text: str, before: Item | None, gazetteer: Gazetteer) -> Byline | None:
    """The byline a whole line is: names after a label or in brackets anywhere, bare names where
    a byline may stand (see may_sign); else None."""
    match = first_match(BYLINE_LINES, text)
    names = single_spaced(ROLE_WORDS.sub(" ", match.group("names"))) if match else ""
    if match and are_names(names, gazetteer):
        labels = [squeeze(match.group("label") or ""), *ROLE_WORDS.findall(match.group("names"))]
        return Byline(0, names, " ".join(filter(None, labels)))
    if may_sign(before) and is_name(text, gazetteer):
        return Byline(0, single_spaced(text))
    return None


def may_sign(before: Item | None) -> bool:
    """Whether a line of names printed after `before` can be a byline.

    Not at the top of a page, nor after a byline, a photo, the masthead or a kicker: there it is
    a short title.
    """
    if isinstance(before, HeadLine):
        return not before.bare_place
    return isinstance(before, Para)


def are_names(names: str, gazetteer: Gazetteer) -> bool:
    return all(is_name(name, gazetteer) for name in names.split())


def trailing_byline(paragraph: str, gazetteer: Gazetteer) -> tuple[str, Byline] | None:
    """(the paragraph's text, its byline) when names follow its last sentence, else None.

    One unlabelled name needs a finished sentence before it ("…产品 价值" is a broken line).
    After an unfinished sentence, PDF spaces make its last words look like a name
    ("…综合利 用率达 赵敏 韩七"): leading "names" without a common surname stay in the text.
    """
    match = first_match(TRAILING_BYLINES, paragraph)
    if match is None:
        return None
    text, names = match.group("text"), match.group("names").split()
    while is_unfinished(text) and len(names) > 1 and names[0][0] not in COMMON_SURNAMES:
        text = f"{text} {names.pop(0)}"
    if not are_names(" ".join(names), gazetteer):
        return None
    if match.group("label") or len(names) > 1 or not is_unfinished(text):
        return text, Byline(0, " ".join(names), squeeze(match.group("label") or ""))
    return None
