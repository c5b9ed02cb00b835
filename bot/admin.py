"""Admin operations, transport-free: pages handed in, /ingest, /digest_now, /stats.

bot/commands.py (the admin commands) and bot/courier.py (a page sent as a document) call these;
each returns the answer as Telegram HTML from bot/render.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from bot import render
from bot.config import Settings
from bot.inbox import InboxOutcome, process_file, save_upload
from bot.ingest import DISCOVERED, PAGE_SUFFIXES, page_files
from bot.outbox import ADMIN_PREFIX, FAILED, PENDING, SENT, UNCONFIRMED, notify_admins, timestamp
from bot.planning import PushPolicy, every_subscriber, plan_digests, plan_pushes
from bot.service import ZoneService
from summarize.segment import ARTICLE

STATS_DAYS = 7  # /stats counts the deliveries of the last seven days


def take_in(service: ZoneService, settings: Settings, outcomes: Iterable[InboxOutcome], now: datetime) -> int:
    """After inbox files were processed: tell the admins of each failure that moved its file to
    failed/ (once per file content), then plan the pushes of what was stored. Returns the pushes
    planned."""
    for outcome in outcomes:
        if not outcome.ok and not outcome.kept:
            key = f"{ADMIN_PREFIX}failed:{outcome.name}:{outcome.fingerprint}"
            notify_admins(service.db, settings.admins, key, outcome.notice, now)
    return plan_pushes(service, now, PushPolicy.of(settings))


def ingest_inbox_file(service: ZoneService, settings: Settings, name: str, now: datetime) -> str:
    """/ingest <name>: ingest a file already in the inbox now, plan its pushes; the answer."""
    path = Path(settings.inbox) / name
    if Path(name).name != name or not path.is_file():
        return render.not_in_inbox(name, waiting(settings))
    outcome = process_file(service.db, path, gazetteer=service.gazetteer)
    return render.ingest_report(outcome, take_in(service, settings, [outcome], now))


def ingest_upload(service: ZoneService, settings: Settings, filename: str, data: bytes, now: datetime) -> str:
    """A page sent to the bot as a document: saved into the inbox, ingested, pushes planned."""
    if Path(filename).suffix.lower() not in PAGE_SUFFIXES:
        return render.not_a_page_file(filename)
    path = save_upload(Path(settings.inbox), filename, data)
    outcome = process_file(service.db, path, gazetteer=service.gazetteer)
    return render.ingest_report(outcome, take_in(service, settings, [outcome], now))


def waiting(settings: Settings) -> list[str]:
    """The names of the page files waiting in the inbox."""
    folder = Path(settings.inbox)
    return [file.name for file in page_files(folder)] if folder.is_dir() else []


def digest_now(service: ZoneService, settings: Settings, now: datetime) -> str:
    """/digest_now: plan a digest for every subscriber now, as the schedule would; the answer."""
    run = plan_digests(service, every_subscriber(service, now), now, send_empty=settings.digest_send_empty)
    return render.digest_planned(run.chats, run.messages)


@dataclass(frozen=True)
class Stats:
    """The store and the outbox at a glance (/stats, zonebrief stats)."""

    issues: int
    articles: int
    zones: int  # zones with at least one article
    subscribers: int  # chats with at least one subscription
    paused: int  # of those, paused (they blocked the bot)
    subscriptions: int
    sent: int  # deliveries sent in the last seven days
    unconfirmed: int  # written whole when their process died (kept as delivered), planned in the last seven days
    resent: int  # sent again after their process died while writing them (maybe twice), planned in the last seven days
    pending: int  # deliveries waiting (now)
    failed: int  # deliveries failed in the last seven days
    last_digest: str | None  # key of the latest digest planned
    discovered: tuple[str, ...] = ()  # zones articles named that the gazetteer lacks (ingest.discovered_zones)


def delivery_stats(db: Database, now: datetime) -> Stats:
    """Count what /stats shows; "the last seven days" end at `now`."""
    since = timestamp(now - timedelta(days=STATS_DAYS))

    def one(sql: str, params: Sequence[object] = ()) -> int:
        return db.execute(sql, list(params)).fetchone()[0]

    last = db.execute("SELECT key FROM digest_runs ORDER BY planned_at DESC, rowid DESC LIMIT 1").fetchone()
    return Stats(
        issues=one("SELECT count(*) FROM issues"),
        articles=one("SELECT count(*) FROM articles WHERE kind = ?", [ARTICLE]),
        zones=one("SELECT count(DISTINCT zone) FROM article_zones"),
        subscribers=one("SELECT count(DISTINCT chat_id) FROM subscriptions"),
        paused=one("SELECT count(*) FROM chats WHERE paused AND chat_id IN (SELECT chat_id FROM subscriptions)"),
        subscriptions=one("SELECT count(*) FROM subscriptions"),
        sent=one("SELECT count(*) FROM deliveries WHERE status = ? AND sent_at >= ?", [SENT, since]),
        unconfirmed=one("SELECT count(*) FROM deliveries WHERE status = ? AND planned_at >= ?", [UNCONFIRMED, since]),
        resent=one("SELECT count(*) FROM deliveries WHERE crash_resends > 0 AND planned_at >= ?", [since]),
        pending=one("SELECT count(*) FROM deliveries WHERE status = ?", [PENDING]),
        failed=one("SELECT count(*) FROM deliveries WHERE status = ? AND planned_at >= ?", [FAILED, since]),
        last_digest=last[0] if last else None,
        discovered=tuple(row[0] for row in db.execute(
            "SELECT name FROM zones WHERE source LIKE ? ORDER BY name", [f"{DISCOVERED}:%"])),
    )
