"""The zone gazetteer on the real config/zones.csv and the real seed pages."""

import csv
import io
from pathlib import Path

import pytest

from summarize.zones import (
    Gazetteer,
    GazetteerError,
    Mention,
    derive_forms,
    normalize,
    place_part,
    split_type_suffix,
    stated_level,
)

ROOT = Path(__file__).resolve().parent.parent
ZONES_CSV = (ROOT / "config" / "zones.csv").read_text("utf-8")
SEEDS = {path.name[:3]: path.read_text("utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))}


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_csv(ZONES_CSV)


# Every zone the seed pages name, as the seeds write it -> the official name in config/zones.csv.
SEED_NAMES = {
    "大同经济技术开发区": "大同经济技术开发区",
    "大同经开区": "大同经济技术开发区",
    "山西转型综改示范区": "山西转型综合改革示范区",
    "山西综改示范区": "山西转型综合改革示范区",
    "山西综改区": "山西转型综合改革示范区",
    "综改示范区": "山西转型综合改革示范区",
    "盐湖高新区": "运城盐湖高新技术产业开发区",
    "运城盐湖高新区": "运城盐湖高新技术产业开发区",
    "盐湖高新技术产业开发区": "运城盐湖高新技术产业开发区",
    "灵石经济技术开发区": "灵石经济技术开发区",
    "寿阳经济技术开发区": "寿阳经济技术开发区",
    "寿阳开发区": "寿阳经济技术开发区",
    "长治经济技术开发区": "长治经济技术开发区",
    "长治经开区": "长治经济技术开发区",
    "长子经济技术开发区": "长子经济技术开发区",
    "平遥经济技术开发区": "平遥经济技术开发区",
    "平遥开发区": "平遥经济技术开发区",
    "文水经济开发区": "文水经济开发区",
    "文水经开区": "文水经济开发区",
    "孝义经济开发区": "孝义经济开发区",
    "祁县经济开发区": "祁县经济开发区",
    "屯留经济技术开发区": "屯留经济技术开发区",
    "屯留经开区": "屯留经济技术开发区",
    "交城经济开发区": "交城经济开发区",
    "盂县经济技术开发区": "盂县经济技术开发区",
    "盂县经开区": "盂县经济技术开发区",
    "晋城经济技术开发区": "晋城经济技术开发区",
    "晋城经开区": "晋城经济技术开发区",
    "吕梁经济技术开发区": "吕梁经济技术开发区",
    "吕梁经开区": "吕梁经济技术开发区",
    "襄汾经济技术开发区": "襄汾经济技术开发区",
    "临汾经济开发区": "临汾经济开发区",
    "清徐经济开发区": "清徐经济开发区",
    "清徐经开区": "清徐经济开发区",
    "朔州经济开发区": "朔州经济开发区",
    "朔州经开区": "朔州经济开发区",
    "阳泉高新区": "阳泉高新技术产业开发区",
    "中北高新技术产业开发区": "中北高新技术产业开发区",
    "中北高新技术 产业开发区": "中北高新技术产业开发区",
    "中北高新区": "中北高新技术产业开发区",
    "太原中北高新区": "中北高新技术产业开发区",
    "太忻一体化经济区": "太忻一体化经济区",
    "忻州经济开发区": "忻州经济开发区",
    "原平经济技术开发区": "原平经济技术开发区",
}


@pytest.mark.parametrize("written, official", SEED_NAMES.items())
def test_every_zone_the_seeds_name_resolves(gazetteer, written, official):
    assert any(written in text for text in SEEDS.values()), f"{written} is not in the seeds"
    assert official == gazetteer.get(written).name


def test_the_seeds_mention_exactly_these_zones(gazetteer):
    mentioned = {mention.zone for text in SEEDS.values() for mention in gazetteer.mentions(text)}
    assert set(SEED_NAMES.values()) == mentioned


def test_mentions_in_a_seed_paragraph(gazetteer):
    paragraph = next(line for line in SEEDS["001"].splitlines() if line.startswith("今年以来,山西转型综改示范区"))
    found = gazetteer.mentions(paragraph)
    assert [
        ("山西转型综合改革示范区", "山西转型综改示范区"),
        ("太忻一体化经济区", "太忻一体化经济区"),
        ("中北高新技术产业开发区", "中北高新技术 产业开发区"),
        ("清徐经济开发区", "清徐经济开发区"),
    ] == [(mention.zone, mention.surface) for mention in found]
    assert all(paragraph[m.start : m.end] == m.surface for m in found)


def test_mentions_are_leftmost_longest(gazetteer):
    text = "运城盐湖高新区与盐湖高新区；山西转型综合改革示范区阳曲产业园区"
    assert [
        Mention("运城盐湖高新技术产业开发区", 0, 7, "运城盐湖高新区"),
        Mention("运城盐湖高新技术产业开发区", 8, 13, "盐湖高新区"),
        Mention("山西转型综合改革示范区", 14, 25, "山西转型综合改革示范区"),
    ] == gazetteer.mentions(text)


def test_mentions_normalise_traditional_full_width_and_line_breaks(gazetteer):
    text = "據報道，晉城經開區與临汾经济开\n发区签约"
    found = gazetteer.mentions(text)
    assert ["晋城经济技术开发区", "临汾经济开发区"] == [m.zone for m in found]
    assert ["晉城經開區", "临汾经济开\n发区"] == [m.surface for m in found]


@pytest.mark.parametrize("text", ["晋城市", "清徐县的项目", "灵石", "开发区", "经开区", ""])
def test_a_bare_place_or_zone_word_is_not_a_mention(gazetteer, text):
    assert [] == gazetteer.mentions(text)
    assert gazetteer.get(text) is None


def test_forms_hold_official_names_aliases_and_derived_forms(gazetteer):
    forms = gazetteer.forms()
    assert "晋城经济技术开发区" == forms["晋城经济技术开发区"]
    assert "晋城经济技术开发区" == forms["晋城开发区"]
    assert "长子经济技术开发区" == forms["长子经开区"]  # derived: the CSV lists no alias
    assert "山西风陵渡经济开发区" == forms["风陵渡经开区"]
    cities = set(gazetteer.cities())
    shorts = {zone.short_name for zone in gazetteer.zones}
    assert not (set(forms) & (cities | shorts))


def test_a_form_two_zones_share_names_neither():
    text = (
        "name,aliases,city,county,level,type,source\n"
        "甲乙经济技术开发区,东区,太原,,省级,经济技术开发区,test\n"
        "丙丁经济开发区,东区,太原,,省级,经济开发区,test\n"
    )
    gazetteer = Gazetteer.from_csv(text)
    assert gazetteer.get("东区") is None
    assert "东区" not in gazetteer.forms()
    assert [] == gazetteer.mentions("东区经济")
    assert "甲乙经济技术开发区" == gazetteer.get("甲乙经开区").name


def test_a_shared_form_hides_the_shorter_forms_inside_it():
    text = (
        "name,aliases,city,county,level,type,source\n"
        "甲乙经济技术开发区,东区园,太原,,省级,经济技术开发区,test\n"
        "丙丁经济开发区,东区园|区园,太原,,省级,经济开发区,test\n"
    )
    gazetteer = Gazetteer.from_csv(text)
    assert [] == gazetteer.mentions("东区园")  # 区园 (丙丁's alone) lies inside the shared 东区园
    assert [Mention("丙丁经济开发区", 1, 3, "区园")] == gazetteer.mentions("西区园")


@pytest.mark.parametrize(
    "text, surfaces",
    [
        ("晋城 经开区", ["晋城 经开区"]),  # spaces dropped, offsets into the text as given
        ("　晋城经开区和\t灵石经开区", ["晋城经开区", "灵石经开区"]),
        ("İ晋城经开区", ["晋城经开区"]),  # İ lower-cases to two characters
        ("ＡＢ晉城經開區", ["晉城經開區"]),
    ],
)
def test_mentions_point_into_the_text_as_given(gazetteer, text, surfaces):
    found = gazetteer.mentions(text)
    assert surfaces == [mention.surface for mention in found]
    assert all(text[mention.start : mention.end] == mention.surface for mention in found)


def test_lookups_are_kept_and_stay_the_same(gazetteer):
    fresh = Gazetteer.from_csv(ZONES_CSV)
    for query in ("王波", "晉城", "jincheng", "晋成", "祁县经济技术开发区"):
        assert gazetteer.lookup(query) is gazetteer.lookup(query)
        assert fresh.lookup(query) == gazetteer.lookup(query)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("晋城经济技术开发区", ("晋城经开区", "晋城开发区")),
        ("文水经济开发区", ("文水经开区", "文水开发区")),
        ("阳泉高新技术产业开发区", ("阳泉高新区",)),
        ("山西转型综合改革示范区", ("山西转型综改示范区", "山西转型综改区", "转型综合改革示范区", "转型综改示范区", "转型综改区")),
        ("阳曲现代农业产业示范区", ()),
    ],
)
def test_derive_forms(name, expected):
    assert expected == derive_forms(name)


@pytest.mark.parametrize(
    "name, cities, expected",
    [
        ("晋城经济技术开发区", ["晋城"], "晋城"),
        ("运城盐湖高新技术产业开发区", ["运城"], "盐湖"),
        ("山西转型综合改革示范区晋中开发区", ["晋中"], "晋中"),
        ("山西晋中国家农业高新技术产业示范区", ["晋中"], "晋中"),
        ("山西风陵渡经济开发区", ["运城"], "风陵渡"),
        ("汾西县产业集聚区", ["临汾"], "汾西"),
        ("兴县经济技术开发区", ["吕梁"], "兴县"),
        ("山西转型综合改革示范区", ["太原"], "太原"),
        ("火星开发区", [], "火星"),
    ],
)
def test_place_part(name, cities, expected):
    assert expected == place_part(name, cities)


def test_every_csv_row_is_a_zone_and_doubtful_marks_are_kept(gazetteer):
    rows = list(csv.DictReader(io.StringIO(ZONES_CSV)))
    assert [row["name"] for row in rows] == [zone.name for zone in gazetteer.zones]
    for row, zone in zip(rows, gazetteer.zones):
        marked = "[UNSURE" in row["source"] or row["level"].startswith("未确认") or "[推定]" in row["county"]
        assert zone.doubtful or not marked, zone.name
        assert row["source"] == zone.source and row["level"] == zone.level and row["county"] == zone.county
    by_name = {zone.name: zone for zone in gazetteer.zones}
    assert "经济区（非开发区）" == by_name["太忻一体化经济区"].type
    assert ("太原", "忻州") == by_name["太忻一体化经济区"].cities
    assert "太原" == by_name["太忻一体化经济区"].city
    for added in ("灵石经济技术开发区", "寿阳经济技术开发区", "长子经济技术开发区", "平遥经济技术开发区"):
        assert by_name[added].doubtful
        assert "seeds/" in by_name[added].source


@pytest.mark.parametrize(("level", "shown"), [
    ("国家级", "国家级"), ("省级", "省级"), ("省级战略区域", "省级战略区域"), ("", None), ("未确认", None),
    ("未确认（推定省级）", None), ("省级（推定）", None), ("非省级开发区（推定）", None),
])
def test_stated_level_drops_the_gazetteers_guesses(level, shown):
    assert shown == stated_level(level)


def test_every_level_in_the_gazetteer_is_stated_or_unknown(gazetteer):
    shown = {stated_level(zone.level) for zone in gazetteer.zones}
    assert shown == {"国家级", "省级", "省级战略区域", None}


def test_cities_and_city_in(gazetteer):
    cities = gazetteer.cities()
    assert 11 == len(cities)  # Shanxi's eleven prefecture-level cities
    assert "太忻一体化经济区" in {zone.name for zone in cities["忻州"]}
    assert "太忻一体化经济区" in {zone.name for zone in cities["太原"]}
    assert "长治" == gazetteer.city_in("长治市召开开发区工作会议")
    assert "晋城" == gazetteer.city_in("来自晉城市的消息")
    assert gazetteer.city_in("没有城市的句子") is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,city\n晋城经济技术开发区,晋城\n", "缺少列：aliases、county、level、type、source"),
        ("name,aliases,city,county,level,type,source\n,,晋城,,,,\n", "第 2 行没有名称"),
        ("name,aliases,city,county,level,type,source\n甲,,晋城,,,,\n甲,,晋城,,,,\n", "第 3 行重复了“甲”"),
    ],
)
def test_a_broken_csv_says_what_is_wrong(text, message):
    with pytest.raises(GazetteerError, match=message):
        Gazetteer.from_csv(text)


def test_normalize():
    assert "晋城经开区abc1" == normalize(" 晉城\u3000經開區\nＡＢＣ１ ")


@pytest.mark.parametrize(
    "query, how, zone, city",
    [
        ("晋城经济技术开发区", "exact", "晋城经济技术开发区", None),
        ("晋城经开区", "alias", "晋城经济技术开发区", None),
        (" 晋城 经开区 ", "alias", "晋城经济技术开发区", None),
        ("长子经开区", "alias", "长子经济技术开发区", None),  # derived, not in the CSV
        ("综改区", "alias", "山西转型综合改革示范区", None),
        ("盐湖高新区", "alias", "运城盐湖高新技术产业开发区", None),
        ("晋城", "city", None, "晋城"),
        ("晋城市", "city", None, "晋城"),
        ("吕梁", "city", None, "吕梁"),
        ("忻州", "city", None, "忻州"),
        ("灵石", "short", "灵石经济技术开发区", None),
        ("灵石县", "short", "灵石经济技术开发区", None),
        ("盐湖", "short", "运城盐湖高新技术产业开发区", None),
        ("清徐", "short", "清徐经济开发区", None),
        ("太谷", "short", "山西晋中国家农业高新技术产业示范区", None),  # its county
        ("晉城", "traditional", None, "晋城"),
        ("晉城經開區", "traditional", "晋城经济技术开发区", None),
        ("jincheng", "pinyin", None, "晋城"),
        ("JinCheng", "pinyin", None, "晋城"),
        ("jin cheng", "pinyin", None, "晋城"),
        ("Jìn Chéng", "pinyin", None, "晋城"),
        ("jin4 cheng2", "pinyin", None, "晋城"),
        ("ｊｉｎｃｈｅｎｇ", "pinyin", None, "晋城"),
        ("lvliang", "pinyin", None, "吕梁"),
        ("lüliang", "pinyin", None, "吕梁"),
        ("changzhi", "pinyin", None, "长治"),  # pypinyin's usual reading of 长治 is zhang zhi
        ("yanhu", "pinyin", "运城盐湖高新技术产业开发区", None),
        ("jinchengjingkaiqu", "pinyin", "晋城经济技术开发区", None),
        ("luliang", "pinyin", None, "吕梁"),  # ü typed u
        ("lvliang", "pinyin", None, "吕梁"),  # ü typed v
        ("河津", "short", "河津经济技术开发区", None),
        ("介休", "short", "介休经济技术开发区", None),
    ],
)
def test_lookup(gazetteer, query, how, zone, city):
    found = gazetteer.lookup(query)
    assert (how, zone, city, ()) == (found.how, found.zone and found.zone.name, found.city, found.suggestions)
    assert query == found.query


@pytest.mark.parametrize(
    "query, first",
    [
        ("晋成", "晋城经济技术开发区"),  # same pinyin as the city 晋城: its zones are suggested
        ("晋城经开", "晋城经济技术开发区"),  # one character short
        ("平遥经济技术开法区", "平遥经济技术开发区"),  # one character wrong
        ("综改", "山西转型综合改革示范区"),
        ("河律", "河津经济技术开发区"),
        ("长冶", "长治高新技术产业开发区"),  # one character off both 长治 and 长子
        ("晋阳", "山西转型综合改革示范区晋中开发区"),  # one character off both 晋中 and 晋城
    ],
)
def test_a_typo_is_only_suggested_never_taken(gazetteer, query, first):
    """A typo is not a name: the zones it may mean come first among the suggestions."""
    found = gazetteer.lookup(query)
    assert ("typo", None, None) == (found.how, found.zone, found.city)
    assert first == found.suggestions[0].name


def test_a_different_place_with_the_same_ending_is_not_that_zone():
    """河津 is one character off 茅津: with 河津 unlisted, /zone 河津 must not answer with 茅津."""
    text = (
        "name,aliases,city,county,level,type,source\n"
        "茅津经济开发区,,运城,平陆县,省级,经济开发区,test\n"
        "晋城经济技术开发区,,晋城,,国家级,经济技术开发区,test\n"
    )
    found = Gazetteer.from_csv(text).lookup("河津")
    assert (None, None) == (found.zone, found.city)
    assert "茅津经济开发区" in [zone.name for zone in found.suggestions]


def test_a_county_without_a_zone_suggests_its_citys_zones(gazetteer):
    """榆社 is a county of 晋中 (administrative divisions) with no zone in the gazetteer."""
    found = gazetteer.lookup("榆社")
    assert (None, None) == (found.zone, found.city)
    assert {zone.city for zone in found.suggestions} == {"晋中"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("盐湖区", {"运城盐湖高新技术产业开发区", "运城经济技术开发区"}),  # the county of two zones
        ("晋城高薪区", {"晋城经济技术开发区"}),
        ("jinchen", {"晋城经济技术开发区"}),
    ],
)
def test_lookup_without_one_match_suggests_the_closest_zones(gazetteer, query, expected):
    found = gazetteer.lookup(query)
    assert ("none", None, None) == (found.how, found.zone, found.city)
    assert 1 <= len(found.suggestions) <= 3
    assert expected <= {zone.name for zone in found.suggestions}


def test_lookup_of_a_form_two_zones_share_suggests_both():
    text = (
        "name,aliases,city,county,level,type,source\n"
        "甲乙经济技术开发区,东区,太原,,省级,经济技术开发区,test\n"
        "丙丁经济开发区,东区,太原,,省级,经济开发区,test\n"
    )
    found = Gazetteer.from_csv(text).lookup("东区")
    assert ("none", None) == (found.how, found.zone)
    assert ["甲乙经济技术开发区", "丙丁经济开发区"] == sorted((z.name for z in found.suggestions), reverse=True)


LONG_PARAGRAPH = max(SEEDS["001"].splitlines(), key=len)


@pytest.mark.parametrize(
    "query",
    ["火星开发区", "🚀🏭", "", "   ", "abc", "x" * 2000, "晋" * 2000, "?!/zone", "\x00", LONG_PARAGRAPH * 10],
)
def test_lookup_of_anything_else_matches_nothing_and_does_not_crash(gazetteer, query):
    found = gazetteer.lookup(query)
    assert ("none", None, None) == (found.how, found.zone, found.city)
    assert len(found.suggestions) <= 3


def test_lookup_of_pasted_text_suggests_the_zones_it_names(gazetteer):
    paragraph = next(line for line in SEEDS["001"].splitlines() if line.startswith("今年以来,山西转型综改示范区"))
    found = gazetteer.lookup(paragraph * 3)
    assert ["山西转型综合改革示范区", "太忻一体化经济区", "中北高新技术产业开发区"] == [z.name for z in found.suggestions]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("晋城经济开发区", ("晋城", "经济开发区")),
        ("运城盐湖高新技术产业开发区", ("运城盐湖", "高新技术产业开发区")),
        ("jincheng经开区", ("jincheng", "经开区")),
        ("晋城", ("晋城", "")),
    ],
)
def test_split_type_suffix(name, expected):
    assert expected == split_type_suffix(name)


@pytest.mark.parametrize(
    "query, how, zone",
    [
        ("晋城经济开发区", "suffix", "晋城经济技术开发区"),  # not 交城经济开发区, one character off
        ("晉城經濟開發區", "suffix", "晋城经济技术开发区"),
        ("晋城市经济开发区", "suffix", "晋城经济技术开发区"),
        ("jinchengjingjikaifaqu", "suffix", "晋城经济技术开发区"),
        ("jincheng经济开发区", "suffix", "晋城经济技术开发区"),
        ("清徐开发区", "alias", "清徐经济开发区"),
        ("清徐经济技术开发区", "suffix", "清徐经济开发区"),
        ("灵石经开区", "alias", "灵石经济技术开发区"),
        ("灵石县经济开发区", "suffix", "灵石经济技术开发区"),
        ("盐湖高新技术产业开发区", "alias", "运城盐湖高新技术产业开发区"),
        ("运城盐湖开发区", "suffix", "运城盐湖高新技术产业开发区"),  # a bare 开发区 fits any kind
        ("尧都开发区", "suffix", "尧都高新区"),
        ("中北高新技术开发区", "suffix", "中北高新技术产业开发区"),
        ("太原经济开发区", "suffix", "太原经济技术开发区"),  # not 太原高新区, nor the 综改区 (太原)
        ("晋中经济开发区", "suffix", "山西转型综合改革示范区晋中开发区"),  # not the 晋中农高区
        ("阳曲示范区", "suffix", "阳曲现代农业产业示范区"),
    ],
)
def test_lookup_of_a_place_with_another_zone_word_of_its_kind(gazetteer, query, how, zone):
    found = gazetteer.lookup(query)
    assert (how, zone, None, ()) == (found.how, found.zone and found.zone.name, found.city, found.suggestions)


@pytest.mark.parametrize(
    "query, first",
    [
        ("晋城高新区", ["晋城经济技术开发区"]),  # 晋城 has an 经开区 only
        ("大同高新区", ["大同经济技术开发区"]),
        ("临汾高新区", ["临汾经济开发区", "尧都高新区"]),  # then the 高新区 in the city 临汾
        ("运城高新区", ["运城经济技术开发区", "运城盐湖高新技术产业开发区"]),
        ("晋中高新区", ["山西晋中国家农业高新技术产业示范区", "山西转型综合改革示范区晋中开发区"]),
    ],
)
def test_a_place_with_a_zone_word_of_another_kind_suggests_that_place_first(gazetteer, query, first):
    found = gazetteer.lookup(query)
    assert ("none", None, None) == (found.how, found.zone, found.city)
    assert 3 == len(found.suggestions)
    assert first == [zone.name for zone in found.suggestions][: len(first)]


def test_a_place_with_a_zone_word_two_of_its_zones_fit_matches_neither():
    text = (
        "name,aliases,city,county,level,type,source\n"
        "甲乙现代农业产业示范区,,太原,,省级,现代农业产业示范区,test\n"
        "甲乙生态文化旅游示范区,,太原,,省级,生态文化旅游示范区,test\n"
        "丙丁经济开发区,,太原,,省级,经济开发区,test\n"
    )
    found = Gazetteer.from_csv(text).lookup("甲乙示范区")
    assert ("none", None) == (found.how, found.zone)
    assert ["甲乙现代农业产业示范区", "甲乙生态文化旅游示范区", "丙丁经济开发区"] == [z.name for z in found.suggestions]


@pytest.mark.parametrize(
    "query, expected",
    [
        # Three zones share one syllable with 火星 (转型, 霍州, 兴县): national first, then CSV order.
        ("火星开发区", ["山西转型综合改革示范区", "霍州经济技术开发区", "兴县经济技术开发区"]),
        # 晋中, 交城 and 阳城 are as near 晋城 (a character, a syllable): the nearer zone word goes first.
        ("晋城高新区", ["晋城经济技术开发区", "山西晋中国家农业高新技术产业示范区", "山西转型综合改革示范区晋中开发区"]),
        ("jinchen", ["晋城经济技术开发区", "运城经济技术开发区", "河津经济技术开发区"]),
        ("长冶", ["长治高新技术产业开发区", "长治经济技术开发区", "长子经济技术开发区"]),
    ],
)
def test_suggestions_are_ranked_by_place_then_zone_word_then_level_and_csv_order(gazetteer, query, expected):
    assert expected == [zone.name for zone in gazetteer.lookup(query).suggestions]


@pytest.mark.parametrize("query", ["火星开发区", "abc开发区", "xyz", "Mars", "开发区", "?!/zone", "火" * 64])
def test_an_unknown_name_gets_three_suggestions(gazetteer, query):
    found = gazetteer.lookup(query)
    assert ("none", None, None) == (found.how, found.zone, found.city)
    assert 3 == len(found.suggestions)


@pytest.mark.parametrize(
    "query",
    ["🚀", "🚀🏭", "", "   ", "?!", "123", "\x00", "完全不相干的一句话，与开发区无关", "x" * 2000, "火星" * 1000],
)
def test_no_suggestions_without_a_letter_or_character_or_for_sentences_and_pasted_text(gazetteer, query):
    found = gazetteer.lookup(query)
    assert ("none", None, None, ()) == (found.how, found.zone, found.city, found.suggestions)
