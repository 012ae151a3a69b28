"""The dashboard, the JSON endpoint, the results list and the bulletin, on the
hand-counted history of `data.py`."""

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from qingdan.cases import actions
from qingdan.stats.bulletin import bulletin_context, render_pdf, statements
from qingdan.stats.indicators import compute, indicators
from qingdan.stats.periods import current_period, parse_period

from .data import NOW, at, build_history, person


def chinese_fonts() -> str:
    """The CJK fonts fontconfig knows; the bulletin needs one (apt: fonts-noto-cjk)."""
    if shutil.which("fc-list") is None:
        return ""
    return subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout.strip()


class OutputTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.c = build_history()
        cls.org = cls.c.org

    def setUp(self):
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def register_now(self, who: dict):
        return actions.register_case(
            self.org.village_agent,
            channel="phone",
            title="村道塌陷",
            content="村道塌陷，车辆无法通行。",
            jurisdiction=self.org.village,
            category=self.org.construction,
            petitioner=who,
        )

    def get(self, user, name, **query):
        self.client.force_login(user)
        return self.client.get(reverse(name), query)

    # The bulletin's statements -------------------------------------------------------

    def zh_statements(self, user, period="2026H1"):
        with translation.override("zh-hans"):
            return bulletin_context(user, parse_period(period))["statements"]

    def test_bulletin_statements_carry_the_figures(self):
        text = "\n".join(self.zh_statements(self.org.city_supervisor))
        for expected in (
            # 9 registered against 2 a year before: +350%.
            "上半年共登记群众诉求9件，同比增长350.0%；依法受理7件，办结4件，办结率44.4%；"
            "其中按期办结4件，占办结总数的100.0%。",
            # 12 registered by 30 June against 2 by 30 June 2025: +500%.
            "截至6月底，累计登记群众诉求12件，累计办结7件，累计登记量同比增长500.0%。",
            "群众诉求响应率88.9%，解决率80.0%，满意率58.0%，综合得分72.1分，较上年同期降低25.9分。",
            "在村级办结3件，占比75.0%；在镇级办结1件，占比25.0%；经市级协调办结0件，占比0.0%。",
            "“小事不出村、大事不出镇”率为100.0%，与上年同期持平。",
            f"从诉求类别看，{self.org.construction.name}最多，6件，占比66.7%；"
            f"{self.org.labour.name}2件，占比22.2%",
            "超过办理时限的诉求4件；重复信访2件，占登记总数的22.2%，上年同期无可比数据。",
            "承办单位综合得分排名前列的是玲珑镇司法所（96.0分）、招远市住建局（10.0分）。",
        ):
            self.assertIn(expected, text)

    def test_bulletin_of_an_empty_period_and_of_a_town(self):
        self.assertEqual(
            self.zh_statements(self.org.city_supervisor, "2024Q3"), ["第三季度未登记群众诉求。"]
        )
        town = "\n".join(self.zh_statements(self.org.town_clerk))
        self.assertIn("上半年共登记群众诉求6件", town)
        self.assertIn("同比增长500.0%", town)  # Y1 was the town's only case in 2025H1
        month = "\n".join(self.zh_statements(self.org.city_supervisor, "2026-03"))
        self.assertIn("3月共登记群众诉求3件", month)
        self.assertIn("截至3月底", month)

    def test_an_unfinished_period_is_totalled_to_the_day(self):
        # NOW is 1 August 2026: the second half has only begun.
        self.register_now(person(8))
        text = "\n".join(self.zh_statements(self.org.city_supervisor, period="2026H2"))
        self.assertIn("截至8月1日，累计登记群众诉求", text)
        self.assertNotIn("截至12月底", text)

    def test_statements_follow_the_report(self):
        report = compute(self.org.city_supervisor, parse_period("2026H1"), ["unit"])
        report["total"]["received"] = 0
        with translation.override("zh-hans"):
            self.assertEqual(statements(report, parse_period("2026H1")), ["上半年未登记群众诉求。"])

    def test_bulletin_pdf_page_and_command(self):
        response = self.get(self.org.analyst, "stats:bulletin-pdf", period="2026H1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        if chinese_fonts():
            with translation.override("zh-hans"):
                raw = render_pdf(self.org.analyst, parse_period("2026H1"), uncompressed_pdf=True)
            fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]+\+([\w-]+)", raw))
            # The Chinese text is set in a CJK font (Debian: fonts-noto-cjk / fonts-wqy-zenhei).
            self.assertTrue(any(b"CJK" in f or b"Zen" in f for f in fonts), fonts)
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "b.pdf"
            out = io.StringIO()
            call_command("bulletin", period="2026Q1", output=target, stdout=out)
            self.assertTrue(target.read_bytes().startswith(b"%PDF"))
        out = io.StringIO()
        call_command(
            "bulletin", period="2026H1", jurisdiction=self.org.town.code, text=True, stdout=out
        )
        self.assertIn("玲珑镇2026年上半年群众诉求办理情况通报", out.getvalue())
        self.assertIn("上半年共登记群众诉求6件", out.getvalue())
        with self.assertRaises(CommandError):
            call_command("bulletin", period="2026H3", text=True, stdout=io.StringIO())
        with self.assertRaises(CommandError):
            call_command("bulletin", period="2026", jurisdiction="999999999999", text=True)

    # The results list -----------------------------------------------------------------

    def rows(self, response):
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet

    def test_results_list_is_complete_and_masked(self):
        response = self.get(self.org.city_supervisor, "stats:results-export", period="2026H1")
        self.assertEqual(response.status_code, 200)
        rows, _sheet = self.rows(response)
        header, body = rows[0], rows[1:]
        self.assertEqual(len(body), 9)
        by_number = {row[1]: dict(zip(header, row, strict=True)) for row in body}
        b = by_number[self.c.B.tracking_number]
        self.assertEqual(b["问题"], "工资被拖欠")
        self.assertEqual(b["办理单位"], "玲珑镇司法所")
        self.assertEqual(b["办理结果"], "支持诉求")
        self.assertEqual(b["办理情况"], "已协调发放工资")
        self.assertEqual(b["答复日期"], "2026-02-06")
        self.assertEqual(b["诉求人评价"], "基本满意")
        self.assertEqual(b["是否按期"], "是")
        self.assertEqual(b["诉求人"], "王*明")
        self.assertEqual(by_number[self.c.D.tracking_number]["办理情况"], "属民事纠纷")
        self.assertEqual(by_number[self.c.A.tracking_number]["办理单位"], "欧家夼村")
        self.assertEqual(by_number[self.c.C.tracking_number]["协办单位"], "招远市人社局")
        everything = repr(rows)
        for secret in ("王二明", person(2)["phone"], "13900000002"):
            self.assertNotIn(secret, everything)

    def test_results_list_keeps_typed_text_as_text_and_follows_visibility(self):
        with time_machine.travel(at("06-01"), tick=False):
            actions.register_case(
                self.org.town_clerk,
                channel="web",
                title='=HYPERLINK("http://evil","x")',
                content="内容",
                jurisdiction=self.org.other_village,
            )
        response = self.get(self.org.town_clerk, "stats:results-export", period="2026H1")
        rows, sheet = self.rows(response)
        self.assertEqual(len(rows) - 1, 7)  # 玲珑镇: A B C E F I and the new one
        cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("="))
        self.assertEqual(cell.data_type, "s")
        self.assertNotIn(self.c.D.tracking_number, repr(rows))

    # Dashboard and JSON ---------------------------------------------------------------

    def test_dashboard(self):
        with translation.override("zh-hans"):
            response = self.get(self.org.town_clerk, "stats:dashboard", period="2026H1", by="unit")
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("<svg", page)
        self.assertIn("上半年共登记群众诉求6件", page)
        self.assertIn("玲珑镇司法所", page)
        self.assertNotIn("大户村", page)
        bad = self.get(self.org.town_clerk, "stats:dashboard", period="2026H7")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("2026H1", bad.content.decode())  # the message shows the forms

    def test_dashboard_shows_the_period_it_uses_when_none_is_given(self):
        page = self.get(self.org.town_clerk, "stats:dashboard").content.decode()
        current = current_period(now=NOW).code
        self.assertRegex(page, rf'name="period"[^>]*value="{current}"')
        self.assertRegex(page, r'<option value="jurisdiction" selected>')

    def test_dashboard_query_count(self):
        self.get(self.org.city_supervisor, "stats:dashboard", period="2026H1")
        with self.assertNumQueries(20 + (connection.vendor == "postgresql")):
            self.get(self.org.city_supervisor, "stats:dashboard", period="2025", by="category")

    def test_json_endpoint(self):
        response = self.get(
            self.org.analyst, "stats:api-indicators", period="2026H1", by="jurisdiction"
        )
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data, indicators(self.org.analyst, "2026H1", "jurisdiction"))
        self.assertEqual(data["total"]["received"], 9)
        self.assertEqual([g["received"] for g in data["groups"]], [6, 3])
        bad = self.get(self.org.analyst, "stats:api-indicators", period="H1")
        self.assertEqual(bad.status_code, 400)
        self.assertEqual((bad.json()["code"], bad.json()["field"]), ("validation_failed", "period"))
        bad = self.get(self.org.analyst, "stats:api-indicators", period="2026", by="x")
        self.assertEqual(bad.json()["field"], "by")
        self.client.logout()
        self.assertIn(self.client.get(reverse("stats:api-indicators")).status_code, {401, 403})
        self.assertEqual(self.client.get(reverse("stats:dashboard")).status_code, 302)

    def test_worker_builds_the_rollup_and_keeps_it_current(self):
        from qingdan.cases.models import CaseEvent
        from qingdan.jobs.worker import Worker
        from qingdan.stats import rollup
        from qingdan.stats.models import MonthlyRollup, RollupState

        self.assertFalse(RollupState.objects.exists())
        with self.assertLogs("qingdan.worker", level="INFO") as logs:
            Worker().run_once()
        self.assertIn("statistics rollup built", "\n".join(logs.output))
        self.assertTrue(MonthlyRollup.objects.exists())  # no reader has to build it
        self.assertEqual(rollup.differences(), [])
        self.register_now(person(7))
        self.assertNotEqual(rollup.differences(), [])
        report = Worker().run_once()
        self.assertEqual(report.errors, 0)
        state = RollupState.objects.get()
        self.assertEqual(state.last_event_id, CaseEvent.objects.order_by("-pk")[0].pk)
        self.assertEqual(rollup.differences(), [])

    def test_rollup_command(self):
        out = io.StringIO()
        call_command("rollup", full=True, verify=True, stdout=out)
        self.assertIn("equals", out.getvalue().replace("一致", "equals"))
