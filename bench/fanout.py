"""Fan-out benchmark: one new article pushed to 1,000 subscribers through the real sender.

    python -m bench.fanout [--chats 1000] [--latency 0.05] [--ceiling 30]

The bot side is what `zonebrief run` uses: bot.sender's Sender over a python-telegram-bot
ExtBot with the rate limiter of bot.sender.rate_limiter(), talking HTTP to the Bot API stand-in
(tests/botapi.py) on 127.0.0.1. The stand-in enforces a global ceiling (default 30 messages in any
one-second window, Telegram's documented broadcast limit) by answering 429, so overshooting shows
as 429s, and adds `latency` seconds of network delay to each send. For comparison the same
fan-out runs with PTB's AIORateLimiter at its defaults (no retries) and with no rate limiter.
Prints a Markdown table for docs/BENCHMARKS.md. Never run by the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot

from bot import outbox, planning, sender
from bot.config import Settings
from bot.db import open_db
from bot.ingest import ingest_paths, load_gazetteer
from bot.service import Target, ZoneService
from summarize.tokens import Tokenizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the Bot API stand-in lives with the tests

from botapi import BotApiStandIn  # noqa: E402

FIRST_CHAT = 100_001
ZONE = "临汾经开区"  # one article of the last seed page concerns it: one message per subscriber
NEW_PAGE = sorted((ROOT / "seeds").glob("*.txt"))[4]


@dataclass(frozen=True)
class Result:
    limiter: str
    messages: int
    seconds: float  # from the first send to the last message delivered
    too_many: int  # 429 answers
    peak: int  # most messages delivered in any one second

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def build_store(folder: Path, chats: int) -> Path:
    """A store with the seed pages, `chats` subscribers of ZONE, and their push planned."""
    settings = Settings()
    gazetteer = load_gazetteer(settings.zones_csv)
    tokenizer = Tokenizer(extra_words=gazetteer.forms())
    path = folder / "zonebrief.db"
    db = open_db(path)
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    ingest_paths(db, seeds[:4], gazetteer=gazetteer)
    service = ZoneService(db, gazetteer, tokenizer)
    planning.plan_pushes(service, outbox.utc_now())
    target = service.target(ZONE)
    assert isinstance(target, Target), ZONE
    for chat_id in range(FIRST_CHAT, FIRST_CHAT + chats):
        service.subscribe(chat_id, target)
    ingest_paths(db, [NEW_PAGE], gazetteer=gazetteer)
    planned = planning.plan_pushes(service, outbox.utc_now())
    assert planned == chats, f"planned {planned} pushes for {chats} subscribers"
    db.close()
    return path


async def fan_out(store: Path, botapi: BotApiStandIn, limiter: BaseRateLimiter | None) -> float:
    """Send every pending row of `store`; seconds from the first send to the last."""
    db = open_db(store)
    bot = ExtBot(botapi.token, base_url=botapi.url, base_file_url=botapi.file_url, rate_limiter=limiter,
                 request=sender.OutboxRequest())
    async with bot:
        running = sender.Sender(db, sender.bot_sender(bot))
        start = time.perf_counter()
        while db.execute("SELECT count(*) FROM deliveries WHERE status = 'pending'").fetchone()[0]:
            await running.drain()  # rows refused with 429 come back after their wait
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - start
    db.close()
    return seconds


def run(limiter_name: str, make_limiter: Callable[[], BaseRateLimiter | None], template: Path, chats: int,
        latency: float, ceiling: int) -> Result:
    with tempfile.TemporaryDirectory() as folder, BotApiStandIn(latency=latency,
                                                               max_messages_per_second=ceiling) as botapi:
        store = Path(folder) / "zonebrief.db"
        shutil.copy(template, store)
        for chat_id in range(FIRST_CHAT, FIRST_CHAT + chats):
            botapi.add_user(chat_id)
        seconds = asyncio.run(fan_out(store, botapi, make_limiter()))
        delivered = [call for call in botapi.calls("sendMessage") if call.status == 200]
        too_many = sum(1 for call in botapi.calls("sendMessage") if call.status == 429)
        assert len(delivered) == chats, f"{len(delivered)} of {chats} delivered"
        return Result(limiter_name, len(delivered), seconds, too_many, botapi.peak_rate())


LIMITERS: dict[str, Callable[[], BaseRateLimiter | None]] = {
    "the bot's: rate_limiter(), 29.4/s on a schedule, answers first": sender.rate_limiter,
    "AIORateLimiter 30/s evenly spaced (the bot's until 2026-11-30)": lambda: AIORateLimiter(
        overall_max_rate=1, overall_time_period=1 / 30, max_retries=sender.RATE_LIMIT_RETRIES),
    "AIORateLimiter() at PTB's defaults (bucket of 30)": AIORateLimiter,
    "none (429s retried by the sender)": lambda: None,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds of network delay per send")
    parser.add_argument("--ceiling", type=int, default=30, help="the stand-in's messages per second")
    parser.add_argument("--only", choices=range(len(LIMITERS)), type=int, help="run one limiter (by index)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)  # it logs each 429
    logging.getLogger("bot.sender").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        template = build_store(Path(folder), args.chats)
        results = [run(name, make, template, args.chats, args.latency, args.ceiling)
                   for index, (name, make) in enumerate(LIMITERS.items()) if args.only in (None, index)]
    print(f"{datetime.date.today()} · {platform.machine()} · {os.cpu_count()} CPUs · Python "
          f"{platform.python_version()} · {args.chats} subscribers · latency {args.latency * 1000:.0f} ms · "
          f"ceiling {args.ceiling}/s · concurrency {sender.CONCURRENCY}\n")
    print("| rate limiter | messages | seconds | messages/s | 429s | peak in 1 s |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in results:
        print(f"| {result.limiter} | {result.messages} | {result.seconds:.1f} | {result.rate:.1f} | "
              f"{result.too_many} | {result.peak} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
