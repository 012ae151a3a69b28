"""Validators for the identifiers Chinese government data carries.

Checksums come from python-stdnum (the GB 11643 check digit of resident ID numbers,
GB 32100 unified social credit code) and phonenumbers (mobile and landline numbers);
the statistical division code rules and the identity document formats are ours
because no library knows them.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
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


# --- identity documents ----------------------------------------------------------------


class IdType(models.TextChoices):
    """The identity documents (有效身份证件) a petitioner may show: mainland citizens
    their resident ID card, people of Hong Kong, Macao and Taiwan a residence permit or
    a travel permit, foreigners a permanent resident card or a passport."""

    RESIDENT_ID = "resident_id", _("Resident identity card")
    HMT_RESIDENCE_PERMIT = (
        "hmt_residence_permit",
        _("Residence permit for Hong Kong, Macao and Taiwan residents"),
    )
    FOREIGN_PERMANENT_RESIDENT = (
        "foreign_permanent_resident",
        _("Foreign permanent resident ID card"),
    )
    PASSPORT = "passport", _("Passport")
    HK_MACAO_PERMIT = (
        "hk_macao_permit",
        _("Mainland travel permit for Hong Kong and Macao residents"),
    )
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")


# GB/T 2260 province-level codes of the mainland: the first two digits of a resident
# ID number. Only these are checked, not the county: python-stdnum also checks that
# the 6-digit county code existed on the birth date, and counties are renamed and
# renumbered (招远 370685 dates from 1991, 五指山 469001 from 2001), so it refuses
# genuine cards of everyone born earlier.
PROVINCE_CODES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55)]
    + [*range(61, 66)]
)
# 港澳台居民居住证 (since 2018): the address code names the region, not a county.
# 810000 Hong Kong, 820000 Macao, 830000 Taiwan.
HMT_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
# No one born before this year is alive to petition (the oldest people living were
# born after 1900); an earlier date is a typo.
EARLIEST_BIRTH_YEAR = 1900
RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")
FOREIGN_OLD_RE = re.compile(r"^[A-Z]{3}\d{12}$")
PASSPORT_RE = re.compile(r"^(?=.*\d)[A-Z0-9]{5,17}$")
HK_MACAO_PERMIT_RE = re.compile(r"^[HM](\d{8}|\d{10})$")
TAIWAN_PERMIT_RE = re.compile(r"^(\d{8}|\d{10}|\d{8}\([A-Z]\)|\d{8}[A-Z])$")


def _id_error(message, problem: str, **params) -> ValidationError:
    return ValidationError(message, code=f"id_number_{problem}", params=params or None)


def normalize_id_number(value: str) -> str:
    """What people type: full-width digits and letters, spaces between groups."""
    text = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"\s+", "", text).upper()


def upgraded_id_number(number: str) -> str | None:
    """The 18-digit form of a first-generation 15-digit number (GB 11643-1999:
    the year gains "19", then the check digit), or None if it cannot be one."""
    if not re.fullmatch(r"\d{15}", number):
        return None
    body = f"{number[:6]}19{number[6:]}"
    try:
        dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return None
    return body + ric.calc_check_digit(body + "0")


def _birth_date(number: str, start: int = 6) -> None:
    raw = number[start : start + 8]
    shown = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    try:
        born = dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        raise _id_error(
            _("The birth date in the number, %(date)s (digits 7 to 14), does not exist."),
            "birth_date",
            date=shown,
        ) from None
    if born > timezone.localdate():
        raise _id_error(
            _("The birth date in the number, %(date)s (digits 7 to 14), is in the future."),
            "birth_date_future",
            date=shown,
        )
    if born.year < EARLIEST_BIRTH_YEAR:
        raise _id_error(
            _(
                "The birth date in the number, %(date)s (digits 7 to 14), is before %(year)d: "
                "check the number."
            ),
            "birth_date_too_early",
            date=shown,
            year=EARLIEST_BIRTH_YEAR,
        )


def _check_digit(number: str) -> None:
    # The expected digit is not told: a wrong check digit nearly always means a typo
    # among the other 17 digits, and "correcting" the last one would store a wrong
    # number that looks valid.
    if ric.calc_check_digit(number) != number[-1]:
        raise _id_error(
            _(
                "The check digit (the last character) does not match the other 17: a digit "
                "is mistyped or two are swapped. Compare the number with the card digit by "
                "digit."
            ),
            "checksum",
        )


def _eighteen_characters(number: str) -> None:
    if len(number) != 18:
        raise _id_error(
            _("The number has 18 characters; this one has %(count)d."),
            "length",
            count=len(number),
        )
    if not RESIDENT_ID_RE.match(number):
        raise _id_error(
            _("The first 17 characters are digits and the last is a digit or X."),
            "characters",
        )


def _resident_id(number: str) -> None:
    if upgraded := upgraded_id_number(number):
        raise _id_error(
            _(
                "This is a 15-digit first-generation ID number: these cards were replaced "
                "from 2004 to 2013 and are no longer valid. Ask for the 18-digit number on "
                "the current card (converted by the standard rule it would be %(upgraded)s; "
                "check it with the person)."
            ),
            "first_generation",
            upgraded=upgraded,
        )
    if re.fullmatch(r"\d{15}", number):
        raise _id_error(
            _(
                "This is a 15-digit first-generation ID number, no longer valid since 2013: "
                "ask for the 18-digit number on the current card."
            ),
            "first_generation",
        )
    _eighteen_characters(number)
    if number[:6] in HMT_PERMIT_REGIONS:
        raise _id_error(
            _(
                "A number starting with %(code)s belongs to a residence permit for Hong Kong, "
                "Macao and Taiwan residents: choose that document type."
            ),
            "wrong_type",
            code=number[:6],
        )
    if int(number[:2]) not in PROVINCE_CODES:
        raise _id_error(
            _("%(code)s (the first two digits) is not a province code of the mainland."),
            "province",
            code=number[:2],
        )
    _birth_date(number)
    _check_digit(number)


def _hmt_residence_permit(number: str) -> None:
    _eighteen_characters(number)
    if number[:6] not in HMT_PERMIT_REGIONS:
        raise _id_error(
            _(
                "A residence permit number starts with 810000 (Hong Kong), 820000 (Macao) or "
                "830000 (Taiwan)."
            ),
            "region",
        )
    _birth_date(number)
    _check_digit(number)


def _foreign_permanent_resident(number: str) -> None:
    # Until 2023: 3 letters (nationality) and 12 digits, whose inner structure is not
    # published, so only the form is checked. Since December 2023: 18 characters on
    # the resident ID's pattern, "9", the province where it was issued, a nationality
    # code, the birth date and the same check digit.
    if FOREIGN_OLD_RE.match(number):
        return
    if len(number) == 18 and number.startswith("9"):
        _eighteen_characters(number)
        if int(number[1:3]) not in PROVINCE_CODES:
            raise _id_error(
                _("%(code)s (digits 2 and 3) is not a province code of the mainland."),
                "province",
                code=number[1:3],
            )
        _birth_date(number)
        _check_digit(number)
        return
    raise _id_error(
        _(
            "A foreign permanent resident ID number is either 18 characters starting with 9 "
            "or, on cards issued before December 2023, 3 letters and 12 digits."
        ),
        "format",
    )


def _passport(number: str) -> None:
    if not PASSPORT_RE.match(number):
        raise _id_error(
            _("A passport number is 5 to 17 letters and digits, with at least one digit."),
            "format",
        )


def _hk_macao_permit(number: str) -> None:
    if not HK_MACAO_PERMIT_RE.match(number):
        raise _id_error(
            _(
                "A mainland travel permit for Hong Kong and Macao residents is H (Hong Kong) "
                "or M (Macao) followed by 8 or 10 digits."
            ),
            "format",
        )


def _taiwan_permit(number: str) -> None:
    if not TAIWAN_PERMIT_RE.match(number):
        raise _id_error(
            _(
                "A mainland travel permit for Taiwan residents has 8 digits (older ones 10 "
                "digits, or 8 digits and a letter)."
            ),
            "format",
        )


ID_CHECKS: dict[str, Callable[[str], None]] = {
    IdType.RESIDENT_ID: _resident_id,
    IdType.HMT_RESIDENCE_PERMIT: _hmt_residence_permit,
    IdType.FOREIGN_PERMANENT_RESIDENT: _foreign_permanent_resident,
    IdType.PASSPORT: _passport,
    IdType.HK_MACAO_PERMIT: _hk_macao_permit,
    IdType.TAIWAN_PERMIT: _taiwan_permit,
}


def validate_identity_document(id_type: str, value: str) -> str:
    """An identity document number of the given type, normalised (upper case, no
    spaces), checked as far as its format allows; ValidationError in the user's
    language otherwise."""
    check = ID_CHECKS.get(id_type)
    if check is None:
        raise ValidationError(_("Unknown type of identity document."), code="id_type_invalid")
    number = normalize_id_number(value)
    if not number:
        raise _id_error(_("The number is empty."), "empty")
    check(number)
    return number


def validate_id_number(value: str) -> str:
    """Resident identity number (GB 11643): 18 characters, province, birth date,
    check digit."""
    return validate_identity_document(IdType.RESIDENT_ID, value)


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
