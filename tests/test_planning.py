"""Planning (bot/planning.py): one push per chat per issue, digests of what arrived, chats in
control, back-filling stored as archive, large arrivals held for an admin; on a real store."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from botapi import parse_html
from click.testing import CliRunner
from conftest import WEEK_T0
from delivery_scenario import MONDAY_NINE, NEW_PAGE, ROOT, SHANGHAI, subscribe

from bot import outbox, planning, render
from bot.cli import cli
from bot.commands import Context, handle_press, handle_text
from bot.config import Settings
from bot.db import open_db
from bot.ingest import ingest_paths
from bot.service import ArticleLine, ZoneService

T0 = WEEK_T0  # Sunday noon in Shanghai
ADMIN = 900


@pytest.fixture
def service(week_service):
    return week_service


def ingest(service: ZoneService, page: Path = NEW_PAGE, day: str | None = None) -> int:
    [outcome] = ingest_paths(service.db, [page], gazetteer=service.gazetteer,
                             issue_date=day)
    assert outcome.result is not None, outcome.error
    return outcome.result.issue_id


def rows(service: ZoneService, chat_id: int, prefix: str = "") -> list[tuple[str, int, str, list]]:
    """(key, part, text, buttons) of a chat's outbox rows, in order."""
    return [(key, part, text, json.loads(markup) if markup else [])
            for key, part, text, markup in service.db.execute(
                "SELECT key, part, text, reply_markup FROM deliveries WHERE chat_id = ? AND key LIKE ? ORDER BY id",
                [chat_id, prefix + "%"])]


def listed(text: str) -> list[int]:
    """The article ids a push or digest lists: its lines start with [id]."""
    plain, _ = parse_html(text)  # valid Telegram HTML, or this raises
    return [int(line[1:line.index("]")]) for line in plain.splitlines() if line.startswith("[")]


def expected_ids(service: ZoneService, issue_id: int, *, zones=(), cities=(), everything=False) -> list[int]:
    """The articles of an issue a chat with these subscriptions gets, straight from the tables."""
    found = []
    for article_id, city, zone_list in service.db.execute(
        "SELECT a.id, a.city, (SELECT json_group_array(zone) FROM article_zones WHERE article_id = a.id)"
        " FROM articles a WHERE a.issue_id = ? AND a.kind = 'article' ORDER BY a.seq", [issue_id],
    ).fetchall():
        zone_cities = {row[0] for row in service.db.execute(
            "SELECT city FROM zones WHERE name IN (SELECT value FROM json_each(?))", [zone_list])}
        if everything or set(json.loads(zone_list)) & set(zones) or {city, *zone_cities} & set(cities):
            found.append(article_id)
    return found


# --- one push per chat per issue ----------------------------------------------------------------


def test_a_new_page_is_one_push_per_chat_listing_its_articles_with_buttons(service):
    subscribe(service, 1, "全部")
    subscribe(service, 2, "吕梁")  # a city
    subscribe(service, 3, "临汾经开区")  # a zone, by its short name
    subscribe(service, 4, "晋城经开区")  # nothing on this page
    subscribe(service, 5, "吕梁", "全部")  # overlapping: each article once
    issue_id = ingest(service)
    planned = planning.plan_pushes(service, T0)
    assert 4 == planned
    for chat_id, wanted in [(1, expected_ids(service, issue_id, everything=True)),
                            (5, expected_ids(service, issue_id, everything=True)),
                            (2, expected_ids(service, issue_id, cities=["吕梁"])),
                            (3, expected_ids(service, issue_id, zones=["临汾经济开发区"]))]:
        [(key, part, text, buttons)] = rows(service, chat_id)
        assert (key, part) == (f"issue:{issue_id}:{max(expected_ids(service, issue_id, everything=True))}", 1)
        assert wanted == listed(text)
        assert [[["摘要：" + render.button_title(service.article_summary(i).title), f"sum:{i}"], ["全文", f"read:{i}"]]
                for i in wanted] == buttons
        assert "来源：《科学导报》" in text and "「开发区建设」版" in text
    assert 6 == len(listed(rows(service, 1)[0][2]))  # the page's photo is not pushed
    assert 3 == len(listed(rows(service, 2)[0][2]))
    assert [] == rows(service, 4)


def test_a_push_links_the_source_when_configured(service):
    subscribe(service, 1, "全部")
    ingest(service)
    planning.plan_pushes(service, T0, planning.PushPolicy(source_url="https://example.org/kxdb?a=1&b=2"))
    [(_, _, text, _)] = rows(service, 1)
    assert '<a href="https://example.org/kxdb?a=1&amp;b=2">查看原版</a>' in text
    parse_html(text)


def test_a_push_longer_than_one_message_is_split_only_past_the_limit():
    lines = [ArticleLine(i, "2026-11-22", f"第{i}篇报道的标题" * 3, "article", "吕梁经济技术开发区", "一句话摘要。" * 8)
             for i in range(1, 121)]
    parts = render.issue_push("2026年第47期", lines)
    assert 1 < len(parts)
    ids = [i for part in parts for i in listed(part.text)]
    assert list(range(1, 121)) == ids
    for part in parts:
        assert render.utf16_length(part.text) <= render.MESSAGE_LIMIT
        assert [f"sum:{i}" for i in listed(part.text)] == [row[0][1] for row in part.buttons]
    few = render.issue_push("2026年第47期", lines[:6])
    assert 1 == len(few)


def test_an_arrival_with_nobody_subscribed_is_marked_planned_and_never_pushed_later(service):
    issue_id = ingest(service)
    assert 0 == planning.plan_pushes(service, T0)
    planned = service.db.execute("SELECT pushes_planned_at, planned_through FROM issues WHERE id = ?", [issue_id]).fetchone()
    assert planned[0] and planned[1] == service.db.execute("SELECT max(id) FROM articles WHERE issue_id = ?",
                                                           [issue_id]).fetchone()[0]
    subscribe(service, 1, "全部")
    assert 0 == planning.plan_pushes(service, T0) and not rows(service, 1)


def test_planning_twice_plans_nothing_twice(service):
    subscribe(service, 1, "全部")
    issue_id = ingest(service)
    first = planning.plan_pushes(service, T0)
    assert 0 == planning.plan_pushes(service, T0)
    service.db.execute("UPDATE issues SET pushes_planned_at = NULL, planned_through = NULL WHERE id = ?", [issue_id])
    assert 0 == planning.plan_pushes(service, T0)  # the mark lost: the row is unique per chat and key
    assert first == service.db["deliveries"].count


def test_paused_and_muted_chats_get_no_push_but_muted_ones_keep_the_digest(service):
    subscribe(service, 1, "全部")
    subscribe(service, 2, "全部")
    subscribe(service, 3, "全部")
    outbox.pause_chat(service.db, 2, "Forbidden: bot was blocked by the user", T0)
    assert service.set_muted(3, True)
    ingest(service)
    planning.plan_pushes(service, T0)
    assert 1 == len(rows(service, 1)) and [] == rows(service, 2) == rows(service, 3)
    planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=False)
    assert 1 == len(rows(service, 3, "digest:")) and [] == rows(service, 2)


# --- back-filling is not news ----------------------------------------------------------------------


def test_a_cli_import_with_subscribers_present_sends_nothing(service, tmp_path):
    subscribe(service, 1, "全部")
    subscribe(service, 2, "吕梁")
    store = tmp_path / "zonebrief.db"
    result = CliRunner().invoke(cli, ["ingest", str(NEW_PAGE), "--db", str(store)],
                                env={"ZONEBRIEF_DB": None, "ZONEBRIEF_CONFIG": None})
    assert 0 == result.exit_code, result.output
    assert "作为存档导入" in result.output
    assert 0 == planning.plan_pushes(service, T0)  # what the bot does at its next start and poll
    planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=False)
    assert 0 == service.db["deliveries"].count
    [(archived, planned_at)] = service.db.execute(
        "SELECT archived, pushes_planned_at FROM issues WHERE source = ?", [NEW_PAGE.name]).fetchall()
    assert archived == 1 and planned_at is not None
    assert service.search("吕梁").hits  # searchable all the same


def test_a_cli_import_with_push_is_pushed(service, tmp_path):
    subscribe(service, 1, "全部")
    result = CliRunner().invoke(cli, ["ingest", str(NEW_PAGE), "--push", "--db", str(tmp_path / "zonebrief.db")],
                                env={"ZONEBRIEF_DB": None, "ZONEBRIEF_CONFIG": None})
    assert 0 == result.exit_code, result.output
    assert 1 == planning.plan_pushes(service, T0)


def test_a_page_printed_older_than_the_newest_pushed_is_stored_as_archive(service):
    """Rule BACKFILL."""
    subscribe(service, 1, "全部")
    issue_id = ingest(service, day="2026-11-02")  # the newest pushed issue is dated 2026-11-21
    assert 0 == planning.plan_pushes(service, T0, planning.PushPolicy(admins=(ADMIN,)))
    assert (1,) == service.db.execute("SELECT archived FROM issues WHERE id = ?", [issue_id]).fetchone()
    [(key, _, notice, _)] = rows(service, ADMIN)
    assert key == f"admin:archived:{issue_id}" and "存档" in notice
    assert [] == rows(service, 1)


def test_a_page_whose_date_was_only_guessed_is_news_whatever_its_date(service):
    """Rule BACKFILL only trusts printed dates: the new page's date comes from its text (2024)."""
    subscribe(service, 1, "全部")
    ingest(service)
    assert 1 == planning.plan_pushes(service, T0)


def test_a_large_arrival_is_held_until_an_admin_decides(service):
    """Rule FLOOD: six articles to one chat, over a limit of five."""
    subscribe(service, 1, "全部")
    subscribe(service, 2, "临汾经开区")
    issue_id = ingest(service)
    policy = planning.PushPolicy(hold_over=5, admins=(ADMIN,))
    assert 0 == planning.plan_pushes(service, T0, policy)
    assert 0 == planning.plan_pushes(service, T0, policy)  # held: not planned again
    [(key, _, notice, buttons)] = rows(service, ADMIN)
    assert "admin:hold:1" == key
    assert "2 个聊天" in notice and "最多会收到 6 篇" in notice
    assert [[["全部推送", "hold:1:push"], ["存为存档，不推送", "hold:1:archive"]]] == buttons
    assert [] == rows(service, 1) == rows(service, 2)
    bystander = Context(chat_id=5, settings=Settings(admins=(ADMIN,)))
    assert render.ADMIN_ONLY == handle_press(service, bystander, "hold:1:push")[0].text
    admin = Context(chat_id=ADMIN, is_admin=True, settings=Settings(admins=(ADMIN,)))
    [answer] = handle_press(service, admin, "hold:1:push")
    assert "已安排推送" in answer.text
    assert expected_ids(service, issue_id, everything=True) == listed(rows(service, 1)[0][2])
    assert 1 == len(rows(service, 2))
    [again] = handle_press(service, admin, "hold:1:archive")
    assert "已经处理过" in again.text
    assert 0 == planning.plan_pushes(service, T0, policy)


def test_without_admins_a_large_arrival_is_pushed_since_nobody_could_release_it(service):
    subscribe(service, 1, "全部")
    ingest(service)
    assert 1 == planning.plan_pushes(service, T0, planning.PushPolicy(hold_over=5))
    assert 0 == service.db["push_holds"].count


def test_a_held_arrival_stored_as_archive_is_never_pushed(service):
    subscribe(service, 1, "全部")
    ingest(service)
    planning.plan_pushes(service, T0, planning.PushPolicy(hold_over=5, admins=(ADMIN,)))
    admin = Context(chat_id=ADMIN, is_admin=True, settings=Settings(admins=(ADMIN,)))
    [answer] = handle_press(service, admin, "hold:1:archive")
    assert "存为存档" in answer.text
    assert 0 == planning.plan_pushes(service, T0)
    planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=False)
    assert [] == rows(service, 1)


# --- digests of what arrived ---------------------------------------------------------------------------


def test_a_digest_lists_what_arrived_since_the_previous_one_whatever_the_dates(service):
    subscribe(service, 1, "全部")
    subscribe(service, 2, "吕梁", "全部")
    issue_id = ingest(service)  # printed dates aside, its text dates it 2024
    run = planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=False)
    assert (2, 2) == (run.chats, run.messages)
    everything = expected_ids(service, issue_id, everything=True)
    [(_, _, text, buttons)] = rows(service, 1, "digest:")
    assert everything == listed(text) and len(everything) == len(buttons)
    [(_, _, text, _)] = rows(service, 2, "digest:")
    luliang = expected_ids(service, issue_id, cities=["吕梁"])
    assert luliang + [i for i in everything if i not in luliang] == listed(text)  # grouped, each once
    assert text.index("【吕梁（") < text.index("【全部开发区】")
    later = T0 + timedelta(minutes=5)
    again = planning.plan_digests(service, planning.every_subscriber(service, later), later, send_empty=False)
    assert (0, 0, 2) == (again.chats, again.messages, again.planned)  # nothing new since


def test_after_prepare_digests_planning_the_digests_summarises_nothing(service, monkeypatch):
    from bot import service as service_module

    subscribe(service, 1, "全部")
    subscribe(service, 2, "吕梁")
    planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=False)  # nothing yet
    issue_id = ingest(service)
    made = []
    assert len(expected_ids(service, issue_id, everything=True)) == planning.prepare_digests(service, lambda: made.append(1))
    assert len(made) == len(expected_ids(service, issue_id, everything=True))  # called before each article
    cold = ZoneService(service.db, service.gazetteer, service.tokenizer)  # another process: no cache of its own
    monkeypatch.setattr(service_module, "summarize", lambda *args, **kwargs: pytest.fail("summarised again"))
    later = T0 + timedelta(minutes=5)
    run = planning.plan_digests(cold, planning.every_subscriber(cold, later), later, send_empty=False)
    assert (2, 2) == (run.chats, run.messages)


def test_prepare_digests_makes_only_what_a_digest_lists(service):
    subscribe(service, 1, "晋城经开区")
    issue_id = ingest(service)
    wanted = expected_ids(service, issue_id, zones=["晋城经济技术开发区"])
    assert len(wanted) == planning.prepare_digests(service)
    stored = {row[0] for row in service.db.execute("SELECT article_id FROM summaries WHERE sentences = 1")}
    assert set(wanted) <= stored and not set(expected_ids(service, issue_id, everything=True)) - set(wanted) & stored


def test_a_digest_run_in_batches_lists_what_one_batch_would(service):
    for chat_id in range(1, 8):
        subscribe(service, chat_id, "全部" if chat_id % 2 else "吕梁")
    ingest(service)
    whole = planning.build_digests(service, range(1, 8))
    planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=False, batch=2)
    for chat_id in range(1, 8):
        [(_, _, text, _)] = rows(service, chat_id, "digest:")
        assert text == render.digest_parts(whole[chat_id])[0].text


def test_the_couriers_refresh_runs_once_per_change_of_the_articles(service: ZoneService, tmp_path: Path) -> None:
    from bot.courier import Courier

    async def send(chat_id: int, text: str, buttons: outbox.Buttons) -> int:
        raise AssertionError("nothing is sent")

    subscribe(service, 1, "全部")
    courier = Courier(service, Settings(inbox=str(tmp_path)), send)
    steps: list[float] = []

    def quiet(timeout: float = 1.0) -> bool:
        steps.append(timeout)
        return True

    courier.activity.wait_quiet = quiet  # type: ignore[method-assign]
    courier.refresh(service)
    assert steps  # the warm-up's articles
    steps.clear()
    courier.refresh(service)
    assert not steps  # nothing changed
    ingest(service)
    courier.refresh(service)
    assert len(steps) >= len(expected_ids(service, service.db.execute("SELECT max(id) FROM issues").fetchone()[0],
                                          everything=True))


def test_a_new_subscriber_gets_only_what_arrives_after_it_subscribed(service):
    ingest(service)
    planning.plan_pushes(service, T0)
    subscribe(service, 1, "全部")
    assert 0 == planning.plan_pushes(service, T0)
    run = planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=True)
    [(_, _, text, _)] = rows(service, 1, "digest:")
    assert run.chats == 1 and "没有新报道" in text


@pytest.mark.parametrize("send_empty", [False, True])
def test_nothing_new_sends_nothing_unless_configured(service, send_empty):
    subscribe(service, 1, "晋城经开区")
    run = planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=send_empty)
    assert run.chats == int(send_empty)
    texts = [text for _, _, text, _ in rows(service, 1)]
    assert texts == (["📋 <b>开发区周报</b>\n\n自上次周报以来，你订阅的开发区没有新报道。"] if send_empty else [])


def test_due_digests_follow_each_chats_own_day_and_time(service):
    subscribe(service, 1, "全部")
    subscribe(service, 2, "全部")
    subscribe(service, 3, "全部")
    service.db.execute("UPDATE chats SET digest_run = ?", [outbox.timestamp(T0)])  # Sunday noon: last digests
    service.set_digest(2, 4, "18:00")  # Friday 18:00
    service.set_digest_off(3, True)
    service.db.execute("UPDATE chats SET digest_run = ?", [outbox.timestamp(T0)])
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    assert [] == planning.due_digests(service, MONDAY_NINE, monday - timedelta(seconds=1))
    assert [planning.DueDigest(1, "digest:2026-11-23T09:00", monday)] == planning.due_digests(service, MONDAY_NINE,
                                                                                            monday)
    planning.plan_digests(service, planning.due_digests(service, MONDAY_NINE, monday), monday, send_empty=True)
    assert [] == planning.due_digests(service, MONDAY_NINE, monday + timedelta(hours=1))  # once per run
    friday = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)
    assert [2] == [due.chat_id for due in planning.due_digests(service, MONDAY_NINE, friday)]


def test_a_long_digest_is_split_into_valid_messages_in_order(service):
    subscribe(service, 1, "全部")
    service.db.execute("UPDATE subscriptions SET since_article = 0")  # subscribed before every page
    ingest(service)
    run = planning.plan_digests(service, planning.every_subscriber(service, T0), T0, send_empty=False)
    found = rows(service, 1, "digest:")
    assert run.messages == len(found) >= 1
    assert [part for _, part, _, _ in found] == list(range(1, len(found) + 1))
    ids = [i for _, _, text, _ in found for i in listed(text)]
    assert len(ids) == len(set(ids)) == service.db.execute(
        "SELECT count(*) FROM articles WHERE kind = 'article' AND review IS NULL").fetchone()[0]
    for _, _, text, buttons in found:
        assert render.utf16_length(text) <= render.MESSAGE_LIMIT
        assert len(buttons) <= render.MAX_ARTICLE_ROWS


KILLED_PLANNER = """
import sys, time
from datetime import datetime
from bot import planning
from bot.db import open_db
from bot.ingest import load_gazetteer
from bot.config import Settings
from bot.service import ZoneService
from summarize.tokens import Tokenizer

gazetteer = load_gazetteer(Settings().zones_csv)
service = ZoneService(open_db(sys.argv[1]), gazetteer, Tokenizer(extra_words=gazetteer.forms()))
now = datetime.fromisoformat(sys.argv[2])
schedule = planning.Schedule(0, datetime.strptime("09:00", "%H:%M").time(), now.tzinfo)
due = planning.due_digests(service, schedule, now)
for number, _ in enumerate(planning.digest_batches(service, due, now, send_empty=True, batch=2), start=1):
    print(number, flush=True)
    if number == 2:
        time.sleep(600)  # killed here, between two batches
"""


def test_kill_9_during_a_batched_digest_plan_still_delivers_each_digest_once(service, tmp_path):
    chats = range(1, 12)
    for chat_id in chats:
        subscribe(service, chat_id, "全部" if chat_id % 2 else "吕梁")
    ingest(service)
    service.db.execute("UPDATE chats SET digest_run = ?", [outbox.timestamp(T0 - timedelta(days=30))])
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    planner = subprocess.Popen([sys.executable, "-c", KILLED_PLANNER, str(tmp_path / "zonebrief.db"),
                                monday.isoformat()], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert "1" == planner.stdout.readline().strip()
        assert "2" == planner.stdout.readline().strip()  # two batches committed, the planner waits
    finally:
        planner.send_signal(signal.SIGKILL)
        planner.wait(timeout=30)
        planner.stdout.close()
    assert 4 == service.db.execute("SELECT count(DISTINCT chat_id) FROM deliveries").fetchone()[0]
    due = planning.due_digests(service, MONDAY_NINE, monday)  # the restarted bot
    assert 7 == len(due)
    planning.plan_digests(service, due, monday, send_empty=True)
    assert [] == planning.due_digests(service, MONDAY_NINE, monday)
    digests = service.db.execute(
        "SELECT chat_id, key, count(*) FROM deliveries WHERE part = 1 GROUP BY chat_id, key").fetchall()
    assert [(chat_id, "digest:2026-11-23T09:00", 1) for chat_id in chats] == digests


# --- chats in control ---------------------------------------------------------------------------------


def ask(service: ZoneService, text: str, chat_id: int = 7) -> str:
    return "\n".join(reply.text for reply in handle_text(service, Context(chat_id=chat_id), text))


def test_mute_unmute_and_the_digest_time_persist(service, tmp_path, text_tools):
    subscribe(service, 7, "全部")
    assert "已暂停新一期的推送" in ask(service, "/mute")
    assert "本来就是暂停的" in ask(service, "/mute")
    assert "每周一 09:00（北京时间）" in ask(service, "/digest")
    assert "每周五 18:00（北京时间）" in ask(service, "/digest 周五 18:00")
    assert "已关闭" in ask(service, "/digest off")
    with open_db(tmp_path / "zonebrief.db") as db:  # another process, later
        again = ZoneService(db, *text_tools)
        assert "已关闭" in ask(again, "/help")
        assert "新一期推送：已暂停" in ask(again, "/help")
        assert "每周五 18:00" in ask(again, "/digest on")
        assert "已恢复新一期的推送" in ask(again, "/unmute")
    assert (0, 0, 4, "18:00") == service.db.execute(
        "SELECT muted, digest_off, digest_day, digest_time FROM chats WHERE chat_id = 7").fetchone()


@pytest.mark.parametrize(("text", "hint"), [
    ("/digest 周八 18:00", "请写星期几和时间"),
    ("/digest 周五 25:00", "HH:MM"),
    ("/digest 周五", "请写星期几和时间"),
])
def test_a_wrong_digest_time_says_how_to_write_it_and_changes_nothing(service, text, hint):
    answer = ask(service, text)
    assert hint in answer and "/digest 周五 18:00" in answer
    assert 0 == service.db.execute("SELECT count(*) FROM chats WHERE digest_day IS NOT NULL").fetchone()[0]


def test_help_says_when_the_digest_comes(service):
    assert "周报：每周一 09:00（北京时间）" in ask(service, "/help")
