"""Pausing the handling clock for a hearing through the API and the case page: the
same actions as `pause_clock` / `resume_clock`, refused to those without the right."""

import time_machine
from django.test import TestCase
from rest_framework.authtoken.models import Token

from qingdan.cases import actions

from .helpers import at, clear_caches, end_of, register


class HearingRouteTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from qingdan.orgs.testing import build_county

        cls.org = org = build_county()
        with time_machine.travel(at(2026, 3, 2, 9), tick=False):
            case = register(org)
            actions.accept(org.village_agent, case)
            actions.reply(org.village_agent, case, reply_opinion="explains", reply_text="已解释")
        with time_machine.travel(at(2026, 3, 3, 9), tick=False):
            review = actions.request_review(org.village_agent, case, reason="不服")
            actions.accept(org.town_clerk, review)
            actions.reply(org.town_clerk, review, reply_opinion="explains", reply_text="维持")
            cls.re_review = actions.request_review(org.town_clerk, review, reason="仍不服")
        with time_machine.travel(at(2026, 3, 4, 9), tick=False):
            actions.accept(org.city_supervisor, cls.re_review)

    def setUp(self):
        self.addCleanup(clear_caches)
        self.case = self.re_review
        self.case.refresh_from_db()

    def api(self, user, action, data):
        token, _ = Token.objects.get_or_create(user=user)
        return self.client.post(
            f"/api/v1/cases/{self.case.tracking_number}/{action}/",
            data,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )

    def test_api_pause_and_resume_shift_the_limit(self):
        self.assertEqual(self.case.handle_due_at, end_of(2026, 4, 3))
        with time_machine.travel(at(2026, 3, 10, 9), tick=False):
            response = self.api(self.org.city_supervisor, "pause-clock", {"reason": "举行听证"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertIsNone(response.json()["handle_due_at"])
        with time_machine.travel(at(2026, 3, 11, 9), tick=False):
            again = self.api(self.org.city_supervisor, "pause-clock", {"reason": "再次"})
        self.assertEqual((again.status_code, again.json()["code"]), (409, "clock_paused"))
        with time_machine.travel(at(2026, 3, 12, 17), tick=False):
            response = self.api(self.org.city_supervisor, "resume-clock", {"note": "听证结束"})
        self.assertEqual(response.status_code, 200, response.content)
        self.case.refresh_from_db()
        self.assertEqual(self.case.handle_due_at, end_of(2026, 4, 7))

    def test_api_refuses_without_reason_and_without_right(self):
        missing = self.api(self.org.city_supervisor, "pause-clock", {})
        self.assertEqual(missing.status_code, 400)
        self.assertEqual(missing.json()["field"], "reason")
        outsider = self.api(self.org.analyst, "pause-clock", {"reason": "听证"})
        self.assertIn(outsider.status_code, {403, 404})
        self.assertFalse(self.case.clock_pauses.exists())

    def test_case_page_offers_pause_then_resume(self):
        self.client.force_login(self.org.city_supervisor)
        page = self.client.get(f"/cases/{self.case.pk}/")
        self.assertContains(page, 'id="action-pause_clock"')
        self.assertNotContains(page, 'id="action-resume_clock"')
        with time_machine.travel(at(2026, 3, 10, 9), tick=False):
            response = self.client.post(
                f"/cases/{self.case.pk}/act/pause_clock/",
                {"expected_version": self.case.version, "reason": "举行听证"},
            )
        self.assertEqual(response.status_code, 302)
        page = self.client.get(f"/cases/{self.case.pk}/")
        self.assertContains(page, 'id="action-resume_clock"')
        self.assertNotContains(page, 'id="action-pause_clock"')
        self.assertEqual(self.case.clock_pauses.filter(ended_at=None).count(), 1)

    def test_case_page_refuses_a_forged_pause(self):
        self.client.force_login(self.org.analyst)
        response = self.client.post(
            f"/cases/{self.case.pk}/act/pause_clock/",
            {"expected_version": self.case.version, "reason": "听证"},
        )
        self.assertIn(response.status_code, {403, 404})
        self.assertFalse(self.case.clock_pauses.exists())
