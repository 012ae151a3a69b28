"""The petitioner's identity document everywhere it is entered and shown: the action,
the staff intake form and its look-up, the citizen portal, the API, the case page."""

from django.core.cache import cache
from django.test import TestCase

from qingdan.api.tests.helpers import token_client
from qingdan.cases import actions
from qingdan.cases.models import Case, Petitioner
from qingdan.core.errors import ValidationFailed
from qingdan.core.tests.test_identity_documents import OLDER_RESIDENTS, with_check_digit
from qingdan.core.validators import IdType
from qingdan.orgs.testing import build_county

from .helpers import challenge_answer

ZHAOYUAN_1965 = OLDER_RESIDENTS[0]  # 370685196505051231
WUZHISHAN_1963 = OLDER_RESIDENTS[1]  # 469001196307180024
HK_PERMIT_NUMBER = with_check_digit("81000019900101123")


class RegistrationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def register(self, petitioner, title="路灯坏了"):
        return actions.register_case(
            self.org.village_agent,
            channel="walk_in",
            title=title,
            content="村口路灯不亮",
            jurisdiction=self.org.village,
            petitioner=petitioner,
        )

    def test_older_residents_are_registered(self):
        for number in (ZHAOYUAN_1965, WUZHISHAN_1963):
            case = self.register({"name": "王建国", "id_number": number})
            self.assertEqual(case.petitioner.id_number, number)
            self.assertEqual(case.petitioner.id_type, IdType.RESIDENT_ID)

    def test_the_document_type_is_stored_and_matched_with_the_number(self):
        first = self.register(
            {"name": "John Smith", "id_type": "passport", "id_number": "h12345678"}
        )
        person = Petitioner.objects.get(pk=first.petitioner_id)
        self.assertEqual((person.id_type, person.id_number), ("passport", "H12345678"))
        self.assertEqual(person.masked()["id_number"], "H1*****78")
        self.assertEqual(person.masked()["id_type_label"], "护照")
        again = self.register(
            {"name": "John Smith", "id_type": "passport", "id_number": "H12345678"}
        )
        self.assertEqual(again.petitioner_id, first.petitioner_id)
        # The same characters on another kind of document are another person.
        other = self.register(
            {"name": "陈志明", "id_type": "hk_macao_permit", "id_number": "H12345678"}
        )
        self.assertNotEqual(other.petitioner_id, first.petitioner_id)
        self.assertEqual(list(Petitioner.objects.with_id_number("H12345678", "passport")), [person])
        self.assertEqual(Petitioner.objects.with_id_number("H12345678").count(), 2)

    def test_refusals_name_the_field_in_chinese_and_write_nothing(self):
        for petitioner, field, expected in (
            ({"id_number": "370685650505123"}, "petitioner.id_number", "15位的第一代身份证号码"),
            ({"id_number": HK_PERMIT_NUMBER}, "petitioner.id_number", "港澳台居民居住证"),
            ({"id_type": "hk_macao_permit", "id_number": "E12345678"}, "petitioner.id_number",
             "港澳居民来往内地通行证号码为H"),
            ({"id_type": "driving_licence", "id_number": "E12345678"}, "petitioner.id_type",
             "未知的证件类型。"),
        ):  # fmt: skip
            with self.subTest(petitioner=petitioner):
                with self.assertRaises(ValidationFailed) as raised:
                    self.register({"name": "王建国", **petitioner})
                self.assertIn(expected, str(raised.exception.errors[field][0]))
        self.assertFalse(Case.objects.exists())
        self.assertFalse(Petitioner.objects.exists())


class EntryPointTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        cache.clear()  # the portal's rate limits

    def intake(self, **changes):
        self.client.force_login(self.org.village_agent)
        data = {
            "channel": "walk_in",
            "petitioner_kind": "person",
            "petitioner_name": "李大山",
            "petitioner_phone": "13987654321",
            "headcount": "1",
            "title": "排水沟堵塞",
            "content": "村东头排水沟堵塞，雨后积水。",
            "urgency": "normal",
            "jurisdiction": self.org.village.pk,
            **changes,
        }
        return self.client.post("/intake/", data)

    def test_intake_form_offers_the_document_types_and_registers_them(self):
        self.client.force_login(self.org.village_agent)
        page = self.client.get("/intake/")
        self.assertContains(page, 'name="petitioner_id_type"')
        for label in ("居民身份证", "港澳台居民居住证", "外国人永久居留身份证", "护照",
                      "港澳居民来往内地通行证", "台湾居民来往大陆通行证"):  # fmt: skip
            self.assertContains(page, label)
        response = self.intake(petitioner_id_type="taiwan_permit", petitioner_id_number="1234 5678")
        case = Case.objects.select_related("petitioner").get()
        self.assertRedirects(response, f"/cases/{case.pk}/")
        self.assertEqual((case.petitioner.id_type, case.petitioner.id_number),
                         ("taiwan_permit", "12345678"))  # fmt: skip
        page = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(page, "台湾居民来往大陆通行证")
        self.assertContains(page, "12****78")
        self.assertNotContains(page, "12345678")

    def test_intake_form_shows_the_refusal_next_to_the_number(self):
        response = self.intake(petitioner_id_type="passport", petitioner_id_number="E1")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["form"].errors["petitioner_id_number"],
            ["护照号码应为5至17位字母和数字，且至少含一位数字。"],
        )
        response = self.intake(petitioner_id_number="370685650505123")
        self.assertIn(
            "370685196505051231", response.context["form"].errors["petitioner_id_number"][0]
        )
        self.assertFalse(Case.objects.exists())

    def test_intake_look_up_uses_the_type(self):
        self.intake(petitioner_id_type="passport", petitioner_id_number="E12345678")
        self.client.force_login(self.org.village_agent)
        found = self.client.post(
            "/intake/check/",
            {"petitioner_id_type": "passport", "petitioner_id_number": "e12345678"},
        )
        self.assertContains(found, "护照 E1*****78")
        other = self.client.post(
            "/intake/check/",
            {"petitioner_id_type": "hk_macao_permit", "petitioner_id_number": "H12345678"},
        )
        self.assertNotContains(other, "E1*****78")
        bad = self.client.post("/intake/check/", {"petitioner_id_number": "370685650505123"})
        self.assertContains(bad, "第一代身份证号码")

    def test_portal_asks_for_the_document_type(self):
        page = self.client.get("/portal/").content.decode()
        self.assertIn('name="id_type"', page)
        answer, token = challenge_answer(page)
        data = {
            "name": "陈志明",
            "phone": "13711112222",
            "id_type": "hk_macao_permit",
            "id_number": "H12345678",
            "place": self.org.village.pk,
            "title": "排水沟堵塞",
            "content": "村东头排水沟堵塞，雨后积水漫到路上。",
            "answer": answer,
            "token": token,
            "website": "",
        }
        wrong = self.client.post("/portal/", {**data, "id_type": "resident_id"})
        self.assertEqual(wrong.status_code, 400)
        self.assertEqual(
            wrong.context["form"].errors["id_number"], ["该证件号码应为18位，现为9位。"]
        )
        page = self.client.get("/portal/").content.decode()
        answer, token = challenge_answer(page)
        response = self.client.post("/portal/", {**data, "answer": answer, "token": token})
        self.assertRedirects(response, "/portal/submitted/")
        person = Case.objects.select_related("petitioner").get().petitioner
        self.assertEqual((person.id_type, person.id_number), ("hk_macao_permit", "H12345678"))

    def test_api_takes_and_shows_the_type(self):
        client = token_client(self.org.village_agent)
        payload = {
            "channel": "walk_in",
            "title": "路灯坏了",
            "content": "村口路灯不亮",
            "jurisdiction": self.org.village.code,
            "petitioner": {
                "name": "Maria Lopez",
                "id_type": "foreign_permanent_resident",
                "id_number": "ESP310075062005",
            },
        }
        response = client.post("/api/v1/cases/", payload, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        petitioner = response.json()["petitioner"]
        self.assertEqual(petitioner["id_type"], "foreign_permanent_resident")
        self.assertEqual(petitioner["id_number"], "ESP3*******2005")
        refused = client.post(
            "/api/v1/cases/",
            {**payload, "petitioner": {"name": "王建国", "id_number": "370685650505123"}},
            format="json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        self.assertEqual(refused.status_code, 400)
        body = refused.json()
        self.assertEqual(body["code"], "validation_failed")
        self.assertEqual(list(body["errors"]), ["petitioner.id_number"])
        self.assertIn("第一代身份证号码", body["errors"]["petitioner.id_number"][0])
        unknown = client.post(
            "/api/v1/cases/",
            {**payload, "petitioner": {"name": "王建国", "id_type": "licence"}},
            format="json",
        )
        self.assertEqual(unknown.status_code, 400)
        self.assertIn("petitioner.id_type", unknown.json()["errors"])
        older = client.post(
            "/api/v1/cases/",
            {**payload, "petitioner": {"name": "王建国", "id_number": WUZHISHAN_1963}},
            format="json",
        )
        self.assertEqual(older.status_code, 201, older.content)
        self.assertEqual(older.json()["petitioner"]["id_type"], "resident_id")
