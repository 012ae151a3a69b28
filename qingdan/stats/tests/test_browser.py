"""The statistics dashboard in a real browser: an analyst picks the first half-year and a
breakdown by unit, reads the statements, charts and ranking, and downloads the bulletin
(PDF) and the results list (Excel, masked)."""

import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from qingdan.web.tests.test_browser import (  # noqa: F401  (fixtures)
    BROWSER,
    browser,
    expect,
    log_in,
    new_page,
)

from .data import build_history

DESKTOP = {"width": 1280, "height": 900}

pytestmark = BROWSER


@pytest.fixture
def history(transactional_db):
    cache.clear()
    return build_history()


def test_dashboard_breakdown_and_downloads(history, live_server, new_page):  # noqa: F811
    base = live_server.url
    page = new_page(DESKTOP)
    log_in(page, base, history.org.analyst)
    page.goto(base + "/stats/")
    page.fill("#id_period", "2026H1")
    page.select_option("#id_by", "unit")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "period=2026H1" in page.url and "by=unit" in page.url
    expect(page.locator("section.statements")).to_contain_text("上半年共登记群众诉求9件")
    assert page.locator("svg").count() >= 3  # trend, categories, tiers
    expect(page.locator("body")).to_contain_text("玲珑镇司法所")  # in the unit ranking

    with page.expect_download() as pdf_info:
        page.click("a[href*='bulletin.pdf']")
    pdf = pdf_info.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"

    with page.expect_download() as xlsx_info:
        page.click("a[href*='results.xlsx']")
    workbook = xlsx_info.value
    assert workbook.suggested_filename.endswith(".xlsx")
    with open(workbook.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 9  # a header and every problem of the half-year
    everything = repr(rows)
    assert "王*明" in everything and "王二明" not in everything
