"""Service (送达) and the clocks it starts: the 30-day window to ask for review after
the written answer (art. 35) and for re-review after the review opinion (art. 36)
runs from the recorded service; before it the window has not started."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings

from qingdan.cases import actions as cases
from qingdan.cases.choices import Action
from qingdan.cases.models import Case
from qingdan.core.errors import NotAllowed, TransitionRefused, ValidationFailed
from qingdan.deadlines import services
from qingdan.documents import actions, jobs
from qingdan.documents.choices import DocumentKind as K
from qingdan.documents.choices import ServiceMethod
from qingdan.documents.models import Service, ServiceReminder
from qingdan.notifications.models import OutboxMessage
from qingdan.orgs.testing import build_county

from . import helpers as h

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def end_of(y, m, d) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


def receipt() -> SimpleUploadedFile:
    return SimpleUploadedFile("回证.png", PNG, "image/png")


class ServiceClockTests(h.DocumentsTestCase):
    def answered(self, when: dt.datetime):
        with time_machine.travel(when, tick=False):
            case = h.replied(self.org)
            document = actions.issue(self.org.village_agent, case, kind=K.REPLY)
        return case, document

    def serve(self, document, when: dt.datetime, served_at=None, **extra):
        fields = {
            "recipient": h.PETITIONER_NAME,
            "method": ServiceMethod.IN_PERSON,
            "served_at": served_at or when,
            "proof": receipt(),
        }
        fields.update(extra)
        with time_machine.travel(when, tick=False):
            return actions.record_service(self.org.village_agent, document, **fields)

    def test_before_service_the_window_has_not_started(self):
        case, _document = self.answered(at(2026, 3, 2, 9))
        self.assertIsNone(case.answer_served_at)
        self.assertIsNone(cases.review_request_deadline(case))
        self.assertIsNone(services.review_request_deadline(case))
        # A hundred days after the reply the petitioner may still ask: the clock never ran.
        with time_machine.travel(at(2026, 6, 10, 9), tick=False):
            self.assertTrue(cases.review_window_open(case))
            review = cases.request_review(cases.Actor.petitioner(), case, reason="不服答复")
        self.assertEqual(review.parent, case)

    def test_the_window_runs_30_days_from_the_recorded_service(self):
        case, document = self.answered(at(2026, 3, 25, 9))
        # Served on 1 April: 30 days end on 1 May, Labour Day (1-5 May off): 6 May.
        service = self.serve(document, at(2026, 4, 2, 15), served_at=at(2026, 4, 1, 10))
        case.refresh_from_db()
        self.assertEqual(case.answer_served_at, at(2026, 4, 1, 10))
        self.assertEqual(cases.review_request_deadline(case), end_of(2026, 5, 6))
        self.assertEqual(service.version, document.latest)
        event = case.events.get(action=Action.SERVICE)
        self.assertIn(document.reference, event.note)
        with time_machine.travel(at(2026, 5, 7, 9), tick=False):
            self.assertFalse(cases.review_window_open(case))
            with self.assertRaises(TransitionRefused) as late:
                cases.request_review(cases.Actor.petitioner(), case, reason="不服")
        self.assertEqual(late.exception.code, "review_too_late")
        with time_machine.travel(at(2026, 5, 6, 20), tick=False):
            cases.request_review(cases.Actor.petitioner(), case, reason="不服")

    def test_re_review_window_runs_from_the_review_opinions_service(self):
        org = self.org
        with time_machine.travel(at(2026, 6, 1, 9), tick=False):
            review = h.review_case(org)
            opinion = actions.issue(org.town_clerk, review, kind=K.REVIEW_OPINION)
        self.assertIsNone(cases.review_request_deadline(review))
        with time_machine.travel(at(2026, 6, 15, 9), tick=False):
            actions.record_service(
                org.town_clerk,
                opinion,
                recipient=h.PETITIONER_NAME,
                method=ServiceMethod.POST,
                postal_number="1190012345678",
                served_at=at(2026, 6, 12, 16),
            )
        review.refresh_from_db()
        # 12 June + 30 days = Sunday 12 July: Monday 13 July.
        self.assertEqual(cases.review_request_deadline(review), end_of(2026, 7, 13))

    def test_the_latest_service_of_the_current_answer_counts(self):
        case, document = self.answered(at(2026, 3, 2, 9))
        self.serve(document, at(2026, 3, 3, 9))
        # Served again (e.g. a corrected version, by public notice after a failed post).
        self.serve(document, at(2026, 3, 20, 9), method=ServiceMethod.PUBLIC_NOTICE)
        case.refresh_from_db()
        self.assertEqual(case.answer_served_at, at(2026, 3, 20, 9))
        self.assertEqual(Service.objects.filter(document=document).count(), 2)

    def test_reopening_the_case_restarts_from_the_next_answer(self):
        org = self.org
        case, document = self.answered(at(2026, 3, 2, 9))
        self.serve(document, at(2026, 3, 3, 9))
        case.refresh_from_db()
        with time_machine.travel(at(2026, 3, 4, 9), tick=False):
            cases.record_evaluation(org.village_agent, case, rating="unsatisfied")
            cases.reopen(org.village_agent, case, reason="群众不满意")
            cases.reply(org.village_agent, case, reply_opinion="supports", reply_text="已修复")
        case.refresh_from_db()
        self.assertIsNone(case.answer_served_at)
        # The old answer served again does not start the new reply's window.
        self.serve(document, at(2026, 3, 5, 9))
        case.refresh_from_db()
        self.assertIsNone(case.answer_served_at)

    def test_other_documents_do_not_start_the_window(self):
        org = self.org
        case = h.accepted(org)
        notice = actions.issue(org.village_agent, case, kind=K.ACCEPTANCE)
        self.serve(notice, notice.created_at + dt.timedelta(hours=1))
        case.refresh_from_db()
        self.assertIsNone(case.answer_served_at)
        self.assertTrue(case.events.filter(action=Action.SERVICE).exists())

    def test_bad_service_is_refused_naming_the_field(self):
        case, document = self.answered(at(2026, 3, 2, 9))
        later = at(2026, 3, 3, 9)
        cases_of_bad = [
            ({"recipient": ""}, "recipient"),
            ({"method": "pigeon"}, "method"),
            ({"method": ServiceMethod.POST, "proof": None}, "postal_number"),
            ({"proof": None}, "proof"),
            ({"served_at": at(2026, 3, 4, 9)}, "served_at"),  # in the future
            ({"served_at": at(2026, 3, 1, 9)}, "served_at"),  # before it was issued
            ({"proof": SimpleUploadedFile("x.png", b"not a png", "image/png")}, "proof"),
        ]
        for extra, field in cases_of_bad:
            with self.subTest(field=field, extra=extra):
                with self.assertRaises(ValidationFailed) as refused:
                    self.serve(document, later, **extra)
                self.assertIn(field, refused.exception.errors)
        self.assertFalse(Service.objects.exists())
        case.refresh_from_db()
        self.assertIsNone(case.answer_served_at)
        with override_settings(QINGDAN_ATTACHMENT_MAX_BYTES=10):
            with self.assertRaises(ValidationFailed) as big:
                self.serve(document, later)
        self.assertIn("proof", big.exception.errors)

    def test_who_may_record_service(self):
        org = self.org
        case, document = self.answered(at(2026, 3, 2, 9))
        with self.assertRaises(NotAllowed):
            self.serve_as(org.other_village_agent, document)
        with self.assertRaises(NotAllowed):
            self.serve_as(org.analyst, document)
        receipt_doc = actions.issue(org.village_agent, document, kind=K.SERVICE_RECEIPT)
        with self.assertRaises(TransitionRefused) as refused:
            self.serve_as(org.village_agent, receipt_doc)
        self.assertEqual(refused.exception.code, "not_servable")

    def serve_as(self, user, document):
        return actions.record_service(
            user,
            document,
            recipient="张小明",
            method=ServiceMethod.IN_PERSON,
            served_at=document.created_at,
            proof=receipt(),
        )

    def test_correction_adds_a_version_and_keeps_the_old_one(self):
        org = self.org
        case, document = self.answered(at(2026, 3, 2, 9))
        first = document.latest
        first_pdf = first.pdf.read()
        with time_machine.travel(at(2026, 3, 3, 9), tick=False):
            with self.assertRaises(ValidationFailed):
                actions.correct(org.village_agent, document, reason=" ")
            actions.correct(
                org.village_agent,
                document,
                reason="补充查明事实",
                facts="经查，线路已于11月5日更换。",
            )
        document.refresh_from_db()
        self.assertEqual(document.current_version, 2)
        second = document.latest
        self.assertEqual(second.reason, "补充查明事实")
        self.assertNotEqual(second.sha256, first.sha256)
        first = document.versions.get(version=1)
        self.assertEqual(first.pdf.read(), first_pdf)  # unchanged, still readable
        second_text = h.squeeze(h.pdf_text(second.pdf.read()))
        self.assertIn("线路已于11月5日更换", second_text)
        self.assertIn(document.reference, second_text)  # the same number
        with self.assertRaises(RuntimeError):
            first.save()
        self.assertEqual(case.events.filter(action=Action.DOCUMENT).count(), 2)
        with self.assertRaises(NotAllowed):
            actions.correct(org.other_village_agent, document, reason="x")


class UnservedAnswerJobTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_the_worker_says_once_that_an_answer_is_not_served(self):
        org = self.org
        with time_machine.travel(at(2026, 3, 2, 9), tick=False):
            unserved = h.replied(org)
            served = h.replied(org)
        Case.objects.filter(pk=served.pk).update(answer_served_at=at(2026, 3, 3, 9))
        with override_settings(QINGDAN_DOCUMENTS_UNSERVED_DAYS=7):
            self.assertEqual(jobs.run(at(2026, 3, 8, 9)), 0)  # six days: not yet
            self.assertEqual(jobs.run(at(2026, 3, 10, 9)), 1)
            self.assertEqual(jobs.run(at(2026, 3, 11, 9)), 0)  # once
        event = unserved.events.get(action=Action.DEADLINE)
        self.assertIn("7", event.note)
        self.assertEqual(event.data, {"kind": "answer_not_served"})
        self.assertTrue(OutboxMessage.objects.filter(case=unserved, kind="answer_not_served"))
        self.assertFalse(served.events.filter(action=Action.DEADLINE).exists())
        self.assertEqual(ServiceReminder.objects.count(), 1)
        with override_settings(QINGDAN_DOCUMENTS_UNSERVED_DAYS=0):
            ServiceReminder.objects.all().delete()
            self.assertEqual(jobs.run(at(2026, 3, 12, 9)), 0)
