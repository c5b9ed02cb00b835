"""Split Chinese news text into sentences, losing no character.

A sentence ends at 。！？； (or their ASCII forms !?;), at an ellipsis (…… or ...), at an English
full stop (a letter before it, a space or the end after it) and at a line break: a paragraph or a
heading without final punctuation is a sentence of its own. Closing quotes and brackets after the
end mark stay with the sentence they close, so `建设。”随后离开。` is `建设。”` + `随后离开。` (sumy's
Chinese splitter, '[^　！？。]*[！？。]', moves the quote to the next sentence and drops a tail without
an end mark). Decimals (56.94亿元), ranges (4-6月), list markers (一是、二是) and commas never split.

`shorten_sentence` cuts a sentence longer than a budget at a clause boundary (，、： and the like).
"""

from __future__ import annotations

import re

# An end mark: a run of Chinese or ASCII sentence punctuation, an ellipsis, or an English full stop.
_END = re.compile(
    r"[。！？；!?;]+"
    r"|…+|\.{3,}"
    r"|(?<=[A-Za-z%)\]])\.(?=\s|$)"
    r"|\n"
)
# What may follow an end mark and still belongs to its sentence.
_CLOSERS = "”’』」）)】》〕"
_STRAIGHT_QUOTE = '"'
_END_MARKS = frozenset("。！？；!?;….")
# Where a clause ends inside a sentence: a run of clause punctuation or whitespace. An ASCII comma
# or colon before a digit is part of a number or a time (1,000 万元, 10:30).
_CLAUSE_BREAK = re.compile(r"(?:[，、：；—–\s]|[,:;](?!\d))+")
# A number or a Latin word: a cut inside one would change what it says (56.9… for 56.94亿元).
_WORD_CHARS = re.compile(r"[A-Za-z0-9.,%]")
ELLIPSIS = "…"


def ends_mid_sentence(text: str) -> bool:
    """Rule "a text that stops without an end mark was cut off": whether `text` ends mid-sentence.

    A news article ends its last sentence with 。！？； (closing quotes after it are fine) or with a
    bracketed note such as （完） or （记者 王波）; a page that runs out of room or continues on a page
    we do not have stops anywhere else, often mid-word (固废综合利用率达). Photo captions are not
    articles: they often end without punctuation, so callers ask this only of articles.

    Example usage::

        ends_mid_sentence("利用率达95%。")  # False
        ends_mid_sentence("固废综合利用率达")  # True
    """
    tail = text.rstrip()
    return bool(tail) and tail[-1] not in ")）" and not has_end_mark(tail)


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order, without surrounding whitespace.

    No character is lost: `"".join(split_sentences(text))` is `text` without the whitespace that
    stood between sentences. A straight double quote after an end mark closes the sentence's quote
    when a quote is open in the paragraph, or when no other quote follows in the paragraph (it
    cannot open one); otherwise it opens the next sentence.

    Example usage::

        split_sentences("项目总投资56.94亿元。”他说。没有句号的结尾")
        # ['项目总投资56.94亿元。”', '他说。', '没有句号的结尾']
    """
    sentences: list[str] = []
    start = 0
    quote_open = False  # an odd number of straight quotes since the paragraph began
    for match in _END.finditer(text):
        end = match.end()
        if match.group() == "\n":
            quote_open = False
        else:
            quote_open ^= text.count(_STRAIGHT_QUOTE, start, end) % 2 == 1
            while end < len(text):
                char = text[end]
                if char in _CLOSERS:
                    end += 1
                elif char == _STRAIGHT_QUOTE and (quote_open or not _quote_follows(text, end + 1)):
                    quote_open = False
                    end += 1
                else:
                    break
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _quote_follows(text: str, position: int) -> bool:
    """Whether a straight double quote comes after `position` in the same paragraph."""
    quote = text.find(_STRAIGHT_QUOTE, position)
    return quote != -1 and text.find("\n", position, quote) == -1


def has_end_mark(sentence: str) -> bool:
    """Whether `sentence` ends with an end mark (before any closing quotes and brackets).

    Example usage::

        has_end_mark("项目开工。”")  # True
        has_end_mark("科学导报 记者王波")  # False: a byline, a heading or a line cut by the PDF
    """
    return sentence.rstrip(_CLOSERS + _STRAIGHT_QUOTE)[-1:] in _END_MARKS


def shorten_sentence(sentence: str, max_chars: int) -> str:
    """`sentence` in at most `max_chars` characters: whole if it fits, else cut and ended with "…".

    The cut falls at the last clause boundary (，、：；— , : or whitespace) that leaves room for the
    "…", which replaces the clause's punctuation; when that would keep less than half of the
    budget (a long clause follows a short one), the cut falls at the budget instead, backing off
    to the start of a number or a Latin word it would split. At least one character is kept, so
    only a `max_chars` of 1 gives more than `max_chars` characters.

    Example usage::

        shorten_sentence("开发区举行签约仪式，项目总投资56.94亿元，年产值45亿元。", 25)
        # '开发区举行签约仪式，项目总投资56.94亿元…'
    """
    if len(sentence) <= max_chars:
        return sentence
    room = max(max_chars - 1, 1)  # characters kept before the ellipsis
    least = room / 2
    breaks = [match.start() for match in _CLAUSE_BREAK.finditer(sentence, 0, room + 1) if match.start() >= least]
    if breaks:
        return sentence[: breaks[-1]] + ELLIPSIS
    cut = room
    if _WORD_CHARS.match(sentence[cut]):  # back off to the start of the number or word the cut would split
        start = cut
        while start > 0 and _WORD_CHARS.match(sentence[start - 1]):
            start -= 1
        if start >= least:
            cut = start
    return sentence[:cut] + ELLIPSIS
