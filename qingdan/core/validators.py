"""Validators for the identifiers Chinese government data carries.

Checksums come from python-stdnum (GB 11643 resident ID, GB 32100 unified social
credit code) and phonenumbers (mobile and landline numbers); the statistical
division code rules are ours because no library knows them.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

DIVISION_CODE_RE = re.compile(r"^\d{12}$")


def validate_division_code(code: str) -> None:
    if not DIVISION_CODE_RE.match(code or ""):
        raise ValidationError(
            _("A statistical division code has exactly 12 digits."), code="division_code_format"
        )


def division_level_prefix(code: str, level: str) -> str:
    """The part of a code shared by every unit under it: 6 digits for a county-level
    city, 9 for a town, all 12 for a village."""
    return code[: {"city": 6, "town": 9, "village": 12}[level]]


def validate_id_number(value: str) -> str:
    """Resident identity number (GB 11643): 18 characters, birth date, checksum."""
    value = (value or "").strip().upper()
    try:
        return ric.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("Not a valid resident ID number (GB 11643): %(reason)s"),
            code="id_number_invalid",
            params={"reason": str(exc)},
        ) from exc


def validate_credit_code(value: str) -> str:
    """Unified social credit code (GB 32100): 18 characters with a checksum."""
    value = (value or "").strip().upper()
    try:
        return uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("Not a valid unified social credit code (GB 32100): %(reason)s"),
            code="credit_code_invalid",
            params={"reason": str(exc)},
        ) from exc


def normalize_phone(value: str) -> str:
    """A Chinese mobile or landline number in national digits (13812345678, 05358211234)."""
    raw = (value or "").strip()
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Not a phone number."), code="phone_invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Not a valid Chinese phone number."), code="phone_invalid")
    if number.country_code != 86:
        raise ValidationError(_("Only Chinese phone numbers are accepted."), code="phone_invalid")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", national)


def validate_phone(value: str) -> None:
    normalize_phone(value)
