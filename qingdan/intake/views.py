"""Intake pages: work-order import with progress, enterprise visits, the policy
answer library, superior assignments with completion reports, quick entry.

Each view parses its input, calls one action (or one query) and renders."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qingdan.cases.rights import registers_cases
from qingdan.core.errors import ActionError, NotAllowed

from . import actions
from .actions.imports import is_interrupted, require_importer
from .actions.policy import may_edit_policy
from .choices import ProblemKind
from .filters import assigned_cases, search_policy_answers
from .forms import (
    AssignmentFilterForm,
    AssignmentForm,
    CiteForm,
    ImportForm,
    PolicyAnswerForm,
    PolicySearchForm,
    VisitForm,
    completion_report_form,
    intake_form,
)
from .importer.report import report_header, run_report_lines
from .models import EnterpriseVisit, ImportRun, PolicyAnswer, VisitProblem
from .transitions import TRANSITIONS

PAGE_SIZE = 25
PROBLEMS_SHOWN = 200


def _may_register(user) -> None:
    if not registers_cases(user):
        raise PermissionDenied


def _may_import(user) -> None:
    try:
        require_importer(user)
    except NotAllowed as error:
        raise PermissionDenied(str(error.message)) from error


# --- work-order import ----------------------------------------------------------


@login_required
def imports(request):
    _may_import(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.submit():
        actions.start_import_run(form.result, request.LANGUAGE_CODE)
        return redirect("intake:import-run", pk=form.result.pk)
    runs = ImportRun.objects.visible_to(request.user).select_related("created_by")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    return render(request, "intake/imports.html", context, status=form.status_code)


def _visible_run(request, pk) -> ImportRun:
    _may_import(request.user)
    return get_object_or_404(ImportRun.objects.visible_to(request.user), pk=pk)


def _run_context(run: ImportRun) -> dict:
    return {"run": run, "interrupted": is_interrupted(run)}


@login_required
@require_GET
def import_run(request, pk):
    run = _visible_run(request, pk)
    errors = run.problems.filter(kind=ProblemKind.ERROR).order_by("row", "pk")
    context = {
        **_run_context(run),
        "errors": errors[:PROBLEMS_SHOWN],
        "errors_total": run.error_count,
        "shown": PROBLEMS_SHOWN,
    }
    return render(request, "intake/import_run.html", context)


@login_required
@require_GET
def import_progress(request, pk):
    """The progress fragment the run page polls (htmx) while the import runs."""
    run = _visible_run(request, pk)
    response = render(request, "intake/_progress.html", _run_context(run))
    if not run.is_active:
        # Tell htmx to reload the whole page once: the report is complete.
        response["HX-Refresh"] = "true"
    return response


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def import_report(request, pk):
    run = _visible_run(request, pk)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(report_header())
        for line in run_report_lines(run):
            yield writer.writerow(line)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-report-{run.pk}.csv"'
    return response


@login_required
@require_POST
def import_restart(request, pk):
    run = _visible_run(request, pk)
    try:
        run = actions.restart_import_run(request.user, run)
    except ActionError as error:
        messages.error(request, str(error.message))
    else:
        actions.start_import_run(run, request.LANGUAGE_CODE)
    return redirect("intake:import-run", pk=run.pk)


# --- enterprise visits ------------------------------------------------------------


@login_required
@require_GET
def visits(request):
    listed = (
        EnterpriseVisit.objects.visible_to(request.user)
        .select_related("enterprise", "jurisdiction")
        .prefetch_related(
            Prefetch("problems", queryset=VisitProblem.objects.select_related("case"))
        )
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "intake/visits.html", {"page": page})


@login_required
def visit_new(request):
    _may_register(request.user)
    form = VisitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.submit():
        visit = form.result
        messages.success(
            request,
            _("Visit recorded: %(n)d problem(s) registered.") % {"n": visit.problems.count()},
        )
        return redirect("intake:visit", pk=visit.pk)
    return render(request, "intake/visit_form.html", {"form": form}, status=form.status_code)


@login_required
@require_GET
def visit_detail(request, pk):
    visit = get_object_or_404(
        EnterpriseVisit.objects.visible_to(request.user).select_related(
            "enterprise", "jurisdiction", "created_by"
        ),
        pk=pk,
    )
    problems = visit.problems.select_related("case__lead_unit__jurisdiction")
    return render(
        request,
        "intake/visit.html",
        {"visit": visit, "problems": problems, "staff": visit.staff.all()},
    )


# --- policy answers -----------------------------------------------------------------


@login_required
@require_GET
def policy(request):
    form = PolicySearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    answers = search_policy_answers(query)
    context = {
        "form": form,
        "answers": answers,
        "query": query,
        "may_edit": may_edit_policy(request.user),
        "cite_form": CiteForm(),
    }
    return render(request, "intake/policy.html", context)


@login_required
def policy_edit(request, pk=None):
    if not may_edit_policy(request.user):
        raise PermissionDenied
    answer = get_object_or_404(PolicyAnswer, pk=pk) if pk else None
    form = PolicyAnswerForm(request.POST or None, user=request.user, answer=answer)
    if request.method == "POST" and form.submit():
        messages.success(request, _("The answer is saved."))
        return redirect("intake:policy")
    context = {"form": form, "answer": answer}
    return render(request, "intake/policy_form.html", context, status=form.status_code)


@login_required
@require_POST
def policy_cite(request, pk):
    answer = get_object_or_404(PolicyAnswer, pk=pk)
    form = CiteForm(request.POST, user=request.user, answer=answer)
    context: dict = {"answer": answer, "form": form}
    if form.submit():
        context["citation"] = form.result
        context["case"] = form.cleaned_data["tracking_number"]
    return render(request, "intake/_citation.html", context, status=form.status_code)


# --- superior assignment ----------------------------------------------------------------


@login_required
@require_GET
def assignments(request):
    cases = assigned_cases(request.user)
    bodies = sorted(
        {b for b in cases.order_by().values_list("assigning_body", flat=True).distinct() if b}
    )
    form = AssignmentFilterForm(request.GET or None, bodies=bodies)
    if form.is_valid():
        if form.cleaned_data["body"]:
            cases = cases.filter(assigning_body=form.cleaned_data["body"])
        reported = form.cleaned_data["reported"]
        if reported:
            cases = cases.filter(completion_report__isnull=(reported == "no"))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "now": timezone.now()}
    return render(request, "intake/assignments.html", context)


@login_required
def assignment_new(request):
    _may_import(request.user)
    form = AssignmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.submit():
        case = form.result
        messages.success(request, _("Registered as %(number)s.") % {"number": case.tracking_number})
        return redirect("web:case", pk=case.pk)
    return render(request, "intake/assignment_form.html", {"form": form}, status=form.status_code)


@login_required
def assignment_report(request, pk):
    case = get_object_or_404(assigned_cases(request.user).prefetch_related("co_handlings"), pk=pk)
    form = completion_report_form(case, request.POST or None, user=request.user)
    if request.method == "POST" and form.submit():
        messages.success(
            request,
            _("Completion report recorded for %(body)s.") % {"body": case.assigning_body},
        )
        return redirect("intake:assignments")
    context = {"case": case, "form": form, "report": getattr(case, "completion_report", None)}
    return render(request, "intake/assignment_report.html", context, status=form.status_code)


# --- quick entry ---------------------------------------------------------------------------


@login_required
def quick(request):
    if not TRANSITIONS["quick_register"].offers(request.user):
        raise PermissionDenied
    form = intake_form("quick_register", request.POST or None, user=request.user)
    if request.method == "POST" and form.submit():
        case = form.result
        # The desk enters the next report at once; the link opens the one just saved.
        link = format_html(
            '<a href="{}" id="registered-case">{}</a>',
            reverse("web:case", args=[case.pk]),
            case.tracking_number,
        )
        messages.success(request, format_html(_("Registered as {number}."), number=link))
        return redirect("intake:quick")
    return render(request, "intake/quick.html", {"form": form}, status=form.status_code)
