"""Ingest benchmark: a synthetic archive taken in the ways pages arrive, in wall and CPU time.

The archive is bench.scale's (`write_archive`: N articles, 10 a page, dated mastheads, the seed
pages' paragraphs, zones with a realistic skew), written once into a folder. Then, each into a
new store:

- `cli`: `zonebrief ingest --db STORE PAGES` in a subprocess, the whole process (start-up,
  imports, opening the store, worker processes): pages are prepared in one worker process a CPU.
- `cli-1cpu`: the same pinned to one CPU (`taskset -c 0`): no workers, one page after another.
- `inbox`: the pages dropped into an inbox and taken in as the running bot's planner thread does
  (bot.inbox.Inbox.poll, then bot.admin.take_in), in a thread of this process, one page after
  another; the store, gazetteer and tokenizer are opened first (the running bot has them) and not
  counted, nor the wait for the polls (config inbox_poll_seconds: two polls see a file settle).

CPU time is the process's own plus its children's (the workers): wall time also counts what other
programs on the machine took.

    python -m bench.ingest --articles 20000             # 2,000 pages, the three ways
    python -m bench.ingest --articles 2000 --modes inbox
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bench.scale import write_archive

ROOT = Path(__file__).resolve().parent.parent
MODES = ("cli", "cli-1cpu", "inbox")


@dataclass(frozen=True)
class Run:
    mode: str
    articles: int
    wall: float  # seconds
    cpu: float  # seconds, this process (or the subprocess) and its workers


def run_cli(pages: Path, store: Path, *, one_cpu: bool) -> Run:
    """`zonebrief ingest --db STORE PAGES` in a subprocess, maybe pinned to one CPU."""
    command = [sys.executable, "-m", "bot.cli", "ingest", "--db", str(store), str(pages)]
    if one_cpu:
        command = ["taskset", "-c", "0", *command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"zonebrief ingest failed:\n{done.stderr[-2000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Run("cli-1cpu" if one_cpu else "cli", stored_articles(store), wall, cpu)


def run_inbox(pages: Path, store: Path) -> Run:
    """The pages copied into an inbox and taken in by two polls, as the bot does."""
    from bot.admin import take_in
    from bot.config import Settings
    from bot.db import open_db
    from bot.inbox import SETTLE_SECONDS, Inbox, InboxOutcome
    from bot.ingest import load_gazetteer
    from bot.service import ZoneService
    from summarize.tokens import Tokenizer

    inbox = store.parent / "inbox"
    shutil.copytree(pages, inbox)
    settings = Settings(db=str(store), inbox=str(inbox))
    gazetteer = load_gazetteer(settings.zones_csv)
    tokenizer = Tokenizer(extra_words=gazetteer.forms())
    # The files were written before this "now": they count as settled.
    now = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=SETTLE_SECONDS + 1)
    watcher = Inbox(inbox)
    outcomes: list[InboxOutcome] = []
    times: list[float] = []

    def planner() -> None:  # the bot polls in a thread of its own: no worker processes are forked
        with closing(open_db(store)) as db:
            service = ZoneService(db, gazetteer, tokenizer)
            times.extend((time.perf_counter(), time.process_time()))
            watcher.ready_files(now)  # the poll that first sees them
            outcomes.extend(watcher.poll(db, gazetteer=gazetteer, now=now))
            take_in(service, settings, outcomes, now)
            times.extend((time.perf_counter(), time.process_time()))

    thread = threading.Thread(target=planner)
    thread.start()
    thread.join()
    wall, cpu = times[2] - times[0], times[3] - times[1]
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    if failed or len(outcomes) != len(list(pages.glob("*.txt"))):
        raise RuntimeError(f"inbox: {len(outcomes)} files taken in, failed: {failed[:5]}")
    return Run("inbox", stored_articles(store), wall, cpu)


def stored_articles(store: Path) -> int:
    with closing(sqlite3.connect(store)) as connection:
        return connection.execute("SELECT count(*) FROM articles").fetchone()[0]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load average {load}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    args = parser.parse_args(argv)
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    unknown = set(modes) - set(MODES)
    if unknown:
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    folder = Path(tempfile.mkdtemp(prefix="zonebrief-ingest-"))
    try:
        pages = folder / "pages"
        pages.mkdir()
        count, size = write_archive(pages, args.articles, random.Random(args.seed))
        print(f"Measured {datetime.date.today()}, {machine()} (at the start)")
        print(f"{count:,} pages, {size / 1e6:.1f} MB of page text, --articles {args.articles} --seed {args.seed}\n")
        print("| way in | articles | wall | articles/s (wall) | CPU | CPU per article | articles per CPU-second |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for mode in modes:
            store = folder / mode / "zonebrief.db"
            store.parent.mkdir()
            run = run_inbox(pages, store) if mode == "inbox" else run_cli(pages, store, one_cpu=mode == "cli-1cpu")
            print(f"| {run.mode} | {run.articles:,} | {run.wall:.1f} s | {run.articles / run.wall:.0f} | {run.cpu:.1f} s"
                  f" | {run.cpu / run.articles * 1000:.2f} ms | {run.articles / run.cpu:.0f} |", flush=True)
            shutil.rmtree(store.parent)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
