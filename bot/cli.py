"""The `zonebrief` command: wiring and logging set-up only; the work happens in the modules it calls."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import sqlite3
import sys
import time
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

with warnings.catch_warnings():
    # jieba 0.42.1 imports the deprecated pkg_resources, which would warn on every start.
    warnings.simplefilter("ignore", UserWarning)
    import jieba

import click
from sqlite_utils import Database
from tqdm import tqdm

from bot import admin, console, outbox, planning, render
from bot.commands import Context
from bot.config import ConfigError, Settings, load_settings
from bot.console import CONSOLE_CHAT_ID
from bot.db import compact as compact_store
from bot.db import open_db
from bot.ingest import (
    DATE_FROM_ARRIVAL,
    DATE_FROM_FLAG,
    DATE_FROM_MASTHEAD,
    NEW,
    REPLACED,
    UNCHANGED,
    FileOutcome,
    IngestError,
    IngestResult,
    ensure_seeded,
    export_articles,
    ingest_paths,
    load_gazetteer,
    parse_issue_date,
    zone_counts,
)
from bot.render import to_plain
from bot.service import ZoneService
from summarize.textrank import BACKENDS, DEFAULT_MAX_CHARS, DEFAULT_MAX_SENTENCES, OURS, Summary, summarize
from summarize.tokens import Tokenizer
from summarize.zones import Gazetteer

# More page files than this in one run show their progress on stderr: a bar on a terminal, else
# a line each PROGRESS_LINES-th of the files.
PROGRESS_MIN_FILES = 10
PROGRESS_LINES = 10
DATE_SOURCES = {
    DATE_FROM_MASTHEAD: "取自报头",
    DATE_FROM_FLAG: "取自 --date",
    DATE_FROM_ARRIVAL: "为收到当天（版面没有印日期，可用 --date 指定）",
    "text": "取自正文（旧版本导入）",
    "file": "取自文件修改时间（旧版本导入）",
}
# Paths are checked by the command that uses them, so every mistake gets one Chinese line (click's own
# checks would end the whole run with an English usage error).
ANY_PATH = click.Path(path_type=Path, readable=False)
DB_HELP = "数据库文件（默认 $ZONEBRIEF_DB，否则配置文件里的 db，都没有则为当前目录下的 zonebrief.db）。"


class CliError(click.ClickException):
    """A one-line error in Chinese, `错误：<what>，<what to do>`, exit status 1."""

    def show(self, file: object = None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_object(Settings)  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=None,
              help="配置文件（默认 $ZONEBRIEF_CONFIG，否则 config/zonebrief.toml）。")
@click.option("-v", "--verbose", is_flag=True, help="输出调试日志。")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """ZoneBrief 开发区简报机器人：把《科学导报·开发区建设》版面变成可查询、可订阅的简报。"""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading to stderr at DEBUG
    try:
        ctx.obj = load_settings(os.environ, config_path)
    except ConfigError as error:
        raise CliError(str(error)) from None


def _db_path(ctx: click.Context, db_option: Path | None) -> Path:
    # 1. --db; 2. $ZONEBRIEF_DB; 3. the config file's db; 4. zonebrief.db (2-4 are Settings.db).
    return db_option or Path(_settings(ctx).db)


def _open_store(path: Path) -> Database:
    try:
        return open_db(path)
    except sqlite3.Error as error:
        raise CliError(f"无法打开数据库 {path}（{error}）：请确认它是 ZoneBrief 的数据库，且所在文件夹存在、可写") from None


def _open_existing_store(path: Path) -> Database:
    """Open a store that must already exist: a read command never creates an empty database."""
    if not path.is_file():
        raise CliError(f"找不到数据库 {path}：请先运行 zonebrief ingest 导入版面，或用 --db / $ZONEBRIEF_DB 指定数据库文件")
    return _open_store(path)


def _gazetteer(settings: Settings) -> Gazetteer:
    try:
        return load_gazetteer(settings.zones_csv)
    except IngestError as error:
        raise CliError(str(error)) from None


def _text_tools(settings: Settings) -> tuple[Gazetteer, Tokenizer]:
    gazetteer = _gazetteer(settings)
    return gazetteer, Tokenizer(extra_words=gazetteer.forms())


def _check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            parse_issue_date(value)
        except IngestError as error:
            raise CliError(f"--date：{error}") from None
    return value


def _progress(files: Sequence[Path]) -> Iterable[Path]:
    """The files of a long run with its progress on stderr: a bar on a terminal, else whole lines."""
    if len(files) <= PROGRESS_MIN_FILES:
        return files
    if sys.stderr.isatty():
        return tqdm(files, desc="导入", unit="个文件", file=sys.stderr)
    return _progress_lines(files)


def _progress_lines(files: Sequence[Path]) -> Iterator[Path]:
    """Off a terminal (a log file, a pipe), a bar redrawn with carriage returns would garble it:
    one line each PROGRESS_LINES-th of the files instead, and one when all are done."""
    step = -(-len(files) // PROGRESS_LINES)
    started = time.monotonic()
    for done, file in enumerate(files):
        if done and done % step == 0:
            click.echo(_progress_line(done, len(files), time.monotonic() - started), err=True)
        yield file
    click.echo(_progress_line(len(files), len(files), time.monotonic() - started), err=True)


def _progress_line(done: int, total: int, seconds: float) -> str:
    return f"导入进度：{done}/{total} 个文件（{done * 100 // total}%），用时 {seconds:.1f} 秒"


def _describe(result: IngestResult, path: Path) -> str:
    issue = f"（{result.label}，{result.issue_date}，日期{DATE_SOURCES[result.date_source]}）"
    if result.status == UNCHANGED:
        if result.source == path.name:
            return "内容未变，跳过"
        return f"内容与已导入的 {result.source} 相同，跳过"
    if result.status == REPLACED:
        return (f"同一期版面（{result.label}）内容有变，已替换旧版：{result.article_count} 篇文章（其中新增 {result.articles_added} 篇），"
                f"{result.fragment_count} 段未归位{issue}")
    return f"新增，{result.article_count} 篇文章，{result.fragment_count} 段未归位{issue}"


def _summary(outcomes: list[FileOutcome]) -> str:
    results = [outcome.result for outcome in outcomes if outcome.result is not None]
    written = [result for result in results if result.status != UNCHANGED]
    counts = {status: sum(result.status == status for result in results) for status in (NEW, REPLACED, UNCHANGED)}
    return (
        f"合计：新增 {counts[NEW]} 个版面，替换 {counts[REPLACED]} 个，未变 {counts[UNCHANGED]} 个，"
        f"失败 {len(outcomes) - len(results)} 个；新增文章 {sum(r.articles_added for r in written)} 篇，"
        f"未归位片段 {sum(r.fragment_count for r in written)} 段"
    )


@cli.command()
@click.argument("paths", nargs=-1, type=ANY_PATH)
@click.option("--db", "db_option", type=ANY_PATH, help=DB_HELP)
@click.option("--date", "issue_date", callback=_check_date,
              help="没有印日期的版面的日期 YYYY-MM-DD（报头印有日期时以报头为准；都没有则记为收到当天）。")
@click.option("--issue", "issue_label", help="期次名称，例如 2025年第50期（默认取报头；报头没有则用日期，例如 2025年11月30日收到）。")
@click.option("--push", is_flag=True,
              help="作为新一期推送给订阅者（由运行中的机器人发出）；默认作为存档导入：可查询，不推送。")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], db_option: Path | None, issue_date: str | None,
           issue_label: str | None, push: bool) -> None:
    """导入版面文件（.txt 文本或 .pdf 电子版），或文件夹里的全部 .txt 和 .pdf 版面（默认作为存档，不推送；--push 推送）。"""
    if not paths:
        raise CliError("请给出要导入的版面文件或文件夹，例如：zonebrief ingest seeds/")
    gazetteer = _gazetteer(_settings(ctx))
    with _open_store(_db_path(ctx, db_option)) as db:
        outcomes = ingest_paths(db, paths, gazetteer=gazetteer, issue_date=issue_date,
                                issue_label=issue_label, progress=_progress, archive=not push)
    for outcome in outcomes:
        if outcome.result is None:
            click.echo(f"错误：{outcome.path}：{outcome.error}", err=True)
        else:
            click.echo(f"{outcome.path}：{_describe(outcome.result, outcome.path)}")
    written = any(outcome.result is not None and outcome.result.status != UNCHANGED for outcome in outcomes)
    note = "；将推送给订阅者（由运行中的机器人发出）" if push else "；作为存档导入：可查询，不推送给订阅者（要推送请用 --push）"
    click.echo(_summary(outcomes) + (note if written else ""))
    if any(outcome.result is None for outcome in outcomes):
        ctx.exit(1)


@cli.command()
@click.option("--db", "db_option", type=ANY_PATH, help=DB_HELP)
@click.pass_context
def export(ctx: click.Context, db_option: Path | None) -> None:
    """把全部文章导出为 JSON Lines：每行一篇文章。"""
    with _open_existing_store(_db_path(ctx, db_option)) as db:
        for article in export_articles(db):
            click.echo(json.dumps(article, ensure_ascii=False))


@cli.command()
@click.option("--db", "db_option", type=ANY_PATH, help=DB_HELP)
@click.option("--all", "show_all", is_flag=True, help="列出名录中的全部开发区，包括还没有文章的。")
@click.pass_context
def zones(ctx: click.Context, db_option: Path | None, show_all: bool) -> None:
    """列出有文章的开发区，以及所在城市和文章数。"""
    with _open_existing_store(_db_path(ctx, db_option)) as db:
        rows = zone_counts(db, include_empty=show_all)
    if not rows:
        click.echo("库里还没有开发区的文章：请先运行 zonebrief ingest 导入版面")
        return
    table = [("开发区", "城市", "文章数"), *((name, city or "", str(count)) for name, city, count in rows)]
    widths = [max(_width(row[column]) for row in table) for column in range(2)]
    for name, city, count in table:
        click.echo(f"{_pad(name, widths[0])}  {_pad(city, widths[1])}  {count}")
    click.echo(f"共 {len(rows)} 个开发区")


@cli.command()
@click.option("--db", "db_option", type=ANY_PATH, help=DB_HELP)
@click.pass_context
def compact(ctx: click.Context, db_option: Path | None) -> None:
    """压缩数据库：归还删除和升级留下的空闲空间，并以 16 KB 页重写（须先停止机器人）。"""
    path = _db_path(ctx, db_option)
    db = _open_existing_store(path)
    before = _store_bytes(path)
    try:
        compact_store(db)
    except sqlite3.OperationalError:
        raise CliError(f"数据库 {path} 正在被其他程序使用：请先停止机器人（zonebrief run）再压缩") from None
    finally:
        db.close()
    click.echo(f"已压缩 {path}：{before / 1e6:.1f} MB → {_store_bytes(path) / 1e6:.1f} MB")


def _store_bytes(path: Path) -> int:
    """Bytes of a store's file and its WAL."""
    return sum(part.stat().st_size for part in (path, path.with_name(path.name + "-wal")) if part.is_file())


def _record_id(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    return None if value is None else _positive_int(ctx, param, value)


REVIEW_ACTIONS = (planning.PUBLISH, planning.DROP, planning.JOIN)


@cli.command()
@click.option("--db", "db_option", type=ANY_PATH, help=DB_HELP)
@click.option("--publish", callback=_record_id, help="发布这条待审记录（按编号）；其版面已推送时，推送给订阅者一次。")
@click.option("--drop", callback=_record_id, help="删除这条待审记录（按编号）：不推送，仍保存在数据库中。")
@click.option("--join", callback=_record_id, help="把这条待审记录（按编号）并入本版上一篇，再删除它。")
@click.pass_context
def review(ctx: click.Context, db_option: Path | None, publish: int | None, drop: int | None, join: int | None) -> None:
    """推送前待审：列出扣下的记录；或按编号发布、删除、并入上一篇（与管理员消息里的按钮相同）。"""
    chosen = [(action, number) for action, number in zip(REVIEW_ACTIONS, (publish, drop, join)) if number is not None]
    if len(chosen) > 1:
        raise CliError("一次只能做一件事：--publish、--drop、--join 请只写其中一个")
    settings = _settings(ctx)
    gazetteer, tokenizer = _text_tools(settings)
    with _open_existing_store(_db_path(ctx, db_option)) as db:
        service = ZoneService(db, gazetteer, tokenizer)
        if not chosen:
            records = planning.held_records(db)
            click.echo("\n".join(render.review_line(record) for record in records) or render.review_none())
            return
        action, number = chosen[0]
        try:
            click.echo(planning.decide_review(service, number, action, outbox.utc_now(), settings.source_url))
        except planning.ReviewError as error:
            raise CliError(str(error)) from None


# --- the bot ----------------------------------------------------------------------------------------

CHAT_ID_HELP = f"以哪个聊天的身份对话（订阅按聊天保存；默认 {CONSOLE_CHAT_ID}，即本机控制台）。"


def _service(ctx: click.Context, db_option: Path | None) -> ZoneService:
    """The service over the store; an empty store first gets the bundled seed pages."""
    settings = _settings(ctx)
    gazetteer, tokenizer = _text_tools(settings)
    db = _open_store(_db_path(ctx, db_option))
    ctx.call_on_close(db.close)
    for outcome in ensure_seeded(db, settings.seeds, gazetteer=gazetteer):
        if outcome.error:
            click.echo(f"警告：种子版面 {outcome.path} 导入失败：{outcome.error}", err=True)
    return ZoneService(db, gazetteer, tokenizer)


def _chat_context(ctx: click.Context, chat_id: int) -> Context:
    return Context(chat_id=chat_id, is_admin=_settings(ctx).is_admin(chat_id), settings=_settings(ctx))


@cli.command()
@click.option("--db", "db_option", type=ANY_PATH, help=DB_HELP)
@click.option("--chat-id", type=int, default=CONSOLE_CHAT_ID, help=CHAT_ID_HELP)
@click.pass_context
def chat(ctx: click.Context, db_option: Path | None, chat_id: int) -> None:
    """在终端里和机器人对话：离线、无需令牌；空数据库会先导入自带的种子版面。"""
    service = _service(ctx, db_option)
    console.chat(service, _chat_context(ctx, chat_id), sys.stdin, sys.stdout, interactive=sys.stdin.isatty())


@cli.command()
@click.argument("text", required=False)
@click.option("--press", "data", metavar="DATA",
              help="按下一个按钮：输出中 → 后面的回调数据，例如 sum:3；inline:… 选中一个内联结果。")
@click.option("--inline", "query", metavar="QUERY", help="内联查询，如同在任意聊天里输入 @机器人 QUERY，例如 --inline 晋城。")
@click.option("--db", "db_option", type=ANY_PATH, help=DB_HELP)
@click.option("--chat-id", type=int, default=CONSOLE_CHAT_ID, help=CHAT_ID_HELP)
@click.pass_context
def ask(ctx: click.Context, text: str | None, data: str | None, query: str | None, db_option: Path | None,
        chat_id: int) -> None:
    """发一条消息（或用 --press 按一个按钮、--inline 做一次内联查询），打印机器人的回复和按钮。"""
    if [text, data, query].count(None) != 2:
        raise CliError('请给出一条消息、一个 --press 按钮或一个 --inline 查询（三选一），例如：zonebrief ask "/zone 晋城"、'
                       "zonebrief ask --press sum:3 或 zonebrief ask --inline 晋城")
    service = _service(ctx, db_option)
    console.ask(service, _chat_context(ctx, chat_id), sys.stdout, text=text, press=data, inline=query)


@cli.command()
@click.option("--db", "db_option", type=ANY_PATH, help=DB_HELP)
@click.option("--base-url", help="Bot API 服务器地址（本地 Bot API 服务器或测试替身），例如 http://127.0.0.1:8081。")
@click.option("--webhook-url", help="改用 webhook：Telegram 推送更新的 HTTPS 地址，例如 https://example.com/zonebrief。")
@click.option("--listen", default="127.0.0.1", show_default=True, help="webhook 的监听地址。")
@click.option("--port", type=int, default=8443, show_default=True, help="webhook 的监听端口。")
@click.pass_context
def run(ctx: click.Context, db_option: Path | None, base_url: str | None, webhook_url: str | None, listen: str,
        port: int) -> None:
    """运行 Telegram 机器人（默认长轮询，可选 webhook）；令牌取自环境变量 ZONEBRIEF_TOKEN。"""
    from telegram.error import InvalidToken, TelegramError  # here: `ask` and the others start without PTB

    from bot import telegram
    settings = _settings(ctx)
    if not settings.token:
        raise CliError("没有机器人令牌：请先设置环境变量 ZONEBRIEF_TOKEN（export ZONEBRIEF_TOKEN=<BotFather 给的令牌>，"
                       "不要写进文件）；不用令牌也可以运行 zonebrief chat 在终端里试用")
    telegram.hide_token(settings.token)
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CliError(f"时区 {settings.timezone} 无效：请把配置项 timezone 写成 IANA 时区名，例如 Asia/Shanghai") from None
    try:
        application = telegram.build_application(settings, _service(ctx, db_option), base_url=base_url)
    except ConfigError as error:
        raise CliError(str(error)) from None
    try:
        telegram.check_connection(application)
        telegram.run(application, webhook_url=webhook_url, listen=listen, port=port)
    except InvalidToken:
        raise CliError("Telegram 拒绝了这个令牌：请检查 ZONEBRIEF_TOKEN 是否与 BotFather 给的一致") from None
    except TelegramError as error:
        raise CliError(f"无法连接 Telegram（{error}）：请检查网络，或用 --base-url 指向可用的 Bot API 服务器") from None


# --- delivery ---------------------------------------------------------------------------------------

# How long `zonebrief digest --send` keeps retrying (timeouts, flood control) before it gives up.
DIGEST_SEND_TIMEOUT = 300.0


@cli.command()
@click.option("--db", "db_option", type=ANY_PATH, help=DB_HELP)
@click.pass_context
def stats(ctx: click.Context, db_option: Path | None) -> None:
    """统计：版面、文章、开发区、订阅者，以及近 7 天的投递（与管理员命令 /stats 相同）。"""
    with _open_existing_store(_db_path(ctx, db_option)) as db:
        click.echo(to_plain(render.stats_text(admin.delivery_stats(db, outbox.utc_now()))))


@cli.command()
@click.option("--db", "db_option", type=ANY_PATH, help=DB_HELP)
@click.option("--send", is_flag=True, help="立即生成周报并通过 Bot API 发给每个订阅者（令牌取自环境变量 ZONEBRIEF_TOKEN）。")
@click.option("--base-url", help="Bot API 服务器地址（本地 Bot API 服务器或测试替身），例如 http://127.0.0.1:8081。")
@click.pass_context
def digest(ctx: click.Context, db_option: Path | None, send: bool, base_url: str | None) -> None:
    """预览每个订阅者的周报（自上次周报以来新到的文章）；加 --send 则立即发送（与定时周报、/digest_now 同一套代码）。"""
    settings = _settings(ctx)
    try:
        planning.load_schedule(settings)
    except ConfigError as error:
        raise CliError(str(error)) from None
    if send and not settings.token:
        raise CliError("没有机器人令牌：请先设置环境变量 ZONEBRIEF_TOKEN（不要写进文件）；不加 --send 可以先预览周报")
    service = _service(ctx, db_option)
    now = outbox.utc_now()
    due = planning.every_subscriber(service, now)
    if not send:
        digests = planning.build_digests(service, [item.chat_id for item in due])
        if not digests:
            click.echo("还没有订阅者：用户在机器人里发送 /subscribe 订阅后才有周报")
        for chat_id, chat_digest in digests.items():
            click.echo(f"—— 聊天 {chat_id} ——")
            if chat_digest.count or settings.digest_send_empty:
                click.echo("\n\n".join(to_plain(part.text) for part in render.digest_parts(chat_digest)) + "\n")
            else:
                click.echo("自上次周报以来没有这个聊天订阅的新报道：不发送（配置项 digest_send_empty 可改为照发）\n")
        return
    assert settings.token, "checked before the preview"
    from telegram.error import InvalidToken, TelegramError  # PTB only to send

    from bot import telegram
    telegram.hide_token(settings.token)
    run = planning.plan_digests(service, due, now, send_empty=settings.digest_send_empty)
    key = planning.manual_digest_key(now)
    click.echo(f"已生成周报 {key}：{run.chats} 个聊天，{run.messages} 条消息")
    if not run.messages:
        return
    try:
        left = asyncio.run(_send_digest(settings, service, key, base_url))
    except InvalidToken:
        raise CliError("Telegram 拒绝了这个令牌：请检查 ZONEBRIEF_TOKEN 是否与 BotFather 给的一致；周报已留在发件箱，"
                       "机器人运行时会发出") from None
    except TelegramError as error:
        raise CliError(f"无法连接 Telegram（{error}）：周报已留在发件箱，机器人运行时会发出；"
                       "也可检查网络或 --base-url 后重试") from None
    if left is None:
        click.echo("机器人正在运行：周报已交给它，几秒内发出")
    elif left:
        raise CliError(f"还有 {left} 条消息在 {DIGEST_SEND_TIMEOUT:.0f} 秒内没能发出（超时或限流）：已留在发件箱，"
                       "机器人运行时会继续发送")
    else:
        click.echo("已全部发出")


class _Servers(TypedDict, total=False):
    """ExtBot's Bot API server arguments; none means Telegram's own servers."""

    base_url: str
    base_file_url: str


async def _send_digest(settings: Settings, service: ZoneService, key: str, base_url: str | None) -> int | None:
    """Send the digest `key` from this process; None when a running bot holds the sender lock."""
    from telegram.ext import ExtBot

    from bot import sender, telegram
    lock = sender.SenderLock.beside(service.db)
    if not lock.acquire():
        return None
    servers: _Servers = {}
    if base_url:
        api, files = telegram.api_urls(base_url)
        servers = {"base_url": api, "base_file_url": files}
    bot = ExtBot(settings.token or "", rate_limiter=sender.rate_limiter(), request=sender.OutboxRequest(), **servers)
    try:
        async with bot:  # initialize() calls getMe: a wrong token or server fails here
            running = sender.Sender(service.db, sender.bot_sender(bot), admins=settings.admins)
            return await sender.send_run(running, key, timeout=DIGEST_SEND_TIMEOUT)
    finally:
        lock.release()


# --- summaries --------------------------------------------------------------------------------------

SUMMARIZE_EXAMPLE = "例如：zonebrief summarize < article.txt"
OPEN_ERRORS = {FileNotFoundError: "文件不存在", IsADirectoryError: "这是一个文件夹", PermissionError: "没有读取权限"}


def _positive_int(ctx: click.Context, param: click.Parameter, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise CliError(f"{param.opts[0]} 需要一个正整数，收到的是“{value}”：例如 {param.opts[0]} 150")
    return number


def _check_backend(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if value not in BACKENDS:
        raise CliError(f"没有“{value}”这种排序方法：--backend 只能是 {' 或 '.join(BACKENDS)}")
    return value


def _jsonl_articles(lines: Iterable[bytes], source: str) -> Iterator[tuple[object, str | None, str]]:
    """(id, title, text) of each {"id", "text"[, "title"]} line of UTF-8 JSON; blank lines are skipped."""
    for number, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CliError(f"{source} 第 {number} 行不是 UTF-8 文本：请先把文件转成 UTF-8") from None
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise CliError(f"{source} 第 {number} 行不是有效的 JSON（第 {error.colno} 个字符附近有误）：每行应是一个 "
                           '{"id": …, "text": "…"} 对象') from None
        if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
            raise CliError(f'{source} 第 {number} 行缺少 id 或字符串 text：每行应是一个 {{"id": …, "text": "…"}} 对象')
        title = record.get("title")
        yield record["id"], title if isinstance(title, str) else None, record["text"]


@cli.command("summarize")
@click.option("--max-chars", default=str(DEFAULT_MAX_CHARS), show_default=True, callback=_positive_int,
              help="摘要最多多少个字符；只取整句，一句也放不下时截取最重要那句的前几个分句，以“…”结尾。")
@click.option("--max-sentences", default=str(DEFAULT_MAX_SENTENCES), show_default=True, callback=_positive_int,
              help="摘要最多几句。")
@click.option("--backend", default=OURS, show_default=True, callback=_check_backend,
              help=f"句子排序方法：{' 或 '.join(BACKENDS)}。")
@click.option("--title", help="文章标题（可选，帮助挑出要点；批量时用每行的 title）。不给时，正文开头没有句末标点的行当作标题。")
@click.option("--jsonl", "jsonl_path", metavar="FILE",
              help='批量摘要：FILE 每行一个 {"id": …, "text": "…"}（可加 "title"），'
                   '每篇输出一行 {"id", "summary", "sentences", "keywords", "figures"}；- 表示标准输入。')
@click.pass_context
def summarize_command(ctx: click.Context, max_chars: int, max_sentences: int, backend: str, title: str | None,
                      jsonl_path: str | None) -> None:
    """从标准输入读一篇文章，输出它的摘要（整句，按原文顺序）；--jsonl 批量处理。"""
    _, tokenizer = _text_tools(_settings(ctx))

    def run(text: str, article_title: str | None) -> Summary:
        return summarize(text, title=article_title, max_chars=max_chars, max_sentences=max_sentences,
                         tokenizer=tokenizer, backend=backend)

    if jsonl_path is None:
        try:
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError:
            raise CliError("标准输入不是 UTF-8 文本：请先把文章转成 UTF-8") from None
        if not text.strip():
            raise CliError(f"没有读到文章：请从标准输入提供正文，{SUMMARIZE_EXAMPLE}")
        summary = run(text, title)
        if not summary.sentences:
            raise CliError("找不到可以作摘要的句子：正文太短，或只有标题、署名")
        click.echo(summary.text)
        return
    with contextlib.ExitStack() as stack:
        if jsonl_path == "-":
            lines, source = sys.stdin.buffer, "标准输入"
        else:
            try:
                lines, source = stack.enter_context(open(jsonl_path, "rb")), jsonl_path
            except OSError as error:
                reason = OPEN_ERRORS.get(type(error), error.strerror)
                raise CliError(f"无法读取 --jsonl 文件 {jsonl_path}（{reason}）：请检查文件路径和权限") from None
        for article_id, article_title, text in _jsonl_articles(lines, source):
            summary = run(text, article_title)
            click.echo(json.dumps({
                "id": article_id,
                "summary": summary.text,
                "sentences": list(summary.sentences),
                "keywords": list(summary.keywords),
                "figures": [dataclasses.asdict(figure) for figure in summary.figures],
            }, ensure_ascii=False))


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="zonebrief")


if __name__ == "__main__":
    main()
