"""The Telegram transport end to end: the real PTB Application from bot/telegram.py, over HTTP,
against the Bot API stand-in on 127.0.0.1 (tests/botapi.py), as a user would drive it.

The stand-in parses parse_mode HTML as Telegram does and answers 400 to anything Telegram would
reject (bad HTML, over 4,096 characters, callback data over 64 bytes): every test below fails if
the bot ever sends such a message, because each expected reply must arrive.
"""

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from botapi import parse_html, polling

from bot.commands import SORRY
from bot.config import Settings
from bot.render import MENU
from bot.telegram import api_urls, build_application

ROOT = Path(__file__).resolve().parent.parent
ALICE = 4242
HOSTILE = ['"', "*", "NEAR(", "<b>", "&", "😀", '"人才" AND NEAR(开发区 <b>&amp; 😀*', "人才" * 1000]


def settings_for(botapi, store_path) -> Settings:
    # A scripted user types faster than anyone: no flood limit here (test_fair_service tests it).
    return Settings(db=str(store_path), token=botapi.token, flood_burst=1000)


def buttons(message: dict) -> dict[str, str]:
    """label -> callback data of a sent message's inline keyboard."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


def assert_all_accepted(botapi) -> None:
    rejected = [call for call in botapi.calls() if call.status not in (200, None) and call.method != "getUpdates"]
    assert [] == rejected, botapi.transcript()
    for message in botapi.sent():
        parse_html(message["text"])


class Conversation:
    """One user's chat with the bot: say something, get the new replies."""

    def __init__(self, botapi, chat_id: int = ALICE) -> None:
        self.botapi = botapi
        self.chat_id = chat_id

    async def replies_to(self, send, count: int = 1) -> list[dict]:
        before = len(self.botapi.sent(self.chat_id))
        send()
        messages = await self.botapi.async_wait_for_messages(self.chat_id, before + count)
        return messages[before:]

    async def say(self, text: str, count: int = 1) -> list[dict]:
        return await self.replies_to(lambda: self.botapi.send_text(self.chat_id, text), count)

    async def press(self, message: dict, label_start: str) -> list[dict]:
        data = next(data for label, data in buttons(message).items() if label.startswith(label_start))
        return await self.replies_to(lambda: self.botapi.press(self.chat_id, message["message_id"], data))


def test_api_urls_accept_a_server_root_or_a_base_url():
    expected = ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")
    assert expected == api_urls("http://127.0.0.1:8081") == api_urls("http://127.0.0.1:8081/bot/")


def test_a_user_session(botapi, service, store_path):
    async def scenario():
        application = build_application(settings_for(botapi, store_path), service, base_url=botapi.url)
        async with polling(application, timeout=1):
            await application.post_init(application)
            chat = Conversation(botapi)
            [welcome] = await chat.say("/start")
            assert "/zone 晋城" in welcome["plain_text"]

            for query in ["/zone 晋城", "/zone 晉城", "/zone jincheng", "/zone 晋城经开区"]:
                [card] = await chat.say(query)
                assert "晋城经济技术开发区" in card["plain_text"] and "构筑校地合作新生态" in card["plain_text"], query

            [card] = await chat.say("/zone 晋城经开区")
            [summary] = await chat.press(card, "摘要")
            assert "构筑校地合作新生态" in summary["plain_text"] and "摘要" in summary["plain_text"]
            assert 1 == len(botapi.calls("answerCallbackQuery"))
            full_text = await chat.press(summary, "阅读全文")
            assert "中山大学" in full_text[0]["plain_text"]

            [city] = await chat.say("/zone 吕梁")
            assert "吕梁经济技术开发区（1 篇）" in city["plain_text"]
            [unknown] = await chat.say("/zone 火星开发区")
            assert unknown["plain_text"].startswith("没有找到")

            [done] = await chat.say("/subscribe 晋城经开区")
            assert "订阅成功" in done["plain_text"]
            [again] = await chat.say("/subscribe 晋城经开区")
            assert "已订阅" in again["plain_text"]
            [listing] = await chat.say("/subscriptions")
            assert "晋城经济技术开发区" in listing["plain_text"]
            [cancelled] = await chat.press(listing, "取消")
            assert "已取消订阅" in cancelled["plain_text"]
            await chat.say("/subscribe 吕梁")
            [gone] = await chat.say("/unsubscribe 吕梁")
            assert "已取消订阅" in gone["plain_text"]

            for query in HOSTILE:
                [found] = await chat.say(f"/search {query}")
                assert SORRY not in found["plain_text"], query
            [found] = await chat.say("/search 中山大学")
            assert "构筑校地合作新生态" in found["plain_text"]

    asyncio.run(scenario())
    assert_all_accepted(botapi)
    [commands] = botapi.calls("setMyCommands")
    assert [name for name, _ in MENU] == [command["command"] for command in commands.params["commands"]]
    assert not service.subscriptions(ALICE)


def test_a_failing_handler_is_logged_and_the_user_gets_an_apology(botapi, service, store_path, caplog):
    service.db.execute("DROP TABLE subscriptions")  # any store failure will do

    async def scenario():
        application = build_application(settings_for(botapi, store_path), service, base_url=botapi.url)
        async with polling(application, timeout=1):
            [apology] = await Conversation(botapi).say("/subscriptions")
            [answer] = await Conversation(botapi).say("/zone 吕梁")  # the bot keeps going
            return apology, answer

    apology, answer = asyncio.run(scenario())
    assert SORRY == apology["plain_text"]
    assert "吕梁经济技术开发区" in answer["plain_text"]
    assert any(record.exc_info for record in caplog.records if record.name == "bot.telegram")


def test_zonebrief_run_serves_a_user_from_a_subprocess(botapi, store_path, tmp_path):
    env = {**os.environ, "ZONEBRIEF_TOKEN": botapi.token, "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "run.log"
    with log.open("w") as stderr:
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "-v", "run", "--db", str(store_path), "--base-url", botapi.url],
            cwd=ROOT, env=env, stdout=stderr, stderr=stderr,
        )
        try:
            botapi.send_text(ALICE, "/zone 晋城")  # waits in the stand-in until the bot polls
            [card] = botapi.wait_for_messages(ALICE, 1, timeout=30)
        finally:
            bot.terminate()
            botapi.send_text(ALICE, "/help")  # ends the bot's pending long poll: no 10-second wait to stop
            exit_code = bot.wait(timeout=30)
    assert 0 == exit_code
    assert "构筑校地合作新生态" in card["plain_text"]
    assert botapi.calls("setMyCommands")
    output = log.read_text()
    assert f"Set Bot API URL: {botapi.url}<token>" in output  # verbose: PTB logged its URL …
    assert botapi.token not in output  # … with the token hidden, as everywhere else


def test_zonebrief_run_without_a_token_says_how_to_set_one(store_path):
    env = {name: value for name, value in os.environ.items() if name != "ZONEBRIEF_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--db", str(store_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert 1 == done.returncode
    assert "ZONEBRIEF_TOKEN" in done.stderr and "zonebrief chat" in done.stderr
    assert "Traceback" not in done.stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("case", ["wrong token", "no server"])
def test_zonebrief_run_fails_in_one_line_when_telegram_is_unreachable(botapi, store_path, case):
    token, base_url = ("7000000001:WRONG", botapi.url) if case == "wrong token" else (
        botapi.token, f"http://127.0.0.1:{closed_port()}")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--db", str(store_path), "--base-url", base_url],
                          cwd=ROOT, env={**os.environ, "ZONEBRIEF_TOKEN": token}, capture_output=True, text=True,
                          timeout=60)
    assert 1 == done.returncode
    assert done.stderr.startswith("错误：") and 1 == len(done.stderr.splitlines()), done.stderr
    assert ("令牌" if case == "wrong token" else "无法连接") in done.stderr


def test_a_server_that_refuses_the_command_menu_still_gets_answers(botapi, service, store_path, caplog):
    botapi.inject("setMyCommands", error="500")

    async def scenario():
        application = build_application(settings_for(botapi, store_path), service, base_url=botapi.url)
        async with polling(application, timeout=1):
            await application.post_init(application)
            [welcome] = await Conversation(botapi).say("/start")
            assert "/zone 晋城" in welcome["plain_text"]

    asyncio.run(scenario())
    assert "could not set the command menu" in caplog.text
