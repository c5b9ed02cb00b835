"""Build realistic newspaper pages as PDF with reportlab, and the records a reader finds on them.

`python tests/pdfpages.py OUT_DIR` writes the pages bench.pdf reads (the fixed pages and 30 random
layouts of each set); the tests call `build_page` themselves. A page is a masthead (page name, paper, date, issue, editors) over rows
of modules; a module is one story set over one or more columns: zone label, a headline that may
wrap, a subtitle, then the body flowing from column to column, around a framed sidebar box
printed in its middle and a photo (a grey box or a picture) with its caption. Everything the
reader sees varies with the page's seed: page size, margins, gutters, column count, fonts and
font sizes, leading, alignment, rules between rows, where boxes and photos sit. The text is set in
WenQuanYi Micro Hei (the TrueType collection of the pinned PyPI package paperang-p2-fonts-cjk),
embedded as a subset with its ToUnicode map, as a newspaper's PDF embeds its fonts.
"""

from __future__ import annotations

import io
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import paperang_p2_fonts_cjk
from pdf_stories import HELD_OUT, HELD_OUT_BOXES, HELD_OUT_PHOTOS, TUNING, TUNING_BOXES, TUNING_PHOTOS, Box, Photo, Story
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_FILE = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
FONTS = ("ZBHei", "ZBHeiMono")
WEEKDAYS = "一二三四五六日"
INDENT_CHARS = 2
CLOSING = "，。、；：！？”’）》"


def register_fonts() -> None:
    for index, name in enumerate(FONTS):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_FILE), subfontIndex=index))


@dataclass(frozen=True)
class Module:
    story: Story
    span: int  # columns
    box: Box | None = None  # a sidebar printed inside the story
    photo: Photo | None = None


@dataclass(frozen=True)
class PageSpec:
    name: str
    day: date
    issue: int
    columns: int
    rows: tuple[tuple[Module, ...], ...]
    seed: int


@dataclass(frozen=True)
class Expected:
    """A record as a reader finds it: kind, zone, title, author, start and end of the body."""

    kind: str
    zone: str | None
    title: str | None
    author: str | None
    start: str
    end: str


@dataclass
class Style:
    """The page's typography and geometry, drawn from its seed."""

    width: float
    height: float
    margin: float
    gutter: float
    body: float
    leading: float
    head: float
    kicker: float
    subtitle: float
    caption: float
    body_font: str
    head_font: str
    centred_heads: bool
    rules: bool
    byline_right: bool
    justified: bool = False  # full body lines spread to the column's width
    shaded_boxes: bool = False  # sidebars on a grey ground instead of in a frame
    kicker_tags: bool = False  # zone labels on a coloured tag

    @classmethod
    def draw(cls, rng: random.Random) -> Style:
        body = rng.choice((8.5, 9.0, 9.5, 10.0, 10.5))
        width = rng.choice((842.0, 900.0, 960.0, 1000.0))
        return cls(
            width=width, height=round(width * rng.uniform(1.414, 1.7)), margin=rng.uniform(28, 60), gutter=rng.uniform(9, 18),
            body=body, leading=body * rng.uniform(1.35, 1.65), head=body * rng.uniform(1.7, 2.6),
            kicker=body * rng.uniform(1.1, 1.3), subtitle=body * rng.uniform(1.1, 1.3),
            caption=body * rng.uniform(0.78, 0.9), body_font=rng.choice(FONTS), head_font=rng.choice(FONTS),
            centred_heads=rng.random() < 0.4, rules=rng.random() < 0.6, byline_right=rng.random() < 0.5,
        )

    def vary(self, rng: random.Random) -> Style:
        """More of what differs between papers (drawn after the rest, so that pages drawn before
        these existed keep their geometry): captions in body size, justified text, shaded boxes,
        zone labels on tags."""
        if rng.random() < 0.3:
            self.caption = self.body
        self.justified = rng.random() < 0.5
        self.shaded_boxes = rng.random() < 0.5
        self.kicker_tags = rng.random() < 0.3
        return self


def wrap(text: str, font: str, size: float, width: float, indent: float = 0.0) -> list[str]:
    """Greedy line breaking, one character at a time, within the width; a closing mark never
    starts a line (the character before it goes down with it), as typesetters do."""
    lines: list[str] = []
    current, room = "", width - indent
    for char in text:
        if current and pdfmetrics.stringWidth(current + char, font, size) > room:
            carried = ""
            if char in CLOSING and len(current) > 1:
                current, carried = current[:-1], current[-1]
            lines.append(current)
            current, room = carried, width
        current += char
    if current:
        lines.append(current)
    return lines


@dataclass
class Writer:
    """Draws on one reportlab page, with y measured from the top as pdfplumber does."""

    pdf: canvas.Canvas
    style: Style
    placed: list[str] = field(default_factory=list)

    def text(self, x: float, top: float, text: str, font: str, size: float, width: float = 0.0) -> None:
        """Draw a line; with `width`, spread its characters to fill it."""
        self.pdf.setFont(font, size)
        self.pdf.setFillGray(0)
        spare = width - pdfmetrics.stringWidth(text, font, size) if width else 0.0
        space = spare / (len(text) - 1) if spare > 0 and len(text) > 1 else 0.0
        self.pdf.drawString(x, self.style.height - top - size * 0.88, text, charSpace=space)

    def tag(self, x0: float, top: float, text: str, font: str, size: float) -> None:
        """A zone label on a light tag."""
        self.pdf.setFillColorRGB(0.85, 0.9, 1.0)
        width = pdfmetrics.stringWidth(text, font, size)
        self.pdf.rect(x0 - 2, self.style.height - top - size * 1.15, width + 4, size * 1.3, stroke=0, fill=1)
        self.text(x0, top, text, font, size)

    def centred(self, x0: float, x1: float, top: float, text: str, font: str, size: float) -> None:
        self.text((x0 + x1 - pdfmetrics.stringWidth(text, font, size)) / 2, top, text, font, size)

    def lines(self, lines: list[str], x0: float, x1: float, top: float, size: float, leading: float) -> float:
        """Heading lines, centred or flush left as the style says; returns the top after them."""
        style = self.style
        for line in lines:
            if style.centred_heads:
                self.centred(x0, x1, top, line, style.head_font, size)
            else:
                self.text(x0, top, line, style.head_font, size)
            top += size * leading
        return top

    def rule(self, x0: float, x1: float, top: float, width: float = 0.8) -> None:
        self.pdf.setLineWidth(width)
        self.pdf.line(x0, self.style.height - top, x1, self.style.height - top)

    def frame(self, x0: float, top: float, x1: float, bottom: float) -> None:
        """A sidebar's frame, or its grey ground."""
        self.pdf.setLineWidth(0.8)
        if self.style.shaded_boxes:
            self.pdf.setFillGray(0.9)
        self.pdf.rect(x0, self.style.height - bottom, x1 - x0, bottom - top,
                      stroke=int(not self.style.shaded_boxes), fill=int(self.style.shaded_boxes))

    def picture(self, x0: float, top: float, x1: float, bottom: float, rng: random.Random) -> None:
        if rng.random() < 0.5:
            self.pdf.setFillGray(rng.uniform(0.55, 0.85))
            self.pdf.rect(x0, self.style.height - bottom, x1 - x0, bottom - top, stroke=0, fill=1)
            return
        image = Image.new("RGB", (32, 20), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        for x in range(0, 32, 4):
            for y in range(20):
                image.putpixel((x, y), (40, 90, 160))
        self.pdf.drawImage(ImageReader(image), x0, self.style.height - bottom, x1 - x0, bottom - top)


@dataclass
class Flow:
    """Body lines to set in a module's columns: (text, indented, right-aligned)."""

    lines: list[tuple[str, bool, bool]]


def body_lines(story: Story, style: Style, width: float) -> Flow:
    lines: list[tuple[str, bool, bool]] = []
    indent = style.body * INDENT_CHARS
    for number, para in enumerate(story.paras):
        text = (story.dateline or "") + para if number == 0 else para
        for index, line in enumerate(wrap(text, style.body_font, style.body, width, indent)):
            lines.append((line, index == 0, False))
    if story.byline:
        lines.append((story.byline, False, style.byline_right))
    return Flow(lines)


def wrap_caption(caption: str, style: Style, width: float) -> list[str]:
    """A caption's lines; its credit ("王波 摄", "（王波 摄）") is never broken."""
    credited = re.search(r"(（[^（]*）|\S+ 摄)$", caption)
    assert credited is not None, f"a caption ends with its credit: {caption}"
    credit = credited.group(1)
    lines = wrap(caption[: -len(credit)].rstrip(), style.body_font, style.caption, width)
    if pdfmetrics.stringWidth(f"{lines[-1]} {credit}", style.body_font, style.caption) <= width:
        lines[-1] = f"{lines[-1]} {credit}"
    else:
        lines.append(credit)
    return lines


def _columns(x0: float, span: int, column: float, gutter: float) -> list[tuple[float, float]]:
    return [(x0 + index * (column + gutter), x0 + index * (column + gutter) + column) for index in range(span)]


@dataclass
class Obstacle:
    first: int  # first column it covers
    last: int
    top: float  # relative to the body's top
    bottom: float


def _free(column: int, height: float, obstacles: list[Obstacle], gap: float) -> list[tuple[float, float]]:
    """The vertical stretches of a column (relative to the body's top) free of obstacles."""
    stretches, start = [], 0.0
    for obstacle in sorted((o for o in obstacles if o.first <= column <= o.last), key=lambda o: o.top):
        if obstacle.top - gap > start:
            stretches.append((start, obstacle.top - gap))
        start = max(start, obstacle.bottom + gap)
    if start < height:
        stretches.append((start, height))
    return stretches


def _slots(columns: int, height: float, obstacles: list[Obstacle], leading: float, gap: float) -> list[tuple[int, float]]:
    slots: list[tuple[int, float]] = []
    for column in range(columns):
        for top, bottom in _free(column, height, obstacles, gap):
            count = int((bottom - top) // leading)
            slots.extend((column, top + index * leading) for index in range(count))
    return slots


def _box_lines(box: Box, style: Style, width: float) -> tuple[list[str], list[str]]:
    size = style.body * 0.95
    title = wrap(box.title, style.head_font, style.kicker, width)
    lines = [line for para in box.paras for line in wrap(para, style.body_font, size, width, size * INDENT_CHARS)]
    return title, lines


@dataclass
class Planned:
    """A photo or box planned in a module: where it goes, and what it holds."""

    first: int  # its first column in the module
    span: int
    x0: float
    x1: float
    height: float
    lines: list[str]
    title: list[str] = field(default_factory=list)
    top: float = 0.0  # relative to the body's top


def set_header(writer: Writer, story: Story, x0: float, x1: float, top: float, rng: random.Random) -> float:
    """Kicker, headline (wrapped), subtitle; returns where the body starts."""
    style, y = writer.style, top
    if story.kicker:
        (writer.tag if style.kicker_tags else writer.text)(x0, y, story.kicker, style.head_font, style.kicker)
        y += style.kicker * 1.45
    y = writer.lines(wrap(story.title, style.head_font, style.head, (x1 - x0) * rng.uniform(0.7, 1.0)),
                     x0, x1, y, style.head, 1.25)
    if story.subtitle:
        fits = pdfmetrics.stringWidth(story.subtitle, style.head_font, style.subtitle) + style.head <= x1 - x0
        indent = style.head if fits else 0.0
        y = writer.lines(wrap(story.subtitle, style.head_font, style.subtitle, x1 - x0 - indent),
                         x0 + indent, x1, y, style.subtitle, 1.5)
    return y + style.body * rng.uniform(0.6, 1.4)


def plan_photo(module: Module, style: Style, cols: list[tuple[float, float]], rng: random.Random) -> Planned:
    assert module.photo is not None, "plan_photo plans a module's photo"
    span = 1 if module.span < 3 else rng.choice((1, 2))
    first = rng.choice((0, module.span - span))
    x0, x1 = cols[first][0], cols[first + span - 1][1]
    picture = (x1 - x0) * rng.uniform(0.4, 0.6) / span
    caption = wrap_caption(module.photo.caption, style, x1 - x0)
    return Planned(first, span, x0, x1, picture, caption)


def plan_box(module: Module, style: Style, cols: list[tuple[float, float]], rng: random.Random) -> Planned:
    """A sidebar box, never in the last column: the story goes on beside and below it."""
    assert module.box is not None, "plan_box plans a module's box"
    span = 1 if module.span < 4 else rng.choice((1, 2))
    first = rng.randrange(0, max(1, module.span - span))
    x0, x1 = cols[first][0], cols[first + span - 1][1]
    pad = style.body * 0.7
    title, lines = _box_lines(module.box, style, x1 - x0 - 2 * pad)
    height = 2 * pad + len(title) * style.kicker * 1.4 + len(lines) * style.body * 1.45
    return Planned(first, span, x0, x1, height, lines, title)


def fit(module: Module, style: Style, flow: Flow, photo: Planned | None, box: Planned | None,
        rng: random.Random) -> tuple[float, list[tuple[int, float]]]:
    """The body's height and the slots (column, top) its lines go to, around the photo and box."""
    gap = style.leading * 0.8
    obstacles = []
    if photo:
        bottom = photo.height + style.caption * 0.6 + len(photo.lines) * style.caption * 1.4
        obstacles.append(Obstacle(photo.first, photo.first + photo.span - 1, 0.0, bottom))
    height = style.leading * max(3, len(flow.lines) // module.span)
    while True:
        trial = list(obstacles)
        if box:
            beside = photo and not (box.first > obstacles[0].last or box.first + box.span - 1 < obstacles[0].first)
            box.top = max(obstacles[0].bottom + gap if beside else 0.0, style.leading * rng.uniform(2.5, 5))
            trial.append(Obstacle(box.first, box.first + box.span - 1, box.top, box.top + box.height))
        slots = _slots(module.span, height, trial, style.leading, gap)
        if (len(slots) >= len(flow.lines) and (not box or box.top + box.height + 2 * style.leading <= height)
                and all(obstacle.bottom <= height for obstacle in obstacles)):
            return height, slots
        height += style.leading


def set_module(writer: Writer, module: Module, x0: float, top: float, column: float, rng: random.Random) -> float:
    """Set one module at (x0, top); returns its bottom."""
    style = writer.style
    cols = _columns(x0, module.span, column, style.gutter)
    y = set_header(writer, module.story, x0, cols[-1][1], top, rng)
    flow = body_lines(module.story, style, column)
    photo = plan_photo(module, style, cols, rng) if module.photo else None
    box = plan_box(module, style, cols, rng) if module.box else None
    height, slots = fit(module, style, flow, photo, box, rng)
    for (text, indented, right), (col, rel) in zip(flow.lines, slots):
        cx0, cx1 = cols[col]
        x = cx1 - pdfmetrics.stringWidth(text, style.body_font, style.body) if right else (
            cx0 + (style.body * INDENT_CHARS if indented else 0))
        full = style.justified and not right and pdfmetrics.stringWidth(text, style.body_font, style.body) > (
            cx1 - x - 2 * style.body)
        writer.text(x, y + rel, text, style.body_font, style.body, cx1 - x if full else 0.0)
    if photo:
        writer.picture(photo.x0, y, photo.x1, y + photo.height, rng)
        cy = y + photo.height + style.caption * 0.6
        for line in photo.lines:
            writer.text(photo.x0, cy, line, style.body_font, style.caption)
            cy += style.caption * 1.4
    if box:
        set_box(writer, box, y + box.top)
    return y + height


def set_box(writer: Writer, box: Planned, top: float) -> None:
    style = writer.style
    pad, size = style.body * 0.7, style.body * 0.95
    writer.frame(box.x0, top, box.x1, top + box.height)
    y = top + pad
    for line in box.title:
        writer.centred(box.x0, box.x1, y, line, style.head_font, style.kicker)
        y += style.kicker * 1.4
    for number, line in enumerate(box.lines):
        writer.text(box.x0 + pad + (size * INDENT_CHARS if number == 0 else 0), y, line, style.body_font, size)
        y += style.body * 1.45


def masthead(writer: Writer, spec: PageSpec, rng: random.Random) -> float:
    style = writer.style
    left, right = style.margin, style.width - style.margin
    name_size = rng.uniform(34, 50)
    top = style.margin
    weekday = f"星期{WEEKDAYS[spec.day.weekday()]}"
    dated = f"{spec.day.year}年{spec.day.month}月{spec.day.day}日"
    small = style.body * 1.05
    if rng.random() < 0.5:
        writer.centred(left, right, top, "开发区建设", style.head_font, name_size)
        writer.text(left, top + name_size * 0.2, "科学导报", style.head_font, small * 1.3)
        writer.text(right - 9 * small, top + name_size * 0.1, f"{dated} {weekday}", style.body_font, small)
        writer.text(right - 9 * small, top + name_size * 0.1 + small * 1.5, f"第{spec.issue}期", style.body_font, small)
        bottom = top + name_size * 1.2
    else:
        writer.text(left, top, "开发区建设", style.head_font, name_size)
        line = f"科学导报  {dated}  {weekday}  {spec.day.year}年第{spec.issue}期  责任编辑：李阳"
        writer.text(left, top + name_size * 1.25, line, style.body_font, small)
        bottom = top + name_size * 1.25 + small * 1.6
    writer.rule(left, right, bottom + 4, 1.6)
    return bottom + 4 + style.body * 1.6


def build_page(spec: PageSpec) -> tuple[bytes, list[Expected]]:
    """The PDF of one page, and what a reader finds on it in print order."""
    register_fonts()
    rng = random.Random(spec.seed)
    style = Style.draw(rng).vary(random.Random(spec.seed + 1))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(style.width, style.height))
    writer = Writer(pdf, style)
    y = masthead(writer, spec, rng)
    column = (style.width - 2 * style.margin - (spec.columns - 1) * style.gutter) / spec.columns
    expected: list[Expected] = []
    for row in spec.rows:
        x, bottom = style.margin, y
        for module in row:
            bottom = max(bottom, set_module(writer, module, x, y, column, rng))
            x += module.span * (column + style.gutter)
            expected.extend(_expected(module))
        y = bottom + style.leading
        if style.rules:
            writer.rule(style.margin, style.width - style.margin, y - style.leading * 0.5)
        y += style.body
    if y > style.height:
        raise ValueError(f"{spec.name}: the rows need {y:.0f} pt, the page has {style.height:.0f}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue(), expected


def _expected(module: Module) -> list[Expected]:
    story = module.story
    records = [Expected("article", story.zone, story.title, story.author, story.paras[0][:12], story.paras[-1][-12:])]
    if module.box:
        box = module.box
        records.append(Expected("article", box.zone, box.title, None, box.paras[0][:12], box.paras[-1][-12:]))
    if module.photo:
        photo = module.photo
        records.append(Expected("photo", photo.zone, None, photo.author, photo.body[:12], photo.body[-12:]))
    return records


T, B, P = TUNING, TUNING_BOXES, TUNING_PHOTOS
PAGES: tuple[PageSpec, ...] = (
    PageSpec("t1_four_columns", date(2025, 3, 14), 10, 4, (
        (Module(T[0], 3, box=B[0]), Module(T[2], 1)),
        (Module(T[4], 2, photo=P[0]), Module(T[6], 2)),
    ), seed=11),
    PageSpec("t2_three_columns", date(2025, 4, 18), 14, 3, (
        (Module(T[1], 3, box=B[2]),),
        (Module(T[3], 2), Module(T[7], 1)),
    ), seed=22),
    PageSpec("t3_photo_and_box", date(2025, 5, 9), 17, 4, (
        (Module(T[8], 3, photo=P[2], box=B[1]), Module(T[11], 1)),
        (Module(T[9], 2), Module(T[7], 2)),
    ), seed=33),
    PageSpec("t4_five_columns", date(2025, 6, 20), 22, 5, (
        (Module(T[5], 3), Module(T[10], 2)),
        (Module(T[0], 2, photo=P[1]), Module(T[3], 3, box=B[1])),
    ), seed=44),
)

H, HB, HP = HELD_OUT, HELD_OUT_BOXES, HELD_OUT_PHOTOS
HELD_OUT_PAGES: tuple[PageSpec, ...] = (
    PageSpec("h1_broadsheet", date(2025, 9, 5), 33, 4, (
        (Module(H[0], 3, box=HB[0]), Module(H[3], 1)),
        (Module(H[1], 2, photo=HP[0]), Module(H[4], 2)),
    ), seed=101),
    PageSpec("h2_broadsheet", date(2025, 10, 24), 40, 3, (
        (Module(H[2], 3, box=HB[1]),),
        (Module(H[3], 2, photo=HP[1]), Module(H[1], 1)),
    ), seed=202),
)


def random_page(name: str, seed: int, stories: tuple[Story, ...], boxes: tuple[Box, ...],
                photos: tuple[Photo, ...]) -> PageSpec:
    """A page of 3 to 5 columns and two or three rows of modules drawn from the given texts."""
    rng = random.Random(seed)
    columns = rng.choice((3, 4, 4, 5))
    pool = list(stories)
    rng.shuffle(pool)
    spare_boxes, spare_photos = list(boxes), list(photos)
    rows = []
    for _ in range(rng.choice((2, 2, 3))):
        spans: list[int] = []
        left = columns
        while left and pool[len(spans):]:
            span = min(left, rng.choice((1, 2, 2, 3)))
            spans.append(span)
            left -= span
        row = []
        for span in spans:
            story = pool.pop()
            own = [box for box in spare_boxes if box.zone == story.zone]  # a box names no zone: its story's
            box = own[0] if own and span >= 2 and rng.random() < 0.7 else None
            if box:
                spare_boxes.remove(box)
            photo = spare_photos.pop(rng.randrange(len(spare_photos))) if spare_photos and rng.random() < 0.4 else None
            row.append(Module(story, span, box=box, photo=photo))
        if row:
            rows.append(tuple(row))
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(360))
    return PageSpec(name, day, rng.randrange(1, 50), columns, tuple(rows), seed)


def tuning_pages(count: int, first_seed: int = 1000) -> list[PageSpec]:
    return [random_page(f"rt{seed}", seed, TUNING, TUNING_BOXES, TUNING_PHOTOS)
            for seed in range(first_seed, first_seed + count)]


def held_out_pages(count: int, first_seed: int = 5000) -> list[PageSpec]:
    return [random_page(f"rh{seed}", seed, HELD_OUT, HELD_OUT_BOXES, HELD_OUT_PHOTOS)
            for seed in range(first_seed, first_seed + count)]


def main(folder: str, random_pages: int = 30) -> None:
    """Write the fixed pages and `random_pages` random layouts of each set (those bench.pdf reads)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for spec in [*PAGES, *HELD_OUT_PAGES, *tuning_pages(random_pages), *held_out_pages(random_pages)]:
        try:
            data, _ = build_page(spec)
        except ValueError:  # rows too tall for the page: bench.pdf skips it too
            continue
        (out / f"{spec.name}.pdf").write_bytes(data)


if __name__ == "__main__":
    main(sys.argv[1])
