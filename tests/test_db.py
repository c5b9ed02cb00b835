"""The store's schema: created on first open, kept (with its rows) on the next."""

import sqlite3
import threading

import pytest
from sqlite_utils import Database

from bot.db import MIGRATIONS, PAGE_BYTES, open_db


def test_open_creates_schema_in_wal_mode(tmp_path):
    db = open_db(tmp_path / "zonebrief.db")
    assert "wal" == db.execute("PRAGMA journal_mode").fetchone()[0]
    assert {"issues", "articles", "zones", "article_zones", "fragments", "articles_pairs", "articles_letters"} <= set(db.table_names())
    assert not {"articles_fts", "articles_chars"} & set(db.table_names())
    assert [] == MIGRATIONS.pending(db)
    db.close()


def test_reopen_keeps_rows_and_applies_nothing_twice(tmp_path):
    path = tmp_path / "zonebrief.db"
    db = open_db(path)
    db["zones"].insert({"name": "晋城经济技术开发区", "city": "晋城"})
    applied = [m.name for m in MIGRATIONS.applied(db)]
    db.close()
    db = open_db(path)
    assert applied == [m.name for m in MIGRATIONS.applied(db)]
    assert ["晋城经济技术开发区"] == [row["name"] for row in db["zones"].rows]
    db.close()


def older_store(path, stop_before: str) -> Database:
    """A store written by the version before migration `stop_before`, holding one zone."""
    db = Database(path)
    MIGRATIONS.apply(db, stop_before=stop_before)
    db.table("zones").insert({"name": "晋城经济技术开发区", "city": "晋城"})
    return db


def test_an_older_store_loses_the_unread_jieba_index_and_keeps_its_rows(tmp_path):
    path = tmp_path / "zonebrief.db"
    db = older_store(path, "m013_no_jieba_index")
    assert "articles_fts" in db.table_names()
    db.close()
    db = open_db(path)
    assert "articles_fts" not in db.table_names()
    assert ["晋城经济技术开发区"] == [row["name"] for row in db["zones"].rows]
    db.close()


def test_an_older_store_makes_its_summaries_again_and_keeps_its_articles(tmp_path):
    path = tmp_path / "zonebrief.db"
    db = older_store(path, "m014_summaries_remade_keywords")
    db["summaries"].insert({"article_id": 1, "sentences": 2, "summary": "{}"})
    db.close()
    db = open_db(path)
    assert 0 == db["summaries"].count
    assert ["晋城经济技术开发区"] == [row["name"] for row in db["zones"].rows]
    db.close()


def test_a_new_store_has_large_pages_and_an_older_one_keeps_its_own(tmp_path):
    older = Database(tmp_path / "older.db")
    older.execute("CREATE TABLE kept (x)")
    older.close()
    for name, expected in (("new.db", PAGE_BYTES), ("older.db", 4096)):
        db = open_db(tmp_path / name)
        assert expected == db.execute("PRAGMA page_size").fetchone()[0]
        db.close()


def writing(path) -> sqlite3.Connection:
    """Another process's connection to a store not yet in WAL mode, in the middle of a write."""
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE kept (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO kept VALUES (1)")
    return writer


def test_opening_a_new_store_waits_while_another_process_writes_it(tmp_path):
    # Two `zonebrief ingest` started together on a new store: SQLite refuses the switch to WAL at
    # once while the other writes (it would fail with "database is locked"); open_db waits instead.
    path = tmp_path / "zonebrief.db"
    writer = writing(path)
    commit = threading.Timer(0.3, writer.execute, ["COMMIT"])
    commit.start()
    db = open_db(path)
    commit.join()
    assert "wal" == db.execute("PRAGMA journal_mode").fetchone()[0]
    assert 1 == db.table("kept").count
    db.close()
    writer.close()


def test_opening_a_store_another_process_keeps_writing_fails_after_the_busy_timeout(tmp_path):
    path = tmp_path / "zonebrief.db"
    writer = writing(path)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        open_db(path, busy_timeout_ms=50)
    writer.execute("COMMIT")
    writer.close()
