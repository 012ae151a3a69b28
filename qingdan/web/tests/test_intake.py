"""Intake: walk-in and phone cases, field-level errors in Chinese, the look-up of
known petitioners and related open cases before saving."""

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.utils import translation
from django.utils.translation import gettext

from qingdan.cases.choices import Action, Channel, State
from qingdan.cases.models import Case, PetitionerLookup
from qingdan.orgs.testing import PERSON, build_county

from .helpers import register

VALID = {
    "channel": "walk_in",
    "petitioner_kind": "person",
    "petitioner_name": "李大山",
    "petitioner_phone": "13987654321",
    "petitioner_id_number": "",
    "headcount": "1",
    "title": "排水沟堵塞",
    "content": "村东头排水沟堵塞，雨后积水。",
    "urgency": "normal",
}


class IntakeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.earlier = register(
            cls.org.village_agent, cls.org.village, category=cls.org.construction
        )

    def setUp(self):
        cache.clear()  # the look-up counters

    def post(self, user, **changes):
        self.client.force_login(user)
        data = {**VALID, "jurisdiction": self.org.village.pk, **changes}
        return self.client.post("/intake/", data)

    def test_form_offers_only_own_places(self):
        self.client.force_login(self.org.village_agent)
        response = self.client.get("/intake/")
        self.assertEqual(response.status_code, 200)
        places = list(response.context["form"].fields["jurisdiction"].queryset)
        self.assertEqual(places, [self.org.village])
        self.assertContains(response, "登记")  # Chinese by default

    def test_walk_in_case_is_registered_at_the_desk(self):
        response = self.post(self.org.village_agent)
        case = Case.objects.get(title="排水沟堵塞")
        self.assertRedirects(response, f"/cases/{case.pk}/")
        self.assertEqual(case.channel, Channel.WALK_IN)
        self.assertEqual(case.state, State.REGISTERED)
        self.assertEqual(case.tier, "village")
        self.assertEqual(case.created_by, self.org.village_agent)
        self.assertEqual(case.petitioner.phone, "13987654321")
        self.assertTrue(case.events.filter(action=Action.REGISTER).exists())

    def test_phone_case_by_the_town_clerk(self):
        response = self.post(self.org.town_clerk, channel="phone", jurisdiction=self.org.town.pk)
        self.assertEqual(response.status_code, 302)
        case = Case.objects.get(title="排水沟堵塞")
        self.assertEqual((case.channel, case.tier), ("phone", "town"))

    def test_action_errors_land_on_their_fields_in_chinese(self):
        response = self.post(
            self.org.village_agent,
            title="",
            content="",
            petitioner_name="",
            petitioner_id_number="110105194912310021",  # wrong check digit
            petitioner_phone="12345",
        )
        self.assertEqual(response.status_code, 400)
        errors = response.context["form"].errors
        self.assertEqual(errors["title"], ["标题必填。"])
        self.assertEqual(errors["content"], ["请描述诉求内容。"])
        self.assertIn("校验码（最后一位）与前17位不符", errors["petitioner_id_number"][0])
        self.assertIn("petitioner_phone", errors)
        self.assertIn("petitioner_name", errors)
        self.assertFalse(Case.objects.filter(title="").exists())
        # The typed values are kept for correction.
        self.assertContains(response, 'value="12345"', status_code=400)

    def test_superior_assignment_needs_the_assigning_body(self):
        response = self.post(self.org.village_agent, channel="superior_assignment")
        self.assertEqual(response.status_code, 400)
        self.assertIn("assigning_body", response.context["form"].errors)

    def test_place_outside_the_jurisdiction_is_refused(self):
        response = self.post(self.org.village_agent, jurisdiction=self.org.far_village.pk)
        self.assertEqual(response.status_code, 400)
        self.assertIn("jurisdiction", response.context["form"].errors)
        self.assertFalse(Case.objects.filter(title="排水沟堵塞").exists())

    def test_anonymous_cannot_register(self):
        response = self.client.post("/intake/", {**VALID, "jurisdiction": self.org.village.pk})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Case.objects.filter(title="排水沟堵塞").exists())

    def test_lookup_finds_the_known_petitioner_masked(self):
        self.client.force_login(self.org.village_agent)
        response = self.client.post(
            "/intake/check/", {"petitioner_phone": PERSON["phone"]}, headers={"HX-Request": "true"}
        )
        self.assertContains(response, "张*明")
        self.assertContains(response, "138****5678")
        self.assertNotContains(response, PERSON["phone"])
        self.assertNotContains(response, PERSON["id_number"])
        self.assertContains(response, self.earlier.tracking_number)
        by_id = self.client.post("/intake/check/", {"petitioner_id_number": PERSON["id_number"]})
        self.assertContains(by_id, "1101**********002X")

    def test_related_open_cases_by_place_and_category(self):
        self.client.force_login(self.org.village_agent)
        response = self.client.post(
            "/intake/check/",
            {"jurisdiction": self.org.village.pk, "category": self.org.construction.pk},
        )
        self.assertEqual(
            [c.pk for c in response.context["related"]],
            [self.earlier.pk],
        )
        other = self.client.post(
            "/intake/check/", {"jurisdiction": self.org.village.pk, "category": self.org.labour.pk}
        )
        self.assertEqual(other.context["related"], [])

    def test_lookup_answers_only_with_petitioners_of_cases_the_user_may_see(self):
        # Not an oracle: another town's agent learns nothing of this petitioner.
        self.client.force_login(self.org.far_village_agent)
        response = self.client.post("/intake/check/", {"petitioner_phone": PERSON["phone"]})
        self.assertNotContains(response, self.earlier.tracking_number)
        self.assertNotContains(response, "张*明")
        self.assertEqual(response.context["known"], [])
        lookup = PetitionerLookup.objects.get(user=self.org.far_village_agent)
        self.assertEqual(
            (lookup.by_phone, lookup.by_id_number, lookup.found.count()), (True, False, 0)
        )
        self.client.force_login(self.org.village_agent)
        self.client.post("/intake/check/", {"petitioner_id_number": PERSON["id_number"]})
        mine = PetitionerLookup.objects.get(user=self.org.village_agent)
        self.assertEqual(list(mine.found.all()), [self.earlier.petitioner])

    def test_lookups_are_posts_and_throttled(self):
        self.client.force_login(self.org.village_agent)
        self.assertEqual(
            self.client.get("/intake/check/", {"petitioner_phone": PERSON["phone"]}).status_code,
            405,
        )
        with override_settings(QINGDAN_LOOKUPS_PER_MINUTE=3):
            answers = [
                self.client.post("/intake/check/", {"petitioner_phone": PERSON["phone"]})
                for _ in range(5)
            ]
        self.assertEqual([len(a.context["known"]) for a in answers], [1, 1, 1, 0, 0])
        with translation.override("zh-hans"):
            refusal = gettext("Too many look-ups in a minute. Wait a moment and try again.")
        self.assertContains(answers[-1], refusal)
        self.assertEqual(PetitionerLookup.objects.count(), 3)

    def test_lookup_with_a_bad_phone_says_so(self):
        self.client.force_login(self.org.village_agent)
        response = self.client.post("/intake/check/", {"petitioner_phone": "abc"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["known"], [])
        self.assertTrue(response.context["problems"])
