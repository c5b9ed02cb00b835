"""The benchmark's inputs: the CLTS sample (articles with editor summaries) and the seed articles.

Seed articles are what the page parser (summarize.segment.split_page) finds on the five seed
pages, body paragraphs joined by a blank line as the store keeps them, with the printed title.
They have no published summaries: bench/references.jsonl holds, for each, a 150-character summary
and six key facts written for this benchmark (docs/BENCHMARKS.md says how), keyed by seed page and
title.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from summarize.segment import ARTICLE, split_page
from summarize.zones import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
CLTS = ROOT.parent / "shared" / "eval" / "clts_sample.jsonl"
SEEDS = ROOT / "seeds"
ZONES_CSV = ROOT / "config" / "zones.csv"
REFERENCES = Path(__file__).resolve().parent / "references.jsonl"
# Written for the test pages, never tuned on (docs/BENCHMARKS.md, "Summaries that stand on their own").
PAGES = ROOT / "tests" / "data" / "pages"
HELD_OUT = ROOT / "tests" / "data" / "held_out_references.jsonl"
# The page reader's held-out pages, with references written for 30 of their articles before the
# "who, where, how much" rule (docs/BENCHMARKS.md, issue 10); never tuned on either.
HELD_OUT_PAGES = ROOT / "tests" / "data" / "heldout"
HELD_OUT_PAGES_REFERENCES = HELD_OUT_PAGES / "references.jsonl"


@dataclass(frozen=True)
class Article:
    id: str
    title: str | None
    text: str
    reference: str | None = None
    facts: tuple[str, ...] = ()


def clts_articles(path: Path = CLTS) -> list[Article]:
    """The CLTS sample pairs: {"id", "text", "summary"} lines."""
    with path.open(encoding="utf-8") as lines:
        return [Article(record["id"], None, record["text"], record["summary"]) for record in map(json.loads, lines)]


def seed_articles() -> list[Article]:
    """Every article (not photo) on the seed pages, in page order, with its reference if there is one."""
    return _page_articles(SEEDS, REFERENCES, lambda reference, path, title, _: (
        reference["seed"] == path.name[:3] and _same_title(reference["title"], title)))


def held_out_articles() -> list[Article]:
    """The articles of the test pages that have a held-out reference."""
    articles = _page_articles(PAGES, HELD_OUT, lambda reference, path, title, _: (
        reference["page"] == path.name and _same_title(reference["title"], title)))
    return [article for article in articles if article.reference]


def held_out_page_articles() -> list[Article]:
    """The articles of the page reader's held-out pages that have a reference. A reference names
    its article by page and opening words ("first"), since some of these articles have no title."""
    articles = _page_articles(HELD_OUT_PAGES, HELD_OUT_PAGES_REFERENCES, lambda reference, path, _, text: (
        reference["page"] == path.name and "".join(text.split()).startswith("".join(reference["first"].split()))))
    return [article for article in articles if article.reference]


def _page_articles(folder: Path, references_file: Path, same_article) -> list[Article]:
    with references_file.open(encoding="utf-8") as lines:
        references = [json.loads(line) for line in lines]
    gazetteer = Gazetteer.from_csv(ZONES_CSV.read_text(encoding="utf-8"))
    articles = []
    for path in sorted(folder.glob("*.txt")):
        page = split_page(path.read_text(encoding="utf-8"), gazetteer)
        for number, found in enumerate(page.articles, 1):
            if found.kind != ARTICLE:
                continue
            text = "\n\n".join(found.body)
            reference = next((r for r in references if same_article(r, path, found.title, text)), None)
            articles.append(
                Article(
                    f"{'seed' if folder == SEEDS else 'page'}-{path.name[:3]}-{number}",
                    found.title,
                    text,
                    reference["reference"] if reference else None,
                    tuple(reference["facts"]) if reference else (),
                )
            )
    return articles


def _same_title(written: str, parsed: str | None) -> bool:
    """Whether a reference's title names the parsed article (one holds the other, spaces ignored)."""
    first, second = "".join(written.split()), "".join((parsed or "").split())
    return bool(second) and (first in second or second in first)
