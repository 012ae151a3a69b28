"""Demo cases for the demo county: each tier's typical stories, in every state, and
behind them two years of earlier cases (`demo_history.py`) for the statistics.

Cases go through the actions layer like real ones. To show deadlines, some
stories are then aged: their timestamps are moved back by whole days, as if they
had happened earlier (demo data only).
"""

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from qingdan.deadlines.services import recompute_due_times
from qingdan.orgs.demo import TOWN_SLUGS
from qingdan.orgs.models import Category, Department, User

from . import actions
from .choices import Channel, Rating, ReplyOpinion, Urgency
from .demo_history import load_demo_history
from .models import Case, CaseEvent

PROBLEMS = [
    (
        "村口路灯损坏多日",
        "村口至小学路段路灯已坏一周，晚上学生放学路黑，存在安全隐患，请尽快维修。",
        "urban_rural_construction",
    ),
    (
        "拖欠农民工工资",
        "我们在镇上某建筑工地干活三个月，包工头拖欠工资四万余元至今未付，多次讨要无果。",
        "labour_social_security",
    ),
    (
        "养殖场异味扰民",
        "村西养殖场粪便随意堆放，夏天臭味严重，苍蝇多，影响周边居民生活。",
        "environmental_protection",
    ),
    (
        "小区物业乱收停车费",
        "小区物业未经业主同意在公共区域划车位收费，每月收取停车费150元。",
        "urban_rural_construction",
    ),
    (
        "道路破损坑洼严重",
        "镇政府至高速路口的县道路面大面积破损，坑洼积水，雨天车辆无法正常通行。",
        "transport",
    ),
    (
        "邻里宅基地纠纷",
        "邻居翻建房屋占用我家宅基地约半米，协商未果，请求村里和司法所调解。",
        "civil_disputes",
    ),
    (
        "学校周边无证摊贩",
        "小学门口每天放学时有多个无证流动摊贩售卖三无食品，堵塞道路，影响学生安全。",
        "education_culture_sports",
    ),
    (
        "企业用电增容审批慢",
        "我公司新上生产线需用电增容，申请两个多月仍未批复，影响按期投产。",
        "enterprise_affairs",
    ),
    (
        "自来水水压不足",
        "我村自去年冬天开始自来水水压很低，高处住户经常没水，请供水部门检修。",
        "urban_rural_construction",
    ),
    (
        "土地流转租金未兑现",
        "村集体将我家承包地流转给合作社，约定的租金已拖欠一年未发放。",
        "agriculture",
    ),
    (
        "社保缴费年限核对有误",
        "本人养老保险缴费年限少算了三年，单位已注销，要求核实补录。",
        "labour_social_security",
    ),
    (
        "河道倾倒建筑垃圾",
        "有车辆夜间向村东河道倾倒建筑垃圾，河道堵塞，汛期有安全隐患。",
        "environmental_protection",
    ),
]


def _age(case: Case, days: int) -> None:
    """Move a demo case's timestamps `days` back, then recompute its deadlines."""
    delta = dt.timedelta(days=days)
    fields = [
        "registered_at",
        "accepted_at",
        "handling_started_at",
        "replied_at",
        "evaluated_at",
        "closed_at",
    ]
    updates = {f: F(f) - delta for f in fields if getattr(case, f) is not None}
    Case.objects.filter(pk=case.pk).update(
        accept_due_at=None, handle_due_at=None, closed_on_time=None, **updates
    )
    CaseEvent.objects.filter(case=case).update(at=F("at") - delta)
    case.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(**recompute_due_times(case, timezone.now()))


def _person(index: int) -> dict:
    surnames = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林"
    given = ["建国", "秀英", "志强", "桂兰", "海燕", "国庆", "丽华", "德明", "玉梅", "春生"]
    return {
        "name": surnames[index % len(surnames)] + given[index % len(given)],
        "phone": f"13{(index * 7) % 10}{5353000 + index * 37:08d}",
        "address": "本村",
    }


@transaction.atomic
def load_demo_cases() -> int:
    """Create the demo stories once; return how many cases were created."""
    if Case.objects.filter(external_ref__startswith="DEMO-").exists():
        return 0
    # Two years of earlier cases first: their tracking numbers come before today's.
    created = load_demo_history(PROBLEMS, _person)
    categories = {c.code: c for c in Category.objects.all()}
    supervisor = User.objects.get(username="supervisor")
    for town_index, slug in enumerate(TOWN_SLUGS):
        clerk = User.objects.get(username=f"{slug}_clerk")
        agent = User.objects.get(username=f"{slug}_v1_agent")
        village = agent.jurisdiction
        for story in range(4):
            n = town_index * 4 + story
            title, content, category_code = PROBLEMS[n % len(PROBLEMS)]
            case = actions.register_case(
                agent if story < 3 else actions.Actor.petitioner(),
                channel=[Channel.WALK_IN, Channel.PHONE, Channel.GRID_VISIT, Channel.WEB][story],
                title=title,
                content=content,
                jurisdiction=village,
                petitioner=_person(n),
                category=categories.get(category_code),
                urgency=Urgency.URGENT if n % 5 == 0 else Urgency.NORMAL,
                external_ref=f"DEMO-{n:03d}",
            )
            created += 1
            kind = n % 6
            if kind == 0:  # 即接即办: solved in the village, rated, closed
                actions.accept(agent, case)
                actions.resolve_on_the_spot(
                    agent, case, reply_text="已联系电工当天修复，并回访确认。"
                )
                actions.record_evaluation(agent, case, rating=Rating.SATISFIED)
                actions.close(agent, case)
            elif kind == 1:  # 急事急办: escalated to the town, assigned, in progress
                actions.accept(agent, case)
                actions.escalate_to_town(agent, case, reason="涉及多户，村里无法协调。")
                actions.assign(
                    clerk,
                    case,
                    lead_unit=Department.objects.get(code=f"{slug}-zzb"),
                    note="请综治中心牵头调处。",
                )
            elif kind == 2:  # 市级协调: up to the city, a bureau leads with co-handlers
                actions.accept(agent, case)
                actions.escalate_to_town(agent, case, reason="需镇上协调。")
                actions.escalate_to_city(clerk, case, reason="需市直部门联合处理。")
                bureau = Department.objects.filter(
                    jurisdiction__level="city", categories=case.category
                ).first() or Department.objects.get(code="zy-zhzf")
                actions.assign(
                    supervisor,
                    case,
                    lead_unit=bureau,
                    co_units=list(Department.objects.filter(code__in=["zy-zhzf", "zy-sfj"])),
                    note="牵头单位会同执法局、司法局处理。",
                )
                _age(case, 58)  # approaching its limit: a yellow warning
            elif kind == 3:  # replied by the town, unsatisfied petitioner
                actions.accept(agent, case)
                actions.escalate_to_town(agent, case, reason="需镇相关办公室处理。")
                actions.reply(
                    clerk,
                    case,
                    reply_opinion=ReplyOpinion.EXPLAINS,
                    reply_text="经核查，已按政策解释，相关费用由责任方承担。",
                )
                actions.record_evaluation(clerk, case, rating=Rating.UNSATISFIED)
            elif kind == 4:  # overdue at the town
                actions.accept(agent, case)
                actions.escalate_to_town(agent, case, reason="村里无权处理。")
                _age(case, 75)
            # kind 5: just registered, waiting for acceptance
    return created
