"""Form helpers shared by the apps' forms.py modules."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from .characters import validate_xml_characters


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
