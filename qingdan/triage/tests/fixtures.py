"""Labelled complaint messages written for the tests, used when the shared public data
set (shared/data/complaints, not redistributable) is not beside the repository.

320 messages, 64 for each of five labels of the data set, with the data set's columns.
Each message combines a place, a subject and two sentences of its label's vocabulary,
with numbers in it; no two messages share more than two of those four parts, so they
are distinct (near-duplicate tests) without being random (classifier tests).
"""

import functools
import random

PLACES = [
    *["幸福小区", "滨河路", "东城街道", "西湖村", "阳光花园", "人民路", "南湖新村", "北山社区"],
    *["金桥小区", "文化路", "新华街", "开发区", "城南村", "康乐小区", "建设路", "东风社区"],
]

VOCABULARY = {
    "城乡建设": (
        [
            "小区电梯故障",
            "楼顶漏水",
            "违章搭建",
            "施工围挡占道",
            "物业不履行维修",
            "老旧小区改造拖延",
            "排水管道堵塞",
            "房屋外墙开裂",
        ],  # fmt: skip
        [
            "电梯经常停运，老人上下楼非常困难。",
            "顶楼每逢下雨就漏水，墙面发霉脱落。",
            "有业主在楼顶私自搭建彩钢房，存在安全隐患。",
            "施工围挡占用人行道，行人只能走机动车道。",
            "物业公司收了物业费却不维修，多次报修无人处理。",
            "小区改造工程拖了一年多还没有完工。",
            "小区管网老化，污水经常外溢到路面。",
            "开发商交房后外墙出现多处裂缝。",
        ],
        [
            "请住建部门尽快督促整改。",
            "希望有关部门到现场核查处理。",
            "请城管执法部门依法拆除。",
            "恳请政府协调解决。",
        ],  # fmt: skip
    ),
    "劳动和社会保障": (
        [
            "拖欠工资",
            "社保未缴纳",
            "辞退未补偿",
            "加班费不发",
            "未签劳动合同",
            "工伤认定难",
            "养老金核算有误",
            "失业金申领难",
        ],  # fmt: skip
        [
            "公司已经拖欠我们三个月工资，老板一直推脱。",
            "单位入职时承诺缴纳社保，至今没有给员工参保。",
            "公司突然通知解除劳动合同，没有任何经济补偿。",
            "每天加班到晚上十点，加班费一分没发。",
            "工作两年了公司始终不与员工签订劳动合同。",
            "在车间受伤后单位拒绝申报工伤。",
            "退休后养老金核算的缴费年限少算了。",
            "到社保窗口申领失业保险金被告知材料不全。",
        ],
        [
            "请劳动监察部门依法查处。",
            "希望人社局帮助维护我们的合法权益。",
            "请相关部门督促单位补缴社保。",
            "恳请尽快协调讨回血汗钱。",
        ],  # fmt: skip
    ),
    "教育文体": (
        [
            "学校乱收费",
            "幼儿园收费过高",
            "教师有偿补课",
            "学位分配不公",
            "校车超载",
            "教师体罚学生",
            "学校食堂质量差",
            "体育馆不开放",
        ],  # fmt: skip
        [
            "学校以资料费名义向每个学生收费三百元。",
            "民办幼儿园每学期保教费上涨了一千多元。",
            "老师在校外办补习班，要求学生参加。",
            "孩子户籍在学区内却没有分到学位。",
            "接送学生的校车严重超载。",
            "班主任经常体罚学生，孩子不敢去上学。",
            "学校食堂饭菜价格高、分量少。",
            "体育馆建成后一直不对市民开放。",
        ],
        [
            "请教育局调查处理。",
            "希望教育主管部门规范学校收费。",
            "请有关部门加强学校管理。",
            "恳请给孩子一个公平的受教育机会。",
        ],  # fmt: skip
    ),
    "环境保护": (
        [
            "工厂排放废气",
            "夜间施工噪音",
            "河道污染",
            "露天焚烧垃圾",
            "餐饮油烟扰民",
            "养殖场污水直排",
            "砂石厂扬尘",
            "化工厂异味",
        ],  # fmt: skip
        [
            "附近工厂每天晚上偷偷排放刺鼻的废气。",
            "工地凌晨两点还在施工，噪音吵得居民无法入睡。",
            "河道里漂满生活垃圾，河水发黑发臭。",
            "有人在空地上焚烧垃圾，浓烟熏得人睁不开眼。",
            "楼下饭店油烟直排，住户不敢开窗。",
            "养殖场的污水直接排进农田。",
            "砂石厂运输车辆扬尘严重，路边树叶全是灰。",
            "化工厂周边空气中有明显异味。",
        ],
        [
            "请环保部门尽快查处。",
            "希望生态环境局加强监管。",
            "请有关部门责令停产整改。",
            "恳请还居民一个安静整洁的环境。",
        ],  # fmt: skip
    ),
    "交通运输": (
        [
            "公交线路调整",
            "出租车拒载",
            "道路坑洼",
            "红绿灯时间过短",
            "公交站台无雨棚",
            "网约车乱加价",
            "客运班次减少",
            "公交车到站不停",
        ],  # fmt: skip
        [
            "公交线路调整后，居民出行要多走两公里。",
            "出租车司机在火车站挑客拒载。",
            "主干道路面坑洼不平，雨天积水严重。",
            "路口红绿灯时间太短，行人过不了马路。",
            "公交站台没有遮雨棚，乘客只能淋雨等车。",
            "网约车平台乱加价，投诉无门。",
            "客运班车票价上涨却减少了班次。",
            "公交车到站不停，乘客等了半个多小时。",
        ],
        [
            "请交通运输局研究解决。",
            "希望公交公司恢复原线路。",
            "请有关部门加强出租车管理。",
            "恳请尽快维修道路。",
        ],  # fmt: skip
    ),
}
PER_LABEL = 64


def _parts(rng: random.Random, subjects: int, sentences: int) -> list[tuple[int, ...]]:
    """64 (place, subject, sentence, sentence) choices, any two sharing at most two."""
    chosen: list[tuple[int, ...]] = []
    while len(chosen) < PER_LABEL:
        first, second = rng.sample(range(sentences), 2)
        candidate = (rng.randrange(len(PLACES)), rng.randrange(subjects), first, second)
        if all(sum(a == b for a, b in zip(candidate, c, strict=True)) <= 2 for c in chosen):
            chosen.append(candidate)
    return chosen


@functools.cache
def labelled_messages() -> list[dict]:
    """The rows, in a fixed mixed order, as csv.DictReader gives the shared file's."""
    rng = random.Random(15)
    rows = []
    for label_index, (label, (subjects, sentences, requests)) in enumerate(VOCABULARY.items()):
        for k, (place, subject, first, second) in enumerate(
            _parts(rng, len(subjects), len(sentences))
        ):
            number = label_index * PER_LABEL + k + 1
            title = f"{PLACES[place]}{subjects[subject]}"
            detail = (
                f"我是{PLACES[place]}{k % 30 + 1}号楼的居民，{2018 + k % 3}年{k % 12 + 1}月以来，"
                f"{sentences[first]}{sentences[second]}{requests[k % len(requests)]}"
            )
            rows.append(
                {
                    "message_id": str(number),
                    "user": f"U{number:06d}",
                    "title": title,
                    "time": f"{2018 + k % 3}/{k % 12 + 1}/{k % 28 + 1} 09:{k % 60:02d}:00",
                    "detail": detail,
                    "text": title + detail,
                    "label": label,
                }
            )
    rng.shuffle(rows)
    return rows
