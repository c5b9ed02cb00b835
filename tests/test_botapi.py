"""The Bot API stand-in: the real python-telegram-bot 22.8 against it, and its Telegram rules.

The first half runs a real PTB Application (polling through its Updater) against the stand-in
over HTTP on 127.0.0.1; the second half speaks raw HTTP to pin the Bot API behaviour the
end-to-end tests rely on.
"""

import asyncio
import hashlib
import html
import json
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from botapi import BOT_USERNAME, BotApiStandIn, EntityParseError, UploadedFile, parse_html, polling

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_11e3c7ea5b7828c5.txt"
CHAT = 1001


def _application(botapi: BotApiStandIn, *, read_timeout: float | None = None,
                 rate_limiter: AIORateLimiter | None = None) -> Application:
    builder = (Application.builder().token(botapi.token)
               .base_url(botapi.url).base_file_url(botapi.file_url))
    if read_timeout is not None:
        builder = builder.read_timeout(read_timeout)
    if rate_limiter is not None:
        return builder.rate_limiter(rate_limiter).build()
    return builder.build()


def _message(update: Update) -> Message:
    assert update.message is not None, "the handlers here get messages"
    return update.message


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(item.split(":")[-1], callback_data=item)
                                  for item in data]])


# --------------------------------------------------------------------------- a real PTB bot


def test_start_command_gets_its_reply(botapi):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await _message(update).reply_text(
            f"欢迎，<b>{html.escape(' '.join(context.args or []))}</b>", parse_mode=ParseMode.HTML,
            reply_markup=_keyboard("zone:晋城"))

    async def scenario():
        application = _application(botapi)
        application.add_handler(CommandHandler("start", start))
        async with polling(application):
            update = botapi.send_text(CHAT, "/start 晋城 & 朔州")
            return update, await botapi.async_wait_for_messages(CHAT, 1)

    update, [reply] = asyncio.run(scenario())
    assert [{"type": "bot_command", "offset": 0, "length": 6}] == update["message"]["entities"]
    assert "欢迎，<b>晋城 &amp; 朔州</b>" == reply["text"]
    assert "欢迎，晋城 & 朔州" == reply["plain_text"]
    assert "HTML" == reply["parse_mode"]
    assert {"inline_keyboard": [[{"text": "晋城", "callback_data": "zone:晋城"}]]} == reply["reply_markup"]
    assert ["getMe", "deleteWebhook", "getUpdates"] == [call.method for call in botapi.calls()][:3]
    assert [] == botapi.pending_updates  # the updater confirmed what it fetched


def test_pressing_a_button_is_answered_and_edits_the_message(botapi):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await _message(update).reply_text("选择开发区：", reply_markup=_keyboard("zone:晋城", "zone:朔州"))

    async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer(f"已选择{query.data}")
        await query.edit_message_text(f"你选择了{query.data.removeprefix('zone:')}")

    async def scenario():
        application = _application(botapi)
        application.add_handler(CommandHandler("start", start))
        application.add_handler(CallbackQueryHandler(choose))
        async with polling(application):
            botapi.send_text(CHAT, "/start")
            [menu] = await botapi.async_wait_for_messages(CHAT, 1)
            press = botapi.press(CHAT, menu["message_id"], "zone:朔州")
            return menu, press, await botapi.async_wait_for_messages(CHAT, 2)

    menu, press, [_, edit] = asyncio.run(scenario())
    query = press["callback_query"]
    assert (CHAT, menu["message_id"]) == (query["from"]["id"], query["message"]["message_id"])
    assert query["chat_instance"]
    [answer] = botapi.calls("answerCallbackQuery")
    assert {"callback_query_id": query["id"], "text": "已选择zone:朔州"} == answer.params
    assert ("editMessageText", menu["message_id"]) == (edit["method"], edit["message_id"])
    assert "你选择了朔州" == edit["plain_text"]
    assert edit["reply_markup"] is None  # editing the text without a keyboard removes it


def test_set_my_commands_round_trip_and_limits(botapi):
    async def scenario():
        async with _application(botapi) as application:
            bot = application.bot
            await bot.set_my_commands([("zone", "查看开发区"), ("digest", "本周简报")])
            first = await bot.get_my_commands()
            with pytest.raises(BadRequest, match="(?i)BOT_COMMANDS_TOO_MUCH"):
                await bot.set_my_commands([(f"c{number}", "命令") for number in range(101)])
            with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_DESCRIPTION_INVALID"):
                await bot.set_my_commands([("zone", "长" * 257)])
            with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
                await bot.set_my_commands([("Zone", "查看开发区")])
            await bot.set_my_commands([(f"c{number}", "长" * 256) for number in range(100)])
            at_limit = await bot.get_my_commands()
            await bot.delete_my_commands()
            return first, at_limit, await bot.get_my_commands()

    first, at_limit, deleted = asyncio.run(scenario())
    assert [("zone", "查看开发区"), ("digest", "本周简报")] == [
        (command.command, command.description) for command in first]
    assert 100 == len(at_limit)
    assert () == deleted


def test_invalid_html_reply_is_rejected_with_bad_request(botapi):
    errors = []

    async def broken(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await _message(update).reply_text("<b>晋城经济技术开发区", parse_mode=ParseMode.HTML)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    async def scenario():
        application = _application(botapi)
        application.add_handler(CommandHandler("zone", broken))
        application.add_error_handler(on_error)
        async with polling(application):
            botapi.send_text(CHAT, "/zone 晋城")
            await botapi.async_wait_for(lambda: errors, what="the bot's error handler")

    asyncio.run(scenario())
    [error] = errors
    assert isinstance(error, BadRequest)
    # PTB drops the "Bad Request: " prefix and changes the case of the rest
    assert 'can\'t parse entities: can\'t find end tag corresponding to start tag "b"' in str(error).lower()
    assert [] == botapi.sent()
    assert [400] == [call.status for call in botapi.calls("sendMessage")]


# AIORateLimiter reads RetryAfter.retry_after, which warns about its coming type change
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
def test_429_raises_retry_after_and_the_rate_limiter_retries(botapi):
    botapi.add_user(CHAT)

    async def scenario():
        async with _application(botapi) as application:
            botapi.inject("sendMessage", chat_id=CHAT, error="429", retry_after=1)
            with pytest.raises(RetryAfter, match="Retry in 1 seconds"):
                await application.bot.send_message(CHAT, "本周简报")
        limiter = AIORateLimiter(max_retries=1)
        async with _application(botapi, rate_limiter=limiter) as application:
            botapi.inject("sendMessage", error="429", retry_after=1)
            return await application.bot.send_message(CHAT, "本周简报")

    message = asyncio.run(scenario())
    assert "本周简报" == message.text
    assert [429, 429, 200] == [call.status for call in botapi.calls("sendMessage")]
    assert ["本周简报"] == [entry["plain_text"] for entry in botapi.sent(CHAT)]


def test_the_pace_never_lets_n_requests_go_in_less_than_n_intervals_minus_the_tolerance():
    """So 31 at 1/29.4 s with 5 ms of tolerance never fall within one second (Telegram's limit)."""
    from bot import sender

    async def scenario() -> list[float]:
        pace, times = sender.Pace(0.02, 0.005), []
        loop = asyncio.get_running_loop()

        async def one() -> None:
            async with pace:
                times.append(loop.time())

        await asyncio.gather(*(one() for _ in range(12)))
        return times

    times = asyncio.run(scenario())
    assert all(times[last] - times[first] >= (last - first) * 0.02 - 0.005 - 1e-6
               for first in range(12) for last in range(first + 1, 12))
    assert 30 * sender.PACE_INTERVAL - sender.PACE_TOLERANCE > 1.0
    with pytest.raises(ValueError):
        sender.Pace(0.02, 0.02)


def test_an_answer_waits_behind_at_most_one_queued_outbox_send(botapi):
    """AnswersFirst at 5 a second: eight pushes are queued, then an answer goes out second or third."""
    from bot import sender

    pushes = range(2001, 2009)
    for chat in (CHAT, *pushes):
        botapi.add_user(chat)

    async def scenario():
        limiter = sender.AnswersFirst(interval=0.2)
        async with Application.builder().token(botapi.token).base_url(botapi.url).base_file_url(botapi.file_url) \
                .rate_limiter(limiter).request(sender.OutboxRequest()).build() as application:
            send = sender.bot_sender(application.bot)
            queued = [asyncio.create_task(send(chat, "推送", ())) for chat in pushes]
            await asyncio.sleep(0.05)  # the first push has gone, the others wait for the limiter
            await application.bot.send_message(CHAT, "回复")
            await asyncio.gather(*queued)

    asyncio.run(scenario())
    order = [call.params["chat_id"] for call in botapi.calls("sendMessage")]
    assert len(order) == 9 and order.index(CHAT) <= 2  # without AnswersFirst: last (8)


def test_403_raises_forbidden_until_the_user_unblocks(botapi):
    for chat in (CHAT, 1002):
        botapi.add_user(chat)

    async def scenario():
        async with _application(botapi) as application:
            bot = application.bot
            botapi.inject("sendMessage", chat_id=1002, error="403")
            await bot.send_message(CHAT, "只有 1002 的第一条失败")
            with pytest.raises(Forbidden, match="bot was blocked by the user"):
                await bot.send_message(1002, "第一条")
            await bot.send_message(1002, "第二条")
            botapi.block(CHAT)
            for _ in range(2):
                with pytest.raises(Forbidden, match="bot was blocked by the user"):
                    await bot.send_message(CHAT, "已被屏蔽")
            botapi.unblock(CHAT)
            await bot.send_message(CHAT, "解除屏蔽")

    asyncio.run(scenario())
    assert ["只有 1002 的第一条失败", "解除屏蔽"] == [entry["plain_text"] for entry in botapi.sent(CHAT)]
    assert ["第二条"] == [entry["plain_text"] for entry in botapi.sent(1002)]


def test_a_document_sent_by_a_user_can_be_downloaded_by_the_bot(botapi):
    page = SEED.read_bytes()

    async def receive(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        document = _message(update).document
        assert document is not None
        content = bytes(await (await document.get_file()).download_as_bytearray())
        await _message(update).reply_text(
            f"{document.file_name} {len(content)} {hashlib.sha256(content).hexdigest()}")

    async def scenario():
        application = _application(botapi)
        application.add_handler(MessageHandler(filters.Document.ALL, receive))
        async with polling(application):
            botapi.send_document(CHAT, "开发区建设 第3版.txt", page, caption="新一期")
            return await botapi.async_wait_for_messages(CHAT, 1)

    [reply] = asyncio.run(scenario())
    assert f"开发区建设 第3版.txt {len(page)} {hashlib.sha256(page).hexdigest()}" == reply["plain_text"]
    [get_file] = botapi.calls("getFile")
    assert 200 == get_file.status


def test_a_document_the_bot_uploads_arrives_byte_for_byte(botapi):
    botapi.add_user(CHAT)
    page = SEED.read_bytes()

    async def scenario():
        async with _application(botapi) as application:
            message = await application.bot.send_document(
                CHAT, page, filename="晋城 \"简报\".txt", caption="<b>本周</b>简报",
                parse_mode=ParseMode.HTML)
            downloaded = await (await application.bot.get_file(message.document.file_id)).download_as_bytearray()
            return message, bytes(downloaded)

    message, downloaded = asyncio.run(scenario())
    assert page == downloaded == botapi.file_content(message.document.file_id)
    assert ('晋城 "简报".txt', "本周简报") == (message.document.file_name, message.caption)
    [upload] = botapi.calls("sendDocument")
    assert isinstance(upload.params["document"], UploadedFile)
    [entry] = botapi.sent(CHAT)
    assert ("sendDocument", "<b>本周</b>简报") == (entry["method"], entry["caption"])


def test_a_timed_out_send_is_dropped_and_the_retry_delivers(botapi):
    botapi.add_user(CHAT)
    botapi.inject("sendMessage", error="timeout")

    async def scenario():
        async with _application(botapi, read_timeout=0.2) as application:
            with pytest.raises(TimedOut):
                await application.bot.send_message(CHAT, "第一次")
            await application.bot.send_message(CHAT, "重试")

    asyncio.run(scenario())
    assert [None, 200] == [call.status for call in botapi.calls("sendMessage")]
    assert ["重试"] == [entry["plain_text"] for entry in botapi.sent(CHAT)]


def test_latency_outlasting_the_client_still_delivers(botapi):
    """A send the bot gave up on may still reach the user: delivery must tolerate duplicates."""
    botapi.add_user(CHAT)
    botapi.latency = 0.3

    async def scenario():
        async with _application(botapi, read_timeout=0.1) as application:
            with pytest.raises(TimedOut):
                await application.bot.send_message(CHAT, "慢")

    asyncio.run(scenario())
    [delivered] = botapi.wait_for_messages(CHAT, 1)
    assert "慢" == delivered["plain_text"]


def test_a_command_in_a_group_is_answered_as_a_reply(botapi):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await _message(update).reply_text("你好")

    async def scenario():
        application = _application(botapi)
        application.add_handler(CommandHandler("start", start))
        async with polling(application):
            update = botapi.send_text(-2001, f"/start@{BOT_USERNAME}", user_id=CHAT)
            await botapi.async_wait_for_messages(-2001, 1)
            return update

    update = asyncio.run(scenario())
    assert "group" == update["message"]["chat"]["type"]
    [send] = botapi.calls("sendMessage")
    assert update["message"]["message_id"] == send.params["reply_parameters"]["message_id"]


# --------------------------------------------------------------------------- raw HTTP


def _post(botapi: BotApiStandIn, method: str, *, token: str | None = None,
          **params: object) -> tuple[int, dict]:
    """POST a JSON body (leaving out None values) and return the status and the decoded answer."""
    body = json.dumps({name: value for name, value in params.items() if value is not None})
    request = urllib.request.Request(f"{botapi.url}{token or botapi.token}/{method}",
                                     body.encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def test_get_updates_confirms_by_offset_and_honours_limit(botapi):
    def update_ids(*, limit: int | None = None, offset: int | None = None, timeout: int | None = None) -> list[int]:
        status, body = _post(botapi, "getUpdates", limit=limit, offset=offset, timeout=timeout)
        assert 200 == status
        return [update["update_id"] for update in body["result"]]

    ids = [botapi.send_text(CHAT, text)["update_id"] for text in ("一", "二", "三", "四")]
    assert ids[:2] == update_ids(limit=2)
    assert ids == update_ids()  # nothing was confirmed yet
    assert ids[2:] == update_ids(offset=ids[1] + 1)
    assert ids[2:] == [update["update_id"] for update in botapi.pending_updates]
    assert ids[3:] == update_ids(offset=-1)
    assert [] == update_ids(offset=ids[3] + 1, timeout=0)
    assert [] == botapi.pending_updates


def test_get_updates_long_polls_until_an_update_arrives(botapi):
    results = []
    poll = threading.Thread(target=lambda: results.append(_post(botapi, "getUpdates", timeout=10)))
    poll.start()
    botapi.wait_for(lambda: botapi.long_polls, what="the long poll to wait")
    assert [] == results
    update = botapi.send_text(CHAT, "/zones")
    poll.join(10)
    [(status, body)] = results
    assert (200, [update]) == (status, body["result"])


def test_a_second_poller_terminates_the_first_with_409(botapi):
    results = []
    first = threading.Thread(target=lambda: results.append(_post(botapi, "getUpdates", timeout=10)))
    first.start()
    botapi.wait_for(lambda: botapi.long_polls, what="the first long poll to wait")
    second = _post(botapi, "getUpdates", timeout=0)
    first.join(10)
    assert (200, []) == (second[0], second[1]["result"])
    [(status, body)] = results
    assert 409 == status
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


def test_allowed_updates_filters_later_updates(botapi):
    _post(botapi, "getUpdates", allowed_updates=["callback_query"], timeout=0)
    botapi.send_text(CHAT, "不会送达")
    assert [] == botapi.pending_updates
    _post(botapi, "getUpdates", allowed_updates=[], timeout=0)  # back to the default set
    update = botapi.send_text(CHAT, "送达")
    assert [update] == botapi.pending_updates


def test_unknown_method_bad_token_and_case_insensitive_names(botapi):
    botapi.add_user(CHAT)
    assert (404, {"ok": False, "error_code": 404, "description": "Not Found"}) == _post(botapi, "sendSticker")
    assert (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}) == _post(
        botapi, "getMe", token="1:wrong")
    status, body = _post(botapi, "sendmessage", chat_id=CHAT, text="你好")
    assert (200, "你好") == (status, body["result"]["text"])
    me = _post(botapi, "getMe")[1]["result"]
    assert (True, BOT_USERNAME) == (me["is_bot"], me["username"])
    assert {"getMe", "sendMessage", "sendSticker"} <= {call.method for call in botapi.calls()}


def test_form_json_and_multipart_bodies_parse_alike(botapi):
    botapi.add_user(CHAT)
    markup = {"inline_keyboard": [[{"text": "晋城", "callback_data": "zone:晋城"}]]}
    url = f"{botapi.url}{botapi.token}/sendMessage"
    form = {"chat_id": str(CHAT), "text": "<i>简报</i>", "parse_mode": "HTML",
            "reply_markup": json.dumps(markup),
            "disable_notification": "true"}
    with httpx.Client(timeout=10) as client:  # what PTB sends its requests with
        client.post(url, json={**form, "chat_id": CHAT, "reply_markup": markup,
                               "disable_notification": True}).raise_for_status()
        client.post(url, data=form).raise_for_status()
        client.post(url, data=form, files={"unused": ("a.txt", b"x")}).raise_for_status()
    json_call, form_call, multipart_call = botapi.calls("sendMessage")
    multipart_call.params.pop("unused")
    assert json_call.params == form_call.params == multipart_call.params
    assert {"chat_id": CHAT, "text": "<i>简报</i>", "parse_mode": "HTML", "reply_markup": markup,
            "disable_notification": True} == json_call.params


@pytest.mark.parametrize(("text", "parse_mode", "description"), [
    ("", None, "Bad Request: message text is empty"),
    (" \n ", None, "Bad Request: message text is empty"),
    ("<b> </b>", "HTML", "Bad Request: message text is empty"),
    ("字" * 4097, None, "Bad Request: message is too long"),
    ("😀" * 2049, None, "Bad Request: message is too long"),  # 4098 UTF-16 code units
    ("晋城 & 朔州", "HTML", "Bad Request: can't parse entities: Unescaped \"&\" at byte offset 7"),
    ("<b>晋城</i>", "HTML", "Bad Request: can't parse entities: Unmatched end tag at byte offset 9"),
    ("简报", "HTML5", "Bad Request: unsupported parse_mode"),
])
def test_send_message_refuses_what_telegram_refuses(botapi, text, parse_mode, description):
    botapi.add_user(CHAT)
    status, body = _post(botapi, "sendMessage", chat_id=CHAT, text=text, parse_mode=parse_mode)
    assert 400 == status
    assert body["description"].startswith(description)
    assert [] == botapi.sent()


@pytest.mark.parametrize(("text", "parse_mode"), [
    ("字" * 4096, None),
    ("😀" * 2048, None),
    ("<b>" + "字" * 4096 + "</b>", "HTML"),  # the limit counts the text after the markup
    ("  晋城  \n", None),
])
def test_send_message_accepts_text_at_the_limits(botapi, text, parse_mode):
    botapi.add_user(CHAT)
    status, body = _post(botapi, "sendMessage", chat_id=CHAT, text=text, parse_mode=parse_mode)
    assert 200 == status
    expected = parse_html(text)[0] if parse_mode else text.strip()
    assert expected == body["result"]["text"]


@pytest.mark.parametrize(("data", "status"), [
    ("x" * 64, 200), ("x" * 65, 400), ("数" * 21, 200), ("数" * 22, 400), ("", 400),
])
def test_callback_data_is_limited_to_64_bytes(botapi, data, status):
    botapi.add_user(CHAT)
    markup = {"inline_keyboard": [[{"text": "按钮", "callback_data": data}]]}
    answer = _post(botapi, "sendMessage", chat_id=CHAT, text="菜单", reply_markup=markup)
    assert status == answer[0]
    if status == 400:
        assert "Bad Request: BUTTON_DATA_INVALID" == answer[1]["description"]


def test_edits_follow_telegram_rules(botapi):
    botapi.add_user(CHAT)
    markup = {"inline_keyboard": [[{"text": "更多", "callback_data": "more"}]]}
    sent = _post(botapi, "sendMessage", chat_id=CHAT, text="<b>简报</b>", parse_mode="HTML",
                 reply_markup=markup)[1]["result"]
    message_id = sent["message_id"]
    status, body = _post(botapi, "editMessageText", chat_id=CHAT, message_id=message_id,
                         text="<b>简报</b>", parse_mode="HTML", reply_markup=markup)
    assert 400 == status
    assert body["description"].startswith("Bad Request: message is not modified")
    status, body = _post(botapi, "editMessageReplyMarkup", chat_id=CHAT, message_id=message_id)
    assert (200, "简报") == (status, body["result"]["text"])
    assert "reply_markup" not in body["result"]
    user_message = botapi.send_text(CHAT, "你好")["message"]["message_id"]
    assert "Bad Request: message can't be edited" == _post(
        botapi, "editMessageText", chat_id=CHAT, message_id=user_message, text="改")[1]["description"]
    assert 200 == _post(botapi, "deleteMessage", chat_id=CHAT, message_id=message_id)[0]
    assert "Bad Request: message to edit not found" == _post(
        botapi, "editMessageText", chat_id=CHAT, message_id=message_id, text="改")[1]["description"]
    assert "Bad Request: message to delete not found" == _post(
        botapi, "deleteMessage", chat_id=CHAT, message_id=message_id)[1]["description"]
    assert (1, 2) == (message_id, user_message)  # one message_id counter per chat


def test_other_requests_telegram_refuses(botapi):
    assert "Bad Request: chat not found" == _post(botapi, "sendMessage", chat_id=9, text="你好")[1]["description"]
    botapi.add_user(CHAT)
    assert "Bad Request: wrong parameter action in request" == _post(
        botapi, "sendChatAction", chat_id=CHAT, action="dancing")[1]["description"]
    assert _post(botapi, "sendChatAction", chat_id=CHAT, action="typing")[1]["result"] is True
    assert _post(botapi, "answerCallbackQuery", callback_query_id="42")[1]["description"].startswith(
        "Bad Request: query is too old")
    assert "Bad Request: invalid file_id" == _post(botapi, "getFile", file_id="nope")[1]["description"]


def test_a_rate_ceiling_answers_429_past_the_limit():
    now = [100.0]
    with BotApiStandIn(max_messages_per_second=3, clock=lambda: now[0]) as botapi:
        botapi.add_user(CHAT)
        answers = [_post(botapi, "sendMessage", chat_id=CHAT, text=f"第{n}条") for n in range(4)]
        assert [200, 200, 200, 429] == [status for status, _ in answers]
        assert {"retry_after": 1} == answers[-1][1]["parameters"]
        now[0] += 1.0
        assert 200 == _post(botapi, "sendMessage", chat_id=CHAT, text="下一秒")[0]
        assert 3 == botapi.peak_rate()


def test_press_needs_a_button_the_bot_sent(botapi):
    botapi.add_user(CHAT)
    markup = {"inline_keyboard": [[{"text": "晋城", "callback_data": "zone:晋城"}]]}
    message_id = _post(botapi, "sendMessage", chat_id=CHAT, text="菜单", reply_markup=markup)[1]["result"]["message_id"]
    with pytest.raises(ValueError, match=r"no button with callback_data 'zone:朔州'.*'zone:晋城'"):
        botapi.press(CHAT, message_id, "zone:朔州")
    with pytest.raises(ValueError, match="has no message 99"):
        botapi.press(CHAT, 99, "zone:晋城")


def test_inject_refuses_unknown_methods_and_errors(botapi):
    with pytest.raises(ValueError, match="no Bot API method 'sendMesage'"):
        botapi.inject("sendMesage")
    with pytest.raises(ValueError, match="error must be one of"):
        botapi.inject("sendMessage", error="418")


def test_wait_for_failure_lists_the_calls_made(botapi):
    botapi.add_user(CHAT)
    _post(botapi, "sendMessage", chat_id=CHAT, text="只有一条")
    with pytest.raises(AssertionError) as failure:
        botapi.wait_for_messages(CHAT, 2, timeout=0.1)
    assert "2 message(s) in chat 1001" in str(failure.value)
    assert 'sendMessage {"chat_id": 1001, "text": "只有一条"} -> 200' in str(failure.value)


def test_wait_for_refuses_to_block_the_event_loop(botapi):
    async def scenario():
        botapi.wait_for(lambda: True)

    with pytest.raises(AssertionError, match="async_wait_for"):
        asyncio.run(scenario())


def test_stop_answers_a_pending_long_poll_and_joins_its_threads():
    botapi = BotApiStandIn().start()
    results = []
    poll = threading.Thread(target=lambda: results.append(_post(botapi, "getUpdates", timeout=30)))
    poll.start()
    botapi.wait_for(lambda: botapi.long_polls, what="the long poll to wait")
    botapi.stop()
    poll.join(10)
    assert [(200, {"ok": True, "result": []})] == results
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("botapi-standin")]


def test_parse_html_error_messages_follow_tdlib():
    cases = {
        "<b>x": 'Can\'t find end tag corresponding to start tag "b"',
        "x</b>": "Unexpected end tag at byte offset 1",
        "<foo>x</foo>": 'Unsupported start tag "foo" at byte offset 0',
        "晋城 <3 个项目": 'Unsupported start tag "3" at byte offset 7',
        "晋城 <3": "Unclosed start tag at byte offset 7",
        "<b>x</ b>": "Unclosed end tag at byte offset 4",
        "<b": "Unclosed start tag at byte offset 0",
        "<b>x</b": "Unclosed end tag at byte offset 4",
        "<a href>x</a>": 'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        "<span>x</span>": 'Tag "span" must have class "tg-spoiler" at byte offset 0',
        "&nbsp;": 'Unescaped "&" at byte offset 0',
    }
    for markup, message in cases.items():
        with pytest.raises(EntityParseError) as failure:
            parse_html(markup)
        assert str(failure.value).startswith(message), markup


@pytest.mark.parametrize(("markup", "plain", "entities"), [
    ("<b>晋城</b>开发区", "晋城开发区", [{"type": "bold", "offset": 0, "length": 2}]),
    ("<strong><i>粗斜</i></strong>", "粗斜",
     [{"type": "bold", "offset": 0, "length": 2}, {"type": "italic", "offset": 0, "length": 2}]),
    ("😀<u>下划</u>", "😀下划", [{"type": "underline", "offset": 2, "length": 2}]),
    ('<a href="https://example.com/?a=1&amp;b=2">链接</a>', "链接",
     [{"type": "text_link", "offset": 0, "length": 2, "url": "https://example.com/?a=1&b=2"}]),
    ('<pre><code class="language-python">x = 1</code></pre>', "x = 1",
     [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]),
    ("<blockquote expandable>引用</blockquote>", "引用",
     [{"type": "expandable_blockquote", "offset": 0, "length": 2}]),
    ('<span class="tg-spoiler">剧透</span><tg-spoiler>也是</tg-spoiler>', "剧透也是",
     [{"type": "spoiler", "offset": 0, "length": 2}, {"type": "spoiler", "offset": 2, "length": 2}]),
    ("&lt;&gt;&amp;&quot;&#20013;&#x6587;", '<>&"中文', []),
    ("\n <s>删</s> \n", "删", [{"type": "strikethrough", "offset": 0, "length": 1}]),
    ("<b>x</b >", "x", [{"type": "bold", "offset": 0, "length": 1}]),
    ("<b>x</>", "x", [{"type": "bold", "offset": 0, "length": 1}]),  # tdlib accepts an empty end tag
])
def test_parse_html_gives_plain_text_and_entities(markup, plain, entities):
    assert (plain, entities) == parse_html(markup)


def test_standalone_serves_until_interrupted():
    script = Path(__file__).resolve().parent / "botapi.py"
    process = subprocess.Popen([sys.executable, str(script), "--port", "0", "--chat", "42"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               encoding="utf-8")
    try:
        base_url = process.stdout.readline().split(": ", 1)[1].strip()
        process.stdout.readline()  # base_file_url
        token = process.stdout.readline().split(": ", 1)[1].strip()
        process.stdout.readline()  # how to use it
        process.stdin.write("/start\n")
        process.stdin.flush()
        with httpx.Client(base_url=f"{base_url}{token}/", timeout=10) as client:
            updates = client.post("getUpdates", json={"timeout": 5}).json()
            assert ["/start"] == [update["message"]["text"] for update in updates["result"]]
            client.post("sendMessage", json={"chat_id": 42, "text": "欢迎"}).raise_for_status()
        assert "机器人 → 42" in process.stdout.readline()
        assert "欢迎" == process.stdout.readline().strip()
    finally:
        process.send_signal(signal.SIGINT)
        assert 0 == process.wait(10)


def test_a_body_that_cannot_be_parsed_is_refused_and_recorded(botapi):
    botapi.add_user(CHAT)
    status, body = _post(botapi, "sendMessage", chat_id=CHAT, text="菜单", reply_markup="{not json")
    assert (400, "Bad Request: can't parse reply keyboard markup JSON object") == (status, body["description"])
    [call] = botapi.calls("sendMessage")
    assert (400, {}) == (call.status, call.params)


# --------------------------------------------------------------------------- groups, channels, inline mode


@pytest.mark.parametrize("status", ["creator", "administrator", "member", "restricted", "left", "kicked"])
def test_get_chat_member_answers_what_ptb_parses_for_every_status(botapi, status):
    botapi.add_chat(-100777, "channel", title="开发区频道", username="zone_channel")
    botapi.set_member(-100777, 42, status)

    async def ask():
        async with _application(botapi).bot as bot:
            member = await bot.get_chat_member("@zone_channel", 42)
            chat = await bot.get_chat(-100777)
            return member, chat

    member, chat = asyncio.run(ask())
    assert (status, 42) == (member.status, member.user.id)
    assert ("channel", "zone_channel", "开发区频道") == (chat.type, chat.username, chat.title)


def test_get_chat_member_of_a_stranger_is_left_and_an_unknown_chat_is_refused(botapi):
    botapi.add_chat(-100778, "supergroup")
    assert "left" == _post(botapi, "getChatMember", chat_id=-100778, user_id=5)[1]["result"]["status"]
    assert "Bad Request: chat not found" == _post(botapi, "getChatMember", chat_id="@nobody", user_id=5)[1]["description"]
    assert "Bad Request: chat not found" == _post(botapi, "getChat", chat_id=-1)[1]["description"]
    with pytest.raises(ValueError, match="add_chat it first"):
        botapi.set_member(-5, 5, "member")


def test_inline_queries_need_inline_mode(botapi):
    assert botapi.bot_user["supports_inline_queries"] is False
    with pytest.raises(ValueError, match="/setinline"):
        botapi.inline_query(CHAT, "晋城")


def _article(result_id: str, text: str = "<b>简报</b>", **fields) -> dict:
    return {"type": "article", "id": result_id, "title": "标题",
            "input_message_content": {"message_text": text, "parse_mode": "HTML"}, **fields}


def test_answer_inline_query_follows_telegram_rules():
    with BotApiStandIn(inline=True) as botapi:
        query_id = botapi.inline_query(CHAT, "晋城")["inline_query"]["id"]

        def answer(results):
            return _post(botapi, "answerInlineQuery", inline_query_id=query_id, results=results)[1].get("description")

        assert "Bad Request: RESULTS_TOO_MUCH" == answer([_article(str(n)) for n in range(51)])
        assert "Bad Request: RESULT_ID_DUPLICATE" == answer([_article("a"), _article("a")])
        assert "Bad Request: RESULT_ID_INVALID" == answer([_article("x" * 65)])
        assert "Bad Request: RESULT_TITLE_EMPTY" == answer([_article("a", title=" ")])
        assert answer([_article("a", "<b>未闭合")]).startswith("Bad Request: can't parse entities")
        assert "Bad Request: MESSAGE_TOO_LONG" == answer([_article("a", "长" * 4097)])
        assert botapi.inline_answer(query_id) is None
        assert answer([_article("a:1", "<b>构筑</b>校地合作")]) is None
        assert "Bad Request: query is too old and response timeout expired or query ID is invalid" == _post(
            botapi, "answerInlineQuery", inline_query_id="1", results=[])[1]["description"]
        message = botapi.choose_inline_result(-100, query_id, "a:1", user_id=CHAT)
        assert ("构筑校地合作", [{"type": "bold", "offset": 0, "length": 2}]) == (message["text"], message["entities"])
        assert BOT_USERNAME == message["via_bot"]["username"] and CHAT == message["from"]["id"]
        with pytest.raises(ValueError, match="has no result 'a:2'"):
            botapi.choose_inline_result(-100, query_id, "a:2", user_id=CHAT)
