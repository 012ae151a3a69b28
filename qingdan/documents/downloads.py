"""Serving an issued document's files: to staff who see its case, to the petitioner
on the portal (the documents addressed to them), and through the API."""

from django.http import FileResponse, Http404

from qingdan.cases.models import Case

from .kinds import PUBLIC_KINDS
from .models import Document, DocumentVersion

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def version_of(document: Document, number: str | int | None) -> DocumentVersion:
    """The version asked for (the current one by default); 404 for another."""
    try:
        wanted = int(number) if number not in (None, "") else document.current_version
    except (TypeError, ValueError) as error:
        raise Http404 from error
    version = document.versions.filter(version=wanted).first()
    if version is None:
        raise Http404
    return version


def file_name(document: Document, version: DocumentVersion, file_type: str) -> str:
    label = document.reference or document.title
    suffix = f"-v{version.version}" if version.version > 1 else ""
    return f"{document.title}{'-' + label if label != document.title else ''}{suffix}.{file_type}"


def version_response(
    document: Document, version: DocumentVersion, file_type: str = "pdf", *, inline: bool = False
) -> FileResponse:
    if file_type not in CONTENT_TYPES:
        raise Http404
    stored = version.pdf if file_type == "pdf" else version.docx
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=not inline,
        filename=file_name(document, version, file_type),
        content_type=CONTENT_TYPES[file_type],
    )


def public_documents(case: Case):
    """The documents of a case addressed to its petitioner, for the portal."""
    return (
        Document.objects.filter(case=case, kind__in=PUBLIC_KINDS)
        .prefetch_related("services")
        .order_by("created_at", "pk")
    )


def public_document_response(case: Case, pk: int) -> FileResponse:
    document = public_documents(case).filter(pk=pk).first()
    if document is None:
        raise Http404
    return version_response(document, version_of(document, None), "pdf")
