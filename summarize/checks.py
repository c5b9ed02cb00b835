"""An editor's look at one stored record: the named checks that make it doubtful.

`record_checks` returns the names of the checks a record fails (none: a confident record). Each
check is a rule of its own, tested on its own (tests/test_review.py); bot/planning.py holds the
doubtful records of a page for an admin (config `review`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Rule SHORT_BODY: a body under this many characters is doubtful (a record under
# summarize.page.text.MIN_BODY_CHARS is never stored: it is a fragment already).
SHORT_BODY_CHARS = 50
# Rule BYLINE_TITLE: a title that is a reporters' line, not a headline.
_NAME = r"[\u4e00-\u9fff]{2,3}"
_ROLE = r"(?:本报|科学导报)?\s*(?:特约)?(?:记者|通讯员|实习生)"
BYLINE = re.compile(rf"^[（(]?\s*(?:{_ROLE}\s*{_NAME}(?:[\s、，,]+{_NAME})*\s*)+[)）]?$|^(?:本报讯|科学导报讯)$")
# Rule GARBLED_TITLE: quotes closed before they open (』『, 」「), the replacement character, or a
# title with more symbols than words.
MISPAIRED = re.compile(r"[』」][^『「]*[『「]|^[』」]|[『「][^』」]*$")
HAN = re.compile(r"[\u4e00-\u9fff]")
WORDY = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")

NO_TITLE = "no_title"
SHORT_BODY = "short_body"
UNKNOWN_ZONE = "unknown_zone"
BYLINE_TITLE = "byline_title"
GARBLED_TITLE = "garbled_title"
PAGE_FRAGMENTS = "page_fragments"


@dataclass(frozen=True)
class Record:
    """What the checks look at: a stored article and its page."""

    title: str | None
    body: str
    zone_known: bool  # its zone is a zone of the gazetteer (not one discovered on the page)
    page_fragments: int  # text on its page that could not be placed in any record


def no_title(record: Record) -> bool:
    """Rule NO_TITLE: a record without a title (a continuation, or a misread header)."""
    return not (record.title or "").strip()


def short_body(record: Record) -> bool:
    """Rule SHORT_BODY: a body under SHORT_BODY_CHARS characters (without spaces)."""
    return len("".join(record.body.split())) < SHORT_BODY_CHARS


def unknown_zone(record: Record) -> bool:
    """Rule UNKNOWN_ZONE: no zone, or a zone the gazetteer does not know."""
    return not record.zone_known


def byline_title(record: Record) -> bool:
    """Rule BYLINE_TITLE: the title is a byline or a dateline (记者 X, 本报讯)."""
    return bool(record.title and BYLINE.search(record.title.strip()))


def garbled_title(record: Record) -> bool:
    """Rule GARBLED_TITLE: mispaired quotes (』『), U+FFFD, or fewer words than symbols."""
    title = (record.title or "").strip()
    if not title:
        return False
    if "\ufffd" in title or MISPAIRED.search(title):
        return True
    return not HAN.search(title) or len(WORDY.findall(title)) * 2 < len(title)


def page_fragments(record: Record) -> bool:
    """Rule PAGE_FRAGMENTS: its page left text unplaced (a record may be missing a part)."""
    return record.page_fragments > 0


CHECKS: tuple[tuple[str, Callable[[Record], bool]], ...] = (
    (NO_TITLE, no_title),
    (SHORT_BODY, short_body),
    (UNKNOWN_ZONE, unknown_zone),
    (BYLINE_TITLE, byline_title),
    (GARBLED_TITLE, garbled_title),
    (PAGE_FRAGMENTS, page_fragments),
)


def record_checks(record: Record) -> tuple[str, ...]:
    """The names of the checks `record` fails, in CHECKS' order; () for a confident record."""
    return tuple(name for name, failed in CHECKS if failed(record))
