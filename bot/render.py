"""The service's dataclasses as Chinese text in Telegram's HTML, and that HTML split for sending.

Every string from an article or a user goes through `esc` (html.escape); the markup itself uses
only <b> and <i>, and never across a blank line, so a paragraph is always well-formed on its own.
`split_message` cuts long text under Telegram's 4,096-character limit; `to_plain` turns the HTML
into what a reader sees, for the console.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.inbox import InboxOutcome
from bot.ingest import REPLACED, UNCHANGED
from bot.service import (
    ALL, CITY, SINCE_FILTER, ZONE, ArticleLine, ArticleSummary, ArticleText, BadFilter, CityView, IssueDigest,
    NotFound, Photo, SearchResults, Target, ZoneCard, ZoneCount,
)
from summarize import checks
from summarize.figures import Figure
from summarize.segment import ARTICLE, PAGE_NAME, PHOTO
from summarize.sentences import split_sentences
from summarize.zones import Zone, stated_level

from bot.outbox import Part

if TYPE_CHECKING:  # the delivery modules import this one
    from bot.admin import Stats
    from bot.planning import Digest, Schedule

MESSAGE_LIMIT = 4096  # Telegram's limit, in UTF-16 code units
ECHO_CHARS = 30  # at most this much of what a user typed is repeated back
BUTTON_TITLE_CHARS = 12  # of an article title on a 摘要 button
NO_TITLE = "（无标题）"
PHOTO_TITLE = "📷 图片新闻"  # only on buttons: lists show a photo as 📷 and its caption
ID_HINT = "方括号里是文章编号，/summary 编号 看摘要"
CUT_OFF = "（原文在此处中断：版面上这篇文章没有印完。）"
ISSUE_WORD = "期"  # in an issue label from a masthead or --issue: 2024年第34期
DATED_LABEL = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日")  # an issue named by its date (bot/ingest.py)

# The commands people see in /help and in Telegram's menu (setMyCommands), in this order.
MENU: tuple[tuple[str, str], ...] = (
    ("zone", "查看开发区或城市的最新报道，例如 /zone 晋城"),
    ("summary", "文章摘要、关键数据和关键词，例如 /summary 3，或 /summary 3 5 看多篇"),
    ("read", "阅读文章全文，例如 /read 3"),
    ("search", "全文搜索，例如 /search 铝 或 /search 人才 city:晋城 since:2024-07-01"),
    ("latest", "最新一期的文章摘要，/latest 2 看倒数第 2 期"),
    ("subscribe", "订阅开发区、城市或全部，例如 /subscribe 晋城经开区 吕梁"),
    ("unsubscribe", "取消订阅，例如 /unsubscribe 晋城；不带名称时列出你的订阅"),
    ("subscriptions", "查看我的订阅"),
    ("mute", "暂停新一期的推送（周报照常）"),
    ("unmute", "恢复新一期的推送"),
    ("digest", "周报的时间：/digest 周五 18:00 修改，/digest off 关闭"),
    ("help", "使用说明"),
)
# The admin commands (Settings.admins), listed by /help for admins only.
ADMIN_MENU: tuple[tuple[str, str], ...] = (
    ("ingest", "导入版面：发送版面文件，或 /ingest 文件名（收件箱中的文件）"),
    ("stats", "文章、订阅和近 7 天投递的统计"),
    ("digest_now", "立即向所有订阅者发送周报"),
)

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
_ATOM = re.compile(r"<[^>]*>|&#?[a-zA-Z0-9]+;|.", re.DOTALL)


def esc(text: object) -> str:
    """`text` escaped for Telegram's HTML parse mode."""
    return html.escape(str(text), quote=False)


def echo(text: str) -> str:
    """What a user typed, shortened to ECHO_CHARS characters and escaped."""
    text = " ".join(text.split())
    return esc(text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1] + "…")


def _untitled(kind: str) -> str:
    return PHOTO_TITLE if kind == PHOTO else NO_TITLE


def title_of(title: str | None, kind: str = ARTICLE) -> str:
    """An article's title as shown, escaped."""
    return esc(" ".join(title.split())) if title else _untitled(kind)


def button_title(title: str | None, kind: str = ARTICLE) -> str:
    """An article's title on a button (plain text: Telegram does not parse button labels)."""
    title = " ".join(title.split()) if title else _untitled(kind)
    return title if len(title) <= BUTTON_TITLE_CHARS else title[: BUTTON_TITLE_CHARS - 1] + "…"


# --- Telegram's limit -------------------------------------------------------------------------------


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`text` (Telegram HTML) in pieces of at most `limit` UTF-16 units.

    Pieces end at paragraph boundaries (blank lines) where they can; a paragraph longer than
    `limit` is cut between sentences, and a sentence longer than that between characters. A cut
    never falls inside a tag or an entity, and tags open at a cut are closed before it and opened
    again after it, so every piece is valid HTML on its own.

    Example usage::

        split_message("<b>标题</b>\\n\\n" + "很长的段落。" * 1000)  # ['<b>标题</b>', '很长的段落。…', …]
    """
    pieces: list[str] = []
    for paragraph in text.split("\n\n"):
        for part in _split_paragraph(paragraph, limit) if utf16_length(paragraph) > limit else [paragraph]:
            if pieces and utf16_length(pieces[-1]) + 2 + utf16_length(part) <= limit:
                pieces[-1] += "\n\n" + part
            else:
                pieces.append(part)
    return [piece for piece in pieces if piece.strip()] or [text]


def _split_paragraph(paragraph: str, limit: int) -> list[str]:
    """An over-long paragraph cut between sentences, else between atoms (tags, entities, characters)."""
    chunks: list[str] = []
    stack: list[tuple[str, str]] = []  # (name, opening tag) of the tags open at the end of `current`
    current: list[str] = []  # the atoms of the chunk being filled
    reopened = 0  # how many of them are tags re-opened from the chunk before

    def add(atoms: Sequence[str]) -> None:
        nonlocal stack
        current.extend(atoms)
        stack = _after(stack, atoms)

    def flush() -> None:
        nonlocal reopened
        chunks.append("".join(current) + _closing(stack))
        current[:] = [opening for _, opening in stack]
        reopened = len(current)

    for sentence in _lossless_sentences(paragraph):
        atoms = _ATOM.findall(sentence)
        if not _fits(current, atoms, stack, limit) and len(current) > reopened:
            flush()
        if _fits(current, atoms, stack, limit):
            add(atoms)
            continue
        for atom in atoms:  # a sentence longer than the limit
            if not _fits(current, [atom], stack, limit) and len(current) > reopened:
                flush()
            add([atom])
    if len(current) > reopened:
        flush()
    return chunks


def _lossless_sentences(paragraph: str) -> list[str]:
    """The sentences of `paragraph` with the whitespace between them kept (split_sentences drops it)."""
    pieces: list[str] = []
    cursor = 0
    for sentence in split_sentences(paragraph):
        end = paragraph.index(sentence, cursor) + len(sentence)
        pieces.append(paragraph[cursor:end])
        cursor = end
    if cursor < len(paragraph):
        pieces.append(paragraph[cursor:])
    return pieces


def _after(stack: list[tuple[str, str]], atoms: Sequence[str]) -> list[tuple[str, str]]:
    stack = list(stack)
    for atom in atoms:
        tag = _TAG.fullmatch(atom)
        if tag and tag.group(1):
            if stack and stack[-1][0] == tag.group(2).lower():
                stack.pop()
        elif tag:
            stack.append((tag.group(2).lower(), atom))
    return stack


def _closing(stack: Sequence[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _fits(current: Sequence[str], atoms: Sequence[str], stack: list[tuple[str, str]], limit: int) -> bool:
    text = "".join(current) + "".join(atoms)
    return utf16_length(text) + utf16_length(_closing(_after(stack, atoms))) <= limit


def to_plain(text: str) -> str:
    """Telegram HTML as a reader sees it: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", text))


# --- replies ----------------------------------------------------------------------------------------


def _command_lines(menu: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"/{name} — {esc(description)}" for name, description in menu)


def help_text(is_admin: bool = False, bot_username: str | None = None) -> str:
    """What the bot does, with examples; for an admin, the admin commands too."""
    bot = f"@{esc(bot_username)}" if bot_username else "@机器人用户名"
    commands = _command_lines(MENU)
    if is_admin:
        commands += "\n\n<b>管理员命令</b>\n" + _command_lines(ADMIN_MENU)
    return (
        "<b>开发区简报机器人</b>\n"
        "我整理《科学导报·开发区建设》版面上山西各开发区的报道：查开发区、看摘要、搜全文、订阅推送。\n\n"
        f"{commands}\n\n"
        "也可以直接发送开发区或城市的名字（如“晋城经开区”“吕梁”，繁体、拼音 jincheng 或错别字也行），"
        "其他文字会当作搜索词。\n"
        f"在任何聊天里输入 {bot} 晋城（开发区、城市、拼音或关键词），可以挑一篇报道的简报发给别人。\n"
        "在群里：只有群管理员能更改本群的订阅。为频道订阅：私聊我发送 /subscribe @频道用户名 名称（你和我都须是频道管理员）。"
    )


def article_line(article_id: int, title: str | None, kind: str = ARTICLE, *, date: str | None = None,
                 zone: str | None = None, text: str = "") -> str:
    """One article in any list (zone card, city view, search, latest, digest, push): its id in
    brackets, which is what /summary and /read take, then its date, zone and title (a photo: 📷,
    never a title), and `text` (a gist, a snippet or a summary) on the next line.

    Example usage::

        article_line(18, "构筑校地合作新生态", date="2024-07-26", zone="晋城经开区", text="…")
        # '[18] 2024-07-26 晋城经开区《构筑校地合作新生态》\n…'
    """
    facts = "".join(f"{esc(fact)} " for fact in (date, zone) if fact)
    line = f"[{article_id}] {facts}" + ("📷 图片" if kind == PHOTO else f"《{title_of(title, kind)}》")
    return f"{line}\n{esc(text)}" if text else line


def _article_lines(lines: Sequence[ArticleLine], show_zone: bool) -> str:
    return "\n\n".join(article_line(line.id, line.title, line.kind, date=line.date or "日期不详",
                                    zone=line.zone if show_zone else None, text=line.gist) for line in lines)


def _range(offset: int, shown: int, total: int) -> str:
    return f"第 {offset + 1}–{offset + shown} 篇，共 {total} 篇" if shown else f"共 {total} 篇"


def _figures(figures: Sequence[Figure]) -> str:
    """Each figure with what it measures and the period it covers: • 7.58亿元（上半年 增加值）."""
    lines = []
    for figure in figures:
        label = " ".join(part for part in (figure.period, figure.measure) if part)
        lines.append(f"• {esc(figure.value)}（{esc(label)}）" if label else f"• {esc(figure.value)}")
    return "\n".join(lines)


def photo_line(photo: Photo, show_zone: bool = True) -> str:
    """A photo in a list: what it shows (its caption) and whose it is, never as an article title."""
    facts = "".join(f"{esc(fact)} " for fact in (photo.date, photo.zone if show_zone else None) if fact)
    credit = f"（图：{esc(photo.credit)}）" if photo.credit else ""
    return f"📷 {facts}{esc(photo.caption)}{credit}"


def _photos(photos: Sequence[Photo], show_zone: bool) -> list[str]:
    if not photos:
        return []
    return ["<b>图片</b>\n" + "\n".join(photo_line(photo, show_zone) for photo in photos)]


def zone_card(card: ZoneCard) -> str:
    """A zone: official name, city, level, article count, latest articles, figures, keywords."""
    zone = card.zone
    level = stated_level(zone.level)
    facts = [f"城市：{esc('、'.join(zone.cities) or '不详')}", *([esc(level)] if level else []),
             f"报道：{card.article_count} 篇"]
    parts = [f"<b>{esc(zone.name)}</b>\n" + " · ".join(facts)]
    if zone.aliases:
        parts[0] += f"\n又称：{esc('、'.join(zone.aliases))}"
    parts.extend(_latest(card.articles, card.offset, card.article_count, heading="最新报道", show_zone=False,
                         none="暂无这个开发区的报道。订阅后，有新报道时会推送给你。"))
    parts.extend(_photos(card.photos, show_zone=False))
    if card.figures:
        parts.append("<b>关键数据</b>\n" + _figures(card.figures))
    if card.keywords:
        parts.append("<b>关键词</b>：" + esc("、".join(card.keywords)))
    return "\n\n".join(parts)


def city_view(view: CityView) -> str:
    """A city: its zones with articles (counted), one line for those without, its latest articles."""
    lines = [f"<b>{esc(view.city)}</b>：{len(view.zones) + len(view.quiet)} 个开发区，{len(view.zones)} 个有报道"]
    lines.extend(f"• {esc(entry.zone.name)}（{entry.article_count} 篇）" for entry in view.zones)
    if view.quiet:
        lines.append(quiet_zones_line(len(view.quiet), bool(view.zones)))
    parts = ["\n".join(lines)]
    parts.extend(_latest(view.articles, view.offset, view.article_count, heading=f"{esc(view.city)}最新报道",
                         show_zone=True, none=f"暂无{esc(view.city)}的报道。"))
    parts.extend(_photos(view.photos, show_zone=True))
    return "\n\n".join(parts)


def quiet_zones_line(count: int, others: bool) -> str:
    """The one line that stands for a city's zones without articles."""
    return f"另有 {count} 个开发区暂无报道。" if others else f"这 {count} 个开发区都暂无报道。"


def quiet_zones(city: str, zones: Sequence[ZoneCount]) -> str:
    """A city's zones without articles, and how to hear when they have some."""
    if not zones:
        return f"{esc(city)}的开发区都有报道了：发送 /zone {esc(city)} 查看。"
    names = "\n".join(f"• {esc(entry.zone.name)}" for entry in zones)
    return (f"<b>{esc(city)}暂无报道的开发区</b>（{len(zones)} 个）\n{names}\n\n"
            f"订阅后，有新报道时会推送给你：例如 /subscribe {esc(zones[0].zone.name)}，或点下面的按钮订阅全市。")


def _latest(lines: Sequence[ArticleLine], offset: int, total: int, *, heading: str, show_zone: bool,
            none: str) -> list[str]:
    """A page of articles under `heading` (HTML), the end of the list, or `none` when there are none."""
    if lines:
        return [f"<b>{heading}</b>（{_range(offset, len(lines), total)}，{ID_HINT}）", _article_lines(lines, show_zone)]
    return [f"已经到底了：共 {total} 篇。" if total else none]


def directory(cities: Sequence[tuple[str, Sequence[ZoneCount]]]) -> str:
    """Every city and its zones (article counts where there are articles)."""
    total = sum(len(zones) for _, zones in cities)
    lines = [f"<b>山西各市开发区</b>（{total} 个）：发送 /zone 名称 查看，例如 /zone 晋城"]
    for city, zones in cities:
        names = "、".join(esc(entry.zone.name) + (f"（{entry.article_count} 篇）" if entry.article_count else "")
                         for entry in zones)
        lines.append(f"<b>{esc(city)}</b>：{names}")
    return "\n\n".join(lines)


def not_found(result: NotFound, action: str = "查看") -> str:
    """No zone or city by that name, and what comes closest (its buttons do `action`)."""
    text = f"没有找到“{echo(result.query)}”。"
    if result.suggestions:
        names = "、".join(esc(entry.zone.name) for entry in result.suggestions)
        return text + f"你要找的是不是：{names}？点下面的按钮{action}。"
    return text + "请检查名称，或发送 /zone 查看全部开发区。"


def issue_name(label: str) -> str:
    """An issue as readers know it, with its section: 《科学导报》2024年第34期「开发区建设」版; one
    without a printed number by its section and date (「开发区建设」版 2025年11月30日收到); a label that is only a
    page file's name (stores written by older versions) as such."""
    if ISSUE_WORD in label:
        return f"《科学导报》{esc(label)}「{PAGE_NAME}」版"
    if DATED_LABEL.match(label):
        return f"「{PAGE_NAME}」版 {esc(label)}"
    return f"版面 {esc(label)}"


def _meta(zone: str | None, date: str | None, author: str | None, issue_label: str) -> str:
    facts = [esc(zone) if zone else None, esc(date) if date else None,
             f"作者：{esc(author)}" if author else None, issue_name(issue_label)]
    return " · ".join(fact for fact in facts if fact)


def photo(article: ArticleText) -> str:
    """A news photo as itself: whose zone, its caption and credit (it has no title and no summary)."""
    heading = "<b>📷 图片新闻</b>\n" + _meta(article.zone, article.date, None, article.issue_label)
    credit = f"\n图：{esc(article.author)}" if article.author else ""
    return f"{heading}\n\n{esc(' '.join(article.paragraphs))}{credit}"


def article_summary(article: ArticleSummary) -> str:
    """One article: title, zone, date, author, the summary, key figures, keywords."""
    heading = f"<b>{title_of(article.title, article.kind)}</b>"
    if article.subtitle:
        heading += f"\n{esc(article.subtitle)}"
    parts = [heading + "\n" + _meta(article.zone, article.date, article.author, article.issue_label),
             f"<b>摘要</b>：{esc(article.summary.text or '这篇文章太短，没有可摘要的句子。')}"]
    if article.figures:
        parts.append("<b>关键数据</b>\n" + _figures(article.figures))
    if article.summary.keywords:
        parts.append("<b>关键词</b>：" + esc("、".join(article.summary.keywords)))
    if article.cut_off:
        parts.append(CUT_OFF)
    return "\n\n".join(parts)


def article_text(article: ArticleText) -> str:
    """One article in full (long: send it through split_message)."""
    heading = f"<b>{title_of(article.title, article.kind)}</b>"
    if article.subtitle:
        heading += f"\n{esc(article.subtitle)}"
    heading += "\n" + _meta(article.zone, article.date, article.author, article.issue_label)
    return "\n\n".join([heading, *(esc(paragraph) for paragraph in article.paragraphs),
                        *([CUT_OFF] if article.cut_off else [])])


# --- inline mode: messages read in chats the bot is not in -----------------------------------------


def source_line(issue_label: str) -> str:
    """Where an article was printed: the newspaper, its issue and the page."""
    return f"来源：{_source(issue_label)}"


def _source(issue_label: str) -> str:
    if ISSUE_WORD in issue_label:
        return f"《科学导报》{esc(issue_label)}「{PAGE_NAME}」版"
    return f"《科学导报》「{PAGE_NAME}」版（{esc(issue_label)}）"  # 2025年4月18日, 2025年11月30日收到


def card_sources(sources: Sequence[tuple[int, str]]) -> str:
    """Where each article of a card was printed, by id (a card posted inline is read away from the bot)."""
    if not sources:
        return ""
    return "\n\n<b>来源</b>\n" + "\n".join(f"[{article_id}] {_source(label)}" for article_id, label in sources)


def briefing(article: ArticleSummary) -> str:
    """One article on its own: title, zone, date, id, summary, figures and source (an inline result)."""
    heading = f"<b>{title_of(article.title, article.kind)}</b>"
    facts = [esc(fact) for fact in (article.zone, article.date) if fact] + [f"编号 {article.id}"]
    parts = [heading + "\n" + " · ".join(facts),
             f"<b>摘要</b>：{esc(article.summary.text or '这篇文章太短，没有可摘要的句子。')}"]
    if article.figures:
        parts.append("<b>关键数据</b>\n" + _figures(article.figures))
    if article.cut_off:
        parts.append(CUT_OFF)
    parts.append(source_line(article.issue_label))
    return "\n\n".join(parts)


def inline_footer(bot_username: str | None, article_id: int | None = None) -> str:
    """The last line of a chosen inline result: who sent it, and how to read on."""
    bot = f"@{esc(bot_username)}" if bot_username else "开发区简报机器人"
    if article_id is not None:
        return f"\n\n—— {bot}：私聊发送 /read {article_id} 阅读全文"
    return f"\n\n—— {bot}：私聊发送 /summary 编号 看摘要"


def inline_title(line: ArticleLine) -> str:
    """An article in the inline list (plain text): its title; a photo: what it is."""
    if line.kind == PHOTO:
        return f"📷 {line.zone or ''}图片新闻"
    return " ".join(line.title.split()) if line.title else NO_TITLE


def inline_description(line: ArticleLine) -> str:
    """The grey lines under an inline result (plain text): zone, date, one-sentence summary."""
    return " · ".join(fact for fact in (line.zone, line.date, line.gist) if fact)


def zone_description(card: ZoneCard) -> str:
    """A zone in the inline list (plain text)."""
    level = stated_level(card.zone.level)
    latest = f" · 最新：{' '.join(card.articles[0].title.split())}" if card.articles and card.articles[0].title else ""
    return f"{level + ' · ' if level else ''}{card.article_count} 篇报道{latest}"


def city_description(view: CityView) -> str:
    """A city in the inline list (plain text)."""
    return f"{len(view.zones) + len(view.quiet)} 个开发区，{len(view.zones)} 个有报道，共 {view.article_count} 篇"


def search_results(results: SearchResults) -> str:
    """A page of the articles a search found, each with a snippet, under the true total."""
    if results.bad_filter:
        return bad_filter(results.bad_filter)
    if not results.terms:
        return "没有可以搜索的词：请输入中文或英文关键词，例如 /search 人才"
    within = f"（{esc('、'.join(results.filters))}）" if results.filters else ""
    if not results.total:
        return (f"没有找到包含“{echo(results.query)}”的文章{within}。"
                "试试更短或别的关键词，或发送 /zone 查看开发区。")
    if not results.hits:
        return f"已经到底了：包含“{echo(results.query)}”的文章{within}共 {results.total} 篇。"
    words = "、".join(f"“{echo(term)}”" for term in results.terms)
    parts = [f"<b>搜索{words}</b>{within}：{_range(results.offset, len(results.hits), results.total)}，"
             f"按日期从新到旧（{ID_HINT}）"]
    parts.extend(article_line(hit.id, hit.title, hit.kind, date=hit.date, zone=hit.zone, text=hit.snippet)
                 for hit in results.hits)
    return "\n\n".join(parts)


def bad_filter(bad: BadFilter) -> str:
    """A search filter that names nothing, and how to write it."""
    if bad.name.lower() in SINCE_FILTER:
        return (f"看不懂日期“{echo(bad.value)}”：{esc(bad.name)}: 后面写日期，例如 since:2024-07-01、"
                "since:2024-07 或 since:2024")
    return (f"没有叫“{echo(bad.value)}”的开发区或城市：{esc(bad.name)}: 后面写开发区或城市的名字，"
            "例如 zone:晋城经开区 或 city:晋城")


NO_ISSUES = "还没有任何一期：请先导入版面（zonebrief ingest）。"


def latest(issue: IssueDigest) -> str:
    """An issue (the newest, or the number-th newest): each article's title, zone and summary, then
    its photos."""
    which = "最新一期" if issue.number == 1 else f"倒数第 {issue.number} 期（共 {issue.issue_count} 期）"
    parts = [f"<b>{which}：{issue_name(issue.label)}</b>（{esc(issue.date)}，{len(issue.articles)} 篇，{ID_HINT}）"]
    parts.extend(article_line(article.id, article.title, article.kind, date=article.date or issue.date,
                              zone=article.zone, text=article.summary.text or "（无摘要）") for article in issue.articles)
    parts.extend(_photos(issue.photos, show_zone=True))
    return "\n\n".join(parts)


def no_such_issue(number: int, count: int) -> str:
    """/latest N past the oldest issue."""
    if not count:
        return NO_ISSUES
    return f"没有倒数第 {number} 期：现在共有 {count} 期，请发送 /latest 1 到 /latest {count}。"


def target_name(target: Target) -> str:
    """A subscription target as people say it, escaped."""
    if target.kind == ALL:
        return "全部开发区"
    if target.kind == CITY:
        return f"{esc(target.name)}（城市，含其所有开发区）"
    return esc(target.name)


def subscriptions(targets: Sequence[Target], how_to_cancel: str = "点下面的按钮取消订阅。") -> str:
    """A chat's subscriptions."""
    if not targets:
        return "你还没有订阅。发送 /subscribe 晋城经开区（或城市名、全部）订阅，有新报道时会推送给你。"
    kinds = {ZONE: "开发区", CITY: "城市", ALL: "全部"}
    lines = "\n".join(f"• {kinds[target.kind]}：{target_name(target)}" for target in targets)
    return f"<b>你的订阅</b>（{len(targets)} 项）\n{lines}\n\n{how_to_cancel}"


# --- groups and channels ------------------------------------------------------------------------

GROUP_ADMINS_ONLY = "只有本群的管理员可以更改本群的订阅和推送设置。其他命令（如 /zone、/subscriptions、/digest）人人可用。"
CHANNELS_ON_TELEGRAM_ONLY = ("要为频道订阅，请在 Telegram 里私聊机器人发送 /subscribe @频道用户名 名称"
                             "（你和机器人都须是该频道的管理员）。")


def channel_heading(title: str) -> str:
    """The first line of an answer about a channel's subscriptions."""
    return f"<b>频道「{esc(title)}」</b>"


def channel_cancel_hint(chat_id: int) -> str:
    """How to cancel a channel's subscription (its answers carry no buttons)."""
    return f"取消订阅：发送 /unsubscribe {chat_id} 名称。"


def channel_not_found(reference: str) -> str:
    """getChat could not find the channel."""
    return (f"找不到频道 {echo(reference)}：请检查频道用户名（如 @zone_news）或编号（-100 开头），"
            "并先把机器人加为该频道的管理员。")


def not_a_channel(title: str) -> str:
    """The chat named is a group or a private chat, not a channel."""
    return f"「{esc(title)}」不是频道：在群里订阅请直接在群中发送 /subscribe（须是群管理员）。"


def not_channel_admin(title: str) -> str:
    """The sender does not administer the channel."""
    return f"只有频道「{esc(title)}」的管理员可以更改它的订阅。"


def bot_cannot_post(title: str) -> str:
    """The bot is not an administrator allowed to post in the channel."""
    return f"机器人还不能在频道「{esc(title)}」发消息：请先把机器人设为该频道的管理员，并允许它发布消息。"


def subscribe_usage() -> str:
    """How to subscribe."""
    return ("<b>订阅</b>：有新报道时推送给你，每周还有一份周报。\n"
            "/subscribe 晋城经开区 — 订阅一个开发区\n"
            "/subscribe 吕梁 — 订阅一个城市的所有开发区\n"
            "/subscribe 全部 — 订阅全部开发区\n\n"
            "也可以点下面的城市订阅。")


def subscribed(target: Target, new: bool) -> str:
    """The answer to /subscribe."""
    if not new:
        return f"你已订阅{target_name(target)}，无需重复订阅。发送 /subscriptions 查看你的订阅。"
    return f"订阅成功：{target_name(target)}。有新报道时会推送给你；发送 /subscriptions 查看或取消订阅。"


def nothing_to_cancel(query: str, targets: Sequence[Target]) -> str:
    """/unsubscribe with a name that is no zone or city: what the chat could cancel instead."""
    if not targets:
        return f"没有找到“{echo(query)}”，而且你还没有任何订阅。"
    names = "、".join(target_name(target) for target in targets)
    return f"没有找到“{echo(query)}”。你订阅的是：{names}。"


def unsubscribed(target: Target, removed: bool) -> str:
    """The answer to /unsubscribe."""
    if not removed:
        return f"你没有订阅{target_name(target)}。发送 /subscriptions 查看你的订阅。"
    return f"已取消订阅：{target_name(target)}。"


CANCEL_EVERYTHING_HINT = "\n“全部”指订阅全部开发区的那一项；要取消你的所有订阅，请点下面的按钮（会先请你确认）。"


def confirm_unsubscribe_all(count: int) -> str:
    """The question before cancelling every subscription of a chat."""
    return f"确定要取消你的全部 {count} 项订阅吗？取消后将不再收到推送和周报。"


def unsubscribed_all(count: int) -> str:
    """The answer to the confirmed 取消所有订阅."""
    return f"已取消全部 {count} 项订阅。" if count else "你还没有任何订阅。"


def ignored(command: str, text: str) -> str:
    """A word about what a command did not use."""
    return f"（已忽略“{echo(text)}”：/{esc(command)} 用不到它，发送 /help 查看用法。）"


def zone_label(zone: Zone, count: int) -> str:
    """A zone on a button."""
    return f"{zone.name}（{count}）" if count else zone.name


# --- Delivery: pushes, digests, admin answers -------------------------------------------------------

ADMIN_ONLY = "抱歉，此命令仅限管理员使用。"


# Rows of 摘要 / 全文 buttons (one row an article) in one message: Telegram allows 100 buttons.
MAX_ARTICLE_ROWS = 40
NEWSPAPER = "科学导报"


def _article_buttons(line: ArticleLine) -> tuple[tuple[str, str], ...]:
    return ((f"摘要：{button_title(line.title, line.kind)}", f"sum:{line.id}"), ("全文", f"read:{line.id}"))


def pack(blocks: Sequence[tuple[str, tuple[tuple[str, str], ...] | None]]) -> list[Part]:
    """Blocks of text (each with an optional row of buttons) joined by blank lines into as few
    messages as fit Telegram's limits: a new message only past MESSAGE_LIMIT or MAX_ARTICLE_ROWS."""
    parts: list[Part] = []
    text, rows = "", list[tuple[tuple[str, str], ...]]()
    for block, row in blocks:
        joined = f"{text}\n\n{block}" if text else block
        if text and (utf16_length(joined) > MESSAGE_LIMIT or (row and len(rows) >= MAX_ARTICLE_ROWS)):
            parts.append(Part(text, tuple(rows)))
            joined, rows = block, []
        text = joined
        if row:
            rows.append(row)
    parts.append(Part(text, tuple(rows)))
    return [piece for part in parts for piece in _fit(part)]


def _fit(part: Part) -> list[Part]:
    """A part over the limit (one block longer than a message) split, its buttons under the last piece."""
    pieces = split_message(part.text)
    return [Part(piece, part.buttons if index == len(pieces) - 1 else ()) for index, piece in enumerate(pieces)]


def linked_source(issue_label: str, source_url: str | None) -> str:
    """source_line, with a link to the newspaper's pages when the operator configured source_url."""
    line = source_line(issue_label)
    return f'{line} · <a href="{html.escape(source_url, quote=True)}">查看原版</a>' if source_url else line


def issue_push(label: str, lines: Sequence[ArticleLine], source_url: str | None = None) -> list[Part]:
    """One chat's push of a new issue: its articles of the issue, each with 摘要 / 全文 buttons."""
    head = f"🆕 <b>开发区新报道</b> · {issue_name(label)}：你订阅的开发区有 {len(lines)} 篇新报道。"
    blocks: list[tuple[str, tuple[tuple[str, str], ...] | None]] = [(head, None)]
    blocks += [(article_line(line.id, line.title, line.kind, zone=line.zone, text=line.gist), _article_buttons(line))
               for line in lines]
    blocks.append((linked_source(label, source_url), None))
    return pack(blocks)


def digest_parts(digest: Digest) -> list[Part]:
    """A chat's digest, grouped by subscription, each article with 摘要 / 全文 buttons."""
    if not digest.count:
        return [Part("📋 <b>开发区周报</b>\n\n自上次周报以来，你订阅的开发区没有新报道。")]
    blocks: list[tuple[str, tuple[tuple[str, str], ...] | None]] = [
        (f"📋 <b>开发区周报</b>：自上次周报以来，你订阅的开发区共有 {digest.count} 篇新报道。", None)]
    for section in digest.sections:
        blocks.append((f"<b>【{target_name(section.target)}】</b>", None))
        blocks += [(article_line(line.id, line.title, line.kind, date=line.date,
                                 zone=line.zone if section.target.kind != ZONE else None, text=line.gist),
                    _article_buttons(line)) for line in section.entries]
    blocks.append(("点按钮看摘要或全文，或发送 /summary 编号、/read 编号。", None))
    return pack(blocks)


def archived_notice(label: str, date: str) -> str:
    """To the admins: an inbox page older than what was pushed was stored as archive (BACKFILL)."""
    return (f"📦 {issue_name(label)}（{esc(date)}）早于已推送的最新一期，已作为存档导入：可查询、可搜索，"
            "但不推送，也不算作周报里的新报道。")


def hold_notice(issues: int, articles: int, chats: int, most: int) -> str:
    """To the admins: an arrival held for their decision (FLOOD), with what would go out."""
    return (f"⏸ 新到 {issues} 个版面，共 {articles} 篇文章，将推送给 {chats} 个聊天，"
            f"其中一个聊天最多会收到 {most} 篇（超过上限 push_hold_articles）。已暂缓推送：请选择全部推送，"
            "或存为存档（可查询，不推送）。")


def hold_decided(decision: str | None) -> str:
    """A hold button pressed again, or for a hold that does not exist."""
    if decision is None:
        return "没有这批暂缓推送的版面：按钮已失效。"
    return f"这批版面已经处理过了（{'已推送' if decision == 'push' else '已存为存档'}）。"


def hold_archived(issues: int) -> str:
    return f"已把 {issues} 个版面存为存档：可查询、可搜索，不推送。"


def hold_pushed(messages: int) -> str:
    return f"已安排推送：共 {messages} 条消息，机器人几秒内发出。"


# --- An editor's look before a push (bot.planning: hold_for_review, decide_review) ----------------

CHECK_NAMES = {
    checks.NO_TITLE: "无标题", checks.SHORT_BODY: "正文过短", checks.UNKNOWN_ZONE: "开发区未知",
    checks.BYLINE_TITLE: "标题像署名", checks.GARBLED_TITLE: "标题乱码", checks.PAGE_FRAGMENTS: "版面有未归位的片段",
}
REVIEW_STATES = {"held": "待审", "dropped": "已删除", None: "已发布"}
FIRST_LINE_CHARS = 40


@dataclass(frozen=True)
class ReviewRecord:
    """One stored record as an admin reviews it."""

    id: int
    issue: str  # the issue's label
    zone: str | None
    title: str | None
    body: str
    review: str | None  # articles.review
    checks: tuple[str, ...]  # the checks it failed (summarize.checks)


def _first_line(body: str) -> str:
    line = body.strip().split("\n", 1)[0].strip()
    return line if len(line) <= FIRST_LINE_CHARS else line[:FIRST_LINE_CHARS] + "…"


def review_line(record: ReviewRecord) -> str:
    """A record in plain text (the terminal's `zonebrief review`): id, state, zone, title, first line, checks."""
    checks = "、".join(CHECK_NAMES.get(name, name) for name in record.checks) or "无"
    return (f"#{record.id} [{REVIEW_STATES.get(record.review, record.review)}] {record.issue} · "
            f"{record.zone or '（开发区未知）'} · {record.title or '（无标题）'}\n    {_first_line(record.body)}\n"
            f"    存疑：{checks}")


def review_notice(label: str, records: Sequence[ReviewRecord]) -> list[Part]:
    """To the admins: a page's records, the held ones with 发布 / 删除 / 并入上一篇 buttons."""
    held = sum(1 for record in records if record.review == "held")
    head = (f"🔎 <b>推送前待审</b> · {issue_name(label)}：本版 {len(records)} 篇，其中 {held} 篇存疑，暂不推送。"
            "请逐篇选择发布、删除，或把片段并入上一篇。")
    blocks: list[tuple[str, tuple[tuple[str, str], ...] | None]] = [(head, None)]
    for number, record in enumerate(records):
        text = esc(review_line(record))
        if record.review != "held":
            blocks.append((text, None))
            continue
        buttons = [(f"发布 {record.id}", f"review:{record.id}:publish"), (f"删除 {record.id}", f"review:{record.id}:drop")]
        if number:
            buttons.append((f"并入上一篇 {record.id}", f"review:{record.id}:join"))
        blocks.append((text, tuple(buttons)))
    return pack(blocks)


def review_missing(article_id: int) -> str:
    return f"没有编号为 {article_id} 的文章：请用 zonebrief review 列出待审的记录，再按编号处理。"


def review_decided(article_id: int, state: str | None) -> str:
    return f"文章 {article_id} 不在待审中（{REVIEW_STATES.get(state, state)}）：无需再处理。"


def review_no_previous(article_id: int) -> str:
    return f"文章 {article_id} 是本版第一篇，没有上一篇可并入：请选择发布或删除。"


def review_published(article_id: int, messages: int) -> str:
    return f"已发布文章 {article_id}" + (f"，安排推送 {messages} 条消息。" if messages else "（没有需要推送的订阅者，或随本版一起推送）。")


def review_dropped(article_id: int) -> str:
    return f"已删除文章 {article_id}：不推送（仍保存在数据库中，可用 /read 查看）。"


def review_joined(article_id: int, previous: int) -> str:
    return f"已把文章 {article_id} 并入上一篇（{previous}）。"


def review_none() -> str:
    return "没有待审的记录。"


def delivery_failed(chat_id: int, key: str, part: int, error: str) -> str:
    """The notice to the admins when a message could not be sent, for good."""
    return (f"⚠️ 一条消息无法发送给聊天 {chat_id}（{key}，第 {part} 部分）："
            f"{esc(error)}。已标记为失败，不再重试。")


def stats_text(stats: Stats) -> str:
    """Stats as Telegram HTML."""
    return (
        "<b>运行统计</b>\n"
        f"版面：{stats.issues} 期 · 文章：{stats.articles} 篇 · 有报道的开发区：{stats.zones} 个\n"
        f"订阅者：{stats.subscribers} 个聊天（{stats.subscriptions} 项订阅，其中 {stats.paused} 个聊天已暂停推送）\n"
        f"近 7 天投递：已发送 {stats.sent} 条，未确认 {stats.unconfirmed} 条，"
        f"进程中断后重发（可能重复）{stats.resent} 条，失败 {stats.failed} 条；"
        f"当前待发送 {stats.pending} 条\n"
        f"最近一次周报：{esc(stats.last_digest or '尚无')}"
        + (f"\n名录外新发现的开发区（请核实后补入 zones.csv）：{esc('、'.join(stats.discovered))}" if stats.discovered else "")
    )


def ingest_report(outcome: InboxOutcome, pushes: int) -> str:
    """What became of one page an admin handed in."""
    name = esc(outcome.name)
    if outcome.kept:
        later = "机器人稍后会自动重试。" if outcome.outcome.transient else ""
        return f"暂未导入 {name}：{esc(outcome.outcome.error)}\n文件仍留在收件箱。{later}"
    if not outcome.ok:
        return f"导入 {name} 失败：{esc(outcome.outcome.error)}\n文件已移到 failed/ 文件夹。"
    result = outcome.outcome.result
    assert result is not None  # an outcome that is ok has a result
    issue = f"{esc(result.label)}（{result.issue_date}）"
    if result.status == UNCHANGED:
        return f"{name} 与已导入的 {esc(result.source)} 内容相同，没有新内容，不会重复推送。"
    verb = "已更新" if result.status == REPLACED else "已导入"
    return f"{verb} {name}：{issue}，{result.article_count} 篇文章；已安排推送 {pushes} 条消息。"


def not_in_inbox(name: str, waiting: Sequence[str]) -> str:
    """/ingest with a name that is no page file in the inbox."""
    listing = "、".join(esc(file) for file in waiting) or "（收件箱是空的）"
    return f"收件箱里没有“{echo(name)}”：请写文件名（不含路径）。收件箱里现有：{listing}"


def not_a_page_file(filename: str) -> str:
    """A document handed in that is no page file."""
    return f"只能导入版面文本（.txt）或版面 PDF（.pdf）文件，收到的是“{echo(filename)}”。"


def ingest_usage(waiting: Sequence[str]) -> str:
    """/ingest without a file: how to use it, and what waits in the inbox."""
    listing = "\n".join(f"• {esc(name)}" for name in waiting) or "（收件箱是空的）"
    return ("用法：把版面文件（.txt 文本或 .pdf）作为文件发给我，说明写 /ingest；"
            f"或发送 /ingest 文件名，导入收件箱里已有的文件。\n收件箱里现有：\n{listing}")


def digest_planned(chats: int, messages: int) -> str:
    """/digest_now's answer."""
    if not chats:
        return "已生成周报，但自上次周报以来没有订阅者关心的新报道，所以没有消息要发（可用配置项 digest_send_empty 改为照发）。"
    return f"已生成周报：{chats} 个聊天，共 {messages} 条消息，已排入发件箱，机器人几秒内发出。"


# --- what a chat gets: pushes and its digest -----------------------------------------------------------

WEEKDAY_NAMES = "一二三四五六日"
BEIJING_TIME = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"})


def digest_status(schedule: Schedule | None, muted: bool) -> str:
    """When this chat's digest comes (None: it is off), and whether new issues are pushed."""
    if schedule is None:
        when = "周报：已关闭。发送 /digest on 重新开启，或 /digest 周五 18:00 选择时间。"
    else:
        zone = "北京时间" if str(schedule.tz) in BEIJING_TIME else f"{esc(schedule.tz)} 时间"
        when = (f"周报：每周{WEEKDAY_NAMES[schedule.weekday]} {schedule.at:%H:%M}（{zone}）"
                "发送你订阅的开发区自上次周报以来的新报道；发送 /digest 周五 18:00 修改时间，/digest off 关闭。")
    pushes = ("新一期推送：已暂停（/unmute 恢复）。" if muted
              else "新一期推送：有新版面时立即推送你订阅的文章（/mute 暂停）。")
    return f"{when}\n{pushes}"


def muted(changed: bool) -> str:
    return ("已暂停新一期的推送，周报照常发送。发送 /unmute 恢复推送。" if changed
            else "新一期的推送本来就是暂停的。发送 /unmute 恢复推送。")


def unmuted(changed: bool) -> str:
    return ("已恢复新一期的推送：有新版面时会推送你订阅的文章。" if changed
            else "新一期的推送本来就是开启的（发送 /mute 可以暂停）。")


def digest_usage(given: str, wrong: str) -> str:
    """/digest with a day or time that is none."""
    what = "时间应为 24 小时制的 HH:MM" if wrong == "time" else "请写星期几和时间"
    return (f"无法识别“{echo(given)}”：{what}，例如 /digest 周五 18:00（或 /digest friday 18:00）；"
            "/digest off 关闭周报，/digest 查看当前设置。")
