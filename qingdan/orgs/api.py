"""Read-only API of the organisation: what a system needs to address cases."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from qingdan.core.serializers import read_slug

from .models import Category, CategoryQuestion, Department, Jurisdiction
from .questions import QuestionBook


class JurisdictionSerializer(serializers.ModelSerializer):
    parent = read_slug(  # type: ignore[assignment]
        "code"
    )

    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "level", "parent"]


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CategoryQuestion
        fields = ["code", "question", "datatype", "required", "order", "values"]


class CategorySerializer(serializers.ModelSerializer):
    parent = read_slug("code")
    questions = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["code", "name", "parent", "is_active", "questions"]

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, category):
        """The extra questions a case of this category answers (its own and its parents')."""
        book = self.context.get("questions")
        if book is None:
            book = self.context["questions"] = QuestionBook(Category)
        return QuestionSerializer(book.questions(category.pk), many=True).data


class DepartmentSerializer(serializers.ModelSerializer):
    jurisdiction = read_slug("code")
    categories = read_slug("code", many=True)

    class Meta:
        model = Department
        fields = ["code", "name", "kind", "jurisdiction", "categories", "is_active"]


class JurisdictionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JurisdictionSerializer
    lookup_field = "code"
    filterset_fields = ["level"]
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return Jurisdiction.objects.visible_to(self.request.user).select_related("parent")


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    queryset = Category.objects.filter(is_active=True).select_related("parent")
    lookup_field = "code"


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    lookup_field = "code"
    filterset_fields = ["kind"]
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return (
            Department.objects.visible_to(self.request.user)
            .select_related("jurisdiction")
            .prefetch_related("categories")
        )
