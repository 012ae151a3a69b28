import csv
import datetime as dt
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from django.utils import timezone, translation

from qingdan.cases.models import CaseEvent
from qingdan.core.errors import NotAllowed, ValidationFailed
from qingdan.orgs.testing import build_county
from qingdan.triage import actions
from qingdan.triage.hotissues import Doc, find_hot_issues, read_messages
from qingdan.triage.models import GovernanceTopic

from .helpers import DATA, evaluates_on_shared_data, labelled_rows, pages, register

MIXING_PLANT = [
    "丽发新城小区附近搅拌站噪音扰民",
    "投诉丽发新城附近违建搅拌站噪音扰民",
    "丽发新城搅拌站夜间施工噪音太大",
    "丽发新城小区旁边搅拌站灰尘污染严重",
    "请关停丽发新城附近的搅拌站",
]
PARKING = [
    "伊景园滨河苑捆绑销售车位",
    "坚决反对伊景园滨河苑强制捆绑销售车位",
    "伊景园滨河苑买房必须买车位合法吗",
    "投诉伊景园滨河苑捆绑车位销售",
]


def background(count: int) -> list[Doc]:
    rows = labelled_rows()[::40][:count]
    return [Doc(key=f"bg{i}", title=r["title"], text=r["text"]) for i, r in enumerate(rows)]


class EngineTests(SimpleTestCase):
    def test_groups_obviously_similar_messages(self):
        docs = [
            Doc(key=f"m{i}", title=t, text=t + "，严重影响居民生活，请有关部门处理。")
            for i, t in enumerate(MIXING_PLANT)
        ]
        docs += [
            Doc(key=f"p{i}", title=t, text=t + "，开发商违规操作，请相关部门查处。")
            for i, t in enumerate(PARKING)
        ]
        docs += background(60)
        issues = find_hot_issues(docs, min_size=3)
        self.assertGreaterEqual(len(issues), 2)
        top = [set(issue.keys) for issue in issues[:2]]
        self.assertIn({f"m{i}" for i in range(5)}, top)
        self.assertIn({f"p{i}" for i in range(4)}, top)
        self.assertEqual(issues[0].size, 5)
        self.assertTrue(any("搅拌站" in k or "丽发" in k for k in issues[0].keywords))

    def test_growth_ranks_a_rising_issue_first(self):
        start = dt.datetime(2026, 1, 1)
        docs = [
            Doc(key=f"old{i}", title=t, text=t, at=start + dt.timedelta(days=i))
            for i, t in enumerate(PARKING)
        ]
        docs += [
            Doc(key=f"new{i}", title=t, text=t, at=start + dt.timedelta(days=50 + i))
            for i, t in enumerate(MIXING_PLANT[:4])
        ]
        docs += [Doc(key="end", title="其他", text="其他事项", at=start + dt.timedelta(days=60))]
        issues = find_hot_issues(docs, min_size=3)
        self.assertEqual([i.size for i in issues], [4, 4])
        self.assertEqual(issues[0].keys[0][:3], "new")
        self.assertEqual((issues[0].recent, issues[0].earlier), (4, 0))
        self.assertEqual(issues[1].growth, -1.0)

    def test_small_input(self):
        self.assertEqual(find_hot_issues([Doc(key=1, title="a", text="b")]), [])

    def test_command_on_a_csv(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "messages.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["留言编号", "留言主题", "留言时间", "留言详情", "点赞数"])
                for i, title in enumerate(MIXING_PLANT + PARKING):
                    writer.writerow([i, title, f"2019/8/{i + 1} 10:00:00", title + "，请处理。", i])
                for doc in background(30):
                    writer.writerow([doc.key, doc.title, "2019/7/1 10:00:00", doc.text, 0])
            out = StringIO()
            with translation.override("en"):
                call_command("hot-issues", path, "--top", "2", stdout=out)
        report = out.getvalue()
        self.assertLess(report.index("size 5,"), report.index("#2 "))
        self.assertLess(report.index("#2 "), report.index("size 4,"))
        self.assertIn("伊景园滨河苑", report)

    @evaluates_on_shared_data(DATA / "hot_issue_messages.csv")
    def test_public_data_times_are_all_read(self):
        docs = read_messages(DATA / "hot_issue_messages.csv")
        self.assertEqual(len(docs), 4314)
        self.assertTrue(all(doc.at is not None for doc in docs))


@pages
class CaseHotIssueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.cases = [
            register(cls.org, title=t, content=t + "，严重影响居民生活，请有关部门处理。")
            for t in MIXING_PLANT
        ]
        for doc in background(10):
            register(cls.org, title=doc.title[:200], content=doc.text)

    def test_page_shows_clusters_of_visible_cases(self):
        self.client.force_login(self.org.city_supervisor)
        response = self.client.get("/triage/hot-issues/", {"days": 30})
        self.assertEqual(response.status_code, 200)
        issue = response.context["issues"][0]
        self.assertEqual(sorted(issue.keys), sorted(c.pk for c in self.cases))
        self.assertEqual(issue.areas, [(self.org.town.name, 5)])
        self.client.force_login(self.org.other_town_clerk)
        response = self.client.get("/triage/hot-issues/")
        self.assertEqual(response.context["issues"], [])

    def test_topic_from_a_cluster(self):
        due = timezone.localdate() + dt.timedelta(days=30)
        self.client.force_login(self.org.city_supervisor)
        response = self.client.post(
            "/triage/topics/new/",
            {
                "title": "丽发新城搅拌站扰民专项治理",
                "owner": self.org.city_leader.pk,
                "due_date": due.isoformat(),
                "cases": ",".join(str(c.pk) for c in self.cases),
                "keywords": "搅拌站,丽发新城",
            },
        )
        topic = GovernanceTopic.objects.get()
        self.assertRedirects(response, f"/triage/topics/{topic.pk}/")
        self.assertEqual(topic.owner, self.org.city_leader)
        self.assertEqual(topic.cases.count(), 5)
        self.assertEqual(topic.keywords, ["搅拌站", "丽发新城"])
        self.assertEqual(CaseEvent.objects.filter(data__governance_topic=topic.pk).count(), 5)
        self.client.force_login(self.org.city_leader)
        self.client.post(f"/triage/topics/{topic.pk}/", {"status": "in_progress"})
        topic.refresh_from_db()
        self.assertEqual(topic.status, "in_progress")
        self.assertContains(self.client.get("/triage/topics/"), topic.title)
        self.client.force_login(self.org.other_town_clerk)
        self.assertEqual(self.client.get(f"/triage/topics/{topic.pk}/").status_code, 404)

    def test_topic_rules(self):
        due = timezone.localdate() + dt.timedelta(days=30)
        with self.assertRaises(NotAllowed):
            actions.create_governance_topic(
                self.org.village_agent,
                title="x",
                owner=self.org.city_leader,
                due_date=due,
                cases=self.cases,
            )
        with self.assertRaises(ValidationFailed) as raised:
            actions.create_governance_topic(
                self.org.analyst,
                title="",
                owner=None,
                due_date=timezone.localdate() - dt.timedelta(days=1),
                cases=[],
            )
        self.assertEqual(set(raised.exception.errors), {"title", "owner", "due_date", "cases"})
        self.assertFalse(GovernanceTopic.objects.exists())
        topic = actions.create_governance_topic(
            self.org.analyst,
            title="专项",
            owner=self.org.city_leader,
            due_date=due,
            cases=self.cases[:2],
        )
        with self.assertRaises(NotAllowed):
            actions.set_topic_status(self.org.city_supervisor, topic, status="done")
