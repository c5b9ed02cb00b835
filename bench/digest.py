"""Digest planning at scale: many subscribers planned in batches, and answers meanwhile.

    python -m bench.digest [--chats 10000] [--batch 200] [--answers 300]

A store holding the five seed pages (30 articles, all arrived since every chat's last digest)
and --chats subscribers (1 in 10 to 全部, 3 in 10 to a city, the rest to a zone). Measures
- planning every chat's digest the way the bot does (bot.planning.digest_batches in a thread with
  its own connection, --batch chats a transaction): the total, the longest batch (the longest the
  store's write lock is held, so the longest a writer such as the sender may wait), the messages
  and text written, and how much the process's peak memory grew;
- answers (bot.commands.handle_text "/zone 晋城" over their own connection, as the bot's answer
  threads run them) while idle and while the planning runs: p50 / p95 / max.
Never run by the tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import threading
import time
from datetime import datetime, UTC
from pathlib import Path

from bot import planning
from bot.commands import Context, handle_text
from bot.config import Settings
from bot.db import connect, open_db
from bot.ingest import ingest_paths, load_gazetteer
from bot.service import ZoneService
from summarize.tokens import Tokenizer

ROOT = Path(__file__).resolve().parent.parent
FIRST_CHAT = 1_000_001
QUESTION = "/zone 晋城"


def build(store: Path, chats: int, service_of) -> None:
    """Subscribers first (since_article 0: everything is new to them), then the seed pages."""
    with open_db(store) as db:
        service = service_of(db)
        zones = [zone.name for zone in service.gazetteer.zones]
        cities = list(service.gazetteer.cities())
        now = datetime.now(UTC).isoformat(timespec="seconds")
        targets = []
        for index in range(chats):
            kind = index % 10
            query = "全部" if kind == 0 else cities[index % len(cities)] if kind < 4 else zones[index % len(zones)]
            found = service.target(query)
            targets.append((FIRST_CHAT + index, found.kind, found.name))
        with db.atomic():
            db.conn.executemany("INSERT INTO chats (chat_id, created_at, paused) VALUES (?, ?, 0)",
                                [(chat_id, now) for chat_id, _, _ in targets])
            db.conn.executemany("INSERT INTO subscriptions (chat_id, kind, target, created_at, since_article)"
                                " VALUES (?, ?, ?, ?, 0)", [(*target, now) for target in targets])
        outcomes = ingest_paths(db, sorted((ROOT / "seeds").glob("*.txt")), gazetteer=service.gazetteer)
        assert all(outcome.error is None for outcome in outcomes)
        db.execute("UPDATE issues SET pushes_planned_at = '2000-01-01'")  # pushes are not measured here


def answer_times(service: ZoneService, until: threading.Event | None, count: int) -> list[float]:
    """Seconds per answer: `count` answers, or answers until `until` is set."""
    context = Context(chat_id=7)
    samples: list[float] = []
    while (until is None and len(samples) < count) or (until is not None and not until.is_set()):
        start = time.perf_counter()
        handle_text(service, context, QUESTION)
        samples.append(time.perf_counter() - start)
    return samples


def spread(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.0f} / {p95 * 1000:.0f} / {ordered[-1] * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.digest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=planning.DIGEST_BATCH)
    parser.add_argument("--answers", type=int, default=300, help="answers measured while idle")
    args = parser.parse_args(argv)
    gazetteer = load_gazetteer(Settings().zones_csv)
    tokenizer = Tokenizer(extra_words=gazetteer.forms())

    def service_of(db) -> ZoneService:
        return ZoneService(db, gazetteer, tokenizer)

    with tempfile.TemporaryDirectory(prefix="zonebrief-digest-") as folder:
        store = Path(folder) / "zonebrief.db"
        build(store, args.chats, service_of)
        answers = service_of(connect(store))
        idle = answer_times(answers, None, args.answers)
        batches: list[float] = []
        done = threading.Event()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        def plan() -> None:  # in its own thread, over its own connection, as the bot's planner
            planner = service_of(connect(store))
            now = datetime.now(UTC)
            due = planning.every_subscriber(planner, now)
            started = time.perf_counter()
            for _ in planning.digest_batches(planner, due, now, send_empty=False, batch=args.batch):
                batches.append(time.perf_counter() - started)
                started = time.perf_counter()
            done.set()

        thread = threading.Thread(target=plan)
        start = time.perf_counter()
        thread.start()
        busy = answer_times(answers, done, 0)
        thread.join()
        total = time.perf_counter() - start
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        messages, chats, text = answers.db.execute(
            "SELECT count(*), count(DISTINCT chat_id), coalesce(sum(length(text)), 0) FROM deliveries").fetchone()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"Measured {datetime.now():%Y-%m-%d}, {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"--chats {args.chats} --batch {args.batch}\n")
    print("| measurement | result | note |\n|---|---:|---|")
    print(f"| plan {args.chats:,} digests | {total:.1f} s | {len(batches)} batches of {args.batch}; "
          f"{messages:,} messages to {chats:,} chats, {text / 1e6:.1f} M characters |")
    print(f"| longest batch (write lock held) | {max(batches) * 1000:.0f} ms | "
          f"median {statistics.median(batches) * 1000:.0f} ms |")
    print(f"| peak memory growth while planning | {rss_growth / 1024:.0f} MB | ru_maxrss |")
    print(f"| answer `{QUESTION}`, idle | {spread(idle)} | p50 / p95 / max of {len(idle)} |")
    print(f"| answer `{QUESTION}`, while planning | {spread(busy)} | p50 / p95 / max of {len(busy)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
