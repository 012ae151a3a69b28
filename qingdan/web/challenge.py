"""Flood protection for the citizen portal, without any outside service.

- An arithmetic question whose answer travels only as an HMAC inside a signed,
  timestamped token: a bot cannot read the answer, a token expires, and a token
  that once registered a case is spent (remembered in the cache).
- A honeypot field that people never see and simple bots fill in.
- Counters in Django's cache per client address and per phone number.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

from qingdan.core.limits import count, uncount

SALT = "qingdan.web.portal.challenge"
TOKEN_MAX_AGE = 60 * 60
HOUR = 60 * 60
DAY = 24 * HOUR


def _answer_mac(nonce: str, answer: int) -> str:
    return salted_hmac(SALT, f"{nonce}:{answer}", algorithm="sha256").hexdigest()


def new_challenge() -> tuple[int, int, str]:
    """Two small numbers to add, and the token that lets the server check the sum."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps({"n": nonce, "h": _answer_mac(nonce, a + b)}, salt=SALT)
    return a, b, token


def check_challenge(token: str, answer: int | None) -> str | None:
    """The nonce of a valid, unspent token answered correctly; None otherwise."""
    if answer is None:
        return None
    try:
        data = signing.loads(token or "", salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    nonce, mac = data.get("n", ""), data.get("h", "")
    if not nonce or not constant_time_compare(mac, _answer_mac(nonce, answer)):
        return None
    if cache.get(f"portal-challenge-spent:{nonce}"):
        return None
    return nonce


def spend_challenge(nonce: str) -> bool:
    """Mark the answered challenge used, before the case is registered; False when it
    already was. One atomic add: two submissions at the same moment with one answer
    (on one server or two) cannot both pass."""
    return cache.add(f"portal-challenge-spent:{nonce}", 1, TOKEN_MAX_AGE)


def restore_challenge(nonce: str) -> None:
    """The submission was refused: its answer may be sent again, corrected."""
    cache.delete(f"portal-challenge-spent:{nonce}")


def allow_submission_from(address: str) -> bool:
    """Counts every submission attempt from an address (a flood is refused early)."""
    limit = settings.QINGDAN_PORTAL_SUBMISSIONS_PER_ADDRESS
    return count(f"portal-submit-ip:{address}", HOUR) <= limit


def reserve_phone_submission(phone: str) -> bool:
    """Count a submission from this phone before it is made (one atomic increment, so
    that submissions at the same moment cannot all pass a check made before any was
    counted); False, and not counted, when the day's limit is reached."""
    if count(f"portal-submit-phone:{phone}", DAY) > settings.QINGDAN_PORTAL_CASES_PER_PHONE:
        release_phone_submission(phone)
        return False
    return True


def release_phone_submission(phone: str) -> None:
    """The submission was refused: it does not count against the phone."""
    uncount(f"portal-submit-phone:{phone}")


def allow_lookup_from(address: str) -> bool:
    """Tracking numbers are sequential: look-ups are limited to stop enumeration."""
    limit = settings.QINGDAN_PORTAL_LOOKUPS_PER_ADDRESS
    return count(f"portal-lookup-ip:{address}", HOUR) <= limit
