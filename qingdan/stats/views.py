"""Statistics pages: the dashboard, the results-list export and the bulletin PDF.
Each view parses the query, calls one function, and renders."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .bulletin import bulletin_context, render_pdf
from .choices import Dimension
from .export import results_cases, results_workbook
from .forms import ResultsQueryForm, StatsQueryForm
from .periods import current_period

RESULTS_PAGE_SIZE = 50

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request) -> StatsQueryForm:
    data = request.GET.copy()
    if not data.get("period", "").strip():
        # Shown as it is used: the current half-year, not an empty box.
        data["period"] = current_period().code
    data.setdefault("by", Dimension.JURISDICTION)
    form = StatsQueryForm(data)
    form.is_valid()
    return form


def _invalid(request, form) -> HttpResponse:
    return render(request, "stats/dashboard.html", {"form": form}, status=400)


@login_required
@require_GET
def dashboard(request):
    form = _form(request)
    if form.errors:
        return _invalid(request, form)
    period, by = form.cleaned_data["period"], form.cleaned_data["by"]
    context = bulletin_context(request.user, period)
    context.update(
        form=form,
        by=by,
        by_label=Dimension(by).label,
        by_groups=context["report"]["groups"][by],
        ranked=by in (Dimension.UNIT, Dimension.JURISDICTION),
        query=f"period={period.code}",
    )
    return render(request, "stats/dashboard.html", context)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def results_form(request, *, offer: bool = True) -> ResultsQueryForm:
    """The results list's period (the current half-year when none is given) and filters."""
    data = request.GET.copy()
    if not data.get("period", "").strip():
        data["period"] = current_period().code
    form = ResultsQueryForm(data, user=request.user, offer=offer)
    form.is_valid()
    return form


@login_required
@require_GET
def results_list(request):
    form = results_form(request)
    if form.errors:
        return render(request, "stats/results.html", {"form": form}, status=400)
    period, filters = form.cleaned_data["period"], form.filters()
    cases = results_cases(request.user, period, filters)
    page = Paginator(cases, RESULTS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "period": period,
        "query": urlencode({"period": period.code, **filters.query()}),
    }
    return render(request, "stats/results.html", context)


@login_required
@require_GET
def results_export(request):
    form = results_form(request, offer=False)
    if form.errors:
        return render(request, "stats/results.html", {"form": form}, status=400)
    period = form.cleaned_data["period"]
    content = results_workbook(request.user, period, form.filters())
    return _download(content, XLSX, f"results-list-{period.code}.xlsx")


@login_required
@require_GET
def bulletin_pdf(request):
    form = _form(request)
    if "period" in form.errors:
        return _invalid(request, form)
    period = form.cleaned_data["period"]
    return _download(
        render_pdf(request.user, period), "application/pdf", f"bulletin-{period.code}.pdf"
    )
