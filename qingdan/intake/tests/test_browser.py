"""The 12345 work-order import in a real browser: the city's intake desk uploads the
day's sheet, watches the progress, reads the rows it refused and downloads the report;
the town clerk then opens a work order placed in the town, and not one of another town."""

from qingdan.cases.models import Case
from qingdan.intake.models import ImportRun
from qingdan.web.tests.test_browser import (  # noqa: F401  (fixtures)
    BROWSER,
    browser,
    expect,
    log_in,
    new_page,
    org,
)

from .helpers import bad_rows, order_rows, write_xlsx

DESKTOP = {"width": 1280, "height": 900}

pytestmark = BROWSER


def test_upload_progress_refusals_report_and_who_sees_what(
    org,  # noqa: F811
    live_server,
    new_page,  # noqa: F811
    tmp_path,
    settings,
):
    settings.QINGDAN_IMPORT_IN_BACKGROUND = True  # as deployed: the page polls the run
    sheet = write_xlsx(tmp_path / "12345-工单.xlsx", order_rows(org, limit=8) + bad_rows(org))
    base = live_server.url

    desk = new_page(DESKTOP)
    log_in(desk, base, org.city_supervisor)
    desk.goto(base + "/intake/imports/")
    desk.set_input_files("#id_file", str(sheet))
    with desk.expect_navigation():
        desk.click("button:has-text('上传并导入')")
    assert "/intake/imports/" in desk.url
    # The progress card polls until the run is over, then the page reloads with the
    # refused rows listed by row and column.
    refused = desk.locator("table.table tbody tr")
    expect(refused).to_have_count(len(bad_rows(org)), timeout=60_000)
    expect(desk.locator("#import-progress")).to_contain_text("新建事项: 8")
    run = ImportRun.objects.get()
    assert (run.created_count, run.error_count) == (8, len(bad_rows(org)))
    expect(refused.first).to_contain_text("诉求内容")  # BAD1: the content is missing

    with desk.expect_download() as download_info:
        desk.click("text=下载报告（CSV）")
    report = download_info.value
    assert report.suggested_filename.endswith(".csv")
    lines = open(report.path(), encoding="utf-8-sig").read().splitlines()
    assert len(lines) == 1 + len(bad_rows(org))  # a header, then each refused row
    assert any("所属街镇" in line and "不存在镇" in line for line in lines)

    # The imported work orders are cases of their places: the town sees its own only.
    own = Case.objects.filter(
        external_ref__startswith="GD", jurisdiction__code__startswith=org.town.scope_prefix
    ).first()
    other = Case.objects.filter(
        external_ref__startswith="GD",
        jurisdiction__code__startswith=org.other_town.scope_prefix,
    ).first()
    assert own is not None and other is not None
    clerk = new_page()
    log_in(clerk, base, org.town_clerk)
    clerk.goto(f"{base}/cases/{own.pk}/")
    expect(clerk.locator("h1")).to_contain_text(own.title[:20])
    response = clerk.goto(f"{base}/cases/{other.pk}/")
    assert response is not None and response.status in {403, 404}


def test_a_handler_is_refused_the_import_and_goes_back(org, live_server, new_page):  # noqa: F811
    base = live_server.url
    page = new_page()
    log_in(page, base, org.city_handler)
    response = page.goto(base + "/intake/imports/")
    assert response is not None and response.status == 403
    expect(page.locator("#refused")).to_contain_text("只有登记窗口、督办人员和管理员可以导入工单")
    with page.expect_navigation():
        page.click("#refused a[data-back]")
    assert page.url == base + "/"  # back where the handler came from, no script blocked
