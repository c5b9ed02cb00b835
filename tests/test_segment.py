"""split_page on the five real seed pages and on small pages composed in the same style.

Source of the seeds: 科学导报「开发区建设」 pages, text extracted from PDF (seeds/, unchanged).
The synthetic pages use real zone names from config/zones.csv and invented events and people.
"""

from collections import Counter
from pathlib import Path

import pytest

from summarize.segment import (
    ARTICLE,
    NOTE_BYLINE_LABEL,
    NOTE_CONTINUATION,
    NOTE_MASTHEAD,
    NOTE_SECTION,
    PHOTO,
    Article,
    Page,
    split_page,
)
from summarize.zones import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
# Characters of a photo credit that no field keeps: "张哲远摄" -> author 张哲远, "XX供图" -> author XX.
CREDIT_CHARS = frozenset("摄供图")


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_csv((ROOT / "config" / "zones.csv").read_text("utf-8"))


def seed_text(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text("utf-8")


@pytest.fixture(scope="module")
def seed_pages(gazetteer: Gazetteer) -> dict[str, Page]:
    return {number: split_page(seed_text(number), gazetteer) for number in ("000", "001", "002", "003", "004")}


def cjk(text: str) -> Counter[str]:
    return Counter(char for char in text if "\u4e00" <= char <= "\u9fff")


def _credited_in_dateline(article: Article) -> bool:
    author, dateline = article.author, article.dateline
    if not author or not dateline:
        return False
    return all(name in dateline for name in author.split())


def placed_text(page: Page) -> str:
    """Every piece of page text the parser kept: article fields, fragments, recognised lines."""
    parts: list[str] = []
    for article in page.articles:
        parts += [article.title or "", article.subtitle or "", article.kicker or "", article.dateline or ""]
        parts += article.body
        if article.author and not _credited_in_dateline(article):
            parts.append(article.author)
    parts += page.fragments
    kept_notes = (NOTE_MASTHEAD, NOTE_SECTION, NOTE_CONTINUATION, NOTE_BYLINE_LABEL)
    parts += [note for note in page.notes if note.startswith(kept_notes)]
    return "\n".join(parts)


def assert_every_character_placed_once(text: str, page: Page) -> None:
    """Every Chinese character is kept exactly once, except credit words (CREDIT_CHARS) and a
    byline that repeats the reporter its article's dateline names (科学导报 记者王波 … 文/图 王波)."""
    kept, given = cjk(placed_text(page)), cjk(text)
    repeated = sum((cjk(a.author or "") for a in page.articles if _credited_in_dateline(a)), Counter())
    lost = given - kept - repeated
    assert {} == {char: count for char, count in lost.items() if char not in CREDIT_CHARS}, "text lost"
    assert Counter() == kept - given, "text placed twice"


def articles(page: Page) -> list[Article]:
    return [article for article in page.articles if article.kind == ARTICLE]


def photos(page: Page) -> list[Article]:
    return [article for article in page.articles if article.kind == PHOTO]


# ---------------------------------------------------------------------------------------------
# The seed pages

# (page, position on the page, kind, zone, title, author, start of the first paragraph, end of the last)
SEED_ARTICLES = [
    ("000", 0, ARTICLE, "朔州经济开发区", "及时“腾笼引凤” 盘活“沉睡资源”", "麻洁琼",
     "如七月，坐标朔州经济开发区神电固废综合利用园", "让‘沉睡资源’醒过来，更要‘活起来’。”"),
    ("000", 1, ARTICLE, "大同经济技术开发区", "首创基金成功备案", "祁峰",
     "2024年7月18日，大同经济技术开发区首創股权投资私募基金", "为推动经开区实现高质量发展做出积极的贡献。"),
    ("000", 2, ARTICLE, "山西转型综合改革示范区", "“三智”协同加快培育新质生产力", "佚名",
     "7月22日，位于山西转型综改示范区唐槐园区", "产品畅销全国400多家煤矿企业。"),
    ("000", 3, ARTICLE, "灵石经济技术开发区", "围绕中心工作提供优质服务", "任龙",
     "灵石经济技术开发区后勤服务中心以提高服务质量", "日常管理中最大限度地节约成本，提高工作效率。"),
    ("000", 4, ARTICLE, "清徐经济开发区", "数智制造市域产教联合体成立", "佚名",
     "7月17日，清徐经济开发区数智制造市域产教联合体成立并启动。", "服务地方经济社会发展等方面发挥积极作用。"),
    ("000", 5, ARTICLE, "运城盐湖高新技术产业开发区", "促成企业高校对接合作 推动科研成果就地转化", "王波",
     "校企合作是促进高校科技成果转化的重要途径。", "实现校企精准对接、产教同频共振。"),
    ("000", 6, PHOTO, "阳泉高新技术产业开发区", None, "张哲远",
     "阳泉高新区储能项目位于唐碾园区", "当月实现工业产值约500万元。"),
    ("002", 0, ARTICLE, "运城盐湖高新技术产业开发区", "着力打造现代智慧物流园区", "刘记明",
     "物流是经济发展的“大动脉”", "推动物流产业项目提速增效。"),
    ("002", 1, ARTICLE, "寿阳经济技术开发区", "推进新质生产力 打造优势产业集群", "王波",
     "正值发展动能转换的关键阶段", "用科创力量撑起开发区高质量发展转型发展的脊梁。"),
    ("002", 2, ARTICLE, "襄汾经济技术开发区", "全力以赴跑出项目建设加速度", "王波",
     "襄汾经济技术开发区的浙江运达风电设备制造全产业链", "各体系工作已经有序铺开。"),
    ("002", 3, ARTICLE, "大同经济技术开发区", "召开今年前4月经济运行分析会", "曹策",
     "近日，大同经济技术开发区召开经济运行分析会。", "为全市高质量发展做出积极贡献。"),
    ("002", 4, ARTICLE, "长治经济技术开发区", "『卓越工程师训练营』项目中期考核顺利实施", "王波",
     "为提升智能制造类应届毕业生实操能力", "着力于机器人与智能制造交叉复合型人才培养。"),
    ("002", 5, ARTICLE, "长子经济技术开发区", "以项目之“进”支撑经济之“稳”", "王波",
     "长子经济技术开发区把县域经济的“稳”作为大局和基础", "高于全市平均水平9.3个百分点，全市排位第一。"),
    ("003", 0, ARTICLE, "晋城经济技术开发区", "构筑校地合作新生态", "王波",
     "近年来,晋城经开区紧紧围绕“建设光机电产业集群城市”", "为区域转型发展注入新的活力。"),
    ("003", 1, ARTICLE, "盂县经济技术开发区", "推动铝产业集群聚链成势", "李阳",
     "铝是重要的基础原材料", "经济高质量发展的强引擎。"),
    ("003", 2, PHOTO, None, None, "梁栋",
     "12月15日,山西高科华烨电子集团有限公司生产车间内", "产品备受市场青睐。"),
    ("003", 3, ARTICLE, "平遥经济技术开发区", "多措并举 推动现代化产业体系转型升级", "进晓宇",
     "抓好项目建设,既是稳定经济增长的目标要求", "以高质量项目建设构筑高质量发展“硬支撑”。"),
    ("003", 4, ARTICLE, "交城经济开发区", "推动硝基复合肥产业高质量发展", "李璐",
     "交城经济开发区秉持“平台筑基、链条强基、技术固基”", "硝基肥出口总额达9.24亿元,同比增长38.45%。"),
    ("003", 5, ARTICLE, "屯留经济技术开发区", "以“产才融合” 驱动产学研协同创新", "何君苗",
     "在高质量发展的新征程上,人才是核心资源", "一幅人才引领创新、科技赋能发展的生动图景,在这里愈发清晰。"),
    ("004", 0, ARTICLE, "吕梁经济技术开发区", "全力推动“晋创谷·吕梁”建设", "魏亚栋",
     "近日，吕梁经济技术开发区与吕梁市科技局", "全面助力打造“晋创谷·吕梁”创新驱动发展新高地。"),
    ("004", 1, ARTICLE, "山西转型综合改革示范区", "企业生产“铆足劲” 项目建设“拉满弓”", "范彦荣",
     "一季度是全年经济的风向标。", "产品除国内销售外，远销56个国家和地区。"),
    ("004", 2, PHOTO, "山西转型综合改革示范区", None, "山西转型综改示范区",
     "恒真无尾钢化真空玻璃产业园", "恒真无尾钢化真空玻璃产业园"),
    ("004", 3, ARTICLE, "临汾经济开发区", "临汾经济开发区党工委、管委会主任白建成在甘亭工业园区调研生物医药项目", "张炜",
     "2月14日，临汾经济开发区党工委副书记、管委会主任白建成", "推进生物医药产业高质量发展。"),
    ("004", 4, ARTICLE, "文水经济开发区", "“三个一批”跑出项目加速度", "刘晓晶",
     "项目是增量之源，振兴之本，是开发区发展的后劲所在。", "将支撑起文水经济开发区的美好未来。"),
    ("004", 5, ARTICLE, "孝义经济开发区", "产业转型 奋发向前", None,
     "2024年，孝义经济开发区深入实施工业强基工程", "正沿着推进产业转型高质量发展之路，朝着更加美好的未来铿锵前行。"),
    ("004", 6, ARTICLE, "祁县经济开发区", "召开地热源供热项目线上推进会", "李泽宇",
     "为加快推进开发区及东观镇企业居民地热源供热项目建设", "为区域高质量发展注入新动能。"),
]


@pytest.mark.parametrize(
    "number,article_count,photo_count",
    [("000", 6, 1), ("002", 6, 0), ("003", 5, 1), ("004", 6, 1)],
)
def test_seed_page_counts(seed_pages, number, article_count, photo_count):
    page = seed_pages[number]
    assert (article_count, photo_count) == (len(articles(page)), len(photos(page)))
    assert () == page.fragments


@pytest.mark.parametrize("number,position,kind,zone,title,author,first,last", SEED_ARTICLES)
def test_seed_article(seed_pages, number, position, kind, zone, title, author, first, last):
    article = seed_pages[number].articles[position]
    assert (kind, zone, title, author) == (article.kind, article.zone, article.title, article.author)
    assert article.body[0].startswith(first)
    assert article.body[-1].endswith(last)
    assert zone is None or zone == article.zones[0]


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_every_character_of_a_seed_is_placed_once(seed_pages, number):
    assert_every_character_placed_once(seed_text(number), seed_pages[number])


@pytest.mark.parametrize("number", ["000", "002", "003", "004"])
def test_each_seed_article_appears_once(seed_pages, number):
    for _, position, _, _, _, _, first, last in (row for row in SEED_ARTICLES if row[0] == number):
        starts = [article for article in seed_pages[number].articles if article.body[0].startswith(first)]
        ends = [article for article in seed_pages[number].articles if article.body[-1].endswith(last)]
        assert [seed_pages[number].articles[position]] == starts == ends


def test_kickers_subtitles_and_zone_forms(seed_pages):
    assert "——朔州经济开发区见闻" == seed_pages["000"].articles[0].subtitle
    assert "山西转型综改示范区山西煤机新厂区" == seed_pages["000"].articles[2].kicker
    assert "灵石经济技术开发区后勤服务中心" == seed_pages["000"].articles[3].kicker
    assert "大同经济技术开发区" == seed_pages["000"].articles[1].kicker
    assert "寿阳经济技术开发区" == seed_pages["002"].articles[1].kicker
    assert "——盐湖高新技术产业开发区见闻" == seed_pages["002"].articles[0].subtitle
    assert None is seed_pages["004"].articles[3].kicker
    assert "晋中" == seed_pages["000"].articles[3].city


def test_datelines_reporters_and_dates(seed_pages):
    dated = seed_pages["000"].articles[1]
    assert ("科学导报讯", "2024-07-18", None) == (dated.dateline, dated.published, dated.published_month_day)
    assert (7, 22) == seed_pages["000"].articles[2].published_month_day
    assert None is seed_pages["000"].articles[2].published
    assert ("科学导报 记者王波", "王波") == (seed_pages["002"].articles[1].dateline, seed_pages["002"].articles[1].author)
    assert "科学导报" == seed_pages["002"].articles[3].dateline
    assert None is seed_pages["000"].articles[0].dateline


@pytest.mark.parametrize(
    "page, latest",
    [
        ("000", "2024-07-22"),  # 7月22日 completed with 2024, the year of 2024年7月18日
        ("001", "2024-08-30"),  # 8月30日 completed with the masthead's 2024年第34期
        ("002", "2024-04-27"),  # 4月27日 completed with 2024年2月
        ("003", "2025-12-15"),  # 12月15日 completed with 2025年1~11月
        ("004", "2024-05-28"),  # the full date 2024年5月28日
    ],
)
def test_latest_date_the_page_gives(seed_pages, page, latest):
    assert latest == seed_pages[page].latest_date


@pytest.mark.parametrize(
    "text, latest",
    [
        ("科学导报讯 3月5日，某开发区项目开工。", None),  # a month and day, but no year anywhere
        ("2023年5月开工。6月1日投产。", "2023-06-01"),
        ("2024年第3期\n\n12月1日，项目投产。", "2024-12-01"),
        ("2月30日，2024年3月", None),  # not a real day
        ("2024年5月28日，线路开通。力争2025年6月30日前建成。", "2024-05-28"),  # a plan's date does not date a page
        ("2024年3月，项目开工，计划2026年6月投产。5月8日，设备进场。", "2024-05-08"),
        ("截至2024年11月30日，累计完成投资8亿元。", "2024-11-30"),
    ],
)
def test_month_day_dates_take_the_pages_year(gazetteer, text, latest):
    assert latest == parse(text, gazetteer).latest_date


def test_header_printed_after_its_body(seed_pages):
    changzi = seed_pages["002"].articles[-1]
    assert ("长子经济技术开发区", "科学导报 记者王波") == (changzi.kicker, changzi.dateline)
    assert changzi.body[0].startswith("长子经济技术开发区把县域经济")
    xiaoyi = seed_pages["004"].articles[5]
    assert ("孝义经济开发区", "科学导报讯") == (xiaoyi.kicker, xiaoyi.dateline)
    assert "向“氢”而行、“氢”尽全力。" in xiaoyi.body  # a subsection heading stays in its article
    assert not any("刘晓晶" in paragraph for paragraph in xiaoyi.body)


def test_header_printed_in_the_middle_of_its_body(seed_pages):
    page = seed_pages["004"]
    zonggai, photo = page.articles[1], page.articles[2]
    mended = "为了实现“完成综合压缩钢柱梁的安装工作和地下管道”这一关键节点，建设者们不惧严寒"
    assert any(mended in paragraph for paragraph in zonggai.body)
    assert not any("供图" in paragraph or "■" in paragraph for paragraph in zonggai.body)
    assert ("恒真无尾钢化真空玻璃产业园",) == photo.body
    assert not any("亮点新闻" in "".join(a.body) + (a.title or "") for a in page.articles)
    assert NOTE_SECTION + "亮点新闻" in page.notes


def test_sentences_broken_by_blank_lines_are_mended(seed_pages):
    body = seed_pages["000"].articles[0].body
    assert any("按照“依法依规、一企一策、稳妥有序”原则" in paragraph for paragraph in body)
    assert any(paragraph.endswith("预计年产值将达到3000万元。") for paragraph in body)
    assert "3000万元。" not in body
    jincheng = seed_pages["003"].articles[0].body
    assert any("晋城经开区以开放的姿态" in paragraph for paragraph in jincheng)


def test_stray_paragraph_after_a_byline_joins_the_article_about_its_zone(seed_pages):
    pingyao = seed_pages["003"].articles[3]
    assert pingyao.body[-1].startswith("平遥开发区持续推进“三化三制”改革")
    assert not any("平遥开发区持续推进" in "".join(a.body) for a in seed_pages["003"].articles[4:])


def test_interleaved_page_001_best_effort(seed_pages):
    page = seed_pages["001"]
    assert "2024年第34期" == page.issue_label
    by_zone = {article.zone: article for article in page.articles}
    shuozhou = by_zone["朔州经济开发区"]
    assert "罗文平 张小菊 朱怡" == shuozhou.author
    assert shuozhou.body[0].startswith("围绕盘活存量、培育增量、提升质量,朔州经济开发区")
    taiyuan = by_zone["山西转型综合改革示范区"]
    assert ("肩负使命 步履铿锵向\"新\"行", "太原") == (taiyuan.title, taiyuan.city)
    assert {"太忻一体化经济区", "中北高新技术产业开发区", "清徐经济开发区"} <= set(taiyuan.zones)
    assert taiyuan.body[0].startswith("今年以来,山西转型综改示范区、太忻一体化经济区、中北高新技术产业开发区")
    assert "体量巨大的南引擎" in taiyuan.body
    assert not any("朔州" in paragraph for paragraph in taiyuan.body)
    changzhi = next(article for article in page.articles if article.kicker == "长治市")
    assert (None, "长治") == (changzhi.zone, changzhi.city)
    linfen = by_zone["临汾经济开发区"]
    assert "风生水起逐浪高 乘风破浪正远航" == linfen.title
    assert any("\"8个产业类项目,既招引省外项目" in paragraph for paragraph in linfen.body)
    assert not any("临汾" in paragraph for paragraph in changzhi.body)
    assert not any("下转" in "".join(article.body) for article in page.articles)
    assert NOTE_CONTINUATION + "(下转D4版)" in page.notes


def test_pdf_spaces_are_dropped_in_bodies_and_kept_between_title_halves(seed_pages):
    taiyuan = next(a for a in seed_pages["001"].articles if a.zone == "山西转型综合改革示范区")
    text = "".join(taiyuan.body)
    assert "中北高新技术产业开发区" in text and "要紧紧扭住科技创新" in text
    assert "带动上下游配套产值1000亿元" in text
    assert "年产56GW垂直一体化大基地" in text
    assert "召开开发区 工作推进会" in [a.title for a in seed_pages["001"].articles]


def test_masthead_and_section_labels_are_not_articles(seed_pages):
    page = seed_pages["001"]
    for article in page.articles:
        assert "邮发代号" not in "".join(article.body)
        assert article.title not in ("开发区建设", "打造开发区建设升级版 决胜高质量发展新战场")
    assert NOTE_MASTHEAD + "打造开发区建设升级版 决胜高质量发展新战场" in page.notes


# ---------------------------------------------------------------------------------------------
# Small pages in the same style


def parse(text: str, gazetteer: Gazetteer) -> Page:
    """The small pages test one layout rule each with one-sentence bodies: the rule that a short
    body is a fragment (tests/test_page_rules.py) is switched off for them."""
    page = split_page(text, gazetteer, min_body_chars=0)
    assert_every_character_placed_once(text, page)
    return page


def test_empty_page(gazetteer):
    for text in ("", "\n\n  \n\u3000\n"):
        assert Page(articles=()) == parse(text, gazetteer)


def test_page_with_only_a_masthead(gazetteer):
    page = parse("开发区建设\n\n2024 年第 35 期 邮发代号: 21-465\n\n2024年9月10日 星期二\n", gazetteer)
    assert ((), ()) == (page.articles, page.fragments)
    assert ("2024年第35期", "2024-09-10", "2024-09-10") == (page.issue_label, page.masthead_date, page.latest_date)


def test_a_date_alone_beside_the_page_name_is_the_masthead_date(gazetteer):
    text = "开发区建设\n\n2025年4月18日\n\n责任编辑：王波\n\n祁县经济开发区\n\n项目开工\n\n科学导报讯 祁县经开区项目开工。 李泽宇\n"
    page = parse(text, gazetteer)
    assert ("2025-04-18", "项目开工") == (page.masthead_date, page.articles[0].title)
    assert NOTE_MASTHEAD + "2025年4月18日" in page.notes
    body_date = parse("祁县经济开发区\n\n项目开工\n\n科学导报讯 祁县经开区项目开工。\n\n2025年4月18日\n", gazetteer)
    assert None is body_date.masthead_date


@pytest.mark.parametrize(
    "masthead, label, printed",
    [
        ("2024年9月3日 星期二 第34期", "2024年第34期", "2024-09-03"),
        ("开发区建设\n2024年9月3日 星期二\n总第1234期 第34期", "2024年第34期", "2024-09-03"),
        ("2024 年第 34 期 邮发代号: 21-465\n\n2024 年 9 月 3 日", "2024年第34期", "2024-09-03"),
        ("开发区建设\n\n2025年4月18日\n\n第12期", "2025年第12期", "2025-04-18"),
        ("D3\n\n2025年3月14日 星期五 责任编辑 王波 美术编辑 李阳\n\n开发区建设", None, "2025-03-14"),
        ("开发区建设 D3\n\n责编 王波 版式 李阳 校对 赵敏", None, None),
    ],
)
def test_masthead_forms(gazetteer, masthead, label, printed):
    page = parse(masthead + "\n\n祁县经济开发区\n\n项目开工\n\n科学导报讯 祁县经开区项目开工。 李泽宇\n", gazetteer)
    assert (label, printed, ()) == (page.issue_label, page.masthead_date, page.fragments)
    assert [("项目开工", "李泽宇")] == [(a.title, a.author) for a in page.articles]


def test_bylines_in_brackets(gazetteer):
    text = (
        "祁县经济开发区\n\n召开推进会\n\n科学导报讯 祁县经开区召开推进会。（李泽宇）\n\n"
        "沁源经济技术开发区\n\n项目签约\n\n科学导报讯 沁源经开区签约项目3个。\n\n（通讯员 何君苗）\n"
    )
    qixian, qinyuan = parse(text, gazetteer).articles
    assert (("祁县经开区召开推进会。",), "李泽宇") == (qixian.body, qixian.author)
    assert (("沁源经开区签约项目3个。",), "何君苗") == (qinyuan.body, qinyuan.author)


def test_a_headline_may_name_its_zone_before_a_colon(gazetteer):
    text = (
        "侯马经开区：保税物流跑出加速度\n\n科学导报讯 侯马经开区外贸增长。 卫佳\n\n"
        "运城市：开发区建设提速\n\n科学导报讯 运城市开发区建设提速。\n\n会议要求：\n\n加快项目建设。 郑一\n"
    )
    houma, yuncheng = parse(text, gazetteer).articles
    assert ("侯马经开区：保税物流跑出加速度", "侯马经济开发区", None) == (houma.title, houma.zone, houma.kicker)
    assert ("运城市：开发区建设提速", None, "运城") == (yuncheng.title, yuncheng.zone, yuncheng.city)
    assert ("运城市开发区建设提速。", "会议要求：加快项目建设。") == yuncheng.body


def test_title_only_page_keeps_the_title_as_a_fragment(gazetteer):
    page = parse("\n构筑校地合作新生态\n", gazetteer)
    assert ((), ("构筑校地合作新生态",)) == (page.articles, page.fragments)


def test_page_without_headers_or_datelines_is_fragments(gazetteer):
    text = "今年以来，全省开发区项目建设加快推进。\n\n一批重点项目相继投产，\n\n发展后劲持续增强。\n"
    page = parse(text, gazetteer)
    assert () == page.articles
    assert ("今年以来，全省开发区项目建设加快推进。", "一批重点项目相继投产，", "发展后劲持续增强。") == page.fragments


def test_headerless_dateline_body_is_one_article(gazetteer):
    text = "科学导报讯 近日，侯马经济开发区召开项目推进会，\n\n研究部署下一步工作。\n\n会议要求加快项目建设。\n"
    (article,) = parse(text, gazetteer).articles
    assert (None, "侯马经济开发区", "科学导报讯", None) == (article.title, article.zone, article.dateline, article.author)
    assert ("近日，侯马经济开发区召开项目推进会，研究部署下一步工作。", "会议要求加快项目建设。") == article.body


def test_crlf_line_endings_give_the_same_page(gazetteer):
    text = "晋城经济技术开发区\n\n光机电产业再上新台阶\n\n科学导报讯 晋城经开区新签约项目5个，\n\n总投资20亿元。 赵六\n"
    assert parse(text, gazetteer) == parse(text.replace("\n", "\r\n"), gazetteer)
    assert ("总投资20亿元" in parse(text, gazetteer).articles[0].body[0])


@pytest.mark.parametrize("first,second", [("000", "002"), ("002", "004"), ("004", "003"), ("003", "000")])
def test_two_pages_in_one_text_give_both_pages_records(gazetteer, seed_pages, first, second):
    """Boundaries in new places: a page's end against another's start, and no blank lines at all."""
    text = seed_text(first) + "\n" + seed_text(second)
    expected = seed_pages[first].articles + seed_pages[second].articles
    assert expected == parse(text, gazetteer).articles
    assert expected == parse(text.replace("\n\n", "\n"), gazetteer).articles


def test_kicker_forms(gazetteer):
    text = (
        "晋城经济技术开发区 光机电产业集群再上新台阶\n\n"
        "科学导报讯 10月8日，晋城经济技术开发区举行光机电产业推介会。 赵六\n\n"
        "高平经济技术开发区管委会\n\n深入企业解难题\n\n"
        "科学导报讯 高平经济技术开发区管委会走访企业20余家。 钱七\n\n"
        "沁水经济技术开发区召开安全生产工作会议\n\n"
        "科学导报讯 沁水经济技术开发区近日召开安全生产工作会议。 孙八\n\n"
        "运城市\n\n召开开发区建设推进会\n\n"
        "科学导报讯 运城市召开全市开发区建设推进会。 郑一\n"
    )
    found = [(a.kicker, a.title, a.zone, a.city, a.author) for a in parse(text, gazetteer).articles]
    assert [
        ("晋城经济技术开发区", "光机电产业集群再上新台阶", "晋城经济技术开发区", "晋城", "赵六"),
        ("高平经济技术开发区管委会", "深入企业解难题", "高平经济技术开发区", "晋城", "钱七"),
        (None, "沁水经济技术开发区召开安全生产工作会议", "沁水经济技术开发区", "晋城", "孙八"),
        ("运城市", "召开开发区建设推进会", None, "运城", "郑一"),
    ] == found
    assert (10, 8) == parse(text, gazetteer).articles[0].published_month_day


def test_subtitles_name_the_zone(gazetteer):
    text = (
        "园区焕新颜\n\n——风陵渡经济开发区见闻\n\n走进风陵渡经济开发区，道路宽阔整洁。 周九\n\n"
        "产业链条持续延伸\n\n一上半年曲沃经济技术开发区发展综述\n\n"
        "上半年，曲沃经济技术开发区工业产值同比增长12%。 吴十\n"
    )
    found = [(a.title, a.subtitle, a.zone) for a in parse(text, gazetteer).articles]
    assert [
        ("园区焕新颜", "——风陵渡经济开发区见闻", "山西风陵渡经济开发区"),
        ("产业链条持续延伸", "一上半年曲沃经济技术开发区发展综述", "曲沃经济技术开发区"),
    ] == found


def test_a_subtitle_on_the_title_line(gazetteer):
    (article,) = parse("园区焕新颜——风陵渡经济开发区见闻\n\n走进风陵渡经济开发区，道路宽阔整洁。 周九\n", gazetteer).articles
    assert ("园区焕新颜", "——风陵渡经济开发区见闻", "山西风陵渡经济开发区") == (article.title, article.subtitle, article.zone)


def test_header_after_body_and_header_before_another_header(gazetteer):
    text = (
        "侯马经济开发区\n\n推动物流产业提质增效\n\n"
        "科学导报讯 9月5日，侯马经济开发区召开物流产业发展座谈会，研究部署下一阶段重点\n\n工作。\n\n"
        "会议要求，要加快推进 保税物流中心建设，力争年底前\n\n完成主体工程。 张三\n\n"
        "科学导报 记者李四 近日，洪洞经济技术开发区新签约项目3个，总投资12亿元。\n\n"
        "洪洞经济技术开发区将持续优化营商环境。\n\n"
        "洪洞经济技术开发区\n\n签约项目 落地见效\n\n"
        "霍州经济技术开发区\n\n召开安全生产会议\n\n"
        "科学导报讯 霍州经济技术开发区召开安全生产会议。\n"
    )
    houma, hongtong, huozhou = parse(text, gazetteer).articles
    assert (
        "9月5日，侯马经济开发区召开物流产业发展座谈会，研究部署下一阶段重点工作。",
        "会议要求，要加快推进保税物流中心建设，力争年底前完成主体工程。",
    ) == houma.body
    assert ("张三", (9, 5)) == (houma.author, houma.published_month_day)
    assert ("签约项目 落地见效", "洪洞经济技术开发区", "李四") == (hongtong.title, hongtong.zone, hongtong.author)
    assert hongtong.body == ("近日，洪洞经济技术开发区新签约项目3个，总投资12亿元。", "洪洞经济技术开发区将持续优化营商环境。")
    assert ("召开安全生产会议", None) == (huozhou.title, huozhou.author)


def test_header_in_the_middle_of_a_sentence_with_a_photo_between(gazetteer):
    text = (
        "科学导报讯 今年以来，阳泉高新技术产业开发区加快推进重点项目建设，一批项目进入\n\n"
        "阳泉高新区\n\n项目建设跑出加速度\n\n智能制造产业园 ■ 阳泉高新区供图\n\n"
        "冲刺阶段。园区将继续强化要素保障。\n\n王五\n"
    )
    article, photo = parse(text, gazetteer).articles
    assert ("项目建设跑出加速度", "阳泉高新技术产业开发区", "王五") == (article.title, article.zone, article.author)
    assert ("今年以来，阳泉高新技术产业开发区加快推进重点项目建设，一批项目进入冲刺阶段。园区将继续强化要素保障。",) == article.body
    assert (PHOTO, ("智能制造产业园",), "阳泉高新区", "阳泉高新技术产业开发区") == (
        photo.kind, photo.body, photo.author, photo.zone,
    )


def test_header_between_paragraphs_of_a_dateline_body_about_its_zone(gazetteer):
    text = (
        "亮点新闻\n\n科学导报讯 一季度，山西转型综改示范区各项目建设工地开足马力抢进度。\n\n"
        "在深国际项目建设现场，项目已进入全面复工状态。\n\n"
        "山西转型综改示范区\n\n企业生产“铆足劲” 项目建设“拉满弓”\n\n"
        "恒真无尾钢化真空玻璃产业园 ■ 山西转型综改示范区供图\n\n"
        "恒真无尾钢化真空玻璃产业园新年伊始便接到大规模幕墙订单。\n\n范彦荣\n"
    )
    article, photo = parse(text, gazetteer).articles
    assert ("企业生产“铆足劲” 项目建设“拉满弓”", "范彦荣", "科学导报讯", 3) == (
        article.title, article.author, article.dateline, len(article.body),
    )
    assert (PHOTO, ("恒真无尾钢化真空玻璃产业园",)) == (photo.kind, photo.body)
    other_zone = text.replace("山西转型综改示范区\n\n企业", "阳泉高新区\n\n企业")
    brief, article, _ = parse(other_zone, gazetteer).articles  # a header about another zone opens an article
    assert (None, 2, "阳泉高新技术产业开发区", 1) == (brief.title, len(brief.body), article.zone, len(article.body))


def test_a_short_line_inside_a_broken_sentence_is_part_of_it(gazetteer):
    text = (
        "盐湖高新技术产业开发区\n\n着力打造现代智慧物流园区\n\n"
        "科学导报讯 依托新联盟物流港、晋南农产品\n\n物流基地等市场主体\n\n，大力发展冷链物流。 刘记明\n"
    )
    (article,) = parse(text, gazetteer).articles
    assert ("依托新联盟物流港、晋南农产品物流基地等市场主体，大力发展冷链物流。",) == article.body


def test_a_bare_title_after_a_section_label_is_no_section_of_the_article_above(gazetteer):
    text = (
        "高平经济技术开发区\n\n光机电产业加速崛起\n\n科学导报 记者常乐 高平经开区集聚光机电企业32家。\n\n"
        "简讯\n\n园区新貌\n\n高平经开区完成道路提档升级。 赵敏\n"
    )
    feature, brief = parse(text, gazetteer).articles
    assert (("高平经开区集聚光机电企业32家。",), "常乐") == (feature.body, feature.author)
    assert ("园区新貌", "赵敏") == (brief.title, brief.author)


def test_subsection_headings_stay_in_their_article(gazetteer):
    text = (
        "孝义经济开发区\n\n产业集群加速成形\n\n科学导报讯 孝义经济开发区持续壮大主导产业。\n\n"
        "焦化产业提质升级\n\n焦化企业全部完成干熄焦改造。\n\n新材料产业起势\n\n新材料项目陆续投产。 王二\n"
    )
    (article,) = parse(text, gazetteer).articles
    assert (
        "孝义经济开发区持续壮大主导产业。", "焦化产业提质升级", "焦化企业全部完成干熄焦改造。", "新材料产业起势",
        "新材料项目陆续投产。",
    ) == article.body
    assert "王二" == article.author


def test_paragraph_after_a_byline_joins_its_zone_or_is_a_fragment(gazetteer):
    text = (
        "平遥经济技术开发区\n\n项目建设提速\n\n平遥经济技术开发区新开工项目5个。 冯三\n\n"
        "平遥开发区还将推进标准地改革。\n\n"
        "交城经济开发区\n\n化工园区扩容\n\n交城经济开发区完成扩区调位。 陈四\n\n"
        "这一年，全省开发区营收增长明显。\n\n"
        "祁县经济开发区\n\n招商引资成效明显\n\n祁县经济开发区签约项目8个。 褚五\n"
    )
    page = parse(text, gazetteer)
    pingyao, jiaocheng, qixian = page.articles
    assert ("平遥经济技术开发区新开工项目5个。", "平遥开发区还将推进标准地改革。") == pingyao.body
    assert ("交城经济开发区完成扩区调位。",) == jiaocheng.body
    assert ("这一年，全省开发区营收增长明显。",) == page.fragments


def test_bylines(gazetteer):
    text = (
        "左云经济技术开发区\n\n园区建设提速\n\n左云经开区新建标准化厂房2万平方米，利用率达 罗文平 张小菊\n\n"
        "广灵经济技术开发区\n\n招商工作见实效\n\n广灵经开区签约项目6个。\n\n王波 李阳\n\n"
        "山阴经济技术开发区\n\n环境整治见成效\n\n山阴经开区完成绿化5万平方米，整治道路3公里。 佚名\n"
    )
    assert ["罗文平 张小菊", "王波 李阳", "佚名"] == [a.author for a in parse(text, gazetteer).articles]


def test_words_of_a_broken_line_before_the_names_stay_in_the_text(gazetteer):
    text = (
        "忻州经济开发区\n\n固废变身建材\n\n忻州市始终把工业固废综合利用作 为转型的重要抓手,目前全市固废综合利 用率达 赵敏 韩七\n\n"
        "交口经济技术开发区\n\n固废变身建材\n\n工业固废变身为绿色建材, 激活的不仅是产品 价值\n\n更是闲置资产。 王波\n"
    )
    xinzhou, jiaokou = parse(text, gazetteer).articles
    assert ("赵敏 韩七", "忻州市始终把工业固废综合利用作为转型的重要抓手,目前全市固废综合利用率达") == (
        xinzhou.author, xinzhou.body[-1],
    )
    assert ("王波", ("工业固废变身为绿色建材,激活的不仅是产品价值更是闲置资产。",)) == (jiaokou.author, jiaokou.body)


def test_a_kicker_over_a_title_that_names_the_zone(gazetteer):
    text = "聚焦“三个一批”\n\n交口经济技术开发区一季度开工项目8个\n\n科学导报讯 交口经开区开工项目8个。 魏亚栋\n"
    (article,) = parse(text, gazetteer).articles
    assert ("聚焦“三个一批”", "交口经济技术开发区一季度开工项目8个", "交口经济技术开发区") == (
        article.kicker, article.title, article.zone,
    )


def test_a_county_alone_on_a_line_is_a_kicker_not_a_byline(gazetteer):
    text = (
        "科学导报讯 近日，祁县经开区召开推进会。\n\n盂县\n\n推动铝产业集群聚链成势\n\n"
        "科学导报讯 盂县经开区聚焦有色金属主导产业。 李阳\n"
    )
    qixian, yuxian = parse(text, gazetteer).articles
    assert (None, None) == (qixian.author, qixian.title)
    assert ("盂县", "推动铝产业集群聚链成势", "盂县经济技术开发区", "李阳") == (
        yuxian.kicker, yuxian.title, yuxian.zone, yuxian.author,
    )


def test_a_short_title_after_a_byline_is_a_title_and_a_signed_line_is_body(gazetteer):
    text = (
        "原平经济技术开发区\n\n企业生产忙\n\n原平经开区企业开足马力赶订单。\n\n园区产值稳步增长\n\n武六\n\n"
        "园区新貌\n\n科学导报讯 原平经济技术开发区完成道路提档升级。 韩七\n"
    )
    first, second = parse(text, gazetteer).articles
    assert (("原平经开区企业开足马力赶订单。", "园区产值稳步增长"), "武六") == (first.body, first.author)
    assert ("园区新貌", "原平经济技术开发区", "韩七") == (second.title, second.zone, second.author)


def test_a_short_last_sentence_before_the_next_header_stays_in_its_body(gazetteer):
    text = (
        "科学导报讯 近日，晋城经开区与中山大学签约。\n\n全市工业经济高质量发展稳步推进！\n\n"
        "晋城经济技术开发区\n\n构筑校地合作新生态\n\n"
        "高平经济技术开发区\n\n项目开工\n\n科学导报讯 高平经开区项目开工。 王波\n"
    )
    jincheng, gaoping = parse(text, gazetteer).articles
    assert ("构筑校地合作新生态", ("近日，晋城经开区与中山大学签约。", "全市工业经济高质量发展稳步推进！")) == (
        jincheng.title, jincheng.body,
    )
    assert ("项目开工", "王波") == (gaoping.title, gaoping.author)


def test_a_bare_title_turning_to_another_zone_opens_an_article(gazetteer):
    text = (
        "大同经济技术开发区\n\n召开经济运行分析会\n\n科学导报 近日，大同经开区召开经济运行分析会。\n\n"
        "会议要求，各部门要突出重点，精准发力。\n\n"
        "园区新貌\n\n走进风陵渡经济开发区，道路宽阔整洁，厂房整齐划一。 欧阳明月\n"
    )
    datong, fenglingdu = parse(text, gazetteer).articles
    assert ("召开经济运行分析会", None, 2) == (datong.title, datong.author, len(datong.body))
    assert ("园区新貌", "山西风陵渡经济开发区", "欧阳明月") == (fenglingdu.title, fenglingdu.zone, fenglingdu.author)
    same_zone = text.replace("走进风陵渡经济开发区", "走进大同经开区")
    (datong,) = parse(same_zone, gazetteer).articles  # about the same zone: a subsection heading
    assert "园区新貌" == datong.body[2]


def test_a_dateline_without_a_body_is_kept_as_text(gazetteer):
    page = parse("科学导报讯 近日，交口经开区召开项目推进会。 王波\n\n科学导报 记者王波\n", gazetteer)
    assert ("交口经济技术开发区", "王波") == (page.articles[0].zone, page.articles[0].author)
    assert ("科学导报记者王波",) == page.fragments


def test_photo_credits(gazetteer):
    text = (
        "阳泉高新区储能项目5月1日开始并网交易。 张哲远摄\n\n"
        "12月15日，工人们正在赶订单、抢进度。\n\n■ 梁栋 摄\n\n"
        "园区新貌 ■ 风陵渡经济开发区供图\n"
    )
    page = parse(text, gazetteer)
    assert [
        (("阳泉高新区储能项目5月1日开始并网交易。",), "张哲远", "阳泉高新技术产业开发区"),
        (("12月15日，工人们正在赶订单、抢进度。",), "梁栋", None),
        (("园区新貌",), "风陵渡经济开发区", "山西风陵渡经济开发区"),
    ] == [(photo.body, photo.author, photo.zone) for photo in photos(page)]
    assert [(5, 1), (12, 15), None] == [photo.published_month_day for photo in page.articles]


def test_a_byline_under_the_title(gazetteer):
    text = (
        "寿阳经济技术开发区\n\n推进新质生产力 打造优势产业集群\n\n文/图 王波\n\n"
        "正值发展动能转换的关键阶段，寿阳开发区抢抓创新机遇。\n\n开发区大力实施三大行动。\n\n"
        "科学导报讯 近日，长子经开区签约项目3个。\n\n长子经济技术开发区\n\n签约项目落地\n\n记者 李阳\n\n"
        "祁县经济开发区\n\n召开推进会\n\n科学导报讯 祁县经开区召开推进会。 李泽宇\n"
    )
    shouyang, changzi, qixian = parse(text, gazetteer).articles
    assert ("王波", 2) == (shouyang.author, len(shouyang.body))
    assert ("签约项目落地", "李阳", ("近日，长子经开区签约项目3个。",)) == (changzi.title, changzi.author, changzi.body)
    assert "李泽宇" == qixian.author


def test_photographers_roles(gazetteer):
    text = "园区 新貌 本报记者 王波 摄\n\n图为项目现场。（记者 李阳 摄）\n\n■ 科学导报记者 梁栋 摄\n"
    page = parse(text, gazetteer)
    assert [(("园区新貌",), "王波"), (("图为项目现场。",), "李阳")] == [(p.body, p.author) for p in page.articles]
    assert ("科学导报记者 梁栋",) == page.fragments  # a credit under a credited caption: kept, not guessed


def test_a_long_zone_headline(gazetteer):
    title = "临汾经济开发区党工委、管委会主任白建成在甘亭工业园区调研生物医药产业和数字经济产业项目"
    (article,) = parse(f"{title}\n\n科学导报讯 2月14日，白建成在甘亭工业园区调研。 张炜\n", gazetteer).articles
    assert (title, "临汾经济开发区") == (article.title, article.zone)


def test_a_photo_mark_before_the_caption(gazetteer):
    text = "■ 图为侯马经济开发区保税物流中心。 卫佳 摄\n\n■ 园区一角\n\n■ 风陵渡经济开发区供图\n"
    assert [(("图为侯马经济开发区保税物流中心。",), "卫佳"), (("园区一角",), "风陵渡经济开发区")] == [
        (photo.body, photo.author) for photo in photos(parse(text, gazetteer))
    ]


def test_dateline_alone_on_its_line_and_continuation_marks(gazetteer):
    text = (
        "(上接 D1 版)\n\n长子经济技术开发区\n\n项目建设扎实推进\n\n科学导报 记者王波\n\n"
        "长子经济技术开发区一季度新开工项目8个。\n\n(下转 D4 版)\n"
    )
    page = parse(text, gazetteer)
    (article,) = page.articles
    assert ("科学导报 记者王波", "王波") == (article.dateline, article.author)
    assert ("长子经济技术开发区一季度新开工项目8个。",) == article.body
    assert [NOTE_CONTINUATION + "(上接D1版)", NOTE_CONTINUATION + "(下转D4版)"] == [
        note for note in page.notes if note.startswith(NOTE_CONTINUATION)
    ]


@pytest.mark.parametrize(
    "line, dateline, author",
    [
        ("科学导报 通讯员郭晓东 今年以来，长治高新区加快发展。", "科学导报 通讯员郭晓东", "郭晓东"),
        ("科学导报 记者李阳 通讯员李明 10月12日，长子经开区项目投产。", "科学导报 记者李阳 通讯员李明", "李阳 李明"),
        ("本报讯（记者 王波 通讯员 赵敏）4月15日，忻州经开区项目竣工。", "本报讯（记者 王波 通讯员 赵敏）", "王波 赵敏"),
        ("科学导报讯(通讯员卫佳)一季度，侯马经开区外贸增长。", "科学导报讯(通讯员卫佳)", "卫佳"),
        ("本报记者从侯马经济开发区获悉，外贸增长。", None, None),  # 本报记者 opens a sentence, not a dateline
        ("本报太原5月8日讯（记者 王波）侯马经开区外贸增长。", "本报太原5月8日讯（记者 王波）", "王波"),
        ("科学导报临汾讯 侯马经开区外贸增长。", "科学导报临汾讯", None),
    ],
)
def test_datelines_credit_reporters_and_correspondents(gazetteer, line, dateline, author):
    (article,) = parse(f"侯马经济开发区\n\n外贸持续增长\n\n{line}\n", gazetteer).articles
    assert (dateline, author) == (article.dateline, article.author)


def test_the_day_in_a_dateline_dates_the_article(gazetteer):
    text = "侯马经济开发区\n\n外贸持续增长\n\n本报临汾5月8日讯 侯马经开区外贸增长。 卫佳\n"
    (article,) = parse(text, gazetteer).articles
    assert ((5, 8), "侯马经开区外贸增长。") == (article.published_month_day, article.body[0])


def test_labelled_bylines_and_more_photo_credits(gazetteer):
    text = (
        "高平经济技术开发区\n\n签约项目12个\n\n科学导报讯 高平经开区签约项目12个。 文/图 王波\n\n"
        "图为签约仪式现场。 卫佳/摄\n\n"
        "阳城经济技术开发区\n\n项目开工\n\n科学导报讯 阳城经开区项目开工。\n\n图/文 李阳\n\n"
        "图为阳城经济技术开发区项目现场。\n\n■ 常乐 摄\n\n"
        "园区一角。（赵敏 摄）\n\n"
        "祁县经济开发区\n\n召开推进会\n\n科学导报讯 祁县经开区召开推进会。\n\n记者 李泽宇\n\n"
        "沁源经济技术开发区\n\n项目签约\n\n科学导报讯 沁源经开区签约项目3个。 通讯员何君苗\n"
    )
    page = parse(text, gazetteer)
    assert [
        (ARTICLE, "王波", ("高平经开区签约项目12个。",)),
        (PHOTO, "卫佳", ("图为签约仪式现场。",)),
        (ARTICLE, "李阳", ("阳城经开区项目开工。",)),
        (PHOTO, "常乐", ("图为阳城经济技术开发区项目现场。",)),
        (PHOTO, "赵敏", ("园区一角。",)),
        (ARTICLE, "李泽宇", ("祁县经开区召开推进会。",)),
        (ARTICLE, "何君苗", ("沁源经开区签约项目3个。",)),
    ] == [(a.kind, a.author, a.body) for a in page.articles]
    labels = [note.removeprefix(NOTE_BYLINE_LABEL) for note in page.notes if note.startswith(NOTE_BYLINE_LABEL)]
    assert ["文/图", "图/文", "记者", "通讯员"] == labels


@pytest.mark.parametrize(
    "text",
    ["■", "科学导报讯", "。。。", "王波", "——", "(下转 D4 版)", "盐湖高新区", "2024年2月30日 星期五", "a b\tc", "一"],
)
def test_odd_input_never_crashes_nor_loses_text(gazetteer, text):
    parse(text, gazetteer)
