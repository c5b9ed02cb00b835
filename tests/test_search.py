"""Full-text search over the real seed pages and the test pages: every article that contains the
words (inside longer words, one character, traditional characters), the true total, pages,
snippets that stand on their own, and queries that try to break FTS5."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import open_db
from bot.ingest import ingest_paths, load_gazetteer
from bot.service import ZoneService
from summarize.tokens import Tokenizer
from bot.search import (
    MAX_QUERY_TOKENS,
    SNIPPET_CHARS,
    index_articles,
    index_terms,
    match_parts,
    query_words,
    search,
    snippet,
    unindex_articles,
)
from summarize.textrank import stands_alone
from summarize.zones import fold_char

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "seeds", ROOT / "tests" / "data" / "pages"]
WORDS = ["铝", "氢", "铝镁", "氫能", "开发区", "中山大学", "硝基复合肥", "粉煤灰", "腾笼引凤", "晋", "亿元", "5G", "MW",
         "光机电", "經開區", "2024年"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    store = open_db(tmp_path_factory.mktemp("search") / "zonebrief.db")
    gazetteer = load_gazetteer(Settings().zones_csv)
    ingest_paths(store, PAGES, gazetteer=gazetteer)
    yield store
    store.close()


def folded(text: str | None) -> str:
    return "".join(fold_char(char) for char in (text or "") if not char.isspace())


def containing(db, *words: str) -> set[int]:
    """The articles whose title or body holds every word: counted the slow, obvious way."""
    rows = db.execute("SELECT id, title, body FROM articles").fetchall()
    return {article_id for article_id, title, body in rows
            if all(folded(word) in folded(title) or folded(word) in folded(body) for word in words)}


def everything(db, words, **options) -> tuple[int, set[int]]:
    found = search(db, query_words(" ".join(words)), limit=1000, **options)
    return found.total, {hit.article_id for hit in found.hits}


@pytest.mark.parametrize("max_probes", [0, 10**9])
@pytest.mark.parametrize("walk_share", [0.0, 2.0])
@pytest.mark.parametrize("word", WORDS)
def test_a_word_finds_exactly_the_articles_containing_it(db, monkeypatch, word, walk_share, max_probes):
    monkeypatch.setattr("bot.search.WALK_SHARE", walk_share)
    monkeypatch.setattr("bot.search.MAX_PROBES", max_probes)
    expected = containing(db, word)
    assert expected, word
    assert (len(expected), expected) == everything(db, [word])


def test_one_character_and_traditional_characters(db):
    assert containing(db, "铝镁") < containing(db, "铝")  # 铝 also inside 增加值, 铝镁合金
    assert everything(db, ["氫能"]) == everything(db, ["氢能"])


def test_every_word_must_match(db):
    both = containing(db, "中山大学", "人才")
    assert both < containing(db, "人才")
    assert (len(both), both) == everything(db, ["中山大学", "人才"])


@pytest.mark.parametrize("max_probes", [0, 10**9])
@pytest.mark.parametrize("walk_share", [0.0, 2.0])
@pytest.mark.parametrize("words", [["铝", "开发区"], ["晋", "氢", "项目"], ["5G", "亿"]])
def test_words_of_one_character_and_of_more_together(db, monkeypatch, words, walk_share, max_probes):
    monkeypatch.setattr("bot.search.WALK_SHARE", walk_share)
    monkeypatch.setattr("bot.search.MAX_PROBES", max_probes)
    expected = containing(db, *words)
    assert expected, words
    assert (len(expected), expected) == everything(db, words)


@pytest.mark.parametrize(("query", "words", "city", "zone", "since"), [
    ("开发区 city:晋城", ["开发区"], "晋城", None, ""),
    ("人才 city:太原", ["人才"], "太原", None, ""),
    ("开发区 zone:晋城经开区", ["开发区"], None, "晋城经济技术开发区", ""),
    ("铝 city:吕梁", ["铝"], "吕梁", None, ""),
    ("开发区 since:2025", ["开发区"], None, None, "2025-01-01"),
    ("项目 晋 city:晋城 since:2024-07", ["项目", "晋"], "晋城", None, "2024-07-01"),
])
@pytest.mark.parametrize("max_probes", [0, 10**9])
@pytest.mark.parametrize("walk_share", [0.0, 2.0])
def test_filters_count_exactly_the_articles_they_keep(db, monkeypatch, query, words, city, zone, since,
                                                      walk_share, max_probes):
    monkeypatch.setattr("bot.search.WALK_SHARE", walk_share)
    monkeypatch.setattr("bot.search.MAX_PROBES", max_probes)
    gazetteer = load_gazetteer(Settings().zones_csv)
    service = ZoneService(db, gazetteer, Tokenizer(extra_words=gazetteer.forms()))
    zones_of = defaultdict(set)
    for article_id, name in db.execute("SELECT article_id, zone FROM article_zones"):
        zones_of[article_id].add(name)
    city_zones = {found.name for found in gazetteer.cities().get(city, ())}
    kept = {article_id for article_id, article_city, day in db.execute("SELECT id, city, day FROM articles")
            if (city is None or article_city == city or zones_of[article_id] & city_zones)
            and (zone is None or zone in zones_of[article_id]) and day >= since}
    expected = containing(db, *words) & kept
    assert set() < expected < containing(db, *words)  # the filter keeps some hits, not all
    results = [service.search(query, offset) for offset in range(0, len(expected) + 10, 10)]
    assert {len(expected)} == {result.total for result in results}
    assert expected == {hit.id for result in results for hit in result.hits}


def rewrite(db, article_id: int, title: str, body: str) -> None:
    unindex_articles(db, [article_id])
    db.execute("UPDATE articles SET title = ?, body = ? WHERE id = ?", [title, body, article_id])
    index_articles(db, [(article_id, index_terms(title, body))])


def test_a_word_is_not_found_across_punctuation(db):
    article_id, title, body = db.execute("SELECT id, title, body FROM articles ORDER BY id DESC LIMIT 1").fetchone()
    rewrite(db, article_id, "镁", "镁，铝")
    try:
        assert article_id not in everything(db, ["镁铝"])[1] | everything(db, ["铝镁"])[1]
        assert article_id in everything(db, ["镁"])[1] & everything(db, ["铝"])[1]
    finally:
        rewrite(db, article_id, title, body)


@pytest.mark.parametrize("max_probes", [0, 300, 10**9])  # walk against the set of hits, the default, always probe
@pytest.mark.parametrize("walk_share", [0.0, 0.05, 2.0])  # always walk by day, the default, never walk
def test_pages_newest_first_cover_every_hit_once(db, monkeypatch, walk_share, max_probes):
    monkeypatch.setattr("bot.search.WALK_SHARE", walk_share)
    monkeypatch.setattr("bot.search.MAX_PROBES", max_probes)
    expected = containing(db, "开发区")
    pages = [search(db, ["开发区"], limit=4, offset=offset) for offset in range(0, len(expected) + 4, 4)]
    ids = [hit.article_id for page in pages for hit in page.hits]
    assert sorted(ids) == sorted(expected)
    dates = [hit.date for page in pages for hit in page.hits]
    assert dates == sorted(dates, reverse=True)
    assert {len(expected)} == {page.total for page in pages}
    assert () == pages[-1].hits


@pytest.mark.parametrize("max_probes", [0, 10**9])
@pytest.mark.parametrize("walk_share", [0.0, 2.0])
def test_since_narrows_the_hits(db, monkeypatch, walk_share, max_probes):
    monkeypatch.setattr("bot.search.WALK_SHARE", walk_share)
    monkeypatch.setattr("bot.search.MAX_PROBES", max_probes)
    total, ids = everything(db, ["开发区"], since="2025-01-01")
    dated = {row[0] for row in db.execute(
        "SELECT a.id FROM articles a JOIN issues i ON i.id = a.issue_id WHERE COALESCE(a.published, i.issue_date) >= ?",
        ["2025-01-01"])}
    assert ids == containing(db, "开发区") & dated and total == len(ids)


@pytest.mark.parametrize("word", ["铝", "开发区", "人才", "项目", "同比增长"])
def test_snippets_hold_the_word_and_stand_on_their_own(db, word):
    for hit in search(db, [word], limit=1000).hits:
        text = hit.snippet
        assert len(text) <= SNIPPET_CHARS
        assert text.startswith("…") or stands_alone(text), text
        assert text.rstrip("…")[-1:] not in "；;，、：", text
        body = folded(db.execute("SELECT body FROM articles WHERE id = ?", [hit.article_id]).fetchone()[0])
        if folded(word) in body and not text.endswith("…"):
            assert folded(word) in folded(text)


def test_snippet_with_a_deep_match_opens_at_its_clause():
    body = "开发区" + "，".join(["推进项目建设"] * 30) + "，新建铝板带项目。"
    text = snippet(body, ["铝板带"])
    assert text.startswith("…") and "铝板带" in text and len(text) <= SNIPPET_CHARS


def test_snippet_brings_the_sentence_a_dangling_one_leans_on():
    body = "山西兆丰铝电新材料有限公司落户开发区。该公司投资56.94亿元建设增加值项目。"
    assert body == snippet(body, ["增加值"])


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        '""""',
        "AND OR NOT",
        "NEAR(晋城 中山大学, 5)",
        "晋城*",
        "^晋城",
        "title:晋城",
        "body:(晋城 OR 交城)",
        "(((",
        ")",
        "'; DROP TABLE articles; --",
        "「晋城」【交城】《盂县》",
        "😀🏭🚀",
        "晋城😀经开区",
        '晋城" OR "交城',
        "\x00\x1b[31m",
        "晋城经济技术开发区" * 223,  # 2,007 characters
        "a" * 2000,
    ],
)
def test_hostile_queries_never_raise(db, query):
    stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    found = search(db, query_words(query), limit=100)
    assert {hit.article_id for hit in found.hits} <= containing(db)
    assert stored == db.execute("SELECT count(*) FROM articles").fetchone()[0]


@pytest.mark.parametrize(
    ("hostile", "plain"),
    [
        ("晋城*", "晋城"),
        ("^晋城", "晋城"),
        ("「晋城」【交城】", "晋城 交城"),
        ('晋城" OR "交城', "晋城 OR 交城"),
        ("晋城 NOT 人才", "晋城 NOT 人才"),
    ],
)
def test_fts5_syntax_is_searched_as_plain_words(db, hostile, plain):
    assert search(db, query_words(plain), limit=100) == search(db, query_words(hostile), limit=100)


def test_or_is_not_an_operator(db):
    assert everything(db, query_words('晋城" OR "交城'))[1] <= containing(db, "晋城", "交城") < containing(db, "晋城")


def test_query_words_drop_punctuation_and_emoji_and_are_capped():
    assert ["晋城", "经开区"] == query_words("「晋城」😀， 经开区！！")
    assert ["氢能"] == query_words("氫能")
    assert MAX_QUERY_TOKENS == len(query_words(" ".join(f"词{i}" for i in range(200))))


def test_match_parts_quote_every_pair_and_letter():
    assert [("articles_pairs", '"铝镁 镁合 合金" AND "ab"'), ("articles_letters", '"铝" AND "x"')] == match_parts(
        ["铝镁合金", "铝", 'a"b', "X"])


def test_an_older_store_gets_the_index_filled(tmp_path):
    gazetteer = load_gazetteer(Settings().zones_csv)
    path = tmp_path / "old.db"
    with open_db(path) as store:
        ingest_paths(store, PAGES[:1], gazetteer=gazetteer)
        expected = containing(store, "铝")
        for table in ("articles_pairs", "articles_letters", "saved_searches"):
            store.execute(f"DROP TABLE {table}")
        store.execute("DELETE FROM _sqlite_migrations WHERE name IN ('m007_search_chars', 'm015_search_pairs')")
        store.conn.commit()
    with open_db(path) as store:
        assert (len(expected), expected) == everything(store, ["铝"])


def test_a_corrected_page_leaves_no_stale_entries(tmp_path):
    gazetteer = load_gazetteer(Settings().zones_csv)
    seed = next((ROOT / "seeds").glob("001_*.txt"))  # its masthead names the issue: a correction replaces it
    page = tmp_path / seed.name
    page.write_text(seed.read_text("utf-8"), "utf-8")
    with open_db(tmp_path / "store.db") as store:
        ingest_paths(store, [page], gazetteer=gazetteer)
        assert containing(store, "增加值")
        page.write_text(re.sub("增加值", "增量值", seed.read_text("utf-8")), "utf-8")
        ingest_paths(store, [page], gazetteer=gazetteer)
        assert store.execute("SELECT count(*) FROM issues").fetchone()[0] == 1  # replaced, not added
        for word in ("增加值", "增量值"):
            assert (len(containing(store, word)), containing(store, word)) == everything(store, [word])
        assert not containing(store, "增加值")
