"""Split one newspaper page (text extracted from PDF) into articles.

The data model below is the contract between the parser and the store (bot/ingest.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ARTICLE = "article"
PHOTO = "photo"


@dataclass(frozen=True)
class Article:
    """One article, or one photo with its caption, as printed on a page."""

    kind: str  # ARTICLE or PHOTO
    title: str | None
    body: tuple[str, ...]  # paragraphs, PDF line breaks mended, no dateline prefix
    zone: str | None = None  # official full name of the zone it is about
    zones: tuple[str, ...] = ()  # every zone it concerns, official names, `zone` first
    city: str | None = None
    subtitle: str | None = None  # 副题, e.g. "——朔州经济开发区见闻"
    kicker: str | None = None  # the line above the title as printed (zone, zone + unit, city)
    author: str | None = None  # byline at the end, or the reporter named in the dateline
    dateline: str | None = None  # "科学导报讯", "科学导报 记者王波", … as printed
    published: str | None = None  # YYYY-MM-DD when the article's dateline/lead gives a full date
    published_month_day: tuple[int, int] | None = None  # (month, day) when it gives only that


@dataclass(frozen=True)
class Page:
    """What split_page found on one page."""

    articles: tuple[Article, ...]
    fragments: tuple[str, ...] = ()  # text that could not be placed in any article: kept, counted
    issue_label: str | None = None  # from the masthead, e.g. "2024年第34期"
    masthead_date: str | None = None  # YYYY-MM-DD when the masthead prints one
    latest_date: str | None = None  # the latest full date anywhere in the text (YYYY-MM-DD)
    notes: tuple[str, ...] = field(default=())  # what the parser did that a reader should know
