"""Issue 14.9: with several server processes, limits hold only in a shared cache.
Two separate processes count into one bucket when Django's Redis cache is configured
(CACHE_BACKEND, CACHE_LOCATION); the default local-memory cache counts per process."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from unittest import SkipTest

import redis
from django.core.cache import cache
from django.test import RequestFactory, SimpleTestCase, override_settings

from qingdan.orgs.auth import is_throttled, record_failure
from qingdan.web import challenge

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS = {
    "CACHE_BACKEND": "django.core.cache.backends.redis.RedisCache",
    "CACHE_LOCATION": REDIS_URL,
}
# One process of the server: it records login failures and portal submissions.
CHILD = """
import sys
import django
django.setup()
from django.test import RequestFactory
from qingdan.orgs.auth import record_failure
from qingdan.web import challenge
address, username, times = sys.argv[1], sys.argv[2], int(sys.argv[3])
request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
for _ in range(times):
    record_failure(request, username)
    challenge.allow_submission_from(address)
"""


class SharedCacheTests(SimpleTestCase):
    def setUp(self):
        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        except redis.exceptions.RedisError as exc:
            raise SkipTest(
                f"Redis is not reachable at {REDIS_URL} ({exc}): start it with "
                "`redis-server --daemonize yes --bind 127.0.0.1 --port 6379` (.ci/run does) "
                "to check that limits hold across server processes."
            ) from exc
        # Keys of this run only: other test runs may share the Redis server.
        self.address = f"192.0.2.{uuid.uuid4().int % 250 + 1}"
        self.username = f"guess-{uuid.uuid4().hex}"

    def server_process(self, cache_env: dict, times: int) -> None:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qingdan.settings", **cache_env}
        subprocess.run(
            [sys.executable, "-c", CHILD, self.address, self.username, str(times)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    def login_request(self):
        return RequestFactory().post("/accounts/login/", REMOTE_ADDR=self.address)

    @override_settings(
        CACHES={"default": {"BACKEND": REDIS["CACHE_BACKEND"], "LOCATION": REDIS_URL}},
        QINGDAN_LOGIN_FAILURES_PER_ACCOUNT=4,
        QINGDAN_PORTAL_SUBMISSIONS_PER_ADDRESS=4,
    )
    def test_two_processes_count_into_one_bucket_in_redis(self):
        keys = [
            f"login-fail:{self.username}:{self.address}",
            f"login-fail-ip:{self.address}",
            f"portal-submit-ip:{self.address}",
        ]
        self.addCleanup(cache.delete_many, keys)
        # Another server process, then this one: two processes, one bucket.
        self.server_process(REDIS, 2)
        for _ in range(2):
            record_failure(self.login_request(), self.username)
            challenge.allow_submission_from(self.address)
        self.assertEqual(cache.get_many(keys), dict.fromkeys(keys, 4))
        self.assertTrue(is_throttled(self.login_request(), self.username))
        self.assertFalse(challenge.allow_submission_from(self.address))
