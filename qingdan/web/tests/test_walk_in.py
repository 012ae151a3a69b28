"""Walk-in reception (坐班接访): the leader on duty who received the petitioner, on the
intake form, in the API registration and on the case page; refused for another
channel or a leader of another place."""

from django.test import TestCase
from rest_framework.test import APIClient

from qingdan.cases import actions
from qingdan.cases.models import Case
from qingdan.core.errors import ValidationFailed
from qingdan.orgs.choices import Role
from qingdan.orgs.models import User
from qingdan.orgs.testing import PERSON, build_county

from .test_intake import VALID


class ReceivingLeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town_leader = User.objects.create_user(
            "town_leader",
            role=Role.LEADER,
            jurisdiction=cls.org.other_town,
            display_name="金岭镇长",
        )

    def register(self, **extra):
        fields = dict(
            channel="walk_in",
            title="宅基地纠纷",
            content="与邻居宅基地界线纠纷",
            jurisdiction=self.org.village,
            petitioner=dict(PERSON),
        )
        return actions.register_case(self.org.town_clerk, **{**fields, **extra})

    def test_the_leader_on_duty_is_recorded_on_a_walk_in_case(self):
        case = self.register(receiving_leader=self.org.city_leader)
        self.assertEqual(case.receiving_leader, self.org.city_leader)

    def test_only_walk_in_and_only_a_leader_of_the_place(self):
        for extra in (
            {"channel": "phone", "receiving_leader": self.org.city_leader},
            {"receiving_leader": self.org.city_supervisor},  # not a leader
            {"receiving_leader": self.town_leader},  # leads another town
        ):
            with self.subTest(extra=extra), self.assertRaises(ValidationFailed) as caught:
                self.register(**extra)
            self.assertEqual(set(caught.exception.errors), {"receiving_leader"})
        self.assertFalse(Case.objects.exists())

    def test_the_intake_form_and_the_case_page(self):
        self.client.force_login(self.org.town_clerk)
        page = self.client.get("/intake/")
        leaders = list(page.context["form"].fields["receiving_leader"].queryset)
        self.assertEqual(leaders, [self.org.city_leader])  # not the other town's
        self.assertContains(page, 'data-shown-for-channel="walk_in"')
        data = {**VALID, "jurisdiction": self.org.village.pk}
        response = self.client.post(
            "/intake/", {**data, "channel": "phone", "receiving_leader": self.org.city_leader.pk}
        )
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].errors["receiving_leader"])
        response = self.client.post(
            "/intake/", {**data, "receiving_leader": self.org.city_leader.pk}
        )
        case = Case.objects.get()
        self.assertRedirects(response, f"/cases/{case.pk}/")
        self.assertEqual(case.receiving_leader, self.org.city_leader)
        page = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(page, '<dd id="receiving-leader">包保领导</dd>', html=True)

    def test_the_api_registers_and_reads_the_receiving_leader(self):
        client = APIClient()
        client.force_authenticate(self.org.town_clerk)
        body = {
            "channel": "walk_in",
            "title": "宅基地纠纷",
            "content": "与邻居宅基地界线纠纷",
            "jurisdiction": self.org.village.code,
            "receiving_leader": "city_leader",
        }
        created = client.post("/api/v1/cases/", body, format="json")
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(created.json()["receiving_leader"], "city_leader")
        wrong = client.post("/api/v1/cases/", {**body, "channel": "letter"}, format="json")
        self.assertEqual(wrong.status_code, 400)
        self.assertEqual(wrong.json()["field"], "receiving_leader")
