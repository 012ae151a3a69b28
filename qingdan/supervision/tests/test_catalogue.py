"""The supervision catalogue is complete and its table is the spec.

Every supervision action has its row (states of its subject, who may), its web form,
its API endpoint with its own request body and operation id, its inputs among its
function's parameters, and its row in the action × persona matrix below, written by
hand from the rules. The actions refuse exactly what the matrix refuses.
"""

import datetime as dt
import inspect

from django.test import TestCase

from qingdan.cases import actions as case_actions
from qingdan.cases.choices import State
from qingdan.core.errors import TransitionRefused
from qingdan.core.forms import action_form
from qingdan.core.tests.catalogue_checks import NOBODY, CatalogueChecks
from qingdan.orgs.testing import PERSON, build_county

from .. import actions
from ..catalogue import SUPERVISION_ACTIONS
from ..transitions import TRANSITIONS

# The city's supervisor and leader oversee everything; the administrator may do all.
OVERSEERS = frozenset({"city_supervisor", "city_leader", "administrator"})
FUTURE = dt.datetime(2099, 1, 1, 9, tzinfo=dt.UTC)

# action: {subject: who may}. Subjects (built below): open cases at the village and at
# the town (led by the town office), a case not accepted; a notice to the village,
# one to the town office, one answered; an active and an ended leader ownership; the
# places a meeting may be convened in; the town's meeting; an open and a done decision
# owned by the town clerk and the labour bureau.
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "issue_notice": {"case_v": OVERSEERS, "case_t": OVERSEERS, "finished": NOBODY},
    "reply_notice": {
        # A notice with no unit is the place's to answer; one to a unit, the unit's.
        "notice_v": frozenset({"village_agent", "administrator"}),
        "notice_t": frozenset({"town_handler", "administrator"}),
        "answered": NOBODY,
    },
    "assign_leader": {"case_v": OVERSEERS, "case_t": OVERSEERS, "finished": NOBODY},
    "release_leader": {"key": OVERSEERS, "released": NOBODY},
    # A village holds no joint meeting.
    "convene_meeting": {"town": OVERSEERS, "city": OVERSEERS, "village": NOBODY},
    "build_agenda": {"meeting": OVERSEERS},
    "record_minutes": {"meeting": OVERSEERS},
    "add_decision": {"meeting": OVERSEERS},
    # Its owners (a person, and the staff of the owning unit) and the meeting's managers.
    "complete_decision": {
        "decision": OVERSEERS | {"town_clerk", "labour_handler"},
        "done": NOBODY,
    },
}


class SupervisionCatalogueTests(CatalogueChecks, TestCase):
    catalogue = SUPERVISION_ACTIONS
    rules = TRANSITIONS
    matrix = MATRIX

    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()

        def register(user, place, title):
            return case_actions.register_case(
                user,
                channel="walk_in",
                title=title,
                content=title,
                jurisdiction=place,
                petitioner=dict(PERSON),
            )

        case_v = register(org.village_agent, org.village, "路灯坏了")
        case_t = register(org.town_clerk, org.town, "道路破损")
        case_actions.accept(org.town_clerk, case_t)
        case_actions.assign(org.town_clerk, case_t, lead_unit=org.town_office)
        finished = register(org.village_agent, org.village, "不属于受理范围")
        case_actions.not_accept(org.village_agent, finished, reason="不属于")
        owned = register(org.village_agent, org.village, "围墙倒塌")
        supervisor, days = org.city_supervisor, dt.timedelta(days=3)
        answered = actions.issue_notice(supervisor, case_v, reason="请答复", reply_within=days)
        actions.reply_notice(org.village_agent, answered, reply_text="已处理")
        released = actions.assign_leader(supervisor, owned, leader=org.city_leader)
        actions.release_leader(supervisor, released)
        meeting = actions.convene_meeting(
            supervisor, jurisdiction=org.town, title="联席会议", held_at=FUTURE
        )
        done = actions.add_decision(
            supervisor, meeting, text="已办", owners=[org.town_clerk], due_at=FUTURE
        )
        actions.complete_decision(org.town_clerk, done, note="已办结")
        cls.subjects = {
            "case_v": case_v,
            "case_t": case_t,
            "finished": finished,
            "notice_v": actions.issue_notice(
                supervisor, case_v, reason="请回复", reply_within=days
            ),
            "notice_t": actions.issue_notice(
                supervisor, case_t, reason="请回复", reply_within=days
            ),
            "answered": answered,
            "key": actions.assign_leader(supervisor, owned, leader=org.city_leader),
            "released": released,
            "town": org.town,
            "city": org.city,
            "village": org.village,
            "meeting": meeting,
            "decision": actions.add_decision(
                supervisor,
                meeting,
                text="跟踪",
                owners=[org.town_clerk],
                owner_unit=org.labour_bureau,
                due_at=FUTURE,
            ),
            "done": done,
        }

    def subject(self, name):
        """A fresh copy: a refused or rolled-back call leaves nothing behind on it."""
        subject = self.subjects[name]
        return type(subject).objects.get(pk=subject.pk)

    def inputs(self, action: str, subject) -> dict:
        """Valid inputs of each action: only its row may refuse them."""
        org = self.org
        return {
            "issue_notice": {
                "case": subject,
                "reason": "三日内答复",
                "reply_within": dt.timedelta(days=3),
            },
            "reply_notice": {"reply_text": "已答复"},
            "assign_leader": {"case": subject, "leader": org.city_leader},
            "release_leader": {},
            "convene_meeting": {"jurisdiction": subject, "title": "联席会议", "held_at": FUTURE},
            "build_agenda": {},
            "record_minutes": {"minutes": "会议纪要", "attendees": [org.town_clerk]},
            "add_decision": {"text": "整治", "owners": [org.town_handler], "due_at": FUTURE},
            "complete_decision": {"note": "已完成"},
        }[action]

    def test_an_action_on_a_subject_takes_it_after_the_actor(self):
        for spec in SUPERVISION_ACTIONS:
            with self.subTest(action=spec.name):
                self.assertFalse(spec.versioned)
                parameters = inspect.signature(spec.function).parameters
                positional = [
                    name
                    for name, parameter in parameters.items()
                    if parameter.kind == parameter.POSITIONAL_OR_KEYWORD
                ]
                # (actor, subject, *, inputs); a case picked by number is an input.
                if spec.on_subject:
                    self.assertEqual(len(positional), 2)
                    self.assertNotIn(positional[1], spec.fields)
                else:
                    self.assertLessEqual(set(positional[1:]), set(spec.fields))

    def test_every_action_has_its_form(self):
        for spec in SUPERVISION_ACTIONS:
            subject = self.subject(next(iter(MATRIX[spec.name]))) if spec.on_subject else None
            with self.subTest(action=spec.name):
                form = action_form(spec)(subject=subject, user=self.org.administrator)
                asked = {name: field for name, field in spec.fields.items() if field.in_form}
                self.assertEqual(
                    set(form.fields), {field.form_name or name for name, field in asked.items()}
                )
                self.assertEqual(form.action, spec.name)

    def test_a_finished_case_is_refused_for_its_state(self):
        finished = self.subject("finished")
        self.assertEqual(finished.state, State.NOT_ACCEPTED)
        with self.assertRaises(TransitionRefused) as caught:
            actions.issue_notice(
                self.org.city_supervisor, finished, reason="x", reply_within=dt.timedelta(days=1)
            )
        self.assertEqual((caught.exception.code, caught.exception.field), ("case_finished", "case"))
