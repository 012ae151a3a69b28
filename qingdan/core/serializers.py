"""Serializer helpers shared by the apps' api.py modules."""

from typing import Any

from rest_framework import serializers


def read_slug(slug_field: str, **kwargs) -> Any:
    """A related object rendered by its code (or tracking number)."""
    if not kwargs.get("many"):
        kwargs.setdefault("allow_null", True)
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, **kwargs)
