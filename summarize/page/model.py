"""The values the page reader produces: the contract with the store (bot/ingest.py) and the PDF reader."""

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
    author: str | None = None  # byline at the end, or the reporters named in the dateline
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
    # the latest date the text reports (YYYY-MM-DD; a plan's dates aside): full dates, and month-day
    # dates completed with the masthead's year, else the latest year printed with a month
    latest_date: str | None = None
    notes: tuple[str, ...] = field(default=())  # what the parser did that a reader should know


# Prefixes of the notes that hold page text no article carries (see Page.notes).
NOTE_MASTHEAD = "masthead: "
NOTE_SECTION = "section label: "
NOTE_CONTINUATION = "continuation mark: "
NOTE_BYLINE_LABEL = "byline label: "
