"""The rows of the intake actions declared in the catalogue (`catalogue.py`): the
states of the subject each applies to and the rule that says who may.

The completion report (办结报告) goes back to the superior body once the case is
answered, for an assigned case only, from its tier or its lead unit. Quick entry
creates a case: a place desk's work, in a place the registrar sees, like any
registration (`qingdan.cases.transitions.CREATIONS`).
"""

from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import ANSWERED_STATES, State
from qingdan.cases.rights import LEAD, TIER, may_register, registers_cases, rights_on
from qingdan.cases.transitions import CREATIONS, REGISTER
from qingdan.core.rules import Refusal, Rule


def holds_the_case(user, case) -> bool:
    return bool(rights_on(user, case) & {TIER, LEAD})


def is_assigned(case) -> bool:
    return bool(case.assigning_body)


TRANSITIONS: dict[str, Rule] = {
    "report_completion": Rule(
        ANSWERED_STATES,
        None,
        holds_the_case,
        _("You may not report on this case."),
        state_refused=Refusal(
            _("The completion report goes back once the case is replied or closed."),
            "not_answered",
        ),
        when=is_assigned,
        not_applicable=Refusal(_("This case was not assigned by a superior body."), "not_assigned"),
    ),
    "quick_register": Rule(
        None,
        State.REGISTERED,
        may_register,
        CREATIONS[REGISTER].refused,
        refused_field="jurisdiction",
        offered=registers_cases,
    ),
}
