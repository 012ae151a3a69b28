"""The API's request rates counted in a sliding window of two counters."""

from types import SimpleNamespace

from django.core.cache import cache
from django.test import SimpleTestCase, override_settings

from qingdan.api.throttling import StaffRateThrottle

ACCOUNT = SimpleNamespace(
    user=SimpleNamespace(is_authenticated=True, pk=7), META={"REMOTE_ADDR": "10.0.0.1"}
)


@override_settings(QINGDAN_API_RATE_USER="3/min")
class SlidingWindowTests(SimpleTestCase):
    def setUp(self):
        cache.clear()

    def ask(self, at: float) -> tuple[bool, float | None]:
        throttle = StaffRateThrottle()
        throttle.timer = lambda: at
        allowed = throttle.allow_request(ACCOUNT, None)
        return allowed, None if allowed else throttle.wait()

    def test_the_limit_within_one_window(self):
        start = 6000.0  # the start of a minute
        self.assertEqual([self.ask(start + s)[0] for s in (1, 2, 3, 4)], [True] * 3 + [False])
        allowed, wait = self.ask(start + 5)
        self.assertFalse(allowed)
        self.assertEqual(wait, 55)  # the window ends; the three then weigh less and less

    def test_the_previous_window_still_counts_by_its_share(self):
        start = 6000.0
        for second in (50, 55, 58):  # three requests at the end of one minute
            self.assertTrue(self.ask(start + second)[0])
        # 10 s into the next minute 5/6 of the previous one is still in the last 60 s:
        # 3 × 5/6 = 2.5 counted, one more is allowed, then 3.5: refused.
        self.assertEqual(self.ask(start + 70), (True, None))
        allowed, wait = self.ask(start + 71)
        self.assertFalse(allowed)
        # 3 × (1 - x) + 1 < 3 once x > 1/3 of the minute: at 80 s, 9 s after 71.
        self.assertEqual(wait, 9)
        self.assertTrue(self.ask(start + 81)[0])
        # A minute without requests forgets everything.
        self.assertTrue(all(self.ask(start + 240 + s)[0] for s in (0, 1, 2)))

    def test_two_numbers_are_kept_not_a_list_of_times(self):
        for second in range(3):
            self.ask(6000.0 + second)
        throttle = StaffRateThrottle()
        key = throttle.get_cache_key(ACCOUNT, None)
        self.assertEqual(cache.get(f"{key}:100"), 3)
        self.assertIsNone(cache.get(key))

    @override_settings(QINGDAN_API_RATE_USER="")
    def test_no_rate_no_limit(self):
        self.assertTrue(all(self.ask(6000.0)[0] for _ in range(10)))
