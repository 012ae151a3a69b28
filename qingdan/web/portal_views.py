"""The citizen portal (no login): submit a problem, follow it with the tracking
number and phone, rate the answer, ask for a review.

The person acts as `Actor.petitioner()`. A successful look-up remembers the case
in the session; rating and review requests are accepted only for such cases.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingdan.cases import actions
from qingdan.cases.choices import Action, State
from qingdan.cases.models import Case
from qingdan.cases.rights import PETITIONER
from qingdan.cases.transitions import refusal_reason
from qingdan.core import crypto
from qingdan.core.client import client_address
from qingdan.documents.downloads import public_document_response, public_documents

from . import challenge
from .portal_forms import PortalEvaluateForm, PortalLookupForm, PortalReviewForm, PortalSubmitForm

SESSION_KEY = "portal_cases"
SESSION_MAX_CASES = 20
PETITIONER_RIGHTS = frozenset({PETITIONER})
# What the petitioner sees of the timeline: steps of the procedure, not internal
# notes, reveals, supervision or attachments (which may name staff or third parties).
PUBLIC_ACTIONS = frozenset(
    {
        Action.REGISTER,
        Action.ACCEPT,
        Action.NOT_ACCEPT,
        Action.DIVERT,
        Action.RESOLVE_ON_THE_SPOT,
        Action.ESCALATE,
        Action.TAKE_OVER,
        Action.HAND_BACK,
        Action.TRANSFER,
        Action.ASSIGN,
        Action.EXTEND,
        Action.REPLY,
        Action.EVALUATE,
        Action.CLOSE,
        Action.REOPEN,
        Action.REQUEST_REVIEW,
        Action.CLOSURE_AGREEMENT,
    }
)
# Steps whose note was written to be told to the petitioner.
PUBLIC_NOTES = frozenset({Action.NOT_ACCEPT, Action.DIVERT, Action.EXTEND})


def _remember(request, case: Case) -> None:
    known = [pk for pk in request.session.get(SESSION_KEY, []) if pk != case.pk]
    request.session[SESSION_KEY] = [case.pk, *known][:SESSION_MAX_CASES]


def _verified_case(request, tracking_number: str) -> Case:
    """The case if this browser proved it knows the number and the phone."""
    case = (
        Case.objects.select_related("jurisdiction", "petitioner", "lead_unit__jurisdiction")
        .filter(tracking_number=tracking_number, pk__in=request.session.get(SESSION_KEY, []))
        .first()
    )
    if case is None:
        raise Http404
    return case


@require_http_methods(["GET", "POST"])
def submit(request):
    form = PortalSubmitForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if not challenge.allow_submission_from(client_address(request)):
            refusal = _("Too many submissions from this network. Try again later.")
            context = {"form": PortalSubmitForm(), "refusal": refusal}
            return render(request, "web/portal/submit.html", context, status=429)
        if form.is_valid():
            data = form.cleaned_data
            if not challenge.reserve_phone_submission(data["phone"]):
                form.add_error(
                    "phone", _("This phone number has submitted too many problems today.")
                )
                return render(request, "web/portal/submit.html", {"form": form}, status=429)
            # Spent before the case is registered, given back if it is not: one answer,
            # one case, even when sent twice at once.
            if not challenge.spend_challenge(form.nonce):
                challenge.release_phone_submission(data["phone"])
                form.add_error("answer", _("The answer is not right, or the form is too old."))
                return render(request, "web/portal/submit.html", {"form": form}, status=400)
            if form.submit():
                case = form.result
                _remember(request, case)
                request.session["portal_submitted"] = case.tracking_number
                return redirect("portal:submitted")
            challenge.restore_challenge(form.nonce)
            challenge.release_phone_submission(data["phone"])
    return render(request, "web/portal/submit.html", {"form": form}, status=status)


@require_GET
def questions(request):
    """htmx fragment of the form: the extra questions of the chosen kind of problem."""
    form = PortalSubmitForm(initial={"category": request.GET.get("category")})
    return render(request, "web/_questions.html", {"form": form})


@require_GET
def submitted(request):
    number = request.session.get("portal_submitted")
    if not number:
        return redirect("portal:submit")
    case = _verified_case(request, number)
    return render(request, "web/portal/submitted.html", {"case": case})


@require_http_methods(["GET", "POST"])
def track(request):
    form = PortalLookupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if not challenge.allow_lookup_from(client_address(request)):
            refusal = _("Too many look-ups from this network. Try again later.")
            context = {"form": PortalLookupForm(), "refusal": refusal}
            return render(request, "web/portal/track.html", context, status=429)
        if form.is_valid():
            data = form.cleaned_data
            case = Case.objects.filter(
                tracking_number=data["tracking_number"],
                petitioner__phone_digest=crypto.digest(data["phone"]),
            ).first()
            if case is None:
                # One message for both: do not tell which of the two was wrong.
                form.add_error(None, _("No case matches this tracking number and phone."))
                status = 404
            else:
                _remember(request, case)
                return redirect("portal:case", tracking_number=case.tracking_number)
    return render(request, "web/portal/track.html", {"form": form}, status=status)


def _public_timeline(case: Case) -> list[dict]:
    events = (
        case.events.filter(action__in=PUBLIC_ACTIONS)
        .select_related("to_unit__jurisdiction", "to_jurisdiction")
        .order_by("at", "pk")
    )
    return [
        {
            "at": event.at,
            "action": event.get_action_display(),
            "state": State(event.to_state).label if event.to_state else "",
            "unit": str(event.to_unit) if event.to_unit_id else "",
            "place": event.to_jurisdiction.name if event.to_jurisdiction is not None else "",
            "tier": event.get_to_tier_display() if event.to_tier else "",
            "note": event.note if event.action in PUBLIC_NOTES else "",
        }
        for event in events
    ]


def render_portal_case(request, case: Case, *, evaluate_form=None, review_form=None, status=200):
    can_evaluate = refusal_reason(Action.EVALUATE, case, PETITIONER_RIGHTS) is None
    deadline = actions.review_request_deadline(case)
    # Until the answer's service is recorded the window has not started (arts. 35-36).
    can_review = (
        refusal_reason(Action.REQUEST_REVIEW, case, PETITIONER_RIGHTS) is None
        and case.review_level < 2
        and actions.review_window_open(case)
        and not case.follow_ups.exists()
    )
    context = {
        "case": case,
        "petitioner": case.petitioner.masked() if case.petitioner is not None else None,
        "timeline": _public_timeline(case),
        "can_evaluate": can_evaluate,
        "can_review": can_review,
        "review_deadline": deadline,
        "follow_ups": case.follow_ups.order_by("pk"),
        "documents": public_documents(case),
        "evaluate_form": evaluate_form or PortalEvaluateForm(case=case),
        "review_form": review_form or PortalReviewForm(case=case),
    }
    response = render(request, "web/portal/case.html", context, status=status)
    add_never_cache_headers(response)
    return response


@require_GET
def case_status(request, tracking_number):
    return render_portal_case(request, _verified_case(request, tracking_number))


@require_POST
def evaluate(request, tracking_number):
    case = _verified_case(request, tracking_number)
    form = PortalEvaluateForm(request.POST, case=case)
    if not form.submit():
        return render_portal_case(request, case, evaluate_form=form, status=form.status_code)
    messages.success(request, _("Thank you: your evaluation is recorded."))
    return redirect(reverse("portal:case", args=[case.tracking_number]))


@require_POST
def review(request, tracking_number):
    case = _verified_case(request, tracking_number)
    form = PortalReviewForm(request.POST, case=case)
    if not form.submit():
        return render_portal_case(request, case, review_form=form, status=form.status_code)
    follow_up = form.result
    _remember(request, follow_up)
    messages.success(
        request,
        _("Your request for review is registered as %(number)s.")
        % {"number": follow_up.tracking_number},
    )
    return redirect(reverse("portal:case", args=[follow_up.tracking_number]))


@require_GET
def document(request, tracking_number, pk):
    """A document addressed to the petitioner, for the browser that looked the case up."""
    response = public_document_response(_verified_case(request, tracking_number), pk)
    add_never_cache_headers(response)
    return response
