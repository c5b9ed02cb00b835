"""Delivery in a running bot: the jobs on PTB's JobQueue and the handlers that feed the outbox.

At start-up the bot takes in the inbox, plans what was not planned and the digests it missed
while down (each once), and sends every pending row; then it polls the inbox, sends what is due
every few seconds and, every minute, plans the digests of the chats whose digest time has come.
All planning runs in the planner's own thread, never on the event loop. Whenever the articles
changed (at start, after pages arrived here or through another process), the planner makes what
answers and the next digests will need (`Courier.refresh`), pausing while answers are in
progress (bot.concurrency.Activity). /start resumes a chat
paused because it had blocked the bot; admins hand in pages as documents.
"""

from __future__ import annotations

import logging
from pathlib import Path

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot import render
from bot.admin import ingest_upload, take_in
from bot.concurrency import Activity, AnswerPool
from bot.config import Settings
from bot.inbox import Inbox
from bot.ingest import size_refusal
from bot.outbox import Clock, resume_chat, utc_now
from bot.planning import due_digests, load_schedule, plan_digests, prepare_digests, review_mode
from bot.sender import DrainReport, Sender, SenderLock, SendFunction, bot_sender
from bot.service import ZoneService

logger = logging.getLogger(__name__)

# The sender looks for due rows this often (retries, rows planned by commands or other processes).
SEND_TICK_SECONDS = 2.0
# The planner looks for chats whose digest time has come this often.
DIGEST_TICK_SECONDS = 60.0


class Courier:
    """The delivery side of a running bot: start-up catch-up, the inbox poll, the digests and the
    sender, as jobs on PTB's JobQueue; /start resumes a paused chat; admins hand in pages."""

    def __init__(self, service: ZoneService, settings: Settings, send: SendFunction, *, clock: Clock = utc_now,
                 activity: Activity | None = None):
        self.service = service
        self.settings = settings
        self.schedule = load_schedule(settings)
        review_mode(settings)  # a wrong `review` stops the bot at start, not at its first push
        self.sender = Sender(service.db, send, admins=settings.admins, clock=clock)
        self.lock = SenderLock.beside(service.db)
        # Planning off the event loop: one thread with its own connection to the store, so ingesting
        # pages and planning pushes and digests (in batches) never delay an answer.
        self.planner = AnswerPool(service, threads=1)
        self.inbox = Inbox(Path(settings.inbox))  # used in the planner's thread only
        self.activity = activity or Activity()  # the answers in progress: background work waits for them
        self._refreshed: int | None = None  # the articles_version refresh last made ready
        self._clock = clock

    async def send_due(self) -> DrainReport | None:
        """Drain the outbox unless a drain is running here or another process holds the lock."""
        if self.sender.busy or not self.lock.acquire():
            return None
        return await self.sender.drain()

    def kick(self, application: Application) -> None:
        """Start a drain now, in the background."""
        application.create_task(self.send_due(), name="zonebrief-send")

    def refresh(self, service: ZoneService) -> None:
        """In the planner's thread, when the articles changed since the last refresh (or at start):
        the latest issue and the first page of every city view and zone card (counts and
        summaries, ZoneService.warm_up), then the list lines of what the next digests list
        (prepare_digests); one article at a time, waiting while answers are in progress."""
        version = service.articles_version()
        if version == self._refreshed:
            return
        service.warm_up(between=self.activity.wait_quiet)
        prepare_digests(service, between=self.activity.wait_quiet)
        self._refreshed = version

    async def start_up(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Catch up after a start, in the planner's thread (answers go on meanwhile): what the first
        answers need (refresh), pages waiting in the inbox, pushes of issues stored but not planned,
        digests whose time came while the bot was down; then send everything pending."""
        await self.planner.run(self.refresh)
        await self.poll_inbox(context)
        await self.plan_digests(context)
        self.kick(context.application)

    async def poll_inbox(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Ingest the pages dropped into the inbox; plan the pushes of every issue not planned yet
        (those stored by `zonebrief ingest --push` included); then refresh if the articles changed
        (here or in another process)."""
        now = self._clock()

        def work(service: ZoneService) -> bool:
            outcomes = self.inbox.poll(service.db, gazetteer=service.gazetteer, now=now,
                                       between=self.activity.wait_quiet)
            return bool(take_in(service, self.settings, outcomes, now) or outcomes)

        if await self.planner.run(work):
            self.kick(context.application)
        await self.planner.run(self.refresh)  # after the sender has started on what was planned

    async def plan_digests(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Plan the digests of the chats whose digest time has come (each once per run), in batches."""
        now = self._clock()

        def work(service: ZoneService) -> int:
            due = due_digests(service, self.schedule, now)
            return plan_digests(service, due, now, send_empty=self.settings.digest_send_empty).messages

        if await self.planner.run(work):
            self.kick(context.application)

    async def tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send what is due: retries whose wait is over, rows planned by another process or command."""
        self.kick(context.application)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Resume a chat paused because it had blocked the bot (/start); the usual answer follows."""
        if update.effective_chat and resume_chat(self.service.db, update.effective_chat.id):
            logger.info("chat %s is back: resuming its deliveries", update.effective_chat.id)
            self.kick(context.application)

    async def on_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Ingest a page an admin sends as a document; refuse anyone else."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or message.document is None or chat is None:
            return
        if not self.settings.is_admin(chat.id, user.id if user else None):
            await message.reply_text(render.ADMIN_ONLY)
            return
        document = message.document
        refusal = size_refusal(document.file_name or "", document.file_size or 0)
        if refusal:
            answer = refusal
        else:
            data = bytes(await (await document.get_file()).download_as_bytearray())
            name, now = document.file_name or "page.txt", self._clock()
            with self.activity.waiting():  # the planner may be waiting for answers to finish
                answer = await self.planner.run(lambda service: ingest_upload(service, self.settings, name, data, now))
            self.kick(context.application)
            # after this answer (refresh waits for the answers in progress, this one included)
            context.application.create_task(self.planner.run(self.refresh), name="zonebrief-refresh")
        await message.reply_text(answer, parse_mode=ParseMode.HTML)


def install_delivery(application: Application, settings: Settings, service: ZoneService, *,
                     clock: Clock = utc_now, activity: Activity | None = None) -> Courier:
    """Add delivery to a bot built with `rate_limiter()` and `request=OutboxRequest()`: jobs, the
    /start resume, admin uploads; the planner's work waits while `activity` has answers in progress.

    Raises ConfigError for a wrong digest schedule.
    """
    courier = Courier(service, settings, bot_sender(application.bot), clock=clock, activity=activity)
    jobs = application.job_queue
    if jobs is None:
        raise TypeError("delivery needs PTB's JobQueue: install python-telegram-bot[job-queue]")
    # However late the scheduler starts (the bot's own start-up may take a while), run this once.
    jobs.run_once(courier.start_up, 0, name="delivery: start-up", job_kwargs={"misfire_grace_time": None})
    jobs.run_repeating(courier.poll_inbox, settings.inbox_poll_seconds, first=settings.inbox_poll_seconds,
                       name="delivery: inbox")
    jobs.run_repeating(courier.tick, SEND_TICK_SECONDS, first=SEND_TICK_SECONDS, name="delivery: send")
    jobs.run_repeating(courier.plan_digests, DIGEST_TICK_SECONDS, first=DIGEST_TICK_SECONDS, name="delivery: digests",
                       job_kwargs={"coalesce": True})
    application.add_handler(CommandHandler("start", courier.on_start), group=-1)
    application.add_handler(MessageHandler(filters.Document.ALL, courier.on_document))
    return courier
