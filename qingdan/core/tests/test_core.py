from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.utils import translation

from qingdan.cases.choices import State
from qingdan.core import masking
from qingdan.core.errors import ValidationFailed, VersionConflict
from qingdan.core.validators import (
    normalize_phone,
    validate_credit_code,
    validate_division_code,
    validate_id_number,
)


class ValidatorTests(SimpleTestCase):
    def test_id_number_checksum(self):
        self.assertEqual(validate_id_number("11010519491231002x"), "11010519491231002X")
        for bad in ("110105194912310021", "11010519491331002X", "1101051949123100"):
            with self.assertRaises(ValidationError, msg=bad):
                validate_id_number(bad)

    def test_credit_code_checksum(self):
        self.assertEqual(validate_credit_code("91110000600037341L"), "91110000600037341L")
        with self.assertRaises(ValidationError):
            validate_credit_code("91110000600037341X")

    def test_phones(self):
        self.assertEqual(normalize_phone("+86 138-1234-5678"), "13812345678")
        self.assertEqual(normalize_phone("0535-8211234"), "05358211234")
        for bad in ("12345", "abc", "+1 650 253 0000"):
            with self.assertRaises(ValidationError, msg=bad):
                normalize_phone(bad)

    def test_division_code(self):
        validate_division_code("370685100201")
        for bad in ("37068510020", "3706851002011", "37068510020x", ""):
            with self.assertRaises(ValidationError, msg=bad):
                validate_division_code(bad)


class MaskingTests(SimpleTestCase):
    def test_masks(self):
        self.assertEqual(masking.mask_name("张明"), "张*")
        self.assertEqual(masking.mask_name("欧阳晓明"), "欧**明")
        self.assertEqual(masking.mask_id_number("330106199001011234"), "3301**********1234")
        self.assertEqual(masking.mask_phone("13812345678"), "138****5678")
        self.assertEqual(masking.mask_phone("05358211234"), "053****1234")
        self.assertEqual(
            masking.mask_address("招远市泉山街道东关社区8号楼"), "招远市泉山街********"
        )
        self.assertEqual(masking.mask_name(""), "")


class LanguageTests(SimpleTestCase):
    def test_chinese_is_the_default_and_english_available(self):
        self.assertEqual(settings.LANGUAGE_CODE, "zh-hans")
        with translation.override("zh-hans"):
            self.assertEqual(str(State.IN_PROGRESS.label), "办理中")
            self.assertEqual(VersionConflict().as_dict()["code"], "version_conflict")
            self.assertIn("刷新", VersionConflict().as_dict()["message"])
        with translation.override("en"):
            self.assertEqual(str(State.IN_PROGRESS.label), "In progress")

    def test_validation_error_lists_fields(self):
        error = ValidationFailed({"title": ["x"], "content": ["y"]})
        data = error.as_dict()
        self.assertEqual((data["code"], data["field"]), ("validation_failed", "title"))
        self.assertEqual(data["errors"], {"title": ["x"], "content": ["y"]})
