"""A Telegram Bot API stand-in on 127.0.0.1 for tests that run the real python-telegram-bot.

There is no network in the tests, so the bot talks HTTP to this server instead of
api.telegram.org. It answers the methods ZoneBrief uses with the JSON shapes of the real Bot API
(https://core.telegram.org/bots/api), simulates the people on the other side (typing text,
pressing inline buttons, sending documents), records every call the bot makes, checks what the
real server checks (HTML markup, message length, callback data, bot commands) and injects the
faults a bot meets in production (429, 403, 500, requests that never answer, slow sends).

    with BotApiStandIn() as botapi:
        application = (Application.builder().token(botapi.token)
                       .base_url(botapi.url).base_file_url(botapi.file_url).build())
        ...
        botapi.send_text(1001, "/start")
        [reply] = botapi.wait_for_messages(1001, 1)

Standalone, for manual trials or a bot in a subprocess (each line typed becomes a message from
the user given by --chat; whatever the bot sends is printed):

    python tests/botapi.py --port 8081

Only the standard library is used, so the subprocess starts fast.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import itertools
import json
import logging
import mimetypes
import re
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

LOGGER = logging.getLogger(__name__)

DEFAULT_TOKEN = "7000000001:AAFstandInTokenForZoneBriefTests-0001"
DEFAULT_CHAT = 1001
BOT_FIRST_NAME = "ZoneBrief 测试机器人"
BOT_USERNAME = "zonebrief_test_bot"
# The sender Telegram shows for an administrator who writes anonymously, as the group.
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}

MAX_TEXT_LENGTH = 4096  # UTF-16 code units, after entity parsing
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION = 256
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_INLINE_RESULTS = 50  # answerInlineQuery takes at most this many results
MAX_INLINE_RESULT_ID_BYTES = 64
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
CHAT_TYPES = ("group", "supergroup", "channel")
FIRST_UPDATE_ID = 800_000_001  # real update ids are large; tests must not assume they start at 1
POLL_INTERVAL = 0.05  # seconds between checks of a wait_for predicate or a held connection
SHUTDOWN_POLL_INTERVAL = 0.01  # how soon the server's loop notices stop(): each test pays it
HOLD_LIMIT = 60.0  # seconds a "timeout" fault holds a request whose client never gives up
STOP_GRACE_SECONDS = 2.0  # how long stop() lets answers being written reach their clients
FAULTS = ("429", "403", "500", "timeout")

# Update types that getUpdates leaves out unless they are asked for by name.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})
# Methods that put a message into a chat: the ones the rate ceiling counts.
MESSAGE_METHODS = frozenset({"sendMessage", "sendDocument"})

# Form and multipart bodies carry every value as a string; PTB JSON-encodes the rest.
INT_PARAMS = frozenset({
    "chat_id", "message_id", "offset", "limit", "timeout", "reply_to_message_id",
    "message_thread_id", "cache_time", "user_id",
})
# A chat_id may also be "@channelusername" (getChat, getChatMember, sendMessage to a channel).
BOOL_PARAMS = frozenset({
    "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
    "disable_web_page_preview", "disable_content_type_detection", "allow_sending_without_reply",
    "allow_paid_broadcast", "is_personal",
})
JSON_PARAMS = frozenset({
    "reply_markup", "allowed_updates", "commands", "scope", "entities", "caption_entities",
    "link_preview_options", "reply_parameters", "results", "button",
})

# The keys of a Message that editMessageText and editMessageReplyMarkup replace.
CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "reply_markup")
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


# --------------------------------------------------------------------------- HTML parse mode

HTML_TAGS = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
# tdlib orders entities by offset, longer first, then by this priority (MessageEntity.cpp).
ENTITY_PRIORITY = {
    "blockquote": 0, "expandable_blockquote": 0, "pre": 11, "code": 20, "text_link": 49,
    "bold": 90, "italic": 91, "underline": 92, "strikethrough": 93, "spoiler": 94,
    "custom_emoji": 99,
}
TAG_SPACES = " \t\r\n\v\f"  # what separates names inside a tag (ASCII only, as in tdlib)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NUMERIC_ENTITY = re.compile(r"&#(?:x([0-9a-fA-F]{1,8})|([0-9]{1,8}));?")
_NAMED_ENTITY = re.compile(r"&([a-zA-Z]+);?")
_PLAIN_RUN = re.compile(r"[^<&]+")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")


class EntityParseError(ValueError):
    """Text with parse_mode HTML that Telegram would refuse; the message is Telegram's reason."""


def utf16_length(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of Telegram's offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int) -> tuple[str, int] | None:
    """The character an HTML entity at `index` stands for and the index after it, or None."""
    numeric = _NUMERIC_ENTITY.match(text, index)
    if numeric:
        code = int(numeric[1], 16) if numeric[1] else int(numeric[2])
        if 0 < code < 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), numeric.end()
        return None
    named = _NAMED_ENTITY.match(text, index)
    if named and named[1] in NAMED_ENTITIES:
        return NAMED_ENTITIES[named[1]], named.end()
    return None


@dataclass
class _OpenTag:
    name: str
    offset: int  # UTF-16 offset of the tag's content in the plain text
    attributes: dict[str, str]


class _HtmlParser:
    """Telegram's HTML parse mode: markup in, plain text and MessageEntity dicts out.

    Mirrors tdlib's parser (td/telegram/MessageEntity.cpp, parse_html) and its error messages,
    with one rule from the Bot API documentation that the server itself does not enforce: an
    "&" must start &lt; &gt; &amp; &quot; or a numeric entity.
    """

    def __init__(self, markup: str) -> None:
        self.markup = markup
        self.pos = 0
        self.plain: list[str] = []
        self.offset = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        markup = self.markup
        while self.pos < len(markup):
            char = markup[self.pos]
            if char == "&":
                self._append(self._entity_at(self.pos))
            elif char == "<":
                if markup.startswith("</", self.pos):
                    self._end_tag()
                else:
                    self._start_tag()
            else:
                run = _PLAIN_RUN.match(markup, self.pos)
                assert run is not None  # markup[self.pos] is neither "<" nor "&"
                self._append((run[0], run.end()))
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"],
                                               ENTITY_PRIORITY[entity["type"]]))
        return "".join(self.plain), self.entities

    def _fail(self, message: str, index: int) -> EntityParseError:
        return EntityParseError(f"{message} at byte offset {_byte_offset(self.markup, index)}")

    def _append(self, decoded: tuple[str, int]) -> None:
        text, self.pos = decoded
        self.plain.append(text)
        self.offset += utf16_length(text)

    def _entity_at(self, index: int) -> tuple[str, int]:
        decoded = _decode_entity(self.markup, index)
        if decoded is None:
            raise EntityParseError(
                f'Unescaped "&" at byte offset {_byte_offset(self.markup, index)}: write it as '
                "&amp; (only &lt; &gt; &amp; &quot; and numeric entities are supported)")
        return decoded

    def _skip_spaces(self) -> None:
        while self.pos < len(self.markup) and self.markup[self.pos] in TAG_SPACES:
            self.pos += 1

    def _start_tag(self) -> None:
        markup, begin = self.markup, self.pos
        self.pos += 1
        while self.pos < len(markup) and markup[self.pos] not in TAG_SPACES + ">":
            self.pos += 1
        if self.pos >= len(markup):
            raise self._fail("Unclosed start tag", begin)
        name = markup[begin + 1:self.pos].lower()
        if name not in HTML_TAGS:
            raise self._fail(f'Unsupported start tag "{name}"', begin)
        attributes = self._attributes(name, begin)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self._fail('Tag "span" must have class "tg-spoiler"', begin)
        if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise self._fail('Tag "tg-emoji" must have a numeric attribute "emoji-id"', begin)
        self.stack.append(_OpenTag(name, self.offset, attributes))

    def _attributes(self, tag: str, begin: int) -> dict[str, str]:
        markup, attributes = self.markup, dict[str, str]()
        while True:
            self._skip_spaces()
            if self.pos >= len(markup):
                raise self._fail("Unclosed start tag", begin)
            if markup[self.pos] == ">":
                self.pos += 1
                return attributes
            name_begin = self.pos
            while (self.pos < len(markup) and markup[self.pos] not in TAG_SPACES
                   and markup[self.pos] not in "=>"):
                self.pos += 1
            name = markup[name_begin:self.pos].lower()
            self._skip_spaces()
            if tag == "blockquote" and name == "expandable" and markup[self.pos:self.pos + 1] != "=":
                attributes[name] = ""  # the one attribute that takes no value
                continue
            if not name or self.pos >= len(markup) or markup[self.pos] != "=":
                raise self._fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin)
            self.pos += 1
            self._skip_spaces()
            if self.pos >= len(markup):
                raise self._fail("Unclosed start tag", begin)
            attributes[name] = self._attribute_value(begin)

    def _attribute_value(self, begin: int) -> str:
        markup = self.markup
        quote = markup[self.pos]
        if quote not in "'\"":
            token = _NAME_TOKEN.match(markup, self.pos)
            assert token is not None  # the pattern matches the empty string
            self.pos = token.end()
            if self.pos >= len(markup) or markup[self.pos] not in TAG_SPACES + ">":
                raise self._fail("Unexpected end of name token", token.start())
            return token[0].lower()
        self.pos += 1
        value: list[str] = []
        while self.pos < len(markup) and markup[self.pos] != quote:
            if markup[self.pos] == "&":
                char, self.pos = self._entity_at(self.pos)
            else:
                char, self.pos = markup[self.pos], self.pos + 1
            value.append(char)
        if self.pos >= len(markup):
            raise self._fail("Unclosed start tag", begin)
        self.pos += 1
        return "".join(value)

    def _end_tag(self) -> None:
        markup, begin = self.markup, self.pos
        self.pos += 2
        while self.pos < len(markup) and markup[self.pos] not in TAG_SPACES + ">":
            self.pos += 1
        name = markup[begin + 2:self.pos].lower()
        self._skip_spaces()
        if self.pos >= len(markup) or markup[self.pos] != ">":
            raise self._fail("Unclosed end tag", begin)
        self.pos += 1
        if not self.stack:
            raise self._fail("Unexpected end tag", begin)
        tag = self.stack.pop()
        if name and name != tag.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {_byte_offset(markup, begin)}, "
                f'expected "</{tag.name}>", found "</{name}>"')
        self._close(tag)

    def _close(self, tag: _OpenTag) -> None:
        length = self.offset - tag.offset
        if length == 0:
            return
        entity: dict[str, Any] = {"type": HTML_TAGS[tag.name], "offset": tag.offset, "length": length}
        if tag.name == "a":
            if not tag.attributes.get("href"):
                return
            entity["url"] = tag.attributes["href"]
        elif tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            # <pre><code class="language-x">: one pre entity, with the language if given
            language = tag.attributes.get("class", "")
            if language.startswith("language-") and len(language) > len("language-"):
                self.stack[-1].attributes["language"] = language.removeprefix("language-")
            return
        elif tag.name == "pre" and tag.attributes.get("language"):
            entity["language"] = tag.attributes["language"]
        elif tag.name == "blockquote" and "expandable" in tag.attributes:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attributes["emoji-id"]
        self.entities.append(entity)


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Drop leading and trailing whitespace as Telegram does, keeping entities on their text."""
    stripped = text.strip()
    start = utf16_length(text[:len(text) - len(text.lstrip())])
    end = start + utf16_length(stripped)
    kept = []
    for entity in entities:
        begin, finish = max(entity["offset"], start), min(entity["offset"] + entity["length"], end)
        if finish > begin:
            kept.append({**entity, "offset": begin - start, "length": finish - begin})
    return stripped, kept


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse text sent with parse_mode HTML into what Telegram stores: plain text and entities.

    Raises EntityParseError with Telegram's reason when the server would refuse the markup:
    unsupported tags, tags not properly nested or closed, a bare "&".

    Example usage::

        >>> parse_html("<b>晋城</b>开发区 &amp; 园区")
        ('晋城开发区 & 园区', [{'type': 'bold', 'offset': 0, 'length': 2}])
    """
    return _strip(*_HtmlParser(markup).parse())


# --------------------------------------------------------------------------- recorded values


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded in a multipart/form-data request."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Call:
    """One request the bot made: the method, its parameters as sent, and how it was answered.

    `time` is the stand-in's clock (time.monotonic unless a clock was injected); `status` is the
    HTTP status, or None for a request held and dropped by a "timeout" fault.
    """

    method: str
    params: dict[str, Any]
    time: float
    status: int | None
    description: str | None = None


@dataclass
class _Fault:
    method: str
    chat_id: int | None
    error: str
    times: int
    retry_after: int


@dataclass
class _Chat:
    info: dict[str, Any]
    last_message_id: int = 0
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    content: bytes

    def document(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_name": self.file_name, "mime_type": self.mime_type,
                "file_size": len(self.content)}


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    content_type: str = "application/json"


_HOLD = object()  # answer of a "timeout" fault: keep the request open, then drop it


def _bad_request(reason: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {reason}")


def _too_many_requests(retry_after: int) -> _ApiError:
    return _ApiError(429, f"Too Many Requests: retry after {retry_after}",
                     {"retry_after": retry_after})


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _error_body(error: _ApiError) -> bytes:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return _json_bytes(body)


# --------------------------------------------------------------------------- request bodies


def _coerce(name: str, value: Any) -> Any:
    """Turn one form value into the type the Bot API documents for that parameter."""
    if not isinstance(value, str):
        return value
    if name in INT_PARAMS:
        if re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        if name == "chat_id":
            return value  # @channelusername
        raise _bad_request(f'wrong parameter "{name}": "{value}" is not an integer')
    if name in BOOL_PARAMS:
        lowered = value.strip().lower()
        if lowered in {"true", "1"}:
            return True
        if lowered in {"false", "0", ""}:
            return False
        raise _bad_request(f'wrong parameter "{name}": "{value}" is not a boolean')
    if name in JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise _bad_request("can't parse reply keyboard markup JSON object") from None
            raise _bad_request(f"can't parse {name} JSON object") from None
    return value


def _parse_multipart(body: bytes, boundary: str) -> dict[str, Any]:
    """Fields of a multipart/form-data body; file parts become UploadedFile values."""
    fields: dict[str, Any] = {}
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    for part in (b"\r\n" + body).split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        _, _, part = part.partition(b"\r\n")  # the rest of the delimiter line
        head, separator, content = part.partition(b"\r\n\r\n")
        if not separator:
            raise _bad_request("can't parse multipart/form-data body")
        headers = {}
        for line in head.decode("utf-8").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = re.search(r'\bname="([^"]*)"', disposition)
        if name is None:
            raise _bad_request("multipart/form-data part without a name")
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if filename is None:
            fields[unquote(name[1])] = content.decode("utf-8")
        else:
            fields[unquote(name[1])] = UploadedFile(
                unquote(filename[1]), headers.get("content-type", "application/octet-stream"), content)
    return fields


def _parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Parameters from the query string and a JSON, form-urlencoded or multipart body."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    media_type, _, options = content_type.partition(";")
    media_type = media_type.strip().lower()
    if not body:
        pass
    elif media_type == "application/json":
        try:
            payload = json.loads(body)
        except ValueError:
            raise _bad_request("can't parse JSON object") from None
        if not isinstance(payload, dict):
            raise _bad_request("JSON body must be an object")
        params.update(payload)
    elif media_type == "multipart/form-data":
        boundary = re.search(r'boundary="?([^";]+)"?', options)
        if boundary is None:
            raise _bad_request("multipart/form-data without a boundary")
        params.update(_parse_multipart(body, boundary[1]))
    else:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {name: _coerce(name, value) for name, value in params.items()}


# --------------------------------------------------------------------------- the stand-in


_COMMAND_IN_TEXT = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


class BotApiStandIn:
    """The Bot API on 127.0.0.1, with simulated users, a call log and fault injection.

    Thread-safe: the HTTP server answers each connection in its own thread while a test drives
    users and reads the log from another. Use it as a context manager, or start() and stop().

    Args:
        host: address to listen on.
        port: port to listen on; 0 picks a free one (see `url`).
        token: the only token accepted; other tokens get 401 Unauthorized, as from Telegram.
        inline: whether inline mode is on (BotFather /setinline): getMe's supports_inline_queries,
            and whether `inline_query` may be used.
        latency: seconds added to every sendMessage (settable later, e.g. to stop a bot mid fan-out).
        max_messages_per_second: a global rate ceiling; sends beyond it in any one-second window
            get 429 "retry after 1". None (the default) means no ceiling.
        clock: monotonic clock for call times and the rate ceiling (tests may pass a fake one).
        on_delivery: called with each entry of `sent()` as it is recorded.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str = DEFAULT_TOKEN,
        latency: float = 0.0,
        max_messages_per_second: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_delivery: Callable[[dict[str, Any]], None] | None = None,
        inline: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.latency = latency
        self.max_messages_per_second = max_messages_per_second
        self._clock = clock
        self._on_delivery = on_delivery
        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]), "is_bot": True, "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": inline,
            "can_connect_to_business": False, "has_main_web_app": False,
        }
        self._chats: dict[int, _Chat] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(FIRST_UPDATE_ID)
        self._allowed_updates: frozenset[str] | None = None  # None: all but OPT_IN_UPDATES
        self._poll_generation = 0
        self._long_polls = 0
        self._answering = 0  # requests between being read and their answer written
        self._callback_queries: set[str] = set()
        self._inline_queries: dict[str, dict[str, Any]] = {}  # id -> the inline query
        self._inline_answers: dict[str, dict[str, Any]] = {}  # id -> the answerInlineQuery params
        self._inline_ids = itertools.count(7_000_000_000_000_000_001)
        self._members: dict[tuple[int, int], str] = {}  # (chat id, user id) -> status
        self._callback_ids = itertools.count(5_000_000_000_000_000_001)
        self._files: dict[str, _StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._commands: dict[str, list[dict[str, str]]] = {}
        self._faults: list[_Fault] = []
        self._blocked: set[int] = set()
        self._calls: list[Call] = []
        self._deliveries: list[dict[str, Any]] = []
        self._message_times: list[float] = []
        self._methods: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
            name.lower(): (name, handler) for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "deleteMessage": self._delete_message,
                "sendDocument": self._send_document,
                "getFile": self._get_file,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
                "answerInlineQuery": self._answer_inline_query,
                "close": self._close_bot,
                "logOut": self._log_out,
            }.items()
        }

    # ----------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """The base_url for python-telegram-bot (the token is appended to it)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def file_url(self) -> str:
        """The base_file_url for python-telegram-bot (the token is appended to it)."""
        return f"http://{self.host}:{self.port}/file/bot"

    def start(self) -> BotApiStandIn:
        """Listen and serve in a background thread."""
        if self._server is not None:
            raise RuntimeError("the Bot API stand-in is already running")
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_INTERVAL},
            name=f"botapi-standin:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Answer pending long polls, close every connection and join every thread."""
        if self._server is None:
            return
        with self._cond:
            self._stopping.set()
            self._cond.notify_all()
            # let the answers being written (long polls just woken) reach their clients
            self._cond.wait_for(lambda: self._answering == 0, timeout=STOP_GRACE_SECONDS)
        self._server.shutdown()
        with self._cond:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()  # joins the connection threads
        assert self._thread is not None
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> BotApiStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- simulated users

    def add_user(self, user_id: int, first_name: str = "测试用户") -> dict[str, Any]:
        """A user who has started the bot: from now on the bot may write to their private chat."""
        if user_id <= 0:
            raise ValueError(f"a user id is a positive integer, not {user_id}")
        with self._cond:
            return self._sender(user_id, None, first_name)

    def send_text(self, chat_id: int, text: str, *, user_id: int | None = None,
                  first_name: str = "测试用户", anonymous_admin: bool = False) -> dict[str, Any]:
        """A user types `text`; returns the message update the bot will receive.

        A positive chat_id is the private chat with that user; a negative one is a group, where
        user_id says who is typing — or, with anonymous_admin, an administrator who writes as the
        group itself (from GroupAnonymousBot, sender_chat the group), as Telegram shows them.
        Commands get bot_command entities as Telegram sets them.
        """
        if not text.strip():
            raise ValueError("Telegram clients do not send empty messages")
        entities = [
            {"type": "bot_command", "offset": utf16_length(text[:match.start()]),
             "length": utf16_length(match[0])}
            for match in _COMMAND_IN_TEXT.finditer(text)
        ]
        fields: dict[str, Any] = {"text": text}
        if entities:
            fields["entities"] = entities
        with self._cond:
            if anonymous_admin:
                if chat_id >= 0 or chat_id not in self._chats:
                    raise ValueError("an anonymous administrator writes in a group added with add_chat")
                sender = dict(ANONYMOUS_ADMIN)
                fields["sender_chat"] = dict(self._chats[chat_id].info)
            else:
                sender = self._sender(chat_id, user_id, first_name)
            return self._enqueue("message", self._new_message(chat_id, sender, fields))

    def send_document(self, chat_id: int, filename: str, content: bytes,
                      caption: str | None = None, *, user_id: int | None = None,
                      first_name: str = "测试用户") -> dict[str, Any]:
        """A user sends a file; the bot can getFile it and download it from `file_url`."""
        if not content:
            raise ValueError("Telegram does not accept empty files")
        mime_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        with self._cond:
            sender = self._sender(chat_id, user_id, first_name)
            fields: dict[str, Any] = {
                "document": self._store_file(filename, mime_type, content).document()}
            if caption:
                fields["caption"] = caption
            return self._enqueue("message", self._new_message(chat_id, sender, fields))

    def press(self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None,
              first_name: str = "测试用户") -> dict[str, Any]:
        """A user presses the inline button with callback `data` under a message the bot sent."""
        with self._cond:
            sender = self._sender(chat_id, user_id, first_name)
            message = self._chats[chat_id].messages.get(message_id)
            if message is None:
                raise ValueError(f"chat {chat_id} has no message {message_id}")
            buttons = [button for row in message.get("reply_markup", {}).get("inline_keyboard", [])
                       for button in row]
            if not any(button.get("callback_data") == data for button in buttons):
                offered = [(button.get("text"), button.get("callback_data")) for button in buttons]
                raise ValueError(f"message {message_id} in chat {chat_id} has no button with "
                                 f"callback_data {data!r}; its buttons: {offered}")
            query_id = str(next(self._callback_ids))
            self._callback_queries.add(query_id)
            return self._enqueue("callback_query", {
                "id": query_id, "from": sender, "message": message,
                "chat_instance": str((chat_id * 2_654_435_761) % (1 << 62)), "data": data,
            })

    def add_chat(self, chat_id: int, kind: str = "supergroup", title: str = "测试群组",
                 username: str | None = None) -> None:
        """A group, supergroup or channel (negative id) the bot is in; `username` makes a public
        chat reachable as @username (a channel's link name)."""
        if chat_id >= 0 or kind not in CHAT_TYPES:
            raise ValueError(f"a {CHAT_TYPES} chat has a negative id, not {kind} {chat_id}")
        info: dict[str, Any] = {"id": chat_id, "type": kind, "title": title}
        if username:
            info["username"] = username
        with self._cond:
            chat = self._chats.setdefault(chat_id, _Chat(info))
            chat.info = info

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """What `user_id` is in the group or channel `chat_id` (getChatMember answers it)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"status must be one of {MEMBER_STATUSES}, not {status!r}")
        with self._cond:
            if chat_id not in self._chats:
                raise ValueError(f"no chat {chat_id}: add_chat it first")
            self._members[(chat_id, user_id)] = status

    def inline_query(self, user_id: int, query: str, *, chat_type: str = "sender",
                     first_name: str = "测试用户") -> dict[str, Any]:
        """A user types `@bot query` in any chat; returns the inline_query update. The answer is
        `inline_answer(update["inline_query"]["id"])` once the bot has sent it."""
        if not self.bot_user["supports_inline_queries"]:
            raise ValueError("inline mode is off: Telegram clients send no inline queries (BotFather /setinline)")
        with self._cond:
            query_id = str(next(self._inline_ids))
            inline = {"id": query_id, "from": {"id": user_id, "is_bot": False, "first_name": first_name,
                                               "language_code": "zh-hans"},
                      "query": query, "offset": "", "chat_type": chat_type}
            self._inline_queries[query_id] = inline
            return self._enqueue("inline_query", inline)

    def inline_answer(self, query_id: str) -> dict[str, Any] | None:
        """The answerInlineQuery parameters the bot sent for an inline query, else None."""
        with self._cond:
            return copy.deepcopy(self._inline_answers.get(query_id))

    def choose_inline_result(self, chat_id: int, query_id: str, result_id: str, *,
                             user_id: int) -> dict[str, Any]:
        """The user picks a result: Telegram posts its message in `chat_id` (any chat of theirs,
        the bot need not be in it) from the user, via the bot. Returns that message."""
        with self._cond:
            answer = self._inline_answers.get(query_id)
            if answer is None:
                raise ValueError(f"the bot has not answered inline query {query_id}")
            result = next((result for result in answer["results"] if result.get("id") == result_id), None)
            if result is None:
                raise ValueError(f"inline query {query_id} has no result {result_id!r}")
            content = result["input_message_content"]
            plain, entities = self._formatted(
                {"text": content["message_text"], "parse_mode": content.get("parse_mode")}, "text",
                MAX_TEXT_LENGTH, "message is too long")
            chat = self._chats.setdefault(chat_id, _Chat(
                {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "测试群组"}))
            sender = {"id": user_id, "is_bot": False, "first_name": "测试用户"}
            fields: dict[str, Any] = {"text": plain, "via_bot": self._bot_sender(),
                                      **({"entities": entities} if entities else {})}
            return copy.deepcopy(self._new_message(chat.info["id"], sender, fields))

    def _sender(self, chat_id: int, user_id: int | None, first_name: str) -> dict[str, Any]:
        """The user who writes in `chat_id`, creating the chat on their first message."""
        if chat_id > 0:
            if user_id not in (None, chat_id):
                raise ValueError("in a private chat the user id is the chat id")
            user_id = chat_id
            chat = self._chats.setdefault(chat_id, _Chat({"id": chat_id, "type": "private"}))
            chat.info["first_name"] = first_name
        elif user_id is None:
            raise ValueError(f"say which user_id writes in the group chat {chat_id}")
        else:
            self._chats.setdefault(chat_id, _Chat({"id": chat_id, "type": "group",
                                                   "title": "测试群组"}))
        return {"id": user_id, "is_bot": False, "first_name": first_name,
                "language_code": "zh-hans"}

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        allowed = self._allowed_updates
        if (kind not in OPT_IN_UPDATES) if allowed is None else (kind in allowed):
            self._updates.append(update)
        else:
            LOGGER.info("dropped a %s update: the bot did not ask for that update type", kind)
        self._cond.notify_all()
        return copy.deepcopy(update)

    def _new_message(self, chat_id: int, sender: dict[str, Any],
                     fields: dict[str, Any]) -> dict[str, Any]:
        chat = self._chats[chat_id]
        chat.last_message_id += 1
        message = {"message_id": chat.last_message_id, "from": sender, "chat": dict(chat.info),
                   "date": int(time.time()), **fields}
        chat.messages[chat.last_message_id] = message
        return message

    @property
    def long_polls(self) -> int:
        """How many getUpdates requests are waiting for an update right now."""
        with self._cond:
            return self._long_polls

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet (by a getUpdates offset past them)."""
        with self._cond:
            return copy.deepcopy(self._updates)

    # ----------------------------------------------------------------- faults

    def inject(self, method: str, *, chat_id: int | None = None, error: str = "429",
               times: int = 1, retry_after: int = 1) -> None:
        """Make the next `times` calls of `method` (to `chat_id`, if given) fail with `error`.

        "429" answers Too Many Requests with retry_after; "403" says the user blocked the bot;
        "500" is an Internal Server Error; "timeout" holds the request until the client gives up
        (its read timeout), then drops it without delivering anything.
        """
        if method.lower() not in self._methods:
            raise ValueError(f"the stand-in has no Bot API method {method!r}")
        if error not in FAULTS:
            raise ValueError(f"error must be one of {FAULTS}, not {error!r}")
        if times < 1 or retry_after < 1:
            raise ValueError("times and retry_after must be at least 1")
        with self._cond:
            self._faults.append(_Fault(self._methods[method.lower()][0], chat_id, error, times,
                                       retry_after))

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: every later request for that chat gets 403."""
        with self._cond:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """The user unblocks the bot."""
        with self._cond:
            self._blocked.discard(chat_id)

    def _take_fault(self, method: str, params: dict[str, Any]) -> _Fault | None:
        for fault in self._faults:
            if fault.method == method and fault.chat_id in (None, params.get("chat_id")):
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ----------------------------------------------------------------- recording

    def calls(self, method: str | None = None) -> list[Call]:
        """Every request the bot made (of `method`, if given), oldest first."""
        with self._cond:
            return [call for call in self._calls if method in (None, call.method)]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent or edited (in `chat_id`, if given), oldest first.

        Each entry: method, chat_id, message_id, text (as sent, markup included), plain_text
        (what the user reads), parse_mode, reply_markup, caption, document, time. Entries are
        fresh dicts; the values nested in them are shared with the log, so treat those as
        read-only (copying them all would make waiting on a large fan-out slow).
        """
        with self._cond:
            return [dict(entry) for entry in self._deliveries
                    if chat_id in (None, entry["chat_id"])]

    def file_content(self, file_id: str) -> bytes:
        """The bytes of a file a user or the bot sent."""
        with self._cond:
            return self._files[file_id].content

    def peak_rate(self, window: float = 1.0) -> int:
        """The most messages the bot sent within any `window` seconds."""
        with self._cond:
            times = sorted(self._message_times)
        first, peak = 0, 0
        for last, moment in enumerate(times):
            while moment - times[first] >= window:
                first += 1
            peak = max(peak, last - first + 1)
        return peak

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0,
                 what: str = "the condition") -> Any:
        """Block until predicate() is truthy and return its value.

        The predicate is checked after every call the bot makes and every POLL_INTERVAL seconds
        (for predicates on state outside the stand-in). On timeout, raise AssertionError listing
        the calls the bot did make. Inside an event loop that runs the bot, use `async_wait_for`.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass  # no event loop in this thread: blocking is fine
        else:
            raise AssertionError("wait_for would block the event loop that runs the bot; "
                                 "use `await botapi.async_wait_for(...)` there")
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (value := predicate()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}\n"
                                         f"{self.transcript()}")
                self._cond.wait(min(remaining, POLL_INTERVAL))
            return value

    def wait_for_messages(self, chat_id: int, count: int,
                          timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until the bot has sent or edited `count` messages in `chat_id`; return them all."""
        return self.wait_for(lambda: (sent := self.sent(chat_id)) and len(sent) >= count and sent,
                             timeout, f"{count} message(s) in chat {chat_id}")

    async def async_wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0,
                             what: str = "the condition") -> Any:
        """`wait_for` for a coroutine whose event loop also runs the bot."""
        return await asyncio.to_thread(self.wait_for, predicate, timeout, what)

    async def async_wait_for_messages(self, chat_id: int, count: int,
                                      timeout: float = 10.0) -> list[dict[str, Any]]:
        """`wait_for_messages` for a coroutine whose event loop also runs the bot."""
        return await asyncio.to_thread(self.wait_for_messages, chat_id, count, timeout)

    def transcript(self, last: int = 40) -> str:
        """The last calls the bot made, one a line, for failure messages."""
        with self._cond:
            total, calls, pending = len(self._calls), self._calls[-last:], len(self._updates)
        lines = [f"{total} call(s) so far, {pending} update(s) not yet confirmed:"]
        for call in calls:
            outcome = "dropped (timeout fault)" if call.status is None else str(call.status)
            if call.description:
                outcome += f" {call.description}"
            params = {name: value for name, value in call.params.items()
                      if name in {"chat_id", "message_id", "text", "caption", "offset",
                                  "callback_query_id", "file_id"}}
            lines.append(f"  {call.method} {json.dumps(params, ensure_ascii=False)[:160]} -> {outcome}")
        return "\n".join(lines)

    def _record(self, method: str, params: dict[str, Any], status: int | None,
                description: str | None = None) -> None:
        self._calls.append(Call(method, params, self._clock(), status, description))
        self._cond.notify_all()

    def _deliver(self, method: str, message: dict[str, Any], params: dict[str, Any]) -> None:
        entry = copy.deepcopy({
            "method": method, "chat_id": message["chat"]["id"], "message_id": message["message_id"],
            "text": params.get("text"), "plain_text": message.get("text", message.get("caption")),
            "parse_mode": params.get("parse_mode"), "reply_markup": message.get("reply_markup"),
            "caption": params.get("caption"), "document": message.get("document"),
            "time": self._clock(),
        })
        if method in MESSAGE_METHODS:
            self._message_times.append(entry["time"])
        self._deliveries.append(entry)
        if self._on_delivery is not None:
            self._on_delivery(dict(entry))

    # ----------------------------------------------------------------- dispatch

    def _answer(self, token: str, name: str,
                parse: Callable[[], dict[str, Any]]) -> _Answer | object:
        """Answer one Bot API request; _HOLD means: hold the connection, then drop it."""
        method, handler = self._methods.get(name.lower(), (name, None))
        params: dict[str, Any] = {}
        try:
            params = parse()
            with self._cond:
                if token != self.token:
                    raise _ApiError(401, "Unauthorized")
                if handler is None:
                    raise _ApiError(404, "Not Found")
                fault = self._take_fault(method, params)
                if fault is not None and fault.error == "timeout":
                    self._record(method, params, None)
                    return _HOLD
                if fault is not None:
                    raise {"429": _too_many_requests(fault.retry_after),
                           "403": _ApiError(403, "Forbidden: bot was blocked by the user"),
                           "500": _ApiError(500, "Internal Server Error")}[fault.error]
                if params.get("chat_id") in self._blocked:
                    raise _ApiError(403, "Forbidden: bot was blocked by the user")
            if method == "sendMessage" and self.latency > 0:
                self._stopping.wait(self.latency)
            with self._cond:
                result = handler(params)
                self._record(method, params, 200)
                return _Answer(200, _json_bytes({"ok": True, "result": result}))
        except _ApiError as error:
            with self._cond:
                self._record(method, params, error.code, error.description)
            return _Answer(error.code, _error_body(error))

    def _download(self, token: str, file_path: str) -> _Answer:
        with self._cond:
            stored = next((stored for stored in self._files.values()
                           if stored.file_path == file_path), None)
        if token != self.token or stored is None:
            return _Answer(404, _error_body(_ApiError(404, "Not Found")))
        return _Answer(200, stored.content, stored.mime_type)

    def _hold(self, connection: socket.socket) -> None:
        """Keep a request unanswered until its client hangs up (or HOLD_LIMIT, or stop())."""
        deadline = time.monotonic() + HOLD_LIMIT
        while time.monotonic() < deadline and not self._stopping.is_set():
            readable, _, _ = select.select([connection], [], [], POLL_INTERVAL)
            if readable:
                try:
                    if not connection.recv(1, socket.MSG_PEEK):
                        return
                except OSError:
                    return

    # ----------------------------------------------------------------- helpers for methods

    def _chat(self, params: dict[str, Any]) -> _Chat:
        if "chat_id" not in params or params["chat_id"] == "":
            raise _bad_request("chat_id is empty")
        chat = self._chats.get(params["chat_id"])
        if chat is None:
            raise _bad_request("chat not found")
        return chat

    def _message(self, params: dict[str, Any], missing: str) -> dict[str, Any]:
        if "inline_message_id" in params:
            raise _bad_request("the stand-in does not support inline messages")
        if "message_id" not in params:
            raise _bad_request("message identifier is not specified")
        message = self._chat(params).messages.get(params["message_id"])
        if message is None:
            raise _bad_request(missing)
        return message

    def _formatted(self, params: dict[str, Any], key: str, limit: int,
                   too_long: str) -> tuple[str, list[dict[str, Any]]]:
        """Plain text and entities of the `key` parameter after its parse_mode."""
        text = params.get(key, "")
        if not isinstance(text, str):
            text = str(text)
        parse_mode = (params.get("parse_mode") or "").lower()
        entities_key = "entities" if key == "text" else "caption_entities"
        if parse_mode == "html":
            try:
                plain, entities = parse_html(text)
            except EntityParseError as error:
                raise _bad_request(f"can't parse entities: {error}") from None
        elif parse_mode in {"", "markdown", "markdownv2"}:
            # Markdown is not parsed by the stand-in: the text is taken as it is.
            plain, entities = _strip(text, params.get(entities_key) or [])
        else:
            raise _bad_request("unsupported parse_mode")
        if utf16_length(plain) > limit:
            raise _bad_request(too_long)
        return plain, entities

    def _text_fields(self, params: dict[str, Any]) -> dict[str, Any]:
        plain, entities = self._formatted(params, "text", MAX_TEXT_LENGTH, "message is too long")
        if not plain:
            raise _bad_request("message text is empty")
        return {"text": plain, **({"entities": entities} if entities else {})}

    def _caption_fields(self, params: dict[str, Any]) -> dict[str, Any]:
        plain, entities = self._formatted(params, "caption", MAX_CAPTION_LENGTH,
                                          "message caption is too long")
        fields: dict[str, Any] = {"caption": plain} if plain else {}
        if plain and entities:
            fields["caption_entities"] = entities
        return fields

    def _markup(self, params: dict[str, Any]) -> dict[str, Any]:
        """The reply_markup to store in the message: only inline keyboards are shown there."""
        markup = params.get("reply_markup")
        if markup is None:
            return {}
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return {}  # a reply keyboard, its removal or force_reply: not part of the message
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an '
                               "Array of Arrays")
        for button in (button for row in rows for button in row):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad_request("can't parse inline keyboard button: Field \"text\" must be of "
                                   "type String")
            actions = set(button) - {"text"}
            if not actions:
                raise _bad_request("can't parse inline keyboard button: Text buttons are "
                                   "unallowed in the inline keyboard")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                    raise _bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not re.match(r"(https?|tg)://\S+$", str(button["url"])):
                raise _bad_request("BUTTON_URL_INVALID")
        return {"reply_markup": {"inline_keyboard": rows}}

    def _reply_to(self, chat: _Chat, params: dict[str, Any]) -> dict[str, Any]:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return {}
        replied = chat.messages.get(message_id)
        if replied is not None:  # carried one level deep, as Telegram does
            return {"reply_to_message": {key: copy.deepcopy(value) for key, value in replied.items()
                                         if key != "reply_to_message"}}
        if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
            return {}
        raise _bad_request("message to be replied not found")

    def _bot_sender(self) -> dict[str, Any]:
        """The bot as the sender of its messages: the User fields a Message carries."""
        return {key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")}

    def _check_rate(self) -> None:
        ceiling = self.max_messages_per_second
        if ceiling is None:
            return
        now = self._clock()
        if sum(1 for moment in self._message_times if now - moment < 1.0) >= ceiling:
            raise _too_many_requests(1)

    def _store_file(self, filename: str, mime_type: str, content: bytes) -> _StoredFile:
        number = next(self._file_numbers)
        suffix = re.search(r"\.[A-Za-z0-9]{1,8}$", filename)
        stored = _StoredFile(
            file_id=f"BQACAgUAAxkBAAI{number:06d}StandInDocument", file_unique_id=f"AgAD{number:06d}",
            file_path=f"documents/file_{number}{suffix[0] if suffix else ''}",
            file_name=filename, mime_type=mime_type, content=content)
        self._files[stored.file_id] = stored
        return stored

    def _commands_key(self, params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad_request("can't parse BotCommandScope JSON object")
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad_request("invalid language code specified")
        return json.dumps([scope, language], sort_keys=True)

    # ----------------------------------------------------------------- methods

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.bot_user)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset", 0)
        limit = min(max(params.get("limit", 100), 1), 100)
        timeout = max(params.get("timeout", 0), 0)
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = frozenset(allowed) if allowed else None
        if offset < 0:
            del self._updates[:offset]
        elif offset:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + timeout
        self._long_polls += 1
        self._cond.notify_all()  # for wait_for(lambda: botapi.long_polls)
        try:
            while not self._updates and not self._stopping.is_set():
                if generation != self._poll_generation:
                    raise _ApiError(409, "Conflict: terminated by other getUpdates request; make "
                                         "sure that only one bot instance is running")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
        finally:
            self._long_polls -= 1
        return copy.deepcopy(self._updates[:limit])

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= MAX_COMMAND_DESCRIPTION:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        if commands:
            self._commands[key] = [{"command": command["command"],
                                    "description": command["description"]} for command in commands]
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        fields = {**self._text_fields(params), **self._markup(params),
                  **self._reply_to(chat, params)}
        self._check_rate()
        message = self._new_message(chat.info["id"], self._bot_sender(), fields)
        self._deliver("sendMessage", message, params)
        return copy.deepcopy(message)

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params, "message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise _bad_request("message can't be edited")
        return message

    def _replace(self, message: dict[str, Any], fields: dict[str, Any],
                 params: dict[str, Any], method: str) -> dict[str, Any]:
        edited = {key: value for key, value in message.items() if key not in CONTENT_KEYS}
        edited.update(fields)
        if all(edited.get(key) == message.get(key) for key in CONTENT_KEYS):
            raise _bad_request(NOT_MODIFIED)
        edited["edit_date"] = int(time.time())
        self._chats[message["chat"]["id"]].messages[message["message_id"]] = edited
        self._deliver(method, edited, params)
        return copy.deepcopy(edited)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        fields = {**self._text_fields(params), **self._markup(params)}
        return self._replace(message, fields, params, "editMessageText")

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        fields = {key: message[key] for key in CONTENT_KEYS if key in message}
        fields.pop("reply_markup", None)
        return self._replace(message, {**fields, **self._markup(params)}, params,
                             "editMessageReplyMarkup")

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        if str(params.get("callback_query_id", "")) not in self._callback_queries:
            raise _bad_request("query is too old and response timeout expired or query ID is "
                               "invalid")
        if len(params.get("text") or "") > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _delete_message(self, params: dict[str, Any]) -> bool:
        message = self._message(params, "message to delete not found")
        del self._chats[message["chat"]["id"]].messages[message["message_id"]]
        return True

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = params.get(document.removeprefix("attach://"))
        if isinstance(document, UploadedFile):
            if not document.content:
                raise _bad_request("file must be non-empty")
            stored = self._store_file(document.filename, document.content_type, document.content)
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        elif isinstance(document, str) and re.match(r"https?://", document):
            raise _bad_request("failed to get HTTP URL content")
        elif document:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        else:
            raise _bad_request("there is no document in the request")
        fields = {"document": stored.document(), **self._caption_fields(params),
                  **self._markup(params), **self._reply_to(chat, params)}
        self._check_rate()
        message = self._new_message(chat.info["id"], self._bot_sender(), fields)
        self._deliver("sendDocument", message, params)
        return copy.deepcopy(message)

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise _bad_request("file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.content), "file_path": stored.file_path}

    def _chat_or_username(self, params: dict[str, Any]) -> _Chat:
        """The chat `chat_id` names: an id, or @username of a public chat."""
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            chat = next((chat for chat in self._chats.values()
                         if chat.info.get("username", "").lower() == chat_id[1:].lower()), None)
            if chat is None:
                raise _bad_request("chat not found")
            return chat
        return self._chat(params)

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_or_username(params)
        return {**chat.info, "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                        "unique_gifts": False, "premium_subscription": False,
                                        "gifts_from_channels": False}}

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_or_username(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise _bad_request("user_id is empty" if user_id in (None, "") else "invalid user_id specified")
        chat_id = chat.info["id"]
        if chat.info["type"] == "private":
            status = "member" if user_id in (chat_id, self.bot_user["id"]) else "left"
        else:
            status = self._members.get((chat_id, user_id), "left")
        user = (self._bot_sender() if user_id == self.bot_user["id"]
                else {"id": user_id, "is_bot": False, "first_name": "测试用户"})
        return _chat_member(status, user, chat.info["type"] == "channel")

    def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self._inline_queries:
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad_request("RESULTS_TOO_MUCH")
        ids = [str(result.get("id", "")) if isinstance(result, dict) else "" for result in results]
        if any(not 1 <= len(result_id.encode("utf-8")) <= MAX_INLINE_RESULT_ID_BYTES for result_id in ids):
            raise _bad_request("RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise _bad_request("RESULT_ID_DUPLICATE")
        for result in results:
            self._check_inline_result(result)
        self._inline_answers[query_id] = {key: copy.deepcopy(value) for key, value in params.items()}
        return True

    def _check_inline_result(self, result: dict[str, Any]) -> None:
        """What Telegram checks of an InlineQueryResultArticle (the only type ZoneBrief sends)."""
        if result.get("type") != "article":
            raise _bad_request(f"the stand-in does not support inline results of type {result.get('type')!r}")
        if not str(result.get("title") or "").strip():
            raise _bad_request("RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if not isinstance(content, dict) or "message_text" not in content:
            raise _bad_request("can't parse inline query result: input_message_content is not a text message")
        plain, _ = self._formatted({"text": content["message_text"], "parse_mode": content.get("parse_mode")},
                                   "text", MAX_TEXT_LENGTH, "MESSAGE_TOO_LONG")
        if not plain.strip():
            raise _bad_request("MESSAGE_EMPTY")
        self._markup({"reply_markup": result.get("reply_markup")})

    def _close_bot(self, params: dict[str, Any]) -> bool:
        return True

    def _log_out(self, params: dict[str, Any]) -> bool:
        return True


def _chat_member(status: str, user: dict[str, Any], in_channel: bool) -> dict[str, Any]:
    """A ChatMember object as the Bot API sends it, with every field its status requires."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        rights = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                  "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
                  "can_edit_stories", "can_delete_stories")
        member.update({"can_be_edited": False, "is_anonymous": False, **{right: True for right in rights}})
        member.update({"can_post_messages": True, "can_edit_messages": True} if in_channel else {"can_pin_messages": True})
    elif status == "restricted":
        member.update({"is_member": True, "until_date": 0, **{right: False for right in (
            "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
            "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
            "can_add_web_page_previews", "can_change_info", "can_invite_users", "can_pin_messages",
            "can_manage_topics", "can_edit_tag", "can_react_to_messages")}})
    elif status == "kicked":
        member["until_date"] = 0
    return member


# --------------------------------------------------------------------------- HTTP plumbing


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # a fan-out opens hundreds of connections at once

    def __init__(self, address: tuple[str, int], standin: BotApiStandIn) -> None:
        self.standin = standin
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            LOGGER.debug("connection from %s closed", client_address)
        else:
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    disable_nagle_algorithm = True  # else the body, written after the headers, waits for an ACK
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.standin._cond:
            self.server.standin._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.standin._cond:
            self.server.standin._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        LOGGER.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        standin = self.server.standin
        with standin._cond:
            standin._answering += 1
        try:
            self._answer_request(standin)
        finally:
            with standin._cond:
                standin._answering -= 1
                standin._cond.notify_all()

    def _answer_request(self, standin: BotApiStandIn) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)  # PTB percent-encodes file paths, the token's ":" included
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True  # the chunked body is left unread
            answer: _Answer | object = _Answer(400, _error_body(_bad_request(
                "the stand-in needs a Content-Length, not a chunked body")))
        elif file_request := re.fullmatch(r"/file/bot([^/]+)/(.+)", path):
            answer = standin._download(file_request[1], file_request[2])
        elif api_request := re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path):
            answer = standin._answer(api_request[1], api_request[2], lambda: _parse_params(
                url.query, self.headers.get("Content-Type", ""), body))
        else:
            answer = _Answer(404, _error_body(_ApiError(404, "Not Found")))
        if answer is _HOLD:
            standin._hold(self.connection)
            self.close_connection = True
            return
        assert isinstance(answer, _Answer)
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except OSError:
            self.close_connection = True  # the client gave up (a cancelled long poll)


# --------------------------------------------------------------------------- python-telegram-bot


@contextlib.asynccontextmanager
async def polling(application: Any, **start_polling: Any) -> AsyncIterator[Any]:
    """Run a python-telegram-bot Application with its updater polling, for the body of the block.

    Initializes, starts polling and starts the application; on the way out stops the updater
    (which confirms the fetched updates), stops and shuts down the application.
    """
    async with application:
        await application.updater.start_polling(**start_polling)
        await application.start()
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


# --------------------------------------------------------------------------- standalone


def _print_delivery(entry: dict[str, Any]) -> None:
    buttons = [f"[{button['text']}]" for row in (entry["reply_markup"] or {}).get("inline_keyboard", [])
               for button in row]
    document = f" 📎{entry['document']['file_name']}" if entry["document"] else ""
    print(f"机器人 → {entry['chat_id']} #{entry['message_id']} ({entry['method']}):{document}\n"
          f"{entry['plain_text'] or ''} {' '.join(buttons)}".rstrip(), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C; each line read from stdin is a message from the user --chat."""
    parser = argparse.ArgumentParser(description="Telegram Bot API 测试替身（仅监听本机）。")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--port", type=int, default=8081, help="端口；0 表示任选空闲端口")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="机器人令牌")
    parser.add_argument("--chat", type=int, default=DEFAULT_CHAT,
                        help="标准输入的每一行作为这个用户的消息发送")
    args = parser.parse_args(argv)
    if args.chat <= 0:
        parser.error("--chat 必须是正整数（私聊的用户 ID）")
    try:
        standin = BotApiStandIn(args.host, args.port, token=args.token,
                                on_delivery=_print_delivery).start()
    except OSError as error:
        parser.error(f"无法监听 {args.host}:{args.port}：{error.strerror}。换一个端口试试，例如 --port 0")
    print(f"base_url: {standin.url}\nbase_file_url: {standin.file_url}\ntoken: {standin.token}",
          flush=True)
    print(f"每输入一行，就作为用户 {args.chat} 的消息发给机器人；按 Ctrl-C 退出。", flush=True)
    # Ctrl-C only sets an event: a KeyboardInterrupt raised at an arbitrary point (say, inside the
    # stand-in's lock while a line is being sent) could leave the server unable to stop.
    interrupted = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    threading.Thread(target=_send_lines, args=(standin, args.chat), name="stdin", daemon=True).start()
    while not interrupted.wait(SHUTDOWN_POLL_INTERVAL * 10):
        pass
    standin.stop()
    return 0


def _send_lines(standin: BotApiStandIn, chat: int) -> None:
    """Each line read from stdin, as a message from the user `chat` (until stdin closes)."""
    for line in sys.stdin:
        if line.strip():
            standin.send_text(chat, line.rstrip("\n"))


if __name__ == "__main__":
    sys.exit(main())
