"""Summaries that stand on their own: `python -m bench.standalone`.

Our summariser on the seed articles (bench/references.jsonl), on two held-out sets written for
this measurement and never tuned on (tests/data/held_out_references.jsonl for the test pages,
tests/data/heldout/references.jsonl for the page reader's held-out pages) and on the CLTS sample:
character ROUGE-L, key-fact recall, the share of summaries and one-sentence gists (what list lines
show) that break a rule of summarize.textrank: opening on a word that points back (rule "dangling
opener") or ending on 「；，、：」 (rule "clause end"), and the CPU time one summary takes (process
time of `summarize`, the tokenizer already loaded; the mean over the set's summaries).
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from bench.corpus import CLTS, Article, clts_articles, held_out_articles, held_out_page_articles, seed_articles
from bench.rouge import fact_recall, rouge
from summarize.textrank import summarize, stands_alone
from summarize.tokens import Tokenizer

BAD_ENDINGS = "；;，,、：:"


def breaks_rules(sentences: tuple[str, ...]) -> bool:
    """Whether a summary opens dangling or any of its sentences ends on a clause mark."""
    return bool(sentences) and (not stands_alone(sentences[0]) or any(s.rstrip("”’」）)")[-1:] in BAD_ENDINGS
                                                                     for s in sentences))


def measure(name: str, articles: list[Article], tokenizer: Tokenizer) -> str:
    rouge_l, facts, broken, broken_gists, cpu = [], [], 0, 0, 0.0
    for article in articles:
        started = time.process_time()
        summary = summarize(article.text, title=article.title, tokenizer=tokenizer)
        cpu += time.process_time() - started
        gist = summarize(article.text, title=article.title, tokenizer=tokenizer, max_sentences=1)
        broken += breaks_rules(summary.sentences)
        broken_gists += breaks_rules(gist.sentences)
        if article.reference:
            rouge_l.append(rouge(summary.text, article.reference).rouge_l)
        if article.facts:
            facts.append(fact_recall(summary.text, list(article.facts)))
    mean = lambda values: f"{sum(values) / len(values):.3f}" if values else "–"  # noqa: E731
    return (f"| {name} | {len(articles)} | {mean(rouge_l)} | {mean(facts)} | {broken}/{len(articles)} "
            f"| {broken_gists}/{len(articles)} | {1000 * cpu / len(articles):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.standalone", description=__doc__.split("\n")[0])
    parser.add_argument("--clts", type=Path, default=CLTS, help="the CLTS sample (left out when missing)")
    clts = parser.parse_args().clts
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = Tokenizer()
    tokenizer.sentence_words(["开发区项目开工。"])  # load jieba's dictionary before anything is timed
    print("| articles | n | R-L | key facts | summaries breaking a rule | gists breaking a rule | CPU ms a summary |")
    print("|---|---|---|---|---|---|---|")
    for name, articles in (("seeds", seed_articles()), ("held-out test pages", held_out_articles()),
                           ("held-out reader pages", held_out_page_articles()),
                           ("CLTS sample", clts_articles(clts) if clts.exists() else [])):
        if not articles:
            continue
        print(measure(name, articles, tokenizer))


if __name__ == "__main__":
    main()
