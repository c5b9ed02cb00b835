"""Sending the outbox (bot/outbox.py) exactly once, through faults and restarts.

Sending (`Sender.drain`) takes the pending rows in id order, per chat in order, a few chats at a
time; the bot's rate limiter (`rate_limiter()`, ~30 messages a second) sets the pace. Right before
a row's request is written to its open connection (`OutboxRequest`), the row is committed as
`sending`; once Telegram answers, as `sent`, with Telegram's message id.
RetryAfter, timeouts and network errors leave the row pending with a later `next_attempt_at`
(exponential back-off); Forbidden (the user blocked the bot) pauses the chat and leaves its rows
pending until /start resumes it; BadRequest (or a group that became a supergroup) marks the row
failed and tells the admins. Nothing is deleted. One process sends at a time (`SenderLock`, an OS
file lock the kernel drops when its process dies, so a bot restarted after kill -9 sends at once).

Exactly once across a kill -9: Telegram has no idempotency key, so a message whose request was on
the wire when the process died cannot be checked. Such a row is still `sending` when the next
process starts; its first drain marks it `unconfirmed` and does not send it again: its request
was being written, or had been, to an open connection, the kernel still delivers what a dying
process wrote, and Telegram acts on a request it received even when the client is gone. Rows
whose request had not reached that point (waiting in the queue or the rate limiter) are still
`pending` and are sent. What is left: a kill during the few microseconds of the write itself may
lose that one message (it is counted as unconfirmed in /stats); and a request that times out
after Telegram received it is retried, so a network fault — not a crash — can repeat a message.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
from sqlite_utils import Database
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import FloodLimit, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter
from telegram.request import HTTPXRequest

from bot import render
from bot.db import store_path
from bot.outbox import (
    ADMIN_PREFIX, FAILED, PENDING, SENDING, SENT, UNCONFIRMED, Buttons, Clock, buttons_of, notify_admins, pause_chat,
    timestamp, utc_now,
)

logger = logging.getLogger(__name__)

# Sends in flight at once: enough that the rate limiter (~30 messages/s), not the round trip,
# sets the pace; one chat never has more than one message in flight.
CONCURRENCY = 12
# Back-off after a timeout or network error: 2 ** attempts seconds, at most this.
MAX_BACKOFF_SECONDS = 300
# A RetryAfter that the rate limiter could not absorb waits at least this long.
MIN_RETRY_SECONDS = 1.0
# Times the rate limiter itself retries after a RetryAfter (pausing every request meanwhile).
RATE_LIMIT_RETRIES = 3

SendFunction = Callable[[int, str, Buttons], Awaitable[int]]  # (chat_id, HTML text, buttons) -> message id
# Set by the Sender around each send; OutboxRequest calls it with SENDING right before the request is
# written to the socket, and with PENDING when Telegram refuses it (a 429 the rate limiter will retry).
ON_WIRE: ContextVar[Callable[[str], None] | None] = ContextVar("zonebrief_on_wire", default=None)


@dataclass(frozen=True)
class Delivery:
    """One pending row of the outbox."""

    id: int
    chat_id: int
    key: str
    part: int
    text: str
    attempts: int
    buttons: Buttons = ()


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
        "SELECT d.id, d.chat_id, d.key, d.part, d.text, d.attempts, d.next_attempt_at, d.reply_markup"
        " FROM deliveries d LEFT JOIN chats c ON c.chat_id = d.chat_id"
        " WHERE d.status = ? AND NOT coalesce(c.paused, 0)"
        " ORDER BY d.chat_id, d.id",
        [PENDING],
    ).fetchall()
    due_at = timestamp(now)
    by_chat: dict[int, list[Delivery]] = {}
    blocked: set[int] = set()
    for row_id, chat_id, key, part, text, attempts, next_attempt_at, reply_markup in rows:
        if chat_id in blocked:
            continue
        if next_attempt_at is not None and next_attempt_at > due_at:
            blocked.add(chat_id)
            continue
        by_chat.setdefault(chat_id, []).append(
            Delivery(row_id, chat_id, key, part, text, attempts, buttons_of(reply_markup)))
    return sorted(by_chat.values(), key=lambda queue: queue[0].id)


class Sender:
    """Sends the outbox: one drain at a time per process, a few chats in parallel.

    `send` does the Telegram call (in the bot: Bot.send_message through PTB's rate limiter) and
    returns the message id. A chat that blocked the bot is paused (see pause_chat).
    """

    def __init__(
        self,
        db: Database,
        send: SendFunction,
        *,
        admins: Iterable[int] = (),
        concurrency: int = CONCURRENCY,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self._send = send
        self._admins = tuple(admins)
        self._concurrency = concurrency
        self._clock = clock
        self._lock = asyncio.Lock()
        self._settled = False

    @property
    def busy(self) -> bool:
        """Whether a drain is running."""
        return self._lock.locked()

    async def drain(self) -> DrainReport:
        """Send every row that is due, until none is; a second caller waits for the first.

        The caller holds the store's SenderLock. The first drain settles the rows a dead process
        left on the wire (see settle_in_flight).
        """
        report = DrainReport()
        async with self._lock:
            if not self._settled:
                settle_in_flight(self.db)
                self._settled = True
            while queues := due_deliveries(self.db, self._clock()):
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
        on_wire = ON_WIRE.set(lambda status: self._mark(delivery, status))
        try:
            message_id = await self._send(delivery.chat_id, delivery.text, delivery.buttons)
        except RetryAfter as error:
            self._retry_later(delivery, error, max(_retry_after_seconds(error), MIN_RETRY_SECONDS))
            report.retried += 1
            return False
        except Forbidden as error:
            logger.warning("chat %s blocked the bot (%s): pausing it", delivery.chat_id, error)
            self._mark(delivery, PENDING)
            pause_chat(self.db, delivery.chat_id, str(error), self._clock())
            report.paused.append(delivery.chat_id)
            return False
        except (BadRequest, ChatMigrated) as error:  # retrying would fail the same way
            self._fail(delivery, error)
            report.failed += 1
            return True
        except TelegramError as error:  # NetworkError, TimedOut, 5xx, …: try again later
            self._retry_later(delivery, error, min(2.0 ** delivery.attempts, MAX_BACKOFF_SECONDS))
            report.retried += 1
            return False
        finally:
            ON_WIRE.reset(on_wire)
        # No await between Telegram's answer and this commit: see the module docstring.
        self.db.execute(
            "UPDATE deliveries SET status = ?, message_id = ?, sent_at = ?, attempts = attempts + 1,"
            " error = NULL WHERE id = ?",
            [SENT, message_id, timestamp(self._clock()), delivery.id],
        )
        report.sent += 1
        return True

    def _mark(self, delivery: Delivery, status: str) -> None:
        self.db.execute("UPDATE deliveries SET status = ? WHERE id = ?", [status, delivery.id])

    def _retry_later(self, delivery: Delivery, error: TelegramError, seconds: float) -> None:
        logger.info("delivery %s to chat %s: %s; retrying in %.0f s", delivery.id, delivery.chat_id, error, seconds)
        self.db.execute(
            "UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, error = ? WHERE id = ?",
            [PENDING, timestamp(self._clock() + timedelta(seconds=seconds)), f"{type(error).__name__}: {error}",
             delivery.id],
        )

    def _fail(self, delivery: Delivery, error: TelegramError) -> None:
        logger.error("delivery %s to chat %s failed for good: %s", delivery.id, delivery.chat_id, error)
        now = self._clock()
        with self.db.atomic():
            self.db.execute(
                "UPDATE deliveries SET status = ?, attempts = attempts + 1, error = ? WHERE id = ?",
                [FAILED, f"{type(error).__name__}: {error}", delivery.id],
            )
            if not delivery.key.startswith(ADMIN_PREFIX):
                notify_admins(
                    self.db, self._admins, f"{ADMIN_PREFIX}delivery-failed:{delivery.id}",
                    render.delivery_failed(delivery.chat_id, delivery.key, delivery.part, str(error)), now,
                )


def settle_in_flight(db: Database) -> int:
    """Mark `unconfirmed` the rows a dead process left on the wire (status `sending`), so they are
    not sent twice; returns how many. Only the process holding the SenderLock may call this."""
    settled = db.execute(
        "UPDATE deliveries SET status = ?, error = ? WHERE status = ?",
        [UNCONFIRMED, "在发送途中进程退出：请求已发出，按已送达处理，不再重发", SENDING],
    ).rowcount
    if settled:
        logger.warning("%d message(s) were on the wire when the last process died: not sent again", settled)
    return settled


def _retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the attribute will become a timedelta
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def send_run(sender: Sender, key: str, *, timeout: float, clock: Clock = utc_now) -> int:
    """Drain the outbox until every row of `key` is sent or failed, or `timeout` seconds pass
    (waiting out retries); returns the rows of `key` still pending. Rows of paused chats are not
    waited for: they go when the chat sends /start."""
    db = sender.db
    deadline = clock() + timedelta(seconds=timeout)
    while True:
        await sender.drain()
        left = db.execute(
            "SELECT count(*), min(d.next_attempt_at) FROM deliveries d LEFT JOIN chats c ON c.chat_id = d.chat_id"
            " WHERE d.key = ? AND d.status = ? AND NOT coalesce(c.paused, 0)", [key, PENDING],
        ).fetchone()
        if not left[0] or clock() >= deadline:
            return left[0]
        wake = datetime.fromisoformat(left[1]) if left[1] else clock()
        await asyncio.sleep(min(max((wake - clock()).total_seconds(), 0.1), (deadline - clock()).total_seconds()))


class SenderLock:
    """Only one process sends from a store: an exclusive OS lock on `<store>.sender.lock`.

    The kernel drops the lock when its process ends, however it ends (kill -9 included), so a
    restarted bot never waits for a dead one; `zonebrief digest --send` leaves the sending to a bot
    that is running.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[bytes] | None = None

    @classmethod
    def beside(cls, db: Database) -> SenderLock:
        """The lock of a store: `<store file>.sender.lock`."""
        path = store_path(db)
        return cls(path.with_name(path.name + ".sender.lock"))

    def acquire(self) -> bool:
        """Take the lock if it is free (or already ours); never waits."""
        if self._file is not None:
            return True
        file = self._path.open("ab")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the lock
            self._file = None


class OutboxRequest(HTTPXRequest):
    """The HTTP client of a bot that sends the outbox: when a request is about to be written to its
    (already open) connection, it calls the ON_WIRE hook the Sender set for that request with
    SENDING, and the row is committed as such before the first byte goes out; when Telegram answers
    with an error status, with PENDING (nothing was delivered, and the rate limiter may retry a 429
    inside the same send). httpcore reports both moments through its `trace` extension, which an
    httpx request hook attaches to the Sender's requests."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("connection_pool_size", CONCURRENCY + 4)
        super().__init__(httpx_kwargs={"event_hooks": {"request": [_trace_outbox_request]}}, **kwargs)


async def _trace_outbox_request(request: httpx.Request) -> None:
    if ON_WIRE.get() is not None:
        request.extensions["trace"] = _on_trace


async def _on_trace(event: str, info: dict[str, Any]) -> None:
    hook = ON_WIRE.get()
    if hook is None:
        return
    if event == "http11.send_request_headers.started":
        hook(SENDING)
    elif event == "http11.receive_response_headers.complete" and info["return_value"][1] >= 400:
        hook(PENDING)


def rate_limiter() -> AIORateLimiter:
    """The bot's rate limiter: Telegram's ~30 messages a second overall, as PTB's default, but
    evenly spaced (a bucket of one, refilled 30 times a second) instead of PTB's default bucket
    of 30, whose initial burst doubles the count in the first second (see docs/BENCHMARKS.md);
    a RetryAfter pauses every request for the time Telegram asks, then retries."""
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / FloodLimit.MESSAGES_PER_SECOND,
                          max_retries=RATE_LIMIT_RETRIES)


def inline_keyboard(buttons: Buttons) -> InlineKeyboardMarkup | None:
    """Rows of (label, callback data) as Telegram's inline keyboard; None for no buttons."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in buttons])


def bot_sender(bot: Bot) -> SendFunction:
    """`send` for the Sender: one HTML message through the bot (and its rate limiter). The bot must
    send through an OutboxRequest, which tells the Sender when a request is on the wire."""
    if not isinstance(bot.request, OutboxRequest):
        raise TypeError("a bot that sends the outbox needs request=OutboxRequest()")

    async def send(chat_id: int, text: str, buttons: Buttons) -> int:
        message = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=inline_keyboard(buttons),
                                         link_preview_options=LinkPreviewOptions(is_disabled=True))
        return message.message_id

    return send
