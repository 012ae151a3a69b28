"""Free text is masked for everyone who has not revealed it (issue 14, item 3): the
analyst reads a case whose content a clerk typed with a full ID number, phone and name,
through the API, the timeline, the list, the case page and the queue, and sees none of
them, and nothing is logged; a permitted user who reveals sees them whole, logged. The
results list, the bulletin, notifications and logs are masked with the same detector."""

import datetime as dt
import io
import logging
import re

from django.template.loader import render_to_string
from django.test import TestCase
from django.utils import translation
from openpyxl import load_workbook

from qingdan.api.tests.helpers import token_client
from qingdan.cases import actions
from qingdan.cases.choices import Action
from qingdan.cases.models import PersonalDataAccess
from qingdan.notifications.actions import enqueue
from qingdan.notifications.models import OutboxMessage
from qingdan.orgs.testing import PERSON, build_county
from qingdan.stats.bulletin import bulletin_context
from qingdan.stats.export import results_workbook
from qingdan.stats.periods import current_period
from qingdan.supervision.actions import issue_notice

NEIGHBOUR_PHONE = "139 1234 5678"
CONTENT = (
    f"{PERSON['name']}来访反映：本人身份证{PERSON['id_number']}，"
    f"手机{PERSON['phone'][:3]}-{PERSON['phone'][3:7]}-{PERSON['phone'][7:]}，"
    f"邻居电话+86 {NEIGHBOUR_PHONE}，邮箱zhang.xm@example.com，家住{PERSON['address']}。"
)
NOTE = f"已电话联系{PERSON['name']}（{PERSON['phone']}），身份证110105491231002。"
# Whatever the spelling, none of these may be read by someone without a reveal.
SECRETS = [
    PERSON["name"],
    PERSON["id_number"],
    PERSON["phone"],
    PERSON["address"],
    "13912345678",
    "110105491231002",
    "zhang.xm",
]


def compact(text: str) -> str:
    return re.sub(r"[\s\-+()（）]", "", text)


class FreeTextMaskingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.case = actions.register_case(
            cls.org.town_clerk,
            channel="walk_in",
            title=f"{PERSON['name']}反映路灯坏了",
            content=CONTENT,
            jurisdiction=cls.org.village,
            category=cls.org.construction,
            petitioner=PERSON,
        )
        actions.add_note(cls.org.town_clerk, cls.case, note=NOTE)

    def assert_nothing_personal(self, text: str, where: str = ""):
        for secret in SECRETS:
            self.assertNotIn(secret, text, where)
            self.assertNotIn(compact(secret), compact(text), where)

    def assert_no_reveal_logged(self):
        self.assertFalse(PersonalDataAccess.objects.exists())

    # --- someone without the reveal permission -----------------------------------

    def test_the_analyst_reads_the_api_masked(self):
        client = token_client(self.org.analyst)
        number = self.case.tracking_number
        detail = client.get(f"/api/v1/cases/{number}/")
        self.assertEqual(detail.status_code, 200)
        self.assert_nothing_personal(detail.content.decode(), "detail")
        self.assertIn("1101**********002X", detail.json()["content"])
        self.assertIn("张*明", detail.json()["title"])
        timeline = client.get(f"/api/v1/cases/{number}/timeline/")
        self.assert_nothing_personal(timeline.content.decode(), "timeline")
        self.assertIn("138****5678", timeline.json()[-1]["note"])
        listing = client.post("/api/v1/cases/search/", {"q": "路灯"}, format="json")
        self.assertEqual(listing.json()["results"][0]["tracking_number"], number)
        self.assert_nothing_personal(listing.content.decode(), "list")
        petitioners = client.get("/api/v1/petitioners/")
        self.assert_nothing_personal(petitioners.content.decode(), "petitioners")
        refused = client.post(f"/api/v1/cases/{number}/reveal/", {"reason": "看看"}, format="json")
        self.assertEqual((refused.status_code, refused.json()["code"]), (403, "reveal_denied"))
        self.assert_no_reveal_logged()

    def test_the_analyst_reads_the_pages_masked(self):
        self.client.force_login(self.org.analyst)
        page = self.client.get(f"/cases/{self.case.pk}/")
        self.assertEqual(page.status_code, 200)
        self.assert_nothing_personal(page.content.decode(), "case page")
        self.assertContains(page, "张*明")
        self.assertNotContains(page, f'action="/cases/{self.case.pk}/reveal/"')
        queue = self.client.get("/", {"scope": "all"})
        self.assertContains(queue, self.case.tracking_number)
        self.assert_nothing_personal(queue.content.decode(), "queue")
        self.assert_no_reveal_logged()

    def test_a_group_petitions_representatives_are_masked_in_its_free_text(self):
        representative = "欧阳春来"
        group = actions.register_case(
            self.org.town_clerk,
            channel="walk_in",
            title="三十户村民反映饮水问题",
            content=f"由代表{representative}反映：村里自来水浑浊。",
            jurisdiction=self.org.village,
            category=self.org.construction,
            petitioner=PERSON,
            headcount=30,
            representatives=[{"name": representative, "phone": "13700001111"}],
        )
        actions.add_note(self.org.town_clerk, group, note=f"已与{representative}约定回访时间")
        masked = group.representatives.get().masked_name
        client = token_client(self.org.analyst)
        detail = client.get(f"/api/v1/cases/{group.tracking_number}/")
        self.assertNotIn(representative, detail.content.decode())
        self.assertIn(masked, detail.json()["content"])
        timeline = client.get(f"/api/v1/cases/{group.tracking_number}/timeline/")
        self.assertNotIn(representative, timeline.content.decode())
        self.client.force_login(self.org.analyst)
        page = self.client.get(f"/cases/{group.pk}/")
        self.assertNotContains(page, representative)
        self.assertContains(page, masked)
        self.assert_no_reveal_logged()

    def test_staff_who_may_reveal_see_it_masked_until_they_do(self):
        self.client.force_login(self.org.town_clerk)
        self.assert_nothing_personal(self.client.get(f"/cases/{self.case.pk}/").content.decode())
        self.assert_no_reveal_logged()

    # --- reveal ---------------------------------------------------------------------

    def test_reveal_on_the_page_shows_the_text_whole_and_is_logged(self):
        self.client.force_login(self.org.town_clerk)
        page = self.client.post(f"/cases/{self.case.pk}/reveal/", {"reason": "电话回访"})
        self.assertEqual(page.status_code, 200)
        body = page.content.decode()
        self.assertIn("身份证" + PERSON["id_number"], body)
        self.assertIn("+86 " + NEIGHBOUR_PHONE, body)
        self.assertIn(f"（{PERSON['phone']}）", body)  # the timeline note whole
        self.assertIn("no-store", page["Cache-Control"])
        access = PersonalDataAccess.objects.get()
        self.assertEqual((access.actor, access.note), (self.org.town_clerk, "电话回访"))
        # The next look is masked again.
        self.assert_nothing_personal(self.client.get(f"/cases/{self.case.pk}/").content.decode())

    def test_reveal_in_the_api_answers_the_free_text_whole_and_is_logged(self):
        client = token_client(self.org.city_supervisor)
        number = self.case.tracking_number
        response = client.post(f"/api/v1/cases/{number}/reveal/", {"reason": "核实"}, format="json")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["phone"], PERSON["phone"])
        self.assertEqual(data["case"]["content"], CONTENT)
        self.assertEqual(data["case"]["title"], f"{PERSON['name']}反映路灯坏了")
        self.assertIn(NOTE, [step["note"] for step in data["timeline"]])
        self.assertEqual(self.case.events.filter(action=Action.REVEAL).count(), 1)
        # Revealing changes nothing for the next read.
        self.assert_nothing_personal(client.get(f"/api/v1/cases/{number}/").content.decode())

    def test_a_case_without_petitioner_can_be_revealed_too(self):
        case = actions.register_case(
            self.org.town_clerk,
            channel="phone",
            title="匿名来电",
            content=f"来电人电话{NEIGHBOUR_PHONE}",
            jurisdiction=self.org.village,
        )
        self.client.force_login(self.org.town_clerk)
        masked = self.client.get(f"/cases/{case.pk}/")
        self.assertNotContains(masked, NEIGHBOUR_PHONE)
        self.assertContains(masked, f'action="/cases/{case.pk}/reveal/"')
        page = self.client.post(f"/cases/{case.pk}/reveal/", {"reason": "回拨"})
        self.assertContains(page, NEIGHBOUR_PHONE)
        data = token_client(self.org.town_clerk).post(
            f"/api/v1/cases/{case.tracking_number}/reveal/", {"reason": "回拨"}, format="json"
        )
        self.assertEqual(data.json()["case"]["content"], f"来电人电话{NEIGHBOUR_PHONE}")
        self.assertNotIn("phone", data.json())

    # --- exports, bulletin, notifications, logs --------------------------------------

    def test_the_results_list_is_masked(self):
        actions.not_accept(self.org.town_clerk, self.case, reason=f"已告知{PERSON['name']}")
        book = load_workbook(io.BytesIO(results_workbook(self.org.analyst, current_period())))
        cells = " ".join(
            str(value) for row in book.active.iter_rows(values_only=True) for value in row if value
        )
        self.assertIn(self.case.tracking_number, cells)
        self.assertIn("张*明", cells)
        self.assert_nothing_personal(cells)

    def test_the_bulletin_is_masked(self):
        # An administrator typed a phone into a category's name; the bulletin is public.
        category = self.org.construction
        category.name = "城乡建设（联系人13912345678）"
        category.save()
        with translation.override("zh-hans"):
            context = bulletin_context(self.org.city_supervisor, current_period())
            html = render_to_string("stats/bulletin_pdf.html", context)
        self.assertIn("城乡建设（联系人139****5678）", html)
        self.assert_nothing_personal(html)

    def test_notifications_are_masked(self):
        (message, *_others) = enqueue(
            [self.org.town_handler],
            subject=f"{self.case.tracking_number} {self.case.title}",
            body=self.case.content,
            kind="test",
            case=self.case,
        )
        stored = OutboxMessage.objects.get(pk=message.pk)
        self.assert_nothing_personal(stored.subject + stored.body)
        self.assertIn("张*明", stored.subject)
        # A real one: a supervision notice quoting a phone.
        actions.accept(self.org.town_clerk, self.case)
        actions.assign(self.org.town_clerk, self.case, lead_unit=self.org.town_office)
        issue_notice(
            self.org.city_supervisor,
            self.case,
            reason=f"请联系{NEIGHBOUR_PHONE}核实",
            reply_within=dt.timedelta(days=2),
        )
        notices = OutboxMessage.objects.filter(kind="notice_issued")
        self.assertTrue(notices.exists())
        for sent in notices:
            self.assert_nothing_personal(sent.subject + sent.body)

    def test_log_records_are_masked(self):
        handler = next(h for h in logging.getLogger().handlers if h.name == "console")
        stream = io.StringIO()
        previous = handler.setStream(stream)
        try:
            logging.getLogger("qingdan.test").warning("caller %s, ID %s", NEIGHBOUR_PHONE, NOTE)
            logging.getLogger("django.request").warning(
                "Bad Request: /intake/check/?petitioner_phone=%s", PERSON["phone"]
            )
            try:
                raise ValueError(f"bad phone +86 {NEIGHBOUR_PHONE}")
            except ValueError:
                logging.getLogger("qingdan.test").exception("failed for 110105491231002")
        finally:
            handler.setStream(previous)
        written = stream.getvalue()
        self.assertIn("139****5678", written)
        self.assertIn("Traceback", written)
        for secret in ("13912345678", PERSON["phone"], "110105491231002"):
            self.assertNotIn(secret, compact(written))
