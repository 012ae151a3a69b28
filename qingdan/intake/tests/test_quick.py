"""Quick entry for police reports and grid visits: where, what, maybe a phone."""

from django.test import TestCase
from django.urls import reverse

from qingdan.cases.choices import Channel
from qingdan.cases.models import Case
from qingdan.core.errors import ValidationFailed
from qingdan.orgs.testing import build_county

from ..actions import quick_register


class QuickEntryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_grid_worker_without_a_phone(self):
        case = quick_register(
            self.org.village_agent,
            channel=Channel.GRID_VISIT,
            location="村东头水井",
            content="水井护栏倒塌，存在安全隐患。需尽快修复",
        )
        self.assertEqual(case.title, "水井护栏倒塌，存在安全隐患")
        self.assertEqual(case.jurisdiction, self.org.village)  # the worker's own village
        self.assertEqual(case.address, "村东头水井")
        self.assertIsNone(case.petitioner)

    def test_police_report_with_a_phone(self):
        case = quick_register(
            self.org.town_clerk,
            channel=Channel.POLICE_REPORT,
            location="玲珑镇农贸市场",
            content="两商户因摊位纠纷争吵",
            phone="13912345678",
            jurisdiction=self.org.village,
        )
        self.assertEqual(case.channel, Channel.POLICE_REPORT)
        self.assertEqual(case.petitioner.phone, "13912345678")
        self.assertEqual(case.petitioner.name, "来电人")

    def test_missing_and_bad_fields_are_named(self):
        with self.assertRaises(ValidationFailed) as caught:
            quick_register(self.org.village_agent, channel="walk_in", location="", content="")
        self.assertEqual(set(caught.exception.errors), {"channel", "location", "content"})
        with self.assertRaises(ValidationFailed) as caught:
            quick_register(
                self.org.village_agent,
                channel=Channel.GRID_VISIT,
                location="村口",
                content="路灯不亮",
                phone="12345",
            )
        self.assertIn("phone", caught.exception.errors)
        self.assertFalse(Case.objects.exists())

    def test_page(self):
        self.client.force_login(self.org.village_agent)
        url = reverse("intake:quick")
        response = self.client.post(url, {"channel": "grid_visit", "location": "", "content": ""})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "errorlist", status_code=400)
        response = self.client.post(
            url, {"channel": "grid_visit", "location": "村口", "content": "路灯不亮"}, follow=True
        )
        self.assertRedirects(response, url)
        case = Case.objects.get()
        self.assertEqual(case.title, "路灯不亮")
        # The success message links to the case just saved (the form is ready for the next).
        self.assertContains(
            response,
            f'<a href="{reverse("web:case", args=[case.pk])}" id="registered-case">'
            f"{case.tracking_number}</a>",
        )
