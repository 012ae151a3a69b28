"""The portal's one-answer-one-case and per-phone limits hold for submissions sent at
the same moment (threads of a server, or several servers on one Redis): each is one
atomic cache operation, not a read and a later write (issue 17)."""

import threading
import time

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.test import SimpleTestCase, override_settings

from .. import challenge


class SlowAnswerCache(LocMemCache):
    """Answers come back after a while, as from Redis over the network: a read and
    a write made on it by two requests interleave."""

    def get(self, *args, **kwargs):
        value = super().get(*args, **kwargs)
        time.sleep(0.005)
        return value


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "qingdan.web.tests.test_portal_limits.SlowAnswerCache",
            "LOCATION": "portal-limit-tests",
        }
    },
    QINGDAN_PORTAL_CASES_PER_PHONE=3,
)
class ConcurrentPortalLimitTests(SimpleTestCase):
    def setUp(self):
        cache.clear()

    def at_once(self, work, threads: int = 8) -> list:
        barrier = threading.Barrier(threads)
        results: list = []
        lock = threading.Lock()

        def run():
            barrier.wait()
            outcome = work()
            with lock:
                results.append(outcome)

        workers = [threading.Thread(target=run) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        return results

    def test_one_answer_is_spent_once(self):
        results = self.at_once(lambda: challenge.spend_challenge("nonce-1"))
        self.assertEqual(results.count(True), 1)
        challenge.restore_challenge("nonce-1")
        self.assertTrue(challenge.spend_challenge("nonce-1"))

    def test_a_phone_gets_only_its_limit_at_once(self):
        results = self.at_once(lambda: challenge.reserve_phone_submission("13711112222"))
        self.assertEqual(results.count(True), 3)
        self.assertEqual(cache.get("portal-submit-phone:13711112222"), 3)
        challenge.release_phone_submission("13711112222")
        self.assertTrue(challenge.reserve_phone_submission("13711112222"))
        self.assertFalse(challenge.reserve_phone_submission("13711112222"))
