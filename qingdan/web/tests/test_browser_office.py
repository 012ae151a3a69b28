"""The office's new flows in a real browser: a citizen reports with a category and a
photo from a phone; the town takes over a village portal case that waits for an agent
(提级办理) and hands it to its unit; the city picks co-handling units from a grouped,
searchable list; the lead unit reads the co-handling opinion (协办意见) before it
replies."""

from pathlib import Path

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
    solve_challenge,
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
    # The city assigns: the co-units grouped by city bureaus and towns, and searchable.
    city = new_page()
    log_in(city, base, org.city_supervisor)
    city.goto(f"{base}/cases/{case.pk}/")
    city.click("#action-assign summary")
    city.select_option("#id_assign_lead_unit", label=str(org.housing_bureau))
    units = city.locator("#id_assign_co_units")
    assert units.locator("> div > label").all_inner_texts() == ["市直部门", "玲珑镇", "金岭镇"]
    city.fill("input[data-filter-for=id_assign_co_units]", "人社")
    assert units.locator("input[type=checkbox]:visible").count() == 1
    units.locator("input[type=checkbox]:visible").check()
    city.fill("input[data-filter-for=id_assign_co_units]", "教育")
    assert units.locator("input[type=checkbox]:visible").count() == 2  # the ticked one stays
    units.locator(f"input[value='{org.education_bureau.pk}']").check()
    with city.expect_navigation():
        city.click("#action-assign button[type=submit]")
    assert {c.department for c in case.co_handlings.all()} == {
        org.labour_bureau,
        org.education_bureau,
    }
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


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cf00000301010018dd8db00000000049454e44ae426082"
)


def test_a_citizen_reports_with_a_category_and_a_photo(
    org,  # noqa: F811
    live_server,
    new_page,  # noqa: F811
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    photo = Path(tmp_path / "排水沟.png")
    photo.write_bytes(PNG)
    base = live_server.url
    citizen = new_page()
    citizen.goto(base + "/portal/")
    citizen.fill("#id_name", "王建国")
    citizen.fill("#id_phone", "13911223344")
    citizen.select_option("#id_place", label="欧家夼村")
    citizen.fill("#id_title", "村东头排水沟堵塞")
    citizen.fill("#id_content", "村东头排水沟被垃圾堵塞，下雨后积水漫到路上。")
    citizen.select_option("#id_category", label=org.construction.name)
    # First a file that only calls itself a photo: refused, nothing registered.
    fake = Path(tmp_path / "假照片.png")
    fake.write_bytes(b"MZ not a picture at all")
    citizen.set_input_files("#id_photo", str(fake))
    solve_challenge(citizen)
    with citizen.expect_navigation():
        citizen.click("#portal-submit button[type=submit]")
    assert "照片" in citizen.inner_text("#id_photo_errors")
    assert not Case.objects.exists()
    citizen.set_input_files("#id_photo", str(photo))
    solve_challenge(citizen)
    with citizen.expect_navigation():
        citizen.click("#portal-submit button[type=submit]")
    number = citizen.inner_text("#tracking-number").strip()
    case = Case.objects.get(tracking_number=number)
    assert case.category == org.construction
    # The village agent sees the photo among the case's attachments.
    agent = new_page()
    log_in(agent, base, org.village_agent)
    agent.goto(f"{base}/cases/{case.pk}/")
    assert "排水沟.png" in agent.inner_text("#attachments")
