"""Work-order sheets for the tests, made from the public complaint messages (or, when
that data set is not beside the repository, from the messages of fixtures.py)."""

import csv
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import TestCase
from openpyxl import Workbook

from qingdan.orgs.testing import build_county

from .fixtures import unlabelled_messages

DATA = Path(settings.BASE_DIR).parent.parent / "shared" / "data" / "complaints"
MESSAGES = DATA / "unlabelled_messages.csv"
HEADERS = ["工单编号", "来电时间", "诉求内容", "诉求人", "联系电话", "所属街镇", "诉求类型",
           "紧急程度", "办理时限", "标题", "所属村居", "地址"]  # fmt: skip
URGENCY = ["一般", "紧急", "加急", "复杂"]
LIMITS = ["5个工作日", "7天", "", "24小时"]


def places(org):
    """(town, village) pairs from build_county(): names, a village name, and a town code."""
    return [
        (org.town.name, org.village.name),
        (org.town.name, org.other_village.name),
        (org.other_town.name, org.far_village.name),
        (org.town.code, ""),
    ]


def messages(limit: int | None = None) -> list[dict]:
    if MESSAGES.exists():
        with MESSAGES.open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    else:
        rows = unlabelled_messages()
    return rows[:limit] if limit else rows


def order_rows(org, limit: int | None = None, prefix: str = "GD") -> list[list]:
    rows = []
    for i, message in enumerate(messages(limit)):
        town, village = places(org)[i % 4]
        rows.append(
            [
                f"{prefix}{message['留言编号']}",
                message["留言时间"],
                message["留言详情"],
                "市民" if i % 5 else "",  # every fifth caller gave no name
                f"138{i:08d}",  # a valid mobile number per caller
                town,
                "",
                URGENCY[i % 4],
                LIMITS[i % 4],
                message["留言主题"],
                village,
                "",
            ]
        )
    return rows


def hotline_rows(n: int = 3, prefix: str = "C") -> list[list]:
    """Short rows: the same caller name, a phone per row, in 玲珑镇 欧家夼村."""
    return [
        [
            f"{prefix}{i}",
            f"2024/3/{i + 4} 14:22",
            f"第{i}件：小区路灯不亮。请尽快修复",
            "王女士",
            f"139{i:08d}",
            "玲珑镇",
            "",
            "紧急",
            "",
            "",
            "欧家夼村",
            "3号楼",
        ]  # fmt: skip
        for i in range(1, n + 1)
    ]


def bad_rows(org) -> list[list]:
    """Rows 1-4 after the good ones: missing content, unknown town, bad phone, bad date."""
    town = org.town.name
    return [
        ["BAD1", "2020-01-06 13:15:56", "", "张三", "13812345678", town, "", "", "", "", "", ""],
        [
            "BAD2",
            "2020-01-06 13:15",
            "路灯不亮",
            "李四",
            "13812345679",
            "不存在镇",
            "",
            "",
            "",
            "",
            "",
            "",
        ],  # fmt: skip
        [
            "BAD3",
            "2020年1月6日 13时15分",
            "噪音扰民",
            "王五",
            "12345",
            town,
            "",
            "",
            "",
            "",
            "",
            "",
        ],  # fmt: skip
        ["BAD4", "2020-13-45 25:61", "积水", "赵六", "13812345670", town, "", "", "", "", "", ""],
    ]


def write_xlsx(path: Path, rows: list[list], headers=HEADERS) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "工单"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list], headers=HEADERS, encoding="utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


class SheetTestCase(TestCase):
    """The county, and a folder for the sheets a test writes."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        self.folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.folder, True)
