"""Issue 14.9: behind a reverse proxy every citizen had one rate-limit bucket (the
proxy's REMOTE_ADDR). X-Forwarded-For is believed from QINGDAN_TRUSTED_PROXIES only,
and the one client-address function is what every limit counts by."""

from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings

from qingdan.api.throttling import AnonymousRateThrottle, StaffRateThrottle
from qingdan.core.client import client_address
from qingdan.open311.models import ApiKey
from qingdan.orgs.testing import build_county

from .test_settings_env import setting_from

PROXY = "10.0.0.5"
CITIZEN_A, CITIZEN_B = "203.0.113.7", "198.51.100.20"


def request(peer=PROXY, forwarded=None, path="/"):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get(path, **extra)


class ClientAddressTests(SimpleTestCase):
    def test_without_trusted_proxies_the_header_is_ignored(self):
        self.assertEqual(client_address(request(forwarded=CITIZEN_A)), PROXY)
        self.assertEqual(client_address(None), "-")

    @override_settings(QINGDAN_TRUSTED_PROXIES=["10.0.0.0/8", "2001:db8::/32"])
    def test_walks_the_header_from_the_right_over_trusted_proxies(self):
        cases = {
            # peer, X-Forwarded-For: the client
            (PROXY, CITIZEN_A): CITIZEN_A,
            (PROXY, f"{CITIZEN_A}, 10.0.0.9"): CITIZEN_A,  # two proxies
            (PROXY, f"1.2.3.4, {CITIZEN_A}"): CITIZEN_A,  # the client's own claim is skipped
            (PROXY, f"{CITIZEN_A}:5555"): CITIZEN_A,
            (PROXY, "[2001:db8::1]:443, ::ffff:203.0.113.7"): CITIZEN_A,
            (PROXY, "not-an-address"): PROXY,
            (PROXY, ""): PROXY,
            ("2001:db8::7", CITIZEN_B): CITIZEN_B,
            # An untrusted peer's header is never believed.
            ("192.0.2.1", CITIZEN_A): "192.0.2.1",
        }
        for (peer, forwarded), client in cases.items():
            with self.subTest(peer=peer, forwarded=forwarded):
                self.assertEqual(client_address(request(peer, forwarded)), client)

    @override_settings(QINGDAN_TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_api_throttles_count_by_it(self):
        for throttle in (AnonymousRateThrottle(), StaffRateThrottle()):
            self.assertEqual(throttle.get_ident(request(forwarded=CITIZEN_A)), CITIZEN_A)

    def test_a_bad_network_refuses_to_start(self):
        self.assertEqual(
            setting_from({"QINGDAN_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}, "QINGDAN_TRUSTED_PROXIES"),
            "['10.0.0.0/8', '::1']",
        )
        with self.assertRaises(Exception) as refused:
            setting_from({"QINGDAN_TRUSTED_PROXIES": "10.0.0.0/33"}, "QINGDAN_TRUSTED_PROXIES")
        self.assertIn("QINGDAN_TRUSTED_PROXIES: '10.0.0.0/33'", refused.exception.stderr)


@override_settings(
    QINGDAN_TRUSTED_PROXIES=["10.0.0.0/8"],
    QINGDAN_PORTAL_SUBMISSIONS_PER_ADDRESS=2,
    QINGDAN_PORTAL_LOOKUPS_PER_ADDRESS=2,
    QINGDAN_LOGIN_FAILURES_PER_ADDRESS=2,
    QINGDAN_OPEN311_POSTS_PER_MINUTE=1,
)
class LimitsBehindAProxyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.key = ApiKey.objects.create(name="城市服务App", jurisdiction=cls.org.town)

    def setUp(self):
        cache.clear()

    def statuses(self, path, forwarded, times, data=None, peer=PROXY):
        return [
            self.client.post(
                path, data or {}, REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded
            ).status_code
            for _ in range(times)
        ]

    def test_portal_limits_count_each_citizen(self):
        for path in ("/portal/", "/portal/track/"):
            with self.subTest(path):
                self.assertEqual(self.statuses(path, CITIZEN_A, 3), [400, 400, 429])
                # Another citizen behind the same proxy has a bucket of their own ...
                self.assertEqual(self.statuses(path, CITIZEN_B, 1), [400])
                # ... and a client that writes the header itself cannot escape its own.
                spoofed = self.statuses(path, "192.0.2.99", 3, peer="192.0.2.1")
                self.assertEqual(spoofed, [400, 400, 429])
                self.assertEqual(self.statuses(path, "192.0.2.98", 1, peer="192.0.2.1"), [429])

    def test_login_throttling_counts_each_citizen(self):
        def attempt(forwarded, username="town_clerk", password="wrong"):
            login = RequestFactory().post(
                "/accounts/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
            )
            return authenticate(login, username=username, password=password)

        attempt(CITIZEN_A, "guess1")
        attempt(CITIZEN_A, "guess2")
        self.assertIsNone(attempt(CITIZEN_A, password=self.org.password))
        self.assertIsNotNone(attempt(CITIZEN_B, password=self.org.password))

    def test_open311_posts_count_each_citizen(self):
        data = {"api_key": self.key.key, "service_code": "nope", "description": "x"}
        path = "/open311/v2/requests.json"
        self.assertEqual(self.statuses(path, CITIZEN_A, 2, data), [400, 429])
        self.assertEqual(self.statuses(path, CITIZEN_B, 1, data), [400])
