"""The intake catalogue is complete and its rows are the spec: each action has its row,
its web form, its API endpoint with its own request body and operation id, its inputs
among its function's parameters, and its row in the action × persona matrix below
(written by hand from the rules), which the actions themselves keep."""

import datetime as dt

from django.test import TestCase
from django.utils import timezone

from qingdan.cases import actions as case_actions
from qingdan.cases.choices import Channel
from qingdan.cases.tests.test_creations import CITY, WHO_REGISTERS_WHERE
from qingdan.core.forms import action_form
from qingdan.core.tests.catalogue_checks import NOBODY, PERSONAS, CatalogueChecks
from qingdan.core.tests.test_permission_matrix import REGISTRARS
from qingdan.orgs.testing import PERSON, build_county

from ..catalogue import INTAKE_ACTIONS
from ..transitions import TRANSITIONS

# action: {subject: who may}. The completion report: an assigned case answered at the
# town (its tier and its lead unit report), one not yet answered, an answered case no
# superior assigned. Quick entry: the places one may register in, as any registration.
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "report_completion": {
        "answered": CITY | {"town_clerk", "town_handler"},
        "unanswered": NOBODY,
        "not_assigned": NOBODY,
    },
    "quick_register": WHO_REGISTERS_WHERE,
}


class IntakeCatalogueTests(CatalogueChecks, TestCase):
    catalogue = INTAKE_ACTIONS
    rules = TRANSITIONS
    matrix = MATRIX

    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()

        def answered(**assignment):
            case = case_actions.register_case(
                org.town_clerk,
                title="企业拖欠工资",
                content="某建筑公司拖欠农民工工资三个月。",
                jurisdiction=org.town,
                petitioner=dict(PERSON),
                **assignment,
            )
            case_actions.accept(org.town_clerk, case)
            case_actions.assign(org.town_clerk, case, lead_unit=org.town_office)
            return case_actions.reply(
                org.town_handler, case, reply_opinion="supports", reply_text="工资已发放"
            )

        assignment = {
            "channel": Channel.SUPERIOR_ASSIGNMENT,
            "assigning_body": "烟台市信访局",
            "assigning_reference": "烟信交〔2026〕12号",
            "assigned_deadline": timezone.now() + dt.timedelta(days=20),
        }
        cls.subjects = {
            "answered": answered(**assignment),
            "unanswered": case_actions.register_case(
                org.town_clerk,
                title="道路破损",
                content="道路破损",
                jurisdiction=org.town,
                **assignment,
            ),
            "not_assigned": answered(channel=Channel.WALK_IN),
            "village": org.village,
            "far_village": org.far_village,
            "town": org.town,
            "city": org.city,
        }

    def subject(self, name):
        subject = self.subjects[name]
        return type(subject).objects.get(pk=subject.pk)

    def inputs(self, action: str, subject) -> dict:
        return {
            "report_completion": {"text": "经协调，工资已全部发放。"},
            "quick_register": {
                "channel": Channel.GRID_VISIT,
                "location": "村东头水井",
                "content": "水井护栏倒塌",
                "jurisdiction": subject,
            },
        }[action]

    def test_every_action_has_its_form(self):
        for spec in INTAKE_ACTIONS:
            subject = self.subject("answered") if spec.on_subject else None
            with self.subTest(action=spec.name):
                form = action_form(spec)(subject=subject, user=self.org.town_clerk)
                self.assertEqual(set(form.fields), set(spec.fields))
        # Quick entry starts in the registrar's own place.
        form = action_form(INTAKE_ACTIONS["quick_register"])(user=self.org.village_agent)
        self.assertEqual(form["jurisdiction"].value(), self.org.village.pk)

    def test_quick_entry_is_offered_to_the_place_desks(self):
        row = TRANSITIONS["quick_register"]
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                self.assertEqual(row.offers(getattr(self.org, persona)), persona in REGISTRARS)
