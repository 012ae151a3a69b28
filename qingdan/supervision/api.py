"""The supervision API under /api/v1/supervision/: notices (督办单), key cases
(领导包保), joint meetings (联席会议) and their decisions, listed as the board and the
meeting page show them (`visible_to`), and one POST per catalogue action
(`catalogue.py`), its request body and operation id derived from the entry.

An action that starts from its inputs is the POST on the list of what it creates
(issue a notice: POST notices/, with the case in the body); the others are POSTs on
their subject (notices/{id}/reply/). The row's rule (`transitions.py`) is checked
before the body is read: someone it leaves out gets 403 whatever they sent.
"""

from typing import Any

from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from qingdan.cases.models import Case
from qingdan.core import endpoints, pii
from qingdan.core.catalogue import ActionSpec
from qingdan.core.serializers import read_slug

from .catalogue import SUPERVISION_ACTIONS
from .models import AgendaItem, JointMeeting, KeyCase, MeetingDecision, SupervisionNotice
from .transitions import TRANSITIONS


class NoticeOutput(serializers.ModelSerializer):
    """As on the board: what is required and the reply, masked."""

    number = serializers.CharField(read_only=True)
    case = read_slug("tracking_number")
    unit = read_slug("code")
    jurisdiction = read_slug("code")
    issued_by = read_slug("username")
    replied_by = read_slug("username")

    class Meta:
        model = SupervisionNotice
        fields = [
            "id",
            "number",
            "case",
            "unit",
            "jurisdiction",
            "reason",
            "issued_by",
            "issued_at",
            "due_at",
            "state",
            "reply_text",
            "replied_by",
            "replied_at",
            "overdue_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("reason", "reply_text"):
            data[name] = pii.DETECTOR(data[name])
        return data


class KeyCaseOutput(serializers.ModelSerializer):
    case = read_slug("tracking_number")
    leader = read_slug("username")
    assigned_by = read_slug("username")
    state = serializers.CharField(read_only=True)

    class Meta:
        model = KeyCase
        fields = [
            "id",
            "case",
            "leader",
            "note",
            "assigned_by",
            "assigned_at",
            "released_at",
            "state",
        ]


class DecisionOutput(serializers.ModelSerializer):
    case = serializers.SerializerMethodField()
    owners = read_slug("username", many=True)
    owner_unit = read_slug("code")

    class Meta:
        model = MeetingDecision
        fields = [
            "id",
            "meeting",
            "case",
            "text",
            "owners",
            "owner_unit",
            "due_at",
            "state",
            "deadline_status",
            "done_at",
            "done_note",
        ]

    def get_case(self, decision) -> str | None:
        """The case's number, for whoever may see the case (as on the meeting page)."""
        if decision.case_id is None:
            return None
        visible = getattr(decision, "case_visible", None)
        if visible is None:
            user = self.context["request"].user
            visible = Case.objects.visible_to(user).filter(pk=decision.case_id).exists()
        return decision.case.tracking_number if visible else None


class AgendaItemOutput(serializers.ModelSerializer):
    case = read_slug("tracking_number")

    class Meta:
        model = AgendaItem
        fields = ["position", "case", "reasons"]


class MeetingOutput(serializers.ModelSerializer):
    jurisdiction = read_slug("code")
    convener = read_slug("username")
    attendees = read_slug("username", many=True)
    attending_units = read_slug("code", many=True)

    class Meta:
        model = JointMeeting
        fields = [
            "id",
            "jurisdiction",
            "title",
            "held_at",
            "convener",
            "state",
            "minutes",
            "minutes_recorded_at",
            "attendees",
            "attending_units",
            "created_at",
        ]


class MeetingDetail(MeetingOutput):
    """With its agenda (the cases the caller may see) and its decisions."""

    agenda = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()

    class Meta(MeetingOutput.Meta):
        fields = [*MeetingOutput.Meta.fields, "agenda", "decisions"]

    @extend_schema_field(AgendaItemOutput(many=True))
    def get_agenda(self, meeting) -> Any:
        visible = Case.objects.visible_to(self.context["request"].user)
        items = meeting.agenda.filter(case__in=visible).select_related("case")
        return AgendaItemOutput(items.order_by("position", "pk"), many=True).data

    @extend_schema_field(DecisionOutput(many=True))
    def get_decisions(self, meeting) -> Any:
        decisions = decisions_seen_by(self.context["request"].user).filter(meeting=meeting)
        return DecisionOutput(decisions, many=True, context=self.context).data


class AgendaBuilt(serializers.Serializer):
    added = serializers.IntegerField(help_text="How many cases were put on the agenda.")
    meeting = MeetingDetail()


def decisions_seen_by(user):
    visible = Case.objects.visible_to(user)
    return (
        MeetingDecision.objects.filter(meeting__in=JointMeeting.objects.visible_to(user))
        .select_related("case", "owner_unit", "meeting__jurisdiction", "meeting__convener")
        .prefetch_related("owners")
        .annotate(case_visible=Exists(visible.filter(pk=OuterRef("case_id"))))
        .order_by("due_at", "pk")
    )


class SupervisionViewSet(endpoints.CatalogueEndpoints, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"[0-9]+"
    rules = TRANSITIONS


class NoticeViewSet(SupervisionViewSet):
    serializer_class = NoticeOutput
    filterset_fields = ["state"]
    ordering_fields = ["issued_at", "due_at"]
    outputs = {"issue_notice": NoticeOutput, "reply_notice": NoticeOutput}

    def get_queryset(self):
        return SupervisionNotice.objects.visible_to(self.request.user).select_related(
            "case__jurisdiction", "unit", "jurisdiction", "issued_by", "replied_by"
        )


class KeyCaseViewSet(SupervisionViewSet):
    serializer_class = KeyCaseOutput
    ordering_fields = ["assigned_at"]
    outputs = {"assign_leader": KeyCaseOutput, "release_leader": KeyCaseOutput}

    def get_queryset(self):
        return KeyCase.objects.visible_to(self.request.user).select_related(
            "case__jurisdiction", "leader", "assigned_by"
        )


class MeetingViewSet(SupervisionViewSet):
    filterset_fields = ["state"]
    ordering_fields = ["held_at"]
    outputs = {
        "convene_meeting": MeetingDetail,
        "build_agenda": AgendaBuilt,
        "record_minutes": MeetingDetail,
        "add_decision": DecisionOutput,
    }

    def get_serializer_class(self):
        return MeetingOutput if self.action == "list" else MeetingDetail

    def get_queryset(self):
        return (
            JointMeeting.objects.visible_to(self.request.user)
            .select_related("jurisdiction", "convener")
            .prefetch_related("attendees", "attending_units")
        )

    def render(self, spec: ActionSpec, result, subject):
        if spec.name == "build_agenda":
            result = {"added": result, "meeting": subject}
        return super().render(spec, result, subject)


class DecisionViewSet(SupervisionViewSet):
    serializer_class = DecisionOutput
    filterset_fields = ["state", "meeting"]
    ordering_fields = ["due_at"]
    outputs = {"complete_decision": DecisionOutput}

    def get_queryset(self):
        return decisions_seen_by(self.request.user)


endpoints.install_all(
    SUPERVISION_ACTIONS, (NoticeViewSet, KeyCaseViewSet, MeetingViewSet, DecisionViewSet)
)

__all__ = ["DecisionViewSet", "KeyCaseViewSet", "MeetingViewSet", "NoticeViewSet"]
