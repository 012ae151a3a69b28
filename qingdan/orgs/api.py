"""Read-only API of the organisation: what a system needs to address cases."""

from rest_framework import serializers, viewsets

from qingdan.core.serializers import read_slug

from .models import Category, Department, Jurisdiction


class JurisdictionSerializer(serializers.ModelSerializer):
    parent = read_slug(  # type: ignore[assignment]
        "code"
    )

    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "level", "parent"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["code", "name", "is_active"]


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
    queryset = Category.objects.filter(is_active=True)
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
