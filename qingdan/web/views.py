"""The staff workbench: my queue, intake, and the case page.

Each view parses its input, calls one action (or one query), and renders. Rights
are the actions layer's: the page shows what `allowed_actions` returns, and a POST
for anything else is refused with 403 even when the form is forged.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingdan.cases import actions
from qingdan.cases.catalogue import CASE_ACTIONS
from qingdan.cases.choices import OPEN_STATES, Action
from qingdan.cases.creations import CASE_CREATIONS
from qingdan.cases.filters import CaseFilterSet
from qingdan.cases.models import Case, CoHandling
from qingdan.cases.rights import rights_on
from qingdan.cases.transitions import (
    CREATIONS,
    REGISTER,
    TRANSITIONS,
    allowed_actions,
    refusal_reason,
)
from qingdan.core import pii
from qingdan.core.errors import ActionError
from qingdan.core.forms import action_form
from qingdan.core.validators import IdType
from qingdan.documents.views import case_panel
from qingdan.orgs.questions import questions_for

from .forms import PetitionerLookupForm, RevealForm, tune_filter_form
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
@require_http_methods(["GET", "POST"])
def queue(request):
    """The queue and its filters. The form is posted so that what is searched (often a
    phone number or a name typed into the search box) stays out of the address and so
    out of every server and proxy log; the other filters may still be linked with GET."""
    data = request.POST if request.method == "POST" else request.GET
    everything = data.get("scope") == "all"
    base = all_visible(request.user) if everything else queue_for(request.user)
    searched_in_address = request.method == "GET" and bool(request.GET.get("q"))
    if searched_in_address:
        data = data.copy()
        del data["q"]
    filterset = CaseFilterSet(data or None, queryset=base, request=request)
    tune_filter_form(filterset.form)
    cases = base.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    page = Paginator(with_list_columns(cases), PAGE_SIZE).get_page(data.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "everything": everything,
        "searched_in_address": searched_in_address,
        "now": timezone.now(),
    }
    return render_fragment_or_page(request, "web/_queue_results.html", "web/queue.html", context)


# --- intake ------------------------------------------------------------------


def _registration_form(request, *args, **kwargs):
    """The registration's form (the catalogue's), for the desks it is offered to."""
    if not CREATIONS[REGISTER].offers(request.user):
        raise PermissionDenied
    return action_form(CASE_CREATIONS[REGISTER])(*args, user=request.user, **kwargs)


@login_required
def intake(request):
    form = _registration_form(request, request.POST or None)
    if request.method == "POST" and form.submit():
        case = form.result
        messages.success(request, _("Registered as %(number)s.") % {"number": case.tracking_number})
        return redirect("web:case", pk=case.pk)
    return render(request, "web/intake.html", {"form": form}, status=form.status_code)


@login_required
@require_GET
def intake_questions(request):
    """htmx fragment of the intake form: the extra questions of the chosen category."""
    form = _registration_form(request, initial={"category": request.GET.get("category")})
    return render(request, "web/_questions.html", {"form": form})


@login_required
@require_POST
def intake_check(request):
    """htmx fragment beside the intake form: known petitioners (masked) of the cases
    the user may see, and the open cases that may be the same matter, before the new
    case is saved. A POST: phones and ID numbers never travel in a URL."""
    form = PetitionerLookupForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        petitioners, problems = actions.look_up_petitioners(
            request.user,
            phone=(data.get("petitioner_phone") or "").strip(),
            id_type=data.get("petitioner_id_type") or IdType.RESIDENT_ID,
            id_number=(data.get("petitioner_id_number") or "").strip(),
        )
    except ActionError as error:
        # htmx swaps only 2xx answers; the refusal is the fragment.
        context = {"known": [], "related": [], "problems": [error.message], "now": timezone.now()}
        return render(request, "web/_intake_check.html", context)
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
    response = render(request, "web/_intake_check.html", context)
    add_never_cache_headers(response)
    return response


# --- the case picker -------------------------------------------------------------

CASE_OPTIONS = 20


@login_required
@require_GET
def case_options(request):
    """htmx fragment for a case picker's <datalist>: the visible cases whose tracking
    number or title holds what was typed (`q`, or the picker's own `tracking_number`)."""
    typed = (request.GET.get("q") or request.GET.get("tracking_number") or "").strip()[:50]
    cases = Case.objects.none()
    if len(typed) >= 2:
        cases = (
            Case.objects.visible_to(request.user)
            .filter(Q(tracking_number__icontains=typed) | Q(title__icontains=typed))
            .order_by("-registered_at")
            .only("tracking_number", "title", "state")[:CASE_OPTIONS]
        )
    return render(request, "web/_case_options.html", {"cases": cases})


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
            "open311_token",
            "receiving_leader",
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
    # Its representatives' names are masked in its free text too.
    prefetch_related_objects([case], "representatives")
    events = case.events.select_related(
        "actor",
        "from_unit__jurisdiction",
        "to_unit__jurisdiction",
        "from_jurisdiction",
        "to_jurisdiction",
    ).order_by("at", "pk")
    rights = rights_on(request.user, case)
    # Free text may carry personal data whether or not a petitioner was recorded.
    can_reveal = (
        request.user.can_reveal_personal_data and refusal_reason(Action.NOTE, case, rights) is None
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
        "answers": _answers(case),
        "petitioner": _petitioner(case, revealed),
        "revealed": revealed is not None,
        "can_reveal": can_reveal,
        "reveal_form": reveal_form or RevealForm(user=request.user, case=case),
        "review_deadline": actions.review_request_deadline(case),
        "documents_panel": case_panel(request.user, case),
        "now": timezone.now(),
        # Free text is masked for everyone, whole only after a logged reveal.
        "pii": pii.REVEAL if revealed is not None else case.free_text_masker(),
    }
    response = render(request, "web/case.html", context, status=status)
    if revealed is not None:
        add_never_cache_headers(response)
    return response


def _masked(case: Case) -> dict | None:
    return case.petitioner.masked() if case.petitioner is not None else None


def _answers(case: Case) -> list[tuple[str, str]]:
    """The answers to the extra questions of the case's category, as a person reads them."""
    if not case.attributes:
        return []
    questions = {q.code: q for q in questions_for(case.category)}
    return [
        (questions[code].question, questions[code].display(value))
        if code in questions
        else (code, value if isinstance(value, str) else "、".join(map(str, value)))
        for code, value in case.attributes.items()
    ]


def _petitioner(case: Case, revealed: dict | None) -> dict | None:
    """The petitioner block: masked, or whole after a reveal (which also answers the
    case's free text, shown by the page itself)."""
    if revealed is None:
        return _masked(case)
    return revealed if case.petitioner is not None else None


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
    if form.status_code == 409:
        case = visible_case(request.user, pk)  # show what changed meanwhile
    return render_case(request, case, bound=form, status=form.status_code)


@login_required
@require_POST
def reveal(request, pk):
    case = visible_case(request.user, pk)
    form = RevealForm(request.POST, user=request.user, case=case)
    revealed = form.result if form.submit() else None
    # The whole page: a reveal shows the free text whole too, not only the petitioner.
    response = render_case(
        request, case, revealed=revealed, reveal_form=form, status=form.status_code
    )
    add_never_cache_headers(response)
    return response


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
