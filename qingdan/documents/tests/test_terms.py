"""Words that mean different things in different apps carry a context (msgctxt), so each
page says its own: Django serves one translation per msgid and context for the whole site,
and the first app to translate a bare msgid wins everywhere (a document's 'issued by'
read 督办人, the supervision board's 'To' 转至, the visits page 关企面对面问题清单)."""

from django.test import TestCase
from django.utils import translation

from qingdan.cases.models import Case
from qingdan.documents.models import Document, DocumentVersion
from qingdan.orgs.testing import build_county
from qingdan.supervision.choices import NoticeState


class TermsInContextTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_labels_of_each_app(self):
        with translation.override("zh-hans"):
            self.assertEqual(str(Document._meta.get_field("created_by").verbose_name), "签发人")
            self.assertEqual(str(Document._meta.get_field("created_at").verbose_name), "签发时间")
            self.assertEqual(
                str(DocumentVersion._meta.get_field("issued_by").verbose_name), "签发人"
            )
            self.assertEqual(str(NoticeState.ANSWERED.label), "已答复")
            self.assertEqual(str(Case._meta.get_field("content").verbose_name), "诉求内容")

    def test_the_visits_page_says_enterprise_visits(self):
        self.client.force_login(self.org.town_clerk)
        page = self.client.get("/intake/visits/")
        self.assertContains(page, "<h1>企业走访</h1>", html=True)
