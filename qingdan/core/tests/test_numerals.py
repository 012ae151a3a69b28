import datetime as dt

from django.test import SimpleTestCase

from qingdan.core.numerals import chinese_date, small_number, year_digits


class ChineseNumeralTests(SimpleTestCase):
    def test_dates_as_gb_t_9704_writes_them(self):
        self.assertEqual(chinese_date(dt.date(2026, 12, 6)), "二〇二六年十二月六日")
        self.assertEqual(chinese_date(dt.date(2030, 1, 10)), "二〇三〇年一月十日")
        self.assertEqual(chinese_date(dt.date(2026, 10, 31)), "二〇二六年十月三十一日")
        self.assertEqual(chinese_date(dt.date(2027, 11, 20)), "二〇二七年十一月二十日")

    def test_datetime_uses_its_date(self):
        self.assertEqual(chinese_date(dt.datetime(2026, 5, 1, 23, 0)), "二〇二六年五月一日")

    def test_parts(self):
        self.assertEqual(year_digits(2000), "二〇〇〇")
        self.assertEqual(
            [small_number(n) for n in (1, 9, 10, 11, 19, 21, 99)],
            ["一", "九", "十", "十一", "十九", "二十一", "九十九"],
        )
        with self.assertRaises(ValueError):
            small_number(0)
