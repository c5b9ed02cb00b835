"""Writers wait for one another instead of failing: every write transaction takes the write lock
first (BEGIN IMMEDIATE) and the busy timeout applies; ingest parses and tokenises before it takes
the lock. Real processes on real SQLite files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from store_lock import WriteLockHolder

from bot.db import open_db, write_transaction
from bot.ingest import NEW, ingest_text

ROOT = Path(__file__).resolve().parent.parent
SEED_FILES = sorted((ROOT / "seeds").glob("*.txt"))


def ingest_process(store: Path, *pages: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", *map(str, pages), "--db", str(store)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_an_ingest_waits_while_another_process_holds_the_write_lock(tmp_path, text_tools):
    gazetteer = text_tools[0]
    store = tmp_path / "zonebrief.db"
    open_db(store).close()
    with open_db(store) as db, WriteLockHolder(store, seconds=1.5) as holder:
        result = ingest_text(db, SEED_FILES[0].read_text("utf-8"), SEED_FILES[0].name,
                             gazetteer=gazetteer)
        holder.wait()
        assert (NEW, 1) == (result.status, db["issues"].count)


def test_two_ingests_started_together_on_a_new_store_both_store_their_pages(tmp_path):
    store = tmp_path / "zonebrief.db"
    first = ingest_process(store, *SEED_FILES[:3])
    second = ingest_process(store, *SEED_FILES[3:])
    outputs = [process.communicate(timeout=120)[0] for process in (first, second)]

    assert [0, 0] == [first.returncode, second.returncode], outputs
    with open_db(store) as db:
        assert {path.name for path in SEED_FILES} == {row["source"] for row in db["issues"].rows}
        assert db["articles"].count == db.execute("SELECT count(*) FROM articles_pairs").fetchone()[0]


def test_a_write_transaction_commits_or_rolls_back_as_a_whole(tmp_path):
    with open_db(tmp_path / "zonebrief.db") as db:
        with write_transaction(db):
            db.execute("INSERT INTO bot_state (name, value) VALUES ('a', '1')")
            with write_transaction(db):  # nested: a savepoint
                db.execute("INSERT INTO bot_state (name, value) VALUES ('b', '2')")
        with pytest.raises(RuntimeError), write_transaction(db):
            db.execute("INSERT INTO bot_state (name, value) VALUES ('c', '3')")
            raise RuntimeError("undo")
        assert [("a", "1"), ("b", "2")] == db.execute("SELECT name, value FROM bot_state ORDER BY name").fetchall()
        assert not db.conn.in_transaction
