"""Serializers of the case API. They only parse and render: every rule lives in
the actions layer, whose errors the API's exception handler turns into responses."""

from rest_framework import serializers

from qingdan.core import masking, pii
from qingdan.core.serializers import BuiltOnce, InputSerializer, read_slug
from qingdan.core.validators import IdType
from qingdan.orgs.choices import Role
from qingdan.orgs.models import Category, Jurisdiction, User

from .catalogue import CASE_ACTIONS
from .choices import Channel, DeadlineStatus, PetitionerKind, State, Tier, Urgency
from .models import Case, CaseEvent, Petitioner
from .transitions import allowed_actions


def code_field(model, **kwargs):
    return serializers.SlugRelatedField(slug_field="code", queryset=model.objects.all(), **kwargs)


class PetitionerInput(InputSerializer):
    kind = serializers.ChoiceField(PetitionerKind.choices, default=PetitionerKind.PERSON)
    name = serializers.CharField(max_length=100)
    id_type = serializers.ChoiceField(IdType.choices, default=IdType.RESIDENT_ID)
    # Longer than any number: spaces typed between groups are removed by the action.
    id_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)


class PetitionerOutput(BuiltOnce, serializers.ModelSerializer):
    """Always masked: unmasked data only through the logged reveal endpoint."""

    name = serializers.CharField(source="masked_name")
    id_number = serializers.CharField(source="masked_id_number")
    phone = serializers.CharField(source="masked_phone")
    address = serializers.CharField(source="masked_address")
    email = serializers.SerializerMethodField()

    class Meta:
        model = Petitioner
        fields = [
            "id",
            "kind",
            "name",
            "id_type",
            "id_number",
            "phone",
            "address",
            "email",
            "credit_code",
        ]

    def get_email(self, petitioner) -> str:
        return masking.mask_email(petitioner.email)


class CaseCreate(InputSerializer):
    channel = serializers.ChoiceField(Channel.choices)
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=20000)
    jurisdiction = code_field(Jurisdiction)
    category = code_field(Category, required=False, allow_null=True)
    urgency = serializers.ChoiceField(Urgency.choices, default=Urgency.NORMAL)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(9, 6, required=False, allow_null=True, default=None)
    longitude = serializers.DecimalField(9, 6, required=False, allow_null=True, default=None)
    petitioner = PetitionerInput(required=False, allow_null=True, default=None)
    representatives = PetitionerInput(many=True, required=False, default=list)
    headcount = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    assigning_body = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    assigning_reference = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    assigned_deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)
    external_ref = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    attributes = serializers.DictField(
        required=False,
        default=dict,
        help_text="Answers to the category's extra questions, by question code "
        "(see the category's questions).",
    )

    # 坐班接访: the leader on duty who received the petitioner (walk-in only), by username.
    receiving_leader = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(role=Role.LEADER),
        required=False,
        allow_null=True,
        default=None,
    )


def _several(choices):
    return serializers.ListField(child=serializers.ChoiceField(choices.choices), required=False)


class CaseSearch(InputSerializer):
    """A search of the cases one may see, sent in a POST body (never in a URL)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Tracking number, title or content",
    )
    state = _several(State)
    channel = _several(Channel)
    urgency = _several(Urgency)
    tier = _several(Tier)
    deadline_status = _several(DeadlineStatus)
    category = serializers.CharField(required=False, help_text="Category code")
    jurisdiction = serializers.CharField(required=False, help_text="Division code")
    lead_unit = serializers.CharField(required=False, help_text="Unit code")
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    registered_after = serializers.DateField(required=False)
    registered_before = serializers.DateField(required=False)


class CaseOutput(BuiltOnce, serializers.ModelSerializer):
    category = read_slug("code")
    jurisdiction = read_slug("code")
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    lead_unit = read_slug("code")
    co_units = serializers.SerializerMethodField()
    petitioner = PetitionerOutput(read_only=True, allow_null=True)
    receiving_leader = read_slug("username")
    parent = read_slug(  # type: ignore[assignment]
        "tracking_number"
    )

    class Meta:
        model = Case
        fields = [
            "tracking_number",
            "external_ref",
            "channel",
            "title",
            "content",
            "category",
            "urgency",
            "state",
            "tier",
            "jurisdiction",
            "jurisdiction_name",
            "address",
            "latitude",
            "longitude",
            "petitioner",
            "headcount",
            "receiving_leader",
            "lead_unit",
            "co_units",
            "assigning_body",
            "assigning_reference",
            "assigned_deadline",
            "attributes",
            "not_accepted_reason",
            "legal_channel",
            "reply_opinion",
            "reply_text",
            "rating",
            "extension_days",
            "parent",
            "review_level",
            "registered_at",
            "accepted_at",
            "replied_at",
            "closed_at",
            "accept_due_at",
            "handle_due_at",
            "due_at",
            "warn_at",
            "deadline_status",
            "closed_on_time",
            "version",
        ]

    def get_co_units(self, case) -> list[str]:
        return [c.department.code for c in case.co_handlings.all()]

    def to_representation(self, instance):
        """Free text masked with the detector and the case's own petitioner values (from
        the petitioner already loaded with the case; the detail reads the representatives
        too): whole only through `reveal`."""
        data = super().to_representation(instance)
        masker = instance.free_text_masker()
        for name in Case.FREE_TEXT_FIELDS:
            if data.get(name):
                data[name] = masker(data[name])
        if data.get("attributes"):  # answers typed as text may name someone too
            data["attributes"] = {
                code: masker(value) if isinstance(value, str) else value
                for code, value in data["attributes"].items()
            }
        return data


class CaseDetail(CaseOutput):
    allowed_actions = serializers.SerializerMethodField()

    class Meta(CaseOutput.Meta):
        fields = [*CaseOutput.Meta.fields, "allowed_actions"]

    def get_allowed_actions(self, case) -> list[str]:
        """What the caller may do now, each named as its POST endpoint under the case."""
        return [
            CASE_ACTIONS[name].path for name in allowed_actions(self.context["request"].user, case)
        ]


class EventOutput(serializers.ModelSerializer):
    """Notes masked like the case's free text; the view passes the case's masker as
    context["masker"] (the detector alone without it)."""

    actor = serializers.CharField(source="who")
    from_unit = read_slug("code")
    to_unit = read_slug("code")
    from_jurisdiction = read_slug("code")
    to_jurisdiction = read_slug("code")

    class Meta:
        model = CaseEvent
        fields = [
            "at",
            "actor",
            "action",
            "from_state",
            "to_state",
            "from_unit",
            "to_unit",
            "from_jurisdiction",
            "to_jurisdiction",
            "from_tier",
            "to_tier",
            "note",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data.get("note"):
            data["note"] = self.context.get("masker", pii.DETECTOR)(data["note"])
        return data


class RevealedText(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    content = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    not_accepted_reason = serializers.CharField(allow_blank=True)
    diversion_help = serializers.CharField(allow_blank=True)
    reply_text = serializers.CharField(allow_blank=True)
    extension_reason = serializers.CharField(allow_blank=True)


class RevealedNote(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    note = serializers.CharField()


class RevealedPetitioner(serializers.Serializer):
    """The unmasked data, answered once per logged reveal: the petitioner's fields (absent
    when the case has none), the case's free text whole (`case`) and the timeline's
    notes whole (`timeline`)."""

    kind = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    id_type = serializers.ChoiceField(IdType.choices, required=False)
    id_number = serializers.CharField(allow_blank=True, required=False)
    phone = serializers.CharField(allow_blank=True, required=False)
    address = serializers.CharField(allow_blank=True, required=False)
    credit_code = serializers.CharField(allow_blank=True, required=False)
    contact_name = serializers.CharField(allow_blank=True, required=False)
    email = serializers.CharField(allow_blank=True, required=False)
    case = RevealedText()
    timeline = RevealedNote(many=True)


class RevealInput(InputSerializer):
    reason = serializers.CharField(max_length=500)
