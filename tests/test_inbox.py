"""The inbox folder: settled page files are ingested with bot.ingest's code and moved."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot import admin, inbox
from bot.config import Settings
from bot.db import open_db
from bot.ingest import ingest_paths
from bot.service import ZoneService

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
NOW = datetime(2026, 11, 22, 4, 0, tzinfo=timezone.utc)
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


def process(service: ZoneService, folder: Path) -> list[inbox.InboxOutcome]:
    """One poll, as the bot does it: ingest and move, then tell the admins and plan the pushes."""
    outcomes = inbox.process_inbox(service.db, folder, gazetteer=service.gazetteer, tokenizer=service.tokenizer,
                                   now=NOW)
    admin.take_in(service, Settings(admins=ADMINS, inbox=str(folder)), outcomes, NOW)
    return outcomes


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


def test_the_same_code_as_zonebrief_ingest(service, tmp_path, text_tools):
    """A page the CLI stored before is found unchanged: done, and not pushed twice."""
    ingest_paths(service.db, [SEEDS[0]], gazetteer=text_tools[0], tokenizer=text_tools[1])
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


def test_an_upload_is_saved_whole_under_a_free_name(tmp_path):
    folder = tmp_path / "inbox"
    first = inbox.save_upload(folder, "../../page.txt", b"one")
    second = inbox.save_upload(folder, "page.txt", b"two")
    assert (folder / "page.txt", folder / "page-1.txt") == (first, second)
    assert b"two" == second.read_bytes()
    assert {"page.txt", "page-1.txt"} == {p.name for p in folder.iterdir() if p.is_file()}


def test_missing_folders_are_created(service, tmp_path):
    folder = tmp_path / "not" / "yet" / "inbox"
    assert [] == process(service, folder)
    assert (folder / "done").is_dir() and (folder / "failed").is_dir()
