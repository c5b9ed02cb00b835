"""Character-level ROUGE-1, ROUGE-2 and ROUGE-L (Lin 2004, https://aclanthology.org/W04-1013.pdf).

Chinese has no spaces to count words by, so summaries are compared character by character (as
for LCSTS and CLTS). Whitespace and punctuation are left out first: systems that drop end marks
(SnowNLP, textrank4zh) are neither rewarded nor punished for it. Scores are F1 (β = 1).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Rouge:
    rouge_1: float
    rouge_2: float
    rouge_l: float


def characters(text: str) -> str:
    """`text` without whitespace and punctuation, Latin lower-cased."""
    return "".join(
        char.lower() for char in text if not char.isspace() and not unicodedata.category(char).startswith("P")
    )


def rouge(candidate: str, reference: str) -> Rouge:
    """ROUGE-1/2/L F1 of `candidate` against `reference`, on characters."""
    cand, ref = characters(candidate), characters(reference)
    return Rouge(_ngram_f1(cand, ref, 1), _ngram_f1(cand, ref, 2), _f1(_lcs(cand, ref), len(cand), len(ref)))


def _ngram_f1(candidate: str, reference: str, n: int) -> float:
    cand = Counter(candidate[i : i + n] for i in range(len(candidate) - n + 1))
    ref = Counter(reference[i : i + n] for i in range(len(reference) - n + 1))
    return _f1(sum((cand & ref).values()), sum(cand.values()), sum(ref.values()))


def _lcs(first: str, second: str) -> int:
    """Length of the longest common subsequence."""
    previous = [0] * (len(second) + 1)
    for char in first:
        current = [0]
        for j, other in enumerate(second):
            current.append(previous[j] + 1 if char == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _f1(overlap: int, candidate_total: int, reference_total: int) -> float:
    if overlap == 0 or candidate_total == 0 or reference_total == 0:
        return 0.0
    precision, recall = overlap / candidate_total, overlap / reference_total
    return 2 * precision * recall / (precision + recall)


def fact_recall(summary: str, facts: list[str]) -> float:
    """Share of `facts` the summary states; a fact is "a|b" when either wording counts."""
    text = "".join(summary.split())
    found = sum(any("".join(option.split()) in text for option in fact.split("|")) for fact in facts)
    return found / len(facts) if facts else 0.0
