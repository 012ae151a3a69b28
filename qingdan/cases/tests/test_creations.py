"""Registration is a catalogue entry with its row: its form and request body are the
classes the entry names, their inputs are the action's parameters, POST /api/v1/cases/
takes that body, and the action × persona matrix below (written from the rules) is
what the row and the action say."""

import inspect

from django.test import TestCase
from drf_spectacular.generators import SchemaGenerator

from qingdan.cases.api_serializers import CaseCreate, PetitionerInput
from qingdan.cases.choices import State
from qingdan.cases.creations import CASE_CREATIONS
from qingdan.cases.forms import FIELD_ALIASES, IntakeForm
from qingdan.cases.transitions import CREATIONS, REGISTER
from qingdan.core.forms import action_form
from qingdan.core.serializers import action_serializer
from qingdan.core.tests.catalogue_checks import PERSONAS, CatalogueChecks
from qingdan.core.tests.test_permission_matrix import REGISTRARS
from qingdan.orgs.questions import FIELD_PREFIX
from qingdan.orgs.testing import PERSON, build_county

CITY = frozenset({"city_supervisor", "city_leader", "administrator"})
# Where each may register: in a place they see (their own, and below it).
WHO_REGISTERS_WHERE = {
    "village": CITY | {"village_agent", "town_clerk"},
    "far_village": CITY | {"far_village_agent", "other_town_clerk"},
    "town": CITY | {"town_clerk"},
    "city": CITY,
}
MATRIX = {REGISTER: WHO_REGISTERS_WHERE}


class RegistrationCatalogueTests(CatalogueChecks, TestCase):
    catalogue = CASE_CREATIONS
    rules = CREATIONS
    matrix = MATRIX

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def subject(self, name):
        return getattr(self.org, name)

    def inputs(self, action, subject):
        return {
            "channel": "walk_in",
            "title": "路灯坏了",
            "content": "村口路灯不亮",
            "jurisdiction": subject,
            "petitioner": dict(PERSON),
        }

    def test_the_entry_names_its_form_and_body_and_has_its_row(self):
        self.assertEqual(CASE_CREATIONS.names(), [REGISTER])
        self.assertEqual(set(CREATIONS), set(CASE_CREATIONS.names()))
        spec = CASE_CREATIONS[REGISTER]
        self.assertFalse(spec.on_subject or spec.versioned)
        self.assertIs(action_form(spec), IntakeForm)
        self.assertIs(action_serializer(spec), CaseCreate)
        row = CREATIONS[REGISTER]
        self.assertEqual((row.sources, row.target), (None, State.REGISTERED))

    def test_every_input_is_a_parameter_of_the_action(self):
        """Its inputs are those of the form and the body it names."""
        spec = CASE_CREATIONS[REGISTER]
        parameters = set(inspect.signature(spec.function).parameters)
        self.assertLessEqual(set(CaseCreate().fields), parameters)
        form = action_form(spec)(user=self.org.village_agent)
        flat = {form_name: name for name, form_name in FIELD_ALIASES.items()}
        for name in form.fields:
            with self.subTest(field=name):
                if name in flat:  # the petitioner's own fields, flat on the page
                    group, field = flat[name].split(".")
                    self.assertIn(group, parameters)
                    self.assertIn(field, PetitionerInput().fields)
                elif not name.startswith(FIELD_PREFIX):  # the category's questions: attributes
                    self.assertIn(name, parameters)

    def test_every_action_has_its_endpoint_with_its_own_body(self):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        operation = schema["paths"]["/api/v1/cases/"]["post"]
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        self.assertEqual(reference.rsplit("/", 1)[1], "CaseCreateRequest")
        self.assertIn("201", operation["responses"])

    def test_it_is_offered_to_the_place_desks(self):
        row = CREATIONS[REGISTER]
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                self.assertEqual(row.offers(getattr(self.org, persona)), persona in REGISTRARS)
