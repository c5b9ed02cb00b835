"""Weekly digests and new-issue pushes, delivered exactly once through faults and restarts.

The outbox pattern: planning and sending are separate steps.

Planning writes one `deliveries` row per (chat_id, key, part), status pending, holding the text
to send. Keys: `article:<id>` (a new-issue push), `digest:<period>` (the weekly digest; period =
ISO week of the scheduled run in the configured time zone, e.g. 2026-W47), `digest:manual:<UTC
timestamp>` (/digest_now, `zonebrief digest --send`) and `admin:…` (notices for the admins). Rows
are inserted with INSERT OR IGNORE under UNIQUE(chat_id, key, part), so planning twice plans
nothing twice. Pushes for a new issue are planned, and the issue marked (`pushes_planned_at`), in
one transaction; an issue stored but not yet planned when the process died is planned at the next
start. Subscribers are those at planning time, and paused chats get no new rows.

Sending (`Sender.drain`) takes the pending rows in id order, per chat in order, a few chats at a
time; the rate limiter of the Bot object (PTB's AIORateLimiter) sets the pace. A row is marked
sent, with Telegram's message id, in its own commit right after Telegram answers. RetryAfter,
timeouts and network errors leave the row pending with a later `next_attempt_at` (exponential
back-off); Forbidden (the user blocked the bot) pauses the chat and leaves its rows pending until
/start resumes it; BadRequest marks the row failed and tells the admins. Nothing is deleted.

The window that cannot be closed: Telegram has no idempotency key. If the process dies after
Telegram accepted a message but before the `sent` commit, or a request times out after Telegram
received it, that one message is sent again after the restart. The code keeps the window as small
as it can: no await between Telegram's answer and the commit, so the window is the time the
answer spends in the socket plus one SQLite commit, at most one message per chat in flight.
"""

from __future__ import annotations

import asyncio
import html
import logging
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone, tzinfo

from sqlite_utils import Database
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

logger = logging.getLogger(__name__)

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
ADMIN_PREFIX = "admin:"  # keys of notices to the admins

# Sends in flight at once: enough that the rate limiter (~30 messages/s), not the round trip,
# sets the pace; one chat never has more than one message in flight.
CONCURRENCY = 12
# Back-off after a timeout or network error: 2 ** attempts seconds, at most this.
MAX_BACKOFF_SECONDS = 300
# A RetryAfter that the rate limiter could not absorb waits at least this long.
MIN_RETRY_SECONDS = 1.0

Clock = Callable[[], datetime]
SendFunction = Callable[[int, str], Awaitable[int]]  # (chat_id, HTML text) -> Telegram message id


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def timestamp(moment: datetime) -> str:
    """`moment` as the outbox writes times: UTC, ISO 8601, to the millisecond (sortable as text)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


# --- The schedule ----------------------------------------------------------------------------


def last_digest_run(now: datetime, weekday: int, at: time, tz: tzinfo) -> datetime:
    """The latest scheduled digest time at or before `now`, in `tz`.

    `weekday` is Python's: 0 = Monday … 6 = Sunday; `at` is the local time of day.

    Example usage::

        last_digest_run(datetime(2026, 11, 25, tzinfo=timezone.utc), 0, time(9), ZoneInfo("Asia/Shanghai"))
        # 2026-11-23 09:00 +08:00 (a Monday)
    """
    local = now.astimezone(tz)
    run = datetime.combine(local.date() - timedelta(days=(local.weekday() - weekday) % 7), at, tzinfo=tz)
    return run if run <= local else run - timedelta(days=7)


def next_digest_run(now: datetime, weekday: int, at: time, tz: tzinfo) -> datetime:
    """The first scheduled digest time strictly after `now`, in `tz`."""
    return last_digest_run(now, weekday, at, tz) + timedelta(days=7)


def ptb_day(weekday: int) -> int:
    """Python's weekday (0 = Monday) as JobQueue.run_daily counts days (0 = Sunday … 6 = Saturday)."""
    return (weekday + 1) % 7


def digest_period(run: datetime, tz: tzinfo) -> str:
    """The ISO week of a scheduled run in `tz`, e.g. 2026-W47: the weekly digest's key."""
    year, week, _ = run.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


# --- The outbox ------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Delivery:
    """One pending row of the outbox."""

    id: int
    chat_id: int
    key: str
    part: int
    text: str
    attempts: int


@dataclass
class DrainReport:
    """What one Sender.drain did."""

    sent: int = 0
    retried: int = 0  # left pending for a later attempt (RetryAfter, timeout, network error)
    failed: int = 0  # marked failed (BadRequest)
    paused: list[int] = field(default_factory=list)  # chats paused because they blocked the bot


def due_deliveries(db: Database, now: datetime) -> list[list[Delivery]]:
    """The rows to send now, one list per chat in send order, chats by their oldest row.

    Rows of paused chats are left out. A chat's list stops at its first row that waits for a
    retry, so a chat's messages never overtake one another.
    """
    rows = db.execute(
        "SELECT d.id, d.chat_id, d.key, d.part, d.text, d.attempts, d.next_attempt_at"
        " FROM deliveries d LEFT JOIN chats c ON c.chat_id = d.chat_id"
        " WHERE d.status = ? AND NOT coalesce(c.paused, 0)"
        " ORDER BY d.chat_id, d.id",
        [PENDING],
    ).fetchall()
    due_at = timestamp(now)
    by_chat: dict[int, list[Delivery]] = {}
    blocked: set[int] = set()
    for row_id, chat_id, key, part, text, attempts, next_attempt_at in rows:
        if chat_id in blocked:
            continue
        if next_attempt_at is not None and next_attempt_at > due_at:
            blocked.add(chat_id)
            continue
        by_chat.setdefault(chat_id, []).append(Delivery(row_id, chat_id, key, part, text, attempts))
    return sorted(by_chat.values(), key=lambda queue: queue[0].id)


class Sender:
    """Sends the outbox: one drain at a time per process, a few chats in parallel.

    `send` does the Telegram call (in the bot: Bot.send_message through PTB's rate limiter) and
    returns the message id; `pause_chat(chat_id, reason, now)` records that a chat blocked the bot.
    """

    def __init__(
        self,
        db: Database,
        send: SendFunction,
        *,
        pause_chat: Callable[[int, str, datetime], None],
        admins: Iterable[int] = (),
        concurrency: int = CONCURRENCY,
        clock: Clock = utc_now,
    ) -> None:
        self._db = db
        self._send = send
        self._pause_chat = pause_chat
        self._admins = tuple(admins)
        self._concurrency = concurrency
        self._clock = clock
        self._lock = asyncio.Lock()

    async def drain(self) -> DrainReport:
        """Send every row that is due, until none is; a second caller waits for the first."""
        report = DrainReport()
        async with self._lock:
            while queues := due_deliveries(self._db, self._clock()):
                pending = deque(queues)
                workers = [self._work(pending, report) for _ in range(min(self._concurrency, len(pending)))]
                await asyncio.gather(*workers)
        return report

    async def _work(self, queues: deque[list[Delivery]], report: DrainReport) -> None:
        while queues:
            for delivery in queues.popleft():
                if not await self._deliver(delivery, report):
                    break

    async def _deliver(self, delivery: Delivery, report: DrainReport) -> bool:
        """Send one row and record the outcome; True if the chat's next row may follow."""
        try:
            message_id = await self._send(delivery.chat_id, delivery.text)
        except RetryAfter as error:
            self._retry_later(delivery, error, max(_retry_after_seconds(error), MIN_RETRY_SECONDS))
            report.retried += 1
            return False
        except Forbidden as error:
            logger.warning("chat %s blocked the bot (%s): pausing it", delivery.chat_id, error)
            self._pause_chat(delivery.chat_id, str(error), self._clock())
            report.paused.append(delivery.chat_id)
            return False
        except BadRequest as error:
            self._fail(delivery, error)
            report.failed += 1
            return True
        except TelegramError as error:  # NetworkError, TimedOut, 5xx, …: try again later
            self._retry_later(delivery, error, min(2.0 ** delivery.attempts, MAX_BACKOFF_SECONDS))
            report.retried += 1
            return False
        # No await between Telegram's answer and this commit: see the module docstring.
        self._db.execute(
            "UPDATE deliveries SET status = ?, message_id = ?, sent_at = ?, attempts = attempts + 1,"
            " error = NULL WHERE id = ?",
            [SENT, message_id, timestamp(self._clock()), delivery.id],
        )
        report.sent += 1
        return True

    def _retry_later(self, delivery: Delivery, error: TelegramError, seconds: float) -> None:
        logger.info("delivery %s to chat %s: %s; retrying in %.0f s", delivery.id, delivery.chat_id, error, seconds)
        self._db.execute(
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, error = ? WHERE id = ?",
            [timestamp(self._clock() + timedelta(seconds=seconds)), f"{type(error).__name__}: {error}", delivery.id],
        )

    def _fail(self, delivery: Delivery, error: BadRequest) -> None:
        logger.error("delivery %s to chat %s failed for good: %s", delivery.id, delivery.chat_id, error)
        now = self._clock()
        with self._db.atomic():
            self._db.execute(
                "UPDATE deliveries SET status = ?, attempts = attempts + 1, error = ? WHERE id = ?",
                [FAILED, f"{type(error).__name__}: {error}", delivery.id],
            )
            if not delivery.key.startswith(ADMIN_PREFIX):
                notify_admins(
                    self._db, self._admins, f"{ADMIN_PREFIX}delivery-failed:{delivery.id}",
                    f"⚠️ 一条消息无法发送给聊天 {delivery.chat_id}（{delivery.key}，第 {delivery.part} 部分）："
                    f"{html.escape(str(error))}。已标记为失败，不再重试。",
                    now,
                )



def _retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the attribute will become a timedelta
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
