"""The supervision pages' forms, derived from the catalogue (`catalogue.py`,
`qingdan.core.forms.action_form`), with the ids and prefixes the pages have always
used: one reply form per notice and one report per decision share a page, so each
has its own prefix."""

from qingdan.core.forms import CatalogueForm, action_form

from .catalogue import SUPERVISION_ACTIONS


def supervision_form(name: str, data=None, *, user, subject=None, **kwargs) -> CatalogueForm:
    """The form of one supervision action; its subject, if it has one."""
    kwargs.setdefault("auto_id", "id_%s")
    return action_form(SUPERVISION_ACTIONS[name])(data, subject=subject, user=user, **kwargs)


def reply_form(notice, data=None, *, user) -> CatalogueForm:
    return supervision_form(
        "reply_notice", data, user=user, subject=notice, prefix=f"notice-{notice.pk}"
    )


def minutes_form(meeting, data=None, *, user) -> CatalogueForm:
    """The minutes as they are, and who attended, to be completed."""
    initial = {
        "minutes": meeting.minutes,
        "attendees": [person.pk for person in meeting.attendees.all()],
        "attending_units": [unit.pk for unit in meeting.attending_units.all()],
    }
    return supervision_form("record_minutes", data, user=user, subject=meeting, initial=initial)


def done_form(decision, data=None, *, user) -> CatalogueForm:
    return supervision_form(
        "complete_decision", data, user=user, subject=decision, prefix=f"decision-{decision.pk}"
    )
