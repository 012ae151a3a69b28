"""Dates and numbers in Chinese numerals, as official documents write them.

GB/T 9704-2012 (7.3.5.3) writes the date of a document in full with Chinese numerals:
the year digit by digit with 〇 for zero (二〇二六), the month and the day as numbers
(十二月, 二十一日): 二〇二六年十二月六日.
"""

import datetime as dt

DIGITS = "〇一二三四五六七八九"


def year_digits(year: int) -> str:
    """2026 -> 二〇二六."""
    return "".join(DIGITS[int(d)] for d in str(year))


def small_number(n: int) -> str:
    """1..99 as a Chinese number: 6 -> 六, 10 -> 十, 12 -> 十二, 20 -> 二十, 31 -> 三十一."""
    if not 0 < n < 100:
        raise ValueError(f"{n} is not between 1 and 99")
    tens, units = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else DIGITS[tens]) + "十"
    if units:
        text += DIGITS[units]
    return text


def chinese_date(value: dt.date | dt.datetime) -> str:
    """A date as a document's signature line writes it: 二〇二六年十二月六日."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{year_digits(value.year)}年{small_number(value.month)}月{small_number(value.day)}日"
