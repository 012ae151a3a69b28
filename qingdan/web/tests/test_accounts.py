"""Login and logout pages (Chinese by default) and the language switch."""

from django.core.cache import cache
from django.test import TestCase, override_settings

from qingdan.orgs.testing import build_county


class AccountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        cache.clear()  # login throttling counts failures in the cache

    def test_login_page_is_chinese(self):
        response = self.client.get("/accounts/login/")
        self.assertContains(response, "工作人员登录")
        self.assertContains(response, 'lang="zh-hans"')

    def test_login_and_logout(self):
        response = self.client.post(
            "/accounts/login/",
            {"username": "village_agent", "password": self.org.password, "next": "/intake/"},
        )
        self.assertRedirects(response, "/intake/")
        self.assertContains(self.client.get("/"), "欧代办")
        response = self.client.post("/accounts/logout/")
        self.assertRedirects(response, "/accounts/login/")
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_wrong_password_says_so(self):
        response = self.client.post(
            "/accounts/login/", {"username": "village_agent", "password": "wrong"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errorlist nonfield")
        self.assertContains(response, "密码")

    @override_settings(QINGDAN_LOGIN_FAILURES_PER_ACCOUNT=2)
    def test_too_many_failures_say_when_to_try_again(self):
        for _ in range(2):
            self.client.post("/accounts/login/", {"username": "village_agent", "password": "x"})
        response = self.client.post(
            "/accounts/login/", {"username": "village_agent", "password": self.org.password}
        )
        self.assertEqual(response.status_code, 200)  # not logged in despite the right password
        self.assertContains(response, "errorlist nonfield")
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_logged_in_user_skips_the_login_page(self):
        self.client.force_login(self.org.village_agent)
        self.assertRedirects(self.client.get("/accounts/login/"), "/")

    def test_language_switch_to_english_and_back(self):
        self.client.force_login(self.org.village_agent)
        self.assertContains(self.client.get("/"), "我的待办")
        response = self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        self.assertRedirects(response, "/")
        page = self.client.get("/")
        self.assertContains(page, "My queue")
        self.assertContains(page, 'lang="en"')
        self.client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
        self.assertContains(self.client.get("/"), "我的待办")

    def test_no_cdn_links(self):
        for url in ("/portal/", "/accounts/login/"):
            page = self.client.get(url).content.decode()
            self.assertIn('src="/static/vendor/htmx.min.js"', page)
            self.assertNotIn("https://", page)
            self.assertNotIn("//cdn", page)
