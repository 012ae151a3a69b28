"""The actions layer: the only code that changes cases.

Web views, the API, importers and the worker parse their input, call one of
these functions, and render the result. Each action checks the state and the
actor's rights, writes its change and its timeline event in one transaction,
and raises `qingdan.core.errors.ActionError` subclasses on refusal.
"""

from qingdan.core.errors import (
    ActionError,
    NotAllowed,
    TransitionRefused,
    ValidationFailed,
    VersionConflict,
)

from .base import DUE_FIELDS, Actor, as_actor, commit, event_row, guard, record_event, require
from .clock import pause_clock, resume_clock
from .cohandling import give_co_opinion
from .records import (
    add_attachment,
    add_note,
    add_petitioner,
    check_upload,
    link_cases,
    look_up_petitioners,
    register_with_photos,
    reveal_personal_data,
)
from .registration import find_or_create_petitioner, next_tracking_number, register_case
from .review import (
    record_closure_agreement,
    request_review,
    review_request_deadline,
    review_window_open,
)
from .workflow import (
    accept,
    add_co_handling,
    assign,
    close,
    divert,
    escalate,
    escalate_to_city,
    escalate_to_town,
    extend,
    hand_back,
    not_accept,
    record_evaluation,
    reopen,
    reply,
    resolve_on_the_spot,
    take_over,
    transfer,
)

__all__ = [
    "ActionError",
    "NotAllowed",
    "TransitionRefused",
    "ValidationFailed",
    "VersionConflict",
    "DUE_FIELDS",
    "Actor",
    "as_actor",
    "commit",
    "guard",
    "pause_clock",
    "record_event",
    "event_row",
    "require",
    "resume_clock",
    "accept",
    "add_attachment",
    "add_co_handling",
    "add_note",
    "add_petitioner",
    "assign",
    "check_upload",
    "close",
    "divert",
    "escalate",
    "escalate_to_city",
    "escalate_to_town",
    "extend",
    "find_or_create_petitioner",
    "give_co_opinion",
    "hand_back",
    "link_cases",
    "look_up_petitioners",
    "next_tracking_number",
    "not_accept",
    "record_closure_agreement",
    "record_evaluation",
    "register_case",
    "register_with_photos",
    "reopen",
    "reply",
    "request_review",
    "resolve_on_the_spot",
    "reveal_personal_data",
    "review_request_deadline",
    "take_over",
    "review_window_open",
    "transfer",
]
