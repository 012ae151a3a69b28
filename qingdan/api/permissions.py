"""Who may use the API at all. What each person sees is decided by the querysets
(`visible_to(user)`); what each person may do, by the actions layer."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from qingdan.orgs.permissions import is_staff_member


class IsStaffMember(BasePermission):
    message = _("This account has no role; ask an administrator to give it one.")

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)
