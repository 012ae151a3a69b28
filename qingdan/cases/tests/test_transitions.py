"""Every action against every state: allowed where the table says, refused elsewhere,
and refused for people without the right."""

import datetime as dt
import tempfile
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.utils import timezone

from qingdan.cases import actions
from qingdan.cases.choices import Action, LegalChannel, Rating, ReplyOpinion, ReviewLevel, State
from qingdan.cases.models import Case, CaseEvent, CoHandling
from qingdan.cases.transitions import PAUSE_CLOCK, RESUME_CLOCK, TRANSITIONS, allowed_actions
from qingdan.core.errors import NotAllowed, TransitionRefused
from qingdan.orgs.testing import PERSON, build_county

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def call(action: str, actor, case: Case, org):
    """One valid call of each action."""
    A = actions
    return {
        Action.ACCEPT: lambda: A.accept(actor, case),
        Action.NOT_ACCEPT: lambda: A.not_accept(actor, case, reason="不属于信访事项"),
        Action.DIVERT: lambda: A.divert(
            actor, case, legal_channel=LegalChannel.LITIGATION, help_given="协助立案"
        ),
        Action.RESOLVE_ON_THE_SPOT: lambda: A.resolve_on_the_spot(actor, case, reply_text="已办"),
        Action.ESCALATE: lambda: A.escalate(actor, case, reason="需上级协调"),
        Action.HAND_BACK: lambda: A.hand_back(actor, case, reason="属村级事项"),
        Action.TAKE_OVER: lambda: A.take_over(actor, case, reason="需市级协调"),
        Action.ADD_PETITIONER: lambda: A.add_petitioner(
            actor, case, name="李四", phone="13900001111"
        ),
        Action.TRANSFER: lambda: A.transfer(
            actor, case, to_jurisdiction=org.other_village, reason="属地管理"
        ),
        Action.ASSIGN: lambda: A.assign(actor, case, lead_unit=org.town_justice),
        Action.CO_HANDLE: lambda: A.add_co_handling(actor, case, units=[org.police_station]),
        Action.CO_OPINION: lambda: A.give_co_opinion(actor, case, opinion="已核实用工情况"),
        Action.EXTEND: lambda: A.extend(
            actor,
            case,
            days=30,
            reason="案情复杂",
            approved_by="王镇长",
            reason_told_to_petitioner=True,
        ),
        Action.REPLY: lambda: A.reply(
            actor, case, reply_opinion=ReplyOpinion.SUPPORTS, reply_text="同意诉求"
        ),
        Action.EVALUATE: lambda: A.record_evaluation(actor, case, rating=Rating.SATISFIED),
        Action.CLOSE: lambda: A.close(actor, case),
        Action.REOPEN: lambda: A.reopen(actor, case, reason="群众不满意"),
        Action.REQUEST_REVIEW: lambda: A.request_review(actor, case, reason="不服处理意见"),
        Action.CLOSURE_AGREEMENT: lambda: A.record_closure_agreement(
            actor, case, signed_at=timezone.localdate(), signed_by="张小明", summary="息诉罢访"
        ),
        Action.NOTE: lambda: A.add_note(actor, case, note="电话回访"),
        Action.LINK: lambda: A.link_cases(actor, case, other=org.other_case),
        Action.ATTACH: lambda: A.add_attachment(
            actor, case, file=SimpleUploadedFile("现场.png", PNG, "image/png")
        ),
        # The handling clock of a re-review stops for a hearing (see case_in).
        PAUSE_CLOCK: lambda: A.pause_clock(actor, case, reason="举行听证"),
        RESUME_CLOCK: lambda: (
            A.pause_clock(actor, case, reason="举行听证"),
            A.resume_clock(actor, case, note="听证结束"),
        ),
    }[action]()


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="qingdan-media-"))
class TransitionTableTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.org.other_case = actions.register_case(
            cls.org.town_clerk,
            channel="phone",
            title="另一件",
            content="另一件",
            jurisdiction=cls.org.village,
        )

    def case_in(self, state: str, review_level: int = 0, petitioner=PERSON) -> Case:
        case = actions.register_case(
            self.org.village_agent,
            channel="walk_in",
            title="路灯坏了",
            content="村口路灯不亮",
            jurisdiction=self.org.village,
            petitioner=petitioner,
        )
        now = timezone.now()
        Case.objects.filter(pk=case.pk).update(
            state=state,
            tier="town",
            lead_unit=self.org.town_office if state == State.IN_PROGRESS else None,
            accepted_at=now,
            handling_started_at=now,
            replied_at=now - dt.timedelta(days=1),
            rating=Rating.UNSATISFIED if state in (State.EVALUATED, State.CLOSED) else "",
            review_level=review_level,
        )
        case.refresh_from_db()
        return case

    def test_every_action_in_every_state(self):
        actor = self.org.city_supervisor
        for action, transition in TRANSITIONS.items():
            for state in State.values:
                with self.subTest(action=action, state=state):
                    clock = action in (PAUSE_CLOCK, RESUME_CLOCK)
                    case = self.case_in(
                        state,
                        review_level=ReviewLevel.RE_REVIEW if clock else 0,
                        petitioner=None if action == Action.ADD_PETITIONER else PERSON,
                    )
                    events = CaseEvent.objects.filter(case=case).count()
                    who = actor
                    if action == Action.CO_OPINION:  # only a co-handling unit's handler
                        CoHandling.objects.create(case=case, department=self.org.labour_bureau)
                        who = self.org.labour_handler
                    if state in transition.sources:
                        call(action, who, case, self.org)
                        case.refresh_from_db()
                        self.assertGreater(CaseEvent.objects.filter(case=case).count(), events)
                        if transition.target:
                            self.assertEqual(case.state, transition.target)
                    else:
                        with self.assertRaises(TransitionRefused) as refused:
                            call(action, who, case, self.org)
                        self.assertEqual(refused.exception.code, "state_refuses")
                        case.refresh_from_db()
                        self.assertEqual(case.state, state)
                        self.assertEqual(CaseEvent.objects.filter(case=case).count(), events)

    def test_people_without_the_right_are_refused(self):
        case = self.case_in(State.ACCEPTED)  # at the town tier
        for persona in ("village_agent", "other_town_clerk", "unrelated_handler", "analyst"):
            user = getattr(self.org, persona)
            for action in (Action.ACCEPT, Action.ASSIGN, Action.REPLY, Action.ESCALATE):
                if case.state not in TRANSITIONS[action].sources:
                    continue
                with self.subTest(persona=persona, action=action):
                    with self.assertRaises(NotAllowed):
                        call(action, user, case, self.org)
        self.assertEqual(allowed_actions(self.org.other_town_clerk, case), [])
        self.assertIn(Action.ASSIGN, allowed_actions(self.org.town_clerk, case))

    def test_lead_unit_replies_but_cannot_route(self):
        case = self.case_in(State.IN_PROGRESS)
        handler = self.org.town_handler
        self.assertEqual(
            set(allowed_actions(handler, case)),
            {Action.REPLY, Action.CO_HANDLE, Action.NOTE, Action.LINK, Action.ATTACH},
        )
        with self.assertRaises(NotAllowed):
            actions.escalate(handler, case, reason="x")
        actions.reply(handler, case, reply_opinion=ReplyOpinion.EXPLAINS, reply_text="已解释")
        self.assertEqual(case.state, State.REPLIED)


class RuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def register(self, actor=None, **extra):
        fields = dict(
            channel="walk_in",
            title="漏水",
            content="屋顶漏水",
            jurisdiction=self.org.village,
            petitioner=PERSON,
        )
        fields.update(extra)
        return actions.register_case(actor or self.org.village_agent, **fields)

    @time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI), tick=False)
    def test_extension_once_at_most_30_days_with_approval_and_notice(self):
        case = self.register()
        actions.accept(self.org.village_agent, case)
        due = case.handle_due_at
        bad = dict(days=31, reason="", approved_by="", reason_told_to_petitioner=False)
        with self.assertRaises(actions.ValidationFailed) as raised:
            actions.extend(self.org.village_agent, case, **bad)
        self.assertEqual(
            set(raised.exception.errors),
            {"days", "reason", "approved_by", "reason_told_to_petitioner"},
        )
        actions.extend(
            self.org.village_agent,
            case,
            days=30,
            reason="需鉴定",
            approved_by="李书记",
            reason_told_to_petitioner=True,
        )
        # 60 days from 1 June end on Friday 31 July; 90 days on Sunday 30 August,
        # which moves to Monday 31 August.
        self.assertEqual(due, dt.datetime(2026, 7, 31, 23, 59, 59, tzinfo=SHANGHAI))
        self.assertEqual(case.handle_due_at, dt.datetime(2026, 8, 31, 23, 59, 59, tzinfo=SHANGHAI))
        with self.assertRaises(TransitionRefused) as again:
            actions.extend(
                self.org.village_agent,
                case,
                days=5,
                reason="再延",
                approved_by="李书记",
                reason_told_to_petitioner=True,
            )
        self.assertEqual(again.exception.code, "already_extended")

    def test_reopen_only_after_unsatisfied(self):
        case = self.register()
        agent = self.org.village_agent
        actions.resolve_on_the_spot(agent, case, reply_text="已修复")
        actions.record_evaluation(agent, case, rating=Rating.BASICALLY_SATISFIED)
        with self.assertRaises(TransitionRefused) as refused:
            actions.reopen(agent, case, reason="x")
        self.assertEqual(refused.exception.code, "reopen_needs_unsatisfied")

    def test_review_window_and_finality(self):
        agent = self.org.village_agent
        case = self.register()
        actions.resolve_on_the_spot(
            agent, case, reply_text="不予支持", reply_opinion="does_not_support"
        )
        # The window runs from the answer's recorded service (arts. 35-36): served 40
        # days ago, it is closed; served now, it is open.
        long_ago = timezone.now() - dt.timedelta(days=40)
        Case.objects.filter(pk=case.pk).update(replied_at=long_ago, answer_served_at=long_ago)
        case.refresh_from_db()
        with self.assertRaises(TransitionRefused) as late:
            actions.request_review(agent, case, reason="不服")
        self.assertEqual(late.exception.code, "review_too_late")
        Case.objects.filter(pk=case.pk).update(answer_served_at=timezone.now())
        case.refresh_from_db()
        review = actions.request_review(agent, case, reason="不服")
        self.assertEqual((review.review_level, review.tier, review.parent), (1, "town", case))
        clerk = self.org.town_clerk
        actions.accept(clerk, review)
        actions.reply(clerk, review, reply_opinion="does_not_support", reply_text="维持")
        re_review = actions.request_review(clerk, review, reason="仍不服")
        self.assertEqual((re_review.review_level, re_review.tier), (2, "city"))
        boss = self.org.city_supervisor
        actions.accept(boss, re_review)
        actions.reply(boss, re_review, reply_opinion="does_not_support", reply_text="维持")
        with self.assertRaises(TransitionRefused) as final:
            actions.request_review(boss, re_review, reason="还不服")
        self.assertEqual(final.exception.code, "matter_final")
        # The same facts raised again after re-review are refused with the reason.
        with self.assertRaises(TransitionRefused) as again:
            self.register(same_matter_as=case)
        self.assertEqual(
            (again.exception.code, again.exception.field), ("matter_final", "same_matter_as")
        )
        self.assertIn(re_review.tracking_number, str(again.exception.message))

    def test_same_matter_raised_higher_within_limit_is_flagged(self):
        first = self.register(category=self.org.construction)
        actions.accept(self.org.village_agent, first)
        again = self.register(self.org.town_clerk, category=self.org.construction)
        # The triage app may add its own flags (a repeat petition); this rule's flag is one.
        flag = again.flags.get(kind="raised_higher_within_limit")
        self.assertEqual(flag.evidence["case"], first.tracking_number)
        same_level = self.register(category=self.org.construction)
        self.assertFalse(same_level.flags.filter(kind="raised_higher_within_limit").exists())

    def test_group_petition_at_most_five_representatives(self):
        reps = [{"name": f"代表{i}", "phone": "13812345678"} for i in range(6)]
        with self.assertRaises(actions.ValidationFailed) as raised:
            self.register(headcount=30, representatives=reps)
        self.assertIn("representatives", raised.exception.errors)
        case = self.register(headcount=30, representatives=reps[:5])
        self.assertEqual((case.headcount, case.representatives.count()), (30, 5))

    def test_validation_names_every_bad_field_and_saves_nothing(self):
        before = Case.objects.count()
        with self.assertRaises(actions.ValidationFailed) as raised:
            actions.register_case(
                self.org.village_agent,
                channel="fax",
                title="",
                content="",
                jurisdiction=None,
                petitioner={
                    "name": "",
                    "id_number": "110105194912310021",
                    "phone": "12345",
                    "kind": "person",
                },
            )
        self.assertEqual(
            set(raised.exception.errors),
            {
                "channel",
                "title",
                "content",
                "jurisdiction",
                "petitioner.name",
                "petitioner.id_number",
                "petitioner.phone",
            },
        )
        self.assertEqual(Case.objects.count(), before)

    def test_cannot_register_outside_own_jurisdiction(self):
        with self.assertRaises(NotAllowed):
            self.register(self.org.other_town_clerk)

    def test_enterprise_needs_a_valid_credit_code(self):
        with self.assertRaises(actions.ValidationFailed) as raised:
            self.register(
                petitioner={
                    "kind": "enterprise",
                    "name": "某公司",
                    "credit_code": "91110000600037341X",
                }
            )
        self.assertIn("petitioner.credit_code", raised.exception.errors)

    def test_tracking_numbers_are_sequential_per_year(self):
        a, b = self.register(), self.register()
        year = timezone.localtime().year
        self.assertRegex(a.tracking_number, rf"^ZY-{year}-\d{{6}}$")
        self.assertEqual(int(b.tracking_number[-6:]), int(a.tracking_number[-6:]) + 1)

    def test_timeline_is_append_only(self):
        case = self.register()
        event = case.events.get()
        event.note = "changed"
        with self.assertRaises(RuntimeError):
            event.save()
        with self.assertRaises(RuntimeError):
            event.delete()
