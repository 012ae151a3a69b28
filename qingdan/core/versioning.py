"""Optimistic concurrency over HTTP: the case's `version` is its ETag, and a writer
sends the version it read as `If-Match` (or a `version` field) so that a change made
meanwhile answers 409 `version_conflict` instead of being overwritten."""

import re

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ValidationFailed

ETAG = re.compile(r'^(?:W/)?"?(\d+)"?$')


def etag(version: int) -> str:
    return f'"{version}"'


def parse_etag(value: str) -> int | None:
    match = ETAG.match(value.strip())
    return int(match.group(1)) if match else None


def expected_version(request, data: dict) -> int | None:
    """The version the client read: If-Match first, else the `version` field (popped)."""
    body_version = data.pop("version", None)
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return body_version
    version = parse_etag(header)
    if version is None:
        raise ValidationFailed({"If-Match": [_('Send the version the case had, e.g. "3".')]})
    return version


def not_modified(request, version: int) -> bool:
    """True when the client's If-None-Match already names this version."""
    header = request.headers.get("If-None-Match", "")
    return any(parse_etag(tag) == version for tag in header.split(",") if tag.strip())
