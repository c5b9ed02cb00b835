"""The zone gazetteer: official names, aliases, short names and cities of Shanxi's development zones.

`Gazetteer.from_csv(text)` parses the text of config/zones.csv (the caller reads the file). From each
official name and CSV alias it derives the forms reporters write (晋城经济技术开发区 -> 晋城经开区,
晋城开发区), finds zone names in running text (`mentions`) and resolves what people type after
`/zone` (`lookup`): names, cities, short names, a place with another zone word (晋城经济开发区),
traditional characters, pinyin and typos, else the three closest zones.

Every comparison runs on normalised text: traditional -> simplified, full-width ASCII -> half-width,
whitespace removed (PDF text breaks lines inside names), Latin lower-cased.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin, pinyin

from summarize.divisions import city_of_county

with warnings.catch_warnings():
    # zhconv 1.4.3 imports the deprecated pkg_resources to read its dictionary.
    warnings.simplefilter("ignore", UserWarning)
    import zhconv

COLUMNS = ("name", "aliases", "city", "county", "level", "type", "source")
ALIAS_SEPARATOR = "|"
CITY_SEPARATORS = re.compile(r"[、，,/；;]")
UNSURE_MARK = "[UNSURE"
UNCONFIRMED_LEVEL = "未确认"
INFERRED_MARK = "推定"  # "[推定]" after a county, "（推定）"/"（推定省级）" in a level

# How a long official name ends -> the shorter forms people write in its place. Longest first.
DERIVED_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("国家农业高新技术产业示范区", ("国家农高区", "农高区")),
    ("农业高新技术产业示范区", ("农高区",)),
    ("高新技术产业开发区", ("高新区",)),
    ("经济技术开发区", ("经开区", "开发区")),
    ("经济开发区", ("经开区", "开发区")),
    ("综合改革示范区", ("综改示范区", "综改区")),
)
PROVINCE_PREFIXES = ("山西省", "山西")

# What follows the place part of a zone's name (or of a query), longest first.
TYPE_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            "农业高新技术产业示范区", "高新技术产业开发区", "高新技术产业示范区", "高新技术开发区", "经济技术开发区",
            "经济开发区", "现代农业产业示范区", "生态文化旅游示范区", "转型综合改革示范区",
            "综合改革示范区", "综改示范区", "一体化经济区", "产业集聚区", "保税物流中心",
            "高新区", "经开区", "农高区", "综改区", "开发区", "示范区", "经济区",
        },
        key=len,
        reverse=True,
    )
)
# Zone words naming one kind of zone: people write any of a family for another (晋城经济开发区 for
# 晋城经济技术开发区). A zone word outside the families fits the zone words it ends (示范区, 经济区).
SUFFIX_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"经济技术开发区", "经济开发区", "经开区", "开发区"}),
    frozenset({"高新技术产业开发区", "高新技术开发区", "高新技术产业示范区", "高新区"}),
    frozenset({"农业高新技术产业示范区", "农高区"}),
    frozenset({"转型综合改革示范区", "综合改革示范区", "综改示范区", "综改区"}),
)
ANY_ZONE_SUFFIX = "开发区"  # typed after a place, it fits a zone of any kind (阳曲开发区)
CITY_SUFFIX = "市"
COUNTY_SUFFIX = "县"
COUNTY = re.compile(r"[\u4e00-\u9fff]{2,4}[县区市]")
CJK = re.compile(r"[\u4e00-\u9fff]")
WORD_CHAR = re.compile(r"[\u4e00-\u9fffa-z]")  # a query without one (🚀, "?!") gets no suggestions
CLAUSE_MARKS = "，。；！？,;!?"
CLAUSE_BREAK = re.compile(f"[{re.escape(CLAUSE_MARKS)}]")
PINYIN_NOISE = re.compile(r"[1-5'’·.\-]")  # tone numbers and syllable separators people type
LATIN = re.compile(r"[a-z]+")

# Precedence of written forms: a name the CSV states beats one derived from another zone's name.
_OFFICIAL, _ALIAS, _DERIVED = 0, 1, 2
# What a place is compared by: its characters, its pinyin syllables, the letter pairs of each reading.
PlaceKey = tuple[frozenset[str], frozenset[str], tuple[frozenset[str], ...]]
# A query's target: ("zone", official name) or ("city", city).
Target = tuple[str, str]
ZONE, CITY = "zone", "city"
# Which name a query hit, when one name means several things: a written form beats a city, which
# beats a short name, which beats the county a zone lies in (盐湖: the 盐湖 zone, not all of 盐湖区).
_FORM_TIER, _CITY_TIER, _SHORT_TIER, _COUNTY_TIER = 0, 1, 2, 3

MAX_SUGGESTIONS = 3
MAX_QUERY_CHARS = 64  # longer "queries" are pasted text: only the zones they mention are suggested
MAX_READINGS = 32  # heteronym combinations indexed per name (长治 is chang zhi, pypinyin says zhang zhi)
MAX_CACHED_LOOKUPS = 4096  # lookups kept (Gazetteer.lookup); past this the cache starts again
NATIONAL_LEVEL = "国家级"  # of two zones as close to a query, the national one is suggested first


class GazetteerError(ValueError):
    """The zones CSV cannot be read; the message says what is wrong and how to fix it."""


@dataclass(frozen=True)
class Zone:
    """One development zone (or zone-like area) as config/zones.csv describes it."""

    name: str  # official full name
    aliases: tuple[str, ...]  # from the CSV
    city: str  # first city if the CSV names several ("太原、忻州" -> 太原), see cities
    cities: tuple[str, ...]  # all cities named
    county: str
    level: str
    type: str
    source: str
    doubtful: bool  # any doubtful mark in the row
    short_name: str  # the place part: 晋城经济技术开发区 -> 晋城, 运城盐湖高新技术产业开发区 -> 盐湖


@dataclass(frozen=True)
class Mention:
    """A zone named in a text: `text[start:end] == surface` names the zone `zone` (official name)."""

    zone: str
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class Lookup:
    """What a query typed after `/zone` means."""

    query: str
    zone: Zone | None  # the zone the query means, if it means one zone
    city: str | None  # the city the query means, if it means a city (吕梁, 晋城)
    suggestions: tuple[Zone, ...]  # up to 3 closest zones when nothing matched
    # "exact" | "alias" | "short" | "city" | "traditional" | "pinyin" | "suffix": zone or city set;
    # "typo" (suggestions only, the zones the typo may mean first) | "none"
    how: str


@dataclass(frozen=True)
class _Typed:
    """A query cut into the place it names and the zone word after it (晋城 + 经济开发区)."""

    place: str  # the place in Chinese characters; "" when typed in pinyin
    chars: frozenset[str]  # the characters of `place`
    sound: str  # the place as typed in pinyin (jincheng); "" when typed in characters
    sound_pairs: frozenset[str]  # the letter pairs of `sound`
    syllables: frozenset[str]  # the pinyin syllables of `place`
    suffix: str  # the zone word, one of TYPE_SUFFIXES; "" if the query ends in none


def _clean_char(char: str) -> str:
    """Full-width ASCII -> half-width, Latin lower-cased, whitespace dropped; CJK untouched."""
    if char.isspace():
        return ""
    if "\uff01" <= char <= "\uff5e":
        char = chr(ord(char) - 0xFEE0)
    return char.lower()


@functools.cache  # zhconv is slow, and a text's characters come from a few thousand
def _simplify_char(char: str) -> str:
    simplified = zhconv.convert(char, "zh-cn")
    return simplified if len(simplified) == 1 else char


@functools.lru_cache(maxsize=65536)
def fold_char(char: str) -> str:
    """One character as search compares it: simplified, half-width, lower-case; always one
    character (whitespace too), so a folded text keeps every offset of the original.

    Example usage::

        "".join(map(fold_char, "氫能ＡＢ"))  # '氢能ab'
    """
    folded = _simplify_char(_clean_char(char) or char)
    return folded if len(folded) == 1 else char


def clean(text: str) -> str:
    """`text` without whitespace, full-width ASCII made half-width and Latin lower-cased."""
    return "".join(_clean_char(char) for char in text)


def normalize(text: str) -> str:
    """`clean(text)` with traditional characters made simplified (晉城 -> 晋城).

    Example usage::

        normalize("晉城 經開區")  # '晋城经开区'
    """
    return _normalize_with_offsets(text)[0]


class _NormalChars(dict[int, str]):
    """Code point -> what `normalize` makes of that character ("" for whitespace), a table for
    str.translate filled as characters are met (a text's characters come from a few thousand).
    `uneven` holds the characters that do not become exactly one character."""

    def __init__(self) -> None:
        super().__init__()
        self.uneven: set[str] = set()

    def __missing__(self, code: int) -> str:
        char = chr(code)
        normal = _simplify_char(_clean_char(char))
        if len(normal) != 1:
            self.uneven.add(char)
        self[code] = normal
        return normal


_NORMAL_CHARS = _NormalChars()


def _normalize_with_offsets(text: str) -> tuple[str, Sequence[int]]:
    """The normalised text and, for each of its characters, the index in `text` of the character
    it comes from."""
    normal = text.translate(_NORMAL_CHARS)
    if _NORMAL_CHARS.uneven.isdisjoint(text):  # each character became one: offsets are unchanged
        return normal, range(len(text))
    return normal, [index for index, char in enumerate(text) for _ in _NORMAL_CHARS[ord(char)]]


def _longest_first_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """A pattern that matches, where any of `words` starts, the longest one starting there (one
    alternation per first character, longest first); finditer then gives the leftmost-longest
    words that do not overlap."""
    by_first: dict[str, set[str]] = {}
    for word in words:
        by_first.setdefault(word[0], set()).add(word)
    branches = [
        re.escape(first) + "(?:" + "|".join(re.escape(word[1:]) for word in sorted(group, key=lambda w: (-len(w), w))) + ")"
        for first, group in sorted(by_first.items())
    ]
    return re.compile("|".join(branches) or "(?!)")


def derive_forms(name: str) -> tuple[str, ...]:
    """The shorter forms reporters write for a zone called `name`, never `name` itself.

    Every form ends in a zone word (开发区, 经开区, 高新区, 综改区, …): a bare place name is not a
    zone mention.

    Example usage::

        derive_forms("晋城经济技术开发区")  # ('晋城经开区', '晋城开发区')
        derive_forms("山西风陵渡经济开发区")  # ('山西风陵渡经开区', …, '风陵渡经济开发区', …)
    """
    bases = [name]
    for prefix in PROVINCE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 3:
            bases.append(name[len(prefix):])
            break
    forms: list[str] = []
    for base in bases:
        forms.append(base)
        for suffix, replacements in DERIVED_SUFFIXES:
            stem = base.removesuffix(suffix)
            if stem and stem != base:
                forms.extend(stem + replacement for replacement in replacements)
                break
    return tuple(form for form in dict.fromkeys(forms) if form != name)


def split_type_suffix(name: str) -> tuple[str, str]:
    """`name` cut before the longest zone word it ends in; (name, "") when it ends in none.

    Example usage::

        split_type_suffix("晋城经济开发区")  # ('晋城', '经济开发区')
    """
    for suffix in TYPE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def _suffix_fits(typed: str, zone_suffix: str) -> bool:
    """True when a query ending in the zone word `typed` may mean a zone written with `zone_suffix`."""
    return (
        typed == ANY_ZONE_SUFFIX
        or zone_suffix.endswith(typed)
        or any(typed in family and zone_suffix in family for family in SUFFIX_FAMILIES)
    )


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two sets, 0..1."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _is_sentence(text: str) -> bool:
    """True when a clause mark stands inside `text` (…一句话，与…): no one types a name so."""
    return bool(CLAUSE_BREAK.search(text.strip(CLAUSE_MARKS)))


def place_part(name: str, cities: Iterable[str] = ()) -> str:
    """The place a zone (or a query) is named after: its name without zone words, province or city.

    Falls back to the first of `cities` when the name holds no place of its own
    (山西转型综合改革示范区 -> 太原).

    Example usage::

        place_part("运城盐湖高新技术产业开发区", ["运城"])  # '盐湖'
        place_part("山西转型综合改革示范区晋中开发区", ["晋中"])  # '晋中'
    """
    cities = tuple(cities)
    stem = split_type_suffix(name)[0]
    for prefix in PROVINCE_PREFIXES:
        if stem.startswith(prefix):
            stem = stem[len(prefix):]
            break
    for suffix in TYPE_SUFFIXES:  # a zone inside a zone: …示范区晋中 -> 晋中
        if suffix in stem:
            stem = stem.rsplit(suffix, 1)[1]
            break
    stem = stem.removesuffix("国家")
    for city in cities:
        if stem.startswith(city) and len(stem) - len(city) >= 2:
            stem = stem[len(city):]
            break
    if len(stem) >= 3:
        stem = stem.removesuffix(COUNTY_SUFFIX)
    return stem or (cities[0] if cities else "")


def stated_level(level: str) -> str | None:
    """A zone's level as people say it (国家级, 省级), or None when the gazetteer only guesses it.

    Rule "doubtful levels are unknown": a level the CSV marks unconfirmed (未确认…) or inferred
    (…推定…) is a note for whoever edits the gazetteer, not a fact to show a reader.

    Example usage::

        stated_level("国家级")  # '国家级'
        stated_level("未确认（推定省级）")  # None
    """
    level = level.strip()
    if not level or level.startswith(UNCONFIRMED_LEVEL) or INFERRED_MARK in level:
        return None
    return level


def _is_doubtful(row: Mapping[str, str]) -> bool:
    return (
        UNSURE_MARK in row["source"]
        or row["level"].startswith(UNCONFIRMED_LEVEL)
        or INFERRED_MARK in row["level"]
        or INFERRED_MARK in row["county"]
    )


def _zone_from_row(row: Mapping[str, str]) -> Zone:
    name = row["name"]
    cities = tuple(city.strip() for city in CITY_SEPARATORS.split(row["city"]) if city.strip())
    return Zone(
        name=name,
        aliases=tuple(alias.strip() for alias in row["aliases"].split(ALIAS_SEPARATOR) if alias.strip()),
        city=cities[0] if cities else "",
        cities=cities,
        county=row["county"],
        level=row["level"],
        type=row["type"],
        source=row["source"],
        doubtful=_is_doubtful(row),
        short_name=place_part(name, cities),
    )


def parse_zones(text: str) -> list[Zone]:
    """The zones in the text of a zones CSV (columns name,aliases,city,county,level,type,source).

    Raises GazetteerError, with the line, when a column is missing, a name is empty or repeated.
    """
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
    if missing:
        raise GazetteerError(
            f"开发区名录缺少列：{'、'.join(missing)}。第一行应为 {','.join(COLUMNS)}。"
        )
    zones: list[Zone] = []
    seen: set[str] = set()
    for row in reader:
        values = {column: (row.get(column) or "").strip() for column in COLUMNS}
        if not values["name"]:
            raise GazetteerError(f"开发区名录第 {reader.line_num} 行没有名称（name 列），请补上或删去该行。")
        if values["name"] in seen:
            raise GazetteerError(f"开发区名录第 {reader.line_num} 行重复了“{values['name']}”，请合并为一行。")
        seen.add(values["name"])
        zones.append(_zone_from_row(values))
    return zones


def pinyin_key(text: str) -> str | None:
    """What someone typed in pinyin, without tones, spaces or case (Jìn Chéng -> jincheng); else None."""
    text = unicodedata.normalize("NFD", clean(text).replace("ü", "v").replace("u\u0308", "v"))
    text = PINYIN_NOISE.sub("", "".join(char for char in text if unicodedata.category(char) != "Mn"))
    return _u_for_v(text) if LATIN.fullmatch(text) else None


def _u_for_v(sound: str) -> str:
    """ü is typed v or u (lvliang, luliang): both are keyed as u."""
    return sound.replace("v", "u")


def _readings(name: str) -> tuple[str, tuple[str, ...]]:
    """The usual pinyin of `name` and, when there are few, every reading its heteronyms allow."""
    usual = _u_for_v("".join(lazy_pinyin(name, errors="ignore")))
    choices = pinyin(name, style=Style.NORMAL, heteronym=True, errors="ignore")
    count = 1
    for options in choices:
        count *= len(options)
    others = tuple(_u_for_v("".join(combo)) for combo in itertools.product(*choices)) if count <= MAX_READINGS else ()
    return usual, tuple(reading for reading in others if reading != usual)


def county_places(county: str) -> tuple[str, ...]:
    """How people name a zone's county: 太谷区 -> (太谷区, 太谷); () when the CSV gives no plain county."""
    county = county.replace(f"[{INFERRED_MARK}]", "").strip()
    if not COUNTY.fullmatch(county):
        return ()
    return (county, county[:-1]) if len(county) > 2 else (county,)


def _letter_pairs(text: str) -> frozenset[str]:
    """The pairs of adjacent letters in `text` (jin -> ji, in); a single letter is its own pair."""
    return frozenset(text[i : i + 2] for i in range(max(len(text) - 1, 1))) if text else frozenset()


def _place_key(place: str) -> PlaceKey:
    """What `place` is compared by; its readings are all its heteronyms allow (长治: zhangzhi, changzhi)."""
    usual, others = _readings(place)
    readings = tuple(_letter_pairs(reading) for reading in (usual, *others))
    return frozenset(place), frozenset(lazy_pinyin(place, errors="ignore")), readings


def _one_deletion(text: str) -> set[str]:
    return {text} | {text[:i] + text[i + 1 :] for i in range(len(text))}


def _one_edit_apart(a: str, b: str) -> bool:
    """True when one substitution, insertion or deletion turns `a` into `b`."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class Gazetteer:
    """All zones, with indexes for names in text and for queries, built once.

    Example usage::

        gazetteer = Gazetteer.from_csv(Path("config/zones.csv").read_text("utf-8"))
        gazetteer.get("晋城经开区").name  # '晋城经济技术开发区'
        [m.zone for m in gazetteer.mentions("位于晋城经开区的项目")]  # ['晋城经济技术开发区']
        gazetteer.lookup("jincheng").city  # '晋城'
    """

    def __init__(self, zones: Iterable[Zone]) -> None:
        self.zones: tuple[Zone, ...] = tuple(zones)
        self._by_name = {zone.name: zone for zone in self.zones}
        claims: dict[str, dict[int, set[str]]] = {}  # normalised form -> precedence -> zone names
        self._written: dict[str, str] = {}  # normalised form -> how it is written in the CSV or derived
        for zone in self.zones:
            written = [(zone.name, _OFFICIAL)]
            written += [(alias, _ALIAS) for alias in zone.aliases]
            derived = (form for name in (zone.name, *zone.aliases) for form in derive_forms(name))
            written += [(form, _DERIVED) for form in derived]
            for form, rank in written:
                key = normalize(form)
                if key:
                    claims.setdefault(key, {}).setdefault(rank, set()).add(zone.name)
                    self._written.setdefault(key, form)
        self._forms: dict[str, str] = {}  # normalised form -> official name
        self._form_ranks: dict[str, int] = {}
        self._shared: dict[str, tuple[str, ...]] = {}  # forms two zones share -> those zones
        for key, by_rank in claims.items():
            rank = min(by_rank)
            names = by_rank[rank]
            if len(names) == 1:
                self._forms[key] = next(iter(names))
                self._form_ranks[key] = rank
            else:
                self._shared[key] = tuple(zone.name for zone in self.zones if zone.name in names)
        self._form_pattern = _longest_first_pattern((*self._forms, *self._shared))
        self._cities: dict[str, tuple[Zone, ...]] = {}
        for zone in self.zones:
            for city in zone.cities:
                self._cities[city] = (*self._cities.get(city, ()), zone)
        self._build_query_indexes()
        self._lookups: dict[str, Lookup] = {}  # query -> its lookup (see lookup)

    def _build_query_indexes(self) -> None:
        """Index every name a query may hit by its pinyin and by its one-character deletions."""
        # name -> (tier, target) for each thing it names
        self._names: dict[str, list[tuple[int, Target]]] = {}
        for key, official in self._forms.items():
            self._names.setdefault(key, []).append((_FORM_TIER, (ZONE, official)))
        for city in self._cities:
            self._names.setdefault(city, []).append((_CITY_TIER, (CITY, city)))
        for zone in self.zones:
            self._names.setdefault(zone.short_name, []).append((_SHORT_TIER, (ZONE, zone.name)))
        for zone in self.zones:
            for place in county_places(zone.county):
                self._names.setdefault(place, []).append((_COUNTY_TIER, (ZONE, zone.name)))
        self._usual_pinyin: dict[str, set[str]] = {}  # pinyin -> names read so
        self._other_pinyin: dict[str, set[str]] = {}
        self._deletions: dict[str, set[str]] = {}  # name minus at most one character -> names
        self._longest_name = max(map(len, self._names), default=0)  # longer queries are no typos
        for name in self._names:
            usual, others = _readings(name)
            self._usual_pinyin.setdefault(usual, set()).add(name)
            for reading in others:
                self._other_pinyin.setdefault(reading, set()).add(name)
            if len(name) >= 2:
                for deleted in _one_deletion(name):
                    self._deletions.setdefault(deleted, set()).add(name)
        self._build_place_indexes()

    def _build_place_indexes(self) -> None:
        """Index the place and zone word of each name and CSV alias (晋城 + 经济技术开发区)."""
        self._places: dict[str, dict[str, None]] = {}  # place -> official names, CSV order
        self._place_suffixes: dict[tuple[str, str], set[str]] = {}  # (place, official) -> zone words
        self._zone_suffixes: dict[str, frozenset[str]] = {}  # official name -> its zone words
        self._place_keys: dict[str, tuple[PlaceKey, ...]] = {}  # official name -> each place it is named after
        self._order = {zone.name: index for index, zone in enumerate(self.zones)}
        for zone in self.zones:
            places: dict[str, None] = {}
            suffixes: set[str] = set()
            for form in map(normalize, (zone.name, *zone.aliases)):
                suffix, place = split_type_suffix(form)[1], place_part(form, zone.cities)
                places[place] = None
                if suffix and place:
                    suffixes.add(suffix)
                    self._places.setdefault(place, {})[zone.name] = None
                    self._place_suffixes.setdefault((place, zone.name), set()).add(suffix)
            self._zone_suffixes[zone.name] = frozenset(suffixes)
            self._place_keys[zone.name] = tuple(_place_key(place) for place in places if place)
        self._place_sounds: dict[str, set[str]] = {}  # any reading of a place -> places
        for place in self._places:
            usual, others = _readings(place)
            for reading in (usual, *others):
                self._place_sounds.setdefault(reading, set()).add(place)
        # (pinyin, zone word), longest first: jinchengjingkaiqu ends in jingkaiqu, 经开区
        sounds = (("".join(lazy_pinyin(suffix)), suffix) for suffix in TYPE_SUFFIXES)
        self._pinyin_suffixes = sorted(sounds, key=lambda item: -len(item[0]))

    @classmethod
    def from_csv(cls, text: str) -> Gazetteer:
        """A gazetteer of the zones in the text of a zones CSV (see parse_zones)."""
        return cls(parse_zones(text))

    def get(self, name: str) -> Zone | None:
        """The zone with this official name, CSV alias or derived alias; None for a bare place name."""
        official = self._forms.get(normalize(name))
        return self._by_name[official] if official else None

    def forms(self) -> dict[str, str]:
        """Every written form (official, aliases, derived aliases) -> official name.

        Forms two zones share are left out: they name neither zone for sure.
        """
        return {self._written[key]: official for key, official in self._forms.items()}

    def mentions(self, text: str) -> list[Mention]:
        """Zone names in `text`: leftmost-longest, non-overlapping, offsets into `text` itself.

        Matching runs on the normalised text, so a name broken by a PDF line or space
        ("中北高新技术 产业开发区") or written in traditional characters is found; `surface` is the
        text as given. A form two zones share is skipped (and does not let a shorter form inside it
        match instead).

        Example usage::

            gazetteer.mentions("今年山西综改 示范区……")
            # [Mention(zone='山西转型综合改革示范区', start=2, end=9, surface='山西综改 示范区')]
        """
        normal, offsets = _normalize_with_offsets(text)
        found: list[Mention] = []
        for match in self._form_pattern.finditer(normal):
            official = self._forms.get(match.group())
            if official is not None:  # else a shared form: skipped, with what it spans
                start, end = offsets[match.start()], offsets[match.end() - 1] + 1
                found.append(Mention(official, start, end, text[start:end]))
        return found

    def cities(self) -> dict[str, tuple[Zone, ...]]:
        """City -> its zones, in CSV order (a zone with two cities is under both)."""
        return dict(self._cities)

    def city_in(self, text: str) -> str | None:
        """The first city named in `text` ("长治市" -> "长治"), else None."""
        normal = normalize(text)
        positions = [(normal.find(city), city) for city in self._cities if city in normal]
        return min(positions)[1] if positions else None

    def lookup(self, query: str) -> Lookup:
        """What `query` (typed after /zone, maybe on a phone) means: a zone, a city, or nothing.

        In order: 1. official name or alias; 2. city (吕梁, 晋城市), which wins over a zone's short
        name; 3. short name (灵石, 盐湖), then the county a zone lies in (太谷); 4. the same after
        traditional -> simplified (晉城); 5. pinyin, with or without tones, spaces or capitals
        (jincheng, Jìn Chéng); 6. a zone's place with a zone word of its kind (晋城经济开发区 ->
        晋城经济技术开发区; a bare 开发区 fits any kind): a place named exactly is never taken
        for another place, so 晋城高新区 matches nothing and suggests 晋城经济技术开发区 first;
        7. typos: the same pinyin (晋成) or, for names of two or more characters, one character
        off. A query that fits several names equally matches none of them; they come back first
        in `suggestions`, which a query that matched nothing fills up to three with the zones
        closest to it (see _closeness) — unless it has no Chinese character or Latin letter, or
        is pasted text or a sentence: those get only the zones they name.

        Example usage::

            gazetteer.lookup("晉城").city  # '晋城' (how == "traditional")
            gazetteer.lookup("灵石").zone.name  # '灵石经济技术开发区' (how == "short")
            gazetteer.lookup("清徐经济技术开发区").zone.name  # '清徐经济开发区' (how == "suffix")

        A lookup is pure, so up to MAX_CACHED_LOOKUPS of them are kept, and the cache starts again
        when it is full (the page reader asks about the same bylines on every page).
        """
        found = self._lookups.get(query)
        if found is None:
            if len(self._lookups) >= MAX_CACHED_LOOKUPS:
                self._lookups.clear()
            found = self._lookups[query] = self._look_up(query)
        return found

    def _look_up(self, query: str) -> Lookup:
        cleaned = clean(query)
        if len(cleaned) > MAX_QUERY_CHARS:
            return self._nothing(query, cleaned)
        simplified = normalize(cleaned)
        found = self._first_match(query, simplified, self._name_steps(cleaned, simplified)) or (
            self._place_and_suffix_match(query, simplified)
        )
        if found is not None:
            return found
        typo = self._first_match(query, simplified, self._typo_steps(cleaned, simplified))
        return self._nothing(query, simplified, (self._meant(typo), self._county_zones(simplified)), how=_how(typo))

    def _meant(self, typo: Lookup | None) -> tuple[str, ...]:
        """The zones a typo may mean (suggested, never taken): the zone, or the city's zones."""
        if typo is None:
            return ()
        if typo.zone is not None:
            return (typo.zone.name,)
        if typo.city is not None:
            return tuple(zone.name for zone in self._cities.get(typo.city, ()))
        return tuple(zone.name for zone in typo.suggestions)

    def _county_zones(self, simplified: str) -> tuple[str, ...]:
        """The zones of the city a Shanxi county or county-level city without a zone lies in
        (榆社 -> 晋中's zones), from the administrative divisions."""
        city = city_of_county(simplified)
        return tuple(zone.name for zone in self._cities.get(city, ())) if city else ()

    def _name_steps(self, cleaned: str, simplified: str) -> Iterator[tuple[str | None, set[str]]]:
        """The names `cleaned` is as typed, in simplified characters, in pinyin."""
        yield None, self._exact_names(cleaned)
        if simplified != cleaned:
            yield "traditional", self._exact_names(simplified)
        typed_pinyin = pinyin_key(cleaned)
        if typed_pinyin:
            yield "pinyin", self._usual_pinyin.get(typed_pinyin, set())
            yield "pinyin", self._other_pinyin.get(typed_pinyin, set())

    def _typo_steps(self, cleaned: str, simplified: str) -> Iterator[tuple[str | None, set[str]]]:
        """The names Chinese `simplified` sounds like, then those one character off it."""
        characters = len(CJK.findall(simplified))
        if pinyin_key(cleaned) or not characters or characters > self._longest_name + 1:
            return
        usual, others = _readings(simplified)
        yield "typo", self._usual_pinyin.get(usual, set())
        yield "typo", {name for reading in (usual, *others) for name in self._other_pinyin.get(reading, ())}
        if len(simplified) >= 2:
            yield "typo", self._one_off_names(simplified)

    def _first_match(
        self, query: str, simplified: str, steps: Iterable[tuple[str | None, set[str]]]
    ) -> Lookup | None:
        """The lookup of the first step that finds names, else None."""
        for how, names in steps:
            if names:
                return self._resolve(query, simplified, names, how)
        return None

    def _place_and_suffix_match(self, query: str, simplified: str) -> Lookup | None:
        """The zone named after the place `simplified` names with a zone word of its kind; None
        when the query names no zone's place or ends in no zone word."""
        typed = self._typed(simplified)
        places = self._named_places(typed) if typed.suffix else ()
        if not places:
            return None
        named = [name for place in places for name in self._places[place]]
        fitting = [
            name
            for place in places
            for name in self._places[place]
            if any(_suffix_fits(typed.suffix, suffix) for suffix in self._place_suffixes[place, name])
        ]
        if len(set(fitting)) == 1:
            return Lookup(query, self._by_name[fitting[0]], None, (), "suffix")
        if fitting:
            return self._nothing(query, simplified, (fitting,))
        in_city = [  # 临汾高新区: 临汾 has only an 经开区, its city a 高新区 (尧都高新区)
            zone.name
            for place in places
            for zone in self._cities.get(place, ())
            if any(_suffix_fits(typed.suffix, suffix) for suffix in self._zone_suffixes[zone.name])
        ]
        return self._nothing(query, simplified, (named, in_city))

    def _typed(self, text: str) -> _Typed:
        """`text` (normalised) cut into place and zone word: 晋城经济开发区, jinchengjingkaiqu,
        jincheng经开区."""
        stem, suffix = split_type_suffix(text)
        sound = pinyin_key(stem) or ""
        if sound and not suffix:
            for suffix_sound, word in self._pinyin_suffixes:
                if sound.endswith(suffix_sound) and len(sound) > len(suffix_sound):
                    sound, suffix = sound[: -len(suffix_sound)], word
                    break
        place = "" if sound else place_part(text)
        syllables = frozenset(lazy_pinyin(place, errors="ignore"))
        return _Typed(place, frozenset(place), sound, _letter_pairs(sound), syllables, suffix)

    def _named_places(self, typed: _Typed) -> tuple[str, ...]:
        """The zone places `typed` names exactly: its place, maybe without a leading city or trailing
        市 (运城盐湖 -> 盐湖, 晋城市 -> 晋城), or every place read as its pinyin."""
        if typed.sound:
            return tuple(sorted(self._place_sounds.get(typed.sound, ())))
        place = typed.place
        tries = [place, place.removesuffix(CITY_SUFFIX)]
        tries += [place.removeprefix(city) for city in self._cities if place.startswith(city)]
        return next(((name,) for name in tries if len(name) >= 2 and name in self._places), ())

    def _exact_names(self, text: str) -> set[str]:
        """{the name `text` is, or is once a trailing 市/县 is dropped (晋城市, 灵石县)}, or {}."""
        for candidate in (text, text.removesuffix(CITY_SUFFIX), text.removesuffix(COUNTY_SUFFIX)):
            if candidate in self._names:
                return {candidate}
            if candidate in self._shared:
                return {candidate}
        return set()

    def _one_off_names(self, text: str) -> set[str]:
        found = {name for deleted in _one_deletion(text) for name in self._deletions.get(deleted, ())}
        return {name for name in found if _one_edit_apart(text, name)}

    def _resolve(self, query: str, simplified: str, names: set[str], how: str | None) -> Lookup:
        """One target when every name hit means the same thing, else suggestions from all of them."""
        targets: set[Target] = set()
        for name in names:
            if name in self._shared:
                targets.update((ZONE, official) for official in self._shared[name])
                continue
            entries = self._names[name]
            tier = min(entry_tier for entry_tier, _ in entries)
            targets.update(target for entry_tier, target in entries if entry_tier == tier)
        if len(targets) != 1:
            suggested = [
                zone.name
                for kind, value in targets
                for zone in (self._cities[value] if kind == CITY else (self._by_name[value],))
            ]
            return self._nothing(query, simplified, (suggested,))
        (kind, value), name = next(iter(targets)), next(iter(names))
        if how is None:  # an exact hit: `names` is that one name
            if kind == CITY:
                how = "city"
            elif name in self._forms:
                how = "exact" if self._form_ranks[name] == _OFFICIAL else "alias"
            else:
                how = "short"
        if kind == CITY:
            return Lookup(query, None, value, (), how)
        return Lookup(query, self._by_name[value], None, (), how)

    def _nothing(self, query: str, text: str, first: tuple[Iterable[str], ...] = (), how: str = "none") -> Lookup:
        """No single match: suggest the zones in `first`, group by group, each closest first; then
        the zones `text` names; then, unless `text` is pasted text or a sentence or has no Chinese
        character or Latin letter, the zones closest to it."""
        names = [mention.zone for mention in self.mentions(text)]
        if len(text) <= MAX_QUERY_CHARS:
            closeness = functools.partial(self._closeness, self._typed(text))
            names = [name for group in first for name in sorted(set(group), key=closeness)] + names
            if WORD_CHAR.search(text) and not _is_sentence(text):
                names += sorted(self._by_name, key=closeness)
        ranked = list(dict.fromkeys(names))[:MAX_SUGGESTIONS]
        return Lookup(query, None, None, tuple(self._by_name[name] for name in ranked), how)

    def _closeness(self, typed: _Typed, official: str) -> tuple[float, float, bool, int]:
        """Sort key of a zone for a query, closest first: how alike the places are, then the zone
        words, then national-level zones first, then CSV order.

        Places: Chinese ones by the mean overlap of their characters and of their pinyin syllables
        (火星 and 转型 share only "xing"), pinyin ones by the overlap of their letter pairs
        (jinchen and jincheng share 6 of 7). Zone words: 1 when they fit (see _suffix_fits), else
        the overlap of their characters.
        """
        keys = self._place_keys[official]
        places: list[float] = []
        if typed.sound:
            places = [_overlap(typed.sound_pairs, pairs) for _, _, readings in keys for pairs in readings]
        elif typed.place:
            places = [
                (_overlap(chars, typed.chars) + _overlap(sounds, typed.syllables)) / 2
                for chars, sounds, _ in keys
            ]
        words: list[float] = []
        if typed.suffix:
            typed_chars = frozenset(typed.suffix)
            words = [
                1.0 if _suffix_fits(typed.suffix, suffix) else _overlap(typed_chars, frozenset(suffix))
                for suffix in self._zone_suffixes[official]
            ]
        national = self._by_name[official].level == NATIONAL_LEVEL
        return -max(places, default=0.0), -max(words, default=0.0), not national, self._order[official]


def _how(typo: Lookup | None) -> str:
    """How a lookup that matched nothing is marked: "typo" when a typo's zones come first."""
    return "typo" if typo is not None and (typo.zone or typo.city or typo.suggestions) else "none"
