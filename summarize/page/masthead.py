"""Stage 1a: the masthead (issue line, page name, slogan, printed date) of a page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from summarize.page.text import (
    EDITORS,
    FULL_DATE,
    ISSUE,
    ISSUE_NUMBER,
    MASTHEAD_REACH,
    MASTHEAD_SCRAP,
    MASTHEAD_WORDS,
    MAX_MASTHEAD_CHARS,
    PAGE_NAME,
    WEEKDAY,
    full_dates,
    has_clause_marks,
)


@dataclass(frozen=True)
class Masthead:
    lines: frozenset[int]
    issue_label: str | None
    date: str | None


def find_masthead(lines: Sequence[str]) -> Masthead:
    """The masthead lines (issue line, page name, slogan, date), the issue label and the printed date.

    An issue line (邮发代号…, 2024 年第 34 期, a date with its weekday) anchors the masthead; the
    page's name, its slogan and scraps (a date, 第34期) printed alone within MASTHEAD_REACH lines
    of an anchor or of the page's name belong to it.
    """
    found = masthead_lines(lines)
    printed_lines = [lines[number] for number in sorted(found) if plain(lines[number])]
    printed = next((day for text in printed_lines for day in full_dates(text)), None)
    return Masthead(frozenset(found), issue_label(printed_lines, printed), printed)


def is_anchor(text: str) -> bool:
    """Rule: a line that certainly belongs to a masthead (邮发代号, 2024 年第 34 期, a date with
    its weekday, the editors), short and plain unless it names the post code or mailbox."""
    return bool(MASTHEAD_WORDS.search(text)) or bool(
        (ISSUE.search(text) or weekday_dated(text) or EDITORS.search(text)) and plain(text)
    )


def masthead_lines(lines: Sequence[str]) -> set[int]:
    """Rule: the anchors, the page's name and slogan near an anchor, and scraps (a date, 第34期)
    alone near either."""
    found = {number for number, text in enumerate(lines) if is_anchor(text)}
    for number in sorted(found):
        found.update(near for near in around(number, len(lines)) if names_the_page(lines[near]))
    for number, text in enumerate(lines):
        nearby = around(number, len(lines))
        if MASTHEAD_SCRAP.match(text) and any(near in found or names_the_page(lines[near]) for near in nearby):
            found.add(number)
    return found


def issue_label(printed_lines: Sequence[str], printed: str | None) -> str | None:
    """Rule: "2024 年第 34 期" as 2024年第34期; a bare 第34期 takes the printed date's year."""
    issue = next((match for match in map(ISSUE.search, printed_lines) if match), None)
    if issue:
        return f"{issue.group(1)}年第{int(issue.group(2))}期"
    number_only = next((match for match in map(ISSUE_NUMBER.search, printed_lines) if match), None)
    if number_only and printed:
        return f"{printed[:4]}年第{int(number_only.group(1))}期"
    return None


def weekday_dated(text: str) -> bool:
    return bool(FULL_DATE.search(text) and WEEKDAY.search(text))


def plain(text: str) -> bool:
    """Short and without sentence punctuation, as masthead lines are (a dated sentence is not)."""
    return len(text) <= MAX_MASTHEAD_CHARS and not any(mark in text for mark in "，。,")


def around(number: int, count: int) -> range:
    """The line numbers within MASTHEAD_REACH of a line."""
    return range(max(0, number - MASTHEAD_REACH), min(count, number + MASTHEAD_REACH + 1))


def names_the_page(text: str) -> bool:
    return PAGE_NAME in text and not has_clause_marks(text)
