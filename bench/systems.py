"""The summarisers compared, each behind one signature: (title, text) -> the sentences it picks.

Every system works within the same budget (DEFAULT_MAX_CHARS characters, DEFAULT_MAX_SENTENCES
sentences) through the same greedy pick, `summarize.textrank.select_sentences`, over its own
ranking and its own sentence split. Sentences textrank4zh and SnowNLP return without their end
mark are charged one character for it.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from summarize.backends import load_textrank4zh
from summarize.textrank import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_SENTENCES,
    LEAD,
    OURS,
    PLAIN_TEXTRANK,
    TEXTRANK4ZH,
    Weights,
    select_sentences,
    summarize,
)
from summarize.tokens import Tokenizer, base_dictionary

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # jieba, imported by sumy, warns about pkg_resources
    import jieba
    from snownlp import SnowNLP
    from sumy.nlp.tokenizers import Tokenizer as SumyTokenizer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

Summariser = Callable[[str | None, str], list[str]]


@dataclass(frozen=True)
class System:
    name: str
    summarise: Summariser


def _budget(ranked: list[tuple[int, float, int]]) -> list[int]:
    """Indexes picked within the shared budget, in text order."""
    return sorted(select_sentences(ranked, max_chars=DEFAULT_MAX_CHARS, max_sentences=DEFAULT_MAX_SENTENCES))


def ours(tokenizer: Tokenizer, weights: Weights = Weights(), backend: str = OURS) -> Summariser:
    def run(title: str | None, text: str) -> list[str]:
        return list(summarize(text, title=title, tokenizer=tokenizer, weights=weights, backend=backend).sentences)

    return run


def textrank4zh(title: str | None, text: str) -> list[str]:
    """textrank4zh 0.3 as its README shows it, on networkx 3 through summarize.backends' adapter."""
    ranker = load_textrank4zh().TextRank4Sentence()
    ranker.analyze(text=text, lower=True, source="all_filters")
    items = ranker.key_sentences
    picked = _budget([(item.index, item.weight, len(item.sentence) + 1) for item in items])
    return [ranker.sentences[index] for index in picked]


def snownlp(title: str | None, text: str) -> list[str]:
    """SnowNLP 0.12.3's `summary`: TextRank over clauses (it splits at ，。？！；)."""
    document = SnowNLP(text)
    clauses = document.sentences
    ranked = document.summary(len(clauses))
    position = {clause: index for index, clause in reversed(list(enumerate(clauses)))}
    picked = _budget([(position[clause], -rank, len(clause) + 1) for rank, clause in enumerate(ranked)])
    return [clauses[index] for index in picked]


def sumy_lexrank(title: str | None, text: str) -> list[str]:
    """sumy 0.13's LexRank with its Chinese tokenizer (jieba) and Chinese stop words."""
    document = PlaintextParser.from_string(text, SumyTokenizer("chinese")).document
    summarizer = LexRankSummarizer()
    summarizer.stop_words = get_stop_words("chinese")

    def within_budget(infos):  # sumy passes the sentences sorted by rating; `count` may be a callable
        picked = set(_budget([(info.order, info.rating, len(str(info.sentence))) for info in infos]))
        return [info for info in infos if info.order in picked]

    return [str(sentence) for sentence in summarizer(document, within_budget)]


def systems(tokenizer: Tokenizer) -> list[System]:
    """Every system of the main table, baselines first."""
    return [
        System("Lead-3", ours(tokenizer, LEAD)),
        System("textrank4zh", textrank4zh),
        System("SnowNLP", snownlp),
        System("sumy LexRank", sumy_lexrank),
        System("TextRank (ours, plain)", ours(tokenizer, PLAIN_TEXTRANK)),
        System("ours, textrank4zh backend", ours(tokenizer, backend=TEXTRANK4ZH)),
        System("ours", ours(tokenizer)),
    ]


def load_times() -> dict[str, float]:
    """Seconds each one-time load takes: our jieba dictionary and jieba's global one."""
    times = {}
    start = time.perf_counter()
    base_dictionary()
    times["jieba dictionary (ours, once per process)"] = time.perf_counter() - start
    start = time.perf_counter()
    jieba.initialize()
    times["jieba global dictionary (textrank4zh, sumy)"] = time.perf_counter() - start
    return times
