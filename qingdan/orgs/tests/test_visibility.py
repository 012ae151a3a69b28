"""What each persona may list: jurisdictions, departments and cases."""

from django.contrib.auth.models import AnonymousUser
from django.test import TestCase

from qingdan.cases import actions
from qingdan.cases.models import Case
from qingdan.orgs.models import Department, Jurisdiction
from qingdan.orgs.testing import PERSON, build_county


class VisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        org = cls.org = build_county()

        def case(actor, place, title):
            return actions.register_case(
                actor,
                channel="walk_in",
                title=title,
                content=title,
                jurisdiction=place,
                petitioner=PERSON,
            )

        cls.in_village = case(org.village_agent, org.village, "village case")
        cls.in_other_village = case(org.other_village_agent, org.other_village, "neighbour case")
        cls.in_other_town = case(org.far_village_agent, org.far_village, "other town case")
        cls.at_city = case(org.city_supervisor, org.town, "town-level place")
        actions.accept(org.city_supervisor, cls.at_city)
        actions.assign(
            org.city_supervisor,
            cls.at_city,
            lead_unit=org.housing_bureau,
            co_units=[org.labour_bureau],
        )

    def visible(self, user):
        return set(Case.objects.visible_to(user).values_list("title", flat=True))

    def test_village_agent_sees_own_village_only(self):
        self.assertEqual(self.visible(self.org.village_agent), {"village case"})

    def test_town_clerk_sees_town_and_villages(self):
        self.assertEqual(
            self.visible(self.org.town_clerk),
            {"village case", "neighbour case", "town-level place"},
        )

    def test_other_town_sees_nothing_of_this_town(self):
        self.assertEqual(self.visible(self.org.other_town_clerk), {"other town case"})
        self.assertEqual(self.visible(self.org.far_village_agent), {"other town case"})

    def test_city_staff_see_everything(self):
        everything = set(Case.objects.values_list("title", flat=True))
        for persona in ("city_supervisor", "city_leader", "analyst", "administrator"):
            self.assertEqual(self.visible(getattr(self.org, persona)), everything, persona)

    def test_handlers_see_what_their_unit_leads_or_co_handles(self):
        self.assertEqual(self.visible(self.org.city_handler), {"town-level place"})
        self.assertEqual(self.visible(self.org.labour_handler), {"town-level place"})
        self.assertEqual(self.visible(self.org.unrelated_handler), set())
        self.assertEqual(self.visible(self.org.town_handler), set())

    def test_anonymous_sees_nothing(self):
        self.assertEqual(self.visible(AnonymousUser()), set())
        self.assertFalse(Jurisdiction.objects.visible_to(AnonymousUser()).exists())

    def test_jurisdictions_and_departments(self):
        org = self.org
        self.assertEqual(set(Jurisdiction.objects.visible_to(org.village_agent)), {org.village})
        self.assertEqual(
            set(Jurisdiction.objects.visible_to(org.town_clerk)),
            {org.town, org.village, org.other_village},
        )
        town_units = set(Department.objects.visible_to(org.town_clerk))
        self.assertIn(org.town_office, town_units)
        self.assertIn(org.housing_bureau, town_units)
        self.assertNotIn(org.other_town_office, town_units)
        self.assertEqual(
            Department.objects.visible_to(org.analyst).count(), Department.objects.count()
        )
