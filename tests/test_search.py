"""Full-text search over the real seed pages: jieba-segmented matching, snippets from the original
text, and queries that try to break FTS5."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import open_db
from bot.ingest import ingest_paths, load_gazetteer
from bot.search import MAX_QUERY_TOKENS, SNIPPET_CHARS, match_expression, query_terms, search
from summarize.tokens import Tokenizer

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer(extra_words=load_gazetteer(Settings().zones_csv).forms())


@pytest.fixture(scope="module")
def db(tmp_path_factory, tokenizer):
    store = open_db(tmp_path_factory.mktemp("search") / "zonebrief.db")
    ingest_paths(store, [SEEDS_DIR], gazetteer=load_gazetteer(Settings().zones_csv), tokenizer=tokenizer)
    yield store
    store.close()


def bodies(db) -> dict[int, str]:
    return {row["id"]: row["body"] for row in db["articles"].rows}


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("query", ["中山大学", "硝基复合肥", "粉煤灰", "腾笼引凤"])
def test_a_word_finds_exactly_the_articles_containing_it(db, tokenizer, query):
    containing = {article_id for article_id, body in bodies(db).items() if query in body}

    hits = search(db, query, tokenizer, limit=100)

    assert containing and containing == {hit.article_id for hit in hits}
    assert all(query in hit.snippet for hit in hits)


def test_every_word_must_match(db, tokenizer):
    both = {article_id for article_id, body in bodies(db).items() if "中山大学" in body and "人才" in body}
    either = {article_id for article_id, body in bodies(db).items() if "中山大学" in body or "人才" in body}

    hits = search(db, "中山大学 人才", tokenizer, limit=100)

    assert both == {hit.article_id for hit in hits}
    assert both < either


def test_snippet_is_original_text_around_the_first_match(db, tokenizer):
    [hit, *_] = search(db, "硝基复合肥", tokenizer)
    body = flat(bodies(db)[hit.article_id])

    text = hit.snippet.strip("…")
    assert text in body
    assert "硝基复合肥" in text
    assert len(text) <= SNIPPET_CHARS


def test_limit(db, tokenizer):
    assert 2 == len(search(db, "开发区", tokenizer, limit=2))
    assert [] == search(db, "开发区", tokenizer, limit=0)


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
def test_hostile_queries_never_raise(db, tokenizer, query):
    stored = set(bodies(db))

    hits = search(db, query, tokenizer)

    assert {hit.article_id for hit in hits} <= stored
    assert stored == set(bodies(db))


@pytest.mark.parametrize(
    ("hostile", "plain"),
    [
        ("晋城*", "晋城"),
        ("^晋城", "晋城"),
        ("NEAR(晋城 中山大学, 5)", "NEAR 晋城 中山大学 5"),
        ("「晋城」【交城】", "晋城 交城"),
        ('晋城" OR "交城', "晋城 OR 交城"),
        ("晋城 NOT 人才", "晋城 NOT 人才"),
    ],
)
def test_fts5_syntax_is_searched_as_plain_words(db, tokenizer, hostile, plain):
    assert search(db, plain, tokenizer, limit=100) == search(db, hostile, tokenizer, limit=100)


def test_or_is_not_an_operator(db, tokenizer):
    either = {article_id for article_id, body in bodies(db).items() if "晋城" in body or "交城" in body}
    both = {article_id for article_id, body in bodies(db).items() if "晋城" in body and "交城" in body}

    hits = search(db, '晋城" OR "交城', tokenizer, limit=100)

    assert {hit.article_id for hit in hits} <= both < either


def test_query_terms_drop_punctuation_and_emoji_and_are_capped(tokenizer):
    assert ["晋城", "经开区"] == query_terms("「晋城」😀，经开区！！", tokenizer)
    assert MAX_QUERY_TOKENS == len(query_terms(" ".join(f"词{i}" for i in range(200)), tokenizer))


def test_match_expression_quotes_every_term():
    assert '"晋城" AND "a""b" AND "NEAR"' == match_expression(["晋城", 'a"b', "NEAR"])
