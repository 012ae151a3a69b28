"""My queue: who sees what waits on them, filters, search, badges, paging, queries."""

import datetime as dt
from unittest import mock

import time_machine
from django.test import TestCase

from qingdan.cases import actions
from qingdan.orgs.testing import build_county

from .. import views
from .helpers import register

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class QueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        org = cls.org = build_county()
        with time_machine.travel(START, tick=False):
            # At the village desk, registered first: the nearest acceptance limit.
            cls.at_village = register(org.village_agent, org.village, title="村口路灯不亮")
        with time_machine.travel(START + dt.timedelta(days=1), tick=False):
            cls.escalated = register(
                org.village_agent,
                org.village,
                title="拖欠工资",
                content="包工头拖欠农民工工资",
                category=org.labour,
                channel="phone",
                # A complex hotline order: 15 days, like the acceptance limit below
                # (a normal one has 5 working days, qingdan/deadlines policies).
                urgency="complex",
            )
            actions.escalate(org.village_agent, cls.escalated, reason="村里解决不了")
        with time_machine.travel(START + dt.timedelta(days=2), tick=False):
            cls.assigned = register(org.town_clerk, org.town, title="道路破损")
            actions.accept(org.town_clerk, cls.assigned)
            actions.assign(
                org.town_clerk,
                cls.assigned,
                lead_unit=org.town_office,
                co_units=[org.police_station],
            )
            cls.elsewhere = register(org.far_village_agent, org.far_village, title="养殖场异味")
            cls.finished = register(org.village_agent, org.village, title="已不予受理")
            actions.not_accept(org.village_agent, cls.finished, reason="不属于信访事项")

    def titles(self, response):
        return [case.title for case in response.context["page"]]

    def get(self, user, query=""):
        self.client.force_login(user)
        with time_machine.travel(START + dt.timedelta(days=3), tick=False):
            return self.client.get("/" + query)

    def search(self, user, **filters):
        self.client.force_login(user)
        with time_machine.travel(START + dt.timedelta(days=3), tick=False):
            return self.client.post("/", filters)

    def test_anonymous_goes_to_login(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_village_agent_sees_village_tier_only(self):
        response = self.get(self.org.village_agent)
        self.assertEqual(self.titles(response), ["村口路灯不亮"])

    def test_town_clerk_sees_town_tier_cases_by_due_time(self):
        titles = self.titles(self.get(self.org.town_clerk))
        self.assertEqual(titles, ["拖欠工资", "道路破损"])

    def test_lead_and_co_handling_units(self):
        self.assertEqual(self.titles(self.get(self.org.town_handler)), ["道路破损"])
        police = self.org.town_handler.__class__.objects.create_user(
            "police", password="x", role="handler", department=self.org.police_station
        )
        self.assertEqual(self.titles(self.get(police)), ["道路破损"])
        self.assertEqual(self.titles(self.get(self.org.unrelated_handler)), [])

    def test_city_supervisor_oversees_every_open_case(self):
        titles = self.titles(self.get(self.org.city_supervisor))
        self.assertEqual(set(titles), {"村口路灯不亮", "拖欠工资", "道路破损", "养殖场异味"})

    def test_receiver_sees_replied_case_to_report_back(self):
        actions.accept(self.org.town_clerk, self.escalated)
        actions.reply(
            self.org.town_clerk,
            self.escalated,
            reply_opinion="supports",
            reply_text="已协调发放",
        )
        self.assertIn("拖欠工资", self.titles(self.get(self.org.village_agent)))

    def test_analyst_has_no_queue_but_can_search_everything(self):
        self.assertEqual(self.titles(self.get(self.org.analyst)), [])
        titles = self.titles(self.get(self.org.analyst, "?scope=all"))
        self.assertEqual(len(titles), 5)

    def test_filters(self):
        supervisor = self.org.city_supervisor
        cases = {
            "?tier=town": {"拖欠工资", "道路破损"},
            "?state=in_progress": {"道路破损"},
            "?channel=phone": {"拖欠工资"},
            f"?category={self.org.labour.pk}": {"拖欠工资"},
            f"?jurisdiction={self.org.other_town.pk}": {"养殖场异味"},
            "?scope=all&state=not_accepted": {"已不予受理"},
        }
        for query, expected in cases.items():
            with self.subTest(query=query):
                self.assertEqual(set(self.titles(self.get(supervisor, query))), expected)

    def test_search_is_posted_not_put_in_the_address(self):
        supervisor = self.org.city_supervisor
        searches = {
            "工资": {"拖欠工资"},
            "包工头": {"拖欠工资"},
            self.at_village.tracking_number: {"村口路灯不亮"},
        }
        for typed, expected in searches.items():
            with self.subTest(q=typed):
                response = self.search(supervisor, q=typed)
                self.assertEqual(set(self.titles(response)), expected)
        # Posted with the other filters and a page, as the form and its pager send them.
        response = self.search(supervisor, q="工资", tier="town", scope="all", page="1")
        self.assertEqual(self.titles(response), ["拖欠工资"])
        # An old link with a search in it: the search is dropped and the page says why.
        response = self.get(supervisor, "?q=包工头&tier=town")
        self.assertEqual(set(self.titles(response)), {"拖欠工资", "道路破损"})
        self.assertContains(response, "搜索框")

    def test_overdue_filter_and_badges(self):
        self.client.force_login(self.org.city_supervisor)
        # Acceptance is due 15 days after registration; 3 days before, the badge turns yellow.
        with time_machine.travel(START + dt.timedelta(days=14), tick=False):
            response = self.client.get("/?overdue=true")
            self.assertEqual(self.titles(response), [])
            page = self.client.post("/", {"q": self.at_village.tracking_number}).content.decode()
            self.assertIn('data-deadline="warning"', page)
        with time_machine.travel(START + dt.timedelta(days=17), tick=False):
            response = self.client.get("/?overdue=true")
            self.assertEqual(self.titles(response), ["村口路灯不亮", "拖欠工资"])
            self.assertContains(response, 'data-deadline="overdue"', count=2)
            self.assertContains(response, 'class="badge red"', count=2)

    def test_invalid_filter_shows_an_error_not_a_crash(self):
        response = self.get(self.org.city_supervisor, "?state=nonsense")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.titles(response), [])
        self.assertContains(response, 'class="errorlist"')

    def test_htmx_gets_the_results_fragment(self):
        self.client.force_login(self.org.city_supervisor)
        response = self.client.get("/?tier=town", headers={"HX-Request": "true"})
        self.assertNotContains(response, "<html")
        self.assertContains(response, "拖欠工资")
        self.assertIn("HX-Request", response["Vary"])

    def test_pages(self):
        with mock.patch.object(views, "PAGE_SIZE", 2):
            first = self.get(self.org.city_supervisor)
            second = self.get(self.org.city_supervisor, "?page=2")
        self.assertEqual(len(self.titles(first)), 2)
        self.assertEqual(len(self.titles(second)), 2)
        self.assertFalse(set(self.titles(first)) & set(self.titles(second)))
        self.assertContains(first, 'name="page" value="2"')
        self.client.force_login(self.org.city_supervisor)
        with mock.patch.object(views, "PAGE_SIZE", 2):
            posted = self.client.post("/", {"page": "2"})
        self.assertEqual(self.titles(posted), self.titles(second))

    def test_query_count_does_not_grow_with_the_cases(self):
        self.client.force_login(self.org.city_supervisor)
        # session, user, count, page, and the category/jurisdiction choices of the filters
        with self.assertNumQueries(6):
            self.client.get("/")
        for index in range(6):
            register(self.org.village_agent, self.org.village, title=f"更多问题{index}")
        with self.assertNumQueries(6):
            response = self.client.get("/")
        self.assertEqual(len(self.titles(response)), 4 + 6)
