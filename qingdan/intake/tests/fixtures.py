"""Hotline messages written for the tests, in the columns of the public data set's
unlabelled_messages.csv, used when that data set (shared/data/complaints, not
redistributable) is not beside the repository."""

PLACES = ["幸福小区", "滨河路", "东城街道", "西湖村", "阳光花园", "人民路", "南湖新村", "北山社区"]
PROBLEMS = [
    ("物业违规收停车费", "小区物业未经业主同意，利用公共区域向业主收取停车费，每月150元。"),
    ("酒吧噪音扰民", "楼下酒吧每晚十点后大声播放音乐，一直到凌晨三点，居民无法休息。"),
    ("路灯损坏多日", "路段的路灯已坏了一周多，晚上学生放学经过很危险，请尽快维修。"),
    ("拖欠装修工人工资", "我们给装修公司干活两个月，工资1.2万元至今未付，多次讨要无果。"),
    ("自来水水压不足", "自去年冬天起自来水水压很低，六楼以上住户经常停水。"),
    ("学校周边无证摊贩", "学校门口每天放学有多个无证摊贩，堵塞道路，食品也不卫生。"),
    ("河道倾倒建筑垃圾", "有车辆夜间向河道倾倒建筑垃圾，河道堵塞，汛期有隐患。"),
    ("公交站台被占用", "公交站台被私家车长期占用，乘客只能站到马路中间候车。"),
]
COUNT = 40


def unlabelled_messages() -> list[dict]:
    """40 messages; the first at the time of the data set's first (2019/12/30 17:06:14),
    so that the tests' expectations about it hold on either."""
    rows = []
    for i in range(COUNT):
        place = PLACES[i % len(PLACES)]
        title, detail = PROBLEMS[(i + i // len(PROBLEMS)) % len(PROBLEMS)]
        when = (
            "2019/12/30 17:06:14"
            if i == 0
            else f"2020/{i % 12 + 1}/{i % 27 + 1} {8 + i % 10}:{i:02d}:00"
        )
        rows.append(
            {
                "留言编号": str(1000 + i),
                "留言用户": f"U{i:07d}",
                "留言主题": f"{place}{title}",
                "留言时间": when,
                "留言详情": f"尊敬的领导：{place}{i % 20 + 1}号附近，{detail}",
            }
        )
    return rows
