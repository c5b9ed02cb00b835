"""Stage 5: units as Article values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from summarize.divisions import city_of_county
from summarize.zones import Gazetteer, place_part
from summarize.page.model import ARTICLE, Article
from summarize.page.text import LATIN, is_unfinished, lead_date, single_spaced, squeeze
from summarize.page.lines import Para
from summarize.page.headers import Header
from summarize.page.assembly import Unit, Zones, zone_about


def mend(paras: Sequence[Para]) -> list[Para]:
    """Join each paragraph that stops mid-sentence with the body paragraph after it."""
    mended: list[Para] = []
    for para in paras:
        last = mended[-1] if mended else None
        if (
            last is not None
            and not last.heading
            and not para.heading
            and para.dateline is None
            and is_unfinished(last.text)
        ):
            glue = " " if LATIN.match(last.text.rstrip()[-1]) and LATIN.match(para.text.lstrip()[0]) else ""
            mended[-1] = replace(last, text=last.text.rstrip() + glue + para.text.lstrip())
        else:
            mended.append(para)
    return mended


def to_article(unit: Unit, zones: Zones, gazetteer: Gazetteer) -> Article:
    """The Article a unit is: its header's title, kicker and subtitle, its mended body, the zone
    it is about and every zone it names, its byline (else the reporters its dateline credits)."""
    header = unit.header
    dated = next((para for para in unit.paras if para.dateline is not None), None)
    paras = mend(unit.paras)
    body = tuple(single_spaced(p.text) if p.heading else squeeze(p.text) for p in paras)
    published, month_day = article_date(paras, body, dated)
    zone = zone_about(unit, zones)
    return Article(
        kind=ARTICLE,
        title=header.title if header else None,
        body=body,
        zone=zone,
        zones=zones_named(unit, zone, body, zones),
        city=article_city(header, zone, gazetteer),
        subtitle=header.subtitle if header else None,
        kicker=header.kicker if header else None,
        author=unit.byline or (dated.reporters if dated else None),
        dateline=single_spaced(dated.dateline) if dated and dated.dateline else None,
        published=published,
        published_month_day=month_day,
    )


def article_date(
    paras: Sequence[Para], body: Sequence[str], dated: Para | None
) -> tuple[str | None, tuple[int, int] | None]:
    """Rule: the first date in the lead sentence, else the day in the dateline (本报太原5月8日讯)."""
    lead = next((text for para, text in zip(paras, body) if not para.heading), "")
    published, month_day = lead_date(lead)
    if (published, month_day) == (None, None) and dated and dated.dateline:
        return lead_date(dated.dateline)
    return published, month_day


def zones_named(unit: Unit, zone: str | None, body: Sequence[str], zones: Zones) -> tuple[str, ...]:
    """Every zone an article names, the zone it is about first."""
    named = [zone] if zone else []
    named += zones.in_header(unit.header)
    for text in body:
        named += zones.named(text)
    return tuple(dict.fromkeys(named))


def article_city(header: Header | None, zone: str | None, gazetteer: Gazetteer) -> str | None:
    """Rule: the city of the zone (of the county an unlisted zone is named after: 平定 -> 阳泉),
    else the city its header names (临汾市, 山西大同)."""
    found = gazetteer.get(zone) if zone else None
    if found is not None and found.city:
        return found.city
    if zone and found is None and city_of_county(place_part(zone)):
        return city_of_county(place_part(zone))
    if header is None:
        return None
    return header.city or gazetteer.city_in(header.kicker or "") or gazetteer.city_in(header.title or "")
