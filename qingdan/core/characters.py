"""Characters that XML 1.0 cannot carry, refused at intake and stripped at output.

XML 1.0 allows tab, LF, CR and everything from U+0020 except the surrogates and
U+FFFE/U+FFFF. A bell (U+0007) typed into a complaint is harmless in the database but
makes every XML document that carries it ill-formed (the Open311 feed, .xlsx cells),
and PostgreSQL refuses U+0000 outright. Every form and serializer that takes text
refuses them with the code `invalid_characters` (`qingdan.core.forms.CheckedTextForm`,
`qingdan.core.serializers.InputSerializer`, the 12345 importer), and every XML writer
strips them as a last line of defence for data stored before the rule.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

CODE = "invalid_characters"
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def first_illegal(text: object) -> str | None:
    """The first character XML 1.0 cannot carry, or None."""
    if not isinstance(text, str):
        return None
    match = ILLEGAL.search(text)
    return match.group() if match else None


def strip_illegal(text: str) -> str:
    """The text without the characters XML 1.0 cannot carry."""
    return ILLEGAL.sub("", text) if text else text


def describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def invalid_characters_message(char: str) -> str:
    return str(
        _(
            "The text contains a control character (%(char)s) that cannot be stored; "
            "delete it and try again."
        )
        % {"char": describe(char)}
    )


class XmlCharactersValidator(RegexValidator):
    """A Django validator (forms, DRF serializers and models accept it alike). A regex
    validator so that the OpenAPI schema documents the rule as the field's `pattern`;
    the message names the character found."""

    # Without the lone surrogates, which JSON clients cannot send as text and schema
    # tools cannot generate; __call__ refuses them too.
    regex = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*\Z"
    code = CODE

    def __call__(self, value) -> None:
        char = first_illegal(value)
        if char is not None:
            raise ValidationError(invalid_characters_message(char), code=CODE)


validate_xml_characters = XmlCharactersValidator()
