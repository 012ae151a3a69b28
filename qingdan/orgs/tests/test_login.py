import threading
import time
from unittest import mock

from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings

from qingdan.orgs.auth import ThrottledModelBackend, is_throttled
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

    def test_successful_logins_do_not_count_against_the_address(self):
        # An office behind one address: every attempt is counted first, and a
        # successful one is taken back.
        for _ in range(12):
            self.assertIsNotNone(self.login(self.org.password))
        self.assertIsNotNone(self.login(self.org.password, username="village_agent"))


@override_settings(QINGDAN_LOGIN_FAILURES_PER_ACCOUNT=5, QINGDAN_LOGIN_FAILURES_PER_ADDRESS=100)
class ConcurrentLoginThrottleTests(SimpleTestCase):
    """Guesses sent at the same moment (threads of a server, or several servers on one
    Redis) get no more password checks than the limit: each attempt is counted before
    its password is checked, not after it failed."""

    def setUp(self):
        cache.clear()

    def test_concurrent_guesses_get_only_the_limit_of_password_checks(self):
        checked = []

        def slow_wrong_password(backend, request, username=None, password=None, **kwargs):
            checked.append(username)
            time.sleep(0.02)  # a password hash takes a while
            return None

        barrier = threading.Barrier(8)
        refused = []

        def guess():
            request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.3.3.3")
            barrier.wait()
            for _ in range(2):
                try:
                    ThrottledModelBackend().authenticate(request, "town_clerk", "guess")
                except PermissionDenied:
                    refused.append(True)

        with mock.patch.object(ModelBackend, "authenticate", slow_wrong_password):
            threads = [threading.Thread(target=guess) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        self.assertEqual(len(checked), 5)
        self.assertEqual(len(refused), 11)
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.3.3.3")
        self.assertTrue(is_throttled(request, "town_clerk"))
