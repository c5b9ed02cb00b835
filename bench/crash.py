"""Crash benchmark: kill -9 the bot at random moments of fan-outs, restart it, count what arrived.

    python -m bench.crash [--server standin|ttapi|both] [--kills 50] [--chats 90] [--seed 1]

`zonebrief run` runs in a subprocess against a Bot API server on 127.0.0.1: our stand-in
(tests/botapi.py) or the npm package telegram-test-api (pinned, installed on first use into
build/telegram-test-api/ with `npm install`, run through bench/ttapi_adapter.js, which fixes what
python-telegram-bot 22 cannot use). The store holds the seed pages (already pushed) and `--chats`
chats subscribed to 全部. Each kill is one cycle: a new page (a seed page with a line of its own,
so new content and new articles) is dropped into the inbox; once its pushes are planned, the bot
is killed with SIGKILL after a random number of them arrived (1 … all but one) plus a random
0–30 ms; it is restarted and the cycle waits until the outbox is settled and a few sender ticks
passed. The restarted bot serves the next cycle.

Counting needs no knowledge of the message format: every row of the outbox (chat, text) must
arrive exactly once. Per kill: messages lost (planned, never arrived) and duplicated (arrived
more than once), the rows the restart found `written` (kept as delivered: `unconfirmed`) and
`sending` (sent again: `crash_resends`). Never run by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path

from bot.config import Settings
from bot.db import open_db
from bot.ingest import ingest_paths, load_gazetteer
from bot.service import Target, ZoneService
from summarize.tokens import Tokenizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the stand-in lives with the tests

from botapi import BotApiStandIn  # noqa: E402
from delivery_scenario import BotProcess  # noqa: E402

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
TTAPI_VERSION = "4.2.1"
TTAPI_DIR = ROOT / "build" / "telegram-test-api"
TTAPI_TOKEN = "123456:telegram-test-api"
SETTLE_SECONDS = 3.0  # after the outbox is settled: a sender tick or two, for anything extra to show


class Server:
    """A Bot API server the bot talks to, and what it received."""

    url: str
    token: str

    def received(self) -> Counter:
        """(chat_id, text) -> how many times the bot sent it."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class StandIn(Server):
    def __init__(self, chats: list[int]) -> None:
        self.api = BotApiStandIn()
        self.api.start()
        for chat_id in chats:
            self.api.add_user(chat_id)
        self.url, self.token = self.api.url, self.api.token

    def received(self) -> Counter:
        return Counter((entry["chat_id"], entry["text"]) for entry in self.api.sent())

    def close(self) -> None:
        self.api.stop()


class TelegramTestApi(Server):
    """telegram-test-api from npm, through bench/ttapi_adapter.js, on a free port."""

    def __init__(self) -> None:
        if not (TTAPI_DIR / "node_modules" / "telegram-test-api").is_dir():
            TTAPI_DIR.mkdir(parents=True, exist_ok=True)
            subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(TTAPI_DIR),
                            f"telegram-test-api@{TTAPI_VERSION}"], check=True)
        port = _free_port()
        self.process = subprocess.Popen(["node", str(ROOT / "bench" / "ttapi_adapter.js"), str(TTAPI_DIR), str(port)],
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "ready"
        self.base = f"http://127.0.0.1:{port}"
        self.url, self.token = f"{self.base}/bot", TTAPI_TOKEN

    def received(self) -> Counter:
        request = urllib.request.Request(f"{self.base}/getUpdatesHistory", data=json.dumps({"token": self.token}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            history = json.load(answer)["result"]
        return Counter((int(item["message"]["chat_id"]), item["message"]["text"])
                       for item in history if "botToken" in item and "text" in item["message"])

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_store(path: Path, chats: list[int], text_tools: tuple) -> None:
    """The seed pages (pushed long ago: marked planned) and `chats` subscribed to 全部."""
    gazetteer, tokenizer = text_tools
    with open_db(path) as db:
        for outcome in ingest_paths(db, SEEDS, gazetteer=gazetteer):
            assert outcome.error is None, outcome.error
        db.execute("UPDATE issues SET pushes_planned_at = ?", [datetime.now(UTC).isoformat()])
        service = ZoneService(db, gazetteer, tokenizer)
        everything = service.target("全部")
        assert isinstance(everything, Target)
        for chat_id in chats:
            service.subscribe(chat_id, everything)


def drop_page(inbox: Path, number: int) -> None:
    """A new page: a seed page (not the one whose masthead names an issue: a reprint of it would be
    a correction) with a line of its own, written aside and renamed into the inbox."""
    pages = [page for page in SEEDS if "邮发代号" not in page.read_text("utf-8")]
    page = pages[number % len(pages)]
    inbox.mkdir(parents=True, exist_ok=True)
    partial = inbox / f"crash-{number}.txt.part"
    partial.write_text(page.read_text("utf-8") + f"\n\n（本版为崩溃测试第 {number} 次重印）\n", encoding="utf-8")
    moment = time.time() - 60
    os.utime(partial, (moment, moment))
    partial.rename(inbox / f"crash-{number}.txt")


def outbox(store: Path) -> tuple[Counter, Counter]:
    """(chat_id, text) of every row that must arrive, and the rows by status."""
    with sqlite3.connect(store, timeout=60) as connection:
        rows = connection.execute("SELECT chat_id, text, status FROM deliveries").fetchall()
    return (Counter((chat_id, text) for chat_id, text, status in rows if status != "failed"),
            Counter(status for _, _, status in rows))


def resends(store: Path) -> int:
    with sqlite3.connect(store, timeout=60) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(deliveries)")}
        if "crash_resends" not in columns:
            return 0
        return connection.execute("SELECT coalesce(sum(crash_resends), 0) FROM deliveries").fetchone()[0]


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.01)


@dataclass
class Kill:
    planned: int  # rows of this cycle's page
    before: int  # of those, arrived before the kill
    lost: int
    duplicated: int
    unconfirmed: int  # rows the restart found written whole: kept as delivered
    resent: int  # rows the restart found being written: sent again


def cycle(number: int, server: Server, store: Path, inbox: Path, log: Path, bots: list[BotProcess], seen: Counter,
          rng: random.Random) -> Kill:
    """One page, one kill of the running bot (the last of `bots`), one restart (added to `bots`)."""
    rows_before = sum(outbox(store)[0].values())
    base = sum(server.received().values())  # before the page: its pushes may go out fast
    drop_page(inbox, number)
    wait_for(lambda: sum(outbox(store)[0].values()) > rows_before, 120, "the page's pushes to be planned")
    time.sleep(0.2)  # planning is one transaction: all rows are there now
    planned = sum(outbox(store)[0].values()) - rows_before
    kill_after = rng.randint(1, max(1, planned - 1))
    wait_for(lambda: sum(server.received().values()) - base >= kill_after, 300, f"{kill_after} pushes to arrive")
    time.sleep(rng.uniform(0, 0.03))
    bots[-1].kill()
    time.sleep(0.2)  # what the dead process wrote reaches the server
    before = sum(server.received().values()) - base
    resent_before = resends(store)
    unconfirmed_before = outbox(store)[1]["unconfirmed"]
    bots.append(BotProcess(server, store, inbox, log))
    wait_for(lambda: not {"pending", "sending", "written"} & set(+outbox(store)[1]), 300, "the outbox to settle")
    time.sleep(SETTLE_SECONDS)
    expected, statuses = outbox(store)
    received = server.received()
    lost = sum(max(0, count - received[key]) for key, count in expected.items())
    duplicated = sum(max(0, count - expected[key]) for key, count in received.items())
    kill = Kill(planned, before, lost - seen["lost"], duplicated - seen["duplicated"],
                statuses["unconfirmed"] - unconfirmed_before, resends(store) - resent_before)
    seen.update({"lost": kill.lost, "duplicated": kill.duplicated})
    return kill


def run(server_name: str, kills: int, chats: int, seed: int, text_tools: tuple) -> list[Kill]:
    rng = random.Random(seed)
    chat_ids = list(range(1001, 1001 + chats))
    server: Server = StandIn(chat_ids) if server_name == "standin" else TelegramTestApi()
    folder = Path(tempfile.mkdtemp(prefix=f"zonebrief-crash-{server_name}-"))
    store, inbox, log = folder / "zonebrief.db", folder / "inbox", folder / "bot.log"
    results: list[Kill] = []
    finished = False
    bots: list[BotProcess] = []
    try:
        build_store(store, chat_ids, text_tools)
        bots.append(BotProcess(server, store, inbox, log))
        seen: Counter = Counter()
        for number in range(1, kills + 1):
            kill = cycle(number, server, store, inbox, log, bots, seen, rng)
            results.append(kill)
            print(f"| {server_name} | {number} | {kill.planned} | {kill.before} | {kill.lost} | {kill.duplicated} | "
                  f"{kill.unconfirmed} | {kill.resent} |", flush=True)
        finished = True
    finally:
        for bot in bots:
            if bot.process.poll() is None:
                bot.stop()
        server.close()
        if finished and not any(kill.lost or kill.duplicated for kill in results):
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"(store and bot log kept in {folder})", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash", description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["standin", "ttapi", "both"], default="both")
    parser.add_argument("--kills", type=int, default=50, help="kills per server (one per fan-out)")
    parser.add_argument("--chats", type=int, default=90)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    gazetteer = load_gazetteer(Settings().zones_csv)
    text_tools = (gazetteer, Tokenizer(extra_words=gazetteer.forms()))
    servers = ["standin", "ttapi"] if args.server == "both" else [args.server]
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} CPUs · "
          f"{args.chats} chats · seed {args.seed}\n")
    print("| server | kill | messages of the fan-out | arrived before the kill | lost | duplicated |"
          " kept as delivered (written) | sent again (sending) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    totals = {}
    for name in servers:
        results = run(name, args.kills, args.chats, args.seed, text_tools)
        totals[name] = (len(results), sum(k.lost for k in results), sum(k.duplicated for k in results),
                        sum(k.unconfirmed for k in results), sum(k.resent for k in results))
    for name, (count, lost, duplicated, unconfirmed, resent) in totals.items():
        print(f"| {name} | all {count} | | | {lost} | {duplicated} | {unconfirmed} | {resent} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
