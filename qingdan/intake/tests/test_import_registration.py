"""The work-order import registers through the same derivations as `register_case`:
tracking numbers from the one counter, art. 19 for callers already known, and the
registration listeners (triage queues the intake analysis of every case)."""

from django.test import override_settings

from qingdan.cases import actions as case_actions
from qingdan.cases.choices import State, Tier
from qingdan.cases.models import Case, CaseFlag, CaseLink
from qingdan.jobs.worker import Worker
from qingdan.triage.models import CaseFingerprint, PendingAnalysis

from .helpers import SheetTestCase, hotline_rows, write_csv
from .test_import import run_command

CALLER = ("王女士", "13900000001")  # the caller of hotline_rows' first row


def row(number: int, *, town: str, village: str = "", caller=CALLER, category: str = "") -> list:
    cells = hotline_rows(1, prefix="R")[0]
    cells[0] = f"R{number}"
    cells[3], cells[4], cells[5], cells[6], cells[10] = *caller, town, category, village
    return cells


class ImportRegistrationTests(SheetTestCase):
    def import_rows(self, rows):
        run_command(write_csv(self.folder / "orders.csv", rows))

    def test_numbers_come_from_the_registration_counter(self):
        before = case_actions.register_case(
            self.org.town_clerk,
            channel="walk_in",
            title="路灯",
            content="路灯不亮",
            jurisdiction=self.org.town,
        )
        self.import_rows([row(i, town=self.org.town.name) for i in range(1, 4)])
        after = case_actions.register_case(
            self.org.town_clerk,
            channel="walk_in",
            title="路灯",
            content="路灯不亮",
            jurisdiction=self.org.town,
        )
        prefix, year, first = before.tracking_number.rsplit("-", 2)
        numbers = sorted(
            Case.objects.exclude(pk__in=[before.pk, after.pk]).values_list(
                "tracking_number", flat=True
            )
        )
        self.assertEqual(
            [*numbers, after.tracking_number],
            [f"{prefix}-{year}-{int(first) + n:06d}" for n in range(1, 5)],
        )

    def test_every_imported_case_is_queued_and_the_worker_analyses_it(self):
        self.import_rows([row(i, town=self.org.town.name) for i in range(1, 4)])
        cases = set(Case.objects.values_list("pk", flat=True))
        self.assertEqual(set(PendingAnalysis.objects.values_list("case_id", flat=True)), cases)
        self.assertFalse(CaseFingerprint.objects.exists())  # not analysed in the import
        self.assertEqual(Worker().run_once().analysed, 3)
        self.assertEqual(set(CaseFingerprint.objects.values_list("case_id", flat=True)), cases)
        self.assertFalse(PendingAnalysis.objects.exists())

    @override_settings(QINGDAN_TRIAGE_AT_INTAKE="worker")
    def test_queued_in_worker_mode_too(self):
        self.import_rows([row(i, town=self.org.town.name) for i in range(1, 3)])
        self.assertEqual(PendingAnalysis.objects.count(), 2)

    def test_a_known_caller_raising_a_matter_in_handling_higher_is_flagged(self):
        construction = self.org.construction
        earlier = case_actions.register_case(
            self.org.village_agent,
            channel="walk_in",
            title="路灯坏了",
            content="村口路灯不亮",
            jurisdiction=self.org.village,
            category=construction,
            petitioner={"name": CALLER[0], "phone": CALLER[1]},
        )
        case_actions.accept(self.org.village_agent, earlier)
        earlier.refresh_from_db()
        self.assertEqual((earlier.state, earlier.tier), (State.ACCEPTED, Tier.VILLAGE))
        category = f"城乡建设/{construction.code}"
        self.import_rows(
            [
                # The same caller and matter, sent by the hotline to the town: art. 19.
                row(1, town=self.org.town.name, category=category),
                # At the village, where it is being handled: not higher.
                row(2, town=self.org.town.name, village=self.org.village.name, category=category),
                # Another matter (no category), another caller.
                row(3, town=self.org.town.name),
                row(
                    4, town=self.org.town.name, caller=("李先生", "13900000002"), category=category
                ),
            ]
        )
        higher = Case.objects.get(external_ref="R1")
        self.assertEqual(higher.petitioner_id, earlier.petitioner_id)
        flag = CaseFlag.objects.get(kind="raised_higher_within_limit")
        self.assertEqual((flag.case, flag.evidence["case"]), (higher, earlier.tracking_number))
        self.assertTrue(
            CaseLink.objects.filter(from_case=higher, to_case=earlier, kind="same_matter").exists()
        )
