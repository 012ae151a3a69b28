"""A subject for every kind of document, built through the real actions, and ways to
read an issued document back (pdftotext from poppler-utils, python-docx)."""

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.test import TestCase, override_settings
from django.utils import timezone
from docx import Document as WordDocument

from qingdan.cases import actions as cases
from qingdan.cases.models import Case
from qingdan.intake.actions import register_superior_assignment
from qingdan.orgs.testing import PERSON, build_county
from qingdan.supervision import actions as supervision

PETITIONER_NAME = PERSON["name"]


def media_folder(test_class):
    """A temporary MEDIA_ROOT for a test class, removed after it."""
    folder = tempfile.mkdtemp(prefix="qingdan-documents-")
    override = override_settings(MEDIA_ROOT=folder)
    override.enable()
    test_class.addClassCleanup(override.disable)
    test_class.addClassCleanup(shutil.rmtree, folder, True)
    return folder


class DocumentsTestCase(TestCase):
    """The county's personas built once per class, and a MEDIA_ROOT of its own."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        media_folder(cls)


def register(org, actor=None, **extra) -> Case:
    fields = dict(
        channel="walk_in",
        title="村口路灯不亮",
        content="欧家夼村村口路灯已坏一个月，夜间出行不便。",
        jurisdiction=org.village,
        petitioner=dict(PERSON),
    )
    fields.update(extra)
    return cases.register_case(actor or org.village_agent, **fields)


def accepted(org) -> Case:
    case = register(org)
    cases.accept(org.village_agent, case)
    return case


def assigned(org) -> Case:
    """At the town, with the town office leading."""
    case = register(org, org.town_clerk, tier="town")
    cases.accept(org.town_clerk, case)
    cases.assign(org.town_clerk, case, lead_unit=org.town_office)
    return case


def replied(org, **extra) -> Case:
    case = register(org, **extra)
    cases.accept(org.village_agent, case)
    cases.reply(
        org.village_agent,
        case,
        reply_opinion="explains",
        reply_text="经现场查看，路灯线路老化，已于11月5日更换完毕。",
    )
    return case


def review_case(org) -> Case:
    original = replied(org)
    review = cases.request_review(org.village_agent, original, reason="对答复不服，路灯仍不亮")
    cases.accept(org.town_clerk, review)
    cases.reply(org.town_clerk, review, reply_opinion="does_not_support", reply_text="维持原答复。")
    return review


def re_review_case(org) -> Case:
    review = review_case(org)
    re_review = cases.request_review(org.town_clerk, review, reason="仍不服复查意见")
    cases.accept(org.city_supervisor, re_review)
    cases.reply(
        org.city_supervisor,
        re_review,
        reply_opinion="does_not_support",
        reply_text="维持复查意见。",
    )
    return re_review


def notice_on(org, case):
    return supervision.issue_notice(
        org.city_supervisor, case, reason="请加快办理", reply_within=dt.timedelta(days=3)
    )


def notice(org):
    return notice_on(org, accepted(org))


def assigned_by_superior(org) -> Case:
    case = register_superior_assignment(
        org.city_supervisor,
        assigning_body="烟台市信访局",
        assigning_reference="烟信交〔2026〕8号",
        assigned_deadline=timezone.now() + dt.timedelta(days=20),
        title="企业拖欠工资",
        content="某企业拖欠20名工人工资。",
        jurisdiction=org.village,
    )
    boss = org.city_supervisor
    cases.accept(boss, case)
    cases.reply(boss, case, reply_opinion="supports", reply_text="已督促企业发放全部工资。")
    return case


def held_meeting(org):
    meeting = supervision.convene_meeting(
        org.city_supervisor,
        jurisdiction=org.town,
        title="十二月联席会议",
        held_at=timezone.now() - dt.timedelta(hours=2),
    )
    case = accepted(org)
    supervision.add_decision(
        org.city_supervisor,
        meeting,
        text="综治办牵头修复路灯",
        owners=[org.town_clerk],
        due_at=timezone.now() + dt.timedelta(days=10),
        case=case,
    )
    supervision.record_minutes(org.city_supervisor, meeting, minutes="会议研究了路灯问题。")
    return meeting


def with_agreement(org) -> Case:
    case = replied(org)
    cases.record_closure_agreement(
        org.village_agent,
        case,
        signed_at=timezone.localdate(),
        signed_by=PETITIONER_NAME,
        summary="镇政府负责修复路灯，信访人不再就此事信访。",
    )
    return case


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pdftotext reads it (poppler-utils)."""
    folder = Path(tempfile.mkdtemp(prefix="qingdan-pdf-"))
    try:
        path = folder / "document.pdf"
        path.write_bytes(data)
        result = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"],
            capture_output=True,
            check=True,
            timeout=60,
        )
        return result.stdout.decode("utf-8")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx, one per line."""
    doc = WordDocument(io.BytesIO(data))
    parts = [paragraph.text for paragraph in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def squeeze(text: str) -> str:
    """Without spaces and line breaks: a CJK line wraps anywhere in a PDF."""
    return "".join(text.split())
