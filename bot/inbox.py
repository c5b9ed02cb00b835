"""The inbox folder: page files dropped there are ingested with bot.ingest's code, then moved.

A page that was stored (new, replaced or already known) moves to `done/`; one that failed moves
to `failed/` beside a `<name>.reason.txt`, and its outcome carries the notice for the admins (sent
through the outbox by bot.admin.take_in). A file is never overwritten: a name already taken
gets a numbered suffix, and every name is cut to fit the file system (255 bytes).

Only whole, regular files are taken (see Inbox.ready_files): a page file (`*.txt` or `*.pdf`, not
hidden) that is no symlink, whose size and modification time did not change since the previous
poll and are at least SETTLE_SECONDS old. A copy that stalls for longer than a poll interval would
still be taken half-written, so a tool that copies into the inbox should write `NAME.txt.part`
(or `.NAME.txt`) and rename it to `NAME.txt` when done: such names are never read.

A failure that may pass by itself (the store locked by another writer, a read error: see
FileOutcome.transient) leaves the file in the inbox and tries it again later, waiting twice as
long after each try (RETRY_FIRST_SECONDS … RETRY_MAX_SECONDS); it never goes to failed/. One
file that fails in any way never stops the poll of the others.

A poll's ready files are ingested in one bot.ingest.ingest_paths run (written in batches, each
file with the outcome it would have alone), then each is moved. A crash between storing a page
and moving its file is harmless: at the next poll the file is ingested again, found unchanged,
and moved.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from bot.ingest import PAGE_SUFFIXES, FileOutcome, ingest_paths
from summarize.zones import Gazetteer

logger = logging.getLogger(__name__)

DONE_DIR = "done"
FAILED_DIR = "failed"
REASON_SUFFIX = ".reason.txt"
# A file modified less than this long ago may still be being copied in.
SETTLE_SECONDS = 2.0
# A transient failure is tried again after this long, then twice as long each time, at most this.
RETRY_FIRST_SECONDS = 5.0
RETRY_MAX_SECONDS = 600.0
# The longest file name (in bytes) the usual file systems take.
NAME_MAX = 255
SYMLINK_REFUSAL = "这是一个符号链接：收件箱只导入普通文件，请复制文件本身"


@dataclass(frozen=True)
class InboxOutcome:
    """One inbox file: what ingesting it did, and where it went."""

    name: str
    moved_to: Path
    outcome: FileOutcome
    fingerprint: str  # of the file's bytes: the same file failing again is not news
    kept: bool = False  # left in the inbox: a transient failure (tried again later) or a symlink

    @property
    def ok(self) -> bool:
        return self.outcome.error is None

    @property
    def notice(self) -> str:
        """For the admins, when the file failed (Telegram HTML)."""
        return (f"⚠️ 收件箱文件 {html.escape(self.name)} 导入失败：{html.escape(self.outcome.error or '')}\n"
                f"文件已移到 {html.escape(str(self.moved_to))}。")


class Inbox:
    """The inbox folder as the bot polls it: what each poll saw (size, modification time) and when
    a file that failed for a transient reason may be tried again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seen: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) at the previous poll
        self._retry: dict[str, tuple[int, float]] = {}  # name -> (tries so far, not before: a timestamp)

    def ready_files(self, now: datetime) -> list[Path]:
        """The page files to ingest now, by name: regular files (no symlinks), unchanged since the
        previous poll and at least SETTLE_SECONDS old, not waiting for a retry."""
        seen: dict[str, tuple[int, int]] = {}
        ready = []
        for path in _page_entries(self.folder):
            try:
                info = path.lstat()
            except OSError:  # gone since the listing
                continue
            if not stat.S_ISREG(info.st_mode):
                continue  # a symlink (its target may lie outside the inbox), a fifo, a device …
            seen[path.name] = (info.st_size, info.st_mtime_ns)
            settled = info.st_mtime <= now.timestamp() - SETTLE_SECONDS
            due = self._retry.get(path.name, (0, 0.0))[1] <= now.timestamp()
            if settled and due and self._seen.get(path.name) == seen[path.name]:
                ready.append(path)
        self._seen = seen
        self._retry = {name: retry for name, retry in self._retry.items() if name in seen}
        return ready

    def poll(self, db: Database, *, gazetteer: Gazetteer, now: datetime,
             between: Callable[[], object] = lambda: None) -> list[InboxOutcome]:
        """Ingest every ready file (together: see ingest_files) and move each; a file that failed
        for a transient reason stays for a later poll. Returns the outcomes of the files moved.
        `between()` is called before each file is read (the bot's planner waits there while
        answers are in progress)."""
        ensure_folders(self.folder)
        ready = self.ready_files(now)
        try:
            ingested = ingest_files(db, ready, gazetteer=gazetteer, between=between)
        except Exception:  # a bug must not stop the bot: the files stay for a later poll
            logger.exception("inbox files could not be ingested: trying them again later")
            ingested = {}
        outcomes = []
        for path in ready:
            try:
                outcome = settle(path, ingested[path])
            except Exception:  # a bug or a file system error must not stop the others
                logger.exception("inbox file %s could not be processed: trying it again later", path.name)
                outcome = None
            if outcome is None or outcome.kept:
                self._try_later(path.name, now)
            else:
                self._retry.pop(path.name, None)
                outcomes.append(outcome)
        return outcomes

    def _try_later(self, name: str, now: datetime) -> None:
        tries = self._retry.get(name, (0, 0.0))[0] + 1
        wait = min(RETRY_FIRST_SECONDS * 2 ** (tries - 1), RETRY_MAX_SECONDS)
        self._retry[name] = (tries, now.timestamp() + wait)
        logger.warning("inbox file %s: try %d failed for a reason that may pass; next try in %.0f s", name, tries, wait)


def process_file(db: Database, path: Path, *, gazetteer: Gazetteer) -> InboxOutcome:
    """Ingest one file of the inbox and move it (see ingest_files and settle)."""
    ensure_folders(path.parent)
    return settle(path, ingest_files(db, [path], gazetteer=gazetteer)[path])


def ingest_files(db: Database, paths: Sequence[Path], *, gazetteer: Gazetteer,
                 between: Callable[[], object] = lambda: None) -> dict[Path, FileOutcome]:
    """Ingest files of the inbox in one ingest_paths run (written in batches, each file with the
    outcome it would have alone), calling `between()` before each file is read; a symlink is
    never read."""

    def each_after_between(files: Sequence[Path]) -> Iterator[Path]:
        for file in files:
            between()
            yield file

    regular = [path for path in paths if not path.is_symlink()]
    outcomes = {outcome.path: outcome for outcome in ingest_paths(db, regular, gazetteer=gazetteer,
                                                                  progress=each_after_between)}
    # A symlink stays where it is (transient: the operator may replace it with the file itself).
    return {path: outcomes.get(path) or FileOutcome(path, error=SYMLINK_REFUSAL, transient=True) for path in paths}


def settle(path: Path, outcome: FileOutcome) -> InboxOutcome:
    """Move an ingested file of the inbox to done/, or to failed/ (the failure logged and its reason
    written beside the file); a transient failure leaves it where it is (`kept`)."""
    inbox, fingerprint = path.parent, _fingerprint(path)
    if outcome.error is None:
        return InboxOutcome(path.name, _move(path, inbox / DONE_DIR), outcome, fingerprint)
    if outcome.transient:
        logger.warning("inbox file %s failed for a reason that may pass: %s (left in the inbox)", path.name, outcome.error)
        return InboxOutcome(path.name, path, outcome, fingerprint, kept=True)
    target = _move(path, inbox / FAILED_DIR)
    _reason_path(target).write_text(outcome.error + "\n", encoding="utf-8")
    logger.warning("inbox file %s failed: %s (moved to %s)", path.name, outcome.error, target)
    return InboxOutcome(path.name, target, outcome, fingerprint)


def save_upload(inbox: Path, filename: str, data: bytes) -> Path:
    """Write a file sent to the bot into the inbox under a name of its own: the sender's name (or
    page.txt) with the first 8 hex digits of the content's sha256, so two different uploads named
    alike never share a name (a free one if taken).

    It is written under a hidden name first and renamed, so a poll never reads half a file.
    """
    ensure_folders(inbox)
    name = Path(filename).name.lstrip(".") or "page.txt"
    stem, suffix = Path(name).stem, Path(name).suffix
    digest = hashlib.sha256(data).hexdigest()[:8]
    target = free_path(inbox, _fitted(stem, f"-{digest}{suffix}", len(REASON_SUFFIX)))
    partial = inbox / _fitted(f".{target.stem}", f"{suffix}.partial", 0)
    partial.write_bytes(data)
    partial.rename(target)
    return target


def ensure_folders(inbox: Path) -> None:
    """Create the inbox and its done/ and failed/ folders if missing."""
    for folder in (inbox, inbox / DONE_DIR, inbox / FAILED_DIR):
        folder.mkdir(parents=True, exist_ok=True)


def free_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/<stem>-<n><suffix>` with the smallest n not taken; the stem is cut
    so that the name and its reason file (`<name>.reason.txt`) fit the file system."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate = folder / _fitted(stem, suffix, len(REASON_SUFFIX))
    number = 1
    while candidate.exists() or _reason_path(candidate).exists():
        candidate = folder / _fitted(stem, f"-{number}{suffix}", len(REASON_SUFFIX))
        number += 1
    return candidate


def _fitted(stem: str, ending: str, reserve: int) -> str:
    """`stem + ending`, the stem cut (at a character) so that the name plus `reserve` more bytes
    fits in NAME_MAX bytes."""
    room = NAME_MAX - reserve - len(ending.encode())
    return stem.encode()[:room].decode(errors="ignore") + ending


def _reason_path(path: Path) -> Path:
    return path.with_name(path.name + REASON_SUFFIX)


def _page_entries(folder: Path) -> list[Path]:
    """The page files directly in `folder` (see bot.ingest.page_files), symlinks included."""
    if not folder.is_dir():
        return []
    return sorted(folder / entry.name for entry in os.scandir(folder)
                  if Path(entry.name).suffix.lower() in PAGE_SUFFIXES and not entry.name.startswith("."))


def _move(path: Path, folder: Path) -> Path:
    target = free_path(folder, path.name)
    path.rename(target)
    return target


def _fingerprint(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"
