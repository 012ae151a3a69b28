"""Templates are data: an administrator overrides, per jurisdiction, the issuing
body's name, the 文号 pattern and the fixed paragraphs; a template or pattern that
fails to render is refused when saved, with the reason; the admin previews it."""

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import translation

from qingdan.documents import actions
from qingdan.documents.choices import DocumentKind as K
from qingdan.documents.defaults import PARAGRAPHS
from qingdan.documents.letterhead import letterhead_for
from qingdan.documents.models import DocumentTemplate, TemplateParagraph
from qingdan.documents.templating import SAMPLE_VALUES, TemplateProblem, check_paragraph
from qingdan.orgs.testing import build_county

from . import helpers as h


class TemplateOverrideTests(h.DocumentsTestCase):
    def test_defaults_without_a_template(self):
        head = letterhead_for(self.org.village)  # a village's documents are its town's
        self.assertEqual(head.issuer, self.org.town)
        self.assertEqual(head.body_name, "玲珑镇人民政府")
        self.assertEqual(head.review_body, "招远市信访局")
        self.assertEqual(head.number("受", 2026, 15), "玲信受〔2026〕15号")
        self.assertEqual(letterhead_for(self.org.city).review_body, "招远市人民政府")

    def test_a_county_overrides_body_pattern_and_paragraphs(self):
        org = self.org
        city = DocumentTemplate.objects.create(
            jurisdiction=org.city,
            body_name="招远市人民政府信访局",
            number_pattern="{abbr}政信{kind_abbr}字〔{year}〕第{number}号",
        )
        TemplateParagraph.objects.create(
            template=city,
            key="review_right",
            text="不服本意见的，可于收到之日起{{ days }}日内向{{ review_body }}申请复查。",
        )
        town = DocumentTemplate.objects.create(
            jurisdiction=org.town, body_name="玲珑镇信访办", abbreviation="玲珑"
        )
        head = letterhead_for(org.town)
        # The town names itself; the pattern and the paragraph come from the city.
        self.assertEqual(head.body_name, "玲珑镇信访办")
        self.assertEqual(head.review_body, "招远市人民政府信访局")
        self.assertEqual(head.number("复", 2026, 3), "玲珑政信复字〔2026〕第3号")
        document = actions.issue(org.village_agent, h.replied(org), kind=K.REPLY)
        text = h.squeeze(h.pdf_text(document.latest.pdf.read()))
        self.assertEqual(document.reference, "玲珑政信复字〔2026〕第1号")
        self.assertIn("玲珑镇信访办", text)
        self.assertIn("可于收到之日起30日内向招远市人民政府信访局申请复查", text)
        self.assertNotIn(h.squeeze(PARAGRAPHS["review_right"].text[:12]), text)
        # The town's own paragraph wins over the city's.
        TemplateParagraph.objects.create(
            template=town, key="review_right", text="镇里的复查告知：{{ days }}日。"
        )
        self.assertEqual(
            letterhead_for(org.town).paragraph("review_right", days=30, review_body="x"),
            "镇里的复查告知：30日。",
        )

    @translation.override("en")
    def test_a_pattern_that_fails_is_refused_with_the_reason(self):
        bad = {
            "{abbr}信{kind}〔{year}〕{number}号": "{kind}",
            "{abbr}信{kind_abbr}〔{year}〕号": "{number}",
            "{abbr}信{kind_abbr}{number}号": "{year}",
            "{abbr}信{kind_abbr}〔{year}〕{number号": "cannot be read",
            "{abbr}〔{year}〕{number:d}{kind_abbr:q}号": "fails to render",
        }
        for pattern, reason in bad.items():
            with self.subTest(pattern=pattern):
                template = DocumentTemplate(jurisdiction=self.org.town, number_pattern=pattern)
                with self.assertRaises(ValidationError) as refused:
                    template.full_clean()
                self.assertIn(reason, str(refused.exception.message_dict["number_pattern"]))

    @translation.override("en")
    def test_a_paragraph_that_fails_is_refused_with_the_reason(self):
        template = DocumentTemplate.objects.create(jurisdiction=self.org.town)
        bad = {
            "你于{{ received }反映": "cannot be read",
            "{% if %}": "cannot be read",
            "你的电话{{ phone }}": "phone",
            "{% include 'base.html' %}": "fails to render",
            "{% load static %}{% static 'x' %}": "cannot be read",
            "{{ days|nonsense }}": "cannot be read",
        }
        for text, reason in bad.items():
            with self.subTest(text=text):
                paragraph = TemplateParagraph(template=template, key="review_right", text=text)
                with self.assertRaises(ValidationError) as refused:
                    paragraph.full_clean()
                self.assertIn(reason, str(refused.exception.message_dict["text"]))
        with self.assertRaises(TemplateProblem):
            check_paragraph("no_such_paragraph", "x")

    def test_every_default_paragraph_renders_with_its_own_values(self):
        for key, paragraph in PARAGRAPHS.items():
            with self.subTest(key=key):
                rendered = check_paragraph(key, paragraph.text)
                self.assertNotIn("{{", rendered)
                self.assertTrue(set(paragraph.variables) <= set(SAMPLE_VALUES), key)


class TemplateAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        self.client.force_login(self.org.administrator)

    def form(self, **fields):
        data = {
            "jurisdiction": self.org.town.pk,
            "body_name": "玲珑镇信访办",
            "abbreviation": "",
            "review_body": "",
            "number_pattern": "{abbr}信{kind_abbr}〔{year}〕{number}号",
            "paragraphs-TOTAL_FORMS": "1",
            "paragraphs-INITIAL_FORMS": "0",
            "paragraphs-MIN_NUM_FORMS": "0",
            "paragraphs-MAX_NUM_FORMS": "1000",
            "paragraphs-0-key": "review_right",
            "paragraphs-0-text": "可在{{ days }}日内向{{ review_body }}申请复查。",
        }
        data.update(fields)
        return data

    def test_the_admin_refuses_what_fails_and_previews_what_saves(self):
        url = "/admin/documents/documenttemplate/add/"
        response = self.client.post(url, self.form(number_pattern="{abbr}{number}号"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "{year}")
        response = self.client.post(url, self.form(**{"paragraphs-0-text": "{{ phone }}"}))
        self.assertContains(response, "phone")
        self.assertFalse(DocumentTemplate.objects.exists())
        response = self.client.post(url, self.form())
        self.assertEqual(response.status_code, 302)
        template = DocumentTemplate.objects.get()
        page = self.client.get(f"/admin/documents/documenttemplate/{template.pk}/change/")
        self.assertContains(page, "玲信复〔")
        self.assertContains(page, "可在30日内向招远市信访局申请复查。")
        pdf = self.client.get(f"/admin/documents/documenttemplate/{template.pk}/preview.pdf")
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        text = h.squeeze(
            h.pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
        )
        self.assertIn("玲珑镇信访办", text)
        self.assertIn("可在30日内向招远市信访局申请复查", text)

    def test_issued_documents_are_read_only_in_the_admin(self):
        self.assertEqual(self.client.get("/admin/documents/document/add/").status_code, 403)
