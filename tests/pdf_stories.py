"""Texts for the generated PDF pages (tests/pdfpages.py): written for these tests, in the style of
科学导报「开发区建设」; events, figures and people are invented. TUNING stories were looked at while
the layout reader was written; HELD_OUT stories only ever run in the held-out pages, whose results
are reported, never tuned on.

A story prints: its zone label (kicker) above the title, the title (which may wrap), a subtitle, a
dateline opening the first paragraph, the paragraphs, and a byline line at the end. `zone` and
`author` are what a reader finds: the zone the story is about and who wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    zone: str  # official name of the zone it is about (expected)
    title: str
    paras: tuple[str, ...]
    author: str | None  # expected author, names separated by a space
    kicker: str | None = None  # zone label printed above the title
    subtitle: str | None = None
    dateline: str | None = None  # printed at the start of the first paragraph
    byline: str | None = None  # printed alone on the last line


@dataclass(frozen=True)
class Box:
    """A sidebar: a framed box with a title and short paragraphs, inside another story."""

    zone: str
    title: str
    paras: tuple[str, ...]


@dataclass(frozen=True)
class Photo:
    zone: str
    caption: str  # printed under the picture, credit included
    author: str | None
    body: str  # the caption as the store keeps it (credit removed)


TUNING: tuple[Story, ...] = (
    Story(
        zone="晋城经济技术开发区", kicker="晋城经开区", title="光伏组件项目满负荷生产 一季度产值同比增长三成",
        dateline="本报讯（记者 王波）",
        paras=(
            "3月12日，走进晋城经济技术开发区的光伏组件生产车间，一条条自动化生产线正在满负荷运转，机械臂上下翻飞，一块块组件有序下线。",
            "今年以来，晋城经开区围绕新能源产业链延链补链，先后引进配套企业6家，形成了从电池片到组件再到电站运维的完整链条。",
            "企业负责人介绍，一季度公司累计生产组件1.2GW，实现产值18.6亿元，同比增长31%，订单已经排到今年9月。",
            "下一步，开发区将持续优化营商环境，推动更多项目早投产、早见效，为全市经济高质量发展注入新动能。",
        ),
        author="王波",
    ),
    Story(
        zone="朔州经济开发区", kicker="朔州经济开发区", title="固废综合利用率突破八成",
        subtitle="——朔州经济开发区绿色发展见闻",
        paras=(
            "初夏时节，在朔州经济开发区一家新型建材企业的厂区里，粉煤灰、脱硫石膏经过一道道工序，变成了轻质墙板和加气砌块。",
            "“过去这些固废只能堆放，现在成了我们的原料。”企业技术负责人说，项目年消纳工业固废120万吨，年产值可达4亿元。",
            "近年来，朔州经济开发区把固废综合利用作为转型发展的突破口，建成固废利用项目14个，园区固废综合利用率达到82%。",
        ),
        byline="罗文平 朱怡",
        author="罗文平 朱怡",
    ),
    Story(
        zone="长治高新技术产业开发区", kicker="长治高新区", title="科技型企业梯度培育体系加快成形",
        dateline="本报讯",
        paras=(
            "今年以来，长治高新技术产业开发区坚持把科技创新摆在突出位置，新认定科技型中小企业46家，高新技术企业总数达到213家。",
            "高新区设立了总规模5亿元的科技成果转化基金，对企业研发投入给予最高300万元补助，引导企业建设研发中心32个。",
            "与此同时，高新区与省内外12所高校院所共建创新平台，一批关键技术在园区转化落地，形成了覆盖企业全生命周期的服务体系。",
        ),
        byline="（郭晓东）",
        author="郭晓东",
    ),
    Story(
        zone="侯马经济开发区", kicker="侯马经济开发区", title="保税物流中心外贸进出口额创新高",
        dateline="本报讯（通讯员 卫佳）",
        paras=(
            "记者从侯马经济开发区获悉，今年前两个月，山西方略保税物流中心完成进出口额9.7亿元，同比增长26%，创同期新高。",
            "为帮助企业降低物流成本，开发区开通了至天津港的铁海联运班列，每周往返两趟，企业货物通关时间压缩至6小时以内。",
            "开发区相关负责人表示，将继续完善口岸功能，全力保障企业进得来、留得住、发展好。",
        ),
        author="卫佳",
    ),
    Story(
        zone="洪洞经济技术开发区", kicker="洪洞经济技术开发区", title="新能源重卡生产线正式投产",
        dateline="本报讯（记者 刘记明）",
        paras=(
            "3月3日，洪洞经济技术开发区新能源重卡生产线正式投产，首批20辆换电重卡驶下生产线，将交付省内物流企业使用。",
            "该项目总投资12亿元，建有冲压、焊装、涂装、总装四大工艺车间，达产后可年产新能源重卡1万辆，年产值约50亿元。",
            "项目的投产，填补了当地新能源整车制造的空白，也为开发区打造千亿级装备制造产业集群奠定了基础。",
        ),
        author="刘记明",
    ),
    Story(
        zone="山西风陵渡经济开发区", title="黄河岸边崛起产业新高地",
        subtitle="——山西风陵渡经济开发区见闻",
        paras=(
            "初春时节，走进山西风陵渡经济开发区，塔吊林立，机器轰鸣，处处是项目建设的火热场景。",
            "开发区紧盯精细化工、新材料两大主导产业，今年谋划实施重点项目28个，总投资136亿元，目前已开工19个。",
            "“我们坚持要素跟着项目走，专班盯着项目干。”开发区负责人说，全区上下正铆足干劲，让更多项目落地开花。",
        ),
        byline="文/图 王波 李阳",
        author="王波 李阳",
    ),
    Story(
        zone="高平经济技术开发区", kicker="高平经开区", title="一季度集中签约项目12个 总投资86亿元",
        dateline="本报讯（记者 王波）",
        paras=(
            "3月8日，高平经济技术开发区2025年一季度重点项目集中签约仪式举行，12个项目现场签约，总投资86亿元。",
            "签约项目涵盖新材料、装备制造、现代物流等领域，其中投资超过10亿元的项目有3个。",
            "开发区将成立项目服务专班，推动签约项目早落地、早开工、早投产。",
        ),
        author="王波",
    ),
    Story(
        zone="山阴经济技术开发区", kicker="山阴经济技术开发区", title="新材料产业园首个项目开工",
        paras=(
            "3月10日，山阴经济技术开发区新材料产业园首个项目开工建设，标志着园区建设进入快车道。",
            "该项目由一家省外企业投资建设，主要生产高性能陶瓷材料，总投资6.5亿元，建成后年产值可达8亿元。",
            "新材料产业园规划面积3.2平方公里，将重点引进先进陶瓷、特种合金等项目。",
        ),
        byline="曹策",
        author="曹策",
    ),
    Story(
        zone="孝义经济开发区", kicker="孝义经济开发区", title="氢能重卡示范线路开通运营",
        dateline="本报讯（记者 韩明 通讯员 赵敏）",
        paras=(
            "近日，孝义经济开发区首条氢能重卡示范运输线路开通运营，50辆氢能重卡将承担园区焦化企业至铁路专用线的运输任务。",
            "据介绍，线路全长38公里，配套建设加氢站2座，日加氢能力达到2000公斤，每年可减少二氧化碳排放约3万吨。",
            "孝义经济开发区依托焦炉煤气制氢的优势，正加快布局氢能制备、储运、加注和应用全产业链。",
        ),
        author="韩明 赵敏",
    ),
    Story(
        zone="太原经济技术开发区", kicker="太原经开区", title="智能制造示范工厂建设提速",
        dateline="本报讯（记者 李泽宇）",
        paras=(
            "今年以来，太原经济技术开发区聚焦智能制造，推动企业开展数字化改造，已建成省级智能制造示范工厂5家、数字化车间17个。",
            "在一家轨道交通装备企业的智能车间，焊接机器人与自动导引车协同作业，生产效率提升了40%，产品不良率下降了一半。",
            "开发区还设立了专项资金，对企业智能化改造项目按投资额给予补助，今年计划再推动30家企业完成改造。",
        ),
        author="李泽宇",
    ),
    Story(
        zone="运城经济技术开发区", kicker="运城经开区", title="铝基新材料产业集群聚链成势",
        paras=(
            "在运城经济技术开发区，一块铝锭经过熔铸、轧制、精深加工，最终变成新能源汽车的电池托盘和轻量化车身部件。",
            "开发区围绕铝产业链引进项目23个，形成了从电解铝到精深加工的产业链条，铝精深加工转化率提高到65%。",
            "开发区负责人表示，将继续强链补链，力争到2027年铝基新材料产业集群产值突破500亿元。",
        ),
        byline="（冯晓东 吕芳）",
        author="冯晓东 吕芳",
    ),
    Story(
        zone="阳泉高新技术产业开发区", kicker="阳泉高新区", title="数字经济产业园首批企业入驻",
        dateline="本报讯（记者 王波）",
        paras=(
            "3月18日，阳泉高新技术产业开发区数字经济产业园举行首批企业入驻仪式，15家数字经济企业签订入驻协议。",
            "产业园总建筑面积4.6万平方米，配套建设了数据中心、人才公寓和共享会议中心，可容纳企业80余家。",
            "高新区对入驻企业给予三年房租减免，并提供人才招引、融资对接等全流程服务。",
        ),
        author="王波",
    ),
)

TUNING_BOXES: tuple[Box, ...] = (
    Box(zone="晋城经济技术开发区", title="链接",
        paras=("晋城经济技术开发区是国家级经济技术开发区，规划面积60平方公里，主导产业为光机电、新能源和新材料。",)),
    Box(zone="侯马经济开发区", title="外贸数据",
        paras=("1至2月，侯马经济开发区进出口企业达到47家，其中新增备案企业9家；跨境电商交易额同比增长58%。",)),
    Box(zone="朔州经济开发区", title="相关阅读",
        paras=("朔州市出台工业固废综合利用三年行动方案，提出到2026年全市固废综合利用率达到85%以上。",)),
)

TUNING_PHOTOS: tuple[Photo, ...] = (
    Photo(zone="洪洞经济技术开发区", caption="图为洪洞经济技术开发区新能源重卡生产线。 刘记明 摄",
          author="刘记明", body="图为洪洞经济技术开发区新能源重卡生产线。"),
    Photo(zone="晋城经济技术开发区", caption="■ 晋城经开区光伏组件生产车间内，工人正在检测产品。 王波 摄",
          author="王波", body="晋城经开区光伏组件生产车间内，工人正在检测产品。"),
    Photo(zone="孝义经济开发区", caption="图为孝义经济开发区加氢站。（韩明 摄）",
          author="韩明", body="图为孝义经济开发区加氢站。"),
)

HELD_OUT: tuple[Story, ...] = (
    Story(
        zone="大同经济技术开发区", kicker="大同经开区", title="冰雪装备产业园首批产品下线出口",
        dateline="本报讯（记者 周海涛）",
        paras=(
            "4月2日，大同经济技术开发区冰雪装备产业园首批造雪机下线，将出口至北欧市场，这是园区冰雪装备首次走出国门。",
            "产业园去年开工建设，已入驻冰雪装备制造企业8家，产品涵盖造雪机、压雪车和滑雪器材，预计今年产值可达6亿元。",
            "开发区将依托大同的冰雪资源，打造集研发、制造、展示于一体的冰雪装备产业基地。",
        ),
        author="周海涛",
    ),
    Story(
        zone="忻州经济开发区", kicker="忻州经济开发区", title="半导体材料项目二期主体封顶",
        paras=(
            "近日，忻州经济开发区半导体材料项目二期主体结构封顶，比计划工期提前了40天。",
            "项目二期总投资22亿元，主要建设碳化硅衬底生产线，建成后将新增年产碳化硅衬底30万片的能力。",
            "开发区为项目配备了专职服务员，协调解决用电、用水等问题23项，保障项目建设顺利推进。",
        ),
        byline="（赵丽娟）",
        author="赵丽娟",
    ),
    Story(
        zone="吕梁经济技术开发区", kicker="吕梁经开区", title="绿色低碳产业项目集中开工",
        subtitle="——吕梁经济技术开发区项目建设一线见闻",
        dateline="本报讯（记者 孙志强 通讯员 刘倩）",
        paras=(
            "春日的吕梁经济技术开发区，处处涌动着项目建设的热潮，9个绿色低碳产业项目日前集中开工，总投资47亿元。",
            "开工项目包括光伏玻璃、储能电池、生物降解材料等，全部达产后可实现年产值92亿元，新增就业岗位2600个。",
            "开发区实行一个项目、一名领导、一个专班的推进机制，确保项目当年开工、当年见效。",
        ),
        author="孙志强 刘倩",
    ),
    Story(
        zone="临汾经济开发区", kicker="临汾经济开发区", title="生物医药产业园引进龙头企业",
        dateline="本报讯（通讯员 马腾飞）",
        paras=(
            "临汾经济开发区生物医药产业园日前与一家国内医药龙头企业签约，项目总投资15亿元，建设原料药和制剂生产基地。",
            "项目建成后，将与园区已有的12家医药企业形成配套，带动上下游企业集聚发展。",
            "目前，产业园已建成标准化厂房8万平方米，污水处理、蒸汽供应等配套设施全部到位。",
        ),
        author="马腾飞",
    ),
    Story(
        zone="长治经济技术开发区", kicker="长治经开区", title="“拿地即开工”跑出项目建设加速度",
        paras=(
            "日前，长治经济技术开发区一个新型储能项目在取得土地证的当天即领到施工许可证，实现了拿地即开工。",
            "开发区推行审批事项提前介入、容缺受理，将项目从拿地到开工的时间由过去的3个月压缩至1天。",
            "今年以来，开发区已有7个项目实现拿地即开工，项目建设整体提速40%以上。",
        ),
        byline="记者 高建军",
        author="高建军",
    ),
)

HELD_OUT_BOXES: tuple[Box, ...] = (
    Box(zone="大同经济技术开发区", title="数说冰雪产业",
        paras=("2024年，大同市冰雪产业产值突破20亿元，冰雪装备企业数量较上年增长一倍。",)),
    Box(zone="吕梁经济技术开发区", title="延伸阅读",
        paras=("吕梁经济技术开发区去年完成固定资产投资68亿元，规模以上工业增加值同比增长12.5%。",)),
)

HELD_OUT_PHOTOS: tuple[Photo, ...] = (
    Photo(zone="忻州经济开发区", caption="图为忻州经济开发区半导体材料项目施工现场。 赵丽娟 摄",
          author="赵丽娟", body="图为忻州经济开发区半导体材料项目施工现场。"),
    Photo(zone="临汾经济开发区", caption="■ 临汾经济开发区生物医药产业园一角。 马腾飞 摄",
          author="马腾飞", body="临汾经济开发区生物医药产业园一角。"),
)
