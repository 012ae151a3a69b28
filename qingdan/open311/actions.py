"""A request posted by an Open311 client becomes a case (through the cases' actions
layer) and a token, in one transaction."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from qingdan.cases import actions as case_actions
from qingdan.cases.models import Case
from qingdan.core.errors import ValidationFailed
from qingdan.orgs.questions import Datatype, questions_for

from .models import ApiKey, RequestToken

TITLE_LENGTH = 30


def submit_request(key: ApiKey, params: dict, attributes: list[tuple[str, str]]) -> RequestToken:
    """`params` are a valid ServiceRequestForm's cleaned data."""
    place = params.get("jurisdiction_id") or key.jurisdiction
    if not key.jurisdiction.contains(place):
        raise ValidationFailed(
            {"jurisdiction_id": [_("This api_key may not report in that jurisdiction.")]}
        )
    description = params["description"].strip()
    asked = {q.code: q for q in questions_for(params["service_code"])}
    answers: dict[str, list[str]] = {}
    for code, value in attributes:
        answers.setdefault(code, []).append(value)
    # Answers to the service's questions are kept as answers; anything else a client
    # sends is kept in the description rather than dropped.
    known = {
        code: values if asked[code].datatype == Datatype.MULTI else values[-1]
        for code, values in answers.items()
        if code in asked
    }
    lines = [description]
    lines += [f"{code}: {value}" for code, value in attributes if code not in asked]
    if params.get("media_url"):
        lines.append(_("Photo: %(url)s") % {"url": params["media_url"]})
    name = f"{params.get('last_name', '')}{params.get('first_name', '')}".strip()
    phone = params.get("phone", "").strip()
    email = params.get("email", "").strip()
    petitioner = (
        {"name": name or _("Anonymous"), "phone": phone, "email": email}
        if name or phone or email
        else None
    )
    with transaction.atomic():
        case: Case = case_actions.register_case(
            case_actions.Actor(label=f"open311:{key.name}"[:60]),
            channel=key.channel,
            title=description.splitlines()[0][:TITLE_LENGTH] if description else "",
            content="\n".join(lines),
            jurisdiction=place,
            category=params["service_code"],
            address=params.get("address_string", ""),
            latitude=_degrees(params.get("lat")),
            longitude=_degrees(params.get("long")),
            petitioner=petitioner,
            attributes=known,
        )
        return RequestToken.objects.create(
            case=case,
            api_key=key,
            device_id=params.get("device_id", ""),
            account_id=params.get("account_id", ""),
            media_url=params.get("media_url", ""),
        )


def _degrees(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 6)))
