"""Full-text search: every article that contains the words, inside longer words too (铝 finds
铝镁合金), traditional characters folded to simplified (氫能 finds 氢能), with the true total.

One FTS5 index, rowid = articles.id: `articles_chars` (contentless, detail=full) holds every
letter and digit of the title and body as a token of its own, folded (summarize.zones.fold_char), whitespace left out (a hard-wrapped
  line does not split a word) and any other character as one OTHER token (铝，镁 is not 铝镁). A
  word is the phrase of its characters, so a MATCH is exactly "the text contains the word", for
  one character as for twenty; no text a user types is ever read as FTS5 syntax (every token is
quoted). A trigram index cannot answer one- and two-character words (铝, 氢, 铝镁): docs/BENCHMARKS.md
measures this one at 100,000 articles. A query written without spaces that no article holds
(晋城光机电) is cut into jieba words by `query_terms` and searched in the same index.

Results come newest first (the article's date, else its issue's), a page at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from summarize.sentences import shorten_sentence, split_sentences
from summarize.textrank import finish_sentence, stands_alone
from summarize.tokens import Tokenizer
from summarize.zones import fold_char

# A 2,000-character query cuts into hundreds of tokens; ANDing more than this many words only
# slows the query down without narrowing the answer further.
MAX_QUERY_TOKENS = 24
MAX_WORD_CHARS = 64  # of one word: longer words are searched by their first MAX_WORD_CHARS characters
SNIPPET_CHARS = 120
SNIPPET_AFTER = 10  # characters of a snippet at least, after the match
SNIPPET_BEFORE = 20  # characters before the match, when its clause starts too far back
OTHER = "\ue000"  # a private-use character: FTS5's unicode61 keeps it as a token (category Co)

# SQL: the day an article is dated (its own date, else its issue's: articles.day, see bot.db).
DAY = "a.day"
_HITS = "SELECT rowid FROM articles_chars WHERE articles_chars MATCH ?"
_PROBE = "SELECT 1 FROM articles_chars WHERE articles_chars.rowid = a.id AND articles_chars MATCH ?"
# When the hits are at least this share of the articles, the newest are found by walking the
# articles newest first and probing the index for each (a page needs about 10 / share probes);
# below it, the hits are fetched and sorted (docs/BENCHMARKS.md, "Search at 100,000 articles").
WALK_SHARE = 0.05


@dataclass(frozen=True)
class Hit:
    """One article that matches a query."""

    article_id: int
    title: str | None
    kind: str
    zone: str | None  # the zone it is about, else its city
    date: str | None
    snippet: str  # from the original body: the sentence of the first match


@dataclass(frozen=True)
class Found:
    """A page of hits and how many articles match in all."""

    total: int
    hits: tuple[Hit, ...]


def char_tokens(text: str) -> list[str]:
    """`text` as `articles_chars` holds it: folded letters and digits, OTHER for anything else
    but whitespace, which is left out."""
    return [char if char.isalnum() else OTHER for char in map(fold_char, text) if not char.isspace()]


# What the index holds for one article (index_terms): its title's and its body's tokens.
IndexTerms = tuple[str, str]


def index_terms(title: str | None, body: str) -> IndexTerms:
    """What `articles_chars` holds for an article: its title's and its body's characters, each
    joined by spaces. Computed before the write transaction (it is the slower part)."""
    return " ".join(char_tokens(title or "")), " ".join(char_tokens(body))


def index_articles(db: Database, entries: Iterable[tuple[int, IndexTerms]]) -> None:
    """Add articles' `index_terms` (article id, terms) to the index, in one statement (inside the
    transaction that writes them)."""
    db.conn.executemany("INSERT INTO articles_chars (rowid, title, body) VALUES (?, ?, ?)",
                        [(article_id, *terms) for article_id, terms in entries])


def unindex_articles(db: Database, article_ids: Iterable[int]) -> None:
    """Remove articles from the index (call while their rows still hold what was indexed)."""
    ids = json.dumps([int(article_id) for article_id in article_ids])
    rows = db.execute("SELECT id, title, body FROM articles WHERE id IN (SELECT value FROM json_each(?))", [ids])
    for article_id, title, body in rows.fetchall():  # a contentless table is told the very tokens it was given
        db.execute(
            "INSERT INTO articles_chars (articles_chars, rowid, title, body) VALUES ('delete', ?, ?, ?)",
            [article_id, *index_terms(title, body)],
        )


def query_words(query: str) -> list[str]:
    """The distinct words of `query` as typed (split at whitespace), without the punctuation
    around them; words with no letter or digit are dropped."""
    words = []
    for word in query.split():
        tokens = char_tokens(word)
        while tokens and tokens[-1] == OTHER:
            tokens.pop()
        while tokens and tokens[0] == OTHER:
            tokens.pop(0)
        if tokens:
            words.append("".join(tokens[:MAX_WORD_CHARS]).replace(OTHER, ""))
    return list(dict.fromkeys(words))[:MAX_QUERY_TOKENS]


def query_terms(query: str, tokenizer: Tokenizer) -> list[str]:
    """The distinct jieba words of `query` worth searching for: at least one letter, digit or CJK character."""
    terms = [token for token in tokenizer.cut(query) if any(ch.isalnum() for ch in token)]
    return list(dict.fromkeys(terms))[:MAX_QUERY_TOKENS]


def match_expression(words: Sequence[str]) -> str:
    """An FTS5 MATCH expression on `articles_chars` requiring every word, each as the quoted
    phrase of its characters."""
    return " AND ".join('"' + " ".join(char_tokens(word)) + '"' for word in words)  # '"' is OTHER


def search(
    db: Database,
    words: Sequence[str],
    *,
    where: Sequence[tuple[str, Sequence[object]]] = (),
    limit: int = 10,
    offset: int = 0,
) -> Found:
    """The articles containing every one of `words` (and meeting every (SQL, parameters) of
    `where`, on `a` = articles), newest first: their total and a page of them.

    Example usage::

        search(db, ["铝"], limit=5)  # Found(total=3, hits=(Hit(article_id=4, …), …))
        search(db, ["人才"], where=[(f"{DAY} >= ?", ["2024-07-01"])])
    """
    if not words:
        return Found(0, ())
    match = match_expression(words)
    filters = " ".join(f"AND ({sql})" for sql, _ in where)
    values = [value for _, given in where for value in given]
    if where:
        total = db.execute(f"SELECT count(*) FROM articles a WHERE a.id IN ({_HITS}) {filters}", [match, *values]).fetchone()[0]
    else:
        total = db.execute("SELECT count(*) FROM articles_chars WHERE articles_chars MATCH ?", [match]).fetchone()[0]
    if limit <= 0 or offset >= total:
        return Found(total, ())
    articles = db.execute("SELECT max(id) FROM articles").fetchone()[0] or 1
    if total >= WALK_SHARE * articles:  # common words: walk the articles newest first, probing each
        source = f"articles a INDEXED BY articles_by_day WHERE EXISTS ({_PROBE})"
    else:  # rarer words: their hits, sorted
        source = f"articles a WHERE a.id IN ({_HITS})"
    rows = db.execute(
        f"SELECT a.id, a.title, a.kind, COALESCE(a.zone, a.city), a.day, a.body FROM {source} {filters}"
        " ORDER BY a.day DESC, a.id DESC LIMIT ? OFFSET ?",
        [match, *values, limit, max(offset, 0)],
    ).fetchall()
    return Found(total, tuple(Hit(article_id, title, kind, zone, day, snippet(body, words))
                              for article_id, title, kind, zone, day, body in rows))


def snippet(body: str, words: Sequence[str], max_chars: int = SNIPPET_CHARS) -> str:
    """The sentence of `body` where the first of `words` first appears, at most `max_chars`
    characters (whitespace collapsed).

    It opens where the sentence opens, with the sentence before it when it leans on that one
    (summarize.textrank.stands_alone); a match deeper than `max_chars` into a long sentence opens
    the snippet at the clause before the match, after "…". A word only the title holds (or one
    broken by a line end) gives the body's first sentence.
    """
    text = re.sub(r"\s+", " ", body).strip()
    folded = text.translate({ord(char): fold_char(char) for char in set(text)})
    found = [position for word in words if (position := folded.find(word)) >= 0]
    sentences = split_sentences(text)
    if not sentences:
        return ""
    index, position = _sentence_at(text, sentences, min(found, default=0))
    sentence = finish_sentence(sentences[index])
    position = max(position - (len(sentences[index]) - len(sentence)), 0)  # less an opener dropped
    if index > 0 and not stands_alone(sentences[index]) and len(sentences[index - 1]) + position < max_chars:
        return shorten_sentence(finish_sentence(sentences[index - 1]) + sentence, max_chars)
    if position + max(map(len, words)) + SNIPPET_AFTER > max_chars:  # the match is deep: from its clause
        start = max(sentence.rfind(mark, 0, position) for mark in "，、：, ") + 1
        start = start if position - start + SNIPPET_AFTER <= max_chars else position - SNIPPET_BEFORE
        return shorten_sentence("…" + sentence[start:], max_chars)
    return shorten_sentence(sentence, max_chars)


def _sentence_at(text: str, sentences: list[str], offset: int) -> tuple[int, int]:
    """(which of `sentences` holds `offset` of `text`, where in it); the last one if none does."""
    cursor = 0
    for number, sentence in enumerate(sentences):
        start = text.find(sentence, cursor)
        cursor = start + len(sentence)
        if offset < cursor:
            return number, max(offset - start, 0)
    return len(sentences) - 1, 0
