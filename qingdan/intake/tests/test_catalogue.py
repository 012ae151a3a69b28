"""The intake catalogue is complete and its rows are the spec: each action has its row,
its web form, its API endpoint with its own request body and operation id, its inputs
among its function's parameters, and its row in the action × persona matrix below
(written by hand from the rules), which the actions themselves keep."""

import datetime as dt
import inspect

from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from qingdan.cases import actions as case_actions
from qingdan.cases.choices import Channel
from qingdan.cases.tests.test_catalogue import PERSONAS
from qingdan.core.catalogue import NOT_GIVEN
from qingdan.core.errors import NotAllowed, TransitionRefused
from qingdan.core.forms import action_form
from qingdan.orgs.testing import PERSON, build_county

from ..catalogue import INTAKE_ACTIONS
from ..transitions import TRANSITIONS

NOBODY: frozenset[str] = frozenset()
CITY = frozenset({"city_supervisor", "city_leader", "administrator"})
# action: {subject: who may}. The completion report: an assigned case answered at the
# town (its tier and its lead unit report), one not yet answered, an answered case no
# superior assigned. Quick entry: the places it may be registered in.
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "report_completion": {
        "answered": CITY | {"town_clerk", "town_handler"},
        "unanswered": NOBODY,
        "not_assigned": NOBODY,
    },
    "quick_register": {
        "village": CITY | {"village_agent", "town_clerk"},
        "far_village": CITY | {"far_village_agent", "other_town_clerk"},
        "town": CITY | {"town_clerk"},
        "city": CITY,
    },
}
# The place desks quick entry is offered to (as registration).
OFFERED = CITY | {
    "village_agent",
    "other_village_agent",
    "far_village_agent",
    "town_clerk",
    "other_town_clerk",
}


class Rollback(Exception):
    pass


class IntakeCatalogueTests(TestCase):
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

    def test_every_action_has_one_row_and_one_matrix_row(self):
        self.assertEqual(set(INTAKE_ACTIONS.names()), set(TRANSITIONS))
        self.assertEqual(set(INTAKE_ACTIONS.names()), set(MATRIX))

    def test_every_input_is_a_parameter_of_the_action(self):
        for spec in INTAKE_ACTIONS:
            with self.subTest(action=spec.name):
                parameters = inspect.signature(spec.function).parameters
                self.assertLessEqual(set(spec.fields), set(parameters))
                required = {
                    name
                    for name, parameter in list(parameters.items())[1 + spec.on_subject :]
                    if parameter.default is parameter.empty
                }
                self.assertLessEqual(required, set(spec.fields))

    def test_every_action_has_its_form(self):
        for spec in INTAKE_ACTIONS:
            subject = self.subject("answered") if spec.on_subject else None
            with self.subTest(action=spec.name):
                form = action_form(spec)(subject=subject, user=self.org.town_clerk)
                self.assertEqual(set(form.fields), set(spec.fields))
        # Quick entry starts in the registrar's own place.
        form = action_form(INTAKE_ACTIONS["quick_register"])(user=self.org.village_agent)
        self.assertEqual(form["jurisdiction"].value(), self.org.village.pk)

    def test_every_action_has_its_endpoint_with_its_own_body(self):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        components = schema["components"]["schemas"]
        operations = {
            operation["operationId"]: (path, method, operation)
            for path, methods in schema["paths"].items()
            for method, operation in methods.items()
        }
        for spec in INTAKE_ACTIONS:
            with self.subTest(action=spec.name):
                path, method, operation = operations[f"intake_{spec.name}"]
                self.assertEqual(method, "post")
                self.assertTrue(path.startswith("/api/v1/intake/"))
                self.assertEqual(spec.on_subject, path.endswith(f"/{spec.path}/"))
                reference = operation["requestBody"]["content"]["application/json"]["schema"]
                body = components[reference["$ref"].rsplit("/", 1)[1]]
                self.assertEqual(set(body["properties"]), set(spec.fields))
                required = {
                    name
                    for name, field in spec.fields.items()
                    if field.required and field.default is NOT_GIVEN
                }
                self.assertEqual(set(body.get("required", [])), required)
                self.assertIn("201" if spec.creates else "200", operation["responses"])

    def test_the_matrix(self):
        for action, subjects in MATRIX.items():
            row = TRANSITIONS[action]
            for name, allowed in subjects.items():
                subject = self.subject(name)
                for persona in PERSONAS:
                    user = getattr(self.org, persona)
                    with self.subTest(action=action, subject=name, persona=persona):
                        self.assertEqual(row.allows(user, subject), persona in allowed)
        row = TRANSITIONS["quick_register"]
        for persona in PERSONAS:
            with self.subTest(offered=persona):
                self.assertEqual(row.offers(getattr(self.org, persona)), persona in OFFERED)

    def test_the_actions_refuse_what_the_matrix_refuses(self):
        for action, subjects in MATRIX.items():
            spec = INTAKE_ACTIONS[action]
            for name, allowed in subjects.items():
                for persona in PERSONAS:
                    subject = self.subject(name)
                    inputs = self.inputs(action, subject)
                    on = subject if spec.on_subject else None
                    with self.subTest(action=action, subject=name, persona=persona):
                        try:
                            with transaction.atomic():
                                spec.call(getattr(self.org, persona), on, inputs, None)
                                raise Rollback
                        except Rollback:
                            self.assertIn(persona, allowed)
                        except (NotAllowed, TransitionRefused):
                            self.assertNotIn(persona, allowed)
