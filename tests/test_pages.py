"""split_page on pages it was not written against: tests/data/pages/*.txt.

Each page is composed by hand in the style of the seed pages (科学导报「开发区建设」, text extracted
from PDF): real sentences and paragraph styles from the seeds recombined into new articles about
zones of config/zones.csv, many of them absent from the seeds, in layouts the real pages use,
combined in new ways. Events, figures and people are invented. Next to each page is what a reader
finds on it: every article and photo, in print order.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from test_segment import assert_every_character_placed_once, seed_text

from summarize.segment import ARTICLE, NOTE_CONTINUATION, NOTE_SECTION, PHOTO, Page, split_page
from summarize.zones import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).resolve().parent / "data" / "pages"
SEEDS = ("000", "001", "002", "003", "004")


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_csv((ROOT / "config" / "zones.csv").read_text("utf-8"))


def page_text(name: str) -> str:
    return (PAGES / f"{name}.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def pages(gazetteer: Gazetteer) -> dict[str, Page]:
    return {name: split_page(page_text(name), gazetteer) for name in EXPECTED}


# page -> (issue_label, masthead_date, latest_date), then each record in print order:
# (kind, zone, title, author, start of the first paragraph, end of the last paragraph)
EXPECTED: dict[str, tuple[tuple[str | None, str | None, str | None], list[tuple]]] = {
    # Masthead with a printed date; numbered subsections; 通讯员 dateline without a byline; a
    # caption credited "X/摄"; a 简讯 label over two untitled briefs; zone and title on one line;
    # a "文/图 X" byline; a sentence broken inside a figure (30.2亿 / 元).
    "p1_masthead_briefs": (("2025年第10期", "2025-03-14", "2025-03-14"), [
        (ARTICLE, "侯马经济开发区", "保税物流中心跑出外贸“加速度”", "卫佳",
         "3月6日，侯马经济开发区召开外贸企业座谈会", "全力保障企业“进得来、留得住、发展好”。"),
        (ARTICLE, "长治高新技术产业开发区", "科技创新赋能产业升级", "郭晓东",
         "今年以来，长治高新区坚持把科技创新作为引领发展的第一动力", "覆盖企业初创、成长、壮大全生命周期的支持体系。"),
        (PHOTO, "侯马经济开发区", None, "卫佳",
         "图为侯马经济开发区保税物流中心监管仓库内", "工作人员正在查验进口货物。"),
        (ARTICLE, "朔州经济开发区", None, "麻洁琼",
         "近日，朔州经济开发区举办2025年首场政银企对接会", "达成意向授信额度8.6亿元。"),
        (ARTICLE, "山阴经济技术开发区", None, "曹策",
         "3月10日，山阴经济技术开发区新材料产业园首个项目开工建设", "建成后年产值可达8亿元。"),
        (ARTICLE, "高平经济技术开发区", "签约项目12个 总投资86亿元", "王波",
         "3月8日，高平经济技术开发区2025年一季度重点项目集中签约仪式举行", "推动签约项目早落地、早开工、早投产。"),
    ]),
    # A ——…见闻 subtitle naming the zone, two names after the last sentence; zone + unit kicker
    # with a 通讯员 dateline and two names alone on a line; a title naming the zone by its short
    # form; two articles in a row about the same zone with a provider-credited photo between.
    "p2_features_same_zone": ((None, None, None), [
        (ARTICLE, "山西风陵渡经济开发区", "黄河岸边崛起产业新高地", "王波 李阳",
         "初春时节，走进山西风陵渡经济开发区", "让更多项目落地开花。”"),
        (ARTICLE, "朔州经济开发区", "工业固废变身绿色建材", "罗文平 朱怡",
         "在鑫石（朔州）新材料有限公司生产车间", "目前，园区固废综合利用率达到85%以上。"),
        (ARTICLE, "长治高新技术产业开发区", "长治高新区召开2025年项目建设推进大会", "张炜",
         "2月26日，长治高新区召开2025年项目建设推进大会", "确保全年目标任务圆满完成。"),
        (ARTICLE, "洪洞经济技术开发区", "新能源重卡项目正式投产", "刘记明",
         "3月3日，洪洞经济技术开发区新能源重卡生产线正式投产", "达产后可年产新能源重卡1万辆。"),
        (PHOTO, "洪洞经济技术开发区", None, "洪洞经济技术开发区",
         "洪洞经济技术开发区新能源重卡生产线。", "洪洞经济技术开发区新能源重卡生产线。"),
        (ARTICLE, "洪洞经济技术开发区", "“标准地+承诺制”改革提速项目落地", "刘记明",
         "洪洞经开区深化“承诺制+标准地+全代办”集成改革", "平均审批时间缩短50%以上。"),
    ]),
    # A section label over a headerless body whose header and a photo interrupt a sentence; a
    # header printed after its body, right before the next header; zone + title + subtitle; a
    # dateline alone on its line ("记者 李阳") whose header ends the page.
    "p3_headers_out_of_place": ((None, None, "2025-03-05"), [
        (ARTICLE, "侯马经济开发区", "开足马力抢进度 争分夺秒拼经济", "卫佳",
         "连日来，侯马经济开发区各项目建设工地", "一季度业务量预计同比增长三成以上。"),
        (PHOTO, "侯马经济开发区", None, "侯马经济开发区", "智能化改造项目现场", "智能化改造项目现场"),
        (ARTICLE, "古县经济技术开发区", "氢能产业蓄势成长", None,
         "2024年，古县经济技术开发区把氢能产业作为培育新质生产力的主攻方向", "朝着更加美好的未来铿锵前行。"),
        (ARTICLE, "霍州经济技术开发区", "凝心聚力谋发展 实干笃行开新局", "李泽宇",
         "2024年，霍州经济技术开发区完成规上工业增加值38.6亿元", "为全市高质量发展贡献更大力量。"),
        (ARTICLE, "曲沃经济技术开发区", "召开园区污水集中处理项目推进会", "李阳",
         "为加快推进园区污水集中处理项目建设", "9月底前投入试运行。"),
    ]),
    # Issue and date on one masthead line; a city kicker over a round-up of several zones, PDF
    # spaces and half-width commas, continued on another page; 本报讯; bold-like lead-ins.
    "p4_city_roundup_spaces": (("2024年第40期", "2024-10-15", "2024-10-15"), [
        (ARTICLE, None, "开发区前三季度主要指标稳中有进", None,
         "前三季度,临汾市13个开发区完成规上工业增加值186.5亿元", "新能源汽车产业链初步成形。"),
        (ARTICLE, "运城经济技术开发区", "铜基新材料产业链加速成势", "杜鹏",
         "运城经济技术开发区聚焦汽车装备制造、铜基新材料、电子信息三大主导产业", "铜基新材料产业产值突破300亿元。"),
        (ARTICLE, "新绛经济技术开发区", "化工园区通过省级认定", "佚名",
         "10月9日,记者从新绛经济技术开发区获悉", "园区本质安全水平显著提升。"),
    ]),
    # A page opening with (上接 D1 版) and the signed rest of an article; 记者 + 通讯员 dateline;
    # "文/图 X" alone on a line, then a 图为… caption over its "■ X 摄" credit; zone + title +
    # ——… subtitle; a one-paragraph brief.
    "p5_continued_photos": ((None, None, None), [
        (ARTICLE, "临汾经济开发区", None, "张炜",
         "临汾经济开发区全力建设数字产业园", "为全市数字经济发展注入新动能。"),
        (ARTICLE, "长子经济技术开发区", "冻干食品项目投产 助力县域经济增长", "李阳",
         "10月12日,长子经济技术开发区冻干食品加工项目正式投产", "从签约到投产仅用时8个月。"),
        (PHOTO, "长子经济技术开发区", None, "李阳",
         "图为长子经济技术开发区冻干食品加工项目生产车间", "工人们正在包装产品。"),
        (ARTICLE, "岚县经济技术开发区", "招商引资势头强劲 项目落地捷报频传", "魏亚栋",
         "招商引资是经济发展的“源头活水”。", "推动签约项目早落地、早见效。"),
        (ARTICLE, "兴县经济技术开发区", "铝镁新材料产业园开工", "刘晓晶",
         "10月16日,兴县经济技术开发区铝镁新材料产业园项目开工建设。", "年产30万吨铝镁合金及深加工产品的能力。"),
    ]),
    # Kickers in short and alias forms (盐湖高新区, 太原中北高新区); a city kicker over a report
    # naming four zones; a caption signed "X摄"; a body without dateline signed 佚名; the bare
    # 科学导报 dateline.
    "p6_yuncheng_aliases": ((None, None, None), [
        (ARTICLE, "运城盐湖高新技术产业开发区", "生物医药产业园二期项目主体完工", "王波",
         "近日，盐湖高新区生物医药产业园二期项目主体工程全部完工", "力争年内投入使用。"),
        (ARTICLE, None, "召开开发区高质量发展推进会", "郑一",
         "11月5日，运城市召开全市开发区高质量发展推进会", "全力冲刺全年目标任务。"),
        (PHOTO, "运城经济技术开发区", None, "张哲远",
         "运城经济技术开发区汽车装备制造产业园一角。", "运城经济技术开发区汽车装备制造产业园一角。"),
        (ARTICLE, "茅津经济开发区", "黄河文旅融合项目签约落地", "佚名",
         "今年以来，茅津经济开发区依托黄河沿岸独特资源", "全力推动项目早开工、早建成。"),
        (ARTICLE, "中北高新技术产业开发区", "不锈钢深加工基地加快建设", "李璐",
         "近日，记者从太原中北高新区获悉", "进一步巩固中北高新区不锈钢深加工产业集聚优势。"),
    ]),
    # A lead paragraph printed above its title at the top of the page; subsection headings; zone
    # and title on one line separated by a full-width space; a full date in the dateline; a city
    # kicker over a one-paragraph report.
    "p7_feature_lead_above_title": ((None, None, "2025-03-14"), [
        (ARTICLE, "晋城经济技术开发区", "光机电产业 集群成势", "王波",
         "今年以来，晋城经济技术开发区、高平经济技术开发区、阳城经济技术开发区", "一批项目已经投产达效。"),
        (ARTICLE, "阳城经济技术开发区", "抽水蓄能电站配套产业园开工", "常乐",
         "2025年3月14日，阳城经济技术开发区抽水蓄能电站配套产业园项目开工建设。", "新增就业岗位800余个。"),
        (ARTICLE, None, "推进开发区“三化三制”改革", "任龙",
         "3月12日，晋城市召开开发区改革工作推进会", "不断提升园区承载力和产业集聚力。"),
    ]),
    # A masthead of page name, bare date and editors; datelines with the reporters in brackets;
    # "文/图 X" after the last sentence; a caption credited "（X 摄）"; a "zone：title" headline.
    "p8_bracketed_credits": ((None, "2025-04-18", "2025-04-18"), [
        (ARTICLE, "忻州经济开发区", "半导体材料产业园一期竣工", "王波",
         "4月15日，忻州经济开发区半导体材料产业园一期项目竣工", "全部建成后预计年产值达60亿元。"),
        (PHOTO, "忻州经济开发区", None, "王波",
         "图为忻州经济开发区半导体材料产业园一期厂房。", "图为忻州经济开发区半导体材料产业园一期厂房。"),
        (ARTICLE, "侯马经济开发区", "侯马经开区：保税物流跑出加速度", "卫佳",
         "一季度，侯马经济开发区山西方略保税物流中心进出口总额完成14.2亿元", "企业通关时间压缩至2小时以内。"),
        (ARTICLE, "原平经济技术开发区", "“三个一批”活动集中开工项目9个", "韩七",
         "4月16日，原平经济技术开发区“三个一批”活动集中开工仪式举行", "可新增就业岗位1200余个。"),
    ]),
    # The masthead printed between a header and its body; a narrow column with PDF spaces ending
    # mid-sentence before two names; a 引题 over a title that names the zone; zone and title on
    # one line over a ——… subtitle; a continuation mark at the end.
    "p9_masthead_inside_header": (("2025年第22期", None, "2025-04-01"), [
        (ARTICLE, "忻州经济开发区", "“旧巢”引来“新凤”", "赵敏 韩七",
         "围绕盘活存量、培育增量、提升质量,忻州经济开发区推行", "目前全市固废综合利用率达"),
        (ARTICLE, "交口经济技术开发区", "交口经济技术开发区一季度开工项目8个", "魏亚栋",
         "4月1日,交口经济技术开发区2025年一季度", "为项目解决土地、用电、用水等难题。"),
        (ARTICLE, "大同经济技术开发区", "医药产业园二期开工", "王波",
         "3月28日,大同经济技术开发区医药工业园区二期项目开工建设", "同比增长12.3%。"),
    ]),
    # The editors' line and a page number in the masthead; a narrow column of another article
    # (PDF spaces, its byline) printed inside a feature between two of its sections, the
    # column's header at the end of the page.
    "p10_column_inside_feature": ((None, "2025-05-09", "2025-05-09"), [
        (ARTICLE, "高平经济技术开发区", "光机电产业 加速崛起", "常乐",
         "今年以来，高平经济技术开发区坚持把光机电产业作为首位产业", "推动光机电产业向高端化、智能化、绿色化迈进。"),
        (ARTICLE, "沁水经济技术开发区", "煤层气项目建设跑出“加速度”", "赵敏",
         "沁水经济技术开发区坚持“项目为王”，一季度新开工项目6个", "项目建成后年可液化煤层气3亿立方米。"),
    ]),
}


# How many paragraphs each record's body has once broken sentences are mended (subsection
# headings count): with the first and last paragraphs above, this pins every body down.
PARAGRAPHS = {
    "p1_masthead_briefs": [3, 7, 1, 1, 1, 3],
    "p2_features_same_zone": [4, 2, 3, 1, 1, 2],
    "p3_headers_out_of_place": [3, 1, 5, 3, 3],
    "p4_city_roundup_spaces": [4, 4, 2],
    "p5_continued_photos": [2, 2, 1, 3, 1],
    "p6_yuncheng_aliases": [3, 3, 1, 2, 2],
    "p7_feature_lead_above_title": [6, 2, 1],
    "p8_bracketed_credits": [2, 1, 2, 2],
    "p9_masthead_inside_header": [3, 3, 2],
    "p10_column_inside_feature": [6, 2],
}


def test_every_page_file_has_its_expectations():
    assert sorted(EXPECTED) == sorted(PARAGRAPHS) == sorted(path.stem for path in PAGES.glob("*.txt"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_records(pages, name):
    """Every record in print order: kind, zone, title, author, whole body; nothing spurious."""
    page = pages[name]
    found = [
        (a.kind, a.zone, a.title, a.author, a.body[0][: len(first)], a.body[-1][-len(last):])
        for a, (*_, first, last) in zip(page.articles, EXPECTED[name][1])
    ]
    assert EXPECTED[name][1] == found
    assert len(EXPECTED[name][1]) == len(page.articles)
    assert () == page.fragments


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_bodies_have_their_paragraphs(pages, name):
    assert PARAGRAPHS[name] == [len(article.body) for article in pages[name].articles]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_dates_and_issue(pages, name):
    page = pages[name]
    assert EXPECTED[name][0] == (page.issue_label, page.masthead_date, page.latest_date)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_character_of_a_page_is_placed_once(pages, name):
    assert_every_character_placed_once(page_text(name), pages[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_primary_zone_comes_first(pages, name):
    for article in pages[name].articles:
        assert article.zone is None or article.zone == article.zones[0]


def test_datelines_and_reporters(pages):
    changzhi = pages["p1_masthead_briefs"].articles[1]
    assert ("科学导报 通讯员郭晓东", "郭晓东") == (changzhi.dateline, changzhi.author)
    shuozhou = pages["p2_features_same_zone"].articles[1]
    assert ("科学导报 通讯员罗文平", "朔州经济开发区神电固废综合利用园") == (shuozhou.dateline, shuozhou.kicker)
    changzi = pages["p5_continued_photos"].articles[1]
    assert "科学导报 记者李阳 通讯员李明" == changzi.dateline
    xinzhou, _, houma, _ = pages["p8_bracketed_credits"].articles
    assert ("本报讯（记者 王波 通讯员 赵敏）", "科学导报讯（通讯员 卫佳）") == (xinzhou.dateline, houma.dateline)
    assert "本报讯" == pages["p4_city_roundup_spaces"].articles[0].dateline


def test_subsection_headings_and_mended_sentences(pages):
    changzhi = pages["p1_masthead_briefs"].articles[1]
    assert ("一、搭建创新平台", "二、培育创新主体", "三、优化创新生态") == changzhi.body[1::2][:3]
    houma, _, _, _, _, gaoping = pages["p1_masthead_briefs"].articles
    assert any("品质突出的现代物流集聚区" in paragraph for paragraph in houma.body)
    assert any("总投资30.2亿元；现代物流项目3个" in paragraph for paragraph in gaoping.body)
    assert not any("文/图" in paragraph for paragraph in gaoping.body)
    fenglingdu = pages["p2_features_same_zone"].articles[0]
    assert any("稳妥有序”原则" in paragraph for paragraph in fenglingdu.body)
    feature = pages["p7_feature_lead_above_title"].articles[0]
    assert ("体量巨大的“主引擎”", "奋起直追的“新引擎”") == (feature.body[2], feature.body[4])


def test_headers_out_of_place(pages):
    page = pages["p3_headers_out_of_place"]
    houma, photo, guxian, _, quwo = page.articles
    assert ("侯马经济开发区", "科学导报讯") == (houma.kicker, houma.dateline)
    assert any("这一关键节点，建设者们不惧严寒" in paragraph for paragraph in houma.body)
    assert any(paragraph.endswith("预计同比增长三成以上。") for paragraph in houma.body)
    assert "新材料产业硕果累累。" in guxian.body
    assert ("科学导报 记者 李阳", (3, 5)) == (quwo.dateline, quwo.published_month_day)
    assert NOTE_SECTION + "园区动态" in page.notes


def test_city_kickers_and_zones_named(pages):
    linfen = pages["p4_city_roundup_spaces"].articles[0]
    assert ("临汾市", "临汾") == (linfen.kicker, linfen.city)
    assert {"临汾经济开发区", "侯马经济开发区", "洪洞经济技术开发区"} <= set(linfen.zones)
    assert "临汾市13个开发区完成规上工业增加值186.5亿元,同比增长9.6%" in linfen.body[0]
    assert NOTE_CONTINUATION + "(下转D4版)" in pages["p4_city_roundup_spaces"].notes
    yuncheng = pages["p6_yuncheng_aliases"].articles[1]
    assert ("运城市", "运城") == (yuncheng.kicker, yuncheng.city)
    assert {"运城经济技术开发区", "运城盐湖高新技术产业开发区", "山西风陵渡经济开发区", "新绛经济技术开发区"} <= set(
        yuncheng.zones
    )
    jincheng = pages["p7_feature_lead_above_title"].articles[2]
    assert ("晋城市", "晋城", (3, 12)) == (jincheng.kicker, jincheng.city, jincheng.published_month_day)


def test_kickers_subtitles_and_published(pages):
    fenglingdu = pages["p2_features_same_zone"].articles[0]
    assert ("——山西风陵渡经济开发区见闻", None) == (fenglingdu.subtitle, fenglingdu.kicker)
    huozhou = pages["p3_headers_out_of_place"].articles[3]
    assert ("霍州经济技术开发区", "——霍州经济技术开发区2024年工作综述") == (huozhou.kicker, huozhou.subtitle)
    yancheng = pages["p7_feature_lead_above_title"].articles[1]
    assert ("阳城经济技术开发区", "2025-03-14") == (yancheng.kicker, yancheng.published)
    assert ("盐湖高新区", "太原中北高新区") == (
        pages["p6_yuncheng_aliases"].articles[0].kicker, pages["p6_yuncheng_aliases"].articles[4].kicker,
    )
    assert None is pages["p2_features_same_zone"].articles[2].kicker


def test_a_column_inside_a_feature_leaves_the_feature_whole(gazetteer, pages):
    gaoping, qinshui = pages["p10_column_inside_feature"].articles
    assert ("龙头带动 集群发展", "创新驱动 提质增效") == (gaoping.body[1], gaoping.body[3])
    assert not any("沁水" in paragraph for paragraph in gaoping.body)
    assert 2 == len(qinshui.body)
    header = "沁水经济技术开发区\n\n煤层气项目建设跑出“加速度”\n"
    text = page_text("p10_column_inside_feature").replace(header, "")
    header_above_column = split_page(text.replace("沁水经济技术开发 区", header + "\n沁水经济技术开发 区"), gazetteer)
    assert pages["p10_column_inside_feature"].articles == header_above_column.articles


def test_kickers_above_titles(pages):
    xinzhou, jiaokou, datong = pages["p9_masthead_inside_header"].articles
    assert ("忻州经济开发区", "“旧巢”引来“新凤”") == (xinzhou.kicker, xinzhou.title)
    assert "聚焦“三个一批”" == jiaokou.kicker
    assert ("大同经济技术开发区", "——大同经开区一季度项目建设综述") == (datong.kicker, datong.subtitle)


# ---------------------------------------------------------------------------------------------
# Robustness: every page (seeds and the pages above) under what extraction and files do to text

ALL_PAGES = [f"seed {number}" for number in SEEDS] + sorted(EXPECTED)


def any_page_text(name: str) -> str:
    return seed_text(name.removeprefix("seed ")) if name.startswith("seed ") else page_text(name)


# What GBK-era tools, PDF extractors and editors do to a page's text without changing what it says.
ARTEFACTS = {
    "CRLF line endings": lambda text: text.replace("\n", "\r\n"),
    "old Mac line endings": lambda text: text.replace("\n", "\r"),
    "paragraphs indented with full-width spaces": lambda text: re.sub(r"(?m)^(?=\S)", "\u3000\u3000", text),
    "trailing blanks on every line": lambda text: text.replace("\n", " \t\u3000\n"),
    "tabs for spaces": lambda text: text.replace(" ", "\t"),
    "full-width spaces for spaces": lambda text: text.replace(" ", "\u3000"),
    "no-break spaces for spaces": lambda text: text.replace(" ", "\xa0"),
    "zero-width spaces after full stops": lambda text: text.replace("。", "。\u200b"),
    "a byte-order mark and a form feed at the end": lambda text: "\ufeff" + text + "\f",
    "line separators": lambda text: text.replace("\n", "\u2028"),
    "no blank lines": lambda text: re.sub(r"\n\s*\n", "\n", text),
}


@pytest.mark.parametrize("artefact", sorted(ARTEFACTS))
@pytest.mark.parametrize("name", ALL_PAGES)
def test_extraction_artefacts_change_no_record(gazetteer, name, artefact):
    text = any_page_text(name)
    clean, damaged = split_page(text, gazetteer), split_page(ARTEFACTS[artefact](text), gazetteer)
    assert (clean.articles, clean.fragments) == (damaged.articles, damaged.fragments)
    assert (clean.issue_label, clean.masthead_date) == (damaged.issue_label, damaged.masthead_date)


@pytest.mark.parametrize("first, second", list(zip(ALL_PAGES, ALL_PAGES[1:] + ALL_PAGES[:1])))
def test_pages_separated_by_a_form_feed_are_parsed_each_on_its_own(gazetteer, first, second):
    """pdftotext ends every page with a form feed: one file may hold several pages."""
    one, two = split_page(any_page_text(first), gazetteer), split_page(any_page_text(second), gazetteer)
    texts = any_page_text(first), any_page_text(second)
    for text in (texts[0] + "\f" + texts[1], texts[0] + "\f\n\f" + texts[1] + "\f"):
        both = split_page(text, gazetteer)
        assert one.articles + two.articles == both.articles
        assert one.fragments + two.fragments == both.fragments
        assert one.notes + two.notes == both.notes
        assert (one.issue_label or two.issue_label) == both.issue_label


def shuffled_blocks(text: str, rng: random.Random) -> str:
    """The page cut at random blank lines into a few blocks, put back in a random order."""
    paragraphs = text.split("\n\n")
    cuts = sorted(rng.sample(range(1, len(paragraphs)), k=min(5, len(paragraphs) - 1)))
    blocks = [paragraphs[start:end] for start, end in zip([0, *cuts], [*cuts, len(paragraphs)])]
    rng.shuffle(blocks)
    return "\n\n".join(paragraph for block in blocks for paragraph in block)


@pytest.mark.parametrize("round_", range(4))
@pytest.mark.parametrize("name", ALL_PAGES)
def test_shuffled_pages_never_crash_nor_lose_text(gazetteer, name, round_):
    rng = random.Random(f"{name}/{round_}")
    text = shuffled_blocks(any_page_text(name), rng)
    assert_every_character_placed_once(text, split_page(text, gazetteer))
    squeezed = text.replace("\n\n", "\n")
    assert_every_character_placed_once(squeezed, split_page(squeezed, gazetteer))


@pytest.mark.parametrize("round_", range(3))
@pytest.mark.parametrize("first, second", list(zip(ALL_PAGES, ALL_PAGES[3:] + ALL_PAGES[:3])))
def test_two_pages_interleaved_never_crash_nor_lose_text(gazetteer, first, second, round_):
    """Columns of two pages alternating, as when extraction reads across a spread."""
    rng = random.Random(f"{first}/{second}/{round_}")
    one, two = (any_page_text(name).split("\n\n") for name in (first, second))
    size = rng.randint(1, 6)
    starts = range(0, max(len(one), len(two)), size)
    text = "\n\n".join(block for start in starts for block in one[start : start + size] + two[start : start + size])
    assert_every_character_placed_once(text, split_page(text, gazetteer))


@pytest.mark.parametrize("width", [9, 17, 30])
@pytest.mark.parametrize("name", ALL_PAGES)
def test_hard_wrapped_pages_never_crash_nor_lose_text(gazetteer, name, width):
    """Every line cut every `width` characters, as a text extractor without reflow does."""
    wrapped = "\n".join(
        line[start : start + width] for line in any_page_text(name).split("\n") for start in range(0, max(len(line), 1), width)
    )
    assert_every_character_placed_once(wrapped, split_page(wrapped, gazetteer))
