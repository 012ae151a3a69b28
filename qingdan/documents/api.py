"""The documents API under /api/v1/documents/: list (the documents of the cases one
may see), read, download (PDF or .docx, any version), preview, issue, correct and
record service. Request bodies are the catalogue's (`action_serializer`); the issue
and preview bodies also name the subject."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qingdan.cases.models import Case
from qingdan.core.errors import ValidationFailed
from qingdan.core.serializers import action_serializer, read_slug
from qingdan.supervision.models import JointMeeting, SupervisionNotice

from .catalogue import DOCUMENT_ACTIONS
from .downloads import CONTENT_TYPES, version_of, version_response
from .filters import DocumentFilterSet
from .models import Document, DocumentVersion, Service

PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}
FILES = {(200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES.values()}


class VersionOutput(serializers.ModelSerializer):
    issued_by: serializers.Field = serializers.StringRelatedField()

    class Meta:
        model = DocumentVersion
        fields = ["version", "sha256", "docx_sha256", "size", "reason", "issued_at", "issued_by"]


class ServiceOutput(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.version")
    has_proof = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "id",
            "version",
            "recipient",
            "method",
            "postal_number",
            "served_at",
            "has_proof",
            "note",
            "recorded_at",
        ]

    def get_has_proof(self, service) -> bool:
        return bool(service.proof)


class DocumentOutput(serializers.ModelSerializer):
    case = read_slug("tracking_number")
    issuer = read_slug("code")
    created_by: serializers.Field = serializers.StringRelatedField()
    versions = VersionOutput(many=True, read_only=True)
    services = ServiceOutput(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "title",
            "reference",
            "number",
            "year",
            "issuer",
            "body_name",
            "recipient",
            "case",
            "notice",
            "meeting",
            "served_document",
            "current_version",
            "created_at",
            "created_by",
            "versions",
            "services",
        ]


def _with_subject(spec_name: str):
    """The catalogue's body of preview/issue, plus the subject it acts on."""
    base = action_serializer(DOCUMENT_ACTIONS[spec_name])
    subject_fields = {
        "case": serializers.CharField(
            required=False, max_length=32, help_text="Tracking number of the case."
        ),
        "notice": serializers.IntegerField(
            required=False, min_value=1, help_text="Id of the supervision notice (督办单)."
        ),
        "meeting": serializers.IntegerField(
            required=False, min_value=1, help_text="Id of the joint meeting (minutes)."
        ),
        "document": serializers.IntegerField(
            required=False, min_value=1, help_text="Id of the document a service receipt is for."
        ),
    }
    name = base.__name__.replace("Params", "WithSubjectParams")
    return type(name, (base,), subject_fields)


IssueParams = _with_subject("issue")
PreviewParams = _with_subject("preview")
SUBJECTS = {
    "case": lambda user: Case.objects.visible_to(user),
    "notice": lambda user: SupervisionNotice.objects.visible_to(user),
    "meeting": lambda user: JointMeeting.objects.visible_to(user),
    "document": lambda user: Document.objects.visible_to(user),
}


def _subject(user, data: dict):
    """The one subject the (validated) body names, among those `user` may see."""
    named = [name for name in SUBJECTS if data.get(name) not in (None, "")]
    if len(named) != 1:
        raise ValidationFailed({"case": ["Name exactly one of case, notice, meeting or document."]})
    name = named[0]
    lookup = {"tracking_number": data[name]} if name == "case" else {"pk": data[name]}
    return get_object_or_404(SUBJECTS[name](user), **lookup)


class DocumentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DocumentOutput
    filterset_class = DocumentFilterSet
    ordering_fields = ["created_at", "reference"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return (
            Document.objects.visible_to(self.request.user)
            .select_related("case", "issuer", "created_by")
            .prefetch_related("versions__issued_by", "services__version")
        )

    def _created(self, document: Document) -> Response:
        document = self.get_queryset().model.objects.get(pk=document.pk)
        return Response(DocumentOutput(document).data, status=status.HTTP_201_CREATED)

    def _run(self, request, name: str, params_class, subject=None):
        """Parse the body, find the subject it names (unless given), call the action."""
        spec = DOCUMENT_ACTIONS[name]
        params = params_class(data=request.data, context={"request": request, "subject": subject})
        params.is_valid(raise_exception=True)
        if subject is None:
            subject = _subject(request.user, params.validated_data)
        inputs = {k: v for k, v in params.validated_data.items() if k in spec.fields}
        return spec.call(request.user, subject, inputs, None)

    @extend_schema(
        request=IssueParams, responses={201: DocumentOutput}, operation_id="documents_issue"
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def issue(self, request):
        return self._created(self._run(request, "issue", IssueParams))

    @extend_schema(request=PreviewParams, responses=PDF, operation_id="documents_preview")
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def preview(self, request):
        result = self._run(request, "preview", PreviewParams)
        return HttpResponse(result.pdf, content_type="application/pdf")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "type", str, enum=list(CONTENT_TYPES), description="pdf (default) or docx"
            ),
            OpenApiParameter(
                "version", int, description="A version number (default: the current one)"
            ),
        ],
        responses={**FILES, 404: OpenApiResponse(description="No such document or version")},
        operation_id="documents_download",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def download(self, request, pk=None):
        document = self.get_object()
        version = version_of(document, request.query_params.get("version"))
        return version_response(document, version, request.query_params.get("type", "pdf"))

    @extend_schema(
        request={"multipart/form-data": action_serializer(DOCUMENT_ACTIONS["record_service"])},
        responses={201: DocumentOutput},
        operation_id="documents_record_service",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="service",
        filter_backends=[],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def service(self, request, pk=None):
        document = self.get_object()
        params = action_serializer(DOCUMENT_ACTIONS["record_service"])
        self._run(request, "record_service", params, document)
        return self._created(document)

    @extend_schema(
        request=action_serializer(DOCUMENT_ACTIONS["correct"]),
        responses={201: DocumentOutput},
        operation_id="documents_correct",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def correct(self, request, pk=None):
        document = self.get_object()
        params = action_serializer(DOCUMENT_ACTIONS["correct"])
        return self._created(self._run(request, "correct", params, document))


__all__ = ["DocumentViewSet"]
