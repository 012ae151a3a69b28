"""GET /stats/api/indicators?period=2026H1&by=jurisdiction — the indicators of
`qingdan.stats.indicators.indicators()` as JSON (/api/v1 can mount the same view or
call the function)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from qingdan.core.errors import ActionError

from .choices import Dimension
from .indicators import indicators
from .periods import current_period


class IndicatorsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description="2026, 2026H1, 2026Q3 or 2026-07"),
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
