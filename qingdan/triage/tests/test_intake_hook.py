from unittest import mock

from django.test import TestCase, override_settings

from qingdan.cases.models import Case
from qingdan.orgs.testing import build_county
from qingdan.triage.models import CaseFingerprint

from .helpers import register


def broken(case):
    raise RuntimeError("analysis bug")


class IntakeHookTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    @override_settings(QINGDAN_TRIAGE_STRICT=False)
    def test_in_production_a_failing_analysis_is_logged_and_registration_goes_on(self):
        with (
            mock.patch("qingdan.triage.actions.scan_hot_terms", broken),
            self.assertLogs("qingdan.triage.actions", "ERROR") as logs,
        ):
            case = register(self.org, title="路灯坏了", content="村口路灯不亮")
        self.assertIn("analysis bug", logs.output[0])
        self.assertTrue(Case.objects.filter(pk=case.pk).exists())
        # The other steps still ran.
        self.assertTrue(CaseFingerprint.objects.filter(case=case).exists())

    def test_under_tests_a_failing_analysis_raises_and_nothing_is_saved(self):
        with (
            mock.patch("qingdan.triage.actions.scan_hot_terms", broken),
            self.assertRaisesMessage(RuntimeError, "analysis bug"),
        ):
            register(self.org, title="路灯坏了", content="村口路灯不亮")
        self.assertFalse(Case.objects.exists())
