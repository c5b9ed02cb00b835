"""Issue 12 judged from outside: a ten-year archive made from the real page texts, asked through
two Bot API servers.

    python -m bench.realarchive [--pages 2000] [--seed 11] [--repeat 20] [--servers standin,ttapi]
                                [--no-inbox] [--issue-per-week] [--keep DIR]

Unlike bench.scale (whose pages are assembled from the seed pages' paragraphs under zone names it
chooses), every page here is made of whole real pages: the five seed pages, the page reader's
held-out pages (tests/data/heldout) and its test pages (tests/data/pages), their own mastheads
taken off. Each page file is one to several of those pages, as they are, under a new masthead
printed in one of the formats the real pages print (issue number and date on one line, on two,
the date alone, the page number with the editors, …), dated over ten years by bench.scale's
`page_days`; about one page in twenty prints no date (an issue number alone, or no masthead at
all), about one in a hundred is GB18030, and the files are named the way an operator names them.
A real page is on at most one file a week while others are left (two pages of one issue never
carry the same article).
With --issue-per-week the pages of a week print the same issue number, as the weekly paper's
pages D1–D4 do (by default each page prints a number of its own).

Measured, each part in wall and CPU time:
- `zonebrief ingest DIR` (bench.scale.zonebrief: the whole process and its workers) and what the
  store holds afterwards (pages, articles, how each page was dated, articles held by the checks);
- for each server (our stand-in tests/botapi.py; the npm telegram-test-api, through
  bench.crash.TelegramTestApi and bench/ttapi_adapter.js): `zonebrief run` on the five seed
  pages' store, then on the archive's, asked the same questions one at a time (city views, zone
  card, search with common and rare words, latest, a button), p50 / p95 end to end and the bot
  process's CPU per answer, with the judge's verdict (p95 ≤ 150 ms and ≤ 2× the seed pages');
- the archive dropped into a running bot's inbox (stand-in): time until every file is taken in,
  replies while it is and right after.
Never run by the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench.corpus import HELD_OUT_PAGES, PAGES, SEEDS, ZONES_CSV
from bench.crash import TelegramTestApi, wait_for
from bench.scale import (
    E2E_P95_LIMIT_MS,
    Bot,
    Row,
    busiest_zone,
    page_days,
    percentiles,
    running_bot,
    store_size,
    text_size,
    verdict,
    zonebrief,
)
from summarize.segment import split_page
from summarize.zones import Gazetteer

ARTICLES_PER_PAGE = 10  # a page file holds whole real pages until it has at least this many articles
UNDATED_SHARE = 0.05  # pages whose masthead prints no date
GB18030_SHARE = 0.01
WEEKDAYS = "一二三四五六日"
EDITORS = "责任编辑 王波 美术编辑 李阳"
POSTAL = "邮发代号: 21-465"
MAILBOX = "投稿邮箱: kfqjszk@163.com"

# The mastheads real pages print (seeds/001, tests/data/heldout/h01 h04 h05 h10, tests/data/pages/p8
# …), with their weights; {y} {n} {date} {w} {d} are filled in per page.
DATED_MASTHEADS = (
    ("开发区建设\n\n{y} 年第 {n} 期 {date} 星期{w} " + POSTAL, 35),
    ("开发区建设\n\n{y} 年第 {n} 期 " + POSTAL + " " + MAILBOX + "\n\n{date} 星期{w}", 20),
    ("开发区建设\n\n{date} 星期{w}", 15),
    ("开发区建设 D{d}\n\n{date} 星期{w} " + EDITORS, 15),
    ("开发区建设\n\n{date}", 10),
)
UNDATED_MASTHEADS = ("开发区建设\n\n{y} 年第 {n} 期 " + POSTAL + " " + MAILBOX, "")
MASTHEAD_LINE = re.compile(r"^(开发区建设( D\d)?|.*邮发代号.*|\d{4}年\d{1,2}月\d{1,2}日( 星期.)?( 责任编辑.*)?)$")

CITIES = ("太原", "晋城", "运城", "吕梁", "朔州", "大同")
COMMON_WORDS = ("项目", "开发区", "发展", "企业")
RARE_WORDS = ("粉煤灰", "中山大学", "晋创谷", "智慧物流")  # each on one or two of the real pages


# --- the archive ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    text: str  # without its masthead
    articles: int  # what the page reader finds on it


def real_pages(gazetteer: Gazetteer) -> list[Source]:
    """The real page texts we have, each without its masthead lines."""
    paths = [*sorted(SEEDS.glob("*.txt")), *sorted(HELD_OUT_PAGES.glob("*.txt")), *sorted(PAGES.glob("*.txt"))]
    sources = []
    for path in paths:
        lines = path.read_text(encoding="utf-8").split("\n")
        text = "\n".join(line for line in lines if not MASTHEAD_LINE.match(line.strip())).strip("\n")
        sources.append(Source(path.name, text, len(split_page(text, gazetteer).articles)))
    return sources


def masthead(day: datetime.date, number: int, rng: random.Random) -> tuple[str, bool]:
    """A masthead in one of the real formats; (text, whether it prints the date)."""
    fields = {"y": day.year, "n": number, "date": f"{day.year}年{day.month}月{day.day}日",
              "w": WEEKDAYS[day.weekday()], "d": rng.randint(1, 4)}
    if rng.random() < UNDATED_SHARE:
        return rng.choice(UNDATED_MASTHEADS).format(**fields), False
    formats = [text for text, _ in DATED_MASTHEADS]
    return rng.choices(formats, [weight for _, weight in DATED_MASTHEADS])[0].format(**fields), True


def file_name(day: datetime.date, number: int, dated: bool, index: int, rng: random.Random) -> str:
    """A name such as an operator gives a page file (the product never reads a date from it)."""
    if not dated:
        return rng.choice((f"新建文本文档 ({index}).txt", f"扫描稿_{index:04d}.txt", f"版面{index}.TXT"))
    return rng.choice((
        f"科学导报{day:%Y%m%d}开发区建设D{rng.randint(1, 4)}.txt",
        f"{day:%Y-%m-%d} 第{number}期 开发区建设.txt",
        f"kxdb_{day:%Y%m%d}_{index % 4 + 1}.txt",
        f"开发区建设（{day.year}年第{number}期）.txt",
        f"{day:%Y.%m.%d}-{index}.txt",
    ))


@dataclass
class Archive:
    pages: int = 0
    articles: int = 0  # as the page reader counts them on the sources
    undated: int = 0
    gb18030: int = 0
    size: int = 0  # bytes written
    uses: Counter = field(default_factory=Counter)  # source name -> pages it is on


def write_real_archive(folder: Path, pages: int, rng: random.Random, *, issue_per_week: bool = False) -> Archive:
    """Write `pages` page files into `folder`, dated over ten years (bench.scale.page_days)."""
    gazetteer = Gazetteer.from_csv(ZONES_CSV.read_text(encoding="utf-8"))
    sources = real_pages(gazetteer)
    archive = Archive()
    numbers: dict[int, int] = {}
    weeks: dict[tuple[int, int], set[str]] = {}  # the real pages each week's files already hold
    for index, day in enumerate(page_days(pages, rng)):
        numbers[day.year] = numbers.get(day.year, 0) + 1
        week = (day.timetuple().tm_yday - 1) // 7 + 1  # of day.year: the 期 a weekly prints
        number = week if issue_per_week else numbers[day.year]
        head, dated = masthead(day, number, rng)
        used = weeks.setdefault((day.year, week), set())
        chosen: list[Source] = []
        for source in sorted(rng.sample(sources, len(sources)), key=lambda s: s.name in used):
            if sum(s.articles for s in chosen) >= ARTICLES_PER_PAGE:
                break
            chosen.append(source)
        used.update(s.name for s in chosen)
        text = "\n\n".join([head, *(s.text for s in chosen)]).strip("\n") + "\n"
        encoding = "gb18030" if rng.random() < GB18030_SHARE else "utf-8"
        path = folder / file_name(day, number, dated, index, rng)
        while path.exists():
            path = path.with_name(f"{path.stem}_{index}{path.suffix}")
        path.write_bytes(text.encode(encoding))
        archive.pages += 1
        archive.articles += sum(s.articles for s in chosen)
        archive.undated += not dated
        archive.gb18030 += encoding == "gb18030"
        archive.size += path.stat().st_size
        archive.uses.update(s.name for s in chosen)
    return archive


# --- what the store holds -------------------------------------------------------------------------


def store_rows(store: Path, label: str) -> list[Row]:
    """Pages and articles stored, how the pages were dated, what the checks hold back."""
    with contextlib.closing(sqlite3.connect(store)) as db:
        issues, articles = db.execute("SELECT count(*), coalesce(sum(article_count), 0) FROM issues").fetchone()
        stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        dated = db.execute("SELECT date_source, count(*), min(issue_date), max(issue_date) FROM issues"
                           " GROUP BY date_source").fetchall()
        checks = Counter(check for (raw,) in db.execute("SELECT checks FROM articles") for check in json.loads(raw))
        newest = db.execute("SELECT label, issue_date, date_source FROM issues ORDER BY issue_date DESC, id DESC"
                            " LIMIT 1").fetchone()
    return [
        Row(f"{label}: stored", f"{issues:,} pages, {stored:,} articles", f"issues' article_count sums to {articles:,}"),
        Row(f"{label}: how the pages were dated", "; ".join(f"{source} {count:,} ({first} … {last})"
                                                            for source, count, first, last in dated)),
        Row(f"{label}: articles the checks hold back", f"{sum(checks.values()):,}",
            ", ".join(f"{name} {count:,}" for name, count in checks.most_common()) or "none"),
        Row(f"{label}: the newest issue (what /latest shows)", f"{newest[0]} ({newest[1]})", f"dated from {newest[2]}"),
    ]


def ingest_rows(folder: Path, store: Path, archive: Archive) -> list[Row]:
    seconds, cpu = zonebrief("ingest", "--db", str(store), str(folder))
    with contextlib.closing(sqlite3.connect(store)) as db:
        stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    on_disk, text = store_size(store), text_size(store)
    return [
        Row("archive written", f"{archive.pages:,} page files",
            f"{archive.articles:,} articles as the page reader counts them on the sources; {archive.undated} with no "
            f"printed date, {archive.gb18030} in GB18030; {archive.size / 1e6:.1f} MB; each of the "
            f"{len(archive.uses)} real pages on {min(archive.uses.values())}–{max(archive.uses.values())} files"),
        Row("`zonebrief ingest DIR` (whole process)", f"{stored / seconds:.0f} articles/s",
            f"{seconds:.1f} s wall, {cpu:.1f} s CPU (process and workers): {cpu / stored * 1000:.2f} ms an article"),
        Row("store size", f"{on_disk / 1e6:.1f} MB", f"{on_disk / text:.2f}× the {text / 1e6:.1f} MB of titles and bodies"),
        *store_rows(store, "ingest DIR"),
    ]


# --- chats through a Bot API server ----------------------------------------------------------------


class Chats(Protocol):
    """Users writing to the bot through one Bot API server."""

    def send_text(self, chat_id: int, text: str) -> None: ...

    def replies(self, chat_id: int) -> list[dict[str, Any]]:
        """What the bot sent to `chat_id`, oldest first: message_id, text, buttons (callback data)."""
        ...

    def press(self, chat_id: int, reply: dict[str, Any], data: str) -> None: ...


class StandInChats:
    def __init__(self, botapi: Any) -> None:
        self.botapi = botapi

    def send_text(self, chat_id: int, text: str) -> None:
        self.botapi.send_text(chat_id, text)

    def replies(self, chat_id: int) -> list[dict[str, Any]]:
        return [{"message_id": entry["message_id"], "text": entry["plain_text"], "buttons": _buttons(entry.get("reply_markup"))}
                for entry in self.botapi.sent(chat_id)]

    def press(self, chat_id: int, reply: dict[str, Any], data: str) -> None:
        self.botapi.press(chat_id, reply["message_id"], data)


class TtapiChats:
    """telegram-test-api's client routes: sendMessage and sendCallback as a user, getUpdates for
    what the bot sent to one chat (each message once; kept here)."""

    def __init__(self, server: TelegramTestApi) -> None:
        self.server = server
        self.seen: dict[int, list[dict[str, Any]]] = {}

    def _post(self, route: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(f"{self.server.base}/{route}", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)["result"]

    @staticmethod
    def _user(chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "测试用户"}

    def send_text(self, chat_id: int, text: str) -> None:
        self._post("sendMessage", {"botToken": self.server.token, "from": self._user(chat_id), "text": text,
                                   "chat": {"id": chat_id, "type": "private", "first_name": "测试用户"},
                                   "date": int(time.time())})

    def replies(self, chat_id: int) -> list[dict[str, Any]]:
        for item in self._post("getUpdates", {"token": self.server.token, "chatId": chat_id}):
            message = item["message"]
            self.seen.setdefault(chat_id, []).append(
                {"message_id": item["messageId"], "text": message.get("text", ""),
                 "buttons": _buttons(message.get("reply_markup"))})
        return list(self.seen.get(chat_id, []))

    def press(self, chat_id: int, reply: dict[str, Any], data: str) -> None:
        message = {"message_id": reply["message_id"], "date": int(time.time()), "text": reply["text"],
                   "chat": {"id": chat_id, "type": "private", "first_name": "测试用户"}}
        self._post("sendCallback", {"botToken": self.server.token, "from": self._user(chat_id), "message": message,
                                    "data": data, "chat_instance": str(chat_id)})


def _buttons(markup: Any) -> list[str]:
    if isinstance(markup, str):
        markup = json.loads(markup)
    rows = (markup or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row if "callback_data" in button]


def answered(chats: Chats, chat_id: int, send: Callable[[], None], timeout: float = 60) -> tuple[float, dict[str, Any]]:
    """Seconds from `send` to the bot's next message in `chat_id` (polled every 10 ms), and that message."""
    before = len(chats.replies(chat_id))
    start = time.perf_counter()
    send()
    got: list[dict[str, Any]] = []

    def arrived() -> bool:
        got.extend(chats.replies(chat_id)[before + len(got):])
        return bool(got)

    wait_for(arrived, timeout, f"a reply in chat {chat_id}")
    return time.perf_counter() - start, got[0]


# --- the questions ------------------------------------------------------------------------------------

BUTTON_ORDER = ("cp:", "zp:", "sum:", "read:")  # the button pressed: the first kind the reply offers


def questions(busy: str) -> dict[str, Callable[[int], str]]:
    """Name -> the text of the i-th question of that kind; city view, zone card, search and latest
    are the judge's four (bench.scale's names, so its verdict compares them)."""
    return {
        "city view": lambda i: "/zone 太原",
        "city view, other cities": lambda i: f"/zone {CITIES[1 + i % (len(CITIES) - 1)]}",
        "zone card": lambda i: f"/zone {busy}",
        "search": lambda i: f"/search {COMMON_WORDS[i % len(COMMON_WORDS)]}",
        "search, rare word": lambda i: f"/search {RARE_WORDS[i % len(RARE_WORDS)]}",
        "latest": lambda i: "/latest",
    }


def press_latency(chats: Chats, chat_id: int) -> tuple[float, str]:
    """Ask for the city view of 太原, then press the first of its buttons in BUTTON_ORDER."""
    _, reply = answered(chats, chat_id, lambda: chats.send_text(chat_id, "/zone 太原"))
    data = next((data for prefix in BUTTON_ORDER for data in reply["buttons"] if data.startswith(prefix)),
                reply["buttons"][0])
    seconds, _ = answered(chats, chat_id, lambda: chats.press(chat_id, reply, data))
    return seconds, data.split(":")[0]


def ask_all(bot: Bot, chats: Chats, busy: str, repeat: int, label: str, first_chat: int) -> tuple[list[Row], dict[str, float]]:
    """Every question `repeat` times, one at a time, each from a chat of its own; rows and p95s."""
    rows, p95s = [], {}
    chat = iter(range(first_chat, first_chat + 10_000))
    for name, make in questions(busy).items():
        cpu = bot.cpu()
        samples = []
        for i in range(repeat):
            chat_id = next(chat)
            samples.append(answered(chats, chat_id, functools.partial(chats.send_text, chat_id, make(i)))[0])
        p50, p95s[name] = percentiles(samples)
        rows.append(Row(f"{label}: {name}", f"{p50:.0f} / {p95s[name]:.0f} ms",
                        f"the bot's CPU {(bot.cpu() - cpu) / repeat * 1000:.0f} ms an answer"))
    cpu = bot.cpu()
    pressed = [press_latency(chats, next(chat)) for _ in range(repeat)]
    p50, p95s["button"] = percentiles([seconds for seconds, _ in pressed])
    kinds = ", ".join(f"{kind}: {count}" for kind, count in Counter(kind for _, kind in pressed).items())
    rows.append(Row(f"{label}: button under the city view ({kinds})", f"{p50:.0f} / {p95s['button']:.0f} ms",
                    f"the bot's CPU {(bot.cpu() - cpu) / repeat * 1000:.0f} ms a press and its city view"))
    return rows, p95s


@contextlib.contextmanager
def ttapi_bot(store: Path, log: Path) -> Iterator[tuple[Bot, Chats]]:
    """`zonebrief run` against telegram-test-api, once it has answered its first message."""
    from delivery_scenario import BotProcess  # tests/ is on sys.path (bench.scale puts it there)

    server = TelegramTestApi()
    chats = TtapiChats(server)
    with tempfile.TemporaryDirectory() as inbox:
        start = time.perf_counter()
        process = BotProcess(server, store, Path(inbox), log)
        try:
            answered(chats, 1, lambda: chats.send_text(1, "/help"), timeout=120)
            yield Bot(server, process.process.pid, Path(inbox), time.perf_counter() - start), chats
        finally:
            process.stop()
            server.close()


@contextlib.contextmanager
def standin_bot(store: Path, log: Path) -> Iterator[tuple[Bot, Chats]]:
    with running_bot(store, log) as bot:
        yield bot, StandInChats(bot.botapi)


SERVERS = {"standin": standin_bot, "ttapi": ttapi_bot}


def measure_server(server: str, seeds: Path, store: Path, repeat: int, log: Path) -> list[Row]:
    """The seed pages' store, then the archive's, on the same server, the same questions."""
    rows: list[Row] = []
    p95s: dict[str, dict[str, float]] = {}
    for label, path in (("seed pages", seeds), ("archive", store)):
        with SERVERS[server](path, log) as (bot, chats):
            rows.append(Row(f"{server}, {label}: first answer after start", f"{bot.first:.2f} s"))
            asked, p95s[label] = ask_all(bot, chats, busiest_zone(path), repeat, f"{server}, {label}", 100)
            rows += asked
    rows.append(verdict(f"{server}: archive", p95s["archive"], p95s["seed pages"]))
    return rows


# --- the inbox ----------------------------------------------------------------------------------------


def measure_inbox(pages: Path, folder: Path, repeat: int, log: Path) -> list[Row]:
    """The archive's files moved at once into the inbox of a bot on a new store (polls every
    second): time until every file is in done/ or failed/, replies while and right after."""
    store = folder / "inbox.db"
    files = sorted(pages.iterdir())
    with running_bot(store, log, {"ZONEBRIEF_INBOX_POLL_SECONDS": "1"}) as bot:
        chats = StandInChats(bot.botapi)
        cpu, start = bot.cpu(), time.perf_counter()
        for path in files:
            os.replace(path, bot.inbox / path.name)
        during: list[float] = []
        asks = list(questions("晋城经济技术开发区").values())

        def taken() -> int:
            return sum(1 for sub in ("done", "failed") if (bot.inbox / sub).is_dir()
                       for name in os.listdir(bot.inbox / sub) if not name.endswith(".reason.txt"))

        while taken() < len(files):
            chat_id = 20_000 + len(during)
            text = asks[len(during) % len(asks)](len(during))
            during.append(answered(chats, chat_id, functools.partial(chats.send_text, chat_id, text))[0])
            time.sleep(0.2)
        seconds, ingest_cpu = time.perf_counter() - start, bot.cpu() - cpu
        failed = sorted(name for name in os.listdir(bot.inbox / "failed") if not name.endswith(".reason.txt"))
        rows = [Row("inbox: every file taken in", f"{seconds:.1f} s",
                    f"{len(files):,} files from the drop to the last moved (polls every 1 s); the bot's CPU "
                    f"{ingest_cpu:.1f} s; {len(failed)} in failed/{': ' + ', '.join(failed[:5]) if failed else ''}")]
        if during:
            p50, p95 = percentiles(during)
            rows.append(Row("inbox: replies while it takes them in", f"{p50:.0f} / {p95:.0f} ms",
                            f"p50 / p95 of {len(during)}, the questions in turn, one every 0.2 s"))
        asked, _ = ask_all(bot, chats, busiest_zone(store), repeat, "inbox, asked right after", 30_000)
        rows += asked
        for path in (bot.inbox / "done").iterdir():  # back where they were, for a re-run with --keep
            os.replace(path, pages / path.name)
    with contextlib.closing(sqlite3.connect(store)) as db:
        stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    rows.insert(1, Row("inbox: articles taken in a second", f"{stored / seconds:.0f} articles/s",
                       f"{stored:,} articles; the bot's CPU {ingest_cpu / max(stored, 1) * 1000:.2f} ms an article"))
    return rows + store_rows(store, "inbox")


# --- main ---------------------------------------------------------------------------------------------


def machine() -> str:
    """`lscpu`'s model name and the CPUs this process may use."""
    listing = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    model = next((line.split(":", 1)[1].strip() for line in listing.splitlines() if line.startswith("Model name")), "?")
    return f"{model}, {len(os.sched_getaffinity(0))} CPUs"


def load() -> str:
    """`uptime`'s load averages (1, 5, 15 minutes): the machine is shared."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.realarchive", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=20, help="questions of each kind, per store and server")
    parser.add_argument("--servers", default="standin,ttapi", help="comma-separated: standin, ttapi")
    parser.add_argument("--no-inbox", action="store_true", help="skip the inbox part")
    parser.add_argument("--issue-per-week", action="store_true", help="the pages of a week print one issue number")
    parser.add_argument("--keep", type=Path, help="write the pages and stores here and keep them")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="zonebrief-realarchive-"))
    pages, store, seeds, log = folder / "pages", folder / "archive.db", folder / "seeds.db", folder / "bot.log"
    rows = [Row("load average at start", load())]
    try:
        shutil.rmtree(pages, ignore_errors=True)
        pages.mkdir(parents=True)
        for old in [*folder.glob("archive.db*"), *folder.glob("seeds.db*"), *folder.glob("inbox.db*")]:
            old.unlink()
        archive = write_real_archive(pages, args.pages, random.Random(args.seed), issue_per_week=args.issue_per_week)
        rows += ingest_rows(pages, store, archive)
        zonebrief("ingest", "--db", str(seeds), str(SEEDS))
        for server in filter(None, args.servers.split(",")):
            rows += measure_server(server, seeds, store, args.repeat, log)
            rows.append(Row(f"load average after {server}", load()))
        if not args.no_inbox:
            rows += measure_inbox(pages, folder, args.repeat, log)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    rows.append(Row("load average at the end", load()))
    print(f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {machine()}, Python "
          f"{platform.python_version()}; --pages {args.pages} --seed {args.seed} --repeat {args.repeat}"
          f"{' --issue-per-week' if args.issue_per_week else ''}; bound {E2E_P95_LIMIT_MS:.0f} ms\n",
          "| measurement | result (wall; p50 / p95 end to end) | note |", "|---|---:|---|",
          *(f"| {row.what} | {row.value} | {row.note} |" for row in rows), sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
