"""Identity document numbers: genuine cards of older residents are accepted, every
refusal says in the user's language what is wrong, and each document type is checked
as far as its format allows."""

import datetime as dt

import time_machine
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.utils import translation
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from qingdan.core import masking
from qingdan.core.validators import IdType, validate_id_number, validate_identity_document

# GB 11643 check digit, computed here from the standard's weights (not by the code
# under test): sum of digit × weight, mod 11, mapped onto "10X98765432".
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def with_check_digit(body: str) -> str:
    assert len(body) == 17, body
    total = sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def wrong_check_digit(body: str) -> str:
    right = with_check_digit(body)[-1]
    return body + ("0" if right != "0" else "1")


def refusal(id_type: str, number: str) -> ValidationError:
    with translation.override("zh-hans"):
        try:
            validate_identity_document(id_type, number)
        except ValidationError as error:
            return error
    raise AssertionError(f"{id_type} {number} was accepted")


def message(id_type: str, number: str) -> str:
    error = refusal(id_type, number)
    with translation.override("zh-hans"):
        return " ".join(error.messages)


# Born in 招远 (370685, a county-level city since 1991) in 1965, in 五指山 (469001,
# since 2001) in 1963, and in 招远 in 1932: python-stdnum refuses all three.
OLDER_RESIDENTS = [
    with_check_digit("37068519650505123"),
    with_check_digit("46900119630718002"),
    with_check_digit("37068519321108004"),
]


class ResidentIdTests(SimpleTestCase):
    def test_older_residents_with_a_correct_check_digit_are_accepted(self):
        self.assertEqual(OLDER_RESIDENTS[0], "370685196505051231")
        for number in OLDER_RESIDENTS:
            with self.subTest(number=number):
                # The library's birth-place check is what refused them before.
                with self.assertRaises(StdnumError):
                    ric.validate(number)
                self.assertEqual(validate_id_number(number), number)
                self.assertEqual(
                    validate_identity_document(IdType.RESIDENT_ID, number.lower()), number
                )

    def test_typed_forms_are_normalised(self):
        self.assertEqual(validate_id_number("11010519491231002x"), "11010519491231002X")
        self.assertEqual(validate_id_number("１１０１０５ 1949 1231 002Ｘ"), "11010519491231002X")

    def test_each_refusal_says_what_is_wrong_in_chinese(self):
        cases = {
            "length": ("3706851965050512", "该证件号码应为18位，现为16位。"),
            "characters": ("37068519650505A231", "号码前17位应为数字，最后一位为数字或X。"),
            "checksum": (
                wrong_check_digit("37068519650505123"),
                "校验码（最后一位）与前17位不符：有一位输错或两位颠倒，请对照证件逐位核对。",
            ),
            "birth_date": (
                with_check_digit("37068519650231123"),
                "号码中的出生日期 1965-02-31（第7至14位）不存在，请核对。",
            ),
            "birth_date_future": (
                with_check_digit("37068520270101123"),
                "号码中的出生日期 2027-01-01（第7至14位）晚于今天，请核对。",
            ),
            "birth_date_too_early": (
                with_check_digit("37068518650505123"),
                "号码中的出生日期 1865-05-05（第7至14位）早于1900年，请核对号码。",
            ),
            "province": (
                with_check_digit("99068519650505123"),
                "号码前两位 99 不是内地的省级行政区代码。",
            ),
            "wrong_type": (
                with_check_digit("81000019900101123"),
                "以 810000 开头的是港澳台居民居住证号码：请将证件类型选为“港澳台居民居住证”。",
            ),
        }
        with time_machine.travel(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC), tick=False):
            for problem, (number, expected) in cases.items():
                with self.subTest(problem=problem):
                    error = refusal(IdType.RESIDENT_ID, number)
                    self.assertEqual(error.code, f"id_number_{problem}")
                    self.assertEqual(message(IdType.RESIDENT_ID, number), expected)

    def test_no_english_library_text_and_english_from_our_catalogue(self):
        bad = wrong_check_digit("37068519650505123")
        self.assertNotIn("checksum", message(IdType.RESIDENT_ID, bad))
        with translation.override("en"):
            english = " ".join(refusal(IdType.RESIDENT_ID, bad).messages)
        self.assertIn("The check digit (the last character) does not match", english)
        self.assertNotIn("The number's checksum", english)

    def test_taiwan_and_hong_kong_province_codes_are_not_resident_ids(self):
        # 71 (Taiwan) is in GB/T 2260 but on no resident ID card.
        self.assertEqual(
            message(IdType.RESIDENT_ID, with_check_digit("71000019650505123")),
            "号码前两位 71 不是内地的省级行政区代码。",
        )
        for region in ("820000", "830000"):
            with self.subTest(region=region):
                number = with_check_digit(f"{region}19900101123")
                self.assertEqual(refusal(IdType.RESIDENT_ID, number).code, "id_number_wrong_type")

    def test_every_mainland_province_is_accepted(self):
        provinces = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37]
        provinces += [41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65]
        for province in provinces:
            number = with_check_digit(f"{province}010219700101123")
            self.assertEqual(validate_id_number(number), number)
        for province in (10, 16, 20, 24, 30, 38, 40, 47, 55, 60, 66, 70, 90):
            number = with_check_digit(f"{province}010219700101123")
            with self.subTest(province=province):
                self.assertEqual(refusal(IdType.RESIDENT_ID, number).code, "id_number_province")

    def test_a_15_digit_number_gets_a_clear_message(self):
        # 370685 650505 123: born 1965-05-05, upgraded by GB 11643-1999 to 19650505.
        text = message(IdType.RESIDENT_ID, "370685650505123")
        self.assertEqual(
            text,
            "这是15位的第一代身份证号码，第一代证已于2004至2013年间换发为第二代、现已停止使用。"
            "请登记现持证件上的18位号码（按标准规则升位应为 370685196505051231，请与本人核对）。",
        )
        self.assertEqual(refusal(IdType.RESIDENT_ID, "370685650505123").code,
                         "id_number_first_generation")  # fmt: skip
        # No real date in it: no upgraded number to offer, the same advice.
        self.assertEqual(
            message(IdType.RESIDENT_ID, "370685651305123"),
            "这是15位的第一代身份证号码，自2013年起已停止使用：请登记现持证件上的18位号码。",
        )


class OtherDocumentTests(SimpleTestCase):
    ACCEPTED = {
        IdType.HMT_RESIDENCE_PERMIT: [
            with_check_digit("81000019900101123"),  # Hong Kong
            with_check_digit("82000019751231004"),  # Macao
            with_check_digit("83000019480817002"),  # Taiwan
        ],
        IdType.FOREIGN_PERMANENT_RESIDENT: [
            "USA310075062005",  # before December 2023: 3 letters and 12 digits
            "gbr110080101001",
            with_check_digit("93784019800101123"),  # since: 9, Shandong (37), 840 …
        ],
        IdType.PASSPORT: ["E12345678", "EA1234567", "G12345678", "123456789", "K1234567"],
        IdType.HK_MACAO_PERMIT: ["H12345678", "M1234567801", "h 1234 5678"],
        IdType.TAIWAN_PERMIT: ["12345678", "1234567890", "12345678(B)", "12345678B"],
    }
    REFUSED = {
        IdType.HMT_RESIDENCE_PERMIT: [
            (with_check_digit("37068519650505123"), "id_number_region"),
            (wrong_check_digit("81000019900101123"), "id_number_checksum"),
            (with_check_digit("81000019900231123"), "id_number_birth_date"),
            ("8100001990010112", "id_number_length"),
        ],
        IdType.FOREIGN_PERMANENT_RESIDENT: [
            ("US1310075062005", "id_number_format"),
            ("USA31007506200", "id_number_format"),
            (wrong_check_digit("93784019800101123"), "id_number_checksum"),
            (with_check_digit("99984019800101123"), "id_number_province"),
            (with_check_digit("93784019801301123"), "id_number_birth_date"),
        ],
        IdType.PASSPORT: [
            ("E123", "id_number_format"),
            ("ABCDEFGH", "id_number_format"),
            ("E1234-5678", "id_number_format"),
            ("E123456789012345678", "id_number_format"),
        ],
        IdType.HK_MACAO_PERMIT: [
            ("X12345678", "id_number_format"),
            ("H1234567", "id_number_format"),
            ("H123456789", "id_number_format"),
        ],
        IdType.TAIWAN_PERMIT: [
            ("1234567", "id_number_format"),
            ("123456789", "id_number_format"),
            ("T12345678", "id_number_format"),
        ],
    }

    def test_each_type_accepts_its_numbers(self):
        for id_type, numbers in self.ACCEPTED.items():
            for number in numbers:
                with self.subTest(id_type=id_type, number=number):
                    cleaned = validate_identity_document(id_type, number)
                    self.assertEqual(cleaned, number.replace(" ", "").upper())

    def test_each_type_refuses_what_it_cannot_be_in_chinese(self):
        for id_type, numbers in self.REFUSED.items():
            for number, code in numbers:
                with self.subTest(id_type=id_type, number=number):
                    self.assertEqual(refusal(id_type, number).code, code)
                    text = message(id_type, number)
                    self.assertRegex(text, r"[\u4e00-\u9fff]")
                    self.assertNotRegex(text, r"[A-Za-z]{4,}")  # no English sentence

    def test_format_messages_name_the_document(self):
        self.assertEqual(
            message(IdType.HK_MACAO_PERMIT, "X12345678"),
            "港澳居民来往内地通行证号码为H（香港）或M（澳门）加8位或10位数字。",
        )
        self.assertEqual(
            message(IdType.PASSPORT, "E123"),
            "护照号码应为5至17位字母和数字，且至少含一位数字。",
        )
        self.assertEqual(
            message(IdType.TAIWAN_PERMIT, "1234567"),
            "台湾居民来往大陆通行证号码为8位数字（旧证为10位数字，或8位数字加1位字母）。",
        )
        self.assertEqual(
            message(IdType.HMT_RESIDENCE_PERMIT, with_check_digit("37068519650505123")),
            "港澳台居民居住证号码以810000（香港）、820000（澳门）或830000（台湾）开头。",
        )
        self.assertIn("外国人永久居留身份证号码为以9开头的18位",
                      message(IdType.FOREIGN_PERMANENT_RESIDENT, "US1310075062005"))  # fmt: skip

    def test_a_resident_id_is_not_a_permit_and_an_unknown_type_is_refused(self):
        self.assertEqual(
            refusal(IdType.HK_MACAO_PERMIT, OLDER_RESIDENTS[0]).code, "id_number_format"
        )
        self.assertEqual(refusal("driving_licence", "E12345678").code, "id_type_invalid")
        self.assertEqual(message("driving_licence", "E12345678"), "未知的证件类型。")
        self.assertEqual(message(IdType.PASSPORT, "  "), "请填写证件号码。")

    def test_document_names_are_chinese(self):
        with translation.override("zh-hans"):
            self.assertEqual(
                [str(label) for label in IdType.labels],
                [
                    "居民身份证",
                    "港澳台居民居住证",
                    "外国人永久居留身份证",
                    "护照",
                    "港澳居民来往内地通行证",
                    "台湾居民来往大陆通行证",
                ],
            )


class MaskingTests(SimpleTestCase):
    def test_every_document_type_is_masked_to_at_most_half(self):
        self.assertEqual(masking.mask_id_number("370685196505051231"), "3706**********1231")
        self.assertEqual(masking.mask_id_number("USA310075062005"), "USA3*******2005")
        self.assertEqual(masking.mask_id_number("E12345678"), "E1*****78")
        self.assertEqual(masking.mask_id_number("M1234567801"), "M1*******01")
        self.assertEqual(masking.mask_id_number("12345678"), "12****78")
        self.assertEqual(masking.mask_id_number("K123456"), "*******")
        for number in ("E12345678", "12345678", "H1234567801", "12345678(B)"):
            shown = sum(ch != "*" for ch in masking.mask_id_number(number))
            self.assertLessEqual(shown, len(number) / 2, number)
