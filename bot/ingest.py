"""Page files -> split_page -> rows in the store, each file all or nothing.

`ingest_text` parses and tokenises one decoded page, then stores it in a single short write
transaction (bot.db.write_transaction): it either writes the whole page (issue, articles, zones,
fragments, search index) or nothing, and holds the store's write lock only while writing. `ingest_paths` expands
folders, reads, decodes and prepares the files, and writes them WRITE_BATCH_FILES to a transaction
(one commit, one wait for the disk); a batch in which anything fails is rolled back and its files
written one transaction each, so a file that fails leaves the store exactly as it was and never
stops the others. The CLI and the inbox poller both call it.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import multiprocessing
import os
import sqlite3
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, UTC
from pathlib import Path
from typing import cast

from sqlite_utils import Database

from bot.db import connect, store_path, write_transaction
from bot.search import IndexTerms, index_articles, index_terms, unindex_articles
from bot.pdf import MAX_PDF_BYTES, PDF_SUFFIX, PdfError, is_pdf_name, read_pdf
from summarize.divisions import city_of_county
from summarize.layout import read_sheets
from summarize.checks import Record, record_checks
from summarize.segment import ARTICLE, PAGE_NAME, Article, Page, short_articles_as_fragments, split_page
from summarize.zones import Gazetteer, GazetteerError, place_part

logger = logging.getLogger(__name__)

PAGE_SUFFIX = ".txt"
PAGE_SUFFIXES = (PAGE_SUFFIX, PDF_SUFFIX)  # page files: text, or the e-paper's PDF
# Runs of this many files or more parse and tokenise in worker processes (at most MAX_WORKERS),
# each kept FILES_AHEAD files ahead of the writing.
PARALLEL_MIN_FILES = 8
# Files written in one transaction (a savepoint each): see _write_batch.
WRITE_BATCH_FILES = 16
MAX_WORKERS = 4
FILES_AHEAD = 4
# A page is about 20 KB of text; anything this big is not one page.
MAX_FILE_BYTES = 5 * 1024 * 1024
# Share of control bytes (other than tab, newlines, form feed) above which a file is binary.
MAX_CONTROL_SHARE = 0.01
CONTROL_BYTES = bytes(byte for byte in range(0x20) if byte not in b"\t\n\r\f\v") + b"\x7f"
# Share of undecodable characters up to which a file is still read as (damaged) UTF-8; a GBK
# page read as UTF-8 has far more, as nearly every Chinese character fails.
MAX_DAMAGED_SHARE = 0.005

NEW = "new"
UNCHANGED = "unchanged"
REPLACED = "replaced"

DATE_FROM_FLAG = "flag"
DATE_FROM_MASTHEAD = "masthead"
DATE_FROM_ARRIVAL = "arrival"  # no printed date and no --date: the day the page arrived


class IngestError(Exception):
    """A page cannot be ingested; the message (Chinese) says what is wrong and what to do."""


@dataclass(frozen=True)
class IngestResult:
    """What ingesting one page did."""

    status: str  # NEW | UNCHANGED | REPLACED
    issue_id: int
    source: str  # the page file's name (for UNCHANGED: of the issue already stored)
    label: str
    issue_date: str
    date_source: str
    article_count: int  # articles the issue now has
    articles_added: int  # articles that got a new id
    fragment_count: int


@dataclass(frozen=True)
class FileOutcome:
    """One path given to ingest_paths: what became of it, or why it failed."""

    path: Path
    result: IngestResult | None = None
    error: str | None = None
    # The failure may go away by itself (the store busy or out of space, the file unreadable for
    # now): the inbox tries such a file again later instead of moving it to failed/.
    transient: bool = False


def parse_issue_date(value: str) -> date:
    """A real calendar date written YYYY-MM-DD, else IngestError.

    Example usage::

        parse_issue_date("2025-12-20")  # date(2025, 12, 20)
    """
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise IngestError(f"日期“{value}”无效：请写成 YYYY-MM-DD 格式的真实日期，例如 2025-12-20") from None


def content_hash(text: str) -> str:
    """sha256 of `text` with its line endings normalised to \\n."""
    return hashlib.sha256(_normalise_newlines(text).encode("utf-8")).hexdigest()


def load_gazetteer(path: str | Path) -> Gazetteer:
    """The gazetteer in the zones CSV at `path` (UTF-8); IngestError if it cannot be read."""
    try:
        return Gazetteer.from_csv(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise IngestError(f"无法读取开发区名录 {path}（{error}）：请检查配置项 zones_csv 指向的 UTF-8 CSV 文件") from None
    except GazetteerError as error:
        raise IngestError(f"{path}：{error}") from None


ZONE_COLUMNS = ("name", "aliases", "city", "county", "level", "type", "source", "doubtful")


def load_zones(db: Database, gazetteer: Gazetteer) -> None:
    """Upsert every zone of the gazetteer into `zones` (zones no longer listed are kept); a zone
    stored as it is is not written again (each page's transaction calls this)."""
    stored = set(db.execute(f"SELECT {', '.join(ZONE_COLUMNS)} FROM zones").fetchall())
    changed = [dict(zip(ZONE_COLUMNS, row)) for row in _zone_rows(gazetteer) if row not in stored]
    if changed:
        db.table("zones").upsert_all(changed, pk="name")


@functools.lru_cache(maxsize=4)
def _zone_rows(gazetteer: Gazetteer) -> tuple[tuple[object, ...], ...]:
    """The gazetteer's zones as rows of `zones` (ZONE_COLUMNS), made once per gazetteer."""
    return tuple(
        (zone.name, json.dumps(list(zone.aliases), ensure_ascii=False), zone.city, zone.county, zone.level, zone.type,
         zone.source, int(bool(zone.doubtful)))
        for zone in gazetteer.zones
    )


DISCOVERED = "discovered"  # the source of a zone the gazetteer lacks, named by an ingested article


def discovered_zones(articles: Sequence[Article], gazetteer: Gazetteer, source: str) -> list[dict[str, object]]:
    """Rows for `zones` of the zones articles name that the gazetteer lacks (榆社经济技术开发区): marked
    doubtful, with the page they came from and the city of the county they are named after."""
    names = {name for article in articles for name in (article.zone, *article.zones) if name}
    return [
        {"name": name, "aliases": "[]", "city": city_of_county(place_part(name)) or "", "county": "", "level": "",
         "type": "", "source": f"{DISCOVERED}: {source}", "doubtful": 1}
        for name in sorted(names) if gazetteer.get(name) is None
    ]


@dataclass(frozen=True)
class _ArticleRow:
    """One article ready to write: its row (without an id), zones and search terms."""

    key: tuple[str, str, str]  # (kind, title, zone): an unchanged article keeps its id
    row: dict[str, object]
    zones: tuple[str, ...]  # the primary zone first
    terms: IndexTerms


@dataclass(frozen=True)
class _PreparedPage:
    """A page parsed and tokenised, ready for a short write transaction."""

    digest: str
    edition: str | None  # see edition_of
    issue_row: dict[str, object]
    articles: tuple[_ArticleRow, ...]
    fragments: tuple[str, ...]
    discovered: list[dict[str, object]]  # see discovered_zones


def edition_of(page: Page) -> str | None:
    """What identifies a page across corrections: the issue its masthead prints and the section
    (this parser reads one section, 开发区建设), e.g. "2024年第34期·开发区建设"; None when the
    masthead names no issue (then only the content identifies the page)."""
    return f"{page.issue_label}·{PAGE_NAME}" if page.issue_label else None


def ingest_text(
    db: Database,
    text: str,
    source: str,
    *,
    gazetteer: Gazetteer,
    issue_date: str | None = None,
    issue_label: str | None = None,
    file_time: datetime | None = None,
    encoding: str | None = None,
    archive: bool = False,
) -> IngestResult:
    """Store one page's text as an issue (`source` is the name of the file it came from).

    `archive` (back-filling, e.g. `zonebrief ingest` without --push): a new issue is stored as an
    archive (searchable, never pushed, never new in a digest: see bot.planning) and the new
    articles of a corrected page are not pushed, in the same transaction as the page.

    Same content as a stored issue (see content_hash): nothing is written, status UNCHANGED.
    Same edition as a stored issue and an article in common with it (see edition_of and
    _corrected_issue: a corrected page of that issue) but new content: that issue's articles are replaced, keeping the ids of articles whose (kind, title,
    zone) is unchanged; new ids are pushed once (the issue is planned again): REPLACED.
    Otherwise a new issue, whatever the file's name: NEW. Raises IngestError for a page that
    cannot be stored.

    The page is parsed and tokenised first; only then is the store's write lock taken, for a
    transaction that writes the whole page or nothing.

    The issue date is the masthead's, else `issue_date` (YYYY-MM-DD, the admin's), else the day
    the page arrived (`file_time`, else now), marked DATE_FROM_ARRIVAL: never a date the text
    quotes. The issue label is `issue_label`, else the masthead's, else the issue date (never the
    file's name): "2025年11月30日收到" for a page dated by its arrival.
    """
    digest, parse = _text_source(text, gazetteer)
    return ingest_page(db, digest, parse, source, issue_date=issue_date, issue_label=issue_label,
                       file_time=file_time, encoding=encoding, gazetteer=gazetteer, archive=archive)


def _text_source(text: str, gazetteer: Gazetteer) -> tuple[str, Callable[[], Page]]:
    """A page's text: its content hash, and how to parse it."""
    text = _normalise_newlines(text)
    if not text.strip():
        raise IngestError("文件是空的：请重新把版面导出为文本后再导入")
    return content_hash(text), lambda: split_page(text, gazetteer)


def _pdf_source(data: bytes, gazetteer: Gazetteer) -> tuple[str, Callable[[], Page]]:
    """A PDF's bytes: their hash, and how to read its pages from their layout."""

    def parse() -> Page:
        try:
            return read_sheets(read_pdf(data), gazetteer)
        except PdfError as error:
            raise IngestError(str(error)) from None

    return hashlib.sha256(data).hexdigest(), parse


def ingest_page(db: Database, digest: str, parse: Callable[[], Page], source: str, *, gazetteer: Gazetteer,
                issue_date: str | None, issue_label: str | None, file_time: datetime | None, encoding: str | None,
                archive: bool = False) -> IngestResult:
    """Store the Page `parse` returns (called only when no stored issue has this `digest`), as
    ingest_text says."""
    prepared = prepare_page(db, digest, parse, source, gazetteer=gazetteer, issue_date=issue_date,
                            issue_label=issue_label, file_time=file_time, encoding=encoding)
    return prepared if isinstance(prepared, IngestResult) else write_page(db, prepared, gazetteer, archive=archive)


def prepare_page(db: Database, digest: str, parse: Callable[[], Page], source: str, *, gazetteer: Gazetteer,
                 issue_date: str | None, issue_label: str | None, file_time: datetime | None,
                 encoding: str | None) -> IngestResult | _PreparedPage:
    """The first half of ingest_page, which only reads the store: an UNCHANGED result when an issue
    with this `digest` is stored, else the page parsed and tokenised, ready for write_page."""
    stored = _stored(db, digest)
    if stored is not None:
        return stored
    return _prepare(parse(), digest, source, gazetteer, issue_date, issue_label, file_time, encoding)


def write_page(db: Database, prepared: _PreparedPage, gazetteer: Gazetteer, *, archive: bool = False) -> IngestResult:
    """The second half of ingest_page: one short write transaction (see _write_rows)."""
    with write_transaction(db):
        return _write_rows(db, prepared, gazetteer, archive)


def _write_rows(db: Database, prepared: _PreparedPage, gazetteer: Gazetteer, archive: bool) -> IngestResult:
    """A page's rows, in a few statements (rows of a kind in one executemany), inside a write
    transaction the caller holds."""
    source = str(prepared.issue_row["source"])
    stored = _stored(db, prepared.digest)  # another process may have stored it meanwhile
    if stored is not None:
        return stored
    load_zones(db, gazetteer)
    _insert_rows(db, "zones", prepared.discovered, or_ignore=True)
    previous = _corrected_issue(db, prepared)
    if previous is None:
        issue_id = _insert_row(db, "issues", prepared.issue_row)
        status, kept = NEW, {}
    else:
        issue_id = previous
        _update_row(db, "issues", issue_id, prepared.issue_row)
        status, kept = REPLACED, _clear_issue(db, issue_id)
    added = _store_articles(db, issue_id, prepared.articles, kept)
    if archive and (status == NEW or added):
        db.execute(
            "UPDATE issues SET archived = archived OR ?, pushes_planned_at = coalesce(pushes_planned_at, ?),"
            " planned_through = (SELECT max(id) FROM articles WHERE issue_id = issues.id) WHERE id = ?",
            [int(status == NEW), prepared.issue_row["ingested_at"], issue_id],
        )
    elif status == REPLACED and added:
        db.execute("UPDATE issues SET pushes_planned_at = NULL WHERE id = ?", [issue_id])
    _insert_rows(db, "fragments", [{"issue_id": issue_id, "seq": seq, "text": fragment}
                                   for seq, fragment in enumerate(prepared.fragments, start=1)])
    row = prepared.issue_row
    return IngestResult(status, issue_id, source, str(row["label"]), str(row["issue_date"]), str(row["date_source"]),
                        len(prepared.articles), added, len(prepared.fragments))


def _corrected_issue(db: Database, prepared: _PreparedPage) -> int | None:
    """Rule "same page": the stored issue a page corrects is, of those printing its edition, the
    one sharing the most titled articles (kind, title, zone) with it; None when none shares one, for
    the section fills several pages of an issue (开发区建设 D1–D4, each printing the same 期): a
    page of the same 期 with other articles is another page of that issue, not a correction."""
    if prepared.edition is None:
        return None
    keys = {article.key for article in prepared.articles if article.key[1]}  # untitled ones say nothing
    best, shared = None, 0
    for (issue_id,) in db.execute("SELECT id FROM issues WHERE edition = ? ORDER BY id DESC", [prepared.edition]).fetchall():
        count = sum(_article_key(*row) in keys
                    for row in db.execute("SELECT kind, title, zone FROM articles WHERE issue_id = ?", [issue_id]))
        if count > shared:
            best, shared = issue_id, count
    return best


def _insert_row(db: Database, table: str, row: Mapping[str, object]) -> int:
    """Insert one row into a rowid table; its id."""
    columns = ", ".join(row)
    cursor = db.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    return cast(int, cursor.lastrowid)  # typed Optional; an insert into a rowid table always sets it


def _insert_rows(db: Database, table: str, rows: Sequence[Mapping[str, object]], *, or_ignore: bool = False) -> None:
    """Insert rows (all with the keys of the first) in one executemany; INSERT OR IGNORE if `or_ignore`."""
    if not rows:
        return
    columns = list(rows[0])
    verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
    db.conn.executemany(f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        [[row[column] for column in columns] for row in rows])


def _update_row(db: Database, table: str, row_id: int, row: Mapping[str, object]) -> None:
    """Set the columns of `row` in the row of a rowid table with this id."""
    db.execute(f"UPDATE {table} SET {', '.join(f'{column} = ?' for column in row)} WHERE id = ?",
               [*row.values(), row_id])


def _stored(db: Database, digest: str) -> IngestResult | None:
    """The issue with this content hash, as an UNCHANGED result; None if there is none."""
    stored = db.execute(
        "SELECT id, source, label, issue_date, date_source, article_count, fragment_count"
        " FROM issues WHERE content_hash = ?",
        [digest],
    ).fetchone()
    if stored is None:
        return None
    issue_id, stored_source, label, stored_date, date_source, article_count, fragment_count = stored
    return IngestResult(UNCHANGED, issue_id, stored_source, label, stored_date, date_source,
                        article_count, 0, fragment_count)


def _prepare(page: Page, digest: str, source: str, gazetteer: Gazetteer, issue_date: str | None,
             issue_label: str | None, file_time: datetime | None, encoding: str | None) -> _PreparedPage:
    """Tokenise a parsed page: everything ingest_text does that needs no store."""
    page = short_articles_as_fragments(page)
    if not page.articles:
        raise IngestError("没有找到任何文章：请确认这是《科学导报·开发区建设》版面的文本")
    day, date_source = _issue_date(page, issue_date, file_time)
    issue_row: dict[str, object] = {
        "source": source,
        "content_hash": digest,
        "label": issue_label or page.issue_label or _dated_label(day, date_source),
        "edition": edition_of(page),
        "issue_date": day.isoformat(),
        "date_source": date_source,
        "encoding": encoding,
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "article_count": len(page.articles),
        "fragment_count": len(page.fragments),
    }
    articles = tuple(_article_row(seq, article, day, _checks(article, gazetteer, len(page.fragments)))
                     for seq, article in enumerate(page.articles, start=1))
    discovered = discovered_zones(page.articles, gazetteer, source)
    return _PreparedPage(digest, edition_of(page), issue_row, articles, page.fragments, discovered)


def _checks(article: Article, gazetteer: Gazetteer, fragments: int) -> tuple[str, ...]:
    """The checks (summarize.checks) an article fails; photos are not pushed, never checked."""
    if article.kind != ARTICLE:
        return ()
    known = bool(article.zone and gazetteer.get(article.zone))
    return record_checks(Record(article.title, "\n\n".join(article.body), known, fragments))


def _article_row(seq: int, article: Article, issue_day: date, checks: tuple[str, ...] = ()) -> _ArticleRow:
    body = "\n\n".join(article.body)
    row = {
        "seq": seq,
        "kind": article.kind,
        "zone": article.zone,
        "city": article.city,
        "title": article.title,
        "subtitle": article.subtitle,
        "kicker": article.kicker,
        "author": article.author,
        "dateline": article.dateline,
        "published": published_date(article, issue_day),
        "body": body,
        "checks": json.dumps(list(checks)),
    }
    zones = tuple(dict.fromkeys(([article.zone] if article.zone else []) + list(article.zones)))
    return _ArticleRow(_article_key(article.kind, article.title, article.zone), row, zones,
                       index_terms(article.title, body))


def ingest_paths(
    db: Database,
    paths: Iterable[str | Path],
    *,
    gazetteer: Gazetteer,
    issue_date: str | None = None,
    issue_label: str | None = None,
    progress: Callable[[Sequence[Path]], Iterable[Path]] | None = None,
    archive: bool = False,
) -> list[FileOutcome]:
    """Ingest page files and folders of page files (*.txt, *.pdf, not hidden, sorted), each on its own.

    A folder is not searched recursively. `progress`, if given, wraps the iteration over the files
    (a progress bar; the inbox waits there while the bot answers). A path that fails gets a FileOutcome with the error; the others go on: files are
    prepared WRITE_BATCH_FILES at a time, then written together (see _write_batch), each with the
    outcome it would have had alone.
    `archive`: see ingest_text.
    Raises IngestError, before reading any file, if `issue_date` is not a real YYYY-MM-DD date.
    """
    if issue_date is not None:
        parse_issue_date(issue_date)
    plan: list[Path | FileOutcome] = []  # in the order given: files to ingest, or errors
    for path in map(Path, paths):
        try:
            plan.extend(_expand(path))
        except OSError as error:
            plan.append(FileOutcome(path, error=f"无法访问（{error.strerror or error}）：请检查路径和权限，其他路径照常导入"))
    unique: dict[Path, Path] = {}  # a file named twice (or by two spellings) is ingested once
    for item in plan:
        if isinstance(item, Path):
            unique.setdefault(item.resolve(), item)
    files = list(unique.values())
    prepared = zip(progress(files) if progress else files, _prepared_files(db, files, gazetteer, issue_date, issue_label))
    done: dict[Path, FileOutcome] = {}
    while batch := list(itertools.islice(prepared, WRITE_BATCH_FILES)):
        done.update(_write_batch(db, batch, gazetteer, archive))
    return [done.pop(item) if isinstance(item, Path) else item
            for item in plan if isinstance(item, FileOutcome) or item in done]


def _expand(path: Path) -> list[Path | FileOutcome]:
    """One path given to ingest_paths: the page files it names, or why it names none."""
    if not path.exists():
        return [FileOutcome(path, error="找不到这个文件或文件夹：请检查路径是否写对")]
    if path.is_dir():
        return list(page_files(path)) or [FileOutcome(path, error=(
            "文件夹里没有版面文件（*.txt 或 *.pdf，不含子文件夹）：请放入版面文件，或直接给出文件路径"
        ))]
    return [path]


def ensure_seeded(db: Database, seeds_dir: str | Path, *, gazetteer: Gazetteer) -> list[FileOutcome]:
    """Ingest the bundled seed pages if the store holds no issue yet; else do nothing."""
    if db["issues"].count:
        return []
    return ingest_paths(db, [seeds_dir], gazetteer=gazetteer)


def export_articles(db: Database) -> Iterator[dict[str, object]]:
    """Every stored article as a dict (id, issue = the issue label, source = the page file's name,
    published, kind, zone, zones, city, title, subtitle, author, body), by issue date, issue, seq."""
    zones: dict[int, list[str]] = defaultdict(list)
    for article_id, zone in db.execute(
        "SELECT article_id, zone FROM article_zones ORDER BY article_id, is_primary DESC, rowid"
    ):
        zones[article_id].append(zone)
    cursor = db.execute(
        "SELECT articles.id, issues.label, issues.source, articles.published, articles.kind, articles.zone,"
        " articles.city, articles.title, articles.subtitle, articles.author, articles.body"
        " FROM articles JOIN issues ON issues.id = articles.issue_id"
        " ORDER BY issues.issue_date, issues.id, articles.seq"
    )
    for article_id, label, source, published, kind, zone, city, title, subtitle, author, body in cursor:
        yield {
            "id": article_id,
            "issue": label,
            "source": source,
            "published": published,
            "kind": kind,
            "zone": zone,
            "zones": zones.get(article_id, []),
            "city": city,
            "title": title,
            "subtitle": subtitle,
            "author": author,
            "body": body,
        }


def zone_counts(db: Database, *, include_empty: bool = False) -> list[tuple[str, str | None, int]]:
    """(zone, city, articles concerning it) for the zones with articles (every zone if
    `include_empty`), most articles first."""
    return [
        tuple(row)
        for row in db.execute(
            "SELECT zones.name, zones.city, COUNT(article_zones.article_id) AS articles"
            " FROM zones LEFT JOIN article_zones ON article_zones.zone = zones.name"
            " GROUP BY zones.name HAVING articles > 0 OR ?"
            " ORDER BY articles DESC, zones.city, zones.name",
            [int(include_empty)],
        )
    ]


def page_files(folder: Path) -> list[Path]:
    """The page files directly inside `folder`: *.txt and *.pdf, not hidden, sorted by name."""
    return sorted(
        path for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in PAGE_SUFFIXES and not path.name.startswith(".")
    )


def size_refusal(name: str, size: int) -> str | None:
    """Why a page file of `size` bytes named `name` is too big to be a page, or None."""
    if is_pdf_name(name):
        if size <= MAX_PDF_BYTES:
            return None
        return (f"文件太大（{size / 1024 / 1024:.1f} MB，PDF 上限 {MAX_PDF_BYTES // 1024 // 1024} MB）："
                "一期版面的 PDF 通常只有几 MB，请压缩图片后重新导出，或把各版分成单独的文件")
    if size <= MAX_FILE_BYTES:
        return None
    return (f"文件太大（{size / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）："
            "一个版面的文本通常只有约 20 KB，请确认选对了文件，或把多个版面分成单独的文件")


def decode_page(data: bytes) -> tuple[str, str]:
    """The text of a page file and the encoding it was in: UTF-8 (BOM or not), UTF-16 with a
    BOM, else GB18030 (which covers GBK and GB2312). Raises IngestError for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif not _looks_binary(data):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
        # UTF-8 with a few broken bytes (a character cut by the PDF tool) stays UTF-8: read as
        # GB18030 it would not fail but turn into nonsense.
        text = data.decode("utf-8-sig", errors="replace")
        if text.count("\ufffd") <= len(text) * MAX_DAMAGED_SHARE:
            return text, "utf-8-sig/replace"
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
        raise IngestError("无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030）：请把它另存为 UTF-8 文本后重新导入")
    raise IngestError("这是二进制文件，不是文本：版面文本请存成 UTF-8 或 GBK 的 .txt；版面 PDF 请用 .pdf 文件名导入")


def _prepare_file(db: Database, path: Path, gazetteer: Gazetteer, issue_date: str | None,
                  issue_label: str | None) -> FileOutcome | _PreparedPage:
    """Read, parse and tokenise one page file (prepare_page): what ingesting it needs of the store
    is a read; a FileOutcome when it is stored already or cannot be read."""

    def prepare() -> IngestResult | _PreparedPage:
        stat = path.stat()
        refusal = size_refusal(path.name, stat.st_size)
        if refusal:
            raise IngestError(refusal)
        if is_pdf_name(path.name):
            (digest, parse), encoding = _pdf_source(path.read_bytes(), gazetteer), "pdf"
        else:
            text, encoding = decode_page(path.read_bytes())
            digest, parse = _text_source(text, gazetteer)
        return prepare_page(db, digest, parse, path.name, gazetteer=gazetteer, issue_date=issue_date,
                            issue_label=issue_label, file_time=datetime.fromtimestamp(stat.st_mtime).astimezone(),
                            encoding=encoding)

    return _guarded(path, prepare)


def _write_batch(db: Database, batch: Sequence[tuple[Path, FileOutcome | _PreparedPage]], gazetteer: Gazetteer,
                 archive: bool) -> dict[Path, FileOutcome]:
    """Files prepared (parsed, tokenised) written in one write transaction: the disk is waited for,
    and the search index's new entries flushed, once a batch, not once a page. When any page
    fails, or the commit does, the whole batch is rolled back and each file written in a
    transaction of its own, so a bad file fails alone and the others are stored exactly as they
    would have been alone."""
    pages = [(file, page) for file, page in batch if isinstance(page, _PreparedPage)]
    if len(pages) > 1:
        try:
            with write_transaction(db):
                results = {file: _write_rows(db, page, gazetteer, archive) for file, page in pages}
        except Exception:  # whatever it was, writing each file alone tells which one, and why
            logger.debug("a batch of %d pages failed: writing them one by one", len(pages), exc_info=True)
        else:
            return {file: FileOutcome(file, result=results[file]) if file in results else cast(FileOutcome, page)
                    for file, page in batch}
    return {file: _write_prepared(db, file, page, gazetteer, archive) for file, page in batch}


def _write_prepared(db: Database, path: Path, prepared: FileOutcome | _PreparedPage, gazetteer: Gazetteer,
                    archive: bool) -> FileOutcome:
    if isinstance(prepared, FileOutcome):
        return prepared
    outcome = _guarded(path, lambda: write_page(db, prepared, gazetteer, archive=archive))
    assert isinstance(outcome, FileOutcome)
    return outcome


def _guarded(path: Path, work: Callable[[], IngestResult | _PreparedPage]) -> FileOutcome | _PreparedPage:
    """What `work` returns (an IngestResult as a FileOutcome), or a FileOutcome saying why it failed."""
    try:
        done = work()
    except IngestError as error:
        return FileOutcome(path, error=str(error))
    except OSError as error:
        return FileOutcome(path, error=f"读取失败（{error.strerror or error}）：请检查文件权限后重试", transient=True)
    except sqlite3.Error as error:
        logger.debug("writing %s failed", path, exc_info=True)
        return FileOutcome(path, error=f"写入数据库失败（{error}），数据库未改动：请检查磁盘空间或是否有其他程序占用后重试",
                           transient=isinstance(error, sqlite3.OperationalError))
    except Exception as error:  # a parser bug must not stop the other files of the run
        logger.debug("ingesting %s failed", path, exc_info=True)
        return FileOutcome(path, error=(
            f"处理时出错（{type(error).__name__}: {error}），数据库未改动：请用 zonebrief -v ingest 查看详情并报告此问题"
        ))
    return done if isinstance(done, _PreparedPage) else FileOutcome(path, result=done)


# --- many files: parsed and tokenised in worker processes, written here, in order -----------------


@dataclass(frozen=True)
class _Worker:
    """What a worker process prepares files with (inherited when it is forked, never pickled)."""

    store: Path
    gazetteer: Gazetteer
    issue_date: str | None
    issue_label: str | None


_WORKER: _Worker | None = None
_WORKER_DB: Database | None = None


def _prepared_files(db: Database, files: Sequence[Path], gazetteer: Gazetteer, issue_date: str | None,
                    issue_label: str | None) -> Iterator[FileOutcome | _PreparedPage]:
    """Each file prepared (_prepare_file), in order: in worker processes, one a CPU, when there are
    PARALLEL_MIN_FILES files or more, more than one CPU and this process runs no other thread (a
    fork copies only the calling thread); else here, one after another, as they are needed."""
    workers = min(usable_cpus(), MAX_WORKERS)
    if len(files) < PARALLEL_MIN_FILES or workers < 2 or threading.active_count() > 1:
        yield from (_prepare_file(db, file, gazetteer, issue_date, issue_label) for file in files)
        return
    global _WORKER
    logger.debug("preparing %d files in %d worker processes", len(files), workers)
    _WORKER = _Worker(store_path(db), gazetteer, issue_date, issue_label)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            queue: deque[Future] = deque()
            for file in files:
                queue.append(pool.submit(_prepare_in_worker, file))
                if len(queue) >= workers * FILES_AHEAD:
                    yield queue.popleft().result()
            while queue:
                yield queue.popleft().result()
    finally:
        _WORKER = None


def usable_cpus() -> int:
    """The CPUs this process may run on (taskset, a container's cpuset), not all the machine's."""
    return len(os.sched_getaffinity(0))


def _prepare_in_worker(path: Path) -> FileOutcome | _PreparedPage:
    global _WORKER_DB
    assert _WORKER is not None
    if _WORKER_DB is None:
        _WORKER_DB = connect(_WORKER.store)
    return _prepare_file(_WORKER_DB, path, _WORKER.gazetteer, _WORKER.issue_date, _WORKER.issue_label)


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:65536]
    control = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    return control > len(sample) * MAX_CONTROL_SHARE


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _issue_date(page: Page, flag: str | None, arrived: datetime | None) -> tuple[date, str]:
    """1. the masthead's date; 2. the --date flag (or the admin's date); 3. the day it arrived."""
    if page.masthead_date:
        return date.fromisoformat(page.masthead_date), DATE_FROM_MASTHEAD
    if flag is not None:
        return parse_issue_date(flag), DATE_FROM_FLAG
    return (arrived or datetime.now().astimezone()).date(), DATE_FROM_ARRIVAL


def _dated_label(day: date, date_source: str) -> str:
    """An issue without a printed issue number, named by its date: 2025年4月18日, or
    2025年11月30日收到 when that is the day it arrived."""
    return f"{day.year}年{day.month}月{day.day}日" + ("收到" if date_source == DATE_FROM_ARRIVAL else "")


def published_date(article: Article, issue_day: date) -> str:
    """The day of the article's dateline (its lead's first date) in the issue's year, never after
    the issue's date; else the issue's date. A year the text prints is never used: it may be a
    date the article quotes (2020年7月获批)."""
    if article.published:
        month_day: tuple[int, int] | None = (int(article.published[5:7]), int(article.published[8:10]))
    else:
        month_day = article.published_month_day
    if month_day is None:
        return issue_day.isoformat()
    try:
        candidate = date(issue_day.year, *month_day)
    except ValueError:  # 2月29日 in a year without one
        return issue_day.isoformat()
    return min(candidate, issue_day).isoformat()


def _article_key(kind: str, title: str | None, zone: str | None) -> tuple[str, str, str]:
    return kind, title or "", zone or ""


def _clear_issue(db: Database, issue_id: int) -> dict[tuple[str, str, str], list[int]]:
    """Remove an issue's fragments, zone links and index entries; park its articles at seq = -id
    so new rows can take their places. Returns the parked article ids by (kind, title, zone)."""
    rows = db.execute(
        "SELECT id, kind, title, zone FROM articles WHERE issue_id = ? ORDER BY seq", [issue_id]
    ).fetchall()
    ids = [row[0] for row in rows]
    unindex_articles(db, ids)
    db.execute("DELETE FROM article_zones WHERE article_id IN (SELECT id FROM articles WHERE issue_id = ?)",
               [issue_id])
    db.execute("DELETE FROM fragments WHERE issue_id = ?", [issue_id])
    db.execute("UPDATE articles SET seq = -id WHERE issue_id = ?", [issue_id])
    kept: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for article_id, kind, title, zone in rows:
        kept[_article_key(kind, title, zone)].append(article_id)
    return kept


def _store_articles(
    db: Database,
    issue_id: int,
    articles: Sequence[_ArticleRow],
    kept: dict[tuple[str, str, str], list[int]],
) -> int:
    """Write the articles of an issue, reusing the ids in `kept` for unchanged (kind, title, zone),
    then their zones and index entries; delete the parked ids left over. Returns how many articles
    got a new id."""
    ids: list[int] = []
    added = 0
    for article in articles:
        row = {"issue_id": issue_id, **article.row}
        reused = kept.get(article.key)
        if reused:
            ids.append(reused.pop(0))
            _update_row(db, "articles", ids[-1], row)
        else:
            ids.append(_insert_row(db, "articles", row))
            added += 1
    _insert_rows(db, "article_zones", [
        {"article_id": article_id, "zone": zone, "is_primary": int(zone == article.row["zone"])}
        for article_id, article in zip(ids, articles) for zone in article.zones
    ])
    index_articles(db, [(article_id, article.terms) for article_id, article in zip(ids, articles)])
    leftover = [article_id for parked in kept.values() for article_id in parked]
    if leftover:
        db.execute("DELETE FROM articles WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(leftover)])
    return added
