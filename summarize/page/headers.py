"""Stage 2: runs of header lines as headers ([kicker] title [subtitle])."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from summarize.page.text import (
    COLUMN_LABEL,
    SUBTITLE_DASHES,
    SUBTITLE_DASH_LOOKALIKE,
    single_spaced,
    squeeze,
    visible_length,
)
from summarize.page.lines import HeadLine


@dataclass(frozen=True)
class Header:
    line: int
    printed: tuple[str, ...]  # the lines as printed, for a fragment if the header finds no body
    kicker: str | None = None
    title: str | None = None
    subtitle: str | None = None
    zone: str | None = None  # the zone its kicker line names
    city: str | None = None  # the city its kicker line names, when that line is a city

    @property
    def title_only(self) -> bool:
        return self.kicker is None and self.subtitle is None and self.zone is None

    @property
    def label(self) -> str:
        return self.title or self.kicker or self.subtitle or ""


def is_subtitle(line: HeadLine) -> bool:
    return line.dashed or (
        line.text.startswith(SUBTITLE_DASH_LOOKALIKE) and visible_length(line.text) > 4
    )


def closing_zone_title(line: HeadLine, after: Sequence[HeadLine]) -> bool:
    """Whether a line is a title naming its zone (交口经济技术开发区一季度开工项目8个) that ends its
    header group: no title of its own follows it, at most a subtitle."""
    rest = line.text[line.place_end :]
    return bool(rest.strip()) and not rest[0].isspace() and (not after or is_subtitle(after[0]))


@dataclass
class Draft:
    """A header being read, line by line."""

    kicker: str | None = None
    title: str | None = None
    subtitle: str | None = None
    zone: str | None = None
    city: str | None = None


def parse_headers(run: Sequence[HeadLine]) -> list[Header]:
    """Consecutive header lines -> headers: [kicker] title [subtitle], a zone line starting each."""
    headers: list[Header] = []
    index = 0
    while index < len(run):
        start, draft = index, Draft()
        index = read_kicker(run, index, draft)
        index = read_title(run, start, index, draft)
        index = max(read_subtitle(run, index, draft), start + 1)
        split_column_label(draft)
        headers.append(
            Header(
                line=run[start].line,
                printed=tuple(item.text for item in run[start:index]),
                kicker=single_spaced(draft.kicker) if draft.kicker else None,
                title=single_spaced(draft.title) if draft.title else None,
                subtitle=squeeze(draft.subtitle) if draft.subtitle else None,
                zone=draft.zone,
                city=draft.city,
            )
        )
    return headers


def title_follows(run: Sequence[HeadLine], index: int) -> bool:
    following = run[index + 1] if index + 1 < len(run) else None
    return following is not None and not is_subtitle(following) and not following.bare_place


def read_kicker(run: Sequence[HeadLine], index: int, draft: Draft) -> int:
    """Rule: a zone or city line opens a header (as its kicker, or as kicker and title on one
    line); a short line over a title is its 引题. Returns the index after what was read."""
    line = run[index]
    if line.place_end:
        rest = line.text[line.place_end :]
        draft.zone, draft.city = line.zone, line.city
        if not rest.strip() or title_follows(run, index):
            draft.kicker = line.text
        elif rest[0].isspace() or COLUMN_LABEL.match(rest):  # 阳城经济技术开发区 【园区动态】标题
            draft.kicker, draft.title = line.text[: line.place_end], rest
        else:  # a title that names the zone (临汾经济开发区党工委……调研……)
            draft.title, draft.zone = line.text, None
        return index + 1
    if title_follows(run, index) and (
        not run[index + 1].place_end or closing_zone_title(run[index + 1], run[index + 2 :])
    ):
        draft.kicker = line.text  # 引题 above the title
        return index + 1
    return index


def read_title(run: Sequence[HeadLine], start: int, index: int, draft: Draft) -> int:
    """Rule: the next line is the title, unless it is a bare place or (after a kicker) dashed."""
    if draft.title is None and index < len(run) and not run[index].bare_place and (
        index == start or not run[index].dashed
    ):
        draft.title = run[index].text
        return index + 1
    return index


def read_subtitle(run: Sequence[HeadLine], index: int, draft: Draft) -> int:
    """Rule: a dashed line after the title is its subtitle, or the title line holds both
    (园区焕新颜——风陵渡经济开发区见闻)."""
    if draft.title is None:
        return index
    if index < len(run) and is_subtitle(run[index]):
        draft.subtitle = run[index].text
        return index + 1
    head, dashes, tail = draft.title.strip().partition(SUBTITLE_DASHES[0])
    if head and tail:
        draft.title, draft.subtitle = head, dashes + tail
    return index


def split_column_label(draft: Draft) -> None:
    """Rule: a column's name before the title (【园区动态】抽水蓄能产业链加快布局) joins the kicker."""
    match = COLUMN_LABEL.match(draft.title or "")
    if match is None or draft.title is None or not draft.title[match.end() :].strip():
        return
    label = match.group(0).strip()
    draft.kicker = f"{draft.kicker.strip()} {label}" if draft.kicker else label
    draft.title = draft.title[match.end() :]
