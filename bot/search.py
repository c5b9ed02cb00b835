"""Full-text search over the articles, on FTS5 columns that hold jieba tokens joined by spaces.

FTS5's own tokenizers do not split Chinese, so `articles_fts` (rowid = articles.id) is filled
with the tokenizer's search terms; a query is cut by the same tokenizer and every token becomes a
quoted FTS5 string, so no text a user types is ever read as FTS5 syntax.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from summarize.tokens import Tokenizer

# A 2,000-character query cuts into hundreds of tokens; ANDing more than this many only
# slows the query down without narrowing the answer further.
MAX_QUERY_TOKENS = 24
# Characters of the original body before the first matched term, and the snippet's length.
SNIPPET_LEAD = 30
SNIPPET_CHARS = 120
# The title counts three times as much as the body when ranking (bm25 column weights).
TITLE_WEIGHT = 3.0
BODY_WEIGHT = 1.0


@dataclass(frozen=True)
class Hit:
    """One article that matches a query."""

    article_id: int
    title: str | None
    zone: str | None
    snippet: str  # from the original body, around the first matched term


def index_terms(title: str | None, body: str, tokenizer: Tokenizer) -> tuple[str, str]:
    """What `articles_fts` holds for an article: its title's and its body's search terms, each
    joined by spaces. Computed before the write transaction: tokenising is the slow part."""
    return " ".join(tokenizer.search_terms(title or "")), " ".join(tokenizer.search_terms(body))


def index_article(db: Database, article_id: int, terms: tuple[str, str]) -> None:
    """Add one article's `index_terms` to `articles_fts` (inside the transaction that writes it)."""
    db.execute("INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", [article_id, *terms])


def unindex_articles(db: Database, article_ids: Iterable[int]) -> None:
    """Remove articles from `articles_fts`."""
    db.execute(
        "DELETE FROM articles_fts WHERE rowid IN (SELECT value FROM json_each(?))",
        [json.dumps([int(article_id) for article_id in article_ids])],
    )


def query_terms(query: str, tokenizer: Tokenizer) -> list[str]:
    """The distinct words of `query` worth searching for: at least one letter, digit or CJK character."""
    terms = [token for token in tokenizer.cut(query) if any(ch.isalnum() for ch in token)]
    return list(dict.fromkeys(terms))[:MAX_QUERY_TOKENS]


def match_expression(terms: list[str]) -> str:
    """An FTS5 MATCH expression requiring every term, each as a quoted string (`"` doubled)."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def search(db: Database, query: str, tokenizer: Tokenizer, limit: int = 10) -> list[Hit]:
    """The articles containing every word of `query`, best first (bm25, title weighted).

    Example usage::

        search(db, "晋城 光机电", tokenizer)  # [Hit(article_id=12, title='构筑校地合作新生态', …)]
    """
    terms = query_terms(query, tokenizer)
    if not terms or limit <= 0:
        return []
    rows = db.execute(
        "SELECT articles.id, articles.title, articles.zone, articles.body"
        " FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid"
        " WHERE articles_fts MATCH ?"
        " ORDER BY bm25(articles_fts, ?, ?), articles.id"
        " LIMIT ?",
        [match_expression(terms), TITLE_WEIGHT, BODY_WEIGHT, limit],
    ).fetchall()
    return [Hit(article_id, title, zone, snippet(body, terms)) for article_id, title, zone, body in rows]


def snippet(body: str, terms: list[str]) -> str:
    """About SNIPPET_CHARS characters of `body` (whitespace collapsed) around the first of `terms` in it."""
    text = re.sub(r"\s+", " ", body).strip()
    folded = text.casefold()
    found = [position for term in terms if (position := folded.find(term.casefold())) >= 0]
    start = max(0, min(found) - SNIPPET_LEAD) if found else 0
    end = min(len(text), start + SNIPPET_CHARS)
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")
