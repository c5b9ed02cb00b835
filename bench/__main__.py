"""Run the summariser benchmark: `python -m bench [--grid | --picks]` (or `python3 dev.py bench`).

Default: every system on the CLTS sample and the seed articles, in this one process, on the same
inputs and the same budget; prints character ROUGE-1/2/L (and key-fact recall on the seeds) and
the median milliseconds per article, as Markdown tables for docs/BENCHMARKS.md.
--grid: ours under a grid of weights (docs/BENCHMARKS.md says how the defaults were chosen).
--picks: which sentences of each seed article each system picks.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import itertools
import logging
import os
import platform
import statistics
import time
from collections.abc import Sequence

from bench.corpus import Article, clts_articles, seed_articles
from bench.rouge import fact_recall, rouge
from bench.systems import System, load_times, ours, systems
from summarize import textrank
from summarize.sentences import split_sentences
from summarize.textrank import Weights, join_sentences
from summarize.tokens import Tokenizer

# The graph score's weight is fixed at 1: the others are relative to it.
GRID = {
    "graph": (1.0,),
    "position": (0.25, 0.5, 1.0, 2.0),
    "title": (0.0, 0.5, 1.0),
    "figures": (0.5, 1.0, 1.5, 2.0),
    "dates": (0.0, 0.5, 1.0),
    "redundancy": (0.0, 0.25, 0.5),
    "connective": (0.0, 0.5, 1.0),
}
GRID_ROWS_SHOWN = 15
MIN_SENTENCE_CHARS_TRIED = (8, 12, 16, 20, 25, 30)
TIMING_RUNS = 5


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _scores(articles: list[Article], outputs: list[list[str]]) -> dict[str, float]:
    scored = [(rouge(join_sentences(out), a.reference), a) for a, out in zip(articles, outputs) if a.reference]
    result = {
        "R-1": _mean([r.rouge_1 for r, _ in scored]),
        "R-2": _mean([r.rouge_2 for r, _ in scored]),
        "R-L": _mean([r.rouge_l for r, _ in scored]),
    }
    if any(a.facts for a in articles):
        result["facts"] = _mean([fact_recall(join_sentences(o), list(a.facts)) for a, o in zip(articles, outputs) if a.facts])
    return result


def _run(all_systems: list[System], articles: list[Article]) -> dict[str, tuple[list[list[str]], list[float]]]:
    """Each system's outputs and milliseconds on each article.

    Systems take turns on each article, and each runs TIMING_RUNS times: an article's time is the
    fastest run, so another process busy on the machine does not pass for a slow summariser.
    """
    results: dict[str, tuple[list[list[str]], list[float]]] = {system.name: ([], []) for system in all_systems}
    for article in articles:
        for system in all_systems:
            fastest = float("inf")
            for _ in range(TIMING_RUNS):
                start = time.perf_counter()
                output = system.summarise(article.title, article.text)
                fastest = min(fastest, (time.perf_counter() - start) * 1000)
            results[system.name][0].append(output)
            results[system.name][1].append(fastest)
    return results


def _machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8") if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    return f"{len(os.sched_getaffinity(0))} of {os.cpu_count()} CPUs usable (nproc), {cpu}; Python {platform.python_version()}"


def main_table(tokenizer: Tokenizer) -> None:
    clts, seeds = clts_articles(), seed_articles()
    print(f"Machine: {_machine()}; {time.strftime('%Y-%m-%d')}\n")
    for name, seconds in load_times().items():
        print(f"- load, {name}: {seconds * 1000:.0f} ms")
    print()
    all_systems = systems(tokenizer)
    for system in all_systems:
        system.summarise(clts[0].title, clts[0].text)  # warm up: lazy imports and loads are not per article
    on_clts, on_seeds = _run(all_systems, clts), _run(all_systems, seeds)
    rows = [
        (system.name, _scores(clts, on_clts[system.name][0]), _scores(seeds, on_seeds[system.name][0]),
         on_clts[system.name][1], on_seeds[system.name][1])
        for system in all_systems
    ]
    ours_ms = statistics.median(rows[-1][3] + rows[-1][4])
    print("| system | CLTS R-1 | CLTS R-2 | CLTS R-L | seeds R-1 | seeds R-2 | seeds R-L | seeds key facts "
          "| ms/article CLTS | ms/article seeds | × ours (all) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, clts_score, seed_score, clts_ms, seed_ms in rows:
        print(
            f"| {name} | {clts_score['R-1']:.3f} | {clts_score['R-2']:.3f} | {clts_score['R-L']:.3f} "
            f"| {seed_score['R-1']:.3f} | {seed_score['R-2']:.3f} | {seed_score['R-L']:.3f} | {seed_score['facts']:.3f} "
            f"| {statistics.median(clts_ms):.1f} | {statistics.median(seed_ms):.1f} "
            f"| {statistics.median(clts_ms + seed_ms) / ours_ms:.1f} |"
        )
    print(f"\n{len(clts)} CLTS articles (mean {_mean([len(a.text) for a in clts]):.0f} characters), "
          f"{len(seeds)} seed articles (mean {_mean([len(a.text) for a in seeds]):.0f} characters); "
          f"ms/article: median over the articles of each article's fastest of {TIMING_RUNS} runs.")


def _evaluate(tokenizer: Tokenizer, weights: Weights, seeds: list[Article], clts: list[Article]) -> tuple[dict, dict]:
    run = ours(tokenizer, weights)
    return _scores(seeds, [run(a.title, a.text) for a in seeds]), _scores(clts, [run(a.title, a.text) for a in clts])


def _objective(seed_score: dict[str, float]) -> float:
    """What the grid maximises: the mean of seeds ROUGE-L and seeds key-fact recall."""
    return (seed_score["R-L"] + seed_score["facts"]) / 2


def _cells(seed_score: dict[str, float], clts_score: dict[str, float]) -> str:
    return (f"{seed_score['R-L']:.3f} | {seed_score['facts']:.3f} | {_objective(seed_score):.3f} "
            f"| {clts_score['R-L']:.3f} |")


def grid(tokenizer: Tokenizer) -> None:
    clts, seeds = clts_articles(), seed_articles()
    names = list(GRID)
    default = Weights()
    results = []
    for values in itertools.product(*GRID.values()):
        weights = Weights(**dict(zip(names, values)))
        results.append((weights, *_evaluate(tokenizer, weights, seeds, clts)))
    results.sort(key=lambda row: _objective(row[1]), reverse=True)
    print(f"{len(results)} weight settings; objective = mean of seeds R-L and seeds key-fact recall.\n")
    print("| rank | " + " | ".join(names) + " | seeds R-L | seeds facts | objective | CLTS R-L |")
    print("|---|" + "---|" * len(names) + "---|---|---|---|")
    for rank, (weights, seed_score, clts_score) in enumerate(results, 1):
        if rank <= GRID_ROWS_SHOWN or weights == default:
            print(f"| {rank}{' (default)' if weights == default else ''} | "
                  + " | ".join(f"{getattr(weights, name):g}" for name in names) + f" | {_cells(seed_score, clts_score)}")
    for name in names[1:]:
        print(f"\nBest objective with {name} fixed at each value:")
        for value in GRID[name]:
            best = max(_objective(row[1]) for row in results if getattr(row[0], name) == value)
            print(f"- {name} = {value:g}: {best:.3f}")
    print("\nAblation: the default weights with one set to 0.\n")
    print("| weight set to 0 | seeds R-L | seeds facts | objective | CLTS R-L |")
    print("|---|---|---|---|---|")
    for name in ("none", *names):
        weights = default if name == "none" else dataclasses.replace(default, **{name: 0.0})
        print(f"| {name} | {_cells(*_evaluate(tokenizer, weights, seeds, clts))}")
    print("\nShortest sentence a summary may use (textrank.MIN_SENTENCE_CHARS), default weights.\n")
    print("| MIN_SENTENCE_CHARS | seeds R-L | seeds facts | objective | CLTS R-L |")
    print("|---|---|---|---|---|")
    chosen = textrank.MIN_SENTENCE_CHARS
    try:
        for value in MIN_SENTENCE_CHARS_TRIED:
            textrank.MIN_SENTENCE_CHARS = value
            print(f"| {value}{' (default)' if value == chosen else ''} | {_cells(*_evaluate(tokenizer, default, seeds, clts))}")
    finally:
        textrank.MIN_SENTENCE_CHARS = chosen


def picks(tokenizer: Tokenizer) -> None:
    all_systems = systems(tokenizer)
    print("Sentence numbers are positions in the article as split_sentences splits it (1 = first).\n")
    print("| article | " + " | ".join(system.name for system in all_systems) + " |")
    print("|---|" + "---|" * len(all_systems))
    for article in seed_articles():
        starts, cursor = [], 0
        for sentence in split_sentences(article.text):
            cursor = article.text.find(sentence, cursor)
            starts.append(cursor)
        cells = []
        for system in all_systems:
            numbers = [_sentence_number(article.text, starts, piece) for piece in system.summarise(article.title, article.text)]
            cells.append(" ".join(numbers))
        print(f"| {article.title} | " + " | ".join(cells) + " |")


def _sentence_number(text: str, starts: list[int], piece: str) -> str:
    """1-based number of the sentence holding the end of `piece` in `text` (a system may split
    elsewhere: the end of its piece is inside one of ours), '?' if `piece` is not in the text."""
    position = text.find(piece.strip())
    if position == -1:
        return "?"
    return str(bisect.bisect_right(starts, position + len(piece.strip()) - 1))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--grid", action="store_true", help="search the weights of our summariser")
    mode.add_argument("--picks", action="store_true", help="show which sentences each system picks on the seeds")
    args = parser.parse_args()
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = Tokenizer()
    if args.grid:
        grid(tokenizer)
    elif args.picks:
        picks(tokenizer)
    else:
        main_table(tokenizer)


if __name__ == "__main__":
    main()
