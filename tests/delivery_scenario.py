"""The delivery scenario shared by the end-to-end tests and the crash experiment (bench/crash.py).

Four seed pages are in the store and a dozen chats subscribe (some to 全部, some to a city or a
zone); the fifth seed page (吕梁 ×3, 综改区, 临汾, 祁县 and a photo) is then dropped into the inbox
of `zonebrief run` running in a subprocess against the Bot API stand-in (tests/botapi.py).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import time as clock_time
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from botapi import BotApiStandIn

from bot import outbox, planning
from bot.db import open_db
from bot.ingest import content_hash, ingest_paths
from bot.service import Target, ZoneService
from summarize.tokens import Tokenizer
from summarize.zones import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
NEW_PAGE = SEEDS[4]  # 吕梁 ×3 (one city), 综改区, 临汾经济开发区, 祁县: six articles and a photo
NEW_PAGE_HASH = content_hash(NEW_PAGE.read_text("utf-8"))  # identifies its issue, whatever the file's name
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_NINE = planning.Schedule(0, clock_time(9, 0), SHANGHAI)  # the default digest schedule
ADMIN = 900
# chat -> what it subscribes to
SUBSCRIBERS = {
    101: ["全部"], 102: ["全部"], 103: ["全部"], 104: ["全部"], 105: ["全部"], 106: ["全部"],
    107: ["吕梁"], 108: ["吕梁"], 109: ["吕梁", "全部"],
    110: ["临汾经开区"], 111: ["临汾经开区"],
    112: ["晋城经开区"],  # nothing on the new page
}
BYSTANDER = 113  # talks to the bot, subscribes to nothing
PUSHES = 6 * 6 + 3 + 3 + 6 + 1 + 1  # the new page's six articles (its photo is not pushed), per chat
PUSH_MESSAGES = 11  # one message per chat that gets any of them (101 … 111)
ARTICLE_LINE = re.compile(r"^\[(\d+)\]", re.MULTILINE)  # an article in a push: [id] zone《title》


def build_store(path: Path, gazetteer: Gazetteer, tokenizer: Tokenizer) -> Path:
    """Four seed pages (planned at a first start, nobody subscribed yet), then the subscribers."""
    with open_db(path) as db:
        for outcome in ingest_paths(db, SEEDS[:4], gazetteer=gazetteer):
            assert outcome.error is None
        service = ZoneService(db, gazetteer, tokenizer)
        planning.plan_pushes(service, outbox.utc_now())
        for chat_id, queries in SUBSCRIBERS.items():
            subscribe(service, chat_id, *queries)
    return path


def subscribe(service: ZoneService, chat_id: int, *queries: str) -> None:
    for query in queries:
        target = service.target(query)
        assert isinstance(target, Target), query
        service.subscribe(chat_id, target)


def add_users(botapi: BotApiStandIn) -> None:
    for chat_id in [*SUBSCRIBERS, BYSTANDER, ADMIN]:
        botapi.add_user(chat_id)


def drop_into_inbox(inbox: Path, page: Path = NEW_PAGE) -> None:
    """Copy a page into the inbox as a finished copy (last modified a minute ago)."""
    inbox.mkdir(parents=True, exist_ok=True)
    partial = inbox / f".{page.name}.partial"
    shutil.copyfile(page, partial)
    moment = time.time() - 60
    os.utime(partial, (moment, moment))
    partial.rename(inbox / page.name)


def expected_pushes(store: Path) -> dict[int, set[int]]:
    """chat -> ids of the new page's articles it subscribes to, straight from the tables."""
    with sqlite3.connect(store) as connection:
        articles = connection.execute(
            "SELECT a.id, a.city, group_concat(az.zone, '|'), group_concat(z.city, '|')"
            " FROM articles a JOIN issues i ON i.id = a.issue_id"
            " LEFT JOIN article_zones az ON az.article_id = a.id LEFT JOIN zones z ON z.name = az.zone"
            " WHERE i.content_hash = ? AND a.kind = 'article' GROUP BY a.id", [NEW_PAGE_HASH],
        ).fetchall()
        subscriptions = connection.execute("SELECT chat_id, kind, target FROM subscriptions").fetchall()
    expected: dict[int, set[int]] = {}
    for chat_id, kind, target in subscriptions:
        for article_id, city, zones, cities in articles:
            if (kind == "all" or (kind == "zone" and target in (zones or "").split("|"))
                    or (kind == "city" and target in {city, *(cities or "").split("|")})):
                expected.setdefault(chat_id, set()).add(article_id)
    return expected


def pushes_received(botapi: BotApiStandIn) -> Counter:
    """(chat, article id) -> how many push messages the chat received listing that article."""
    return Counter((entry["chat_id"], int(article_id))
                   for entry in botapi.sent() if entry["plain_text"].startswith("🆕")
                   for article_id in ARTICLE_LINE.findall(entry["plain_text"]))


def push_messages(botapi: BotApiStandIn) -> Counter:
    """chat -> how many push messages it received."""
    return Counter(entry["chat_id"] for entry in botapi.sent() if entry["plain_text"].startswith("🆕"))


def pending(store: Path) -> int:
    with sqlite3.connect(store) as connection:
        return connection.execute("SELECT count(*) FROM deliveries WHERE status = 'pending'").fetchone()[0]


class BotApiServer(Protocol):
    """What the bot process needs of a Bot API server (the stand-in, or another one in bench.crash)."""

    @property
    def url(self) -> str: ...

    @property
    def token(self) -> str: ...


class BotProcess:
    """`zonebrief run --base-url …` in a subprocess, logging to a file."""

    def __init__(self, botapi: BotApiServer, store: Path, inbox: Path, log: Path) -> None:
        env = {**os.environ, "ZONEBRIEF_TOKEN": botapi.token, "ZONEBRIEF_INBOX": str(inbox),
               "ZONEBRIEF_INBOX_POLL_SECONDS": "1", "PYTHONUNBUFFERED": "1"}
        self.log = log.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "-v", "run", "--db", str(store), "--base-url", botapi.url],
            cwd=ROOT, env=env, stdout=self.log, stderr=self.log,
        )

    def kill(self) -> None:
        """SIGKILL (nothing if it is dead already), then wait for it."""
        self.process.kill()
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()
