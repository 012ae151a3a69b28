"""Django's error handlers (400, 403, 404, 500), in the format of the part of the site
that was asked: the API's JSON error format under /api/, the Open311 error list (XML or
JSON by the path's extension) under /open311/, the HTML pages elsewhere.

They answer what never reaches a view: unmatched paths, request bodies Django refuses
(over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, malformed multipart) and crashes.
"""

from django.views import defaults

from qingdan.api.errors import error_response
from qingdan.open311.formats import request_error

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"


def _answer(request, status: int, exception, html):
    if request.path.startswith(API_PREFIX):
        return error_response(exception, status)
    if request.path.startswith(OPEN311_PREFIX):
        return request_error(request.path, status, exception)
    return html()


def bad_request(request, exception):
    return _answer(request, 400, exception, lambda: defaults.bad_request(request, exception))


def permission_denied(request, exception):
    return _answer(request, 403, exception, lambda: defaults.permission_denied(request, exception))


def page_not_found(request, exception):
    return _answer(request, 404, exception, lambda: defaults.page_not_found(request, exception))


def server_error(request):
    return _answer(request, 500, None, lambda: defaults.server_error(request))
