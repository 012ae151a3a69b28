"""Supervision (督办): notices to a unit with their own deadline and reply, key cases
owned by a leader (领导包保), and the township joint meeting (联席会议) whose decisions
are tracked tasks."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingdan.cases.choices import DeadlineStatus
from qingdan.cases.models import Case
from qingdan.orgs.models import Department, Jurisdiction, User

from .choices import DecisionState, KeyCaseState, MeetingState, NoticeState


class SupervisionNoticeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SupervisionNoticeQuerySet":
        if not user or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        condition = Q(case__in=Case.objects.visible_to(user))
        if user.department_id:
            condition |= Q(unit_id=user.department_id)
        return self.filter(condition)


class SupervisionNotice(models.Model):
    """督办单: what a unit is told to do about a case, by when, and its answer."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="supervision_notices"
    )
    alert = models.OneToOneField(
        "deadlines.DeadlineAlert",
        verbose_name=_("deadline breach"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notice",
    )
    unit = models.ForeignKey(
        Department,
        verbose_name=_("supervised unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("supervised place"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The place at the case's tier; it answers when no unit leads the case."),
    )
    reason = models.TextField(_("what is required"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"))
    due_at = models.DateTimeField(_("reply due"))
    state = models.CharField(
        _("state"), max_length=10, choices=NoticeState.choices, default=NoticeState.OPEN
    )
    reply_text = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # Set by the worker when the reply is late and it told the supervisors.
    overdue_at = models.DateTimeField(_("reply overdue since"), null=True, blank=True)

    objects = SupervisionNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="notice_state_due")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"DB-{self.issued_at:%Y}-{self.pk or 0:06d}"

    @property
    def answerer(self) -> str:
        return str(self.unit) if self.unit_id else str(self.jurisdiction)


class KeyCaseQuerySet(models.QuerySet):
    def active(self) -> "KeyCaseQuerySet":
        return self.filter(released_at__isnull=True)

    def visible_to(self, user) -> "KeyCaseQuerySet":
        if not user or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(Q(case__in=Case.objects.visible_to(user)) | Q(leader=user))


class KeyCase(models.Model):
    """领导包保: a leader personally owns a case until it is settled."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="leader_ownerships"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="key_cases",
    )
    note = models.TextField(_("note"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("owned since"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    objects = KeyCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("key case")
        verbose_name_plural = _("key cases (leader ownership)")
        ordering = ["-assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(released_at__isnull=True), name="one_leader_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader} · {self.case_id}"

    @property
    def state(self) -> str:
        return KeyCaseState.ACTIVE if self.released_at is None else KeyCaseState.RELEASED


class JointMeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "JointMeetingQuerySet":
        """The meeting's place and the places above and below it; decision owners."""
        if not user or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        condition = Q(decisions__owners=user)
        if user.department_id:
            condition |= Q(decisions__owner_unit_id=user.department_id)
        scope = user.scope_jurisdiction
        if scope is not None:
            ancestors = []
            node = scope
            while node is not None:
                ancestors.append(node.pk)
                node = node.parent
            condition |= Q(jurisdiction__code__startswith=scope.scope_prefix) | Q(
                jurisdiction_id__in=ancestors
            )
        return self.filter(condition).distinct()


class JointMeeting(models.Model):
    """信访联席会议 of a town (or the city)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    held_at = models.DateTimeField(_("held at"))
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convener"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    # Who attended (出席): people, and units that sent someone (部门报到).
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="+"
    )
    attending_units = models.ManyToManyField(
        Department, verbose_name=_("attending units"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = JointMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_at:%Y-%m-%d} {self.title}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="agenda")
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.JSONField(_("why on the agenda"), default=list)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="agenda_case_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.case_id}"


class MeetingDecision(models.Model):
    """A decision of the meeting: a task owned by one or more people and/or a unit,
    with a deadline, chased by the worker like a case."""

    meeting = models.ForeignKey(
        JointMeeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="decisions"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    text = models.TextField(_("decision"))
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owners"),
        blank=True,
        related_name="meeting_decisions",
    )
    owner_unit = models.ForeignKey(
        Department,
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning from"))
    state = models.CharField(
        _("state"), max_length=8, choices=DecisionState.choices, default=DecisionState.OPEN
    )
    deadline_status = models.CharField(
        _("deadline status"),
        max_length=10,
        choices=DeadlineStatus.choices,
        default=DeadlineStatus.OK,
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "warn_at"], name="decision_state_warn")]

    def __str__(self) -> str:
        return self.text[:50]

    def owner_accounts(self) -> list:
        """Who carries it out, is told about it and may report it done: its owners and
        the active staff of its owning unit."""
        people = list(self.owners.filter(is_active=True))
        if self.owner_unit_id:
            staff = User.objects.filter(department_id=self.owner_unit_id, is_active=True)
            people += [person for person in staff if person not in people]
        return people

    def is_owned_by(self, user) -> bool:
        if user is None or not user.is_authenticated:
            return False
        if self.owner_unit_id and user.department_id == self.owner_unit_id:
            return True
        # Through owners.all(): the prefetched owners when the page read them.
        return any(person.pk == user.pk for person in self.owners.all())

    @property
    def owner_label(self) -> str:
        names = [str(person) for person in self.owners.all()]
        if self.owner_unit_id:
            names.insert(0, str(self.owner_unit))
        return "、".join(names)
