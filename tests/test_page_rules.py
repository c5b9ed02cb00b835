"""The page reader's rules for layouts the seed pages lack, one test each (the development set for
them; tests/data/heldout is scored by `python -m bench.pages`, never tuned on).

Zones are real (config/zones.csv); events and people are invented.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_segment import assert_every_character_placed_once

from summarize.page.headers import Draft, split_column_label
from summarize.page.lines import (
    HeadLine,
    Para,
    colon_headline,
    comma_title_under_kicker,
    staff_byline_after_body,
    unlisted_zone_at_start,
)
from summarize.page.masthead import is_anchor, issue_label
from summarize.page.text import MIN_BODY_CHARS
from summarize.segment import ARTICLE, PHOTO, Article, Page, short_articles_as_fragments, split_page
from summarize.zones import Gazetteer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_csv((ROOT / "config" / "zones.csv").read_text("utf-8"))


def parse(text: str, gazetteer: Gazetteer) -> Page:
    page = split_page(text, gazetteer)
    assert_every_character_placed_once(text, page)
    return page


def records(page: Page) -> list[tuple[str | None, str | None, str | None]]:
    return [(article.zone, article.title, article.author) for article in page.articles]


BODY = "开发区坚持项目为王，持续优化营商环境，一批重点项目相继落地投产，全年目标任务有望顺利完成。"


def test_a_column_label_before_the_title_joins_the_kicker(gazetteer):
    page = parse(f"高平经济技术开发区 【项目速递】光伏组件项目投产\n\n科学导报讯 {BODY} 常乐\n", gazetteer)
    (article,) = page.articles
    assert ("高平经济技术开发区", "光伏组件项目投产", "常乐") == (article.zone, article.title, article.author)
    assert "高平经济技术开发区 【项目速递】" == article.kicker
    draft = Draft(title="【园区】 新项目开工")
    split_column_label(draft)
    assert ("【园区】", "新项目开工") == (draft.kicker, draft.title)
    bare = Draft(title="【园区】")
    split_column_label(bare)
    assert (None, "【园区】") == (bare.kicker, bare.title)


def test_a_column_label_right_after_the_zone_name(gazetteer):
    (article,) = parse(f"阳城经济技术开发区【园区动态】新能源装备产业园开工\n\n科学导报讯 {BODY} 常乐\n", gazetteer).articles
    assert ("阳城经济技术开发区 【园区动态】", "新能源装备产业园开工") == (article.kicker, article.title)


def test_a_byline_crediting_text_and_pictures(gazetteer):
    text = f"孝义经济开发区\n\n氢能重卡线路开通\n\n科学导报讯（通讯员 刘晓晶）{BODY}\n\n文/刘晓晶 图/魏亚栋\n"
    (article,) = parse(text, gazetteer).articles
    assert ("孝义经济开发区", "氢能重卡线路开通", "刘晓晶 魏亚栋") == (article.zone, article.title, article.author)


def test_a_column_label_alone_on_its_line_is_a_section_label(gazetteer):
    page = parse(f"【园区动态】\n\n怀仁经济技术开发区\n\n陶瓷产业园扩能\n\n科学导报讯 {BODY} 曹策\n", gazetteer)
    assert [("怀仁经济技术开发区", "陶瓷产业园扩能", "曹策")] == records(page)
    assert "section label: 【园区动态】" in page.notes


def test_a_headline_may_open_with_a_short_place_and_a_colon(gazetteer):
    assert colon_headline("山西长治", "新能源产业加快集聚", gazetteer)
    assert colon_headline("潇河产业园区", "项目集中签约", gazetteer)
    assert not colon_headline("会议要求各部门各单位要切实提高认识", "抓好落实", gazetteer)
    assert not colon_headline("山西长治", "", gazetteer)
    text = f"山西长治：新能源产业加快集聚\n\n科学导报讯 今年以来，长治高新技术产业开发区{BODY} 郭晓东\n"
    (article,) = parse(text, gazetteer).articles
    assert ("长治高新技术产业开发区", "山西长治：新能源产业加快集聚", "长治") == (article.zone, article.title, article.city)


def test_a_title_with_a_comma_under_a_zone_kicker(gazetteer):
    text = f"临汾经济开发区\n\n抢抓机遇，奋力打造百亿级产业园\n\n科学导报讯 {BODY} 张炜\n"
    (article,) = parse(text, gazetteer).articles
    assert ("临汾经济开发区", "抢抓机遇，奋力打造百亿级产业园", "张炜") == (article.zone, article.title, article.author)
    kicker = HeadLine(0, "临汾经济开发区", 7, "临汾经济开发区")
    assert comma_title_under_kicker("抢抓机遇，奋力打造百亿级产业园", kicker)
    assert not comma_title_under_kicker("抢抓机遇，奋力打造百亿级产业园", Para(0, BODY))
    assert not comma_title_under_kicker("近日，开发区召开会议。", kicker)
    assert not comma_title_under_kicker("今年以来，开发区坚持项目为王，持续优化营商环境", kicker)


def test_a_zone_the_gazetteer_lacks_is_named_as_printed(gazetteer):
    assert (9, "榆社经济技术开发区", None) == unlisted_zone_at_start("榆社经济技术开发区", [], gazetteer)
    assert (0, None, None) == unlisted_zone_at_start("全省经济技术开发区工作会议召开", [], gazetteer)
    assert (0, None, None) == unlisted_zone_at_start("召开开发区工作推进会", [], gazetteer)
    listed = gazetteer.mentions("山西大同经济技术开发区")
    assert (11, "大同经济技术开发区", None) == unlisted_zone_at_start("山西大同经济技术开发区", listed, gazetteer)
    other_word = unlisted_zone_at_start("祁县经济技术开发区", [], gazetteer)
    assert (9, "祁县经济开发区", None) == other_word
    (article,) = parse(f"榆社经济技术开发区\n\n化工园区扩区获批\n\n科学导报讯 {BODY} 张炜\n", gazetteer).articles
    assert ("榆社经济技术开发区", "化工园区扩区获批", "张炜") == (article.zone, article.title, article.author)


def test_a_zone_named_after_a_county_is_found_in_a_body_listed_or_not(gazetteer):
    text = (
        "简讯\n\n科学导报讯 3月1日，记者从平定经济技术开发区获悉，园区新材料产业园一期项目竣工投产，年产值可达12亿元。 王波\n\n"
        "科学导报讯 3月2日，祁县经济技术开发区玻璃器皿产业园扩建项目开工，总投资3亿元，建成后年产玻璃器皿1亿件。 李泽宇\n"
    )
    pingding, qixian = parse(text, gazetteer).articles
    assert ("平定经济技术开发区", "阳泉", "王波") == (pingding.zone, pingding.city, pingding.author)
    assert ("祁县经济开发区", "晋中") == (qixian.zone, qixian.city)  # listed under another zone word


def test_a_staff_byline_after_the_body_signs_it(gazetteer):
    assert staff_byline_after_body("本报记者 王波 通讯员 赵敏", Para(0, BODY))
    assert not staff_byline_after_body("本报记者 王波 通讯员 赵敏", None)
    assert not staff_byline_after_body("科学导报讯 近日，某项目开工。", Para(0, BODY))
    text = (
        f"原平经济技术开发区\n\n农产品加工园开园\n\n本报讯（记者 韩七）{BODY}\n\n本报记者 韩七 通讯员 赵敏\n\n"
        f"忻州经济开发区\n\n新材料项目签约\n\n科学导报讯 {BODY} 王波\n"
    )
    page = parse(text, gazetteer)
    assert [("原平经济技术开发区", "农产品加工园开园", "韩七 赵敏"), ("忻州经济开发区", "新材料项目签约", "王波")] == records(page)


def test_a_byline_with_several_roles_under_the_title(gazetteer):
    text = f"山西晋城：光机电产业集群成势\n\n本报记者 常乐 通讯员 任龙\n\n今年以来，晋城经济技术开发区{BODY}\n"
    (article,) = parse(text, gazetteer).articles
    assert ("晋城经济技术开发区", "山西晋城：光机电产业集群成势", "常乐 任龙") == (article.zone, article.title, article.author)


def test_a_continued_article_has_no_title_and_keeps_its_byline(gazetteer):
    text = f"（上接第1版）\n\n本报记者 魏亚栋\n\n岚县经济技术开发区还{BODY}\n\n兴县经济技术开发区\n\n铝镁项目开工\n\n科学导报讯 {BODY} 刘晓晶\n"
    page = parse(text, gazetteer)
    assert [("岚县经济技术开发区", None, "魏亚栋"), ("兴县经济技术开发区", "铝镁项目开工", "刘晓晶")] == records(page)
    assert "continuation mark: （上接第1版）" in page.notes


def test_zone_headers_printed_after_their_bodies(gazetteer):
    text = (
        f"科学导报讯 7月1日，襄垣经济技术开发区{BODY} 郑一\n\n襄垣经济技术开发区\n\n煤化工项目投产\n\n"
        f"科学导报讯 7月2日，沁源经济技术开发区{BODY} 郭晓东\n\n沁源经济技术开发区\n\n园区道路全线贯通\n\n"
        f"潞城经济技术开发区\n\n氢能产业园开工\n\n科学导报讯 7月3日，潞城经济技术开发区{BODY} 崔元斌\n"
    )
    page = parse(text, gazetteer)
    assert [
        ("襄垣经济技术开发区", "煤化工项目投产", "郑一"),
        ("沁源经济技术开发区", "园区道路全线贯通", "郭晓东"),
        ("潞城经济技术开发区", "氢能产业园开工", "崔元斌"),
    ] == records(page)


def test_a_header_over_a_body_that_names_its_zone_stays_its_header(gazetteer):
    text = (
        f"科学导报讯 7月1日，襄垣经济技术开发区{BODY} 郑一\n\n沁源经济技术开发区\n\n园区道路全线贯通\n\n"
        f"科学导报讯 7月2日，沁源经济技术开发区{BODY} 郭晓东\n"
    )
    page = parse(text, gazetteer)
    assert [("襄垣经济技术开发区", None, "郑一"), ("沁源经济技术开发区", "园区道路全线贯通", "郭晓东")] == records(page)


def test_a_short_body_is_a_fragment_never_an_article(gazetteer):
    text = f"安泽经济技术开发区\n\n中药材产业园投产\n\n科学导报讯 {BODY} 郑一\n\n兴县经济技术开发区\n\n园区新貌\n\n科学导报讯 道路全线贯通。 刘晓晶\n"
    page = parse(text, gazetteer)
    assert [("安泽经济技术开发区", "中药材产业园投产", "郑一")] == records(page)
    assert ("兴县经济技术开发区 园区新貌 科学导报讯道路全线贯通。 刘晓晶",) == page.fragments
    assert all(len("".join(article.body)) >= MIN_BODY_CHARS for article in page.articles)
    lenient = split_page(text, gazetteer, min_body_chars=0)
    assert ("兴县经济技术开发区", "园区新貌", "刘晓晶") == records(lenient)[1]


def test_a_short_article_from_any_reader_is_kept_as_a_fragment():
    """What ingest does to every Page, the PDF reader's too: no short body is stored as an article."""
    whole = Article(ARTICLE, "标题", (BODY,), zone="高平经济技术开发区", author="常乐")
    scrap = Article(ARTICLE, "园区新貌", ("道路全线贯通。",), author="王波")
    photo = Article(PHOTO, None, ("园区一角。",))
    page = short_articles_as_fragments(Page(articles=(whole, scrap, photo), fragments=("（下转D2版）",)))
    assert ((whole, photo), ("（下转D2版）", "园区新貌 道路全线贯通。 王波")) == (page.articles, page.fragments)
    assert Page(articles=(whole,)) == short_articles_as_fragments(Page(articles=(whole,)))


def test_several_articles_on_one_zone_each_keep_their_title(gazetteer):
    text = "".join(
        f"山西转型综改示范区\n\n{title}\n\n科学导报讯 综改示范区{BODY} 范彦荣\n\n" for title in ("潇河园区签约", "唐槐园区扩能", "人才新政落地")
    )
    page = parse(text, gazetteer)
    assert [("山西转型综合改革示范区", title, "范彦荣") for title in ("潇河园区签约", "唐槐园区扩能", "人才新政落地")] == records(page)


def test_masthead_rules():
    assert is_anchor("2024 年第 34 期 邮发代号: 21-465")
    assert is_anchor("2025年6月10日 星期二")
    assert not is_anchor("2025年6月10日，开发区召开推进会，部署下一阶段工作。")
    assert "2024年第34期" == issue_label(["2024 年第 34 期"], None)
    assert "2025年第12期" == issue_label(["第12期"], "2025-04-18")
    assert None is issue_label(["第12期"], None)
