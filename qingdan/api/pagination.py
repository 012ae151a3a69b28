"""Page-number pagination with a caller-chosen page size, bounded so that one request
cannot read a whole table."""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination

from qingdan.core.errors import ValidationFailed


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            bounds = {"minimum": 1}
            if parameter["name"] == self.page_size_query_param:
                bounds["maximum"] = self.max_page_size
            parameter["schema"] = {**parameter["schema"], **bounds}
        return parameters

    def get_page_size(self, request):
        """The page size asked for, refused when it is not a number from 1 to the
        maximum (DRF would silently fall back to the default)."""
        return self._number(request, self.page_size_query_param, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self._number(request, self.page_query_param, None)
        return super().paginate_queryset(queryset, request, view)

    def _number(self, request, name: str, maximum: int | None) -> int | None:
        value = request.query_params.get(name)
        if value is None:
            return self.page_size if name == self.page_size_query_param else None
        if not value.isdigit() or int(value) < 1:
            raise ValidationFailed({name: [_("A whole number from 1.")]})
        if maximum is not None and int(value) > maximum:
            limit = {"max": maximum}
            raise ValidationFailed({name: [_("A whole number from 1 to %(max)d.") % limit]})
        # A page after the last one is a 404, as DRF answers it.
        return int(value)
