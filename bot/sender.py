"""Sending the outbox (bot/outbox.py) exactly once, through faults, a locked store and restarts.

Sending (`Sender.drain`) takes the due rows a page of chats at a time (due_deliveries: never the
whole outbox), per chat in order, a few chats at a time; the bot's rate limiter (`rate_limiter()`,
~30 messages a second) sets the pace. One process sends at a time (`SenderLock`, an OS file lock
the kernel drops when its process dies, so a bot restarted after kill -9 sends at once).

A row's way out, as its status records it (every change committed before the next step):
  pending  -> sending   claimed, right before its request's first byte is written (OutboxRequest);
  sending  -> written   the whole request has been handed to the kernel: the server gets it even
                        if this process dies now (the kernel sends what a dead process wrote);
  written  -> sent      Telegram answered, with its message id.
A refused request (HTTP 4xx/5xx) goes back to `pending`. RetryAfter, timeouts and network errors
leave the row pending with a later `next_attempt_at` (exponential back-off); Forbidden (the user
blocked the bot) pauses the chat and leaves its rows pending until /start resumes it; BadRequest
(or a group that became a supergroup) marks the row failed and tells the admins. Nothing is deleted.

The moment of `written` is caught on the connection itself (OutboxRequest watches its stream):
right after the write(2) that hands the last byte to the kernel, the row id is appended to the
wire log (`<store>.wire`, one more write(2)), then the `written` status is committed.

After kill -9 the next drain settles what the dead process left (settle_in_flight): `written`
rows, and `sending` rows the wire log names, become `unconfirmed` — delivered, never sent again;
the other `sending` rows go back to `pending` and are sent again, since their request may not have
been written whole. One such row whose whole request had in fact been written (the process died
in the microseconds between the last byte's write and the log's) is then a duplicate: the one case
where the sender cannot tell, it prefers a rare duplicate to a silent loss, and counts these rows
(`crash_resends`, /stats). A timeout after Telegram received a request is retried too, so a
network fault, not only a crash, can repeat a message.

Bookkeeping is separate from sending: the sender writes through its own connection (short busy
timeout, no fsync per commit: a killed process loses nothing the kernel has), and a write that
meets a locked store (another process ingesting, say) is tried again with back-off, without
sending anything again; the row stays claimed until its outcome is written. A worker that fails
for any other reason leaves its chat's rows where they are (never `pending` after a send) and
the drain goes on with the other chats.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import sqlite3
import ssl
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpcore
import httpx
from sqlite_utils import Database
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import FloodLimit, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter
from telegram.request import HTTPXRequest

from bot import render
from bot.db import connect, store_path, write_transaction
from bot.outbox import (
    ADMIN_PREFIX, FAILED, PENDING, SENDING, SENT, UNCONFIRMED, WRITTEN, Buttons, Clock, buttons_of, notify_admins,
    pause_chat, timestamp, utc_now,
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
# A drain reads the due rows this many chats at a time, at most this many rows per chat.
CHATS_PER_PAGE = 200
ROWS_PER_CHAT = 20
# The sender's own connection waits this long for a locked store (blocking the event loop), then
# gives way and tries again after BOOKKEEPING_FIRST_WAIT seconds, doubling up to BOOKKEEPING_MAX_WAIT.
SENDER_BUSY_TIMEOUT_MS = 50
BOOKKEEPING_FIRST_WAIT = 0.05
BOOKKEEPING_MAX_WAIT = 2.0

SendFunction = Callable[[int, str, Buttons], Awaitable[int]]  # (chat_id, HTML text, buttons) -> message id
# Set by the Sender around each send; OutboxRequest awaits it with SENDING right before the request's
# first byte is written, with WRITTEN once its last byte is, and with PENDING when Telegram refuses
# it (a 429 the rate limiter will retry).
ON_WIRE: ContextVar[Callable[[str], Awaitable[None]] | None] = ContextVar("zonebrief_on_wire", default=None)
# Set by the Sender around each send too: called synchronously the instant the request's last
# byte was handed to the kernel (before ON_WIRE hears WRITTEN): it appends to the wire log.
HANDED_ON: ContextVar[Callable[[], None] | None] = ContextVar("zonebrief_handed_on", default=None)


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
    bookkeeping_retries: int = 0  # writes tried again because the store was locked
    errors: int = 0  # chats left for a later drain after an unexpected error


def due_deliveries(db: Database, now: datetime, *, skip: Iterable[int] = (), chats: int = CHATS_PER_PAGE,
                   rows: int = ROWS_PER_CHAT) -> list[list[Delivery]]:
    """The next rows to send: for at most `chats` chats, chats by their oldest pending row, up to
    `rows` rows each, in send order. Never the whole outbox: a drain reads it page by page.

    Rows of paused chats and chats in `skip` are left out. A chat whose oldest pending row waits for
    a retry is left out, and a chat's list stops at its first row that waits, so a chat's messages
    never overtake one another.
    """
    due_at = timestamp(now)
    heads = db.execute(
        "SELECT h.chat_id FROM ("
        "  SELECT d.chat_id, min(d.id) AS head FROM deliveries d LEFT JOIN chats c ON c.chat_id = d.chat_id"
        "  WHERE d.status = ? AND NOT coalesce(c.paused, 0)"
        "  AND d.chat_id NOT IN (SELECT value FROM json_each(?)) GROUP BY d.chat_id"
        ") h JOIN deliveries first ON first.id = h.head"
        " WHERE first.next_attempt_at IS NULL OR first.next_attempt_at <= ?"
        " ORDER BY h.head LIMIT ?",
        [PENDING, json.dumps(list(skip)), due_at, chats],
    ).fetchall()
    by_chat: dict[int, list[Delivery]] = {chat_id: [] for chat_id, in heads}
    blocked: set[int] = set()
    for row_id, chat_id, key, part, text, attempts, next_attempt_at, reply_markup in db.execute(
        "SELECT id, chat_id, key, part, text, attempts, next_attempt_at, reply_markup FROM ("
        "  SELECT *, row_number() OVER (PARTITION BY chat_id ORDER BY id) AS n FROM deliveries"
        "  WHERE status = ? AND chat_id IN (SELECT value FROM json_each(?))"
        ") WHERE n <= ? ORDER BY chat_id, id",
        [PENDING, json.dumps(list(by_chat)), rows],
    ):
        if chat_id in blocked or (next_attempt_at is not None and next_attempt_at > due_at):
            blocked.add(chat_id)
            continue
        by_chat[chat_id].append(Delivery(row_id, chat_id, key, part, text, attempts, buttons_of(reply_markup)))
    return [queue for queue in by_chat.values() if queue]


def open_writer(db: Database) -> Database:
    """The sender's own connection to the store of `db`: a short busy timeout (the Sender waits for
    a locked store itself, without blocking the event loop) and commits without fsync (a killed
    process loses nothing the kernel holds; only a power cut could, and it would lose a mark, so
    at worst send a message again)."""
    writer = connect(store_path(db), busy_timeout_ms=SENDER_BUSY_TIMEOUT_MS)
    writer.execute("PRAGMA synchronous = NORMAL")
    return writer


class Sender:
    """Sends the outbox: one drain at a time per process, a few chats in parallel.

    `send` does the Telegram call (in the bot: Bot.send_message through PTB's rate limiter) and
    returns the message id. A chat that blocked the bot is paused (see pause_chat). `db` is read;
    the sender's own writes go through `writer` (by default open_writer(db)).
    """

    def __init__(
        self,
        db: Database,
        send: SendFunction,
        *,
        admins: Iterable[int] = (),
        concurrency: int = CONCURRENCY,
        clock: Clock = utc_now,
        writer: Database | None = None,
    ) -> None:
        self.db = db
        self._writer = writer if writer is not None else open_writer(db)
        self._wire_log = WireLog.beside(db)
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
                await self._write(report, settle_in_flight, self._wire_log.read())
                self._settled = True
            troubled: set[int] = set()  # chats whose worker failed: left for the next drain
            while queues := due_deliveries(self.db, self._clock(), skip=troubled, chats=CHATS_PER_PAGE,
                                           rows=ROWS_PER_CHAT):
                pending = deque(queues)
                workers = [self._work(pending, report, troubled) for _ in range(min(self._concurrency, len(pending)))]
                await asyncio.gather(*workers)
            if not troubled:  # nothing left on the wire: what the log says is in the store now
                self._wire_log.clear()
        return report

    async def _work(self, queues: deque[list[Delivery]], report: DrainReport, troubled: set[int]) -> None:
        while queues:
            queue = queues.popleft()
            try:
                for delivery in queue:
                    if not await self._deliver(delivery, report):
                        break
            except Exception:  # one chat's trouble must not end the drain of the others
                logger.exception("sending to chat %s failed: its rows wait for the next drain", queue[0].chat_id)
                troubled.add(queue[0].chat_id)
                report.errors += 1

    async def _deliver(self, delivery: Delivery, report: DrainReport) -> bool:
        """Send one row and record the outcome; True if the chat's next row may follow."""
        logged = [False]

        def handed_on() -> None:  # the last byte is with the kernel: one append, before anything else runs
            if not logged[0]:
                logged[0] = True
                self._wire_log.written(delivery.id)

        async def on_wire(status: str) -> None:
            if status == WRITTEN:
                handed_on()
            elif status == PENDING:
                logged[0] = False
                self._wire_log.withdrawn(delivery.id)  # refused: it may be claimed and written again
            await self._write(report, _set_status, delivery.id, status)

        tokens = ON_WIRE.set(on_wire), HANDED_ON.set(handed_on)
        try:
            message_id = await self._send(delivery.chat_id, delivery.text, delivery.buttons)
        except TelegramError as error:
            return await self._refused(delivery, error, report)
        finally:
            ON_WIRE.reset(tokens[0])
            HANDED_ON.reset(tokens[1])
        await self._write(report, _record_sent, delivery.id, message_id, timestamp(self._clock()))
        report.sent += 1
        return True

    async def _refused(self, delivery: Delivery, error: TelegramError, report: DrainReport) -> bool:
        """Record a send Telegram refused (or that did not get through); True if the chat's next
        row may follow."""
        now = self._clock()
        if not isinstance(error, (BadRequest, ChatMigrated)):
            self._wire_log.withdrawn(delivery.id)  # back to pending: a later attempt is what counts
        if isinstance(error, Forbidden):
            logger.warning("chat %s blocked the bot (%s): pausing it", delivery.chat_id, error)
            await self._write(report, _pause, delivery.id, delivery.chat_id, str(error), now)
            report.paused.append(delivery.chat_id)
            return False
        if isinstance(error, (BadRequest, ChatMigrated)):  # retrying would fail the same way
            logger.error("delivery %s to chat %s failed for good: %s", delivery.id, delivery.chat_id, error)
            notice = None if delivery.key.startswith(ADMIN_PREFIX) else render.delivery_failed(
                delivery.chat_id, delivery.key, delivery.part, str(error))
            await self._write(report, _record_failed, delivery, _describe(error), self._admins, notice, now)
            report.failed += 1
            return True
        if isinstance(error, RetryAfter):
            seconds = max(_retry_after_seconds(error), MIN_RETRY_SECONDS)
        else:  # NetworkError, TimedOut, 5xx, …: try again later
            seconds = min(2.0 ** delivery.attempts, MAX_BACKOFF_SECONDS)
        logger.info("delivery %s to chat %s: %s; retrying in %.0f s", delivery.id, delivery.chat_id, error, seconds)
        await self._write(report, _retry_later, delivery.id, timestamp(now + timedelta(seconds=seconds)), _describe(error))
        report.retried += 1
        return False

    async def _write(self, report: DrainReport, change: Callable[..., object], *args: Any) -> None:
        """Commit `change(writer, *args)` in one write transaction; while the store is locked (or
        busy), wait and try again — the bookkeeping is retried, never the send."""
        wait = BOOKKEEPING_FIRST_WAIT
        while True:
            try:
                with write_transaction(self._writer):
                    change(self._writer, *args)
                return
            except sqlite3.OperationalError as error:
                report.bookkeeping_retries += 1
                logger.warning("the outbox could not record %s (%s): trying again in %.2f s",
                               change.__name__.strip("_"), error, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, BOOKKEEPING_MAX_WAIT)


def _set_status(db: Database, row_id: int, status: str) -> None:
    db.execute("UPDATE deliveries SET status = ? WHERE id = ?", [status, row_id])


def _record_sent(db: Database, row_id: int, message_id: int, sent_at: str) -> None:
    db.execute(
        "UPDATE deliveries SET status = ?, message_id = ?, sent_at = ?, attempts = attempts + 1, error = NULL"
        " WHERE id = ?",
        [SENT, message_id, sent_at, row_id],
    )


def _retry_later(db: Database, row_id: int, next_attempt_at: str, error: str) -> None:
    db.execute(
        "UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, error = ? WHERE id = ?",
        [PENDING, next_attempt_at, error, row_id],
    )


def _pause(db: Database, row_id: int, chat_id: int, reason: str, now: datetime) -> None:
    _set_status(db, row_id, PENDING)
    pause_chat(db, chat_id, reason, now)


def _record_failed(db: Database, delivery: Delivery, error: str, admins: tuple[int, ...], notice: str | None,
                   now: datetime) -> None:
    db.execute("UPDATE deliveries SET status = ?, attempts = attempts + 1, error = ? WHERE id = ?",
               [FAILED, error, delivery.id])
    if notice is not None:
        notify_admins(db, admins, f"{ADMIN_PREFIX}delivery-failed:{delivery.id}", notice, now)


def _describe(error: TelegramError) -> str:
    return f"{type(error).__name__}: {error}"


def settle_in_flight(db: Database, written: Iterable[int] = ()) -> int:
    """After a process died while sending: its `written` rows, and its `sending` rows that the wire
    log (`written`, see WireLog) names, become `unconfirmed` (delivered, never sent again); its
    other `sending` rows go back to `pending`, counted in `crash_resends` (their request may or may
    not have been written whole: sent again, a rare duplicate rather than a loss). Returns how many
    rows were settled. Only the process holding the SenderLock may call this."""
    delivered = db.execute(
        "UPDATE deliveries SET status = ?, error = ? WHERE status = ?"
        " OR (status = ? AND id IN (SELECT value FROM json_each(?)))",
        [UNCONFIRMED, "请求已完整发出时进程退出：按已送达处理，不再重发", WRITTEN, SENDING, json.dumps(list(written))],
    ).rowcount
    resent = db.execute(
        "UPDATE deliveries SET status = ?, crash_resends = crash_resends + 1, error = ? WHERE status = ?",
        [PENDING, "请求写出途中进程退出：可能未送达，重新发送（可能重复一条）", SENDING],
    ).rowcount
    if delivered or resent:
        logger.warning("the last process died while sending: %d message(s) had been written whole (not sent again),"
                       " %d were being written (sent again)", delivered, resent)
    return delivered + resent


class WireLog:
    """`<store>.wire`: the ids of the rows whose request was written whole, one per line, appended
    the moment the last byte is handed to the kernel — a single write(2), a few microseconds, where
    the `written` commit that follows takes a transaction. A process killed between the two leaves
    the row `sending` in the store but named here, so the next process keeps it as delivered instead
    of sending it again. Written by the process holding the SenderLock only; emptied when a drain
    ends with nothing on the wire."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    @classmethod
    def beside(cls, db: Database) -> WireLog:
        path = store_path(db)
        return cls(path.with_name(path.name + ".wire"))

    def written(self, row_id: int) -> None:
        """The row's request was handed to the kernel whole."""
        self._append(f"{row_id}\n")

    def withdrawn(self, row_id: int) -> None:
        """The row is pending again (refused, or to be retried): an earlier `written` no longer counts."""
        self._append(f"-{row_id}\n")

    def _append(self, line: str) -> None:
        if self._fd is None:
            self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(self._fd, line.encode())

    def read(self) -> set[int]:
        """The rows written and not withdrawn since (a line cut short by a kill counts for nothing)."""
        try:
            lines = self._path.read_text(encoding="ascii", errors="ignore").split("\n")[:-1]
        except FileNotFoundError:
            return set()
        rows: set[int] = set()
        for line in lines:
            if line.isdigit():
                rows.add(int(line))
            elif line.startswith("-") and line[1:].isdigit():
                rows.discard(int(line[1:]))
        return rows

    def clear(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
        elif self._path.exists():
            self._path.write_bytes(b"")


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
    """The HTTP client of a bot that sends the outbox: it tells the Sender where each request is on
    its connection. Right before a request's first byte is written, it awaits the ON_WIRE hook the
    Sender set for that request with SENDING (the row is claimed, committed); right after the
    write that hands its last byte to the kernel, with WRITTEN — before anything else runs on the
    event loop, so the instant in which a kill leaves the row `sending` although the server got the
    whole request is as short as one commit; when Telegram answers with an error status, with
    PENDING (nothing was delivered, and the rate limiter may retry a 429 inside the same send).

    httpcore reports the request's phases through its `trace` extension (an httpx request hook
    attaches it to the Sender's requests); the bytes written come from the connections themselves:
    the transport's network backend wraps each connection's stream (_WatchedStream)."""

    def __init__(self, **kwargs: Any) -> None:
        size = kwargs.setdefault("connection_pool_size", CONCURRENCY + 4)
        transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=size, max_keepalive_connections=size))
        pool = transport._pool  # httpx and httpcore are pinned (requirements.lock); a test checks this wiring
        pool._network_backend = _WatchingBackend(pool._network_backend)
        super().__init__(httpx_kwargs={"event_hooks": {"request": [_trace_outbox_request]}, "transport": transport},
                         **kwargs)


class _Wire:
    """One request of the Sender on its connection: calls the row's hooks at its moments."""

    def __init__(self, hook: Callable[[str], Awaitable[None]], handed_on: Callable[[], None] | None,
                 body_length: int) -> None:
        self._hook = hook
        self._handed_on = handed_on
        self._body_length = body_length
        self._body_written: int | None = None  # bytes of the body handed to the kernel; None before the body
        self._whole = False  # the last byte was handed to the kernel (handed_on called)
        self._written = False  # the hook was told WRITTEN

    async def on_trace(self, event: str, info: dict[str, Any]) -> None:
        if event == "http11.send_request_headers.started":
            self._body_written, self._whole, self._written = None, False, False
            await self._hook(SENDING)
        elif event == "http11.send_request_body.started":
            self._body_written = 0
        elif event == "http11.send_request_body.complete":
            self._done()  # a body of unknown length: its end
            await self.wrote()
        elif event == "http11.receive_response_headers.complete" and info["return_value"][1] >= 400:
            await self._hook(PENDING)

    def handed(self, count: int) -> None:
        """`count` more bytes of this request were handed to the kernel (called synchronously, right
        after the write, before anything else may run)."""
        if self._body_written is None or self._whole:
            return
        self._body_written += count
        if self._body_written >= self._body_length > 0:
            self._done()

    def _done(self) -> None:
        if not self._whole:
            self._whole = True
            if self._handed_on is not None:
                self._handed_on()

    async def wrote(self) -> None:
        """After a write returned: tell the hook WRITTEN once the last byte was handed on."""
        if self._whole and not self._written:
            self._written = True
            await self._hook(WRITTEN)


_WIRE: ContextVar[_Wire | None] = ContextVar("zonebrief_wire", default=None)


async def _trace_outbox_request(request: httpx.Request) -> None:
    hook = ON_WIRE.get()
    wire = None if hook is None else _Wire(hook, HANDED_ON.get(), int(request.headers.get("content-length", 0)))
    _WIRE.set(wire)  # the request runs in this task: its connection's writes see it
    if wire is not None:
        request.extensions["trace"] = wire.on_trace


class _WatchedStream(httpcore.AsyncNetworkStream):
    """A connection's stream that tells the request being written how many bytes each write handed
    to the kernel: from inside the asyncio transport's write when it can (anyio yields to the event
    loop after the write, before returning; a kill in that pause must find the row logged), else
    when the write returns."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._inside = _watch_transport(stream)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, timeout)
        wire = _WIRE.get()
        if wire is not None:
            if not self._inside:
                wire.handed(len(buffer))
            await wire.wrote()

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return _WatchedStream(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def _watch_transport(stream: httpcore.AsyncNetworkStream) -> bool:
    """Make the asyncio transport under an httpcore stream (httpcore's AnyIOStream over anyio's
    SocketStream: both pinned) report each write at once; False when there is no such transport."""
    transport = getattr(getattr(stream, "_stream", None), "_transport", None)
    if not isinstance(transport, asyncio.WriteTransport):
        return False
    write = transport.write

    def watched_write(data: Any) -> None:
        write(data)
        wire = _WIRE.get()
        if wire is not None:
            wire.handed(len(data))

    transport.write = watched_write  # type: ignore[method-assign]
    return True


class _WatchingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, with every connection's stream watched (_WatchedStream)."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        return _WatchedStream(await self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        return _WatchedStream(await self._backend.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


# Set while the outbox sends (bot_sender): the rate limiter lets answers go first.
_OUTBOX_SEND: ContextVar[bool] = ContextVar("zonebrief_outbox_send", default=False)
# The overall pace: a little under Telegram's 30 messages a second, so that the 31st message of a
# run goes at least 1.015 s after the first whatever the tolerance (30 intervals minus the
# tolerance): 15 ms of network jitter still never makes 31 in one second.
PACE_INTERVAL = 1 / (FloodLimit.MESSAGES_PER_SECOND - 0.6)  # 29.4 a second
PACE_TOLERANCE = 0.005  # a send woken this much late (a busy machine) keeps the schedule


class Pace:
    """Requests spaced `interval` apart on a schedule (a generic cell rate algorithm): each may go
    up to `tolerance` before its time, so one woken late does not push every later one back and
    the rate holds on a busy machine; waiters go in the order they came."""

    def __init__(self, interval: float, tolerance: float = 0.0) -> None:
        if not 0 <= tolerance < interval:
            raise ValueError("the tolerance must be less than the interval")
        self._interval = interval
        self._tolerance = tolerance
        self._due = 0.0  # loop time the next request is due
        self._turn = asyncio.Lock()

    async def __aenter__(self) -> None:
        async with self._turn:
            loop = asyncio.get_running_loop()
            wait = self._due - self._tolerance - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._due = max(self._due, loop.time()) + self._interval

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class AnswersFirst(AIORateLimiter):
    """PTB's AIORateLimiter (per-group limits, RetryAfter pauses every request, then retries) with
    an overall `Pace` instead of its bucket, and answers before the outbox: the outbox's sends
    (pushes, digests, notices) wait for the pace one at a time, each after the one before has had
    its turn, so an answer to a chat waits behind at most one of them however many are queued."""

    def __init__(self, interval: float = PACE_INTERVAL, tolerance: float = PACE_TOLERANCE, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._base_limiter = Pace(interval, tolerance)  # type: ignore[assignment]
        self._outbox_turn = asyncio.Lock()

    async def process_request(self, callback: Callable[..., Any], args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None) -> Any:
        if not _OUTBOX_SEND.get():
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        await self._outbox_turn.acquire()
        waiting = [True]  # until the pace lets this send through

        async def call(*call_args: Any, **call_kwargs: Any) -> Any:
            if waiting:
                waiting.clear()
                self._outbox_turn.release()
            return await callback(*call_args, **call_kwargs)

        try:
            return await super().process_request(call, args, kwargs, endpoint, data, rate_limit_args)
        finally:
            if waiting:
                self._outbox_turn.release()


def rate_limiter() -> AIORateLimiter:
    """The bot's rate limiter: a little under Telegram's ~30 messages a second overall, evenly
    spaced on a schedule (`Pace`) instead of PTB's default bucket of 30, whose initial burst
    doubles the count in the first second (see docs/BENCHMARKS.md); answers go before the
    outbox's sends (AnswersFirst); a RetryAfter pauses every request for the time Telegram asks,
    then retries."""
    return AnswersFirst(max_retries=RATE_LIMIT_RETRIES)


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
        token = _OUTBOX_SEND.set(True)
        try:
            message = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML,
                                             reply_markup=inline_keyboard(buttons),
                                             link_preview_options=LinkPreviewOptions(is_disabled=True))
        finally:
            _OUTBOX_SEND.reset(token)
        return message.message_id

    return send
