"""Full-text search: every article that contains the words, inside longer words too (铝 finds
铝镁合金), traditional characters folded to simplified (氫能 finds 氢能), with the true total.

A text is read as its folded characters (summarize.zones.fold_char): letters and digits, any other
character as one OTHER token (铝，镁 is not 铝镁), whitespace left out (a hard-wrapped line does not
split a word). Two contentless FTS5 indexes hold them, both with rowid = articles.id:

- `articles_pairs` (detail=full): at each position, the pair of that character and the next (OTHER
  when either is no letter or digit). A word of two characters is one token of it, a longer word
  the phrase of its pairs (铝镁合金 = "铝镁 镁合 合金"), so a MATCH is exactly "the text contains the
  word", for two characters as for twenty, and reads far shorter lists than the characters' would.
- `articles_letters` (detail=none): each letter or digit an article holds, once, for the words of
  one character (铝, 氢): which articles hold it, no positions.

Every token is quoted: no text a user types is ever read as FTS5 syntax. A query written without
spaces that no article holds (晋城光机电) is cut into jieba words by `query_terms` and searched the
same way. docs/BENCHMARKS.md measures the indexes (size and speed) at 100,000 articles.

Results come newest first (the article's date, else its issue's), a page at a time.
"""

from __future__ import annotations

import hashlib
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

# When the hits are at least WALK_SHARE of the articles, a page is found by walking the articles
# newest first (articles_by_day), probing the index for each when the page takes at most
# MAX_PROBES probes (about page end / share of hits), else testing each against the set of hits;
# rarer hits are fetched and sorted (docs/BENCHMARKS.md, "Search at 100,000 articles").
WALK_SHARE = 0.05
MAX_PROBES = 300
PAIRS = "articles_pairs"
LETTERS = "articles_letters"
PLACE = "\ue001"  # opens a place token (place_token): private use, so no word a user types is one
ZONE_PLACE = "z"
CITY_PLACE = "c"


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
    """`text` as the index reads it: folded letters and digits, OTHER for anything else but
    whitespace, which is left out."""
    return [char if char.isalnum() else OTHER for char in map(fold_char, text) if not char.isspace()]


def pair_tokens(tokens: Sequence[str]) -> list[str]:
    """At each position of `tokens` (char_tokens) but the last, the pair of characters starting
    there, or OTHER when either of the two is OTHER: what `articles_pairs` holds."""
    return [first + second if OTHER not in (first, second) else OTHER for first, second in zip(tokens, tokens[1:])]


# What the indexes hold for one article (index_terms): its pairs (title, OTHER, body) and its letters.
IndexTerms = tuple[str, str]


def index_terms(title: str | None, body: str) -> IndexTerms:
    """What `articles_pairs` and `articles_letters` hold for an article, each joined by spaces: the
    title and the body read as one text with an OTHER between (no word spans the two). Computed
    before the write transaction (it is the slower part)."""
    tokens = [*char_tokens(title or ""), OTHER, *char_tokens(body)]
    return " ".join(pair_tokens(tokens)), " ".join(dict.fromkeys(token for token in tokens if token != OTHER))


def place_token(kind: str, name: str) -> str:
    """The token that marks, in both indexes, the articles of a city (CITY_PLACE: articles.city) or
    linked to a zone (ZONE_PLACE: article_zones), so a filter is one more term of the MATCH."""
    return PLACE + kind + hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]


def _places(db: Database, article_ids: Sequence[int]) -> dict[int, str]:
    """The place tokens of stored articles, joined by spaces, by id: each one's city's, then its
    zones' in the order of their names (unindex_articles must give the very same tokens)."""
    ids = json.dumps([int(article_id) for article_id in article_ids])
    places: dict[int, list[str]] = {article_id: [] for article_id in article_ids}
    for article_id, city in db.execute("SELECT id, city FROM articles WHERE id IN (SELECT value FROM json_each(?))"
                                       " AND city IS NOT NULL", [ids]):
        places[article_id].append(place_token(CITY_PLACE, city))
    for article_id, zone in db.execute("SELECT article_id, zone FROM article_zones WHERE article_id IN"
                                       " (SELECT value FROM json_each(?)) ORDER BY article_id, zone", [ids]):
        places[article_id].append(place_token(ZONE_PLACE, zone))
    return {article_id: " ".join(tokens) for article_id, tokens in places.items()}


def index_articles(db: Database, entries: Iterable[tuple[int, IndexTerms]]) -> None:
    """Add articles' `index_terms` (article id, terms) and place tokens to the indexes, in one
    statement each (inside the transaction that writes them), once their rows and article_zones
    are written (unindex_articles before those change)."""
    entries = list(entries)
    places = _places(db, [article_id for article_id, _ in entries])
    for table, column in ((PAIRS, 0), (LETTERS, 1)):
        db.conn.executemany(f"INSERT INTO {table} (rowid, text) VALUES (?, ?)",
                            [(article_id, f"{terms[column]} {places[article_id]}") for article_id, terms in entries])


def unindex_articles(db: Database, article_ids: Iterable[int]) -> None:
    """Remove articles from the indexes (call while their rows and article_zones still hold what
    was indexed)."""
    ids = json.dumps([int(article_id) for article_id in article_ids])
    rows = db.execute("SELECT id, title, body FROM articles WHERE id IN (SELECT value FROM json_each(?))", [ids]).fetchall()
    places = _places(db, [row[0] for row in rows])
    for article_id, title, body in rows:  # a contentless table is told the very tokens it was given
        pairs, letters = index_terms(title, body)
        for table, tokens in ((PAIRS, pairs), (LETTERS, letters)):
            db.execute(f"INSERT INTO {table} ({table}, rowid, text) VALUES ('delete', ?, ?)",
                       [article_id, f"{tokens} {places[article_id]}"])


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


def match_parts(words: Sequence[str], within: Sequence[Sequence[str]] = ()) -> list[tuple[str, str]]:
    """(index, FTS5 MATCH expression) requiring every word, each read as its letters and digits,
    and one place token (place_token) of each set in `within`: the words of two characters or
    more as phrases of their pairs in `articles_pairs`, the words of one in `articles_letters`; an
    index no word needs is left out."""
    letters = [[token for token in char_tokens(word) if token != OTHER] for word in words]
    phrases = ['"' + " ".join(pair_tokens(tokens)) + '"' for tokens in letters if len(tokens) > 1]
    singles = [f'"{tokens[0]}"' for tokens in letters if len(tokens) == 1]
    places = ["(" + " OR ".join(f'"{token}"' for token in tokens) + ")" for tokens in within]
    return [(table, " AND ".join(terms + places)) for table, terms in ((PAIRS, phrases), (LETTERS, singles)) if terms]


def _hits(parts: Sequence[tuple[str, str]]) -> str:
    """SELECT the ids of the articles every one of `parts` (match_parts) matches."""
    return " INTERSECT ".join(f"SELECT rowid AS id FROM {table} WHERE {table} MATCH ?" for table, _ in parts)


def count_query(words: Sequence[str], within: Sequence[Sequence[str]] = (), since: str | None = None) -> tuple[str, list[object]]:
    """SELECT how many articles hold every one of `words` and a place of each set of `within`,
    dated `since` or later (see search), and its parameters."""
    parts = match_parts(words, within)
    if not parts:
        return "SELECT 0", []
    expressions: list[object] = [expression for _, expression in parts]
    if since is None:
        return f"SELECT count(*) FROM ({_hits(parts)})", expressions
    return (f"SELECT count(*) FROM ({_hits(parts)}) WHERE +id IN (SELECT id FROM articles WHERE day >= ?)",
            [*expressions, since])  # +: a test of each hit, not an FTS5 lookup each


def search(
    db: Database,
    words: Sequence[str],
    *,
    within: Sequence[Sequence[str]] = (),
    since: str | None = None,
    limit: int = 10,
    offset: int = 0,
    total: int | None = None,
) -> Found:
    """The articles containing every one of `words` (each as query_words gives it), of a place in
    each set of `within` (place tokens) and dated `since` (YYYY-MM-DD) or later, newest first:
    their total (`total` when the caller counted them already, with count_query) and a page.

    Example usage::

        search(db, ["铝"], limit=5)  # Found(total=3, hits=(Hit(article_id=4, …), …))
        search(db, ["人才"], within=[[place_token(CITY_PLACE, "晋城")]], since="2024-07-01")
    """
    parts = match_parts(words, within)
    if total is None:
        sql, values = count_query(words, within, since)
        total = db.execute(sql, values).fetchone()[0]
    if not parts or limit <= 0 or offset >= total:
        return Found(total, ())
    ids = _page(db, parts, since, total, limit, max(offset, 0))
    rows = {row[0]: row for row in db.execute(
        "SELECT id, title, kind, COALESCE(zone, city), day, body FROM articles WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)])}
    return Found(total, tuple(Hit(article_id, title, kind, zone, day, snippet(body, words))
                              for article_id, title, kind, zone, day, body in map(rows.__getitem__, ids)))


def _page(db: Database, parts: Sequence[tuple[str, str]], since: str | None, total: int, limit: int,
          offset: int) -> list[int]:
    """The ids of a page of the `total` articles `parts` (match_parts) match, dated `since` or later:
    when the hits are at least WALK_SHARE of the articles walked (all, or those from `since` on),
    walking them newest first, probing each when that takes at most MAX_PROBES probes, else
    testing each against the set of hits; else the hits, sorted."""
    dated = "a.day >= ?" if since is not None else "1"
    after = [since] if since is not None else []
    walked = db.execute(f"SELECT count(*) FROM articles a WHERE {dated}" if since is not None
                        else "SELECT max(id) FROM articles", after).fetchone()[0] or 1
    expressions = [expression for _, expression in parts]
    if total < WALK_SHARE * walked:  # rarer words: their hits, sorted
        source, values = f"articles a WHERE a.id IN ({_hits(parts)}) AND {dated}", expressions + after
    elif (offset + limit) * walked <= MAX_PROBES * total:
        probes = " AND ".join(f"EXISTS (SELECT 1 FROM {table} WHERE {table}.rowid = a.id AND {table} MATCH ?)"
                              for table, _ in parts)
        source, values = f"articles a INDEXED BY articles_by_day WHERE {dated} AND {probes}", after + expressions
    else:
        source, values = f"articles a INDEXED BY articles_by_day WHERE {dated} AND a.id IN ({_hits(parts)})", after + expressions
    return [article_id for (article_id,) in db.execute(
        f"SELECT a.id FROM {source} ORDER BY a.day DESC, a.id DESC LIMIT ? OFFSET ?", [*values, limit, offset])]


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
