"""Transport-free handlers: a message or a button press in, replies (HTML text + buttons) out.

Both transports (bot/telegram.py, bot/console.py) call `handle_text` for a message and
`handle_press` for a button; neither knows a command. `COMMANDS` maps /name to a handler,
`PRESSES` maps the prefix of a button's callback data to one. Callback data stays under Telegram's
64 bytes: article ids, zone codes (bot.service.zone_code) and city names, never zone names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from bot import delivery, render
from bot.config import Settings
from bot.service import (
    ALL, CITY, ZONE, ArticleLine, CityView, NotFound, Target, ZoneCard, ZoneCount, ZoneService,
)

BUTTONS_PER_ROW = 2
CITY_BUTTONS_PER_ROW = 4
MAX_DIGITS = 15  # longer numbers in commands or buttons are no article id or page offset


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
class Context:
    """Who is asking, and the settings of the bot they ask (the admin commands need them)."""

    chat_id: int
    is_admin: bool = False
    settings: Settings = Settings()


Command = Callable[[ZoneService, Context, list[str]], "Reply | list[Reply]"]

SORRY = "抱歉，处理出错了，请稍后再试。"  # what a chat sees when a handler fails
INVALID_BUTTON = "这个按钮已经失效了，请重新发送命令（发送 /help 查看用法）。"


def _rows(buttons: list[Button], per_row: int = BUTTONS_PER_ROW) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[start:start + per_row]) for start in range(0, len(buttons), per_row))


def _number(text: str) -> int | None:
    """A non-negative whole number written in ASCII digits, small enough for SQLite; else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS else None


def _article_id(args: list[str], command: str) -> int | Reply:
    if not args:
        return Reply(f"请给出文章编号，例如 /{command} 3（编号见 /zone、/search 和 /latest 的结果）。")
    number = _number(args[0].lstrip("#"))
    if number is None:
        return Reply(f"文章编号应为数字，例如 /{command} 3；“{render.echo(args[0])}”不是编号。")
    return number


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
        buttons += _rows(_summary_buttons(found.articles))
        buttons += _rows(_pages("cp", found.city, found, service.page_size))
        buttons += ((Button(f"订阅{found.city}（全市开发区）", f"sub:c:{found.city}"),),)
        return Reply(render.city_view(found), buttons)
    return Reply(render.not_found(found), _rows(_zone_buttons(found.suggestions), 1))


# --- commands ---------------------------------------------------------------------------------------


def show_help(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Say what the bot does, with examples."""
    return Reply(render.help_text(ctx.is_admin))


def zone(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Show a zone's card, a city's zones, or (no argument) every city and its zones."""
    if not args:
        cities = service.directory()
        return Reply(render.directory(cities),
                     _rows([Button(city, f"c:{city}") for city, _ in cities], CITY_BUTTONS_PER_ROW))
    return _show(service, service.find(" ".join(args)))


def summary(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Show one article's summary, key figures and keywords."""
    article_id = _article_id(args, "summary")
    if isinstance(article_id, Reply):
        return article_id
    found = service.article_summary(article_id)
    if found is None:
        return _no_article(article_id)
    buttons = [Button("阅读全文", f"read:{found.id}")]
    if found.zone_code:
        buttons.append(Button(f"{found.zone}的更多报道", f"z:{found.zone_code}"))
    return Reply(render.article_summary(found), _rows(buttons, 1))


def read(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Show one article in full."""
    article_id = _article_id(args, "read")
    if isinstance(article_id, Reply):
        return article_id
    found = service.article_text(article_id)
    if found is None:
        return _no_article(article_id)
    return Reply(render.article_text(found))


def search(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Search the full text of every article."""
    if not args:
        return Reply("请在 /search 后写上要搜索的词，例如 /search 人才")
    results = service.search(" ".join(args))
    buttons = [Button(f"摘要：{render.button_title(hit.title)}", f"sum:{hit.id}") for hit in results.hits]
    return Reply(render.search_results(results), _rows(buttons))


def latest(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Show the summaries of the newest issue."""
    issue = service.latest_issue()
    buttons = [Button(f"全文：{render.button_title(a.title, a.kind)}", f"read:{a.id}") for a in issue.articles] if issue else []
    return Reply(render.latest(issue), _rows(buttons))


def subscribe(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Subscribe this chat to a zone, a city or everything."""
    if not args:
        cities = [Button(city, f"sub:c:{city}") for city in service.gazetteer.cities()]
        return Reply(render.subscribe_usage(),
                     _rows(cities, CITY_BUTTONS_PER_ROW) + ((Button("全部开发区", "sub:a"),),))
    target = service.target(" ".join(args))
    if isinstance(target, NotFound):
        return _not_a_target(target, "sub")
    return Reply(render.subscribed(target, service.subscribe(ctx.chat_id, target)))


def unsubscribe(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Remove a subscription of this chat (全部: all of them)."""
    if not args:
        return subscriptions(service, ctx, args)
    text = " ".join(args)
    target = service.target(text)
    if isinstance(target, NotFound):
        return _not_a_target(target, "uns")
    if target.kind == ALL:
        return Reply(render.unsubscribed_all(service.unsubscribe_all(ctx.chat_id)))
    return Reply(render.unsubscribed(target, service.unsubscribe(ctx.chat_id, target)))


def subscriptions(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """List this chat's subscriptions, each with a button to cancel it."""
    targets = service.subscriptions(ctx.chat_id)
    buttons = [Button(f"取消：{render.to_plain(render.target_name(t))}", _target_data("uns", t)) for t in targets]
    if len(targets) > 1:
        buttons.append(Button("全部取消", "uns:*"))
    return Reply(render.subscriptions(targets), _rows(buttons, 1))


def _not_a_target(found: NotFound, prefix: str) -> Reply:
    buttons = [Button(entry.zone.name, f"{prefix}:z:{entry.code}") for entry in found.suggestions]
    action = "订阅" if prefix == "sub" else "取消订阅"
    return Reply(render.not_found(found, action), _rows(buttons, 1))


def _target_data(prefix: str, target: Target) -> str:
    return {ZONE: f"{prefix}:z:{target.code}", CITY: f"{prefix}:c:{target.code}", ALL: f"{prefix}:a"}[target.kind]


# --- admin commands (a page sent as a document is ingested by the Telegram transport) ------------


def admin_only(command: Command) -> Command:
    """`command` for the admins (Settings.admins); anyone else is refused politely."""

    @functools.wraps(command)
    def guarded(service: ZoneService, ctx: Context, args: list[str]) -> Reply | list[Reply]:
        return command(service, ctx, args) if ctx.is_admin else Reply(delivery.ADMIN_ONLY)

    return guarded


@admin_only
def ingest(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Ingest a page file waiting in the inbox now, and push its articles."""
    if not args:
        return Reply(delivery.ingest_usage(ctx.settings))
    return Reply(delivery.ingest_inbox_file(service, ctx.settings, " ".join(args), delivery.utc_now()))


@admin_only
def stats(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Count articles, zones, subscribers and the deliveries of the last seven days."""
    return Reply(delivery.stats_text(delivery.delivery_stats(service.db, delivery.utc_now())))


@admin_only
def digest_now(service: ZoneService, ctx: Context, args: list[str]) -> Reply:
    """Send the weekly digest to every subscriber now, through the same code as the schedule."""
    return Reply(delivery.digest_now(service, ctx.settings, delivery.utc_now()))


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


def press_subscribe(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """Subscribe to the target in the callback data."""
    target = _target_from(service, parts)
    if target is None:
        return Reply(INVALID_BUTTON)
    return Reply(render.subscribed(target, service.subscribe(ctx.chat_id, target)))


def press_unsubscribe(service: ZoneService, ctx: Context, parts: list[str]) -> Reply:
    """Cancel the subscription in the callback data (uns:* cancels all)."""
    if parts == ["*"]:
        return Reply(render.unsubscribed_all(service.unsubscribe_all(ctx.chat_id)))
    target = _target_from(service, parts)
    if target is None:
        return Reply(INVALID_BUTTON)
    return Reply(render.unsubscribed(target, service.unsubscribe(ctx.chat_id, target)))


PRESSES: dict[str, Command] = {
    "sum": summary,
    "read": read,
    "z": press_zone,
    "zp": press_zone,
    "c": press_city,
    "cp": press_city,
    "sub": press_subscribe,
    "uns": press_unsubscribe,
}


# --- entry points ---------------------------------------------------------------------------------


def handle_text(service: ZoneService, ctx: Context, text: str) -> list[Reply]:
    """The replies to a message: a /command, else a zone or city name, else a search."""
    words = text.split()
    if not words:
        return _sendable(Reply("发送 /help 查看用法，或直接发送开发区名称，例如“晋城经开区”。"))
    if words[0].startswith("/"):
        name = words[0][1:].split("@", 1)[0].lower()
        command = COMMANDS.get(name)
        if command is None:
            return _sendable(Reply(f"没有 /{render.echo(name)} 这个命令。发送 /help 查看可用的命令。"))
        return _sendable(command(service, ctx, words[1:]))
    found = service.find(text)
    if isinstance(found, NotFound):
        return _sendable(search(service, ctx, words))
    return _sendable(_show(service, found))


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
