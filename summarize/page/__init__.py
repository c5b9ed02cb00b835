"""The page reader: one newspaper page (text extracted from PDF) split into articles.

A pipeline of stages, each a module: masthead and lines (`masthead`, `lines`) -> headers
(`headers`) -> assembly into units (`assembly`) -> repairs (`repairs`) -> Article values
(`articles`). `model` holds the values (the contract with the store and the PDF reader); `text`
the patterns and helpers the stages share. `summarize.segment` is the public entry point.

How a 科学导报「开发区建设」 page reads once its PDF is text, and what `split_page` does about it:

- An article is a header (a kicker line naming a zone, a unit or a city; a title; maybe a
  ``——…见闻`` subtitle), body paragraphs (the first may open with a dateline such as
  ``科学导报讯``, ``科学导报 记者王波`` or ``本报讯（记者 王波 通讯员 赵敏）``) and a byline: names
  after the last sentence, alone on a line or under the title, maybe after 文/图 or 记者, maybe
  in brackets. A dateline always opens a new body; a byline after body text always closes one.
  Personal names have 2–3 characters (4 after a two-character surname): 园区新貌 is a title.
- PDF extraction breaks sentences over blank lines and leaves spaces between Chinese characters:
  a paragraph that does not end a sentence is joined with the next body paragraph, and spaces
  are dropped unless they separate two Latin words or digits (titles keep theirs).
- Headers are not always above their body. A header with no body of its own (followed by another
  header, the masthead or the end of the page) belongs to the headerless body printed just before
  it, else to a body elsewhere that is about its zone. A header printed in the middle of a
  sentence belongs to the body that sentence is in.
- A form feed (pdftotext ends each page with one) starts a new page, parsed on its own.
- Masthead lines, section labels, continuation marks and byline labels (文/图, 记者) are recorded
  in `Page.notes`; photo captions become PHOTO records; text that fits nowhere goes to
  `Page.fragments`. Nothing is dropped: every Chinese character of the page ends up in one of
  these places (the words 摄 and 供图 of a photo credit aside).
"""

from __future__ import annotations

from dataclasses import replace

from summarize.zones import Gazetteer
from summarize.page.model import ARTICLE, Page
from summarize.page.text import MIN_BODY_CHARS, INVISIBLE, PAGE_BREAK, text_dates
from summarize.page.masthead import find_masthead
from summarize.page.lines import classify
from summarize.page.assembly import Zones, assemble
from summarize.page.repairs import (
    claim_bodies,
    headers_after_bodies,
    place_orphans,
    rejoin_sections,
    short_bodies_are_fragments,
)
from summarize.page.articles import to_article


def split_page(text: str, gazetteer: Gazetteer, *, min_body_chars: int = MIN_BODY_CHARS) -> Page:
    """Split the text of one page into articles and photos, in the order they are printed.

    Pure: text in, values out. Any text (empty, a masthead only, no headers at all) gives a
    Page; what cannot be placed in an article is kept in `Page.fragments`.

    Example usage::

        gazetteer = Gazetteer.from_csv(Path("config/zones.csv").read_text("utf-8"))
        page = split_page(Path("seeds/003_697c6edd13f2ce04.txt").read_text("utf-8"), gazetteer)
        page.articles[0].title  # '构筑校地合作新生态'
        page.articles[0].zone  # '晋城经济技术开发区'
        page.articles[0].author  # '王波'

    Args:
        text: the page as extracted from the PDF (any line endings; a form feed starts a new page,
            whose records follow those of the page before).
        gazetteer: the zones, to recognise zone lines and name the zones articles are about.
        min_body_chars: a record whose body is shorter is kept as a fragment, not an article.
    """
    text = INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    sheets = [split_sheet(sheet, gazetteer, min_body_chars) for sheet in text.split(PAGE_BREAK)]
    issue_label = next((sheet.issue_label for sheet in sheets if sheet.issue_label), None)
    dates = sorted(text_dates(text, issue_label[:4] if issue_label else None))
    return Page(
        articles=tuple(article for sheet in sheets for article in sheet.articles),
        fragments=tuple(fragment for sheet in sheets for fragment in sheet.fragments),
        issue_label=issue_label,
        masthead_date=next((sheet.masthead_date for sheet in sheets if sheet.masthead_date), None),
        latest_date=dates[-1] if dates else None,
        notes=tuple(note for sheet in sheets for note in sheet.notes),
    )


def split_sheet(text: str, gazetteer: Gazetteer, min_body_chars: int) -> Page:
    """split_page for the text of one printed page (no form feed); latest_date left to the caller."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    masthead = find_masthead(lines)
    zones = Zones(gazetteer)
    done = assemble(classify(lines, masthead, gazetteer), zones, gazetteer)
    headers_after_bodies(done, zones)
    claim_bodies(done, zones)
    rejoin_sections(done, zones)
    place_orphans(done, zones)
    short_bodies_are_fragments(done, min_body_chars)
    placed = [(unit.line, to_article(unit, zones, gazetteer)) for unit in done.units] + done.photos
    placed.sort(key=lambda pair: pair[0])
    return Page(
        articles=tuple(article for _, article in placed),
        fragments=tuple(fragment for _, fragment in sorted(done.fragments) if fragment),
        issue_label=masthead.issue_label,
        masthead_date=masthead.date,
        notes=tuple(done.notes),
    )


def short_articles_as_fragments(page: Page, min_body_chars: int = MIN_BODY_CHARS) -> Page:
    """Rule: whichever reader made `page` (text or PDF layout), an article whose body is shorter
    than `min_body_chars` is kept as a fragment, never stored as an article."""
    short = [a for a in page.articles if a.kind == ARTICLE and len("".join(a.body)) < min_body_chars]
    if not short:
        return page
    texts = [" ".join(filter(None, (a.kicker, a.title, *a.body, a.author))) for a in short]
    return replace(page, articles=tuple(a for a in page.articles if a not in short),
                   fragments=page.fragments + tuple(texts),
                   notes=page.notes + tuple(f"record too short for an article kept as a fragment: {t[:12]}" for t in texts))
