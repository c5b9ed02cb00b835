"""PDF pages: speed and accuracy of reading generated broadsheet pages (`python -m bench.pdf`).

Builds the pages of tests/pdfpages.py (the fixed pages and N random layouts of the tuning
stories; the fixed and random held-out pages, whose stories the reader was never tuned on), reads
each with bot.pdf.read_pdf + summarize.layout.read_sheets, and prints Markdown tables for
docs/BENCHMARKS.md: pages per second (extraction and layout, fastest of --runs), and per set the
share of pages that pass the issue's bar (every record found, no extra, zones and date right,
titles, authors and extents right for all but one), of expected records found whole, and of
titles, zones, authors and extents (start and end of the body) right, extra records, pages with
the right masthead date. The text path is timed on
the seed pages for comparison. bench/pdf_libraries.py compares pdfplumber with PyMuPDF.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pdfpages import HELD_OUT_PAGES, PAGES, build_page, held_out_pages, tuning_pages  # noqa: E402

from bot.ingest import load_gazetteer  # noqa: E402
from bot.pdf import read_pdf  # noqa: E402
from summarize.layout import read_sheets  # noqa: E402
from summarize.segment import split_page  # noqa: E402

FIELDS = ("title", "zone", "author", "extent")


@dataclass
class Score:
    pages: int = 0
    expected: int = 0
    found: int = 0  # expected records found whole
    extra: int = 0
    dated: int = 0
    passed: int = 0  # pages that pass the bar (see _passes)
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    extract_s: float = 0.0
    layout_s: float = 0.0


def _fields(record: tuple) -> dict[str, object]:
    kind, zone, title, author, start, end = record
    return {"title": (kind, title), "zone": zone, "author": author, "extent": (start, end)}


def _score(score: Score, got: list[tuple], want: list[tuple]) -> int:
    """Records found whole, extra records, and each field of each expected record compared with
    the record read that agrees with it most (each read record paired once). Returns how many
    expected records have a wrong title, author or extent."""
    score.expected += len(want)
    score.found += sum(1 for record in want if record in got)
    score.extra += max(0, len(got) - len(want))
    free, flawed = list(got), len(want) - min(len(want), len(got))
    for record in want:
        other = max(free, key=lambda candidate: sum(a == b for a, b in zip(candidate, record)), default=None)
        if other is None:
            continue
        free.remove(other)
        right = {name: _fields(other)[name] == value for name, value in _fields(record).items()}
        for name, ok in right.items():
            score.right[name] += ok
        flawed += 0 if right["zone"] else 2  # a wrong zone fails the page whatever else
        flawed += not (right["title"] and right["author"] and right["extent"])
    return flawed


def _passes(got: list[tuple], want: list[tuple], flawed: int, dated: bool) -> bool:
    """The issue's bar for a page: every record found, no extra record, zones and the date right,
    titles, authors and extents right for all but one record."""
    return len(got) == len(want) and dated and flawed <= 1


def _fastest(runs: int, call):
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure(specs, gazetteer, runs: int) -> Score:
    score = Score()
    for spec in specs:
        try:
            data, expected = build_page(spec)
        except ValueError:
            continue
        extract_s, sheets = _fastest(runs, partial(read_pdf, data))
        layout_s, page = _fastest(runs, partial(read_sheets, sheets, gazetteer))
        score.pages += 1
        score.extract_s += extract_s
        score.layout_s += layout_s
        dated = page.masthead_date == spec.day.isoformat()
        score.dated += dated
        got = [(a.kind, a.zone, a.title, a.author, a.body[0][:12], a.body[-1][-12:]) for a in page.articles]
        want = [(e.kind, e.zone, e.title, e.author, e.start, e.end) for e in expected]
        score.passed += _passes(got, want, _score(score, got, want), dated)
    return score


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "–"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=30, help="random layouts per set (default 30)")
    parser.add_argument("--runs", type=int, default=3, help="timing runs per page, the fastest counts")
    args = parser.parse_args(argv)
    gazetteer = load_gazetteer(ROOT / "config" / "zones.csv")
    sets = {
        "tuning": list(PAGES) + tuning_pages(args.random),
        "held out": list(HELD_OUT_PAGES) + held_out_pages(args.random),
    }
    print(f"Python {platform.python_version()}, {args.random} random layouts per set, fastest of {args.runs} runs\n")
    print("| set | pages | pages passing | records | found whole | titles | zones | authors | extents | extra | dates |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    scores = {name: measure(specs, gazetteer, args.runs) for name, specs in sets.items()}
    for name, s in scores.items():
        cells = [_share(s.right[f], s.expected) for f in FIELDS]
        print(f"| {name} | {s.pages} | {_share(s.passed, s.pages)} | {s.expected} | {_share(s.found, s.expected)} | {' | '.join(cells)} "
              f"| {s.extra} | {_share(s.dated, s.pages)} |")
    pages = sum(s.pages for s in scores.values())
    extract = sum(s.extract_s for s in scores.values())
    layout = sum(s.layout_s for s in scores.values())
    print("\n| step | ms per page | pages per second |\n|---|---|---|")
    print(f"| pdfplumber extraction (bot.pdf.read_pdf) | {1000 * extract / pages:.1f} | {pages / extract:.1f} |")
    print(f"| layout (summarize.layout.read_sheets) | {1000 * layout / pages:.1f} | {pages / layout:.1f} |")
    print(f"| PDF page, both | {1000 * (extract + layout) / pages:.1f} | {pages / (extract + layout):.1f} |")
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    text_s = sum(_fastest(args.runs, lambda p=path: split_page(p.read_text("utf-8"), gazetteer))[0] for path in seeds)
    print(f"| text page (split_page, the 5 seeds) | {1000 * text_s / len(seeds):.1f} | {len(seeds) / text_s:.1f} |")


if __name__ == "__main__":
    main()
