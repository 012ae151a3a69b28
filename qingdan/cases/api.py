"""The case API: list/filter, register, read, and one POST per workflow action.

Views parse with the serializers in `api_serializers`, call one function of the
actions layer, and render the case again; errors are rendered by
`qingdan.api.errors.exception_handler`.
"""

import copy
import inspect
from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qingdan.api.versioning import etag, expected_version, not_modified
from qingdan.core import pii
from qingdan.core.errors import VersionConflict
from qingdan.deadlines.actions import pause_clock, resume_clock

from . import actions
from .api_serializers import (
    ACTION_FIELDS,
    AttachmentInput,
    CaseCreate,
    CaseDetail,
    CaseOutput,
    EventOutput,
    PetitionerOutput,
    RevealedPetitioner,
    RevealInput,
    action_serializer,
)
from .filters import CaseFilterSet
from .models import Case, CoHandling, Petitioner

# URL name of each action → the function of the actions layer it calls.
ACTION_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "accept": actions.accept,
    "not-accept": actions.not_accept,
    "divert": actions.divert,
    "resolve-on-the-spot": actions.resolve_on_the_spot,
    "escalate": actions.escalate,
    "hand-back": actions.hand_back,
    "transfer": actions.transfer,
    "assign": actions.assign,
    "co-handle": actions.add_co_handling,
    "extend": actions.extend,
    "reply": actions.reply,
    "evaluate": actions.record_evaluation,
    "close": actions.close,
    "reopen": actions.reopen,
    "request-review": actions.request_review,
    "closure-agreement": actions.record_closure_agreement,
    "note": actions.add_note,
    "link": actions.link_cases,
    "pause-clock": pause_clock,
    "resume-clock": resume_clock,
}


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
        "jurisdiction", "category", "lead_unit", "petitioner", "parent"
    ).prefetch_related(CO_HANDLINGS)


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "tracking_number"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9-]*"
    filterset_class = CaseApiFilterSet
    ordering_fields = ["registered_at", "due_at", "tracking_number", "updated_at"]
    ordering = ["-registered_at"]

    def get_queryset(self):
        return with_relations(Case.objects.visible_to(self.request.user))

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

    @extend_schema(request=CaseCreate, responses={201: CaseDetail})
    def create(self, request, *args, **kwargs):
        params = CaseCreate(data=request.data)
        params.is_valid(raise_exception=True)
        case = actions.register_case(request.user, **params.validated_data)
        # The registration holds every relation the answer shows (place, category,
        # petitioner); only its co-handling units, none yet, are read.
        prefetch_related_objects([case], CO_HANDLINGS)
        return self._respond(request, case, status.HTTP_201_CREATED)

    @extend_schema(responses=EventOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, tracking_number=None):
        case = self.get_object()
        events = case.events.select_related(
            "actor", "from_unit", "to_unit", "from_jurisdiction", "to_jurisdiction"
        )
        masker = pii.Masker.for_petitioner(case.petitioner)
        return Response(EventOutput(events, many=True, context={"masker": masker}).data)

    @extend_schema(request=RevealInput, responses=RevealedPetitioner)
    @action(detail=True, methods=["post"], filter_backends=[])
    def reveal(self, request, tracking_number=None):
        case = self.get_object()
        params = RevealInput(data=request.data)
        params.is_valid(raise_exception=True)
        revealed = actions.reveal_personal_data(request.user, case, **params.validated_data)
        return Response(RevealedPetitioner(revealed).data)

    @extend_schema(request=AttachmentInput, responses={201: CaseDetail})
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
        filter_backends=[],
    )
    def attachments(self, request, tracking_number=None):
        case = self.get_object()
        params = AttachmentInput(data=request.data)
        params.is_valid(raise_exception=True)
        actions.add_attachment(request.user, case, upload=params.validated_data["file"])
        return self._render(request, case, status.HTTP_201_CREATED)

    def run_action(self, request, name: str):
        case = self.get_object()
        params = action_serializer(name)(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        version = expected_version(request, data)
        function = ACTION_FUNCTIONS[name]
        if "expected_version" in inspect.signature(function).parameters:
            data["expected_version"] = version
        elif version is not None and version != case.version:
            # Actions that only add to the timeline take no version; check it here.
            raise VersionConflict()
        result = function(request.user, case, **data)
        if isinstance(result, Case) and result.pk != case.pk:
            return self._render(request, result, status.HTTP_201_CREATED)  # a review case
        return self._render(request, case, status.HTTP_200_OK)

    def _render(self, request, case, code):
        # Not through visible_to: a transfer may move the case out of the caller's sight,
        # and the caller still gets the result of what they just did.
        case = with_relations(Case.objects.all()).get(pk=case.pk)
        return self._respond(request, case, code)

    def _respond(self, request, case, code):
        response = Response(CaseDetail(case, context={"request": request}).data, status=code)
        response["ETag"] = etag(case.version)
        return response


def _make_action(name: str):
    params = action_serializer(name)

    @extend_schema(
        request=params,
        responses={200: CaseDetail, 201: CaseDetail},
        operation_id=f"cases_{name.replace('-', '_')}",
    )
    def handler(self, request, tracking_number=None):
        return self.run_action(request, name)

    handler.__name__ = name.replace("-", "_")
    return action(
        detail=True, methods=["post"], url_path=name, serializer_class=params, filter_backends=[]
    )(handler)


for _name in ACTION_FIELDS:
    setattr(CaseViewSet, _name.replace("-", "_"), _make_action(_name))


class PetitionerViewSet(viewsets.ReadOnlyModelViewSet):
    """Petitioners of the cases one may see, always masked."""

    serializer_class = PetitionerOutput

    def get_queryset(self):
        visible = Case.objects.visible_to(self.request.user).values("petitioner_id")
        return Petitioner.objects.filter(pk__in=visible).order_by("pk")


__all__ = ["CaseApiFilterSet", "CaseViewSet", "PetitionerViewSet"]
