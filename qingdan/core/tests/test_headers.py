"""Security headers on every kind of page: the staff UI, the citizen portal, the API
documentation and the API itself."""

import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/portal/", "/api/v1/docs/"])
def test_pages_forbid_inline_script_and_framing(path):
    response = Client().get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert b"onchange=" not in response.content and b"<script>" not in response.content


@pytest.mark.django_db
def test_api_docs_script_is_a_file_not_inline():
    # The Swagger UI set-up is served as its own script, so the policy can forbid inline.
    response = Client().get("/api/v1/docs/?script=")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
