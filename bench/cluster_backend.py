"""Not a benchmark: the notification backend bench/cluster.py gives its servers and
workers (QINGDAN_NOTIFICATION_BACKENDS=cluster_backend.SlowFileBackend, with bench/ on
PYTHONPATH). Like the file backend it appends one JSON line per message sent, with the
sending process's id; each send takes QINGDAN_BENCH_SEND_SECONDS, as a mail server or
SMS gateway does, so that a worker spends part of the run inside a batch of sends and
can be killed there."""

import json
import os
import time

from django.conf import settings

from qingdan.notifications.backends import Backend


class SlowFileBackend(Backend):
    name = "slow-file"

    def send(self, message) -> None:
        time.sleep(float(os.environ.get("QINGDAN_BENCH_SEND_SECONDS", "0.02")))
        line = json.dumps({"id": message.pk, "pid": os.getpid(), "at": time.time()})
        with open(settings.QINGDAN_NOTIFICATION_FILE, "a", encoding="utf-8") as stream:
            stream.write(line + "\n")
