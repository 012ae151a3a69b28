"""Masking of personal data, applied by default in every output.

Names keep the family name and, for three or more characters, the last one
(张*明); ID numbers keep the first 4 and last 4 (3301**********1234), passport and
travel permit numbers 2 and 2 (E1*****78); phones the first 3 and last 4
(138****5678); addresses at most their first 6 characters and never more than half.
Free text is masked by `qingdan.core.pii`, which finds the identifiers and masks each
with the function of its kind here.
"""


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_id_number(value: str | None) -> str:
    """Any identity document: 15 or 18 characters (ID cards, residence permits) keep 4
    and 4; the shorter passports and travel permits keep 2 and 2 (E1*****78), so that
    never more than half of a number shows; 7 or fewer are all masked."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    keep = 4 if len(value) >= 15 else 2
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str | None) -> str:
    if not value:
        return ""
    keep = min(6, max(1, len(value) // 2))
    return value[:keep] + "*" * (len(value) - keep)


def mask_credit_code(value: str | None) -> str:
    # A credit code identifies a company, not a person, but the registration
    # part is masked the same way as an ID number for uniformity in exports.
    return mask_id_number(value)


def mask_card(value: str | None) -> str:
    """Bank cards keep their first 4 and last 4 digits (6222***********0123)."""
    return mask_id_number(value)


def mask_document(value: str | None) -> str:
    """Passports, permits and account names keep their first and last character."""
    if not value:
        return ""
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_email(value: str | None) -> str:
    """The mailbox keeps its first character; the domain stays (z***@example.com)."""
    if not value or "@" not in value:
        return mask_document(value)
    local, _, domain = value.rpartition("@")
    return (local[:1] or "*") + "***@" + domain
