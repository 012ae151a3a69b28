"""Every kind issued and read back from its files: the PDF through pdftotext
(poppler-utils), the .docx through python-docx. Each must carry the issuing body,
its number, its title, the date in Chinese numerals and what its kind requires."""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import time_machine

from qingdan.cases import actions as cases
from qingdan.documents import actions
from qingdan.documents.choices import DocumentKind as K
from qingdan.documents.kinds import KINDS

from . import helpers as h

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)
DATE = "二〇二六年十二月六日"
TOWN, CITY = "玲珑镇人民政府", "招远市信访局"


class ReadBackTests(h.DocumentsTestCase):
    def issue_and_read(self, actor, subject, kind, **inputs):
        document = actions.issue(actor, subject, kind=kind, **inputs)
        version = document.latest
        pdf = version.pdf.read()
        docx = version.docx.read()
        # What is stored is what was hashed: the record can be verified.
        self.assertEqual(hashlib.sha256(pdf).hexdigest(), version.sha256)
        self.assertEqual(hashlib.sha256(docx).hexdigest(), version.docx_sha256)
        self.assertTrue(pdf.startswith(b"%PDF"))
        texts = {"pdf": h.squeeze(h.pdf_text(pdf)), "docx": h.squeeze(h.docx_text(docx))}
        return document, texts

    def assert_says(self, texts: dict, *phrases: str):
        for name, text in texts.items():
            for phrase in phrases:
                with self.subTest(file=name, phrase=phrase):
                    self.assertIn(h.squeeze(phrase), text)

    def check(self, actor, subject, kind, *phrases, body=TOWN, **inputs):
        document, texts = self.issue_and_read(actor, subject, kind, **inputs)
        common = [body, DATE, document.title]
        if KINDS[kind].numbered:
            self.assertRegex(document.reference, r"〔2026〕\d+号$")
            common.append(document.reference)
        self.assert_says(texts, *common, *phrases)
        return document, texts

    @time_machine.travel(DAY, tick=False)
    def test_notices_to_the_petitioner(self):
        org = self.org
        case = h.accepted(org)
        document, _texts = self.check(
            org.village_agent,
            case,
            K.ACCEPTANCE,
            "受理告知书",
            h.PETITIONER_NAME,
            case.tracking_number,
            "予以受理",
            "60日内",
        )
        self.assertEqual(document.reference, "玲信受〔2026〕1号")

        refused = h.register(org)
        cases.not_accept(org.village_agent, refused, reason="该事项已由法院受理。")
        self.check(
            org.village_agent,
            refused,
            K.NON_ACCEPTANCE,
            "不予受理告知书",
            "不予受理",
            "该事项已由法院受理",
            "向有关机关提出",
        )
        diverted = h.register(org)
        cases.divert(
            org.village_agent, diverted, legal_channel="arbitration", help_given="已告知仲裁委地址"
        )
        document, _texts = self.check(
            org.village_agent,
            diverted,
            K.NON_ACCEPTANCE,
            "仲裁机构申请仲裁",
            "已告知仲裁委地址",
            channel="",
        )
        self.assertEqual(document.reference, "玲信不受〔2026〕2号")  # the same kind, next number

        routed = h.assigned(org)
        self.check(org.town_clerk, routed, K.TRANSFER_NOTICE, "交办告知书", "交由玲珑镇综治办")
        self.check(
            org.town_clerk,
            routed,
            K.ASSIGNMENT_SLIP,
            "交办单",
            "玲珑镇综治办：",
            routed.content,
            "书面答复信访人",
        )
        extended = h.accepted(org)
        cases.extend(
            org.village_agent,
            extended,
            days=30,
            reason="需要专业机构检测线路",
            approved_by="王镇长",
            reason_told_to_petitioner=True,
        )
        self.check(
            org.village_agent,
            extended,
            K.EXTENSION_NOTICE,
            "延期告知书",
            "需要专业机构检测线路",
            "王镇长",
            "延长30日",
        )

    @time_machine.travel(DAY, tick=False)
    def test_answers_name_facts_basis_decision_and_the_right_to_review(self):
        org = self.org
        case = h.replied(org)
        self.check(
            org.village_agent,
            case,
            K.REPLY,
            "答复意见书",
            "查明事实",
            "线路老化",
            "处理依据",
            "信访工作条例",
            "处理意见",
            "作出解释说明",
            # The right to ask for review within 30 days of receipt, and to whom.
            "自收到本意见书之日起30日内",
            f"向{CITY}书面提出复查请求",
        )
        review = h.review_case(org)
        self.check(
            org.town_clerk,
            review,
            K.REVIEW_OPINION,
            "复查意见书",
            "提出复查请求",
            "维持原答复",
            "不予支持",
            f"向{CITY}书面提出复核请求",
            facts="经复查，路灯已正常照明。",
            basis="《招远市城乡路灯管理办法》第五条",
        )
        re_review = review.follow_ups.get() if review.follow_ups.exists() else None
        self.assertIsNone(re_review)
        final = h.re_review_case(org)
        self.check(
            org.city_supervisor,
            final,
            K.RE_REVIEW_OPINION,
            "复核意见书",
            "不服",
            "提出复核请求",
            "本意见为复核意见",
            "不再受理",
            body=CITY,
        )

    @time_machine.travel(DAY, tick=False)
    def test_documents_to_units_superiors_and_meetings(self):
        org = self.org
        notice = h.notice(org)
        self.check(
            org.city_supervisor,
            notice,
            K.SUPERVISION_SLIP,
            "督办单",
            "请加快办理",
            notice.number,
            "前办理完毕",
            body=CITY,
        )
        assigned = h.assigned_by_superior(org)
        self.check(
            org.city_supervisor,
            assigned,
            K.COMPLETION_REPORT,
            "办结报告",
            "烟台市信访局：",
            "烟信交〔2026〕8号",
            "已督促企业发放全部工资",
            "特此报告",
            body=CITY,
        )
        meeting = h.held_meeting(org)
        document, texts = self.check(
            org.city_supervisor,
            meeting,
            K.MEETING_MINUTES,
            "联席会议纪要",
            "参会人员",
            "议定事项",
            "综治办牵头修复路灯",
            "玲珑镇代办",
            "2026年12月16日",
            "会议研究了路灯问题",
        )
        self.assertEqual(document.case, None)
        agreement = h.with_agreement(org)
        self.check(
            org.village_agent,
            agreement,
            K.CLOSURE_AGREEMENT,
            "息诉罢访协议书",
            f"甲方：{TOWN}",
            f"乙方：{h.PETITIONER_NAME}",
            "不再就此事信访",
            "甲方（盖章）",
            "乙方（签字）",
        )

    @time_machine.travel(DAY, tick=False)
    def test_service_receipt_for_an_issued_document(self):
        org = self.org
        answer = actions.issue(org.village_agent, h.replied(org), kind=K.REPLY)
        receipt, _texts = self.check(
            org.village_agent,
            answer,
            K.SERVICE_RECEIPT,
            "送达回证",
            answer.title,
            answer.reference,
            h.PETITIONER_NAME,
            "受送达人签名或盖章",
            "□邮寄",
        )
        self.assertIsNone(receipt.number)
        self.assertEqual(receipt.served_document, answer)
        self.assertEqual(receipt.case, answer.case)

    def test_every_kind_is_read_back_here(self):
        """A kind added to the table needs its read-back check above."""
        source = open(__file__, encoding="utf-8").read()
        for kind in KINDS:
            with self.subTest(kind=kind):
                self.assertIn(f"K.{K(kind).name}", source)
