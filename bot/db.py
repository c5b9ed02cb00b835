"""The SQLite store: opening it, and its schema as numbered migrations.

Later features add tables by appending a migration; a database written by an older version is
brought up to date when it is opened, without losing rows.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("zonebrief")


@MIGRATIONS()
def m001_articles(db: Database) -> None:
    """Issues (one per page file), articles, zones, article↔zone, unplaced fragments, search."""
    db["issues"].create(
        {
            "id": int,
            "source": str,  # the page file's name
            "content_hash": str,  # sha256 of the decoded, normalised text
            "label": str,  # e.g. 2024年第34期, from --issue or the masthead
            "issue_date": str,  # YYYY-MM-DD
            "date_source": str,  # flag | masthead | text | file
            "encoding": str,
            "ingested_at": str,  # UTC, ISO 8601
            "article_count": int,
            "fragment_count": int,
        },
        pk="id",
        not_null={"source", "content_hash", "issue_date", "date_source", "ingested_at"},
    )
    db["issues"].create_index(["content_hash"], unique=True)
    db["issues"].create_index(["source"])
    db["zones"].create(
        {
            "name": str,
            "aliases": str,  # JSON list
            "city": str,
            "county": str,
            "level": str,
            "type": str,
            "source": str,
            "doubtful": int,
        },
        pk="name",
    )
    db["articles"].create(
        {
            "id": int,
            "issue_id": int,
            "seq": int,  # position on the page, from 1
            "kind": str,  # article | photo
            "zone": str,
            "city": str,
            "title": str,
            "subtitle": str,
            "kicker": str,  # the line printed above the title (zone, zone + unit, city)
            "author": str,
            "dateline": str,
            "published": str,  # YYYY-MM-DD or null
            "body": str,  # paragraphs joined by a blank line
        },
        pk="id",
        foreign_keys=[("issue_id", "issues", "id")],
        not_null={"issue_id", "seq", "kind", "body"},
    )
    db["articles"].create_index(["issue_id", "seq"], unique=True)
    db["articles"].create_index(["zone"])
    db["article_zones"].create(
        {"article_id": int, "zone": str, "is_primary": int},
        pk=("article_id", "zone"),
        foreign_keys=[("article_id", "articles", "id"), ("zone", "zones", "name")],
    )
    db["article_zones"].create_index(["zone"])
    db["fragments"].create(
        {"id": int, "issue_id": int, "seq": int, "text": str},
        pk="id",
        foreign_keys=[("issue_id", "issues", "id")],
        not_null={"issue_id", "text"},
    )
    # FTS5's own tokenizer does not split Chinese: the columns hold jieba tokens joined by spaces
    # (see bot.search), and rowid is articles.id.
    db.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, tokenize='unicode61')")


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the store at `path`, in WAL mode, with the schema up to date."""
    db = Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    db.enable_wal()
    MIGRATIONS.apply(db)
    return db
