"""QINGDAN_TRIAGE_AT_INTAKE=worker: registration only queues the analysis; the worker
runs it once, survives a failing case, and leaves nothing queued behind."""

from unittest import mock

from django.test import TestCase, override_settings

from qingdan.cases.models import CaseFlag
from qingdan.jobs.worker import Worker
from qingdan.orgs.testing import PERSON, build_county
from qingdan.triage.analysis import analyse_pending
from qingdan.triage.choices import FlagKind
from qingdan.triage.models import CaseFingerprint, PendingAnalysis

from .helpers import FreshIndexMixin, register


def broken(case):
    raise RuntimeError("analysis bug")


@override_settings(QINGDAN_TRIAGE_AT_INTAKE="worker")
class DeferredAnalysisTests(FreshIndexMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_registration_queues_and_the_worker_analyses_once(self):
        text = "村口路灯坏了一周，晚上出行不便，请尽快修复。"
        first = register(self.org, title="路灯坏了", content=text, petitioner=PERSON)
        copy = register(self.org, title="路灯又坏了", content=text, petitioner=PERSON)
        self.assertFalse(CaseFingerprint.objects.exists())
        self.assertEqual(
            set(PendingAnalysis.objects.values_list("case_id", flat=True)), {first.pk, copy.pk}
        )
        report = Worker().run_once()
        self.assertEqual(report.analysed, 2)
        self.assertFalse(PendingAnalysis.objects.exists())
        self.assertEqual(
            set(CaseFingerprint.objects.values_list("case_id", flat=True)), {first.pk, copy.pk}
        )
        # The same person on the same matter again: the repeat warning, as inline.
        flag = CaseFlag.objects.get(case=copy, kind=FlagKind.REPEAT)
        self.assertEqual(flag.evidence["cases"], [first.tracking_number])
        self.assertEqual(Worker().run_once().analysed, 0)  # nothing runs twice

    @override_settings(QINGDAN_TRIAGE_STRICT=True)
    def test_a_failing_analysis_is_retried_later_and_does_not_block_the_queue(self):
        bad = register(self.org, title="第一件", content="内容一")
        good = register(self.org, title="第二件", content="内容二")
        with (
            mock.patch("qingdan.triage.actions.scan_hot_terms", broken),
            mock.patch("qingdan.triage.batch.hot_term_evidence_many", broken),
            self.assertLogs("qingdan.triage", "ERROR"),
        ):
            self.assertEqual(analyse_pending(), 0)
        # Both failed under the patch: each stays queued, pushed back, nothing half-written.
        self.assertEqual(PendingAnalysis.objects.count(), 2)
        self.assertFalse(CaseFingerprint.objects.exists())
        PendingAnalysis.objects.filter(case=good).update(queued_at=good.registered_at)
        self.assertEqual(analyse_pending(), 1)
        self.assertEqual(list(PendingAnalysis.objects.values_list("case_id", flat=True)), [bad.pk])
