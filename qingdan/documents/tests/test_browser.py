"""Official documents in a real browser: from the case page the agent previews the
written answer (a PDF without a number), issues it, downloads it, and records its
service with the signed receipt; the case page then says until when a review may be
asked."""

import pytest

from qingdan.documents.models import Document, Service
from qingdan.web.tests.test_browser import (  # noqa: F401  (fixtures)
    BROWSER,
    browser,
    log_in,
    new_page,
    org,
)

from . import helpers as h

DESKTOP = {"width": 1280, "height": 900}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

pytestmark = BROWSER


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def download(page, selector, tmp_path, name) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    target = tmp_path / name
    info.value.save_as(target)
    return target.read_bytes()


def test_preview_issue_download_and_serve(org, live_server, new_page, media, tmp_path):  # noqa: F811
    base = live_server.url
    case = h.replied(org)
    agent = new_page(DESKTOP)
    log_in(agent, base, org.village_agent)
    agent.goto(f"{base}/cases/{case.pk}/")
    assert agent.locator("#review-not-started").count() == 1
    with agent.expect_navigation():
        agent.click("#offered-kinds li[data-kind=reply] a")
    agent.fill("#id_issue_facts", "经现场查看，路灯线路老化，已更换。")

    # Preview: the button opens the PDF in a new tab (chromium's viewer shows it), and
    # the same form posted by the page gives the bytes to read back. Nothing is stored.
    def is_pdf(response):
        return response.headers.get("content-type") == "application/pdf"

    with agent.context.expect_event("response", is_pdf):
        agent.click("button[value=preview]")
    pdf_bytes = agent.evaluate(
        """async () => {
            const form = document.querySelector("#document-form");
            const data = new FormData(form);
            data.append("do", "preview");
            const url = form.action || location.href;
            const response = await fetch(url, {method: "POST", body: data});
            return Array.from(new Uint8Array(await response.arrayBuffer()));
        }"""
    )
    preview_text = h.squeeze(h.pdf_text(bytes(pdf_bytes)))
    assert "×号" in preview_text and "路灯线路老化" in preview_text
    assert not Document.objects.exists()

    # Issue: numbered, stored, on the document's page.
    with agent.expect_navigation():
        agent.click("button[value=issue]")
    document = Document.objects.get()
    assert agent.inner_text("#document-reference") == document.reference
    assert agent.locator("#not-served").count() == 1

    pdf = download(agent, "#download-pdf-1", tmp_path, "answer.pdf")
    assert document.reference in h.squeeze(h.pdf_text(pdf))
    docx = download(agent, "#download-docx-1", tmp_path, "answer.docx")
    assert "路灯线路老化" in h.docx_text(docx)

    # Service: in person, with the signed receipt.
    receipt = tmp_path / "回证.png"
    receipt.write_bytes(PNG)
    agent.click("#record-service summary")
    agent.select_option("#id_record_service_method", value="in_person")
    agent.set_input_files("#id_record_service_proof", str(receipt))
    with agent.expect_navigation():
        agent.click("#record-service button[type=submit]")
    assert agent.locator("#not-served").count() == 0
    service = Service.objects.get()
    assert service.recipient == h.PETITIONER_NAME
    assert agent.locator(f"a[href$='/services/{service.pk}/proof/']").count() == 1

    # The case page: the window now runs from the service.
    agent.goto(f"{base}/cases/{case.pk}/")
    assert agent.locator("#review-not-started").count() == 0
    assert agent.locator("#review-window").count() == 1
    case.refresh_from_db()
    assert case.answer_served_at is not None
