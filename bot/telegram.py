"""The Telegram transport: a python-telegram-bot Application over the handlers of bot/commands.py.

Every text message (commands included) goes to `handle_text`, every button to `handle_press`,
every inline query (`@bot 晋城` typed in any chat) to `handle_inline`; replies are sent in HTML
parse mode, already split under Telegram's limit. Before a command or button that changes a group's
subscriptions, the sender must be one of the group's administrators (getChatMember); `/subscribe
@channel …` is checked the same way against the channel (getChat, getChatMember for the sender and
for the bot, which must be allowed to post there). At start-up the bot
sets its command menu (setMyCommands); a failing update is logged and the chat gets an apology.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from telegram import (
    Bot, BotCommand, BotCommandScopeChat, ChatMemberAdministrator, InlineKeyboardMarkup, InlineQueryResultArticle,
    InputTextMessageContent, LinkPreviewOptions, Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application, CallbackQueryHandler, ContextTypes, Defaults, InlineQueryHandler, MessageHandler, filters,
)

from bot import render
from bot.commands import (
    SORRY, Button, Channel, Context, InlineResult, Reply, channel_reference, handle_inline, handle_press, handle_text,
    manages_subscriptions, press_manages_subscriptions,
)
from bot.concurrency import ADDRESSED, AnswerPool, FairUpdateProcessor, flood_gate
from bot.config import Settings
from bot.courier import install_delivery
from bot.render import ADMIN_MENU, MENU
from bot.sender import OutboxRequest, inline_keyboard, rate_limiter
from bot.service import ZoneService

logger = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
CHAT_ADMINS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")  # what Telegram allows a bot's username to be
GROUPS = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
INLINE_CACHE_SECONDS = 300  # Telegram may reuse an inline answer this long (the same for everyone)


def api_urls(base_url: str) -> tuple[str, str]:
    """PTB's base_url and base_file_url for a Bot API server (`http://host:port`, or that + `/bot`)."""
    root = base_url.rstrip("/").removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


def _markup(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    return inline_keyboard(tuple(tuple((button.label, button.data) for button in row) for row in buttons))


def own_username(username: str | None) -> str | None:
    """The bot's username as commands address it, when getMe gave one Telegram could give; else
    None, and /cmd@anything is taken as this bot's (a test server may call its bot "Test Name")."""
    return username if username and USERNAME.fullmatch(username) else None


def _context(update: Update, settings: Settings, bot_username: str | None = None) -> Context:
    chat_id = update.effective_chat.id if update.effective_chat else 0
    user_id = update.effective_user.id if update.effective_user else None
    return Context(chat_id=chat_id, is_admin=settings.is_admin(chat_id, user_id), settings=settings,
                   bot_username=bot_username)


async def _is_chat_admin(bot: Bot, chat_id: int | str, user_id: int) -> bool:
    """Whether `user_id` administers (or owns) the chat; a failed getChatMember counts as no."""
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError as error:
        logger.warning("could not ask whether user %s administers chat %s (%s)", user_id, chat_id, error)
        return False
    return member.status in CHAT_ADMINS


async def _may_manage(update: Update, bot: Bot, ctx: Context) -> bool:
    """Whether the sender may change this chat's subscriptions: anyone in a private chat, a bot
    admin anywhere, and in a group its administrators (an anonymous one writes as the group)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type not in GROUPS or ctx.is_admin:
        return True
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    return user is not None and await _is_chat_admin(bot, chat.id, user.id)


async def _channel_access(bot: Bot, reference: str, user_id: int | None) -> dict[str, object]:
    """Context fields for a channel named in a command: the channel, or why it may not be used."""
    try:
        chat = await bot.get_chat(reference if reference.startswith("@") else int(reference))
    except TelegramError:
        return {"channel_refusal": render.channel_not_found(reference)}
    title = chat.title or reference
    if chat.type != ChatType.CHANNEL:
        return {"channel_refusal": render.not_a_channel(title)}
    if user_id is None or not await _is_chat_admin(bot, chat.id, user_id):
        return {"channel_refusal": render.not_channel_admin(title)}
    try:
        me = await bot.get_chat_member(chat.id, bot.id)
    except TelegramError:
        me = None
    if not (isinstance(me, ChatMemberAdministrator) and me.can_post_messages):
        return {"channel_refusal": render.bot_cannot_post(title)}
    return {"channel": Channel(chat.id, title)}


async def _checked(update: Update, bot: Bot, ctx: Context, text: str) -> Context:
    """`ctx` with what Telegram says about the sender's rights for this message."""
    if manages_subscriptions(text, ctx.bot_username):
        ctx = dataclasses.replace(ctx, may_manage=await _may_manage(update, bot, ctx))
    reference = channel_reference(text, ctx.bot_username)
    if reference is not None:
        user_id = update.effective_user.id if update.effective_user else None
        ctx = dataclasses.replace(ctx, **await _channel_access(bot, reference, user_id))  # type: ignore[arg-type]
    return ctx


def _inline_article(result: InlineResult) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        result.id, result.title, InputTextMessageContent(result.text, parse_mode=ParseMode.HTML,
                                                         link_preview_options=NO_PREVIEW),
        description=result.description,
    )


async def _send(update: Update, replies: list[Reply]) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    for reply in replies:
        await chat.send_message(reply.text, parse_mode=ParseMode.HTML, reply_markup=_markup(reply.buttons),
                                link_preview_options=NO_PREVIEW)


def build_application(settings: Settings, service: ZoneService, *, base_url: str | None = None) -> Application:
    """The bot: polling- or webhook-ready Application for `settings.token` (see run), with
    delivery (bot.courier): pushes, the weekly digest, the inbox. Raises ConfigError for a wrong
    digest schedule.

    Answers are computed in worker threads (bot.concurrency.AnswerPool); chats are served at the
    same time, each in order, and a chat that floods the bot is refused (FairUpdateProcessor)."""
    answers = AnswerPool(service)
    processor = FairUpdateProcessor(flood_gate(settings))

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a message or a command."""
        message, ctx = update.effective_message, _context(update, settings, own_username(context.bot.username))
        if message is not None and message.text is not None:
            text = message.text
            ctx = await _checked(update, context.bot, ctx, text)
            await _send(update, await answers.run(lambda service: handle_text(service, ctx, text)))

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a button press."""
        query, ctx = update.callback_query, _context(update, settings, own_username(context.bot.username))
        assert query is not None, "CallbackQueryHandler passes only button presses"
        await query.answer()
        data = query.data or ""
        if press_manages_subscriptions(data):
            ctx = dataclasses.replace(ctx, may_manage=await _may_manage(update, context.bot, ctx))
        await _send(update, await answers.run(lambda service: handle_press(service, ctx, data)))

    async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer `@bot 晋城` typed in any chat: zone cards and articles to choose from."""
        query, ctx = update.inline_query, _context(update, settings, own_username(context.bot.username))
        assert query is not None, "InlineQueryHandler passes only inline queries"
        text = query.query
        results = await answers.run(lambda service: handle_inline(service, ctx, text))
        await query.answer([_inline_article(result) for result in results], cache_time=INLINE_CACHE_SECONDS)

    async def start(application: Application) -> None:
        """Before the first update is taken: the command menu, and the word dictionary read (the
        first summary or search would otherwise wait for it)."""
        await set_commands(application, settings.admins)
        await asyncio.to_thread(service.tokenizer.load)

    async def stop_answering(application: Application) -> None:
        answers.close()

    builder = (
        Application.builder()
        .token(settings.token or "")
        .defaults(Defaults(tzinfo=ZoneInfo(settings.timezone)))
        .rate_limiter(rate_limiter())
        .request(OutboxRequest())
        .post_init(start)
        .post_shutdown(stop_answering)
        .concurrent_updates(processor)
    )
    if base_url:
        api, files = api_urls(base_url)
        builder = builder.base_url(api).base_file_url(files)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT & filters.UpdateType.MESSAGE & ADDRESSED, on_message))
    application.add_handler(CallbackQueryHandler(on_press))
    application.add_handler(InlineQueryHandler(on_inline))
    application.add_error_handler(on_error)
    install_delivery(application, settings, service, activity=processor.activity)
    return application


async def set_commands(application: Application, admins: tuple[int, ...] = ()) -> None:
    """Set the command menu Telegram shows, with Chinese descriptions, and for each admin's chat the
    admin commands too; a server that refuses it costs the menu, not the bot."""
    try:
        await application.bot.set_my_commands([BotCommand(name, description) for name, description in MENU])
    except TelegramError as error:
        logger.warning("could not set the command menu (%s): the bot runs without it", error)
    for admin in admins:
        try:
            await application.bot.set_my_commands(
                [BotCommand(name, description) for name, description in (*MENU, *ADMIN_MENU)],
                scope=BotCommandScopeChat(admin))
        except TelegramError as error:  # e.g. an admin who has not started the bot yet
            logger.warning("could not set the admin menu for chat %s (%s)", admin, error)
    if not application.bot.supports_inline_queries:
        logger.warning("inline mode is off, so @%s 晋城 does nothing in chats: turn it on with BotFather's "
                       "/setinline (see README)", application.bot.username)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and tell the chat, instead of going silent."""
    logger.error("handling an update failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(SORRY)
        except TelegramError:
            logger.warning("could not tell chat %s about the error", update.effective_chat.id, exc_info=True)


def webhook_secret(token: str) -> str:
    """The secret Telegram sends with each webhook request: derived from the token, never the token."""
    return hashlib.sha256(f"zonebrief-webhook:{token}".encode()).hexdigest()


def check_connection(application: Application) -> None:
    """Ask the Bot API who the bot is (getMe), so that a wrong token or server fails here, at once:
    raises InvalidToken or NetworkError (PTB's own start-up would log a traceback first)."""

    async def get_me() -> None:
        async with application.bot:  # initialize() calls getMe
            pass

    asyncio.run(get_me())


def run(application: Application, *, webhook_url: str | None = None, listen: str = "127.0.0.1",
        port: int = 8443) -> None:
    """Serve until stopped (Ctrl-C, SIGTERM): long polling, or a webhook at `webhook_url`."""
    if webhook_url is None:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    application.run_webhook(
        listen=listen,
        port=port,
        url_path=urlsplit(webhook_url).path.lstrip("/"),
        webhook_url=webhook_url,
        secret_token=webhook_secret(application.bot.token),
        allowed_updates=Update.ALL_TYPES,
    )


class TokenFilter(logging.Filter):
    """Replaces the bot token in every log record (PTB logs its Bot API URL at DEBUG)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg, record.args = message.replace(self._token, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._token in record.exc_text:
            record.exc_text = record.exc_text.replace(self._token, "<token>")
        return True


def hide_token(token: str) -> None:
    """Keep `token` out of every log line the root logger's handlers write."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(TokenFilter(token))
