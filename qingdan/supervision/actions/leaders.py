"""Leader ownership (领导包保) of a case until it is settled."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import as_actor, record_event, require
from qingdan.cases.choices import Action
from qingdan.cases.models import Case
from qingdan.core.errors import TransitionRefused
from qingdan.notifications.actions import enqueue
from qingdan.orgs.choices import Role

from ..models import KeyCase
from ..transitions import TRANSITIONS


def assign_leader(actor, case: Case, *, leader, note: str = "", now=None) -> KeyCase:
    actor = as_actor(actor)
    row = TRANSITIONS["assign_leader"]
    row.check_rights(actor.user, case)
    row.check_state(case)
    errors: dict[str, list] = {}
    if leader is None:
        errors["leader"] = [_("Choose the leader.")]
    elif leader.role != Role.LEADER or not leader.is_active:
        errors["leader"] = [_("%(name)s is not a leader.") % {"name": str(leader)}]
    elif leader.scope_jurisdiction is None or not leader.scope_jurisdiction.contains(
        case.jurisdiction
    ):
        errors["leader"] = [
            _("%(name)s does not oversee the place of this case.") % {"name": str(leader)}
        ]
    require(errors)
    now = now or timezone.now()
    with transaction.atomic():
        current = KeyCase.objects.active().filter(case=case).first()
        if current is not None and current.leader_id == leader.pk:
            raise TransitionRefused(_("This leader already owns the case."), code="already_owned")
        if current is not None:
            KeyCase.objects.filter(pk=current.pk).update(released_at=now)
        try:
            with transaction.atomic():
                key = KeyCase.objects.create(
                    case=case,
                    leader=leader,
                    note=note.strip(),
                    assigned_by=actor.user,
                    assigned_at=now,
                )
        except IntegrityError as exc:
            raise TransitionRefused(
                _("Someone named a leader for this case meanwhile."), code="already_owned"
            ) from exc
        with translation.override(settings.LANGUAGE_CODE):
            values = {"leader": str(leader), "case": case.tracking_number, "title": case.title}
            record_event(
                case,
                actor,
                Action.SUPERVISE,
                at=now,
                note=gettext("Key case owned by %(leader)s.") % values
                + (f" {note.strip()}" if note.strip() else ""),
                data={"leader": leader.pk, "key_case": key.pk},
            )
            enqueue(
                [leader],
                subject=gettext("You own the key case %(case)s") % values,
                body=gettext("%(case)s %(title)s") % values,
                kind="key_case",
                case=case,
                now=now,
            )
    return key


def release_leader(actor, key: KeyCase, *, now=None) -> KeyCase:
    actor = as_actor(actor)
    case = key.case
    row = TRANSITIONS["release_leader"]
    row.check_rights(actor.user, key)
    row.check_state(key)
    now = now or timezone.now()
    with transaction.atomic():
        # Conditional: a release made meanwhile is refused as the state's.
        if not KeyCase.objects.filter(pk=key.pk, released_at__isnull=True).update(released_at=now):
            raise row.state_error()
        key.released_at = now
        with translation.override(settings.LANGUAGE_CODE):
            record_event(
                case,
                actor,
                Action.SUPERVISE,
                at=now,
                note=gettext("%(leader)s no longer owns the case.") % {"leader": str(key.leader)},
                data={"leader": key.leader_id, "key_case": key.pk, "released": True},
            )
    return key
