"""GET /stats/api/indicators?period=2026H1&by=jurisdiction — the indicators of
`qingdan.stats.indicators.indicators()` as JSON (/api/v1 can mount the same view or
call the function)."""

from django.utils.translation import gettext_lazy as _
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

# The API's pagination (qingdan.api.pagination), as its list views document it.
PAGE_PARAMETERS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}),
    OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 200}),
]


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
        params = request.query_params
        # Given, the parameters must be what the schema says (an empty one too).
        period = params["period"] if "period" in params else current_period().code
        by = params.get("by")
        try:
            if "by" in params and by not in Dimension.values:
                raise ValidationFailed({"by": [_("Unknown breakdown.")]})
            data = indicators(request.user, period, by)
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
            *PAGE_PARAMETERS,
        ],
        responses={200: dict},
    )
    def get(self, request):
        data = request.query_params.copy()
        if "period" not in data:
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
