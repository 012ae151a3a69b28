"""Open311 output is public: no personal data. Every free text of a case that the feed
carries (the description, the status notes, the address) goes through the one detector
of personal identifiers, `qingdan.core.pii`, with the case's own petitioner values:
phones in any spelling, ID numbers, passports and permits, e-mail addresses, bank cards,
and the petitioner's name and address, whoever typed them."""

from qingdan.core import pii


def scrub(text: str, petitioner=None) -> str:
    """`text` as the public may see it."""
    if not text:
        return ""
    return pii.Masker.for_petitioner(petitioner)(text)
