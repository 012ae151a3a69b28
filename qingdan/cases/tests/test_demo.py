"""The demo county: two years of cases behind today's stories (so the half-year
bulletin and its year-on-year changes have data), and every demo login printed with
its role in Chinese."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.db.models import Min
from django.test import TestCase
from django.utils import timezone, translation

from qingdan.cases.choices import OPEN_STATES, DeadlineStatus, State
from qingdan.cases.models import Case, CaseEvent
from qingdan.orgs.choices import Role
from qingdan.orgs.models import User


def months_back(today: dt.date, count: int) -> list[str]:
    """The `count` calendar months before this one, as YYYY-MM."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(f"{year}-{month:02d}")
    return months


class DemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        out = StringIO()
        with translation.override("zh-hans"):
            call_command("demo", "--no-serve", stdout=out)
        cls.output = out.getvalue()

    def test_cases_cover_the_last_two_years(self):
        now = timezone.now()
        first = Case.objects.aggregate(first=Min("registered_at"))["first"]
        self.assertLessEqual(first, now - dt.timedelta(days=700))
        per_month: dict[str, int] = {}
        for registered in Case.objects.values_list("registered_at", flat=True):
            month = timezone.localtime(registered).strftime("%Y-%m")
            per_month[month] = per_month.get(month, 0) + 1
        for month in months_back(timezone.localdate(), 23):
            self.assertGreaterEqual(per_month.get(month, 0), 4, month)

    def test_stories_end_as_real_ones_do(self):
        now = timezone.now()
        old = Case.objects.filter(registered_at__lt=now - dt.timedelta(days=365))
        self.assertGreater(old.filter(state=State.CLOSED, closed_on_time=True).count(), 30)
        self.assertTrue(old.filter(state=State.CLOSED, closed_on_time=False).exists())
        self.assertTrue(old.filter(state__in=[State.NOT_ACCEPTED, State.DIVERTED]).exists())
        for case in old.filter(state=State.CLOSED):
            # Answered after registering, closed after answering, all in the past.
            self.assertLess(case.registered_at, case.accepted_at)
            self.assertLessEqual(case.accepted_at, case.replied_at)
            self.assertLess(case.replied_at, case.closed_at)
            self.assertLess(case.closed_at, now)
            events = list(case.events.order_by("pk").values_list("at", flat=True))
            self.assertEqual(events, sorted(events))
            self.assertEqual((events[0], events[-1]), (case.registered_at, case.closed_at))
        # Nothing happened after now, not even for cases registered a few days ago.
        self.assertFalse(CaseEvent.objects.filter(at__gt=now).exists())
        for column in ("registered_at", "accepted_at", "replied_at", "closed_at"):
            self.assertFalse(Case.objects.filter(**{f"{column}__gt": now}).exists(), column)
        still_open = Case.objects.filter(state__in=OPEN_STATES)
        self.assertTrue(still_open.filter(deadline_status=DeadlineStatus.OVERDUE).exists())
        self.assertTrue(still_open.filter(deadline_status=DeadlineStatus.OK).exists())
        # A case registered last year carries last year's tracking number.
        last_year = Case.objects.filter(registered_at__year=now.year - 1).first()
        self.assertTrue(last_year.tracking_number.startswith(f"ZY-{now.year - 1}-"))

    def test_every_login_is_printed_with_its_role_in_chinese(self):
        lines = self.output.splitlines()
        self.assertIn("演示账号（密码均为 qingdan-demo）：", lines)
        header = lines.index("演示账号（密码均为 qingdan-demo）：") + 1
        self.assertEqual(lines[header].split(), ["账号", "角色", "单位或辖区"])
        table = {line.split()[0]: line.split()[1:] for line in lines[header + 1 :]}
        users = User.objects.select_related("department", "jurisdiction")
        self.assertEqual(set(table), set(users.values_list("username", flat=True)))
        self.assertEqual(len(table), 4 + 10 * 3 + 13)
        roles = {"代办员", "承办人", "督办员", "包保领导", "分析员", "管理员"}
        for user in users:
            role, *place = table[user.username]
            self.assertIn(role, roles)
            with translation.override("zh-hans"):
                self.assertEqual(role, str(Role(user.role).label))
            self.assertTrue(place, user.username)
        self.assertEqual(table["ll_zzb"], ["承办人", "玲珑镇", "综治中心"])
        self.assertEqual(table["zy_rsj_handler"], ["承办人", "人力资源和社会保障局"])
        self.assertEqual(table["ll_v1_agent"], ["代办员", "欧家夼村"])
        self.assertNotIn("village agent", self.output)
        self.assertIn(f"新建演示事项：{Case.objects.count()} 件", self.output)
