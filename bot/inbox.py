"""The inbox folder: page files dropped there are ingested with bot.ingest's code, then moved.

A page that was stored (new, replaced or already known) moves to `done/`; one that failed moves
to `failed/` beside a `<name>.reason.txt`, and its outcome carries the notice for the admins (sent
through the outbox by bot.admin.take_in). A file is never overwritten: a name already taken
gets a numbered suffix. Files changed in the last SETTLE_SECONDS are left for the next poll, so a
copy still in progress is not read; hidden files and files not named *.txt or *.pdf are never touched.

A crash between storing a page and moving its file is harmless: at the next poll the file is
ingested again, found unchanged, and moved.
"""

from __future__ import annotations

import hashlib
import html
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from bot.ingest import FileOutcome, ingest_paths, page_files
from summarize.tokens import Tokenizer
from summarize.zones import Gazetteer

logger = logging.getLogger(__name__)

DONE_DIR = "done"
FAILED_DIR = "failed"
REASON_SUFFIX = ".reason.txt"
# A file modified less than this long ago may still be being copied in.
SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class InboxOutcome:
    """One inbox file: what ingesting it did, and where it went."""

    name: str
    moved_to: Path
    outcome: FileOutcome
    fingerprint: str  # of the file's bytes: the same file failing again is not news

    @property
    def ok(self) -> bool:
        return self.outcome.error is None

    @property
    def notice(self) -> str:
        """For the admins, when the file failed (Telegram HTML)."""
        return (f"⚠️ 收件箱文件 {html.escape(self.name)} 导入失败：{html.escape(self.outcome.error or '')}\n"
                f"文件已移到 {html.escape(str(self.moved_to))}。")


def ready_files(inbox: Path, now: datetime) -> list[Path]:
    """The page files in `inbox` not modified in the last SETTLE_SECONDS, by name."""
    if not inbox.is_dir():
        return []
    cutoff = now.timestamp() - SETTLE_SECONDS
    return [path for path in page_files(inbox) if path.stat().st_mtime <= cutoff]


def process_inbox(
    db: Database, inbox: Path, *, gazetteer: Gazetteer, tokenizer: Tokenizer, now: datetime
) -> list[InboxOutcome]:
    """Ingest every settled page file of `inbox`, each on its own, and move it."""
    ensure_folders(inbox)
    return [process_file(db, path, gazetteer=gazetteer, tokenizer=tokenizer) for path in ready_files(inbox, now)]


def process_file(db: Database, path: Path, *, gazetteer: Gazetteer, tokenizer: Tokenizer) -> InboxOutcome:
    """Ingest one file of the inbox and move it to done/ or failed/ (a failure is logged and its
    reason written beside the file)."""
    inbox = path.parent
    ensure_folders(inbox)
    fingerprint = _fingerprint(path)
    [outcome] = ingest_paths(db, [path], gazetteer=gazetteer, tokenizer=tokenizer)
    if outcome.error is None:
        return InboxOutcome(path.name, _move(path, inbox / DONE_DIR), outcome, fingerprint)
    target = _move(path, inbox / FAILED_DIR)
    target.with_name(target.name + REASON_SUFFIX).write_text(outcome.error + "\n", encoding="utf-8")
    logger.warning("inbox file %s failed: %s (moved to %s)", path.name, outcome.error, target)
    return InboxOutcome(path.name, target, outcome, fingerprint)


def save_upload(inbox: Path, filename: str, data: bytes) -> Path:
    """Write a file sent to the bot into the inbox under its own name (a free one if taken).

    It is written under a hidden name first and renamed, so a poll never reads half a file.
    """
    ensure_folders(inbox)
    name = Path(filename).name.lstrip(".") or "page.txt"
    partial = inbox / f".{name}.partial"
    partial.write_bytes(data)
    target = free_path(inbox, name)
    partial.rename(target)
    return target


def ensure_folders(inbox: Path) -> None:
    """Create the inbox and its done/ and failed/ folders if missing."""
    for folder in (inbox, inbox / DONE_DIR, inbox / FAILED_DIR):
        folder.mkdir(parents=True, exist_ok=True)


def free_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/<stem>-<n><suffix>` with the smallest n not taken."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 1
    while candidate.exists() or candidate.with_name(candidate.name + REASON_SUFFIX).exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def _move(path: Path, folder: Path) -> Path:
    target = free_path(folder, path.name)
    path.rename(target)
    return target


def _fingerprint(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"
