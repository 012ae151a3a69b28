"""One error format for the whole API: a stable `code`, a translated `message`, the
`field` it is about, and `errors` per field for validation failures."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response

from qingdan.core.errors import ActionError


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = gettext_lazy("The request body is larger than this server accepts.")


class TooManyFields(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "too_many_fields"
    default_detail = gettext_lazy("The request has more fields or files than this server accepts.")


class ServerError(exceptions.APIException):
    default_code = "server_error"
    default_detail = gettext_lazy("Something went wrong on the server.")


DRF_CODES = {
    RequestTooLarge: "request_too_large",
    TooManyFields: "too_many_fields",
    ServerError: "server_error",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "not_allowed",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
    exceptions.ValidationError: "validation_failed",
}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"petitioner.phone": ["…"]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            out.update(_flatten(value, f"{prefix}.{name}".strip(".") if name else prefix))
        return out
    if isinstance(detail, list) and detail and not isinstance(detail[0], str | dict | list):
        return {prefix: [str(item) for item in detail]}
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return {prefix: [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix: [str(detail)]}


def from_django(exc: Exception) -> exceptions.APIException | None:
    """Django's refusals of a request body (and a body nested past the recursion
    limit) as the API's errors; None for anything else."""
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return TooManyFields()
    if isinstance(exc, MultiPartParserError):
        return exceptions.ParseError(_("Multipart form parse error - %(error)s") % {"error": exc})
    if isinstance(exc, RecursionError):
        return exceptions.ParseError(_("The request is nested too deeply."))
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError(_("The request is not valid."))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return None


def error_body(exc: exceptions.APIException) -> dict:
    code = next((c for cls, c in DRF_CODES.items() if isinstance(exc, cls)), "error")
    return {"code": code, "message": str(exc.detail), "field": None}


def error_response(exc: Exception | None, status_code: int) -> JsonResponse:
    """The API's error format outside DRF's views: Django's 400/403/404/500 handlers
    answer with it under /api/ (unmatched paths, bodies refused before a view)."""
    api_exc = from_django(exc) if exc is not None else None
    if api_exc is None:
        if status_code == status.HTTP_404_NOT_FOUND:
            api_exc = exceptions.NotFound()
        elif status_code == status.HTTP_403_FORBIDDEN:
            api_exc = exceptions.PermissionDenied()
        elif status_code == status.HTTP_400_BAD_REQUEST:
            api_exc = exceptions.ParseError(_("The request is not valid."))
        else:
            api_exc = ServerError()
    return JsonResponse(
        error_body(api_exc),
        status=api_exc.status_code,
        json_dumps_params={"ensure_ascii": False},
    )


def exception_handler(exc, context):
    if isinstance(exc, ActionError):
        return Response(exc.as_dict(), status=exc.status)
    exc = from_django(exc) or exc
    if not isinstance(exc, exceptions.APIException):
        return None
    code = next((c for cls, c in DRF_CODES.items() if isinstance(exc, cls)), "error")
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next(iter(errors), None)
        body = {
            "code": code,
            "message": _("Some fields are not valid."),
            "field": first or None,
            "errors": errors,
            # The stable code of each message, e.g. invalid_characters, required.
            "codes": _flatten(exc.get_codes()),
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST, headers=headers)
    return Response(error_body(exc), status=exc.status_code, headers=headers)
