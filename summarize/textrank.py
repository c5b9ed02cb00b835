"""Extractive summaries of Chinese news: TextRank sentence ranking and keywords, tuned for news.

TextRank (Mihalcea & Tarau, "TextRank: Bringing Order into Texts", EMNLP 2004,
https://aclanthology.org/W04-3252.pdf) ranks sentences by PageRank over a graph whose edge weights
are word overlap normalised by sentence length, and keywords by PageRank over a word co-occurrence
graph. News is lead-heavy and its title says what matters, so `summarize` adds to the graph score
a position prior, the sentence's overlap with the title and a bonus for sentences that carry figures
(亿元, 万吨, MW, %, …), less a penalty for a sentence that opens by pointing back (同时, 该 …), then
picks sentences by maximal marginal relevance (Carbonell & Goldstein, SIGIR 1998) so a second
sentence does not repeat the first. The weights were chosen by measurement:
see docs/BENCHMARKS.md and `python -m bench --grid`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from summarize.figures import DATE, Figure, text_figures, unique_figures
from summarize.segment import DATELINE  # the page parser's: "科学导报讯", "科学导报 记者王波"
from summarize.sentences import has_end_mark, shorten_sentence, split_sentences
from summarize.tokens import Tokenizer

OURS = "ours"
TEXTRANK4ZH = "textrank4zh"
BACKENDS = (OURS, TEXTRANK4ZH)

DEFAULT_MAX_CHARS = 150
DEFAULT_MAX_SENTENCES = 3
DAMPING = 0.85  # PageRank's damping factor, as in Brin & Page 1998 and Mihalcea & Tarau 2004
CONVERGENCE = 1e-4  # stop when the scores move less than this (L1); Mihalcea & Tarau's threshold
MAX_ITERATIONS = 100
KEYWORD_COUNT = 8
KEYWORD_WINDOW = 5  # words co-occur when fewer than this many apart (Mihalcea & Tarau tried 2–10)


@dataclass(frozen=True)
class Weights:
    """How `summarize` (backend "ours") weighs each sentence; defaults chosen in docs/BENCHMARKS.md.

    A sentence's score is `graph` × its TextRank score (scaled so the best is 1), plus `position` /
    (1 + its rank among the candidate sentences), plus `title` × the share of the title's words it
    contains, plus `figures` × min(its figures other than dates, 2) / 2, plus `dates` if it gives a
    date, minus `connective` if it opens with a word that points back to what came before
    (CONNECTIVES: 同时, 此外, 这, 该 …), which a reader of the summary may not have seen. Picking, a
    sentence loses `redundancy` × its highest cosine similarity to a sentence already picked.
    """

    graph: float = 1.0
    position: float = 1.0
    title: float = 1.0
    figures: float = 2.0
    dates: float = 1.0
    redundancy: float = 0.5
    connective: float = 0.5


PLAIN_TEXTRANK = Weights(graph=1.0, position=0.0, title=0.0, figures=0.0, dates=0.0, redundancy=0.0, connective=0.0)
# The first sentences that fit.
LEAD = Weights(graph=0.0, position=1.0, title=0.0, figures=0.0, dates=0.0, redundancy=0.0, connective=0.0)
# Openings that refer back: a sentence starting so leans on the one before it (docs/BENCHMARKS.md
# measured a longer list too).
CONNECTIVES = ("同时", "此外", "另外", "因此", "其中", "对此", "为此", "这", "该")

# Rule "dangling opener": a sentence that opens with a word pointing back (a connective, a
# pronoun, 该公司, the second item of a list) does not stand on its own: a summary or snippet may
# use it only right after the sentence before it. Opening quotes are skipped first (“我们将…”).
DANGLING_OPENER = re.compile(
    r"(?:同时|此外|另外|与此同时|因此|所以|于是|其中|对此|为此|据此|由此|由于此|对于此|这|该|其|此|上述|以上|"
    r"我们|我(?![省市国])|他们|他|她们|她|它们|它|而|但|但是|然而|不过|并且|而且|并|还|也|随后|此后|之后|首先|其次|再次|最后|"
    r"另一方面|总之|[一二三四五六七八九十]是|[二三四五六七八九十]、)"
)
_OPENING_QUOTES = "“‘「『\"'（("
# Rule "additive opener": these openers only add to what came before, and the sentence means the
# same without them, so they are dropped rather than the sentence (同时，园区… -> 园区…).
ADDITIVE_OPENER = re.compile(r"^(?:与此同时|同时|此外|另外|另一方面|除此之外|此外还)[，,]\s*")
# Rule "clause end": a sentence may not end on a clause mark; ；ends a clause the summary ends, so
# it becomes 。, and a line that ends on ，、：(cut by the page, or introducing a list) is no summary.
CLAUSE_END = "；;"
OPEN_END = "，,、：:"

# Keywords that are noise, each a named rule (see clean_keywords).
KEYWORD_TIMES = ("今年以来", "去年以来", "近年来", "多年来", "一年来", "目前", "当前", "近日", "日前", "近期", "今年", "去年",
                 "上半年", "下半年")
KEYWORD_OFFICIALESE = ("紧紧围绕", "贯彻落实", "充分运用", "切实加强", "及时处理", "找准", "压紧", "扎实推进", "狠抓落实",
                       "积极推进", "大力推进", "全力推动", "持续推进", "深入推进", "不断提升")

# Rule "fragment": a keyword glued to at most this many single characters may be joined with them.
FRAGMENT_CHARS = 3
_SINGLE_CHARACTER = re.compile(r"^[\u3400-\u9fff]$")

MIN_SENTENCE_CHARS = 20  # shorter "sentences" (共同组建。) are fragments, not summaries
# The leading text ranked: a news article fits, and 1 MB of text stays fast (the graph is quadratic).
MAX_RANKED_CHARS = 20_000
MAX_RANKED_SENTENCES = 300
FIGURES_CAPPED_AT = 2

_DIGIT = re.compile(r"\d")


class UnknownBackend(ValueError):
    """`backend` is none of BACKENDS."""

    def __init__(self, backend: str) -> None:
        super().__init__(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        self.backend = backend


@dataclass(frozen=True)
class Summary:
    """What `summarize` returns: sentences of the text in their original order, and more.

    The sentences are whole unless not even one fits the budget: then the summary is the best one
    alone, cut at a clause boundary and ended with "…" (see summarize.sentences.shorten_sentence).
    """

    sentences: tuple[str, ...]
    text: str  # the sentences joined, as a reader sees them
    keywords: tuple[str, ...]
    figures: tuple[Figure, ...]  # the figures of the text (see summarize.figures), in order of appearance


def summarize(
    text: str,
    *,
    title: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    max_sentences: int = DEFAULT_MAX_SENTENCES,
    tokenizer: Tokenizer | None = None,
    backend: str = OURS,
    weights: Weights = Weights(),
) -> Summary:
    """Summarise `text` in at most `max_chars` characters and `max_sentences` sentences.

    The sentences come back in their order in the text. A dateline ("科学导报讯", "科学导报 记者王波")
    before a sentence is left out; a dateline, byline or heading alone is never a summary: only
    sentences with an end mark are picked while the text has any. Without `title`, the heading lines
    at the top of the text (lines without an end mark) serve as the title. Sentences are whole
    whenever one fits: a sentence longer than `max_chars` gives way to those that fit, and when
    none fits, the best one comes alone, cut at its last clause boundary (，、： …) within
    `max_chars` and ended with "…" (see summarize.sentences.shorten_sentence). So a summary never
    runs over `max_chars`, however long the text or its sentences (unless `max_chars` is 1). Only
    the leading sentences are ranked (MAX_RANKED_SENTENCES, MAX_RANKED_CHARS): a news article fits
    whole. Empty or blank text gives an empty Summary.

    `backend` is "ours" (the default: graph, position, title, figures and dates weighed by
    `weights`, picked by MMR) or "textrank4zh" (that package's ranking, see summarize.backends);
    keywords and figures are ours with either.

    Example usage::

        summary = summarize(body, title="推动铝产业集群聚链成势", tokenizer=Tokenizer(gazetteer.forms()))
        summary.text      # '…目前已平整土地750余亩,强夯面积8.5万平方米。目前,山西兆丰铝电新材料有限公司投资56.94亿元…'
        summary.keywords  # ('盂县经开区', '铝板带', '产业链', '电解铝', …)
    """
    if backend not in BACKENDS:
        raise UnknownBackend(backend)
    if max_chars < 1 or max_sentences < 1:
        raise ValueError(f"max_chars and max_sentences must be positive, got {max_chars} and {max_sentences}")
    tokenizer = tokenizer or Tokenizer()
    sentences = _strip_datelines(_ranked_window(split_sentences(text)))
    candidates = _candidates(sentences)
    if not candidates:
        return Summary((), "", (), ())
    if title is None:
        title = _heading(sentences)
    *words, title_words = tokenizer.sentence_words([sentence[:MAX_RANKED_CHARS] for sentence in sentences] + [title or ""])
    figures = text_figures(sentences)
    if backend == OURS:
        scores = _news_scores(sentences, candidates, words, figures, title_words, weights)
        redundancy = weights.redundancy
    else:
        from summarize.backends import textrank4zh_scores  # imports textrank4zh only when asked

        ranked = textrank4zh_scores([sentences[i][:MAX_RANKED_CHARS] for i in candidates])
        scores = dict(zip(candidates, ranked))
        redundancy = 0.0
    finished = {i: finish_sentence(sentences[i]) for i in candidates}
    picked = select_sentences(
        [(i, scores[i], _cost(finished[i])) for i in candidates],
        max_chars=max_chars,
        max_sentences=max_sentences,
        similarity=lambda i, j: _cosine(words[i], words[j]),
        redundancy=redundancy,
        needs=lambda i: () if stands_alone(sentences[i]) else _antecedent(sentences, candidates, i),
    )
    chosen = tuple(shorten_sentence(finished[i], max_chars) for i in sorted(picked))
    return Summary(
        sentences=chosen,
        text=join_sentences(chosen),
        keywords=tuple(clean_keywords(join_fragments(keywords(words, count=2 * KEYWORD_COUNT, rarity=tokenizer.rarity),
                                                     words, "".join(sentences)))[:KEYWORD_COUNT]),
        figures=tuple(unique_figures(figure for found in figures for figure in found)),
    )


def rank_sentences(word_lists: Sequence[Sequence[str]], *, damping: float = DAMPING) -> list[float]:
    """TextRank score of each sentence, given its words (they sum to 1).

    Similarity of two sentences is the number of words they share over log|S1| + log|S2|
    (Mihalcea & Tarau 2004, section 4.1); PageRank runs on that weighted graph.

    Example usage::

        rank_sentences([["项目", "投资"], ["项目", "开工"], ["天气"]])  # the first two outrank the third
    """
    count = len(word_lists)
    if count == 0:
        return []
    vocabulary, ids, sentence_of = _index(word_lists)
    incidence = np.zeros((count, len(vocabulary)))
    incidence[sentence_of, ids] = 1.0
    shared = incidence @ incidence.T
    lengths = np.log(np.maximum(np.bincount(sentence_of, minlength=count), 1))
    denominator = lengths[:, None] + lengths[None, :]
    similarity = np.divide(shared, denominator, out=np.zeros_like(shared), where=denominator > 0)
    np.fill_diagonal(similarity, 0.0)
    sources, targets = np.nonzero(similarity)
    return pagerank(count, sources, targets, similarity[sources, targets], damping=damping).tolist()


def keywords(
    word_lists: Sequence[Sequence[str]],
    *,
    count: int = KEYWORD_COUNT,
    window: int = KEYWORD_WINDOW,
    rarity: Callable[[str], float] | None = None,
) -> list[str]:
    """The `count` most central words of a text by TextRank, given the words of its sentences.

    Words of two or more characters without digits are the graph's nodes; two are linked, with
    weight the number of times, when they occur fewer than `window` words apart within a sentence.
    With `rarity` (e.g. Tokenizer.rarity), a word's PageRank score is multiplied by rarity(word)²,
    so the 发展, 建设 and 项目 every article repeats give way to its own words (电解铝, 复合肥).
    Ties go to the word seen first.

    Example usage::

        keywords(tokenizer.sentence_words(split_sentences(text)), count=5, rarity=tokenizer.rarity)
        # ['盂县经开区', '铝板带', '产业链', '电解铝', '项目']
    """
    vocabulary, ids, sentence_of = _index(word_lists)
    is_node = np.array([len(word) >= 2 and not (word.isascii() and _DIGIT.search(word)) for word in vocabulary], bool)
    if not is_node.any():
        return []
    keep = is_node[ids]
    ids, sentence_of = (np.cumsum(is_node) - 1)[ids[keep]], sentence_of[keep]  # node number of each kept word
    nodes = [word for word, node in zip(vocabulary, is_node) if node]
    source_parts, target_parts = [], []
    for offset in range(1, window):
        same_sentence = sentence_of[:-offset] == sentence_of[offset:]
        first, second = ids[:-offset][same_sentence], ids[offset:][same_sentence]
        source_parts += [first, second]
        target_parts += [second, first]
    sources, targets = np.concatenate(source_parts), np.concatenate(target_parts)
    distinct = sources != targets
    sources, targets = sources[distinct], targets[distinct]
    scores = pagerank(len(nodes), sources, targets, np.ones(len(sources)))
    if rarity is not None:
        scores = scores * np.array([rarity(word) for word in nodes]) ** 2
    order = np.argsort(-scores, kind="stable")[:count]
    return [nodes[index] for index in order]


def clean_keywords(words: Sequence[str]) -> list[str]:
    """`words` (keywords, best first) without noise, each a rule: people addressed (rule "people":
    同学们, 我们), a time (rule "time": 今年以来, 近年来) and officialese (rule "officialese": 紧紧围绕,
    贯彻落实).

    Example usage::

        clean_keywords(["同学们", "今年以来", "光机电", "紧紧围绕"])  # ['光机电']
    """
    cleaned: list[str] = []
    for word in words:
        if word.endswith("们") or word in KEYWORD_TIMES or word in KEYWORD_OFFICIALESE:
            continue
        cleaned.append(word)
    return cleaned


def join_fragments(words: Sequence[str], word_lists: Sequence[Sequence[str]], text: str) -> list[str]:
    """`words` (keywords, best first) made whole (rule "fragment"): a keyword the tokenizer cut out
    of a longer word its dictionary lacks becomes that word. It is one when every one of its (two
    or more) occurrences in `text` is glued to the same single characters (at most FRAGMENT_CHARS,
    those `word_lists` has as one-character words) after or before it: 粤港澳大湾区, cut
    粤港澳/大湾/区, gives 大湾区; 硅酸钙/板 gives 硅酸钙板. A word made twice is kept once.
    A keyword glued to a word of two characters or more is left alone: 低空经济 is 低空 + 经济.

    Example usage::

        join_fragments(["粤港澳", "大湾"], [["粤港澳", "大湾", "区"]] * 2, "粤港澳大湾区。粤港澳大湾区。")
        # ['粤港澳', '大湾区']
    """
    after: dict[str, set[str]] = {}
    before: dict[str, set[str]] = {}
    wanted = set(words)
    for sentence in word_lists:
        for index, word in enumerate(sentence):
            if word in wanted:
                after.setdefault(word, set()).add(_single_characters(sentence[index + 1:]))
                before.setdefault(word, set()).add(_single_characters(sentence[:index][::-1])[::-1])
    joined = []
    for word in words:
        count = text.count(word)
        if count >= 2:
            word = _glued(before.get(word, set()), _glued(after.get(word, set()), word, count, text), count, text,
                          ahead=True)
        joined.append(word)
    return list(dict.fromkeys(joined))


def _single_characters(words: Sequence[str]) -> str:
    """The one-character words at the start of `words`, joined (at most FRAGMENT_CHARS)."""
    run = ""
    for word in words[:FRAGMENT_CHARS]:
        if not _SINGLE_CHARACTER.match(word):
            break
        run += word
    return run


def _glued(runs: set[str], word: str, count: int, text: str, *, ahead: bool = False) -> str:
    """`word` joined with the longest run of single characters next to it that all its neighbouring
    `runs` (after it, or before it when `ahead`) share and every one of its `count` occurrences in
    `text` has (rule "fragment"); `word` itself when there is none."""
    if not runs:
        return word
    run = os.path.commonprefix([run[::-1] for run in runs])[::-1] if ahead else os.path.commonprefix(list(runs))
    for size in range(len(run), 0, -1):
        whole = run[len(run) - size:] + word if ahead else word + run[:size]
        if text.count(whole) == count:
            return whole
    return word


def pagerank(
    count: int, sources: np.ndarray, targets: np.ndarray, weights: np.ndarray, *, damping: float = DAMPING
) -> np.ndarray:
    """PageRank of a weighted directed graph of `count` nodes given as edges (source, target, weight).

    Repeated edges add up; a node without out-edges links to every node. Power iteration until the
    scores move less than CONVERGENCE in total (L1), at most MAX_ITERATIONS times.
    """
    out_weight = np.bincount(sources, weights=weights, minlength=count)
    share = weights / out_weight[sources] if len(sources) else weights
    dangling = out_weight == 0
    scores = np.full(count, 1.0 / count)
    for _ in range(MAX_ITERATIONS):
        flow = np.bincount(targets, weights=share * scores[sources], minlength=count)
        updated = (1.0 - damping) / count + damping * (flow + scores[dangling].sum() / count)
        if np.abs(updated - scores).sum() < CONVERGENCE:
            return updated
        scores = updated
    return scores


def _index(word_lists: Sequence[Sequence[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(the distinct words in order of appearance, each word's number, each word's sentence number)."""
    vocabulary: dict[str, int] = {}
    ids = [vocabulary.setdefault(word, len(vocabulary)) for words in word_lists for word in words]
    sentence_of = np.repeat(np.arange(len(word_lists)), [len(words) for words in word_lists])
    return list(vocabulary), np.array(ids, dtype=np.intp), sentence_of


def select_sentences(
    candidates: Sequence[tuple[int, float, int]],
    *,
    max_chars: int,
    max_sentences: int,
    similarity: Callable[[int, int], float] | None = None,
    redundancy: float = 0.0,
    needs: Callable[[int], tuple[int, ...]] | None = None,
) -> list[int]:
    """Pick sentences by score within a budget; returns their indexes in the order picked.

    `candidates` are (index, score, length). Each step takes the highest-scoring sentence that
    still fits, its score lowered by `redundancy` × its highest `similarity(index, picked)` to a
    sentence already taken (maximal marginal relevance). A sentence for which `needs(index)` is
    not empty may be taken only once one of those has been (rule "dangling opener"), or together
    with the last of them. When no sentence
    can be taken at all, the best one that needs none is taken alone, whole (`summarize` then
    shortens it), else the best one.

    Example usage::

        select_sentences([(0, 0.9, 80), (1, 0.8, 100), (2, 0.5, 40)], max_chars=150, max_sentences=3)  # [0, 2]
    """

    def marginal(candidate: tuple[int, float, int]) -> float:
        if not (redundancy and similarity and picked):
            return candidate[1]
        return candidate[1] - redundancy * max(similarity(candidate[0], index) for index in picked)

    def free(candidate: tuple[int, float, int]) -> bool:
        needed = needs(candidate[0]) if needs else ()
        return not needed or any(index in picked for index in needed)

    def options() -> list[tuple[float, list[tuple[int, float, int]]]]:
        """What may be taken next, with its score: a sentence that fits, or a sentence that needs
        one still remaining together with that one (scored as their mean), when both fit."""
        found = []
        by_index = {candidate[0]: candidate for candidate in remaining}
        for candidate in remaining:
            if free(candidate):
                found.append((marginal(candidate), [candidate]))
            elif needs and (needed := by_index.get((needs(candidate[0]) or (-1,))[-1])) and len(picked) + 2 <= max_sentences:
                found.append(((marginal(candidate) + marginal(needed)) / 2, [needed, candidate]))
        return [(score, taken) for score, taken in found if used + sum(c[2] for c in taken) <= max_chars]

    picked: list[int] = []
    used = 0
    remaining = list(candidates)
    while len(picked) < max_sentences and (fitting := options()):
        for taken in max(fitting, key=lambda option: option[0])[1]:
            picked.append(taken[0])
            used += taken[2]
            remaining.remove(taken)
    if not picked and candidates:
        alone = [candidate for candidate in candidates if free(candidate)] or list(candidates)
        picked.append(max(alone, key=lambda candidate: candidate[1])[0])
    return picked


def stands_alone(sentence: str) -> bool:
    """Whether `sentence` can open a summary or snippet: it does not open by pointing back (rule
    "dangling opener"), once an additive opener is dropped (rule "additive opener").

    Example usage::

        stands_alone("同时，园区新增企业12家。")  # True: it reads 园区新增企业12家。
        stands_alone("该公司投资5亿元。")  # False: which company?
    """
    return not DANGLING_OPENER.match(ADDITIVE_OPENER.sub("", sentence, count=1).lstrip(_OPENING_QUOTES))


def finish_sentence(sentence: str) -> str:
    """`sentence` as a summary shows it: without an additive opener (rule "additive opener"), and
    ending on 。 where it ended on ；(rule "clause end").

    Example usage::

        finish_sentence("此外，园区新增企业12家；")  # '园区新增企业12家。'
    """
    sentence = ADDITIVE_OPENER.sub("", sentence, count=1)
    return sentence[:-1] + "。" if sentence[-1:] in CLAUSE_END else sentence


def join_sentences(sentences: Sequence[str]) -> str:
    """The sentences as one text: Chinese ones run on, a space after one ending in Latin script.

    Example usage::

        join_sentences(["项目开工。", "It works.", "好。"])  # '项目开工。It works. 好。'
    """
    joined = ""
    for sentence in sentences:
        if joined and joined[-1].isascii():
            joined += " "
        joined += sentence
    return joined


def _cost(sentence: str) -> int:
    """Characters a sentence takes in a joined summary, with the space join_sentences may put after it."""
    return len(sentence) + sentence[-1].isascii()


def _strip_datelines(sentences: list[str]) -> list[str]:
    """The sentences with any leading dateline removed; a sentence that was only a dateline is dropped."""
    stripped = [DATELINE.sub("", sentence, count=1).strip() for sentence in sentences]
    return [sentence for sentence in stripped if sentence]


def _ranked_window(sentences: list[str]) -> list[str]:
    """The leading sentences: at most MAX_RANKED_SENTENCES, and MAX_RANKED_CHARS characters (at least one)."""
    total = 0
    for index, sentence in enumerate(sentences[:MAX_RANKED_SENTENCES]):
        total += len(sentence)
        if total > MAX_RANKED_CHARS:
            return sentences[: max(index, 1)]
    return sentences[:MAX_RANKED_SENTENCES]


def _candidates(sentences: list[str]) -> list[int]:
    """Indexes of the sentences a summary may use.

    Sentences with an end mark and at least MIN_SENTENCE_CHARS characters, while there are any;
    else any with an end mark; else (text without punctuation) lines of at least MIN_SENTENCE_CHARS.
    Headings, bylines and other short lines without an end mark are never a summary.
    """
    long_enough = [i for i, sentence in enumerate(sentences)
                   if len(sentence) >= MIN_SENTENCE_CHARS and sentence[-1] not in OPEN_END]
    ended = [i for i, sentence in enumerate(sentences) if has_end_mark(sentence)]
    return sorted(set(ended) & set(long_enough)) or ended or long_enough


def _antecedent(sentences: list[str], candidates: list[int], index: int) -> tuple[int, ...]:
    """The sentence a dangling sentence leans on, as the candidates it is made of, in order: the
    candidate just before it (headings and other short lines between are skipped) and the clauses
    before that one that end on ；, which are one sentence with it. (-1,) when there is none."""
    before = [candidate for candidate in candidates if candidate < index]
    if not before:
        return (-1,)
    clauses = [before[-1]]
    while clauses[0] - 1 in before and sentences[clauses[0] - 1][-1:] in CLAUSE_END:
        clauses.insert(0, clauses[0] - 1)
    return tuple(clauses)


def _heading(sentences: list[str]) -> str | None:
    """The lines before the first sentence with an end mark (kicker, title, subtitle), if any."""
    heading: list[str] = []
    for sentence in sentences:
        if has_end_mark(sentence):
            return " ".join(heading) or None
        heading.append(sentence)
    return None


def _news_scores(
    sentences: list[str],
    candidates: list[int],
    words: list[list[str]],
    figures: list[list[Figure]],
    title_words: list[str],
    weights: Weights,
) -> dict[int, float]:
    graph = rank_sentences([words[i] for i in candidates])
    best = max(graph) or 1.0
    title = set(title_words)
    scores = {}
    for rank, (index, score) in enumerate(zip(candidates, graph)):
        counted = sum(figure.kind != DATE for figure in figures[index])
        dated = any(figure.kind == DATE for figure in figures[index])
        scores[index] = (
            weights.graph * score / best
            + weights.position / (1 + rank)
            + weights.title * (len(title.intersection(words[index])) / len(title) if title else 0.0)
            + weights.figures * min(counted, FIGURES_CAPPED_AT) / FIGURES_CAPPED_AT
            + weights.dates * dated
            - weights.connective * sentences[index].startswith(CONNECTIVES)
        )
    return scores


def _cosine(first: Sequence[str], second: Sequence[str]) -> float:
    a, b = set(first), set(second)
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0
