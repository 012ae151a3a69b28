"""The statutory defaults and the official calendar, as data.

Used by the data migrations (with the historical app registry) and by the
`seed-calendar` command (with the live one). Both only add what is missing: an
administrator's edits are never overwritten.
"""

import datetime as dt

from django.apps import apps as live_apps

D = dt.timedelta
SUPERVISE_NOTIFY = ["lead_unit", "tier_staff", "supervisors", "leader"]
WARN_NOTIFY = ["lead_unit", "tier_staff"]

# 信访工作条例 (2022) and hotline practice (接诉即办); see docs/DOMAIN "Deadlines".
STATUTORY_POLICIES: list[dict] = [
    {
        "name": "受理告知：收到之日起15日内书面告知是否受理",
        "stage": "accept",
        "starts_at": "received",
        "limit": 15,
        "unit": "calendar_days",
        "warn_before": D(days=3),
        "legal_basis": "信访工作条例 第二十三条",
    },
    {
        "name": "登记转送、交办：收到之日起15日内",
        "stage": "assign",
        "starts_at": "received",
        "limit": 15,
        "unit": "calendar_days",
        "warn_before": D(days=3),
        "legal_basis": "信访工作条例 第二十二条",
    },
    {
        "name": "办理：受理之日起60日内办结（可延长一次，不超过30日）",
        "stage": "handle",
        "review_level": 0,
        "starts_at": "accepted",
        "limit": 60,
        "unit": "calendar_days",
        "warn_before": D(days=5),
        "extendable": True,
        "legal_basis": "信访工作条例 第三十四条",
    },
    {
        "name": "复查：收到复查请求之日起30日内提出复查意见",
        "stage": "handle",
        "review_level": 1,
        "starts_at": "accepted",
        "limit": 30,
        "unit": "calendar_days",
        "warn_before": D(days=3),
        "legal_basis": "信访工作条例 第三十五条",
    },
    {
        "name": "复核：收到复核请求之日起30日内提出复核意见（听证时间不计入）",
        "stage": "handle",
        "review_level": 2,
        "starts_at": "accepted",
        "limit": 30,
        "unit": "calendar_days",
        "warn_before": D(days=3),
        "pausable": True,
        "legal_basis": "信访工作条例 第三十六条",
    },
    {
        "name": "复查、复核请求：收到书面答复之日起30日内提出",
        "stage": "review_request",
        "starts_at": "served",
        "limit": 30,
        "unit": "calendar_days",
        "warn_before": D(days=3),
        "supervise": False,
        "legal_basis": "信访工作条例 第三十五条、第三十六条",
    },
    # 12345 hotline work orders: counted from receipt of the order to the reply.
    {
        "name": "热线紧急诉求（危及生命财产安全）：2小时",
        "stage": "handle",
        "channel": "phone",
        "urgency": "emergency",
        "starts_at": "received",
        "limit": 2,
        "unit": "hours",
        "warn_before": D(minutes=30),
        "escalate": True,
        "notice_reply_within": D(hours=2),
        "legal_basis": "接诉即办",
    },
    {
        "name": "热线急办诉求（水电气热）：24小时",
        "stage": "handle",
        "channel": "phone",
        "urgency": "urgent",
        "starts_at": "received",
        "limit": 24,
        "unit": "hours",
        "warn_before": D(hours=4),
        "notice_reply_within": D(hours=24),
        "legal_basis": "接诉即办",
    },
    {
        "name": "热线一般诉求：5个工作日",
        "stage": "handle",
        "channel": "phone",
        "urgency": "normal",
        "starts_at": "received",
        "limit": 5,
        "unit": "working_days",
        "warn_before": D(days=1),
        "notice_reply_within": D(days=2),
        "legal_basis": "接诉即办",
    },
    {
        "name": "热线复杂诉求：15日",
        "stage": "handle",
        "channel": "phone",
        "urgency": "complex",
        "starts_at": "received",
        "limit": 15,
        "unit": "calendar_days",
        "warn_before": D(days=2),
        "extendable": True,
        "legal_basis": "接诉即办",
    },
]


# Local practice, not statute (协办单位反馈协办意见): a default an administrator adjusts.
CO_OPINION_POLICY = {
    "name": "协办意见：协办单位自接到协办通知之日起7日内向主办单位反馈",
    "stage": "co_opinion",
    "starts_at": "co_handling",
    "limit": 7,
    "unit": "calendar_days",
    "warn_before": D(days=2),
    "supervise": False,
    "legal_basis": "工作惯例（可调整）",
}
STATUTORY_POLICIES.append(CO_OPINION_POLICY)


def seed_policies(apps=live_apps, *, names: set[str] | None = None) -> int:
    """Create the default policies that are missing (matched by name), or only those
    named."""
    policy_model = apps.get_model("deadlines", "DeadlinePolicy")
    created = 0
    for spec in STATUTORY_POLICIES:
        if names is not None and spec["name"] not in names:
            continue
        defaults = {
            "supervise": True,
            "notify_on_warning": list(WARN_NOTIFY),
            "notify_on_breach": list(SUPERVISE_NOTIFY),
            **{k: v for k, v in spec.items() if k != "name"},
        }
        _policy, was_created = policy_model.objects.get_or_create(
            name=spec["name"], defaults=defaults
        )
        created += was_created
    return created


def calendar_from_package() -> dict[int, list[tuple[dt.date, str, str]]]:
    """The years chinese-calendar knows, each with its (date, kind, name) special days."""
    from chinese_calendar.constants import Holiday, holidays, workdays

    def chinese(name: str) -> str:
        try:
            return Holiday(name).chinese
        except ValueError:
            return name

    years: dict[int, list[tuple[dt.date, str, str]]] = {}
    for day, name in holidays.items():
        years.setdefault(day.year, []).append((day, "rest", chinese(name)))
    for day, name in workdays.items():
        if day.weekday() >= 5:  # the package also lists ordinary weekdays near holidays
            years.setdefault(day.year, []).append((day, "work", chinese(name)))
    return years


def seed_calendar(apps=live_apps, *, years: set[int] | None = None) -> tuple[int, int]:
    """Add the package's schedule for each year the calendar does not know yet.
    Returns (years added, days added)."""
    import chinese_calendar

    year_model = apps.get_model("deadlines", "CalendarYear")
    day_model = apps.get_model("deadlines", "SpecialDay")
    version = getattr(chinese_calendar, "__version__", "")
    known = set(year_model.objects.values_list("year", flat=True))
    added_years = added_days = 0
    for year, days in sorted(calendar_from_package().items()):
        if year in known or (years is not None and year not in years):
            continue
        row = year_model.objects.create(year=year, source=f"chinese-calendar {version}".strip())
        day_model.objects.bulk_create(
            [
                day_model(calendar_year=row, date=day, kind=kind, name=name)
                for day, kind, name in sorted(days)
            ]
        )
        added_years += 1
        added_days += len(days)
    return added_years, added_days
