"""Day counting on the business calendar kept as data."""

import datetime as dt

from django.test import TestCase

from .. import calendar
from ..choices import DayKind
from ..models import CalendarYear, SpecialDay
from .helpers import at, clear_caches, end_of


class CalendarTests(TestCase):
    def setUp(self):
        self.addCleanup(clear_caches)  # rolled-back edits must not stay cached

    def test_seeded_from_chinese_calendar(self):
        self.assertIn(2026, calendar.known_years())
        self.assertIn(2004, calendar.known_years())
        national_day = SpecialDay.objects.get(date=dt.date(2026, 10, 1))
        self.assertEqual((national_day.kind, national_day.name), (DayKind.REST, "国庆节"))
        self.assertEqual(
            list(
                SpecialDay.objects.filter(date__year=2026, kind=DayKind.WORK).values_list(
                    "date", flat=True
                )
            ),
            [
                dt.date(2026, 1, 4),
                dt.date(2026, 2, 14),
                dt.date(2026, 2, 28),
                dt.date(2026, 5, 9),
                dt.date(2026, 9, 20),
                dt.date(2026, 10, 10),
            ],
        )

    def test_day_of_the_event_does_not_count(self):
        # Registered on Monday 2 March 2026: 15 days end on Tuesday 17 March.
        self.assertEqual(calendar.calendar_days_limit(at(2026, 3, 2, 9), 15), end_of(2026, 3, 17))

    def test_limit_ending_in_national_day_holiday_moves_to_next_working_day(self):
        # 16 September + 15 days = 1 October, a holiday until the 7th: Thursday 8 October.
        self.assertEqual(calendar.calendar_days_limit(at(2026, 9, 16, 10), 15), end_of(2026, 10, 8))

    def test_adjusted_workday_counts_as_a_working_day(self):
        # From Friday 18 September: Sunday the 20th is a working day (调休), so five
        # working days end on Thursday the 24th, not Friday the 25th.
        self.assertTrue(calendar.is_workday(dt.date(2026, 9, 20)))
        self.assertEqual(calendar.working_days_limit(at(2026, 9, 18, 16), 5), end_of(2026, 9, 24))
        # Across the holiday: 30 Sep, 8, 9, 10 (Saturday, worked) and 12 October.
        self.assertEqual(calendar.working_days_limit(at(2026, 9, 29, 9), 5), end_of(2026, 10, 12))

    def test_working_days_in_an_unknown_year_are_refused(self):
        self.assertNotIn(2027, calendar.known_years())
        with self.assertRaises(calendar.UnknownCalendarYear) as raised:
            calendar.working_days_limit(at(2026, 12, 28, 9), 5)
        self.assertEqual(raised.exception.code, "calendar_year_unknown")
        self.assertIn("2027", str(raised.exception.message))

    def test_calendar_days_in_an_unknown_year_move_past_weekends_only(self):
        # 18 December 2026 + 15 days = Saturday 2 January 2027: Monday the 4th.
        self.assertEqual(calendar.calendar_days_limit(at(2026, 12, 18, 9), 15), end_of(2027, 1, 4))

    def test_next_years_schedule_entered_as_data(self):
        year = CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕x号")
        SpecialDay.objects.create(calendar_year=year, date=dt.date(2027, 1, 1), kind=DayKind.REST)
        # Dec 29, 30, 31, then New Year's Day off, the weekend, 4 and 5 January.
        self.assertEqual(calendar.working_days_limit(at(2026, 12, 28, 9), 5), end_of(2027, 1, 5))
        SpecialDay.objects.create(calendar_year=year, date=dt.date(2027, 1, 4), kind=DayKind.REST)
        self.assertEqual(calendar.working_days_limit(at(2026, 12, 28, 9), 5), end_of(2027, 1, 6))

    def test_special_day_validation(self):
        year = CalendarYear.objects.get(year=2026)
        weekday_worked = SpecialDay(calendar_year=year, date=dt.date(2026, 3, 4), kind="work")
        wrong_year = SpecialDay(calendar_year=year, date=dt.date(2025, 3, 8), kind="rest")
        for day, field in ((weekday_worked, "kind"), (wrong_year, "date")):
            with self.assertRaises(Exception) as raised:
                day.full_clean()
            self.assertIn(field, raised.exception.message_dict)
