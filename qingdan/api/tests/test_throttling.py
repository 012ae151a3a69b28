"""The API's request rates hold under concurrent requests (threads of a server, or
several servers on one Redis): each request is counted by one atomic increment, so
none is lost between a read and a write of the count (issue 17; bench/cluster.py
found DRF's own read-then-write history letting 25 of 25 through a limit of 10)."""

import datetime as dt
import threading
import time

import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.test import RequestFactory, SimpleTestCase, override_settings

from qingdan.api.throttling import AnonymousRateThrottle, StaffRateThrottle


class SlowReadCache(LocMemCache):
    """A cache whose answers take a while to come back, as over the network from
    Redis: two requests then read the same count before either writes it back."""

    def get(self, *args, **kwargs):
        value = super().get(*args, **kwargs)
        time.sleep(0.005)
        return value


SLOW_CACHE = {
    "default": {
        "BACKEND": "qingdan.api.tests.test_throttling.SlowReadCache",
        "LOCATION": "throttling-tests",
    }
}


def anonymous_request(address: str = "192.0.2.7"):
    request = RequestFactory().get("/api/v1/docs/", REMOTE_ADDR=address)
    request.user = AnonymousUser()
    return request


# A few seconds into a minute, the clock stopped: every request falls in one window.
@time_machine.travel(dt.datetime(2026, 12, 6, 10, 0, 5, tzinfo=dt.UTC), tick=False)
@override_settings(CACHES=SLOW_CACHE, QINGDAN_API_RATE_ANON="10/min")
class ConcurrentRateTests(SimpleTestCase):
    def setUp(self):
        cache.clear()

    def burst(self, threads: int = 8, each: int = 5, address: str = "192.0.2.7") -> list[bool]:
        barrier = threading.Barrier(threads)
        answers: list[bool] = []
        lock = threading.Lock()

        def client():
            barrier.wait()
            for _ in range(each):
                allowed = AnonymousRateThrottle().allow_request(anonymous_request(address), None)
                with lock:
                    answers.append(allowed)

        workers = [threading.Thread(target=client) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        return answers

    def test_concurrent_requests_let_exactly_the_limit_through(self):
        answers = self.burst()
        self.assertEqual(len(answers), 40)
        self.assertEqual(answers.count(True), 10)

    def test_counted_per_address(self):
        self.assertEqual(self.burst(threads=2, each=8).count(True), 10)
        self.assertEqual(self.burst(threads=2, each=3, address="192.0.2.8").count(True), 6)

    def test_a_refusal_says_when_to_come_back(self):
        throttle = AnonymousRateThrottle()
        for _ in range(10):
            self.assertTrue(throttle.allow_request(anonymous_request(), None))
        self.assertFalse(throttle.allow_request(anonymous_request(), None))
        self.assertEqual(throttle.wait(), 55)
        # The next minute counts afresh.
        with time_machine.travel(dt.datetime(2026, 12, 6, 10, 1, 0, tzinfo=dt.UTC)):
            self.assertTrue(throttle.allow_request(anonymous_request(), None))

    @override_settings(QINGDAN_API_RATE_ANON="")
    def test_no_rate_no_limit(self):
        self.assertEqual(self.burst(threads=2, each=10).count(True), 20)

    @override_settings(QINGDAN_API_RATE_USER="3/min")
    def test_the_staff_rate_counts_per_account(self):
        def staff_request(pk: int):
            request = RequestFactory().get("/api/v1/cases/", REMOTE_ADDR="192.0.2.9")
            request.user = type("Staff", (), {"is_authenticated": True, "pk": pk})()
            return request

        answers = [StaffRateThrottle().allow_request(staff_request(1), None) for _ in range(4)]
        self.assertEqual(answers, [True, True, True, False])
        self.assertTrue(StaffRateThrottle().allow_request(staff_request(2), None))
