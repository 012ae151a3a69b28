"""The worker's batched intake analysis (qingdan.triage.analysis) writes what analysing
each case alone writes: the same fingerprints, suggestions, flags and timeline notes,
with fewer statements."""

import datetime as dt

import time_machine
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from qingdan.cases.choices import Action
from qingdan.cases.models import CaseEvent, CaseFlag
from qingdan.orgs.testing import PERSON, build_county
from qingdan.triage import actions
from qingdan.triage.analysis import _cases, analyse_cases, analyse_pending
from qingdan.triage.choices import FlagKind, HotTermLevel
from qingdan.triage.models import CaseFingerprint, CategorySuggestion, HotTerm, PendingAnalysis

from .helpers import FreshIndexMixin, register
from .test_training import clean_rows
from .test_warnings import WAGES, WAGES_AGAIN, person

NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
@override_settings(QINGDAN_TRIAGE_AT_INTAKE="worker")
class BatchedAnalysisTests(FreshIndexMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        actions.train_classifier(None, rows=clean_rows(), evaluate=False)
        HotTerm.objects.create(term="农民工", level=HotTermLevel.HIGH)

    def queue(self) -> list[int]:
        org = self.org
        with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
            register(org, title="讨要工资", content=WAGES, petitioner=PERSON)
        analyse_pending()  # the earlier matter, analysed before
        # A repeat, and the same filer's third case of the day (a flood).
        register(org, title="又来讨要工资", content=WAGES_AGAIN, petitioner=PERSON)
        register(org, title="路灯坏了", content="村口路灯不亮", petitioner=PERSON)
        register(org, title="道路破损", content="村道坑洼不平", petitioner=PERSON)
        # Many people on one matter in one town (group risk), one of them twice.
        for number in range(1, 7):
            register(org, title="讨要工资", content=WAGES, petitioner=person(number))
        register(org, title="讨要工资", content=WAGES_AGAIN, petitioner=person(3))
        register(org, title="孩子上学", content="希望村里开通校车接送孩子", petitioner=person(9))
        return list(
            PendingAnalysis.objects.order_by("queued_at", "case_id").values_list(
                "case_id", flat=True
            )
        )

    def written(self) -> dict:
        events = CaseEvent.objects.exclude(action=Action.REGISTER).order_by("pk")
        return {
            "flags": sorted(
                (f.case_id, f.kind, f.message, repr(f.evidence)) for f in CaseFlag.objects.all()
            ),
            # Each case's timeline in its order (the time of writing aside).
            "events": sorted(
                [
                    (e.case_id, i, e.action, e.note, repr(e.data), e.actor_label)
                    for i, e in enumerate(events.filter(case_id=case_id))
                ]
                for case_id in set(events.values_list("case_id", flat=True))
            ),
            "suggestions": sorted(
                (s.case_id, s.model_id, repr(s.suggested), s.top_category_id)
                for s in CategorySuggestion.objects.all()
            ),
            "fingerprints": sorted(
                (f.case_id, bytes(f.signature)) for f in CaseFingerprint.objects.all()
            ),
        }

    def analysed(self, analyse) -> tuple[dict, int]:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            analyse()
            found = self.written()
            transaction.set_rollback(True)
        return found, len(queries)

    def test_a_batch_writes_what_one_by_one_writes(self):
        ids = self.queue()
        self.assertEqual(len(ids), 11)

        def one_by_one():
            for case in _cases(ids):
                actions.on_case_registered(case)

        alone, statements_alone = self.analysed(one_by_one)
        together, statements_together = self.analysed(lambda: analyse_cases(_cases(ids)))
        self.assertEqual(together, alone)
        kinds = {kind for _case, kind, _m, _e in alone["flags"]}
        self.assertEqual(
            kinds, {FlagKind.REPEAT, FlagKind.FLOOD, FlagKind.GROUP_RISK, FlagKind.HOT_TERM}
        )
        self.assertEqual(len(alone["suggestions"]), 12)  # the earlier case's too
        self.assertLess(statements_together * 5, statements_alone)

    def test_the_queue_is_drained_in_batches_once(self):
        ids = self.queue()
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(analyse_pending(size=5), len(ids))
        self.assertFalse(PendingAnalysis.objects.exists())
        self.assertEqual(CaseFingerprint.objects.count(), len(ids) + 1)
        self.assertEqual(CategorySuggestion.objects.count(), len(ids) + 1)
        # 5 + 5 + 1 cases and an empty claim: fewer than 8 statements a case (~20 alone).
        self.assertLess(len(queries), 8 * len(ids))
        self.assertEqual(analyse_pending(), 0)
