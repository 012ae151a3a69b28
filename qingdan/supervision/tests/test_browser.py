"""The supervision board and the joint meeting in a real browser: a supervisor sees an
overdue case, issues a supervision notice that the town answers, convenes the town's
joint meeting, builds its agenda and records a decision that its owner reports done."""

import datetime as dt

from django.utils import timezone

from qingdan.deadlines.tests.helpers import reseed
from qingdan.supervision.choices import DecisionState, NoticeState
from qingdan.supervision.models import JointMeeting, MeetingDecision, SupervisionNotice
from qingdan.web.tests.helpers import register
from qingdan.web.tests.test_browser import (  # noqa: F401  (fixtures)
    BROWSER,
    browser,
    log_in,
    new_page,
    org,
)

DESKTOP = {"width": 1280, "height": 900}

pytestmark = BROWSER


def submit(page, form_selector):
    with page.expect_navigation():
        page.click(f"{form_selector} button[type=submit]")


def test_board_notice_meeting_and_decision(org, live_server, new_page):  # noqa: F811
    base = live_server.url
    reseed()  # an earlier TransactionTestCase may have emptied the seeded policies
    # A case registered 40 days ago and never accepted: far past its 15-day limit.
    case = register(
        org.town_clerk,
        org.town,
        title="集贸市场占道经营",
        content="集贸市场摊贩占道经营，消防通道被堵。",
        registered_at=timezone.now() - dt.timedelta(days=40),
    )

    supervisor = new_page(DESKTOP)
    log_in(supervisor, base, org.city_supervisor)
    supervisor.goto(base + "/supervision/")
    assert case.tracking_number in supervisor.inner_text("#due-by-unit")

    # 1. A supervision notice (督办单) with a five-day reply limit.
    supervisor.fill("#issue-notice #id_tracking_number", case.tracking_number)
    supervisor.fill("#issue-notice #id_reason", "请三日内清理占道摊位并书面回复。")
    supervisor.fill("#issue-notice #id_reply_days", "5")
    submit(supervisor, "#issue-notice form")
    assert case.tracking_number in supervisor.inner_text("#notices")
    notice = SupervisionNotice.objects.get(case=case)
    assert notice.state == NoticeState.OPEN

    # 2. The town answers it from its own board.
    clerk = new_page()
    log_in(clerk, base, org.town_clerk)
    clerk.goto(base + "/supervision/")
    clerk.fill(f"#id_notice-{notice.pk}-reply_text", "已组织城管中队清理，设置临时摊位区。")
    submit(clerk, "#notices .reply-form")
    notice.refresh_from_db()
    assert notice.state == NoticeState.ANSWERED
    assert "已组织城管中队清理" in clerk.inner_text("#notices")

    # 3. The town's joint meeting: agenda from overdue cases, then a decision.
    supervisor.goto(base + "/supervision/meetings/")
    supervisor.select_option("#convene #id_jurisdiction", value=str(org.town.pk))
    supervisor.fill("#convene #id_title", "十一月联席会议")
    supervisor.fill("#convene #id_held_at", "2026-11-30T09:30")
    submit(supervisor, "#convene form")
    meeting = JointMeeting.objects.get(title="十一月联席会议")
    assert supervisor.url.endswith(f"/supervision/meetings/{meeting.pk}/")
    submit(supervisor, "#agenda form")
    assert case.tracking_number in supervisor.inner_text("#agenda")

    supervisor.fill("#decision-form #id_text", "城管中队牵头，市场监管所配合，月底前完成整治。")
    supervisor.check(f"#decision-form input[name=owners][value='{org.town_clerk.pk}']")
    supervisor.fill("#decision-form #id_due_at", "2026-12-31T17:00")
    supervisor.fill("#decision-form #id_tracking_number", case.tracking_number)
    submit(supervisor, "#decision-form")
    decision = MeetingDecision.objects.get(meeting=meeting)
    assert "城管中队牵头" in supervisor.inner_text("#decisions")

    # 4. Its owner reports it done from the meeting page.
    clerk.goto(base + f"/supervision/meetings/{meeting.pk}/")
    clerk.fill(f"#id_decision-{decision.pk}-note", "摊位已迁入临时市场区。")
    submit(clerk, "#decisions .reply-form")
    decision.refresh_from_db()
    assert decision.state == DecisionState.DONE
    assert list(decision.owners.all()) == [org.town_clerk]
