from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .auth import is_throttled


class LoginForm(AuthenticationForm):
    """The staff login form; says so when too many attempts failed."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed attempts. Try again in %(minutes)d minutes."),
    }

    def clean(self):
        from django.conf import settings

        username = self.cleaned_data.get("username", "")
        if is_throttled(self.request, username):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.QINGDAN_LOGIN_LOCKOUT_SECONDS // 60},
            )
        return super().clean()
