"""Scale benchmark: a synthetic archive of N articles, ingested and asked, as the bot would be.

    python -m bench.scale --articles 10000 [--seed 7] [--keep DIR] [--repeat 40] [--e2e]

The archive is built from the seed pages' own paragraphs and titles (bench.corpus): 10 articles a
page, each under a zone's official name, the zones drawn with a Zipf skew (a few zones fill most of
the paper, as in the real one), pages ending 2026-11-20, 200 a year on average (about four a week: so
20,000 articles in 2,000 pages span ten years) with more pages in later years, each with a dated masthead (开发区建设 / 2025年4月18日 星期五 / 第12期). The same seed
gives the same archive.

Reported (a Markdown table row per measurement, for docs/BENCHMARKS.md):
- ingest: `zonebrief ingest DIR` in a subprocess, articles per second, and the store's size
  against the text it holds;
- start-up: `zonebrief ask "/zone 太原"` wall time (a cold process);
- every command and button, answered in-process through bot.commands as both transports call it
  (p50 / p95 over `--repeat` calls with varied arguments, so per-process caches do not flatter);
- the weekly digest of one 全部 subscriber, and planning a push to 10,000 subscribers;
- with `--e2e`: `zonebrief run` in a subprocess against the Bot API stand-in (tests/botapi.py):
  its first answer after start, reply latency of city view, zone card, search and latest (p50 /
  p95, one at a time), and bursts of 10 and 50 commands from as many chats at once (last reply).
Never run by the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import math
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import ROOT, SEEDS, ZONES_CSV
from summarize.segment import ARTICLE, split_page
from summarize.zones import Gazetteer

sys.path.insert(0, str(ROOT / "tests"))  # the Bot API stand-in lives with the tests

ARTICLES_PER_PAGE = 10
LAST_DAY = datetime.date(2026, 11, 20)
PAGES_PER_YEAR = 200  # on average (about four a week): 2,000 pages span ten years, at any archive size
ZIPF_EXPONENT = 1.1  # zone k (by popularity) gets weight 1 / k ** ZIPF_EXPONENT
GROWTH = 1.5  # the last year prints this many times as many pages as the first
WEEKDAYS = "一二三四五六日"
CITY = "太原"
SEARCH_QUERIES = ("项目", "发展", "企业", "晋城 光机电", "新能源", "产业 集群", "招商引资", "氢能", "人才", "数字经济")
FANOUT_CHATS = 10_000
FIRST_CHAT = 1_000_001


# --- the synthetic archive ---------------------------------------------------------------------


@dataclass(frozen=True)
class SeedText:
    titles: tuple[str, ...]
    paragraphs: tuple[str, ...]
    authors: tuple[str, ...]


def seed_text(gazetteer: Gazetteer) -> SeedText:
    """The titles, body paragraphs (dateline-free, 30+ characters) and bylines of the seed articles."""
    titles: list[str] = []
    paragraphs: list[str] = []
    authors: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for article in split_page(path.read_text(encoding="utf-8"), gazetteer).articles:
            if article.kind != ARTICLE or not article.title:
                continue
            titles.append(" ".join(article.title.split()))
            paragraphs.extend(p for p in article.body if len(p) >= 30 and "讯" not in p[:20])
            if article.author and len(article.author) <= 4:
                authors.append(article.author)
    return SeedText(tuple(dict.fromkeys(titles)), tuple(dict.fromkeys(paragraphs)), tuple(dict.fromkeys(authors)))


def page_days(pages: int, rng: random.Random) -> list[datetime.date]:
    """`pages` dates ending LAST_DAY, PAGES_PER_YEAR a year on average, denser in later years, sorted."""
    span = max(7, round(pages / PAGES_PER_YEAR * 365.25))
    days = []
    for _ in range(pages):
        # inverse CDF of a density rising linearly from 1 to GROWTH over the span
        u = rng.random()
        a, b = 1.0, GROWTH - 1.0
        x = (-a + math.sqrt(a * a + 2 * b * u * (a + b / 2))) / b if b else u
        days.append(LAST_DAY - datetime.timedelta(days=int((1 - x) * span)))
    return sorted(days)


def page_text(day: datetime.date, number: int, zones: list[str], seed: SeedText, rng: random.Random) -> str:
    """One page: a dated masthead and ARTICLES_PER_PAGE articles, each under its zone's name."""
    lines = ["开发区建设", f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}", f"第{number}期"]
    for zone in zones:
        body = rng.sample(seed.paragraphs, rng.randint(3, 6))
        body[0] = f"科学导报讯 {body[0]}"
        body[-1] = f"{body[-1]} {rng.choice(seed.authors)}"
        lines += [zone, f"{rng.choice(seed.titles)}（{rng.randint(1, 999)}）", *body]
    return "\n\n".join(lines) + "\n"


def write_archive(folder: Path, articles: int, rng: random.Random) -> tuple[int, int]:
    """Write the archive's page files into `folder`; returns (pages, bytes of text)."""
    gazetteer = Gazetteer.from_csv(ZONES_CSV.read_text(encoding="utf-8"))
    seed = seed_text(gazetteer)
    names = [zone.name for zone in gazetteer.zones]
    rng.shuffle(names)  # which zones are popular is part of the seed
    weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(names))]
    pages = max(1, articles // ARTICLES_PER_PAGE)
    size = 0
    numbers: dict[int, int] = {}
    for index, day in enumerate(page_days(pages, rng)):
        numbers[day.year] = numbers.get(day.year, 0) + 1
        text = page_text(day, numbers[day.year], rng.choices(names, weights, k=ARTICLES_PER_PAGE), seed, rng)
        path = folder / f"{day:%Y%m%d}_{index:06d}.txt"
        path.write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
    return pages, size


# --- measuring ------------------------------------------------------------------------------------


def zonebrief(*args: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run `zonebrief ARGS` in a subprocess; (wall seconds, CPU seconds of it and its workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"zonebrief {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


@dataclass
class Row:
    what: str
    value: str
    note: str = ""


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def timed_cpu(call: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this thread): on a shared machine the CPU time is what the
    answer costs, the wall time also what other processes took."""
    wall, cpu = time.perf_counter(), time.thread_time()
    call()
    return time.perf_counter() - wall, time.thread_time() - cpu


def store_size(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def table_sizes(path: Path) -> str:
    """The biggest tables and indexes of the store, in MB (SQLite's dbstat)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8").fetchall()
    return ", ".join(f"{name} {size / 1e6:.1f}" for name, size in rows)


def text_size(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(
            "SELECT sum(length(CAST(body AS BLOB)) + coalesce(length(CAST(title AS BLOB)), 0)) FROM articles"
        ).fetchone()[0]


def command_cases(service, rng: random.Random, repeat: int) -> dict[str, list[Callable[[], object]]]:
    """Every command and button, `repeat` calls each with varied arguments."""
    from bot import commands
    from bot.service import zone_code

    ctx = commands.Context(chat_id=FIRST_CHAT - 1)
    ids = [row[0] for row in service.db.execute("SELECT id FROM articles ORDER BY random() LIMIT ?", [repeat * 4])]
    busy = [row[0] for row in service.db.execute(
        "SELECT zone FROM article_zones GROUP BY zone ORDER BY count(*) DESC LIMIT 5")]
    zones = [zone.name for zone in service.gazetteer.zones]
    cities = list(service.gazetteer.cities())

    def page() -> int:
        return 5 * rng.randint(1, 19)

    messages: dict[str, Callable[[int], str]] = {
        "/zone 太原 (city view)": lambda i: f"/zone {CITY}",
        "/zone <city> (any city)": lambda i: f"/zone {rng.choice(cities)}",
        "/zone <busiest zone>": lambda i: f"/zone {busy[i % len(busy)]}",
        "/zone <any zone>": lambda i: f"/zone {rng.choice(zones)}",
        "/zone (directory)": lambda i: "/zone",
        "/search <word>": lambda i: f"/search {SEARCH_QUERIES[i % len(SEARCH_QUERIES)]}",
        "/search 项目": lambda i: "/search 项目",
        "/latest": lambda i: "/latest",
        "/summary <id>": lambda i: f"/summary {ids[i]}",
        "/read <id>": lambda i: f"/read {ids[repeat + i]}",
        "/subscribe <zone>": lambda i: f"/subscribe {rng.choice(zones)}",
        "/subscriptions": lambda i: "/subscriptions",
        "/help": lambda i: "/help",
    }
    presses: dict[str, Callable[[int], str]] = {
        "button sum:<id>": lambda i: f"sum:{ids[2 * repeat + i]}",
        "button read:<id>": lambda i: f"read:{ids[3 * repeat + i]}",
        "button z:<busiest zone>": lambda i: f"z:{zone_code(busy[i % len(busy)])}",
        "button zp:<busiest zone>:<page 2-20>": lambda i: f"zp:{zone_code(busy[i % len(busy)])}:{page()}",
        "button c:太原": lambda i: f"c:{CITY}",
        "button cp:太原:<page 2-20>": lambda i: f"cp:{CITY}:{page()}",
        "button sub:a / uns:*": lambda i: "sub:a" if i % 2 == 0 else "uns:*",
    }
    cases: dict[str, list[Callable[[], object]]] = {name: [functools.partial(commands.handle_text, service, ctx, make(i)) for i in range(repeat)]
             for name, make in messages.items()}
    cases.update({name: [functools.partial(commands.handle_press, service, ctx, make(i)) for i in range(repeat)]
                  for name, make in presses.items()})
    return cases


def measure_commands(store: Path, repeat: int, rng: random.Random) -> list[Row]:
    from bot.cli import _text_tools
    from bot.config import Settings
    from bot.db import open_db
    from bot.service import ZoneService

    gazetteer, tokenizer = _text_tools(Settings())
    with tempfile.TemporaryDirectory() as folder:  # the commands subscribe: on a copy of the store
        copy = Path(folder) / "commands.db"
        shutil.copy(store, copy)
        service = ZoneService(open_db(copy), gazetteer, tokenizer)
        rows = time_commands(service, tokenizer, repeat, rng)
        service.db.close()
    return rows


def time_commands(service, tokenizer, repeat: int, rng: random.Random) -> list[Row]:
    cold = timed(lambda: tokenizer.cut("预热"))
    rows = [Row("tokenizer load (first use, in-process)", f"{cold * 1000:.0f} ms")]
    for name, calls in command_cases(service, rng, repeat).items():
        wall, cpu = zip(*(timed_cpu(call) for call in calls))
        p50, p95 = percentiles(list(wall))
        cpu50, cpu95 = percentiles(list(cpu))
        rows.append(Row(name, f"{p50:.1f} / {p95:.1f} ms", f"CPU {cpu50:.1f} / {cpu95:.1f} ms; p50 / p95 of {len(calls)}"))
    return rows


def measure_digest(store: Path, repeat: int) -> list[Row]:
    """One 全部 subscriber's digest (build + text), as_of the newest issue's day and weeks before it;
    then planning one push to FANOUT_CHATS subscribers and a digest for them."""
    from bot import planning, render
    from bot.cli import _text_tools
    from bot.config import Settings
    from bot.db import open_db
    from bot.service import Target, ZoneService

    gazetteer, tokenizer = _text_tools(Settings())
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "digest.db"
        shutil.copy(store, copy)
        db = open_db(copy)
        service = ZoneService(db, gazetteer, tokenizer)
        # `zonebrief ingest` stored the pages as archive: here they count as arrivals, week by week.
        db.execute("UPDATE issues SET pushes_planned_at = coalesce(pushes_planned_at, '2000-01-01'), archived = 0")
        everything = service.target("全部")
        assert isinstance(everything, Target)
        service.subscribe(FIRST_CHAT, everything)
        newest = datetime.date.fromisoformat(db.execute("SELECT max(issue_date) FROM issues").fetchone()[0])
        # As the bot's planner does when pages arrive (Courier.refresh): the list lines of what the
        # next digests list, made ahead, here for all the weeks measured at once.
        db.execute("UPDATE chats SET digest_through = ? WHERE chat_id = ?",
                   [week_of_arrivals(db, newest - datetime.timedelta(days=7 * (repeat - 1)))[0], FIRST_CHAT])
        db.execute("UPDATE subscriptions SET since_article = 0")
        made: list[int] = []
        wall, cpu = timed_cpu(lambda: made.append(planning.prepare_digests(service)))
        prepared = max(made[0], 1)
        rows = [Row("the planner makes the digests' list lines when pages arrive (prepare_digests)",
                    f"{wall / prepared * 1000:.1f} ms an article", f"CPU {cpu / prepared * 1000:.1f} ms; {prepared:,} articles "
                    f"({repeat} weeks), in the background")]
        samples, cpus, articles = [], [], []
        for week in range(repeat):
            as_of = newest - datetime.timedelta(days=7 * week)
            since, top = week_of_arrivals(db, as_of)
            db.execute("UPDATE chats SET digest_through = ? WHERE chat_id = ?", [since, FIRST_CHAT])
            db.execute("UPDATE subscriptions SET since_article = 0")
            start, cpu = time.perf_counter(), time.thread_time()
            digest = planning.build_digests(service, [FIRST_CHAT], top)[FIRST_CHAT]
            render.digest_parts(digest)
            samples.append(time.perf_counter() - start)
            cpus.append(time.thread_time() - cpu)
            articles.append(digest.count)
        p50, p95 = percentiles(samples)
        rows.append(Row("digest for a 全部 subscriber (build + text)", f"{p50:.0f} / {p95:.0f} ms",
                        f"p50 / p95 of {repeat} weeks, {statistics.median(articles):.0f} articles a week (median); "
                        f"CPU {percentiles(cpus)[0]:.0f} / {percentiles(cpus)[1]:.0f} ms"))
        rows += measure_fanout_planning(service, newest)
        db.close()
    return rows


def week_of_arrivals(db, as_of: datetime.date) -> tuple[int, int]:
    """The article ids (after, up to) of the issues dated in the seven days ending on `as_of`, as
    if they had arrived since the previous digest (the bench store is ingested in date order)."""
    def last_id(day: datetime.date) -> int:
        return db.execute("SELECT coalesce(max(a.id), 0) FROM articles a JOIN issues i ON i.id = a.issue_id"
                          " WHERE i.issue_date <= ?", [day.isoformat()]).fetchone()[0]
    return last_id(as_of - datetime.timedelta(days=7)), last_id(as_of)


def measure_fanout_planning(service, newest: datetime.date) -> list[Row]:
    from bot import outbox, planning, sender

    db = service.db
    zones = [zone.name for zone in service.gazetteer.zones]
    cities = list(service.gazetteer.cities())
    now = outbox.utc_now()
    with db.atomic():
        db.execute("DELETE FROM subscriptions")
        for index in range(FANOUT_CHATS):
            chat_id = FIRST_CHAT + index
            kind = index % 10
            target = "全部" if kind == 0 else cities[index % len(cities)] if kind < 4 else zones[index % len(zones)]
            db.execute("INSERT OR IGNORE INTO chats (chat_id, created_at, paused) VALUES (?, ?, 0)",
                       [chat_id, outbox.timestamp(now)])
            found = service.target(target)
            db.execute("INSERT OR IGNORE INTO subscriptions (chat_id, kind, target, created_at) VALUES (?, ?, ?, ?)",
                       [chat_id, found.kind, found.name, outbox.timestamp(now)])
    newest_issue = db.execute("SELECT id FROM issues ORDER BY issue_date DESC, id DESC LIMIT 1").fetchone()[0]
    db.execute("UPDATE issues SET pushes_planned_at = NULL, planned_through = NULL WHERE id = ?", [newest_issue])
    start = time.perf_counter()
    pushes = planning.plan_pushes(service, now)
    push_seconds = time.perf_counter() - start
    since, _ = week_of_arrivals(db, newest)
    db.execute("UPDATE chats SET digest_through = ?", [since])
    db.execute("UPDATE subscriptions SET since_article = 0")
    start = time.perf_counter()
    run = planning.plan_digests(service, planning.every_subscriber(service, now), now, send_empty=False)
    digest_seconds = time.perf_counter() - start
    start = time.perf_counter()
    due = sender.due_deliveries(db, now)
    due_seconds = time.perf_counter() - start
    return [
        Row(f"plan the newest issue's pushes for {FANOUT_CHATS:,} subscribers", f"{push_seconds * 1000:.0f} ms",
            f"{pushes:,} messages"),
        Row(f"plan a digest for {FANOUT_CHATS:,} subscribers", f"{digest_seconds:.1f} s",
            f"{run.messages:,} messages to {run.chats:,} chats, in batches of {planning.DIGEST_BATCH}"),
        Row("sender: read the due rows once", f"{due_seconds * 1000:.0f} ms",
            f"{sum(map(len, due)):,} rows"),
    ]


# --- end to end, through the Bot API stand-in -------------------------------------------------------


@dataclass
class Bot:
    """`zonebrief run` in a subprocess, against the Bot API stand-in."""

    botapi: object
    pid: int
    inbox: Path
    first: float  # seconds from start to its first answer

    def cpu(self) -> float:
        """CPU seconds the bot process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_bot(store: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[Bot]:
    """`zonebrief run` against a fresh stand-in, once it has answered its first message."""
    from botapi import BotApiStandIn

    with BotApiStandIn() as botapi, tempfile.TemporaryDirectory() as inbox:
        env = {**os.environ, "ZONEBRIEF_TOKEN": botapi.token, "ZONEBRIEF_INBOX": inbox,
               "PYTHONUNBUFFERED": "1", **(env or {})}
        with log.open("a") as out:
            start = time.perf_counter()
            process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--db", str(store),
                                        "--base-url", botapi.url], cwd=ROOT, env=env, stdout=out, stderr=out)
            try:
                botapi.send_text(1, "/help")
                botapi.wait_for_messages(1, 1, timeout=120)
                yield Bot(botapi, process.pid, Path(inbox), time.perf_counter() - start)
            finally:
                process.terminate()
                process.wait(timeout=30)


def reply_latency(botapi, chat_id: int, text: str) -> float:
    before = len(botapi.sent(chat_id))
    start = time.perf_counter()
    botapi.send_text(chat_id, text)
    botapi.wait_for_messages(chat_id, before + 1, timeout=60)
    return time.perf_counter() - start


def burst(botapi, size: int, first_chat: int, texts: list[str]) -> float:
    """`size` chats each send one command at the same moment; seconds until the last reply."""
    chats = range(first_chat, first_chat + size)
    start = time.perf_counter()
    for index, chat_id in enumerate(chats):
        botapi.send_text(chat_id, texts[index % len(texts)])
    botapi.wait_for(lambda: all(botapi.sent(chat_id) for chat_id in chats), timeout=120, what="every reply")
    return time.perf_counter() - start


# What the judge asks through the Bot API (issue 12): city view, zone card, search, latest.
E2E_COMMANDS = {"city view": f"/zone {CITY}", "zone card": "/zone {busy}", "search": "/search 项目",
                "latest": "/latest"}
E2E_P95_LIMIT_MS = 150.0  # the judge's bound, end to end …
E2E_SEED_RATIO = 2.0  # … and at most this many times the seed store's p95 in the same run


def busiest_zone(store: Path) -> str:
    with contextlib.closing(sqlite3.connect(store)) as connection:
        return connection.execute("SELECT zone FROM article_zones GROUP BY zone ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def latency_rows(bot: Bot, repeat: int, busy: str, label: str, first_chat: int = 10) -> tuple[list[Row], dict[str, float]]:
    """Each of E2E_COMMANDS `repeat` times, one at a time, from as many chats: a row each (wall
    p50 / p95, the bot process's CPU per answer) and the p95s by name."""
    rows, p95s = [], {}
    for name, command in E2E_COMMANDS.items():
        cpu = bot.cpu()
        samples = [reply_latency(bot.botapi, first_chat + i, command.format(busy=busy)) for i in range(repeat)]
        p50, p95s[name] = percentiles(samples)
        rows.append(Row(f"{label}: {name} through the Bot API", f"{p50:.0f} / {p95s[name]:.0f} ms",
                        f"p50 / p95 of {repeat}, end to end; the bot's CPU {(bot.cpu() - cpu) / repeat * 1000:.0f} ms an answer"))
    return rows, p95s


def measure_e2e(store: Path, repeat: int, log: Path, label: str) -> tuple[list[Row], dict[str, float]]:
    busy = busiest_zone(store)
    with running_bot(store, log) as bot:
        rows = [Row(f"{label}: `zonebrief run`, first answer after start", f"{bot.first:.2f} s")]
        latencies, p95s = latency_rows(bot, repeat, busy, label)
        rows += latencies
        texts = [command.format(busy=busy) for command in E2E_COMMANDS.values()]
        for size in (10, 50):
            samples = [burst(bot.botapi, size, 10_000 * (size + trial), texts) for trial in range(5)]
            p50, p95 = percentiles(samples)
            rows.append(Row(f"{label}: burst of {size} commands from {size} chats, last reply",
                            f"{p50:.0f} / {p95:.0f} ms", "p50 / p95 of 5 bursts"))
        rows.append(flood(bot.botapi, texts[0]))
    return rows, p95s


def verdict(label: str, p95s: dict[str, float], seeds: dict[str, float]) -> Row:
    """The judge's test of one run: every p95 at most E2E_P95_LIMIT_MS and E2E_SEED_RATIO × the seeds'."""
    ratios = {name: p95s[name] / seeds[name] for name in p95s}
    met = all(p95s[name] <= E2E_P95_LIMIT_MS and ratios[name] <= E2E_SEED_RATIO for name in p95s)
    return Row(f"{label}: p95 ≤ {E2E_P95_LIMIT_MS:.0f} ms and ≤ {E2E_SEED_RATIO:g}× the seed pages' p95",
               "met" if met else "NOT met", ", ".join(f"{name} ×{ratio:.2f}" for name, ratio in ratios.items()))


def measure_inbox(folder: Path, articles: int, seed: int, repeat: int, log: Path,
                  seeds_p95: dict[str, float]) -> list[Row]:
    """The archive's pages dropped at once into the inbox of a bot started on a new store (the
    five seed pages): the rate they are taken in at, replies while they are (the planner ingests
    them in its thread), and replies at once after the last page is in (polls every second)."""
    staging = folder / "inbox-pages"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    pages, _ = write_archive(staging, articles, random.Random(seed))
    store = folder / "inbox.db"
    for old in folder.glob("inbox.db*"):
        old.unlink()
    with running_bot(store, log, {"ZONEBRIEF_INBOX_POLL_SECONDS": "1"}) as bot:
        cpu, start = bot.cpu(), time.perf_counter()
        for path in sorted(staging.iterdir()):
            os.replace(path, bot.inbox / path.name)  # whole files, as an operator's mv
        during: list[float] = []
        texts = [command.format(busy="晋城经济技术开发区") for command in E2E_COMMANDS.values()]
        while len(list((bot.inbox / "done").glob("*"))) < pages:
            during.append(reply_latency(bot.botapi, 20_000 + len(during), texts[len(during) % len(texts)]))
            time.sleep(0.2)
        seconds, ingest_cpu = time.perf_counter() - start, bot.cpu() - cpu
        rows = [Row(f"{articles:,} through the running bot's inbox: taken in", f"{articles / seconds:.0f} articles/s",
                    f"{pages:,} pages in {seconds:.1f} s from the drop to the last in done/ (polls every 1 s); "
                    f"the bot's CPU {ingest_cpu:.1f} s, {ingest_cpu / articles * 1000:.2f} ms an article")]
        if during:
            p50, p95 = percentiles(during)
            rows.append(Row(f"{articles:,} via the inbox: replies while the planner ingests", f"{p50:.0f} / {p95:.0f} ms",
                            f"p50 / p95 of {len(during)}, the four commands in turn, one every 0.2 s"))
        latencies, p95s = latency_rows(bot, repeat, busiest_zone(store), f"{articles:,} via the inbox, asked at once", 30_000)
        rows += latencies
        rows.append(verdict(f"{articles:,} via the inbox", p95s, seeds_p95))
    shutil.rmtree(staging, ignore_errors=True)
    return rows


def flood(botapi, text: str) -> Row:
    """One chat sends 500 messages at once; another chat's reply latency right after."""
    flooder, other = 900_001, 900_002
    for number in range(500):
        botapi.send_text(flooder, f"/summary {number % 50 + 1}")
    latency = reply_latency(botapi, other, text)
    botapi.wait_for(lambda: botapi.pending_updates == [], timeout=120, what="the flood taken")
    return Row("one chat sends 500 messages at once, another chat's reply right after", f"{latency * 1000:.0f} ms")


# --- main ---------------------------------------------------------------------------------------------


def build(folder: Path, articles: int, seed: int) -> tuple[Path, list[Row]]:
    pages_dir = folder / "pages"
    pages_dir.mkdir()
    pages, size = write_archive(pages_dir, articles, random.Random(seed))
    store = folder / "zonebrief.db"
    seconds, cpu = zonebrief("ingest", "--db", str(store), str(pages_dir))
    with contextlib.closing(sqlite3.connect(store)) as connection:
        stored = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    shutil.rmtree(pages_dir)
    on_disk, text = store_size(store), text_size(store)
    return store, [
        Row("archive", f"{stored:,} articles", f"{pages:,} pages, {size / 1e6:.1f} MB of page text"),
        Row("ingest (`zonebrief ingest DIR`, whole process)", f"{stored / seconds:.0f} articles/s", f"{seconds:.1f} s"),
        Row("ingest CPU time (process and workers)", f"{cpu / stored * 1000:.2f} ms/article",
            f"{cpu:.1f} s: {stored / cpu:.0f} articles per CPU-second"),
        Row("store size", f"{on_disk / 1e6:.1f} MB", f"{on_disk / text:.2f}× the {text / 1e6:.1f} MB of titles and bodies"),
        Row("biggest tables and indexes (MB)", table_sizes(store)),
    ]


def measure_end_to_end(folder: Path, store: Path, args: argparse.Namespace) -> list[Row]:
    """The seed pages' store, then the archive's (--e2e) and the archive through the inbox
    (--inbox), each in `zonebrief run` in the same run; with the judge's verdict for each."""
    seeds = folder / "seeds.db"
    if not seeds.exists():
        zonebrief("ingest", "--db", str(seeds), str(SEEDS))
    rows, seeds_p95 = measure_e2e(seeds, args.repeat, folder / "bot.log", "seed pages")
    if args.e2e:
        archive_rows, p95s = measure_e2e(store, args.repeat, folder / "bot.log", f"{args.articles:,}")
        rows += [*archive_rows, verdict(f"{args.articles:,}", p95s, seeds_p95)]
    if args.inbox:
        rows += measure_inbox(folder, args.articles, args.seed, args.repeat, folder / "bot.log", seeds_p95)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=40, help="calls per command")
    parser.add_argument("--keep", type=Path, help="build the store here and keep it (reused if it exists)")
    parser.add_argument("--e2e", action="store_true", help="also measure `zonebrief run` through the Bot API stand-in")
    parser.add_argument("--inbox", action="store_true",
                        help="also drop the archive's pages into a running bot's inbox and ask while and after it takes them in")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="zonebrief-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "zonebrief.db"
    try:
        if store.exists():
            rows = [Row("archive", "reused", str(store))]
        else:
            store, rows = build(folder, args.articles, args.seed)
        zonebrief("ask", "--db", str(store), "/help")  # once: a store of an older version is migrated
        seconds, ask_cpu = zonebrief("ask", "--db", str(store), f"/zone {CITY}")
        rows.append(Row(f"`zonebrief ask \"/zone {CITY}\"` (whole process)", f"{seconds:.2f} s", f"CPU {ask_cpu:.2f} s"))
        rows += measure_commands(store, args.repeat, random.Random(args.seed))
        rows += measure_digest(store, min(args.repeat, 20))
        if args.e2e or args.inbox:
            rows += measure_end_to_end(folder, store, args)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"Measured {datetime.date.today()}, {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"--articles {args.articles} --seed {args.seed} --repeat {args.repeat}\n")
    print("| measurement | result (wall) | note |\n|---|---:|---|")
    for row in rows:
        print(f"| {row.what} | {row.value} | {row.note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
