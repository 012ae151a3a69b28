"""The demo county, modelled on 招远市 (Zhaoyuan, Shandong) of the seed article.

Codes follow the statistical division code pattern of the real city (370685);
names of villages are plausible, not an official list. Everything is keyed on
codes and usernames, so loading twice changes nothing.
"""

import functools

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction

from .choices import DepartmentKind, Level, Role
from .defaults import DEFAULT_CATEGORIES
from .models import Category, Department, Jurisdiction, User

DEMO_PASSWORD = "qingdan-demo"

CITY = ("370685000000", "招远市")
TOWNS = [
    ("370685001000", "泉山街道", ["东关社区", "西关社区", "南关社区"]),
    ("370685002000", "罗峰街道", ["北关社区", "河东村", "河西村"]),
    ("370685003000", "温泉街道", ["汤东泉村", "大吴家村", "石门孟家村"]),
    ("370685100000", "辛庄镇", ["辛庄村", "后洼村", "尹家村", "前洼村"]),
    ("370685101000", "蚕庄镇", ["蚕庄村", "柳杭村", "西山村"]),
    ("370685102000", "金岭镇", ["大户村", "邵家村", "寨里村"]),
    ("370685103000", "毕郭镇", ["毕郭村", "黄家村", "吴家村"]),
    ("370685104000", "玲珑镇", ["欧家夼村", "台上村", "罗山村", "九曲村"]),
    ("370685105000", "张星镇", ["张星村", "界河村", "丛家村"]),
    ("370685106000", "夏甸镇", ["夏甸村", "曹家洼村", "姜家村"]),
]
CITY_BUREAUS = [
    ("zy-xfj", "信访局", ["other"]),
    ("zy-zjj", "住房和城乡建设局", ["urban_rural_construction"]),
    ("zy-rsj", "人力资源和社会保障局", ["labour_social_security"]),
    ("zy-jtj", "教育和体育局", ["education_culture_sports"]),
    ("zy-wsj", "卫生健康局", ["health_family_planning"]),
    ("zy-sthj", "烟台市生态环境局招远分局", ["environmental_protection"]),
    ("zy-jtysj", "交通运输局", ["transport"]),
    ("zy-zrzy", "自然资源和规划局", ["land_resources"]),
    ("zy-nync", "农业农村局", ["agriculture"]),
    ("zy-scjg", "市场监督管理局", ["commerce_tourism", "enterprise_affairs"]),
    ("zy-gaj", "公安局", ["public_security"]),
    ("zy-sfj", "司法局", ["civil_disputes"]),
    ("zy-swj", "商务和文化旅游局", ["commerce_tourism"]),
    ("zy-zhzf", "综合行政执法局", ["urban_rural_construction", "environmental_protection"]),
]
TOWN_OFFICES = [
    ("zzb", "综治中心", DepartmentKind.TOWN_OFFICE, ["civil_disputes", "other"]),
    ("sfs", "司法所", DepartmentKind.TOWN_OFFICE, ["civil_disputes"]),
    ("pcs", "派出所", DepartmentKind.POLICE_STATION, ["public_security"]),
    ("cjb", "村镇建设办公室", DepartmentKind.TOWN_OFFICE, ["urban_rural_construction"]),
    ("nyb", "农业农村办公室", DepartmentKind.TOWN_OFFICE, ["agriculture", "land_resources"]),
    ("sqb", "社会事务办公室", DepartmentKind.TOWN_OFFICE, ["labour_social_security"]),
]
TOWN_SLUGS = ["qs", "lf", "wq", "xz", "cz", "jl", "bg", "ll", "zx", "xd"]


@functools.cache
def _demo_password_hash() -> str:
    # Hashing once keeps loading fast; every demo login shares the one demo password.
    return make_password(DEMO_PASSWORD)


def _jurisdiction(code: str, name: str, level: str, parent=None) -> Jurisdiction:
    unit, _ = Jurisdiction.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    unit.full_clean()
    return unit


def _department(code, name, kind, jurisdiction, category_codes) -> Department:
    unit, _ = Department.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "jurisdiction": jurisdiction}
    )
    unit.categories.set(Category.objects.filter(code__in=category_codes))
    return unit


def _staff(username, display_name, role, *, jurisdiction=None, department=None, **flags) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, password=_demo_password_hash())
    user.display_name = display_name
    user.role = role
    user.jurisdiction = jurisdiction
    user.department = department
    for name, value in flags.items():
        setattr(user, name, value)
    user.save()
    return user


@transaction.atomic
def load_demo_organisation() -> list[User]:
    """Create or refresh the demo county; return every demo login, city staff first,
    then each town's clerk, village agent and office handler, then the city bureaus'
    handlers."""
    for category_code, category_name in DEFAULT_CATEGORIES:
        Category.objects.get_or_create(code=category_code, defaults={"name": str(category_name)})
    city = _jurisdiction(CITY[0], CITY[1], Level.CITY)
    logins: list[User] = []
    for code, name, categories in CITY_BUREAUS:
        _department(code, name, DepartmentKind.CITY_BUREAU, city, categories)
    for index, (code, name, villages) in enumerate(TOWNS):
        town = _jurisdiction(code, name, Level.TOWN, city)
        slug = TOWN_SLUGS[index]
        for office_code, office_name, kind, categories in TOWN_OFFICES:
            label = f"{name[:-2] if name.endswith('街道') else name[:-1]}{office_name}"
            if kind != DepartmentKind.POLICE_STATION:
                label = office_name
            _department(f"{slug}-{office_code}", label, kind, town, categories)
        for number, village_name in enumerate(villages, start=1):
            village_code = f"{code[:9]}{200 + number:03d}"
            _jurisdiction(village_code, village_name, Level.VILLAGE, town)
        logins.append(_staff(f"{slug}_clerk", f"{name}代办员", Role.AGENT, jurisdiction=town))
        first_village = Jurisdiction.objects.get(code=f"{code[:9]}201")
        logins.append(
            _staff(
                f"{slug}_v1_agent",
                f"{first_village.name}代办员",
                Role.AGENT,
                jurisdiction=first_village,
            )
        )
        logins.append(
            _staff(
                f"{slug}_zzb",
                f"{name}综治中心承办人",
                Role.HANDLER,
                department=Department.objects.get(code=f"{slug}-zzb"),
            )
        )
    for code, name, _categories in CITY_BUREAUS[1:]:
        username = code.replace("-", "_") + "_handler"
        logins.append(
            _staff(
                username,
                f"{name}承办人",
                Role.HANDLER,
                department=Department.objects.get(code=code),
            )
        )
    supervisor = _staff("supervisor", "信访局督办员", Role.SUPERVISOR, jurisdiction=city)
    leader = _staff("leader", "包保领导", Role.LEADER, jurisdiction=city)
    analyst = _staff("analyst", "数据分析员", Role.ANALYST, jurisdiction=city)
    admin = _staff(
        "admin",
        "系统管理员",
        Role.ADMINISTRATOR,
        jurisdiction=city,
        is_staff=True,
        is_superuser=True,
    )
    reveal = Permission.objects.get(codename="reveal_personal_data")
    for user in (supervisor, leader, admin):
        user.user_permissions.add(reveal)
    return [admin, supervisor, leader, analyst, *logins]
