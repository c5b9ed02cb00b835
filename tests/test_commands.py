"""The transport-free handlers (bot/commands.py) and the HTML they send (bot/render.py), on a real store."""

import re
from pathlib import Path

import pytest
from botapi import parse_html

from bot import render
from bot.commands import (
    COMMANDS, INVALID_BUTTON, PRESSES, SORRY, Channel, Context, Reply, channel_reference, handle_inline, handle_press,
    handle_text, inline_result, manages_subscriptions, press_manages_subscriptions,
)
from bot.config import Settings
from bot.ingest import ingest_text
from bot.render import MENU, split_message, to_plain, utf16_length
from bot.service import ZoneService, zone_code

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
    user_commands = {"zone", "summary", "read", "search", "latest", "subscribe", "unsubscribe", "subscriptions",
                     "mute", "unmute", "digest", "help"}
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


@pytest.mark.parametrize("text", ["/zone 晋城", "/zone 晉城", "/zone jincheng", "/zone 晋城经开区",
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


def test_city_lists_its_zones_with_articles_and_one_line_for_the_rest(service):
    replies = send(service, "/zone 吕梁")
    out = plain(replies)
    view = service.city_view("吕梁")
    assert view.zones and view.quiet
    for entry in view.zones:
        assert f"{entry.zone.name}（{entry.article_count} 篇）" in out
    for entry in view.quiet:
        assert entry.zone.name not in out
    assert f"另有 {len(view.quiet)} 个开发区暂无报道" in out
    zone_buttons = data_of(replies, "z:")
    assert len(zone_buttons) == len(view.zones)
    assert "吕梁经济技术开发区" in plain(press(service, zone_buttons[0]))
    (quiet,) = data_of(replies, "cq:")
    listed = plain(press(service, quiet))
    assert all(entry.zone.name in listed for entry in view.quiet) and "/subscribe" in listed


def test_linfen_shows_two_zone_buttons_and_the_fourteen_without_articles_in_one_line(service):
    replies = send(service, "/zone 临汾")
    assert 2 == len(data_of(replies, "z:"))
    assert "另有 14 个开发区暂无报道" in plain(replies)
    assert ["cq:临汾"] == data_of(replies, "cq:")


def test_no_button_of_any_city_leads_to_a_zone_without_articles(service):
    for city in service.gazetteer.cities():
        for data in data_of(send(service, f"/zone {city}"), "z:"):
            assert "暂无这个开发区的报道" not in plain(press(service, data)), (city, data)


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
    assert "你没有订阅全部开发区" in plain(send(service, "/unsubscribe 全部", chat_id=5))
    assert 1 == len(service.subscriptions(5))
    confirm = press(service, "uns:*", chat_id=5)
    assert "确定要取消你的全部 1 项订阅吗" in plain(confirm) and 1 == len(service.subscriptions(5))
    assert "una:y" in data_of(confirm, "una:") and "my:s" in data_of(confirm, "my:")
    assert "已取消全部 1 项订阅" in plain(press(service, "una:y", chat_id=5))
    assert "你还没有订阅" in plain(send(service, "/subscriptions", chat_id=5))


def test_subscribe_without_argument_offers_cities_and_all(service):
    replies = send(service, "/subscribe", chat_id=7)
    assert "/subscribe 晋城经开区" in plain(replies)
    assert "sub:a" in data_of(replies, "sub:")
    assert "订阅成功：全部开发区" in plain(press(service, "sub:a", chat_id=7))
    assert "订阅成功：吕梁" in plain(press(service, "sub:c:吕梁", chat_id=7))


@pytest.mark.parametrize("text", ["/zone 晋成", "/zone 河律", "/zone 茅津经济技术开发区x"])
def test_a_typo_gets_suggestions_with_buttons_never_a_card(service, text):
    replies = send(service, text)
    assert "你要找的是不是：" in plain(replies)
    assert data_of(replies, "z:") and not data_of(replies, "sum:")


def test_zone_hejin_names_hejin_not_maojin(service):
    out = plain(send(service, "/zone 河津"))
    assert "河津经济技术开发区" in out and "茅津" not in out


def test_subscribe_to_a_typo_subscribes_to_nothing_until_a_button_is_pressed(service):
    replies = send(service, "/subscribe 河律", chat_id=8)
    assert "你要找的是不是：" in plain(replies) and not service.subscriptions(8)
    (hejin,) = [data for data in data_of(replies, "sub:z:") if data == "sub:z:" + zone_code("河津经济技术开发区")]
    assert "订阅成功" in plain(press(service, hejin, chat_id=8))
    assert service.subscriptions(8)


def test_subscribe_unknown_target_suggests_zones(service):
    replies = send(service, "/subscribe 晋城高新区", chat_id=8)
    assert "没有找到" in plain(replies)
    assert data_of(replies, "sub:z:")
    assert not service.subscriptions(8)


def test_unsubscribe_what_was_never_subscribed(service):
    assert "你没有订阅" in plain(send(service, "/unsubscribe 吕梁", chat_id=9))
    assert "你没有订阅全部开发区" in plain(send(service, "/unsubscribe 全部", chat_id=9))
    assert "uns:*" not in data_of(send(service, "/unsubscribe 全部", chat_id=9), "uns:")
    assert "你还没有任何订阅" in plain(press(service, "uns:*", chat_id=9))


def test_every_press_prefix_is_reachable_from_a_reply(service):
    offered = set()
    for text in ["/zone 晋城", "/zone 晋城经开区", "/zone", "/subscriptions", "/subscribe", "/latest", "/summary 1",
                 "/latest 2", "/search 开发区"]:
        offered |= {button.data.split(":")[0] for reply in send(service, text, chat_id=10) for button in buttons(reply)}
    send(service, "/subscribe 晋城", chat_id=11)
    send(service, "/subscribe 全部", chat_id=11)
    offered |= {data.split(":")[0] for data in data_of(send(service, "/subscriptions", chat_id=11), "uns:")}
    offered |= {button.data.split(":")[0] for reply in press(service, "uns:*", chat_id=11) for button in buttons(reply)}
    # hold, review: the buttons of the admins' notices of a held arrival and of records held for
    # review (tests/test_planning.py, tests/test_review.py)
    assert set(PRESSES) - {"zp", "cp", "hold", "review"} <= offered


@pytest.mark.parametrize("label, expected", [("2024年第34期", "《科学导报》2024年第34期「开发区建设」版"),
                                             ("2025年4月18日", "「开发区建设」版 2025年4月18日"),
                                             ("2025年11月30日收到", "「开发区建设」版 2025年11月30日收到"),
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


# --- every argument gets an answer ----------------------------------------------------------------


def article_id(service, where: str) -> int:
    return service.db.execute(f"SELECT id FROM articles WHERE {where}").fetchone()[0]


def test_summary_answers_every_id_and_names_what_it_ignores(service):
    first, second = (article_id(service, f"title = '{title}'") for title in ("构筑校地合作新生态", "推动铝产业集群聚链成势"))
    replies = send(service, f"/summary {first} #{second} abc {first} 99999")
    out = plain(replies)
    assert "构筑校地合作新生态" in out and "推动铝产业集群聚链成势" in out
    assert "没有编号为 99999 的文章" in out and "“abc”不是文章编号，已忽略" in out
    assert 1 == out.count("构筑校地合作新生态\n")  # a repeated id is answered once


def test_read_answers_every_id_and_caps_how_many(service):
    ids = [row[0] for row in service.db.execute("SELECT id FROM articles WHERE kind = 'article' ORDER BY id LIMIT 7")]
    replies = send(service, "/read " + "，".join(map(str, ids)))
    out = plain(replies)
    skipped = " ".join(map(str, ids[5:]))
    assert f"一次最多 5 篇，没有显示：{skipped}" in out and f"/read {skipped}" in out


@pytest.mark.parametrize("command", ["/summary", "/read"])
def test_summary_and_read_without_a_number_say_how(service, command):
    assert f"请给出文章编号，例如 {command} 3" in plain(send(service, command))
    assert "不是编号" in plain(send(service, f"{command} 晋城"))


def test_a_cut_article_says_where_the_page_stops(service):
    cut = article_id(service, "body LIKE '%固废综合利用率达'")
    text = plain(send(service, f"/read {cut}"))
    assert text.rstrip().endswith(to_plain(render.CUT_OFF)) and text.index("利用率达") < text.index("原文在此处中断")
    assert "原文在此处中断" in plain(send(service, f"/summary {cut}"))
    whole = article_id(service, "title = '构筑校地合作新生态'")
    assert "原文在此处中断" not in plain(send(service, f"/read {whole}") + send(service, f"/summary {whole}"))


def test_a_photo_is_a_photo_of_its_zone_never_an_article_title(service):
    photo = article_id(service, "kind = 'photo' AND body = '恒真无尾钢化真空玻璃产业园'")
    for command in (f"/summary {photo}", f"/read {photo}"):
        out = plain(send(service, command))
        assert "图片新闻" in out and "恒真无尾钢化真空玻璃产业园" in out and "图：山西转型综改示范区" in out
        assert "《" not in out and "山西转型综合改革示范区" in out
    card = send(service, "/zone 综改区")
    out = plain(card)
    assert "📷 " in out and "恒真无尾钢化真空玻璃产业园（图：山西转型综改示范区）" in out
    assert "《恒真" not in out and "（图片新闻）" not in out and f"sum:{photo}" not in data_of(card, "sum:")


@pytest.mark.parametrize("command", ["/latest", "/latest 2", "/zone 阳泉", "/zone 太原", "/search 产业园", "/zone 综改区"])
def test_no_list_shows_a_photo_caption_as_an_article_title(service, command):
    captions = [row[0] for row in service.db.execute("SELECT body FROM articles WHERE kind = 'photo'")]
    titles = re.findall(r"《(.+?)》", plain(send(service, command)))
    assert "（图片新闻）" not in titles and not any(title in caption for title in titles for caption in captions)


def test_latest_n_is_the_nth_newest_issue_with_buttons_to_step(service):
    newest, second = plain(send(service, "/latest")), send(service, "/latest 2")
    assert "最新一期" in newest and "倒数第 2 期（共 5 期）" in plain(second)
    assert ["lt:3", "lt:1"] == data_of(second, "lt:")
    assert plain(press(service, "lt:1")) == newest
    assert data_of(send(service, "/latest 5"), "lt:") == ["lt:4"]
    assert "现在共有 5 期，请发送 /latest 1 到 /latest 5" in plain(send(service, "/latest 6"))
    for bad in ("/latest 0", "/latest 二", "/latest -1"):
        assert "不是期数" in plain(send(service, bad))
    assert "已忽略“晋城”" in plain(send(service, "/latest 2 晋城"))


@pytest.mark.parametrize("command", ["/help 晋城", "/start 晋城", "/subscriptions 晋城"])
def test_a_command_without_arguments_names_what_it_ignored(service, command):
    assert "已忽略“晋城”" in plain(send(service, command))


def test_stats_names_the_zones_discovered_on_ingested_pages(service):
    ctx = Context(3, is_admin=True)
    assert "名录外新发现" not in plain(handle_text(service, ctx, "/stats"))
    page = (
        "榆社经济技术开发区\n\n化工园区扩区获批\n\n科学导报讯 今年以来，榆社经济技术开发区坚持项目为王，持续优化营商环境，"
        "一批重点项目相继落地投产。 张炜\n"
    )
    ingest_text(service.db, page, "yushe.txt", gazetteer=service.gazetteer)
    assert "名录外新发现的开发区（请核实后补入 zones.csv）：榆社经济技术开发区" in plain(handle_text(service, ctx, "/stats"))


def test_admin_commands_name_what_they_ignored(service):
    ctx = Context(3, is_admin=True)
    assert "已忽略“晋城”" in plain(handle_text(service, ctx, "/stats 晋城"))


def test_subscribe_answers_each_name(service):
    out = plain(send(service, "/subscribe 晋城 吕梁、晋城经开区 晋城高新区", chat_id=21))
    assert "订阅成功：晋城（城市" in out and "订阅成功：吕梁（城市" in out and "订阅成功：晋城经济技术开发区" in out
    assert "没有找到“晋城高新区”" in out
    assert {("city", "晋城"), ("city", "吕梁"), ("zone", "晋城经济技术开发区")} == {
        (target.kind, target.name) for target in service.subscriptions(21)}
    again = plain(send(service, "/subscribe 晋城 吕梁", chat_id=21))
    assert 2 == again.count("已订阅")


@pytest.mark.parametrize("text, name", [("/subscribe 晋城 经开区", "晋城经济技术开发区"), ("/subscribe jin cheng", "晋城")])
def test_one_name_written_with_a_space_is_one_name(service, text, name):
    out = plain(send(service, text, chat_id=22))
    assert 1 == out.count("订阅成功") and f"订阅成功：{name}" in out


def test_subscribe_caps_how_many_names_and_says_which_it_left(service):
    cities = list(service.gazetteer.cities())[:7]
    out = plain(send(service, "/subscribe " + " ".join(cities), chat_id=23))
    assert 5 == out.count("订阅成功") and 5 == len(service.subscriptions(23))
    assert f"没有处理：{' '.join(cities[5:])}" in out


def test_unsubscribe_answers_each_name_and_all_means_the_all_zones_subscription(service):
    send(service, "/subscribe 全部 晋城 吕梁", chat_id=24)
    out = plain(send(service, "/unsubscribe 晋城 全部 太原", chat_id=24))
    assert "已取消订阅：晋城" in out and "已取消订阅：全部开发区" in out and "你没有订阅太原" in out
    assert [("city", "吕梁")] == [(target.kind, target.name) for target in service.subscriptions(24)]


def test_unsubscribe_without_argument_lists_the_subscriptions_as_buttons(service):
    send(service, "/subscribe 全部 晋城", chat_id=25)
    replies = send(service, "/unsubscribe", chat_id=25)
    assert {"uns:a", "uns:c:晋城", "uns:*"} == set(data_of(replies, "uns:"))
    assert "已取消订阅：全部开发区" in plain(press(service, "uns:a", chat_id=25))
    assert [("city", "晋城")] == [(target.kind, target.name) for target in service.subscriptions(25)]


def test_keeping_the_subscriptions_after_all_lists_them(service):
    send(service, "/subscribe 晋城 吕梁", chat_id=26)
    assert "你的订阅（2 项）" in plain(press(service, "my:s", chat_id=26))
    assert 2 == len(service.subscriptions(26))


@pytest.mark.parametrize("data", ["cq:火星", "cq:", "lt:0", "lt:x", "lt:1:2", "una:", "una:n", "my:", "my:x"])
def test_new_buttons_with_wrong_data_are_refused(service, data):
    assert INVALID_BUTTON == plain(press(service, data))


def test_zone_answers_each_name(service):
    out = plain(send(service, "/zone 晋城 吕梁 火星开发区"))
    assert "晋城：" in out and "吕梁：" in out and "没有找到“火星开发区”" in out


@pytest.mark.parametrize("text", ["/zone@ZoneBriefBot 晋城", "/zone 晋城", "/ZONE@zonebriefbot 晋城"])
def test_commands_for_this_bot_are_answered(service, text):
    assert "晋城：" in plain(handle_text(service, Context(-100, bot_username="ZoneBriefBot"), text))


@pytest.mark.parametrize("text", ["/zone@OtherBot 晋城", "/help@OtherBot", "/subscribe@other_bot 晋城"])
def test_commands_for_another_bot_are_ignored(service, text):
    assert [] == handle_text(service, Context(-100, bot_username="ZoneBriefBot"), text)
    assert not service.subscriptions(-100)


def test_no_button_leads_to_an_empty_or_invalid_reply(service: ZoneService) -> None:
    """Press every button reachable from the commands people start with (breadth first, bounded)."""
    starts = ["/zone", "/zone 临汾", "/zone 晋城经开区", "/latest", "/subscribe", "/subscribe 晋城 吕梁 全部",
              "/unsubscribe", "/search 产业园", "/summary 1", "/zone 晋城高新区", "/subscribe 晋城高新区"]
    queue = [button.data for text in starts for reply in send(service, text, chat_id=31) for button in buttons(reply)]
    seen: set[str] = set()
    while queue and len(seen) < 400:
        data = queue.pop(0)
        if data in seen:
            continue
        seen.add(data)
        replies = press(service, data, chat_id=31)
        out = plain(replies).strip()
        assert out and INVALID_BUTTON not in out and SORRY not in out, data
        queue += [button.data for reply in replies for button in buttons(reply)]
    assert {"z", "c", "cq", "sum", "read", "lt", "sub", "uns", "una", "my"} <= {data.split(":")[0] for data in seen}


# --- inline mode ----------------------------------------------------------------------------------


def inline(service, query: str):
    results = handle_inline(service, Context(41, bot_username="zonebrief_bot"), query)
    for result in results:
        assert 1 <= len(result.id.encode("utf-8")) <= 64 and result.title.strip() and result.description.strip()
        text, _ = parse_html(result.text)
        assert utf16_length(text) <= render.MESSAGE_LIMIT
    assert len({result.id for result in results}) == len(results) <= 50
    return results


@pytest.mark.parametrize("query, first_id", [("晋城", "c:晋城"), ("jincheng", "c:晋城"), ("晉城", "c:晋城"),
                                             ("晋城经开区", f"z:{zone_code('晋城经济技术开发区')}")])
def test_inline_names_a_zone_or_city_first_then_its_articles(service, query, first_id):
    results = inline(service, query)
    assert first_id == results[0].id
    wanted = article_id(service, "title = '构筑校地合作新生态'")
    [article] = [result for result in results if result.id == f"a:{wanted}"]
    day = service.db.execute("SELECT published FROM articles WHERE id = ?", [wanted]).fetchone()[0]
    assert "构筑校地合作新生态" == article.title and f"晋城经济技术开发区 · {day} · " in article.description
    text = to_plain(article.text)
    assert f"编号 {wanted}" in text and "来源：《科学导报》" in text and "「开发区建设」版" in text
    assert f"@zonebrief_bot：私聊发送 /read {wanted}" in text


@pytest.mark.parametrize("query", ["晋城", "晋城经开区"])
def test_an_inline_card_names_the_source_of_each_article_it_lists(service, query):
    card = inline(service, query)[0]
    wanted = article_id(service, "title = '构筑校地合作新生态'")
    text = to_plain(card.text)
    assert "构筑校地合作新生态" in text and f"[{wanted}] 《科学导报》" in text and "「开发区建设」版" in text
    assert text.index("来源") < text.index("@zonebrief_bot")


def test_inline_search_word_lists_the_articles_found(service):
    results = inline(service, "产业园")
    assert results and all(result.id.startswith("a:") for result in results)
    assert [result.id for result in results] == [f"a:{hit.id}" for hit in service.search("产业园").hits]


def test_inline_photo_is_a_photo_of_its_zone(service):
    photo = article_id(service, "kind = 'photo' AND body = '恒真无尾钢化真空玻璃产业园'")
    result = inline_result(service, Context(41), f"a:{photo}")
    assert result.title.startswith("📷") and "《" not in to_plain(result.text)
    assert "恒真无尾钢化真空玻璃产业园" in to_plain(result.text) and "开发区简报机器人" in to_plain(result.text)


def test_inline_empty_query_lists_the_newest_issue_and_nonsense_lists_nothing(service):
    issue = service.latest_issue()
    assert [f"a:{article.id}" for article in issue.articles] == [result.id for result in inline(service, "  ")]
    assert [] == inline(service, "完全不相干的词语组合")


def test_a_cut_article_briefing_says_so(service):
    cut = article_id(service, "body LIKE '%固废综合利用率达'")
    assert "原文在此处中断" in to_plain(inline_result(service, Context(41), f"a:{cut}").text)


@pytest.mark.parametrize("result_id", ["", "a:", "a:x", "a:99999", "z:nope", "c:火星", "q:1"])
def test_an_unknown_inline_result_id_is_none(service, result_id):
    assert inline_result(service, Context(41), result_id) is None


# --- search ---------------------------------------------------------------------------------------


def test_search_shows_the_true_total_and_pages_through_every_hit(service):
    first = send(service, "/search 开发区")
    total = int(re.search(r"共 (\d+) 篇", plain(first))[1])
    assert total == service.db.execute(
        "SELECT count(*) FROM articles WHERE instr(title, '开发区') OR instr(replace(body, char(10), ''), '开发区')"
    ).fetchone()[0]
    ids, replies = [], first
    while True:
        ids += [int(number) for number in re.findall(r"^\[(\d+)\]", plain(replies), re.MULTILINE)]
        following = [data for data in data_of(replies, "sr:") if int(data.split(":")[2]) == len(ids)]
        if not following:
            break
        replies = press(service, following[0])
    assert total == len(ids) == len(set(ids)) > 10
    assert "已经到底了" in plain(press(service, data_of(first, "sr:")[0].rsplit(":", 1)[0] + f":{total}"))


@pytest.mark.parametrize("query, expected", [
    ("/search 开发区 zone:火星", "没有叫“火星”的开发区或城市"),
    ("/search 开发区 city：", "没有叫“”的开发区或城市"),
    ("/search 开发区 since:2024-13-01", "看不懂日期“2024-13-01”"),
    ("/search 开发区 自:昨天", "看不懂日期“昨天”"),
])
def test_a_bad_search_filter_says_how_to_write_it(service, query, expected):
    assert plain(send(service, query)).startswith(expected)


def test_search_filters_by_zone_city_and_date(service):
    city = plain(send(service, "/search 人才 city:晋城"))
    assert "（晋城）" in city and "共 1 篇" in city
    zone = plain(send(service, "/search 开发区 zone:晋城经开区"))
    assert "（晋城经济技术开发区）" in zone
    dated = plain(send(service, "/search 开发区 since:2025"))
    assert "（2025-01-01起）" in dated
    assert all(day >= "2025-01-01" for day in re.findall(r"^\[\d+\] (\d{4}-\d\d-\d\d)", dated, re.MULTILINE))


def test_a_stale_search_button_is_refused(service):
    assert INVALID_BUTTON == plain(press(service, "sr:999:10"))
    assert INVALID_BUTTON == plain(press(service, "sr:x:10"))


# --- groups and channels --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["/subscribe 晋城", "/unsubscribe 晋城", "/subscribe", "/unsubscribe"])
def test_in_a_group_only_its_administrators_change_subscriptions(service, text):
    member = Context(-100200, may_manage=False)
    assert render.GROUP_ADMINS_ONLY == plain(handle_text(service, member, text))
    assert not service.subscriptions(-100200)


def test_a_group_member_may_look_but_not_press_a_changing_button(service):
    service.subscribe(-100201, service.target("晋城"))
    member = Context(-100201, may_manage=False)
    assert "晋城" in plain(handle_text(service, member, "/subscriptions"))
    assert "晋城：" in plain(handle_text(service, member, "/zone 晋城"))
    for data in ("sub:c:吕梁", "uns:c:晋城", "uns:*", "una:y"):
        assert render.GROUP_ADMINS_ONLY == plain(handle_press(service, member, data))
    assert ["晋城"] == [target.name for target in service.subscriptions(-100201)]


@pytest.mark.parametrize("text, bot, expected", [
    ("/subscribe 晋城", None, True), ("/unsubscribe@zb_bot 晋城", "zb_bot", True), ("/subscribe@other 晋城", "zb_bot", False),
    ("/subscriptions", None, False), ("/zone 晋城", None, False), ("订阅 晋城", None, False), ("", None, False),
])
def test_manages_subscriptions(text, bot, expected):
    assert expected == manages_subscriptions(text, bot)


def test_press_manages_subscriptions():
    assert all(press_manages_subscriptions(data) for data in ("sub:a", "uns:*", "una:y"))
    assert not any(press_manages_subscriptions(data) for data in ("my:s", "z:abc", "sum:1", "subx:1"))


@pytest.mark.parametrize("text, expected", [
    ("/subscribe @zone_news 晋城", "@zone_news"), ("/unsubscribe -1001234567890 晋城", "-1001234567890"),
    ("/subscriptions @zone_news", "@zone_news"), ("/subscribe 晋城", None), ("/subscribe @ab 晋城", None),
    ("/zone @zone_news", None), ("/subscribe -5 晋城", None), ("/subscribe@other @zone_news 晋城", None),
])
def test_channel_reference(text, expected):
    assert expected == channel_reference(text, "zb_bot")


def test_an_admin_subscribes_a_channel_from_a_private_chat(service):
    ctx = Context(77, channel=Channel(-100300, "开发区频道"))
    replies = handle_text(service, ctx, "/subscribe @zone_news 晋城 吕梁")
    out = plain(replies)
    assert out.startswith("频道「开发区频道」") and "订阅成功：晋城" in out and "订阅成功：吕梁" in out
    assert not any(reply.buttons for reply in replies)  # a button would act on the private chat
    assert {"晋城", "吕梁"} == {target.name for target in service.subscriptions(-100300)}
    assert not service.subscriptions(77)
    listing = plain(handle_text(service, ctx, "/subscriptions @zone_news"))
    assert "你的订阅（2 项）" in listing and "/unsubscribe -100300 名称" in listing
    assert "已取消订阅：晋城" in plain(handle_text(service, ctx, "/unsubscribe @zone_news 晋城"))
    assert ["吕梁"] == [target.name for target in service.subscriptions(-100300)]


def test_a_channel_the_transport_refused_or_could_not_check_changes_nothing(service):
    refused = Context(77, channel_refusal=render.not_channel_admin("开发区频道"))
    assert "只有频道「开发区频道」的管理员" in plain(handle_text(service, refused, "/subscribe @zone_news 晋城"))
    assert render.CHANNELS_ON_TELEGRAM_ONLY == plain(handle_text(service, Context(77), "/subscribe @zone_news 晋城"))
    assert not service.subscriptions(77)


@pytest.mark.parametrize("text", ["/mute", "/unmute", "/digest 周五 18:00", "/digest off"])
def test_in_a_group_only_its_administrators_change_pushes_and_the_digest(service, text):
    member = Context(-100210, may_manage=False)
    before = service.chat_settings(-100210)
    assert render.GROUP_ADMINS_ONLY == plain(handle_text(service, member, text))
    assert before == service.chat_settings(-100210)
    assert manages_subscriptions(text)


def test_anyone_in_a_group_may_ask_when_the_digest_comes(service):
    assert render.GROUP_ADMINS_ONLY not in plain(handle_text(service, Context(-100211, may_manage=False), "/digest"))
    assert not manages_subscriptions("/digest")


def test_an_admin_mutes_a_channel_from_a_private_chat(service):
    ctx = Context(77, channel=Channel(-100301, "开发区频道"))
    assert plain(handle_text(service, ctx, "/mute @zone_news")).startswith("频道「开发区频道」")
    assert service.chat_settings(-100301).muted and not service.chat_settings(77).muted
    handle_text(service, ctx, "/unmute @zone_news")
    assert not service.chat_settings(-100301).muted


def test_unsubscribe_a_name_that_names_nothing_offers_the_chats_own_subscriptions(service):
    assert "你还没有任何订阅" in plain(send(service, "/unsubscribe 火星", chat_id=27))
    assert not data_of(send(service, "/unsubscribe 火星", chat_id=27), "uns:")
    send(service, "/subscribe 晋城 全部", chat_id=27)
    replies = send(service, "/unsubscribe 火星 吕梁", chat_id=27)
    out = plain(replies)
    assert "没有找到“火星”。你订阅的是：晋城（城市，含其所有开发区）、全部开发区" in out and "你没有订阅吕梁" in out
    assert ["uns:c:晋城", "uns:a"] == data_of(replies, "uns:")


def test_ingest_answers_each_file_named_and_a_waiting_name_with_spaces_is_one(service, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    page = Path(__file__).resolve().parent / "data" / "pages" / "p1_masthead_briefs.txt"
    (inbox / "第 34 期.txt").write_text(page.read_text("utf-8"), "utf-8")
    ctx = Context(3, is_admin=True, settings=Settings(inbox=str(inbox)))
    replies = handle_text(service, ctx, "/ingest 甲.txt 乙.txt 甲.txt")
    assert 2 == len(replies) and "没有“甲.txt”" in plain(replies[:1]) and "没有“乙.txt”" in plain(replies[1:])
    [done] = handle_text(service, ctx, "/ingest 第 34 期.txt")
    assert "没有“" not in plain([done])
