"""Stage 4: repairs: headers without a body and bodies without a header find each other."""

from __future__ import annotations

from collections.abc import Sequence

from summarize.page.model import NOTE_CONTINUATION
from summarize.page.text import single_spaced, squeeze, visible_length
from summarize.page.lines import Para
from summarize.page.assembly import zone_about, Assembly, Unit, Zones


def headers_after_bodies(done: Assembly, zones: Zones) -> None:
    """Rule: a zone header printed after its signed body, right above the next article's dateline
    body, is the header of the body before it when that body is about its zone and the one after
    it never names that zone (the next article's own header then follows its body)."""
    for index in range(1, len(done.units)):
        before, unit = done.units[index - 1], done.units[index]
        header = unit.header
        if header is None or header.zone is None or not unit.paras or before.header is not None:
            continue
        body_zones = {zone for para in unit.paras for zone in zones.named(para.text)}
        if before.closed_by != "byline" or zone_about(before, zones) != header.zone:
            continue
        if header.zone not in body_zones and body_zones:
            before.header, unit.header = header, None
            done.notes.append(f"header printed after its body: {header.label}")


def claim_bodies(done: Assembly, zones: Zones) -> None:
    """Give each header that has no body of its own (maybe a byline printed under it) the body it
    belongs to."""
    for orphan in [unit for unit in done.units if unit.header and not unit.paras]:
        position = position_of(done, orphan)
        header = orphan.header
        assert header is not None
        before = done.units[position - 1] if position > 0 else None
        if before is not None and before.header is None:
            take_header(before, orphan, done)
            done.units.pop(position)
            done.notes.append(f"header printed after its body: {header.label}")
            continue
        zone = zones.primary(header)
        if not (zone and claim_by_zone(done, orphan, zone, zones)):
            done.units.pop(position)
            printed = [*(single_spaced(text) for text in header.printed), *filter(None, [orphan.byline])]
            done.fragments.append((header.line, " ".join(printed)))
            done.notes.append(f"header without a body kept as a fragment: {header.label}")


def position_of(done: Assembly, unit: Unit) -> int:
    return next(index for index, other in enumerate(done.units) if other is unit)


def take_header(target: Unit, orphan: Unit, done: Assembly) -> None:
    """Give a body the header (and the byline under it) of a unit that has no body."""
    target.header = orphan.header
    if orphan.byline and target.byline is None:
        target.byline = orphan.byline
    elif orphan.byline:
        done.fragments.append((orphan.line, orphan.byline))


def claim_by_zone(done: Assembly, orphan: Unit, zone: str, zones: Zones) -> bool:
    """A headerless body about `zone`, or a signed run about it at the end of another body."""
    header = orphan.header
    assert header is not None
    for unit in done.units:
        if unit.header is None and unit.paras and zones.of_unit(unit)[:1] == (zone,):
            take_header(unit, orphan, done)
            done.units.pop(position_of(done, orphan))
            done.notes.append(f"header joined to the body about its zone: {header.label}")
            return True
    for unit in done.units:
        if unit.header is None or not unit.paras or unit.byline is None:
            continue
        split = zones.split_point(unit, zone)
        if split is None:
            continue
        kept = Unit(unit.header, unit.paras[:split])
        run = Unit(None, unit.paras[split:])
        if set(zones.of_unit(run)) & set(zones.of_unit(kept)):
            continue
        run.byline, run.closed_by = unit.byline, unit.closed_by
        unit.paras, unit.byline = kept.paras, None
        take_header(run, orphan, done)
        done.units[position_of(done, orphan)] = run
        done.notes.append(f"column about its zone moved out of another article: {header.label}")
        return True
    return False


def rejoin_sections(done: Assembly, zones: Zones) -> None:
    """A bare title over paragraphs without a dateline, about the zone of an unsigned article
    above it with only signed articles about other zones between them (columns printed inside
    it), is that article's next section: as place_inner_header reads it with nothing between."""
    index = 0
    while index < len(done.units):
        section = done.units[index]
        article = interrupted_article(done.units[:index], section, zones)
        if article is None:
            index += 1
            continue
        assert section.header is not None and section.header.title is not None
        article.paras += [Para(section.header.line, section.header.title, heading=True), *section.paras]
        article.byline, article.closed_by = section.byline, section.closed_by
        done.units.pop(index)
        done.notes.append(f"section rejoined to its article: {section.header.title}")


def interrupted_article(before: Sequence[Unit], section: Unit, zones: Zones) -> Unit | None:
    """The article `section` continues (see rejoin_sections), if any."""
    header = section.header
    if header is None or not header.title_only or not header.title or section.paras[0].dateline is not None:
        return None
    zone = zone_about(section, zones)
    for unit in reversed(before):
        if unit.closed_by == "barrier":  # a masthead or section label between: a new part of the page
            return None
        if unit.header is not None and unit.byline is None and zone is not None and zone_about(unit, zones) == zone:
            return unit
        if unit.byline is None or zone_about(unit, zones) in (zone, None):
            return None
    return None


def place_orphans(done: Assembly, zones: Zones) -> None:
    """Headerless bodies: articles if dated or signed, else a lead, a spill-over or fragments."""
    continued = any(note.startswith(NOTE_CONTINUATION) and "上接" in note for note in done.notes)
    index = 0
    while index < len(done.units):
        unit = done.units[index]
        if unit.header is not None or unit.byline or unit.paras[0].dateline is not None:
            index += 1
            continue
        after = done.units[index + 1] if index + 1 < len(done.units) else None
        before = done.units[index - 1] if index > 0 else None
        if unit.at_page_start and unit.closed_by == "header" and after and after.header and not continued:
            after.paras[:0] = unit.paras
            done.notes.append(f"lead paragraph printed above its title: {after.header.label}")
        elif before is not None and zone_about(before, zones) and zone_about(before, zones) in zones.of_unit(unit):
            before.paras.extend(unit.paras)
            done.notes.append(f"paragraph after a byline joined to the article about its zone: {unit_label(before)}")
        else:
            done.fragments.extend((para.line, squeeze(para.text)) for para in unit.paras)
        done.units.pop(index)


def unit_label(unit: Unit) -> str:
    return unit.header.label if unit.header else squeeze(unit.paras[0].text)[:12]


def short_bodies_are_fragments(done: Assembly, min_body_chars: int) -> None:
    """Rule: a record whose body has fewer than `min_body_chars` characters (a title line, a stray
    credit, a scrap of a column) is no article: its text is kept as a fragment and reported."""
    for unit in list(done.units):
        if sum(visible_length(para.text) for para in unit.paras if not para.heading) >= min_body_chars:
            continue
        done.units.remove(unit)
        printed = [*(single_spaced(text) for text in (unit.header.printed if unit.header else ()))]
        printed += [squeeze(f"{para.dateline or ''}{para.text}") for para in unit.paras] + list(filter(None, [unit.byline]))
        done.fragments.append((unit.line, " ".join(printed)))
        done.notes.append(f"record too short for an article kept as a fragment: {unit_label(unit)}")
