"""Score the page reader on pages with expected records: `python -m bench.pages [--set heldout] [-v]`;
time it and the whole ingest on every page file of the repository: `python -m bench.pages --speed`.

A set is a folder of page files (*.txt) and an `expected.json` naming, for each page, its issue
label, masthead date and every record in print order (kind, zone, title, author, the start of
the first paragraph and the end of the last). tests/data/heldout is the held-out set: pages
written for scoring the reader, never tuned on.

Each expected record is matched to the found record whose first paragraph starts with its
first words. Columns: titles, zones, authors (equal when matched), extents (the body starts and
ends where expected), and the records found that match no expected one and the page's
unplaced fragments. Prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime
from dataclasses import dataclass, field
from pathlib import Path

from summarize.segment import Article, Page, split_page
from summarize.zones import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
SETS = {"heldout": ROOT / "tests" / "data" / "heldout"}
FIELDS = ("titles", "zones", "authors", "extents")


@dataclass
class Score:
    expected: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    spurious: int = 0  # records found that match no expected record
    fragments: int = 0  # text the reader could not place
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.expected += other.expected
        for name in FIELDS:
            self.right[name] += other.right[name]
        self.spurious += other.spurious
        self.fragments += other.fragments
        self.misses += other.misses


def _match(record: dict, found: list[Article]) -> Article | None:
    return next((article for article in found if article.kind == record["kind"] and article.body
                 and article.body[0].startswith(record["first"])), None)


def score_page(name: str, page: Page, records: list[dict]) -> Score:
    """How many of the expected records' fields `page` gets right."""
    score = Score(expected=len(records), fragments=len(page.fragments))
    found = list(page.articles)
    for record in records:
        article = _match(record, found)
        if article is None:
            score.misses.append(f"{name}: missing {record['title'] or record['first'][:12]}")
            continue
        found.remove(article)
        got = {"titles": article.title, "zones": article.zone, "authors": article.author}
        for column, key in (("titles", "title"), ("zones", "zone"), ("authors", "author")):
            if got[column] == record[key]:
                score.right[column] += 1
            else:
                score.misses.append(f"{name}: {key} {got[column]!r} != {record[key]!r}")
        if article.body[-1].endswith(record["last"]):
            score.right["extents"] += 1
        else:
            score.misses.append(f"{name}: ends {article.body[-1][-16:]!r} != {record['last']!r}")
    score.spurious = len(found)
    score.misses += [f"{name}: spurious {article.title!r} {article.body[0][:16]!r}" for article in found]
    return score


def score_set(folder: Path, gazetteer: Gazetteer) -> tuple[Score, float]:
    """The score over every page of a set, and the seconds split_page took over them."""
    expected = json.loads((folder / "expected.json").read_text("utf-8"))
    total, seconds = Score(), 0.0
    for name, want in sorted(expected.items()):
        text = (folder / f"{name}.txt").read_text("utf-8")
        started = time.perf_counter()
        page = split_page(text, gazetteer)
        seconds += time.perf_counter() - started
        total.add(score_page(name, page, want["records"]))
    return total, seconds


def table_row(label: str, score: Score) -> str:
    cells = [f"{score.right[name]}/{score.expected}" for name in FIELDS]
    return f"| {label} | {score.expected} | {' | '.join(cells)} | {score.spurious} | {score.fragments} |"


SPEED_RUNS = 5


def speed(gazetteer: Gazetteer) -> None:
    """The fastest of SPEED_RUNS runs of split_page, and of ingest_text into a new store, over the
    seeds, tests/data/pages and the held-out pages (machine shared: the fastest run is the least
    disturbed)."""
    from bot.db import open_db
    from bot.ingest import ingest_text

    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "data").glob("*/*.txt"))
    texts = [(path.name, path.read_text("utf-8")) for path in files]
    split, ingest = [], []
    for _ in range(SPEED_RUNS):
        started = time.perf_counter()
        for _, text in texts:
            split_page(text, gazetteer)
        split.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as folder, open_db(Path(folder) / "bench.db") as db:
            started = time.perf_counter()
            for name, text in texts:
                ingest_text(db, text, name, gazetteer=gazetteer,
                             file_time=datetime(2025, 12, 22).astimezone())
            ingest.append(time.perf_counter() - started)
    count = len(texts)
    print(f"{count} page files: split_page {min(split) / count * 1000:.1f} ms/page, "
          f"ingest_text {min(ingest) / count * 1000:.1f} ms/page (fastest of {SPEED_RUNS})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="which set (default: both)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    parser.add_argument("--speed", action="store_true", help="time split_page and ingest_text instead")
    args = parser.parse_args(argv)
    gazetteer = Gazetteer.from_csv((ROOT / "config" / "zones.csv").read_text("utf-8"))
    if args.speed:
        speed(gazetteer)
        return 0
    print("| set | records | titles | zones | authors | extents | spurious records | unplaced fragments |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.set or sorted(SETS):
        score, seconds = score_set(SETS[name], gazetteer)
        print(table_row(name, score))
        if args.verbose:
            print(f"<!-- {name}: split_page {seconds * 1000:.0f} ms -->")
            print("\n".join(score.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
