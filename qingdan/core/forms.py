"""The one way a web form calls an action, and the forms derived from a catalogue.

A view builds the form, and on POST calls `form.submit()`: it validates, calls the
form's one action (`perform`), keeps what it returned in `form.result`, and puts a
refusal next to the field it names (`form.status_code` then says 400, 409 …). A refusal of
the actor's rights is a 403, whatever the form.
"""

import datetime as dt
from functools import cache, partial
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.models import ModelChoiceIterator
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .catalogue import ActionSpec, Context, Field, Kind
from .characters import validate_xml_characters
from .errors import ActionError, NotAllowed, ValidationFailed

# Django 6.1's empty choice of a select (BLANK_CHOICE_LABEL) is not yet in Django's own
# Chinese catalogue: named here so that makemessages keeps it in core's.
gettext_noop("- Select an option -")


def check_text_fields(fields) -> None:
    """Every text field refuses characters XML 1.0 cannot carry (`invalid_characters`);
    the rule replaces Django's own refusal of U+0000, which it covers."""
    for field in fields.values():
        if isinstance(field, forms.CharField) and validate_xml_characters not in field.validators:
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ] + [validate_xml_characters]


class CheckedTextForm(forms.Form):
    """A form whose text fields refuse control characters, whichever way they were added
    (declared, or made in __init__): checked when the form is cleaned."""

    def full_clean(self):
        check_text_fields(self.fields)
        super().full_clean()


class CheckedTextModelForm(forms.ModelForm):
    def full_clean(self):
        check_text_fields(self.fields)
        super().full_clean()


def apply_action_error(form: forms.Form, error: ActionError, aliases=None) -> None:
    """Show an action's refusal next to the field it names (or above the form).
    `aliases` maps the action's field names to the form's where they differ."""
    aliases = aliases or {}

    def target(name):
        name = aliases.get(name, name)
        return name if name in form.fields else None

    if isinstance(error, ValidationFailed):
        for name, problems in error.errors.items():
            for problem in problems:
                form.add_error(target(name), str(problem))
    else:
        form.add_error(target(error.field), str(error.message))


class PerformsAction:
    """What makes a form call one action (`perform`); see the module's docstring."""

    # The action's field names that differ from the form's.
    aliases: dict[str, str] = {}
    result: Any = None
    status_code = 200

    def perform(self) -> Any:
        raise NotImplementedError

    def submit(self) -> bool:
        self.status_code = 400
        if not self.is_valid():  # type: ignore[attr-defined]
            return False
        try:
            self.result = self.perform()
        except NotAllowed as error:
            raise PermissionDenied(str(error.message)) from error
        except ActionError as error:
            apply_action_error(self, error, self.aliases)  # type: ignore[arg-type]
            self.status_code = error.status
            return False
        self.status_code = 200
        return True


class ActionForm(PerformsAction, CheckedTextForm):
    pass


class ActionModelForm(PerformsAction, CheckedTextModelForm):
    pass


class TypedObjectField(forms.CharField):
    """An object typed by its name (a tracking number), found among those the actor
    may name."""

    def __init__(self, spec_field: Field, **kwargs):
        super().__init__(**kwargs)
        self.spec_field = spec_field
        self.context: Context | None = None

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        assert self.context is not None  # set by the form
        lookup = {f"{self.spec_field.slug}__iexact": text}
        found = self.spec_field.objects(self.context).filter(**lookup).first()
        if found is None:
            raise forms.ValidationError(self.spec_field.not_found or _("Not found."))
        return found


class GroupedChoiceIterator(ModelChoiceIterator):
    """The objects under their headings, in the queryset's order of first appearance."""

    def __init__(self, field, group):
        super().__init__(field)
        self.group = group

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for item in self.queryset:
            groups.setdefault(str(self.group(item)), []).append(self.choice(item))
        yield from groups.items()


class GroupedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes grouped under headings (the widget renders a group per heading)."""

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.iterator = partial(GroupedChoiceIterator, group=group)  # type: ignore[assignment]


class DaysField(forms.IntegerField):
    """A number of whole days, given to the action as a timedelta."""

    def clean(self, value):
        days = super().clean(value)
        return None if days is None else dt.timedelta(days=days)


class CatalogueForm(ActionForm):
    """The form of one catalogue action on one subject (none for an action that starts
    from its inputs). `expected_version` is the version the page showed: a change made
    meanwhile is a conflict, not an overwrite."""

    spec: ActionSpec

    def __init__(self, *args, subject=None, user, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.spec.name}_%s")
        if self.spec.versioned and subject is not None:
            kwargs.setdefault("initial", {"expected_version": subject.version})
        super().__init__(*args, **kwargs)
        self.subject, self.user = subject, user
        context = Context(user, subject)
        for name, spec_field in self.spec.fields.items():
            form_field = self.fields.get(spec_field.form_name or name)
            if isinstance(form_field, TypedObjectField):
                form_field.context = context
            elif isinstance(form_field, forms.ModelChoiceField):
                form_field.queryset = spec_field.options(context)
            if form_field is not None and callable(spec_field.initial):
                form_field.initial = spec_field.initial_for(context)

    # For templates: what the button says, where the form posts, how it encodes.
    @property
    def action(self) -> str:
        return self.spec.name

    @property
    def label(self):
        return self.spec.label

    @property
    def multipart(self) -> bool:
        return self.spec.multipart

    def inputs(self) -> dict[str, Any]:
        asked = {name: field.form_name or name for name, field in self.spec.fields.items()}
        return {name: self.cleaned_data[key] for name, key in asked.items() if key in self.fields}

    def perform(self):
        version = self.cleaned_data.get("expected_version")
        return self.spec.call(self.user, self.subject, self.inputs(), version)


def _picker(spec: ActionSpec, name: str, spec_field: Field) -> forms.TextInput:
    """A box that suggests values as one types: the fragment at `spec_field.suggest`
    is fetched (htmx) into the field's own <datalist> (web/_field.html)."""
    datalist = f"{spec.path}-{name}-options"
    return forms.TextInput(
        attrs={
            "list": datalist,
            "autocomplete": "off",
            "hx-get": reverse_lazy(spec_field.suggest),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": f"#{datalist}",
            "hx-swap": "innerHTML",
            "placeholder": spec_field.placeholder,
        }
    )


def _form_field(spec: ActionSpec, name: str, spec_field: Field) -> forms.Field:
    common: dict[str, Any] = {
        "label": spec_field.label,
        "required": spec_field.form_required,
        "help_text": spec_field.help_text,
    }
    if spec_field.initial is not None and not callable(spec_field.initial):
        common["initial"] = spec_field.initial
    kind = spec_field.kind
    if kind == Kind.TEXT:
        widget: forms.Widget | None = (
            forms.Textarea(attrs={"rows": spec_field.rows}) if spec_field.rows else None
        )
        return forms.CharField(max_length=spec_field.max_length, widget=widget, **common)
    if kind == Kind.CHOICE:
        choices = spec_field.choice_pairs()
        if spec_field.radio:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        if not spec_field.form_required:
            choices = [("", "---------"), *choices]
        return forms.ChoiceField(choices=choices, **common)
    if kind == Kind.INTEGER:
        return forms.IntegerField(**common)
    if kind == Kind.DAYS:
        return DaysField(min_value=spec_field.min_value, max_value=spec_field.max_value, **common)
    if kind == Kind.BOOLEAN:
        return forms.BooleanField(**common)
    if kind == Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == Kind.DATETIME:
        picker = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        return forms.DateTimeField(widget=picker, **common)
    if kind == Kind.OBJECT:
        if spec_field.typed:
            if spec_field.suggest:
                common["widget"] = _picker(spec, name, spec_field)
            return TypedObjectField(spec_field, max_length=64, **common)
        return forms.ModelChoiceField(queryset=spec_field.model.objects.none(), **common)
    if kind == Kind.OBJECTS:
        if spec_field.group is not None:
            return GroupedMultipleChoiceField(
                group=spec_field.group,
                queryset=spec_field.model.objects.none(),
                widget=forms.CheckboxSelectMultiple(attrs={"class": "filterable"}),
                **common,
            )
        # A long list: checkboxes with a search box (qingdan.js, class "filterable").
        attrs = {"class": "filterable"} if spec_field.searchable else None
        return forms.ModelMultipleChoiceField(
            queryset=spec_field.model.objects.none(),
            widget=forms.CheckboxSelectMultiple(attrs=attrs),
            **common,
        )
    if kind == Kind.FILE:
        return forms.FileField(**common)
    raise ValueError(f"no form field for {kind}")


@cache
def action_form(spec: ActionSpec) -> type[CatalogueForm]:
    """The web form of a catalogue action (built once per action), or the class the
    entry names where a form cannot be derived."""
    if spec.form is not None:
        return spec.form
    attrs: dict[str, Any] = {"spec": spec}
    if spec.versioned:
        attrs["expected_version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    renamed = {name: field.form_name for name, field in spec.fields.items() if field.form_name}
    if renamed:
        attrs["aliases"] = renamed
    for name, spec_field in spec.fields.items():
        if spec_field.in_form:
            attrs[spec_field.form_name or name] = _form_field(spec, name, spec_field)
    return type(f"{spec.name.title().replace('_', '')}Form", (CatalogueForm,), attrs)
