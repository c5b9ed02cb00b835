"""Stage 3: items in print order assembled into units (a header and its body, or a headerless body)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from summarize.zones import Gazetteer
from summarize.page.model import Article, NOTE_BYLINE_LABEL, PHOTO
from summarize.page.text import STRICT_SENTENCE_FINAL, county_zone_names, is_unfinished, lead_date, squeeze
from summarize.page.lines import Byline, HeadLine, Item, Para, Photo, Skip, listed_or_printed
from summarize.page.headers import Header, is_subtitle, parse_headers


@dataclass
class Unit:
    header: Header | None
    paras: list[Para] = field(default_factory=list)
    byline: str | None = None
    at_page_start: bool = False  # a headerless body with nothing but headers/masthead before it
    closed_by: str = ""  # "header" | "byline" | "dateline" | "barrier" | "end"

    @property
    def line(self) -> int:
        lines = [para.line for para in self.paras[:1]] + ([self.header.line] if self.header else [])
        return min(lines)


class Zones:
    """Zone names in the page's texts, memoised: a page asks about the same paragraph often."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._seen: dict[str, tuple[str, ...]] = {}

    def named(self, text: str | None) -> tuple[str, ...]:
        if not text:
            return ()
        if text not in self._seen:
            self._seen[text] = self._find(text)
        return self._seen[text]

    def _find(self, text: str) -> tuple[str, ...]:
        """Rule: the listed zones a text names, and the zones named after a Shanxi county that the
        gazetteer lacks (平定经济技术开发区), in the order printed."""
        mentions = self.gazetteer.mentions(text)
        found = [(mention.start, mention.zone) for mention in mentions]
        for match in county_zone_names().finditer(text):
            if not any(mention.start < match.end() and match.start() < mention.end for mention in mentions):
                found.append((match.start(), listed_or_printed(match.group(0), self.gazetteer)))
        return tuple(zone for _, zone in sorted(found))

    def in_header(self, header: Header | None) -> tuple[str, ...]:
        if header is None:
            return ()
        return self.named(header.kicker) + self.named(header.title) + self.named(header.subtitle)

    def primary(self, header: Header | None) -> str | None:
        """The zone a header is about: its zone line, else its subtitle, title, kicker."""
        if header is None or header.city:
            return None
        if header.zone:
            return header.zone
        for text in (header.subtitle, header.title, header.kicker):
            named = self.named(text)
            if named:
                return named[0]
        return None

    def of_unit(self, unit: Unit) -> tuple[str, ...]:
        named = list(self.in_header(unit.header))
        for para in unit.paras:
            named.extend(self.named(para.text))
        return tuple(dict.fromkeys(named))

    def split_point(self, unit: Unit, zone: str) -> int | None:
        """Where the paragraphs about `zone` start in a body about something else, if they do.

        The first paragraph (not the body's first) that names `zone`, when neither the header nor
        an earlier paragraph does.
        """
        before = set(self.in_header(unit.header))
        for index, para in enumerate(unit.paras):
            named = self.named(para.text)
            if zone in named:
                return index if index > 0 and zone not in before else None
            before.update(named)
        return None


@dataclass
class Assembly:
    units: list[Unit] = field(default_factory=list)
    photos: list[tuple[int, Article]] = field(default_factory=list)
    fragments: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def next_body(items: Sequence[Item], index: int) -> Para | None:
    """The paragraph that follows items[index:], skipping photo captions; None if other."""
    for item in items[index:]:
        if isinstance(item, Photo) and item.caption is not None:
            continue
        return item if isinstance(item, Para) else None
    return None


def sign(unit: Unit, byline: Byline, done: Assembly) -> None:
    """Give a unit its byline: names printed under the title and again at the end are kept once
    (and the repeat noted), other names printed at the end are added to those under the title."""
    if byline.label:
        done.notes.append(NOTE_BYLINE_LABEL + byline.label)
    if unit.byline is None or unit.byline == byline.names:
        if unit.byline:
            done.notes.append(f"byline printed twice: {byline.names}")
        unit.byline = byline.names
    else:
        unit.byline = f"{unit.byline} {byline.names}"


def closing_sentences(run: Sequence[HeadLine]) -> int:
    """How many lines at the start of a header run are short sentences ending the body above
    ("…稳步推进！"): lines ending a sentence, followed by a zone line that opens the next header."""
    count = 0
    while count < len(run) and not run[count].place_end and run[count].text[-1] in STRICT_SENTENCE_FINAL:
        count += 1
    return count if count < len(run) and run[count].place_end else 0


class Assembler:
    """Walks the items in order, opening and closing units at headers, datelines and bylines."""

    def __init__(self, items: Sequence[Item], zones: Zones, gazetteer: Gazetteer) -> None:
        self.items, self.zones, self.gazetteer = items, zones, gazetteer
        self.done = Assembly()
        self.current: Unit | None = None
        self.seen_body = False

    def run(self) -> Assembly:
        index = 0
        while index < len(self.items):
            item = self.items[index]
            if isinstance(item, HeadLine):
                index = self.headers(index)
                continue
            if isinstance(item, Para):
                self.paragraph(item)
            elif isinstance(item, Byline):
                self.byline(item)
            elif isinstance(item, Photo):
                self.photo(item)
            elif isinstance(item, Skip):
                self.skip(item)
            index += 1
        self.close("end")
        return self.done

    def close(self, how: str) -> None:
        if self.current is not None:
            self.current.closed_by = how
            self.done.units.append(self.current)
        self.current = None

    def headers(self, index: int) -> int:
        """A run of header lines: the body's last lines, or headers placed or opening units.
        Returns the index after the run."""
        end = index
        while end < len(self.items) and isinstance(self.items[end], HeadLine):
            end += 1
        run: list[HeadLine] = list(self.items[index:end])  # type: ignore[arg-type]
        current = self.current
        if current is not None and current.paras:
            if signed_body_lines(run, self.items, end):
                current.paras.extend(Para(line.line, line.text) for line in run)
                return end
            ending = closing_sentences(run)
            current.paras.extend(Para(line.line, line.text) for line in run[:ending])
            run = run[ending:]
        headers = parse_headers(run)
        body = next_body(self.items, end)
        for number, header in enumerate(headers):
            if number == len(headers) - 1 and body is not None and body.dateline is None and self.current is not None:
                placed = place_inner_header(header, self.current, body, self.zones, self.done)
                if placed is not None:
                    self.current = placed
                    continue
            self.close("header")
            self.current = Unit(header)
        return end

    def paragraph(self, item: Para) -> None:
        """Rule: a dateline opens a new body unless the unit is a header still waiting for one."""
        current = self.current
        if item.dateline is not None and current is not None and (current.paras or not current.header):
            self.close("dateline")
        if self.current is None:
            self.current = Unit(None, at_page_start=not self.seen_body)
        self.current.paras.append(item)
        self.seen_body = True

    def byline(self, item: Byline) -> None:
        """Rule: a byline after body text closes it; under a title it waits for the body."""
        current = self.current
        under_title = current is not None and not current.paras and current.header and current.byline is None
        if current is not None and (current.paras or under_title):
            sign(current, item, self.done)
            if current.paras:
                self.close("byline")
        else:
            self.done.fragments.append((item.line, item.printed))

    def photo(self, item: Photo) -> None:
        """Rule: a credit line without a caption takes the paragraph above it as its caption."""
        caption, line, current = item.caption, item.line, self.current
        if caption is None and current is not None and current.paras:
            above = current.paras.pop()  # the caption printed above its credit line
            caption, line = above.text, above.line
            if not current.paras and current.header is None:
                self.current = None
        if caption is None:
            self.done.fragments.append((line, f"{item.label} {item.author or ''}".strip()))
            return
        if item.label:
            self.done.notes.append(NOTE_BYLINE_LABEL + item.label)
        self.done.photos.append((line, photo_article(caption, item.author, self.zones, self.gazetteer)))

    def skip(self, item: Skip) -> None:
        self.done.notes.append(item.note)
        if item.barrier:
            self.close("barrier")


def assemble(items: Sequence[Item], zones: Zones, gazetteer: Gazetteer) -> Assembly:
    """Walk the items in order, opening and closing units at headers, datelines and bylines."""
    return Assembler(items, zones, gazetteer).run()


def signed_body_lines(run: Sequence[HeadLine], items: Sequence[Item], end: int) -> bool:
    """Rule: bare short lines (no place, no subtitle) followed by a byline are the last lines of
    the body above, not a header."""
    signed = end < len(items) and isinstance(items[end], Byline)
    return signed and not any(line.place_end or is_subtitle(line) for line in run)


def place_inner_header(
    header: Header, current: Unit, following: Para, zones: Zones, done: Assembly
) -> Unit | None:
    """A header with body text on both sides (`following` is the paragraph after it): the unit
    it belongs to, or None if it opens one.

    Printed mid-sentence, it is the header of the headerless body it interrupts, or of the
    paragraphs about its zone at the end of the body it interrupts. Between two paragraphs of a
    headerless dateline body about its zone, it is that body's header. A bare title between
    finished paragraphs is a subsection heading, unless it would be the body's first heading
    and the paragraph after it turns to zones the body has not named: then it is the title of
    a new article. (A feature whose sections take one zone each names them in its lead or has
    its first heading before it turns to a second zone.)
    """
    if not current.paras:
        return heading_under_title(header, current)
    unfinished = is_unfinished(current.paras[-1].text)
    for rule in (header_of_interrupted_body, sentence_runs_on, zone_paragraphs_move_out):
        placed = rule(header, current, unfinished, zones, done)
        if placed is not None:
            return placed
    return subsection_heading(header, current, following, zones)


def heading_under_title(header: Header, current: Unit) -> Unit | None:
    """Rule: a bare title right under a titled header (no body yet) is its first section heading."""
    if header.title_only and current.header is not None and current.header.title:
        current.paras.append(Para(header.line, header.title or "", heading=True))
        return current
    return None


def header_of_interrupted_body(
    header: Header, current: Unit, unfinished: bool, zones: Zones, done: Assembly
) -> Unit | None:
    """Rule: inside a headerless body, mid-sentence or (dateline body) about its zone, a header is
    that body's own."""
    zone = zones.primary(header)
    about_its_zone = current.paras[0].dateline is not None and zone is not None and zone == zone_about(current, zones)
    if current.header is None and (unfinished or about_its_zone):
        current.header = header
        done.notes.append(f"header printed inside its body: {header.label}")
        return current
    return None


def sentence_runs_on(
    header: Header, current: Unit, unfinished: bool, zones: Zones, done: Assembly
) -> Unit | None:
    """Rule: a bare short line inside an unfinished sentence of a titled body is part of it."""
    if unfinished and header.title_only and header.title and current.header is not None:
        current.paras.append(Para(header.line, header.title))
        return current
    return None


def zone_paragraphs_move_out(
    header: Header, current: Unit, unfinished: bool, zones: Zones, done: Assembly
) -> Unit | None:
    """Rule: a zone header inside an unfinished sentence takes the paragraphs about its zone at the
    end of the body it interrupts."""
    zone = zones.primary(header)
    split = zones.split_point(current, zone) if unfinished and zone else None
    if split is None:
        return None
    moved = Unit(header, current.paras[split:])
    current.paras = current.paras[:split]
    current.closed_by = "header"
    done.units.append(current)
    done.notes.append(f"header printed inside its body: {header.label}")
    return moved


def subsection_heading(header: Header, current: Unit, following: Para, zones: Zones) -> Unit | None:
    """Rule: a bare title between paragraphs of a dated or titled body is a subsection heading,
    unless it names another zone, or is the first heading and the text after it turns away to
    zones the body has not named."""
    if not (header.title_only and header.title):
        return None
    own_zones = set(zones.of_unit(current))
    foreign = [named for named in zones.named(header.title) if named not in own_zones]
    next_zones = set(zones.named(following.text))
    first_heading = not any(para.heading for para in current.paras)
    turns_away = first_heading and bool(own_zones) and bool(next_zones) and not own_zones & next_zones
    dateline_body = current.header is not None or current.paras[0].dateline is not None
    if dateline_body and not foreign and not turns_away:
        current.paras.append(Para(header.line, header.title, heading=True))
        return current
    return None


def photo_article(caption: str, author: str | None, zones: Zones, gazetteer: Gazetteer) -> Article:
    named = tuple(dict.fromkeys(zones.named(caption) + zones.named(author)))
    zone = named[0] if named else None
    found = gazetteer.get(zone) if zone else None
    published, month_day = lead_date(caption)
    return Article(
        kind=PHOTO,
        title=None,
        body=(squeeze(caption),),
        zone=zone,
        zones=named,
        city=found.city if found else None,
        author=author,
        published=published,
        published_month_day=month_day,
    )


def zone_about(unit: Unit, zones: Zones) -> str | None:
    """The zone a unit is about: its header's, else the first its body names (unless a city's)."""
    if unit.header is not None and (unit.header.city or zones.primary(unit.header)):
        return zones.primary(unit.header)
    named = zones.of_unit(unit)
    return named[0] if named else None
