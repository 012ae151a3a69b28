"""The intake API under /api/v1/intake/: the superior assignments one may see (as on
the assignments page) with their completion reports, the completion report itself
(POST assignments/{tracking_number}/completion-report/), and quick entry (POST
quick/). Request bodies and operation ids are the catalogue's (`catalogue.py`); the
row's rule (`transitions.py`) is checked before the body is read."""

from rest_framework import serializers, viewsets

from qingdan.cases.api import with_relations
from qingdan.cases.api_serializers import CaseDetail, CaseOutput
from qingdan.cases.models import Case
from qingdan.core import endpoints
from qingdan.core.catalogue import ActionSpec
from qingdan.core.serializers import read_slug

from .catalogue import INTAKE_ACTIONS
from .filters import assigned_cases
from .models import CompletionReport
from .transitions import TRANSITIONS


class CompletionReportOutput(serializers.ModelSerializer):
    case = read_slug("tracking_number")
    reported_by = read_slug("username")

    class Meta:
        model = CompletionReport
        fields = ["case", "text", "reported_on", "reported_by", "created_at"]


class AssignmentOutput(CaseOutput):
    completion_report = CompletionReportOutput(read_only=True, allow_null=True)

    class Meta(CaseOutput.Meta):
        fields = [*CaseOutput.Meta.fields, "completion_report"]


class IntakeViewSet(endpoints.CatalogueEndpoints, viewsets.GenericViewSet):
    rules = TRANSITIONS

    def render(self, spec: ActionSpec, result, subject):
        if isinstance(result, Case):  # the answer shows the case with its relations
            result = with_relations(Case.objects.all()).get(pk=result.pk)
        return super().render(spec, result, subject)


class AssignmentViewSet(IntakeViewSet, viewsets.ReadOnlyModelViewSet):
    """Cases a superior body (or the hotline) handed down, that you may see."""

    serializer_class = AssignmentOutput
    lookup_field = "tracking_number"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9-]*"
    filterset_fields = ["assigning_body"]
    ordering_fields = ["assigned_deadline", "registered_at"]
    outputs = {"report_completion": CompletionReportOutput}

    def get_queryset(self):
        cases = with_relations(assigned_cases(self.request.user))
        return cases.select_related("completion_report__reported_by")


class QuickEntryViewSet(IntakeViewSet):
    outputs = {"quick_register": CaseDetail}


endpoints.install_all(INTAKE_ACTIONS, (AssignmentViewSet, QuickEntryViewSet))

__all__ = ["AssignmentViewSet", "QuickEntryViewSet"]
