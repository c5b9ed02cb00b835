"""`zonebrief compact`: a store gives back the pages dropped tables left and takes 16 KB pages;
refused, the store unchanged, while another connection has it open."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from sqlite_utils import Database

from bot.cli import cli
from bot.db import PAGE_BYTES, open_db
from bot.ingest import export_articles, ingest_paths, load_gazetteer
from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(cli, list(args), env={"ZONEBRIEF_DB": None, "ZONEBRIEF_CONFIG": None})


def older_store(path: Path) -> list[dict]:
    """A store in 4 KB pages, as older versions wrote them, with the free pages a dropped table left."""
    first = Database(path)
    first.execute("CREATE TABLE first_write (x)")  # fixes the page size: SQLite's default
    first.close()
    db = open_db(path)
    ingest_paths(db, [ROOT / "seeds"], gazetteer=load_gazetteer(Settings().zones_csv))
    db.execute("CREATE TABLE dropped AS SELECT body FROM articles")
    for _ in range(6):  # 64 copies of the bodies: more than the store holds
        db.execute("INSERT INTO dropped SELECT body FROM dropped")
    db.conn.commit()
    db.execute("DROP TABLE dropped")
    articles = list(export_articles(db))
    db.close()
    return articles


def sizes(path: Path) -> tuple[int, int, int]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return tuple(connection.execute(f"PRAGMA {name}").fetchone()[0]
                     for name in ("page_size", "page_count", "freelist_count"))


def test_compact_gives_the_free_pages_back_and_keeps_every_article(tmp_path):
    path = tmp_path / "zonebrief.db"
    articles = older_store(path)
    page_size, pages, free = sizes(path)
    assert (4096, True) == (page_size, free > 0)

    result = run("compact", "--db", str(path))

    assert 0 == result.exit_code, result.output
    assert result.output.startswith(f"已压缩 {path}：")
    page_size, after, free = sizes(path)
    assert (PAGE_BYTES, 0) == (page_size, free) and after * PAGE_BYTES < pages * 4096
    db = open_db(path)
    assert articles == list(export_articles(db))
    assert "wal" == db.execute("PRAGMA journal_mode").fetchone()[0]
    db.close()


def test_compact_while_the_store_is_open_elsewhere_says_so_and_changes_nothing(tmp_path):
    path = tmp_path / "zonebrief.db"
    older_store(path)
    before = sizes(path)
    other = open_db(path)  # the bot, say
    try:
        result = run("compact", "--db", str(path))
    finally:
        other.close()

    assert 1 == result.exit_code
    assert f"错误：数据库 {path} 正在被其他程序使用：请先停止机器人（zonebrief run）再压缩\n" == result.output
    assert before == sizes(path)


def test_compact_of_a_missing_store_says_where_it_looked(tmp_path):
    result = run("compact", "--db", str(tmp_path / "none.db"))
    assert 1 == result.exit_code and result.output.startswith(f"错误：找不到数据库 {tmp_path / 'none.db'}")
    assert not (tmp_path / "none.db").exists()
