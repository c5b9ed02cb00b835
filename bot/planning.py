"""Planning what to deliver: new-issue pushes and weekly digests, written to the outbox once.

An issue's pushes are planned, and the issue marked (`issues.pushes_planned_at`), in one
transaction, at every inbox poll and at start-up: an issue stored by a process that died before
planning, or by `zonebrief ingest`, is planned then. Subscribers are those at planning time; a
paused chat gets no new rows. A digest key is recorded in `digest_runs` with its rows, so planning
it twice plans nothing twice; at start-up the bot plans a digest it missed while down (once).
The text of every message comes from bot/render.py; the rows go to bot/outbox.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlite_utils import Database

from bot import render
from bot.config import ConfigError, Settings
from bot.outbox import plan_messages, timestamp
from bot.service import ALL, CITY, ZONE, Target, ZoneService
from summarize.segment import ARTICLE

logger = logging.getLogger(__name__)

# The digest covers the issues dated in the seven days ending on its day, one or two sentences each.
DIGEST_DAYS = 7
DIGEST_SENTENCES = 2


# --- The schedule ----------------------------------------------------------------------------

ENGLISH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = {
    **{name: day for day, name in enumerate(ENGLISH_DAYS)},
    **{name[:3]: day for day, name in enumerate(ENGLISH_DAYS)},
    **{f"周{name}": day for day, name in enumerate("一二三四五六日")},
    **{f"星期{name}": day for day, name in enumerate("一二三四五六日")},
    "周天": 6, "星期天": 6,
}


@dataclass(frozen=True)
class Schedule:
    """When the weekly digest runs: a weekday (Python's, 0 = Monday) and a local time in `tz`."""

    weekday: int
    at: time
    tz: tzinfo

    def last_run(self, now: datetime) -> datetime:
        """The latest scheduled run at or before `now`.

        Example usage::

            Schedule(0, time(9), ZoneInfo("Asia/Shanghai")).last_run(datetime(2026, 11, 25, tzinfo=timezone.utc))
            # 2026-11-23 09:00 +08:00 (a Monday)
        """
        local = now.astimezone(self.tz)
        day = local.date() - timedelta(days=(local.weekday() - self.weekday) % 7)
        run = datetime.combine(day, self.at, tzinfo=self.tz)
        return run if run <= local else run - timedelta(days=7)

    def next_run(self, now: datetime) -> datetime:
        """The first scheduled run strictly after `now`."""
        return self.last_run(now) + timedelta(days=7)

    def period(self, run: datetime) -> str:
        """The ISO week of a run in the schedule's zone, e.g. 2026-W47: the digest's key."""
        year, week, _ = run.astimezone(self.tz).isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def ptb_days(self) -> tuple[int]:
        """The weekday as JobQueue.run_daily counts days: 0 = Sunday … 6 = Saturday."""
        return ((self.weekday + 1) % 7,)


def load_schedule(settings: Settings) -> Schedule:
    """The digest schedule from settings.digest_day, digest_time and timezone, else ConfigError."""
    weekday = WEEKDAYS.get(settings.digest_day.strip().lower())
    if weekday is None:
        raise ConfigError(
            f"配置项 digest_day 的值“{settings.digest_day}”无效：请写 monday … sunday（或 周一 … 周日）。"
        )
    try:
        at = time.fromisoformat(settings.digest_time.strip())
    except ValueError:
        raise ConfigError(f"配置项 digest_time 的值“{settings.digest_time}”无效：请写 24 小时制的 HH:MM，例如 09:00。") from None
    try:
        tz = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"配置项 timezone 的值“{settings.timezone}”不是已知的时区：请写 IANA 名称，例如 Asia/Shanghai。") from None
    return Schedule(weekday, at.replace(tzinfo=None), tz)


# --- Pushes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    """An article that may go to subscribers, with every subscription target it falls under."""

    id: int
    title: str | None
    zone: str | None
    day: str  # the article's date, else its issue's
    body: str
    targets: frozenset[tuple[str, str]]  # (kind, name) as in subscriptions


def _candidates(service: ZoneService, where: str, params: list[object]) -> list[_Candidate]:
    """The articles (not photos) matching `where`, newest issue first, in page order."""
    rows = service.db.execute(
        "SELECT a.id, a.title, a.zone, a.city, a.body, COALESCE(a.published, i.issue_date),"
        " (SELECT json_group_array(zone) FROM article_zones WHERE article_id = a.id)"
        " FROM articles a JOIN issues i ON i.id = a.issue_id"
        f" WHERE a.kind = ? AND {where} ORDER BY i.issue_date DESC, i.id DESC, a.seq",
        [ARTICLE, *params],
    ).fetchall()
    candidates = []
    for article_id, title, zone, city, body, day, zones_json in rows:
        zones = json.loads(zones_json)
        cities = {city} if city else set()
        for name in zones:
            found = service.gazetteer.get(name)
            cities.update(found.cities if found else ())
        targets = {(ALL, "")} | {(ZONE, name) for name in zones} | {(CITY, name) for name in cities}
        candidates.append(_Candidate(article_id, title, zone or city, day, body, frozenset(targets)))
    return candidates


def _subscribers(service: ZoneService) -> dict[int, tuple[Target, ...]]:
    """Every chat that subscribes to something and is not paused, with its subscriptions in order."""
    chats = service.db.execute(
        "SELECT DISTINCT s.chat_id FROM subscriptions s JOIN chats c ON c.chat_id = s.chat_id"
        " WHERE NOT c.paused ORDER BY s.chat_id"
    ).fetchall()
    return {chat_id: service.subscriptions(chat_id) for chat_id, in chats}


def _concerns(targets: Iterable[Target], candidate: _Candidate) -> bool:
    return any((target.kind, target.name) in candidate.targets for target in targets)


def push_text(service: ZoneService, article_id: int) -> str:
    """The push for one new article: its summary card (as /summary shows it) under a heading."""
    article = service.article_summary(article_id)
    if article is None:
        raise LookupError(article_id)
    return render.article_push(article)


def plan_pushes(service: ZoneService, now: datetime) -> int:
    """Plan the pushes of every issue not planned yet, and mark it, in one transaction.

    Each article (photos are not pushed) goes to the chats, not paused, that subscribe to one of
    its zones, to its city or to everything, at the time of planning. Returns the rows planned.
    """
    db = service.db
    planned = 0
    with db.atomic():
        issues = [row[0] for row in db.execute(
            "SELECT id FROM issues WHERE pushes_planned_at IS NULL ORDER BY id"
        ).fetchall()]
        subscribers = _subscribers(service) if issues else {}
        for issue_id in issues:
            for candidate in _candidates(service, "a.issue_id = ?", [issue_id]):
                chats = [chat_id for chat_id, targets in subscribers.items() if _concerns(targets, candidate)]
                if chats:
                    text = push_text(service, candidate.id)
                    planned += sum(plan_messages(db, chat_id, f"article:{candidate.id}", [text], now)
                                   for chat_id in chats)
            db.execute("UPDATE issues SET pushes_planned_at = ? WHERE id = ?", [timestamp(now), issue_id])
    if issues:
        logger.info("planned %d push(es) for %d new issue(s)", planned, len(issues))
    return planned


# --- Digests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestEntry:
    """One article in a digest."""

    id: int
    title: str | None
    zone: str | None
    date: str
    summary: str  # one or two sentences


@dataclass(frozen=True)
class DigestSection:
    """The articles of one subscription (each article under the first subscription it falls under)."""

    target: Target
    entries: tuple[DigestEntry, ...]


@dataclass(frozen=True)
class Digest:
    """One chat's digest: the articles of the issues dated first_day … last_day."""

    first_day: date
    last_day: date
    sections: tuple[DigestSection, ...]

    @property
    def count(self) -> int:
        return sum(len(section.entries) for section in self.sections)


def build_digests(service: ZoneService, as_of: date) -> dict[int, Digest]:
    """The digest of every subscribed chat (not paused) for the seven days ending on `as_of`."""
    first_day = as_of - timedelta(days=DIGEST_DAYS - 1)
    candidates = _candidates(service, "i.issue_date BETWEEN ? AND ?", [first_day.isoformat(), as_of.isoformat()])
    def entry(candidate: _Candidate) -> DigestEntry:
        summary = service.summary(candidate.title, candidate.body, DIGEST_SENTENCES).text
        return DigestEntry(candidate.id, candidate.title, candidate.zone, candidate.day, summary)

    digests = {}
    for chat_id, targets in _subscribers(service).items():
        shown: set[int] = set()
        sections = []
        for target in targets:
            found = [c for c in candidates if c.id not in shown and _concerns([target], c)]
            shown.update(c.id for c in found)
            if found:
                sections.append(DigestSection(target, tuple(entry(c) for c in found)))
        digests[chat_id] = Digest(first_day, as_of, tuple(sections))
    return digests


@dataclass(frozen=True)
class DigestRun:
    """A digest planned (or found already planned) under one key."""

    key: str
    chats: int  # chats that get a digest
    messages: int  # rows planned (a long digest is several messages)
    new: bool  # False when this key had been planned before: nothing was planned now


def plan_digest(service: ZoneService, key: str, as_of: date, now: datetime, *, send_empty: bool) -> DigestRun:
    """Plan the digest `key` for every subscribed chat, once: a key planned before plans nothing.

    A chat with nothing new gets no message unless `send_empty`.
    """
    db = service.db
    done = db.execute("SELECT chats, messages FROM digest_runs WHERE key = ?", [key]).fetchone()
    if done is not None:
        return DigestRun(key, done[0], done[1], new=False)
    digests = build_digests(service, as_of)
    chats = messages = 0
    with db.atomic():
        for chat_id, digest in digests.items():
            if digest.count or send_empty:
                chats += 1
                messages += plan_messages(db, chat_id, key, render.split_message(render.digest_text(digest)), now)
        db["digest_runs"].insert({"key": key, "planned_at": timestamp(now), "as_of": as_of.isoformat(),
                                  "chats": chats, "messages": messages})
    logger.info("planned digest %s: %d message(s) to %d chat(s)", key, messages, chats)
    return DigestRun(key, chats, messages, new=True)


def scheduled_digest_key(schedule: Schedule, run: datetime) -> str:
    """The key of the weekly digest of a scheduled run."""
    return f"digest:{schedule.period(run)}"


def manual_digest_key(now: datetime) -> str:
    """The key of a digest asked for now (/digest_now, zonebrief digest --send)."""
    return f"digest:manual:{timestamp(now)}"


def plan_scheduled_digest(service: ZoneService, schedule: Schedule, run: datetime, now: datetime, *,
                          send_empty: bool) -> DigestRun:
    """Plan the weekly digest of the scheduled `run` (its week's key: once per week)."""
    return plan_digest(service, scheduled_digest_key(schedule, run), run.astimezone(schedule.tz).date(), now,
                       send_empty=send_empty)


def plan_manual_digest(service: ZoneService, schedule: Schedule, now: datetime, *, send_empty: bool) -> DigestRun:
    """Plan a digest now, for the seven days ending today in the schedule's zone."""
    return plan_digest(service, manual_digest_key(now), now.astimezone(schedule.tz).date(), now,
                       send_empty=send_empty)


def first_start(db: Database, now: datetime) -> datetime:
    """When the bot first started on this store (recorded as `now` the first time)."""
    db.execute("INSERT OR IGNORE INTO bot_state (name, value) VALUES ('first_start', ?)", [timestamp(now)])
    value = db.execute("SELECT value FROM bot_state WHERE name = 'first_start'").fetchone()[0]
    return datetime.fromisoformat(value)


def plan_missed_digest(service: ZoneService, schedule: Schedule, now: datetime, *,
                       send_empty: bool) -> DigestRun | None:
    """At start-up: plan the latest scheduled digest if it fell while the bot was down.

    That is when the latest scheduled run is after the bot's first start and its week has no
    digest yet; several missed weeks give one digest, the latest's.
    """
    run = schedule.last_run(now)
    if run <= first_start(service.db, now):
        return None
    result = plan_scheduled_digest(service, schedule, run, now, send_empty=send_empty)
    return result if result.new else None
