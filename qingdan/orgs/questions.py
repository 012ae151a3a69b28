"""Extra questions of a category (Open311's service attributes): what an administrator
wants asked of every case of that kind (e.g. for 路灯: 灯杆编号, 故障类型). They are asked
on the portal and the staff intake form, kept on the case, and served to Open311
clients in the service definition."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from qingdan.core.forms import CheckedTextForm


class Datatype(models.TextChoices):
    """The datatypes of GeoReport v2 attributes."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One of a list")
    MULTI = "multivaluelist", _("Several of a list")


LISTS = frozenset({Datatype.SINGLE, Datatype.MULTI})
STRING_MAX = 200
TEXT_MAX = 2000


class CategoryQuestion(models.Model):
    category = models.ForeignKey(
        "orgs.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    code = models.SlugField(_("code"), max_length=50)
    question = models.CharField(_("question"), max_length=200)
    datatype = models.CharField(_("answer type"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    values = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For the list types: [{"key": "broken", "name": "灯不亮"}, …].'),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        app_label = "orgs"
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        ordering = ["category", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="one_question_per_code")
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def keys(self) -> list[str]:
        return [str(item.get("key", "")) for item in self.values if isinstance(item, dict)]

    def clean(self) -> None:
        errors: dict[str, list] = {}
        values = self.values if isinstance(self.values, list) else None
        if values is None or not all(
            isinstance(v, dict) and str(v.get("key", "")).strip() and str(v.get("name", "")).strip()
            for v in values
        ):
            errors["values"] = [_('A list of {"key": …, "name": …} pairs.')]
        elif self.datatype in LISTS and not values:
            errors["values"] = [_("A list question needs its choices.")]
        elif self.datatype not in LISTS and values:
            errors["values"] = [_("Only the list types have choices.")]
        elif len(set(self.keys)) != len(self.keys):
            errors["values"] = [_("Each choice has its own key.")]
        if errors:
            raise ValidationError(errors)

    def parse(self, raw: Any) -> Any:
        """The answer in its type (a list for a multiple choice), or ValidationError."""
        if self.datatype == Datatype.MULTI:
            chosen = [str(v).strip() for v in (raw if isinstance(raw, list | tuple) else [raw])]
            chosen = [v for v in chosen if v]
            unknown = [v for v in chosen if v not in self.keys]
            if unknown:
                raise ValidationError(
                    _("Not one of the choices: %(v)s.") % {"v": ", ".join(unknown)}
                )
            return chosen
        if isinstance(raw, list | tuple):
            raise ValidationError(_("One answer only."))
        text = "" if raw is None else str(raw).strip()
        if not text:
            return None
        if self.datatype == Datatype.SINGLE:
            if text not in self.keys:
                raise ValidationError(_("Not one of the choices: %(v)s.") % {"v": text})
            return text
        if self.datatype == Datatype.NUMBER:
            try:
                number = Decimal(text)
            except InvalidOperation as exc:
                raise ValidationError(_("Enter a number.")) from exc
            if not number.is_finite():
                raise ValidationError(_("Enter a number."))
            return int(number) if number == number.to_integral_value() else float(number)
        if self.datatype == Datatype.DATETIME:
            parsed = parse_datetime(text) if "T" in text or " " in text else None
            if parsed is None:
                try:
                    parsed = dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
                except ValueError as exc:
                    raise ValidationError(
                        _("Enter a date and time, e.g. 2026-12-06 09:30.")
                    ) from exc
            return parsed.isoformat()
        limit = TEXT_MAX if self.datatype == Datatype.TEXT else STRING_MAX
        if len(text) > limit:
            raise ValidationError(_("At most %(n)d characters.") % {"n": limit})
        return text

    def display(self, answer: Any) -> str:
        """The answer as a person reads it (the choices' names)."""
        names = {str(v.get("key")): str(v.get("name")) for v in self.values if isinstance(v, dict)}
        if isinstance(answer, list):
            return "、".join(names.get(str(a), str(a)) for a in answer)
        return names.get(str(answer), "" if answer is None else str(answer))


class QuestionBook:
    """Every active question and every category's parent, read once (both tables are
    small), for listing many categories without a query each."""

    def __init__(self, category_model):
        self.parents = dict(category_model.objects.values_list("pk", "parent_id"))
        self.by_category: dict[int, list[CategoryQuestion]] = {}
        for question in CategoryQuestion.objects.filter(is_active=True).order_by("order", "pk"):
            self.by_category.setdefault(question.category_id, []).append(question)

    def questions(self, category_id: int | None) -> list[CategoryQuestion]:
        found: list[CategoryQuestion] = []
        seen: set[int] = set()
        while category_id is not None and category_id not in seen:
            seen.add(category_id)
            found.extend(self.by_category.get(category_id, []))
            category_id = self.parents.get(category_id)
        return sorted(found, key=lambda q: (q.order, q.pk))


def questions_for(category) -> list[CategoryQuestion]:
    """The active questions of a category and of the categories above it."""
    if category is None:
        return []
    return QuestionBook(type(category)).questions(category.pk)


def clean_answers(category, answers: dict[str, Any] | None) -> tuple[dict[str, Any], dict]:
    """Check the answers to a category's questions: (answers by code, errors by
    `attributes.<code>`). Unknown codes and missing required answers are errors."""
    answers = answers or {}
    errors: dict[str, list] = {}
    if not isinstance(answers, dict):
        return {}, {"attributes": [_("The answers are a mapping of question codes.")]}
    questions = {q.code: q for q in questions_for(category)}
    cleaned: dict[str, Any] = {}
    for code in answers:
        if code not in questions:
            errors[f"attributes.{code}"] = [_("This category asks no such question.")]
    for code, question in questions.items():
        try:
            value = question.parse(answers.get(code))
        except ValidationError as exc:
            errors[f"attributes.{code}"] = list(exc.messages)
            continue
        if value in (None, []):
            if question.required:
                errors[f"attributes.{code}"] = [_("This question must be answered.")]
            continue
        cleaned[code] = value
    return cleaned, errors


# --- in forms ---------------------------------------------------------------------

FIELD_PREFIX = "q_"


def form_field(question: CategoryQuestion):
    """The form field asking `question`; the answer is checked by `parse` (through
    the registration action), so the form takes it as typed."""
    common: dict[str, Any] = {"label": question.question, "required": False}
    choices = [(str(v.get("key")), str(v.get("name"))) for v in question.values]
    if question.datatype == Datatype.MULTI:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if question.datatype == Datatype.SINGLE:
        return forms.ChoiceField(choices=[("", "---------"), *choices], **common)
    if question.datatype == Datatype.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if question.datatype == Datatype.DATETIME:
        widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
        return forms.CharField(widget=widget, **common)
    if question.datatype == Datatype.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    return forms.CharField(max_length=STRING_MAX, **common)


class AsksQuestions(CheckedTextForm):
    """For a form with a category field: adds the category's questions as fields
    (`q_<code>`), gives their answers to the action as `attributes`, and shows the
    action's refusals (`attributes.<code>`) next to them."""

    category_field = "category"
    questions: list[CategoryQuestion] = []
    aliases: dict[str, str] = {}

    def add_questions(self, category) -> None:
        self.questions = questions_for(category)
        aliases = dict(self.aliases)
        for question in self.questions:
            self.fields[FIELD_PREFIX + question.code] = form_field(question)
            aliases[f"attributes.{question.code}"] = FIELD_PREFIX + question.code
        self.aliases = aliases

    def question_fields(self) -> list:
        return [self[FIELD_PREFIX + q.code] for q in self.questions]

    def answers(self) -> dict[str, Any]:
        return {q.code: self.cleaned_data.get(FIELD_PREFIX + q.code) for q in self.questions}

    def chosen_category(self, queryset):
        """The category the form was posted with (or shows initially)."""
        if self.is_bound:
            value = self.data.get(self.add_prefix(self.category_field))
        else:
            value = self.initial.get(self.category_field)
        try:
            return queryset.filter(pk=int(value)).first() if value else None
        except (TypeError, ValueError):
            return None
