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
    python -m bench.ingest --articles 2000 --modes inbox --steps   # and each step of a serial ingest
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
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

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
            times.extend((time.perf_counter(), time.process_time()))
            take_in(service, settings, outcomes, now)
            times.extend((time.perf_counter(), time.process_time()))

    thread = threading.Thread(target=planner)
    thread.start()
    thread.join()
    wall, cpu = times[4] - times[0], times[5] - times[1]
    print(f"(inbox: of which planning the pushes, admin.take_in once for the poll: {times[4] - times[2]:.2f} s wall,"
          f" {times[5] - times[3]:.2f} s CPU)", file=sys.stderr)
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    if failed or len(outcomes) != len(list(pages.glob("*.txt"))):
        raise RuntimeError(f"inbox: {len(outcomes)} files taken in, failed: {failed[:5]}")
    return Run("inbox", stored_articles(store), wall, cpu)


STEPS = (
    "read the file",
    "decode (and the binary check)",
    "content hash",
    "page reader (split_page: lines, headers, zones, articles)",
    "checks, rows and index terms (ingest._prepare)",
    "  of which the index terms (search.index_terms), timed again apart",
    "write the rows (ingest._write_rows)",
    f"commit (one a batch of {'{'}WRITE_BATCH_FILES{'}'} pages)",
)


def measure_steps(pages: Path, store: Path) -> tuple[int, dict[str, list[float]]]:
    """Each step of ingesting the pages serially, as ingest_paths does it: (articles, step ->
    [wall seconds, CPU seconds]); the fixed costs of a run first."""
    from bot import ingest
    from bot.db import open_db
    from bot.search import index_terms

    totals: dict[str, list[float]] = {}

    @contextmanager
    def step(name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        total = totals.setdefault(name, [0.0, 0.0])
        total[0] += time.perf_counter() - wall
        total[1] += time.process_time() - cpu

    imports = resource.getrusage(resource.RUSAGE_CHILDREN)
    with step("start-up: a new process importing bot.cli (wall; its CPU below)"):
        subprocess.run([sys.executable, "-c", "import bot.cli"], cwd=ROOT, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    totals[next(iter(totals))][1] = after.ru_utime + after.ru_stime - imports.ru_utime - imports.ru_stime
    with step("start-up: the gazetteer (load_gazetteer, its imports done)"):
        gazetteer = ingest.load_gazetteer(ROOT / "config" / "zones.csv")
    with step("start-up: a new store (open_db, the migrations)"):
        db = open_db(store)
    files, articles = sorted(pages.glob("*.txt")), 0
    batch_size = ingest.WRITE_BATCH_FILES
    with closing(db):
        for start in range(0, len(files), batch_size):
            batch = []
            for path in files[start:start + batch_size]:
                with step(STEPS[0]):
                    data = path.read_bytes()
                with step(STEPS[1]):
                    text, encoding = ingest.decode_page(data)
                with step(STEPS[2]):
                    digest, parse = ingest._text_source(text, gazetteer)
                with step(STEPS[3]):
                    page = parse()
                with step(STEPS[4]):
                    batch.append(ingest._prepare(page, digest, path.name, gazetteer, None, None, None, encoding))
                with step(STEPS[5]):
                    for article in batch[-1].articles:
                        index_terms(cast(str | None, article.row["title"]), str(article.row["body"]))
                articles += len(batch[-1].articles)
            db.execute("BEGIN IMMEDIATE")
            with step(STEPS[6]):
                for prepared in batch:
                    ingest._write_rows(db, prepared, gazetteer, True)
            with step(STEPS[7]):
                db.execute("COMMIT")
    return articles, totals


def print_steps(articles: int, totals: dict[str, list[float]]) -> None:
    from bot.ingest import WRITE_BATCH_FILES

    cpu = sum(spent for name, (_, spent) in totals.items() if not name.startswith((" ", "start-up")))
    print(f"\nEach step, serially, over {articles:,} articles (ms per article; start-up: ms once)\n")
    print("| step | wall | CPU | share of the CPU per article |\n|---|---:|---:|---:|")
    for name, (wall, spent) in totals.items():
        once = name.startswith("start-up")
        scale = 1000 if once else 1000 / articles
        share = "" if once else f"{spent / cpu:.0%}"
        print(f"| {name.format(WRITE_BATCH_FILES=WRITE_BATCH_FILES)} | {wall * scale:.3f} | {spent * scale:.3f} | {share} |")
    print(f"| all the steps | | {cpu * 1000 / articles:.3f} | |")


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
    parser.add_argument("--steps", action="store_true", help="also time each step of a serial ingest")
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
        if args.steps:
            print_steps(*measure_steps(pages, folder / "steps.db"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
