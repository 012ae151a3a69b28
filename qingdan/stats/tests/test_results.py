"""The results list (成果清单) filtered by enterprise, visit, channel, unit, place and
category, on the page, in the .xlsx (with its per-visit sheet) and in the API."""

import datetime as dt
import io

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from qingdan.cases import actions
from qingdan.intake.actions import record_enterprise_visit
from qingdan.orgs.testing import ENTERPRISE, PERSON, build_county, category

NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)
ENTERPRISE_DATA = {k: v for k, v in ENTERPRISE.items() if k != "kind"}
OTHER_ENTERPRISE = {"name": "招远黄金冶炼厂", "credit_code": "91370685MA3C5B7X1B"}


@time_machine.travel(NOW, tick=False)
class ResultsListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        org = cls.org = build_county()
        cls.enterprise_affairs = category("enterprise_affairs")

        def visit(enterprise, problems):
            return record_enterprise_visit(
                org.town_clerk,
                visited_on=dt.date(2026, 6, 1),
                enterprise=enterprise,
                jurisdiction=org.town,
                staff=[org.town_clerk],
                topics="企业经营",
                problems=[{"content": text, "category": cat} for text, cat in problems],
            )

        cls.visit = visit(
            ENTERPRISE_DATA,
            [
                ("企业用电增容申请三个月未批复。", cls.enterprise_affairs),
                ("缺少熟练技工，希望组织专场招聘会。", org.labour),
            ],
        )
        cls.other_visit = visit(OTHER_ENTERPRISE, [("厂区道路破损。", org.construction)])
        cls.power, cls.workers = (p.case for p in cls.visit.problems.order_by("position"))
        actions.accept(org.town_clerk, cls.power)
        actions.assign(org.town_clerk, cls.power, lead_unit=org.town_office)
        actions.reply(
            org.town_handler, cls.power, reply_opinion="supports", reply_text="已协调供电所增容。"
        )
        cls.lamp = actions.register_case(
            org.village_agent,
            channel="walk_in",
            title="村口路灯坏了",
            content="村口路灯坏了",
            jurisdiction=org.village,
            category=org.construction,
            petitioner=dict(PERSON),
        )
        cls.far = actions.register_case(
            org.far_village_agent,
            channel="phone",
            title="大户村道路塌陷",
            content="村道塌陷",
            jurisdiction=org.far_village,
            category=org.construction,
        )

    def numbers(self, user, **query) -> list[str]:
        self.client.force_login(user)
        response = self.client.get(reverse("api:results"), {"period": "2026H1", **query})
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(row["tracking_number"] for row in response.json()["results"])

    def test_each_filter_narrows_the_list(self):
        org, supervisor = self.org, self.org.city_supervisor
        everything = sorted(
            c.tracking_number
            for c in (self.power, self.workers, self.other_visit.problems.get().case)
        )
        everything = sorted([*everything, self.lamp.tracking_number, self.far.tracking_number])
        self.assertEqual(self.numbers(supervisor), everything)
        pair = sorted([self.power.tracking_number, self.workers.tracking_number])
        self.assertEqual(self.numbers(supervisor, enterprise=ENTERPRISE["credit_code"]), pair)
        self.assertEqual(self.numbers(supervisor, visit=self.visit.pk), pair)
        self.assertEqual(self.numbers(supervisor, channel="walk_in"), [self.lamp.tracking_number])
        self.assertEqual(
            self.numbers(supervisor, unit=org.town_office.code), [self.power.tracking_number]
        )
        self.assertEqual(
            self.numbers(supervisor, place=org.other_town.code), [self.far.tracking_number]
        )
        self.assertEqual(
            self.numbers(supervisor, category=org.labour.code), [self.workers.tracking_number]
        )
        self.assertEqual(
            self.numbers(supervisor, category=org.construction.code, place=org.village.code),
            [self.lamp.tracking_number],
        )
        # The filters never widen what one may see.
        self.assertEqual(self.numbers(org.village_agent, channel="enterprise_visit"), [])

    def test_the_api_names_a_bad_filter(self):
        self.client.force_login(self.org.city_supervisor)
        response = self.client.get(reverse("api:results"), {"place": "999999999999"})
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertEqual(body["code"], "validation_failed")
        self.assertIn("place", body["errors"])
        row = self.client.get(reverse("api:results"), {"visit": self.visit.pk}).json()["results"]
        self.assertEqual(row[0]["visit"], self.visit.pk)
        self.assertEqual(row[0]["petitioner"], ENTERPRISE["name"])

    def test_the_page_offers_the_filters_and_links_the_download(self):
        self.client.force_login(self.org.city_supervisor)
        with translation.override("zh-hans"):
            page = self.client.get(
                reverse("stats:results"),
                {"period": "2026H1", "enterprise": ENTERPRISE["credit_code"]},
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            )
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn(ENTERPRISE["name"], html)  # offered among the enterprises
        self.assertIn(OTHER_ENTERPRISE["name"], html)
        self.assertIn(f'data-tracking="{self.power.tracking_number}"', html)
        self.assertNotIn(f'data-tracking="{self.lamp.tracking_number}"', html)
        self.assertIn(f"enterprise={ENTERPRISE['credit_code']}", html)
        bad = self.client.get(reverse("stats:results"), {"period": "2026X"})
        self.assertEqual(bad.status_code, 400)

    def test_the_workbook_follows_the_filters_and_has_a_sheet_per_visit(self):
        self.client.force_login(self.org.city_supervisor)
        with translation.override("zh-hans"):
            response = self.client.get(
                reverse("stats:results-export"),
                {"period": "2026H1", "enterprise": ENTERPRISE["credit_code"]},
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            )
        self.assertEqual(response.status_code, 200)
        book = load_workbook(io.BytesIO(response.content))
        listed, visits = book.worksheets
        self.assertEqual(listed.max_row, 3)  # header + the enterprise's two problems
        header = [cell.value for cell in visits[1]]
        for title in ("企业点题", "部门答题", "落实推动", "企业评价"):
            self.assertIn(title, header)
        rows = [[cell.value for cell in row] for row in visits.iter_rows(min_row=2)]
        self.assertEqual(
            [row[3] for row in rows], [self.power.tracking_number, self.workers.tracking_number]
        )
        self.assertEqual(rows[0][1], "2026-06-01")
        self.assertEqual(rows[0][4], "企业用电增容申请三个月未批复。")
        self.assertIn("已协调供电所增容", rows[0][5])
        self.assertIn(str(self.org.town_office), rows[0][5])
        # Without a visit among the cases, no visit sheet.
        response = self.client.get(
            reverse("stats:results-export"), {"period": "2026H1", "channel": "phone"}
        )
        self.assertEqual(len(load_workbook(io.BytesIO(response.content)).worksheets), 1)
        self.assertEqual(timezone.localdate(), dt.date(2026, 6, 10))
