"""The SQLite store: opening it, and its schema as numbered migrations.

Later features add tables by appending a migration; a database written by an older version is
brought up to date when it is opened, without losing rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("zonebrief")
# How long a writer waits for another process's write transaction before giving up. Every write
# transaction starts with BEGIN IMMEDIATE (see write_transaction), so this wait really applies:
# a transaction that read first and then tried to write could not wait, it would fail at once.
BUSY_TIMEOUT_MS = 60_000


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


@MIGRATIONS()
def m002_deliveries(db: Database) -> None:
    """The outbox (see bot.outbox), digest runs, the bot's own state, and which issues have had
    their pushes planned: issues stored before this migration count as planned, never pushed."""
    db["deliveries"].create(
        {
            "id": int,
            "chat_id": int,
            "key": str,  # article:<id> | digest:<period> | digest:manual:<UTC time> | admin:…
            "part": int,  # from 1: a long digest is split into parts
            "text": str,  # the HTML text to send, rendered at planning time
            "status": str,  # pending | sent | failed
            "planned_at": str,  # UTC, ISO 8601
            "attempts": int,
            "next_attempt_at": str,  # UTC; null = at once
            "sent_at": str,
            "message_id": int,  # Telegram's, once sent
            "error": str,  # the last error
        },
        pk="id",
        not_null={"chat_id", "key", "part", "text", "status", "planned_at", "attempts"},
    )
    db["deliveries"].create_index(["chat_id", "key", "part"], unique=True)
    db["deliveries"].create_index(["status", "chat_id"])
    db["deliveries"].create_index(["sent_at"])
    db["digest_runs"].create(
        {"key": str, "planned_at": str, "as_of": str, "chats": int, "messages": int},
        pk="key",
    )
    db["bot_state"].create({"name": str, "value": str}, pk="name")
    db["issues"].add_column("pushes_planned_at", str)
    db.execute(
        "UPDATE issues SET pushes_planned_at = ?",
        [datetime.now(timezone.utc).isoformat(timespec="milliseconds")],
    )


@MIGRATIONS()
def m003_subscriptions(db: Database) -> None:
    """Chats that have talked to the bot (with a `paused` flag for delivery) and their subscriptions."""
    db["chats"].create(
        {
            "chat_id": int,
            "created_at": str,  # UTC, ISO 8601
            "paused": int,  # 1 while deliveries to the chat are held (e.g. it blocked the bot)
            "paused_reason": str,
            "paused_at": str,  # UTC, ISO 8601
        },
        pk="chat_id",
        not_null={"created_at", "paused"},
        defaults={"paused": 0},
    )
    db["subscriptions"].create(
        {
            "id": int,
            "chat_id": int,
            "kind": str,  # zone | city | all
            "target": str,  # official zone name, city, or "" for all
            "created_at": str,  # UTC, ISO 8601
        },
        pk="id",
        foreign_keys=[("chat_id", "chats", "chat_id")],
        not_null={"chat_id", "kind", "target", "created_at"},
    )
    db["subscriptions"].create_index(["chat_id", "kind", "target"], unique=True)
    db["subscriptions"].create_index(["kind", "target"])



@MIGRATIONS()
def m004_issue_edition(db: Database) -> None:
    """Pages are identified by content and edition (the masthead's issue and the section, see
    bot.ingest.edition_of), no longer by file name: a corrected page replaces the issue of its
    edition. Issues stored before have no edition recorded: a correction of one is a new issue."""
    db["issues"].add_column("edition", str)
    db["issues"].create_index(["edition"])


def connect(path: str | Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Database:
    """A connection to the store at `path` with the store's settings, no schema work: for a store
    open_db has opened, one connection per thread (SQLite connections stay in their thread)."""
    db = Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    return db


def open_db(path: str | Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Database:
    """Open (creating if needed) the store at `path`, in WAL mode, with the schema up to date.

    Writers wait up to `busy_timeout_ms` for one another. Pending migrations run in one write
    transaction, so two processes opening a new store at once do not both apply them.
    """
    db = connect(path, busy_timeout_ms=busy_timeout_ms)
    db.enable_wal()
    if MIGRATIONS.pending(db):
        with write_transaction(db):
            MIGRATIONS.apply(db)
    return db


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """One write transaction: BEGIN IMMEDIATE, committed at the end of the block, rolled back if it
    raises. Every writer that reads before it writes uses this.

    BEGIN IMMEDIATE takes the store's write lock first, waiting (the busy timeout) while another
    connection holds it; a plain BEGIN would read first and then fail at once with `database is
    locked` when its first write meets another writer. Inside a transaction already open, the
    block is a savepoint of it.

    Example usage::

        with write_transaction(db):
            db.execute("INSERT INTO chats …")
    """
    if db.conn.in_transaction:
        with db.atomic():  # a savepoint
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def store_path(db: Database) -> Path:
    """The file of a store."""
    return Path(db.execute("PRAGMA database_list").fetchone()[2])
