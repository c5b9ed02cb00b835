"""Issue 13 end to end over the Telegram transport: the real PTB Application from bot/telegram.py
against the Bot API stand-in (tests/botapi.py) — every argument answered, buttons that lead
somewhere, and inline mode (`@bot 晋城` in any chat, answerInlineQuery, the message a chosen result
posts)."""

import asyncio
import dataclasses
import json

import pytest
from botapi import BOT_USERNAME, BotApiStandIn, polling
from test_telegram_e2e import Conversation, assert_all_accepted, buttons, settings_for

from bot.telegram import build_application, own_username

ALICE = 4343
FRIEND_CHAT = 5151  # a chat of Alice's with someone else: the bot is not in it


@pytest.fixture
def inline_botapi():
    """A stand-in for a bot whose inline mode is on (BotFather /setinline)."""
    with BotApiStandIn(inline=True) as standin:
        yield standin


def run_bot(botapi, service, store_path, scenario, *, refused: list[dict] | None = None) -> None:
    """Run the bot through `scenario`; every request must be accepted but the `refused` ones
    (params of the calls the scenario expects Telegram to refuse)."""
    async def main():
        application = build_application(settings_for(botapi, store_path), service, base_url=botapi.url)
        async with polling(application, timeout=1):
            await scenario(application)

    asyncio.run(main())
    if refused is None:
        assert_all_accepted(botapi)
        return
    rejected = [call.params for call in botapi.calls() if call.status not in (200, None) and call.method != "getUpdates"]
    assert refused == rejected, botapi.transcript()


async def inline(botapi, query: str) -> dict:
    """Alice types `@bot query`; the bot's answerInlineQuery parameters."""
    update = botapi.inline_query(ALICE, query)
    query_id = update["inline_query"]["id"]
    return await botapi.async_wait_for(lambda: botapi.inline_answer(query_id), what=f"the answer to @bot {query}")


def article_id(service, where: str) -> int:
    return service.db.execute(f"SELECT id FROM articles WHERE {where}").fetchone()[0]


@pytest.mark.parametrize("query, first", [
    ("晋城", "晋城（城市）"),  # a city
    ("晋城经开区", "晋城经济技术开发区"),  # a zone's alias
    ("jincheng", "晋城（城市）"),  # pinyin
    ("光机电", "构筑校地合作新生态"),  # a search word
])
def test_inline_query_lists_cards_and_articles_and_a_chosen_one_is_a_self_contained_briefing(
        inline_botapi, service, store_path, query, first):
    botapi = inline_botapi
    wanted = article_id(service, "title = '构筑校地合作新生态'")
    day = service.db.execute("SELECT published FROM articles WHERE id = ?", [wanted]).fetchone()[0]

    async def scenario(application):
        answer = await inline(botapi, query)
        results = answer["results"]
        assert first == results[0]["title"]
        assert all(result["description"] for result in results)
        [article] = [result for result in results if result["id"] == f"a:{wanted}"]
        assert "晋城经济技术开发区" in article["description"] and day in article["description"]
        message = botapi.choose_inline_result(FRIEND_CHAT, answer["inline_query_id"], article["id"], user_id=ALICE)
        text = message["text"]
        assert "构筑校地合作新生态" in text and f"编号 {wanted}" in text and "来源：《科学导报》" in text
        assert f"@{BOT_USERNAME}：私聊发送 /read {wanted}" in text
        assert BOT_USERNAME == message["via_bot"]["username"]

    run_bot(botapi, service, store_path, scenario)
    assert botapi.sent(FRIEND_CHAT) == []  # the bot never wrote into the friend's chat itself


def test_inline_zone_card_and_empty_query(inline_botapi, service, store_path):
    botapi = inline_botapi

    async def scenario(application):
        answer = await inline(botapi, "晋城经开区")
        card = answer["results"][0]
        assert card["id"].startswith("z:") and "国家级" in card["description"]
        message = botapi.choose_inline_result(FRIEND_CHAT, answer["inline_query_id"], card["id"], user_id=ALICE)
        assert "晋城经济技术开发区" in message["text"] and "构筑校地合作新生态" in message["text"]
        newest = await inline(botapi, "")
        assert newest["results"] and all(result["id"].startswith("a:") for result in newest["results"])
        nothing = await inline(botapi, "完全不相干的词语组合")
        assert [] == nothing["results"]

    run_bot(botapi, service, store_path, scenario)


def test_every_argument_gets_an_answer_over_telegram(botapi, service, store_path):
    first, second = (article_id(service, f"title = '{title}'") for title in ("构筑校地合作新生态", "推动铝产业集群聚链成势"))

    async def scenario(application):
        chat = Conversation(botapi, ALICE)
        summaries = await chat.say(f"/summary {first} {second} 甲", count=3)
        assert "构筑校地合作新生态" in summaries[0]["plain_text"] and "推动铝产业" in summaries[1]["plain_text"]
        assert "“甲”不是文章编号，已忽略" in summaries[2]["plain_text"]
        [both] = await chat.say("/subscribe 晋城 吕梁")
        assert "订阅成功：晋城" in both["plain_text"] and "订阅成功：吕梁" in both["plain_text"]
        [older] = await chat.say("/latest 2")
        assert "倒数第 2 期" in older["plain_text"]
        [oldest] = await chat.press(older, "更早一期")
        assert "倒数第 3 期" in oldest["plain_text"]
        [listing] = await chat.say("/unsubscribe")
        assert {"取消：晋城（城市，含其所有开发区）", "取消所有订阅…"} <= set(buttons(listing))
        [question] = await chat.press(listing, "取消所有订阅")
        assert "确定要取消你的全部 2 项订阅吗" in question["plain_text"] and 2 == len(service.subscriptions(ALICE))
        [done] = await chat.press(question, "确认取消")
        assert "已取消全部 2 项订阅" in done["plain_text"]
        [city] = await chat.say("/zone 临汾")
        assert "另有 14 个开发区暂无报道" in city["plain_text"]
        [quiet] = await chat.press(city, "暂无报道的 14 个开发区")
        assert "侯马经济开发区" in quiet["plain_text"]

    run_bot(botapi, service, store_path, scenario)
    assert not service.subscriptions(ALICE)


def test_group_answers_its_own_commands_and_ignores_other_bots(botapi, service, store_path):
    group, member = -1009001, 7101

    async def scenario(application):
        botapi.add_chat(group)
        botapi.send_text(group, "/zone@OtherBot 晋城", user_id=member)
        botapi.send_text(group, "晋城今天天气不错", user_id=member)
        botapi.send_text(group, f"/zone@{BOT_USERNAME} 吕梁", user_id=member)
        botapi.send_text(group, "/zone 晋城", user_id=member)
        botapi.send_text(group, "/help", user_id=member)  # a chat's updates are answered in order: the last
        replies = await botapi.async_wait_for(
            lambda: (sent := botapi.sent(group)) and "我整理" in sent[-1]["plain_text"] and sent, what="the /help")
        assert 3 == len(replies)
        assert replies[0]["plain_text"].startswith("吕梁") and replies[1]["plain_text"].startswith("晋城")

    run_bot(botapi, service, store_path, scenario)


def test_only_a_groups_administrators_change_its_subscriptions(botapi, service, store_path):
    group, admin, member = -1009002, 7201, 7202

    async def scenario(application):
        botapi.add_chat(group)
        botapi.set_member(group, admin, "administrator")
        botapi.set_member(group, member, "member")
        said = len(botapi.sent(group))

        async def say(user: int, text: str) -> dict:
            nonlocal said
            botapi.send_text(group, text, user_id=user)
            said += 1
            return (await botapi.async_wait_for_messages(group, said))[-1]

        refused = await say(member, "/subscribe 晋城")
        assert "只有本群的管理员" in refused["plain_text"] and not service.subscriptions(group)
        done = await say(admin, f"/subscribe@{BOT_USERNAME} 晋城 吕梁")
        assert "订阅成功：晋城" in done["plain_text"] and 2 == len(service.subscriptions(group))
        listing = await say(member, "/subscriptions")  # anyone may look
        data = buttons(listing)["取消：晋城（城市，含其所有开发区）"]
        botapi.press(group, listing["message_id"], data, user_id=member)
        said += 1
        [pressed] = (await botapi.async_wait_for_messages(group, said))[-1:]
        assert "只有本群的管理员" in pressed["plain_text"] and 2 == len(service.subscriptions(group))
        botapi.press(group, listing["message_id"], data, user_id=admin)
        said += 1
        [cancelled] = (await botapi.async_wait_for_messages(group, said))[-1:]
        assert "已取消订阅：晋城" in cancelled["plain_text"]
        assert {(group, admin), (group, member)} <= {
            (call.params["chat_id"], call.params["user_id"]) for call in botapi.calls("getChatMember")}

    run_bot(botapi, service, store_path, scenario)
    assert ["吕梁"] == [target.name for target in service.subscriptions(group)]


def test_an_anonymous_administrator_writes_as_the_group_and_may_subscribe_it(botapi, service, store_path):
    group = -1009003

    async def scenario(application):
        botapi.add_chat(group)
        botapi.send_text(group, "/subscribe 晋城", anonymous_admin=True)
        [done] = await botapi.async_wait_for_messages(group, 1)
        assert "订阅成功：晋城" in done["plain_text"]

    run_bot(botapi, service, store_path, scenario)
    assert ["晋城"] == [target.name for target in service.subscriptions(group)]
    assert not botapi.calls("getChatMember")  # the group itself wrote: nobody to ask about


def test_a_channel_is_subscribed_by_its_administrator_from_a_private_chat(botapi, service, store_path):
    channel, group, stranger = -1001234509100, -1001234509101, 7301

    async def scenario(application):
        botapi.add_chat(channel, "channel", title="开发区快讯", username="zone_news")
        botapi.add_chat(group, "supergroup", title="讨论组", username="zone_talk")
        bot_id = botapi.bot_user["id"]
        botapi.set_member(channel, ALICE, "creator")
        chat = Conversation(botapi, ALICE)
        [cannot_post] = await chat.say("/subscribe @zone_news 晋城")
        assert "机器人还不能在频道「开发区快讯」发消息" in cannot_post["plain_text"]
        botapi.set_member(channel, bot_id, "administrator")
        [done] = await chat.say("/subscribe @zone_news 晋城 吕梁")
        assert done["plain_text"].startswith("频道「开发区快讯」") and "订阅成功：吕梁" in done["plain_text"]
        assert not done.get("reply_markup")
        [listing] = await chat.say(f"/subscriptions {channel}")
        assert "你的订阅（2 项）" in listing["plain_text"]
        [missing] = await chat.say("/subscribe @no_such_channel 晋城")
        assert "找不到频道 @no_such_channel" in missing["plain_text"]
        [not_channel] = await chat.say("/subscribe @zone_talk 晋城")
        assert "「讨论组」不是频道" in not_channel["plain_text"]
        other = Conversation(botapi, stranger)
        [refused] = await other.say("/unsubscribe @zone_news 晋城")
        assert "只有频道「开发区快讯」的管理员" in refused["plain_text"]

    run_bot(botapi, service, store_path, scenario, refused=[{"chat_id": "@no_such_channel"}])
    assert {"晋城", "吕梁"} == {target.name for target in service.subscriptions(channel)}
    assert not service.subscriptions(ALICE) and not service.subscriptions(stranger)


@pytest.mark.parametrize("username, expected", [("zonebrief_test_bot", "zonebrief_test_bot"), ("Test Name", None),
                                                ("", None), (None, None), ("ab", None), ("9bot", None)])
def test_only_a_username_telegram_could_give_decides_which_commands_are_for_another_bot(username, expected):
    assert expected == own_username(username)


def test_each_admin_gets_the_admin_commands_in_the_menu_and_help_tells_of_inline_mode(botapi, service, store_path):
    admin = 9001
    settings = dataclasses.replace(settings_for(botapi, store_path), admins=(admin,))

    async def main():
        application = build_application(settings, service, base_url=botapi.url)
        async with polling(application, timeout=1):
            await application.post_init(application)
            [welcome] = await Conversation(botapi, ALICE).say("/help")
            assert f"输入 @{BOT_USERNAME} 晋城" in welcome["plain_text"]

    asyncio.run(main())
    menus = {json.dumps(call.params.get("scope") or {"type": "default"}, sort_keys=True): call.params["commands"]
             for call in botapi.calls("setMyCommands")}
    admin_menu = [command["command"] for command in menus[json.dumps({"chat_id": admin, "type": "chat"})]]
    default_menu = [command["command"] for command in menus[json.dumps({"type": "default"})]]
    assert {"ingest", "stats", "digest_now"} <= set(admin_menu) and admin_menu[:len(default_menu)] == default_menu
    assert not {"ingest", "stats", "digest_now"} & set(default_menu)
