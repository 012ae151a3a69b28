from django.core.exceptions import ValidationError
from django.test import TestCase

from qingdan.orgs.choices import Level
from qingdan.orgs.models import Department, Jurisdiction


class DivisionCodeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.city = Jurisdiction.objects.create(code="370685000000", name="招远市", level=Level.CITY)
        cls.town = Jurisdiction.objects.create(
            code="370685100000", name="玲珑镇", level=Level.TOWN, parent=cls.city
        )

    def errors(self, **fields):
        unit = Jurisdiction(**fields)
        with self.assertRaises(ValidationError) as raised:
            unit.full_clean()
        return raised.exception.message_dict

    def test_valid_tree(self):
        Jurisdiction(
            code="370685100201", name="欧家夼村", level=Level.VILLAGE, parent=self.town
        ).full_clean()
        Jurisdiction(
            code="370685101000", name="金岭镇", level=Level.TOWN, parent=self.city
        ).full_clean()

    def test_code_must_have_12_digits(self):
        self.assertIn(
            "code", self.errors(code="37068510020", name="x", level=Level.VILLAGE, parent=self.town)
        )
        self.assertIn(
            "code",
            self.errors(code="37068510020A", name="x", level=Level.VILLAGE, parent=self.town),
        )

    def test_code_must_start_with_parent_prefix(self):
        errors = self.errors(code="370686100201", name="x", level=Level.VILLAGE, parent=self.town)
        self.assertIn("370685100", " ".join(errors["code"]))

    def test_level_must_end_in_zeros(self):
        errors = self.errors(code="370685102001", name="x", level=Level.TOWN, parent=self.city)
        self.assertIn("code", errors)

    def test_own_digits_cannot_be_zero(self):
        errors = self.errors(code="370685100000", name="x", level=Level.VILLAGE, parent=self.town)
        self.assertIn("code", errors)

    def test_parent_level_checked(self):
        self.assertIn(
            "parent",
            self.errors(code="370685100201", name="x", level=Level.VILLAGE, parent=self.city),
        )
        self.assertIn("parent", self.errors(code="370685102000", name="x", level=Level.TOWN))
        self.assertIn(
            "parent", self.errors(code="370686000000", name="x", level=Level.CITY, parent=self.city)
        )

    def test_scope_prefix_and_contains(self):
        village = Jurisdiction.objects.create(
            code="370685100201", name="欧家夼村", level=Level.VILLAGE, parent=self.town
        )
        self.assertEqual(self.city.scope_prefix, "370685")
        self.assertEqual(self.town.scope_prefix, "370685100")
        self.assertTrue(self.town.contains(village))
        self.assertFalse(village.contains(self.town))
        self.assertEqual(village.ancestor(Level.CITY), self.city)

    def test_department_not_in_village(self):
        village = Jurisdiction.objects.create(
            code="370685100201", name="欧家夼村", level=Level.VILLAGE, parent=self.town
        )
        with self.assertRaises(ValidationError):
            Department(code="x", name="x", kind="other", jurisdiction=village).full_clean()
