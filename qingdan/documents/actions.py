"""The only code that writes documents: preview, issue, correct, record service.

Each checks the kind table (`kinds.refusal`), then writes the document, its stored
files and the case's timeline event in one transaction. The number is taken inside
that transaction from a locked counter row, so it is used only if the document is
stored (no gaps) and never twice (with several servers too); a preview takes none.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import Actor, as_actor, commit, record_event, require
from qingdan.cases.actions.records import sniff_content_type
from qingdan.cases.choices import ANSWERED_STATES, Action, State
from qingdan.cases.models import Case
from qingdan.cases.rights import RECEIVER, rights_on
from qingdan.core.errors import NotAllowed, TransitionRefused, ValidationFailed
from qingdan.core.numerals import chinese_date
from qingdan.orgs.models import Jurisdiction
from qingdan.supervision.models import JointMeeting, SupervisionNotice
from qingdan.supervision.rules import may_manage_meeting

from . import render
from .choices import ServiceMethod
from .drafting import Inputs
from .kinds import KINDS, KindSpec, case_of, kind_label, refusal, state_of
from .letterhead import Letterhead, letterhead_for
from .models import Document, DocumentSequence, DocumentVersion, Service

INPUT_LIMITS = {"facts": 10000, "basis": 2000, "channel": 1000, "remarks": 5000}
PREVIEW_NUMBER = "×"  # where the number will be: 招信复〔2026〕×号
# A service time a little ahead of the server's clock is a clock difference, not a lie.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Preview:
    pdf: bytes
    draft: dict


# --- checks --------------------------------------------------------------------------------


def guard(actor: Actor, kind: str, subject) -> KindSpec:
    """Refuse a kind the table does not offer on this subject to this person."""
    reason = refusal(kind, actor.user, subject)
    spec = KINDS.get(kind)
    if reason == "kind" or spec is None:
        raise ValidationFailed({"kind": [_("This kind of document is not issued on this.")]})
    label = kind_label(kind)
    if reason == "state":
        state = state_of(subject)
        shown = State(state).label if state in State.values else state
        raise TransitionRefused(
            _("A “%(kind)s” is not issued while this is “%(state)s”.")
            % {"kind": label, "state": shown},
            code="state_refuses",
            field="kind",
        )
    if reason == "applies":
        raise TransitionRefused(
            _("A “%(kind)s” does not apply here.") % {"kind": label},
            code="kind_not_applicable",
            field="kind",
        )
    if reason == "rights":
        raise NotAllowed(_("You may not issue this document."), code="not_allowed")
    return spec


def _inputs(spec: KindSpec, given: dict[str, str]) -> Inputs:
    errors: dict[str, list] = {}
    values: dict[str, str] = {}
    for name, value in given.items():
        text = (value or "").strip()
        if not text:
            continue
        if name not in spec.inputs:
            errors[name] = [_("This kind of document does not take this text.")]
        elif len(text) > INPUT_LIMITS[name]:
            errors[name] = [
                _("At most %(n)d characters.") % {"n": INPUT_LIMITS[name]},
            ]
        else:
            values[name] = text
    require(errors)
    return Inputs(**values)


# --- drafting ------------------------------------------------------------------------------


def issuing_place(actor: Actor, subject) -> Jurisdiction:
    """Whose document it is: the place at the case's tier; the supervising office for a
    notice; the meeting's place; the served document's issuer for its receipt."""
    if isinstance(subject, Case):
        return subject.tier_jurisdiction or subject.jurisdiction
    if isinstance(subject, SupervisionNotice):
        user = actor.user
        if user is not None and user.jurisdiction_id:
            return user.jurisdiction
        return subject.case.tier_jurisdiction or subject.case.jurisdiction
    if isinstance(subject, JointMeeting):
        return subject.jurisdiction
    return subject.issuer  # a Document


def compose(
    spec: KindSpec, subject, head: Letterhead, inputs: Inputs, *, reference: str, on: dt.date
) -> dict:
    """The draft of `spec` on `subject`: what the PDF and the .docx both print."""
    with translation.override("zh-hans"):  # official documents are in Chinese
        body = spec.draft(subject, head, inputs)
    return {
        "kind": spec.kind,
        "title": body.get("title", spec.title),
        "body_name": head.body_name,
        "reference": reference,
        "recipient": body["recipient"],
        "blocks": body["blocks"],
        "date": on.isoformat(),
        "date_text": chinese_date(on),
        "seal": body.get("seal", True),
    }


def preview(actor, subject, *, kind: str, **given) -> Preview:
    """The document as it would be issued now, without a number and stored nowhere."""
    actor = as_actor(actor)
    spec = guard(actor, kind, subject)
    inputs = _inputs(spec, given)
    head = letterhead_for(issuing_place(actor, subject))
    today = timezone.localdate()
    reference = head.number(spec.abbr, today.year, PREVIEW_NUMBER) if spec.numbered else ""
    draft = compose(spec, subject, head, inputs, reference=reference, on=today)
    return Preview(render.pdf_of(draft, preview=True), draft)


# --- issuing -------------------------------------------------------------------------------


def next_number(issuer: Jurisdiction, kind: str, year: int) -> int:
    """The next number of `kind` for `issuer` in `year`. Call it inside the issuing
    transaction: the counter row stays locked until it commits, and a rollback gives
    the number back."""
    try:
        with transaction.atomic():
            DocumentSequence.objects.get_or_create(issuer=issuer, kind=kind, year=year)
    except IntegrityError:
        pass  # another issuer created the row first
    sequence = DocumentSequence.objects.select_for_update().get(issuer=issuer, kind=kind, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _store_version(
    document: Document, version: int, draft: dict, actor: Actor, now: dt.datetime, reason: str = ""
) -> DocumentVersion:
    pdf, docx = render.pdf_of(draft), render.docx_of(draft)
    stored = DocumentVersion(
        document=document,
        version=version,
        content=draft,
        sha256=_digest(pdf),
        docx_sha256=_digest(docx),
        size=len(pdf),
        reason=reason,
        issued_by=actor.user,
        issued_at=now,
    )
    stem = f"{document.kind}-{document.pk}-v{version}"
    stored.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    stored.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
    stored.save()
    return stored


def _event_case(document: Document) -> Case | None:
    """The case whose timeline records the document (a receipt: its document's)."""
    if document.case_id:
        return document.case
    served = document.served_document
    return served.case if served is not None else None


def issue(actor, subject, *, kind: str, **given) -> Document:
    """Number, render, store and record a document: one transaction."""
    actor = as_actor(actor)
    spec = guard(actor, kind, subject)
    inputs = _inputs(spec, given)
    head = letterhead_for(issuing_place(actor, subject))
    now = timezone.now()
    today = timezone.localdate(now)
    case = case_of(subject) if not isinstance(subject, Document) else subject.case
    with transaction.atomic():
        number = next_number(head.issuer, kind, today.year) if spec.numbered else None
        reference = head.number(spec.abbr, today.year, number) if number is not None else ""
        draft = compose(spec, subject, head, inputs, reference=reference, on=today)
        document = Document.objects.create(
            kind=kind,
            issuer=head.issuer,
            body_name=head.body_name,
            year=today.year,
            number=number,
            reference=reference,
            title=draft["title"][:100],
            recipient=(
                draft["recipient"] or (subject.recipient if isinstance(subject, Document) else "")
            )[:200],
            case=case,
            notice=subject if isinstance(subject, SupervisionNotice) else None,
            meeting=subject
            if isinstance(subject, JointMeeting)
            else getattr(subject, "meeting", None),
            served_document=subject if isinstance(subject, Document) else None,
            created_by=actor.user,
            created_at=now,
        )
        version = _store_version(document, 1, draft, actor, now)
        if case is not None:
            record_event(
                case,
                actor,
                Action.DOCUMENT,
                at=now,
                note=f"{document.title} {reference}".strip(),
                data={
                    "document": document.pk,
                    "kind": kind,
                    "version": 1,
                    "sha256": version.sha256,
                },
            )
    return document


def subject_of(document: Document):
    """What the document was issued on."""
    if document.served_document_id:
        return document.served_document
    if document.notice_id:
        return document.notice
    if document.meeting_id:
        return document.meeting
    return document.case


def _may_handle(actor: Actor, document: Document, spec: KindSpec, *, serving=False) -> bool:
    """Correct: who may issue the kind; record service: also the receiving agent, who
    takes the answer back to the petitioner."""
    user = actor.user
    subject = subject_of(document)
    meeting = document.meeting or getattr(document.served_document, "meeting", None)
    case = _event_case(document)
    if case is None:
        return meeting is not None and may_manage_meeting(user, meeting)
    if refusal(spec.kind, user, subject) in (None, "state", "applies"):
        return True
    return serving and RECEIVER in rights_on(user, case)


def correct(actor, document: Document, *, reason: str, **given) -> Document:
    """A new version with its reason; the earlier versions stay as they were."""
    actor = as_actor(actor)
    spec = KINDS[document.kind]
    if not _may_handle(actor, document, spec):
        raise NotAllowed(_("You may not correct this document."), code="not_allowed")
    require({} if (reason or "").strip() else {"reason": [_("Say what the correction changes.")]})
    inputs = _inputs(spec, given)
    subject = subject_of(document)
    head = letterhead_for(document.issuer)
    now = timezone.now()
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        version = locked.current_version + 1
        draft = compose(
            spec, subject, head, inputs, reference=locked.reference, on=timezone.localdate(now)
        )
        stored = _store_version(locked, version, draft, actor, now, reason=reason.strip())
        Document.objects.filter(pk=locked.pk).update(current_version=version)
        document.current_version = version
        case = _event_case(locked)
        if case is not None:
            record_event(
                case,
                actor,
                Action.DOCUMENT,
                at=now,
                note=_("%(title)s %(reference)s corrected: %(reason)s")
                % {"title": locked.title, "reference": locked.reference, "reason": reason.strip()},
                data={
                    "document": locked.pk,
                    "kind": locked.kind,
                    "version": version,
                    "sha256": stored.sha256,
                },
            )
    return document


# --- service (送达) ----------------------------------------------------------------------------


def _proof_type(proof) -> str:
    limit = settings.QINGDAN_ATTACHMENT_MAX_BYTES
    if proof.size > limit:
        require(
            {"proof": [_("The file is larger than %(mb).1f MB.") % {"mb": limit / 1024 / 1024}]}
        )
    head = proof.read(2048)
    proof.seek(0)
    content_type = sniff_content_type(proof.name, head)
    if content_type is None or content_type not in settings.QINGDAN_ATTACHMENT_TYPES:
        require(
            {"proof": [_("This kind of file is not accepted (PDF, images, text, Word, Excel).")]}
        )
    return content_type or ""


def _check_service(document, version, *, recipient, method, served_at, postal_number, proof, now):
    errors: dict[str, list] = {}
    if not (recipient or "").strip():
        errors["recipient"] = [_("Say to whom it was served.")]
    if method not in ServiceMethod.values:
        errors["method"] = [_("Choose how it was served.")]
    elif method == ServiceMethod.POST and not (postal_number or "").strip():
        errors["postal_number"] = [_("Give the postal tracking number.")]
    elif method != ServiceMethod.POST and proof is None:
        errors["proof"] = [_("Attach the signed receipt or the proof of service.")]
    if served_at is None:
        errors["served_at"] = [_("Say when it was served.")]
    elif served_at > now + CLOCK_SKEW:
        errors["served_at"] = [_("The time of service cannot be in the future.")]
    elif served_at < version.issued_at.replace(second=0, microsecond=0):  # forms give minutes
        errors["served_at"] = [_("It cannot have been served before it was issued.")]
    require(errors)


def _starts_review_window(spec: KindSpec, document: Document, case: Case | None) -> bool:
    """The service of the answer of the case's current reply starts the window (a
    reopened case's earlier answer does not)."""
    return bool(
        spec.answers
        and case is not None
        and case.state in ANSWERED_STATES
        and case.replied_at is not None
        and document.created_at >= case.replied_at
    )


def record_service(
    actor,
    document: Document,
    *,
    recipient: str,
    method: str,
    served_at: dt.datetime | None,
    postal_number: str = "",
    proof=None,
    note: str = "",
) -> Service:
    """送达: to whom, how, when, with the proof. The service of a written answer starts
    the petitioner's window to ask for review (arts. 35-36)."""
    actor = as_actor(actor)
    spec = KINDS[document.kind]
    if not spec.servable:
        raise TransitionRefused(_("A service receipt is not itself served."), code="not_servable")
    if not _may_handle(actor, document, spec, serving=True):
        raise NotAllowed(_("You may not record the service of this document."), code="not_allowed")
    now = timezone.now()
    version = document.latest
    _check_service(
        document,
        version,
        recipient=recipient,
        method=method,
        served_at=served_at,
        postal_number=postal_number,
        proof=proof,
        now=now,
    )
    assert served_at is not None  # checked above
    proof_type = _proof_type(proof) if proof is not None else ""
    how = ServiceMethod(method).label
    with transaction.atomic():
        service = Service(
            document=document,
            version=version,
            recipient=recipient.strip()[:100],
            method=method,
            postal_number=(postal_number or "").strip()[:40],
            served_at=served_at,
            proof_type=proof_type,
            proof_name=PurePath(proof.name).name[:200] if proof is not None else "",
            note=(note or "").strip()[:2000],
            recorded_by=actor.user,
            recorded_at=now,
        )
        if proof is not None:
            service.proof.save(
                f"service-{document.pk}-{now:%Y%m%d%H%M%S}{PurePath(proof.name).suffix.lower()}",
                proof,
                save=False,
            )
        service.save()
        case = _event_case(document)
        text = f"{document.title} {document.reference} · {how} · {service.recipient}"
        data = {
            "document": document.pk,
            "service": service.pk,
            "method": method,
            "served_at": served_at.isoformat(),
        }
        if case is not None:
            case = Case.objects.get(pk=case.pk)
            if _starts_review_window(spec, document, case):
                served = max(filter(None, [case.answer_served_at, served_at]))
                commit(
                    case,
                    actor,
                    Action.SERVICE,
                    changes={"answer_served_at": served},
                    note=text,
                    now=now,
                    data=data,
                )
            else:
                record_event(case, actor, Action.SERVICE, at=now, note=text, data=data)
    return service


def may_correct(user, document: Document) -> bool:
    return _may_handle(as_actor(user), document, KINDS[document.kind])


def may_record_service(user, document: Document) -> bool:
    spec = KINDS[document.kind]
    return spec.servable and _may_handle(as_actor(user), document, spec, serving=True)
