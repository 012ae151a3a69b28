"""Not a benchmark: the invariants bench/cluster.py checks after its run, each a PASS
or FAIL with its figures. The models are imported in the functions: cluster.py sets
Django up (its database, its cache) only once it has created the database."""

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cluster_bursts import LOGIN_TARGET

if TYPE_CHECKING:
    from cluster import Cluster


@dataclass
class Check:
    name: str
    passed: bool
    figures: dict

    def line(self) -> str:
        figures = ", ".join(f"{key} {value}" for key, value in self.figures.items())
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {figures}"


def check_cases(run: str, acknowledged: list[str], accepted: list[str]) -> list[Check]:
    from qingdan.cases.models import Case, CaseEvent

    ours = Case.objects.filter(title__startswith=f"{run} R")
    stored = Counter(ours.values_list("tracking_number", flat=True))
    # The request number in the title: one request stored twice would show here.
    requests = Counter(title.split()[1] for title in ours.values_list("title", flat=True))
    events = CaseEvent.objects.filter(case__title__startswith=f"{run} R")
    registers = Counter(
        events.filter(action="register").values_list("case__tracking_number", flat=True)
    )
    accepts = Counter(
        events.filter(action="accept").values_list("case__tracking_number", flat=True)
    )
    acked = set(acknowledged)
    lost = sum(1 for number in acked if number not in stored)
    doubled = sum(1 for n in requests.values() if n > 1)
    cases = Check(
        "cases: every acknowledged intake stored exactly once",
        lost == 0 and doubled == 0 and len(acked) == len(acknowledged) and bool(acknowledged),
        {
            "acknowledged": len(acknowledged),
            "stored": len(stored),
            "lost": lost,
            "stored twice": doubled,
            "stored, answer lost in a kill": len(set(stored) - acked),
        },
    )
    register_wrong = sum(1 for number in stored if registers.get(number) != 1)
    accept_lost = sum(1 for number in accepted if accepts.get(number, 0) == 0)
    accept_doubled = sum(1 for n in accepts.values() if n > 1)
    events_check = Check(
        "events: one registration per case, one accept per acknowledged accept",
        register_wrong == 0 and accept_lost == 0 and accept_doubled == 0 and bool(accepted),
        {
            "register events": sum(registers.values()),
            "cases without exactly one": register_wrong,
            "acknowledged accepts": len(accepted),
            "accept events": sum(accepts.values()),
            "lost": accept_lost,
            "doubled": accept_doubled,
        },
    )
    return [cases, events_check]


def check_breaches(seeded: dict) -> Check:
    from qingdan.cases.models import CaseEvent
    from qingdan.deadlines.models import DeadlineAlert
    from qingdan.supervision.models import SupervisionNotice

    orders = {
        o["pk"]: dt.datetime.fromisoformat(o["due_at"]) if o["due_at"] else None
        for o in seeded["orders"]
    }
    alerts = list(DeadlineAlert.objects.filter(case_id__in=orders).select_related("policy"))
    keys = Counter((a.case_id, a.stage, a.level, a.due_at) for a in alerts)
    missed = [
        pk
        for pk, due in orders.items()
        if not any(a.case_id == pk and a.level == "overdue" and a.due_at == due for a in alerts)
    ]
    deadline_events = Counter(
        event["alert"]
        for event in CaseEvent.objects.filter(case_id__in=orders, action="deadline").values_list(
            "data", flat=True
        )
    )
    notices = Counter(
        SupervisionNotice.objects.filter(case_id__in=orders).values_list("alert_id", flat=True)
    )
    escalations = Counter(
        CaseEvent.objects.filter(case_id__in=orders, action="escalate").values_list(
            "case_id", flat=True
        )
    )
    escalated = Counter(a.case_id for a in alerts if a.escalated)
    events_wrong = sum(1 for a in alerts if deadline_events.get(a.pk) != 1)
    supervised = [a for a in alerts if a.level == "overdue" and a.policy and a.policy.supervise]
    notices_wrong = sum(1 for a in supervised if notices.get(a.pk) != 1)
    escalations_wrong = sum(1 for pk in orders if escalations.get(pk, 0) != escalated.get(pk, 0))
    return Check(
        "deadline breaches: each acted on once",
        not missed
        and all(n == 1 for n in keys.values())
        and events_wrong == 0
        and notices_wrong == 0
        and escalations_wrong == 0
        and sum(notices.values()) == len(supervised),
        {
            "orders due during the run": len(orders),
            "without their overdue alert": len(missed),
            "alerts": len(alerts),
            "warnings": sum(1 for a in alerts if a.level == "warning"),
            "overdue": sum(1 for a in alerts if a.level == "overdue"),
            "alert keys twice": sum(1 for n in keys.values() if n > 1),
            "alerts without exactly one timeline event": events_wrong,
            "supervision notices": sum(notices.values()),
            "overdue alerts without exactly one notice": notices_wrong,
            "escalations": sum(escalations.values()),
            "cases with escalations != escalated alerts": escalations_wrong,
        },
    )


def check_notifications(cluster: "Cluster") -> Check:
    from qingdan.notifications.models import OutboxMessage

    path = cluster.options.folder / "notifications.log"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    sends: Counter = Counter()
    unreadable = 0
    for line in lines:
        try:
            sends[json.loads(line)["id"]] += 1
        except (ValueError, KeyError):
            unreadable += 1  # a line cut by a kill mid-write
    messages = dict(OutboxMessage.objects.values_list("pk", "status"))
    claimed_again = OutboxMessage.objects.filter(attempts__gt=1).count()
    allowed = 1 + cluster.kills["worker"]
    never = sum(1 for pk in messages if sends.get(pk, 0) == 0)
    too_often = sum(1 for pk in messages if sends.get(pk, 0) > allowed)
    statuses = Counter(messages.values())
    return Check(
        f"notifications: each sent at least once, at most {allowed} times "
        f"({cluster.kills['worker']} worker kill)",
        bool(messages) and never == 0 and too_often == 0 and set(statuses) == {"sent"},
        {
            "messages": len(messages),
            "statuses": dict(statuses),
            "lines written": len(lines),
            "never sent": never,
            "sent twice": sum(1 for n in sends.values() if n == 2),
            "claimed again after the kill": claimed_again,
            "sent more than allowed": too_often,
            "lines of unknown messages": sum(n for pk, n in sends.items() if pk not in messages),
            "unreadable lines": unreadable,
        },
    )


def check_lookups(cluster: "Cluster", seeded: dict, burst: dict) -> Check:
    from qingdan.cases.models import PetitionerLookup

    stored = PetitionerLookup.objects.filter(user_id=seeded["clerk"]).count()
    limit = cluster.options.lookups_per_minute
    return Check(
        "rate limit: look-ups counted jointly by both servers",
        stored == limit and burst["statuses"] == {200: burst["sent"]},
        {
            "limit a minute": limit,
            "sent (6 threads, both servers)": burst["sent"],
            "answered": burst["statuses"],
            "let through": stored,
        },
    )


def check_api_rate(cluster: "Cluster", burst: dict) -> Check:
    limit = cluster.options.api_anon_per_minute
    answered = burst["statuses"]
    return Check(
        "rate limit: the API's anonymous rate counted jointly by both servers",
        answered.get(200, 0) == limit and answered.get(429, 0) == burst["sent"] - limit,
        {
            "limit a minute": limit,
            "sent (6 threads, both servers)": burst["sent"],
            "answered": answered,
        },
    )


def check_logins(cluster: "Cluster", burst: dict) -> Check:
    from django.core.cache import cache

    checked = cache.get(f"login-fail:{LOGIN_TARGET}:127.0.0.1", 0)
    limit = cluster.options.login_failures
    return Check(
        "rate limit: failed logins counted jointly by both servers",
        checked == limit and burst["statuses"] == {200: burst["sent"]},
        {
            "failures allowed": limit,
            "wrong passwords sent (6 threads, both servers)": burst["sent"],
            "answered": burst["statuses"],
            "passwords checked": checked,
        },
    )


def check_portal(cluster: "Cluster", bursts: dict) -> Check:
    from qingdan.cases.models import Case

    replayed = Case.objects.filter(title__startswith=f"{cluster.run} P1").count()
    one_phone = Case.objects.filter(title__startswith=f"{cluster.run} P2").count()
    limit = cluster.options.cases_per_phone
    return Check(
        "portal limits: one case per answer, the phone's limit, on both servers at once",
        replayed == 1 and one_phone == limit,
        {
            "one answer sent 8 times": bursts["replayed"]["statuses"],
            "cases": replayed,
            "one phone, 8 forms": bursts["one phone"]["statuses"],
            "cases of that phone (limit)": f"{one_phone} ({limit})",
        },
    )


def check_analysis(run: str, drained: float) -> Check:
    from qingdan.cases.models import Case
    from qingdan.triage.models import CaseFingerprint, PendingAnalysis

    ours = {"case__title__startswith": run}
    pending = PendingAnalysis.objects.filter(**ours).count()
    analysed = CaseFingerprint.objects.filter(**ours).count()
    cases = Case.objects.filter(title__startswith=run).count()
    return Check(
        "analysis queue drained, every case analysed",
        pending == 0 and analysed == cases,
        {
            "queued left": pending,
            "cases": cases,
            "analysed": analysed,
            "drained (s after the load)": drained,
        },
    )
