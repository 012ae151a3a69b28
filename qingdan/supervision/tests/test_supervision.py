"""Supervision through its pages and actions: the board, notices and replies, leader
ownership, the joint meeting, and the worker chasing late replies and tasks."""

import datetime as dt

import time_machine
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils.translation import gettext

from qingdan.cases import actions as case_actions
from qingdan.cases.choices import Action
from qingdan.core.errors import NotAllowed, ValidationFailed
from qingdan.deadlines.tests.helpers import at, clear_caches, register
from qingdan.jobs.worker import Worker
from qingdan.notifications.models import OutboxMessage
from qingdan.orgs.testing import build_county

from .. import actions
from ..choices import AgendaReason, DecisionState, MeetingState, NoticeState
from ..models import AgendaItem, JointMeeting, KeyCase, MeetingDecision, SupervisionNotice

T0 = at(2026, 3, 2, 9)
LATE = at(2026, 3, 18, 9)  # the village petition's acceptance limit (17 March) has passed


def outbox(kind):
    return set(
        OutboxMessage.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


@override_settings(QINGDAN_NOTIFICATION_BACKENDS=["console"])
class SupervisionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        org = cls.org = build_county()
        with time_machine.travel(T0, tick=False):
            cls.late = register(org, title="村口路灯不亮")
            cls.town_case = register(org, org.town_clerk, jurisdiction=org.town, title="道路破损")
            case_actions.accept(org.town_clerk, cls.town_case)
            case_actions.assign(
                org.town_clerk,
                cls.town_case,
                lead_unit=org.town_office,
                co_units=[org.police_station],
            )
            cls.far = register(
                org, org.far_village_agent, jurisdiction=org.far_village, title="异味"
            )
        with time_machine.travel(LATE, tick=False):
            Worker().run_once()  # console backend: the pass prints the notifications
        cls.auto_notice = SupervisionNotice.objects.get(case=cls.late)

    def setUp(self):
        self.addCleanup(clear_caches)

    def get(self, user, name, *args):
        self.client.force_login(user)
        with time_machine.travel(LATE + dt.timedelta(hours=1), tick=False):
            return self.client.get(reverse(name, args=args))

    def post(self, user, name, data, *args):
        self.client.force_login(user)
        with time_machine.travel(LATE + dt.timedelta(hours=1), tick=False):
            return self.client.post(reverse(name, args=args), data)

    # --- the board ----------------------------------------------------------------

    def test_worker_issued_a_notice_to_the_village(self):
        notice = self.auto_notice
        self.assertEqual((notice.unit, notice.jurisdiction), (None, self.org.village))
        self.assertEqual(notice.state, NoticeState.OPEN)
        self.assertIsNotNone(notice.alert)

    def test_board_groups_due_cases_by_unit(self):
        response = self.get(self.org.city_supervisor, "supervision:board")
        self.assertEqual(response.status_code, 200)
        groups = response.context["groups"]
        # Both villages' petitions passed their acceptance limit; the town's case is assigned.
        self.assertEqual(
            [(str(g["owner"]), g["overdue"]) for g in groups], [("大户村", 1), ("欧家夼村", 1)]
        )
        self.assertContains(response, self.auto_notice.number)
        self.assertContains(response, 'id="issue-notice"')
        # A handler of another unit sees none of it, and gets no overseer forms.
        response = self.get(self.org.unrelated_handler, "supervision:board")
        self.assertEqual(response.context["groups"], [])
        self.assertNotContains(response, self.auto_notice.number)
        self.assertNotContains(response, 'id="issue-notice"')

    def test_village_agent_replies_to_the_notice(self):
        url_args = (self.auto_notice.pk,)
        page = self.get(self.org.village_agent, "supervision:board")
        self.assertContains(page, reverse("supervision:notice-reply", args=url_args))
        empty = self.post(self.org.village_agent, "supervision:notice-reply", {}, *url_args)
        self.assertEqual(empty.status_code, 400)
        field = f"notice-{self.auto_notice.pk}-reply_text"
        response = self.post(
            self.org.village_agent,
            "supervision:notice-reply",
            {field: "已受理并联系电工"},
            *url_args,
        )
        self.assertRedirects(response, reverse("supervision:board"))
        notice = SupervisionNotice.objects.get(pk=self.auto_notice.pk)
        self.assertEqual(
            (notice.state, notice.replied_by), (NoticeState.ANSWERED, self.org.village_agent)
        )
        self.assertTrue(self.late.events.filter(action=Action.SUPERVISE, note="已受理并联系电工"))
        self.assertIn("city_supervisor", outbox("notice_answered"))
        again = self.post(
            self.org.village_agent, "supervision:notice-reply", {field: "再答"}, *url_args
        )
        self.assertContains(again, gettext("This notice was already answered."), status_code=409)

    def test_others_cannot_reply(self):
        field = f"notice-{self.auto_notice.pk}-reply_text"
        for user in (self.org.other_village_agent, self.org.town_handler):
            response = self.post(
                user, "supervision:notice-reply", {field: "x"}, self.auto_notice.pk
            )
            self.assertEqual(response.status_code, 404, user)
        # The town clerk sees the case but the notice is the village's to answer.
        response = self.post(
            self.org.town_clerk, "supervision:notice-reply", {field: "x"}, self.auto_notice.pk
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            SupervisionNotice.objects.get(pk=self.auto_notice.pk).state, NoticeState.OPEN
        )

    def test_supervisor_issues_a_notice_to_the_lead_unit(self):
        data = {
            "tracking_number": self.town_case.tracking_number,
            "reason": "三日内修复",
            "reply_days": 3,
        }
        response = self.post(self.org.city_supervisor, "supervision:notice-issue", data)
        self.assertRedirects(response, reverse("supervision:board"))
        notice = SupervisionNotice.objects.get(case=self.town_case)
        self.assertEqual(
            (notice.unit, notice.issued_by), (self.org.town_office, self.org.city_supervisor)
        )
        self.assertEqual(notice.due_at, LATE + dt.timedelta(hours=1, days=3))
        self.assertEqual(
            outbox("notice_issued") - {"village_agent", "far_village_agent"}, {"town_handler"}
        )
        page = self.get(self.org.town_handler, "supervision:board")
        self.assertContains(page, reverse("supervision:notice-reply", args=(notice.pk,)))

    def test_issuing_is_for_overseers_and_checks_its_input(self):
        data = {"tracking_number": self.town_case.tracking_number, "reason": "x", "reply_days": 3}
        self.assertEqual(
            self.post(self.org.town_clerk, "supervision:notice-issue", data).status_code, 403
        )
        bad = {"tracking_number": "ZY-0000-000000", "reason": "", "reply_days": 300}
        response = self.post(self.org.city_supervisor, "supervision:notice-issue", bad)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            set(response.context["issue_form"].errors), {"tracking_number", "reason", "reply_days"}
        )
        closed = {"tracking_number": self.far.tracking_number, "reason": "x", "reply_days": 3}
        with time_machine.travel(LATE, tick=False):
            case_actions.not_accept(self.org.far_village_agent, self.far, reason="不属于")
        response = self.post(self.org.city_supervisor, "supervision:notice-issue", closed)
        self.assertEqual(response.status_code, 409)  # the closed case's state refuses it
        self.assertIn("tracking_number", response.context["issue_form"].errors)

    def test_leader_owns_a_key_case(self):
        data = {
            "tracking_number": self.town_case.tracking_number,
            "leader": self.org.city_leader.pk,
            "note": "包案",
        }
        response = self.post(self.org.city_supervisor, "supervision:key-case-assign", data)
        self.assertRedirects(response, reverse("supervision:board"))
        key = KeyCase.objects.get(case=self.town_case)
        self.assertEqual(key.leader, self.org.city_leader)
        self.assertEqual(outbox("key_case"), {"city_leader"})
        board = self.get(self.org.city_leader, "supervision:board")
        self.assertEqual(
            [(str(leader), len(keys)) for leader, keys in board.context["leaders"]],
            [("包保领导", 1)],
        )
        # Only a leader can own a case.
        wrong = dict(data, leader=self.org.city_supervisor.pk)
        self.assertEqual(
            self.post(self.org.city_supervisor, "supervision:key-case-assign", wrong).status_code,
            400,
        )
        with self.assertRaises(case_actions.TransitionRefused):
            actions.assign_leader(
                self.org.city_supervisor, self.town_case, leader=self.org.city_leader
            )
        self.post(self.org.city_supervisor, "supervision:key-case-release", {}, key.pk)
        self.assertIsNotNone(KeyCase.objects.get(pk=key.pk).released_at)

    def test_board_query_count_does_not_grow(self):
        self.client.force_login(self.org.city_supervisor)
        with time_machine.travel(LATE + dt.timedelta(hours=1), tick=False):
            self.client.get(reverse("supervision:board"))
            with self.assertNumQueries(6) as first:
                self.client.get(reverse("supervision:board"))
            for index in range(4):
                case = register(self.org, title=f"同类{index}", registered_at=T0)
                actions.issue_notice(
                    self.org.city_supervisor, case, reason="催办", reply_within=dt.timedelta(days=2)
                )
                actions.assign_leader(self.org.city_supervisor, case, leader=self.org.city_leader)
            with self.assertNumQueries(len(first.captured_queries)):
                response = self.client.get(reverse("supervision:board"))
        self.assertEqual(len(response.context["notices"]), 6)

    # --- the worker chases late replies -------------------------------------------

    def test_late_reply_is_flagged_once(self):
        due = self.auto_notice.due_at
        with time_machine.travel(due + dt.timedelta(minutes=1), tick=False):
            # Both villages' automatic notices are late.
            self.assertEqual(Worker().run_once().late_notices, 2)
            self.assertEqual(Worker().run_once().late_notices, 0)
        self.assertIn("city_supervisor", outbox("notice_overdue"))
        self.assertEqual(
            self.late.events.filter(action=Action.SUPERVISE, data__late=True).count(), 1
        )

    # --- the joint meeting --------------------------------------------------------

    def convene(self):
        data = {
            "jurisdiction": self.org.town.pk,
            "title": "玲珑镇三月信访联席会议",
            "held_at": "2026-03-18T15:00",
        }
        response = self.post(self.org.city_supervisor, "supervision:meetings", data)
        meeting = JointMeeting.objects.get()
        self.assertRedirects(response, reverse("supervision:meeting", args=(meeting.pk,)))
        return meeting

    def test_agenda_minutes_and_decisions(self):
        actions.assign_leader(self.org.city_supervisor, self.town_case, leader=self.org.city_leader)
        meeting = self.convene()
        self.post(self.org.city_supervisor, "supervision:meeting-agenda", {}, meeting.pk)
        reasons = {
            item.case_id: item.reasons for item in AgendaItem.objects.filter(meeting=meeting)
        }
        self.assertEqual(
            reasons,
            {
                self.late.pk: [AgendaReason.OVERDUE],
                self.town_case.pk: [AgendaReason.KEY, AgendaReason.CROSS_DEPARTMENT],
            },
        )
        # Building again adds nothing twice.
        self.post(self.org.city_supervisor, "supervision:meeting-agenda", {}, meeting.pk)
        self.assertEqual(AgendaItem.objects.filter(meeting=meeting).count(), 2)

        # Written at 10:00 for a meeting at 15:00: the preparation; it is not held yet.
        minutes = {"minutes": "会议研究了两件事项。"}
        self.post(self.org.city_supervisor, "supervision:meeting-minutes", minutes, meeting.pk)
        meeting.refresh_from_db()
        self.assertEqual(
            (meeting.state, meeting.minutes), (MeetingState.PLANNED, minutes["minutes"])
        )
        # After the meeting, the minutes with who attended: people and units.
        minutes.update(
            attendees=[self.org.town_clerk.pk, self.org.town_handler.pk],
            attending_units=[self.org.town_office.pk, self.org.labour_bureau.pk],
        )
        with time_machine.travel(at(2026, 3, 18, 17), tick=False):
            url = reverse("supervision:meeting-minutes", args=(meeting.pk,))
            self.assertEqual(self.client.post(url, minutes).status_code, 302)
        meeting.refresh_from_db()
        self.assertEqual(meeting.state, MeetingState.HELD)
        self.assertEqual(set(meeting.attendees.all()), {self.org.town_clerk, self.org.town_handler})
        self.assertEqual(
            set(meeting.attending_units.all()), {self.org.town_office, self.org.labour_bureau}
        )
        page = self.get(self.org.town_clerk, "supervision:meeting", meeting.pk)
        self.assertContains(page, "综治办承办人")
        self.assertContains(page, str(self.org.labour_bureau))

        decision = {
            "text": "综治办牵头，派出所配合，一周内修复道路",
            "owners": [self.org.town_handler.pk],
            "due_at": "2026-03-25T18:00",
            "tracking_number": self.town_case.tracking_number,
        }
        response = self.post(
            self.org.city_supervisor, "supervision:meeting-decision", decision, meeting.pk
        )
        self.assertRedirects(response, reverse("supervision:meeting", args=(meeting.pk,)))
        task = MeetingDecision.objects.get()
        self.assertEqual(
            (list(task.owners.all()), task.case), ([self.org.town_handler], self.town_case)
        )
        self.assertEqual(outbox("decision_assigned"), {"town_handler"})
        self.assertTrue(
            self.town_case.events.filter(action=Action.SUPERVISE, data__decision=task.pk)
        )

        # The village agent sees the meeting, but only the agenda items of the village.
        page = self.get(self.org.village_agent, "supervision:meeting", meeting.pk)
        self.assertEqual([i.case_id for i in page.context["agenda"]], [self.late.pk])
        self.assertIsNone(page.context["minutes_form"])
        self.assertEqual(
            self.get(self.org.other_town_clerk, "supervision:meeting", meeting.pk).status_code, 404
        )

        # The worker chases the task: yellow a day before, red after; once each.
        with time_machine.travel(at(2026, 3, 24, 19), tick=False):
            self.assertEqual(Worker().run_once().decisions, 1)
            self.assertEqual(Worker().run_once().decisions, 0)
        with time_machine.travel(at(2026, 3, 25, 18, 1), tick=False):
            self.assertEqual(Worker().run_once().decisions, 1)
        self.assertEqual(outbox("decision_warning"), {"town_handler"})
        self.assertEqual(outbox("decision_overdue"), {"town_handler", "city_supervisor"})

        # The owner reports it done from the meeting page.
        page = self.get(self.org.town_handler, "supervision:meeting", meeting.pk)
        self.assertContains(page, reverse("supervision:decision-done", args=(task.pk,)))
        field = f"decision-{task.pk}-note"
        self.post(
            self.org.town_handler, "supervision:decision-done", {field: "道路已修复"}, task.pk
        )
        task.refresh_from_db()
        self.assertEqual((task.state, task.done_note), (DecisionState.DONE, "道路已修复"))
        denied = self.post(
            self.org.village_agent, "supervision:decision-done", {field: "x"}, task.pk
        )
        self.assertEqual(denied.status_code, 403)

    def test_meeting_rights_and_input(self):
        data = {"jurisdiction": self.org.town.pk, "title": "x", "held_at": "2026-03-18T15:00"}
        self.assertEqual(
            self.post(self.org.town_clerk, "supervision:meetings", data).status_code, 403
        )
        bad = {"jurisdiction": self.org.village.pk, "title": "", "held_at": "昨天"}
        response = self.post(self.org.city_supervisor, "supervision:meetings", bad)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.context["form"].errors), {"jurisdiction", "title", "held_at"})
        meeting = self.convene()
        past = {"text": "x", "owners": [self.org.town_handler.pk], "due_at": "2026-03-01T10:00"}
        response = self.post(
            self.org.city_supervisor, "supervision:meeting-decision", past, meeting.pk
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("due_at", response.context["decision_form"].errors)
        far = dict(past, due_at="2026-04-01T10:00", tracking_number=self.far.tracking_number)
        response = self.post(
            self.org.city_supervisor, "supervision:meeting-decision", far, meeting.pk
        )
        self.assertIn("tracking_number", response.context["decision_form"].errors)
        self.assertEqual(
            self.post(
                self.org.town_handler, "supervision:meeting-agenda", {}, meeting.pk
            ).status_code,
            403,
        )

    def test_meeting_page_query_count(self):
        meeting = self.convene()
        self.post(self.org.city_supervisor, "supervision:meeting-agenda", {}, meeting.pk)
        self.client.force_login(self.org.city_supervisor)
        url = reverse("supervision:meeting", args=(meeting.pk,))
        with time_machine.travel(LATE + dt.timedelta(hours=1), tick=False):
            actions.add_decision(
                self.org.city_supervisor,
                meeting,
                text="任务",
                owners=[self.org.town_handler],
                due_at=LATE + dt.timedelta(days=5),
            )
            self.client.get(url)
            # …, the attendees and units, the decisions' owners (one query for all).
            with self.assertNumQueries(12) as first:
                self.client.get(url)
            for index in range(3):
                actions.add_decision(
                    self.org.city_supervisor,
                    meeting,
                    text=f"任务{index}",
                    owners=[self.org.town_handler],
                    due_at=LATE + dt.timedelta(days=5),
                    case=self.town_case,
                )
            with self.assertNumQueries(len(first.captured_queries)):
                self.client.get(url)


class DecisionOwnerTests(TestCase):
    """A decision owned by a unit, or by several people: all of them are told, chased,
    and may report it done; others may not."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        with time_machine.travel(T0, tick=False):
            cls.meeting = actions.convene_meeting(
                cls.org.city_supervisor, jurisdiction=cls.org.town, title="联席会议", held_at=T0
            )

    def decide(self, **owners):
        with time_machine.travel(T0, tick=False):
            return actions.add_decision(
                self.org.city_supervisor,
                self.meeting,
                text="整治占道经营",
                due_at=T0 + dt.timedelta(days=7),
                **owners,
            )

    def test_a_unit_owns_the_decision(self):
        decision = self.decide(owner_unit=self.org.town_office)
        self.assertEqual(outbox("decision_assigned"), {"town_handler"})
        self.assertEqual(decision.owner_label, str(self.org.town_office))
        # The unit's staff see the meeting and report the task done.
        visible = JointMeeting.objects.visible_to(self.org.town_handler)
        self.assertIn(self.meeting, visible)
        with self.assertRaises(NotAllowed):
            actions.complete_decision(self.org.labour_handler, decision, note="x")
        actions.complete_decision(self.org.town_handler, decision, note="已整治")
        self.assertEqual(decision.state, DecisionState.DONE)

    def test_several_people_own_the_decision(self):
        decision = self.decide(owners=[self.org.town_clerk, self.org.labour_handler])
        self.assertEqual(outbox("decision_assigned"), {"town_clerk", "labour_handler"})
        with time_machine.travel(T0 + dt.timedelta(days=6, hours=12), tick=False):
            self.assertEqual(Worker().run_once().decisions, 1)
        self.assertEqual(outbox("decision_warning"), {"town_clerk", "labour_handler"})
        self.assertIn(self.meeting, JointMeeting.objects.visible_to(self.org.labour_handler))
        actions.complete_decision(self.org.labour_handler, decision, note="已配合")

    def test_someone_must_own_it(self):
        with self.assertRaises(ValidationFailed) as caught:
            self.decide()
        self.assertIn("owners", caught.exception.errors)
