"""The SQLite store: opening it, and its schema as numbered migrations.

Later features add tables by appending a migration; a database written by an older version is
brought up to date when it is opened, without losing rows.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, UTC
from pathlib import Path

from sqlite_utils import Database, Migrations

from bot.search import LETTERS, PAIRS, char_tokens, index_articles, index_terms

MIGRATIONS = Migrations("zonebrief")
# How long a writer waits for another process's write transaction before giving up. Every write
# transaction starts with BEGIN IMMEDIATE (see write_transaction), so this wait really applies:
# a transaction that read first and then tried to write could not wait, it would fail at once.
BUSY_TIMEOUT_MS = 60_000
WAL_RETRY_SECONDS = 0.01  # between two tries to switch a new store to WAL (see _enable_wal)
# Bytes a page of a new store (SQLite's default is 4,096): an article's row is about 2.7 KB, so a
# 4 KB page holds one and wastes a third; 16 KB pages hold the articles in about 17 % less
# (docs/BENCHMARKS.md, "Store size"). A store keeps the page size it was written with.
PAGE_BYTES = 16_384


@MIGRATIONS()
def m001_articles(db: Database) -> None:
    """Issues (one per page file), articles, zones, article↔zone, unplaced fragments, search."""
    db.table("issues").create(
        {
            "id": int,
            "source": str,  # the page file's name
            "content_hash": str,  # sha256 of the decoded, normalised text
            "label": str,  # e.g. 2024年第34期, from --issue or the masthead
            "issue_date": str,  # YYYY-MM-DD
            "date_source": str,  # masthead | flag | arrival (text | file: written by older versions)
            "encoding": str,
            "ingested_at": str,  # UTC, ISO 8601
            "article_count": int,
            "fragment_count": int,
        },
        pk="id",
        not_null={"source", "content_hash", "issue_date", "date_source", "ingested_at"},
    )
    db.table("issues").create_index(["content_hash"], unique=True)
    db.table("issues").create_index(["source"])
    db.table("zones").create(
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
    db.table("articles").create(
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
    db.table("articles").create_index(["issue_id", "seq"], unique=True)
    db.table("articles").create_index(["zone"])
    db.table("article_zones").create(
        {"article_id": int, "zone": str, "is_primary": int},
        pk=("article_id", "zone"),
        foreign_keys=[("article_id", "articles", "id"), ("zone", "zones", "name")],
    )
    db.table("article_zones").create_index(["zone"])
    db.table("fragments").create(
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
    db.table("deliveries").create(
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
    db.table("deliveries").create_index(["chat_id", "key", "part"], unique=True)
    db.table("deliveries").create_index(["status", "chat_id"])
    db.table("deliveries").create_index(["sent_at"])
    db.table("digest_runs").create(
        {"key": str, "planned_at": str, "as_of": str, "chats": int, "messages": int},
        pk="key",
    )
    db.table("bot_state").create({"name": str, "value": str}, pk="name")
    db.table("issues").add_column("pushes_planned_at", str)
    db.execute(
        "UPDATE issues SET pushes_planned_at = ?",
        [datetime.now(UTC).isoformat(timespec="milliseconds")],
    )


@MIGRATIONS()
def m003_subscriptions(db: Database) -> None:
    """Chats that have talked to the bot (with a `paused` flag for delivery) and their subscriptions."""
    db.table("chats").create(
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
    db.table("subscriptions").create(
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
    db.table("subscriptions").create_index(["chat_id", "kind", "target"], unique=True)
    db.table("subscriptions").create_index(["kind", "target"])



@MIGRATIONS()
def m004_issue_edition(db: Database) -> None:
    """Pages are identified by content and edition (the masthead's issue and the section, see
    bot.ingest.edition_of), no longer by file name: a corrected page replaces the issue of its
    edition. Issues stored before have no edition recorded: a correction of one is a new issue."""
    db.table("issues").add_column("edition", str)
    db.table("issues").create_index(["edition"])

@MIGRATIONS()
def m005_listing(db: Database) -> None:
    """Listings as index ranges: `articles.day` (COALESCE(published, the issue's date)) and a copy of
    each article's kind, city, day, issue and seq in `article_zones`, kept by triggers whatever writes
    the articles; indexes in listing order for a zone, a city and the issues by date, and one to count
    a city's articles that only its zones bring in. The zone and article-zone indexes they cover are
    dropped."""
    db.execute("ALTER TABLE articles ADD COLUMN day TEXT")
    db.execute("UPDATE articles SET day = COALESCE(published, (SELECT issue_date FROM issues WHERE id = issue_id))")
    for column, kind in (("kind", "TEXT"), ("city", "TEXT"), ("day", "TEXT"), ("issue_id", "INTEGER"), ("seq", "INTEGER")):
        db.execute(f"ALTER TABLE article_zones ADD COLUMN {column} {kind}")
    db.execute("UPDATE article_zones SET (kind, city, day, issue_id, seq) ="
               " (SELECT kind, city, day, issue_id, seq FROM articles WHERE id = article_id)")
    db.execute("DROP INDEX IF EXISTS idx_articles_zone")
    db.execute("DROP INDEX IF EXISTS idx_article_zones_zone")
    db.execute(f"CREATE INDEX articles_by_city ON articles (city, kind, {LISTING_ORDER})")
    db.execute(f"CREATE INDEX article_zones_by_zone ON article_zones (zone, kind, {LISTING_ORDER})")
    db.execute("CREATE INDEX article_zones_by_city ON article_zones (zone, kind, city)")
    db.execute("CREATE INDEX issues_by_date ON issues (issue_date, id)")
    day = "COALESCE(NEW.published, (SELECT issue_date FROM issues WHERE id = NEW.issue_id))"
    db.execute(f"CREATE TRIGGER articles_day_on_insert AFTER INSERT ON articles BEGIN"
               f" UPDATE articles SET day = {day} WHERE id = NEW.id; END")
    db.execute(f"CREATE TRIGGER articles_day_on_update AFTER UPDATE OF published, issue_id ON articles BEGIN"
               f" UPDATE articles SET day = {day} WHERE id = NEW.id; END")
    db.execute("CREATE TRIGGER issues_day_on_update AFTER UPDATE OF issue_date ON issues BEGIN"
               " UPDATE articles SET day = COALESCE(published, NEW.issue_date) WHERE issue_id = NEW.id; END")
    db.execute("CREATE TRIGGER article_zones_listing_on_article AFTER UPDATE OF kind, city, day, issue_id, seq"
               " ON articles BEGIN UPDATE article_zones SET kind = NEW.kind, city = NEW.city, day = NEW.day,"
               " issue_id = NEW.issue_id, seq = NEW.seq WHERE article_id = NEW.id; END")
    # A number that changes whenever an article or its zones change: counts cached against it stay true.
    db.execute("CREATE TABLE articles_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)")
    db.execute("INSERT INTO articles_version VALUES (1, 0)")
    for table, event in (("articles", "INSERT"), ("articles", "DELETE"), ("articles", "UPDATE"),
                         ("article_zones", "INSERT"), ("article_zones", "DELETE")):
        db.execute(f"CREATE TRIGGER {table}_version_on_{event.lower()} AFTER {event} ON {table} BEGIN"
                   " UPDATE articles_version SET version = version + 1; END")
    db.execute("CREATE TRIGGER article_zones_listing_on_insert AFTER INSERT ON article_zones BEGIN"
               " UPDATE article_zones SET (kind, city, day, issue_id, seq) ="
               " (SELECT kind, city, day, issue_id, seq FROM articles WHERE id = NEW.article_id)"
               " WHERE article_id = NEW.article_id AND zone = NEW.zone; END")


@MIGRATIONS()
def m006_summaries(db: Database) -> None:
    """Summaries kept in the store (JSON of summarize.textrank.Summary) once computed, per article and
    number of sentences; dropped by triggers when the article's title or body changes, or it goes."""
    db.execute("CREATE TABLE summaries (article_id INTEGER NOT NULL, sentences INTEGER NOT NULL,"
               " summary TEXT NOT NULL, PRIMARY KEY (article_id, sentences)) WITHOUT ROWID")
    db.execute("CREATE TRIGGER summaries_on_article_update AFTER UPDATE OF title, body ON articles BEGIN"
               " DELETE FROM summaries WHERE article_id = OLD.id; END")
    db.execute("CREATE TRIGGER summaries_on_article_delete AFTER DELETE ON articles BEGIN"
               " DELETE FROM summaries WHERE article_id = OLD.id; END")


@MIGRATIONS()
def m007_search_chars(db: Database) -> None:
    """Search that finds every article containing a word (see bot.search): `articles_chars`, one
    token per character, filled here for the articles already stored; and `saved_searches`, the
    queries whose later pages a button asks for (callback data is too short for a query)."""
    db.execute("CREATE VIRTUAL TABLE articles_chars USING fts5(title, body, content='', tokenize='unicode61')")
    for article_id, title, body in db.execute("SELECT id, title, body FROM articles").fetchall():
        db.execute("INSERT INTO articles_chars (rowid, title, body) VALUES (?, ?, ?)",
                   [article_id, " ".join(char_tokens(title or "")), " ".join(char_tokens(body))])
    db.table("saved_searches").create({"id": int, "query": str, "saved_at": str}, pk="id", not_null={"query", "saved_at"})
    db.table("saved_searches").create_index(["query"], unique=True)




# What a listing (zone card, city view) sorts by, newest first: the article's day (its own date, else
# its issue's), its issue, its place on the page.
LISTING_ORDER = "day DESC, issue_id DESC, seq"


@MIGRATIONS()
def m008_delivery_control(db: Database) -> None:
    """Pushes with buttons, digests of what arrived, chats in control of what they get, archives.

    - deliveries.reply_markup: the inline buttons of a message, JSON rows of [label, callback data].
    - issues.archived: stored as an archive (back-filling): searchable, never pushed, never new in
      a digest; issues.planned_through: the highest article id whose push was planned (a corrected
      page pushes only its new articles); issues.hold_id: the push hold waiting for an admin.
    - chats: muted (no pushes, the digest still comes), the chat's own digest day and time (null:
      the configured ones), digest_off, digest_run (the scheduled run of its last digest) and
      digest_through (the highest article id its last digest covered).
    - subscriptions.since_article: the highest article id when the subscription was made (a
      trigger sets it): a digest lists only what arrived after.
    - push_holds: an arrival that would push too much to one chat, held for an admin's decision.
    Rows written before count as delivered up to now: no digest or push repeats what came before.
    """
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    db.table("deliveries").add_column("reply_markup", str)
    db.table("issues").add_column("archived", int, not_null_default=0)
    db.table("issues").add_column("planned_through", int)
    db.table("issues").add_column("hold_id", int)
    db.table("chats").add_column("muted", int, not_null_default=0)
    db.table("chats").add_column("digest_day", int)  # 0 = Monday
    db.table("chats").add_column("digest_time", str)  # HH:MM
    db.table("chats").add_column("digest_off", int, not_null_default=0)
    db.table("chats").add_column("digest_run", str)  # UTC, ISO 8601
    db.table("chats").add_column("digest_through", int)
    db.table("subscriptions").add_column("since_article", int)
    db.table("push_holds").create(
        {
            "id": int,
            "created_at": str,  # UTC, ISO 8601
            "issues": str,  # JSON list of issue ids
            "articles": int,  # articles in the arrival
            "chats": int,  # chats it would go to
            "most": int,  # the most articles one chat would get
            "decided_at": str,
            "decision": str,  # push | archive; null while waiting
        },
        pk="id",
        not_null={"created_at", "issues", "articles", "chats", "most"},
    )
    db.execute("UPDATE issues SET planned_through = (SELECT max(id) FROM articles WHERE issue_id = issues.id)"
               " WHERE pushes_planned_at IS NOT NULL")
    db.execute("UPDATE chats SET digest_run = ?", [now])
    db.execute("UPDATE subscriptions SET since_article = (SELECT coalesce(max(id), 0) FROM articles)")
    db.execute(
        "CREATE TRIGGER subscriptions_since_article AFTER INSERT ON subscriptions"
        " WHEN NEW.since_article IS NULL BEGIN"
        " UPDATE subscriptions SET since_article = (SELECT coalesce(max(id), 0) FROM articles) WHERE id = NEW.id;"
        " END"
    )


@MIGRATIONS()
def m009_search_by_day(db: Database) -> None:
    """Articles newest first, for the words a search finds in many of them (see bot.search)."""
    db.execute("CREATE INDEX articles_by_day ON articles (day DESC, id DESC)")


@MIGRATIONS()
def m010_summaries_remade(db: Database) -> None:
    """Summaries kept before figures carried their period and their own noun (summarize.figures)
    and before the rules on dangling openers are made again, on first use."""
    db.execute("DELETE FROM summaries")


@MIGRATIONS()
def m011_delivery_resends(db: Database) -> None:
    """How often each outbox row was sent again because its process died while writing its
    request (bot.sender.settle_in_flight): each such resend may have been a duplicate (/stats)."""
    db.table("deliveries").add_column("crash_resends", int, not_null_default=0)


@MIGRATIONS()
def m012_review(db: Database) -> None:
    """An editor's look before a push (bot.planning, summarize.checks): the checks each article
    failed at ingest (a JSON list of names; articles stored before: none) and its review state
    (NULL: published, 'held' for an admin, 'dropped' by one)."""
    db.table("articles").add_column("checks", str, not_null_default="[]")
    db.table("articles").add_column("review", str)


@MIGRATIONS()
def m013_no_jieba_index(db: Database) -> None:
    """Drop `articles_fts`, the jieba index no query read (search reads `articles_chars`, see
    bot.search): it held every article's tokens twice, about half the store."""
    db.execute("DROP TABLE IF EXISTS articles_fts")


@MIGRATIONS()
def m014_summaries_remade_keywords(db: Database) -> None:
    """Summaries kept before keywords cut out of a longer word were made whole (rule "fragment" of
    summarize.textrank: 大湾 -> 大湾区) are made again, on first use. Any change to what
    summarize.textrank gives needs such a migration: the stored summaries have no version."""
    db.execute("DELETE FROM summaries")


@MIGRATIONS()
def m015_search_pairs(db: Database) -> None:
    """Search reads pairs of characters (see bot.search): `articles_pairs` (positions, for words of
    two characters or more) and `articles_letters` (no positions, for words of one) replace
    `articles_chars`, and are filled here for the articles already stored, a batch at a time."""
    db.execute("DROP TABLE IF EXISTS articles_chars")
    db.execute(f"CREATE VIRTUAL TABLE {PAIRS} USING fts5(text, content='', tokenize='unicode61')")
    db.execute(f"CREATE VIRTUAL TABLE {LETTERS} USING fts5(text, content='', detail=none, tokenize='unicode61')")
    last = -(2**63)  # every id
    while rows := db.execute("SELECT id, title, body FROM articles WHERE id > ? ORDER BY id LIMIT 1000", [last]).fetchall():
        index_articles(db, [(article_id, index_terms(title, body)) for article_id, title, body in rows])
        last = rows[-1][0]


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
    transaction, so two processes opening a new store at once do not both apply them. A new store
    is written in pages of PAGE_BYTES.
    """
    db = connect(path, busy_timeout_ms=busy_timeout_ms)
    db.execute(f"PRAGMA page_size = {PAGE_BYTES}")  # takes effect only on a store with nothing written yet
    _enable_wal(db, busy_timeout_ms)
    if MIGRATIONS.pending(db):
        with write_transaction(db):
            MIGRATIONS.apply(db)
    return db


def _enable_wal(db: Database, timeout_ms: int) -> None:
    """Put the store in WAL mode (it stays so, in the file), waiting up to `timeout_ms` while
    another connection holds it. SQLite does not wait by itself here: switching a new store to WAL
    while another process writes it (two `zonebrief ingest` started together) fails at once with
    `database is locked`, since waiting could deadlock; so the switch is tried again."""
    deadline = time.monotonic() + timeout_ms / 1000
    while db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            db.enable_wal()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(WAL_RETRY_SECONDS)


def compact(db: Database) -> None:
    """Rewrite the store without its free pages (VACUUM), in pages of PAGE_BYTES: what dropped
    tables and deleted rows left (a store upgraded past m013 and m015 keeps the old indexes'
    pages until then). It needs the store to itself: raises sqlite3.OperationalError, the store
    unchanged, at once while another connection has it open (the bot). Back in WAL mode afterwards."""
    db.execute("PRAGMA busy_timeout = 0")
    if db.execute("PRAGMA journal_mode = DELETE").fetchone()[0] != "delete":  # refused while others read
        raise sqlite3.OperationalError("database is locked")
    try:
        db.execute(f"PRAGMA page_size = {PAGE_BYTES}")
        db.execute("VACUUM")
    finally:
        db.enable_wal()


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
