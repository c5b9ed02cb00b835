"""Planning what to deliver: new-issue pushes and digests, written to the outbox exactly once.

Pushes (`plan_pushes`). The arrival is every issue stored but not planned yet and not held (see
`arrival`, the one place that decides what may be pushed now). In one transaction:
- rule BACKFILL: a new issue whose printed date (masthead, or the operator's --date) is older
  than the newest such issue already pushed is stored as an archive (issues.archived): searchable
  and in zone cards, never pushed, never new in a digest; the admins are told. Pages ingested
  from the CLI are archived at ingest unless `--push` (bot/ingest.py).
- rule FLOOD: an arrival that would push more than `hold_over` articles to one chat is held
  (push_holds) and the admins get a summary with 推送 / 存为存档 buttons (`release_hold`); with
  no admins configured nobody could decide, so nothing is held.
- otherwise each subscribed chat (not paused, not muted) gets one message per issue listing its
  articles of the issue (zone, title, id, one sentence, 摘要 / 全文 buttons), split only past
  Telegram's limit, naming the source; the issue is marked planned (pushes_planned_at and
  planned_through, the highest article id planned: a corrected page pushes only new articles).

Digests (`plan_digests`). A chat's digest lists every article of its subscriptions that arrived
since its previous digest (chats.digest_through, an article id) and after the subscription
(subscriptions.since_article), whatever the printed dates, each once, archives and held
arrivals left out. `due_digests` finds the chats whose own digest time (chats.digest_day,
digest_time, else the configured schedule) has come since their last digest (chats.digest_run):
a periodic job plans them. Chats are planned in batches, each batch one short transaction that
writes the rows and moves the chat's digest_through and digest_run together, so a kill between
batches leaves the planned chats planned and the others due: each digest goes once.
The text of every message comes from bot/render.py; the rows go to bot/outbox.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlite_utils import Database

from bot import render
from bot.config import ConfigError, Settings
from bot.db import write_transaction
from bot.outbox import Part, notify_admins, plan_messages, timestamp
from bot.search import index_articles, index_terms, unindex_articles
from bot.service import ALL, CITY, ZONE, ArticleLine, ChatSettings, Subscription, Target, ZoneService
from summarize.segment import ARTICLE

logger = logging.getLogger(__name__)

# Chats whose digests are planned in one transaction: short enough that answers and the sender
# never wait long for the store, long enough that a digest to 10,000 chats is a few dozen steps.
DIGEST_BATCH = 200
# Issue dates that were printed or given by the operator (not guessed from the text or the file):
# only these make a page a back-fill (rule BACKFILL).
PRINTED_DATES = ("masthead", "flag")
HOLD_PREFIX = "hold"  # callback data of the admins' buttons: hold:<id>:push | hold:<id>:archive
REVIEW_PREFIX = "review"  # review:<article id>:publish|drop|join, and the key of a published record's push
REVIEW_AUTO, REVIEW_ALL, REVIEW_OFF = "auto", "all", "off"  # config `review`
HELD, DROPPED = "held", "dropped"  # articles.review (NULL: published)
PUBLISH, DROP, JOIN = "publish", "drop", "join"


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

    def for_chat(self, chat: ChatSettings) -> Schedule:
        """The schedule of a chat that may have chosen its own day or time."""
        at = self.at if chat.digest_time is None else time.fromisoformat(chat.digest_time)
        return Schedule(self.weekday if chat.digest_day is None else chat.digest_day, at, self.tz)


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


def parse_digest_time(words: Sequence[str]) -> tuple[int, str]:
    """`/digest 周五 18:00` → (4, "18:00"); raises ValueError with what to write instead."""
    if len(words) != 2 or words[0].strip().lower() not in WEEKDAYS:
        raise ValueError("day")
    try:
        at = time.fromisoformat(words[1].strip().replace("：", ":"))
    except ValueError:
        raise ValueError("time") from None
    return WEEKDAYS[words[0].strip().lower()], f"{at:%H:%M}"


# --- Pushes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    """An article that may go to subscribers, with every subscription target it falls under."""

    id: int
    issue_id: int
    targets: frozenset[tuple[str, str]]  # (kind, name) as in subscriptions


def _candidates(service: ZoneService, where: str, params: list[object]) -> list[_Candidate]:
    """The articles (not photos) matching `where` (over articles a and issues i), in arrival order."""
    rows = service.db.execute(
        "SELECT a.id, a.issue_id, a.city,"
        " (SELECT json_group_array(zone) FROM article_zones WHERE article_id = a.id)"
        " FROM articles a JOIN issues i ON i.id = a.issue_id"
        f" WHERE a.kind = ? AND a.review IS NULL AND {where} ORDER BY a.id",
        [ARTICLE, *params],
    ).fetchall()
    candidates = []
    for article_id, issue_id, city, zones_json in rows:
        zones = json.loads(zones_json)
        cities = {city} if city else set()
        for name in zones:
            found = service.gazetteer.get(name)
            cities.update(found.cities if found else ())
        targets = {(ALL, "")} | {(ZONE, name) for name in zones} | {(CITY, name) for name in cities}
        candidates.append(_Candidate(article_id, issue_id, frozenset(targets)))
    return candidates


def _concerns(targets: Iterable[Target], candidate: _Candidate) -> bool:
    return any((target.kind, target.name) in candidate.targets for target in targets)


@dataclass(frozen=True)
class _Issue:
    id: int
    label: str
    date: str
    printed: bool  # its date was printed or given (PRINTED_DATES)
    planned_through: int | None  # None: never planned (a new issue)


def arrival(db: Database) -> list[_Issue]:
    """The issues that may be pushed now: stored, not planned yet, not archived, not held for an admin."""
    rows = db.execute(
        "SELECT id, label, issue_date, date_source IN (SELECT value FROM json_each(?)), planned_through"
        " FROM issues WHERE pushes_planned_at IS NULL AND NOT archived AND hold_id IS NULL ORDER BY id",
        [json.dumps(PRINTED_DATES)],
    ).fetchall()
    return [_Issue(row[0], row[1], row[2], bool(row[3]), row[4]) for row in rows]


def _backfills(db: Database, issues: list[_Issue]) -> list[_Issue]:
    """Rule BACKFILL: the new issues of `issues` printed as older than the newest printed issue
    already pushed."""
    newest = db.execute(
        "SELECT max(issue_date) FROM issues WHERE pushes_planned_at IS NOT NULL AND NOT archived"
        " AND date_source IN (SELECT value FROM json_each(?))", [json.dumps(PRINTED_DATES)],
    ).fetchone()[0]
    return [issue for issue in issues
            if newest and issue.printed and issue.planned_through is None and issue.date < newest]


def _mark_planned(db: Database, issue_ids: Iterable[int], now: datetime, *, archived: bool = False) -> None:
    db.execute(
        "UPDATE issues SET pushes_planned_at = ?, archived = archived OR ?,"
        " planned_through = (SELECT max(id) FROM articles WHERE issue_id = issues.id)"
        " WHERE id IN (SELECT value FROM json_each(?))",
        [timestamp(now), int(archived), json.dumps(list(issue_ids))],
    )


Pushes = dict[int, dict[int, list[int]]]  # issue id -> chat id -> article ids, in page order


def _pushes(service: ZoneService, issues: Sequence[_Issue]) -> Pushes:
    """What each subscribed chat (not paused, not muted) would get of each issue."""
    subscribers = service.subscribers(muted=False)
    if not subscribers:  # nobody to push to: the issues' articles need not be read
        return {issue.id: {} for issue in issues}
    return {issue.id: _chats_for(subscribers, _candidates(service, "a.issue_id = ? AND a.id > ?",
                                                          [issue.id, issue.planned_through or 0]))
            for issue in issues}


def _chats_for(subscribers: Mapping[int, Sequence[Subscription]], candidates: Sequence[_Candidate]) -> dict[int, list[int]]:
    """chat id -> the ids of `candidates` its subscriptions concern (chats concerned by none left out)."""
    chats: dict[int, list[int]] = {}
    for chat_id, subscriptions in subscribers.items():
        targets = [subscription.target for subscription in subscriptions]
        found = [candidate.id for candidate in candidates if _concerns(targets, candidate)]
        if found:
            chats[chat_id] = found
    return chats


@dataclass(frozen=True)
class PushPolicy:
    """How an arrival is pushed: the FLOOD limit (0: none), the admins to ask, the source link."""

    hold_over: int = 0
    admins: tuple[int, ...] = ()
    source_url: str | None = None
    review: str = REVIEW_AUTO  # which records wait for an admin's look (see hold_for_review)

    @property
    def holds(self) -> bool:
        """Whether rule FLOOD applies: a limit, and admins to decide (else nobody could release it)."""
        return bool(self.hold_over and self.admins)

    @property
    def reviews(self) -> bool:
        """Whether records may be held for review: `review` is not off, and there are admins to ask
        (as for rule FLOOD: a hold nobody is told of would be a silent loss)."""
        return self.review != REVIEW_OFF and bool(self.admins)

    @classmethod
    def of(cls, settings: Settings) -> PushPolicy:
        return cls(settings.push_hold_articles, settings.admins, settings.source_url, review_mode(settings))


def review_mode(settings: Settings) -> str:
    """Config `review`: auto (hold the doubtful records), all (hold every record) or off; else ConfigError."""
    mode = settings.review.strip().lower()
    if mode not in (REVIEW_AUTO, REVIEW_ALL, REVIEW_OFF):
        raise ConfigError(f"配置项 review 的值“{settings.review}”无效：请写 auto（只扣下存疑的记录）、all（全部先审）或 off（不审）。")
    return mode


def plan_pushes(service: ZoneService, now: datetime, policy: PushPolicy = PushPolicy()) -> int:
    """Plan the pushes of the arrival (see the module's docstring), in one transaction; returns
    the rows planned (0 when the arrival was archived or held)."""
    db = service.db
    with write_transaction(db):
        issues = arrival(db)
        backfills = _backfills(db, issues)
        if backfills:
            _archive(db, backfills, policy.admins, now)
            issues = [issue for issue in issues if issue not in backfills]
        if not issues:
            return 0
        hold_for_review(service, issues, policy, now)
        pushes = _pushes(service, issues)
        if policy.holds and _most(pushes) > policy.hold_over:
            _hold(db, issues, pushes, policy.admins, now)
            return 0
        planned = _plan_issue_pushes(service, issues, pushes, now, policy.source_url)
        _mark_planned(db, (issue.id for issue in issues), now)
    logger.info("planned %d push(es) for %d new issue(s)", planned, len(issues))
    return planned


def _plan_issue_pushes(service: ZoneService, issues: Sequence[_Issue], pushes: Pushes, now: datetime,
                       source_url: str | None) -> int:
    planned = 0
    for issue in issues:
        chats = pushes[issue.id]
        lines = service.article_lines({article_id for ids in chats.values() for article_id in ids})
        if not lines:
            continue
        planned += _plan_chats(service, issue.label, chats, lines, f"issue:{issue.id}:{max(lines)}", now, source_url)
    return planned


def _plan_chats(service: ZoneService, label: str, chats: dict[int, list[int]], lines: dict[int, ArticleLine],
                key: str, now: datetime, source_url: str | None) -> int:
    """Plan one push of an issue under `key` to each chat of `chats`, listing its articles."""
    planned = 0
    for chat_id, ids in chats.items():
        parts = render.issue_push(label, [lines[i] for i in ids if i in lines], source_url)
        planned += plan_messages(service.db, chat_id, key, parts, now)
    return planned


def _most(pushes: Pushes) -> int:
    """The most articles one chat would get from an arrival."""
    totals: dict[int, int] = {}
    for chats in pushes.values():
        for chat_id, ids in chats.items():
            totals[chat_id] = totals.get(chat_id, 0) + len(ids)
    return max(totals.values(), default=0)


def _archive(db: Database, issues: Sequence[_Issue], admins: Iterable[int], now: datetime) -> None:
    _mark_planned(db, (issue.id for issue in issues), now, archived=True)
    for issue in issues:
        notify_admins(db, admins, f"admin:archived:{issue.id}", render.archived_notice(issue.label, issue.date), now)
    logger.info("stored %d back-filled issue(s) as archive: not pushed", len(issues))


def _hold(db: Database, issues: Sequence[_Issue], pushes: Pushes, admins: Iterable[int], now: datetime) -> None:
    """Rule FLOOD: hold the arrival for an admin, with a summary of what would go out."""
    chats = {chat_id for per_issue in pushes.values() for chat_id in per_issue}
    articles = {article_id for per_issue in pushes.values() for ids in per_issue.values() for article_id in ids}
    hold_id = db.table("push_holds").insert({
        "created_at": timestamp(now), "issues": json.dumps([issue.id for issue in issues]),
        "articles": len(articles), "chats": len(chats), "most": _most(pushes),
    }).last_pk
    db.execute("UPDATE issues SET hold_id = ? WHERE id IN (SELECT value FROM json_each(?))",
               [hold_id, json.dumps([issue.id for issue in issues])])
    part = Part(render.hold_notice(len(issues), len(articles), len(chats), _most(pushes)),
                ((("全部推送", f"{HOLD_PREFIX}:{hold_id}:push"), ("存为存档，不推送", f"{HOLD_PREFIX}:{hold_id}:archive")),))
    for admin in admins:
        plan_messages(db, admin, f"admin:hold:{hold_id}", [part], now)
    logger.warning("held an arrival of %d issue(s) for an admin: %d article(s) to %d chat(s)",
                   len(issues), len(articles), len(chats))


def release_hold(service: ZoneService, hold_id: int, push: bool, now: datetime,
                 source_url: str | None = None) -> str:
    """An admin's decision on a held arrival: push it as it is, or store it as archive; the answer."""
    db = service.db
    with write_transaction(db):
        row = db.execute("SELECT issues, decision FROM push_holds WHERE id = ?", [hold_id]).fetchone()
        if row is None or row[1] is not None:
            return render.hold_decided(row[1] if row else None)
        ids = json.loads(row[0])
        db.execute("UPDATE push_holds SET decided_at = ?, decision = ? WHERE id = ?",
                   [timestamp(now), "push" if push else "archive", hold_id])
        db.execute("UPDATE issues SET hold_id = NULL WHERE hold_id = ?", [hold_id])
        issues = [issue for issue in arrival(db) if issue.id in ids]
        if not push:
            _mark_planned(db, ids, now, archived=True)
            return render.hold_archived(len(ids))
        planned = _plan_issue_pushes(service, issues, _pushes(service, issues), now, source_url)
        _mark_planned(db, ids, now)
    return render.hold_pushed(planned)


# --- An editor's look before a push ----------------------------------------------------------------


class ReviewError(Exception):
    """A review decision that cannot be made; the message says why, in one line, and nothing changed."""


_REVIEW_SELECT = ("SELECT a.id, i.label, a.zone, a.title, a.body, a.review, a.checks"
                  " FROM articles a JOIN issues i ON i.id = a.issue_id")


def review_records(db: Database, where: str, params: Sequence[object]) -> list[render.ReviewRecord]:
    """The records (articles, not photos) matching `where` (over articles a and issues i), in page order."""
    rows = db.execute(f"{_REVIEW_SELECT} WHERE a.kind = ? AND {where} ORDER BY a.issue_id, a.seq",
                      [ARTICLE, *params]).fetchall()
    return [render.ReviewRecord(row[0], row[1], row[2], row[3], row[4], row[5], tuple(json.loads(row[6])))
            for row in rows]


def held_records(db: Database) -> list[render.ReviewRecord]:
    """Every record held for an admin's look, page by page."""
    return review_records(db, "a.review = ?", [HELD])


def hold_for_review(service: ZoneService, issues: Sequence[_Issue], policy: PushPolicy, now: datetime) -> int:
    """Hold the new records of `issues` an admin should look at before they are pushed (config
    `review`: auto, the records that fail a check of summarize.checks; all, every record; off,
    none) and send each admin the page's records with buttons; returns the records held. With no
    admins configured nothing is held (see PushPolicy.reviews)."""
    if not policy.reviews:
        return 0
    held = 0
    for issue in issues:
        cursor = service.db.execute(
            "UPDATE articles SET review = ? WHERE issue_id = ? AND id > ? AND kind = ? AND review IS NULL"
            " AND (? OR checks != '[]')",
            [HELD, issue.id, issue.planned_through or 0, ARTICLE, int(policy.review == REVIEW_ALL)],
        )
        if cursor.rowcount:
            held += cursor.rowcount
            _ask_review(service.db, issue, policy.admins, now)
    if held:
        logger.warning("held %d record(s) for an admin's review", held)
    return held


def _ask_review(db: Database, issue: _Issue, admins: Iterable[int], now: datetime) -> None:
    records = review_records(db, "a.issue_id = ? AND coalesce(a.review, '') != ?", [issue.id, DROPPED])
    top = max(record.id for record in records if record.review == HELD)
    parts = render.review_notice(issue.label, records)
    for admin in admins:
        plan_messages(db, admin, f"admin:{REVIEW_PREFIX}:{issue.id}:{top}", parts, now)


def decide_review(service: ZoneService, article_id: int, action: str, now: datetime,
                  source_url: str | None = None) -> str:
    """An admin's decision on a held record: PUBLISH (pushed once, under review:<id>, when its page
    was pushed already; else with its page), DROP, or JOIN (its body appended to the previous
    record of its page, then deleted). Returns the answer; raises ReviewError (store unchanged)."""
    db = service.db
    with write_transaction(db):
        row = db.execute("SELECT review FROM articles WHERE id = ? AND kind = ?", [article_id, ARTICLE]).fetchone()
        if row is None:
            raise ReviewError(render.review_missing(article_id))
        if row[0] != HELD:
            raise ReviewError(render.review_decided(article_id, row[0]))
        if action == PUBLISH:
            return render.review_published(article_id, _publish(service, article_id, now, source_url))
        if action == DROP:
            db.execute("UPDATE articles SET review = ? WHERE id = ?", [DROPPED, article_id])
            return render.review_dropped(article_id)
        return render.review_joined(article_id, _join(service, article_id))


def _publish(service: ZoneService, article_id: int, now: datetime, source_url: str | None) -> int:
    """Publish a held record; push it to its subscribers when its page was pushed without it."""
    db = service.db
    db.execute("UPDATE articles SET review = NULL WHERE id = ?", [article_id])
    label, pushed = db.execute(
        "SELECT i.label, i.pushes_planned_at IS NOT NULL AND NOT i.archived AND i.hold_id IS NULL"
        " FROM articles a JOIN issues i ON i.id = a.issue_id WHERE a.id = ?", [article_id]).fetchone()
    if not pushed:
        return 0  # its page goes out (or stays archived) with it
    chats = _chats_for(service.subscribers(muted=False), _candidates(service, "a.id = ?", [article_id]))
    lines = service.article_lines([article_id])
    return _plan_chats(service, label, chats, lines, f"{REVIEW_PREFIX}:{article_id}", now, source_url)


def _join(service: ZoneService, article_id: int) -> int:
    """Append a held record's body to the previous record of its page and delete it; the previous id."""
    db = service.db
    issue_id, seq, body = db.execute("SELECT issue_id, seq, body FROM articles WHERE id = ?", [article_id]).fetchone()
    previous = db.execute(
        "SELECT id, title, body FROM articles WHERE issue_id = ? AND kind = ? AND seq < ?"
        " AND coalesce(review, '') != ? ORDER BY seq DESC LIMIT 1", [issue_id, ARTICLE, seq, DROPPED]).fetchone()
    if previous is None:
        raise ReviewError(render.review_no_previous(article_id))
    previous_id, title, previous_body = previous
    joined = f"{previous_body}\n\n{body}"
    unindex_articles(db, [previous_id, article_id])
    db.execute("DELETE FROM article_zones WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM articles WHERE id = ?", [article_id])
    db.execute("UPDATE articles SET body = ? WHERE id = ?", [joined, previous_id])
    db.execute("UPDATE issues SET article_count = article_count - 1 WHERE id = ?", [issue_id])
    index_articles(db, [(previous_id, index_terms(title, joined))])
    return int(previous_id)


# --- Digests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSection:
    """The articles of one subscription (each article under the first subscription it falls under)."""

    target: Target
    entries: tuple[ArticleLine, ...]


@dataclass(frozen=True)
class Digest:
    """One chat's digest: what arrived for its subscriptions since its previous digest."""

    sections: tuple[DigestSection, ...]

    @property
    def count(self) -> int:
        return sum(len(section.entries) for section in self.sections)


@dataclass(frozen=True)
class DueDigest:
    """A chat whose digest is to be planned now, under `key`; `run` is the scheduled run it
    answers (None for a digest asked for now)."""

    chat_id: int
    key: str
    run: datetime | None = None


@dataclass(frozen=True)
class DigestRun:
    """What one planning of digests did."""

    chats: int = 0  # chats that got a digest
    messages: int = 0  # rows planned (a long digest is several messages)
    planned: int = 0  # chats planned, a digest or not (an empty one sends nothing unless configured)


def digest_key(schedule: Schedule, run: datetime) -> str:
    """The key of a chat's scheduled digest: its run's local time, e.g. digest:2026-11-23T09:00."""
    return f"digest:{run.astimezone(schedule.tz):%Y-%m-%dT%H:%M}"


def manual_digest_key(now: datetime) -> str:
    """The key of a digest asked for now (/digest_now, zonebrief digest --send)."""
    return f"digest:manual:{timestamp(now)}"


def due_digests(service: ZoneService, schedule: Schedule, now: datetime) -> list[DueDigest]:
    """Every subscribed chat (not paused, digest on) whose digest time has come since its last
    digest (or its first subscription), in one query; a chat that missed several runs (the bot was
    down) is due once, for the latest."""
    rows = service.db.execute(
        "SELECT c.chat_id, c.digest_day, c.digest_time, coalesce(c.digest_run, min(s.created_at))"
        " FROM chats c JOIN subscriptions s ON s.chat_id = c.chat_id"
        " WHERE NOT c.paused AND NOT c.digest_off GROUP BY c.chat_id ORDER BY c.chat_id"
    ).fetchall()
    due = []
    for chat_id, day, at, since in rows:
        chat_schedule = schedule.for_chat(ChatSettings(digest_day=day, digest_time=at))
        run = chat_schedule.last_run(now)
        if run > datetime.fromisoformat(since):
            due.append(DueDigest(chat_id, digest_key(chat_schedule, run), run))
    return due


def every_subscriber(service: ZoneService, now: datetime) -> list[DueDigest]:
    """Every subscribed chat (not paused, digest on), for a digest asked for now."""
    key = manual_digest_key(now)
    return [DueDigest(chat_id, key) for chat_id in service.subscribers(digest_off=False)]


def digest_batches(service: ZoneService, due: Sequence[DueDigest], now: datetime, *, send_empty: bool,
                   batch: int = DIGEST_BATCH) -> Iterator[DigestRun]:
    """Plan the digests of `due`, `batch` chats per transaction, yielding what each batch did (a
    caller may pause between batches). The articles are those stored when planning starts."""
    top = service.db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
    made = _DigestRun(lines={}, texts={})
    for start in range(0, len(due), batch):
        with write_transaction(service.db):
            run = _plan_batch(service, due[start:start + batch], top, now, send_empty, made)
        yield run  # committed: a kill from here on leaves this batch planned, the rest due


def plan_digests(service: ZoneService, due: Sequence[DueDigest], now: datetime, *, send_empty: bool,
                 batch: int = DIGEST_BATCH) -> DigestRun:
    """Plan the digests of `due` in batches (see digest_batches); returns the totals."""
    runs = list(digest_batches(service, due, now, send_empty=send_empty, batch=batch))
    total = DigestRun(sum(run.chats for run in runs), sum(run.messages for run in runs),
                      sum(run.planned for run in runs))
    if due:
        logger.info("planned %d digest message(s) to %d chat(s)", total.messages, total.chats)
    return total


def build_digests(service: ZoneService, chat_ids: Iterable[int], top: int | None = None,
                  lines: dict[int, ArticleLine] | None = None) -> dict[int, Digest]:
    """The digest of each chat of `chat_ids` (subscribed, not paused): what arrived for it since
    its last digest, up to article id `top` (default: every article stored). Reads only. `lines`
    keeps the list lines made, for the next call of the same run (every batch lists the same
    week's articles)."""
    subscribers = service.subscribers(chat_ids)
    floors, candidates = _digest_candidates(service, subscribers, top)
    digests = {chat_id: _digest(subscriptions, floors[chat_id], candidates)
               for chat_id, subscriptions in subscribers.items()}
    lines = {} if lines is None else lines
    wanted = {entry for digest in digests.values() for entry in _ids(digest)}
    lines.update(service.article_lines(wanted.difference(lines)))
    return {chat_id: Digest(tuple(DigestSection(target, tuple(lines[i] for i in ids if i in lines))
                                  for target, ids in digest))
            for chat_id, digest in digests.items()}


def _digest_candidates(service: ZoneService, subscribers: Mapping[int, Sequence[Subscription]],
                       top: int | None) -> tuple[dict[int, list[int]], list[_Candidate]]:
    """Each chat's floors (per subscription, the article id its digest lists articles above) and
    the articles above the lowest floor, up to `top` (default: every article stored), that a
    digest may list (no archive, no held arrival)."""
    through = dict(service.db.execute(
        "SELECT chat_id, digest_through FROM chats WHERE chat_id IN (SELECT value FROM json_each(?))",
        [json.dumps(list(subscribers))],
    ).fetchall())
    if top is None:
        top = service.db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
    floors = {chat_id: [max(through.get(chat_id) or 0, subscription.since_article) for subscription in subscriptions]
              for chat_id, subscriptions in subscribers.items()}
    low = min((floor for chat in floors.values() for floor in chat), default=top)
    return floors, _candidates(service, "a.id > ? AND a.id <= ? AND NOT i.archived AND i.hold_id IS NULL", [low, top])


def prepare_digests(service: ZoneService, between: Callable[[], object] = lambda: None) -> int:
    """Make and store (ZoneService.article_summary_of) the list line of every article the chats'
    next digests will list, one article at a time, calling `between()` before each: the planner
    does this in the background after pages arrive, so that planning a digest only reads them.
    Returns how many articles the next digests list."""
    subscribers = service.subscribers(digest_off=False)
    floors, candidates = _digest_candidates(service, subscribers, None)
    lowest: dict[Target, int] = {}  # each subscription target, with the lowest floor any chat has for it
    for chat_id, subscriptions in subscribers.items():
        for subscription, floor in zip(subscriptions, floors[chat_id]):
            lowest[subscription.target] = min(lowest.get(subscription.target, floor), floor)
    listed = [candidate.id for candidate in candidates
              if any(candidate.id > floor and _concerns([target], candidate) for target, floor in lowest.items())]
    for article_id in listed:
        between()
        service.article_line(article_id)
    return len(listed)


def _ids(digest: list[tuple[Target, list[int]]]) -> Iterator[int]:
    return (article_id for _, ids in digest for article_id in ids)


def _digest(subscriptions: Sequence[Subscription], floors: Sequence[int],
            candidates: Sequence[_Candidate]) -> list[tuple[Target, list[int]]]:
    """The article ids of one chat's digest, under the first subscription each falls under."""
    shown: set[int] = set()
    sections = []
    for subscription, floor in zip(subscriptions, floors):
        found = [c.id for c in candidates
                 if c.id > floor and c.id not in shown and _concerns([subscription.target], c)]
        shown.update(found)
        if found:
            sections.append((subscription.target, found))
    return sections


@dataclass(frozen=True)
class _DigestRun:
    """What one planning of digests made once for all its batches: the articles' list lines, and
    the text of each different digest (many chats subscribe alike)."""

    lines: dict[int, ArticleLine]
    texts: dict[Digest, list[Part]]

    def text(self, digest: Digest) -> list[Part]:
        if digest not in self.texts:
            self.texts[digest] = render.digest_parts(digest)
        return self.texts[digest]


def _plan_batch(service: ZoneService, due: Sequence[DueDigest], top: int, now: datetime,
                send_empty: bool, made: _DigestRun) -> DigestRun:
    """One batch of digest_batches, inside its transaction."""
    db = service.db
    digests = build_digests(service, [item.chat_id for item in due], top, made.lines)
    per_key: dict[str, list[int]] = {}  # key -> [chats, messages]
    for item in due:
        digest = digests.get(item.chat_id)
        counts = per_key.setdefault(item.key, [0, 0])
        if digest is not None and (digest.count or send_empty):
            counts[0] += 1
            counts[1] += plan_messages(db, item.chat_id, item.key, made.text(digest), now)
    db.conn.executemany(
        "UPDATE chats SET digest_through = ?, digest_run = coalesce(?, digest_run) WHERE chat_id = ?",
        [(top, timestamp(item.run) if item.run else None, item.chat_id) for item in due],
    )
    db.conn.executemany(
        "INSERT INTO digest_runs (key, planned_at, as_of, chats, messages) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET chats = chats + excluded.chats, messages = messages + excluded.messages",
        [(key, timestamp(now), timestamp(now), chats, messages) for key, (chats, messages) in per_key.items()],
    )
    chats = sum(counts[0] for counts in per_key.values())
    messages = sum(counts[1] for counts in per_key.values())
    return DigestRun(chats, messages, len(due))
