"""The organisation: jurisdictions (city → town → village), departments, staff.

Visibility is a queryset method (`visible_to(user)`) on every model a user lists,
in the manner of NetBox's `restrict()`: views and the API never filter by hand.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingdan.core.validators import validate_division_code

from .choices import LEVEL_PREFIX_LENGTH, PARENT_LEVEL, DepartmentKind, Level, Role
from .permissions import is_administrator
from .questions import CategoryQuestion as CategoryQuestion


class JurisdictionQuerySet(models.QuerySet):
    def under(self, jurisdiction: "Jurisdiction") -> "JurisdictionQuerySet":
        return self.filter(code__startswith=jurisdiction.scope_prefix)

    def visible_to(self, user) -> "JurisdictionQuerySet":
        if not user or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        if user.jurisdiction_id:
            return self.under(user.jurisdiction)
        if user.department_id:
            return self.under(user.department.jurisdiction)
        return self.none()


class Jurisdiction(models.Model):
    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        validators=[validate_division_code],
        help_text=_("12-digit statistical division code (统计用区划代码)."),
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_prefix(self) -> str:
        """Codes of this unit and everything under it start with this prefix."""
        return self.code[: LEVEL_PREFIX_LENGTH[Level(self.level)]]

    def contains(self, other: "Jurisdiction | None") -> bool:
        return other is not None and other.code.startswith(self.scope_prefix)

    def ancestor(self, level: str) -> "Jurisdiction | None":
        node: Jurisdiction | None = self
        while node is not None and node.level != level:
            node = node.parent
        return node

    def clean(self) -> None:
        errors: dict[str, list] = {}
        # `parent` may be an unsaved unit of the same import, so use the object, not parent_id.
        parent = self.parent
        level = Level(self.level) if self.level in Level.values else None
        expected_parent = PARENT_LEVEL.get(level) if level else None
        level_label = level.label if level else ""
        if level == Level.CITY and parent is not None:
            errors.setdefault("parent", []).append(_("A city has no parent."))
        if expected_parent and parent is None:
            errors.setdefault("parent", []).append(
                _("A %(level)s needs a parent %(parent)s.")
                % {"level": level_label, "parent": Level(expected_parent).label}
            )
        if expected_parent and parent is not None and parent.level != expected_parent:
            errors.setdefault("parent", []).append(
                _("The parent of a %(level)s must be a %(parent)s.")
                % {"level": level_label, "parent": Level(expected_parent).label}
            )
        code = self.code or ""
        if level and len(code) == 12 and code.isdigit():
            own = LEVEL_PREFIX_LENGTH[level]
            if code[own:].strip("0"):
                errors.setdefault("code", []).append(
                    _("A %(level)s code ends in %(zeros)d zeros.")
                    % {"level": level.label, "zeros": 12 - own}
                )
            own_digits = code[:6] if level == Level.CITY else code[own - 3 : own]
            if not own_digits.strip("0"):
                errors.setdefault("code", []).append(
                    _("The digits that identify this %(level)s cannot all be zero.")
                    % {"level": level.label}
                )
            if parent is not None and not code.startswith(parent.scope_prefix):
                errors.setdefault("code", []).append(
                    _("The code must start with its parent's prefix %(prefix)s.")
                    % {"prefix": parent.scope_prefix}
                )
        if errors:
            raise ValidationError(errors)


class Category(models.Model):
    """A kind of problem (城乡建设, 劳动和社会保障 …), optionally nested."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


# The endings of place names (招远市, 泉山街道, 玲珑镇 …): what is left names the place.
PLACE_ENDINGS = ("街道", "社区", "市", "县", "区", "镇", "乡", "村")


def place_stem(name: str) -> str:
    """招远市 → 招远, 泉山街道 → 泉山; a name that would be left with one character
    stays whole."""
    for ending in PLACE_ENDINGS:
        if name.endswith(ending) and len(name) - len(ending) >= 2:
            return name[: -len(ending)]
    return name


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DepartmentQuerySet":
        if not user or not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        scope = user.scope_jurisdiction
        if scope is None:
            return self.none()
        # A town sees its own offices and the city bureaus it hands cases to.
        return self.filter(
            Q(jurisdiction__code__startswith=scope.scope_prefix)
            | Q(jurisdiction__level=Level.CITY, jurisdiction__code__startswith=scope.code[:6])
        )


class Department(models.Model):
    """A handling unit (承办单位): a city bureau, a town office, a police station."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="departments",
        help_text=_("The city for a city bureau, the town for a town office."),
    )
    categories = models.ManyToManyField(
        Category,
        verbose_name=_("categories in charge"),
        blank=True,
        related_name="departments",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["jurisdiction__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="department_name_unique_in_jurisdiction"
            )
        ]

    def __str__(self) -> str:
        """The unit with its place in front (玲珑镇综治办), unless its name already says
        the place (烟台市生态环境局招远分局, 玲珑派出所)."""
        place = self.jurisdiction.name
        if place in self.name or place_stem(place) in self.name:
            return self.name
        return f"{place}{self.name}"

    def clean(self) -> None:
        owner = (
            self.jurisdiction
            if self.jurisdiction_id or "jurisdiction" in self._state.fields_cache
            else None
        )
        if owner is not None and owner.level == Level.VILLAGE:
            raise ValidationError(
                {"jurisdiction": _("Departments belong to a city or a town, not a village.")}
            )


class StaffManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().select_related("jurisdiction", "department__jurisdiction")

    def leaders_near(self, user):
        """Active leaders over the places `user` sees, and above them (who may receive
        walk-in petitioners or own a case there)."""
        above = []
        scope = user.scope_jurisdiction
        while scope is not None:
            above.append(scope.pk)
            scope = scope.parent
        return self.filter(role=Role.LEADER, is_active=True).filter(
            Q(jurisdiction__in=Jurisdiction.objects.visible_to(user)) | Q(jurisdiction_id__in=above)
        )


class User(AbstractUser):
    """A staff account, bound to a jurisdiction (agents, supervisors…) and/or a unit."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = StaffManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.HANDLER and not self.department_id:
            raise ValidationError({"department": _("A handler belongs to a unit.")})
        if self.role in {Role.AGENT, Role.SUPERVISOR, Role.LEADER} and not self.jurisdiction_id:
            raise ValidationError({"jurisdiction": _("This role is bound to a jurisdiction.")})

    @property
    def scope_jurisdiction(self) -> Jurisdiction | None:
        if self.jurisdiction is not None:
            return self.jurisdiction
        if self.department is not None:
            return self.department.jurisdiction
        return None

    @property
    def tier(self) -> str | None:
        """The tier this person works at: village, town or city."""
        scope = self.scope_jurisdiction
        return scope.level if scope else None

    @property
    def sees_everything(self) -> bool:
        if is_administrator(self):
            return True
        return bool(
            self.jurisdiction is not None
            and self.jurisdiction.level == Level.CITY
            and self.role != Role.HANDLER
        )

    @property
    def can_reveal_personal_data(self) -> bool:
        return self.has_perm("cases.reveal_personal_data")
