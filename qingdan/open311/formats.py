"""GeoReport v2 documents: the same data as a JSON array/object or as XML, and the spec's
error list (`<errors><error><code>…</code><description>…</description></error></errors>`).

Both strip the characters XML 1.0 cannot carry (and JSON's UTF-8 cannot encode, the lone
surrogates) from every value: intake refuses them, but a row stored before that rule, or
a category an administrator named, must never break the feed for every client."""

import datetime as dt
import xml.etree.ElementTree as ET

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.core.characters import strip_illegal

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element of each item of a list, by the list's element.
ITEM_TAGS = {
    "attributes": "attribute",
    "endpoints": "endpoint",
    "formats": "format",
    "values": "value",
}


def iso(moment: dt.datetime | None) -> str:
    """ISO 8601 in local time with its offset (+08:00), as the spec's examples."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _element(tag: str, value) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, dict):
        for key, item in value.items():
            node.append(_element(key, item))
    elif isinstance(value, list):
        for item in value:
            node.append(_element(ITEM_TAGS.get(tag, "item"), item))
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = strip_illegal(str(value))
    return node


def _clean(value):
    """The JSON side of the same rule."""
    if isinstance(value, str):
        return strip_illegal(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def xml_response(tree: ET.Element, status: int = 200) -> HttpResponse:
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(tree, encoding="utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES["xml"])


def render(data: list, fmt: str, root: str, item: str, status: int = 200) -> HttpResponse:
    """A list of objects: a JSON array, or <root><item>…</item>…</root>."""
    if fmt == "json":
        return JsonResponse(
            _clean(data), status=status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    tree = ET.Element(root)
    for entry in data:
        tree.append(_element(item, entry))
    return xml_response(tree, status)


def render_object(data: dict, fmt: str, root: str) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(_clean(data), json_dumps_params={"ensure_ascii": False})
    return xml_response(_element(root, data))


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    items = [{"code": status, "description": str(text)} for text in descriptions]
    return render(items, fmt, "errors", "error", status)


def form_errors(fmt: str, form) -> HttpResponse:
    """One spec error per message, each naming its parameter."""
    return errors(
        fmt,
        400,
        *(
            f"{field}: {message}" if field != "__all__" else str(message)
            for field, messages in form.errors.items()
            for message in messages
        ),
    )


def format_of(path: str) -> str:
    """The format a path asks for by its extension; XML (the spec's default) otherwise."""
    return "json" if path.rstrip("/").endswith(".json") else "xml"


def request_error(path: str, status: int, exception: Exception | None) -> HttpResponse:
    """The spec's error list for what never reached a view (Django's error handlers):
    unmatched paths, bodies Django refused, crashes."""
    if isinstance(exception, RequestDataTooBig):
        status, text = 413, _("The request body is larger than this server accepts.")
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        text = _("The request has more fields or files than this server accepts.")
    elif isinstance(exception, MultiPartParserError):
        text = _("The multipart body cannot be read.")
    else:
        text = {
            400: _("The request is not valid."),
            403: _("Not allowed."),
            404: _("No such resource: see the discovery document."),
        }.get(status, _("Something went wrong on the server."))
    return errors(format_of(path), status, text)
