"""The document pages: issue from the case page (preview first), download, correct,
record service; bulk printing from the queue; the petitioner's documents on the
portal. Only those who see the case reach its documents."""

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qingdan.cases import actions as cases
from qingdan.documents import actions
from qingdan.documents.choices import DocumentKind as K
from qingdan.documents.models import Document, Service
from qingdan.orgs.testing import PERSON

from . import helpers as h

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class DocumentPageTests(h.DocumentsTestCase):
    def test_preview_then_issue_then_download_from_the_case_page(self):
        org = self.org
        case = h.replied(org)
        self.client.force_login(org.village_agent)
        page = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(page, "review-not-started")
        url = f"/documents/new/case/{case.pk}/reply/"
        self.assertContains(page, f'href="{url}"')
        form = self.client.get(url)
        self.assertContains(form, 'name="facts"')
        self.assertNotContains(form, 'name="channel"')  # an answer takes no channel
        preview = self.client.post(url, {"kind": "reply", "facts": "经查属实。", "do": "preview"})
        self.assertEqual(preview["Content-Type"], "application/pdf")
        self.assertIn("经查属实", h.squeeze(h.pdf_text(preview.content)))
        self.assertFalse(Document.objects.exists())
        issued = self.client.post(url, {"kind": "reply", "facts": "经查属实。", "do": "issue"})
        document = Document.objects.get()
        self.assertRedirects(issued, f"/documents/{document.pk}/")
        detail = self.client.get(f"/documents/{document.pk}/")
        self.assertContains(detail, document.reference)
        self.assertContains(detail, 'id="not-served"')
        pdf = self.client.get(f"/documents/{document.pk}/download/")
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertIn(document.reference, h.squeeze(h.pdf_text(body(pdf))))
        docx = self.client.get(f"/documents/{document.pk}/download/?type=docx")
        self.assertIn("经查属实", h.docx_text(body(docx)))
        self.assertEqual(
            self.client.get(f"/documents/{document.pk}/download/?type=exe").status_code, 404
        )
        self.assertEqual(
            self.client.get(f"/documents/{document.pk}/download/?version=2").status_code, 404
        )
        page = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(page, document.reference)
        self.assertContains(page, 'class="badge yellow"')  # not served yet

    def test_a_refused_issue_shows_the_reason(self):
        org = self.org
        case = h.accepted(org)
        self.client.force_login(org.village_agent)
        url = f"/documents/new/case/{case.pk}/extension_notice/"
        page = self.client.get(url)
        self.assertContains(page, 'id="kind-refused"')
        response = self.client.post(url, {"kind": "extension_notice", "do": "issue"})
        self.assertEqual(response.status_code, 409)
        self.assertFalse(Document.objects.exists())
        self.assertEqual(
            self.client.get(f"/documents/new/case/{case.pk}/nonsense/").status_code, 404
        )
        self.client.force_login(org.analyst)  # sees the case, may not issue
        response = self.client.post(
            f"/documents/new/case/{case.pk}/acceptance/", {"kind": "acceptance", "do": "issue"}
        )
        self.assertEqual(response.status_code, 403)

    def test_service_and_correction_on_the_document_page(self):
        org = self.org
        case = h.replied(org)
        document = actions.issue(org.village_agent, case, kind=K.REPLY)
        self.client.force_login(org.village_agent)
        url = f"/documents/{document.pk}/service/"
        served_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        missing = self.client.post(
            url, {"recipient": "张小明", "method": "post", "served_at": served_at}
        )
        self.assertEqual(missing.status_code, 400)
        self.assertContains(missing, "postal_number_errors", status_code=400)
        ok = self.client.post(
            url,
            {
                "recipient": "张小明",
                "method": "in_person",
                "served_at": served_at,
                "proof": SimpleUploadedFile("回证.png", PNG, "image/png"),
            },
        )
        self.assertRedirects(ok, f"/documents/{document.pk}/")
        service = Service.objects.get()
        proof = self.client.get(f"/documents/{document.pk}/services/{service.pk}/proof/")
        self.assertEqual(body(proof), PNG)
        case.refresh_from_db()
        self.assertIsNotNone(case.answer_served_at)
        page = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(page, 'id="review-window"')
        self.assertNotContains(page, "review-not-started")
        refused = self.client.post(f"/documents/{document.pk}/correct/", {"reason": ""})
        self.assertEqual(refused.status_code, 400)
        corrected = self.client.post(
            f"/documents/{document.pk}/correct/", {"reason": "更正错字", "facts": "更正后的事实。"}
        )
        self.assertRedirects(corrected, f"/documents/{document.pk}/")
        old = self.client.get(f"/documents/{document.pk}/download/?version=1")
        new = self.client.get(f"/documents/{document.pk}/download/?version=2")
        self.assertNotIn("更正后的事实", h.squeeze(h.pdf_text(body(old))))
        self.assertIn("更正后的事实", h.squeeze(h.pdf_text(body(new))))

    def test_only_those_who_see_the_case_reach_its_documents(self):
        org = self.org
        document = actions.issue(org.village_agent, h.replied(org), kind=K.REPLY)
        for persona in ("other_town_clerk", "far_village_agent", "unrelated_handler"):
            self.client.force_login(getattr(org, persona))
            with self.subTest(persona=persona):
                for url in (
                    f"/documents/{document.pk}/",
                    f"/documents/{document.pk}/download/",
                ):
                    self.assertEqual(self.client.get(url).status_code, 404)
                listing = self.client.get("/documents/")
                self.assertNotContains(listing, document.reference)
        self.client.force_login(org.town_clerk)
        listing = self.client.get("/documents/?kind=reply")
        self.assertContains(listing, document.reference)
        self.assertNotContains(self.client.get("/documents/?kind=acceptance"), document.reference)


class BatchPrintTests(h.DocumentsTestCase):
    def test_tick_cases_in_the_queue_and_print_their_answers_with_receipts(self):
        org = self.org
        issued = h.replied(org)
        earlier = actions.issue(org.village_agent, issued, kind=K.REPLY)
        fresh = h.replied(org)
        not_answered = h.accepted(org)
        self.client.force_login(org.village_agent)
        queue = self.client.get("/?scope=all")
        self.assertContains(queue, 'form="batch-print"')
        numbers = [c.tracking_number for c in (issued, fresh, not_answered)]
        plan = self.client.post(
            "/documents/print/", {"cases": numbers, "kind": "reply", "receipts": "on"}
        )
        self.assertEqual(plan.status_code, 200)
        items = {item.case.tracking_number: item for item in plan.context["items"]}
        self.assertEqual(items[issued.tracking_number].document, earlier)
        self.assertTrue(items[fresh.tracking_number].to_issue)
        self.assertTrue(items[not_answered.tracking_number].problem)
        self.assertFalse(Document.objects.filter(case=fresh).exists())  # nothing yet
        pdf = self.client.post(
            "/documents/print/",
            {"cases": numbers, "kind": "reply", "receipts": "on", "confirm": "1"},
        )
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        made = Document.objects.get(case=fresh)
        text = h.squeeze(h.pdf_text(pdf.content))
        self.assertIn(earlier.reference, text)
        self.assertIn(made.reference, text)
        self.assertEqual(text.count("受送达人签名或盖章"), 2)  # a receipt after each
        self.assertNotIn(not_answered.tracking_number, text)

    def test_nothing_ticked_is_refused(self):
        self.client.force_login(self.org.village_agent)
        response = self.client.post("/documents/print/", {"kind": "reply"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "errorlist", status_code=400)


class PortalDocumentTests(h.DocumentsTestCase):
    def setUp(self):
        cache.clear()

    def test_the_petitioner_reads_and_downloads_the_answers_of_their_case(self):
        org = self.org
        case = h.assigned(org)
        slip = actions.issue(org.town_clerk, case, kind=K.ASSIGNMENT_SLIP)  # to the unit
        cases.reply(org.town_handler, case, reply_opinion="supports", reply_text="已修复。")
        answer = actions.issue(org.town_clerk, case, kind=K.REPLY)
        url = f"/portal/track/{case.tracking_number}/documents/{answer.pk}/"
        self.assertEqual(self.client.get(url).status_code, 404)  # no look-up yet
        self.client.post(
            "/portal/track/", {"tracking_number": case.tracking_number, "phone": PERSON["phone"]}
        )
        page = self.client.get(f"/portal/track/{case.tracking_number}/")
        self.assertContains(page, answer.title)
        self.assertContains(page, "portal-review-window")  # not served yet
        self.assertNotContains(page, slip.reference)
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn(answer.reference, h.squeeze(h.pdf_text(body(response))))
        other = f"/portal/track/{case.tracking_number}/documents/{slip.pk}/"
        self.assertEqual(self.client.get(other).status_code, 404)
        case.refresh_from_db()
        actions.record_service(
            org.town_clerk,
            answer,
            recipient=PERSON["name"],
            method="post",
            postal_number="1190012345678",
            served_at=timezone.now(),
        )
        page = self.client.get(f"/portal/track/{case.tracking_number}/")
        self.assertNotContains(page, "portal-review-window")
