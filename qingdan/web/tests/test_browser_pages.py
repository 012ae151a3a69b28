"""Every page without parameters, opened in a real browser by a city supervisor and by
an administrator (the Django admin too): none may be broken by the Content-Security-
Policy (an inline style or script, a javascript: link), which the `new_page` fixture
turns into a failure."""

from django.test import Client
from django.urls import NoReverseMatch, reverse

from qingdan.core.tests.test_permission_matrix import route_names

from .test_browser import BROWSER, browser, log_in, new_page, org  # noqa: F401

DESKTOP = {"width": 1280, "height": 900}
# Not pages: the API and Open311 (JSON/XML), downloads, htmx fragments and redirects.
SKIPPED = ("api:", "open311:", "schema", "set_language", "logout")
NOT_HTML = (".xlsx", ".pdf", ".csv", "/api/", "/check/", "/progress/", "/related/")

pytestmark = BROWSER


def plain_pages() -> list[str]:
    urls = []
    for name in sorted(route_names()):
        if name.startswith(SKIPPED) or name.startswith("admin:"):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # needs an id: opened by the flow tests
        if not url.endswith(NOT_HTML) and not any(part in url for part in NOT_HTML):
            urls.append(url)
    return urls


def test_every_plain_page_renders_under_the_policy(org, live_server, new_page):  # noqa: F811
    base = live_server.url
    # The pages this persona may GET (POST-only addresses answer 405, others 403).
    client = Client()
    client.force_login(org.city_supervisor)
    pages = [url for url in plain_pages() if client.get(url).status_code == 200]
    assert {"/", "/stats/", "/intake/imports/", "/triage/warnings/", "/supervision/"} <= set(
        pages
    ), pages
    assert len(pages) >= 20, pages
    page = new_page(DESKTOP)
    log_in(page, base, org.city_supervisor)
    for url in pages:
        response = page.goto(base + url)
        assert response is not None and response.status == 200, url


def test_the_admin_renders_under_the_policy(org, live_server, new_page):  # noqa: F811
    base = live_server.url
    page = new_page(DESKTOP)
    log_in(page, base, org.administrator)
    for url in ("/admin/", "/admin/cases/case/", "/admin/deadlines/deadlinepolicy/add/"):
        response = page.goto(base + url)
        assert response is not None and response.status == 200, url
