"""Open311 requests in the test client: creation through the actions layer, the spec's
filters, status mapping, no personal data in the output, errors and query counts."""

import datetime as dt
import xml.etree.ElementTree as ET

import time_machine
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from qingdan.cases import actions
from qingdan.cases.models import Case
from qingdan.open311.models import ApiKey, RequestToken
from qingdan.orgs.testing import build_county

ROOT = "/open311/v2"


class Open311Tests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.key = ApiKey.objects.create(name="城市服务App", jurisdiction=cls.org.town)

    def setUp(self):
        cache.clear()

    def post(self, fmt="json", **fields):
        return self.client.post(f"{ROOT}/requests.{fmt}", {"api_key": self.key.key, **fields})

    def create(self, **fields):
        data = {
            "service_code": "urban_rural_construction",
            "description": "村口路灯坏了",
            "lat": "37.35",
            "long": "120.4",
            **fields,
        }
        response = self.post(**data)
        self.assertEqual(response.status_code, 201, response.content.decode())
        return Case.objects.get(tracking_number=response.json()[0]["service_request_id"])

    def get(self, path, **params):
        response = self.client.get(f"{ROOT}/{path}", params)
        return response.status_code, response.json()

    def test_a_request_becomes_a_case_through_the_actions_layer(self):
        case = self.create(
            jurisdiction_id=self.org.village.code,
            last_name="张",
            first_name="小明",
            phone="13812345678",
            **{"attribute[pole]": "12号杆", "media_url": "https://example.org/lamp.jpg"},
        )
        self.assertEqual(
            (case.channel, case.jurisdiction, case.state), ("web", self.org.village, "registered")
        )
        self.assertEqual((case.category, float(case.latitude)), (self.org.construction, 37.35))
        self.assertEqual((case.petitioner.name, case.petitioner.phone), ("张小明", "13812345678"))
        self.assertIn("pole: 12号杆", case.content)
        self.assertIn("https://example.org/lamp.jpg", case.content)
        event = case.events.get()
        self.assertEqual(
            (event.action, event.actor, event.who), ("register", None, "open311:城市服务App")
        )
        self.assertEqual(RequestToken.objects.get(case=case).api_key, self.key)
        # Without jurisdiction_id: the key's own jurisdiction; the key's channel.
        ApiKey.objects.filter(pk=self.key.pk).update(channel="phone")
        other = self.create(address_string="玲珑镇政府门口", lat="", long="")
        self.assertEqual(
            (other.jurisdiction, other.channel, other.latitude), (self.org.town, "phone", None)
        )

    def test_no_personal_data_in_the_output(self):
        case = self.create(
            description="我叫张小明，电话13812345678，身份证11010519491231002X，路灯坏了",
            last_name="张",
            first_name="小明",
            phone="13812345678",
        )
        actions.accept(self.org.town_clerk, case)
        actions.assign(self.org.town_clerk, case, lead_unit=self.org.town_office)
        actions.reply(
            self.org.town_handler,
            case,
            reply_opinion="supports",
            reply_text="张小明同志：路灯已修复，回访电话13812345678。",
        )
        for fmt in ("json", "xml"):
            body = self.client.get(f"{ROOT}/requests/{case.tracking_number}.{fmt}").content.decode()
            for secret in ("张小明", "13812345678", "11010519491231002X"):
                self.assertNotIn(secret, body)
        _status, (one,) = self.get(f"requests/{case.tracking_number}.json")
        self.assertEqual(one["status_notes"], "张*明同志：路灯已修复，回访电话138****5678。")
        self.assertIn("1101**********002X", one["description"])
        self.assertEqual(one["agency_responsible"], "玲珑镇综治办")
        self.assertEqual(one["status"], "open")  # replied: waiting for the evaluation

    def test_status_maps_from_our_states(self):
        closed = self.create(description="不属于受理范围")
        actions.not_accept(self.org.town_clerk, closed, reason="属于诉讼事项")
        still_open = self.create(description="路灯")
        _status, listed = self.get("requests.json", status="closed")
        self.assertEqual([r["service_request_id"] for r in listed], [closed.tracking_number])
        self.assertEqual(listed[0]["status_notes"], "属于诉讼事项")
        _status, listed = self.get("requests.json", status="open")
        self.assertEqual([r["service_request_id"] for r in listed], [still_open.tracking_number])
        _status, listed = self.get("requests.json", status="open,closed")
        self.assertEqual(len(listed), 2)

    def test_the_spec_filters(self):
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
            old = self.create(description="旧的")
        lamp = self.create(jurisdiction_id=self.org.village.code)
        road = self.create(service_code="labour_social_security", description="欠薪")
        # Not from Open311: never listed.
        actions.register_case(
            self.org.town_clerk,
            channel="phone",
            title="电话件",
            content="x",
            jurisdiction=self.org.town,
        )

        def ids(**params):
            status, listed = self.get("requests.json", **params)
            self.assertEqual(status, 200, listed)
            return {r["service_request_id"] for r in listed}

        self.assertEqual(ids(), {lamp.tracking_number, road.tracking_number})  # last 90 days
        self.assertEqual(ids(service_code="labour_social_security"), {road.tracking_number})
        self.assertEqual(
            ids(start_date="2026-03-01T00:00:00+08:00", end_date="2026-03-31T00:00:00Z"),
            {old.tracking_number},
        )
        self.assertEqual(
            ids(service_request_id=f"{old.tracking_number}, {road.tracking_number}", status="open"),
            {old.tracking_number, road.tracking_number},
        )
        self.assertEqual(ids(jurisdiction_id=self.org.village.code), {lamp.tracking_number})
        _status, (one,) = self.get(f"requests/{old.tracking_number}.json")
        self.assertEqual(one["requested_datetime"], "2026-03-02T17:00:00+08:00")
        self.assertTrue(one["expected_datetime"].endswith("+08:00"))

    def test_errors_in_the_spec_format(self):
        cases: list[tuple[str, int, str]] = []
        for fmt in ("json", "xml"):
            for response, status, text in (
                (self.client.post(f"{ROOT}/requests.{fmt}", {"service_code": "x"}), 403, "api_key"),
                (
                    self.post(fmt, service_code="nope", description="x", lat="1", long="1"),
                    400,
                    "service_code",
                ),
                (
                    self.post(fmt, service_code="urban_rural_construction", description="x"),
                    400,
                    "lat",
                ),
                (
                    self.post(
                        fmt,
                        service_code="urban_rural_construction",
                        description="x",
                        lat="91",
                        long="1",
                    ),
                    400,
                    "lat",
                ),
                (
                    self.post(
                        fmt,
                        service_code="urban_rural_construction",
                        description="x",
                        lat="1",
                        long="1",
                        jurisdiction_id=self.org.far_village.code,
                    ),
                    400,
                    "jurisdiction_id",
                ),
                (
                    self.post(
                        fmt,
                        service_code="urban_rural_construction",
                        description="x",
                        lat="1",
                        long="1",
                        last_name="王",
                        phone="123",
                    ),
                    400,
                    "phone",
                ),
                (
                    self.client.get(f"{ROOT}/requests/ZY-2026-999999.{fmt}"),
                    404,
                    "service_request_id",
                ),
                (
                    self.client.get(f"{ROOT}/requests.{fmt}", {"start_date": "yesterday"}),
                    400,
                    "start_date",
                ),
                (self.client.get(f"{ROOT}/requests.{fmt}", {"status": "pending"}), 400, "status"),
                (self.client.get(f"{ROOT}/tokens/nope.{fmt}"), 404, "token"),
                (self.client.get(f"{ROOT}/services/nope.{fmt}"), 404, "service_code"),
                (self.client.delete(f"{ROOT}/requests.{fmt}"), 405, ""),
            ):
                with self.subTest(fmt=fmt, status=status, text=text):
                    self.assertEqual(response.status_code, status, response.content.decode())
                    if fmt == "json":
                        (error,) = response.json()[:1]
                        code, description = error["code"], error["description"]
                    else:
                        node = ET.fromstring(response.content).find("error")
                        code, description = (
                            int(node.find("code").text),
                            node.find("description").text,
                        )
                    self.assertEqual(code, status)
                    self.assertIn(text, description)
                    cases.append((fmt, status, text))
        self.assertEqual(Case.objects.count(), 0)
        self.assertEqual(len(cases), 24)

    def test_messages_follow_the_language(self):
        response = self.client.post(f"{ROOT}/requests.json", {}, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.json()[0]["description"], "api_key is missing or not valid.")
        response = self.client.post(f"{ROOT}/requests.json", {})
        self.assertEqual(response.json()[0]["description"], "api_key 缺失或无效。")

    def test_a_revoked_key_is_refused(self):
        ApiKey.objects.filter(pk=self.key.pk).update(is_active=False)
        response = self.post(
            service_code="urban_rural_construction", description="x", lat="1", long="1"
        )
        self.assertEqual(response.status_code, 403)

    def test_list_queries_do_not_grow(self):
        def count() -> int:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(f"{ROOT}/requests.xml").status_code, 200)
            return len(queries)

        case = self.create()
        actions.accept(self.org.town_clerk, case)
        actions.assign(self.org.town_clerk, case, lead_unit=self.org.town_office)
        few = count()
        for index in range(5):
            more = self.create(description=f"路灯{index}", last_name="李", phone="13700000000")
            actions.accept(self.org.town_clerk, more)
            actions.assign(self.org.town_clerk, more, lead_unit=self.org.town_office)
        with self.assertNumQueries(few):
            self.client.get(f"{ROOT}/requests.xml")
        self.assertEqual(few, 1)
        self.assertEqual(timezone.localtime().utcoffset(), dt.timedelta(hours=8))
