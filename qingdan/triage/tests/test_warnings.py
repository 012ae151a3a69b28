import datetime as dt

import time_machine
from django.test import TestCase, override_settings

from qingdan.cases.models import CaseEvent, CaseFlag
from qingdan.orgs.testing import PERSON, build_county
from qingdan.triage.choices import FlagKind

from .helpers import pages, register

WAGES = "建筑工地拖欠我们农民工工资三个月，老板联系不上，请帮助我们讨回工资。"
WAGES_AGAIN = "工地一直拖欠我们农民工的工资，已经三个多月了，老板联系不上，请政府帮我们讨回工资。"


def person(number: int) -> dict:
    return {"name": f"村民{number}", "phone": f"139{number:08d}"}


@time_machine.travel(dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC), tick=False)
@pages
class WarningTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_repeat_petition_same_person_similar_text(self):
        with time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC), tick=False):
            first = register(self.org, title="讨要工资", content=WAGES, petitioner=PERSON)
        again = register(self.org, title="又来讨要工资", content=WAGES_AGAIN, petitioner=PERSON)
        flag = again.flags.get(kind=FlagKind.REPEAT)
        self.assertEqual(flag.evidence["cases"], [first.tracking_number])
        self.assertEqual(flag.evidence["count"], 1)
        self.assertGreater(flag.evidence["similarity"][first.tracking_number], 0.5)
        self.assertIn(first.tracking_number, flag.message)
        self.assertTrue(CaseEvent.objects.filter(case=again, action="repeat_flag").exists())
        # The same phone under another name is the same person.
        by_phone = register(
            self.org,
            title="工资",
            content=WAGES,
            petitioner={"name": "张晓明", "phone": PERSON["phone"]},
        )
        self.assertEqual(by_phone.flags.get(kind=FlagKind.REPEAT).evidence["count"], 2)
        # A different matter of the same person, or the same matter of another, is no repeat.
        other_matter = register(
            self.org, title="孩子上学", content="希望村里开通校车接送孩子", petitioner=PERSON
        )
        self.assertFalse(other_matter.flags.filter(kind=FlagKind.REPEAT).exists())
        stranger = register(self.org, title="讨要工资", content=WAGES, petitioner=person(1))
        self.assertFalse(stranger.flags.filter(kind=FlagKind.REPEAT).exists())

    def test_repeat_window(self):
        with time_machine.travel(dt.datetime(2025, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False):
            register(self.org, title="讨要工资", content=WAGES, petitioner=PERSON)
        again = register(self.org, title="讨要工资", content=WAGES, petitioner=PERSON)
        self.assertFalse(again.flags.filter(kind=FlagKind.REPEAT).exists())

    @override_settings(QINGDAN_GROUP_MIN_PETITIONERS=4)
    def test_group_risk_many_people_similar_text_same_town(self):
        cases = []
        for number in range(3):
            village = self.org.village if number % 2 else self.org.other_village
            agent = self.org.village_agent if number % 2 else self.org.other_village_agent
            cases.append(
                register(
                    self.org,
                    agent,
                    title="讨要工资",
                    content=WAGES,
                    petitioner=person(number),
                    jurisdiction=village,
                )
            )
            self.assertFalse(cases[-1].flags.filter(kind=FlagKind.GROUP_RISK).exists())
        # The same matter in another town does not add up.
        register(
            self.org,
            self.org.far_village_agent,
            title="讨要工资",
            content=WAGES,
            petitioner=person(7),
            jurisdiction=self.org.far_village,
        )
        fourth = register(self.org, title="讨要工资", content=WAGES_AGAIN, petitioner=person(3))
        flag = fourth.flags.get(kind=FlagKind.GROUP_RISK)
        self.assertEqual(flag.evidence["people"], 4)
        self.assertEqual(sorted(flag.evidence["cases"]), sorted(c.tracking_number for c in cases))
        self.assertEqual(flag.evidence["area"], self.org.town.name)
        self.assertIn(self.org.town.name, flag.message)

    @override_settings(QINGDAN_GROUP_MIN_PETITIONERS=4)
    def test_group_risk_counts_headcount_of_joint_petitions(self):
        register(self.org, title="讨要工资", content=WAGES, petitioner=person(1), headcount=3)
        second = register(self.org, title="讨要工资", content=WAGES, petitioner=person(2))
        self.assertEqual(second.flags.get(kind=FlagKind.GROUP_RISK).evidence["people"], 4)

    def test_flood_same_filer_same_day(self):
        first = register(self.org, title="路灯坏了", content="村口路灯不亮", petitioner=PERSON)
        second = register(self.org, title="垃圾没人清", content="垃圾堆了一周", petitioner=PERSON)
        self.assertFalse(second.flags.filter(kind=FlagKind.FLOOD).exists())
        third = register(self.org, title="道路破损", content="村道坑洼不平", petitioner=PERSON)
        flag = third.flags.get(kind=FlagKind.FLOOD)
        self.assertEqual(flag.evidence["count"], 3)
        self.assertEqual(flag.evidence["cases"], [first.tracking_number, second.tracking_number])
        with time_machine.travel(dt.datetime(2026, 6, 11, 9, 0, tzinfo=dt.UTC), tick=False):
            next_day = register(
                self.org, title="又一件", content="村道坑洼不平积水", petitioner=PERSON
            )
        self.assertFalse(next_day.flags.filter(kind=FlagKind.FLOOD).exists())

    def test_warnings_page_shows_visible_flags_only(self):
        for number in range(3):
            register(
                self.org,
                title=f"事项{number}",
                content=f"第{number}件不同的事情",
                petitioner=PERSON,
            )
        register(
            self.org,
            self.org.far_village_agent,
            title="a",
            content="一",
            petitioner=person(5),
            jurisdiction=self.org.far_village,
        )
        for number in range(3):
            register(
                self.org,
                self.org.far_village_agent,
                title=f"其他{number}",
                content=f"另外第{number}件",
                petitioner=person(5),
                jurisdiction=self.org.far_village,
            )
        self.assertEqual(CaseFlag.objects.filter(kind=FlagKind.FLOOD).count(), 3)
        self.client.force_login(self.org.village_agent)
        with self.assertNumQueries(4):  # session, user, count, page
            response = self.client.get("/triage/warnings/", {"kind": "flood"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["page"].object_list), 1)
        self.client.force_login(self.org.city_supervisor)
        response = self.client.get("/triage/warnings/", {"kind": "flood"})
        self.assertEqual(len(response.context["page"].object_list), 3)
        self.client.force_login(self.org.unrelated_handler)
        response = self.client.get("/triage/warnings/")
        self.assertEqual(len(response.context["page"].object_list), 0)
