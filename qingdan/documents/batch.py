"""Printing in bulk: one PDF with the acceptance notices or the written answers of
many cases, each followed by its service receipt (送达回证), for printing and mailing.

`plan` says, case by case, what will be printed: the document already issued, one to
issue now, or why the case is left out. `print_batch` issues the missing ones (each
in its own transaction, through `actions.issue`) and renders the PDF from the issued
versions' content; the receipts are printed blank forms, not stored.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from qingdan.cases.actions import as_actor
from qingdan.cases.choices import State
from qingdan.cases.models import Case
from qingdan.core.errors import ActionError

from . import actions, render
from .choices import DocumentKind
from .drafting import Inputs, answer_kind_for
from .kinds import KINDS, kind_label, refusal
from .letterhead import letterhead_for
from .models import Document

# What a batch prints: acceptance notices, or each case's written answer (答复意见书,
# or the 复查/复核意见书 of a review case).
BATCH_KINDS = (DocumentKind.ACCEPTANCE, DocumentKind.REPLY)
# Cases one request of the web page may print (rendering holds every page in memory
# until the PDF is written: ~2 MiB a page); the command line has no limit.
WEB_BATCH_LIMIT = 100


@dataclass
class BatchItem:
    case: Case
    kind: str
    document: Document | None = None
    problem: str = ""

    @property
    def to_issue(self) -> bool:
        return self.document is None and not self.problem


@dataclass
class Batch:
    items: list[BatchItem]
    pdf: bytes = b""
    issued: list[Document] = field(default_factory=list)

    @property
    def printed(self) -> list[BatchItem]:
        return [item for item in self.items if item.document is not None]

    @property
    def skipped(self) -> list[BatchItem]:
        return [item for item in self.items if item.problem]


def kind_for(case: Case, kind: str) -> str:
    return answer_kind_for(case) if kind == DocumentKind.REPLY else kind


def current_document(case: Case, kind: str) -> Document | None:
    """The latest document of `kind` on the case; an answer only if it answers the
    current reply (not one from before the case was reopened)."""
    documents = Document.objects.filter(case=case, kind=kind).order_by("-created_at", "-pk")
    if KINDS[kind].answers and case.replied_at is not None:
        documents = documents.filter(created_at__gte=case.replied_at)
    return documents.first()


def _problem(reason: str | None, case: Case, kind: str):
    if reason == "state":
        return _("not issued while the case is “%(state)s”") % {"state": State(case.state).label}
    if reason == "applies":
        return _("a “%(kind)s” does not apply to this case") % {"kind": kind_label(kind)}
    if reason == "rights":
        return _("you may not issue it")
    return _("not issued yet")


def plan(actor, cases: Iterable[Case], kind: str, *, issue_missing: bool = True) -> list[BatchItem]:
    actor = as_actor(actor)
    if kind not in BATCH_KINDS:
        raise ActionError(
            _("Only acceptance notices and answers are printed in bulk."),
            code="batch_kind",
            field="kind",
        )
    items = []
    for case in cases:
        case_kind = kind_for(case, kind)
        item = BatchItem(case, case_kind, current_document(case, case_kind))
        if item.document is None:
            reason = refusal(case_kind, actor.user, case)
            if reason is not None or not issue_missing:
                item.problem = str(_problem(reason, case, case_kind))
        items.append(item)
    return items


def receipt_draft(document: Document) -> dict:
    spec = KINDS[DocumentKind.SERVICE_RECEIPT]
    head = letterhead_for(document.issuer)
    issued = document.latest
    return actions.compose(spec, document, head, Inputs(), reference="", on=issued.issued_at.date())


def print_batch(
    actor, cases: Iterable[Case], kind: str, *, issue_missing: bool = True, receipts: bool = True
) -> Batch:
    """Issue what is missing, then one PDF of every printable case's document (each
    followed by its receipt)."""
    actor = as_actor(actor)
    batch = Batch(plan(actor, cases, kind, issue_missing=issue_missing))
    for item in batch.items:
        if not item.to_issue:
            continue
        try:
            item.document = actions.issue(actor, item.case, kind=item.kind)
        except ActionError as error:  # e.g. the case changed meanwhile
            item.problem = str(error.message)
            continue
        batch.issued.append(item.document)
    drafts: list[dict] = []
    for item in batch.printed:
        document = item.document
        assert document is not None  # printed
        drafts.append(document.latest.content)
        if receipts:
            drafts.append(receipt_draft(document))
    if drafts:
        batch.pdf = render.combined_pdf(drafts)
    return batch
