"""Split one newspaper page (text extracted from PDF) into articles: the page reader's public API.

`split_page(text, gazetteer) -> Page` and the values it returns (Page, Article, their kinds and
note prefixes) are what the store (bot/ingest.py), the PDF reader and the tests build on; the
reader itself is the pipeline in `summarize.page` (see its docstring for what a page looks like).
"""

from summarize.page import short_articles_as_fragments, split_page
from summarize.page.model import (
    ARTICLE,
    NOTE_BYLINE_LABEL,
    NOTE_CONTINUATION,
    NOTE_MASTHEAD,
    NOTE_SECTION,
    PHOTO,
    Article,
    Page,
)
from summarize.page.text import DATELINE, PAGE_NAME

__all__ = [
    "ARTICLE",
    "DATELINE",
    "NOTE_BYLINE_LABEL",
    "NOTE_CONTINUATION",
    "NOTE_MASTHEAD",
    "NOTE_SECTION",
    "PAGE_NAME",
    "PHOTO",
    "Article",
    "Page",
    "short_articles_as_fragments",
    "split_page",
]
