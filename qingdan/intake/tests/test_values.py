"""Cell values as hotlines write them, the mapping file and file encodings."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase, TestCase

from qingdan.cases.choices import Urgency

from ..importer.mapping import MappingError, parse_mapping
from ..importer.sources import UnreadableFile, decode_csv, open_csv
from ..importer.values import (
    BadValue,
    cell_text,
    derive_title,
    parse_datetime,
    parse_deadline,
    parse_urgency,
)

TZ = ZoneInfo("Asia/Shanghai")
CALL = dt.datetime(2024, 3, 5, 14, 22, 1, tzinfo=TZ)


class DateTests(SimpleTestCase):
    def test_formats_hotlines_write(self):
        for text in (
            "2024-03-05 14:22:01",
            "2024/3/5 14:22:01",
            "2024年3月5日 14时22分01秒",
            "2024年3月5日14时22分1秒",
            "2024-03-05T14:22:01",
            "2024.3.5 14:22:01",
            "20240305142201",
            "2024-03-05 14:22:01.000",
        ):
            with self.subTest(text=text):
                self.assertEqual(parse_datetime(text), CALL)
        self.assertEqual(parse_datetime("2024/3/5 14:22"), CALL.replace(second=0))
        self.assertEqual(parse_datetime("2024年3月5日 14时22分"), CALL.replace(second=0))
        self.assertEqual(parse_datetime("2024年3月5日"), dt.datetime(2024, 3, 5, tzinfo=TZ))
        self.assertEqual(parse_datetime(dt.datetime(2024, 3, 5, 14, 22, 1)), CALL)
        self.assertEqual(parse_datetime(45356.59862), CALL)  # Excel serial
        self.assertEqual(parse_datetime("45356.59862"), CALL)

    def test_bad_dates_say_why(self):
        for text in ("2024-02-30 10:00", "昨天下午", "12:30", "", "1234"):
            with self.subTest(text=text), self.assertRaises(BadValue):
                parse_datetime(text)
        with self.assertRaisesMessage(BadValue, "2024-13-01"):
            parse_datetime("2024-13-01")


class DeadlineTests(TestCase):
    def test_spans_and_dates(self):
        self.assertIsNone(parse_deadline("", CALL))
        self.assertEqual(parse_deadline("24小时", CALL), CALL + dt.timedelta(hours=24))
        self.assertEqual(parse_deadline("2h", CALL), CALL + dt.timedelta(hours=2))
        end = dt.time(23, 59, 59)
        # Tuesday 5 March 2024 + 7 days = Tuesday 12 March.
        self.assertEqual(
            parse_deadline("7天", CALL), dt.datetime.combine(dt.date(2024, 3, 12), end, TZ)
        )
        self.assertEqual(parse_deadline(7, CALL), parse_deadline("7日", CALL))
        # 5 working days: 6, 7, 8, 11, 12 March.
        self.assertEqual(
            parse_deadline("5个工作日", CALL), dt.datetime.combine(dt.date(2024, 3, 12), end, TZ)
        )
        self.assertEqual(
            parse_deadline("2024-03-20 18:00", CALL), dt.datetime(2024, 3, 20, 18, tzinfo=TZ)
        )

    def test_refusals(self):
        for value in ("0天", "2024-03-01", "很快", 2.5):
            with self.subTest(value=value), self.assertRaises(BadValue):
                parse_deadline(value, CALL)

    def test_cache_gives_the_same_answer(self):
        cache: dict = {}
        first = parse_deadline("5个工作日", CALL, cache)
        self.assertEqual(parse_deadline("5个工作日", CALL.replace(hour=9), cache), first)
        self.assertEqual(len(cache), 1)


class UrgencyAndTextTests(SimpleTestCase):
    def test_labels(self):
        cases = {"紧急": "emergency", "特急": "emergency", "加急": "urgent", "一般": "normal",
                 "普通": "normal", "复杂": "complex", "": "normal", "一般件": "normal",
                 "Urgent": "urgent"}  # fmt: skip
        for label, value in cases.items():
            with self.subTest(label=label):
                self.assertEqual(parse_urgency(label), value)
        self.assertEqual(parse_urgency("特提", {"特提": Urgency.EMERGENCY}), "emergency")
        with self.assertRaises(BadValue):
            parse_urgency("十万火急")

    def test_cell_text_and_titles(self):
        self.assertEqual(cell_text(13812345678.0), "13812345678")
        self.assertEqual(cell_text(None), "")
        self.assertEqual(cell_text("  a "), "a")
        self.assertEqual(derive_title("楼下烧烤店油烟扰民。每晚到凌晨"), "楼下烧烤店油烟扰民")
        long = "某" * 50
        self.assertEqual(len(derive_title(long)), 30)
        self.assertTrue(derive_title(long).endswith("…"))


class MappingTests(SimpleTestCase):
    def test_rename_by_field_or_default_header(self):
        mapping = parse_mapping(
            '[columns]\n"工单编号" = "工单号"\nphone = "电话"\n[options]\nsheet = "工单"\n'
        )
        self.assertEqual(mapping.columns["order_number"], "工单号")
        self.assertEqual(mapping.columns["phone"], "电话")
        self.assertEqual(mapping.columns["content"], "诉求内容")
        self.assertEqual(mapping.sheet, "工单")

    def test_bad_mappings_are_refused_with_the_reason(self):
        for text, words in (
            ("[columns\n", "TOML"),
            ('[colums]\nx = "y"\n', "colums"),
            ('[columns]\n"不存在" = "y"\n', "不存在"),
            ('[urgency]\n"特提" = "超级急"\n', "超级急"),
            ("[columns]\norder_number = 3\n", "columns"),
            ('[options]\ncolour = "red"\n', "colour"),
        ):
            with self.subTest(text=text), self.assertRaisesMessage(MappingError, words):
                parse_mapping(text)

    def test_missing_columns(self):
        with self.assertRaisesMessage(MappingError, "来电时间"):
            parse_mapping("").locate(["工单编号", "诉求内容"])


class EncodingTests(SimpleTestCase):
    TEXT = "工单编号,来电时间\nA1,2024-03-05 14:22\n"

    def test_utf8_with_and_without_bom_and_gb18030(self):
        self.assertEqual(decode_csv(self.TEXT.encode("utf-8-sig")), (self.TEXT, "utf-8-sig"))
        self.assertEqual(decode_csv(self.TEXT.encode("utf-8")), (self.TEXT, "utf-8"))
        self.assertEqual(decode_csv(self.TEXT.encode("gb18030")), (self.TEXT, "gb18030"))

    def test_rows_are_numbered_as_a_spreadsheet_shows_them(self):
        sheet = open_csv(('工单编号,内容\nA1,"两行\n内容"\n\n,\nA2,x\n').encode())
        self.assertEqual(sheet.headers, ["工单编号", "内容"])
        self.assertEqual([n for n, _cells in sheet.rows], [2, 5])

    def test_undecodable(self):
        with self.assertRaises(UnreadableFile):
            decode_csv(b"\x81\x30\xff\xff\xff")
