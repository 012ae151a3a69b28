"""Importing the public complaint messages (or the tests' own, without the shared data
set) as a 12345 work-order sheet."""

import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase

from qingdan.cases import actions as case_actions
from qingdan.cases.choices import Action, Channel, State, Tier, Urgency
from qingdan.cases.models import Case, CaseEvent, Petitioner
from qingdan.orgs.testing import PERSON, build_county

from ..choices import ProblemKind, RunStatus
from ..models import ImportProblem, ImportRun
from .helpers import (
    SheetTestCase,
    bad_rows,
    hotline_rows,
    messages,
    order_rows,
    write_csv,
    write_xlsx,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import-orders", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class ImportMessagesTests(TestCase):
    """All messages (2,794 of the shared data set) plus four bad rows, imported once by
    the command."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.folder = Path(tempfile.mkdtemp())
        cls.good = order_rows(cls.org)
        cls.sheet = write_xlsx(cls.folder / "工单.xlsx", [*cls.good, *bad_rows(cls.org)])
        cls.out, cls.err = run_command(cls.sheet, "--user", "city_supervisor")
        cls.import_run = ImportRun.objects.get()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)
        super().tearDownClass()

    def test_every_good_row_is_a_case(self):
        self.assertEqual(Case.objects.count(), len(self.good))
        self.assertEqual(self.import_run.status, RunStatus.DONE)
        self.assertEqual(self.import_run.created_count, len(self.good))
        self.assertEqual(self.import_run.processed_rows, len(self.good) + 4)
        self.assertEqual(
            set(Case.objects.values_list("external_ref", flat=True)),
            {row[0] for row in self.good},
        )
        self.assertIn(f"{len(self.good)}", self.out)

    def test_cases_carry_the_sheet(self):
        first = messages(1)[0]
        case = Case.objects.select_related("jurisdiction", "petitioner").get(
            external_ref=f"GD{first['留言编号']}"
        )
        self.assertEqual(case.channel, Channel.PHONE)
        self.assertEqual(case.title, first["留言主题"])
        self.assertEqual(case.content, first["留言详情"].strip())
        # 2019/12/30 17:06:14, Beijing time.
        self.assertEqual(case.registered_at, dt.datetime(2019, 12, 30, 17, 6, 14, tzinfo=SHANGHAI))
        self.assertEqual(case.jurisdiction, self.org.village)
        self.assertEqual(case.state, State.REGISTERED)
        # Dispatched by the hotline to the village: it starts at the village tier.
        self.assertEqual(case.tier, Tier.VILLAGE)
        self.assertEqual(case.urgency, Urgency.NORMAL)
        self.assertEqual(case.petitioner.phone, "13800000000")
        self.assertEqual(case.petitioner.masked_phone, "138****0000")
        self.assertEqual(case.created_by, self.org.city_supervisor)
        # 5个工作日 from Monday 30 December 2019: 31 Dec, 2, 3, 6, 7 January (1 Jan is a holiday).
        self.assertEqual(
            case.assigned_deadline, dt.datetime(2020, 1, 7, 23, 59, 59, tzinfo=SHANGHAI)
        )
        # Deadline columns computed as for every registration.
        self.assertIsNotNone(case.accept_due_at)
        self.assertIsNotNone(case.due_at)
        self.assertLessEqual(case.due_at, case.accept_due_at)

    def test_places_urgency_and_anonymous_callers(self):
        by_ref = {c.external_ref: c for c in Case.objects.select_related("jurisdiction")}
        for i, row in enumerate(self.good[:8]):
            case = by_ref[row[0]]
            expected = [self.org.village, self.org.other_village, self.org.far_village,
                        self.org.town][i % 4]  # fmt: skip
            self.assertEqual(case.jurisdiction, expected)
            self.assertEqual(case.urgency, ["normal", "emergency", "urgent", "complex"][i % 4])
        anonymous = Case.objects.select_related("petitioner").get(external_ref=self.good[0][0])
        self.assertEqual(anonymous.petitioner.name, "来电人")

    def test_each_case_has_one_register_event_and_its_own_number(self):
        events = CaseEvent.objects.filter(action=Action.REGISTER)
        self.assertEqual(events.count(), len(self.good))
        self.assertFalse(events.values("case").annotate(n=Count("pk")).filter(n__gt=1).exists())
        event = events.select_related("case").first()
        self.assertEqual(event.actor, self.org.city_supervisor)
        self.assertEqual(event.data["import_run"], self.import_run.pk)
        self.assertEqual(event.to_jurisdiction, event.case.jurisdiction)
        numbers = list(Case.objects.values_list("tracking_number", flat=True))
        self.assertEqual(len(set(numbers)), len(numbers))

    def test_bad_rows_are_reported_with_row_and_column_and_skipped(self):
        errors = {
            (p.row, p.column): p.message
            for p in ImportProblem.objects.filter(run=self.import_run, kind=ProblemKind.ERROR)
        }
        last = len(self.good) + 1  # the header is row 1
        self.assertEqual(
            set(errors),
            {
                (last + 1, "诉求内容"),
                (last + 2, "所属街镇"),
                (last + 3, "联系电话"),
                (last + 4, "来电时间"),
            },  # fmt: skip
        )
        self.assertEqual(errors[(last + 1, "诉求内容")], "必须填写。")
        self.assertIn("不存在镇", errors[(last + 2, "所属街镇")])
        self.assertIn("电话", errors[(last + 3, "联系电话")])
        self.assertIn("2020-13-45 25:61", errors[(last + 4, "来电时间")])
        self.assertEqual(self.import_run.error_count, 4)
        self.assertFalse(Case.objects.filter(external_ref__startswith="BAD").exists())
        self.assertIn(f"第 {last + 3} 行", self.err)

    def test_reimport_creates_nothing_and_reports_existing(self):
        events_before = CaseEvent.objects.count()
        people_before = Petitioner.objects.count()
        out, _err = run_command(self.sheet, "--user", "city_supervisor")
        self.assertEqual(Case.objects.count(), len(self.good))
        self.assertEqual(CaseEvent.objects.count(), events_before)
        self.assertEqual(Petitioner.objects.count(), people_before)
        again = ImportRun.objects.latest("pk")
        self.assertEqual(again.created_count, 0)
        self.assertEqual(again.skipped_count, len(self.good))
        self.assertEqual(again.error_count, 4)  # the bad rows are still bad
        skipped = again.problems.filter(kind=ProblemKind.SKIPPED).select_related("case").first()
        self.assertEqual(skipped.case.external_ref, skipped.value)
        self.assertIn(skipped.case.tracking_number, skipped.message)

    def test_dry_run_writes_nothing(self):
        rows = order_rows(self.org, 30, prefix="NEW")
        sheet = write_xlsx(self.folder / "new.xlsx", [*rows, *bad_rows(self.org)])
        counts = (Case.objects.count(), CaseEvent.objects.count(), Petitioner.objects.count(),
                  ImportRun.objects.count(), ImportProblem.objects.count())  # fmt: skip
        out, err = run_command(sheet, "--dry-run", "--user", "city_supervisor")
        self.assertEqual(
            counts,
            (
                Case.objects.count(),
                CaseEvent.objects.count(),
                Petitioner.objects.count(),
                ImportRun.objects.count(),
                ImportProblem.objects.count(),
            ),  # fmt: skip
        )
        self.assertIn("30", out)  # would create 30
        self.assertIn("所属街镇", err)

    def test_registration_after_an_import_gets_a_fresh_number(self):
        case = case_actions.register_case(
            self.org.town_clerk,
            channel="walk_in",
            title="路灯",
            content="路灯不亮",
            jurisdiction=self.org.town,
            petitioner=dict(PERSON),
        )
        self.assertEqual(Case.objects.filter(tracking_number=case.tracking_number).count(), 1)
        highest = max(
            int(n.rsplit("-", 1)[1])
            for n in Case.objects.exclude(pk=case.pk).values_list("tracking_number", flat=True)
        )
        self.assertGreater(int(case.tracking_number.rsplit("-", 1)[1]), highest)


class ImportFormatsTests(SheetTestCase):
    """CSV encodings, a mapping file, Excel cells, and the jurisdiction rule."""

    def rows(self, n=3, prefix="C"):
        return hotline_rows(n, prefix)

    def test_gb18030_csv(self):
        path = write_csv(self.folder / "gbk.csv", self.rows(), encoding="gb18030")
        run_command(path)
        case = Case.objects.get(external_ref="C1")
        self.assertEqual(case.title, "第1件：小区路灯不亮")  # derived from the content
        self.assertEqual(case.jurisdiction, self.org.village)
        self.assertEqual(case.urgency, Urgency.EMERGENCY)
        self.assertEqual(case.address, "3号楼")
        self.assertEqual(case.registered_at, dt.datetime(2024, 3, 5, 14, 22, tzinfo=SHANGHAI))

    def test_utf8_csv_without_bom_and_a_mapping_file(self):
        headers = ["工单号", "受理时间", "内容", "姓名", "电话", "街道", "类型", "紧急", "时限",
                   "标题", "村", "地址"]  # fmt: skip
        path = write_csv(self.folder / "renamed.csv", self.rows(), headers, encoding="utf-8")
        mapping = self.folder / "mapping.toml"
        mapping.write_text(
            '[columns]\n"工单编号" = "工单号"\nreceived_at = "受理时间"\n"诉求内容" = "内容"\n'
            '"诉求人" = "姓名"\n"联系电话" = "电话"\n"所属街镇" = "街道"\n"诉求类型" = "类型"\n'
            '"紧急程度" = "紧急"\n"办理时限" = "时限"\n"所属村居" = "村"\n'
            '[urgency]\n"紧急" = "加急"\n[options]\nhotline = "招远市12345热线"\n',
            encoding="utf-8",
        )
        run_command(path, "--mapping", mapping)
        case = Case.objects.get(external_ref="C2")
        self.assertEqual(case.urgency, Urgency.URGENT)  # the mapping's own label
        self.assertEqual(case.assigning_body, "招远市12345热线")
        self.assertEqual(case.assigning_reference, "C2")

    def test_missing_columns_are_named(self):
        path = write_csv(self.folder / "short.csv", [["1", "2024-03-05"]], ["工单编号", "时间"])
        with self.assertRaisesMessage(Exception, "来电时间"):
            run_command(path)
        self.assertFalse(Case.objects.exists())

    def test_excel_cells_dates_codes_categories_and_limits(self):
        rows = self.rows(4)
        rows[0][1] = dt.datetime(2024, 3, 5, 14, 22, 1)  # a datetime cell
        rows[1][1] = 45356.59861111111  # an Excel serial number: 2024-03-05 14:22
        rows[2][1] = "2024年3月5日 14时22分"
        rows[3][1] = "20240305142201"
        rows[0][5], rows[0][10] = self.org.town.code, self.org.other_village.code
        rows[1][6] = "labour_social_security"
        rows[2][6] = "城乡建设/urban_rural_construction"
        rows[0][8], rows[1][8], rows[2][8] = "24小时", 7, dt.datetime(2024, 3, 20, 18, 0)
        rows[3][4] = 13912345678  # a phone typed as a number
        run_command(write_xlsx(self.folder / "cells.xlsx", rows))
        cases = {c.external_ref: c for c in Case.objects.select_related("category")}
        called = dt.datetime(2024, 3, 5, 14, 22, tzinfo=SHANGHAI)
        self.assertEqual(cases["C1"].registered_at, called.replace(second=1))
        self.assertEqual(cases["C2"].registered_at, called)
        self.assertEqual(cases["C3"].registered_at, called)
        self.assertEqual(cases["C4"].registered_at, called.replace(second=1))
        self.assertEqual(cases["C1"].jurisdiction, self.org.other_village)
        self.assertEqual(cases["C2"].category, self.org.labour)
        self.assertEqual(cases["C3"].category, self.org.construction)
        self.assertEqual(
            cases["C1"].assigned_deadline, called.replace(second=1) + dt.timedelta(hours=24)
        )
        self.assertEqual(
            cases["C2"].assigned_deadline, dt.datetime(2024, 3, 12, 23, 59, 59, tzinfo=SHANGHAI)
        )
        self.assertEqual(
            cases["C3"].assigned_deadline, dt.datetime(2024, 3, 20, 18, 0, tzinfo=SHANGHAI)
        )

    def test_repeated_order_number_unknown_values_and_same_caller(self):
        rows = self.rows(5)
        rows[1][0] = "C1"  # repeats row 2
        rows[2][6] = "不存在的类型"
        rows[3][7] = "十万火急"
        rows[4][4] = rows[0][4]  # the same caller as row 2
        run_command(write_csv(self.folder / "dup.csv", rows))
        problems = {(p.row, p.column): p.message for p in ImportProblem.objects.all()}
        self.assertIn("第 2 行", problems[(3, "工单编号")])
        self.assertIn("不存在的类型", problems[(4, "诉求类型")])
        self.assertIn("十万火急", problems[(5, "紧急程度")])
        first, last = Case.objects.get(external_ref="C1"), Case.objects.get(external_ref="C5")
        self.assertEqual(first.petitioner_id, last.petitioner_id)

    def test_a_village_agent_imports_only_their_village(self):
        rows = self.rows(2)
        rows[1][5], rows[1][10] = "金岭镇", "大户村"
        run_command(write_csv(self.folder / "scope.csv", rows), "--user", "village_agent")
        self.assertEqual(list(Case.objects.values_list("external_ref", flat=True)), ["C1"])
        problem = ImportProblem.objects.get()
        self.assertEqual((problem.row, problem.column), (3, "所属村居"))
        self.assertIn("大户村", problem.message)
        self.assertEqual(Case.objects.get().tier, Tier.VILLAGE)

    def test_handlers_may_not_import(self):
        path = write_csv(self.folder / "x.csv", self.rows(1))
        with self.assertRaisesMessage(Exception, "导入"):
            run_command(path, "--user", "city_handler")
        self.assertFalse(Case.objects.exists())

    def test_not_a_workbook(self):
        path = self.folder / "broken.xlsx"
        path.write_bytes(b"PK\x03\x04 not really a zip")
        with self.assertRaisesMessage(Exception, "Excel"):
            run_command(path)
