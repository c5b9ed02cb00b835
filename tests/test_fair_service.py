"""Chats served at the same time, each in order, off the event loop; floods refused; group chatter
ignored. The real PTB Application over HTTP against the Bot API stand-in (tests/botapi.py)."""

import asyncio
import threading

import pytest
from botapi import polling

from bot import commands, concurrency
from bot.commands import Reply
from bot.concurrency import ADMIT, FLOOD_NOTICE, REFUSE, WARN, Activity, FloodGate, flood_gate
from bot.config import ConfigError, Settings
from bot.telegram import build_application

GROUP = -100_123


def settings_for(botapi, store_path, **flood) -> Settings:
    return Settings(db=str(store_path), token=botapi.token, **flood)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_background_work_waits_until_no_update_is_in_progress():
    activity, done = Activity(), threading.Event()
    assert activity.wait_quiet(0)
    with activity.busy():
        assert not activity.wait_quiet(0.01)  # gives up after its timeout
        waiter = threading.Thread(target=lambda: activity.wait_quiet(60) and done.set())
        waiter.start()
        with activity.waiting():  # the update waits for background work: it does not count
            assert activity.wait_quiet(0)
    waiter.join(60)
    assert done.is_set() and activity.wait_quiet(0)


def test_flood_gate_admits_a_burst_then_warns_once_then_refuses_until_refilled():
    clock = Clock()
    gate = FloodGate(3, 0.5, clock)
    assert [ADMIT, ADMIT, ADMIT, WARN, REFUSE, REFUSE] == [gate.admit(1) for _ in range(6)]
    assert ADMIT == gate.admit(2)  # another chat has its own allowance
    clock.now = 1.0  # half a token back: still refused, and not told again
    assert REFUSE == gate.admit(1)
    clock.now = 2.0  # one more second: one token
    assert [ADMIT, WARN] == [gate.admit(1), gate.admit(1)]  # a new flood is told again


def test_flood_gate_forgets_chats_that_calmed_down(monkeypatch):
    monkeypatch.setattr(concurrency, "FLOOD_MEMORY", 2)
    clock = Clock()
    gate = FloodGate(1, 1.0, clock)
    assert [ADMIT, ADMIT, WARN] == [gate.admit(1), gate.admit(2), gate.admit(2)]
    clock.now = 5.0
    assert ADMIT == gate.admit(3)  # chats 1 and 2 have refilled: forgotten
    assert {3} == set(gate._chats)


@pytest.mark.parametrize("field", ["flood_burst", "flood_per_minute"])
def test_flood_settings_below_one_are_refused_in_one_line(field):
    with pytest.raises(ConfigError, match=f"配置项 {field} 的值 0 无效"):
        flood_gate(Settings(**{field: 0}))


def test_a_burst_of_concurrent_commands_all_answer(botapi, service, store_path):
    chats = range(1, 31)
    texts = ["/zone 晋城", "/zone 吕梁", "/search 项目", "/latest", "/summary 3", "/read 3"]

    async def scenario():
        application = build_application(settings_for(botapi, store_path), service, base_url=botapi.url)
        async with polling(application, timeout=1):
            for chat_id in chats:
                botapi.send_text(chat_id, texts[chat_id % len(texts)])
            await botapi.async_wait_for(lambda: all(botapi.sent(chat_id) for chat_id in chats),
                                        what="a reply in every chat")

    asyncio.run(scenario())
    for chat_id in chats:
        expected = commands.handle_text(service, commands.Context(chat_id), texts[chat_id % len(texts)])
        assert [reply.text for reply in expected] == [m["text"] for m in botapi.sent(chat_id)], chat_id


def test_one_chat_is_answered_in_the_order_it_asked(botapi, service, store_path):
    asked = [f"/summary {article_id}" for article_id in range(1, 13)]

    async def scenario():
        application = build_application(settings_for(botapi, store_path), service, base_url=botapi.url)
        async with polling(application, timeout=1):
            for text in asked:
                botapi.send_text(7, text)
            await botapi.async_wait_for_messages(7, len(asked))

    asyncio.run(scenario())
    expected = [commands.handle_text(service, commands.Context(7), text)[0].text for text in asked]
    assert expected == [message["text"] for message in botapi.sent(7)]


def test_a_slow_answer_does_not_hold_up_another_chat(botapi, service, store_path, monkeypatch):
    """Chat 1's answer waits until chat 2 has its reply: answered one at a time, neither would come."""
    released = threading.Event()

    def slow(service, ctx, args):
        return Reply("放行了" if released.wait(timeout=20) else "没等到")

    monkeypatch.setitem(commands.COMMANDS, "slow", slow)

    async def scenario():
        application = build_application(settings_for(botapi, store_path), service, base_url=botapi.url)
        async with polling(application, timeout=1):
            botapi.send_text(1, "/slow")
            await botapi.async_wait_for(lambda: botapi.pending_updates == [], what="the bot took /slow")
            botapi.send_text(2, "/zone 吕梁")
            [answer] = await botapi.async_wait_for_messages(2, 1)
            released.set()
            [slow_answer] = await botapi.async_wait_for_messages(1, 1, timeout=30)
            return answer, slow_answer

    answer, slow_answer = asyncio.run(scenario())
    assert "吕梁经济技术开发区" in answer["plain_text"]
    assert "放行了" == slow_answer["plain_text"]


def test_a_flooding_chat_is_told_once_and_others_are_answered(botapi, service, store_path):
    burst = 5

    async def scenario():
        settings = settings_for(botapi, store_path, flood_burst=burst, flood_per_minute=1)
        application = build_application(settings, service, base_url=botapi.url)
        async with polling(application, timeout=1):
            for number in range(500):
                botapi.send_text(1, f"/summary {number % 20 + 1}")
            botapi.send_text(2, "/zone 吕梁")
            [answer] = await botapi.async_wait_for_messages(2, 1, timeout=30)
            await botapi.async_wait_for(lambda: botapi.pending_updates == [], what="every update taken")
            await botapi.async_wait_for_messages(1, burst + 1, timeout=30)
            return answer

    answer = asyncio.run(scenario())  # leaving `polling` waits for every update in progress
    assert "吕梁经济技术开发区" in answer["plain_text"]
    flooded = [message["plain_text"] for message in botapi.sent(1)]
    assert burst + 1 == len(flooded)
    assert [FLOOD_NOTICE] == [text for text in flooded if text == FLOOD_NOTICE]
    expected = [commands.handle_text(service, commands.Context(1), f"/summary {n + 1}")[0].text for n in range(burst)]
    assert expected == [message["text"] for message in botapi.sent(1) if message["plain_text"] != FLOOD_NOTICE]


def test_group_chatter_is_ignored_and_does_not_count_as_flooding(botapi, service, store_path):
    async def scenario():
        settings = settings_for(botapi, store_path, flood_burst=3, flood_per_minute=1)
        application = build_application(settings, service, base_url=botapi.url)
        async with polling(application, timeout=1):
            for number in range(100):
                botapi.send_text(GROUP, f"大家好，晋城今天开会 {number}", user_id=500 + number % 7)
            botapi.send_text(GROUP, "/zone 吕梁", user_id=501)
            [answer] = await botapi.async_wait_for_messages(GROUP, 1, timeout=30)
            await botapi.async_wait_for(lambda: botapi.pending_updates == [], what="every update taken")
            return answer

    answer = asyncio.run(scenario())
    assert "吕梁经济技术开发区" in answer["plain_text"]
    assert 1 == len(botapi.sent(GROUP))
