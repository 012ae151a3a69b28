"""Phones, ID numbers and complaint text never travel in a URL (every server and proxy
log keeps URLs) and never reach what the server logs: intake, the intake look-up, the
category suggestion and the API search, with a known phone and ID number."""

import logging

from django.core.cache import cache
from django.test import TestCase

from qingdan.orgs.testing import PERSON, build_county

from .helpers import register

PHONE, ID_NUMBER = PERSON["phone"], PERSON["id_number"]


class Everything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


class NoPersonalDataInLogsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.earlier = register(cls.org.village_agent, cls.org.village)

    def setUp(self):
        cache.clear()
        self.handler = Everything()
        root = logging.getLogger()
        self.old_level = root.level
        root.addHandler(self.handler)
        root.setLevel(logging.DEBUG)
        # Loggers that do not propagate to the root (django.server, django.request …).
        self.extra = [logging.getLogger(name) for name in ("django.request", "django.server")]
        for logger in self.extra:
            logger.addHandler(self.handler)
        self.urls: list[str] = []

    def tearDown(self):
        root = logging.getLogger()
        root.removeHandler(self.handler)
        root.setLevel(self.old_level)
        for logger in self.extra:
            logger.removeHandler(self.handler)

    def send(self, method, url, data=None, **kwargs):
        response = getattr(self.client, method)(url, data or {}, **kwargs)
        self.urls.append(response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"])
        return response

    def test_intake_lookup_suggestion_and_search(self):
        self.client.force_login(self.org.town_clerk)
        registered = self.send(
            "post",
            "/intake/",
            {
                "channel": "walk_in",
                "petitioner_kind": "person",
                "petitioner_name": PERSON["name"],
                "petitioner_phone": PHONE,
                "petitioner_id_number": ID_NUMBER,
                "headcount": "1",
                "jurisdiction": self.org.village.pk,
                "title": "路灯坏了",
                "content": f"联系电话{PHONE}，身份证{ID_NUMBER}",
                "urgency": "normal",
            },
        )
        self.assertEqual(registered.status_code, 302)
        checked = self.send("post", "/intake/check/", {"petitioner_phone": PHONE})
        self.assertContains(checked, self.earlier.tracking_number)
        by_id = self.send("post", "/intake/check/", {"petitioner_id_number": ID_NUMBER})
        self.assertEqual(by_id.status_code, 200)
        suggested = self.send(
            "post", "/triage/suggest/", {"title": "路灯坏了", "content": f"电话{PHONE}"}
        )
        self.assertEqual(suggested.status_code, 200)
        found = self.send(
            "post", "/api/v1/cases/search/", {"q": PHONE}, content_type="application/json"
        )
        self.assertEqual(found.status_code, 200)
        self.assertEqual(found.json()["count"], 1)
        # The queue's search box posts too.
        queued = self.send("post", "/", {"q": PHONE, "scope": "all"})
        self.assertEqual(
            [case.tracking_number for case in queued.context["page"]],
            [case["tracking_number"] for case in found.json()["results"]],
        )
        # A failing request is logged too (django.request): still nothing personal.
        self.send(
            "post",
            "/api/v1/cases/search/",
            {"q": PHONE, "state": "nope"},
            content_type="application/json",
        )
        for value in (PHONE, ID_NUMBER):
            for url in self.urls:
                self.assertNotIn(value, url)
            for line in self.handler.lines:
                self.assertNotIn(value, line)
        self.assertTrue(self.handler.lines, "the requests above were logged")
