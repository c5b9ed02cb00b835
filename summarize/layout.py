"""Read a newspaper page from its layout: characters with their size and position -> Page.

Pure: `read_sheets` takes the text layer of each printed page (a Sheet: its Glyphs, and the
rectangles and pictures drawn on it) and returns the same Page/Article values `split_page` returns
for the text of a page, so that everything after ingest is the same for both. The PDF library is
called in bot/pdf.py; nothing here reads files.

How a page is read, step by step (each step a named rule with its own test):

1. Glyphs -> lines: glyphs on one baseline, of one size, closer than LINE_GAP ems apart (a column
   gutter is wider), make a line.
2. The body size is the size most characters are set in. A line HEAD_RATIO times larger is a
   headline line; DECK_RATIO larger, a kicker (zone label) or subtitle line.
3. The masthead is every line above the lowest masthead mark (the page's name, the paper's name,
   an issue number, a dated line) in the top MASTHEAD_SHARE of the page.
4. Rectangles: a frame holding at least two lines is a sidebar box, read as an article of its
   own (its larger or leading short line is its title) and kept out of the article around it;
   a picture (an image, or a filled rectangle without text) with lines just under it is a photo,
   those lines its caption.
5. Headline lines close together make a header, with the kicker line above and the subtitle
   line below; a short body-size line naming a place right above a headline is a kicker too.
6. The other lines make blocks: lines stacked in one column with line spacing between them.
7. Each block belongs to the nearest header or block above it in its column (an article goes
   on under a box or photo printed inside it); a block with nothing above it but across a header
   or a rule continues the article of the column to its left (an article flowing from column
   to column).
8. An article's blocks are read column by column, top to bottom; an indented line or the line
   after a short one starts a paragraph. Datelines, bylines and caption credits are read by
   `split_page` on the article's own text, so they follow the same rules as text pages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from summarize.segment import ARTICLE, PAGE_NAME, PHOTO, Article, Page, split_page
from summarize.zones import Gazetteer

COLUMN_STARTS = 3  # lines starting at one x make it a column's left edge
CROSSING_SHARE = 0.34  # ... unless more than this share of that many lines run across it
LINE_GAP = 0.75  # ems between two glyphs of one line at most; a column gutter is wider
SPACE_GAP = 0.25  # ems between two glyphs that stand for a space
SAME_SIZE = 0.12  # sizes within this share of each other are one size
HEAD_RATIO = 1.3  # a headline is set this many times larger than the body, at least
DECK_RATIO = 1.08  # kickers and subtitles: larger than the body, smaller than headlines
DECK_STEP = 1.15  # a headline is set this many times larger than its kicker or subtitle, at least
MASTHEAD_SHARE = 0.3  # the masthead lies in this top share of the page
PAPER_NAME = "科学导报"
# What a masthead prints, read here only where split_page finds no masthead in its lines.
FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
ISSUE = re.compile(r"(\d{4})\s*年\s*第\s*(\d{1,4})\s*期")
PHOTO_MARK = "■"  # a caption opening with it is a caption for split_page, whatever it says
MASTHEAD_MARKS = re.compile(rf"{PAGE_NAME}|{PAPER_NAME}|邮发代号|统一刊号|第\s*\d+\s*期|{FULL_DATE.pattern}")
BLOCK_GAP = 1.2  # ems between the lines of one block at most
HEADER_GAP = 1.0  # ems (of the larger line) between the lines of one header at most
MIN_BOX_LINES = 2  # a frame holding fewer lines is decoration (a label's background)
MIN_RECT = 3.0  # points: thinner rectangles are rules
RULE_SHARE = 0.5  # a rule this share of the page wide or wider separates articles
PAGE_COVER = 0.6  # a rectangle covering this share of the page is a background
CAPTION_GAP = 2.5  # ems between a picture and its caption's first line at most
CAPTION_LINE_GAP = 1.0  # ems between two lines of one caption at most
CAPTION_END = re.compile(r"(?:摄|供图|摄影|提供)\s*[)）]?$")
KICKER_CHARS = 16  # a body-size kicker is this short at most
CENTRED_REACH = 2.0  # a centred headline heads blocks starting within this many of its heights below it
COLUMN_SLACK = 2.0  # ems: blocks whose right edges are this close stand in one column
INDENT = 0.8  # ems: a line starting this far right of its column starts a paragraph
SHORT_LINE = 0.5  # ems: a line leaving room for the next line's first character and this much ends a paragraph
SENTENCE_END = "。！？!?”）)"
NO_LINE_START = "，。、；：！？”’）》,.;:!?)"  # marks a typesetter never puts at the start of a line
TITLE_CHARS = 14  # an unmarked first line of a box this short (and not a sentence) is its title
LATIN = re.compile(r"[A-Za-z0-9]")
DATELINE_OPENING = re.compile(r"^\s*(?:科学导报|本报)")  # a paragraph that opens with its own dateline
SYNTHETIC_DATELINE = "科学导报讯 "  # opens a body for split_page, which keeps undated headless text apart


@dataclass(frozen=True)
class Glyph:
    """One character as the PDF places it (points; `top` and `bottom` measured from the page top)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    font: str = ""


@dataclass(frozen=True)
class Rect:
    """A rectangle drawn on the page: a picture (an image or a filled shape) or a frame (stroked)."""

    x0: float
    top: float
    x1: float
    bottom: float
    picture: bool


@dataclass(frozen=True)
class Sheet:
    """The text layer of one printed page."""

    width: float
    height: float
    glyphs: tuple[Glyph, ...]
    rects: tuple[Rect, ...] = ()


@dataclass(frozen=True)
class Area:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def overlap(self, other: Area) -> float:
        """Horizontal overlap in points (negative: the gap between them)."""
        return min(self.x1, other.x1) - max(self.x0, other.x0)

    def contains_centre(self, other: Area) -> bool:
        x, y = (other.x0 + other.x1) / 2, (other.top + other.bottom) / 2
        return self.x0 <= x <= self.x1 and self.top <= y <= self.bottom


@dataclass(frozen=True)
class Line(Area):
    text: str
    size: float
    glyphs: tuple[Glyph, ...] = field(default=(), repr=False, compare=False)

    @property
    def chars(self) -> int:
        return len(self.text.replace(" ", ""))


@dataclass
class Header:
    lines: list[Line]
    title: str
    kicker: str | None = None
    subtitle: str | None = None

    @property
    def area(self) -> Area:
        return _bounds(self.lines)


@dataclass
class Block:
    """Lines stacked in a column; or, without lines, a picture or box (`shape`), which belongs to
    a story as a block does and leads on to the block under it."""

    lines: list[Line]
    shape: Area | None = None

    @property
    def area(self) -> Area:
        return self.shape or _bounds(self.lines)


@dataclass
class Story:
    """An article being assembled: its header (None for a body nobody heads) and its blocks."""

    header: Header | None
    blocks: list[Block] = field(default_factory=list)
    extras: list[Article] = field(default_factory=list)  # boxes and photos printed inside it


def _bounds(areas: Sequence[Area]) -> Area:
    return Area(min(a.x0 for a in areas), min(a.top for a in areas), max(a.x1 for a in areas),
                max(a.bottom for a in areas))


# ---------------------------------------------------------------------------------------------
# 1. Glyphs -> lines


def _same_size(a: float, b: float) -> bool:
    return abs(a - b) <= SAME_SIZE * max(a, b)


def group_lines(glyphs: Iterable[Glyph]) -> list[Line]:
    """Lines of glyphs: one baseline, one size, no gap wider than LINE_GAP ems (rule 1)."""
    rows: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: ((g.top + g.bottom) / 2, g.x0)):
        centre = (glyph.top + glyph.bottom) / 2
        row = rows[-1] if rows else None
        if row and abs(centre - (row[0].top + row[0].bottom) / 2) <= 0.3 * min(glyph.size, row[0].size):
            row.append(glyph)
        else:
            rows.append([glyph])
    lines = []
    for row in rows:
        lines.extend(_split_row(sorted(row, key=lambda g: g.x0)))
    return cut_at_column_starts([line for line in lines if line.text])


def cut_at_column_starts(lines: Sequence[Line]) -> list[Line]:
    """Cut a body-size line where a column starts (rule 1b). A line that runs to its column's edge
    (a comma hung in the gutter) meets the next column's line when the gutter is no wider than a
    space. A column starts at an x where at least COLUMN_STARTS body lines start and at most one
    in CROSSING_SHARE of that many run across (an indent, where first lines start, is run across
    by every other line of its column). Headlines are never cut: they span columns."""
    body = body_size(lines)
    starts = Counter((round(line.x0), line.size) for line in lines)
    edges = {key for key, count in starts.items() if count >= COLUMN_STARTS and _same_size(key[1], body)}
    crossing = Counter(key for line in lines for key in edges
                       if key[1] == line.size and line.x0 < key[0] - 1 and line.x1 > key[0] + 1)
    edges = {key for key in edges if crossing[key] <= CROSSING_SHARE * starts[key]}
    return [piece for line in lines for piece in _cut(line, edges)]


def _cut(line: Line, edges: set[tuple[int, float]]) -> list[Line]:
    """A line cut before each glyph set at a column's left edge (an em or more into the line)."""
    pieces: list[list[Glyph]] = [[]]
    for glyph in line.glyphs:
        if pieces[-1] and (round(glyph.x0), line.size) in edges and glyph.x0 - pieces[-1][0].x0 >= line.size:
            pieces.append([])
        pieces[-1].append(glyph)
    if len(pieces) == 1:
        return [line]
    return [_line(piece) for piece in pieces if any(not g.text.isspace() for g in piece)]


def _split_row(row: Sequence[Glyph]) -> list[Line]:
    runs: list[list[Glyph]] = [[row[0]]]
    for glyph in row[1:]:
        last = runs[-1][-1]
        if glyph.x0 - last.x1 > LINE_GAP * max(glyph.size, last.size) or not _same_size(glyph.size, last.size):
            runs.append([glyph])
        else:
            runs[-1].append(glyph)
    return [_line(run) for run in runs if any(not g.text.isspace() for g in run)]


def _line(run: Sequence[Glyph]) -> Line:
    text = run[0].text
    for before, glyph in zip(run, run[1:]):
        gap = glyph.x0 - before.x1
        if gap > SPACE_GAP * glyph.size and not (before.text.isspace() or glyph.text.isspace()):
            text += " "
        text += glyph.text
    inked = [g for g in run if not g.text.isspace()]
    size = Counter(round(g.size, 1) for g in inked).most_common(1)[0][0]
    return Line(min(g.x0 for g in inked), min(g.top for g in inked), max(g.x1 for g in inked),
                max(g.bottom for g in inked), re.sub(r"\s+", " ", text).strip(), size, tuple(run))


def body_size(lines: Iterable[Line]) -> float:
    """The size most characters are set in (rule 2)."""
    counts: Counter[float] = Counter()
    for line in lines:
        counts[round(line.size * 2) / 2] += line.chars
    return counts.most_common(1)[0][0] if counts else 0.0


# ---------------------------------------------------------------------------------------------
# 3. The masthead


def masthead_lines(lines: Sequence[Line], height: float) -> list[Line]:
    """Every line above the lowest masthead mark in the top MASTHEAD_SHARE of the page (rule 3)."""
    marks = [line for line in lines
             if line.bottom <= height * MASTHEAD_SHARE and MASTHEAD_MARKS.search(line.text) and _plain(line.text)]
    if not marks:
        return []
    bottom = max(line.bottom for line in marks)
    return [line for line in lines if line.bottom <= bottom + 1]


def _plain(text: str) -> bool:
    return not any(mark in text for mark in "，。；,;")


# ---------------------------------------------------------------------------------------------
# 4. Boxes and pictures


@dataclass
class Shapes:
    boxes: list[Area]
    pictures: list[Area]
    rules: list[Area]


def sort_rects(rects: Iterable[Rect], lines: Sequence[Line], sheet: Sheet) -> Shapes:
    """Frames holding lines are boxes, pictures are pictures, thin wide shapes are rules (rule 4)."""
    shapes = Shapes([], [], [])
    page_area = sheet.width * sheet.height
    for rect in rects:
        area = Area(rect.x0, rect.top, rect.x1, rect.bottom)
        if area.width < MIN_RECT or area.bottom - area.top < MIN_RECT:
            if area.width >= RULE_SHARE * sheet.width:
                shapes.rules.append(area)
            continue
        if area.width * (area.bottom - area.top) >= PAGE_COVER * page_area:
            continue
        inside = sum(1 for line in lines if area.contains_centre(line))
        if inside >= MIN_BOX_LINES:
            shapes.boxes.append(area)
        elif rect.picture and inside == 0:
            shapes.pictures.append(area)
    shapes.boxes = [box for box in shapes.boxes if not any(o is not box and _inside(box, o) for o in shapes.boxes)]
    return shapes


def _inside(inner: Area, outer: Area) -> bool:
    return outer.x0 <= inner.x0 and inner.x1 <= outer.x1 and outer.top <= inner.top and inner.bottom <= outer.bottom


def caption_lines(picture: Area, lines: Sequence[Line]) -> list[Line]:
    """The lines under a picture, within its width, set alike and close together (rule 4)."""
    below = sorted((line for line in lines
                    if line.top >= picture.bottom - 2 and line.x0 >= picture.x0 - line.size
                    and line.x1 <= picture.x1 + line.size), key=lambda line: line.top)
    if not below or below[0].top - picture.bottom > CAPTION_GAP * below[0].size:
        return []
    caption = [below[0]]
    for line in below[1:]:
        last = caption[-1]
        if CAPTION_END.search(last.text) or not _same_size(line.size, last.size):
            break
        if line.top - last.bottom > CAPTION_LINE_GAP * line.size:
            break
        caption.append(line)
    return caption


# ---------------------------------------------------------------------------------------------
# 5. Headers


def find_headers(lines: Sequence[Line], body: float, gazetteer: Gazetteer) -> list[Header]:
    """Headline lines close together, with their kicker and subtitle lines (rule 5)."""
    heads = sorted((line for line in lines if line.size >= DECK_RATIO * body), key=lambda line: (line.top, line.x0))
    groups: list[list[Line]] = []
    for line in heads:
        group = next((g for g in groups if _joins(g, line)), None)
        if group is None:
            groups.append([line])
        else:
            group.append(line)
    headers = [_header(group, body, gazetteer) for group in _merge_decks(groups)]
    taken = {id(line) for header in headers for line in header.lines}
    for header in headers:
        _add_body_size_kicker(header, [line for line in lines if id(line) not in taken], gazetteer)
    return headers


def _merge_decks(groups: list[list[Line]]) -> list[list[Line]]:
    """A group of smaller lines right above or below a headline joins it, even when the headline
    is centred away from it (a kicker over a module's left edge, rule 5): the decks that overlap a
    headline first, then each other one to the nearest headline with no deck on that side yet. A
    deck is set DECK_STEP times smaller than its headline at least."""
    decks = [group for group in groups if any(_may_head(head, group, groups) for head in groups)]
    deck_ids = {id(deck) for deck in decks}
    heads = [group for group in groups if id(group) not in deck_ids]
    sides: set[tuple[int, bool]] = set()  # (head, deck above it) already joined
    alone = []
    for deck in sorted(decks, key=lambda group: -max(_bounds(group).overlap(_bounds(h)) for h in groups
                                                      if _may_head(h, group, groups))):
        area = _bounds(deck)
        free = [head for head in heads if _may_head(head, deck, groups)
                and not _decked(head, area.top < _bounds(head).top, sides)]
        near = max(free, key=lambda head: _closeness(area, _bounds(head)), default=None)
        if near is None:
            alone.append(deck)
            continue
        above = area.top < _bounds(near).top
        sides.add((id(near), above))
        if above:
            near[:0] = deck
        else:
            near.extend(deck)
    return sorted([*heads, *alone], key=lambda group: (group[0].top, group[0].x0))


def _closeness(deck: Area, head: Area) -> tuple[bool, bool, float]:
    """How well a deck line sits with a headline: over or under it; else left of it (a kicker
    starts at its module's left edge, never right of its headline); then by horizontal overlap."""
    overlap = deck.overlap(head)
    return overlap > 0, head.x0 >= deck.x0 - 1, overlap


def _biggest(group: Sequence[Line]) -> float:
    return max(line.size for line in group)


def _may_head(head: list[Line], deck: list[Line], groups: Sequence[list[Line]]) -> bool:
    """Whether `deck` may be the kicker or subtitle of `head`: smaller, right above or below it,
    however far to the side (a kicker at a wide module's left edge, its headline centred), with
    no other header between them."""
    if head is deck or _biggest(head) < DECK_STEP * _biggest(deck):
        return False
    area, other = _bounds(deck), _bounds(head)
    gap = other.top - area.bottom if area.top < other.top else area.top - other.bottom
    if not -0.5 * head[0].size <= gap <= HEADER_GAP * head[0].size:
        return False
    left, right = (area, other) if area.x0 < other.x0 else (other, area)
    return not any(_between(_bounds(group), left, right) for group in groups if group is not head and group is not deck)


def _between(middle: Area, left: Area, right: Area) -> bool:
    """Whether `middle` stands between two areas side by side, at their height."""
    top, bottom = min(left.top, right.top), max(left.bottom, right.bottom)
    return middle.x0 >= left.x1 - 1 and middle.x1 <= right.x0 + 1 and middle.top < bottom and middle.bottom > top


def _decked(head: list[Line], above: bool, sides: set[tuple[int, bool]]) -> bool:
    """Whether a headline already has a deck line on that side (joined with it, or merged)."""
    edge = head[0] if above else head[-1]
    return (id(head), above) in sides or _biggest(head) >= DECK_STEP * edge.size


def _joins(group: Sequence[Line], line: Line) -> bool:
    last = group[-1]
    gap = line.top - last.bottom
    return -0.5 * last.size <= gap <= HEADER_GAP * max(line.size, last.size) and _bounds(group).overlap(line) > 0


def _header(group: list[Line], body: float, gazetteer: Gazetteer) -> Header:
    biggest = max(line.size for line in group)
    titled = [index for index, line in enumerate(group) if _same_size(line.size, biggest)]
    if biggest < HEAD_RATIO * body:  # deck-size lines alone: a kicker over a small title, or a title
        titled = _deck_title(group, gazetteer)
    first, last = titled[0], titled[-1]
    kicker = " ".join(line.text for line in group[:first]) or None
    subtitle = join_title(group[last + 1:]) or None
    return Header(group, join_title(group[first:last + 1]), kicker, subtitle)


def _deck_title(group: Sequence[Line], gazetteer: Gazetteer) -> list[int]:
    """Which lines of a header without headline-size lines are its title: all but a leading place
    line and a trailing dashed subtitle."""
    start = 1 if len(group) > 1 and _names_place(group[0].text, gazetteer) else 0
    end = len(group) - 1 if len(group) - start > 1 and group[-1].text.startswith(("——", "—")) else len(group)
    return list(range(start, end))


def _names_place(text: str, gazetteer: Gazetteer) -> bool:
    return bool(gazetteer.mentions(text) or gazetteer.city_in(text))


def _add_body_size_kicker(header: Header, lines: Sequence[Line], gazetteer: Gazetteer) -> None:
    """A short line naming a place right above a header, set in body size, is its kicker."""
    if header.kicker:
        return
    area = header.area
    for line in lines:
        gap = area.top - line.bottom
        if (0 <= gap <= HEADER_GAP * header.lines[0].size and area.overlap(line) > 0
                and line.chars <= KICKER_CHARS and _plain(line.text) and line.text[-1] not in SENTENCE_END
                and _names_place(line.text, gazetteer)):
            header.lines.insert(0, line)
            header.kicker = line.text
            return


def join_title(lines: Sequence[Line]) -> str:
    """A headline's lines joined as printed: with a space where a line ends or starts with one."""
    joined = ""
    for line in lines:
        spaced = line.glyphs and (line.glyphs[0].text.isspace() or joined.endswith(" "))
        joined += (" " if spaced and joined else "") + line.text
        joined += " " if line.glyphs and line.glyphs[-1].text.isspace() else ""
    return re.sub(r" +", " ", joined).strip()


# ---------------------------------------------------------------------------------------------
# 6. Blocks


def make_blocks(lines: Iterable[Line]) -> list[Block]:
    """Lines stacked in one column at line spacing (rule 6)."""
    blocks: list[Block] = []
    for line in sorted(lines, key=lambda line: (line.top, line.x0)):
        best = None
        for block in blocks:
            last = block.lines[-1]
            gap = line.top - last.bottom
            overlap = last.overlap(line)
            if (0 <= gap <= BLOCK_GAP * line.size + 0.5 * last.size and _same_size(line.size, last.size)
                    and overlap > 0.5 * min(last.width, line.width)):
                best = block if best is None or gap < line.top - best.lines[-1].bottom else best
        if best is None:
            blocks.append(Block([line]))
        else:
            best.lines.append(line)
    return blocks


# ---------------------------------------------------------------------------------------------
# 7. Blocks -> stories


@dataclass
class Layout:
    headers: list[Header]
    blocks: list[Block]
    rules: list[Area]
    body: float
    owners: dict[int, Story | None] = field(default_factory=dict)  # id(block) -> story
    stories: dict[int, Story] = field(default_factory=dict)  # id(header) -> story

    def story_of(self, header: Header) -> Story:
        return self.stories.setdefault(id(header), Story(header))


def assign_blocks(layout: Layout) -> list[Block]:
    """Give every block its story (rule 7); returns the blocks nobody heads."""
    orphans = []
    for block in layout.blocks:
        story = _owner(layout, block.area, block)
        if story is None:
            orphans.append(block)
        elif block.lines:
            story.blocks.append(block)
    return [block for block in orphans if block.lines]


def _owner(layout: Layout, area: Area, block: Block | None = None) -> Story | None:
    """The story a block (or a box or picture) at `area` is printed in (rule 7)."""
    if block is not None:
        if id(block) in layout.owners:  # known, or being found: overlapping blocks may lead in a circle
            return layout.owners[id(block)]
        layout.owners[id(block)] = None
    above = _nearest_above(layout, area)
    centred = _centred_over(layout, area)
    story: Story | None
    if centred is not None and (above is None or centred.area.top >= above.area.bottom - 1):
        story = layout.story_of(centred)
    elif isinstance(above, Header):
        story = layout.story_of(above)
    elif isinstance(above, Block) and not _separated(layout, above.area, area):
        story = _owner(layout, above.area, above)
    else:
        left = _left_neighbour(layout, area)
        story = _owner(layout, left.area, left) if left else _nearest_header(layout, area)
    if block is not None:
        layout.owners[id(block)] = story
    return story


def _centred_over(layout: Layout, area: Area) -> Header | None:
    """A headline above and to the right of a block, centred over the columns from the block's
    left edge to the right edge of a block or picture under it: a centred headline heads them all."""
    for header in layout.headers:
        head = header.area
        if head.bottom > area.top + 1 or head.x0 < area.x1 or head.bottom < area.top - CENTRED_REACH * head.height:
            continue
        mirror = head.x0 + head.x1 - area.x0  # the block's left edge reflected about the headline's centre
        if any(abs(block.area.x1 - mirror) <= layout.body and block.area.top >= head.bottom - 1
               for block in layout.blocks):
            return header
    return None


def _nearest_header(layout: Layout, area: Area) -> Story | None:
    """For a block with nothing above it in its column and nothing to its left: the story of the
    header nearest above it, counting horizontal and vertical distance alike (a headline centred
    over a module's middle columns heads its first column too)."""
    above = [header for header in layout.headers if header.area.bottom <= area.top + 1]
    if not above:
        return None
    nearest = min(above, key=lambda header: max(0.0, -header.area.overlap(area)) + area.top - header.area.bottom)
    return layout.story_of(nearest)


def _nearest_above(layout: Layout, area: Area) -> Header | Block | None:
    """The nearest header or block above `area` in its columns: a block must share half the
    narrower width with it, a header an em (a headline may stop short of the last column)."""
    best: Header | Block | None = None
    best_bottom = float("-inf")
    items: list[Header | Block] = [*layout.headers, *layout.blocks]
    for item in items:
        other = item.area
        needed = item.lines[-1].size if isinstance(item, Header) else 0.5 * min(other.width, area.width)
        if other.bottom <= area.top + 1 and other.overlap(area) > needed and other.bottom > best_bottom:
            best, best_bottom = item, other.bottom
    return best


def _separated(layout: Layout, upper: Area, lower: Area) -> bool:
    """Whether a header or a rule lies between two blocks of one column, left of the lower one
    or across it: then the lower block starts a new module."""
    for header in layout.headers:
        area = header.area
        if area.top >= upper.bottom - 1 and area.bottom <= lower.top + 1 and area.x0 < lower.x1:
            return True
    return any(rule.top >= upper.bottom - 1 and rule.bottom <= lower.top + 1 and rule.overlap(lower) > 0
               for rule in layout.rules)


def _left_neighbour(layout: Layout, area: Area) -> Block | None:
    """The block (or picture) an article flows from into a column it has no header over: the one
    beside this block in the nearest column to the left that has one; else, in the nearest column
    to the left (right edges within COLUMN_SLACK ems), the one whose top is nearest its top."""
    left = [block for block in layout.blocks if block.area.x1 <= area.x0 + 1 and block.area.bottom > area.top]
    beside = [block for block in left if block.area.top < area.bottom]
    if beside:
        return max(beside, key=lambda block: (block.area.x1, -block.area.top))
    if not left:
        return None
    edge = max(block.area.x1 for block in left)
    column = [block for block in left if block.area.x1 >= edge - COLUMN_SLACK * layout.body]
    return min(column, key=lambda block: abs(block.area.top - area.top))


# ---------------------------------------------------------------------------------------------
# 8. Stories -> paragraphs -> articles


def paragraphs(blocks: Sequence[Block]) -> list[str]:
    """The paragraphs of an article's blocks, read column by column (rule 8): an indented line,
    the line after a short one (one that left room for the next line's first character), and a
    lone line after a finished sentence start a paragraph."""
    paras: list[list[str]] = []
    room = 0.0  # what the line before left free before its column's right edge
    for column in _columns(blocks):
        left, right = min(line.x0 for line in column), max(line.x1 for line in column)
        lone = len(column) == 1
        for line in column:
            indented = not lone and line.x0 - left >= INDENT * line.size
            finished = bool(paras) and paras[-1][-1][-1] in SENTENCE_END
            if not paras or indented or room > _first_advance(line) + SHORT_LINE * line.size or (lone and finished):
                paras.append([])
            paras[-1].append(line.text)
            room = 0.0 if lone else right - line.x1
    return [join_body_lines(para) for para in paras]


def _first_advance(line: Line) -> float:
    """The room a line's first character needs at the end of the line before: with the mark after
    it, when that mark may not start a line (typesetters carry the character down with it)."""
    inked = [glyph for glyph in line.glyphs if not glyph.text.isspace()]
    if not inked:
        return line.size
    carried = inked[:2] if len(inked) > 1 and inked[1].text in NO_LINE_START else inked[:1]
    return carried[-1].x1 - carried[0].x0


def join_body_lines(texts: Sequence[str]) -> str:
    """A paragraph's lines joined as one: a space after a finished sentence (so that split_page
    sees names on the next line as a byline), none inside a sentence (a dateline or a word may be
    broken over two lines)."""
    joined = ""
    for text in texts:
        glue = " " if joined and joined[-1] in SENTENCE_END else ""
        joined += glue + text
    return joined


def _columns(blocks: Sequence[Block]) -> list[list[Line]]:
    """Blocks grouped into columns (overlapping horizontally), left to right; lines top down."""
    groups: list[tuple[Area, list[Block]]] = []
    for block in sorted(blocks, key=lambda b: b.area.x0):
        area = block.area
        for index, (span, members) in enumerate(groups):
            if span.overlap(area) > 0:
                groups[index] = (_bounds([span, area]), [*members, block])
                break
        else:
            groups.append((area, [block]))
    return [sorted((line for block in members for line in block.lines), key=lambda line: line.top)
            for _, members in groups]


def _read_body(paras: Sequence[str], gazetteer: Gazetteer) -> tuple[list[str], Article | None]:
    """The body's paragraphs as split_page mends them, and its lead record (dateline, author).

    split_page keeps a body without a header or a dateline as fragments, so a body that does not
    open with a dateline gets SYNTHETIC_DATELINE for the reading, dropped from the result."""
    if not paras:
        return [], None
    synthetic = not DATELINE_OPENING.match(paras[0])
    text = "\n".join([SYNTHETIC_DATELINE + paras[0] if synthetic else paras[0], *paras[1:]])
    found = split_page(text, gazetteer, min_body_chars=0)  # one article's body: its length is no signal here
    body = [para for article in found.articles for para in article.body] + list(found.fragments)
    lead = next((a for a in found.articles if a.kind == ARTICLE), None)
    if lead is None:
        return body, None
    author = lead.author or next((a.author for a in found.articles if a.author), None)
    return body, replace(lead, author=author, dateline=None if synthetic else lead.dateline)


def to_article(title: str | None, kicker: str | None, subtitle: str | None, paras: Sequence[str],
               gazetteer: Gazetteer, host_zone: str | None = None) -> Article | None:
    """An Article from a header read off the layout and the paragraphs under it."""
    body, lead = _read_body(paras, gazetteer)
    if not body:
        return None
    named = [mention.zone for text in (kicker, subtitle, title) if text for mention in gazetteer.mentions(text)]
    named += list(lead.zones if lead else ())
    zone = named[0] if named else host_zone
    found = gazetteer.get(zone) if zone else None
    city = found.city if found else gazetteer.city_in(" ".join(t for t in (kicker, title) if t))
    return Article(
        kind=ARTICLE, title=title, body=tuple(body), zone=zone,
        zones=tuple(dict.fromkeys(([zone] if zone else []) + named)), city=city, subtitle=subtitle,
        kicker=kicker, author=lead.author if lead else None, dateline=lead.dateline if lead else None,
        published=lead.published if lead else None,
        published_month_day=lead.published_month_day if lead else None,
    )


def photo_article(caption: Sequence[Line], gazetteer: Gazetteer, host_zone: str | None) -> Article | None:
    """The PHOTO record of a caption (read as a marked caption by split_page)."""
    text = join_body_lines([line.text for line in caption]).removeprefix(PHOTO_MARK).strip()
    found = split_page(f"{PHOTO_MARK} {text}", gazetteer).articles
    photo = next((a for a in found if a.kind == PHOTO), None)
    if photo is None:
        return None
    if photo.zone is None and host_zone:
        found_zone = gazetteer.get(host_zone)
        photo = Article(**{**photo.__dict__, "zone": host_zone, "zones": (host_zone,),
                           "city": found_zone.city if found_zone else None})
    return photo


def box_article(lines: Sequence[Line], gazetteer: Gazetteer, host_zone: str | None) -> Article | None:
    """A sidebar box: its title (larger lines on top, or a short leading line), then its text."""
    ordered = sorted(lines, key=lambda line: (line.top, line.x0))
    size = body_size(ordered)
    count = 0
    while count < len(ordered) and ordered[count].size >= DECK_RATIO * size:
        count += 1
    if count == 0 and len(ordered) > 1 and ordered[0].chars <= TITLE_CHARS and ordered[0].text[-1] not in SENTENCE_END \
            and _plain(ordered[0].text):
        count = 1
    title = join_title(ordered[:count]) or None
    paras = paragraphs(make_blocks(ordered[count:]))
    return to_article(title, None, None, paras, gazetteer, host_zone)


# ---------------------------------------------------------------------------------------------
# A sheet, and a document of sheets


@dataclass
class Regions:
    """A sheet's lines sorted by where they stand (rules 3 and 4)."""

    masthead: list[Line]
    boxes: list[tuple[Area, list[Line]]]  # each box and the lines inside it
    captions: list[tuple[Area, list[Line]]]  # each picture and its caption lines
    flow: list[Line]  # everything else: headers and the articles' text
    rules: list[Area]


def find_regions(lines: list[Line], sheet: Sheet) -> Regions:
    top = masthead_lines(lines, sheet.height)
    rest = _without(lines, top)
    shapes = sort_rects(sheet.rects, rest, sheet)
    boxes = [(box, [line for line in rest if box.contains_centre(line)]) for box in shapes.boxes]
    rest = _without(rest, [line for _, inside in boxes for line in inside])
    captions = [(picture, caption_lines(picture, rest)) for picture in shapes.pictures]
    rest = _without(rest, [line for _, caption in captions for line in caption])
    return Regions(top, boxes, captions, rest, shapes.rules)


def _without(lines: Sequence[Line], taken: Iterable[Line]) -> list[Line]:
    gone = {id(line) for line in taken}
    return [line for line in lines if id(line) not in gone]


def read_sheet(sheet: Sheet, gazetteer: Gazetteer) -> Page:
    """One printed page's records, in print order (headers row by row, left to right; each
    article followed by the boxes and photos printed inside it)."""
    lines = group_lines(sheet.glyphs)
    if not lines:
        return Page(articles=())
    body = body_size(lines)
    regions = find_regions(lines, sheet)
    headers = find_headers(regions.flow, body, gazetteer)
    figures = {id(area): Block([], area) for area, _ in [*regions.boxes, *regions.captions]}
    blocks = make_blocks(_without(regions.flow, [line for header in headers for line in header.lines]))
    layout = Layout(headers, [*blocks, *figures.values()], regions.rules, body)
    orphans = assign_blocks(layout)
    hosts = {key: layout.owners.get(id(block)) for key, block in figures.items()}
    records = _records(layout, regions, hosts, gazetteer)
    issue_label, masthead_date = read_masthead(regions.masthead, gazetteer)
    return Page(articles=tuple(records), fragments=tuple(para for block in orphans for para in paragraphs([block])),
                issue_label=issue_label, masthead_date=masthead_date,
                notes=tuple(f"masthead: {line.text}" for line in regions.masthead))


def read_masthead(lines: Sequence[Line], gazetteer: Gazetteer) -> tuple[str | None, str | None]:
    """(issue label, date) the masthead prints: as split_page reads its text, else its first
    issue number with a year and its first full date."""
    if not lines:
        return None, None
    texts = [line.text for line in lines]
    page = split_page("\n".join(texts), gazetteer)
    return page.issue_label or _issue_label(texts), page.masthead_date or _first_full_date(texts)


def _records(layout: Layout, regions: Regions, hosts: dict[int, Story | None], gazetteer: Gazetteer) -> list[Article]:
    """The page's records: each story's article, then the boxes and photos printed in it."""
    ordered = _print_order(layout)
    articles = {id(story): to_article(header.title, header.kicker, header.subtitle, paragraphs(story.blocks), gazetteer)
                for header, story in ordered}
    extras: dict[int, list[Article | None]] = {id(story): [] for _, story in ordered}
    for box, inside in regions.boxes:
        host = hosts[id(box)]
        if host is not None:
            extras[id(host)].append(box_article(inside, gazetteer, _zone_of(articles, host)))
    for picture, caption in regions.captions:
        host = hosts[id(picture)]
        if host is not None and caption:
            extras[id(host)].append(photo_article(caption, gazetteer, _zone_of(articles, host)))
    return [record for _, story in ordered for record in [articles[id(story)], *extras[id(story)]] if record]


def _zone_of(articles: dict[int, Article | None], story: Story | None) -> str | None:
    article = articles.get(id(story)) if story is not None else None
    return article.zone if article else None


def _print_order(layout: Layout) -> list[tuple[Header, Story]]:
    """Stories with a header, with it, row by row (headers whose heights overlap share a row), left to right."""
    stories = [(header, layout.story_of(header)) for header in layout.headers]
    stories.sort(key=lambda headed: headed[0].area.top)
    rows: list[list[tuple[Header, Story]]] = []
    row_bottom = float("-inf")
    for header, story in stories:
        area = header.area
        if rows and area.top < row_bottom:
            rows[-1].append((header, story))
            row_bottom = max(row_bottom, area.bottom)
        else:
            rows.append([(header, story)])
            row_bottom = area.bottom
    return [headed for row in rows for headed in sorted(row, key=lambda headed: headed[0].area.x0)]


def _first_full_date(texts: Iterable[str]) -> str | None:
    for text in texts:
        for match in FULL_DATE.finditer(text):
            try:
                return date(*(int(part) for part in match.groups())).isoformat()
            except ValueError:
                continue
    return None


def _issue_label(texts: Iterable[str]) -> str | None:
    match = next((found for found in map(ISSUE.search, texts) if found), None)
    return f"{match.group(1)}年第{int(match.group(2))}期" if match else None


def read_sheets(sheets: Sequence[Sheet], gazetteer: Gazetteer) -> Page:
    """The records of a document's pages, page after page, as one Page (as split_page reads the
    pages of a text separated by form feeds).

    Example usage::

        page = read_sheets([Sheet(842, 1191, glyphs, rects)], gazetteer)
        page.articles[0].title
    """
    pages = [read_sheet(sheet, gazetteer) for sheet in sheets]
    masthead_date = next((page.masthead_date for page in pages if page.masthead_date), None)
    articles = tuple(article for page in pages for article in page.articles)
    return Page(
        articles=articles,
        fragments=tuple(fragment for page in pages for fragment in page.fragments),
        issue_label=next((page.issue_label for page in pages if page.issue_label), None),
        masthead_date=masthead_date,
        latest_date=masthead_date or _latest_date(articles, gazetteer),
        notes=tuple(note for page in pages for note in page.notes),
    )


def _latest_date(articles: Sequence[Article], gazetteer: Gazetteer) -> str | None:
    """The latest date the articles report, as split_page finds it in their text."""
    text = "\n\n".join(para for article in articles for para in article.body)
    return split_page(text, gazetteer).latest_date if text else None
