"""The group scan's cached vectors give the scores of a fresh comparison."""

import numpy as np
from django.test import SimpleTestCase

from ..text import VectorCache, similarities

TEXTS = {
    1: "村口路灯坏了一周，晚上出行不便，请尽快修复。",
    2: "村口的路灯坏了好几天了，晚上出门很不方便。",
    3: "小区楼下餐馆油烟扰民，窗户都不敢开。",
    4: "",
}


class VectorCacheTests(SimpleTestCase):
    def setUp(self):
        self.loaded: list[list] = []

    def load(self, keys):
        self.loaded.append(list(keys))
        return {key: TEXTS[key] for key in keys}

    def test_same_scores_as_without_cache_and_each_text_read_once(self):
        cache = VectorCache()
        own = "路灯坏了，晚上出行不便"
        expected = similarities(own, [TEXTS[k] for k in (1, 2, 3, 4)])
        first = cache.similarities(own, [1, 2, 3, 4], self.load)
        np.testing.assert_allclose(first, expected, rtol=1e-6)
        self.assertGreater(first[0], first[2])
        again = cache.similarities(own, [3, 1, 2], self.load)
        np.testing.assert_allclose(again, expected[[2, 0, 1]], rtol=1e-6)
        self.assertEqual(self.loaded, [[1, 2, 3, 4]])

    def test_oldest_vectors_are_dropped_past_the_size(self):
        cache = VectorCache(size=2)
        cache.similarities("路灯", [1, 2, 3], self.load)
        self.assertEqual(len(cache), 2)
        cache.similarities("路灯", [1], self.load)  # 1 was the oldest: read again
        self.assertEqual(self.loaded, [[1, 2, 3], [1]])

    def test_nothing_to_compare(self):
        self.assertEqual(len(VectorCache().similarities("路灯", [], self.load)), 0)
        self.assertEqual(self.loaded, [])
