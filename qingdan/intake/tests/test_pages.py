"""The upload page with its progress and report, and the other intake pages."""

import datetime as dt
import shutil
import tempfile
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from qingdan.cases.models import Case
from qingdan.orgs.testing import ENTERPRISE, build_county

from ..actions import record_enterprise_visit
from ..choices import RunStatus
from ..models import EnterpriseVisit, ImportRun
from .helpers import HEADERS

MEDIA = tempfile.mkdtemp()


def problem_rows(rows) -> dict:
    """The visit form's problem rows, as the page posts them."""
    data = {"problems-TOTAL_FORMS": len(rows), "problems-INITIAL_FORMS": 0}
    for index, (content, category) in enumerate(rows):
        data[f"problems-{index}-content"] = content
        data[f"problems-{index}-category"] = category.pk if category else ""
    return data


def sheet(rows: int = 5, bad: bool = True, prefix: str = "W") -> SimpleUploadedFile:
    lines = [",".join(HEADERS)]
    for i in range(rows):
        lines.append(
            f"{prefix}{i},2024-03-05 14:{i:02d},第{i}件：楼道灯坏了,张先生,139{i:08d},"
            "玲珑镇,,一般,7天,,欧家夼村,"
        )
    if bad:
        lines.append(f"{prefix}X,2024-03-05 15:00,,张先生,13900000000,玲珑镇,,一般,,,,")
    return SimpleUploadedFile("工单.csv", "\n".join(lines).encode("utf-8-sig"), "text/csv")


@override_settings(MEDIA_ROOT=MEDIA, QINGDAN_IMPORT_IN_BACKGROUND=False)
class ImportPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(MEDIA, ignore_errors=True)
        super().tearDownClass()

    def upload(self, data=None, **extra):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("intake:imports"), {"file": data or sheet(), **extra})

    def test_upload_imports_and_reports(self):
        self.client.force_login(self.org.town_clerk)
        response = self.upload()
        run = ImportRun.objects.get()
        self.assertRedirects(response, reverse("intake:import-run", args=[run.pk]))
        self.assertEqual(run.status, RunStatus.DONE)
        self.assertEqual((run.created_count, run.error_count), (5, 1))
        self.assertEqual(Case.objects.count(), 5)
        page = self.client.get(reverse("intake:import-run", args=[run.pk]))
        self.assertContains(page, "诉求内容")
        self.assertContains(page, 'value="100"')  # the progress bar is full
        self.assertNotContains(page, "hx-trigger")  # finished: nothing to poll
        report = self.client.get(reverse("intake:import-report", args=[run.pk]))
        text = b"".join(report.streaming_content).decode("utf-8")
        self.assertTrue(text.startswith("\ufeff行,列,类型,问题"))
        self.assertIn("7,诉求内容,错误,必须填写。", text)
        # The same file again: nothing new, every order reported as already imported.
        self.upload(sheet())
        again = ImportRun.objects.latest("pk")
        self.assertEqual((again.created_count, again.skipped_count), (0, 5))
        self.assertEqual(Case.objects.count(), 5)

    def test_check_only(self):
        self.client.force_login(self.org.town_clerk)
        self.upload(dry_run="on")
        run = ImportRun.objects.get()
        self.assertTrue(run.dry_run)
        self.assertEqual(run.created_count, 5)  # would create
        self.assertFalse(Case.objects.exists())

    def test_bad_mapping_is_shown_on_the_form(self):
        self.client.force_login(self.org.town_clerk)
        response = self.upload(mapping="[columns\n")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "TOML", status_code=400)
        self.assertFalse(ImportRun.objects.exists())

    def test_progress_fragment_while_running(self):
        run = ImportRun.objects.create(
            created_by=self.org.town_clerk,
            source_name="x.csv",
            status=RunStatus.RUNNING,
            total_rows=1000,
            processed_rows=250,
            heartbeat_at=timezone.now(),
        )
        self.client.force_login(self.org.town_clerk)
        response = self.client.get(reverse("intake:import-progress", args=[run.pk]))
        self.assertContains(response, 'value="25"')
        self.assertContains(response, "every 1s")
        self.assertNotIn("HX-Refresh", response)
        ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
        response = self.client.get(reverse("intake:import-progress", args=[run.pk]))
        self.assertEqual(response["HX-Refresh"], "true")

    def test_an_interrupted_run_can_run_again_without_doubles(self):
        self.client.force_login(self.org.town_clerk)
        self.upload()
        run = ImportRun.objects.get()
        # As if the server had stopped halfway: still "running", heartbeat long gone.
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.RUNNING, heartbeat_at=timezone.now() - dt.timedelta(hours=1)
        )
        page = self.client.get(reverse("intake:import-run", args=[run.pk]))
        self.assertContains(page, reverse("intake:import-restart", args=[run.pk]))
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("intake:import-restart", args=[run.pk]))
        run.refresh_from_db()
        self.assertEqual(run.status, RunStatus.DONE)
        self.assertEqual((run.created_count, run.skipped_count), (0, 5))
        self.assertEqual(Case.objects.count(), 5)

    def test_who_may_import_and_see_runs(self):
        self.client.force_login(self.org.town_clerk)
        self.upload()
        run = ImportRun.objects.get()
        for persona, status in (
            ("city_handler", 403),
            ("analyst", 403),
            ("other_town_clerk", 404),  # someone else's run
            ("city_supervisor", 200),  # the whole city in view
        ):
            self.client.force_login(getattr(self.org, persona))
            response = self.client.get(reverse("intake:import-run", args=[run.pk]))
            self.assertEqual(response.status_code, status, persona)
        self.client.force_login(self.org.city_handler)
        self.assertEqual(self.client.get(reverse("intake:imports")).status_code, 403)

    def test_import_list_query_count(self):
        for n in range(3):
            ImportRun.objects.create(created_by=self.org.town_clerk, source_name=f"{n}.csv")
        self.client.force_login(self.org.town_clerk)
        with self.assertNumQueries(4):  # session, user, count, page
            response = self.client.get(reverse("intake:imports"))
        self.assertEqual(len(response.context["page"].object_list), 3)


class VisitPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_record_a_visit_on_the_page(self):
        self.client.force_login(self.org.town_clerk)
        data = {
            "visited_on": timezone.localdate().isoformat(),
            "enterprise_name": ENTERPRISE["name"],
            "credit_code": "bad",
            "jurisdiction": self.org.town.pk,
            "staff": [self.org.town_clerk.pk],
            "topics": "用电",
            **problem_rows(
                [("用电增容慢", self.org.construction), ("", None), ("招工难", self.org.labour)]
            ),
        }
        response = self.client.post(reverse("intake:visit-new"), data)
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].errors["credit_code"])
        data["credit_code"] = ENTERPRISE["credit_code"]
        response = self.client.post(reverse("intake:visit-new"), data)
        visit = EnterpriseVisit.objects.get()
        self.assertRedirects(response, reverse("intake:visit", args=[visit.pk]))
        page = self.client.get(reverse("intake:visit", args=[visit.pk]))
        for problem in ("用电增容慢", "招工难"):
            self.assertContains(page, problem)
        # Each problem has its own category (the empty row is no problem).
        self.assertEqual(
            [(p.case.content, p.case.category) for p in visit.problems.select_related("case")],
            [("用电增容慢", self.org.construction), ("招工难", self.org.labour)],
        )

    def test_the_form_has_a_row_per_problem_and_says_when_there_is_none(self):
        self.client.force_login(self.org.town_clerk)
        page = self.client.get(reverse("intake:visit-new"))
        self.assertContains(page, 'name="problems-0-category"')
        self.assertContains(page, 'name="problems-__prefix__-content"')  # the row to add
        data = {
            "visited_on": timezone.localdate().isoformat(),
            "enterprise_name": ENTERPRISE["name"],
            "credit_code": ENTERPRISE["credit_code"],
            "jurisdiction": self.org.town.pk,
            "staff": [self.org.town_clerk.pk],
            "topics": "用电",
            **problem_rows([("", self.org.labour)]),
        }
        response = self.client.post(reverse("intake:visit-new"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'id="problems_errors"', status_code=400)
        self.assertFalse(EnterpriseVisit.objects.exists())

    def test_visit_list_query_count_and_visibility(self):
        for _n in range(3):
            record_enterprise_visit(
                self.org.town_clerk,
                visited_on=timezone.localdate(),
                enterprise={k: v for k, v in ENTERPRISE.items() if k != "kind"},
                jurisdiction=self.org.town,
                staff=[self.org.town_clerk],
                topics="用工",
                problems=[{"content": "招工难"}, {"content": "用电难"}],
            )
        self.client.force_login(self.org.town_clerk)
        with self.assertNumQueries(5):  # session, user, count, visits, problems
            response = self.client.get(reverse("intake:visits"))
        self.assertEqual(len(response.context["page"].object_list), 3)
        self.client.force_login(self.org.other_town_clerk)
        response = self.client.get(reverse("intake:visits"))
        self.assertEqual(len(response.context["page"].object_list), 0)


@override_settings(MEDIA_ROOT=MEDIA, QINGDAN_IMPORT_IN_BACKGROUND=True)
class BackgroundImportTests(TransactionTestCase):
    """The real thing: the upload answers at once, a thread imports, the page polls."""

    def test_thread_imports_and_the_page_sees_progress(self):
        org = build_county()
        self.client.force_login(org.town_clerk)
        response = self.client.post(reverse("intake:imports"), {"file": sheet(40)})
        run = ImportRun.objects.get()
        self.assertRedirects(response, reverse("intake:import-run", args=[run.pk]))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            fragment = self.client.get(reverse("intake:import-progress", args=[run.pk]))
            if fragment.has_header("HX-Refresh"):
                break
            time.sleep(0.2)
        run.refresh_from_db()
        self.assertEqual(run.status, RunStatus.DONE)
        self.assertEqual((run.created_count, run.error_count), (40, 1))
        self.assertEqual(Case.objects.count(), 40)
