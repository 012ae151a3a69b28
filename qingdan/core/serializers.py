"""Serializer helpers shared by the apps' api.py modules."""

import copy
import datetime as dt
from functools import cache
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from .catalogue import NOT_GIVEN, ActionSpec, Context, Field, Kind
from .characters import validate_xml_characters

# Covered by validate_xml_characters, which answers one code for all of them.
_REPLACED = (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)


def read_slug(slug_field: str, **kwargs) -> Any:
    """A related object rendered by its code (or tracking number)."""
    if not kwargs.get("many"):
        kwargs.setdefault("allow_null", True)
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, **kwargs)


def copy_fields(prototype: dict[str, serializers.Field]) -> dict[str, serializers.Field]:
    """A serializer instance's fields, copied from its class's unbound prototype.

    DRF deep-copies every declared field for every serializer instance, which runs
    each field's __init__ again: ~0.5 ms for a case's input or output, a tenth of an
    intake's CPU. A plain field is copied shallowly instead: binding it to its
    serializer sets only attributes of the copy (name, parent, source), and what the
    copy shares with the prototype (validators, choices, messages, a queryset that is
    cloned before use) is never changed after the class is built. A field that holds
    other fields (a nested serializer, a list or a many-relation with its child bound
    to it) is deep-copied as DRF does."""
    return {
        name: copy.deepcopy(field)
        if isinstance(field, serializers.BaseSerializer)
        or hasattr(field, "child")
        or hasattr(field, "child_relation")
        else copy.copy(field)
        for name, field in prototype.items()
    }


class BuiltOnce:
    """For serializers used on every request (a case after an action, an intake's
    input): the fields are worked out once per class (from the model, for a
    ModelSerializer; `prepare_fields` adjusts them then), then copied for each instance
    (`copy_fields`; building them cost ~1.4 ms a case)."""

    def get_fields(self):
        cls = type(self)
        prototype = cls.__dict__.get("_built_fields")
        if prototype is None:
            prototype = self.prepare_fields(super().get_fields())  # type: ignore[misc]
            cls._built_fields = prototype  # type: ignore[attr-defined]
        return copy_fields(prototype)

    def prepare_fields(self, fields: dict) -> dict:
        return fields


class InputSerializer(BuiltOnce, serializers.Serializer):
    """A serializer of client input: every writable text field refuses the characters
    XML 1.0 cannot carry, with the code `invalid_characters` (nested serializers are
    checked by their own class). Its fields are prepared once per class and copied
    for each instance (`BuiltOnce`)."""

    def prepare_fields(self, fields: dict) -> dict:
        for field in fields.values():
            if isinstance(field, serializers.CharField) and not field.read_only:
                field.validators = [v for v in field.validators if not isinstance(v, _REPLACED)] + [
                    validate_xml_characters
                ]
        return fields


# --- the API side of catalogue actions ---------------------------------------------


class ContextSlugField(serializers.SlugRelatedField):
    """An object named by its code (or tracking number) among those the caller may
    name; the catalogue field says which (`Field.objects`)."""

    def __init__(self, spec_field: Field, **kwargs):
        self.spec_field = spec_field
        kwargs.setdefault("queryset", spec_field.model.objects.all())
        super().__init__(slug_field=spec_field.slug, **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = request.user if request is not None else None
        return self.spec_field.objects(Context(user, self.context.get("subject")))


class DaysField(serializers.IntegerField):
    """A number of whole days, given to the action as a timedelta."""

    def run_validation(self, data=serializers.empty):
        days = super().run_validation(data)  # checked as a number: min_value, max_value
        return None if days is None else dt.timedelta(days=days)


def _serializer_field(spec_field: Field) -> serializers.Field:
    common: dict[str, Any] = {"help_text": spec_field.help_text or None}
    if spec_field.label:
        common["label"] = spec_field.label
    if spec_field.default is not NOT_GIVEN:
        common.update(required=False, default=spec_field.default)
    elif not spec_field.required:
        common["required"] = False
    if spec_field.kind == Kind.TEXT and "required" in common:
        common["allow_blank"] = True  # an optional text may be sent empty
    kind = spec_field.kind
    if kind == Kind.TEXT:
        return serializers.CharField(max_length=spec_field.max_length, **common)
    if kind == Kind.CHOICE:
        return serializers.ChoiceField(spec_field.choice_pairs(), **common)
    if kind == Kind.INTEGER:
        return serializers.IntegerField(
            min_value=spec_field.min_value, max_value=spec_field.max_value, **common
        )
    if kind == Kind.DAYS:
        return DaysField(min_value=spec_field.min_value, max_value=spec_field.max_value, **common)
    if kind == Kind.BOOLEAN:
        return serializers.BooleanField(**common)
    if kind == Kind.DATE:
        return serializers.DateField(**common)
    if kind == Kind.DATETIME:
        return serializers.DateTimeField(**common)
    if kind == Kind.OBJECT:
        return ContextSlugField(spec_field, **common)
    if kind == Kind.OBJECTS:
        return ContextSlugField(spec_field, many=True, **common)
    if kind == Kind.FILE:
        return serializers.FileField(**common)
    raise ValueError(f"no serializer field for {kind}")


@cache
def action_serializer(spec: ActionSpec) -> type[serializers.Serializer]:
    """The request body of a catalogue action's API endpoint (built once per action):
    exactly its inputs, and `version`, the version the client read (or If-Match); or
    the class the entry names where a body cannot be derived."""
    if spec.serializer is not None:
        return spec.serializer
    fields: dict[str, Any] = {
        name: _serializer_field(spec_field) for name, spec_field in spec.fields.items()
    }
    if spec.versioned:
        fields["version"] = serializers.IntegerField(
            required=False,
            min_value=1,
            help_text="The version of the case you read (or send it as If-Match).",
        )
    # Named for the action, not its URL segment: "reply" is a case's and a notice's.
    name = "".join(part.title() for part in spec.name.split("_")) + "Params"
    return type(name, (InputSerializer,), fields)
