"""Cases, the people who raise them, and the append-only timeline.

State changes happen only in `qingdan.cases.actions`; models hold data, the
visibility rule and the invariants that must hold whatever code path writes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qingdan.core import crypto, masking, pii
from qingdan.core.crypto import DigestField, EncryptedTextField
from qingdan.core.validators import IdType
from qingdan.orgs.choices import Level
from qingdan.orgs.models import Category, Department, Jurisdiction

from . import rights
from .access import PetitionerLookup as PetitionerLookup
from .choices import (
    OPEN_STATES,
    Action,
    Channel,
    DeadlineStatus,
    LegalChannel,
    PetitionerKind,
    Rating,
    ReplyOpinion,
    ReviewLevel,
    State,
    Tier,
    Urgency,
)


class PetitionerQuerySet(models.QuerySet):
    """Equality look-ups on encrypted fields, through their digests."""

    def with_id_number(self, id_number: str, id_type: str | None = None) -> "PetitionerQuerySet":
        """The petitioners holding this document number (of this type, if given)."""
        if not id_number:
            return self.none()
        found = self.filter(id_number_digest=crypto.digest(id_number))
        return found.filter(id_type=id_type) if id_type else found

    def with_phone(self, phone: str) -> "PetitionerQuerySet":
        return self.filter(phone_digest=crypto.digest(phone)) if phone else self.none()


class Petitioner(models.Model):
    """A person (信访人) or an enterprise (企业) who raises problems."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=PetitionerKind.choices, default=PetitionerKind.PERSON
    )
    # Personal data is encrypted at rest; the digests serve equality look-ups.
    name = EncryptedTextField(_("name"), max_length=100)
    id_type = models.CharField(
        _("identity document"), max_length=32, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = EncryptedTextField(_("ID number"), max_length=18, blank=True)
    phone = EncryptedTextField(_("mobile phone"), max_length=20, blank=True)
    address = EncryptedTextField(_("address"), max_length=200, blank=True)
    id_number_digest = DigestField(source="id_number")
    phone_digest = DigestField(source="phone")
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, db_index=True
    )
    contact_name = EncryptedTextField(_("contact person"), max_length=50, blank=True)
    email = EncryptedTextField(_("e-mail"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PetitionerQuerySet.as_manager()

    class Meta:
        verbose_name = _("petitioner")
        verbose_name_plural = _("petitioners")

    def __str__(self) -> str:
        return self.masked_name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # The digests follow their sources (DigestField.pre_save).
            kwargs["update_fields"] = {*update_fields, "id_number_digest", "phone_digest"}
        super().save(*args, **kwargs)

    @property
    def masked_name(self) -> str:
        if self.kind == PetitionerKind.ENTERPRISE:
            return self.name  # an enterprise's name is public information
        return masking.mask_name(self.name)

    @property
    def id_type_label(self) -> str:
        """The document's name, only when there is a number to name."""
        return str(self.get_id_type_display()) if self.id_number else ""

    @property
    def masked_id_number(self) -> str:
        return masking.mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return masking.mask_phone(self.phone)

    @property
    def masked_address(self) -> str:
        return masking.mask_address(self.address)

    def masked(self) -> dict:
        return {
            "kind": self.kind,
            "name": self.masked_name,
            "id_type": self.id_type,
            "id_type_label": self.id_type_label,
            "id_number": self.masked_id_number,
            "phone": self.masked_phone,
            "address": self.masked_address,
            "credit_code": self.credit_code,
            "contact_name": masking.mask_name(self.contact_name),
            "email": masking.mask_email(self.email),
        }

    def personal_values(self) -> list[tuple[str, str]]:
        """(value, masked value) of each personal value, for masking it wherever it was
        typed into free text (`qingdan.core.pii`). A one-character value would mask
        that character everywhere; an enterprise's name is public."""
        pairs = [
            (self.name, self.masked_name),
            (self.contact_name, masking.mask_name(self.contact_name)),
            (self.id_number, self.masked_id_number),
            (self.phone, self.masked_phone),
            (self.address, self.masked_address),
            (self.email, masking.mask_email(self.email)),
        ]
        return [
            (value, masked) for value, masked in pairs if len(value or "") >= 2 and value != masked
        ]

    def revealed(self) -> dict:
        return {
            "kind": self.kind,
            "name": self.name,
            "id_type": self.id_type,
            "id_type_label": self.id_type_label,
            "id_number": self.id_number,
            "phone": self.phone,
            "address": self.address,
            "credit_code": self.credit_code,
            "contact_name": self.contact_name,
            "email": self.email,
        }


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        return self.filter(state__in=OPEN_STATES)

    def visible_to(self, user) -> "CaseQuerySet":
        """What a staff member may see: their jurisdiction's cases (a village agent
        their village, a town clerk the town and its villages, city staff all) and
        the cases their unit leads or co-handles."""
        return self.with_right(user, rights.VIEW)

    def with_right(self, user, right: str) -> "CaseQuerySet":
        """The cases on which `user` holds `right` (see `qingdan.cases.rights`)."""
        condition = rights.condition(right, user, self.model)
        return self if condition is rights.EVERYTHING else self.filter(condition)

    def waiting_on(self, user) -> "CaseQuerySet":
        """The cases that wait on `user` (see `rights.waiting_on`)."""
        return self.filter(rights.waiting_on(user, self.model))


class Case(models.Model):
    # Texts that staff and the public type, masked in every output for anyone who has
    # not revealed the case's personal data (`qingdan.core.pii`).
    FREE_TEXT_FIELDS = (
        "title",
        "content",
        "address",
        "not_accepted_reason",
        "diversion_help",
        "reply_text",
        "extension_reason",
    )

    tracking_number = models.CharField(_("tracking number"), max_length=32, unique=True)
    external_ref = models.CharField(
        _("external reference"),
        max_length=64,
        blank=True,
        help_text=_("The number the case carries elsewhere (12345 work order, superior file)."),
    )
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(pgettext_lazy("case", "content"), max_length=20000)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.REGISTERED, db_index=True
    )
    tier = models.CharField(_("handling tier"), max_length=10, choices=Tier.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("Where the problem happens (属地)."),
    )
    # Answers to the category's extra questions (Open311 attributes), by question code.
    attributes = models.JSONField(_("answers to the extra questions"), default=dict, blank=True)
    address = models.CharField(_("address of the problem"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    petitioner = models.ForeignKey(
        Petitioner,
        verbose_name=_("petitioner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    headcount = models.PositiveIntegerField(_("number of people"), default=1)
    representatives = models.ManyToManyField(
        Petitioner,
        verbose_name=_("representatives"),
        blank=True,
        related_name="represented_cases",
    )
    lead_unit = models.ForeignKey(
        Department,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_cases",
    )
    # Walk-in reception (坐班接访): the leader on duty who received the petitioner.
    receiving_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("receiving leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_cases",
        help_text=_("The leader who received the petitioner at a walk-in reception (接访领导)."),
    )
    # Superior assignment (上级交办).
    assigning_body = models.CharField(_("assigning body"), max_length=100, blank=True)
    assigning_reference = models.CharField(_("assignment reference"), max_length=60, blank=True)
    assigned_deadline = models.DateTimeField(_("assigned deadline"), null=True, blank=True)
    # Outcomes.
    not_accepted_reason = models.TextField(_("reason for not accepting"), blank=True)
    legal_channel = models.CharField(
        _("legal channel"), max_length=20, choices=LegalChannel.choices, blank=True
    )
    diversion_help = models.TextField(_("help given"), blank=True)
    reply_opinion = models.CharField(
        _("reply opinion"), max_length=20, choices=ReplyOpinion.choices, blank=True
    )
    reply_text = models.TextField(_("written reply"), blank=True)
    rating = models.CharField(_("evaluation"), max_length=20, choices=Rating.choices, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    # Review (复查) and re-review (复核) are follow-up cases of the original.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reviewed case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    review_level = models.PositiveSmallIntegerField(
        _("review level"), choices=ReviewLevel.choices, default=ReviewLevel.ORIGINAL
    )
    # Timestamps of the life of the case.
    registered_at = models.DateTimeField(_("registered at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    handling_started_at = models.DateTimeField(_("handling clock started"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # When the written answer (答复/复查/复核意见书) was served: the petitioner's window
    # to ask for review runs from here (arts. 35-36), not from the reply.
    answer_served_at = models.DateTimeField(
        _("answer served at"), null=True, blank=True, db_index=True
    )
    # Deadlines: recomputed on every transition; the worker walks these indexes.
    accept_due_at = models.DateTimeField(_("acceptance due"), null=True, blank=True)
    handle_due_at = models.DateTimeField(_("handling due"), null=True, blank=True)
    due_at = models.DateTimeField(_("next due"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("warning from"), null=True, blank=True, db_index=True)
    # When the worker must look at this case next: the earliest warning or limit it has
    # not yet acted on. It moves forward after each look, so cases already warned or
    # overdue are not read again every pass.
    next_check_at = models.DateTimeField(
        _("next deadline check"), null=True, blank=True, db_index=True, editable=False
    )
    deadline_status = models.CharField(
        _("deadline status"),
        max_length=10,
        choices=DeadlineStatus.choices,
        default=DeadlineStatus.NONE,
        db_index=True,
    )
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-registered_at"]
        permissions = [("reveal_personal_data", _("Can reveal petitioners' personal data"))]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~Q(external_ref=""),
                name="case_external_ref_unique",
            )
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="case_state_due"),
            # The statistics' look-up of registered cases that became late for
            # acceptance, which every worker pass makes.
            models.Index(fields=["state", "accept_due_at"], name="case_state_accept_due"),
            models.Index(fields=["jurisdiction", "state"], name="case_jurisdiction_state"),
            models.Index(fields=["lead_unit", "state"], name="case_unit_state"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def tier_jurisdiction(self) -> Jurisdiction | None:
        """The jurisdiction that owns the case at its current tier."""
        return self.jurisdiction.ancestor(
            {Tier.VILLAGE: Level.VILLAGE, Tier.TOWN: Level.TOWN, Tier.CITY: Level.CITY}[
                Tier(self.tier)
            ]
        )

    def free_text_masker(self) -> pii.Masker:
        """The masker of this case's free text: the detector, the petitioner's values and,
        when they were read with the case (`prefetch_related("representatives")`, as the
        case page and the API's case detail do), its representatives' values. A list page
        reads no representatives: it masks with the petitioner's, as for one case each."""
        prefetched = getattr(self, "_prefetched_objects_cache", {})
        if not prefetched.get("representatives"):
            return pii.Masker.for_petitioner(self.petitioner)
        known = list(self.petitioner.personal_values()) if self.petitioner else []
        for representative in self.representatives.all():
            known.extend(representative.personal_values())
        return pii.Masker(known)


class CoHandling(models.Model):
    """A co-handling unit (协办/联动) besides the lead unit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="co_handlings")
    department = models.ForeignKey(
        Department, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    # 协办意见: what the unit tells the lead unit, by when (a policy of the deadlines app).
    opinion_due_at = models.DateTimeField(_("opinion due"), null=True, blank=True)
    opinion = models.TextField(_("co-handling opinion"), blank=True)
    opinion_at = models.DateTimeField(_("opinion given at"), null=True, blank=True)
    opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opinion given by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("co-handling unit")
        verbose_name_plural = _("co-handling units")
        constraints = [
            models.UniqueConstraint(fields=["case", "department"], name="cohandling_unique")
        ]

    def __str__(self) -> str:
        return str(self.department)

    @property
    def opinion_late(self) -> bool:
        """The opinion came after its limit, or has not come and the limit is past."""
        if self.opinion_due_at is None:
            return False
        return (self.opinion_at or timezone.now()) > self.opinion_due_at


class CaseEvent(models.Model):
    """One step on the timeline. Append-only: the evidence that the case was tracked."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(
        _("actor label"),
        max_length=60,
        blank=True,
        help_text=_("Who acted when it was not a staff member (the petitioner, the worker)."),
    )
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_state = models.CharField(_("from state"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=16, choices=State.choices, blank=True)
    from_unit = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_tier = models.CharField(max_length=10, choices=Tier.choices, blank=True)
    to_tier = models.CharField(max_length=10, choices=Tier.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="event_case_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Timeline events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Timeline events are append-only.")

    @property
    def who(self) -> str:
        return str(self.actor) if self.actor_id else self.actor_label


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class CaseLink(models.Model):
    """Related cases (same matter, same place, merged duplicates)."""

    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=20, default="related")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        constraints = [
            models.UniqueConstraint(fields=["from_case", "to_case"], name="caselink_unique")
        ]

    def __str__(self) -> str:
        return f"{self.from_case_id} → {self.to_case_id} ({self.kind})"


class CaseFlag(models.Model):
    """A warning attached to a case, with the evidence behind it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=30, db_index=True)
    message = models.CharField(_("message"), max_length=300)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case flag")
        verbose_name_plural = _("case flags")

    def __str__(self) -> str:
        return self.message


class ClosureAgreement(models.Model):
    """A signed agreement to end the petition (息诉罢访协议)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="closure_agreement")
    signed_at = models.DateField(_("signed on"))
    summary = models.TextField(_("terms"))
    signed_by = models.CharField(_("signed by"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("closure agreement")
        verbose_name_plural = _("closure agreements")

    def __str__(self) -> str:
        return f"{self.signed_by} {self.signed_at}"


class TrackingSequence(models.Model):
    """Per prefix and year counter behind tracking numbers (ZY-2026-000123)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="tracking_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class PersonalDataAccessManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(action=Action.REVEAL)


class PersonalDataAccess(CaseEvent):
    """The access log: every time someone revealed a petitioner's personal data."""

    objects = PersonalDataAccessManager()  # type: ignore[misc]

    class Meta:
        proxy = True
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
