"""Pure text tools for ZoneBrief: page splitting, zone names, Chinese sentences, TextRank summaries."""

from summarize.figures import Figure, extract_figures
from summarize.sentences import split_sentences
from summarize.textrank import Summary, Weights, keywords, rank_sentences, summarize
from summarize.tokens import Tokenizer

__all__ = [
    "Figure",
    "Summary",
    "Tokenizer",
    "Weights",
    "extract_figures",
    "keywords",
    "rank_sentences",
    "split_sentences",
    "summarize",
]
