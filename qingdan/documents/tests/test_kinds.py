"""Every kind against every state of its subject: offered where the table says and
issued; refused elsewhere, and refused for people without the right. The case page
offers exactly what the table allows."""

import datetime as dt

from django.utils import timezone

from qingdan.cases.choices import Rating, ReviewLevel, State
from qingdan.cases.models import Case, CaseEvent, ClosureAgreement
from qingdan.core.errors import NotAllowed, TransitionRefused, ValidationFailed
from qingdan.documents import actions
from qingdan.documents.choices import DocumentKind as K
from qingdan.documents.choices import Subject
from qingdan.documents.kinds import KINDS, offered_kinds, refusal
from qingdan.documents.models import Document
from qingdan.supervision.choices import MeetingState
from qingdan.supervision.models import JointMeeting

from . import helpers as h

CASE_KINDS = [kind for kind, spec in KINDS.items() if spec.subject == Subject.CASE]


class KindTableTests(h.DocumentsTestCase):
    def case_for(self, kind: str, state: str) -> Case:
        """A case in `state` that the kind applies to (its `when` holds), at the town."""
        org = self.org
        case = h.register(org, org.town_clerk, tier="town")
        now = timezone.now()
        Case.objects.filter(pk=case.pk).update(
            state=state,
            lead_unit=org.town_office,
            accepted_at=now,
            handling_started_at=now,
            handle_due_at=now + dt.timedelta(days=60),
            replied_at=now,
            reply_opinion="explains",
            reply_text="已答复",
            not_accepted_reason="不属于信访事项" if state == State.NOT_ACCEPTED else "",
            legal_channel="litigation" if state == State.DIVERTED else "",
            diversion_help="已协助" if state == State.DIVERTED else "",
            extension_days=30,
            extension_reason="需鉴定",
            assigning_body="烟台市信访局",
            assigning_reference="烟信交〔2026〕1号",
            rating=Rating.UNSATISFIED if state in (State.EVALUATED, State.CLOSED) else "",
            review_level={
                K.REVIEW_OPINION: ReviewLevel.REVIEW,
                K.RE_REVIEW_OPINION: ReviewLevel.RE_REVIEW,
            }.get(kind, ReviewLevel.ORIGINAL),
        )
        ClosureAgreement.objects.create(
            case=case, signed_at=timezone.localdate(), signed_by="张小明", summary="息诉"
        )
        case.refresh_from_db()
        return case

    def test_every_case_kind_in_every_state(self):
        actor = self.org.city_supervisor  # holds the tier right at every tier
        for kind in CASE_KINDS:
            spec = KINDS[kind]
            for state in State.values:
                with self.subTest(kind=kind, state=state):
                    case = self.case_for(kind, state)
                    events = CaseEvent.objects.filter(case=case).count()
                    offered = kind in [s.kind for s in offered_kinds(actor, case)]
                    self.assertEqual(offered, state in spec.states)
                    if state in spec.states:
                        document = actions.issue(actor, case, kind=kind)
                        self.assertEqual(document.case, case)
                        self.assertEqual(CaseEvent.objects.filter(case=case).count(), events + 1)
                    else:
                        with self.assertRaises(TransitionRefused) as refused:
                            actions.issue(actor, case, kind=kind)
                        self.assertEqual(refused.exception.code, "state_refuses")
                        self.assertFalse(Document.objects.filter(case=case).exists())
                        self.assertEqual(CaseEvent.objects.filter(case=case).count(), events)

    def test_a_kind_that_does_not_apply_is_refused(self):
        org = self.org
        case = h.accepted(org)  # no extension, no superior, original level
        for kind in (K.EXTENSION_NOTICE, K.ASSIGNMENT_SLIP, K.TRANSFER_NOTICE):
            with self.subTest(kind=kind):
                self.assertEqual(refusal(kind, org.village_agent, case), "applies")
                with self.assertRaises(TransitionRefused) as refused:
                    actions.issue(org.village_agent, case, kind=kind)
                self.assertEqual(refused.exception.code, "kind_not_applicable")
        replied = h.replied(org)
        for kind in (
            K.REVIEW_OPINION,
            K.RE_REVIEW_OPINION,
            K.COMPLETION_REPORT,
            K.CLOSURE_AGREEMENT,
        ):
            with self.subTest(kind=kind):
                self.assertEqual(refusal(kind, org.village_agent, replied), "applies")
        self.assertIsNone(refusal(K.REPLY, org.village_agent, replied))

    def test_a_kind_for_another_subject_is_refused_by_field(self):
        org = self.org
        case = h.accepted(org)
        for kind in (K.SUPERVISION_SLIP, K.MEETING_MINUTES, K.SERVICE_RECEIPT, "nonsense"):
            with self.subTest(kind=kind):
                with self.assertRaises(ValidationFailed) as refused:
                    actions.issue(org.village_agent, case, kind=kind)
                self.assertIn("kind", refused.exception.errors)

    def test_people_without_the_right_are_refused(self):
        org = self.org
        case = h.replied(org)  # at the village: its agent and the overseers hold the tier
        for persona in ("other_village_agent", "town_handler", "unrelated_handler", "analyst"):
            user = getattr(org, persona)
            with self.subTest(persona=persona):
                self.assertEqual(offered_kinds(user, case), [])
                with self.assertRaises(NotAllowed):
                    actions.issue(user, case, kind=K.REPLY)
        self.assertEqual([s.kind for s in offered_kinds(org.village_agent, case)], [K.REPLY])

    def test_supervision_slips_for_overseers_and_minutes_for_the_meeting(self):
        org = self.org
        notice = h.notice(org)
        self.assertIsNone(refusal(K.SUPERVISION_SLIP, org.city_supervisor, notice))
        # The village agent sees the case but does not supervise.
        self.assertEqual(refusal(K.SUPERVISION_SLIP, org.village_agent, notice), "rights")
        meeting = h.held_meeting(org)
        self.assertIsNone(refusal(K.MEETING_MINUTES, org.city_supervisor, meeting))
        self.assertEqual(refusal(K.MEETING_MINUTES, org.village_agent, meeting), "rights")
        JointMeeting.objects.filter(pk=meeting.pk).update(state=MeetingState.PLANNED)
        meeting.refresh_from_db()
        self.assertEqual(refusal(K.MEETING_MINUTES, org.city_supervisor, meeting), "state")
        JointMeeting.objects.filter(pk=meeting.pk).update(state=MeetingState.HELD)
        meeting.refresh_from_db()
        minutes = actions.issue(org.city_supervisor, meeting, kind=K.MEETING_MINUTES)
        # A receipt for minutes: whoever manages the meeting; never a receipt of a receipt.
        receipt = actions.issue(org.city_supervisor, minutes, kind=K.SERVICE_RECEIPT)
        self.assertEqual(refusal(K.SERVICE_RECEIPT, org.city_supervisor, receipt), "applies")
        self.assertEqual(refusal(K.SERVICE_RECEIPT, org.village_agent, minutes), "rights")

    def test_the_case_page_offers_exactly_the_table(self):
        org = self.org
        case = h.replied(org)
        h.notice_on(org, case)
        self.client.force_login(org.city_supervisor)
        response = self.client.get(f"/cases/{case.pk}/")
        offered = {s.kind for s in offered_kinds(org.city_supervisor, case)}
        self.assertEqual(offered, {K.REPLY})
        listed = {item["spec"].kind for item in response.context["documents_panel"]["offered"]}
        self.assertEqual(listed, offered | {K.SUPERVISION_SLIP})
        for kind in KINDS:
            marker = f'<li data-kind="{kind}"><a href="/documents/new/'
            with self.subTest(kind=kind):
                if kind in listed:
                    self.assertContains(response, marker)
                else:
                    self.assertNotContains(response, marker)
        # Someone who may issue nothing sees no list at all.
        self.client.force_login(org.analyst)
        self.assertNotContains(self.client.get(f"/cases/{case.pk}/"), 'id="offered-kinds"')
