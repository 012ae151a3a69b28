"""The stories of the three tiers, told through the actions layer, checked on the
timeline that proves every step."""

import threading

from django.contrib.admin.sites import site
from django.db import connection
from django.test import TestCase, TransactionTestCase

from qingdan.cases import actions
from qingdan.cases.choices import Rating, ReplyOpinion, State, Tier
from qingdan.cases.models import Case, CaseEvent, Petitioner
from qingdan.core.errors import VersionConflict
from qingdan.orgs.testing import PERSON, build_county


def timeline(case):
    return list(CaseEvent.objects.filter(case=case).values_list("action", "from_state", "to_state"))


class TierStoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def register(self, actor):
        return actions.register_case(
            actor,
            channel="walk_in",
            title="村里路灯坏了",
            content="村口路灯不亮，晚上出行不便",
            jurisdiction=self.org.village,
            petitioner=PERSON,
            category=self.org.construction,
        )

    def test_received_and_solved_in_the_village(self):
        agent = self.org.village_agent
        case = self.register(agent)
        self.assertEqual((case.tier, case.state), (Tier.VILLAGE, State.REGISTERED))
        actions.accept(agent, case)
        actions.resolve_on_the_spot(agent, case, reply_text="当天联系电工修复")
        actions.record_evaluation(agent, case, rating=Rating.SATISFIED)
        actions.close(agent, case)
        self.assertEqual(case.state, State.CLOSED)
        self.assertTrue(case.closed_on_time)
        self.assertEqual(
            timeline(case),
            [
                ("register", "", "registered"),
                ("accept", "registered", "accepted"),
                ("resolve_on_the_spot", "accepted", "replied"),
                ("evaluate", "replied", "evaluated"),
                ("close", "evaluated", "closed"),
            ],
        )
        self.assertTrue(all(e.actor == agent for e in case.events.all()))

    def test_escalated_to_the_town(self):
        agent, clerk = self.org.village_agent, self.org.town_clerk
        case = self.register(agent)
        actions.accept(agent, case)
        actions.escalate_to_town(agent, case, reason="涉及多户，村里协调不了")
        self.assertEqual(case.tier, Tier.TOWN)
        # The village agent can no longer route it, but follows it and reports back.
        with self.assertRaises(actions.NotAllowed):
            actions.assign(agent, case, lead_unit=self.org.town_office)
        actions.assign(clerk, case, lead_unit=self.org.town_office, note="综治办牵头")
        actions.reply(
            self.org.town_handler,
            case,
            reply_opinion=ReplyOpinion.SUPPORTS,
            reply_text="已协调供电所更换线路",
        )
        actions.record_evaluation(agent, case, rating=Rating.BASICALLY_SATISFIED)
        actions.close(clerk, case)
        escalation = case.events.get(action="escalate")
        self.assertEqual((escalation.from_tier, escalation.to_tier), ("village", "town"))
        self.assertEqual(escalation.note, "涉及多户，村里协调不了")
        assignment = case.events.get(action="assign")
        self.assertEqual(assignment.to_unit, self.org.town_office)
        self.assertEqual(assignment.actor, clerk)

    def test_escalated_to_the_city_with_two_co_handling_departments(self):
        agent, clerk, city = self.org.village_agent, self.org.town_clerk, self.org.city_supervisor
        case = self.register(agent)
        actions.accept(agent, case)
        actions.escalate_to_town(agent, case, reason="需镇协调")
        with self.assertRaises(actions.ValidationFailed):  # a town cannot task a city bureau
            actions.assign(clerk, case, lead_unit=self.org.housing_bureau)
        actions.escalate_to_city(clerk, case, reason="需市直部门联合处理")
        actions.assign(
            city,
            case,
            lead_unit=self.org.housing_bureau,
            co_units=[self.org.labour_bureau, self.org.environment_bureau],
        )
        self.assertEqual(
            set(case.co_handlings.values_list("department__name", flat=True)),
            {"人社局", "生态环境分局"},
        )
        # Co-handlers see it and add notes; only the lead unit replies.
        labour = self.org.labour_handler
        self.assertTrue(Case.objects.visible_to(labour).filter(pk=case.pk).exists())
        actions.add_note(labour, case, note="已核实工资发放情况")
        with self.assertRaises(actions.NotAllowed):
            actions.reply(labour, case, reply_opinion="supports", reply_text="x")
        actions.reply(
            self.org.city_handler, case, reply_opinion="supports", reply_text="已联合整改"
        )
        actions.record_evaluation(agent, case, rating=Rating.SATISFIED)
        actions.close(city, case)
        self.assertEqual(case.tier, Tier.CITY)
        self.assertEqual(
            [a for a, _f, _t in timeline(case)],
            [
                "register",
                "accept",
                "escalate",
                "escalate",
                "assign",
                "co_handle",
                "co_handle",
                "note",
                "reply",
                "evaluate",
                "close",
            ],
        )

    def test_hand_back_and_transfer(self):
        clerk = self.org.town_clerk
        case = self.register(clerk)
        self.assertEqual(case.tier, Tier.TOWN)
        actions.hand_back(clerk, case, reason="属村级事项")
        self.assertEqual(case.tier, Tier.VILLAGE)
        actions.transfer(
            self.org.village_agent, case, to_jurisdiction=self.org.far_village, reason="属地管理"
        )
        self.assertEqual(case.jurisdiction, self.org.far_village)
        self.assertFalse(Case.objects.visible_to(self.org.village_agent).filter(pk=case.pk))
        self.assertTrue(Case.objects.visible_to(self.org.far_village_agent).filter(pk=case.pk))
        event = case.events.get(action="transfer")
        self.assertEqual(
            (event.from_jurisdiction, event.to_jurisdiction, event.note),
            (self.org.village, self.org.far_village, "属地管理"),
        )

    def test_reopen_after_unsatisfied(self):
        agent = self.org.village_agent
        case = self.register(agent)
        actions.accept(agent, case)
        actions.resolve_on_the_spot(agent, case, reply_text="已修")
        first_due = case.handle_due_at
        actions.record_evaluation(agent, case, rating=Rating.UNSATISFIED, note="还是不亮")
        actions.reopen(agent, case, reason="回访不满意，重新办理")
        self.assertEqual((case.state, case.rating, case.reply_text), (State.IN_PROGRESS, "", ""))
        self.assertGreaterEqual(case.handle_due_at, first_due)
        reopen = case.events.get(action="reopen")
        self.assertEqual(reopen.data["previous"]["rating"], "unsatisfied")
        actions.reply(agent, case, reply_opinion="supports", reply_text="更换灯具")
        actions.record_evaluation(agent, case, rating=Rating.SATISFIED)
        actions.close(agent, case)
        self.assertEqual(case.state, State.CLOSED)

    def test_stale_write_gets_a_conflict_and_changes_nothing(self):
        agent = self.org.village_agent
        case = self.register(agent)
        stale = Case.objects.get(pk=case.pk)
        actions.accept(agent, case)
        with self.assertRaises(VersionConflict):
            actions.divert(agent, stale, legal_channel="litigation", help_given="协助起诉")
        self.assertEqual((stale.state, stale.legal_channel), ("registered", ""))
        with self.assertRaises(VersionConflict):
            actions.escalate_to_town(agent, case, reason="x", expected_version=1)
        case.refresh_from_db()
        self.assertEqual((case.state, case.version, case.tier), ("accepted", 2, "village"))
        self.assertEqual(case.events.count(), 2)


class MaskingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.case = actions.register_case(
            cls.org.village_agent,
            channel="walk_in",
            title="t",
            content="c",
            jurisdiction=cls.org.village,
            petitioner=PERSON,
        )

    def test_masked_everywhere_by_default(self):
        person = self.case.petitioner
        self.assertEqual(str(person), "张*明")
        self.assertEqual(
            person.masked(),
            {
                "kind": "person",
                "name": "张*明",
                "id_type": "resident_id",
                "id_type_label": "居民身份证",
                "id_number": "1101**********002X",
                "phone": "138****5678",
                "address": "玲珑镇欧*****",
                "credit_code": "",
                "contact_name": "",
                "email": "",
            },
        )

    def test_admin_shows_masked_values_only(self):
        self.client.force_login(self.org.administrator)
        for url in (
            "/admin/cases/petitioner/",
            f"/admin/cases/petitioner/{self.case.petitioner.pk}/change/",
            f"/admin/cases/case/{self.case.pk}/change/",
        ):
            body = self.client.get(url).content.decode()
            self.assertNotIn("13812345678", body, url)
            self.assertNotIn("11010519491231002X", body, url)
            self.assertNotIn("张小明", body, url)
        self.assertIn("138****5678", self.client.get("/admin/cases/petitioner/").content.decode())

    def test_reveal_needs_permission_and_is_logged(self):
        with self.assertRaises(actions.NotAllowed):
            actions.reveal_personal_data(self.org.village_agent, self.case, reason="回访")
        data = actions.reveal_personal_data(self.org.town_clerk, self.case, reason="电话回访")
        self.assertEqual(data["phone"], "13812345678")
        event = self.case.events.get(action="reveal")
        self.assertEqual((event.actor, event.note), (self.org.town_clerk, "电话回访"))

    def test_admin_registry_has_no_unmasked_petitioner_fields(self):
        admin = site._registry[Petitioner]
        self.assertFalse({"name", "phone", "id_number", "address"} & set(admin.fields))


class ConcurrentUpdateTests(TransactionTestCase):
    """Two writers who read the same version at once: one wins, one gets a conflict."""

    def test_two_threads_one_wins(self):
        org = build_county()
        case = actions.register_case(
            org.village_agent,
            channel="walk_in",
            title="t",
            content="c",
            jurisdiction=org.village,
        )
        first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def run(copy, action):
            barrier.wait()
            try:
                action(copy)
                outcomes.append("ok")
            except VersionConflict:
                outcomes.append("conflict")
            finally:
                connection.close()

        threads = [
            threading.Thread(
                target=run, args=(first, lambda c: actions.accept(org.village_agent, c))
            ),
            threading.Thread(
                target=run,
                args=(second, lambda c: actions.not_accept(org.village_agent, c, reason="不属于")),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(sorted(outcomes), ["conflict", "ok"])
        case.refresh_from_db()
        self.assertEqual(case.version, 2)
        self.assertEqual(case.events.count(), 2)
        self.assertIn(case.state, {"accepted", "not_accepted"})


class ConcurrentRegistrationTests(TransactionTestCase):
    """Many registrations at once, the first of the year among them: every one gets
    its own tracking number (on PostgreSQL the year's sequence is created on the fly)."""

    def test_parallel_registrations_get_distinct_numbers(self):
        org = build_county()
        numbers: list[str] = []
        errors: list[Exception] = []
        barrier = threading.Barrier(6)

        def register(index):
            barrier.wait()
            try:
                case = actions.register_case(
                    org.village_agent,
                    channel="walk_in",
                    title=f"并发{index}",
                    content="c",
                    jurisdiction=org.village,
                )
                numbers.append(case.tracking_number)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=register, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(len(set(numbers)), 6)
