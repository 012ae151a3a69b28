"""The policy answer library (政策问答) and citing an answer in a case's reply."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import as_actor, guard, record_event, require
from qingdan.cases.choices import Action
from qingdan.cases.models import Case
from qingdan.core.errors import NotAllowed, TransitionRefused
from qingdan.orgs.permissions import has_role

from ..choices import POLICY_EDITOR_ROLES
from ..models import PolicyAnswer


def may_edit_policy(user) -> bool:
    return has_role(user, POLICY_EDITOR_ROLES)


def save_policy_answer(
    actor,
    policy: PolicyAnswer | None = None,
    *,
    question: str,
    answer: str,
    source: str,
    tags: str = "",
    is_active: bool = True,
) -> PolicyAnswer:
    actor = as_actor(actor)
    if not may_edit_policy(actor.user):
        raise NotAllowed(_("Only supervisors, leaders and administrators keep the library."))
    question, answer, source = (
        (question or "").strip(),
        (answer or "").strip(),
        (source or "").strip(),
    )
    errors: dict[str, list] = {}
    if not question:
        errors["question"] = [_("The question is required.")]
    elif len(question) > 300:
        errors["question"] = [_("At most %(n)d characters.") % {"n": 300}]
    if not answer:
        errors["answer"] = [_("The answer is required.")]
    if not source:
        errors["source"] = [_("Say which policy the answer rests on.")]
    elif len(source) > 200:
        errors["source"] = [_("At most %(n)d characters.") % {"n": 200}]
    if len(tags or "") > 200:
        errors["tags"] = [_("At most %(n)d characters.") % {"n": 200}]
    require(errors)
    policy = policy or PolicyAnswer(created_by=actor.user)
    policy.question, policy.answer, policy.source = question, answer, source
    policy.tags, policy.is_active = (tags or "").strip(), is_active
    policy.save()
    return policy


def citation_text(policy: PolicyAnswer) -> str:
    return str(
        _("According to %(source)s: %(answer)s")
        % {"source": policy.source, "answer": policy.answer}
    )


def cite_policy_answer(actor, case: Case, policy: PolicyAnswer) -> str:
    """The text to put in the reply; the citation is recorded on the case's timeline
    (which answer, its source), so the reply's basis can be traced."""
    actor = as_actor(actor)
    guard(actor, case, Action.NOTE)
    if not policy.is_active:
        raise TransitionRefused(
            _("This answer was withdrawn from the library."), code="policy_inactive"
        )
    text = citation_text(policy)
    with transaction.atomic():
        record_event(
            case,
            actor,
            Action.NOTE,
            note=str(_("Cited policy answer: %(question)s") % {"question": policy.question}),
            data={
                "policy_answer": policy.pk,
                "question": policy.question,
                "source": policy.source,
            },
        )
    return text
