"""How the Telegram bot shares itself between chats: answers off the event loop, chats served fairly.

- `AnswerPool`: answers (store queries, tokenising, summarising) run in worker threads, each with
  its own connection to the store (WAL mode: readers never wait for a writer) and a ZoneService
  over it, so the event loop only waits on the network and a slow answer never holds up another.
- `FairUpdateProcessor`: PTB's update processor: updates of different chats are processed at the
  same time, each chat's one at a time in the order they came.
- `FloodGate`: a chat that sends more than `burst` updates at once, or more than `rate` a second
  after that (Settings.flood_burst, flood_per_minute), is refused until it slows down, and told so
  once (FLOOD_NOTICE).
- `Activity`: the updates in progress; background work (the planner: inbox, pushes, digests,
  warming up) calls `Activity.wait_quiet` between its steps, so an answer never shares the
  interpreter with it for longer than one step (Python runs one thread at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import Chat, Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor, filters

from bot.config import ConfigError, Settings
from bot.db import connect, store_path
from bot.service import ZoneService

logger = logging.getLogger(__name__)
T = TypeVar("T")

ANSWER_THREADS = 4  # answers computed at once (SQLite releases the GIL while it reads)
MAX_CONCURRENT_UPDATES = 64  # updates in progress at once, all chats together
FLOOD_NOTICE = "您发消息的速度太快了，请稍等片刻再发。这期间的消息我先不回复，敬请谅解。"
# Chats remembered by the flood gate before the ones that have calmed down are forgotten.
FLOOD_MEMORY = 10_000
# The longest background work waits for answers to finish before it takes its next step anyway
# (a bot answering without a pause still ingests, warms up and plans, four steps a second).
MAX_BACKGROUND_WAIT_SECONDS = 0.25

# What the bot answers, and what counts against a chat's flood allowance: anything in a private
# chat, and commands anywhere; the chatter of a group (text that is no command) is ignored.
ADDRESSED = filters.ChatType.PRIVATE | filters.COMMAND

ADMIT = "admit"
REFUSE = "refuse"
WARN = "warn"  # refuse, and tell the chat (the first refusal since it was last admitted)


class AnswerPool:
    """Worker threads that answer, each over its own connection to the service's store.

    Example usage::

        pool = AnswerPool(service)
        replies = await pool.run(lambda service: handle_text(service, ctx, "/zone 晋城"))
    """

    def __init__(self, service: ZoneService, threads: int = ANSWER_THREADS) -> None:
        self._service = service
        self._path = store_path(service.db)
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="zonebrief-answer")

    def _service_here(self) -> ZoneService:
        service = getattr(self._local, "service", None)
        if service is None:
            service = self._local.service = self._service.over(connect(self._path))
        return service

    async def run(self, answer: Callable[[ZoneService], T]) -> T:
        """`answer(service)` in a worker thread, with that thread's service."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, lambda: answer(self._service_here()))

    def close(self) -> None:
        """Wait for the answers in progress, then stop the threads."""
        self._executor.shutdown(wait=True)


class Activity:
    """How many updates are in progress (from arrival to reply sent), and a way for background work
    to wait until there are none.

    Example usage::

        activity = Activity()
        with activity.busy():  # around handling an update
            ...
        activity.wait_quiet()  # in a background thread, between two steps of its work
    """

    def __init__(self) -> None:
        self._busy = 0
        self._quiet = threading.Condition()

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        with self._quiet:
            self._busy += 1
        try:
            yield
        finally:
            with self._quiet:
                self._busy -= 1
                if self._busy <= 0:
                    self._quiet.notify_all()

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        """Around an update's wait for background work (e.g. an uploaded page ingested by the
        planner): that update does not count meanwhile, or the two would wait for each other."""
        with self._quiet:
            self._busy -= 1
            if self._busy <= 0:
                self._quiet.notify_all()
        try:
            yield
        finally:
            with self._quiet:
                self._busy += 1

    def wait_quiet(self, timeout: float = MAX_BACKGROUND_WAIT_SECONDS) -> bool:
        """Block (a background thread) until no update is in progress, at most `timeout` seconds;
        whether it is quiet now."""
        with self._quiet:
            return self._quiet.wait_for(lambda: self._busy <= 0, timeout)


@dataclass
class _Allowance:
    tokens: float
    at: float  # monotonic seconds of the last update
    warned: bool = False


class FloodGate:
    """A token bucket per chat: `burst` updates at once, then `rate` a second."""

    def __init__(self, burst: int, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._burst = burst
        self._rate = rate
        self._clock = clock
        self._chats: dict[int, _Allowance] = {}

    def admit(self, chat_id: int) -> str:
        """ADMIT an update of `chat_id`, REFUSE it, or WARN (refuse and tell the chat, once a flood)."""
        now = self._clock()
        allowance = self._chats.get(chat_id)
        if allowance is None:
            self._forget_calm(now)
            allowance = self._chats[chat_id] = _Allowance(float(self._burst), now)
        allowance.tokens = min(self._burst, allowance.tokens + (now - allowance.at) * self._rate)
        allowance.at = now
        if allowance.tokens >= 1:
            allowance.tokens -= 1
            allowance.warned = False
            return ADMIT
        if allowance.warned:
            return REFUSE
        allowance.warned = True
        return WARN

    def _forget_calm(self, now: float) -> None:
        """Past FLOOD_MEMORY chats, drop those whose allowance has refilled (they start afresh)."""
        if len(self._chats) < FLOOD_MEMORY:
            return
        full = [chat_id for chat_id, allowance in self._chats.items()
                if allowance.tokens + (now - allowance.at) * self._rate >= self._burst]
        for chat_id in full:
            del self._chats[chat_id]


def flood_gate(settings: Settings) -> FloodGate:
    """The flood gate of settings.flood_burst and flood_per_minute; ConfigError if either is below 1."""
    for name in ("flood_burst", "flood_per_minute"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"配置项 {name} 的值 {getattr(settings, name)} 无效：应为正整数（至少 1）。")
    return FloodGate(settings.flood_burst, settings.flood_per_minute / 60)


def counts_against_flood(update: object) -> bool:
    """Whether an update is one the bot answers: a button press, or a message ADDRESSED to it."""
    return isinstance(update, Update) and (update.callback_query is not None or bool(ADDRESSED.check_update(update)))


class FairUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats at once, each chat's in order; a flooding chat is refused."""

    def __init__(self, gate: FloodGate, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
                 activity: Activity | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._gate = gate
        self.activity = activity or Activity()
        self._turns: dict[int, tuple[asyncio.Lock, list[int]]] = {}  # chat -> (its lock, [updates waiting])

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            with self.activity.busy():
                await coroutine
            return
        verdict = self._gate.admit(chat.id) if counts_against_flood(update) else ADMIT
        if verdict != ADMIT:
            coroutine.close()  # type: ignore[attr-defined]  # PTB passes a coroutine: never run
            if verdict == WARN:
                await _tell_flood(chat)
            return
        with self.activity.busy():
            async with self._turn(chat.id):
                await coroutine

    @contextlib.asynccontextmanager
    async def _turn(self, chat_id: int) -> AsyncIterator[None]:
        """Wait for the chat's earlier updates (asyncio.Lock wakes its waiters in order)."""
        lock, waiting = self._turns.setdefault(chat_id, (asyncio.Lock(), [0]))
        waiting[0] += 1
        try:
            async with lock:
                yield
        finally:
            waiting[0] -= 1
            if not waiting[0]:
                del self._turns[chat_id]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


async def _tell_flood(chat: Chat) -> None:
    try:
        await chat.send_message(FLOOD_NOTICE)
    except TelegramError as error:  # a courtesy: a chat that cannot get it is refused all the same
        logger.warning("could not tell chat %s it sends too fast (%s)", chat.id, error)
