"""Delivery end to end: the real bot (bot/telegram.py with the delivery modules) over HTTP against the
Bot API stand-in (tests/botapi.py), with its faults: 429, 403, timeouts, and a SIGKILL mid fan-out.

Chats subscribe, a page the store does not hold yet (the fifth seed page: 吕梁 ×3, 综改区, 临汾,
祁县 and a photo) is dropped into the inbox or sent by an admin, and every chat must receive each
of its articles exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import time as clock
from collections import Counter
from contextlib import asynccontextmanager
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpcore
import pytest
from botapi import BotApiStandIn, parse_html, polling
from delivery_scenario import (
    ADMIN,
    BYSTANDER,
    NEW_PAGE,
    NEW_PAGE_HASH,
    PUSH_MESSAGES,
    PUSHES,
    SUBSCRIBERS,
    BotProcess,
    add_users,
    build_store,
    drop_into_inbox,
    expected_pushes,
    pending,
    push_messages,
    pushes_received,
)
from click.testing import CliRunner
from telegram.ext import Application, ExtBot

from bot import courier, outbox, planning, render, sender
from bot.cli import cli as main
from bot.config import Settings
from bot.db import open_db
from bot.ingest import ingest_paths
from bot.service import ZoneService
from bot.telegram import api_urls, build_application

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def store(tmp_path, text_tools) -> Path:
    """Four seed pages (planned at a first start, nobody subscribed yet), then the subscribers."""
    return build_store(tmp_path / "zonebrief.db", *text_tools)


def assert_exactly_once(botapi: BotApiStandIn, expected: dict[int, set[int]]) -> None:
    assert PUSHES == sum(len(ids) for ids in expected.values())
    received = pushes_received(botapi)
    assert {(chat, article) for chat, ids in expected.items() for article in ids} == set(received)
    assert [] == [item for item, count in received.items() if count != 1], "duplicates"


# --- the SIGKILL test ----------------------------------------------------------------------------------


def test_sigkill_mid_fan_out_then_restart_delivers_each_push_exactly_once(store: Path, tmp_path: Path) -> None:
    """Killed at the worst moment of a fan-out: Telegram has just received a push and not answered
    yet (and, with the network delay, a few more requests are on their way), so the bot never
    learns they were delivered. The restarted bot must not send those again, and must send every
    push that was still waiting: each (chat, article) arrives once, nothing extra.

    Deterministic: the kill falls where the outcome of every row is known (see kill_when_settled);
    kills at random moments, the instant between a request's last byte and its `written` commit
    included, are what bench/crash.py measures."""
    inbox, log = tmp_path / "inbox", tmp_path / "bot.log"
    bots: list[BotProcess] = []
    received: Counter[str] = Counter()

    def kill_on_the_second_push(entry: dict) -> None:
        if entry["plain_text"].startswith("🆕"):
            received["pushes"] += 1
            # The second of eleven: the rate limiter (30/s) still holds most of the others.
            if received["pushes"] == 2:
                kill_when_settled(bots[0].process.pid, store)  # before the stand-in answers this request

    with BotApiStandIn(on_delivery=kill_on_the_second_push) as botapi:
        botapi.latency = 0.04  # network delay on each send, before the stand-in delivers it
        add_users(botapi)
        bots.append(BotProcess(botapi, store, inbox, log))
        botapi.wait_for(lambda: botapi.calls("setMyCommands"), timeout=30, what="the bot to start")
        drop_into_inbox(inbox)
        bots[0].process.wait(timeout=30)
        bots[0].log.close()
        clock.sleep(10 * botapi.latency)  # what was on its way in when the bot died arrives now
        expected = expected_pushes(store)
        assert 2 <= sum(push_messages(botapi).values()) < PUSH_MESSAGES
        assert pending(store) > 0

        bots.append(BotProcess(botapi, store, inbox, log))
        try:
            botapi.wait_for(lambda: pending(store) == 0 and not _in_flight(store), timeout=30,
                            what="the restarted bot to finish the fan-out")
            clock.sleep(courier.SEND_TICK_SECONDS + 0.5)  # a sender tick or two more: nothing else may come
        finally:
            bots[1].stop()
        assert_exactly_once(botapi, expected)
        assert {chat: 1 for chat in expected} == push_messages(botapi)  # one message per chat
        assert [] == botapi.sent(112) == botapi.sent(BYSTANDER)
    assert 6 == len(expected[101]) and 3 == len(expected[107]) and 1 == len(expected[110]) and 112 not in expected
    assert (inbox / "done" / NEW_PAGE.name).is_file()
    assert "Traceback" not in log.read_text()
    with sqlite3.connect(store) as connection:
        (unconfirmed,) = connection.execute(
            "SELECT count(*) FROM deliveries WHERE status = ?", [outbox.UNCONFIRMED]).fetchone()
    assert unconfirmed >= 1  # the push Telegram held when the bot died, and any others on the wire


def _in_flight(store: Path, statuses: tuple[str, ...] = (outbox.SENDING, outbox.WRITTEN)) -> int:
    with sqlite3.connect(store, timeout=30) as connection:
        return connection.execute("SELECT count(*) FROM deliveries WHERE status IN (SELECT value FROM json_each(?))",
                                  [json.dumps(statuses)]).fetchone()[0]


def kill_when_settled(pid: int, store: Path) -> None:
    """SIGKILL the bot at a moment whose outcome is certain: it is stopped (SIGSTOP), and let go on
    for a moment again, until no row is committed `sending` (claimed, its request maybe written in
    part or whole). Then each row was never written (pending), written whole (written or sent), or
    answered; a claim or mark not yet committed dies with the process and changes nothing."""
    while True:
        os.kill(pid, signal.SIGSTOP)
        if not _in_flight(store, (outbox.SENDING,)):
            break
        os.kill(pid, signal.SIGCONT)
        clock.sleep(0.001)
    os.kill(pid, signal.SIGKILL)


# --- faults, in process ----------------------------------------------------------------------------------


def settings_for(botapi: BotApiStandIn, store: Path, **changes: Any) -> Settings:
    return Settings(db=str(store), token=botapi.token, admins=(ADMIN,), inbox=str(store.parent / "inbox"),
                    inbox_poll_seconds=1, **changes)


@asynccontextmanager
async def running_bot(botapi: BotApiStandIn, store: Path, text_tools, application: Application | None = None,
                      **changes: object):
    """The bot of `zonebrief run` (or `application`) polling the stand-in; yields it and its service."""
    with open_db(store) as db:
        service = ZoneService(db, *text_tools)
        settings = settings_for(botapi, store, **changes)
        if application is None:
            application = build_application(settings, service, base_url=botapi.url)
        else:
            courier.install_delivery(application, settings, service)
        async with polling(application, timeout=1):
            yield application, service


async def until(predicate, what: str, timeout: float = 10) -> None:
    """Wait, in the bot's event loop, until predicate() (which may read the bot's store) is true."""
    deadline = clock.monotonic() + timeout
    while not predicate():
        assert clock.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def new_page_pushes(botapi: BotApiStandIn, store: Path) -> dict[int, set[int]]:
    """Once the bot has stored the new page and planned its pushes: what each chat must receive."""
    await botapi.async_wait_for(lambda: _planned(store), 20, "the new page to be stored and planned")
    expected = expected_pushes(store)
    assert PUSHES == sum(len(ids) for ids in expected.values())
    return expected


def _planned(store: Path) -> bool:
    with sqlite3.connect(store) as connection:
        return bool(connection.execute("SELECT 1 FROM issues WHERE content_hash = ? AND pushes_planned_at IS NOT NULL",
                                       [NEW_PAGE_HASH]).fetchone())


async def wait_for_pushes(botapi: BotApiStandIn, expected: dict[int, set[int]], timeout: float = 20) -> None:
    total = sum(len(ids) for ids in expected.values())
    await botapi.async_wait_for(lambda: sum(pushes_received(botapi).values()) >= total, timeout, "every push")


def test_an_injected_429_loses_nothing(botapi, store, text_tools):
    add_users(botapi)
    botapi.inject("sendMessage", chat_id=101, error="429", retry_after=1, times=2)
    botapi.inject("sendMessage", chat_id=107, error="429", retry_after=1)

    async def scenario():
        async with running_bot(botapi, store, text_tools):
            drop_into_inbox(store.parent / "inbox")
            await wait_for_pushes(botapi, await new_page_pushes(botapi, store))
            await asyncio.sleep(0.5)

    asyncio.run(scenario())
    assert 3 == sum(1 for call in botapi.calls("sendMessage") if call.status == 429)
    assert_exactly_once(botapi, expected_pushes(store))
    assert 0 == pending(store)


def test_a_blocked_chat_is_paused_and_start_resumes_it(botapi, store, text_tools):
    add_users(botapi)
    botapi.block(103)

    async def scenario():
        async with running_bot(botapi, store, text_tools) as (_, service):
            drop_into_inbox(store.parent / "inbox")
            expected = await new_page_pushes(botapi, store)
            await wait_for_pushes(botapi, {chat: ids for chat, ids in expected.items() if chat != 103})
            await until(lambda: service.db["chats"].get(103)["paused"], "chat 103 to be paused")
            await until(lambda: pending(store) == 1, "only 103's push to be pending (kept)")
            assert service.subscriptions(103)  # kept
            botapi.unblock(103)
            botapi.send_text(103, "/start")
            await wait_for_pushes(botapi, expected)
            await botapi.async_wait_for(lambda: any("/zone" in entry["plain_text"] for entry in botapi.sent(103)),
                                        what="the answer to /start")
            assert 0 == service.db["chats"].get(103)["paused"]

    asyncio.run(scenario())
    assert_exactly_once(botapi, expected_pushes(store))
    assert 1 == sum(1 for call in botapi.calls("sendMessage") if call.status == 403)  # tried once, then held


def test_a_row_is_written_while_telegram_holds_it_and_pending_while_a_429_waits(botapi, store, text_tools):
    """What a kill at that moment would leave: `written` (kept as delivered, not resent) once the
    whole request was written; back to `pending` (resent) when Telegram refuses it and the rate
    limiter waits."""
    add_users(botapi)
    with open_db(store) as db:
        service = ZoneService(db, *text_tools)
        outbox.plan_messages(db, 101, "admin:probe", ["探针"], outbox.utc_now())

        def status() -> str:
            return db.execute("SELECT status FROM deliveries WHERE key = 'admin:probe'").fetchone()[0]

        bot = ExtBot(botapi.token, base_url=botapi.url, base_file_url=botapi.file_url,
                     rate_limiter=sender.rate_limiter(), request=sender.OutboxRequest())
        seen = []

        async def scenario():
            async with bot:
                running = sender.Sender(service.db, sender.bot_sender(bot))
                botapi.latency = 1.0
                drain = asyncio.create_task(running.drain())
                await asyncio.sleep(0.5)
                seen.append(status())  # Telegram holds the request
                await drain
                seen.append(status())
                botapi.latency = 0
                db.execute("UPDATE deliveries SET status = 'pending' WHERE key = 'admin:probe'")
                botapi.inject("sendMessage", error="429", retry_after=1)
                drain = asyncio.create_task(running.drain())
                await asyncio.sleep(0.5)
                seen.append(status())  # refused with 429: the rate limiter waits before retrying
                await drain
                seen.append(status())

        asyncio.run(scenario())
    assert [outbox.WRITTEN, outbox.SENT, outbox.PENDING, outbox.SENT] == seen


def test_a_row_is_marked_written_by_the_write_of_its_last_byte(botapi: BotApiStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wire log hears of the last byte from inside the transport's write, before anything else
    may run, and the `written` commit follows before httpcore even reports the body complete: the
    instant in which a kill would leave a row unlogged although the server got it all (and so send
    it twice) is one append long."""
    add_users(botapi)
    moments: list[str] = []
    on_trace = sender._Wire.on_trace

    async def traced(self, event: str, info: dict) -> None:
        if event.startswith("http11.send_request"):
            moments.append(event.removeprefix("http11."))
        await on_trace(self, event, info)

    monkeypatch.setattr(sender._Wire, "on_trace", traced)
    watch_transport = sender._watch_transport
    watched: list[bool] = []

    def watch(stream: httpcore.AsyncNetworkStream) -> bool:
        watched.append(watch_transport(stream))
        return watched[-1]

    monkeypatch.setattr(sender, "_watch_transport", watch)

    async def record(status: str) -> None:
        moments.append(status)

    async def scenario():
        async with ExtBot(botapi.token, base_url=botapi.url, request=sender.OutboxRequest()) as bot:
            tokens = sender.ON_WIRE.set(record), sender.HANDED_ON.set(lambda: moments.append("handed on"))
            try:
                await sender.bot_sender(bot)(101, "探针", ())
            finally:
                sender.ON_WIRE.reset(tokens[0])
                sender.HANDED_ON.reset(tokens[1])

    asyncio.run(scenario())
    assert ["send_request_headers.started", outbox.SENDING, "send_request_headers.complete",
            "send_request_body.started", "handed on", outbox.WRITTEN, "send_request_body.complete"] == moments
    assert [True] == watched  # reported from inside the transport's write, before anyio yields
    assert ["探针"] == [entry["plain_text"] for entry in botapi.sent(101)]


def test_a_timeout_is_retried_and_delivers_once(botapi, store, text_tools):
    add_users(botapi)
    botapi.inject("sendMessage", chat_id=110, error="timeout")
    api, files = api_urls(botapi.url)
    application = (Application.builder().token(botapi.token).base_url(api).base_file_url(files)
                   .rate_limiter(sender.rate_limiter()).request(sender.OutboxRequest(read_timeout=0.5)).build())

    async def scenario():
        async with running_bot(botapi, store, text_tools, application):
            drop_into_inbox(store.parent / "inbox")
            await wait_for_pushes(botapi, await new_page_pushes(botapi, store))

    asyncio.run(scenario())
    held = [call for call in botapi.calls("sendMessage") if call.status is None]
    assert [110] == [call.params["chat_id"] for call in held]
    assert_exactly_once(botapi, expected_pushes(store))


# --- admins ---------------------------------------------------------------------------------------------


def test_only_admins_run_admin_commands(botapi, store, text_tools):
    add_users(botapi)

    async def scenario():
        async with running_bot(botapi, store, text_tools) as (_, service):
            for command in ("/stats", "/digest_now", "/ingest", f"/ingest {NEW_PAGE.name}"):
                botapi.send_text(BYSTANDER, command)
            botapi.send_document(BYSTANDER, NEW_PAGE.name, NEW_PAGE.read_bytes(), caption="/ingest")
            answers = await botapi.async_wait_for_messages(BYSTANDER, 5)
            assert {render.ADMIN_ONLY} == {answer["plain_text"] for answer in answers}
            assert 4 == service.db["issues"].count and 0 == service.db["deliveries"].count

    asyncio.run(scenario())


def test_digest_now_reaches_every_subscriber_once(botapi, store, text_tools):
    add_users(botapi)
    this_weeks_news(store, text_tools)

    async def scenario():
        async with running_bot(botapi, store, text_tools):
            [answer] = await _say(botapi, ADMIN, "/digest_now")
            assert answer["plain_text"].startswith("已生成周报")
            digest_chats = set(SUBSCRIBERS) - {112}  # 晋城 has nothing this week
            await botapi.async_wait_for(
                lambda: digest_chats <= {entry["chat_id"] for entry in botapi.sent() if "开发区周报" in entry["plain_text"]},
                what="a digest in every subscribed chat")
            await asyncio.sleep(courier.SEND_TICK_SECONDS + 0.5)
            [stats] = await _say(botapi, ADMIN, "/stats")
            return digest_chats, stats

    digest_chats, stats = asyncio.run(scenario())
    digests = Counter(entry["chat_id"] for entry in botapi.sent()
                      if entry["plain_text"].startswith("📋"))
    assert digest_chats == set(digests) and all(count == 1 for count in digests.values())
    for entry in botapi.sent():
        parse_html(entry["text"])
    assert f"订阅者：{len(SUBSCRIBERS)} 个聊天" in stats["plain_text"]
    assert f"已发送 {sum(digests.values())} 条" in stats["plain_text"]


def test_an_admin_sends_a_page_as_a_document(botapi, store, text_tools):
    add_users(botapi)

    async def scenario():
        async with running_bot(botapi, store, text_tools):
            before = len(botapi.sent(ADMIN))
            botapi.send_document(ADMIN, NEW_PAGE.name, NEW_PAGE.read_bytes(), caption="/ingest")
            [answer] = (await botapi.async_wait_for_messages(ADMIN, before + 1))[before:]
            assert answer["plain_text"].startswith(f"已导入 {NEW_PAGE.stem}-")  # an upload gets a name of its own
            await wait_for_pushes(botapi, await new_page_pushes(botapi, store))
            botapi.send_document(ADMIN, "scan.tif", b"II*\x00 not a page")
            [refused] = (await botapi.async_wait_for_messages(ADMIN, before + 2))[before + 1:]
            assert ".txt" in refused["plain_text"]

    asyncio.run(scenario())
    assert_exactly_once(botapi, expected_pushes(store))
    assert 1 == len(list((store.parent / "inbox" / "done").glob(f"{NEW_PAGE.stem}-*.txt")))


def test_an_admin_sends_a_pdf_page_as_a_document(botapi, store, text_tools):
    from pdfpages import PAGES, build_page

    add_users(botapi)
    data, expected = build_page(PAGES[0])

    async def scenario():
        async with running_bot(botapi, store, text_tools):
            before = len(botapi.sent(ADMIN))
            botapi.send_document(ADMIN, "page1.pdf", data, caption="/ingest")
            [answer] = (await botapi.async_wait_for_messages(ADMIN, before + 1))[before:]
            assert re.match(r"已导入 page1\S*\.pdf：", answer["plain_text"]), answer["plain_text"]
            assert f"{len(expected)} 篇文章" in answer["plain_text"]

    asyncio.run(scenario())
    assert [path.suffix for path in (store.parent / "inbox" / "done").glob("page1*")] == [".pdf"]


async def _say(botapi: BotApiStandIn, chat_id: int, text: str) -> list[dict]:
    before = len(botapi.sent(chat_id))
    botapi.send_text(chat_id, text)
    return (await botapi.async_wait_for_messages(chat_id, before + 1))[before:]


# --- the schedule, on PTB's JobQueue ------------------------------------------------------------------


def test_the_digest_job_plans_each_due_chat_once_at_its_own_time(botapi, store, text_tools):
    add_users(botapi)
    with open_db(store) as db:  # every chat's last digest was a month ago: Monday 09:00 has come since
        db.execute("UPDATE chats SET digest_run = ?", [outbox.timestamp(outbox.utc_now() - timedelta(days=30))])
        ZoneService(db, *text_tools).set_digest(110, 4, "18:00")  # 110 chose Friday 18:00, from now on

    async def scenario():
        async with running_bot(botapi, store, text_tools, digest_day="monday", digest_time="09:00",
                               digest_send_empty=True) as (application, service):
            [job] = application.job_queue.get_jobs_by_name("delivery: digests")
            # The job fires (twice, as after a misfire and a catch-up): one digest per chat and run.
            await job.run(application)
            await job.run(application)
            return service.db.execute("SELECT chat_id, key FROM deliveries WHERE key LIKE 'digest:%'").fetchall()

    rows = asyncio.run(scenario())
    schedule = planning.Schedule(0, time(9, 0), SHANGHAI)
    key = planning.digest_key(schedule, schedule.last_run(outbox.utc_now()))
    assert re.fullmatch(r"digest:\d{4}-\d{2}-\d{2}T09:00", key)
    assert sorted((chat, key) for chat in SUBSCRIBERS if chat != 110) == sorted(rows)


# --- the CLI: zonebrief digest, zonebrief stats ---------------------------------------------------------


def cli(*args: str, **env: str | None):
    return CliRunner().invoke(main, list(args), env={"ZONEBRIEF_DB": None, "ZONEBRIEF_CONFIG": None,
                                                     "ZONEBRIEF_TOKEN": None, **env})


def this_weeks_news(store: Path, text_tools) -> None:
    """The seed pages are old news; the new page, stored by the CLI, is today's (pushes not our topic)."""
    with open_db(store) as db:
        db.execute("UPDATE issues SET issue_date = '2020-01-06'")
        ingest_paths(db, [NEW_PAGE], gazetteer=text_tools[0],
                     issue_date=datetime.now(SHANGHAI).date().isoformat())
        db.execute("UPDATE issues SET pushes_planned_at = '2020-01-06T00:00:00+00:00'")


def test_zonebrief_digest_previews_without_sending(store, text_tools):
    this_weeks_news(store, text_tools)
    result = cli("digest", "--db", str(store))
    assert 0 == result.exit_code, result.output
    assert "—— 聊天 101 ——\n📋 开发区周报" in result.output
    assert "—— 聊天 112 ——\n自上次周报以来没有这个聊天订阅的新报道：不发送" in result.output
    with open_db(store) as db:
        assert 0 == db["deliveries"].count and 0 == db["digest_runs"].count


def test_zonebrief_digest_send_delivers_every_digest_once(botapi, store, text_tools):
    this_weeks_news(store, text_tools)
    add_users(botapi)
    botapi.inject("sendMessage", chat_id=102, error="429")
    result = cli("digest", "--db", str(store), "--send", "--base-url", botapi.url, ZONEBRIEF_TOKEN=botapi.token)
    assert 0 == result.exit_code, result.output
    assert "已全部发出" in result.output
    digests = Counter(entry["chat_id"] for entry in botapi.sent() if entry["plain_text"].startswith("📋"))
    assert set(SUBSCRIBERS) - {112} == set(digests) and {1} == set(digests.values())
    assert botapi.token not in result.output
    stats = cli("stats", "--db", str(store))
    assert 0 == stats.exit_code
    assert f"近 7 天投递：已发送 {len(digests)} 条，未确认 0 条，进程中断后重发（可能重复）0 条，失败 0 条；当前待发送 0 条" in stats.output


@pytest.mark.parametrize(("args", "env", "message"), [
    (["digest", "--send"], {}, "ZONEBRIEF_TOKEN"),
    (["digest"], {"ZONEBRIEF_DIGEST_DAY": "someday"}, "digest_day"),
    (["stats"], {}, "找不到数据库"),
])
def test_cli_mistakes_get_one_chinese_line(tmp_path, args, env, message):
    result = cli(*args, "--db", str(tmp_path / "none.db"), **env)
    assert 1 == result.exit_code
    assert message in result.output and "Traceback" not in result.output
    assert 1 == len(result.output.strip().splitlines())


def test_zonebrief_digest_send_leaves_the_sending_to_a_running_bot(botapi, store, text_tools):
    this_weeks_news(store, text_tools)
    with open_db(store) as db:
        running = sender.SenderLock.beside(db)
    assert running.acquire()  # as a running bot holds it
    try:
        result = cli("digest", "--db", str(store), "--send", "--base-url", botapi.url, ZONEBRIEF_TOKEN=botapi.token)
    finally:
        running.release()
    assert 0 == result.exit_code, result.output
    assert "机器人正在运行" in result.output
    assert [] == botapi.calls("sendMessage")
    assert pending(store) > 0  # in the outbox, for the bot


def test_a_digest_missed_while_down_is_sent_once_at_start_up(botapi, store, text_tools):
    add_users(botapi)
    with open_db(store) as db:  # the bot was down for a month: last Monday's digest is missing
        db.execute("UPDATE chats SET digest_run = ?", [outbox.timestamp(outbox.utc_now() - timedelta(days=30))])

    def digests() -> Counter:
        return Counter(entry["chat_id"] for entry in botapi.sent() if entry["plain_text"].startswith("📋"))

    async def start_and_wait():
        async with running_bot(botapi, store, text_tools, digest_send_empty=True):
            await botapi.async_wait_for(lambda: set(SUBSCRIBERS) <= set(digests()), what="the missed digest")
            await asyncio.sleep(courier.SEND_TICK_SECONDS + 0.5)

    asyncio.run(start_and_wait())
    asyncio.run(start_and_wait())  # a restart: the missed digest is not sent again
    assert set(SUBSCRIBERS) == set(digests()) and {1} == set(digests().values())
    with open_db(store) as db:
        [(key,)] = db.execute("SELECT key FROM digest_runs").fetchall()
    assert re.fullmatch(r"digest:\d{4}-\d{2}-\d{2}T09:00", key)
