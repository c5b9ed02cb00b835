"""Chinese word tokens on jieba, with the zone names as single words and a stop-word list.

Each Tokenizer owns a private jieba.Tokenizer (not jieba's module-level one). jieba's dictionary
is read once per process, on first use, and shared: a Tokenizer with extra words works on its own
copy, so its words never leak into another Tokenizer. Nothing is written to disk (jieba's own
`initialize()` would keep a marshal cache in the temp directory).

The summariser's words come from `Tokenizer.segment`, which gives exactly the tokens of jieba's
`cut(text, HMM=False)` (the tests check it on the seed pages) about twice as fast: jieba builds a
graph of every dictionary word in a block, then finds the most probable path through it calling
`log()` on each word's frequency; `segment` does both in one backward pass over log-frequencies
computed once with the dictionary. Tokenising is most of a summary's cost.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

with warnings.catch_warnings():
    # jieba 0.42.1 imports the deprecated pkg_resources to find its dictionary.
    warnings.simplefilter("ignore", UserWarning)
    import jieba

EXTRA_WORD_FREQUENCY = 100_000  # high enough that jieba never splits an extra word (a zone name)
# A token that carries meaning has a CJK character or a Latin letter (not only digits or punctuation).
_CONTENT = re.compile(r"[\u3400-\u9fffA-Za-z]")
_DICTIONARY_LOCK = threading.Lock()


@dataclass(frozen=True)
class Dictionary:
    """A jieba prefix dictionary and what `Tokenizer.segment` needs of it."""

    frequencies: dict[str, int]  # word -> frequency, and every word prefix -> 0 when it is no word itself
    total: int
    log_frequencies: dict[str, float]  # word -> log(frequency), for the words with a frequency


class Tokenizer:
    """Split Chinese text into words; `extra_words` (zone names, …) are never split.

    Example usage::

        tokenizer = Tokenizer(extra_words=["晋城经济技术开发区"])
        tokenizer.cut("晋城经济技术开发区签约")  # ['晋城经济技术开发区', '签约']
        tokenizer.words("晋城经济技术开发区的项目已经签约")  # ['晋城经济技术开发区', '项目', '签约']
    """

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._extra_words = tuple(dict.fromkeys(w for w in extra_words if w))
        self._loaded: tuple[jieba.Tokenizer, Dictionary] | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Read the dictionary now rather than on first use (e.g. before forking processes that share it)."""
        self._load()

    def _load(self) -> tuple[jieba.Tokenizer, Dictionary]:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = self._build()
        return self._loaded

    def _build(self) -> tuple[jieba.Tokenizer, Dictionary]:
        base = base_dictionary()
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = base.frequencies, base.total, True
        if not self._extra_words:  # share the process's dictionary
            return tokenizer, base
        tokenizer.FREQ = dict(base.frequencies)
        log_frequencies = dict(base.log_frequencies)
        for word in self._extra_words:
            tokenizer.add_word(word, freq=EXTRA_WORD_FREQUENCY)
            log_frequencies[word] = math.log(EXTRA_WORD_FREQUENCY)
        return tokenizer, Dictionary(tokenizer.FREQ, tokenizer.total, log_frequencies)

    def cut(self, text: str) -> list[str]:
        """Every token of `text`, whitespace dropped, in order."""
        return [token for token in self._load()[0].lcut(text) if token.strip()]

    def segment(self, text: str) -> Iterator[str]:
        """Every token of `text`, whitespace included: jieba's `cut(text, HMM=False)`, faster.

        Without jieba's HMM guess at words missing from the dictionary, an unknown name may come
        out as single characters (which the summariser weighs little).
        """
        dictionary = self._load()[1]
        for block in jieba.re_han_default.split(text):
            if not block:
                continue
            if jieba.re_han_default.match(block):
                yield from _cut_block(block, dictionary)
            else:  # punctuation and whitespace, as jieba gives them
                for piece in jieba.re_skip_default.split(block):
                    if jieba.re_skip_default.match(piece):
                        yield piece
                    else:
                        yield from piece

    def words(self, text: str) -> list[str]:
        """The content words of `text`, in order: no stop words, numbers or punctuation; Latin lower-cased.

        Example usage::

            tokenizer.words("这个项目的投资为8亿元，已经开工！")  # ['项目', '投资', '开工']
        """
        stops = stop_words()
        found = []
        for token in self.segment(text):
            if token.isascii():
                token = token.lower()
            # Most tokens are Chinese words: test the first character before the slower regular expression.
            if token not in stops and ("\u3400" <= token[0] <= "\u9fff" or _CONTENT.search(token)):
                found.append(token)
        return found

    def sentence_words(self, sentences: Sequence[str]) -> list[list[str]]:
        """The content words (see `words`) of each sentence."""
        return [self.words(sentence) for sentence in sentences]

    def rarity(self, word: str) -> float:
        """How rare `word` is in jieba's dictionary: log(total frequency / (its frequency + 1)).

        Words jieba does not know (zone names among them) are the rarest. Example usage::

            tokenizer.rarity("发展") < tokenizer.rarity("电解铝")  # True: 6.8 < 15.3
        """
        base = base_dictionary()
        return math.log(base.total / (base.frequencies.get(word, 0) + 1))


def _cut_block(block: str, dictionary: Dictionary) -> Iterator[str]:
    """The tokens of a run of CJK characters, letters and digits, as jieba's `cut(HMM=False)` gives them.

    Going backwards, the best path from each character is the dictionary word starting there
    (or the character alone when none does) that maximises log P(word) plus the best path after
    it; ties go to the longer word, as in jieba. Single letters and digits are joined into one
    token, as jieba joins them.
    """
    word_end = _best_path(block, dictionary)
    length = len(block)
    position, letters = 0, ""
    while position < length:
        end = word_end[position]
        word = block[position:end]
        if end - position == 1 and jieba.re_eng.match(word):
            letters += word
        else:
            if letters:
                yield letters
                letters = ""
            yield word
        position = end
    if letters:
        yield letters


def _best_path(block: str, dictionary: Dictionary) -> list[int]:
    """For each position of `block`, where the first word of the most probable path from there ends."""
    frequencies, log_frequencies = dictionary.frequencies, dictionary.log_frequencies
    log_total = math.log(dictionary.total)
    length = len(block)
    best = [0.0] * (length + 1)  # log-probability of the best path from each position
    word_end = list(range(1, length + 1))
    for start in range(length - 1, -1, -1):
        score = None
        end = start + 1
        fragment = block[start]
        while end <= length and fragment in frequencies:
            log_frequency = log_frequencies.get(fragment)
            if log_frequency is not None:
                candidate = log_frequency - log_total + best[end]
                if score is None or candidate >= score:
                    score, word_end[start] = candidate, end
            end += 1
            fragment = block[start:end]
        best[start] = score if score is not None else -log_total + best[start + 1]
    return word_end


def base_dictionary() -> Dictionary:
    """jieba's default dictionary, read once per process."""
    with _DICTIONARY_LOCK:
        return _read_base_dictionary()


@functools.cache
def _read_base_dictionary() -> Dictionary:
    frequencies, total = jieba.Tokenizer.gen_pfdict(jieba.Tokenizer().get_dict_file())
    return Dictionary(frequencies, total, {word: math.log(count) for word, count in frequencies.items() if count})


@functools.cache
def stop_words() -> frozenset[str]:
    """The stop words in summarize/data/stopwords.txt (one a line; `#` starts a comment)."""
    text = resources.files("summarize").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(
        word for word in (line.split("#", 1)[0].strip() for line in text.splitlines()) if word
    )
