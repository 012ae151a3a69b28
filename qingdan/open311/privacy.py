"""Open311 output is public: no personal data. The free texts of a case (the description,
the reply) are scrubbed of the petitioner's own data and of anything shaped like a mobile
phone or an ID number, whoever typed it."""

import re

from qingdan.core.masking import mask_id_number, mask_phone

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9Xx])\d{17}[0-9Xx](?![0-9Xx])")


def scrub(text: str, petitioner=None) -> str:
    if not text:
        return ""
    if petitioner is not None:
        for value, masked in (
            (petitioner.id_number, petitioner.masked_id_number),
            (petitioner.phone, petitioner.masked_phone),
            (petitioner.address, petitioner.masked_address),
            (petitioner.name, petitioner.masked_name),
        ):
            # A one-character value would mask that character everywhere.
            if value and len(value) >= 2:
                text = text.replace(value, masked)
    text = ID_NUMBER.sub(lambda match: mask_id_number(match.group()), text)
    return MOBILE.sub(lambda match: mask_phone(match.group()), text)
