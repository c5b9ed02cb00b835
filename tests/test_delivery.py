"""Delivery: the schedule, planning (idempotent), and the sender through faults, on a real store.

The sender is driven here with a fake `send` at Telegram's edge that raises PTB's own errors;
tests/test_delivery_e2e.py does the same through the Bot API stand-in and a real PTB bot.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from conftest import WEEK_T0
from delivery_scenario import MONDAY_NINE, NEW_PAGE, SHANGHAI, subscribe
from sqlite_utils import Database
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TimedOut

from store_lock import WriteLockHolder

from bot import admin, console, outbox, planning, render, sender
from bot.config import ConfigError, Settings
from bot.db import MIGRATIONS, open_db
from bot.ingest import ingest_paths
from bot.service import ZoneService

T0 = WEEK_T0  # Sunday noon in Shanghai


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _on_wire() -> Callable[[str], Awaitable[None]]:
    """The hook the sender sets for the request being sent."""
    hook = sender.ON_WIRE.get()
    assert hook is not None, "called while the sender sends"
    return hook


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def service(week_service):
    return week_service


def ingest_new_page(service: ZoneService, day: str = "2026-11-22") -> int:
    [outcome] = ingest_paths(service.db, [NEW_PAGE], gazetteer=service.gazetteer,
                             issue_date=day)
    assert outcome.result is not None, outcome
    return outcome.result.issue_id


def planned(db: Database, status: str | None = None) -> Counter:
    rows = db.execute("SELECT chat_id, key, part, status FROM deliveries").fetchall()
    return Counter((chat, key, part) for chat, key, part, row_status in rows if status in (None, row_status))


def expected_pushes(db: Database, issue_id: int, zones: Sequence[str] = (), cities: Sequence[str] = (),
                    everything: bool = False) -> set[str]:
    """The push keys of an issue for a chat with these subscriptions, straight from the tables."""
    keys = set()
    for article_id, city, zone_list in db.execute(
        "SELECT a.id, a.city, (SELECT json_group_array(zone) FROM article_zones WHERE article_id = a.id)"
        " FROM articles a WHERE a.issue_id = ? AND a.kind = 'article'", [issue_id],
    ).fetchall():
        article_zones = set(json.loads(zone_list))
        zone_cities = {row[0] for row in db.execute(
            "SELECT city FROM zones WHERE name IN (SELECT value FROM json_each(?))", [zone_list])}
        if everything or article_zones & set(zones) or {city, *zone_cities} & set(cities):
            keys.add(f"article:{article_id}")
    return keys


def keys_of(db: Database, chat_id: int) -> set[str]:
    return {row[0] for row in db.execute("SELECT key FROM deliveries WHERE chat_id = ?", [chat_id])}


# --- the schedule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "last"),
    [
        # Sunday noon: last Monday's run.
        (shanghai(2026, 11, 22, 12, 0), shanghai(2026, 11, 16, 9, 0)),
        # Monday 08:59:59 is still before this week's run.
        (shanghai(2026, 11, 23, 8, 59, 59), shanghai(2026, 11, 16, 9, 0)),
        # Monday 09:00 exactly is this week's run.
        (shanghai(2026, 11, 23, 9, 0), shanghai(2026, 11, 23, 9, 0)),
        # Monday 02:00 UTC is already 10:00 in Shanghai.
        (utc(2026, 11, 23, 2, 0), shanghai(2026, 11, 23, 9, 0)),
        # Sunday 23:30 UTC is Monday 07:30 in Shanghai: before the run.
        (utc(2026, 11, 22, 23, 30), shanghai(2026, 11, 16, 9, 0)),
    ],
)
def test_monday_nine_in_shanghai(now, last):
    assert last == MONDAY_NINE.last_run(now)


@pytest.mark.parametrize(("day", "weekday"),
                         [("monday", 0), ("Fri", 4), ("周六", 5), ("星期日", 6), ("sunday", 6)])
def test_schedule_from_settings(day, weekday):
    schedule = planning.load_schedule(Settings(digest_day=day, digest_time="08:30"))
    assert (weekday, time(8, 30)) == (schedule.weekday, schedule.at)


@pytest.mark.parametrize(("field", "value", "hint"), [
    ("digest_day", "someday", "monday … sunday"),
    ("digest_time", "9点", "HH:MM"),
    ("timezone", "Mars/Olympus", "Asia/Shanghai"),
])
def test_bad_schedule_settings_say_how_to_fix_them(field, value, hint):
    with pytest.raises(ConfigError, match=hint):
        planning.load_schedule(Settings(**{field: value}))


# --- the store ---------------------------------------------------------------------------------------


def test_upgrade_marks_stored_issues_as_pushed(tmp_path):
    db = Database(tmp_path / "old.db")
    MIGRATIONS.apply(db, stop_before="m002_deliveries")
    db["issues"].insert({"source": "old.txt", "content_hash": "x", "issue_date": "2024-05-10",
                         "date_source": "masthead", "ingested_at": "2024-05-10T00:00:00+00:00"})
    db.close()
    db = open_db(tmp_path / "old.db")
    [(planned_at,)] = db.execute("SELECT pushes_planned_at FROM issues").fetchall()
    assert planned_at is not None
    db.close()


# --- sending ---------------------------------------------------------------------------------------


class FakeTelegram:
    """Telegram at the edge of the sender: records what it accepts, raises what it is told to."""

    def __init__(self, delay: float = 0.0) -> None:
        self.accepted: list[tuple[int, str]] = []
        self.faults: dict[int, list[Exception]] = {}
        self.delay = delay
        self.in_flight = 0
        self.peak_in_flight = 0

    def fail(self, chat_id: int, *errors: Exception) -> None:
        self.faults.setdefault(chat_id, []).extend(errors)

    async def send(self, chat_id: int, text: str, buttons: outbox.Buttons = ()) -> int:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)  # waiting for its turn: a crash now loses nothing
            on_wire = _on_wire()
            await on_wire(outbox.SENDING)  # its first byte is about to be written, as OutboxRequest reports
            if self.faults.get(chat_id):
                raise self.faults[chat_id].pop(0)
            self.accepted.append((chat_id, text))  # its last byte was handed to the kernel: Telegram gets it
            await on_wire(outbox.WRITTEN)
            return len(self.accepted)
        finally:
            self.in_flight -= 1

    def count(self, chat_id: int | None = None) -> Counter:
        return Counter(text for chat, text in self.accepted if chat_id in (None, chat))


def plan_week(service: ZoneService, chats: range) -> Counter:
    for chat_id in chats:
        subscribe(service, chat_id, "全部" if chat_id % 2 else "吕梁")
    ingest_new_page(service)
    planning.plan_pushes(service, T0)
    planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=False)
    return Counter((chat, text) for chat, text in service.db.execute("SELECT chat_id, text FROM deliveries"))


def test_console_chats_are_never_planned_for(service):
    """`zonebrief chat` on the store a bot delivers from: its subscriptions cost no failed push."""
    for chat_id in (console.CONSOLE_CHAT_ID, 0, 7):  # 0: the console's chat before it had a range
        subscribe(service, chat_id, "全部")
    ingest_new_page(service)
    assert planning.plan_pushes(service, T0) > 0
    planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=True)
    assert {7} == {chat for (chat,) in service.db.execute("SELECT DISTINCT chat_id FROM deliveries")}
    assert console.CONSOLE_CHAT_ID >= outbox.CONSOLE_CHATS_FROM > 2**52


def test_sender_sends_every_row_once_in_order_per_chat(service):
    expected = plan_week(service, range(1, 21))
    telegram = FakeTelegram(delay=0.001)
    report = asyncio.run(sender.Sender(service.db, telegram.send, clock=Clock()).drain())
    assert expected == Counter(telegram.accepted)
    assert report.sent == sum(expected.values())
    assert 1 < telegram.peak_in_flight <= sender.CONCURRENCY
    for chat_id in (1, 2):  # per chat, in the order planned: pushes, then the digest's parts in order
        planned_order = [row[0] for row in service.db.execute(
            "SELECT text FROM deliveries WHERE chat_id = ? ORDER BY id", [chat_id])]
        assert planned_order == [text for chat, text in telegram.accepted if chat == chat_id]
    assert {outbox.SENT} == {row[0] for row in service.db.execute("SELECT status FROM deliveries")}
    assert 0 == service.db.execute("SELECT count(*) FROM deliveries WHERE message_id IS NULL").fetchone()[0]


def test_a_crash_mid_fan_out_then_a_restart_sends_each_message_once(service, tmp_path):
    expected = plan_week(service, range(1, 31))
    telegram = FakeTelegram(delay=0.002)

    async def crash_after(count: int) -> None:
        task = asyncio.create_task(sender.Sender(service.db, telegram.send, clock=Clock()).drain())
        while len(telegram.accepted) < count:
            await asyncio.sleep(0.0005)
        task.cancel()  # the process dies: sends in flight never reach Telegram
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(crash_after(25))
    assert 25 <= len(telegram.accepted) < sum(expected.values())
    restarted = open_db(tmp_path / "zonebrief.db")  # a new process: a new connection to the same file
    asyncio.run(sender.Sender(restarted, telegram.send, clock=Clock()).drain())
    assert expected == Counter(telegram.accepted)
    restarted.close()


class Killed(BaseException):
    """kill -9, as seen from inside the process: nothing after it runs."""


def test_a_message_on_the_wire_when_the_process_dies_is_not_sent_again(service):
    """Telegram received the request, the process died before the `sent` commit: not resent."""
    expected = plan_week(service, range(1, 3))
    telegram = FakeTelegram()

    async def accepted_then_killed(chat_id: int, text: str, buttons: outbox.Buttons) -> int:
        await telegram.send(chat_id, text, buttons)
        raise Killed

    with pytest.raises(Killed):
        asyncio.run(sender.Sender(service.db, accepted_then_killed, concurrency=1, clock=Clock()).drain())
    assert 1 == len(planned(service.db, outbox.WRITTEN))
    asyncio.run(sender.Sender(service.db, telegram.send, clock=Clock()).drain())
    assert expected == Counter(telegram.accepted)
    assert 1 == len(planned(service.db, outbox.UNCONFIRMED))
    assert not planned(service.db, outbox.SENDING) and not planned(service.db, outbox.PENDING)


def test_a_message_waiting_for_its_turn_when_the_process_dies_is_sent_after_the_restart(service):
    expected = plan_week(service, range(1, 3))
    telegram = FakeTelegram()

    async def killed_in_the_queue(chat_id: int, text: str, buttons: outbox.Buttons) -> int:
        raise Killed  # before its turn came: nothing was sent

    with pytest.raises(Killed):
        asyncio.run(sender.Sender(service.db, killed_in_the_queue, concurrency=1, clock=Clock()).drain())
    assert not planned(service.db, outbox.SENDING)
    asyncio.run(sender.Sender(service.db, telegram.send, clock=Clock()).drain())
    assert expected == Counter(telegram.accepted)
    assert not planned(service.db, outbox.UNCONFIRMED)


def test_a_message_being_written_when_the_process_dies_is_sent_again_and_counted(service):
    """Claimed, but its request not written whole: it may not have reached Telegram. Sent again
    after the restart (a rare duplicate rather than a loss) and counted as such in /stats."""
    expected = plan_week(service, range(1, 3))
    telegram = FakeTelegram()

    async def killed_while_writing(chat_id: int, text: str, buttons: outbox.Buttons = ()) -> int:
        await _on_wire()(outbox.SENDING)
        raise Killed  # between the first byte and the last

    with pytest.raises(Killed):
        asyncio.run(sender.Sender(service.db, killed_while_writing, concurrency=1, clock=Clock()).drain())
    [claimed] = planned(service.db, outbox.SENDING)
    asyncio.run(sender.Sender(service.db, telegram.send, clock=Clock()).drain())
    assert expected == Counter(telegram.accepted)
    assert [1] == [count for (count,) in service.db.execute(
        "SELECT crash_resends FROM deliveries WHERE chat_id = ? AND key = ? AND part = ?", list(claimed))]
    stats = admin.delivery_stats(service.db, T0 + timedelta(hours=1))
    assert (1, 0) == (stats.resent, stats.unconfirmed)
    assert "重发（可能重复）1 条" in render.stats_text(stats)


def test_a_message_written_whole_but_not_yet_marked_when_the_process_dies_is_not_sent_again(service, monkeypatch):
    """Killed between the wire log's append (right after the last byte) and the `written` commit:
    the log tells the restarted sender it was delivered."""
    expected = plan_week(service, range(1, 3))
    telegram = FakeTelegram()
    set_status = sender._set_status

    def killed_before_the_commit(db, row_id, status):
        if status == outbox.WRITTEN:
            raise Killed
        set_status(db, row_id, status)

    monkeypatch.setattr(sender, "_set_status", killed_before_the_commit)
    with pytest.raises(Killed):
        asyncio.run(sender.Sender(service.db, telegram.send, concurrency=1, clock=Clock()).drain())
    [claimed] = planned(service.db, outbox.SENDING)
    monkeypatch.setattr(sender, "_set_status", set_status)
    asyncio.run(sender.Sender(service.db, telegram.send, clock=Clock()).drain())
    assert expected == Counter(telegram.accepted)  # the first send counted, nothing twice
    assert [claimed] == list(planned(service.db, outbox.UNCONFIRMED))
    assert 0 == service.db.execute("SELECT sum(crash_resends) FROM deliveries").fetchone()[0]


def test_a_refused_request_written_again_and_cut_by_a_kill_is_sent_again(service):
    """Written whole, refused (a 429 the rate limiter retries), then killed while the retry is
    being written: the first `written` no longer counts, so nothing is lost."""
    expected = plan_week(service, range(1, 3))
    telegram = FakeTelegram()

    async def refused_then_killed(chat_id: int, text: str, buttons: outbox.Buttons = ()) -> int:
        on_wire = _on_wire()
        for status in (outbox.SENDING, outbox.WRITTEN, outbox.PENDING, outbox.SENDING):
            await on_wire(status)
        raise Killed

    with pytest.raises(Killed):
        asyncio.run(sender.Sender(service.db, refused_then_killed, concurrency=1, clock=Clock()).drain())
    asyncio.run(sender.Sender(service.db, telegram.send, clock=Clock()).drain())
    assert expected == Counter(telegram.accepted)
    assert 1 == service.db.execute("SELECT sum(crash_resends) FROM deliveries").fetchone()[0]


def test_the_wire_log_reads_what_was_written_and_not_withdrawn(tmp_path):
    log = sender.WireLog(tmp_path / "zonebrief.db.wire")
    assert set() == log.read()
    for row_id in (3, 4, 5):
        log.written(row_id)
    log.withdrawn(4)
    with (tmp_path / "zonebrief.db.wire").open("a") as file:
        file.write("17")  # a line cut short by a kill
    assert {3, 5} == log.read()
    log.clear()
    assert set() == log.read()


class LockedStore(Database):
    """The sender's connection to a store that another process keeps locking: each write
    transaction fails `times` times with `database is locked` before it may start."""

    def __init__(self, path: Path, times: int) -> None:
        super().__init__(path)
        self.times = times
        self.refused = 0
        self._failures_left = times

    def execute(self, sql, parameters=None):
        if sql == "BEGIN IMMEDIATE":
            if self._failures_left:
                self._failures_left -= 1
                self.refused += 1
                raise sqlite3.OperationalError("database is locked")
            self._failures_left = self.times  # the next write meets the lock again
        return super().execute(sql, parameters)


def test_a_locked_store_on_every_write_of_the_sender_sends_each_message_once(service, tmp_path):
    """Claiming, `written`, `sent`, a retry, a pause and a failure: every bookkeeping write meets
    `database is locked` twice first. It is tried again; the send never is."""
    expected = plan_week(service, range(1, 13))
    telegram = FakeTelegram(delay=0.001)
    telegram.fail(3, TimedOut())
    telegram.fail(4, Forbidden("Forbidden: bot was blocked by the user"))
    telegram.fail(5, BadRequest("Message is too long"))
    writer = LockedStore(tmp_path / "zonebrief.db", times=2)
    clock = Clock()
    running = sender.Sender(service.db, telegram.send, admins=(900,), clock=clock, writer=writer)
    first = asyncio.run(running.drain())
    clock.advance(60)
    second = asyncio.run(running.drain())  # the timed-out row, once its wait is over
    assert writer.refused == first.bookkeeping_retries + second.bookkeeping_retries
    assert writer.refused >= 2 * 3 * (first.sent + second.sent)  # claimed, written, sent: each refused twice
    failed = set(service.db.execute("SELECT chat_id, text FROM deliveries WHERE status = 'failed'").fetchall())
    notices = Counter(service.db.execute("SELECT chat_id, text FROM deliveries WHERE key LIKE 'admin:%'").fetchall())
    assert 1 == len(failed) and 1 == sum(notices.values()) and service.db["chats"].get(4)["paused"]
    wanted = Counter({item: n for item, n in expected.items() if item[0] != 4 and item not in failed}) + notices
    assert wanted == Counter(telegram.accepted)
    assert {"sent", "failed", "pending"} == {status for (status,) in service.db.execute("SELECT status FROM deliveries")}


def test_a_drain_while_another_process_holds_the_write_lock_sends_each_message_once(service, tmp_path):
    expected = plan_week(service, range(1, 21))
    telegram = FakeTelegram(delay=0.001)
    with WriteLockHolder(tmp_path / "zonebrief.db", seconds=1.0, times=3, gap=0.2) as holder:
        report = asyncio.run(sender.Sender(service.db, telegram.send, clock=Clock()).drain())
        holder.wait()
    assert expected == Counter(telegram.accepted)
    assert report.bookkeeping_retries > 0 and report.sent == sum(expected.values())
    assert {outbox.SENT} == {status for (status,) in service.db.execute("SELECT status FROM deliveries")}


def test_one_chats_error_does_not_end_the_drain_of_the_others(service):
    expected = plan_week(service, range(1, 9))
    telegram = FakeTelegram(delay=0.001)
    telegram.fail(2, ValueError("a bug at the edge"))
    report = asyncio.run(sender.Sender(service.db, telegram.send, clock=Clock()).drain())
    assert 1 == report.errors
    assert {item: count for item, count in expected.items() if item[0] != 2} == Counter(telegram.accepted)
    claimed = service.db.execute("SELECT status FROM deliveries WHERE chat_id = 2 ORDER BY id LIMIT 1").fetchone()[0]
    assert outbox.SENDING == claimed  # its outcome unknown: it stays claimed, never sent twice by this process


def test_the_sender_reads_the_outbox_a_page_at_a_time(service, monkeypatch):
    expected = plan_week(service, range(1, 8))
    first = sender.due_deliveries(service.db, T0, chats=3, rows=2)
    assert 3 == len(first) and all(1 <= len(queue) <= 2 for queue in first)
    assert [queue[0].id for queue in first] == sorted(queue[0].id for queue in first)
    assert [1, 2, 3] == sorted(queue[0].chat_id for queue in first)
    assert [4, 5, 6] == sorted(queue[0].chat_id for queue in sender.due_deliveries(service.db, T0, skip=[1, 2, 3], chats=3))
    monkeypatch.setattr(sender, "CHATS_PER_PAGE", 2)
    monkeypatch.setattr(sender, "ROWS_PER_CHAT", 1)
    telegram = FakeTelegram()
    asyncio.run(sender.Sender(service.db, telegram.send, clock=Clock()).drain())
    assert expected == Counter(telegram.accepted)
    for chat_id in (1, 2):
        assert [text for (text,) in service.db.execute("SELECT text FROM deliveries WHERE chat_id = ? ORDER BY id",
                                                        [chat_id])] == [t for c, t in telegram.accepted if c == chat_id]


def test_retry_after_leaves_the_row_pending_until_the_wait_is_over(service):
    plan_week(service, range(1, 3))
    telegram, clock = FakeTelegram(), Clock()
    telegram.fail(1, RetryAfter(5))
    running = sender.Sender(service.db, telegram.send, clock=clock)
    report = asyncio.run(running.drain())
    assert 1 == report.retried
    held = planned(service.db, outbox.PENDING)
    assert held and {1} == {chat for chat, _, _ in held}
    clock.advance(4)
    assert 0 == asyncio.run(running.drain()).sent  # still inside the 5 s
    clock.advance(1)
    asyncio.run(running.drain())
    assert not planned(service.db, outbox.PENDING)
    assert all(n == 1 for n in telegram.count(1).values())


def test_timeouts_back_off_and_then_deliver(service):
    plan_week(service, range(1, 2))
    telegram, clock = FakeTelegram(), Clock()
    telegram.fail(1, TimedOut(), TimedOut())
    running = sender.Sender(service.db, telegram.send, clock=clock)
    asyncio.run(running.drain())
    [(attempts, next_at, error)] = service.db.execute(
        "SELECT attempts, next_attempt_at, error FROM deliveries WHERE attempts > 0").fetchall()
    assert (1, outbox.timestamp(T0 + timedelta(seconds=1))) == (attempts, next_at)
    assert error.startswith("TimedOut")
    clock.advance(1)
    asyncio.run(running.drain())  # the second timeout: 2 s
    clock.advance(2)
    asyncio.run(running.drain())
    assert not planned(service.db, outbox.PENDING)
    assert sum(planned(service.db).values()) == len(telegram.accepted)


def test_forbidden_pauses_the_chat_and_resume_delivers_what_was_held(service):
    expected = plan_week(service, range(1, 4))
    telegram, clock = FakeTelegram(), Clock()
    telegram.fail(2, Forbidden("Forbidden: bot was blocked by the user"))
    running = sender.Sender(service.db, telegram.send, clock=clock)
    report = asyncio.run(running.drain())
    assert [2] == report.paused
    chat = service.db["chats"].get(2)
    assert (1, "Forbidden: bot was blocked by the user") == (chat["paused"], chat["paused_reason"])
    assert {2} == {chat for chat, _, _ in planned(service.db, outbox.PENDING)}
    assert service.subscriptions(2)  # kept
    clock.advance(3600)
    assert 0 == asyncio.run(running.drain()).sent  # paused: nothing is tried
    assert outbox.resume_chat(service.db, 2)
    assert not outbox.resume_chat(service.db, 2)
    asyncio.run(running.drain())
    assert expected == Counter(telegram.accepted)


@pytest.mark.parametrize("error", [BadRequest("Message is too long"), ChatMigrated(-100123)])
def test_a_request_that_cannot_succeed_fails_the_row_and_tells_the_admins(service, error):
    plan_week(service, range(1, 2))
    telegram = FakeTelegram()
    telegram.fail(1, error)
    running = sender.Sender(service.db, telegram.send, admins=(900,), clock=Clock())
    asyncio.run(running.drain())
    [(key, recorded)] = service.db.execute("SELECT key, error FROM deliveries WHERE status = 'failed'").fetchall()
    assert f"{type(error).__name__}: {error}" == recorded
    [notice] = list(telegram.count(900))
    assert key in notice and str(error) in notice
    assert not planned(service.db, outbox.PENDING)  # the chat's other rows went on
