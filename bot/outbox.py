"""The outbox: one row per message to send, planned before it is sent, so nothing is lost.

Planning (bot/planning.py, bot/admin.py) writes one `deliveries` row per (chat_id, key, part),
status pending, holding the text to send and its inline buttons (`reply_markup`); bot/sender.py
sends the rows. Keys: `issue:<issue id>:<highest article id>` (a new issue's push to one chat;
photos are not pushed), `digest:<local time of the scheduled run>` (a chat's digest),
`digest:manual:<UTC time>` (/digest_now, `zonebrief digest --send`) and `admin:…` (notices for
the admins). Rows are inserted with INSERT OR IGNORE under UNIQUE(chat_id, key, part), so
planning twice plans nothing twice. A paused chat (it blocked the bot) keeps its rows until it
sends /start again.

Transport-free: no python-telegram-bot here, so bot/commands.py may plan messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, UTC

from sqlite_utils import Database

PENDING = "pending"
SENDING = "sending"  # claimed: committed right before its request's first byte is written
WRITTEN = "written"  # its whole request was handed to the kernel; no answer yet
SENT = "sent"
UNCONFIRMED = "unconfirmed"  # written whole when its process died: treated as delivered, never resent
FAILED = "failed"
ADMIN_PREFIX = "admin:"  # keys of notices to the admins
# Chats of the console (`zonebrief chat`/`ask`): ids Telegram never gives (its ids fit in 52 bits),
# and 0, the console's chat before. Nothing is ever planned for them: a console subscription on the
# store a bot delivers from costs no failed push and no notice to the admins.
CONSOLE_CHATS_FROM = 2**53

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """`moment` as the outbox writes times: UTC, ISO 8601, to the millisecond (sortable as text)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of inline buttons: (label, callback data)


@dataclass(frozen=True)
class Part:
    """One message of the outbox: Telegram HTML and its inline buttons."""

    text: str
    buttons: Buttons = ()


def plan_messages(db: Database, chat_id: int, key: str, parts: Iterable[str | Part], now: datetime) -> int:
    """Plan the parts of one message for one chat; returns how many rows were new. A console chat
    (see CONSOLE_CHATS_FROM) gets none: nothing could deliver them."""
    if is_console_chat(chat_id):
        return 0
    before = db.execute("SELECT total_changes()").fetchone()[0]
    for number, part in enumerate(parts, start=1):
        part = part if isinstance(part, Part) else Part(part)
        db.execute(
            "INSERT OR IGNORE INTO deliveries (chat_id, key, part, text, reply_markup, status, planned_at, attempts)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            [chat_id, key, number, part.text, json.dumps(part.buttons, ensure_ascii=False) if part.buttons else None,
             PENDING, timestamp(now)],
        )
    return db.execute("SELECT total_changes()").fetchone()[0] - before


def is_console_chat(chat_id: int) -> bool:
    """Whether a chat is the console's (`zonebrief chat`/`ask`), never a Telegram chat."""
    return chat_id == 0 or chat_id >= CONSOLE_CHATS_FROM


def buttons_of(reply_markup: str | None) -> Buttons:
    """The buttons stored with a row (see plan_messages)."""
    if not reply_markup:
        return ()
    return tuple(tuple((label, data) for label, data in row) for row in json.loads(reply_markup))


def notify_admins(db: Database, admins: Iterable[int], key: str, text: str, now: datetime) -> int:
    """Plan a notice (`key` starts with admin:) for every admin chat; returns the rows planned."""
    return sum(plan_messages(db, admin, key, [text], now) for admin in admins)


def pause_chat(db: Database, chat_id: int, reason: str, now: datetime) -> None:
    """Hold every delivery to a chat (it blocked the bot); its subscriptions and rows are kept."""
    db.execute(
        "INSERT INTO chats (chat_id, created_at, paused, paused_reason, paused_at) VALUES (?, ?, 1, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET paused = 1, paused_reason = excluded.paused_reason,"
        " paused_at = excluded.paused_at",
        [chat_id, timestamp(now), reason, timestamp(now)],
    )


def resume_chat(db: Database, chat_id: int) -> bool:
    """Deliver to a paused chat again (it sent /start); False when it was not paused."""
    cursor = db.execute(
        "UPDATE chats SET paused = 0, paused_reason = NULL, paused_at = NULL WHERE chat_id = ? AND paused",
        [chat_id],
    )
    return cursor.rowcount == 1

