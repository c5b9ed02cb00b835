"""Search benchmark: `/search` on a synthetic archive (bench.scale's), by the length of the word.

    python -m bench.search --articles 10000 [--copies 10] [--keep DIR] [--repeat 60] [--seed 7]
    python -m bench.search --sizes STORE [STORE …]   # what each table and index takes (dbstat)

The archive is bench.scale's (the seed pages' paragraphs under Zipf-drawn zones, ingested by
`zonebrief ingest`), then, with `--copies N`, its issues and articles copied N - 1 more times, each
copy dated a whole number of archive spans earlier, with the same index entries (ingesting 100,000
articles through jieba takes an hour on this machine; the copies take minutes and give the index
the same words in the same proportions); `--keep DIR` builds it there once and reuses it. Words are drawn from the
archive's own text, so they are found: 1, 2, 3 and 4–6 characters long, taken at random offsets of
random articles; plus the words of the issue (铝, 氢, 铝镁, 氫能, 开发区) and the filters zone:,
city:, since:, and later pages. Each call is ZoneService.search as both transports make it (the
count, a page of ten, their snippets), timed in-process; p50 / p95 per class and over all. Prints
Markdown rows for docs/BENCHMARKS.md, and the size of the character index. Never run by the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sqlite3
import tempfile
from collections import defaultdict
from functools import partial
from pathlib import Path

from bench.scale import build, percentiles, store_size, text_size, timed, timed_cpu
from bot.search import LETTERS, PAIRS, index_articles, index_terms

ISSUE_WORDS = ("铝", "氢", "铝镁", "氫能", "开发区", "项目", "光机电", "招商引资")
FILTERED = ("开发区 city:太原", "项目 zone:晋城经开区", "人才 since:2025-01-01", "铝 city:吕梁 since:2024")


def sample_words(store: Path, rng: random.Random, repeat: int) -> dict[str, list[str]]:
    """`repeat` words of each length class, cut from random articles at random letters."""
    with contextlib.closing(sqlite3.connect(store)) as connection:
        top = connection.execute("SELECT max(id) FROM articles").fetchone()[0]
        classes: dict[str, list[str]] = {"1 character": [], "2 characters": [], "3 characters": [], "4–6 characters": []}
        lengths = {"1 character": (1, 1), "2 characters": (2, 2), "3 characters": (3, 3), "4–6 characters": (4, 6)}
        while any(len(words) < repeat for words in classes.values()):
            row = connection.execute("SELECT body FROM articles WHERE id >= ? LIMIT 1", [rng.randint(1, top)]).fetchone()
            for name, (shortest, longest) in lengths.items():
                size = rng.randint(shortest, longest)
                start = rng.randrange(max(len(row[0]) - size, 1))
                word = row[0][start:start + size]
                if len(classes[name]) < repeat and len(word) == size and all("\u4e00" <= char <= "\u9fff" for char in word):
                    classes[name].append(word)
    return classes


def replicate(store: Path, copies: int) -> int:
    """Copy every issue and its articles `copies` - 1 more times, each copy dated one archive span
    earlier than the one before; returns how many articles the store holds then."""
    from bot.db import open_db

    db = open_db(store)
    with contextlib.closing(db.conn) as connection:
        first, last = connection.execute("SELECT min(issue_date), max(issue_date) FROM issues").fetchone()
        span = connection.execute("SELECT julianday(?) - julianday(?) + 7", [last, first]).fetchone()[0]
        issues = connection.execute("SELECT * FROM issues").fetchall()
        columns = [row[1] for row in connection.execute("PRAGMA table_info(issues)")]
        articles = connection.execute("SELECT id, issue_id, seq, kind, zone, city, title, subtitle, kicker, author,"
                                      " dateline, published, body FROM articles").fetchall()
        zones = defaultdict(list)
        for article_id, zone, primary in connection.execute("SELECT article_id, zone, is_primary FROM article_zones"):
            zones[article_id].append((zone, primary))
        terms = {row[0]: index_terms(row[6], row[12]) for row in articles}
        for copy in range(1, copies):
            shift = f"-{int(span * copy)} days"
            issue_ids = {}
            for issue in issues:
                row = dict(zip(columns, issue))
                row.pop("id")
                row["content_hash"] = f"{row['content_hash']}-copy{copy}"
                row["issue_date"] = connection.execute("SELECT date(?, ?)", [row["issue_date"], shift]).fetchone()[0]
                cursor = connection.execute(f"INSERT INTO issues ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                            list(row.values()))
                issue_ids[issue[0]] = cursor.lastrowid
            for article_id, issue_id, *rest in articles:
                published = connection.execute("SELECT date(?, ?)", [rest[9], shift]).fetchone()[0] if rest[9] else None
                cursor = connection.execute(
                    "INSERT INTO articles (issue_id, seq, kind, zone, city, title, subtitle, kicker, author, dateline,"
                    " published, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [issue_ids[issue_id], *rest[:9], published, rest[10]])
                copied = int(cursor.lastrowid or 0)
                connection.executemany("INSERT INTO article_zones (article_id, zone, is_primary) VALUES (?, ?, ?)",
                                       [(copied, zone, primary) for zone, primary in zones[article_id]])
                index_articles(db, [(copied, terms[article_id])])  # after its zones: they are indexed too
            connection.commit()
        return connection.execute("SELECT count(*) FROM articles").fetchone()[0]


def index_size(store: Path) -> tuple[int, int]:
    """Bytes of the search indexes' shadow tables and of the whole store (dbstat), else (0, 0)."""
    with contextlib.closing(sqlite3.connect(store)) as connection:
        try:
            chars = connection.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE ? OR name LIKE ?",
                                       [f"{PAIRS}%", f"{LETTERS}%"]).fetchone()[0]
        except sqlite3.OperationalError:  # SQLite built without dbstat
            return 0, 0
        return chars or 0, store_size(store)


def print_sizes(stores: list[Path]) -> None:
    """A Markdown table of what each store's tables and indexes take (dbstat; an FTS5 table's
    shadow tables summed under its name), in MB and against the text of its titles and bodies."""
    sizes: list[dict[str, int]] = []
    for store in stores:
        with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as connection:
            virtual = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")]
            found: dict[str, int] = {"text (titles and bodies)": text_size(store), "whole store": store_size(store)}
            for name, size in connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
                owner = next((table for table in virtual if name.startswith(f"{table}_")), name)
                found[owner] = found.get(owner, 0) + size
            found["page size"] = connection.execute("PRAGMA page_size").fetchone()[0]
        sizes.append(found)
    first = ["whole store", "text (titles and bodies)", "page size"]
    names = first + sorted({name for found in sizes for name in found} - set(first),
                           key=lambda name: -max(found.get(name, 0) for found in sizes))
    print("| table or index | " + " | ".join(str(store) for store in stores) + " |")
    print("|---|" + "---:|" * len(stores))
    for name in names:
        cells = [found.get(name, 0) for found in sizes]
        if name == "page size":
            print(f"| {name} | " + " | ".join(f"{cell:,}" for cell in cells) + " |")
        elif max(cells) >= 100_000:
            print(f"| {name} | " + " | ".join(
                f"{cell / 1e6:.1f} MB ({cell / found['text (titles and bodies)']:.2f}×)" if cell else "—"
                for cell, found in zip(cells, sizes)) + " |")


def _spread(samples: list[tuple[float, float]]) -> str:
    """p50 / p95 of the wall times | of the CPU times, in ms."""
    wall, cpu = percentiles([sample[0] for sample in samples]), percentiles([sample[1] for sample in samples])
    return f"{wall[0]:.1f} / {wall[1]:.1f} | {cpu[0]:.1f} / {cpu[1]:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--copies", type=int, default=1, help="copies of the ingested archive (see above)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=60, help="words per class")
    parser.add_argument("--keep", type=Path, help="build the store here and keep it (reused if it exists)")
    parser.add_argument("--sizes", type=Path, nargs="+", help="only print what these stores' tables take (dbstat)")
    args = parser.parse_args(argv)
    if args.sizes:
        print_sizes(args.sizes)
        return 0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="zonebrief-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "zonebrief.db"
    if not store.exists():
        store, rows = build(folder, args.articles, args.seed)
        for row in rows:
            print(f"| {row.what} | {row.value} | {row.note} |")
        if args.copies > 1:
            seconds = timed(lambda: print(f"| copied {args.copies}× | {replicate(store, args.copies):,} articles | |"))
            print(f"| copying | {seconds:.0f} s | |")

    from bot.cli import _text_tools
    from bot.config import Settings
    from bot.db import open_db
    from bot.service import ZoneService

    gazetteer, tokenizer = _text_tools(Settings())
    service = ZoneService(open_db(store), gazetteer, tokenizer)
    tokenizer.cut("预热")
    rng = random.Random(args.seed)
    classes = sample_words(store, rng, args.repeat)
    classes["the issue's words"] = list(ISSUE_WORDS)
    classes["with filters"] = list(FILTERED)
    everything: list[tuple[float, float]] = []
    print("\n| queries | calls | p50 / p95 ms (wall) | p50 / p95 ms (CPU) | mean total found |")
    print("|---|---|---|---|---|")
    for name, words in classes.items():
        samples, totals = [], []
        for word in words:
            samples.append(timed_cpu(lambda: totals.append(service.search(word).total)))  # noqa: B023 - called at once
        everything += samples
        print(f"| {name} | {len(samples)} | {_spread(samples)} | {sum(totals) / len(totals):,.0f} |")
    pages = [timed_cpu(partial(service.search, "开发区", offset)) for offset in range(10, 10 * (args.repeat + 1), 10)]
    print(f"| later pages of 开发区 (offset 10–{10 * args.repeat}) | {len(pages)} | {_spread(pages)} | |")
    print(f"| **all** | {len(everything) + len(pages)} | **{_spread(everything + pages).replace(' | ', '** | **')}** | |")
    chars, whole = index_size(store)
    if whole:
        print(f"\n{PAIRS} and {LETTERS}: {chars / 1e6:.1f} MB of a {whole / 1e6:.1f} MB store")
    service.db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
