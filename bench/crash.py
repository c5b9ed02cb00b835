"""Crash experiment: kill -9 the bot in the middle of a fan-out, restart it, count what arrived.

    python -m bench.crash [--trials 10] [--moment random|receipt] [--latency 0]

Each trial runs the delivery scenario of the end-to-end tests (tests/delivery_scenario.py: a store
with four seed pages and a dozen subscribers; the fifth page dropped into the inbox of
`zonebrief run` in a subprocess, against the Bot API stand-in on 127.0.0.1). The bot is killed
with SIGKILL after a random number (1–10 of 11) of push messages arrived:
- `random`: a further random 0–50 ms later, as a harness that watches what arrived would;
- `receipt`: from inside the stand-in while it handles that push, before it answers — the moment
  the bot cannot know the push was delivered.
Then the bot is restarted and the trial waits until the outbox is empty. Prints, per trial, the
pushes that arrived twice and those that never arrived. Never run by the tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bot.config import Settings
from bot.ingest import load_gazetteer
from summarize.tokens import Tokenizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the stand-in and the scenario live with the tests

from botapi import BotApiStandIn  # noqa: E402
from delivery_scenario import (  # noqa: E402
    PUSH_MESSAGES,
    BotProcess,
    add_users,
    build_store,
    drop_into_inbox,
    expected_pushes,
    pending,
    pushes_received,
)


def trial(folder: Path, moment: str, latency: float, text_tools: tuple) -> tuple[int, int, int, int]:
    """One kill and restart; (pushes before the kill, duplicates, missing, rows left unconfirmed)."""
    store = build_store(folder / "zonebrief.db", *text_tools)
    inbox, log = folder / "inbox", folder / "bot.log"
    kill_after = random.randint(1, PUSH_MESSAGES - 1)
    bots: list[BotProcess] = []
    arrived = [0]

    def on_delivery(entry: dict) -> None:
        if entry["plain_text"].startswith("🆕"):
            arrived[0] += 1
            if moment == "receipt" and arrived[0] == kill_after:
                os.kill(bots[0].process.pid, signal.SIGKILL)

    with BotApiStandIn(on_delivery=on_delivery) as botapi:
        botapi.latency = latency
        add_users(botapi)
        bots.append(BotProcess(botapi, store, inbox, log))
        try:
            botapi.wait_for(lambda: botapi.calls("setMyCommands"), timeout=60, what="the bot to start")
            drop_into_inbox(inbox)
            if moment == "random":
                botapi.wait_for(lambda: arrived[0] >= kill_after, timeout=60, what="the first pushes")
                time.sleep(random.uniform(0, 0.05))
                os.kill(bots[0].process.pid, signal.SIGKILL)
            bots[0].process.wait(timeout=60)
        finally:
            bots[0].kill()
        time.sleep(latency * 10)  # what was on its way in when the bot died arrives now
        before = arrived[0]
        expected = expected_pushes(store)
        bots.append(BotProcess(botapi, store, inbox, log))
        try:
            botapi.wait_for(lambda: pending(store) == 0, timeout=120, what="the fan-out to finish")
            time.sleep(3)  # a sender tick or two more: anything extra would come now
        finally:
            bots[1].stop()
        received = pushes_received(botapi)
    wanted = {(chat, article) for chat, ids in expected.items() for article in ids}
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    missing = len(wanted - set(received))
    with sqlite3.connect(store) as connection:
        (unconfirmed,) = connection.execute(
            "SELECT count(*) FROM deliveries WHERE status = 'unconfirmed'").fetchone()
    return before, duplicates, missing, unconfirmed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash", description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--moment", choices=["random", "receipt"], default="random")
    parser.add_argument("--latency", type=float, default=0.0, help="network delay the stand-in adds to each send")
    args = parser.parse_args(argv)
    gazetteer = load_gazetteer(Settings().zones_csv)
    text_tools = (gazetteer, Tokenizer(extra_words=gazetteer.forms()))
    print(f"{time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
          f"kill at: {args.moment} · latency {args.latency * 1000:.0f} ms\n")
    print("| trial | pushes before the kill | duplicates | missing | unconfirmed rows |")
    print("|---:|---:|---:|---:|---:|")
    totals = [0, 0, 0]
    for number in range(1, args.trials + 1):
        with tempfile.TemporaryDirectory(prefix="zonebrief-crash-") as folder:
            before, duplicates, missing, unconfirmed = trial(Path(folder), args.moment, args.latency, text_tools)
        totals = [totals[0] + duplicates, totals[1] + missing, totals[2] + unconfirmed]
        print(f"| {number} | {before} | {duplicates} | {missing} | {unconfirmed} |", flush=True)
    print(f"| all | | {totals[0]} | {totals[1]} | {totals[2]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
