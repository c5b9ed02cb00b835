"""The service layer (bot/service.py) on a real store built from the seed pages."""

import json
import sqlite3

import pytest

from bot.db import open_db
from bot import service as service_module
from bot.service import (
    ALL, CITY, GIST_CHARS, SEARCH_LIMIT, ZONE, CityView, NotFound, ZoneCard, ZoneService, zone_code,
)


def test_subscriptions_schema_is_unique_per_chat_kind_and_target(tmp_path):
    db = open_db(tmp_path / "zonebrief.db")
    db["chats"].insert({"chat_id": 42, "created_at": "2026-01-01T00:00:00+00:00"})
    assert 0 == db["chats"].get(42)["paused"]
    row = {"chat_id": 42, "kind": "city", "target": "晋城", "created_at": "2026-01-01T00:00:00+00:00"}
    db["subscriptions"].insert(row)
    with pytest.raises(sqlite3.IntegrityError):
        db["subscriptions"].insert(row)
    db.close()


@pytest.mark.parametrize("query", ["晋城", "晉城", "jincheng", "Jìn Chéng", "晋城市"])
def test_a_city_query_shows_the_city_view(service, query):
    view = service.find(query)
    assert isinstance(view, CityView) and "晋城" == view.city
    assert "晋城经济技术开发区" == view.zones[0].zone.name and view.zones[0].article_count >= 1
    assert "构筑校地合作新生态" in [line.title for line in view.articles]


@pytest.mark.parametrize("query", ["晋城经开区", "晋城经济技术开发区", "晉城經開區", "晋城开发区"])
def test_a_zone_name_or_alias_shows_the_zone_card(service, query):
    card = service.find(query)
    assert isinstance(card, ZoneCard)
    assert ("晋城经济技术开发区", "晋城", "国家级") == (card.zone.name, card.zone.city, card.zone.level)
    assert "构筑校地合作新生态" == card.articles[0].title
    assert card.articles[0].gist and len(card.articles[0].gist) <= GIST_CHARS
    assert card.keywords and all(figure.measure and figure.kind != "date" for figure in card.figures)


def test_city_view_counts_the_zones_with_articles_and_keeps_the_rest_apart(service):
    view = service.find("吕梁")
    counts = [entry.article_count for entry in view.zones]
    assert counts == sorted(counts, reverse=True) and all(counts)
    assert not any(entry.article_count for entry in view.quiet)
    assert [zone.name for zone in service.gazetteer.cities()["吕梁"]] == sorted(
        (entry.zone.name for entry in view.zones + view.quiet), key=[z.name for z in service.gazetteer.cities()["吕梁"]].index)
    assert {entry.zone.name for entry in view.quiet} <= {zone.name for zone in service.gazetteer.cities()["吕梁"]}
    expected = service.db.execute(
        "SELECT count(*) FROM article_zones z JOIN articles a ON a.id = z.article_id"
        " WHERE z.zone = '吕梁经济技术开发区' AND a.kind = 'article'").fetchone()[0]
    assert expected == next(e.article_count for e in view.zones if e.zone.name == "吕梁经济技术开发区")


def test_unknown_query_gets_at_most_three_suggestions(service):
    found = service.find("晋城高新区")
    assert isinstance(found, NotFound)
    assert 1 <= len(found.suggestions) <= 3
    assert not service.find("完全不相干的一句话，与开发区无关").suggestions


def test_pages_follow_one_another_newest_first(service_one_per_page):
    service = service_one_per_page
    first, second = service.city_view("太原"), service.city_view("太原", offset=1)
    assert (1, 1, 0, 1) == (len(first.articles), len(second.articles), first.offset, second.offset)
    assert first.article_count == second.article_count >= 2
    assert first.articles[0].date >= second.articles[0].date
    assert () == service.city_view("太原", offset=first.article_count).articles


def test_summary_tells_where_the_article_came_from_and_is_cached(service):
    article_id = service.find("晋城经开区").articles[0].id
    summary = service.article_summary(article_id)
    assert ("构筑校地合作新生态", "晋城经济技术开发区") == (summary.title, summary.zone)
    assert summary.summary.text and summary.issue_label
    assert service.zone_by_code(summary.zone_code).name == "晋城经济技术开发区"
    assert summary.summary == service.article_summary(article_id).summary
    stored = service.db.execute("SELECT sentences FROM summaries WHERE article_id = ?", [article_id]).fetchall()
    assert (3,) in stored  # kept in the store: no other process makes it again
    assert service.article_summary(10**6) is None and service.article_text(10**6) is None


def test_full_text_keeps_every_paragraph(service):
    article_id = service.find("晋城经开区").articles[0].id
    body = service.db["articles"].get(article_id)["body"]
    assert body.split("\n\n") == list(service.article_text(article_id).paragraphs)


@pytest.mark.parametrize("query", ['"', "*", "NEAR(", "<b>", "&", "😀", "人才" * 1000])
def test_search_takes_any_text(service, query):
    results = service.search(query)
    assert len(results.hits) <= SEARCH_LIMIT


def test_search_finds_words_and_dates_its_hits(service):
    results = service.search("中山大学")
    assert "构筑校地合作新生态" == results.hits[0].title and results.hits[0].date
    assert () == service.search("*** !!!").terms


def test_latest_issue_is_the_newest_with_its_articles_in_page_order(service):
    issue = service.latest_issue()
    newest = service.db.execute("SELECT id, label FROM issues ORDER BY issue_date DESC, id DESC LIMIT 1").fetchone()
    assert newest[1] == issue.label
    ids = [row[0] for row in service.db.execute(
        "SELECT id FROM articles WHERE issue_id = ? AND kind = 'article' ORDER BY seq", [newest[0]])]
    assert ids == [article.id for article in issue.articles]
    photos = [row[0] for row in service.db.execute(
        "SELECT id FROM articles WHERE issue_id = ? AND kind = 'photo' ORDER BY seq", [newest[0]])]
    assert photos and photos == [photo.id for photo in issue.photos]
    assert (1, 5) == (issue.number, issue.issue_count)


def test_latest_issue_n_goes_back_one_issue_at_a_time(service):
    labels = [row[0] for row in service.db.execute("SELECT label FROM issues ORDER BY issue_date DESC, id DESC")]
    assert labels == [service.latest_issue(number).label for number in range(1, len(labels) + 1)]
    assert service.latest_issue(len(labels) + 1) is None and service.latest_issue(0) is None


@pytest.mark.parametrize("text, kind, name", [("全部", ALL, ""), ("吕梁", CITY, "吕梁"), ("晋城经开区", ZONE, "晋城经济技术开发区"),
                                              ("jincheng", CITY, "晋城"), ("吕梁经济技术开发区", ZONE, "吕梁经济技术开发区")])
def test_subscription_targets(service, text, kind, name):
    target = service.target(text)
    assert (kind, name) == (target.kind, target.name)


def test_subscriptions_are_kept_per_chat_once_each(service):
    zone, city = service.target("晋城经开区"), service.target("吕梁")
    assert service.subscribe(1, zone) and service.subscribe(1, city) and service.subscribe(2, zone)
    assert not service.subscribe(1, zone)
    assert (zone, city) == service.subscriptions(1)
    assert 0 == service.db["chats"].get(1)["paused"]
    assert service.unsubscribe(1, zone) and not service.unsubscribe(1, zone)
    assert 1 == service.unsubscribe_all(1)
    assert () == service.subscriptions(1) and (zone,) == service.subscriptions(2)


def test_zone_codes_are_short_unique_and_resolve(service):
    codes = {zone_code(zone.name): zone for zone in service.gazetteer.zones}
    assert len(codes) == len(service.gazetteer.zones)
    assert all(len(f"zp:{code}:9999".encode()) <= 64 and service.zone_by_code(code) is zone for code, zone in codes.items())


def test_a_photo_is_shown_as_a_photo_of_its_zone_and_takes_no_article_slot(service):
    card = service.find("综改区")
    assert all(line.kind == "article" for line in card.articles)
    assert ["恒真无尾钢化真空玻璃产业园"] == [photo.caption for photo in card.photos]
    assert "山西转型综改示范区" == card.photos[0].credit
    assert card.article_count == service.db.execute(
        "SELECT count(*) FROM article_zones z JOIN articles a ON a.id = z.article_id"
        " WHERE z.zone = ? AND a.kind = 'article'", [card.zone.name]).fetchone()[0]


def test_an_article_cut_on_the_page_says_so_and_a_whole_one_does_not(service):
    def article_id(where: str) -> int:
        return service.db.execute(f"SELECT id FROM articles WHERE {where}").fetchone()[0]

    cut, whole = article_id("body LIKE '%固废综合利用率达'"), article_id("title = '构筑校地合作新生态'")
    assert service.article_text(cut).cut_off and service.article_summary(cut).cut_off
    assert not service.article_text(whole).cut_off and not service.article_summary(whole).cut_off
    caption = article_id("kind = 'photo' AND body = '恒真无尾钢化真空玻璃产业园'")
    assert not service.article_text(caption).cut_off  # a caption without punctuation is no cut article


def test_a_line_shows_the_best_sentence_not_just_the_first_of_the_summary(service):
    """The one-line gist is the one-sentence summary, which need not open the three-sentence one."""
    card = service.find("盂县经开区")
    (line,) = card.articles
    assert "56.94亿元" in line.gist


def test_a_stored_summary_is_used_by_another_service_and_dropped_when_the_article_changes(service, monkeypatch):
    article_id = service.find("晋城经开区").articles[0].id
    made = service.article_summary(article_id).summary
    other = ZoneService(service.db, service.gazetteer, service.tokenizer)
    monkeypatch.setattr(service_module, "summarize", lambda *args, **kwargs: pytest.fail("summarised again"))
    assert made == other.article_summary(article_id).summary
    monkeypatch.undo()
    service.db.execute("UPDATE articles SET body = body || '\n\n新增一段：项目总投资12亿元。' WHERE id = ?", [article_id])
    service.db.conn.commit()
    assert [] == service.db.execute("SELECT * FROM summaries WHERE article_id = ?", [article_id]).fetchall()


def _reference_page(service, where, params, offset):
    """The listing as one query over every article (how it was answered before the listing indexes)."""
    where = f"a.kind = 'article' AND {where}"
    count = service.db.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]
    ids = [row[0] for row in service.db.execute(
        f"SELECT a.id FROM articles a JOIN issues i ON i.id = a.issue_id WHERE {where}"
        " ORDER BY COALESCE(a.published, i.issue_date) DESC, i.id DESC, a.seq LIMIT ? OFFSET ?",
        [*params, service.page_size, offset])]
    return count, ids


@pytest.mark.parametrize("offset", [0, 1, 3, 7])
def test_listings_from_the_indexes_match_one_query_over_every_article(service_one_per_page, offset):
    service = service_one_per_page
    for city, zones in service.gazetteer.cities().items():
        names = json.dumps([zone.name for zone in zones], ensure_ascii=False)
        where = ("(a.city = ? OR a.id IN (SELECT article_id FROM article_zones"
                 " WHERE zone IN (SELECT value FROM json_each(?))))")
        view = service.city_view(city, offset)
        assert _reference_page(service, where, [city, names], offset) == (
            view.article_count, [line.id for line in view.articles]), city
        for zone in zones:
            card = service.zone_card(zone, offset)
            where = "a.id IN (SELECT article_id FROM article_zones WHERE zone = ?)"
            assert _reference_page(service, where, [zone.name], offset) == (
                card.article_count, [line.id for line in card.articles]), zone.name


def test_listing_copies_follow_the_articles_and_counts_follow_new_articles(service):
    db = service.db
    before = service.city_view("晋城").article_count
    issue_id = db.execute("SELECT issue_id FROM articles LIMIT 1").fetchone()[0]
    # Articles dated by their issue (ingest now stores that date; older stores left it NULL).
    db.execute("UPDATE articles SET published = NULL WHERE issue_id = ?", [issue_id])
    db.execute("UPDATE issues SET issue_date = '2030-01-02' WHERE id = ?", [issue_id])
    db.conn.commit()
    assert [] == db.execute(
        "SELECT a.id FROM articles a JOIN issues i ON i.id = a.issue_id WHERE a.day IS NOT COALESCE(a.published, i.issue_date)"
        " UNION SELECT z.article_id FROM article_zones z JOIN articles a ON a.id = z.article_id"
        " WHERE (z.kind, z.city, z.day, z.issue_id, z.seq) IS NOT (a.kind, a.city, a.day, a.issue_id, a.seq)").fetchall()
    zone = service.gazetteer.lookup("晋城经开区").zone.name
    db.execute("INSERT INTO articles (issue_id, seq, kind, zone, city, title, body) VALUES (?, 999, 'article', ?, '晋城', '新文章', '正文。')",
               [issue_id, zone])
    article_id = db.execute("SELECT last_insert_rowid()").fetchone()[0]
    db.execute("INSERT INTO article_zones (article_id, zone, is_primary) VALUES (?, ?, 1)", [article_id, zone])
    db.conn.commit()
    assert before + 1 == service.city_view("晋城").article_count
    assert article_id == service.city_view("晋城").articles[0].id  # its issue is now the newest


@pytest.mark.parametrize("zone", ["原平经济技术开发区", "太忻一体化经济区"])
def test_a_zone_card_shows_only_figures_about_that_zone(service, zone):
    card = service.zone_card(service.gazetteer.get(zone))
    assert card.article_count and "56GW" not in {figure.value for figure in card.figures}
    assert "56GW" in {figure.value for figure in service.find("综改区").figures}


def test_pingyao_days_are_not_a_count_of_firms(service):
    card = service.zone_card(service.gazetteer.get("平遥经济技术开发区"))
    assert card.article_count and not [figure for figure in card.figures if figure.value == "3个"]


def test_a_roundup_on_another_zones_card_shows_what_it_says_of_that_zone(service):
    from bot.render import to_plain, zone_card

    card = service.zone_card(service.gazetteer.get("原平经济技术开发区"))
    text = to_plain(zone_card(card))
    assert card.articles and "56GW" not in text
    assert all("原平" in line.gist for line in card.articles if line.zone != "原平经济技术开发区")


def test_after_warming_up_the_first_pages_and_the_latest_issue_need_no_summarising(service, monkeypatch):
    service.warm_up()
    cold = ZoneService(service.db, service.gazetteer, service.tokenizer)  # another process: no cache of its own
    monkeypatch.setattr(service_module, "summarize", lambda *args, **kwargs: pytest.fail("summarised again"))
    assert cold.latest_issue().articles
    for city in cold.gazetteer.cities():
        cold.city_view(city)
    assert any(cold.zone_card(zone).articles for zone in cold.gazetteer.zones)
