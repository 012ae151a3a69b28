"""Forms a township office uses all day: the portal's category and photo, the grouped
and searchable co-units, the case picker, Chinese in every select, unit names that
say their place once."""

import shutil
import tempfile

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.utils import translation

from qingdan.cases import actions
from qingdan.cases.choices import Action
from qingdan.cases.models import Case
from qingdan.orgs.choices import DepartmentKind
from qingdan.orgs.models import Department
from qingdan.orgs.testing import build_county
from qingdan.supervision.forms import supervision_form

from .helpers import register
from .test_portal import PortalTestCase

MEDIA = tempfile.mkdtemp(prefix="qingdan-media-")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def tearDownModule():
    shutil.rmtree(MEDIA, ignore_errors=True)


@override_settings(MEDIA_ROOT=MEDIA)
class PortalPhotoTests(PortalTestCase):
    def test_the_petitioner_chooses_a_category_and_sends_a_photo(self):
        page = self.client.get("/portal/")
        self.assertContains(page, 'enctype="multipart/form-data"')
        self.assertContains(page, 'name="category"')
        photo = SimpleUploadedFile("排水沟.png", PNG, "image/png")
        response = self.submit(category=self.org.construction.pk, photo=photo)
        self.assertRedirects(response, "/portal/submitted/")
        case = Case.objects.get()
        self.assertEqual(case.category, self.org.construction)
        attachment = case.attachments.get()
        self.assertEqual((attachment.content_type, attachment.uploaded_by), ("image/png", None))
        event = case.events.get(action=Action.ATTACH)
        self.assertEqual(event.actor_label, "petitioner")

    def test_a_file_that_is_not_a_photo_or_too_large_is_refused_and_nothing_is_saved(self):
        fake = SimpleUploadedFile("照片.png", b"%PDF-1.4 not a picture", "image/png")
        response = self.submit(photo=fake)
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].errors["photo"])
        pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 real pdf", "application/pdf")
        response = self.submit(photo=pdf)
        self.assertIn("照片", response.context["form"].errors["photo"][0])
        cache.clear()
        with self.settings(QINGDAN_ATTACHMENT_MAX_BYTES=16):
            response = self.submit(photo=SimpleUploadedFile("大.png", PNG, "image/png"))
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].errors["photo"])
        self.assertFalse(Case.objects.exists())


class OfficeFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_the_citys_co_units_are_grouped_and_searchable(self):
        case = register(self.org.village_agent, self.org.village)
        actions.take_over(self.org.city_supervisor, case, reason="需市级协调")
        actions.accept(self.org.city_supervisor, case)
        self.client.force_login(self.org.city_supervisor)
        with translation.override("zh-hans"):
            page = self.client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = page.content.decode()
        form = html.split('id="action-assign"', 1)[1].split("</details>", 1)[0]
        self.assertIn('class="choice-filter" data-filter-for="id_assign_co_units"', form)
        self.assertIn('<div id="id_assign_co_units" class="filterable">', form)
        # City bureaus under one heading, then each town's offices under the town.
        units = form.split('<div id="id_assign_co_units" class="filterable">', 1)[1]
        city, town = units.index("<label>市直部门</label>"), units.index("<label>玲珑镇</label>")
        self.assertLess(city, units.index("人社局"))
        self.assertLess(units.index("人社局"), town)
        self.assertLess(town, units.index("玲珑镇综治办"))

    def test_the_case_picker_offers_visible_cases_by_number_or_title(self):
        lamp = register(self.org.village_agent, self.org.village, title="村口路灯坏了")
        far = register(self.org.far_village_agent, self.org.far_village, title="大户村路灯坏了")
        form = supervision_form("issue_notice", user=self.org.city_supervisor)
        html = form.as_div()
        # Named by the action and its input: a page with two pickers keeps them apart.
        self.assertIn('list="issue-notice-case-options"', html)
        self.assertIn('hx-get="/cases/options/"', html)
        self.client.force_login(self.org.village_agent)
        options = self.client.get("/cases/options/", {"tracking_number": "路灯"}).content.decode()
        self.assertIn(f'<option value="{lamp.tracking_number}">村口路灯坏了', options)
        self.assertNotIn(far.tracking_number, options)  # not visible to the village agent
        by_number = self.client.get("/cases/options/", {"q": lamp.tracking_number[-6:]})
        self.assertContains(by_number, lamp.tracking_number)
        self.assertNotContains(self.client.get("/cases/options/", {"q": "x"}), "<option")

    def test_selects_say_their_empty_choice_in_chinese(self):
        self.client.force_login(self.org.town_clerk)
        with translation.override("zh-hans"):
            page = self.client.get("/intake/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertNotContains(page, "Select an option")
        self.assertContains(page, "- 请选择 -")

    def test_a_unit_name_says_its_place_once(self):
        city = self.org.city
        bureau = Department.objects.create(
            code="zy-sthj2",
            name="烟台市生态环境局招远分局",
            kind=DepartmentKind.CITY_BUREAU,
            jurisdiction=city,
        )
        self.assertEqual(str(bureau), "烟台市生态环境局招远分局")
        self.assertEqual(str(self.org.police_station), "玲珑派出所")
        self.assertEqual(str(self.org.town_office), "玲珑镇综治办")
        self.assertEqual(str(self.org.housing_bureau), "招远市住建局")
