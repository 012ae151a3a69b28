"""The documents API: list what one may see, issue, preview, download, correct and
record service; refusals carry a stable code and the field; the schema documents the
request bodies."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from qingdan.documents import actions
from qingdan.documents.choices import DocumentKind as K
from qingdan.documents.models import Document

from . import helpers as h

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class DocumentApiTests(h.DocumentsTestCase):
    def setUp(self):
        self.api = APIClient()

    def as_user(self, user):
        self.api.force_authenticate(user)
        return self.api

    def test_issue_download_serve_correct(self):
        org = self.org
        case = h.replied(org)
        api = self.as_user(org.village_agent)
        preview = api.post(
            "/api/v1/documents/preview/",
            {"case": case.tracking_number, "kind": "reply"},
            format="json",
        )
        self.assertEqual(preview["Content-Type"], "application/pdf")
        self.assertFalse(Document.objects.exists())
        issued = api.post(
            "/api/v1/documents/issue/",
            {"case": case.tracking_number, "kind": "reply", "basis": "《条例》第三十二条"},
            format="json",
        )
        self.assertEqual(issued.status_code, 201, issued.content)
        data = issued.json()
        self.assertEqual(data["case"], case.tracking_number)
        self.assertEqual(data["reference"], f"玲信复〔{timezone.localdate().year}〕1号")
        self.assertEqual(len(data["versions"][0]["sha256"]), 64)
        pk = data["id"]
        pdf = api.get(f"/api/v1/documents/{pk}/download/")
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertIn("《条例》第三十二条", h.squeeze(h.pdf_text(body(pdf))))
        docx = api.get(f"/api/v1/documents/{pk}/download/?type=docx")
        self.assertIn("《条例》第三十二条", h.docx_text(body(docx)))
        served = api.post(
            f"/api/v1/documents/{pk}/service/",
            {
                "recipient": "张小明",
                "method": "in_person",
                "served_at": timezone.now().isoformat(),
                "proof": SimpleUploadedFile("回证.png", PNG, "image/png"),
            },
            format="multipart",
        )
        self.assertEqual(served.status_code, 201, served.content)
        self.assertTrue(served.json()["services"][0]["has_proof"])
        case.refresh_from_db()
        self.assertIsNotNone(case.answer_served_at)
        corrected = api.post(
            f"/api/v1/documents/{pk}/correct/", {"reason": "更正依据"}, format="json"
        )
        self.assertEqual(corrected.status_code, 201)
        self.assertEqual(corrected.json()["current_version"], 2)
        listed = api.get("/api/v1/documents/?kind=reply&served=true").json()
        self.assertEqual([d["id"] for d in listed["results"]], [pk])

    def test_refusals_name_the_field_with_a_stable_code(self):
        org = self.org
        case = h.accepted(org)
        api = self.as_user(org.village_agent)
        nothing = api.post("/api/v1/documents/issue/", {"kind": "acceptance"}, format="json")
        self.assertEqual((nothing.status_code, nothing.json()["field"]), (400, "case"))
        bad_kind = api.post(
            "/api/v1/documents/issue/", {"case": case.tracking_number, "kind": "x"}, format="json"
        )
        self.assertEqual(bad_kind.json()["field"], "kind")
        state = api.post(
            "/api/v1/documents/issue/",
            {"case": case.tracking_number, "kind": "reply"},
            format="json",
        )
        self.assertEqual((state.status_code, state.json()["code"]), (409, "state_refuses"))
        extra = api.post(
            "/api/v1/documents/issue/",
            {"case": case.tracking_number, "kind": "acceptance", "facts": "x"},
            format="json",
        )
        self.assertEqual((extra.status_code, extra.json()["field"]), (400, "facts"))
        hidden = self.as_user(org.far_village_agent).post(
            "/api/v1/documents/issue/",
            {"case": case.tracking_number, "kind": "acceptance"},
            format="json",
        )
        self.assertEqual(hidden.status_code, 404)
        forbidden = self.as_user(org.analyst).post(
            "/api/v1/documents/issue/",
            {"case": case.tracking_number, "kind": "acceptance"},
            format="json",
        )
        self.assertEqual((forbidden.status_code, forbidden.json()["code"]), (403, "not_allowed"))
        self.assertFalse(Document.objects.exists())

    def test_list_shows_only_the_documents_of_visible_cases(self):
        org = self.org
        mine = actions.issue(org.village_agent, h.accepted(org), kind=K.ACCEPTANCE)
        minutes = actions.issue(org.city_supervisor, h.held_meeting(org), kind=K.MEETING_MINUTES)
        seen = {
            d["id"]
            for d in self.as_user(org.town_clerk).get("/api/v1/documents/").json()["results"]
        }
        self.assertEqual(seen, {mine.pk, minutes.pk})
        far = self.as_user(org.far_village_agent)
        self.assertEqual(far.get("/api/v1/documents/").json()["results"], [])
        self.assertEqual(far.get(f"/api/v1/documents/{mine.pk}/download/").status_code, 404)

    def test_the_schema_documents_the_bodies(self):
        api = self.as_user(self.org.administrator)
        schema = api.get("/api/v1/schema/?format=json").json()
        issue = schema["paths"]["/api/v1/documents/issue/"]["post"]
        ref = issue["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        name = ref.rsplit("/", 1)[-1]
        fields = schema["components"]["schemas"][name]["properties"]
        self.assertLessEqual(
            {"kind", "case", "notice", "meeting", "document", "facts"}, set(fields)
        )
        service = schema["paths"]["/api/v1/documents/{id}/service/"]["post"]
        self.assertIn("multipart/form-data", service["requestBody"]["content"])
        download = schema["paths"]["/api/v1/documents/{id}/download/"]["get"]
        self.assertIn("application/pdf", download["responses"]["200"]["content"])
