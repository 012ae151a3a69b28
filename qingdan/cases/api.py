"""The case API: list/filter, register, read, and one POST per workflow action.

Views parse with the serializers in `api_serializers`, call one function of the
actions layer, and render the case again; errors are rendered by
`qingdan.api.errors.exception_handler`.
"""

import copy

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from qingdan.core import endpoints
from qingdan.core.catalogue import ActionSpec
from qingdan.core.errors import ValidationFailed
from qingdan.core.versioning import etag, not_modified

from . import actions
from .api_serializers import (
    CaseCreate,
    CaseDetail,
    CaseOutput,
    CaseSearch,
    EventOutput,
    PetitionerOutput,
    RevealedPetitioner,
    RevealInput,
)
from .catalogue import CASE_ACTIONS
from .creations import CASE_CREATIONS
from .filters import CaseFilterSet
from .models import Case, CoHandling, Petitioner
from .transitions import REGISTER


def _by_code(name: str):
    """One of the web UI's filters, addressed by code: the API names places, units and
    categories by their codes everywhere, never by database ids."""
    declared = copy.deepcopy(CaseFilterSet.base_filters[name])
    declared.extra["to_field_name"] = "code"
    return declared


class CaseApiFilterSet(CaseFilterSet):
    category = _by_code("category")
    jurisdiction = _by_code("jurisdiction")
    lead_unit = _by_code("lead_unit")


CO_HANDLINGS = Prefetch("co_handlings", queryset=CoHandling.objects.select_related("department"))


def with_relations(cases):
    return cases.select_related(
        "jurisdiction", "category", "lead_unit", "petitioner", "parent", "receiving_leader"
    ).prefetch_related(CO_HANDLINGS)


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "tracking_number"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9-]*"
    filterset_class = CaseApiFilterSet
    ordering_fields = ["registered_at", "due_at", "tracking_number", "updated_at"]
    ordering = ["-registered_at"]

    def get_queryset(self):
        cases = with_relations(Case.objects.visible_to(self.request.user))
        if self.action in ("retrieve", "timeline"):
            # One case: its representatives' names are masked in its free text too.
            cases = cases.prefetch_related("representatives")
        return cases

    def get_serializer_class(self):
        if self.action == "create":
            return CaseCreate
        if self.action == "list":
            return CaseOutput
        return CaseDetail

    @extend_schema(responses={200: CaseDetail, 304: OpenApiResponse(description="Not modified")})
    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        if not_modified(request, case.version):
            return Response(
                status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(case.version)}
            )
        response = Response(CaseDetail(case, context={"request": request}).data)
        response["ETag"] = etag(case.version)
        return response

    def list(self, request, *args, **kwargs):
        if request.query_params.get("q"):
            # A URL is kept in every server and proxy log: no phone, ID or complaint text.
            raise ValidationFailed(
                {"q": [_("Send a search in the body of POST /api/v1/cases/search/.")]},
                code="search_in_body",
            )
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CaseSearch, responses=CaseOutput(many=True))
    @action(detail=False, methods=["post"], filter_backends=[])
    def search(self, request):
        """The cases you may see that match a search sent in the body (the same
        filters as the list, and `q` over tracking number, title and content)."""
        filterset = CaseApiFilterSet(
            data=request.data, queryset=self.get_queryset(), request=request
        )
        if not filterset.is_valid():
            raise ValidationFailed({k: list(v) for k, v in filterset.errors.items()})
        cases = self.paginate_queryset(
            OrderingFilter().filter_queryset(request, filterset.qs, self)
        )
        return self.get_paginated_response(CaseOutput(cases, many=True).data)

    @extend_schema(request=CaseCreate, responses={201: CaseDetail})
    def create(self, request, *args, **kwargs):
        case = endpoints.run(request, CASE_CREATIONS[REGISTER])
        # The registration holds every relation the answer shows (place, category,
        # petitioner); a case just registered has no co-handling unit yet, so none is
        # read (a statement less in every intake).
        no_co_handlings = case.co_handlings.none()
        no_co_handlings._result_cache = []  # Django's own prefetch cache, filled empty
        case._prefetched_objects_cache = {"co_handlings": no_co_handlings}
        return self._respond(request, case, status.HTTP_201_CREATED)

    @extend_schema(responses=EventOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, tracking_number=None):
        case = self.get_object()
        events = case.events.select_related(
            "actor", "from_unit", "to_unit", "from_jurisdiction", "to_jurisdiction"
        )
        masker = case.free_text_masker()
        return Response(EventOutput(events, many=True, context={"masker": masker}).data)

    @extend_schema(request=RevealInput, responses=RevealedPetitioner)
    @action(detail=True, methods=["post"], filter_backends=[])
    def reveal(self, request, tracking_number=None):
        case = self.get_object()
        params = RevealInput(data=request.data)
        params.is_valid(raise_exception=True)
        revealed = actions.reveal_personal_data(request.user, case, **params.validated_data)
        return Response(RevealedPetitioner(revealed).data)

    def run_action(self, request, spec: ActionSpec):
        case = self.get_object()
        result = endpoints.run(request, spec, case)
        answer = status.HTTP_201_CREATED if spec.creates else status.HTTP_200_OK
        if isinstance(result, Case) and result.pk != case.pk:
            return self._render(request, result, answer)  # a review case
        return self._render(request, case, answer)

    def _render(self, request, case, code):
        # Not through visible_to: a transfer may move the case out of the caller's sight,
        # and the caller still gets the result of what they just did.
        case = with_relations(Case.objects.all()).get(pk=case.pk)
        return self._respond(request, case, code)

    def _respond(self, request, case, code):
        response = Response(CaseDetail(case, context={"request": request}).data, status=code)
        response["ETag"] = etag(case.version)
        return response


for _spec in CASE_ACTIONS:
    endpoints.install(
        CaseViewSet,
        _spec,
        "cases",
        responses={201: CaseDetail} if _spec.creates else {200: CaseDetail},
    )


class PetitionerViewSet(viewsets.ReadOnlyModelViewSet):
    """Petitioners of the cases one may see, always masked."""

    serializer_class = PetitionerOutput

    def get_queryset(self):
        visible = Case.objects.visible_to(self.request.user).values("petitioner_id")
        return Petitioner.objects.filter(pk__in=visible).order_by("pk")


__all__ = ["CaseApiFilterSet", "CaseViewSet", "PetitionerViewSet"]
