"""After a restart the group scan's vector cache is filled before the first intake of
each town needs it (qingdan.triage.warmup)."""

import datetime as dt

import time_machine
from django.test import SimpleTestCase, TestCase

from qingdan.orgs.testing import build_county
from qingdan.triage import warmup
from qingdan.triage.early_warning import GROUP_VECTORS, group_keys, group_scan_rows

from .helpers import register

NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)


def must_not_load(keys):
    raise AssertionError(f"{len(keys)} texts read: the cache was cold")


@time_machine.travel(NOW, tick=False)
class WarmGroupVectorsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        texts = ["村口路灯不亮", "道路破损积水", "装修噪音扰民", "垃圾无人清运", "自来水停水"]
        for number, text in enumerate(texts):
            register(cls.org, title=text, content=f"{text}，已经{number + 2}天了。")
        for text in texts[:2]:
            register(
                cls.org,
                cls.org.far_village_agent,
                title=text,
                content=f"{text}。",
                jurisdiction=cls.org.far_village,
            )
        with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
            register(cls.org, title="旧事", content="一个月前的事。")  # outside the window

    def setUp(self):
        GROUP_VECTORS.clear()
        self.addCleanup(GROUP_VECTORS.clear)
        self.since = NOW - dt.timedelta(days=7)

    def keys(self, town):
        return group_keys(group_scan_rows(town.scope_prefix, self.since))

    def test_the_next_scan_of_every_town_finds_its_vectors(self):
        # Cold, as after a restart: the scan would read and vectorise the texts.
        with self.assertRaises(AssertionError):
            GROUP_VECTORS.fill(self.keys(self.org.town), must_not_load)
        GROUP_VECTORS.clear()
        self.assertEqual(warmup.warm_group_vectors(), 7)
        for town in (self.org.town, self.org.other_town):
            self.assertEqual(GROUP_VECTORS.fill(self.keys(town), must_not_load), 0)
        self.assertEqual(warmup.warm_group_vectors(), 0)  # nothing left to do

    def test_busiest_places_first_as_far_as_the_cache_holds(self):
        self.assertEqual(
            warmup.scan_scopes(self.since),
            [self.org.town.scope_prefix, self.org.other_town.scope_prefix],
        )
        size = GROUP_VECTORS.size
        self.addCleanup(setattr, GROUP_VECTORS, "size", size)
        GROUP_VECTORS.size = 6
        self.assertEqual(warmup.warm_group_vectors(), 5)  # the busier town only
        self.assertEqual(GROUP_VECTORS.fill(self.keys(self.org.town), must_not_load), 0)


class StartWarmingTests(SimpleTestCase):
    databases = {"default"}

    def test_one_background_thread_per_process(self):
        warmup._started.clear()
        self.addCleanup(warmup._started.clear)
        thread = warmup.start_warming()
        self.assertIsNotNone(thread)
        self.assertTrue(thread.daemon)
        self.assertIsNone(warmup.start_warming())
        thread.join(30)
        self.assertFalse(thread.is_alive())
