"""Triage pages: warnings, hot terms, hot issues and topics, and the htmx fragments
for intake (category suggestion) and the case page (related cases, merge, link).
Each view parses, calls one action or query, and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qingdan.cases.models import Case
from qingdan.core.errors import ActionError
from qingdan.orgs.permissions import has_role, is_administrator

from . import actions
from .choices import OPEN_TOPIC_STATES
from .duplicates import related_cases
from .early_warning import flags_visible_to
from .filters import FlagFilterSet
from .forms import (
    HotIssueQueryForm,
    HotTermForm,
    MergeForm,
    SuggestForm,
    TopicForm,
    TopicStatusForm,
)
from .hotissues import case_hot_issues
from .models import GovernanceTopic, HotTerm
from .suggestions import suggest_category

PAGE_SIZE = 50


def _visible_case(user, pk) -> Case:
    return get_object_or_404(Case.objects.visible_to(user).select_related("jurisdiction"), pk=pk)


@login_required
@require_GET
def warnings_list(request):
    flags = flags_visible_to(request.user).select_related("case__jurisdiction")
    filterset = FlagFilterSet(request.GET or None, queryset=flags.order_by("-created_at", "-pk"))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "triage/warnings.html", {"filter": filterset, "page": page})


@login_required
def hot_terms(request):
    if not is_administrator(request.user):
        raise PermissionDenied
    form = HotTermForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.submit():
        messages.success(request, _("The hot-term list is updated."))
        return redirect("triage:hot-terms")
    terms = HotTerm.objects.select_related("updated_by").order_by("-active", "term")
    context = {"form": form, "terms": terms}
    return render(request, "triage/hot_terms.html", context, status=form.status_code)


@login_required
def hot_term_edit(request, pk):
    if not is_administrator(request.user):
        raise PermissionDenied
    hot_term = get_object_or_404(HotTerm, pk=pk)
    if request.method == "POST" and "delete" in request.POST:
        actions.delete_hot_term(request.user, hot_term)
        messages.success(request, _("The term is deleted."))
        return redirect("triage:hot-terms")
    form = HotTermForm(request.POST or None, instance=hot_term, user=request.user)
    if request.method == "POST" and form.submit():
        messages.success(request, _("The hot-term list is updated."))
        return redirect("triage:hot-terms")
    context = {"form": form, "term": hot_term}
    return render(request, "triage/hot_term_edit.html", context, status=form.status_code)


@login_required
@require_GET
def hot_issues(request):
    form = HotIssueQueryForm(request.GET or None, user=request.user)
    issues = []
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if form.is_bound else {}
        issues = case_hot_issues(
            request.user,
            days=data.get("days") or 30,
            jurisdiction=data.get("jurisdiction"),
            min_size=data.get("min_size") or 3,
        )
    can_create = has_role(request.user, actions.TOPIC_ROLES)
    return render(
        request,
        "triage/hot_issues.html",
        {
            "form": form,
            "issues": issues,
            "can_create": can_create,
            "topic_form": TopicForm(user=request.user),
        },
    )


@login_required
def topic_create(request):
    if not has_role(request.user, actions.TOPIC_ROLES):
        raise PermissionDenied
    form = TopicForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.submit():
        messages.success(request, _("The governance topic is created."))
        return redirect("triage:topic", pk=form.result.pk)
    return render(request, "triage/topic_form.html", {"form": form}, status=form.status_code)


@login_required
@require_GET
def topics(request):
    listed = (
        GovernanceTopic.objects.visible_to(request.user)
        .select_related("owner", "jurisdiction")
        .order_by("due_date", "pk")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "triage/topics.html", {"page": page, "open_states": OPEN_TOPIC_STATES})


@login_required
def topic_detail(request, pk):
    topic = get_object_or_404(
        GovernanceTopic.objects.visible_to(request.user).select_related("owner", "created_by"),
        pk=pk,
    )
    form = TopicStatusForm(request.POST or None, user=request.user, topic=topic)
    if request.method == "POST" and form.submit():
        return redirect("triage:topic", pk=topic.pk)
    cases = topic.cases.visible_to(request.user).select_related("jurisdiction")
    context = {"topic": topic, "cases": cases, "form": form}
    return render(request, "triage/topic_detail.html", context, status=form.status_code)


@login_required
@require_POST
def suggest(request):
    """htmx fragment for the intake form: the likely categories and units. A POST: the
    complaint's text never travels in a URL (nor hits a URL length limit)."""
    form = SuggestForm(request.POST)
    result = None
    if form.is_valid():
        result = suggest_category(
            form.cleaned_data["title"],
            form.cleaned_data["content"],
            jurisdiction=form.cleaned_data["jurisdiction"],
        )
    return render(request, "triage/_suggestions.html", {"result": result})


@login_required
@require_GET
def related(request, pk):
    """htmx fragment for the case page: likely duplicates and related cases."""
    case = _visible_case(request.user, pk)
    return render(
        request,
        "triage/_related.html",
        {"case": case, "related": related_cases(case, request.user)},
    )


def _other_case(request, form) -> Case:
    return _visible_case(request.user, form.cleaned_data["other"])


def _back(request, case: Case):
    """Back to the page the form was on (the case page), else the related-cases list."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("triage:related", pk=case.pk)


@login_required
@require_POST
def merge(request, pk):
    case = _visible_case(request.user, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the case to merge into."))
        return _back(request, case)
    try:
        actions.merge_duplicate(
            request.user,
            case,
            original=_other_case(request, form),
            reason=form.cleaned_data["reason"],
        )
    except ActionError as error:
        if error.status == 403:
            raise PermissionDenied from error
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Merged as a duplicate and closed as not accepted."))
    return _back(request, case)


@login_required
@require_POST
def link(request, pk):
    case = _visible_case(request.user, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the case to link."))
        return _back(request, case)
    try:
        actions.link_related(
            request.user, case, other=_other_case(request, form), note=form.cleaned_data["reason"]
        )
    except ActionError as error:
        if error.status == 403:
            raise PermissionDenied from error
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The cases are linked."))
    return _back(request, case)
