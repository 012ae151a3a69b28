"""The public feed stays well-formed XML and carries no personal data (issue 14, items
1 and 2): control characters are refused at POST and stripped from anything stored
before; every spelling of a phone or ID number in the description, the status notes
and the address is masked."""

import re
import xml.etree.ElementTree as ET

from django.core.cache import cache
from django.test import TestCase

from qingdan.cases import actions
from qingdan.cases.models import Case
from qingdan.open311.models import ApiKey, RequestToken
from qingdan.orgs.testing import build_county

ROOT = "/open311/v2"
# The spellings the issue found published, and their digits.
SPELLINGS = [
    "+8613912345678",
    "8613912345678",
    "139-1234-5678",
    "139 1234 5678",
    "１３９１２３４５６７８",
    "0535-8212345",
    "(0535)8212345",
    "110105491231002",
    "110105 19491231 002X",
    "zhang.san@example.com",
]
SECRETS = ["13912345678", "05358212345", "110105491231002", "11010519491231002X", "zhang.san"]


def digits_and_letters(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z.]", "", text.translate({0xFF10 + i: 0x30 + i for i in range(10)}))


class Open311PrivacyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.key = ApiKey.objects.create(name="城市服务App", jurisdiction=cls.org.town)

    def setUp(self):
        cache.clear()

    def post(self, **fields):
        data = {
            "api_key": self.key.key,
            "service_code": "urban_rural_construction",
            "lat": "37.35",
            "long": "120.4",
            **fields,
        }
        return self.client.post(f"{ROOT}/requests.xml", data)

    def feed(self, fmt="xml") -> str:
        response = self.client.get(f"{ROOT}/requests.{fmt}")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_bell_is_refused_and_the_feed_stays_well_formed(self):
        # The reproduction: description=bell%07.
        response = self.client.post(
            f"{ROOT}/requests.xml",
            f"api_key={self.key.key}&service_code=urban_rural_construction"
            "&lat=37.35&long=120.4&description=bell%07",
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(response.status_code, 400)
        error = ET.fromstring(response.content).find("error/description")
        assert error is not None and error.text is not None
        self.assertTrue(error.text.startswith("description: "))
        self.assertIn("U+0007", error.text)
        self.assertFalse(Case.objects.exists())
        for field in ("address_string", "last_name"):
            refused = self.post(description="路灯坏了", **{field: "村\x0b口"})
            self.assertEqual(refused.status_code, 400, field)
        self.assertEqual(self.post(description="路灯坏了").status_code, 201)
        ET.fromstring(self.feed())  # parses

    def test_data_stored_before_the_rule_cannot_break_the_feed(self):
        response = self.post(description="路灯坏了")
        self.assertEqual(response.status_code, 201)
        case = Case.objects.get()
        # As an older version, an import or the admin might have stored it (PostgreSQL
        # never stores U+0000; SQLite would).
        Case.objects.filter(pk=case.pk).update(
            content="bell\x07 and \x01null \ufffe", address="村口\x1b", title="t\x08"
        )
        actions.not_accept(self.org.town_clerk, case, reason="重复\x0c反映")
        root = ET.fromstring(self.feed())
        request = root.find("request")
        assert request is not None
        self.assertEqual(request.findtext("description"), "bell and null ")
        self.assertEqual(request.findtext("address"), "村口")
        self.assertEqual(request.findtext("status_notes"), "重复反映")
        detail = self.client.get(f"{ROOT}/requests/{case.tracking_number}.xml")
        ET.fromstring(detail.content)
        self.assertNotIn("\x07", self.feed("json"))

    def test_no_spelling_of_a_phone_or_id_number_is_published(self):
        description = "；".join(SPELLINGS)
        response = self.post(
            description="路灯坏了，" + description,
            address_string="村口小卖部 139 1234 5678",
        )
        self.assertEqual(response.status_code, 201, response.content.decode())
        case = Case.objects.get()
        self.assertIn("139 1234 5678", case.address)  # stored whole; only the output masks
        actions.not_accept(
            self.org.town_clerk,
            case,
            reason="申请人+86 139 1234 5678 的身份证110105491231002已核实，不属受理范围。",
        )
        for fmt in ("json", "xml"):
            for url in ("requests", f"requests/{case.tracking_number}"):
                body = self.client.get(f"{ROOT}/{url}.{fmt}").content.decode()
                compact = digits_and_letters(body)
                for spelling in [*SPELLINGS, "+86 139 1234 5678"]:
                    self.assertNotIn(spelling, body, (fmt, url))
                for secret in SECRETS:
                    self.assertNotIn(secret, compact, (fmt, url))
        (one,) = self.client.get(f"{ROOT}/requests/{case.tracking_number}.json").json()
        self.assertEqual(one["address"], "村口小卖部 139****5678")
        self.assertEqual(
            one["status_notes"], "申请人139****5678 的身份证1101*******1002已核实，不属受理范围。"
        )
        self.assertTrue(RequestToken.objects.filter(case=case).exists())

    def test_the_petitioners_own_name_and_address_are_masked(self):
        self.post(
            description="我是张小明，住在欧家夼村东头，联系我",
            last_name="张",
            first_name="小明",
            phone="0535-8212345",
        )
        body = self.feed("json")
        self.assertNotIn("张小明", body)
        self.assertIn("张*明", body)
