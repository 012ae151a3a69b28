"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): discovery, services,
service definitions, requests (POST and GET) and tokens, in XML and JSON.

Services are our categories. Requests are the cases that Open311 clients created, shown
without personal data; POST creates a case through `actions.submit_request`.
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from qingdan.cases.choices import OPEN_STATES
from qingdan.cases.models import Case
from qingdan.core.client import client_address
from qingdan.core.errors import ActionError
from qingdan.orgs.models import Category
from qingdan.orgs.questions import LISTS, QuestionBook, questions_for

from .actions import submit_request
from .formats import errors, form_errors, iso, render, render_object
from .forms import RequestQueryForm, ServiceRequestForm
from .models import ApiKey, RequestToken
from .privacy import scrub

CHANGESET = "2026-11-25T00:00:00+08:00"
DEFAULT_DAYS = 90  # the spec's default window of GET requests
MAX_REQUESTS = 1000
# Our field names in the actions layer's errors → the spec's parameter names.
PARAMETERS = {
    "title": "description",
    "content": "description",
    "category": "service_code",
    "jurisdiction": "jurisdiction_id",
    "latitude": "lat",
    "longitude": "long",
    "address": "address_string",
    "petitioner.name": "last_name",
    "petitioner.phone": "phone",
}


def methods(*allowed: str) -> Callable:
    """Like require_http_methods, but the refusal is a spec error in the asked format."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, fmt, **kwargs):
            if request.method not in allowed:
                response = errors(fmt, 405, _("Method not allowed."))
                response["Allow"] = ", ".join(allowed)
                return response
            return view(request, *args, fmt=fmt, **kwargs)

        return wrapper

    return decorate


def service(category: Category, book: QuestionBook) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name,
        "metadata": bool(book.questions(category.pk)),
        "type": "realtime",
        "keywords": "",
        "group": category.parent.name if category.parent is not None else "",
    }


def service_request(case: Case) -> dict:
    notes = case.reply_text or case.not_accepted_reason
    data = {
        "service_request_id": case.tracking_number,
        "status": "open" if case.state in OPEN_STATES else "closed",
        "status_notes": scrub(notes, case.petitioner),
        "service_name": case.category.name if case.category is not None else "",
        "service_code": case.category.code if case.category is not None else "",
        "description": scrub(case.content, case.petitioner),
        "agency_responsible": str(case.lead_unit) if case.lead_unit is not None else "",
        "service_notice": "",
        "requested_datetime": iso(case.registered_at),
        "updated_datetime": iso(case.updated_at),
        "address": scrub(case.address, case.petitioner),
        "address_id": "",
        "zipcode": "",
    }
    # What is not known is left out, not sent as "" (typed clients read a number, a
    # date, a URL there).
    known = {
        "expected_datetime": iso(case.due_at) if case.due_at else None,
        "lat": float(case.latitude) if case.latitude is not None else None,
        "long": float(case.longitude) if case.longitude is not None else None,
        "media_url": getattr(getattr(case, "open311_token", None), "media_url", "") or None,
    }
    return {**data, **{key: value for key, value in known.items() if value is not None}}


@methods("GET")
def discovery(request, fmt):
    services_url = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": fmt}))
    data = {
        "changeset": CHANGESET,
        "contact": settings.QINGDAN_OPEN311_CONTACT,
        "key_service": _("Ask the administrator for an api_key."),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": services_url.rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render_object(data, fmt, "discovery")


@methods("GET")
def services(request, fmt):
    categories = Category.objects.filter(is_active=True).select_related("parent")
    book = QuestionBook(Category)
    return render([service(c, book) for c in categories], fmt, "services", "service")


@methods("GET")
def service_definition(request, code, fmt):
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        return errors(fmt, 404, _("Unknown service_code."))
    attributes = [
        {
            "variable": True,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": question.get_datatype_display(),
            "order": index,
            "description": question.question,
            **(
                {"values": [{"key": v["key"], "name": v["name"]} for v in question.values]}
                if question.datatype in LISTS
                else {}
            ),
        }
        for index, question in enumerate(questions_for(category), start=1)
    ]
    return render_object(
        {"service_code": category.code, "attributes": attributes}, fmt, "service_definition"
    )


def _open311_cases():
    """Only cases that Open311 clients created: other channels' cases are not public."""
    return Case.objects.filter(open311_token__isnull=False).select_related(
        "category", "lead_unit__jurisdiction", "petitioner", "open311_token"
    )


@csrf_exempt
@methods("GET", "POST")
def requests_(request, fmt):
    if request.method == "POST":
        return create_request(request, fmt)
    query = RequestQueryForm(request.GET)
    if not query.is_valid():
        return form_errors(fmt, query)
    params = query.cleaned_data
    cases = _open311_cases()
    if params["jurisdiction_id"] is not None:
        cases = cases.filter(jurisdiction__code__startswith=params["jurisdiction_id"].scope_prefix)
    if params["service_request_id"]:
        # The spec: a list of ids overrides every other parameter.
        cases = cases.filter(tracking_number__in=params["service_request_id"])
    else:
        if params["service_code"]:
            cases = cases.filter(category__code__in=params["service_code"])
        start, end = params["start_date"], params["end_date"]
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            cases = cases.filter(registered_at__gte=start)
        if end is not None:
            cases = cases.filter(registered_at__lte=end)
        if params["status"] == {"open"}:
            cases = cases.filter(state__in=OPEN_STATES)
        elif params["status"] == {"closed"}:
            cases = cases.filter(~Q(state__in=OPEN_STATES))
    cases = cases.order_by("-registered_at")[:MAX_REQUESTS]
    return render([service_request(c) for c in cases], fmt, "service_requests", "request")


@methods("GET")
def request_detail(request, request_id, fmt):
    case = _open311_cases().filter(tracking_number=request_id).first()
    if case is None:
        return errors(fmt, 404, _("Unknown service_request_id."))
    return render([service_request(case)], fmt, "service_requests", "request")


@methods("GET")
def token(request, token, fmt):
    found = RequestToken.objects.select_related("case").filter(token=token).first()
    if found is None:
        return errors(fmt, 404, _("Unknown token."))
    data = [{"service_request_id": found.case.tracking_number, "token": found.token}]
    return render(data, fmt, "service_requests", "request")


def _throttled(key: ApiKey, request) -> bool:
    bucket = f"open311:{key.pk}:{client_address(request)}"
    cache.add(bucket, 0, 60)
    try:
        return cache.incr(bucket) > settings.QINGDAN_OPEN311_POSTS_PER_MINUTE
    except ValueError:  # expired between add and incr
        return False


def create_request(request, fmt):
    # The spec sends api_key with the other parameters; some clients put it in the URL.
    given = request.POST.get("api_key") or request.GET.get("api_key", "")
    key = ApiKey.objects.filter(key=given, is_active=True).first()
    if key is None:
        return errors(fmt, 403, _("api_key is missing or not valid."))
    if _throttled(key, request):
        return errors(fmt, 429, _("Too many requests; retry in a minute."))
    form = ServiceRequestForm(request.POST)
    if not form.is_valid():
        return form_errors(fmt, form)
    try:
        issued = submit_request(key, form.cleaned_data, form.attributes)
    except ActionError as exc:
        found = getattr(exc, "errors", None) or {exc.field or "": [exc.message]}
        return errors(
            fmt,
            400,
            *(
                f"{PARAMETERS.get(field, field)}: {message}" if field else str(message)
                for field, messages in found.items()
                for message in messages
            ),
        )
    body = [
        {
            "service_request_id": issued.case.tracking_number,
            "token": issued.token,
            "service_notice": "",
            "account_id": issued.account_id,
        }
    ]
    return render(body, fmt, "service_requests", "request", status=201)
