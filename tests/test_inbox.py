"""The inbox folder: settled page files are ingested with bot.ingest's code and moved."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, UTC
from pathlib import Path

import pytest

from bot import admin, inbox
from bot.config import Settings
from bot.db import open_db
from bot.ingest import ingest_paths
from bot.service import ZoneService
from store_lock import WriteLockHolder

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
ADMINS = (900, 901)


@pytest.fixture
def service(tmp_path, text_tools):
    db = open_db(tmp_path / "zonebrief.db")
    yield ZoneService(db, *text_tools)
    db.close()


def drop(folder: Path, source: Path, name: str | None = None, age: float = 10.0) -> Path:
    """Copy a file into the inbox, last modified `age` seconds before NOW."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or source.name)
    shutil.copyfile(source, target)
    moment = (NOW - timedelta(seconds=age)).timestamp()
    os.utime(target, (moment, moment))
    return target


def poll(service: ZoneService, box: inbox.Inbox, now: datetime = NOW) -> list[inbox.InboxOutcome]:
    """One poll, as the bot does it: ingest and move, then tell the admins and plan the pushes."""
    outcomes = box.poll(service.db, gazetteer=service.gazetteer, now=now)
    admin.take_in(service, Settings(admins=ADMINS, inbox=str(box.folder)), outcomes, now)
    return outcomes


def process(service: ZoneService, folder: Path) -> list[inbox.InboxOutcome]:
    """Two polls a second apart: the first sees the files, the second takes those unchanged since."""
    box = inbox.Inbox(folder)
    return poll(service, box) + poll(service, box, NOW + timedelta(seconds=1))


def test_a_new_page_is_ingested_moved_to_done_and_pushed(service, tmp_path):
    folder = tmp_path / "inbox"
    drop(folder, SEEDS[4])
    service.subscribe(1, service.target("全部"))
    [outcome] = process(service, folder)
    assert outcome.ok and "new" == outcome.outcome.result.status
    assert folder / "done" / SEEDS[4].name == outcome.moved_to
    assert [] == [path.name for path in folder.iterdir() if path.is_file()]
    [text] = [row[0] for row in service.db.execute("SELECT text FROM deliveries WHERE chat_id = 1")]
    assert 6 == text.count("\n[")  # one push listing the six articles (the photo is not pushed)


def test_the_poll_calls_between_before_each_file(service, tmp_path):
    folder = tmp_path / "inbox"
    for seed in SEEDS[3:]:
        drop(folder, seed)
    box, calls = inbox.Inbox(folder), []
    box.poll(service.db, gazetteer=service.gazetteer, now=NOW)
    outcomes = box.poll(service.db, gazetteer=service.gazetteer,
                        now=NOW + timedelta(seconds=1), between=lambda: calls.append(service.db["issues"].count))
    # each call before its file is read; the poll's pages are then written together (a batch)
    assert 2 == len(outcomes) and [0, 0] == calls


def test_the_same_code_as_zonebrief_ingest(service, tmp_path, text_tools):
    """A page the CLI stored before is found unchanged: done, and not pushed twice."""
    ingest_paths(service.db, [SEEDS[0]], gazetteer=text_tools[0])
    drop(tmp_path / "inbox", SEEDS[0], name="again.txt")
    [outcome] = process(service, tmp_path / "inbox")
    assert "unchanged" == outcome.outcome.result.status
    assert tmp_path / "inbox" / "done" / "again.txt" == outcome.moved_to
    assert 1 == service.db["issues"].count


def test_a_done_file_never_overwrites_another(service, tmp_path):
    folder = tmp_path / "inbox"
    drop(folder, SEEDS[1], name="page.txt")
    process(service, folder)
    drop(folder, SEEDS[2], name="page.txt")
    [outcome] = process(service, folder)
    assert folder / "done" / "page-1.txt" == outcome.moved_to
    assert SEEDS[1].read_bytes() == (folder / "done" / "page.txt").read_bytes()
    assert SEEDS[2].read_bytes() == outcome.moved_to.read_bytes()


def test_a_failed_file_goes_to_failed_with_its_reason_and_the_admins_are_told(service, tmp_path):
    folder = tmp_path / "inbox"
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\x01PK\x03\x04 not a page" * 100)
    drop(folder, broken, name="scan.txt")
    [outcome] = process(service, folder)
    assert not outcome.ok
    assert folder / "failed" / "scan.txt" == outcome.moved_to
    reason = (folder / "failed" / "scan.txt.reason.txt").read_text(encoding="utf-8")
    assert outcome.outcome.error in reason and "二进制" in reason
    notices = service.db.execute("SELECT chat_id, key, text FROM deliveries ORDER BY chat_id").fetchall()
    assert list(ADMINS) == [chat for chat, _, _ in notices]
    assert all(key.startswith("admin:failed:scan.txt:") and "scan.txt" in text and "二进制" in text
               for _, key, text in notices)
    # The same broken file dropped again: moved aside again, the admins not told twice.
    drop(folder, broken, name="scan.txt")
    [again] = process(service, folder)
    assert folder / "failed" / "scan-1.txt" == again.moved_to
    assert 2 == service.db["deliveries"].count


def test_files_being_copied_hidden_or_not_pages_are_left_alone(service, tmp_path):
    folder = tmp_path / "inbox"
    drop(folder, SEEDS[0], name="fresh.txt", age=0.5)  # modified half a second ago: maybe still copying
    drop(folder, SEEDS[1], name=".partial.txt")
    drop(folder, SEEDS[2], name="page.doc")
    assert [] == process(service, folder)
    assert {"fresh.txt", ".partial.txt", "page.doc"} == {p.name for p in folder.iterdir() if p.is_file()}
    assert 0 == service.db["issues"].count


def test_uploads_named_alike_get_names_of_their_own(tmp_path):
    folder = tmp_path / "inbox"
    first = inbox.save_upload(folder, "../../page.txt", b"one")
    second = inbox.save_upload(folder, "page.txt", b"two")
    again = inbox.save_upload(folder, "page.txt", b"two")
    assert first.parent == second.parent == again.parent == folder
    assert first.name.startswith("page-") and first.name.endswith(".txt") and len({first, second, again}) == 3
    assert (b"one", b"two", b"two") == (first.read_bytes(), second.read_bytes(), again.read_bytes())
    assert {first.name, second.name, again.name} == {p.name for p in folder.iterdir() if p.is_file()}


def test_a_symlink_in_the_inbox_is_never_ingested(service, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "secret.txt").symlink_to(SEEDS[0])
    assert [] == process(service, folder)
    assert 0 == service.db["issues"].count and (folder / "secret.txt").is_symlink()
    answer = admin.ingest_inbox_file(service, Settings(admins=ADMINS, inbox=str(folder)), "secret.txt", NOW)
    assert "符号链接" in answer and 0 == service.db["issues"].count


def test_a_file_still_growing_waits_until_it_stops(service, tmp_path):
    """A copy that stalls (its mtime older than SETTLE_SECONDS) is not read half-written."""
    folder = tmp_path / "inbox"
    text = SEEDS[4].read_bytes()
    half = tmp_path / "half.txt"
    half.write_bytes(text[: len(text) // 2])
    drop(folder, half, name="page.txt")
    box = inbox.Inbox(folder)
    assert [] == poll(service, box)  # first seen
    with (folder / "page.txt").open("ab") as copy:
        copy.write(text[len(text) // 2:])
    os.utime(folder / "page.txt", ((NOW - timedelta(seconds=5)).timestamp(),) * 2)
    assert [] == poll(service, box, NOW + timedelta(seconds=1))  # it changed since
    [outcome] = poll(service, box, NOW + timedelta(seconds=2))
    assert outcome.ok and 7 == outcome.outcome.result.article_count


def test_a_store_locked_by_another_writer_is_tried_again_never_failed(tmp_path, text_tools):
    folder = tmp_path / "inbox"
    store = tmp_path / "zonebrief.db"
    open_db(store).close()
    drop(folder, SEEDS[4])
    with open_db(store, busy_timeout_ms=100) as db:
        service = ZoneService(db, *text_tools)
        box = inbox.Inbox(folder)
        with WriteLockHolder(store, seconds=3):
            for moment in (NOW, NOW + timedelta(seconds=1)):  # seen, then tried: locked, left in the inbox
                assert [] == box.poll(db, gazetteer=service.gazetteer, now=moment)
            assert (folder / SEEDS[4].name).is_file() and not any((folder / "failed").iterdir())
        assert [] == poll(service, box, NOW + timedelta(seconds=2))  # waiting for its retry
        [outcome] = poll(service, box, NOW + timedelta(seconds=1 + inbox.RETRY_FIRST_SECONDS))
        assert outcome.ok and (folder / "done" / SEEDS[4].name).is_file()
        assert 0 == db.execute("SELECT count(*) FROM deliveries WHERE key LIKE 'admin:%'").fetchone()[0]


def test_a_failing_file_with_a_247_byte_name_does_not_stop_the_others(service, tmp_path):
    folder = tmp_path / "inbox"
    long_name = "版" * 80 + "abc.txt"
    assert 247 == len(long_name.encode())
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\x01 not a page" * 100)
    drop(folder, broken, name=long_name)
    drop(folder, SEEDS[4], name="z.txt")
    outcomes = process(service, folder)
    assert {long_name: False, "z.txt": True} == {outcome.name: outcome.ok for outcome in outcomes}
    [failed] = [outcome.moved_to for outcome in outcomes if not outcome.ok]
    assert failed.parent == folder / "failed" and failed.is_file()
    assert "二进制" in failed.with_name(failed.name + inbox.REASON_SUFFIX).read_text(encoding="utf-8")
    assert all(len(path.name.encode()) <= inbox.NAME_MAX for path in (folder / "failed").iterdir())
    drop(folder, broken, name=long_name)  # the same name again: a free name that still fits
    [again] = process(service, folder)
    assert again.moved_to != failed and len((again.moved_to.name + inbox.REASON_SUFFIX).encode()) <= inbox.NAME_MAX


def test_missing_folders_are_created(service, tmp_path):
    folder = tmp_path / "not" / "yet" / "inbox"
    assert [] == process(service, folder)
    assert (folder / "done").is_dir() and (folder / "failed").is_dir()


def test_the_pages_of_a_poll_are_written_together_and_each_moved(service, tmp_path):
    folder = tmp_path / "inbox"
    for seed in SEEDS:
        drop(folder, seed)
    box = inbox.Inbox(folder)
    assert [] == box.poll(service.db, gazetteer=service.gazetteer, now=NOW)  # first seen
    statements: list[str] = []
    service.db.conn.set_trace_callback(statements.append)
    outcomes = box.poll(service.db, gazetteer=service.gazetteer, now=NOW + timedelta(seconds=1))
    service.db.conn.set_trace_callback(None)

    assert 1 == statements.count("COMMIT")  # five pages, one transaction
    assert [seed.name for seed in SEEDS] == [outcome.name for outcome in outcomes]
    assert all(outcome.ok and outcome.moved_to == folder / "done" / outcome.name for outcome in outcomes)
    assert len(SEEDS) == service.db["issues"].count
