from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from qingdan.cases.models import CaseEvent, CaseFlag
from qingdan.core.errors import NotAllowed, ValidationFailed
from qingdan.orgs.testing import build_county
from qingdan.triage import actions
from qingdan.triage.choices import FlagKind
from qingdan.triage.hotterms import find_hits, highlight
from qingdan.triage.models import HotTerm

from .helpers import pages, register


@pages
class HotTermTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.admin = cls.org.administrator
        cls.term = actions.save_hot_term(cls.admin, term="讨薪", level="high", note="农民工欠薪")

    def test_hit_flags_the_case_with_evidence(self):
        case = register(self.org, title="讨薪无门", content="工地老板跑路，我们几十人讨薪三个月。")
        flag = case.flags.get(kind=FlagKind.HOT_TERM)
        self.assertEqual(
            flag.evidence["terms"],
            [{"term": "讨薪", "level": "high", "count": 2, "fields": ["title", "content"]}],
        )
        self.assertIn("讨薪", flag.message)
        self.assertTrue(
            CaseEvent.objects.filter(case=case, action="note", data__flag="hot_term").exists()
        )
        clean = register(self.org, title="路灯坏了", content="村口路灯不亮")
        self.assertFalse(clean.flags.filter(kind=FlagKind.HOT_TERM).exists())

    def test_list_changes_take_effect_without_restart(self):
        self.assertEqual(find_hits("小区业主准备集体上访"), [])
        actions.save_hot_term(self.admin, term="集体上访", level="high")
        hits = find_hits("小区业主准备集体上访")
        self.assertEqual([(h.term, h.start, h.end) for h in hits], [("集体上访", 6, 10)])
        case = register(self.org, title="物业纠纷", content="小区业主准备集体上访")
        self.assertTrue(case.flags.filter(kind=FlagKind.HOT_TERM).exists())
        # Deactivating and deleting take effect at once too.
        actions.save_hot_term(
            self.admin,
            term="集体上访",
            level="high",
            active=False,
            instance=HotTerm.objects.get(term="集体上访"),
        )
        self.assertEqual(find_hits("小区业主准备集体上访"), [])
        actions.delete_hot_term(self.admin, self.term)
        self.assertEqual(find_hits("讨薪"), [])

    def test_matching_ignores_case_and_width(self):
        actions.save_hot_term(self.admin, term="PX项目", level="medium")
        self.assertEqual(len(find_hits("反对建设ｐｘ项目和px项目")), 2)

    def test_highlight_is_escaped_html_with_marks(self):
        actions.save_hot_term(self.admin, term="讨薪难", level="low")
        html = highlight('<script>alert("x")</script>讨薪难，讨薪')
        self.assertTrue(html.startswith("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        # The longer term wins where two overlap; each term is marked once.
        self.assertIn('<mark class="hot-term hot-term-low" title="讨薪难">讨薪难</mark>', html)
        self.assertIn('<mark class="hot-term hot-term-high" title="讨薪">讨薪</mark>', html)
        self.assertEqual(html.count("<mark"), 2)
        from django.template import Context, Template

        rendered = Template("{% load triage %}{{ text|hot_terms }}").render(
            Context({"text": "<b>讨薪</b>"})
        )
        self.assertEqual(
            rendered,
            '&lt;b&gt;<mark class="hot-term hot-term-high" title="讨薪">讨薪</mark>&lt;/b&gt;',
        )

    def test_only_administrators_maintain_the_list(self):
        with self.assertRaises(NotAllowed):
            actions.save_hot_term(self.org.city_supervisor, term="上访", level="low")
        with self.assertRaises(ValidationFailed) as raised:
            actions.save_hot_term(self.admin, term="讨薪", level="nonsense")
        self.assertEqual(set(raised.exception.errors), {"term", "level"})
        self.client.force_login(self.org.city_supervisor)
        self.assertEqual(self.client.get("/triage/hot-terms/").status_code, 403)
        self.client.force_login(self.admin)
        response = self.client.post(
            "/triage/hot-terms/", {"term": "拆迁", "level": "medium", "active": "on"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(HotTerm.objects.get(term="拆迁").updated_by, self.admin)
        response = self.client.post("/triage/hot-terms/", {"term": "拆迁", "level": "medium"})
        self.assertEqual(response.status_code, 400)  # the duplicate, refused next to the term
        self.assertEqual(HotTerm.objects.filter(term="拆迁").count(), 1)

    def test_rescan_flags_existing_cases(self):
        old = register(self.org, title="征地补偿", content="征地补偿款至今未发放")
        self.assertFalse(old.flags.exists())
        actions.save_hot_term(self.admin, term="征地补偿", level="medium")
        out = StringIO()
        call_command("rescan-hot-terms", stdout=out)
        self.assertIn("1", out.getvalue())
        self.assertEqual(old.flags.get().kind, FlagKind.HOT_TERM)
        call_command("rescan-hot-terms", stdout=StringIO())
        self.assertEqual(CaseFlag.objects.filter(case=old).count(), 1)
