"""Which articles the rule "a text that stops without an end mark was cut off" flags:
`python -m bench.cutoff [-v]`.

summarize.sentences.ends_mid_sentence decides when /read and /summary say 「原文在此处中断」. This
runs it over every article (not photo) of three sets of pages: the seeds (the rule was written
looking at them), tests/data/pages and tests/data/heldout (never looked at while writing it), and
prints a Markdown table of articles and flagged articles per set; -v lists each flagged article
with the last characters of its text, to check by eye that the page really stops there.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from summarize.segment import ARTICLE, split_page
from summarize.sentences import ends_mid_sentence
from summarize.zones import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "seeds": ROOT / "seeds",
    "tests/data/pages": ROOT / "tests" / "data" / "pages",
    "tests/data/heldout": ROOT / "tests" / "data" / "heldout",
}
TAIL_CHARS = 24


def flagged(folder: Path, gazetteer: Gazetteer) -> tuple[int, list[str]]:
    """How many articles the pages in `folder` hold, and a line for each one the rule flags."""
    articles, lines = 0, []
    for path in sorted(folder.glob("*.txt")):
        for article in split_page(path.read_text("utf-8"), gazetteer).articles:
            if article.kind != ARTICLE:
                continue
            articles += 1
            body = "\n\n".join(article.body)
            if ends_mid_sentence(body):
                lines.append(f"{path.name}: 《{article.title or ''}》 …{body.rstrip()[-TAIL_CHARS:]}")
    return articles, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list each flagged article")
    args = parser.parse_args(argv)
    gazetteer = Gazetteer.from_csv((ROOT / "config" / "zones.csv").read_text("utf-8"))
    print("| set | articles | flagged as cut off |\n|---|---:|---:|")
    details = []
    for name, folder in SETS.items():
        articles, lines = flagged(folder, gazetteer)
        print(f"| {name} | {articles} | {len(lines)} |")
        details += lines
    if args.verbose:
        print("\n" + "\n".join(details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
