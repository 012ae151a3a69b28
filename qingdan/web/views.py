"""The staff workbench: my queue, intake, and the case page.

Each view parses its input, calls one action (or one query), and renders. Rights
are the actions layer's: the page shows what `allowed_actions` returns, and a POST
for anything else is refused with 403 even when the form is forged.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qingdan.cases import actions
from qingdan.cases.catalogue import CASE_ACTIONS
from qingdan.cases.choices import OPEN_STATES, Action
from qingdan.cases.filters import CaseFilterSet
from qingdan.cases.models import Case, CoHandling, Petitioner
from qingdan.cases.rights import rights_on
from qingdan.cases.transitions import TRANSITIONS, allowed_actions, refusal_reason
from qingdan.core.forms import action_form
from qingdan.core.validators import normalize_phone, validate_id_number
from qingdan.documents.views import case_panel

from .forms import IntakeForm, PetitionerLookupForm, RevealForm, tune_filter_form
from .queries import all_visible, queue_for, with_list_columns

PAGE_SIZE = 25
RELATED_LIMIT = 10


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_fragment_or_page(request, fragment: str, page: str, context: dict, status=200):
    response = render(request, fragment if is_htmx(request) else page, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- my queue ----------------------------------------------------------------


@login_required
@require_GET
def queue(request):
    everything = request.GET.get("scope") == "all"
    base = all_visible(request.user) if everything else queue_for(request.user)
    filterset = CaseFilterSet(request.GET or None, queryset=base, request=request)
    tune_filter_form(filterset.form)
    cases = base.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    page = Paginator(with_list_columns(cases), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "everything": everything,
        "now": timezone.now(),
    }
    return render_fragment_or_page(request, "web/_queue_results.html", "web/queue.html", context)


# --- intake ------------------------------------------------------------------


@login_required
def intake(request):
    form = IntakeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.submit():
        case = form.result
        messages.success(request, _("Registered as %(number)s.") % {"number": case.tracking_number})
        return redirect("web:case", pk=case.pk)
    return render(request, "web/intake.html", {"form": form}, status=form.status)


def _matching_petitioners(phone: str, id_number: str) -> tuple[list[Petitioner], list[str]]:
    """Petitioners with this phone or ID number (exact, through the digests)."""
    problems: list[str] = []
    query = Petitioner.objects.none()
    if phone:
        try:
            query = query | Petitioner.objects.with_phone(normalize_phone(phone))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if id_number:
        try:
            query = query | Petitioner.objects.with_id_number(validate_id_number(id_number))
        except ValidationError as exc:
            problems.extend(exc.messages)
    return list(query.distinct()[:5]), problems


@login_required
@require_GET
def intake_check(request):
    """htmx fragment beside the intake form: known petitioners (masked) and the open
    cases that may be the same matter, before the new case is saved."""
    form = PetitionerLookupForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    petitioners, problems = _matching_petitioners(
        (data.get("petitioner_phone") or "").strip(),
        (data.get("petitioner_id_number") or "").strip(),
    )
    visible = Case.objects.visible_to(request.user)
    condition = Q(pk__in=[])
    if petitioners:
        condition |= Q(petitioner__in=petitioners)
    if data.get("jurisdiction") and data.get("category"):
        condition |= Q(jurisdiction_id=data["jurisdiction"], category_id=data["category"])
    related = list(
        with_list_columns(visible.filter(state__in=OPEN_STATES).filter(condition)).order_by(
            "-registered_at"
        )[:RELATED_LIMIT]
    )
    counts = {
        row["petitioner"]: row
        for row in visible.filter(petitioner__in=petitioners)
        .values("petitioner")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(state__in=OPEN_STATES)))
    }
    known = [
        {
            "masked": p.masked(),
            "total": counts.get(p.pk, {}).get("total", 0),
            "open": counts.get(p.pk, {}).get("open", 0),
        }
        for p in petitioners
    ]
    context = {"known": known, "related": related, "problems": problems, "now": timezone.now()}
    return render(request, "web/_intake_check.html", context)


# --- the case page -------------------------------------------------------------


def visible_case(user, pk) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(user)
        .select_related(
            "jurisdiction__parent",
            "category",
            "petitioner",
            "lead_unit__jurisdiction",
            "created_by",
            "parent",
            "closure_agreement",
        )
        # rights_on() reads the co-handling units; prefetched, every check is free.
        .prefetch_related(
            Prefetch(
                "co_handlings",
                queryset=CoHandling.objects.select_related("department__jurisdiction"),
            )
        ),
        pk=pk,
    )


def action_forms_for(request, case: Case, bound=None) -> list:
    """The forms of the actions the user may take on this case now, in catalogue order."""
    allowed = set(allowed_actions(request.user, case))
    forms = []
    for spec in CASE_ACTIONS:
        if bound is not None and bound.action == spec.name:
            forms.append(bound)
        elif spec.name in allowed and spec.is_shown_for(case):
            forms.append(action_form(spec)(subject=case, user=request.user))
    return forms


def render_case(request, case: Case, *, bound=None, revealed=None, reveal_form=None, status=200):
    events = case.events.select_related(
        "actor",
        "from_unit__jurisdiction",
        "to_unit__jurisdiction",
        "from_jurisdiction",
        "to_jurisdiction",
    ).order_by("at", "pk")
    rights = rights_on(request.user, case)
    can_reveal = (
        case.petitioner_id is not None
        and request.user.can_reveal_personal_data
        and refusal_reason(Action.NOTE, case, rights) is None
    )
    context = {
        "case": case,
        "events": events,
        "action_forms": action_forms_for(request, case, bound),
        "attachments": case.attachments.order_by("uploaded_at"),
        "flags": case.flags.order_by("-created_at"),
        "links_out": case.links_out.select_related("to_case"),
        "links_in": case.links_in.select_related("from_case"),
        "co_handlings": case.co_handlings.all(),
        "follow_ups": case.follow_ups.order_by("pk"),
        "petitioner": revealed if revealed is not None else _masked(case),
        "revealed": revealed is not None,
        "can_reveal": can_reveal,
        "reveal_form": reveal_form or RevealForm(user=request.user, case=case),
        "review_deadline": actions.review_request_deadline(case),
        "documents_panel": case_panel(request.user, case),
        "now": timezone.now(),
    }
    response = render(request, "web/case.html", context, status=status)
    if revealed is not None:
        add_never_cache_headers(response)
    return response


def _masked(case: Case) -> dict | None:
    return case.petitioner.masked() if case.petitioner is not None else None


@login_required
@require_GET
def case_detail(request, pk):
    return render_case(request, visible_case(request.user, pk))


@login_required
@require_POST
def case_action(request, pk, action):
    case = visible_case(request.user, pk)
    if action not in CASE_ACTIONS:
        raise Http404
    # A forged form for an action the role lacks is refused before anything is read,
    # whatever the state (the state's refusal is a message; the role's is a 403).
    if not rights_on(request.user, case) & TRANSITIONS[action].rights:
        raise PermissionDenied
    spec = CASE_ACTIONS[action]
    form = action_form(spec)(request.POST, request.FILES, subject=case, user=request.user)
    if form.submit():
        messages.success(request, _("Done: %(action)s.") % {"action": spec.label})
        if isinstance(form.result, Case) and form.result.pk != case.pk:
            messages.info(
                request,
                _("The follow-up case is %(number)s.") % {"number": form.result.tracking_number},
            )
        return redirect("web:case", pk=case.pk)
    if form.status == 409:
        case = visible_case(request.user, pk)  # show what changed meanwhile
    return render_case(request, case, bound=form, status=form.status)


@login_required
@require_POST
def reveal(request, pk):
    case = visible_case(request.user, pk)
    form = RevealForm(request.POST, user=request.user, case=case)
    revealed = form.result if form.submit() else None
    if is_htmx(request):
        response = render(
            request,
            "web/_petitioner.html",
            {
                "case": case,
                "petitioner": revealed if revealed is not None else _masked(case),
                "revealed": revealed is not None,
                "can_reveal": True,
                "reveal_form": form,
            },
            # htmx swaps only 2xx answers; the errors are in the fragment.
            status=200,
        )
        add_never_cache_headers(response)
        return response
    return render_case(request, case, revealed=revealed, reveal_form=form, status=form.status)


@login_required
@require_GET
def attachment(request, pk, attachment_pk):
    case = visible_case(request.user, pk)
    item = get_object_or_404(case.attachments, pk=attachment_pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=item.original_name, content_type=item.content_type
    )
