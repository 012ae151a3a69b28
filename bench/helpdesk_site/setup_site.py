"""Create the benchmark queue and an API token; print the token and queue id."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from helpdesk.models import Queue  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

user, _ = get_user_model().objects.get_or_create(
    username="bench", defaults={"is_staff": True, "is_superuser": True, "email": "b@example.org"}
)
queue, _ = Queue.objects.get_or_create(slug="intake", defaults={"title": "Intake"})
token, _ = Token.objects.get_or_create(user=user)
print(token.key, queue.pk)
