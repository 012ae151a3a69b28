"""The citizen portal: submit with the challenge and limits, look up with number and
phone, rate the answer, ask for a review within the limit."""

import datetime as dt

import time_machine
from django.core.cache import cache
from django.test import TestCase, override_settings

from qingdan.cases import actions
from qingdan.cases.choices import Action, Channel, State
from qingdan.cases.models import Case
from qingdan.orgs.testing import PERSON, build_county

from .. import challenge
from .helpers import challenge_answer, register

PHONE = "13711112222"


class PortalTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        cache.clear()  # rate-limit counters live in the cache

    def submit(self, **changes):
        page = self.client.get("/portal/").content.decode()
        answer, token = challenge_answer(page)
        data = {
            "name": "王建国",
            "phone": PHONE,
            "id_number": "",
            "place": self.org.village.pk,
            "title": "排水沟堵塞",
            "content": "村东头排水沟堵塞，雨后积水漫到路上。",
            "answer": answer,
            "token": token,
            "website": "",
            **changes,
        }
        return self.client.post("/portal/", data)

    def look_up(self, case, phone=PERSON["phone"]):
        return self.client.post(
            "/portal/track/", {"tracking_number": case.tracking_number, "phone": phone}
        )


class SubmitTests(PortalTestCase):
    def test_submit_gives_a_tracking_number(self):
        response = self.submit()
        self.assertRedirects(response, "/portal/submitted/")
        case = Case.objects.get()
        page = self.client.get("/portal/submitted/")
        self.assertContains(page, case.tracking_number)
        self.assertEqual((case.channel, case.tier), (Channel.WEB, "village"))
        self.assertIsNone(case.created_by)
        event = case.events.get()
        self.assertEqual((event.action, event.actor_label), (Action.REGISTER, "petitioner"))
        self.assertEqual(case.petitioner.phone, PHONE)

    def test_the_form_lists_towns_and_villages(self):
        response = self.client.get("/portal/")
        self.assertContains(response, "玲珑镇")
        self.assertContains(response, "欧家夼村")
        self.assertContains(response, "<optgroup")
        self.assertNotContains(response, "招远市</option>")

    def test_errors_are_shown_per_field(self):
        response = self.submit(name="", phone="12", title="", place="")
        self.assertEqual(response.status_code, 400)
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"name", "phone", "title", "place"})
        self.assertFalse(Case.objects.exists())

    def test_id_number_is_checked_by_the_action(self):
        response = self.submit(id_number="110105194912310021")
        self.assertEqual(response.status_code, 400)
        errors = response.context["form"].errors
        self.assertIn("校验码（最后一位）与前17位不符", errors["id_number"][0])

    def test_wrong_answer_is_refused(self):
        page = self.client.get("/portal/").content.decode()
        answer, token = challenge_answer(page)
        response = self.submit(answer=answer + 1, token=token)
        self.assertEqual(response.status_code, 400)
        self.assertIn("answer", response.context["form"].errors)
        self.assertFalse(Case.objects.exists())

    def test_forged_or_spent_token_is_refused(self):
        page = self.client.get("/portal/").content.decode()
        answer, token = challenge_answer(page)
        self.assertEqual(self.submit(answer=answer, token=token + "x").status_code, 400)
        self.assertEqual(self.submit(answer=answer, token=token).status_code, 302)
        again = self.submit(answer=answer, token=token, title="再来一次")
        self.assertEqual(again.status_code, 400)
        self.assertEqual(Case.objects.count(), 1)

    def test_expired_token_is_refused(self):
        page = self.client.get("/portal/").content.decode()
        answer, token = challenge_answer(page)
        later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=challenge.TOKEN_MAX_AGE + 5)
        with time_machine.travel(later):
            response = self.submit(answer=answer, token=token)
        self.assertEqual(response.status_code, 400)

    def test_honeypot_is_refused(self):
        response = self.submit(website="http://spam.example")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Case.objects.exists())

    @override_settings(QINGDAN_PORTAL_SUBMISSIONS_PER_ADDRESS=3)
    def test_rate_limit_per_address(self):
        statuses = [self.submit(phone=f"1391234567{i}").status_code for i in range(4)]
        self.assertEqual(statuses, [302, 302, 302, 429])
        self.assertEqual(Case.objects.count(), 3)

    @override_settings(QINGDAN_PORTAL_CASES_PER_PHONE=2)
    def test_rate_limit_per_phone(self):
        statuses = [self.submit(title=f"问题{i}").status_code for i in range(3)]
        self.assertEqual(statuses, [302, 302, 429])
        other_phone = self.submit(phone="13911112222")
        self.assertEqual(other_phone.status_code, 302)

    @override_settings(QINGDAN_PORTAL_CASES_PER_PHONE=1)
    def test_a_refused_submission_gives_back_the_answer_and_the_phone_count(self):
        page = self.client.get("/portal/").content.decode()
        answer, token = challenge_answer(page)
        refused = self.submit(answer=answer, token=token, id_number="110105194912310021")
        self.assertEqual(refused.status_code, 400)
        # Corrected, with the same answer: registered, and counted once.
        self.assertEqual(self.submit(answer=answer, token=token).status_code, 302)
        self.assertEqual(Case.objects.count(), 1)
        self.assertEqual(self.submit(title="第二件").status_code, 429)


class TrackTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = register(cls.org.village_agent, cls.org.village, title="村口路灯不亮")

    def test_look_up_needs_the_right_phone(self):
        wrong = self.look_up(self.case, phone="13900000000")
        self.assertEqual(wrong.status_code, 404)
        self.assertContains(wrong, "errorlist", status_code=404)
        direct = self.client.get(f"/portal/track/{self.case.tracking_number}/")
        self.assertEqual(direct.status_code, 404)
        right = self.look_up(self.case)
        self.assertRedirects(right, f"/portal/track/{self.case.tracking_number}/")

    def test_page_is_masked_and_shows_no_staff_details(self):
        org = self.org
        actions.add_note(org.village_agent, self.case, note="内部备注：与村主任商量")
        actions.escalate(org.village_agent, self.case, reason="需镇里协调")
        actions.accept(org.town_clerk, self.case)
        actions.assign(org.town_clerk, self.case, lead_unit=org.town_office)
        actions.reply(org.town_handler, self.case, reply_opinion="supports", reply_text="已修复")
        self.look_up(self.case)
        page = self.client.get(f"/portal/track/{self.case.tracking_number}/")
        self.assertContains(page, "张*明")
        self.assertContains(page, "138****5678")
        self.assertNotContains(page, PERSON["phone"])
        self.assertContains(page, "已修复")
        self.assertContains(page, "综治办")
        for staff in ("欧代办", "玲珑镇代办", "综治办承办人", "内部备注", "需镇里协调"):
            self.assertNotContains(page, staff)
        self.assertIn("no-store", page["Cache-Control"])

    @override_settings(QINGDAN_PORTAL_LOOKUPS_PER_ADDRESS=3)
    def test_look_ups_are_limited(self):
        statuses = [self.look_up(self.case, phone="13900000000").status_code for _ in range(4)]
        self.assertEqual(statuses, [404, 404, 404, 429])
        self.assertEqual(self.look_up(self.case).status_code, 429)


class EvaluateAndReviewTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.case = register(cls.org.village_agent, cls.org.village, title="村口路灯不亮")

    def reply(self):
        actions.resolve_on_the_spot(self.org.village_agent, self.case, reply_text="已修复路灯")
        self.case.refresh_from_db()

    def test_rating_after_the_reply(self):
        self.look_up(self.case)
        url = f"/portal/track/{self.case.tracking_number}/"
        self.assertNotContains(self.client.get(url), "portal-evaluate")
        self.reply()
        self.assertContains(self.client.get(url), "portal-evaluate")
        response = self.client.post(
            url + "evaluate/",
            {"rating": "satisfied", "note": "谢谢", "expected_version": self.case.version},
        )
        self.assertRedirects(response, url)
        self.case.refresh_from_db()
        self.assertEqual((self.case.state, self.case.rating), (State.EVALUATED, "satisfied"))
        event = self.case.events.get(action=Action.EVALUATE)
        self.assertEqual(event.actor_label, "petitioner")

    def test_rating_before_the_reply_is_refused(self):
        self.look_up(self.case)
        response = self.client.post(
            f"/portal/track/{self.case.tracking_number}/evaluate/",
            {"rating": "satisfied", "expected_version": self.case.version},
        )
        self.assertEqual(response.status_code, 409)
        self.assertEqual(Case.objects.get(pk=self.case.pk).state, State.REGISTERED)

    def test_rating_without_looking_up_is_not_found(self):
        self.reply()
        response = self.client.post(
            f"/portal/track/{self.case.tracking_number}/evaluate/",
            {"rating": "satisfied", "expected_version": self.case.version},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Case.objects.get(pk=self.case.pk).state, State.REPLIED)

    def test_stale_rating_form_is_a_conflict(self):
        self.reply()
        self.look_up(self.case)
        stale = self.case.version
        actions.record_evaluation(self.org.village_agent, self.case, rating="basically_satisfied")
        response = self.client.post(
            f"/portal/track/{self.case.tracking_number}/evaluate/",
            {"rating": "unsatisfied", "expected_version": stale},
        )
        self.assertEqual(response.status_code, 409)
        self.assertEqual(Case.objects.get(pk=self.case.pk).rating, "basically_satisfied")

    def test_review_within_the_limit(self):
        self.reply()
        self.look_up(self.case)
        url = f"/portal/track/{self.case.tracking_number}/"
        self.assertContains(self.client.get(url), "portal-review")
        response = self.client.post(
            url + "review/", {"reason": "答复不合理", "expected_version": self.case.version}
        )
        follow_up = Case.objects.get(parent=self.case)
        self.assertRedirects(response, f"/portal/track/{follow_up.tracking_number}/")
        self.assertEqual((follow_up.review_level, follow_up.tier), (1, "town"))
        # Asked once: the button is gone, a second request is refused.
        self.assertNotContains(self.client.get(url), "portal-review")
        again = self.client.post(
            url + "review/", {"reason": "再次", "expected_version": self.case.version}
        )
        self.assertEqual(again.status_code, 409)

    def test_review_too_late_is_refused(self):
        self.reply()
        # The window runs from the answer's recorded service (arts. 35-36).
        Case.objects.filter(pk=self.case.pk).update(answer_served_at=dt.datetime.now(dt.UTC))
        url = f"/portal/track/{self.case.tracking_number}/"
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=40)):
            self.look_up(self.case)
            self.assertNotContains(self.client.get(url), "portal-review")
            response = self.client.post(
                url + "review/", {"reason": "答复不合理", "expected_version": self.case.version}
            )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "30", status_code=409)
        self.assertFalse(Case.objects.filter(parent=self.case).exists())
