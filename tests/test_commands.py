"""The transport-free handlers (bot/commands.py) and the HTML they send (bot/render.py), on a real store."""

import re

import pytest
from botapi import parse_html

from bot import render
from bot.commands import COMMANDS, INVALID_BUTTON, PRESSES, Context, Reply, handle_press, handle_text
from bot.render import MENU, split_message, to_plain, utf16_length
from bot.service import zone_code

HOSTILE = ['"', "*", "NEAR(", "<b>", "&", "😀", '人才 "NEAR( <b>& 😀*', "AND OR NOT ) ( ^ : -", "\\'; DROP TABLE articles;--",
           "&amp; &lt;b&gt; <i>斜体</i> </b>", "人才" * 1000, "😀" * 2000]


def buttons(reply: Reply) -> list:
    return [button for row in reply.buttons for button in row]


def assert_sendable(replies: list[Reply]) -> None:
    """What Telegram would accept: valid HTML, 1–4096 characters, callback data within 64 bytes."""
    assert replies
    for reply in replies:
        text, _ = parse_html(reply.text)  # raises on HTML Telegram would reject
        assert 0 < len(text.strip()) and utf16_length(text) <= render.MESSAGE_LIMIT
        assert all(len(button.data.encode("utf-8")) <= 64 for button in buttons(reply))


def send(service, text, chat_id=1):
    replies = handle_text(service, Context(chat_id), text)
    assert_sendable(replies)
    return replies


def press(service, data, chat_id=1):
    replies = handle_press(service, Context(chat_id), data)
    assert_sendable(replies)
    return replies


def plain(replies: list[Reply]) -> str:
    return "\n".join(to_plain(reply.text) for reply in replies)


def data_of(replies: list[Reply], prefix: str) -> list[str]:
    return [button.data for reply in replies for button in buttons(reply) if button.data.startswith(prefix)]


# --- the splitter ---------------------------------------------------------------------------------


def test_short_text_is_one_piece():
    assert ["<b>标题</b>\n\n正文"] == split_message("<b>标题</b>\n\n正文")


def test_split_keeps_paragraphs_whole_and_loses_nothing():
    paragraphs = [f"第{n}段。" + "开发区建设稳步推进。" * 40 for n in range(30)]
    pieces = split_message("\n\n".join(paragraphs))
    assert len(pieces) > 1
    assert all(utf16_length(piece) <= 4096 for piece in pieces)
    assert paragraphs == [p for piece in pieces for p in piece.split("\n\n")]


def test_overlong_paragraph_is_cut_between_sentences():
    sentence = "晋城经开区与中山大学签约。"
    pieces = split_message(sentence * 700)
    assert len(pieces) == 3
    assert all(piece.endswith("。") and utf16_length(piece) <= 4096 for piece in pieces)
    assert sentence * 700 == "".join(pieces)


def test_overlong_sentence_counts_utf16_and_never_cuts_an_entity_or_a_tag():
    text = "<b>" + "😀&amp;" * 1500 + "</b>"
    pieces = split_message(text, limit=1000)
    assert len(pieces) > 1
    for piece in pieces:
        assert utf16_length(piece) <= 1000
        assert piece.startswith("<b>") and piece.endswith("</b>")
        parse_html(piece)
    assert to_plain(text) == "".join(to_plain(piece) for piece in pieces)


def test_to_plain_drops_tags_and_decodes_entities():
    assert '<摘要> & "引号"' == to_plain('<b>&lt;摘要&gt;</b> &amp; "引号"')


# --- commands ---------------------------------------------------------------------------------------


def test_the_menu_lists_every_user_command():
    user_commands = {"zone", "summary", "read", "search", "latest", "subscribe", "unsubscribe", "subscriptions", "help"}
    assert user_commands == {name for name, _ in MENU} and user_commands <= set(COMMANDS)
    assert all(description and len(description) <= 256 for _, description in MENU)


@pytest.mark.parametrize("text", ["/start", "/help", "/help@ZoneBriefBot"])
def test_help_explains_with_examples(service, text):
    out = plain(send(service, text))
    assert "/zone 晋城" in out and "/subscribe" in out and "/search" in out


def test_help_for_an_admin_lists_the_admin_commands(service):
    admin = plain(handle_text(service, Context(7, is_admin=True), "/help"))
    user = plain(send(service, "/help"))
    for command in ("/ingest", "/stats", "/digest_now"):
        assert command in admin and command not in user


def test_zone_cards_show_levels_as_people_say_them_and_no_gazetteer_notes(service):
    for zone in service.gazetteer.zones:
        out = plain(press(service, f"z:{zone_code(zone.name)}"))
        assert not any(note in out for note in ("推定", "未确认", "UNSURE", "级别")), out
    assert "国家级" in plain(send(service, "/zone 晋城经开区"))
    assert "省级" in plain(send(service, "/zone 盂县经开区"))
    assert "国家级" not in plain(send(service, "/zone 平遥")) and "省级" not in plain(send(service, "/zone 平遥"))


@pytest.mark.parametrize("text", ["/zone 晋城", "/zone 晉城", "/zone jincheng", "/zone 晋城经开区", "/zone 晋成",
                                  "/zone@ZoneBriefBot 晋城", "晋城经开区", "晋城"])
def test_zone_names_the_zone_and_lists_its_article(service, text):
    replies = send(service, text)
    out = plain(replies)
    assert "晋城经济技术开发区" in out and "构筑校地合作新生态" in out
    assert data_of(replies, "sum:") and data_of(replies, "sub:")


def test_zone_card_buttons_open_a_summary_and_the_full_text(service):
    card = send(service, "/zone 晋城经开区")
    assert "国家级" in plain(card)
    (summary_data,) = data_of(card, "sum:")
    summary = press(service, summary_data)
    out = plain(summary)
    assert "构筑校地合作新生态" in out and "晋城经济技术开发区" in out and "摘要" in out
    (read_data,) = data_of(summary, "read:")
    assert "中山大学" in plain(press(service, read_data))


def test_city_lists_its_zones_with_counts_and_buttons(service):
    replies = send(service, "/zone 吕梁")
    out = plain(replies)
    for zone in service.gazetteer.cities()["吕梁"]:
        assert zone.name in out
    assert "吕梁经济技术开发区（1 篇）" in out
    zone_buttons = data_of(replies, "z:")
    assert len(zone_buttons) == len(service.gazetteer.cities()["吕梁"])
    assert "吕梁经济技术开发区" in plain(press(service, zone_buttons[0]))


def test_unknown_zone_gets_up_to_three_suggestions(service):
    replies = send(service, "/zone 晋城高新区")
    out = plain(replies)
    assert out.startswith("没有找到“晋城高新区”")
    suggestions = data_of(replies, "z:")
    assert 1 <= len(suggestions) <= 3
    assert "晋城经济技术开发区" in [service.zone_by_code(data[2:]).name for data in suggestions]


def test_zone_without_argument_lists_every_city(service):
    replies = send(service, "/zone")
    out = plain(replies)
    assert all(city in out for city in service.gazetteer.cities())
    assert "吕梁" in plain(press(service, "c:吕梁"))


def test_pages_beyond_the_first(service_one_per_page):
    service = service_one_per_page
    first = send(service, "/zone 太原")
    (next_page,) = data_of(first, "cp:")
    second = press(service, next_page)
    assert "第 2–2 篇" in plain(second)
    assert set(data_of(first, "sum:")).isdisjoint(data_of(second, "sum:"))
    assert "上一页" in [button.label for reply in second for button in buttons(reply)]


@pytest.mark.parametrize("query", HOSTILE)
def test_search_survives_any_text(service, query):
    replies = send(service, f"/search {query}")
    assert "出错" not in plain(replies)


def test_search_finds_and_offers_summaries(service):
    replies = send(service, "/search 中山大学")
    assert "构筑校地合作新生态" in plain(replies)
    assert data_of(replies, "sum:")


def test_plain_text_that_is_no_zone_is_a_search(service):
    assert "搜索“中山大学”" in plain(send(service, "中山大学"))


def test_latest_summarises_the_newest_issue(service):
    newest = service.db.execute("SELECT label FROM issues ORDER BY issue_date DESC, id DESC LIMIT 1").fetchone()[0]
    replies = send(service, "/latest")
    assert newest in plain(replies)
    assert data_of(replies, "read:")


def test_read_splits_a_long_article_under_the_limit(service):
    article_id = service.db.execute("SELECT id FROM articles ORDER BY length(body) DESC LIMIT 1").fetchone()[0]
    service.db.execute("UPDATE articles SET body = ? WHERE id = ?", ["\n\n".join(["开发区建设稳步推进。" * 100] * 8), article_id])
    replies = send(service, f"/read {article_id}")
    assert len(replies) > 1


@pytest.mark.parametrize("text, expected", [
    ("/summary", "请给出文章编号"), ("/summary abc", "文章编号应为数字"), ("/summary 99999", "没有编号为 99999 的文章"), ("/summary 9" + "9" * 30, "文章编号应为数字"),
    ("/read", "请给出文章编号"), ("/search", "请在 /search 后写上"), ("/nosuch", "没有 /nosuch 这个命令"),
    ("   ", "发送 /help"), ("/search ***", "没有可以搜索的词"), ("/zone <b>火星", "没有找到“<b>火星”"),
])
def test_bad_input_gets_one_friendly_line(service, text, expected):
    replies = send(service, text)
    assert 1 == len(replies)
    assert expected in plain(replies)


@pytest.mark.parametrize("data", ["nosuch:1", "", "z:deadbeef", "zp:deadbeef:5", "c:火星", "cp:吕梁:x", "cp:吕梁:1:2", "cp:吕梁:²", "zp:ebe5be0d:" + "9" * 30,
                                  "sub:z:deadbeef", "sub:q", "uns:c:火星"])
def test_stale_or_forged_buttons_are_refused_politely(service, data):
    assert [INVALID_BUTTON] == [to_plain(reply.text) for reply in press(service, data)]


@pytest.mark.parametrize("data, expected", [("sum:abc", "文章编号应为数字"), ("read:99999", "没有编号为 99999 的文章")])
def test_article_buttons_share_the_commands_answers(service, data, expected):
    assert expected in plain(press(service, data))


def test_subscribe_lifecycle(service):
    assert "订阅成功" in plain(send(service, "/subscribe 晋城经开区", chat_id=5))
    assert "已订阅" in plain(send(service, "/subscribe 晋城经济技术开发区", chat_id=5))
    assert "订阅成功" in plain(send(service, "/subscribe 吕梁", chat_id=5))
    listing = send(service, "/subscriptions", chat_id=5)
    assert "晋城经济技术开发区" in plain(listing) and "吕梁" in plain(listing)
    cancel = [data for data in data_of(listing, "uns:") if data != "uns:*"]
    assert 2 == len(cancel)
    assert "已取消订阅" in plain(press(service, cancel[0], chat_id=5))
    assert "已取消全部 1 项订阅" in plain(send(service, "/unsubscribe 全部", chat_id=5))
    assert "你还没有订阅" in plain(send(service, "/subscriptions", chat_id=5))


def test_subscribe_without_argument_offers_cities_and_all(service):
    replies = send(service, "/subscribe", chat_id=7)
    assert "/subscribe 晋城经开区" in plain(replies)
    assert "sub:a" in data_of(replies, "sub:")
    assert "订阅成功：全部开发区" in plain(press(service, "sub:a", chat_id=7))
    assert "订阅成功：吕梁" in plain(press(service, "sub:c:吕梁", chat_id=7))


def test_subscribe_unknown_target_suggests_zones(service):
    replies = send(service, "/subscribe 晋城高新区", chat_id=8)
    assert "没有找到" in plain(replies)
    assert data_of(replies, "sub:z:")
    assert not service.subscriptions(8)


def test_unsubscribe_what_was_never_subscribed(service):
    assert "你没有订阅" in plain(send(service, "/unsubscribe 吕梁", chat_id=9))
    assert "你还没有任何订阅" in plain(send(service, "/unsubscribe 全部", chat_id=9))


def test_every_press_prefix_is_reachable_from_a_reply(service):
    offered = set()
    for text in ["/zone 晋城", "/zone 晋城经开区", "/zone", "/subscriptions", "/subscribe", "/latest", "/summary 1"]:
        offered |= {button.data.split(":")[0] for reply in send(service, text, chat_id=10) for button in buttons(reply)}
    send(service, "/subscribe 晋城", chat_id=11)
    send(service, "/subscribe 全部", chat_id=11)
    offered |= {data.split(":")[0] for data in data_of(send(service, "/subscriptions", chat_id=11), "uns:")}
    assert set(PRESSES) - {"zp", "cp"} <= offered


@pytest.mark.parametrize("label, expected", [("2024年第34期", "《科学导报》2024年第34期"),
                                             ("000_11e3c7ea5b7828c5", "版面 000_11e3c7ea5b7828c5")])
def test_issue_names(label, expected):
    assert expected == render.issue_name(label)


# --- article numbers in lists ---------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/zone 晋城经开区", "/zone 晋城", "/search 开发区", "/latest"])
def test_every_list_line_shows_the_id_summary_takes(service, command):
    replies = send(service, command)
    lines = re.findall(r"^\[(\d+)\] .*?《(.+?)》", plain(replies), re.MULTILINE)
    assert lines, plain(replies)
    assert [int(data.split(":")[1]) for data in data_of(replies, "sum:") or data_of(replies, "read:")] == [
        int(number) for number, _ in lines]
    for number, title in lines:
        assert plain(send(service, f"/summary {number}")).startswith(title)
