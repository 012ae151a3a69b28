"""One error type for every refusal the actions layer makes.

Web views show `message` next to `field`; the API returns `code` (stable, machine
readable), `message` (translated) and `field`.
"""

from django.utils.translation import gettext_lazy as _


class ActionError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None):
        self.message = message if message is not None else _("The request is not valid.")
        if code:
            self.code = code
        self.field = field
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), "field": self.field}


class ValidationFailed(ActionError):
    """Several field errors at once: {field: [message, ...]}."""

    code = "validation_failed"

    def __init__(self, errors: dict[str, list], message=None, *, code: str | None = None):
        self.errors = errors
        first_field = next(iter(errors), None)
        super().__init__(
            message or _("Some fields are not valid."), code=code or self.code, field=first_field
        )

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["errors"] = {
            field: [str(m) for m in messages] for field, messages in self.errors.items()
        }
        return data


class NotAllowed(ActionError):
    code = "not_allowed"
    status = 403


class TooManyRequests(ActionError):
    code = "too_many_requests"
    status = 429


class TransitionRefused(ActionError):
    code = "transition_refused"
    status = 409


class VersionConflict(ActionError):
    code = "version_conflict"
    status = 409

    def __init__(self, message=None, **kwargs):
        super().__init__(
            message or _("Someone else changed this case meanwhile. Reload it and try again."),
            **kwargs,
        )
