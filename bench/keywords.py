"""Keywords against a short hand list per seed article: `python -m bench.keywords`.

tests/data/seed_keywords.jsonl lists, for each seed article, the four or five words a reader would
want as its keywords ("a|b" when either will do). Reported: the share of listed words among the
summariser's KEYWORD_COUNT keywords (recall), and the keywords that are noise by the rules of
summarize.textrank (a word's fragment such as 大湾, people such as 同学们, a time such as 今年以来,
officialese such as 紧紧围绕) as they were before those rules: `NOISE` below is the check.
"""

from __future__ import annotations

import json
import logging

from bench.corpus import ROOT, ZONES_CSV, seed_articles
from summarize.textrank import summarize
from summarize.tokens import Tokenizer
from summarize.zones import Gazetteer

HAND = ROOT / "tests" / "data" / "seed_keywords.jsonl"
NOISE = ("大湾", "湾区", "同学们", "今年以来", "近年来", "紧紧围绕", "贯彻落实", "充分运用", "切实加强", "及时处理", "找准", "压紧")


def main() -> None:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    hand = {record["article"]: record["keywords"] for record in map(json.loads, HAND.read_text("utf-8").splitlines())}
    gazetteer = Gazetteer.from_csv(ZONES_CSV.read_text(encoding="utf-8"))
    tokenizer = Tokenizer(extra_words=gazetteer.forms())
    found = listed = noise = given = 0
    for article in seed_articles():
        words = summarize(article.text, title=article.title, tokenizer=tokenizer).keywords
        given += len(words)
        noise += sum(word in NOISE for word in words)
        for wanted in hand.get(article.id, ()):
            listed += 1
            found += any(option in words for option in wanted.split("|"))
    print("| articles | listed words | found among the keywords | keywords given | noise words |")
    print("|---|---|---|---|---|")
    print(f"| {len(hand)} | {listed} | {found} ({found / listed:.3f}) | {given} | {noise} |")


if __name__ == "__main__":
    main()
