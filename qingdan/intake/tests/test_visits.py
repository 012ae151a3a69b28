"""An enterprise visit (关企面对面) yields a list of tracked problems: the enterprise
raises them, the government answers and the enterprise rates the result."""

import datetime as dt

import time_machine
from django.test import TestCase, override_settings
from django.utils import timezone

from qingdan.cases import actions as case_actions
from qingdan.cases.choices import Action, Channel, PetitionerKind, State
from qingdan.cases.models import Case, CaseEvent, CaseFlag, Petitioner
from qingdan.core.errors import NotAllowed, ValidationFailed
from qingdan.orgs.testing import ENTERPRISE, build_county, category
from qingdan.stats.indicators import indicators as stats_indicators
from qingdan.triage.analysis import analyse_pending

from ..actions import record_enterprise_visit
from ..models import EnterpriseVisit

PROBLEMS = [
    {"content": "企业用电增容申请三个月未批复，影响新生产线投产。"},
    {"title": "招工难", "content": "缺少熟练技工，希望人社部门组织专场招聘会。"},
    {"content": "厂区门口道路破损，货车进出困难。"},
]


class VisitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def visit(self, **changes):
        arguments = {
            "visited_on": timezone.localdate() - dt.timedelta(days=1),
            "enterprise": {k: v for k, v in ENTERPRISE.items() if k != "kind"},
            "jurisdiction": self.org.town,
            "staff": [self.org.town_clerk, self.org.town_handler],
            "topics": "用电、用工、道路",
            "problems": PROBLEMS,
        }
        arguments.update(changes)
        return record_enterprise_visit(self.org.town_clerk, **arguments)

    def test_three_problems_become_three_tracked_cases(self):
        visit = self.visit()
        cases = [p.case for p in visit.problems.select_related("case__petitioner")]
        self.assertEqual(len(cases), 3)
        enterprise = visit.enterprise
        self.assertEqual(enterprise.kind, PetitionerKind.ENTERPRISE)
        self.assertEqual(enterprise.credit_code, ENTERPRISE["credit_code"])
        for case in cases:
            self.assertEqual(case.channel, Channel.ENTERPRISE_VISIT)
            self.assertEqual(case.petitioner, enterprise)
            self.assertEqual(case.state, State.REGISTERED)
            event = CaseEvent.objects.get(case=case, action=Action.REGISTER)
            self.assertIn(str(visit.visited_on), event.note)
        self.assertEqual(cases[1].title, "招工难")
        self.assertEqual(cases[0].title, "企业用电增容申请三个月未批复，影响新生产线投产")
        self.assertEqual(set(visit.staff.all()), {self.org.town_clerk, self.org.town_handler})

    def test_the_same_enterprise_is_found_again(self):
        first, second = self.visit(), self.visit(problems=PROBLEMS[:1])
        self.assertEqual(first.enterprise_id, second.enterprise_id)
        self.assertEqual(Petitioner.objects.filter(kind=PetitionerKind.ENTERPRISE).count(), 1)

    def test_enterprise_raises_government_answers_enterprise_rates(self):
        case = self.visit().problems.first().case
        case = case_actions.accept(self.org.town_clerk, case)
        case = case_actions.reply(
            self.org.town_clerk,
            case,
            reply_opinion="supports",
            reply_text="已协调供电公司，两周内完成增容。",
        )
        case = case_actions.record_evaluation(
            case_actions.Actor.petitioner(), case, rating="satisfied"
        )
        self.assertEqual(case.state, State.EVALUATED)
        self.assertEqual(case.rating, "satisfied")

    def test_bad_credit_code_and_missing_problems_write_nothing(self):
        with self.assertRaises(ValidationFailed) as caught:
            self.visit(
                enterprise={"name": "某公司", "credit_code": "91110000600037341X"}, problems=[]
            )
        self.assertIn("enterprise.credit_code", caught.exception.errors)
        self.assertIn("problems", caught.exception.errors)
        with self.assertRaises(ValidationFailed) as caught:
            self.visit(enterprise={"name": "某公司"})
        self.assertIn("enterprise.credit_code", caught.exception.errors)
        self.assertFalse(EnterpriseVisit.objects.exists())
        self.assertFalse(Case.objects.exists())

    def test_outside_ones_jurisdiction_nothing_is_half_written(self):
        with self.assertRaises(NotAllowed):
            self.visit(jurisdiction=self.org.far_village)
        self.assertFalse(EnterpriseVisit.objects.exists())
        self.assertFalse(Petitioner.objects.exists())
        self.assertFalse(Case.objects.exists())

    def test_future_visit_refused(self):
        with self.assertRaises(ValidationFailed) as caught:
            self.visit(visited_on=timezone.localdate() + dt.timedelta(days=2))
        self.assertIn("visited_on", caught.exception.errors)


# Four problems of one visit, all about the enterprise's operations (one category).
VISIT_PROBLEMS = [
    "企业用电增容申请三个月未批复，影响新生产线投产。",
    "缺少熟练技工，希望人社部门组织专场招聘会。",
    "厂区门口道路破损，货车进出困难。",
    "环评手续办理进度慢，希望相关部门加快审批。",
]


@time_machine.travel(dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC), tick=False)
class VisitWarningTests(TestCase):
    """The problems of one visit, and different subjects of one enterprise, are not
    repeat petitions (重复访) nor a flood of one filer; the same subject again is."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.category = category("enterprise_affairs")

    def visit(self, problems=VISIT_PROBLEMS, days_ago=1):
        return record_enterprise_visit(
            self.org.town_clerk,
            visited_on=timezone.localdate() - dt.timedelta(days=days_ago),
            enterprise={k: v for k, v in ENTERPRISE.items() if k != "kind"},
            jurisdiction=self.org.town,
            staff=[self.org.town_clerk],
            topics="企业经营困难",
            problems=[{"content": text, "category": self.category} for text in problems],
        )

    def test_one_visit_raises_no_warnings_against_itself(self):
        visit = self.visit()
        cases = [problem.case for problem in visit.problems.all()]
        self.assertEqual(len(cases), 4)
        self.assertFalse(CaseFlag.objects.filter(kind__in=["repeat", "flood"]).exists())
        # Each problem shows the others of its visit among its linked cases.
        last = cases[-1]
        self.assertEqual(
            set(last.links_out.values_list("to_case", flat=True)), {c.pk for c in cases[:-1]}
        )
        self.assertEqual(stats_indicators(self.org.analyst, "2026H1")["total"]["repeat"], 0)

    def call(self, title, content):
        """The enterprise phones in a matter of the same category."""
        return case_actions.register_case(
            self.org.town_clerk,
            channel=Channel.PHONE,
            title=title,
            content=content,
            jurisdiction=self.org.town,
            petitioner=dict(ENTERPRISE),
            category=self.category,
        )

    def test_another_subject_of_the_enterprise_is_not_a_repeat_the_same_subject_is(self):
        first = self.visit(days_ago=20).problems.first().case
        other_subject = self.call("出口退税", "企业出口退税迟迟未到账，资金周转困难。")
        self.assertFalse(other_subject.flags.filter(kind="repeat").exists())
        again = self.call("用电增容仍未批复", "企业用电增容申请至今未批复，新生产线无法投产。")
        flag = again.flags.get(kind="repeat")
        self.assertEqual(flag.evidence["cases"], [first.tracking_number])
        self.assertEqual(stats_indicators(self.org.analyst, "2026H1")["total"]["repeat"], 1)

    @override_settings(QINGDAN_TRIAGE_AT_INTAKE="worker")
    def test_the_same_when_the_worker_analyses_later(self):
        self.visit()
        self.assertEqual(analyse_pending(), 4)
        self.assertFalse(CaseFlag.objects.filter(kind__in=["repeat", "flood"]).exists())
