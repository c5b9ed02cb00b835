"""The textrank4zh backend: that package's sentence ranking, run on networkx 3.

textrank4zh 0.3 builds its graph with `networkx.from_numpy_matrix`, which networkx 3.0 removed
(use `from_numpy_array`), and calls `networkx.pagerank`, which in networkx 3 runs on scipy. Rather
than pin networkx 2, the adapter below hands textrank4zh's util module a stand-in for networkx
that has `from_numpy_matrix` again; networkx itself is left untouched.
"""

from __future__ import annotations

import bisect
import functools
import types
import warnings
from collections.abc import Sequence

import networkx

NETWORKX_3 = types.SimpleNamespace(from_numpy_matrix=networkx.from_numpy_array, pagerank=networkx.pagerank)


@functools.cache
def load_textrank4zh() -> types.ModuleType:
    """textrank4zh, imported once, its util module pointed at networkx 3 through the adapter."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # jieba, imported by textrank4zh, warns about pkg_resources
        import textrank4zh
        import textrank4zh.util

    if not hasattr(textrank4zh.util.nx, "from_numpy_matrix"):
        textrank4zh.util.nx = NETWORKX_3
    return textrank4zh


def textrank4zh_scores(sentences: Sequence[str]) -> list[float]:
    """textrank4zh's TextRank score for each sentence.

    The sentences go to `TextRank4Sentence.analyze` one a line, with the settings its README shows
    (`source="all_filters"`: stop words removed, nouns and verbs kept by jieba's part-of-speech
    tagger). textrank4zh also splits at …?!; inside a line; a sentence scores as its best piece.

    Example usage::

        textrank4zh_scores(["项目总投资8亿元。", "项目已开工。"])  # [0.5, 0.5]
    """
    if not sentences:
        return []
    ranker = load_textrank4zh().TextRank4Sentence()
    joined = "\n".join(sentences)
    ranker.analyze(text=joined, lower=False, source="all_filters")
    starts = []
    position = 0
    for sentence in sentences:
        starts.append(position)
        position += len(sentence) + 1
    owner_of_piece = []
    cursor = 0
    for piece in ranker.sentences:
        cursor = joined.find(piece, cursor)
        owner_of_piece.append(bisect.bisect_right(starts, cursor) - 1)
        cursor += len(piece)
    scores = [0.0] * len(sentences)
    for item in ranker.key_sentences:
        owner = owner_of_piece[item.index]
        scores[owner] = max(scores[owner], float(item.weight))
    return scores

