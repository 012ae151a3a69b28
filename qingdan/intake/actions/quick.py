"""Quick entry for police reports and grid visits: the few facts those people have
(where, what, maybe a phone); the title comes from the content."""

from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import as_actor, register_case, require
from qingdan.cases.models import Case
from qingdan.core.errors import ValidationFailed
from qingdan.orgs.models import Jurisdiction

from ..choices import QUICK_CHANNELS
from ..importer.values import derive_title

# Action field names → the quick form's.
RENAMED = {"address": "location", "petitioner.phone": "phone", "title": "content"}


def quick_register(
    actor,
    *,
    channel: str,
    location: str,
    content: str,
    phone: str = "",
    jurisdiction: Jurisdiction | None = None,
) -> Case:
    actor = as_actor(actor)
    errors: dict[str, list] = {}
    if channel not in QUICK_CHANNELS:
        errors["channel"] = [_("Quick entry is for police reports and grid visits.")]
    if not (location or "").strip():
        errors["location"] = [_("Where is it?")]
    if not (content or "").strip():
        errors["content"] = [_("Describe the problem.")]
    require(errors)
    if jurisdiction is None and actor.user is not None:
        jurisdiction = actor.user.scope_jurisdiction
    phone = (phone or "").strip()
    petitioner = {"name": str(_("Caller")), "phone": phone} if phone else None
    try:
        return register_case(
            actor,
            channel=channel,
            title=derive_title(content),
            content=content,
            jurisdiction=jurisdiction,
            petitioner=petitioner,
            address=location,
        )
    except ValidationFailed as exc:
        raise ValidationFailed({RENAMED.get(k, k): v for k, v in exc.errors.items()}) from exc
