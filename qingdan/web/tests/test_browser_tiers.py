"""The new tier and co-handling flows in a real browser: the town takes over a village
portal case that waits for an agent (提级办理), hands it to its unit, and the lead
unit reads the co-handling opinion (协办意见) before it replies."""

from qingdan.cases import actions
from qingdan.cases.choices import Action, State, Tier
from qingdan.cases.models import Case

from .test_browser import (  # noqa: F401  (fixtures)
    BROWSER,
    act,
    browser,
    log_in,
    new_page,
    org,
)

pytestmark = BROWSER


def portal_case(org) -> Case:  # noqa: F811
    return actions.register_case(
        actions.Actor.petitioner(),
        channel="web",
        title="台上村路灯坏了",
        content="台上村村口路灯坏了一个月，晚上看不见路。",
        jurisdiction=org.other_village,  # a village with no agent on duty
        petitioner={"name": "王建国", "phone": "13911223344"},
    )


def test_the_town_takes_over_a_village_case_and_passes_it_down(
    org,  # noqa: F811
    live_server,
    new_page,  # noqa: F811
):
    base = live_server.url
    case = portal_case(org)
    clerk = new_page()
    log_in(clerk, base, org.town_clerk)
    clerk.goto(f"{base}/cases/{case.pk}/")
    # Before: the town may only note or link a village case, now it may take it over.
    assert clerk.locator("#action-accept").count() == 0
    assert clerk.inner_text("#action-take_over summary") == "提级办理"
    act(clerk, "take_over", reason="")
    assert clerk.inner_text("#id_take_over_reason_errors") == "请填写理由。"
    # The form stays open with the error; fill it in and send again.
    clerk.fill("#id_take_over_reason", "台上村暂无代办员，镇里直接办理")
    with clerk.expect_navigation():
        clerk.click("#action-take_over button[type=submit]")
    case.refresh_from_db()
    assert case.tier == Tier.TOWN
    timeline = clerk.inner_text("#timeline")
    assert "提级办理" in timeline and "台上村暂无代办员" in timeline
    # The town now handles it: its buttons are there, and so is passing it down.
    assert clerk.locator("#action-accept").count() == 1
    assert clerk.inner_text("#action-hand_back summary") == "交由下级办理"
    act(clerk, "accept", note="镇里受理")
    act(clerk, "assign", lead_unit=str(org.town_office), note="请综治办维修")
    assert clerk.get_attribute("#case-state", "data-state") == State.IN_PROGRESS
    assert case.events.filter(action=Action.TAKE_OVER).count() == 1


def test_the_lead_unit_reads_the_co_handling_opinion_before_replying(
    org,  # noqa: F811
    live_server,
    new_page,  # noqa: F811
):
    base = live_server.url
    case = portal_case(org)
    actions.take_over(org.city_supervisor, case, reason="涉及多个部门")
    actions.accept(org.city_supervisor, case)
    actions.assign(
        org.city_supervisor,
        case,
        lead_unit=org.housing_bureau,
        co_units=[org.labour_bureau, org.education_bureau],
    )
    # The co-handling unit gives its opinion on the case page.
    co = new_page()
    log_in(co, base, org.labour_handler)
    co.goto(f"{base}/cases/{case.pk}/")
    assert co.locator("#action-reply").count() == 0
    act(co, "co_opinion", opinion="经核实，施工方欠薪12万元，已约谈。")
    assert "协办意见" in co.inner_text("#timeline")

    # The lead unit opens its reply form: the opinion received and the one awaited.
    lead = new_page()
    log_in(lead, base, org.city_handler)
    lead.goto(f"{base}/cases/{case.pk}/")
    lead.click("#action-reply summary")
    opinions = lead.locator("#reply-co-opinions")
    assert "经核实，施工方欠薪12万元" in opinions.inner_text()
    assert opinions.locator("[data-opinion=given]").count() == 1
    assert opinions.locator("[data-opinion=missing]").count() == 1
    lead.select_option("#id_reply_reply_opinion", label="支持诉求")
    lead.fill("#id_reply_reply_text", "已督促施工方结清工资。")
    with lead.expect_navigation():
        lead.click("#action-reply button[type=submit]")
    assert lead.get_attribute("#case-state", "data-state") == State.REPLIED
