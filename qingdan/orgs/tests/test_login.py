from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import RequestFactory, TestCase, override_settings

from qingdan.orgs.forms import LoginForm
from qingdan.orgs.testing import build_county


@override_settings(QINGDAN_LOGIN_FAILURES_PER_ACCOUNT=3, QINGDAN_LOGIN_FAILURES_PER_ADDRESS=10)
class LoginThrottleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        cache.clear()
        self.request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.1.1.1")

    def login(self, password, username="town_clerk", request=None):
        return authenticate(request or self.request, username=username, password=password)

    def test_locks_one_account_from_one_address(self):
        self.assertIsNotNone(self.login(self.org.password))
        for _ in range(3):
            self.assertIsNone(self.login("wrong"))
        # Now even the right password is refused from this address ...
        self.assertIsNone(self.login(self.org.password))
        form = LoginForm(self.request, data={"username": "town_clerk", "password": "x"})
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors.as_data()["__all__"][0].code, "throttled")
        # ... but not from another, and not for another account.
        other = RequestFactory().post("/", REMOTE_ADDR="10.2.2.2")
        self.assertIsNotNone(self.login(self.org.password, request=other))
        self.assertIsNotNone(self.login(self.org.password, username="village_agent"))

    def test_many_accounts_from_one_address(self):
        for index in range(10):
            self.login("wrong", username=f"guess{index}")
        self.assertIsNone(self.login(self.org.password, username="analyst"))

    def test_success_clears_the_account_count(self):
        self.login("wrong")
        self.login("wrong")
        self.assertIsNotNone(self.login(self.org.password))
        self.login("wrong")
        self.login("wrong")
        self.assertIsNotNone(self.login(self.org.password))
