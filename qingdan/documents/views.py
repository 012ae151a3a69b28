"""The document pages under /documents/: the list, one document (its versions, its
service, its corrections), the form that previews and issues a kind on a subject,
downloads, and bulk printing from the queue. The case page shows `case_panel`.

Each view parses its input, calls one action (through a catalogue form), renders.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingdan.cases.actions import review_request_deadline
from qingdan.cases.models import Case
from qingdan.supervision.models import JointMeeting, SupervisionNotice

from . import actions
from .choices import DocumentKind, Subject
from .downloads import version_of, version_response
from .filters import DocumentFilterSet
from .forms import BatchForm, kind_form, service_form
from .kinds import ANSWER_KINDS, KINDS, offered_kinds, refusal
from .models import Document

PAGE_SIZE = 25
SUBJECT_QUERIES = {
    Subject.CASE: lambda user: Case.objects.visible_to(user),
    Subject.NOTICE: lambda user: SupervisionNotice.objects.visible_to(user),
    Subject.MEETING: lambda user: JointMeeting.objects.visible_to(user),
    Subject.DOCUMENT: lambda user: Document.objects.visible_to(user),
}


def visible_subject(user, subject: str, pk: int):
    if subject not in SUBJECT_QUERIES:
        raise Http404
    return get_object_or_404(SUBJECT_QUERIES[Subject(subject)](user), pk=pk)


def visible_document(user, pk: int) -> Document:
    return get_object_or_404(
        Document.objects.visible_to(user).select_related("case", "issuer", "created_by"), pk=pk
    )


def subject_link(subject) -> str:
    if isinstance(subject, Case):
        return reverse("web:case", args=[subject.pk])
    if isinstance(subject, SupervisionNotice):
        return reverse("web:case", args=[subject.case_id])
    if isinstance(subject, JointMeeting):
        return reverse("supervision:meeting", args=[subject.pk])
    return reverse("documents:detail", args=[subject.pk])


def new_link(subject: str, pk: int, kind: str) -> str:
    return reverse("documents:new", args=[subject, pk, kind])


# --- on the case page ----------------------------------------------------------------------


def review_window(case: Case) -> dict | None:
    """What the case page says of the petitioner's window to ask for review: from the
    answer's recorded service, not from the reply (arts. 35-36)."""
    if case.replied_at is None or case.review_level >= 2:
        return None
    return {"served_at": case.answer_served_at, "until": review_request_deadline(case)}


def case_panel(user, case: Case) -> dict:
    """The documents section of the case page: the case's documents, and exactly the
    kinds the table offers this user on this case (and on its supervision notices)."""
    documents = (
        Document.objects.filter(case=case).prefetch_related("services").order_by("created_at", "pk")
    )
    offered = [
        {"spec": spec, "url": new_link(Subject.CASE, case.pk, spec.kind)}
        for spec in offered_kinds(user, case)
    ]
    for notice in case.supervision_notices.order_by("pk"):
        if refusal(DocumentKind.SUPERVISION_SLIP, user, notice) is None:
            offered.append(
                {
                    "spec": KINDS[DocumentKind.SUPERVISION_SLIP],
                    "url": new_link(Subject.NOTICE, notice.pk, DocumentKind.SUPERVISION_SLIP),
                    "about": notice.number,
                }
            )
    return {
        "documents": documents,
        "offered": offered,
        "answer_kinds": ANSWER_KINDS,
        "review_window": review_window(case),
    }


# --- pages -----------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    visible = Document.objects.visible_to(request.user).select_related("case", "meeting")
    filterset = DocumentFilterSet(request.GET or None, queryset=visible)
    documents = visible.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    meetings = [
        meeting
        for meeting in JointMeeting.objects.visible_to(request.user).order_by("-held_at")[:20]
        if refusal(DocumentKind.MEETING_MINUTES, request.user, meeting) is None
    ]
    context = {
        "filter": filterset,
        "page": page,
        "meetings": [
            (m, new_link(Subject.MEETING, m.pk, DocumentKind.MEETING_MINUTES)) for m in meetings
        ],
    }
    return render(request, "documents/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new(request, subject, pk, kind):
    """The form of one kind on one subject: preview (a PDF, nothing stored) or issue."""
    target = visible_subject(request.user, subject, pk)
    if kind not in KINDS:
        raise Http404
    action = "preview" if request.POST.get("do") == "preview" else "issue"
    form = kind_form(action, kind, request.POST or None, subject=target, user=request.user)
    status = 200
    if request.method == "POST":
        if form.submit():
            if action == "preview":
                response = HttpResponse(form.result.pdf, content_type="application/pdf")
                response["Content-Disposition"] = 'inline; filename="preview.pdf"'
                return response
            document = form.result
            messages.success(
                request,
                _("Issued: %(document)s.") % {"document": f"{document.title} {document.reference}"},
            )
            return redirect("documents:detail", pk=document.pk)
        status = form.status_code
    context = {
        "form": form,
        "spec": KINDS[kind],
        "subject": target,
        "back": subject_link(target),
        "refusal": refusal(kind, request.user, target),
    }
    return render(request, "documents/new.html", context, status=status)


def _detail(request, document: Document, *, service=None, correction=None, status=200):
    user = request.user
    receipt_kind = DocumentKind.SERVICE_RECEIPT
    context = {
        "document": document,
        "spec": KINDS[document.kind],
        "versions": document.versions.select_related("issued_by").order_by("-version"),
        "services": document.services.select_related("version", "recorded_by"),
        "receipts": document.receipts.order_by("pk"),
        "back": subject_link(actions.subject_of(document)),
        "service_form": service
        or (
            service_form(document, user=user)
            if actions.may_record_service(user, document)
            else None
        ),
        "correct_form": correction
        or (
            kind_form("correct", document.kind, subject=document, user=user)
            if actions.may_correct(user, document)
            else None
        ),
        "receipt_url": new_link(Subject.DOCUMENT, document.pk, receipt_kind)
        if refusal(receipt_kind, user, document) is None
        else "",
        "now": timezone.now(),
    }
    return render(request, "documents/detail.html", context, status=status)


@login_required
@require_GET
def detail(request, pk):
    return _detail(request, visible_document(request.user, pk))


@login_required
@require_GET
def download(request, pk):
    document = visible_document(request.user, pk)
    version = version_of(document, request.GET.get("version"))
    return version_response(document, version, request.GET.get("type", "pdf"))


@login_required
@require_GET
def proof(request, pk, service_pk):
    document = visible_document(request.user, pk)
    service = get_object_or_404(document.services.exclude(proof=""), pk=service_pk)
    try:
        handle = service.proof.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return _file(handle, service.proof_name, service.proof_type)


def _file(handle, name: str, content_type: str):
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


@login_required
@require_POST
def service(request, pk):
    document = visible_document(request.user, pk)
    form = service_form(document, request.POST, request.FILES, user=request.user)
    if form.submit():
        messages.success(request, _("The service is recorded."))
        return redirect("documents:detail", pk=document.pk)
    return _detail(request, document, service=form, status=form.status_code)


@login_required
@require_POST
def correct(request, pk):
    document = visible_document(request.user, pk)
    form = kind_form("correct", document.kind, request.POST, subject=document, user=request.user)
    if form.submit():
        messages.success(
            request, _("Version %(n)d is issued.") % {"n": form.result.current_version}
        )
        return redirect("documents:detail", pk=document.pk)
    return _detail(request, document, correction=form, status=form.status_code)


@login_required
@require_POST
def batch(request):
    """From the queue's ticked cases: first what will be printed, then the PDF."""
    form = BatchForm(request.POST, user=request.user)
    if request.POST.get("confirm") and form.submit():
        result = form.result
        if result.pdf:
            response = HttpResponse(result.pdf, content_type="application/pdf")
            name = f"documents-{timezone.localtime():%Y%m%d-%H%M}.pdf"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        form.add_error(None, _("Nothing to print."))
    items = form.plan() if form.is_valid() else []
    status = 200 if form.is_valid() else 400
    return render(request, "documents/batch.html", {"form": form, "items": items}, status=status)
