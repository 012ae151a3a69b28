"""The per-process expiring copy shared by the business calendar and the policies."""

from unittest import mock

from django.test import SimpleTestCase, override_settings

from qingdan.core import cache
from qingdan.deadlines import calendar, policies


class ExpiringCacheTests(SimpleTestCase):
    def setUp(self):
        self.loads = 0

        def load():
            self.loads += 1
            return {"load": self.loads}

        self.cache = cache.ExpiringCache(load, ttl_setting="TEST_CACHE_SECONDS", default=60)

    def test_loaded_once_then_kept(self):
        self.assertEqual(self.cache.get(), {"load": 1})
        self.assertEqual(self.cache.get(), {"load": 1})
        self.assertEqual(self.loads, 1)

    def test_expires_after_the_configured_seconds(self):
        with mock.patch.object(cache.time, "monotonic", return_value=1000.0):
            self.cache.get()
        with (
            override_settings(TEST_CACHE_SECONDS=5),
            mock.patch.object(cache.time, "monotonic", return_value=1004.0),
        ):
            self.assertEqual(self.cache.get(), {"load": 1})
        with (
            override_settings(TEST_CACHE_SECONDS=5),
            mock.patch.object(cache.time, "monotonic", return_value=1005.5),
        ):
            self.assertEqual(self.cache.get(), {"load": 2})

    def test_clear_and_clear_all(self):
        self.cache.get()
        self.cache.clear()
        self.assertEqual(self.cache.get(), {"load": 2})
        cache.clear_all()
        self.assertEqual(self.cache.get(), {"load": 3})

    def test_the_calendar_and_the_policies_are_expiring_caches(self):
        # One helper for both: the worker's clear_all() reaches them.
        for module in (calendar, policies):
            self.assertIsInstance(module._cache, cache.ExpiringCache)
            self.assertIn(module._cache, list(cache._instances))
