"""The console transport: `zonebrief chat` (a conversation) and `zonebrief ask` (one message).

Replies print as a reader sees them (tags dropped, entities decoded), each button on its own line
as `[label] → data`; typing a button's data (what follows the arrow) presses it, as
`zonebrief ask --press DATA` does.
"""

from __future__ import annotations

import logging
from typing import TextIO

from bot.commands import PRESSES, SORRY, Context, Reply, handle_press, handle_text
from bot.render import to_plain
from bot.service import ZoneService

logger = logging.getLogger(__name__)

CONSOLE_CHAT_ID = 0  # the chat of `zonebrief chat`/`ask` unless --chat-id says otherwise: never a Telegram chat
QUIT_WORDS = frozenset({"/quit", "/exit", "退出"})
GREETING = ("ZoneBrief 开发区简报机器人（离线对话）。输入 /help 查看用法；"
            "输入按钮箭头后的内容（例如 sum:1）即可按下按钮；输入 /quit 或按 Ctrl-D 退出。")
PROMPT = "> "


def print_replies(replies: list[Reply], out: TextIO) -> None:
    """Print replies as plain text, each button as `[label] → data`, a blank line after each."""
    for reply in replies:
        print(to_plain(reply.text), file=out)
        for row in reply.buttons:
            for button in row:
                print(f"[{button.label}] → {button.data}", file=out)
        print(file=out)


def is_button_data(text: str) -> bool:
    """Whether `text` is callback data a button could carry (a known prefix, a colon, no spaces)."""
    prefix, colon, _ = text.partition(":")
    return bool(colon) and prefix in PRESSES and not any(char.isspace() for char in text)


def respond(service: ZoneService, ctx: Context, text: str) -> list[Reply]:
    """The replies to one console line: a button press when it is button data, else a message."""
    if is_button_data(text.strip()):
        return handle_press(service, ctx, text.strip())
    return handle_text(service, ctx, text)


def ask(service: ZoneService, ctx: Context, out: TextIO, text: str | None = None, press: str | None = None) -> None:
    """Send one message (or press one button) and print the replies."""
    replies = handle_press(service, ctx, press) if press is not None else handle_text(service, ctx, text or "")
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
