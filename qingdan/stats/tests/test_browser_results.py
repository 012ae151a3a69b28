"""The results list (成果清单) in a real browser: the town clerk narrows it to one
enterprise's visit, reads the rows, and downloads the Excel with the visit sheet
(企业点题 / 部门答题 / 落实推动 / 企业评价)."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.utils import timezone
from openpyxl import load_workbook

from qingdan.cases import actions
from qingdan.intake.actions import record_enterprise_visit
from qingdan.orgs.testing import ENTERPRISE, PERSON, build_county
from qingdan.web.tests.test_browser import (  # noqa: F401  (fixtures)
    BROWSER,
    browser,
    expect,
    log_in,
    new_page,
)

DESKTOP = {"width": 1280, "height": 900}

pytestmark = BROWSER


@pytest.fixture
def county(transactional_db):
    cache.clear()
    org = build_county()
    visit = record_enterprise_visit(
        org.town_clerk,
        visited_on=timezone.localdate() - dt.timedelta(days=1),
        enterprise={k: v for k, v in ENTERPRISE.items() if k != "kind"},
        jurisdiction=org.town,
        staff=[org.town_clerk],
        topics="用电、用工",
        problems=[
            {"content": "企业用电增容申请三个月未批复。", "category": org.construction},
            {"content": "缺少熟练技工，希望组织专场招聘会。", "category": org.labour},
        ],
    )
    actions.register_case(
        org.village_agent,
        channel="walk_in",
        title="村口路灯坏了",
        content="村口路灯坏了",
        jurisdiction=org.village,
        petitioner=dict(PERSON),
    )
    return org, visit


def test_the_results_list_filtered_to_one_enterprise(county, live_server, new_page):  # noqa: F811
    org, visit = county
    base = live_server.url
    page = new_page(DESKTOP)
    log_in(page, base, org.town_clerk)
    page.goto(base + "/stats/")
    with page.expect_navigation():
        page.click("a[href^='/stats/results/']")
    expect(page.locator("#results tbody tr[data-tracking]")).to_have_count(3)
    page.select_option(
        "#id_enterprise", label=f"{ENTERPRISE['name']}（{ENTERPRISE['credit_code']}）"
    )
    with page.expect_navigation():
        page.click("#results-filters button[type=submit]")
    assert f"enterprise={ENTERPRISE['credit_code']}" in page.url
    expect(page.locator("#results tbody tr[data-tracking]")).to_have_count(2)
    expect(page.locator("#results")).not_to_contain_text("村口路灯坏了")
    page.select_option("#id_category", label=org.labour.name)
    with page.expect_navigation():
        page.click("#results-filters button[type=submit]")
    expect(page.locator("#results tbody tr[data-tracking]")).to_have_count(1)

    with page.expect_download() as xlsx_info:
        page.click("#results-xlsx")
    with open(xlsx_info.value.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    listed, visits = book.worksheets
    assert listed.max_row == 2
    header = [cell.value for cell in visits[1]]
    assert header[4:] == ["企业点题", "部门答题", "落实推动", "企业评价"]
    assert visits.cell(2, 5).value == "缺少熟练技工，希望组织专场招聘会。"
    assert visit.problems.count() == 2
