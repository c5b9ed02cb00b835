"""Chinese word tokens on jieba, with the zone names as single words.

Each Tokenizer owns a private jieba.Tokenizer (not jieba's module-level one), whose dictionary
loads lazily, once, on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import jieba


class Tokenizer:
    """Split Chinese text into words; `extra_words` (zone names, …) are never split.

    Example usage::

        tokenizer = Tokenizer(extra_words=["晋城经济技术开发区"])
        tokenizer.cut("晋城经济技术开发区签约")  # ['晋城经济技术开发区', '签约']
    """

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._extra_words = tuple(dict.fromkeys(w for w in extra_words if w))
        self._jieba: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    def _tokenizer(self) -> jieba.Tokenizer:
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    for word in self._extra_words:
                        tokenizer.add_word(word, freq=100_000)
                    self._jieba = tokenizer
        return self._jieba

    def cut(self, text: str) -> list[str]:
        """Every token of `text`, whitespace dropped, in order."""
        return [token for token in self._tokenizer().lcut(text) if token.strip()]

    def search_terms(self, text: str) -> list[str]:
        """Tokens for a search index: words plus the shorter words inside long ones."""
        return [token for token in self._tokenizer().lcut_for_search(text) if token.strip()]
