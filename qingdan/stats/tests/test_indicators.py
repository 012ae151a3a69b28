"""Every indicator on the hand-counted history of `data.py`, both ways (rollup and
plain recount), with periods of every kind, empty periods and visibility."""

from unittest import mock

import time_machine
from django.db import connection
from django.test import TestCase

from qingdan.cases import actions
from qingdan.stats.indicators import compute, indicators
from qingdan.stats.periods import parse_period

from .data import EXPECTED_2026H1, NOW, build_history


class IndicatorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.c = build_history()
        cls.org = cls.c.org

    def report(self, user, period, by=None, **kwargs):
        with time_machine.travel(NOW, tick=False):
            return indicators(user, period, by, **kwargs)

    def assertClose(self, value, expected):
        self.assertAlmostEqual(value, expected, places=3)

    def assertIndicators(self, values, expected):
        for name, value in expected.items():
            with self.subTest(indicator=name):
                if isinstance(value, float):
                    self.assertClose(values[name], value)
                else:
                    self.assertEqual(values[name], value)

    def test_every_indicator_of_the_half_year(self):
        self.assertTrue(self.c.I.flags.filter(kind="repeat").exists(), "triage flags I")
        report = self.report(self.org.city_supervisor, "2026H1")
        self.assertEqual(report["source"], "rollup")
        self.assertIndicators(report["total"], EXPECTED_2026H1)

    def test_rollup_equals_plain_recount(self):
        for period in ("2026H1", "2026Q1", "2026-03", "2026", "2025H2", "2024"):
            for user in (self.org.city_supervisor, self.org.town_clerk, self.org.village_agent):
                with self.subTest(period=period, user=user.username):
                    with time_machine.travel(NOW, tick=False):
                        dims = ["jurisdiction", "unit", "category", "channel", "tier"]
                        rolled = compute(user, parse_period(period), dims, source="rollup")
                        counted = compute(user, parse_period(period), dims, source="live")
                    rolled.pop("source"), counted.pop("source")
                    self.assertEqual(rolled, counted)

    def test_periods_of_every_kind(self):
        supervisor = self.org.city_supervisor
        self.assertEqual(self.report(supervisor, "2026Q1")["total"]["received"], 5)  # A B C G H
        self.assertEqual(self.report(supervisor, "2026Q2")["total"]["received"], 4)  # D E F I
        march = self.report(supervisor, "2026-03")["total"]
        self.assertEqual((march["received"], march["closed"], march["repeat"]), (3, 1, 1))
        # 2026 is not over on 1 August: compared with January to August 2025 (Y1 Y2), not
        # with the whole of 2025 (Y3 came in the autumn).
        year = self.report(supervisor, "2026")
        self.assertEqual(year["total"]["received"], 9)
        self.assertEqual(year["year_ago"]["received"], 2)
        self.assertEqual(year["year_ago_period"]["end"], "2025-08-31")
        self.assertClose(year["change"]["yoy"]["received"], (9 - 2) / 2)
        self.assertEqual(year["cumulative"]["received"], 12)
        self.assertEqual(year["cumulative"]["to"], "2026-08-01")  # today, not 31 December
        self.assertClose(year["cumulative"]["received_yoy"], (12 - 2) / 2)
        # A finished period keeps the whole year before.
        whole = self.report(supervisor, "2025")
        self.assertEqual(whole["year_ago_period"]["end"], "2024-12-31")

    def test_year_on_year_month_on_month_and_cumulative(self):
        report = self.report(self.org.city_supervisor, "2026H1")
        self.assertEqual(report["year_ago"]["received"], 2)  # Y1 Y2
        self.assertEqual(report["previous"]["received"], 1)  # Y3
        self.assertClose(report["change"]["yoy"]["received"], (9 - 2) / 2)
        self.assertClose(report["change"]["mom"]["received"], (9 - 1) / 1)
        self.assertClose(report["change"]["yoy"]["closed"], (4 - 2) / 2)
        # A year ago: 2 rated, 1 satisfied 1 basically → satisfaction 0.95.
        self.assertClose(report["change"]["yoy"]["satisfaction_rate"], 0.58 - 0.95)
        self.assertIsNone(report["change"]["yoy"]["overdue"])  # none a year ago
        self.assertEqual(report["cumulative"]["received"], 12)
        self.assertEqual(report["cumulative"]["to"], "2026-06-30")
        self.assertEqual(report["cumulative"]["closed"], 7)
        self.assertClose(report["cumulative"]["received_yoy"], (12 - 2) / 2)
        march = next(m for m in report["trend"] if m["month"] == "2026-03")
        self.assertEqual((march["received"], march["in_period"]), (3, True))
        self.assertEqual(len(report["trend"]), 12)
        self.assertEqual(report["trend"][-1]["month"], "2026-06")
        may_2025 = next(m for m in report["trend"] if m["month"] == "2026-05")
        self.assertEqual(may_2025["received_year_ago"], 1)  # Y2

    def test_period_without_cases_divides_by_nothing(self):
        report = self.report(self.org.city_supervisor, "2024H1", "jurisdiction")
        total = report["total"]
        self.assertEqual(total["received"], 0)
        for rate in (
            "response_rate",
            "resolution_rate",
            "satisfaction_rate",
            "closure_rate",
            "on_time_rate",
            "village_rate",
            "composite_score",
        ):
            self.assertIsNone(total[rate], rate)
        self.assertIsNone(report["change"]["yoy"]["received"])
        self.assertEqual([g["name"] for g in report["groups"]], ["玲珑镇", "金岭镇"])
        self.assertTrue(all(g["received"] == 0 and g["rank"] is None for g in report["groups"]))

    def test_year_on_year_without_a_prior_year(self):
        report = self.report(self.org.city_supervisor, "2025H1")
        self.assertEqual(report["total"]["received"], 2)
        self.assertEqual(report["year_ago"]["received"], 0)
        self.assertIsNone(report["change"]["yoy"]["received"])
        self.assertIsNone(report["change"]["yoy"]["satisfaction_rate"])

    def test_breakdowns_and_unit_ranking(self):
        supervisor = self.org.city_supervisor
        units = self.report(supervisor, "2026H1", "unit")["groups"]
        self.assertEqual(
            [(g["name"], g["received"], g["rank"]) for g in units],
            [("玲珑镇司法所", 1, 1), ("招远市住建局", 1, 2), (units[2]["name"], 7, None)],
        )
        self.assertClose(units[0]["composite_score"], 100 * (0.1 + 0.5 + 0.4 * 0.9))
        self.assertClose(units[1]["composite_score"], 10.0)
        self.assertClose(units[2]["composite_score"], 100 * (0.1 * 6 / 7 + 0.5 + 0.4 * 2 / 3))
        by = {
            dim: {g["key"]: g["received"] for g in self.report(supervisor, "2026H1", dim)["groups"]}
            for dim in ("category", "channel", "tier", "jurisdiction")
        }
        self.assertEqual(
            by["category"],
            {
                "urban_rural_construction": 6,
                "labour_social_security": 2,
                "environmental_protection": 1,
            },
        )
        self.assertEqual(by["channel"], {"walk_in": 5, "phone": 2, "web": 1, "letter": 1})
        self.assertEqual(by["tier"], {"village": 5, "town": 3, "city": 1})
        self.assertEqual(by["jurisdiction"], {"370685100000": 6, "370685101000": 3})
        towns = self.report(supervisor, "2026H1", "jurisdiction")["groups"]
        self.assertClose(towns[1]["composite_score"], 60.0)  # 金岭镇: D G H

    def test_visibility(self):
        clerk = self.report(self.org.town_clerk, "2026H1", "jurisdiction")
        self.assertEqual(clerk["total"]["received"], 6)  # 玲珑镇: A B C E F I
        self.assertEqual(
            {g["name"]: g["received"] for g in clerk["groups"]}, {"欧家夼村": 5, "台上村": 1}
        )
        self.assertEqual(self.report(self.org.other_town_clerk, "2026H1")["total"]["received"], 3)
        self.assertEqual(self.report(self.org.village_agent, "2026H1")["total"]["received"], 5)
        # Handlers: their unit's cases, led or co-handled, counted straight from the cases.
        for handler, received in (
            (self.org.city_handler, 1),
            (self.org.labour_handler, 1),
            (self.org.unrelated_handler, 0),
        ):
            report = self.report(handler, "2026H1")
            self.assertEqual((report["source"], report["total"]["received"]), ("live", received))

    def test_bad_period_or_dimension_names_the_field(self):
        from qingdan.core.errors import ValidationFailed

        for bad in ("2026H3", "2026-13", "26", "", "2026Q0"):
            with self.assertRaises(ValidationFailed) as caught:
                self.report(self.org.analyst, bad)
            self.assertEqual(caught.exception.field, "period")
        with self.assertRaises(ValidationFailed) as caught:
            self.report(self.org.analyst, "2026", "petitioner")
        self.assertEqual(caught.exception.field, "by")

    def test_formulas_are_configurable(self):
        from decimal import Decimal

        from django.core.exceptions import ValidationError

        from qingdan.stats.models import IndicatorSettings

        IndicatorSettings(
            response_weight=Decimal("0.2"),
            resolution_weight=Decimal("0.4"),
            satisfaction_weight=Decimal("0.4"),
            basically_satisfied_weight=Decimal("1"),
            supported_reply_counts_as_solved=False,
        ).save()
        total = self.report(self.org.city_supervisor, "2026H1")["total"]
        self.assertClose(total["resolution_rate"], 3 / 5)  # G no longer solved
        self.assertClose(total["satisfaction_rate"], 3 / 5)
        self.assertClose(total["composite_score"], 100 * (0.2 * 8 / 9 + 0.4 * 0.6 + 0.4 * 0.6))
        wrong = IndicatorSettings(response_weight=Decimal("0.5"))
        with self.assertRaises(ValidationError):
            wrong.full_clean()

    def test_query_count_does_not_grow_with_groups(self):
        self.report(self.org.city_supervisor, "2026H1")  # the rollup is up to date
        # settings, rollup state, new events?, months, groups, names; the reads run in a
        # savepoint here (2 more), without JIT on PostgreSQL (1 more).
        expected = 8 + (connection.vendor == "postgresql")
        with time_machine.travel(NOW, tick=False):
            with self.assertNumQueries(expected):
                indicators(self.org.city_supervisor, "2026H1", "unit")
            with self.assertNumQueries(expected):
                indicators(self.org.city_supervisor, "2026H1", "category")


class RollupMaintenanceTests(TestCase):
    """The rollup follows every change made through the actions layer."""

    @classmethod
    def setUpTestData(cls):
        cls.c = build_history()
        cls.org = cls.c.org

    def total(self, user=None, period="2026H1", by=None):
        with time_machine.travel(NOW, tick=False):
            return indicators(user or self.org.city_supervisor, period, by)

    def register_manhole(self):
        """A new case in the second half-year, nothing done on it yet."""
        with time_machine.travel(NOW, tick=False):
            return actions.register_case(
                self.org.village_agent,
                channel="walk_in",
                title="井盖缺失",
                content="路口井盖缺失",
                jurisdiction=self.org.village,
            )

    def test_a_change_is_counted_at_once(self):
        from qingdan.stats import rollup

        self.assertEqual(self.total()["total"]["closed"], 4)
        with time_machine.travel(NOW, tick=False):
            actions.close(self.org.city_supervisor, self.c.C)
        self.assertEqual(self.total()["total"]["closed"], 5)
        self.assertEqual(rollup.differences(), [])

    def test_transfer_moves_the_case_between_places(self):
        from qingdan.stats import rollup

        self.total()
        with time_machine.travel(NOW, tick=False):
            actions.transfer(
                self.org.town_clerk, self.c.E, to_jurisdiction=self.org.far_village, reason="属地"
            )
        towns = {g["name"]: g["received"] for g in self.total(by="jurisdiction")["groups"]}
        self.assertEqual(towns, {"玲珑镇": 5, "金岭镇": 4})
        self.assertEqual(self.total(self.org.town_clerk)["total"]["received"], 5)
        self.assertEqual(rollup.differences(), [])

    def test_an_event_committed_late_is_not_lost(self):
        from qingdan.stats import rollup
        from qingdan.stats.models import RollupState

        self.total()
        with time_machine.travel(NOW, tick=False):
            actions.close(self.org.city_supervisor, self.c.C)
        event = self.c.C.events.latest("pk")
        # As if a refresh had read past this event while its transaction was in flight.
        RollupState.objects.filter(pk=1).update(
            last_event_id=event.pk, pending=[[event.pk, NOW.isoformat()]]
        )
        self.assertNotEqual(rollup.differences(), [])  # stale until refreshed
        self.assertEqual(self.total()["total"]["closed"], 5)
        self.assertEqual(RollupState.objects.get(pk=1).pending, [])
        self.assertEqual(rollup.differences(), [])

    def test_a_missing_id_is_waited_for_then_dropped(self):
        import datetime as dt

        from qingdan.stats import rollup
        from qingdan.stats.models import RollupState

        # Ids in (5, 10] not seen: 7 and 9 (newest first).
        self.assertEqual(rollup._holes(5, 10, {6, 8, 10}), [9, 7])
        self.total()
        never = 10**9  # an id whose transaction never commits
        RollupState.objects.filter(pk=1).update(pending=[[never, NOW.isoformat()]])
        with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
            actions.add_note(self.org.city_supervisor, self.c.C, note="催办")
            rollup.refresh()
        # (On PostgreSQL, ids used by rolled-back tests are real holes and wait too.)
        self.assertIn([never, NOW.isoformat()], RollupState.objects.get(pk=1).pending)
        with time_machine.travel(NOW + rollup.PENDING_TTL * 2, tick=False):
            actions.add_note(self.org.city_supervisor, self.c.C, note="再催")
            rollup.refresh()
        waiting = [pk for pk, _ in RollupState.objects.get(pk=1).pending]
        self.assertNotIn(never, waiting)

    def test_time_passing_makes_a_case_overdue(self):
        import datetime as dt

        from qingdan.stats import rollup

        self.register_manhole()
        self.total(period="2026H2")
        # The acceptance limit is 15 days: until then nothing is dispatched and late.
        for days, overdue, response in ((1, 0, None), (14, 0, None), (20, 1, 0.0), (3, None, 0)):
            with self.subTest(days=days):
                moment = NOW + dt.timedelta(days=days)
                with (
                    time_machine.travel(moment, tick=False),
                    mock.patch.object(rollup, "_recount", wraps=rollup._recount) as recount,
                ):
                    rolled = compute(self.org.city_supervisor, parse_period("2026H2"))
                    counted = compute(
                        self.org.city_supervisor, parse_period("2026H2"), source="live"
                    )
                self.assertEqual(rolled["total"], counted["total"])
                if days == 20:  # the limit passed: counted by +1, no slice recounted
                    self.assertEqual(recount.call_args.args[0], {})
                if overdue is not None:  # (3 days: asked after the rollup's time)
                    self.assertEqual(rolled["total"]["overdue"], overdue)
                    self.assertEqual(rolled["total"]["response_rate"], response)
        self.assertEqual(rollup.differences(), [])

    def test_deadline_alerts_and_supervision_recount_nothing(self):
        import datetime as dt

        from qingdan.cases.models import CaseEvent
        from qingdan.jobs.worker import Worker
        from qingdan.stats import rollup

        case = self.register_manhole()
        self.total(period="2026H2")
        month = rollup.month_of(case.registered_at)
        # The warning (an alert), then the limit passed (an alert and, by policy, a
        # supervision notice): neither changes what is counted but the clock does.
        for moment, events in (
            (case.warn_at, ["deadline"]),
            (case.accept_due_at + dt.timedelta(hours=1), ["deadline", "supervise"]),
        ):
            with time_machine.travel(moment + dt.timedelta(minutes=1), tick=False):
                last = CaseEvent.objects.latest("pk").pk
                with mock.patch.object(rollup, "_recount", wraps=rollup._recount) as recount:
                    Worker().run_once()  # its alerts, then its refresh of the rollup
                rolled = compute(self.org.city_supervisor, parse_period("2026H2"))
                counted = compute(self.org.city_supervisor, parse_period("2026H2"), source="live")
            ours = CaseEvent.objects.filter(pk__gt=last, case=case)
            self.assertEqual(list(ours.values_list("action", flat=True)), events)
            self.assertEqual(rolled["total"], counted["total"])
            recounted = [call.args[0].get(month, set()) for call in recount.call_args_list]
            self.assertFalse(any(case.jurisdiction_id in places for places in recounted))
        self.assertEqual(rolled["total"]["overdue"], 1)
        with time_machine.travel(moment + dt.timedelta(minutes=2), tick=False):
            self.assertEqual(rollup.differences(), [])

    def test_rebuild_equals_refresh(self):
        from qingdan.stats import rollup
        from qingdan.stats.models import MonthlyRollup

        self.total()
        incremental = sorted(
            map(
                str,
                MonthlyRollup.objects.values_list(
                    "kind",
                    "month",
                    "jurisdiction_id",
                    "tier",
                    "lead_unit_id",
                    "category_id",
                    "channel",
                    "received",
                    "closed",
                    "repeat",
                ),
            )
        )
        rollup.rebuild()
        rebuilt = sorted(
            map(
                str,
                MonthlyRollup.objects.values_list(
                    "kind",
                    "month",
                    "jurisdiction_id",
                    "tier",
                    "lead_unit_id",
                    "category_id",
                    "channel",
                    "received",
                    "closed",
                    "repeat",
                ),
            )
        )
        self.assertEqual(incremental, rebuilt)
