"""The document action catalogue is complete: every action's inputs are parameters of
its function, each has its web form and its API endpoint with its own request body and
operation id; every kind's inputs are fields the issue action takes."""

import inspect

from django.test import SimpleTestCase
from drf_spectacular.generators import SchemaGenerator

from qingdan.core.forms import action_form
from qingdan.core.serializers import action_serializer
from qingdan.documents.catalogue import DOCUMENT_ACTIONS
from qingdan.documents.kinds import KINDS

OPERATIONS = {
    "preview": ("/api/v1/documents/preview/", "documents_preview"),
    "issue": ("/api/v1/documents/issue/", "documents_issue"),
    "correct": ("/api/v1/documents/{id}/correct/", "documents_correct"),
    "record_service": ("/api/v1/documents/{id}/service/", "documents_record_service"),
}


class DocumentCatalogueTests(SimpleTestCase):
    def test_inputs_are_parameters_of_the_function(self):
        for spec in DOCUMENT_ACTIONS:
            parameters = inspect.signature(spec.function).parameters
            takes_any = any(p.kind == p.VAR_KEYWORD for p in parameters.values())
            for name in spec.fields:
                with self.subTest(action=spec.name, field=name):
                    self.assertTrue(name in parameters or takes_any)
            with self.subTest(action=spec.name):
                self.assertFalse(spec.versioned)
                form = action_form(spec)
                self.assertLessEqual(set(spec.fields), set(form.base_fields))
                self.assertEqual(set(action_serializer(spec)().fields), set(spec.fields))

    def test_every_action_has_its_endpoint_with_its_own_body(self):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        self.assertEqual(set(OPERATIONS), set(DOCUMENT_ACTIONS.names()))
        for name, (path, operation_id) in OPERATIONS.items():
            with self.subTest(action=name):
                operation = schema["paths"][path]["post"]
                self.assertEqual(operation["operationId"], operation_id)
                self.assertIn("requestBody", operation)

    def test_every_kind_takes_only_texts_the_issue_action_has(self):
        fields = set(DOCUMENT_ACTIONS["issue"].fields)
        for kind, spec in KINDS.items():
            with self.subTest(kind=kind):
                self.assertLessEqual(set(spec.inputs), fields)
                self.assertTrue(spec.title and spec.draft)
                self.assertEqual(bool(spec.abbr), spec.numbered)
