"""Not a test: run by test_concurrency in a child process. A worker that claims an
item, says so, and hangs inside the claiming transaction until it is killed."""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
django.setup()

from qingdan.jobs.worker import Worker  # noqa: E402


def hang(case, alert):
    print("claimed", case.pk, flush=True)
    time.sleep(300)


Worker(on_claimed=hang).run_once()
