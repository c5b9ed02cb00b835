"""summarize.layout's rules one by one, on glyphs placed by hand (the docstring of
summarize/layout.py numbers the rules; whole pages are in tests/test_pdf.py)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from summarize import layout as L
from summarize.layout import Area, Block, Glyph, Layout, Rect, Sheet, Story
from summarize.segment import PHOTO
from summarize.zones import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
BODY = 10.0


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_csv((ROOT / "config" / "zones.csv").read_text("utf-8"))


def glyphs(text: str, x: float, top: float, size: float = BODY) -> list[Glyph]:
    placed = []
    for char in text:
        advance = size * (0.3 if char == " " else 0.55 if char.isascii() else 1.0)
        placed.append(Glyph(char, x, top, x + advance, top + size, size))
        x += advance
    return placed


def line(text: str, x: float, top: float, size: float = BODY) -> L.Line:
    [found] = L.group_lines(glyphs(text, x, top, size))
    return found


def column(texts: list[tuple[str, float]], x: float, top: float, leading: float = 14.0) -> list[L.Line]:
    """Lines of one column: (text, indent in ems)."""
    return [line(text, x + indent * BODY, top + number * leading) for number, (text, indent) in enumerate(texts)]


def test_rule1_a_gutter_splits_a_row_a_space_does_not():
    row = glyphs("园区新貌一角", 0, 0) + glyphs("项目开工", 60 + 0.9 * BODY, 0) + glyphs("王波 李阳", 200, 0)
    assert ["园区新貌一角", "项目开工", "王波 李阳"] == [found.text for found in L.group_lines(row)]


def test_rule1b_a_line_run_into_the_next_column_is_cut_where_that_column_starts():
    right = [line("第二栏的文字", 110, top) for top in (0, 14, 28)]
    merged = L.group_lines(glyphs("第一栏文字写满了。", 20, 42) + glyphs("第二栏", 110, 42))
    assert ["第一栏文字写满了。第二栏"] == [found.text for found in merged]  # no gap at all between them
    cut = L.cut_at_column_starts(right + merged)
    assert ["第一栏文字写满了。", "第二栏"] == [found.text for found in cut[3:]]


def test_rule1b_an_indent_is_not_a_column_start():
    lines = column([("段落第一行文字", 2), ("第二行文字写满了", 0), ("另一段第一行", 2), ("又是一行写满的字", 0),
                    ("第三段第一行", 2), ("写满的一行文字呀", 0)], 0, 0)
    assert [found.text for found in lines] == [found.text for found in L.cut_at_column_starts(lines)]


def test_rule2_body_size_is_the_size_of_most_characters():
    lines = [line("标题", 0, 0, 24), line("正文正文正文正文正文", 0, 40), line("图片说明", 0, 60, 8)]
    assert BODY == L.body_size(lines)


def test_rule3_masthead_is_everything_above_its_lowest_mark():
    lines = [line("开发区建设", 200, 20, 40), line("2025年3月14日 星期五 第10期", 400, 70),
             line("晋城经开区", 20, 120), line("2025年3月6日，园区召开大会。", 20, 160)]
    assert ["开发区建设", "2025年3月14日 星期五 第10期"] == [found.text for found in L.masthead_lines(lines, 1200)]


def test_rule4_frames_with_lines_are_boxes_filled_shapes_pictures_thin_ones_rules():
    lines = [line("链接", 20, 20), line("框里的文字", 20, 40), line("标签", 300, 20)]
    sheet = Sheet(800, 1200, ())
    shapes = L.sort_rects([
        Rect(10, 10, 200, 60, picture=False),  # a frame around two lines: a box
        Rect(290, 10, 340, 34, picture=True),  # a tag's background around one line: decoration
        Rect(10, 100, 200, 220, picture=True),  # a filled shape without text: a picture
        Rect(10, 300, 700, 301, picture=False),  # a rule across the page
        Rect(0, 0, 800, 1200, picture=True),  # the page's background
    ], lines, sheet)
    assert [Area(10, 10, 200, 60)] == shapes.boxes
    assert [Area(10, 100, 200, 220)] == shapes.pictures
    assert [Area(10, 300, 700, 301)] == shapes.rules


def test_rule4_a_caption_is_the_lines_under_a_picture_up_to_its_credit():
    picture = Area(0, 0, 150, 100)
    lines = [line("图为园区新建的厂房", 0, 104, 8), line("外景。 王波 摄", 0, 116, 8), line("正文从这里开始", 0, 130),
             line("旁边一栏的字", 170, 104, 8)]
    assert ["图为园区新建的厂房", "外景。 王波 摄"] == [found.text for found in L.caption_lines(picture, lines)]


def test_rule4_no_caption_far_under_a_picture():
    assert [] == L.caption_lines(Area(0, 0, 150, 100), [line("正文", 0, 160)])


def test_rule5_headline_by_size_with_kicker_above_and_subtitle_below(gazetteer):
    lines = [line("朔州经济开发区", 0, 0, 12), line("固废综合利用率", 0, 18, 24), line("突破八成", 0, 46, 24),
             line("——绿色发展见闻", 20, 76, 12)]
    [header] = L.find_headers(lines, BODY, gazetteer)
    assert ("朔州经济开发区", "固废综合利用率突破八成", "——绿色发展见闻") == (header.kicker, header.title, header.subtitle)


def test_rule5_a_kicker_away_from_a_centred_headline_still_heads_it(gazetteer):
    lines = [line("太原经开区", 0, 0, 12), line("智能制造示范工厂建设提速", 200, 18, 24)]
    [header] = L.find_headers(lines, BODY, gazetteer)
    assert ("太原经开区", "智能制造示范工厂建设提速") == (header.kicker, header.title)


def test_rule5_a_body_size_place_line_over_a_headline_is_its_kicker(gazetteer):
    lines = [line("晋城经开区", 0, 0), line("光伏项目满负荷生产", 0, 14, 24), line("（王波）", 0, -40)]
    [header] = L.find_headers(lines, BODY, gazetteer)
    assert "晋城经开区" == header.kicker


def test_rule5_a_deck_size_title_under_a_place_line(gazetteer):
    lines = [line("侯马经济开发区", 0, 0, 11.5), line("外贸进出口额创新高", 0, 16, 11.5)]
    [header] = L.find_headers(lines, BODY, gazetteer)
    assert ("侯马经济开发区", "外贸进出口额创新高") == (header.kicker, header.title)


def test_rule6_lines_at_line_spacing_make_a_block_a_gap_starts_another():
    lines = column([("第一行", 0), ("第二行", 0)], 0, 0) + column([("隔开的", 0)], 0, 80)
    assert [2, 1] == [len(block.lines) for block in L.make_blocks(lines)]


def _story_titles(layout: Layout) -> list[tuple[str, str | None]]:
    L.assign_blocks(layout)
    return [(block.lines[0].text, _title(layout.owners.get(id(block)))) for block in layout.blocks if block.lines]


def _title(story: Story | None) -> str | None:
    return story.header.title if story is not None and story.header is not None else None


def test_rule7_an_article_flows_to_the_next_column_under_a_short_headline(gazetteer):
    [header] = L.find_headers([line("短标题", 0, 0, 24)], BODY, gazetteer)
    first = Block(column([("左栏第一行", 0), ("左栏第二行", 0)], 0, 40))
    second = Block(column([("右栏第一行", 0), ("右栏第二行", 0)], 120, 40))
    layout = Layout([header], [first, second], [], BODY)
    assert [("左栏第一行", "短标题"), ("右栏第一行", "短标题")] == _story_titles(layout)


def test_rule7_a_block_under_a_box_goes_on_with_the_article_above(gazetteer):
    [header] = L.find_headers([line("标题在这里", 0, 0, 24)], BODY, gazetteer)
    above = Block(column([("框上面的字", 0)], 0, 40))
    box = Block([], Area(0, 60, 100, 120))
    below = Block(column([("框下面的字", 0)], 0, 130))
    layout = Layout([header], [above, box, below], [], BODY)
    assert [("框上面的字", "标题在这里"), ("框下面的字", "标题在这里")] == _story_titles(layout)


def test_rule7_a_header_between_two_blocks_of_a_column_separates_them(gazetteer):
    headers = L.find_headers([line("上面的标题", 0, 0, 24), line("下面的标题很短", 0, 100, 24)], BODY, gazetteer)
    upper = [Block(column([("上文左栏", 0)], 0, 40)), Block(column([("上文右栏", 0)], 160, 40))]
    lower = [Block(column([("下文左栏", 0)], 0, 140)), Block(column([("下文右栏", 0)], 160, 140))]
    layout = Layout(headers, upper + lower, [], BODY)
    assert dict(_story_titles(layout)) == {"上文左栏": "上面的标题", "上文右栏": "上面的标题",
                                           "下文左栏": "下面的标题很短", "下文右栏": "下面的标题很短"}


def test_rule8_indent_and_short_lines_make_paragraphs_across_columns():
    left = Block(column([("本报讯今年以来，", 2), ("项目建设提速。", 0), ("下一段开头写满了", 2)], 0, 0))
    right = Block(column([("接着上一段的文字。", 0), ("（王波）", 5)], 120, 0))
    assert ["本报讯今年以来，项目建设提速。", "下一段开头写满了接着上一段的文字。", "（王波）"] == L.paragraphs([left, right])


def test_rule8_a_lone_line_after_a_finished_sentence_is_its_own_paragraph():
    left = Block(column([("第一行写满了文字", 0), ("最后一句结束了。", 0)], 0, 0))
    right = Block(column([("罗文平 朱怡", 0)], 120, 0))
    assert ["第一行写满了文字最后一句结束了。", "罗文平 朱怡"] == L.paragraphs([left, right])


def test_an_article_without_dateline_gets_its_byline_and_no_dateline(gazetteer):
    article = L.to_article("园区新貌", "晋城经开区", None, ["园区新建厂房投入使用。", "（王波）"], gazetteer)
    assert ("晋城经济技术开发区", "王波", None) == (article.zone, article.author, article.dateline)
    assert ("园区新建厂房投入使用。",) == article.body


def test_a_dateline_is_kept(gazetteer):
    article = L.to_article("园区新貌", None, None, ["本报讯（记者 王波）3月6日，侯马经济开发区召开大会。"], gazetteer)
    assert ("本报讯（记者 王波）", "王波", "侯马经济开发区") == (article.dateline, article.author, article.zone)


def test_a_box_title_by_size_or_a_short_first_line(gazetteer):
    sized = L.box_article([line("链接", 40, 0, 12), *column([("框里的文字说明。", 2)], 0, 20)], gazetteer, None)
    short = L.box_article(column([("相关阅读", 3), ("朔州市出台三年行动方案。", 2)], 0, 0), gazetteer, "朔州经济开发区")
    assert ("链接", "相关阅读") == (sized.title, short.title)
    assert "朔州经济开发区" == short.zone


def test_a_photo_takes_its_host_zone_when_its_caption_names_none(gazetteer):
    photo = L.photo_article([line("新建的厂房。 王波 摄", 0, 0, 8)], gazetteer, "高平经济技术开发区")
    assert (PHOTO, "高平经济技术开发区", "王波", ("新建的厂房。",)) == (photo.kind, photo.zone, photo.author, photo.body)


def test_read_sheets_reads_pages_in_order_and_the_masthead_date(gazetteer):
    def sheet(title: str, dated: bool) -> Sheet:
        placed = glyphs("开发区建设", 200, 10, 40) + (glyphs("2025年3月14日 星期五", 400, 60) if dated else [])
        placed += glyphs(title, 0, 120, 24) + glyphs("本报讯（记者 王波）园区项目开工。", 0, 160)
        return Sheet(800, 1200, tuple(placed))

    page = L.read_sheets([sheet("第一版标题", True), sheet("第二版标题", False)], gazetteer)
    assert ["第一版标题", "第二版标题"] == [article.title for article in page.articles]
    assert "2025-03-14" == page.masthead_date == page.latest_date


def test_rule5_each_kicker_joins_the_nearest_headline_a_step_larger(gazetteer):
    lines = [line("晋城经开区", 0, 0, 13), line("光伏项目投产", 0, 19, 17),  # kicker 1.3, headline 1.7 body sizes
             line("孝义经济开发区", 200, 0, 13), line("氢能重卡示范线路开通", 300, 19, 17)]
    headers = L.find_headers(lines, BODY, gazetteer)
    assert [("晋城经开区", "光伏项目投产"), ("孝义经济开发区", "氢能重卡示范线路开通")] == [
        (header.kicker, header.title) for header in headers]


def test_rule5_a_wrapped_title_keeps_the_space_it_was_broken_at(gazetteer):
    first = L.group_lines(glyphs("签约项目12个 ", 0, 0, 24))
    second = L.group_lines(glyphs("总投资86亿元", 0, 30, 24))
    assert "签约项目12个 总投资86亿元" == L.join_title(first + second)


def test_rule7_a_centred_headline_heads_the_column_left_of_it(gazetteer):
    headers = L.find_headers([line("左边标题", 0, 0, 24), line("居中的标题", 200, 0, 24)], BODY, gazetteer)
    # the left story stands in x 0-100; the centred headline (200-320) is centred over 120-400
    blocks = [Block(column([("左边文章正文写满", 0)], 0, 40)), Block(column([("中间栏第一行", 0)], 120, 40)),
              Block(column([("右边栏第一行", 0)], 230, 40)), Block(column([("最右栏第一行", 0)], 340, 40))]
    owners = dict(_story_titles(Layout(headers, blocks, [], BODY)))
    assert ("左边标题", "居中的标题", "居中的标题") == (owners["左边文章正文写满"], owners["中间栏第一行"], owners["最右栏第一行"])


def test_rule7_a_block_with_nothing_above_or_left_takes_the_nearest_header(gazetteer):
    headers = L.find_headers([line("远处的标题", 500, 0, 24), line("近处的标题", 150, 0, 24)], BODY, gazetteer)
    layout = Layout(headers, [Block(column([("没有上方也没有左邻", 0)], 0, 40))], [], BODY)
    assert [("没有上方也没有左邻", "近处的标题")] == _story_titles(layout)


def test_rule8_a_character_carried_down_with_a_closing_mark_does_not_end_a_paragraph():
    # 12 ems wide; the first line stops two ems short: "赵" went down with "）" after it.
    lines = column([("本报讯（记者 王波 通讯员", 0), ("赵敏）三月六日园区召开", 0), ("大会部署全年的工作。", 0)], 0, 0)
    lines[1] = line("赵敏）三月六日园区召开大", 0, 14)
    assert ["本报讯（记者 王波 通讯员赵敏）三月六日园区召开大大会部署全年的工作。"] == L.paragraphs([Block(lines)])


def test_rule5_a_kicker_far_left_of_a_centred_headline_joins_it_not_the_one_before(gazetteer):
    lines = [line("左边文章的标题", 0, 19, 17), line("阳泉高新区", 160, 0, 11), line("数字经济产业园入驻", 300, 19, 17)]
    headers = L.find_headers(lines, BODY, gazetteer)
    assert {"左边文章的标题": None, "数字经济产业园入驻": "阳泉高新区"} == {h.title: h.kicker for h in headers}


def test_rule7_a_centred_headline_under_a_block_starts_a_new_article_in_that_column(gazetteer):
    headers = L.find_headers([line("上面的标题", 0, 0, 24), line("居中的标题", 200, 100, 24)], BODY, gazetteer)
    upper = Block(column([("上文第一栏写满", 0)], 0, 40))
    lower = [Block(column([("下文第一栏写满", 0)], 0, 140)), Block(column([("下文第二栏", 0)], 230, 140)),
             Block(column([("下文第三栏写", 0)], 460, 140))]  # the headline (200-320) is centred over 0-520
    owners = dict(_story_titles(Layout(headers, [upper, *lower], [], BODY)))
    assert ("上面的标题", "居中的标题") == (owners["上文第一栏写满"], owners["下文第一栏写满"])


@pytest.mark.parametrize("seed", range(12))
def test_any_soup_of_glyphs_and_shapes_reads_without_error(seed, gazetteer):
    """Overlapping text and shapes anywhere (a damaged or odd page): a Page, never an exception."""
    rng = random.Random(seed)
    placed = []
    for _ in range(rng.randrange(20, 200)):
        size, x, top = rng.choice((8, 10, 10, 10, 14, 24)), rng.uniform(0, 800), rng.uniform(0, 1100)
        placed += glyphs("".join(rng.choice("晋城经开区开发区建设本报讯记者王波，。2025年3月14日第10期（）■摄 图为")
                                 for _ in range(rng.randrange(1, 20))), x, top, size)
    corners = [sorted(rng.uniform(0, 800) for _ in range(2)) + sorted(rng.uniform(0, 1100) for _ in range(2))
               for _ in range(rng.randrange(0, 6))]
    rects = tuple(Rect(x0, top, x1, bottom, rng.random() < 0.5) for x0, x1, top, bottom in corners)
    page = L.read_sheets([Sheet(800, 1100, tuple(placed), rects)], gazetteer)
    assert all(article.body for article in page.articles)
