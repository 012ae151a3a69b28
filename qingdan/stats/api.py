"""GET /stats/api/indicators?period=2026H1&by=jurisdiction — the indicators of
`qingdan.stats.indicators.indicators()` as JSON (/api/v1 can mount the same view or
call the function)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from qingdan.cases.choices import Channel
from qingdan.core.errors import ActionError, ValidationFailed

from .choices import Dimension
from .export import results_cases
from .forms import ResultsQueryForm
from .indicators import indicators
from .periods import PERIOD_PATTERN as PERIOD
from .periods import current_period
from .results import result_record


class IndicatorsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", str, description="2026, 2026H1, 2026Q3 or 2026-07", pattern=PERIOD
            ),
            OpenApiParameter("by", str, enum=Dimension.values, description="breakdown"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        period = request.query_params.get("period") or current_period().code
        try:
            data = indicators(request.user, period, request.query_params.get("by"))
        except ActionError as error:
            return Response(error.as_dict(), status=error.status)
        return Response(data)


class ResultsView(APIView):
    """GET /api/v1/results/?period=2026H1&enterprise=…&visit=…&channel=…&unit=…&place=…
    &category=… — the rows of the results list (成果清单), page by page."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", str, description="2026, 2026H1, 2026Q3 or 2026-07", pattern=PERIOD
            ),
            OpenApiParameter("enterprise", str, description="unified social credit code"),
            OpenApiParameter("visit", int, description="enterprise visit id"),
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("unit", str, description="lead unit code"),
            OpenApiParameter("place", str, description="division code (with the places in it)"),
            OpenApiParameter("category", str, description="category code (with its children)"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: dict},
    )
    def get(self, request):
        data = request.query_params.copy()
        if not data.get("period", "").strip():
            data["period"] = current_period().code
        form = ResultsQueryForm(data, user=request.user, offer=False)
        if not form.is_valid():
            error = ValidationFailed(
                {name: list(problems) for name, problems in form.errors.items()}
            )
            return Response(error.as_dict(), status=error.status)
        cases = results_cases(request.user, form.cleaned_data["period"], form.filters())
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response([result_record(case) for case in page or []])
