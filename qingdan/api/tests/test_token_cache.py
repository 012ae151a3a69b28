"""The token's account kept in CACHES (qingdan.api.authentication): fewer statements,
and a revoked token or changed account refused at once, or at the latest after
QINGDAN_API_TOKEN_CACHE_SECONDS when the change bypassed Django (a queryset update)."""

import datetime as dt
import io

import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from qingdan.api.authentication import cache_key
from qingdan.orgs.models import User
from qingdan.orgs.testing import build_county

from .helpers import token_client

URL = "/api/v1/jurisdictions/"


class TokenCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def setUp(self):
        cache.clear()
        self.user = self.org.village_agent
        self.client = token_client(self.user)
        self.key = Token.objects.get(user=self.user).key

    def token_statements(self) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(URL).status_code, 200)
        return sum(1 for q in queries if "authtoken_token" in q["sql"])

    def test_the_token_is_read_once_then_from_the_cache(self):
        self.assertEqual(self.token_statements(), 1)
        self.assertEqual(self.token_statements(), 0)
        # Kept under a digest: the token itself is not a key anyone can read in the cache.
        self.assertIsNotNone(cache.get(cache_key(self.key)))
        self.assertNotIn(self.key, cache_key(self.key))

    @override_settings(QINGDAN_API_TOKEN_CACHE_SECONDS=0)
    def test_no_cache_reads_it_every_time(self):
        self.assertEqual(self.token_statements(), 1)
        self.assertEqual(self.token_statements(), 1)

    def test_a_revoked_token_is_refused_at_once(self):
        self.token_statements()
        call_command("issue-token", self.user.username, "--revoke", stderr=io.StringIO())
        self.assertEqual(self.client.get(URL).status_code, 401)

    def test_a_rotated_token_replaces_the_old_one_at_once(self):
        self.token_statements()
        new = io.StringIO()
        call_command("issue-token", self.user.username, "--rotate", stdout=new)
        self.assertEqual(self.client.get(URL).status_code, 401)
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {new.getvalue().strip()}")
        self.assertEqual(self.client.get(URL).status_code, 200)

    def test_a_deleted_account_is_refused_at_once(self):
        self.token_statements()
        User.objects.get(pk=self.user.pk).delete()
        self.assertEqual(self.client.get(URL).status_code, 401)

    def test_an_account_changed_or_regrouped_is_read_again(self):
        self.token_statements()
        self.user.role = self.org.town_clerk.role
        self.user.save()
        self.assertIsNone(cache.get(cache_key(self.key)))
        self.token_statements()
        self.user.groups.add(Group.objects.create(name="reveal"))
        self.assertIsNone(cache.get(cache_key(self.key)))
        self.token_statements()
        self.user.last_login = timezone.now()
        self.user.save(update_fields=["last_login"])
        self.assertIsNotNone(cache.get(cache_key(self.key)), "a log-in changes no right")

    def test_a_change_that_bypasses_django_counts_after_the_cache_time(self):
        self.token_statements()
        User.objects.filter(pk=self.user.pk).update(is_active=False)  # no signal
        later = timezone.now() + dt.timedelta(seconds=11)  # QINGDAN_API_TOKEN_CACHE_SECONDS 10
        with time_machine.travel(later, tick=False):
            self.assertEqual(self.client.get(URL).status_code, 401)

    def test_an_unknown_token_is_not_cached(self):
        self.client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
        self.assertEqual(self.client.get(URL).status_code, 401)
        self.assertIsNone(cache.get(cache_key("0" * 40)))
