"""The console transport: `zonebrief chat` (a conversation) and `zonebrief ask` (one message).

Replies print as a reader sees them (tags dropped, entities decoded), each button on its own line
as `[label] → data`; typing a button's data (what follows the arrow) presses it, as
`zonebrief ask --press DATA` does. A line `@bot 晋城` is an inline query (`zonebrief ask --inline
晋城`): the results print as `[title] description → inline:ID`, and typing `inline:ID` (or `ask
--press inline:ID`) shows the message that choosing the result would post.
"""

from __future__ import annotations

import logging
from typing import TextIO

from bot.commands import PRESSES, SORRY, Context, InlineResult, Reply, handle_inline, handle_press, handle_text, inline_result
from bot.outbox import CONSOLE_CHATS_FROM
from bot.render import to_plain
from bot.service import ZoneService

logger = logging.getLogger(__name__)

# The chat of `zonebrief chat`/`ask` unless --chat-id says otherwise: never a Telegram chat, so
# nothing is planned for it (see bot.outbox.CONSOLE_CHATS_FROM).
CONSOLE_CHAT_ID = CONSOLE_CHATS_FROM
QUIT_WORDS = frozenset({"/quit", "/exit", "退出"})
GREETING = ("ZoneBrief 开发区简报机器人（离线对话）。输入 /help 查看用法；"
            "输入按钮箭头后的内容（例如 sum:1）即可按下按钮；输入 @bot 晋城 试内联查询；输入 /quit 或按 Ctrl-D 退出。")
PROMPT = "> "
INLINE_PREFIX = "inline:"  # inline:<result id> shows the message a chosen inline result posts
NO_INLINE_RESULT = "没有这个内联结果：请先输入 @机器人 关键词（例如 @bot 晋城），再输入结果后面的 inline:…。"


def print_replies(replies: list[Reply], out: TextIO) -> None:
    """Print replies as plain text, each button as `[label] → data`, a blank line after each."""
    for reply in replies:
        print(to_plain(reply.text), file=out)
        for row in reply.buttons:
            for button in row:
                print(f"[{button.label}] → {button.data}", file=out)
        print(file=out)


def inline_replies(service: ZoneService, ctx: Context, query: str) -> list[Reply]:
    """An inline query's results as one console reply: `[title] description → inline:ID` each."""
    results = handle_inline(service, ctx, query)
    if not results:
        return [Reply(f"内联查询“{query.strip()}”没有结果。")]
    return [Reply("\n".join(_inline_line(result) for result in results))]


def _inline_line(result: InlineResult) -> str:
    return f"[{result.title}] {result.description} → {INLINE_PREFIX}{result.id}"


def chosen(service: ZoneService, ctx: Context, data: str) -> list[Reply]:
    """The message choosing the inline result `inline:ID` posts."""
    result = inline_result(service, ctx, data.removeprefix(INLINE_PREFIX))
    return [Reply(result.text)] if result else [Reply(NO_INLINE_RESULT)]


def is_button_data(text: str) -> bool:
    """Whether `text` is callback data a button could carry (a known prefix, a colon, no spaces)."""
    prefix, colon, _ = text.partition(":")
    return bool(colon) and prefix in PRESSES and not any(char.isspace() for char in text)


def respond(service: ZoneService, ctx: Context, text: str) -> list[Reply]:
    """The replies to one console line: a button press when it is button data, else a message."""
    line = text.strip()
    if line.startswith(INLINE_PREFIX):
        return chosen(service, ctx, line)
    if line.startswith("@"):
        return inline_replies(service, ctx, line.partition(" ")[2])
    if is_button_data(line):
        return handle_press(service, ctx, line)
    return handle_text(service, ctx, text)


def ask(service: ZoneService, ctx: Context, out: TextIO, text: str | None = None, press: str | None = None,
        inline: str | None = None) -> None:
    """Send one message, press one button (or choose an inline result), or type one inline query,
    and print the replies."""
    if inline is not None:
        replies = inline_replies(service, ctx, inline)
    elif press is not None:
        replies = chosen(service, ctx, press) if press.startswith(INLINE_PREFIX) else handle_press(service, ctx, press)
    else:
        replies = handle_text(service, ctx, text or "")
    print_replies(replies, out)


def chat(service: ZoneService, ctx: Context, stdin: TextIO, stdout: TextIO, interactive: bool = False) -> None:
    """Talk with the bot line by line until end of input or /quit."""
    print(GREETING, file=stdout)
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip() in QUIT_WORDS:
            break
        try:
            replies = respond(service, ctx, line)
        except Exception:  # a bug in one reply must not end the conversation
            logger.exception("answering %r failed", line.strip()[:80])
            replies = [Reply(SORRY)]
        print_replies(replies, stdout)
