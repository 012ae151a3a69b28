"""Actions that add to a case without moving it: notes, links, attachments; and
reaching personal data (revealing it, looking petitioners up), which is itself recorded."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import NotAllowed, TooManyRequests, TransitionRefused
from qingdan.core.limits import count
from qingdan.core.validators import IdType, normalize_phone, validate_identity_document

from ..choices import Action, PetitionerKind
from ..models import Attachment, Case, CaseLink, Petitioner, PetitionerLookup
from .base import as_actor, commit, guard, record_event, require
from .registration import _clean_petitioner, _find_or_create_petitioner, register_case

# What a file's name promises must match its first bytes (a .pdf that is a PDF).
MAGIC = {
    "application/pdf": [b"%PDF"],
    "image/jpeg": [b"\xff\xd8\xff"],
    "image/png": [b"\x89PNG\r\n\x1a\n"],
    "image/gif": [b"GIF87a", b"GIF89a"],
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [b"PK\x03\x04"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [b"PK\x03\x04"],
}
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".txt": "text/plain",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def add_note(actor, case: Case, *, note: str, expected_version: int | None = None):
    actor = as_actor(actor)
    guard(actor, case, Action.NOTE, expected_version)
    require({} if (note or "").strip() else {"note": [_("The note is empty.")]})
    return record_event(case, actor, Action.NOTE, note=note.strip()[:5000])


def link_cases(
    actor,
    case: Case,
    *,
    other: Case,
    kind: str = "related",
    note: str = "",
    expected_version: int | None = None,
):
    actor = as_actor(actor)
    guard(actor, case, Action.LINK, expected_version)
    if other is None or other.pk == case.pk:
        require({"other": [_("Choose another case.")]})
    with transaction.atomic():
        link, created = CaseLink.objects.get_or_create(
            from_case=case, to_case=other, defaults={"kind": kind}
        )
        if created:
            record_event(case, actor, Action.LINK, note=note, data={"other": other.tracking_number})
    return link


def sniff_content_type(name: str, head: bytes) -> str | None:
    """The type of an upload from its extension, confirmed by its first bytes."""
    content_type = EXTENSIONS.get(PurePath(name).suffix.lower())
    if content_type is None:
        return None
    signatures = MAGIC.get(content_type)
    if signatures and not any(head.startswith(sig) for sig in signatures):
        return None
    if content_type == "text/plain":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A cut in the middle of a multi-byte character is still text.
            try:
                head[:-3].decode("utf-8")
            except UnicodeDecodeError:
                return None
    return content_type


# What a petitioner may send with a problem from the portal: photos.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})


def check_upload(upload, *, field: str = "file", types: frozenset[str] | None = None) -> str:
    """The type of an upload, sniffed from its first bytes; refused when it is larger
    than QINGDAN_ATTACHMENT_MAX_BYTES or not among QINGDAN_ATTACHMENT_TYPES (and
    `types`, when given)."""
    limit = settings.QINGDAN_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        require({field: [_("The file is larger than %(mb).1f MB.") % {"mb": limit / 1024 / 1024}]})
    head = upload.read(2048)
    upload.seek(0)
    content_type = sniff_content_type(upload.name, head)
    accepted = set(settings.QINGDAN_ATTACHMENT_TYPES)
    if types is not None:
        accepted &= types
    if content_type is None or content_type not in accepted:
        if types == PHOTO_TYPES:
            require({field: [_("Only photos are accepted (JPEG, PNG or GIF).")]})
        require({field: [_("This kind of file is not accepted (PDF, images, text, Word, Excel).")]})
    assert content_type is not None  # refused above
    return content_type


def add_attachment(actor, case: Case, *, file, expected_version: int | None = None) -> Attachment:
    """`file` is a Django UploadedFile (web and API alike)."""
    actor = as_actor(actor)
    guard(actor, case, Action.ATTACH, expected_version)
    upload = file
    content_type = check_upload(upload)
    with transaction.atomic():
        attachment = Attachment.objects.create(
            case=case,
            file=upload,
            original_name=PurePath(upload.name).name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor.user,
        )
        record_event(
            case,
            actor,
            Action.ATTACH,
            note=attachment.original_name,
            data={"attachment": attachment.pk, "size": upload.size},
        )
    return attachment


def add_petitioner(
    actor,
    case: Case,
    *,
    name: str,
    kind: str = PetitionerKind.PERSON,
    phone: str = "",
    id_number: str = "",
    credit_code: str = "",
    address: str = "",
    expected_version: int | None = None,
) -> Case:
    """Name the petitioner of a case registered without one (a superior's assignment,
    a police report): from then on it can be rated and the person told and served. A
    known petitioner (same ID number, credit code, or name and phone) is reused."""
    actor = as_actor(actor)
    guard(actor, case, Action.ADD_PETITIONER)
    if case.petitioner_id is not None:
        raise TransitionRefused(
            _("This case already has its petitioner."), code="has_petitioner", field="name"
        )
    given = {
        "kind": kind,
        "name": name,
        "phone": phone,
        "id_number": id_number,
        "credit_code": credit_code,
        "address": address,
    }
    cleaned, errors = _clean_petitioner(given, "")
    require(errors)
    with transaction.atomic():
        petitioner, _created = _find_or_create_petitioner(cleaned)
        # The timeline says who was added only as the page shows it: masked.
        commit(
            case,
            actor,
            Action.ADD_PETITIONER,
            changes={"petitioner": petitioner},
            expected_version=expected_version,
            note=petitioner.masked_name,
            data={"petitioner": petitioner.pk},
        )
    return case


def register_with_photos(actor, *, photos: list, **registration) -> Case:
    """Register a case (`register_case`'s arguments) with the photos its petitioner
    sent, as its attachments: all or nothing, each photo checked before anything is
    written."""
    for photo in photos:
        check_upload(photo, field="photo", types=PHOTO_TYPES)
    with transaction.atomic():
        case = register_case(actor, **registration)
        for photo in photos:
            add_attachment(actor, case, file=photo)
    return case


def reveal_personal_data(actor, case: Case, *, reason: str) -> dict:
    """Full personal data for a role that needs it; every read is on the timeline (the
    personal-data access log). The petitioner's fields (none without a petitioner), the
    case's free text whole (`case`) and the timeline's notes whole (`timeline`): free
    text is masked everywhere else, for everyone."""
    actor = as_actor(actor)
    guard(actor, case, Action.NOTE)
    user = actor.user
    if user is None or not user.can_reveal_personal_data:
        raise NotAllowed(_("Your role may not see unmasked personal data."), code="reveal_denied")
    require({} if (reason or "").strip() else {"reason": [_("Say why you need the data.")]})
    record_event(case, actor, Action.REVEAL, note=reason.strip())
    revealed = case.petitioner.revealed() if case.petitioner is not None else {}
    revealed["case"] = {name: getattr(case, name) for name in Case.FREE_TEXT_FIELDS}
    revealed["timeline"] = list(
        case.events.exclude(note="").order_by("at", "pk").values("at", "action", "note")
    )
    return revealed


def look_up_petitioners(
    actor, *, phone: str = "", id_type: str = IdType.RESIDENT_ID, id_number: str = "", now=None
) -> tuple[list[Petitioner], list[str]]:
    """Known petitioners with this phone or ID number, among the petitioners of the
    cases the actor may see (exact, through the digests). Throttled per person, and
    every look-up is kept in the personal-data access log."""
    actor = as_actor(actor)
    user = actor.user
    window = 60
    if count(f"petitioner-lookup:{user.pk}", window) > settings.QINGDAN_LOOKUPS_PER_MINUTE:
        raise TooManyRequests(
            _("Too many look-ups in a minute. Wait a moment and try again."),
            code="too_many_lookups",
        )
    problems: list[str] = []
    query = Petitioner.objects.none()
    if phone:
        try:
            query = query | Petitioner.objects.with_phone(normalize_phone(phone))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if id_number:
        try:
            number = validate_identity_document(id_type, id_number)
            query = query | Petitioner.objects.with_id_number(number, id_type)
        except ValidationError as exc:
            problems.extend(exc.messages)
    if not (phone or id_number):
        return [], problems
    visible = Case.objects.visible_to(user).values("petitioner_id")
    found = list(query.filter(pk__in=visible).distinct()[:5])
    with transaction.atomic():
        lookup = PetitionerLookup.objects.create(
            at=now or timezone.now(),
            user=user,
            by_phone=bool(phone),
            by_id_number=bool(id_number),
        )
        lookup.found.set(found)
    return found, problems
