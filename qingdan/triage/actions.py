"""The triage actions: the only code in this app that writes (with `analysis`, the
worker's batched intake analysis).

`analyse_or_queue` listens to registrations (registered in `apps.py` with
`qingdan.cases.listeners.listen_registered`) and is called inside the registration's
transaction. By default (QINGDAN_TRIAGE_AT_INTAKE=inline) it runs
`on_case_registered` there; with `worker` it only queues the case and the worker runs
the analysis a moment later (`analysis.analyse_pending`, the intake-analysis job, which
analyses the queued cases in batches and writes their findings), so a busy
hotline's intake does not wait for it. Cases registered in bulk (the work-order
import) are always queued (`queue_analyses`). Each step runs in its own savepoint:
in production a failing step is logged and registration goes on without that
analysis; with DEBUG or under tests it raises, so bugs are not hidden.
"""

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import Actor, event_row, link_cases, not_accept, record_event, require
from qingdan.cases.choices import TERMINAL_STATES, Action
from qingdan.cases.models import Case, CaseEvent, CaseFlag
from qingdan.core.bulk import Maker, insert_rows
from qingdan.core.errors import ActionError, NotAllowed, ValidationFailed
from qingdan.orgs.choices import Role
from qingdan.orgs.models import Category, Jurisdiction
from qingdan.orgs.permissions import has_role, is_administrator

from . import classifier, duplicates, early_warning, evaluation, hotterms
from .choices import FlagKind, HotTermLevel, TopicStatus
from .models import (
    CategorySuggestion,
    ClassifierModel,
    GovernanceTopic,
    HotTerm,
    PendingAnalysis,
    TriageSettings,
)
from .suggestions import active_model, explained
from .text import case_document

logger = logging.getLogger(__name__)
SYSTEM = Actor.system()
TOPIC_ROLES = {Role.SUPERVISOR, Role.LEADER, Role.ANALYST, Role.ADMINISTRATOR}


def strict_analysis() -> bool:
    """Raise instead of logging: in DEBUG and under Django's test environment (which
    sets up mail.outbox), unless QINGDAN_TRIAGE_STRICT says otherwise."""
    configured = getattr(settings, "QINGDAN_TRIAGE_STRICT", None)
    if configured is not None:
        return bool(configured)
    return settings.DEBUG or hasattr(mail, "outbox")


# ---------------------------------------------------------------- intake


def analyse_or_queue(case: Case) -> None:
    """Inside the registration's transaction: analyse now, or queue for the worker."""
    if settings.QINGDAN_TRIAGE_AT_INTAKE == "worker":
        PendingAnalysis.objects.create(case=case, queued_at=case.registered_at)
    else:
        on_case_registered(case)


def queue_analyses(cases: Sequence[Case]) -> None:
    """Inside a bulk registration's transaction (the work-order import): queue every
    case for the worker, whatever QINGDAN_TRIAGE_AT_INTAKE says — analysing 100,000
    rows inline would take the import from a minute to hours. Queued now, behind
    the analyses already waiting."""
    now = timezone.now()
    make = Maker(PendingAnalysis)
    insert_rows(PendingAnalysis, [make(case=case, queued_at=now) for case in cases])


def on_case_registered(case: Case) -> None:
    """Analyse a newly registered case: fingerprint for duplicates, category suggestion
    vs the clerk's choice, hot-term scan, repeat / group / flood warnings."""
    now = timezone.now()
    for step in (duplicates.fingerprint_case, record_suggestion, scan_hot_terms, flag_warnings):
        try:
            with transaction.atomic():
                if step is flag_warnings:
                    flag_warnings(case, now=now)
                else:
                    step(case)
        except Exception:
            if strict_analysis():
                raise
            logger.exception("triage step %s failed for case %s", step.__name__, case.pk)


def record_suggestion(case: Case) -> CategorySuggestion | None:
    """What the classifier would have suggested for the case, next to the category the
    clerk registered it with (the data for measuring and retraining)."""
    model = active_model()
    if model is None:
        return None
    # The ranking only (no units): this runs inside every registration.
    ranked = explained(model).top(case_document(case.title, case.content), k=3, words=0)
    known = set(
        Category.objects.filter(pk__in=[int(r["label"]) for r in ranked]).values_list(
            "pk", flat=True
        )
    )
    ranked = [r for r in ranked if int(r["label"]) in known]
    return CategorySuggestion.objects.create(
        case=case,
        model=model,
        suggested=[
            {"category": int(r["label"]), "probability": round(r["probability"], 4)} for r in ranked
        ],
        top_category_id=int(ranked[0]["label"]) if ranked else None,
        chosen_category=case.category,
        chosen_by=case.created_by if case.category_id else None,
        chosen_at=case.registered_at if case.category_id else None,
    )


def record_category_choice(actor, case: Case, *, category: Category | None) -> CategorySuggestion:
    """Record the category a clerk chose for a case (after a suggestion, or changing
    it later): the latest suggestion row gets the choice; one is made if none exists."""
    actor_user = getattr(actor, "user", actor)
    if (
        actor_user is not None
        and not Case.objects.visible_to(actor_user).filter(pk=case.pk).exists()
    ):
        raise NotAllowed(_("You may not do this on this case."))
    with transaction.atomic():
        suggestion = case.category_suggestions.order_by("-created_at", "-pk").first()
        if suggestion is None:
            suggestion = CategorySuggestion(case=case)
        suggestion.chosen_category = category
        suggestion.chosen_by = actor_user
        suggestion.chosen_at = timezone.now()
        suggestion.save()
    return suggestion


def scan_hot_terms(case: Case) -> CaseFlag | None:
    """Flag the case when its title or content contains active hot terms; an existing
    hot-term flag is updated to the current list's hits."""
    evidence = hotterms.summarize(
        hotterms.find_hits_by_field({"title": case.title, "content": case.content})
    )
    if not evidence:
        return None
    message = hot_term_message(evidence)
    flag = case.flags.filter(kind=FlagKind.HOT_TERM).first()
    if flag is not None:
        if flag.evidence.get("terms") == evidence:
            return flag
        flag.message, flag.evidence = message, {"terms": evidence}
        flag.save(update_fields=["message", "evidence"])
    else:
        flag = CaseFlag.objects.create(
            case=case, kind=FlagKind.HOT_TERM, message=message, evidence={"terms": evidence}
        )
    hot_term_event(case, message, evidence).save()
    return flag


def hot_term_event(case: Case, message: str, evidence: list[dict]) -> CaseEvent:
    """The timeline note of a hot-term flag, not saved yet (the batched analysis writes
    many with one INSERT)."""
    return event_row(
        case, SYSTEM, Action.NOTE, note=message, data={"flag": FlagKind.HOT_TERM, "terms": evidence}
    )


def hot_term_message(evidence: list[dict]) -> str:
    return str(
        _("Hot terms (%(level)s): %(terms)s")
        % {
            "level": HotTermLevel(hotterms.highest_level(evidence)).label,
            "terms": "、".join(entry["term"] for entry in evidence[:10]),
        }
    )[:300]


def flag_warnings(case: Case, *, now: dt.datetime | None = None) -> list[CaseFlag]:
    flags = []
    for finding in early_warning.detect(case, now):
        flag, event = warning_rows(case, finding)
        flag.save(force_insert=True)
        event.save()
        flags.append(flag)
    return flags


def warning_rows(case: Case, finding) -> tuple[CaseFlag, CaseEvent]:
    """The flag of an early warning (repeat, group, flood) and its timeline note, not
    saved yet (the batched analysis writes many with one INSERT per table)."""
    flag = CaseFlag(
        case=case, kind=finding.kind, message=finding.message[:300], evidence=finding.evidence
    )
    event = event_row(
        case,
        SYSTEM,
        Action.REPEAT_FLAG,
        note=finding.message,
        data={"flag": finding.kind, **finding.evidence},
    )
    return flag, event


def rescan_hot_terms(*, open_only: bool = True, batch: int = 500, progress=None) -> int:
    """Scan existing cases against the current list; returns the number flagged."""
    cases = Case.objects.order_by("pk")
    if open_only:
        cases = cases.exclude(state__in=TERMINAL_STATES)
    flagged, last = 0, 0
    while True:
        chunk = list(cases.filter(pk__gt=last)[:batch])
        if not chunk:
            return flagged
        with transaction.atomic():
            for case in chunk:
                if scan_hot_terms(case) is not None:
                    flagged += 1
        last = chunk[-1].pk
        if progress:
            progress(last, flagged)


# ---------------------------------------------------------------- classifier


def training_cases():
    """Cases the classifier learns from: finished cases with a category, and cases whose
    category a clerk confirmed (a recorded choice)."""
    confirmed = CategorySuggestion.objects.filter(chosen_category__isnull=False).values("case_id")
    return Case.objects.filter(category__isnull=False, category__is_active=True).filter(
        Q(state__in=TERMINAL_STATES) | Q(pk__in=confirmed)
    )


def train_classifier(
    actor=None,
    *,
    evaluate: bool = True,
    limit: int | None = None,
    rows: list[tuple[str, str, str]] | None = None,
    force: bool = False,
) -> ClassifierModel:
    """Train on `rows` (title, text, category code or name: a CSV, for an installation
    without categorised cases yet) or on the installation's own finished cases, leaving
    out the held-out slice (`evaluation.held_out`); compare the new model with the active
    one on that slice and make it the active one, unless it is worse (`force` replaces
    it all the same). Nothing is written when it is refused."""
    user = getattr(actor, "user", actor)
    if user is not None and not is_administrator(user):
        raise NotAllowed(_("Only an administrator trains the classifier."))
    if rows is None:
        labelled = list(
            training_cases()
            .order_by("-registered_at")
            .values_list("title", "content", "category_id")[:limit]
        )
    else:
        labelled = _categorised(rows)
    documents = [case_document(title, content) for title, content, _c in labelled]
    labels = [category_id for _t, _c, category_id in labelled]
    slice_ = [evaluation.held_out(document) for document in documents]
    if sum(slice_) < evaluation.MIN_HELD_OUT:
        slice_ = [False] * len(documents)  # too few to compare: learn from all
    train = [i for i, held in enumerate(slice_) if not held]
    counts = Counter(labels[i] for i in train)
    kept = {c for c, n in counts.items() if n >= classifier.MIN_PER_CLASS}
    train = [i for i in train if labels[i] in kept]
    if len(kept) < 2:
        raise ActionError(
            _(
                "Not enough categorised cases to train: at least two categories with "
                "%(n)d cases each are needed."
            )
            % {"n": classifier.MIN_PER_CLASS},
            code="too_few_cases",
        )
    train_docs, train_labels = [documents[i] for i in train], [labels[i] for i in train]
    metrics: dict = {
        "source": "cases" if rows is None else "file",
        "dropped_categories": sorted(set(counts) - kept),
    }
    if evaluate:
        cross = evaluation.cross_validate(train_docs, train_labels, folds=5, seed=0)
        metrics.update(cross.as_dict())
        metrics.pop("per_class_f1", None)
    started = timezone.now()
    pipeline = classifier.fit(train_docs, train_labels)
    metrics["fit_seconds"] = round((timezone.now() - started).total_seconds(), 2)
    current = active_model()
    held = [i for i, inside in enumerate(slice_) if inside]
    if held:
        comparison = evaluation.compare(
            pipeline,
            explained(current).pipeline if current else None,
            [documents[i] for i in held],
            [labels[i] for i in held],
        )
        metrics.update(comparison, replaced_version=current.version if current else None)
        worse = current is not None and comparison["after_macro_f1"] < comparison["before_macro_f1"]
        if current is not None and worse and not force:
            raise ActionError(
                _(
                    "The new model is worse than the active one (v%(version)d) on the "
                    "%(n)d held-out cases: macro-F1 %(after).4f against %(before).4f. "
                    "The active model is kept."
                )
                % {
                    "version": current.version,
                    "n": len(held),
                    "after": comparison["after_macro_f1"],
                    "before": comparison["before_macro_f1"],
                },
                code="worse_model",
            )
        metrics["forced"] = bool(worse)
    blob = classifier.dumps(pipeline)
    with transaction.atomic():
        version = (ClassifierModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        ClassifierModel.objects.filter(is_active=True).update(is_active=False)
        return ClassifierModel.objects.create(
            version=version,
            trained_at=timezone.now(),
            trained_by=user,
            n_samples=len(train),
            classes=sorted(kept),
            metrics=metrics,
            params=dict(classifier.DEFAULT_PARAMS),
            blob=blob,
            is_active=True,
        )


def _categorised(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, int]]:
    """(title, text, category id) of the rows with a text, whose label is an active
    category's code or name; refused as a whole, naming the rows (counted from 1), when
    a label is none of them."""
    categories = Category.objects.filter(is_active=True)
    known = {c.name: c.pk for c in categories} | {c.code: c.pk for c in categories}
    unknown = [
        n for n, (_t, text, label) in enumerate(rows, 1) if text and label.strip() not in known
    ]
    if unknown:
        shown = ", ".join(
            f"{n} ({rows[n - 1][2] or '-'})" for n in unknown[: evaluation.SHOWN_ERRORS]
        )
        raise ValidationFailed(
            {
                "label": [
                    _(
                        "%(count)d row(s) have a label that is no active category's code "
                        "or name: rows %(rows)s."
                    )
                    % {"count": len(unknown), "rows": shown}
                ]
            }
        )
    return [(title, text, known[label.strip()]) for title, text, label in rows if text]


def set_triage_settings(actor, settings_row: TriageSettings, *, suggestion_threshold) -> None:
    """An administrator sets the confidence a category suggestion needs to be shown."""
    user = getattr(actor, "user", actor)
    if not (user.is_superuser or user.role == Role.ADMINISTRATOR):
        raise NotAllowed(_("Only an administrator changes the triage settings."))
    if suggestion_threshold is None or not 0 <= suggestion_threshold <= 1:
        require({"suggestion_threshold": [_("Give a number from 0 to 1.")]})
    settings_row.pk = 1
    settings_row.suggestion_threshold = suggestion_threshold
    settings_row.updated_by = user
    settings_row.save()


# ---------------------------------------------------------------- duplicates


def _require_visible(user, case: Case, field: str) -> None:
    if user is not None and not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        raise NotAllowed(_("You may not see this case."), field=field)


def merge_duplicate(actor, duplicate: Case, *, original: Case, reason: str = "") -> Case:
    """Merge: link the duplicate to the original (kind 'duplicate') and close the
    duplicate as not accepted, giving the original as the reason. Both or nothing."""
    actor = actor if isinstance(actor, Actor) else Actor(user=actor)
    if original is None or original.pk == duplicate.pk:
        require({"original": [_("Choose another case.")]})
    _require_visible(actor.user, original, "original")
    reason = (reason or "").strip() or str(
        _("Duplicate of %(number)s.") % {"number": original.tracking_number}
    )
    with transaction.atomic():
        link_cases(actor, duplicate, other=original, kind="duplicate", note=reason)
        not_accept(actor, duplicate, reason=reason)
    return duplicate


def link_related(actor, case: Case, *, other: Case, note: str = ""):
    actor = actor if isinstance(actor, Actor) else Actor(user=actor)
    if other is not None:
        _require_visible(actor.user, other, "other")
    return link_cases(actor, case, other=other, kind="related", note=note)


# ---------------------------------------------------------------- hot terms


def _require_administrator(user) -> None:
    if not is_administrator(user):
        raise NotAllowed(_("Only an administrator maintains the hot-term list."))


def save_hot_term(
    actor, *, term: str, level: str, note: str = "", active: bool = True, instance=None
) -> HotTerm:
    user = getattr(actor, "user", actor)
    _require_administrator(user)
    term = (term or "").strip()
    errors: dict[str, list] = {}
    if not term:
        errors["term"] = [_("The term is required.")]
    elif len(term) > 50:
        errors["term"] = [_("A term is at most 50 characters.")]
    if level not in HotTermLevel.values:
        errors["level"] = [_("Choose a level.")]
    clash = HotTerm.objects.filter(term__iexact=term)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if term and clash.exists():
        errors["term"] = [_("This term is already on the list.")]
    if errors:
        raise ValidationFailed(errors)
    hot_term = instance or HotTerm()
    hot_term.term, hot_term.level = term, level
    hot_term.note, hot_term.active = (note or "").strip()[:200], bool(active)
    hot_term.updated_by = user
    hot_term.save()
    return hot_term


def delete_hot_term(actor, hot_term: HotTerm) -> None:
    _require_administrator(getattr(actor, "user", actor))
    hot_term.delete()


# ---------------------------------------------------------------- governance topics


def create_governance_topic(
    actor,
    *,
    title: str,
    owner,
    due_date: dt.date | None,
    cases: list[Case],
    description: str = "",
    jurisdiction: Jurisdiction | None = None,
    keywords: list[str] | None = None,
) -> GovernanceTopic:
    """Turn a hot issue into a proactive governance topic with an owner and a due date;
    each case's timeline records it."""
    actor = actor if isinstance(actor, Actor) else Actor(user=actor)
    user = actor.user
    if not has_role(user, TOPIC_ROLES):
        raise NotAllowed(_("Your role may not create governance topics."))
    errors: dict[str, list] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("The title is required.")]
    elif len(title) > 200:
        errors["title"] = [_("The title is at most 200 characters.")]
    if owner is None or not owner.is_active:
        errors["owner"] = [_("Choose the person in charge.")]
    if due_date is None:
        errors["due_date"] = [_("Choose a due date.")]
    elif due_date < timezone.localdate():
        errors["due_date"] = [_("The due date is in the past.")]
    ids = {case.pk for case in cases}
    if not ids:
        errors["cases"] = [_("A topic gathers at least one case.")]
    elif Case.objects.visible_to(user).filter(pk__in=ids).count() != len(ids):
        errors["cases"] = [_("Some of these cases are not yours to see.")]
    if errors:
        raise ValidationFailed(errors)
    assert due_date is not None  # required above
    with transaction.atomic():
        topic = GovernanceTopic.objects.create(
            title=title,
            description=(description or "").strip(),
            owner=owner,
            due_date=due_date,
            jurisdiction=jurisdiction,
            keywords=list(keywords or [])[:10],
            created_by=user,
        )
        topic.cases.set(ids)
        note = str(_("Gathered into governance topic “%(title)s”.") % {"title": title})
        for case in Case.objects.filter(pk__in=ids):
            record_event(case, actor, Action.NOTE, note=note, data={"governance_topic": topic.pk})
    return topic


def set_topic_status(actor, topic: GovernanceTopic, *, status: str) -> GovernanceTopic:
    user = getattr(actor, "user", actor)
    if not (is_administrator(user) or user.pk in {topic.owner_id, topic.created_by_id}):
        raise NotAllowed(_("Only the owner or the creator changes a topic's status."))
    if status not in TopicStatus.values:
        raise ValidationFailed({"status": [_("Unknown status.")]})
    topic.status = status
    topic.save(update_fields=["status", "updated_at"])
    return topic
