"""The outbox: one row per message to send, planned before it is sent, so nothing is lost.

Planning (bot/planning.py, bot/admin.py) writes one `deliveries` row per (chat_id, key, part),
status pending, holding the text to send; bot/sender.py sends the rows. Keys: `article:<id>` (a
new-issue push; photos are not pushed), `digest:<period>` (the weekly digest; period = ISO week of
the scheduled run in the configured time zone, e.g. 2026-W47), `digest:manual:<UTC time>`
(/digest_now, `zonebrief digest --send`) and `admin:…` (notices for the admins). Rows are inserted
with INSERT OR IGNORE under UNIQUE(chat_id, key, part), so planning twice plans nothing twice.
A paused chat (it blocked the bot) keeps its rows until it sends /start again.

Transport-free: no python-telegram-bot here, so bot/commands.py may plan messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from sqlite_utils import Database

PENDING = "pending"
SENDING = "sending"  # on the wire: committed right before the HTTP request is written
SENT = "sent"
UNCONFIRMED = "unconfirmed"  # was on the wire when its process died: treated as delivered, never resent
FAILED = "failed"
ADMIN_PREFIX = "admin:"  # keys of notices to the admins

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def timestamp(moment: datetime) -> str:
    """`moment` as the outbox writes times: UTC, ISO 8601, to the millisecond (sortable as text)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def plan_messages(db: Database, chat_id: int, key: str, texts: Iterable[str], now: datetime) -> int:
    """Plan the parts of one message for one chat; returns how many rows were new."""
    before = db.execute("SELECT total_changes()").fetchone()[0]
    for part, text in enumerate(texts, start=1):
        db.execute(
            "INSERT OR IGNORE INTO deliveries (chat_id, key, part, text, status, planned_at, attempts)"
            " VALUES (?, ?, ?, ?, ?, ?, 0)",
            [chat_id, key, part, text, PENDING, timestamp(now)],
        )
    return db.execute("SELECT total_changes()").fetchone()[0] - before


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

