"""The web UI in a real browser (Debian's chromium, headless, through Playwright).

The story of the issue: a citizen submits on the portal, the village agent
escalates to the town, the town clerk accepts, assigns and replies, the citizen
rates it on the portal. Then: what the UI hides and the server refuses, htmx
fragments, revealing personal data, the language switch.
"""

import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache

from qingdan.cases import actions
from qingdan.cases.choices import Action, State
from qingdan.cases.models import Case
from qingdan.deadlines.seed import seed_calendar, seed_policies
from qingdan.orgs.testing import PERSON, build_county

from .. import views
from .helpers import register

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
CITIZEN_PHONE = "13911223344"

# The marks of every browser test module (`pytestmark = BROWSER`).
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]
pytestmark = BROWSER


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def org(transactional_db):
    # A live server needs committed data, so these tests empty every table afterwards,
    # the rows migrations wrote too: put back the deadline policies and the business
    # calendar for the next test (the categories come with the county).
    cache.clear()
    seed_policies()
    seed_calendar()
    return build_county()


@pytest.fixture
def new_page(browser):
    contexts = []
    blocked: list[str] = []

    def make(viewport=PHONE):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        # Anything the Content-Security-Policy blocks is a page that does not work.
        page.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not blocked, blocked


def log_in(page, base, user):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "qingdan-test-pass")
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    assert page.url == base + "/"


def act(page, action, **fields):
    """Open the action's <details>, fill its fields, submit, wait for the answer."""
    page.click(f"#action-{action} summary")
    for name, value in fields.items():
        selector = f"#id_{action}_{name}"
        if page.locator(selector).evaluate("el => el.tagName") == "SELECT":
            page.select_option(selector, label=value)
        else:
            page.fill(selector, value)
    with page.expect_navigation():
        page.click(f"#action-{action} button[type=submit]")


def solve_challenge(page):
    label = page.inner_text("label[for=id_answer]")
    a, b = (int(n) for n in re.findall(r"\d+", label)[:2])
    page.fill("#id_answer", str(a + b))


def forged_post(page, url, data):
    """A POST the page never offered, with the session's CSRF token: what a
    tampering user could send from the browser's console."""
    return page.evaluate(
        """async ([url, data]) => {
            const token = document.querySelector("[name=csrfmiddlewaretoken]").value;
            const body = new URLSearchParams({...data, csrfmiddlewaretoken: token});
            const response = await fetch(url, {method: "POST", body});
            return response.status;
        }""",
        [url, data],
    )


def test_the_story_from_portal_to_rating(org, live_server, new_page):
    base = live_server.url
    # 1. A citizen reports a problem from a phone.
    citizen = new_page()
    citizen.goto(base + "/portal/")
    citizen.fill("#id_name", "王建国")
    citizen.fill("#id_phone", CITIZEN_PHONE)
    citizen.select_option("#id_place", label="欧家夼村")
    citizen.fill("#id_title", "村东头排水沟堵塞")
    citizen.fill("#id_content", "村东头排水沟被垃圾堵塞，下雨后积水漫到路上。")
    solve_challenge(citizen)
    with citizen.expect_navigation():
        citizen.click("#portal-submit button[type=submit]")
    number = citizen.inner_text("#tracking-number").strip()
    case = Case.objects.get(tracking_number=number)
    assert (case.channel, case.tier, case.state) == ("web", "village", State.REGISTERED)

    # 2. The village agent finds it in the queue and escalates it to the town.
    agent = new_page()
    log_in(agent, base, org.village_agent)
    agent.click(f".case-item[data-tracking='{number}'] a.title")
    assert agent.inner_text("#petitioner-phone") == "139****3344"
    act(agent, "escalate", reason="需镇里协调清淤")
    case.refresh_from_db()
    assert case.tier == "town"
    # The town tier's buttons are gone for the village agent.
    assert agent.locator("#action-accept").count() == 0
    assert agent.locator("#action-escalate").count() == 0

    # 3. The town clerk accepts, assigns the town office and replies.
    clerk = new_page()
    log_in(clerk, base, org.town_clerk)
    clerk.click(f".case-item[data-tracking='{number}'] a.title")
    act(clerk, "accept", note="受理")
    act(clerk, "assign", lead_unit=str(org.town_office), note="请综治办清淤")
    assert clerk.get_attribute("#case-state", "data-state") == State.IN_PROGRESS
    act(clerk, "reply", reply_opinion="支持诉求", reply_text="已组织清淤，排水恢复。")
    assert clerk.get_attribute("#case-state", "data-state") == State.REPLIED
    timeline = clerk.inner_text("#timeline")
    for step in ("上报", "受理", "答复"):
        assert step in timeline

    # 4. The citizen looks it up and rates the answer.
    citizen.goto(base + "/portal/track/")
    citizen.fill("#id_tracking_number", number)
    citizen.fill("#id_phone", CITIZEN_PHONE)
    with citizen.expect_navigation():
        citizen.click("#portal-track button[type=submit]")
    assert "已组织清淤" in citizen.inner_text("#portal-reply")
    assert "玲珑镇代办" not in citizen.content()  # no staff names on the portal
    citizen.check("#portal-evaluate input[value=satisfied]")
    with citizen.expect_navigation():
        citizen.click("#portal-evaluate button[type=submit]")
    assert citizen.inner_text("#portal-rating") == "满意"
    case.refresh_from_db()
    assert (case.state, case.rating) == (State.EVALUATED, "satisfied")
    evaluation = case.events.get(action=Action.EVALUATE)
    assert evaluation.actor_label == "petitioner"


def test_ui_hides_and_server_refuses(org, live_server, new_page):
    base = live_server.url
    case = register(org.village_agent, org.village)
    actions.escalate(org.village_agent, case, reason="上报")
    actions.accept(org.town_clerk, case)
    actions.assign(org.town_clerk, case, lead_unit=org.town_office)

    handler = new_page()
    log_in(handler, base, org.town_handler)
    handler.goto(f"{base}/cases/{case.pk}/")
    assert handler.locator("#action-reply").count() == 1
    assert handler.locator("#action-close").count() == 0
    assert handler.locator("#action-extend").count() == 0
    assert handler.locator("#petitioner form").count() == 0  # no reveal without the right
    version = str(Case.objects.get(pk=case.pk).version)
    status = forged_post(
        handler, f"/cases/{case.pk}/act/extend/", {"days": "5", "expected_version": version}
    )
    assert status == 403
    assert forged_post(handler, f"/cases/{case.pk}/reveal/", {"reason": "x"}) == 403

    agent = new_page()
    log_in(agent, base, org.village_agent)
    agent.goto(f"{base}/cases/{case.pk}/")
    assert agent.locator("#action-assign").count() == 0
    data = {"lead_unit": str(org.police_station.pk), "expected_version": version}
    assert forged_post(agent, f"/cases/{case.pk}/act/assign/", data) == 403

    outsider = new_page()
    log_in(outsider, base, org.far_village_agent)
    response = outsider.goto(f"{base}/cases/{case.pk}/")
    assert response.status == 404
    case.refresh_from_db()
    assert (case.lead_unit, case.extension_days) == (org.town_office, 0)


def test_htmx_queue_filter_intake_check_and_reveal(org, live_server, new_page):
    base = live_server.url
    lamp = register(org.village_agent, org.village, title="路灯坏了")
    register(org.village_agent, org.village, title="垃圾清运不及时", content="垃圾堆放")
    clerk = new_page(viewport={"width": 1280, "height": 900})
    log_in(clerk, base, org.town_clerk)
    clerk.goto(base + "/?scope=all")
    assert clerk.locator(".case-item[data-tracking]").count() == 2
    clerk.fill("#id_q", "路灯")
    # A locator wait, not wait_for_function: that evaluates a string, which our CSP forbids.
    expect(clerk.locator(".case-item[data-tracking]")).to_have_count(1)
    # What was searched stays out of the address.
    assert "q=" not in clerk.url and "%E8%B7%AF" not in clerk.url
    assert clerk.inner_text(".case-item a.title") == "路灯坏了"
    # The pager posts the filters again, the search with them.
    with mock.patch.object(views, "PAGE_SIZE", 1):
        clerk.fill("#id_q", "")
        expect(clerk.locator("#result-count")).to_contain_text("2")
        first = clerk.inner_text(".case-item a.title")
        clerk.click(".pager button:has-text('Next'), .pager button:has-text('下一页')")
        expect(clerk.locator(".case-item a.title")).not_to_have_text(first)
        assert "page=" not in clerk.url

    clerk.goto(base + "/intake/")
    clerk.fill("#id_petitioner_phone", PERSON["phone"])
    clerk.locator("#id_petitioner_phone").dispatch_event("change")
    clerk.wait_for_selector("#related-open-cases")
    known = clerk.inner_text("#intake-check")
    assert "张*明" in known and "138****5678" in known
    assert lamp.tracking_number in known

    clerk.goto(f"{base}/cases/{lamp.pk}/")
    clerk.click("#petitioner summary")
    clerk.fill("#id_reveal_reason", "电话回访")
    clerk.click("#petitioner button[type=submit]")
    clerk.wait_for_selector("[data-revealed=true]")
    assert clerk.inner_text("#petitioner-phone") == PERSON["phone"]
    assert lamp.events.filter(action=Action.REVEAL, note="电话回访").count() == 1


def test_errors_conflicts_and_language(org, live_server, new_page):
    base = live_server.url
    case = register(org.village_agent, org.village)
    agent = new_page()
    log_in(agent, base, org.village_agent)
    agent.goto(f"{base}/cases/{case.pk}/")
    act(agent, "escalate", reason="")
    assert agent.inner_text("#id_escalate_reason_errors") == "请填写理由。"
    # Someone else accepts meanwhile; the open page is stale.
    actions.accept(org.village_agent, case)
    agent.fill("#id_escalate_reason", "村里解决不了")
    with agent.expect_navigation():
        agent.click("#action-escalate button[type=submit]")
    assert "刷新" in agent.inner_text("#action-escalate .errorlist")
    agent.select_option("select[name=language]", "en")
    agent.wait_for_load_state()
    agent.wait_for_selector("text=My queue")
    assert "Timeline" in agent.content()
