"""The case action catalogue is complete and the rights are written once.

Every case action has its transition row, its web form, its API endpoint with its
own request body and operation id, and its row in the action × persona matrix. Each
right's SQL condition answers as `rights_on` does, for every persona.
"""

import inspect

from django.test import TestCase
from drf_spectacular.generators import SchemaGenerator

from qingdan.cases import actions
from qingdan.cases.catalogue import CASE_ACTIONS
from qingdan.cases.choices import Action, State
from qingdan.cases.models import Case, CoHandling
from qingdan.cases.rights import STAFF_RIGHTS, rights_on
from qingdan.cases.transitions import PAUSE_CLOCK, RESUME_CLOCK, TRANSITIONS, allowed_actions
from qingdan.core.catalogue import NOT_GIVEN
from qingdan.core.forms import action_form
from qingdan.core.tests.catalogue_checks import PERSONAS
from qingdan.orgs.testing import PERSON, build_county

NOBODY: frozenset[str] = frozenset()

# A case the village agent registered in their village, at the village tier.
TIER_V = frozenset({"village_agent", "city_supervisor", "city_leader", "administrator"})
SEES_V = TIER_V | {"town_clerk", "analyst"}
REGISTERED_AT_VILLAGE = {
    Action.ACCEPT: TIER_V,
    Action.NOT_ACCEPT: TIER_V,
    Action.DIVERT: TIER_V,
    Action.RESOLVE_ON_THE_SPOT: TIER_V,
    Action.ESCALATE: TIER_V,
    Action.HAND_BACK: TIER_V,
    Action.TRANSFER: TIER_V,
    # 提级办理: the town over its villages, the city over everything.
    Action.TAKE_OVER: frozenset({"town_clerk", "city_supervisor", "city_leader", "administrator"}),
    Action.NOTE: SEES_V,
    Action.LINK: SEES_V,
    Action.ATTACH: TIER_V,
}
# The same case in progress at the town tier: the town office leads, the labour
# bureau co-handles, the village agent who received it tracks it.
TIER_T = frozenset({"town_clerk", "city_supervisor", "city_leader", "administrator"})
LEAD_T = TIER_T | {"town_handler"}
SEES_T = LEAD_T | {"village_agent", "analyst", "labour_handler"}
IN_PROGRESS_AT_TOWN = {
    Action.ESCALATE: TIER_T,
    Action.HAND_BACK: TIER_T,
    Action.TRANSFER: TIER_T,
    # The town clerk holds the tier already; the city overseers take it up to the city.
    Action.TAKE_OVER: frozenset({"city_supervisor", "city_leader", "administrator"}),
    Action.ASSIGN: TIER_T,
    Action.EXTEND: TIER_T,
    Action.CO_HANDLE: LEAD_T,
    # 协办意见: the co-handling unit (and the administrator, who holds every right).
    Action.CO_OPINION: frozenset({"labour_handler", "administrator"}),
    Action.REPLY: LEAD_T,
    Action.NOTE: SEES_T,
    Action.LINK: SEES_T,
    Action.ATTACH: LEAD_T | {"labour_handler", "village_agent"},
    # The handling clock of an ordinary case does not stop for hearings.
    PAUSE_CLOCK: NOBODY,
    RESUME_CLOCK: NOBODY,
}
# A case evaluated at the village tier: the village closes it, and so may the tiers
# above it (the town clerk, the city's overseers).
RECEIVED_V = frozenset({"village_agent"})
EVALUATED_AT_VILLAGE = {
    Action.CLOSE: TIER_V | {"town_clerk"},
    Action.REOPEN: TIER_V,
    Action.REQUEST_REVIEW: TIER_V,
    Action.CLOSURE_AGREEMENT: TIER_V,
    Action.NOTE: SEES_V,
    Action.LINK: SEES_V,
    Action.ATTACH: TIER_V,
}
# A case evaluated at the town tier with its lead unit: the unit that holds it
# closes it too; the village agent who received it may not.
EVALUATED_AT_TOWN = {
    Action.CLOSE: LEAD_T,
    Action.REOPEN: TIER_T,
    Action.REQUEST_REVIEW: TIER_T | {"village_agent"},
    Action.CLOSURE_AGREEMENT: TIER_T,
    Action.NOTE: SEES_T,
    Action.LINK: SEES_T,
    Action.ATTACH: LEAD_T | {"labour_handler", "village_agent"},
}
# The first case again, registered without a petitioner (a police report): its tier
# adds the petitioner later.
WITHOUT_PETITIONER = {**REGISTERED_AT_VILLAGE, Action.ADD_PETITIONER: TIER_V}
FIXTURES = (
    REGISTERED_AT_VILLAGE,
    IN_PROGRESS_AT_TOWN,
    EVALUATED_AT_VILLAGE,
    EVALUATED_AT_TOWN,
    WITHOUT_PETITIONER,
)
# Every catalogue action says who may take it in each fixture (absent: nobody).
ACTION_MATRIX = {
    spec.name: tuple(fixture.get(spec.name) for fixture in FIXTURES) for spec in CASE_ACTIONS
}
DECLARED = {name for fixture in FIXTURES for name in fixture} | {Action.EVALUATE}


class CatalogueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.registered = actions.register_case(
            org.village_agent,
            channel="walk_in",
            title="路灯坏了",
            content="村口路灯不亮",
            jurisdiction=org.village,
            petitioner=dict(PERSON),
        )
        cls.in_progress = actions.register_case(
            org.village_agent,
            channel="walk_in",
            title="排水沟堵了",
            content="村东排水沟堵塞",
            jurisdiction=org.village,
            petitioner=dict(PERSON),
        )
        Case.objects.filter(pk=cls.in_progress.pk).update(
            state=State.IN_PROGRESS, tier="town", lead_unit=org.town_office
        )
        CoHandling.objects.create(case=cls.in_progress, department=org.labour_bureau)
        cls.evaluated_village, cls.evaluated_town = (
            actions.register_case(
                org.village_agent,
                channel="walk_in",
                title=title,
                content=title,
                jurisdiction=org.village,
                petitioner=dict(PERSON),
            )
            for title in ("村道坑洼", "围墙倒塌")
        )
        Case.objects.filter(pk=cls.evaluated_village.pk).update(
            state=State.EVALUATED, rating="satisfied"
        )
        Case.objects.filter(pk=cls.evaluated_town.pk).update(
            state=State.EVALUATED, rating="satisfied", tier="town", lead_unit=org.town_office
        )
        CoHandling.objects.create(case=cls.evaluated_town, department=org.labour_bureau)
        cls.anonymous = actions.register_case(
            org.village_agent,
            channel="police_report",
            title="村口有人打架",
            content="村口两人因琐事打架",
            jurisdiction=org.village,
        )

    def cases(self):
        query = Case.objects.prefetch_related("co_handlings")
        return (
            (query.get(pk=self.registered.pk), 0),
            (query.get(pk=self.in_progress.pk), 1),
            (query.get(pk=self.evaluated_village.pk), 2),
            (query.get(pk=self.evaluated_town.pk), 3),
            (query.get(pk=self.anonymous.pk), 4),
        )

    def test_every_action_has_one_transition_row(self):
        self.assertEqual(set(CASE_ACTIONS.names()), set(TRANSITIONS))

    def test_every_input_is_a_parameter_of_the_action(self):
        for spec in CASE_ACTIONS:
            with self.subTest(action=spec.name):
                parameters = inspect.signature(spec.function).parameters
                self.assertLessEqual(set(spec.fields), set(parameters))
                # Every case action takes the version the caller read.
                self.assertIn("expected_version", parameters)
                self.assertTrue(spec.versioned)

    def test_every_action_has_its_form(self):
        case = self.cases()[0][0]
        for spec in CASE_ACTIONS:
            with self.subTest(action=spec.name):
                form = action_form(spec)(subject=case, user=self.org.administrator)
                asked = {name for name, field in spec.fields.items() if field.in_form}
                self.assertEqual(set(form.fields), asked | {"expected_version"})
                self.assertEqual(form.action, spec.name)

    def test_every_action_has_its_endpoint_with_its_own_body(self):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        components = schema["components"]["schemas"]
        operation_ids = set()
        for spec in CASE_ACTIONS:
            with self.subTest(action=spec.name):
                path = f"/api/v1/cases/{{tracking_number}}/{spec.path}/"
                operation = schema["paths"][path]["post"]
                operation_ids.add(operation["operationId"])
                self.assertEqual(operation["operationId"], f"cases_{spec.name}")
                media = "multipart/form-data" if spec.multipart else "application/json"
                reference = operation["requestBody"]["content"][media]["schema"]["$ref"]
                body = components[reference.rsplit("/", 1)[1]]
                self.assertEqual(set(body["properties"]), set(spec.fields) | {"version"})
                required = {
                    name
                    for name, field in spec.fields.items()
                    if field.required and field.default is NOT_GIVEN
                }
                self.assertEqual(set(body.get("required", [])), required)
                answer = "201" if spec.creates else "200"
                self.assertIn(answer, operation["responses"])
        self.assertEqual(len(operation_ids), len(CASE_ACTIONS))

    def test_every_action_has_its_matrix_row(self):
        self.assertEqual(DECLARED | set(ACTION_MATRIX), DECLARED)
        self.assertLessEqual(set(CASE_ACTIONS.names()), DECLARED)

    def test_the_matrix(self):
        for case, index in self.cases():
            for persona in PERSONAS:
                user = getattr(self.org, persona)
                allowed = set(allowed_actions(user, case))
                for spec in CASE_ACTIONS:
                    expected = ACTION_MATRIX[spec.name][index] or NOBODY
                    with self.subTest(case=case.title, persona=persona, action=spec.name):
                        self.assertEqual(spec.name in allowed, persona in expected)

    def test_each_right_in_sql_answers_as_rights_on(self):
        for case, _index in self.cases():
            for persona in PERSONAS:
                user = getattr(self.org, persona)
                held = rights_on(user, case)
                for right in STAFF_RIGHTS:
                    with self.subTest(case=case.title, persona=persona, right=right):
                        found = Case.objects.with_right(user, right).filter(pk=case.pk).exists()
                        self.assertEqual(found, right in held)
                with self.subTest(case=case.title, persona=persona, right="waiting"):
                    waiting = Case.objects.waiting_on(user).filter(pk=case.pk).exists()
                    self.assertEqual(waiting, bool(held & {"tier", "lead", "co"}))
