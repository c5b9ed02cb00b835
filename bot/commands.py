"""Transport-free handlers: a message or a button press in, replies (HTML text + buttons) out.

Both transports (bot/telegram.py, bot/console.py) call `handle_text` for a message and
`handle_press` for a button; neither knows a command. `COMMANDS` maps /name to a handler,
`PRESSES` maps the prefix of a button's callback data to one. Callback data stays under Telegram's
64 bytes: article ids, zone codes (bot.service.zone_code) and city names, never zone names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot import admin, outbox, planning, render
from bot.config import Settings
from bot.service import (
    ALL, CITY, SEARCH_LIMIT, ZONE, ArticleLine, CityView, NotFound, Target, ZoneCard, ZoneCount, ZoneService, zone_code,
)
from summarize.segment import PHOTO

BUTTONS_PER_ROW = 2
CITY_BUTTONS_PER_ROW = 4
MAX_DIGITS = 15  # longer numbers in commands or buttons are no article id or page offset
MAX_ARTICLES = 5  # ids one /summary or /read answers; more are named as ignored
MAX_NAMES = 5  # zones or cities one /zone, /subscribe or /unsubscribe answers
# Between names or ids in one command: spaces, Chinese and ASCII commas and semicolons.
NAME_SEPARATORS = re.compile(r"[\s、，,；;]+")


@dataclass(frozen=True)
class Button:
    """An inline button: what it says and the callback data it sends back."""

    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    """One message to send: Telegram HTML and rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class Channel:
    """A channel whose subscriptions an administrator changes from a private chat."""

    chat_id: int
    title: str


@dataclass(frozen=True)
class Context:
    """Who is asking, and the settings of the bot they ask (the admin commands need them).

    The transport finds out what only Telegram knows before the handlers run: whether the sender
    may change the chat's subscriptions (in a group: its administrators, getChatMember), and for
    `/subscribe @channel …` the channel it names, or why it may not be used."""

    chat_id: int
    is_admin: bool = False
    settings: Settings = Settings()
    bot_username: str | None = None  # commands addressed to another bot (/zone@OtherBot) are not ours
    may_manage: bool = True  # may change this chat's subscriptions (False: a group member, not an admin)
    channel: Channel | None = None  # the channel a channel command names, checked by the transport
    channel_refusal: str | None = None  # why that channel may not be used (HTML, one line)


Command = Callable[[ZoneService, Context, list[str]], "Reply | list[Reply]"]

SORRY = "抱歉，处理出错了，请稍后再试。"  # what a chat sees when a handler fails
INVALID_BUTTON = "这个按钮已经失效了，请重新发送命令（发送 /help 查看用法）。"
# Commands and presses that change what a chat gets: in a group, for its administrators only
# (/digest only when it sets something: alone it just tells).
MANAGING_COMMANDS = frozenset({"subscribe", "unsubscribe", "mute", "unmute"})
SETTING_COMMANDS = frozenset({"digest"})
MANAGING_PRESSES = frozenset({"sub", "uns", "una"})
# Commands that may name a channel first: /subscribe @channel 晋城, /subscriptions -1001234567890.
CHANNEL_COMMANDS = frozenset({"subscribe", "unsubscribe", "subscriptions", "mute", "unmute", "digest"})
CHANNEL_REFERENCE = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,16}")
CANCEL_EVERYTHING = "取消所有订阅…"  # asks for a confirmation first


def _rows(buttons: list[Button], per_row: int = BUTTONS_PER_ROW) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[start:start + per_row]) for start in range(0, len(buttons), per_row))


def _number(text: str) -> int | None:
    """A non-negative whole number written in ASCII digits, small enough for SQLite; else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS else None


def _words(args: list[str]) -> list[str]:
    """The names or ids in a command's arguments, split at spaces, commas and semicolons."""
    return [word for word in NAME_SEPARATORS.split(" ".join(args)) if word]


def _article_ids(args: list[str]) -> tuple[list[int], list[str]]:
    """The article ids among `args` ([18], #18 and 18 alike), each once, and the words that are none."""
    ids: list[int] = []
    others: list[str] = []
    for word in _words(args):
        number = _number(word.strip("#[]【】"))
        if number is None:
            others.append(word)
        elif number not in ids:
            ids.append(number)
    return ids, others


def _for_each_article(args: list[str], command: str, show: Callable[[int], Reply]) -> list[Reply]:
    """`show` for every article id in `args` (at most MAX_ARTICLES), and a word for the rest."""
    ids, others = _article_ids(args)
    if not ids:
        if others:
            return [Reply(f"文章编号应为数字，例如 /{command} 3；“{render.echo(' '.join(others))}”不是编号。")]
        return [Reply(f"请给出文章编号，例如 /{command} 3（编号见 /zone、/search 和 /latest 的结果）。")]
    replies = [show(article_id) for article_id in ids[:MAX_ARTICLES]]
    notes = []
    if others:
        notes.append(f"“{render.echo(' '.join(others))}”不是文章编号，已忽略。")
    if len(ids) > MAX_ARTICLES:
        skipped = " ".join(str(article_id) for article_id in ids[MAX_ARTICLES:])
        notes.append(f"一次最多 {MAX_ARTICLES} 篇，没有显示：{render.echo(skipped)}（请另发 /{command} {render.echo(skipped)}）。")
    return replies + ([Reply("\n".join(notes))] if notes else [])


def _ignoring(reply: Reply, command: str, args: list[str]) -> Reply:
    """`reply` with a word about the arguments a command that takes none was given."""
    if not args:
        return reply
    return replace(reply, text=reply.text + "\n\n" + render.ignored(command, " ".join(args)))


def _no_article(article_id: int) -> Reply:
    return Reply(f"没有编号为 {article_id} 的文章。发送 /latest 查看最新文章，或 /search 搜索。")


def _summary_buttons(lines: tuple[ArticleLine, ...]) -> list[Button]:
    return [Button(f"摘要：{render.button_title(line.title, line.kind)}", f"sum:{line.id}") for line in lines]


def _pages(prefix: str, key: str, found: ZoneCard | CityView, page_size: int) -> list[Button]:
    buttons = []
    if found.offset > 0:
        buttons.append(Button("上一页", f"{prefix}:{key}:{max(found.offset - page_size, 0)}"))
    if found.offset + len(found.articles) < found.article_count:
        buttons.append(Button("下一页", f"{prefix}:{key}:{found.offset + len(found.articles)}"))
    return buttons


def _zone_buttons(entries: tuple[ZoneCount, ...]) -> list[Button]:
    """A button for each zone (a zone without articles is only ever offered as a suggestion)."""
    return [Button(render.zone_label(entry.zone, entry.article_count), f"z:{entry.code}") for entry in entries]


def _show(service: ZoneService, found: ZoneCard | CityView | NotFound) -> Reply:
    """A zone card, a city view or the suggestions, with their buttons."""
    if isinstance(found, ZoneCard):
        buttons = _rows(_summary_buttons(found.articles))
        buttons += _rows(_pages("zp", found.code, found, service.page_size))
        buttons += ((Button(f"订阅{found.zone.name}", f"sub:z:{found.code}"),),)
        return Reply(render.zone_card(found), buttons)
    if isinstance(found, CityView):
        buttons = _rows(_zone_buttons(found.zones))
        if found.quiet:
            buttons += ((Button(f"暂无报道的 {len(found.quiet)} 个开发区", f"cq:{found.city}"),),)
        buttons += _rows(_summary_buttons(found.articles))
        buttons += _rows(_pages("cp", found.city, found, service.page_size))
        buttons += ((Button(f"订阅{found.city}（全市开发区）", f"sub:c:{found.city}"),),)
        return Reply(render.city_view(found), buttons)
    return Reply(render.not_found(found), _rows(_zone_buttons(found.suggestions), 1))


# --- who may change a chat's subscriptions ------------------------------------------------------


def chat_admins_only(command: Command) -> Command:
    """`command` for those who may change the chat's subscriptions (Context.may_manage)."""

    @functools.wraps(command)
    def guarded(service: ZoneService, ctx: Context, args: list[str]) -> Reply | list[Reply]:
        return command(service, ctx, args) if ctx.may_manage else Reply(render.GROUP_ADMINS_ONLY)

    return guarded


def _our_command(text: str, bot_username: str | None) -> tuple[str, list[str]] | None:
    """A message's command name and arguments, when it is a command for this bot."""
    words = text.split()
    if not words or not words[0].startswith("/"):
        return None
    name, addressee = _command_name(words[0])
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None  # /zone@OtherBot in a group: another bot's command
    return name, words[1:]


def manages_subscriptions(text: str, bot_username: str | None = None) -> bool:
    """Whether a message is a command that changes its chat's subscriptions (the transport then
    asks Telegram whether the sender is an administrator of the group)."""
    command = _our_command(text, bot_username)
    if command is None:
        return False
    name, args = command
    return name in MANAGING_COMMANDS or (name in SETTING_COMMANDS and bool(args))


def press_manages_subscriptions(data: str) -> bool:
    """Whether a button press changes its chat's subscriptions."""
    return data.split(":", 1)[0] in MANAGING_PRESSES


def channel_reference(text: str, bot_username: str | None = None) -> str | None:
    """The channel a command names before its arguments (/subscribe @zone_news 晋城): "@zone_news"
    or "-100…", for the transport to check; None when it names none."""
    command = _our_command(text, bot_username)
    if command is None or command[0] not in CHANNEL_COMMANDS or not command[1]:
        return None
    return command[1][0] if CHANNEL_REFERENCE.fullmatch(command[1][0]) else None


def _for_channel(command: Command, service: ZoneService, ctx: Context, args: list[str]) -> list[Reply]:
    """`command` run for the channel the transport checked, answered here without buttons (a
    button would act on this chat, not on the channel)."""
    if ctx.channel_refusal:
        return [Reply(ctx.channel_refusal)]
    if ctx.channel is None:
        return [Reply(render.CHANNELS_ON_TELEGRAM_ONLY)]
    channel_ctx = replace(ctx, chat_id=ctx.channel.chat_id, may_manage=True)
    replies = command(service, channel_ctx, args)
    heading = render.channel_heading(ctx.channel.title)
    return [Reply(f"{heading}\n{reply.text}") for reply in (replies if isinstance(replies, list) else [replies])]


# --- commands ---------------------------------------------------------------------------------------


def show_help(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Say what the bot does, with examples, and when this chat's digest comes."""
    text = render.help_text(ctx.is_admin, ctx.bot_username) + "\n\n" + _digest_status(service, ctx)
    return _ignoring(Reply(text), "help", args)


def zone(service: ZoneService, ctx: Context, args: list[str]) -> list[Reply]:
    """Show a zone's card, a city's zones, or (no argument) every city and its zones; several
    names (/zone 晋城 吕梁) get one answer each."""
    if not args:
        cities = service.directory()
        return [Reply(render.directory(cities),
                      _rows([Button(city, f"c:{city}") for city, _ in cities], CITY_BUTTONS_PER_ROW))]
    found, skipped = _each_or_all(args, service.find)
    return [_show(service, each) for each in found] + _skipped(skipped, "zone")


def _each_or_all(args: list[str], resolve: Callable[[str], object]) -> tuple[list, list[str]]:
    """Rule "several names, or one name with spaces": what `resolve` makes of each name in `args`
    when every one of them means something, else of the whole text (晋城 经开区, jin cheng) when
    that does, else of each name (so each gets its own answer). At most MAX_NAMES are resolved;
    the names past them are returned apart."""
    words = _words(args)
    if len(words) == 1:
        return [resolve(words[0])], []
    each = [resolve(word) for word in words[:MAX_NAMES]]
    if any(isinstance(found, NotFound) for found in each):
        whole = resolve(" ".join(args))
        if not isinstance(whole, NotFound):
            return [whole], []
    return each, words[MAX_NAMES:]


def _skipped(words: list[str], command: str) -> list[Reply]:
    if not words:
        return []
    rest = render.echo(" ".join(words))
    return [Reply(f"一次最多 {MAX_NAMES} 个名称，没有处理：{rest}（请另发 /{command} {rest}）。")]


def summary(service: ZoneService, ctx: Context, args: list[str]) -> list[Reply]:
    """Show the summary, key figures and keywords of each article named (a photo: itself)."""
    return _for_each_article(args, "summary", functools.partial(_summary_of, service))


def _summary_of(service: ZoneService, article_id: int) -> Reply:
    found = service.article_summary(article_id)
    if found is None:
        return _no_article(article_id)
    if found.kind == PHOTO:
        return _photo(service, article_id)
    buttons = [Button("阅读全文", f"read:{found.id}")]
    if found.zone_code:
        buttons.append(Button(f"{found.zone}的更多报道", f"z:{found.zone_code}"))
    return Reply(render.article_summary(found), _rows(buttons, 1))


def _photo(service: ZoneService, article_id: int) -> Reply:
    found = service.article_text(article_id)
    assert found is not None  # the caller has just read the same row
    zone = service.gazetteer.get(found.zone) if found.zone else None
    if zone is not None:
        return Reply(render.photo(found), ((Button(f"{zone.name}的更多报道", f"z:{zone_code(zone.name)}"),),))
    if found.zone and service.is_city(found.zone):
        return Reply(render.photo(found), ((Button(f"{found.zone}的更多报道", f"c:{found.zone}"),),))
    return Reply(render.photo(found))


def read(service: ZoneService, ctx: Context, args: list[str]) -> list[Reply]:
    """Show each article named in full."""
    return _for_each_article(args, "read", functools.partial(_text_of, service))


def _text_of(service: ZoneService, article_id: int) -> Reply:
    found = service.article_text(article_id)
    if found is None:
        return _no_article(article_id)
    return _photo(service, article_id) if found.kind == PHOTO else Reply(render.article_text(found))


def search(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Search the full text of every article (filters zone:, city:, since:)."""
    if not args:
        return Reply("请在 /search 后写上要搜索的词，例如 /search 人才，可加 zone:晋城经开区、city:晋城、since:2024-07-01")
    return _search_page(service, " ".join(args), 0)


def _search_page(service: ZoneService, query: str, offset: int) -> Reply:
    results = service.search(query, offset)
    buttons = _rows([Button(f"摘要：{render.button_title(hit.title, hit.kind)}", f"sum:{hit.id}") for hit in results.hits])
    if results.saved is not None:
        pages = []
        if offset > 0:
            pages.append(Button("上一页", f"sr:{results.saved}:{max(offset - SEARCH_LIMIT, 0)}"))
        if offset + len(results.hits) < results.total:
            pages.append(Button("下一页", f"sr:{results.saved}:{offset + len(results.hits)}"))
        buttons += _rows(pages)
    return Reply(render.search_results(results), buttons)


def press_search(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """Another page of a saved search: sr:<saved id>:<offset>."""
    saved, offset = (_number(parts[0]), _number(parts[1])) if len(parts) == 2 else (None, None)
    query = service.saved_search(saved) if saved is not None else None
    if query is None or offset is None:
        return Reply(INVALID_BUTTON)
    return _search_page(service, query, offset)


def latest(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Show the summaries of the newest issue, or (/latest N) of the Nth newest."""
    number = _number(args[0]) if args else 1
    if not number:
        return Reply(f"“{render.echo(args[0])}”不是期数：发送 /latest 看最新一期，/latest 2 看倒数第 2 期。")
    return _ignoring(_issue(service, number), "latest", args[1:])


def _issue(service: ZoneService, number: int) -> Reply:
    issue = service.latest_issue(number)
    if issue is None:
        return Reply(render.no_such_issue(number, service.issue_count()))
    buttons = _rows([Button(f"全文：{render.button_title(a.title, a.kind)}", f"read:{a.id}") for a in issue.articles])
    steps = [Button("更早一期", f"lt:{number + 1}")] if number < issue.issue_count else []
    steps += [Button("较新一期", f"lt:{number - 1}")] if number > 1 else []
    return Reply(render.latest(issue), buttons + _rows(steps))


@chat_admins_only
def subscribe(service: ZoneService, ctx: Context, args: list[str]) -> list[Reply]:
    """Subscribe this chat to each zone or city named, or to everything (全部)."""
    if not args:
        cities = [Button(city, f"sub:c:{city}") for city in service.gazetteer.cities()]
        return [Reply(render.subscribe_usage(),
                      _rows(cities, CITY_BUTTONS_PER_ROW) + ((Button("全部开发区", "sub:a"),),))]
    return _change(service, ctx, args, "sub")


@chat_admins_only
def unsubscribe(service: ZoneService, ctx: Context, args: list[str]) -> list[Reply]:
    """Cancel each subscription named (全部: the subscription to all zones); with no argument,
    list the chat's subscriptions as buttons."""
    if not args:
        return [subscriptions(service, ctx, args)]
    return _change(service, ctx, args, "uns")


def _change(service: ZoneService, ctx: Context, args: list[str], prefix: str) -> list[Reply]:
    """Subscribe (prefix sub) or unsubscribe (uns) each target named in `args`: one line for each."""
    found, skipped = _each_or_all(args, service.target)
    lines: list[str] = []
    buttons: list[Button] = []
    for each in dict.fromkeys(found):
        if isinstance(each, NotFound) and prefix == "uns":
            reply = _not_subscribed(service, ctx, each)
        elif isinstance(each, NotFound):
            reply = Reply(render.not_found(each, "订阅"),
                          ((*(Button(entry.zone.name, f"sub:z:{entry.code}") for entry in each.suggestions),),))
        else:
            reply = _change_one(service, ctx, each, prefix)
        lines.append(reply.text)
        buttons += [button for row in reply.buttons for button in row if button not in buttons]
    return [Reply("\n".join(lines), _rows(buttons, 1))] + _skipped(skipped, "subscribe" if prefix == "sub" else "unsubscribe")


def _not_subscribed(service: ZoneService, ctx: Context, found: NotFound) -> Reply:
    """An /unsubscribe name that names nothing: the chat's own subscriptions are what it can cancel."""
    targets = service.subscriptions(ctx.chat_id)
    buttons = () if ctx.channel else ((*(_cancel_button(target) for target in targets),),)
    return Reply(render.nothing_to_cancel(found.query, targets), buttons)


def _cancel_button(target: Target) -> Button:
    return Button(f"取消：{render.to_plain(render.target_name(target))}", _target_data("uns", target))


def _change_one(service: ZoneService, ctx: Context, target: Target, prefix: str) -> Reply:
    if prefix == "sub":
        return Reply(render.subscribed(target, service.subscribe(ctx.chat_id, target)))
    removed = service.unsubscribe(ctx.chat_id, target)
    if target.kind == ALL and not removed and ctx.channel is None and service.subscriptions(ctx.chat_id):
        return Reply(render.unsubscribed(target, removed) + render.CANCEL_EVERYTHING_HINT,
                     ((Button(CANCEL_EVERYTHING, "uns:*"),),))
    return Reply(render.unsubscribed(target, removed))


def subscriptions(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """List this chat's subscriptions, each with a button to cancel it."""
    targets = service.subscriptions(ctx.chat_id)
    buttons = [_cancel_button(target) for target in targets]
    if len(targets) > 1:
        buttons.append(Button(CANCEL_EVERYTHING, "uns:*"))
    if ctx.channel is not None:
        return _ignoring(Reply(render.subscriptions(targets, render.channel_cancel_hint(ctx.channel.chat_id))),
                         "subscriptions", args)
    return _ignoring(Reply(render.subscriptions(targets), _rows(buttons, 1)), "subscriptions", args)


def _target_data(prefix: str, target: Target) -> str:
    return {ZONE: f"{prefix}:z:{target.code}", CITY: f"{prefix}:c:{target.code}", ALL: f"{prefix}:a"}[target.kind]


# --- what a chat gets: pushes and its digest ------------------------------------------------------

DIGEST_OFF_WORDS = frozenset({"off", "关闭", "关", "停止", "不要"})
DIGEST_ON_WORDS = frozenset({"on", "开启", "开", "恢复"})


def _digest_status(service: ZoneService, ctx: Context) -> str:
    chat = service.chat_settings(ctx.chat_id)
    schedule = planning.load_schedule(ctx.settings).for_chat(chat)
    return render.digest_status(None if chat.digest_off else schedule, chat.muted)


@chat_admins_only
def mute(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Stop the pushes of new issues to this chat; its digest still comes."""
    changed = service.set_muted(ctx.chat_id, True)
    return _ignoring(Reply(render.muted(changed) + "\n\n" + _digest_status(service, ctx)), "mute", args)


@chat_admins_only
def unmute(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Push new issues to this chat again."""
    return _ignoring(Reply(render.unmuted(service.set_muted(ctx.chat_id, False))), "unmute", args)


def digest(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """/digest: when this chat's digest comes; /digest 周五 18:00 sets its day and time;
    /digest off stops it, /digest on restores it."""
    words = [word.lower() for word in _words(args)]
    if words and not ctx.may_manage:
        return Reply(render.GROUP_ADMINS_ONLY)
    if words and set(words) <= DIGEST_OFF_WORDS:
        service.set_digest_off(ctx.chat_id, True)
    elif words and set(words) <= DIGEST_ON_WORDS:
        service.set_digest_off(ctx.chat_id, False)
    elif words:
        try:
            day, at = planning.parse_digest_time(words)
        except ValueError as error:
            return Reply(render.digest_usage(" ".join(args), str(error)))
        service.set_digest(ctx.chat_id, day, at)
    return Reply(_digest_status(service, ctx))


# --- admin commands (a page sent as a document is ingested by the Telegram transport) ------------


def admin_only(command: Command) -> Command:
    """`command` for the admins (Settings.admins); anyone else is refused politely."""

    @functools.wraps(command)
    def guarded(service: ZoneService, ctx: Context, args: list[str]) -> Reply | list[Reply]:
        return command(service, ctx, args) if ctx.is_admin else Reply(render.ADMIN_ONLY)

    return guarded


@admin_only
def ingest(service: ZoneService, ctx: Context, args: list[str]) -> Reply | list[Reply]:
    """Ingest the page files named (waiting in the inbox) now, and push their articles: one answer
    for each name (a name with spaces, when a waiting file has it, is one name)."""
    if not args:
        return Reply(render.ingest_usage(admin.waiting(ctx.settings)))
    joined = " ".join(args)
    names = [joined] if joined in admin.waiting(ctx.settings) else list(dict.fromkeys(args))
    return [Reply(admin.ingest_inbox_file(service, ctx.settings, name, outbox.utc_now())) for name in names]


@admin_only
def stats(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Count articles, zones, subscribers and the deliveries of the last seven days."""
    return _ignoring(Reply(render.stats_text(admin.delivery_stats(service.db, outbox.utc_now()))), "stats", args)


@admin_only
def digest_now(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Send the weekly digest to every subscriber now, through the same code as the schedule."""
    return _ignoring(Reply(admin.digest_now(service, ctx.settings, outbox.utc_now())), "digest_now", args)


COMMANDS: dict[str, Command] = {
    "start": show_help,
    "help": show_help,
    "zone": zone,
    "summary": summary,
    "read": read,
    "search": search,
    "latest": latest,
    "subscribe": subscribe,
    "unsubscribe": unsubscribe,
    "subscriptions": subscriptions,
    "mute": mute,
    "unmute": unmute,
    "digest": digest,
    "ingest": ingest,
    "stats": stats,
    "digest_now": digest_now,
}


# --- button presses ---------------------------------------------------------------------------------


def _target_from(service: ZoneService, parts: list[str]) -> Target | None:
    """The target in callback data: ["z", code], ["c", city] or ["a"]."""
    match parts:
        case ["a"]:
            return Target(ALL, "", "")
        case ["c", city] if service.is_city(city):
            return Target(CITY, city, city)
        case ["z", code] if (found := service.zone_by_code(code)):
            return Target(ZONE, found.name, code)
    return None


def press_zone(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """Show the zone card of a zone code: z:<code>, or zp:<code>:<offset> for a later page."""
    found = service.zone_by_code(parts[0]) if parts else None
    offset = _number(parts[1]) if len(parts) == 2 else 0
    if found is None or offset is None or len(parts) > 2:
        return Reply(INVALID_BUTTON)
    return _show(service, service.zone_card(found, offset))


def press_city(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """Show a city view: c:<city>, or cp:<city>:<offset> for a later page."""
    offset = _number(parts[1]) if len(parts) == 2 else 0
    if not parts or not service.is_city(parts[0]) or offset is None or len(parts) > 2:
        return Reply(INVALID_BUTTON)
    return _show(service, service.city_view(parts[0], offset))


def press_quiet_zones(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """A city's zones without articles: cq:<city>."""
    if len(parts) != 1 or not service.is_city(parts[0]):
        return Reply(INVALID_BUTTON)
    view = service.city_view(parts[0])
    return Reply(render.quiet_zones(view.city, view.quiet),
                 ((Button(f"订阅{view.city}（全市开发区）", f"sub:c:{view.city}"),),))


def press_latest(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """The Nth newest issue: lt:<N>."""
    number = _number(parts[0]) if len(parts) == 1 else None
    return _issue(service, number) if number else Reply(INVALID_BUTTON)


@chat_admins_only
def press_subscribe(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """Subscribe to the target in the callback data."""
    target = _target_from(service, parts)
    if target is None:
        return Reply(INVALID_BUTTON)
    return _change_one(service, ctx, target, "sub")


@chat_admins_only
def press_unsubscribe(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """Cancel the subscription in the callback data; uns:* asks to confirm cancelling them all."""
    if parts == ["*"]:
        count = len(service.subscriptions(ctx.chat_id))
        if not count:
            return Reply(render.unsubscribed_all(0))
        return Reply(render.confirm_unsubscribe_all(count),
                     ((Button(f"确认取消全部 {count} 项订阅", "una:y"),), (Button("保留我的订阅", "my:s"),)))
    target = _target_from(service, parts)
    if target is None:
        return Reply(INVALID_BUTTON)
    return _change_one(service, ctx, target, "uns")


@chat_admins_only
def press_unsubscribe_all(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """Cancel every subscription of the chat, once confirmed: una:y."""
    if parts != ["y"]:
        return Reply(INVALID_BUTTON)
    return Reply(render.unsubscribed_all(service.unsubscribe_all(ctx.chat_id)))


def press_subscriptions(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """The chat's subscriptions: my:s."""
    return subscriptions(service, ctx, []) if parts == ["s"] else Reply(INVALID_BUTTON)


@admin_only
def press_hold(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """An admin's decision on an arrival held for them: hold:<id>:push or hold:<id>:archive."""
    hold_id = _number(parts[0]) if len(parts) == 2 else None
    if hold_id is None or parts[1] not in {"push", "archive"}:
        return Reply(INVALID_BUTTON)
    return Reply(planning.release_hold(service, hold_id, parts[1] == "push", outbox.utc_now(),
                                       ctx.settings.source_url))


@admin_only
def press_review(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """An admin's decision on a record held for review: review:<article id>:publish|drop|join."""
    article_id = _number(parts[0]) if len(parts) == 2 else None
    if article_id is None or parts[1] not in {planning.PUBLISH, planning.DROP, planning.JOIN}:
        return Reply(INVALID_BUTTON)
    try:
        return Reply(planning.decide_review(service, article_id, parts[1], outbox.utc_now(), ctx.settings.source_url))
    except planning.ReviewError as error:
        return Reply(str(error))


PRESSES: dict[str, Command] = {
    "sum": summary,
    "sr": press_search,
    "read": read,
    "z": press_zone,
    "zp": press_zone,
    "c": press_city,
    "cp": press_city,
    "cq": press_quiet_zones,
    "lt": press_latest,
    "sub": press_subscribe,
    "uns": press_unsubscribe,
    "una": press_unsubscribe_all,
    "my": press_subscriptions,
    planning.HOLD_PREFIX: press_hold,
    planning.REVIEW_PREFIX: press_review,
}


# --- inline mode: @bot 晋城 in any chat ---------------------------------------------------------


INLINE_ARTICLES = 10  # article results per inline answer (Telegram takes up to 50)


@dataclass(frozen=True)
class InlineResult:
    """One inline result: what the list shows, and the message posted when it is chosen."""

    id: str  # a:<article id>, z:<zone code> or c:<city>: under Telegram's 64 bytes
    title: str
    description: str
    text: str  # Telegram HTML, self-contained: it is read in chats the bot is not in


def handle_inline(service: ZoneService, ctx: Context, query: str) -> list[InlineResult]:
    """The results for `@bot query`: a zone or city card and its newest articles when the query
    names one (alias, pinyin, typo as in /zone), else the articles a search finds; with an empty
    query, the newest issue's articles."""
    query = query.strip()
    if not query:
        issue = service.latest_issue()
        return _inline_articles(service, ctx, [article.id for article in issue.articles] if issue else [])
    found = service.find(query)
    if isinstance(found, ZoneCard):
        return [_inline_zone(service, found, ctx)] + _inline_articles(service, ctx, [line.id for line in found.articles])
    if isinstance(found, CityView):
        return [_inline_city(service, found, ctx)] + _inline_articles(service, ctx, [line.id for line in found.articles])
    return _inline_articles(service, ctx, [hit.id for hit in service.search(query).hits])


def inline_result(service: ZoneService, ctx: Context, result_id: str) -> InlineResult | None:
    """The result with this id, built afresh (the console shows a chosen result by its id)."""
    kind, _, key = result_id.partition(":")
    if kind == "a" and (number := _number(key)) is not None:
        return _inline_article(service, ctx, number)
    if kind == "z" and (zone := service.zone_by_code(key)) is not None:
        return _inline_zone(service, service.zone_card(zone), ctx)
    if kind == "c" and service.is_city(key):
        return _inline_city(service, service.city_view(key), ctx)
    return None


def _inline_articles(service: ZoneService, ctx: Context, ids: list[int]) -> list[InlineResult]:
    results = (_inline_article(service, ctx, article_id) for article_id in ids[:INLINE_ARTICLES])
    return [result for result in results if result is not None]


def _inline_article(service: ZoneService, ctx: Context, article_id: int) -> InlineResult | None:
    line = service.article_line(article_id)
    if line is None:
        return None
    if line.kind == PHOTO:
        photo = service.article_text(article_id)
        assert photo is not None  # the same row as `line`
        text = render.photo(photo)
    else:
        summary = service.article_summary(article_id)
        assert summary is not None
        text = render.briefing(summary)
    return InlineResult(f"a:{article_id}", render.inline_title(line), render.inline_description(line),
                        _fit(text, render.inline_footer(ctx.bot_username, article_id)))


def _inline_zone(service: ZoneService, card: ZoneCard, ctx: Context) -> InlineResult:
    return InlineResult(f"z:{card.code}", card.zone.name, render.zone_description(card),
                        _fit(render.zone_card(card), _card_footer(service, card.articles, ctx)))


def _inline_city(service: ZoneService, view: CityView, ctx: Context) -> InlineResult:
    return InlineResult(f"c:{view.city}", f"{view.city}（城市）", render.city_description(view),
                        _fit(render.city_view(view), _card_footer(service, view.articles, ctx)))


def _card_footer(service: ZoneService, lines: tuple[ArticleLine, ...], ctx: Context) -> str:
    """The sources of a card's articles, and who sent it."""
    sources = render.card_sources(service.issue_labels([line.id for line in lines]))
    return sources + render.inline_footer(ctx.bot_username)


def _fit(text: str, footer: str) -> str:
    """`text` and `footer` in one message: the first piece of `text` when both are longer."""
    return render.split_message(text, render.MESSAGE_LIMIT - render.utf16_length(footer))[0] + footer


# --- entry points ---------------------------------------------------------------------------------


def handle_text(service: ZoneService, ctx: Context, text: str) -> list[Reply]:
    """The replies to a message: a /command, else a zone or city name, else a search."""
    words = text.split()
    if not words:
        return _sendable(Reply("发送 /help 查看用法，或直接发送开发区名称，例如“晋城经开区”。"))
    if words[0].startswith("/"):
        ours = _our_command(text, ctx.bot_username)
        if ours is None:
            return []  # /zone@OtherBot in a group: another bot's command
        name, args = ours
        command = COMMANDS.get(name)
        if command is None:
            return _sendable(Reply(f"没有 /{render.echo(name)} 这个命令。发送 /help 查看可用的命令。"))
        if channel_reference(text):
            return _sendable(_for_channel(command, service, ctx, args[1:]))
        return _sendable(command(service, ctx, args))
    found = service.find(text)
    if isinstance(found, NotFound):
        return _sendable(search(service, ctx, words))
    return _sendable(_show(service, found))


def _command_name(word: str) -> tuple[str, str]:
    """/Zone@SomeBot -> ("zone", "SomeBot"); /zone -> ("zone", "")."""
    name, _, addressee = word.removeprefix("/").partition("@")
    return name.lower(), addressee


def handle_press(service: ZoneService, ctx: Context, data: str) -> list[Reply]:
    """The replies to a button press, by its callback data."""
    prefix, *parts = data.split(":")
    handler = PRESSES.get(prefix)
    if handler is None:
        return _sendable(Reply(INVALID_BUTTON))
    return _sendable(handler(service, ctx, parts))


def _sendable(replies: Reply | list[Reply]) -> list[Reply]:
    """Every reply split under Telegram's limit; a split reply's buttons go under its last part."""
    sendable: list[Reply] = []
    for reply in replies if isinstance(replies, list) else [replies]:
        pieces = render.split_message(reply.text)
        sendable.extend(Reply(piece) for piece in pieces[:-1])
        sendable.append(Reply(pieces[-1], reply.buttons))
    return sendable
