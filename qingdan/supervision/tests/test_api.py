"""Supervision through the API: a notice issued and answered, a leader named and
released, a joint meeting convened with its agenda, minutes and a decision reported
done; each list shows what the board shows; refusals are 403 before the body is read,
400 naming the field, 409 for a subject whose state refuses."""

import datetime as dt

import time_machine
from django.test import TestCase, override_settings

from qingdan.api.tests.helpers import register, token_client
from qingdan.cases import actions as case_actions
from qingdan.deadlines.tests.helpers import at, clear_caches
from qingdan.orgs.testing import build_county

from ..choices import DecisionState, NoticeState
from ..models import JointMeeting, KeyCase, MeetingDecision, SupervisionNotice

NOW = at(2026, 3, 2, 9)
BASE = "/api/v1/supervision"


@override_settings(QINGDAN_NOTIFICATION_BACKENDS=["console"])
class SupervisionApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        with time_machine.travel(NOW, tick=False):
            cls.village_case = register(org.village_agent, org.village)
            cls.town_case = register(org.town_clerk, org.town, title="道路破损")
            case_actions.accept(org.town_clerk, cls.town_case)
            case_actions.assign(org.town_clerk, cls.town_case, lead_unit=org.town_office)

    def setUp(self):
        self.addCleanup(clear_caches)
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def post(self, user, path, body=None):
        return token_client(user).post(f"{BASE}/{path}", body or {}, format="json")

    def get(self, user, path):
        return token_client(user).get(f"{BASE}/{path}")

    def test_a_notice_is_issued_and_answered(self):
        body = {"case": self.town_case.tracking_number, "reason": "三日内修复", "reply_within": 3}
        response = self.post(self.org.city_supervisor, "notices/", body)
        self.assertEqual(response.status_code, 201, response.json())
        notice = SupervisionNotice.objects.get(case=self.town_case)
        self.assertEqual(response.json()["number"], notice.number)
        self.assertEqual((response.json()["unit"], response.json()["state"]), ("ll-zzb", "open"))
        self.assertEqual(notice.due_at, NOW + dt.timedelta(days=3))
        # The town office's handler answers it; the unit's list shows it, another's not.
        listed = self.get(self.org.town_handler, "notices/").json()["results"]
        self.assertEqual([item["id"] for item in listed], [notice.pk])
        self.assertEqual(self.get(self.org.unrelated_handler, "notices/").json()["results"], [])
        reply = self.post(
            self.org.town_handler, f"notices/{notice.pk}/reply/", {"reply_text": "已修复"}
        )
        self.assertEqual(reply.status_code, 200, reply.json())
        self.assertEqual(reply.json()["state"], NoticeState.ANSWERED)
        again = self.post(
            self.org.town_handler, f"notices/{notice.pk}/reply/", {"reply_text": "再答"}
        )
        self.assertEqual((again.status_code, again.json()["code"]), (409, "notice_answered"))

    def test_issuing_is_refused_before_the_body_is_read_and_names_the_field(self):
        refused = self.post(self.org.town_clerk, "notices/", {})
        self.assertEqual((refused.status_code, refused.json()["code"]), (403, "not_allowed"))
        unknown = self.post(
            self.org.city_supervisor,
            "notices/",
            {"case": "ZY-0000-000000", "reason": "x", "reply_within": 3},
        )
        self.assertEqual(unknown.status_code, 400)
        self.assertIn("case", unknown.json()["errors"])
        too_long = self.post(
            self.org.city_supervisor,
            "notices/",
            {"case": self.town_case.tracking_number, "reason": "x", "reply_within": 91},
        )
        self.assertIn("reply_within", too_long.json()["errors"])
        case_actions.not_accept(self.org.village_agent, self.village_case, reason="不属于")
        finished = self.post(
            self.org.city_supervisor,
            "notices/",
            {"case": self.village_case.tracking_number, "reason": "x", "reply_within": 3},
        )
        self.assertEqual(finished.status_code, 409)
        self.assertEqual(
            (finished.json()["code"], finished.json()["field"]), ("case_finished", "case")
        )
        self.assertFalse(SupervisionNotice.objects.exists())
        # Someone the reply's rule leaves out is refused whatever they send.
        notice = SupervisionNotice.objects.create(
            case=self.town_case,
            unit=self.org.town_office,
            jurisdiction=self.org.town,
            reason="x",
            issued_at=NOW,
            due_at=NOW + dt.timedelta(days=1),
        )
        forbidden = self.post(self.org.town_clerk, f"notices/{notice.pk}/reply/", {})
        self.assertEqual(forbidden.status_code, 403)
        missing = self.post(self.org.town_handler, f"notices/{notice.pk}/reply/", {})
        self.assertEqual(missing.status_code, 400)

    def test_a_leader_owns_a_key_case_until_released(self):
        body = {"case": self.village_case.tracking_number, "leader": "city_leader", "note": "包案"}
        response = self.post(self.org.city_supervisor, "key-cases/", body)
        self.assertEqual(response.status_code, 201, response.json())
        self.assertEqual(
            (response.json()["leader"], response.json()["state"]), ("city_leader", "active")
        )
        key = KeyCase.objects.get()
        not_a_leader = self.post(
            self.org.city_supervisor, "key-cases/", dict(body, leader="analyst")
        )
        self.assertEqual(not_a_leader.status_code, 400)
        self.assertIn("leader", not_a_leader.json()["errors"])
        self.assertEqual(
            self.post(self.org.village_agent, f"key-cases/{key.pk}/release/").status_code, 403
        )
        released = self.post(self.org.city_leader, f"key-cases/{key.pk}/release/")
        self.assertEqual((released.status_code, released.json()["state"]), (200, "released"))
        again = self.post(self.org.city_leader, f"key-cases/{key.pk}/release/")
        self.assertEqual((again.status_code, again.json()["code"]), (409, "already_released"))

    def test_a_joint_meeting_with_agenda_minutes_and_a_decision(self):
        case_actions.add_co_handling(
            self.org.town_clerk, self.town_case, units=[self.org.police_station]
        )
        convene = {
            "jurisdiction": self.org.town.code,
            "title": "三月联席会议",
            "held_at": "2026-03-02T08:00:00+08:00",
        }
        self.assertEqual(self.post(self.org.town_clerk, "meetings/", convene).status_code, 403)
        village = self.post(
            self.org.city_supervisor, "meetings/", dict(convene, jurisdiction=self.org.village.code)
        )
        self.assertEqual((village.status_code, village.json()["field"]), (403, "jurisdiction"))
        response = self.post(self.org.city_supervisor, "meetings/", convene)
        self.assertEqual(response.status_code, 201, response.json())
        meeting = JointMeeting.objects.get()
        agenda = self.post(self.org.city_supervisor, f"meetings/{meeting.pk}/agenda/")
        self.assertEqual(agenda.json()["added"], 1)
        self.assertEqual(
            [item["case"] for item in agenda.json()["meeting"]["agenda"]],
            [self.town_case.tracking_number],
        )
        minutes = {
            "minutes": "会议研究了道路问题。",
            "attendees": ["town_clerk"],
            "attending_units": ["ll-zzb"],
        }
        recorded = self.post(self.org.city_supervisor, f"meetings/{meeting.pk}/minutes/", minutes)
        self.assertEqual(recorded.status_code, 200, recorded.json())
        self.assertEqual(
            (recorded.json()["state"], recorded.json()["attendees"]), ("held", ["town_clerk"])
        )
        decision = {
            "text": "一周内修复道路",
            "owners": ["town_handler"],
            "due_at": "2026-03-09T18:00:00+08:00",
            "case": self.town_case.tracking_number,
        }
        added = self.post(self.org.city_supervisor, f"meetings/{meeting.pk}/decisions/", decision)
        self.assertEqual(added.status_code, 201, added.json())
        self.assertEqual(
            (added.json()["owners"], added.json()["case"]),
            (["town_handler"], self.town_case.tracking_number),
        )
        task = MeetingDecision.objects.get()
        # The owner reads the meeting and its decision, then reports it done.
        detail = self.get(self.org.town_handler, f"meetings/{meeting.pk}/").json()
        self.assertEqual([item["id"] for item in detail["decisions"]], [task.pk])
        self.assertEqual(
            self.post(
                self.org.village_agent, f"decisions/{task.pk}/done/", {"note": "x"}
            ).status_code,
            403,
        )
        done = self.post(
            self.org.town_handler, f"decisions/{task.pk}/done/", {"note": "道路已修复"}
        )
        self.assertEqual((done.status_code, done.json()["state"]), (200, DecisionState.DONE))
        again = self.post(self.org.town_handler, f"decisions/{task.pk}/done/", {"note": "再报"})
        self.assertEqual((again.status_code, again.json()["code"]), (409, "decision_done"))

    def test_a_decision_names_its_case_only_to_those_who_see_it(self):
        meeting = JointMeeting.objects.create(
            jurisdiction=self.org.town, title="会议", held_at=NOW, convener=self.org.city_supervisor
        )
        task = MeetingDecision.objects.create(
            meeting=meeting,
            case=self.town_case,
            text="跟踪",
            owner_unit=self.org.labour_bureau,
            due_at=NOW + dt.timedelta(days=5),
            warn_at=NOW + dt.timedelta(days=4),
        )
        seen = self.get(self.org.town_clerk, f"decisions/{task.pk}/").json()
        self.assertEqual(seen["case"], self.town_case.tracking_number)
        # The labour bureau owns the task but does not handle the case.
        owner = self.get(self.org.labour_handler, f"decisions/{task.pk}/").json()
        self.assertEqual((owner["id"], owner["case"]), (task.pk, None))
        self.assertEqual(
            self.get(self.org.far_village_agent, f"decisions/{task.pk}/").status_code, 404
        )

    def test_dates_centuries_away_are_refused(self):
        convene = {"jurisdiction": self.org.town.code, "title": "会议"}
        for held_at in ("0028-01-01T00:00:00Z", "2999-01-01T00:00:00Z"):
            with self.subTest(held_at):
                response = self.post(
                    self.org.city_supervisor, "meetings/", dict(convene, held_at=held_at)
                )
                self.assertEqual((response.status_code, response.json()["field"]), (400, "held_at"))
        meeting = JointMeeting.objects.create(
            jurisdiction=self.org.town, title="会议", held_at=NOW, convener=self.org.city_supervisor
        )
        decision = {"text": "整治", "owners": ["town_handler"], "due_at": "2999-01-01T00:00:00Z"}
        response = self.post(
            self.org.city_supervisor, f"meetings/{meeting.pk}/decisions/", decision
        )
        self.assertEqual((response.status_code, response.json()["field"]), (400, "due_at"))
        self.assertFalse(MeetingDecision.objects.exists())
