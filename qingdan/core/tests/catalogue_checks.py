"""What every app's catalogue test checks of the actions its rows (`core.rules.Rule`)
rule: each has its row and its matrix row, its endpoint with its own request body and
operation id, and the action × persona matrix — written by hand in the test, the spec
— is what the rows say and what the actions do.

A test case mixes `CatalogueChecks` in and sets `catalogue`, `rules`, `matrix`
({action: {subject name: personas allowed}}), `subject(name)` and `inputs(action,
subject)` (valid inputs, so that only the row may refuse them).
"""

import inspect

from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from qingdan.core.catalogue import NOT_GIVEN
from qingdan.core.errors import NotAllowed, TransitionRefused

# Every staff persona of `qingdan.orgs.testing.build_county`.
PERSONAS = (
    "village_agent",
    "other_village_agent",
    "far_village_agent",
    "town_clerk",
    "other_town_clerk",
    "town_handler",
    "city_handler",
    "labour_handler",
    "unrelated_handler",
    "city_supervisor",
    "city_leader",
    "analyst",
    "administrator",
)
NOBODY: frozenset[str] = frozenset()


class Rollback(Exception):
    pass


def operations_by_id(schema: dict) -> dict[str, tuple[str, str, dict]]:
    return {
        operation["operationId"]: (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


class CatalogueChecks:
    catalogue: object
    rules: dict
    matrix: dict[str, dict[str, frozenset[str]]]
    org: object

    def subject(self, name: str):
        raise NotImplementedError

    def inputs(self, action: str, subject) -> dict:
        raise NotImplementedError

    def test_every_action_has_one_row_and_one_matrix_row(self):
        names = set(self.catalogue.names())
        self.assertEqual(names, set(self.rules))
        self.assertEqual(names, set(self.matrix))

    def test_every_input_is_a_parameter_of_the_action(self):
        for spec in self.catalogue:
            with self.subTest(action=spec.name):
                parameters = inspect.signature(spec.function).parameters
                self.assertLessEqual(set(spec.fields), set(parameters))
                # Called as function(user, [subject,] **inputs): each required input is asked.
                named = list(parameters.items())[1 + spec.on_subject :]
                required = {n for n, p in named if p.default is p.empty}
                self.assertLessEqual(required, set(spec.fields))

    def test_every_action_has_its_endpoint_with_its_own_body(self):
        app = self.catalogue.app
        schema = SchemaGenerator().get_schema(request=None, public=True)
        components = schema["components"]["schemas"]
        operations = operations_by_id(schema)
        bodies: set[str] = set()
        for spec in self.catalogue:
            with self.subTest(action=spec.name):
                path, method, operation = operations[f"{app}_{spec.name}"]
                self.assertEqual(method, "post")
                self.assertTrue(path.startswith(f"/api/v1/{app}/"))
                # On one object, or the POST on the list of what it creates.
                on_object = path.endswith(f"}}/{spec.path}/")
                self.assertEqual(on_object, spec.on_subject)
                answer = "201" if spec.creates else "200"
                self.assertIn(answer, operation["responses"])
                if not spec.fields:  # nothing to send
                    self.assertNotIn("requestBody", operation)
                    continue
                schema_of = operation["requestBody"]["content"]["application/json"]["schema"]
                component = schema_of["$ref"].rsplit("/", 1)[1]
                self.assertNotIn(component, bodies)
                bodies.add(component)
                body = components[component]
                self.assertEqual(set(body["properties"]), set(spec.fields))
                required = {
                    name
                    for name, field in spec.fields.items()
                    if field.required and field.default is NOT_GIVEN
                }
                self.assertEqual(set(body.get("required", [])), required)

    def test_the_matrix(self):
        for action, subjects in self.matrix.items():
            row = self.rules[action]
            for name, allowed in subjects.items():
                subject = self.subject(name)
                for persona in PERSONAS:
                    user = getattr(self.org, persona)
                    with self.subTest(action=action, subject=name, persona=persona):
                        self.assertEqual(row.allows(user, subject), persona in allowed)

    def test_the_actions_refuse_what_the_matrix_refuses(self):
        for action, subjects in self.matrix.items():
            spec = self.catalogue[action]
            for name, allowed in subjects.items():
                for persona in PERSONAS:
                    subject = self.subject(name)  # a fresh copy each time
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
