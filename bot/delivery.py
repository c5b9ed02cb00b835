"""Weekly digests and new-issue pushes, delivered exactly once through faults and restarts.

The outbox pattern: planning and sending are separate steps, and the store is the only state.

Planning writes one `deliveries` row per (chat_id, key, part), status pending, holding the text
to send. Keys: `article:<id>` (a new-issue push; photos are not pushed), `digest:<period>` (the
weekly digest; period = ISO week of the scheduled run in the configured time zone, e.g.
2026-W47), `digest:manual:<UTC time>` (/digest_now, `zonebrief digest --send`) and `admin:…`
(notices for the admins). Rows are inserted with INSERT OR IGNORE under UNIQUE(chat_id, key,
part), and a digest key is recorded in `digest_runs` with its rows, so planning twice plans
nothing twice. An issue's pushes are planned, and the issue marked (`issues.pushes_planned_at`),
in one transaction, at every inbox poll and at start-up: an issue stored by a process that died
before planning, or by `zonebrief ingest`, is planned then. Subscribers are those at planning
time; a paused chat gets no new rows.

Sending (`Sender.drain`) takes the pending rows in id order, per chat in order, a few chats at a
time; the bot's rate limiter (`rate_limiter()`, ~30 messages a second) sets the pace. Right before
a row's request is written to its open connection (`OutboxRequest`), the row is committed as
`sending`; once Telegram answers, as `sent`, with Telegram's message id.
RetryAfter, timeouts and network errors leave the row pending with a later `next_attempt_at`
(exponential back-off); Forbidden (the user blocked the bot) pauses the chat and leaves its rows
pending until /start resumes it; BadRequest (or a group that became a supergroup) marks the row
failed and tells the admins. Nothing is deleted. One process sends at a time (`SenderLock`, an OS
file lock the kernel drops when its process dies, so a bot restarted after kill -9 sends at once).

At start-up the bot plans a digest it missed while down (once), takes in the inbox, plans what
was not planned and sends every pending row.

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
import html
import json
import logging
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from sqlite_utils import Database
from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import FloodLimit, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, CommandHandler, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from bot import render
from bot.config import ConfigError, Settings
from bot.inbox import InboxOutcome, process_file, process_inbox, save_upload
from bot.ingest import MAX_FILE_BYTES, PAGE_SUFFIX, REPLACED, UNCHANGED, page_files
from bot.service import ALL, CITY, ZONE, Target, ZoneService
from summarize.segment import ARTICLE

logger = logging.getLogger(__name__)

PENDING = "pending"
SENDING = "sending"  # on the wire: committed right before the HTTP request is written
SENT = "sent"
UNCONFIRMED = "unconfirmed"  # was on the wire when its process died: treated as delivered, never resent
FAILED = "failed"
ADMIN_PREFIX = "admin:"  # keys of notices to the admins

# The digest covers the issues dated in the seven days ending on its day, one or two sentences each.
DIGEST_DAYS = 7
DIGEST_SENTENCES = 2
# Sends in flight at once: enough that the rate limiter (~30 messages/s), not the round trip,
# sets the pace; one chat never has more than one message in flight.
CONCURRENCY = 12
# Back-off after a timeout or network error: 2 ** attempts seconds, at most this.
MAX_BACKOFF_SECONDS = 300
# A RetryAfter that the rate limiter could not absorb waits at least this long.
MIN_RETRY_SECONDS = 1.0
# Times the rate limiter itself retries after a RetryAfter (pausing every request meanwhile).
RATE_LIMIT_RETRIES = 3
# The sender looks for due rows this often (retries, rows planned by commands or other processes).
SEND_TICK_SECONDS = 2.0
# A digest whose time came while the event loop was busy still runs, up to this late.
DIGEST_MISFIRE_SECONDS = 6 * 3600
ADMIN_ONLY = "抱歉，此命令仅限管理员使用。"

Clock = Callable[[], datetime]
SendFunction = Callable[[int, str], Awaitable[int]]  # (chat_id, HTML text) -> Telegram message id
# Set by the Sender around each send; OutboxRequest calls it with SENDING right before the request is
# written to the socket, and with PENDING when Telegram refuses it (a 429 the rate limiter will retry).
ON_WIRE: ContextVar[Callable[[str], None] | None] = ContextVar("zonebrief_on_wire", default=None)


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def timestamp(moment: datetime) -> str:
    """`moment` as the outbox writes times: UTC, ISO 8601, to the millisecond (sortable as text)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


# --- The schedule ----------------------------------------------------------------------------

ENGLISH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = {
    **{name: day for day, name in enumerate(ENGLISH_DAYS)},
    **{name[:3]: day for day, name in enumerate(ENGLISH_DAYS)},
    **{f"周{name}": day for day, name in enumerate("一二三四五六日")},
    **{f"星期{name}": day for day, name in enumerate("一二三四五六日")},
    "周天": 6, "星期天": 6,
}


@dataclass(frozen=True)
class Schedule:
    """When the weekly digest runs: a weekday (Python's, 0 = Monday) and a local time in `tz`."""

    weekday: int
    at: time
    tz: tzinfo

    def last_run(self, now: datetime) -> datetime:
        """The latest scheduled run at or before `now`.

        Example usage::

            Schedule(0, time(9), ZoneInfo("Asia/Shanghai")).last_run(datetime(2026, 11, 25, tzinfo=timezone.utc))
            # 2026-11-23 09:00 +08:00 (a Monday)
        """
        local = now.astimezone(self.tz)
        day = local.date() - timedelta(days=(local.weekday() - self.weekday) % 7)
        run = datetime.combine(day, self.at, tzinfo=self.tz)
        return run if run <= local else run - timedelta(days=7)

    def next_run(self, now: datetime) -> datetime:
        """The first scheduled run strictly after `now`."""
        return self.last_run(now) + timedelta(days=7)

    def period(self, run: datetime) -> str:
        """The ISO week of a run in the schedule's zone, e.g. 2026-W47: the digest's key."""
        year, week, _ = run.astimezone(self.tz).isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def ptb_days(self) -> tuple[int]:
        """The weekday as JobQueue.run_daily counts days: 0 = Sunday … 6 = Saturday."""
        return ((self.weekday + 1) % 7,)


def load_schedule(settings: Settings) -> Schedule:
    """The digest schedule from settings.digest_day, digest_time and timezone, else ConfigError."""
    weekday = WEEKDAYS.get(settings.digest_day.strip().lower())
    if weekday is None:
        raise ConfigError(
            f"配置项 digest_day 的值“{settings.digest_day}”无效：请写 monday … sunday（或 周一 … 周日）。"
        )
    try:
        at = time.fromisoformat(settings.digest_time.strip())
    except ValueError:
        raise ConfigError(f"配置项 digest_time 的值“{settings.digest_time}”无效：请写 24 小时制的 HH:MM，例如 09:00。") from None
    try:
        tz = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"配置项 timezone 的值“{settings.timezone}”不是已知的时区：请写 IANA 名称，例如 Asia/Shanghai。") from None
    return Schedule(weekday, at.replace(tzinfo=None), tz)


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


# --- Planning ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    """An article that may go to subscribers, with every subscription target it falls under."""

    id: int
    title: str | None
    zone: str | None
    day: str  # the article's date, else its issue's
    body: str
    targets: frozenset[tuple[str, str]]  # (kind, name) as in subscriptions


def _candidates(service: ZoneService, where: str, params: list[object]) -> list[_Candidate]:
    """The articles (not photos) matching `where`, newest issue first, in page order."""
    rows = service.db.execute(
        "SELECT a.id, a.title, a.zone, a.city, a.body, COALESCE(a.published, i.issue_date),"
        " (SELECT json_group_array(zone) FROM article_zones WHERE article_id = a.id)"
        " FROM articles a JOIN issues i ON i.id = a.issue_id"
        f" WHERE a.kind = ? AND {where} ORDER BY i.issue_date DESC, i.id DESC, a.seq",
        [ARTICLE, *params],
    ).fetchall()
    candidates = []
    for article_id, title, zone, city, body, day, zones_json in rows:
        zones = json.loads(zones_json)
        cities = {city} if city else set()
        for name in zones:
            found = service.gazetteer.get(name)
            cities.update(found.cities if found else ())
        targets = {(ALL, "")} | {(ZONE, name) for name in zones} | {(CITY, name) for name in cities}
        candidates.append(_Candidate(article_id, title, zone or city, day, body, frozenset(targets)))
    return candidates


def _subscribers(service: ZoneService) -> dict[int, tuple[Target, ...]]:
    """Every chat that subscribes to something and is not paused, with its subscriptions in order."""
    chats = service.db.execute(
        "SELECT DISTINCT s.chat_id FROM subscriptions s JOIN chats c ON c.chat_id = s.chat_id"
        " WHERE NOT c.paused ORDER BY s.chat_id"
    ).fetchall()
    return {chat_id: service.subscriptions(chat_id) for chat_id, in chats}


def _concerns(targets: Iterable[Target], candidate: _Candidate) -> bool:
    return any((target.kind, target.name) in candidate.targets for target in targets)


def push_text(service: ZoneService, article_id: int) -> str:
    """The push for one new article: its summary card (as /summary shows it) under a heading."""
    article = service.article_summary(article_id)
    if article is None:
        raise LookupError(article_id)
    return (f"🆕 <b>新报道</b>\n\n{render.article_summary(article)}\n\n"
            f"发送 /read {article.id} 阅读全文。")


def plan_pushes(service: ZoneService, now: datetime) -> int:
    """Plan the pushes of every issue not planned yet, and mark it, in one transaction.

    Each article (photos are not pushed) goes to the chats, not paused, that subscribe to one of
    its zones, to its city or to everything, at the time of planning. Returns the rows planned.
    """
    db = service.db
    planned = 0
    with db.atomic():
        issues = [row[0] for row in db.execute(
            "SELECT id FROM issues WHERE pushes_planned_at IS NULL ORDER BY id"
        ).fetchall()]
        subscribers = _subscribers(service) if issues else {}
        for issue_id in issues:
            for candidate in _candidates(service, "a.issue_id = ?", [issue_id]):
                chats = [chat_id for chat_id, targets in subscribers.items() if _concerns(targets, candidate)]
                if chats:
                    text = push_text(service, candidate.id)
                    planned += sum(plan_messages(db, chat_id, f"article:{candidate.id}", [text], now)
                                   for chat_id in chats)
            db.execute("UPDATE issues SET pushes_planned_at = ? WHERE id = ?", [timestamp(now), issue_id])
    if issues:
        logger.info("planned %d push(es) for %d new issue(s)", planned, len(issues))
    return planned


@dataclass(frozen=True)
class DigestEntry:
    """One article in a digest."""

    id: int
    title: str | None
    zone: str | None
    date: str
    summary: str  # one or two sentences


@dataclass(frozen=True)
class DigestSection:
    """The articles of one subscription (each article under the first subscription it falls under)."""

    target: Target
    entries: tuple[DigestEntry, ...]


@dataclass(frozen=True)
class Digest:
    """One chat's digest: the articles of the issues dated first_day … last_day."""

    first_day: date
    last_day: date
    sections: tuple[DigestSection, ...]

    @property
    def count(self) -> int:
        return sum(len(section.entries) for section in self.sections)


def build_digests(service: ZoneService, as_of: date) -> dict[int, Digest]:
    """The digest of every subscribed chat (not paused) for the seven days ending on `as_of`."""
    first_day = as_of - timedelta(days=DIGEST_DAYS - 1)
    candidates = _candidates(service, "i.issue_date BETWEEN ? AND ?", [first_day.isoformat(), as_of.isoformat()])
    def entry(candidate: _Candidate) -> DigestEntry:
        summary = service.summary(candidate.title, candidate.body, DIGEST_SENTENCES).text
        return DigestEntry(candidate.id, candidate.title, candidate.zone, candidate.day, summary)

    digests = {}
    for chat_id, targets in _subscribers(service).items():
        shown: set[int] = set()
        sections = []
        for target in targets:
            found = [c for c in candidates if c.id not in shown and _concerns([target], c)]
            shown.update(c.id for c in found)
            if found:
                sections.append(DigestSection(target, tuple(entry(c) for c in found)))
        digests[chat_id] = Digest(first_day, as_of, tuple(sections))
    return digests


def digest_text(digest: Digest) -> str:
    """A digest as Telegram HTML (long: send it through render.split_message)."""
    span = f"{digest.first_day:%Y-%m-%d} 至 {digest.last_day:%Y-%m-%d}"
    if not digest.count:
        return f"📋 <b>开发区周报</b>（{span}）\n\n这一周你订阅的开发区没有新报道。"
    parts = [f"📋 <b>开发区周报</b>（{span}）：你订阅的开发区共有 {digest.count} 篇新报道。"]
    for section in digest.sections:
        parts.append(f"<b>【{render.target_name(section.target)}】</b>")
        for item in section.entries:
            where = f"{render.esc(item.zone)} · " if item.zone and section.target.kind != ZONE else ""
            parts.append(f"<b>{render.title_of(item.title)}</b>（{where}{render.esc(item.date)}，/summary {item.id}）\n"
                         f"{render.esc(item.summary or '（无摘要）')}")
    parts.append("发送 /read 编号 阅读全文，例如 /read 3。")
    return "\n\n".join(parts)


@dataclass(frozen=True)
class DigestRun:
    """A digest planned (or found already planned) under one key."""

    key: str
    chats: int  # chats that get a digest
    messages: int  # rows planned (a long digest is several messages)
    new: bool  # False when this key had been planned before: nothing was planned now


def plan_digest(service: ZoneService, key: str, as_of: date, now: datetime, *, send_empty: bool) -> DigestRun:
    """Plan the digest `key` for every subscribed chat, once: a key planned before plans nothing.

    A chat with nothing new gets no message unless `send_empty`.
    """
    db = service.db
    done = db.execute("SELECT chats, messages FROM digest_runs WHERE key = ?", [key]).fetchone()
    if done is not None:
        return DigestRun(key, done[0], done[1], new=False)
    digests = build_digests(service, as_of)
    chats = messages = 0
    with db.atomic():
        for chat_id, digest in digests.items():
            if digest.count or send_empty:
                chats += 1
                messages += plan_messages(db, chat_id, key, render.split_message(digest_text(digest)), now)
        db["digest_runs"].insert({"key": key, "planned_at": timestamp(now), "as_of": as_of.isoformat(),
                                  "chats": chats, "messages": messages})
    logger.info("planned digest %s: %d message(s) to %d chat(s)", key, messages, chats)
    return DigestRun(key, chats, messages, new=True)


def scheduled_digest_key(schedule: Schedule, run: datetime) -> str:
    """The key of the weekly digest of a scheduled run."""
    return f"digest:{schedule.period(run)}"


def manual_digest_key(now: datetime) -> str:
    """The key of a digest asked for now (/digest_now, zonebrief digest --send)."""
    return f"digest:manual:{timestamp(now)}"


def plan_scheduled_digest(service: ZoneService, schedule: Schedule, run: datetime, now: datetime, *,
                          send_empty: bool) -> DigestRun:
    """Plan the weekly digest of the scheduled `run` (its week's key: once per week)."""
    return plan_digest(service, scheduled_digest_key(schedule, run), run.astimezone(schedule.tz).date(), now,
                       send_empty=send_empty)


def plan_manual_digest(service: ZoneService, schedule: Schedule, now: datetime, *, send_empty: bool) -> DigestRun:
    """Plan a digest now, for the seven days ending today in the schedule's zone."""
    return plan_digest(service, manual_digest_key(now), now.astimezone(schedule.tz).date(), now,
                       send_empty=send_empty)


def first_start(db: Database, now: datetime) -> datetime:
    """When the bot first started on this store (recorded as `now` the first time)."""
    db.execute("INSERT OR IGNORE INTO bot_state (name, value) VALUES ('first_start', ?)", [timestamp(now)])
    value = db.execute("SELECT value FROM bot_state WHERE name = 'first_start'").fetchone()[0]
    return datetime.fromisoformat(value)


def plan_missed_digest(service: ZoneService, schedule: Schedule, now: datetime, *,
                       send_empty: bool) -> DigestRun | None:
    """At start-up: plan the latest scheduled digest if it fell while the bot was down.

    That is when the latest scheduled run is after the bot's first start and its week has no
    digest yet; several missed weeks give one digest, the latest's.
    """
    run = schedule.last_run(now)
    if run <= first_start(service.db, now):
        return None
    result = plan_scheduled_digest(service, schedule, run, now, send_empty=send_empty)
    return result if result.new else None


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
            message_id = await self._send(delivery.chat_id, delivery.text)
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
                    f"⚠️ 一条消息无法发送给聊天 {delivery.chat_id}（{delivery.key}，第 {delivery.part} 部分）："
                    f"{html.escape(str(error))}。已标记为失败，不再重试。",
                    now,
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


# --- Statistics --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """The store and the outbox at a glance (/stats, zonebrief stats)."""

    issues: int
    articles: int
    zones: int  # zones with at least one article
    subscribers: int  # chats with at least one subscription
    paused: int  # of those, paused (they blocked the bot)
    subscriptions: int
    sent: int  # deliveries sent in the last seven days
    unconfirmed: int  # deliveries on the wire when their process died, planned in the last seven days
    pending: int  # deliveries waiting (now)
    failed: int  # deliveries failed in the last seven days
    last_digest: str | None  # key of the latest digest planned


def delivery_stats(db: Database, now: datetime) -> Stats:
    """Count what /stats shows; "the last seven days" end at `now`."""
    since = timestamp(now - timedelta(days=DIGEST_DAYS))

    def one(sql: str, params: Sequence[object] = ()) -> int:
        return db.execute(sql, list(params)).fetchone()[0]

    last = db.execute("SELECT key FROM digest_runs ORDER BY planned_at DESC, rowid DESC LIMIT 1").fetchone()
    return Stats(
        issues=one("SELECT count(*) FROM issues"),
        articles=one("SELECT count(*) FROM articles WHERE kind = ?", [ARTICLE]),
        zones=one("SELECT count(DISTINCT zone) FROM article_zones"),
        subscribers=one("SELECT count(DISTINCT chat_id) FROM subscriptions"),
        paused=one("SELECT count(*) FROM chats WHERE paused AND chat_id IN (SELECT chat_id FROM subscriptions)"),
        subscriptions=one("SELECT count(*) FROM subscriptions"),
        sent=one("SELECT count(*) FROM deliveries WHERE status = ? AND sent_at >= ?", [SENT, since]),
        unconfirmed=one("SELECT count(*) FROM deliveries WHERE status = ? AND planned_at >= ?", [UNCONFIRMED, since]),
        pending=one("SELECT count(*) FROM deliveries WHERE status = ?", [PENDING]),
        failed=one("SELECT count(*) FROM deliveries WHERE status = ? AND planned_at >= ?", [FAILED, since]),
        last_digest=last[0] if last else None,
    )


def stats_text(stats: Stats) -> str:
    """Stats as Telegram HTML."""
    return (
        "<b>运行统计</b>\n"
        f"版面：{stats.issues} 期 · 文章：{stats.articles} 篇 · 有报道的开发区：{stats.zones} 个\n"
        f"订阅者：{stats.subscribers} 个聊天（{stats.subscriptions} 项订阅，其中 {stats.paused} 个聊天已暂停推送）\n"
        f"近 7 天投递：已发送 {stats.sent} 条，未确认 {stats.unconfirmed} 条，失败 {stats.failed} 条；"
        f"当前待发送 {stats.pending} 条\n"
        f"最近一次周报：{render.esc(stats.last_digest or '尚无')}"
    )


# --- Admin operations (transport-free: bot/commands.py and the document handler call them) ------------


def take_in(service: ZoneService, settings: Settings, outcomes: Iterable[InboxOutcome], now: datetime) -> int:
    """After inbox files were processed: tell the admins of each failure (once per file content),
    then plan the pushes of what was stored. Returns the pushes planned."""
    for outcome in outcomes:
        if not outcome.ok:
            key = f"{ADMIN_PREFIX}failed:{outcome.name}:{outcome.fingerprint}"
            notify_admins(service.db, settings.admins, key, outcome.notice, now)
    return plan_pushes(service, now)


def ingest_report(outcome: InboxOutcome, pushes: int) -> str:
    """What became of one page an admin handed in, as Telegram HTML."""
    name = render.esc(outcome.name)
    if not outcome.ok:
        return f"导入 {name} 失败：{render.esc(outcome.outcome.error)}\n文件已移到 failed/ 文件夹。"
    result = outcome.outcome.result
    issue = f"{render.esc(result.label)}（{result.issue_date}）"
    if result.status == UNCHANGED:
        return f"{name} 与已导入的 {render.esc(result.source)} 内容相同，没有新内容，不会重复推送。"
    verb = "已更新" if result.status == REPLACED else "已导入"
    return f"{verb} {name}：{issue}，{result.article_count} 篇文章；已安排推送 {pushes} 条消息。"


def ingest_inbox_file(service: ZoneService, settings: Settings, name: str, now: datetime) -> str:
    """/ingest <name>: ingest a file already in the inbox now, plan its pushes; the answer."""
    path = Path(settings.inbox) / name
    if Path(name).name != name or not path.is_file():
        listing = "、".join(render.esc(file) for file in _waiting(settings)) or "（收件箱是空的）"
        return f"收件箱里没有“{render.echo(name)}”：请写文件名（不含路径）。收件箱里现有：{listing}"
    outcome = process_file(service.db, path, gazetteer=service.gazetteer, tokenizer=service.tokenizer)
    return ingest_report(outcome, take_in(service, settings, [outcome], now))


def ingest_upload(service: ZoneService, settings: Settings, filename: str, data: bytes, now: datetime) -> str:
    """A page sent to the bot as a document: saved into the inbox, ingested, pushes planned."""
    if Path(filename).suffix.lower() != PAGE_SUFFIX:
        return f"只能导入 {PAGE_SUFFIX} 文本文件（版面 PDF 请先转成文本），收到的是“{render.echo(filename)}”。"
    path = save_upload(Path(settings.inbox), filename, data)
    outcome = process_file(service.db, path, gazetteer=service.gazetteer, tokenizer=service.tokenizer)
    return ingest_report(outcome, take_in(service, settings, [outcome], now))


def ingest_usage(settings: Settings) -> str:
    """/ingest without a file: how to use it, and what waits in the inbox."""
    listing = "\n".join(f"• {render.esc(name)}" for name in _waiting(settings)) or "（收件箱是空的）"
    return ("用法：把版面文本文件（.txt）作为文件发给我，说明写 /ingest；"
            f"或发送 /ingest 文件名，导入收件箱里已有的文件。\n收件箱里现有：\n{listing}")


def _waiting(settings: Settings) -> list[str]:
    """The names of the page files waiting in the inbox."""
    folder = Path(settings.inbox)
    return [file.name for file in page_files(folder)] if folder.is_dir() else []


def digest_now(service: ZoneService, settings: Settings, now: datetime) -> str:
    """/digest_now: plan a digest for every subscriber now, as the schedule would; the answer."""
    run = plan_manual_digest(service, load_schedule(settings), now, send_empty=settings.digest_send_empty)
    if not run.chats:
        return "已生成周报，但近 7 天没有订阅者关心的新报道，所以没有消息要发（可用配置项 digest_send_empty 改为照发）。"
    return f"已生成周报：{run.chats} 个聊天，共 {run.messages} 条消息，已排入发件箱，机器人几秒内发出。"


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


# --- The running bot: PTB's JobQueue and handlers ----------------------------------------------------------


def store_path(db: Database) -> Path:
    """The file of a store."""
    return Path(db.execute("PRAGMA database_list").fetchone()[2])


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


def bot_sender(bot: Bot) -> SendFunction:
    """`send` for the Sender: one HTML message through the bot (and its rate limiter). The bot must
    send through an OutboxRequest, which tells the Sender when a request is on the wire."""
    if not isinstance(bot.request, OutboxRequest):
        raise TypeError("a bot that sends the outbox needs request=OutboxRequest()")

    async def send(chat_id: int, text: str) -> int:
        message = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML,
                                         link_preview_options=LinkPreviewOptions(is_disabled=True))
        return message.message_id

    return send


class Courier:
    """The delivery side of a running bot: start-up catch-up, the inbox poll, the weekly digest and
    the sender, as jobs on PTB's JobQueue; /start resumes a paused chat; admins hand in pages."""

    def __init__(self, service: ZoneService, settings: Settings, send: SendFunction, *, clock: Clock = utc_now):
        self.service = service
        self.settings = settings
        self.schedule = load_schedule(settings)
        self.sender = Sender(service.db, send, admins=settings.admins, clock=clock)
        self.lock = SenderLock.beside(service.db)
        self._clock = clock

    async def send_due(self) -> DrainReport | None:
        """Drain the outbox unless a drain is running here or another process holds the lock."""
        if self.sender.busy or not self.lock.acquire():
            return None
        return await self.sender.drain()

    def kick(self, application: Application) -> None:
        """Start a drain now, in the background."""
        application.create_task(self.send_due(), name="zonebrief-send")

    async def start_up(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Catch up after a start: a digest missed, pages waiting in the inbox, pushes of issues
        stored but not planned; then send everything pending."""
        now = self._clock()
        missed = plan_missed_digest(self.service, self.schedule, now, send_empty=self.settings.digest_send_empty)
        if missed:
            logger.warning("the digest %s was missed while the bot was down: sending it now", missed.key)
        await self.poll_inbox(context)
        self.kick(context.application)

    async def poll_inbox(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Ingest the pages dropped into the inbox; plan the pushes of every issue not planned yet
        (those stored by `zonebrief ingest` included)."""
        now = self._clock()
        outcomes = process_inbox(self.service.db, Path(self.settings.inbox), gazetteer=self.service.gazetteer,
                                 tokenizer=self.service.tokenizer, now=now)
        if take_in(self.service, self.settings, outcomes, now) or outcomes:
            self.kick(context.application)

    async def weekly_digest(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Plan this week's digest (once per week, whatever calls it) and send it."""
        now = self._clock()
        plan_scheduled_digest(self.service, self.schedule, self.schedule.last_run(now), now,
                              send_empty=self.settings.digest_send_empty)
        self.kick(context.application)

    async def tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send what is due: retries whose wait is over, rows planned by another process or command."""
        self.kick(context.application)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Resume a chat paused because it had blocked the bot (/start); the usual answer follows."""
        if update.effective_chat and resume_chat(self.service.db, update.effective_chat.id):
            logger.info("chat %s is back: resuming its deliveries", update.effective_chat.id)
            self.kick(context.application)

    async def on_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Ingest a page an admin sends as a document; refuse anyone else."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or message.document is None or chat is None:
            return
        if not self.settings.is_admin(chat.id, user.id if user else None):
            await message.reply_text(ADMIN_ONLY)
            return
        document = message.document
        if document.file_size and document.file_size > MAX_FILE_BYTES:
            answer = (f"文件太大（{document.file_size / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）："
                      "一个版面的文本通常只有约 20 KB，请确认选对了文件。")
        else:
            data = bytes(await (await document.get_file()).download_as_bytearray())
            answer = ingest_upload(self.service, self.settings, document.file_name or "page.txt", data, self._clock())
            self.kick(context.application)
        await message.reply_text(answer, parse_mode=ParseMode.HTML)


def install_delivery(application: Application, settings: Settings, service: ZoneService, *,
                     clock: Clock = utc_now) -> Courier:
    """Add delivery to a bot built with `rate_limiter()` and `request=OutboxRequest()`: jobs, the
    /start resume, admin uploads.

    Raises ConfigError for a wrong digest schedule.
    """
    courier = Courier(service, settings, bot_sender(application.bot), clock=clock)
    jobs = application.job_queue
    # However late the scheduler starts (the bot's own start-up may take a while), run this once.
    jobs.run_once(courier.start_up, 0, name="delivery: start-up", job_kwargs={"misfire_grace_time": None})
    jobs.run_repeating(courier.poll_inbox, settings.inbox_poll_seconds, name="delivery: inbox")
    jobs.run_repeating(courier.tick, SEND_TICK_SECONDS, first=SEND_TICK_SECONDS, name="delivery: send")
    jobs.run_daily(courier.weekly_digest, courier.schedule.at.replace(tzinfo=courier.schedule.tz),
                   days=courier.schedule.ptb_days, name="delivery: weekly digest",
                   job_kwargs={"misfire_grace_time": DIGEST_MISFIRE_SECONDS, "coalesce": True})
    application.add_handler(CommandHandler("start", courier.on_start), group=-1)
    application.add_handler(MessageHandler(filters.Document.ALL, courier.on_document))
    return courier
