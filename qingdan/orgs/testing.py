"""Named personas for tests, one set per jurisdiction, built once per test class.

class MyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

self.org.village_agent, self.org.town_clerk, self.org.other_town_clerk, ...
"""

from types import SimpleNamespace

from django.contrib.auth.models import Permission

from .choices import DepartmentKind, Level, Role
from .models import Category, Department, Jurisdiction, User

PASSWORD = "qingdan-test-pass"


def _user(username, role, *, jurisdiction=None, department=None, name="", **extra) -> User:
    user = User.objects.create_user(
        username,
        password=PASSWORD,
        role=role,
        jurisdiction=jurisdiction,
        department=department,
        display_name=name or username,
        **extra,
    )
    return user


def category(code: str) -> Category:
    return Category.objects.get_or_create(code=code, defaults={"name": code})[0]


def build_county() -> SimpleNamespace:
    """A small 招远-like county: one city, two towns, two villages in the first town
    and one in the second, city bureaus and town offices, and a persona for every role."""
    city = Jurisdiction.objects.create(code="370685000000", name="招远市", level=Level.CITY)
    town = Jurisdiction.objects.create(
        code="370685100000", name="玲珑镇", level=Level.TOWN, parent=city
    )
    other_town = Jurisdiction.objects.create(
        code="370685101000", name="金岭镇", level=Level.TOWN, parent=city
    )
    village = Jurisdiction.objects.create(
        code="370685100201", name="欧家夼村", level=Level.VILLAGE, parent=town
    )
    other_village = Jurisdiction.objects.create(
        code="370685100202", name="台上村", level=Level.VILLAGE, parent=town
    )
    far_village = Jurisdiction.objects.create(
        code="370685101201", name="大户村", level=Level.VILLAGE, parent=other_town
    )
    construction = category("urban_rural_construction")
    labour = category("labour_social_security")
    education = category("education_culture_sports")
    environment = category("environmental_protection")

    def dept(code, name, kind, jurisdiction, *categories):
        unit = Department.objects.create(code=code, name=name, kind=kind, jurisdiction=jurisdiction)
        unit.categories.set(categories)
        return unit

    housing_bureau = dept("zy-zjj", "住建局", DepartmentKind.CITY_BUREAU, city, construction)
    labour_bureau = dept("zy-rsj", "人社局", DepartmentKind.CITY_BUREAU, city, labour)
    education_bureau = dept("zy-jyj", "教育局", DepartmentKind.CITY_BUREAU, city, education)
    environment_bureau = dept(
        "zy-sthj", "生态环境分局", DepartmentKind.CITY_BUREAU, city, environment
    )
    town_office = dept("ll-zzb", "综治办", DepartmentKind.TOWN_OFFICE, town, construction)
    town_justice = dept("ll-sfs", "司法所", DepartmentKind.TOWN_OFFICE, town)
    police_station = dept("ll-pcs", "玲珑派出所", DepartmentKind.POLICE_STATION, town)
    other_town_office = dept("jl-zzb", "综治办", DepartmentKind.TOWN_OFFICE, other_town)

    reveal = Permission.objects.get(codename="reveal_personal_data")
    org = SimpleNamespace(
        city=city,
        town=town,
        other_town=other_town,
        village=village,
        other_village=other_village,
        far_village=far_village,
        construction=construction,
        labour=labour,
        education=education,
        environment=environment,
        housing_bureau=housing_bureau,
        labour_bureau=labour_bureau,
        education_bureau=education_bureau,
        environment_bureau=environment_bureau,
        town_office=town_office,
        town_justice=town_justice,
        police_station=police_station,
        other_town_office=other_town_office,
        village_agent=_user("village_agent", Role.AGENT, jurisdiction=village, name="欧代办"),
        other_village_agent=_user(
            "other_village_agent", Role.AGENT, jurisdiction=other_village, name="台代办"
        ),
        far_village_agent=_user(
            "far_village_agent", Role.AGENT, jurisdiction=far_village, name="户代办"
        ),
        town_clerk=_user("town_clerk", Role.AGENT, jurisdiction=town, name="玲珑镇代办"),
        other_town_clerk=_user(
            "other_town_clerk", Role.AGENT, jurisdiction=other_town, name="金岭镇代办"
        ),
        town_handler=_user(
            "town_handler", Role.HANDLER, department=town_office, name="综治办承办人"
        ),
        city_handler=_user(
            "city_handler", Role.HANDLER, department=housing_bureau, name="住建局承办人"
        ),
        labour_handler=_user(
            "labour_handler", Role.HANDLER, department=labour_bureau, name="人社局承办人"
        ),
        unrelated_handler=_user(
            "unrelated_handler", Role.HANDLER, department=education_bureau, name="教育局承办人"
        ),
        city_supervisor=_user(
            "city_supervisor", Role.SUPERVISOR, jurisdiction=city, name="信访局督办"
        ),
        city_leader=_user("city_leader", Role.LEADER, jurisdiction=city, name="包保领导"),
        analyst=_user("analyst", Role.ANALYST, jurisdiction=city, name="分析员"),
        administrator=_user(
            "administrator",
            Role.ADMINISTRATOR,
            jurisdiction=city,
            name="管理员",
            is_staff=True,
            is_superuser=True,
        ),
        password=PASSWORD,
    )
    org.city_supervisor.user_permissions.add(reveal)
    org.town_clerk.user_permissions.add(reveal)
    return org


PERSON = {
    "name": "张小明",
    "id_number": "11010519491231002X",
    "phone": "13812345678",
    "address": "玲珑镇欧家夼村3号",
}
ENTERPRISE = {
    "kind": "enterprise",
    "name": "招远金都食品有限公司",
    "credit_code": "91110000600037341L",
    "contact_name": "李经理",
    "phone": "13912345678",
}
