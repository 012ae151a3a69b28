"""Serializer helpers shared by the apps' api.py modules."""

import copy
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from .characters import validate_xml_characters

# Covered by validate_xml_characters, which answers one code for all of them.
_REPLACED = (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)


def read_slug(slug_field: str, **kwargs) -> Any:
    """A related object rendered by its code (or tracking number)."""
    if not kwargs.get("many"):
        kwargs.setdefault("allow_null", True)
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, **kwargs)


class BuiltOnce:
    """For ModelSerializers rendered once per request (a case after an action): the
    fields are worked out from the model once per class, then copied for each
    instance, as DRF does with declared fields (building them cost ~1.4 ms a case)."""

    def get_fields(self):
        cls = type(self)
        prototype = cls.__dict__.get("_built_fields")
        if prototype is None:
            prototype = super().get_fields()  # type: ignore[misc]
            cls._built_fields = prototype  # type: ignore[attr-defined]
        return copy.deepcopy(prototype)


class InputSerializer(serializers.Serializer):
    """A serializer of client input: every writable text field refuses the characters
    XML 1.0 cannot carry, with the code `invalid_characters` (nested serializers are
    checked by their own class)."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, serializers.CharField) and not field.read_only:
                field.validators = [v for v in field.validators if not isinstance(v, _REPLACED)] + [
                    validate_xml_characters
                ]
        return fields
