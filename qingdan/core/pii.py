"""The one detector of Chinese personal identifiers in free text, and masking with it.

What it finds (and masks with `qingdan.core.masking`):

- mobile numbers in any spelling: 13912345678, +8613912345678, 8613912345678,
  008613912345678, 139-1234-5678, 139 1234 5678, 139.1234.5678, full-width digits;
  landlines with their area code: 010-12345678, (0535)8212345, 0535 821 2345, +86 535 …;
  other countries' numbers written with + or 00. Validity comes from `phonenumbers`
  (the number plan: 140… or 021-1234567 are not numbers and stay);
- resident ID numbers: 18 characters with a valid GB 11643 checksum (upper or lower x,
  spaced or not), and 15-digit ones; both need a known region code and a real birth
  date (`python-stdnum`'s checksum and region table); after a label (身份证号 …) an
  18-character number is masked even when its checksum was mistyped;
- passports (E12345678, EA1234567, G12345678), exit-entry permits to Hong Kong/Macao
  (C01234567, CA1234567), mainland travel permits of Hong Kong/Macao residents
  (H12345678, M12345678), permits to Taiwan (L12345678), Hong Kong identity cards with
  their check digit (A123456(3)), and 8- or 10-digit Taiwan compatriot permits, QQ
  numbers and WeChat ids when a label says so (台胞证 12345678, QQ 12345678, 微信 abc_123);
- e-mail addresses;
- bank card numbers: 16–19 digits, spaced or not, with a card prefix and the Luhn
  check (`python-stdnum`);
- the values of the case's own petitioner (name, contact person, phone, ID number,
  address) wherever they appear, given as `known` pairs (value, masked value).

What it leaves: tracking numbers (ZY-2026-000123), dates (2026-12-06, 20261206), times,
amounts (12345678元, 1,234,567.89), percentages, 12-digit division codes, house numbers,
12345 work-order numbers (2026120600123, GD20261206000123), numbers that fail the checks
above (an unlabelled number whose ID checksum fails, 14012345678), local landline numbers
without an area code (8212345), and unified social credit codes: they identify an
organisation or a registered business, which is public in the national enterprise
credit register.

Full-width characters are read as their ASCII forms; the text is scanned with
precompiled expressions, and the library checks run only on candidates (cached).
"""

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn, numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from . import masking

# --- normalisation: one character for one, so positions stay ----------------------

_WIDE = {chr(0xFF10 + i): str(i) for i in range(10)}
_WIDE |= {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
_WIDE |= {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
_WIDE |= {"＋": "+", "（": "(", "）": ")", "．": ".", "＠": "@", "＿": "_", "：": ":"}
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_WIDE |= dict.fromkeys(_DASHES, "-")
_WIDE |= dict.fromkeys("\u00a0\u2002\u2003\u2009\u202f\u3000", " ")
NORMALISE = str.maketrans(_WIDE)
# Translating a whole text is slow; it is done only when it holds full-width digits,
# letters, + or @ (rare). Brackets, colons, dashes and spaces of every width, common in
# Chinese text, are read by the expressions themselves.
NEEDS_NORMALISING = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff0b\uff20]")

# --- the expressions --------------------------------------------------------------

_SPACE = " \u00a0\u2002\u2003\u2009\u202f\u3000"
# A run of digit groups with the separators people type between them: spaces, dots,
# hyphens, brackets (a leading + or "(+" marks an international number). Python's re
# scans fastest for a pattern that starts with a set of characters: runs are first
# found coarsely (long enough for any number) and read precisely only there.
COARSE = re.compile(rf"[0-9][0-9.()（）\-{_DASHES}{_SPACE}Xx]{{8,}}")
RUN = re.compile(
    rf"(?:[(（]\+?[{_SPACE}]?[(（]?[0-9]|\+[{_SPACE}]?[(（]?[0-9]|[0-9])[0-9]*"
    rf"(?:[.()（）\-{_DASHES}{_SPACE}]{{1,3}}[0-9]+)*(?:[Xx](?![A-Za-z0-9]))?"
)
GROUP = re.compile(r"[0-9]+")
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
    r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
)
# Documents are found coarsely (a letter, a letter or digit, 7–10 digits) and then
# matched exactly, for the same reason as runs.
DOCUMENT_LIKE = re.compile(r"[CEGHLMceghlm][0-9A-Za-z][0-9]{7,10}(?![A-Za-z0-9])")
DOCUMENT = re.compile(
    r"[EeGg][0-9]{8}|[Ee][A-HJ-NP-Za-hj-np-z][0-9]{7}"  # passports
    r"|[Cc][0-9]{8}|[Cc][A-HJ-NP-Za-hj-np-z][0-9]{7}"  # exit-entry permits to HK/Macao
    r"|[HhMm][0-9]{8}(?:[0-9]{2})?"  # mainland travel permits of HK/Macao residents
    r"|[Ll][0-9]{8}"  # permits to Taiwan
)
HKID = re.compile(r"([A-Z]{1,2})([0-9]{6})[(（]([0-9A])[)）]")
HKID_CHECK = re.compile(r"[0-9][(（][0-9A][)）]")
_NUMBER_WORD = rf"(?:号码|号)?[:：{_SPACE}]{{0,3}}"
# Numbers known by their label: (words that must be in the text, expression).
LABELLED = {
    "id_number": (
        ("身份", "证件"),
        re.compile(
            rf"(?:身份证|公民身份号码|证件){_NUMBER_WORD}"
            r"([0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])"
        ),
    ),
    "taiwan": (
        ("台胞证", "通行证"),
        re.compile(
            rf"(?:台胞证|台湾居民来往大陆通行证|来往大陆通行证){_NUMBER_WORD}"
            r"([0-9]{8}(?:[0-9]{2})?)(?![0-9])"
        ),
    ),
    "qq": (
        ("QQ", "qq", "Qq"),
        re.compile(rf"(?<![A-Za-z])(?:QQ|qq|Qq){_NUMBER_WORD}([1-9][0-9]{{4,10}})(?![0-9])"),
    ),
    "wechat": (
        ("微信", "weixin", "echat"),
        re.compile(
            rf"(?:微信|weixin|WeChat|wechat)(?:号码|号|ID|id)?[:：{_SPACE}]{{0,3}}"
            r"([A-Za-z][A-Za-z0-9_\-]{5,19})"
        ),
    ),
}
# Words that may stand right before a number without a space (Tel13912345678).
LABELS = frozenset({"tel", "phone", "mobile", "mob", "cell", "call", "fax", "no", "hp"})
# Fewer digits than this in a run: no phone with its area code, ID or card number.
MIN_DIGITS = 9
MAX_DIGITS = 20

# Regions of Hong Kong, Macao and Taiwan residence permits (not in the county table).
PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})


@dataclass(frozen=True, slots=True)
class Finding:
    start: int
    end: int
    kind: str
    masked: str


# --- the checks, each run once per distinct candidate --------------------------------

PHONE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "landline",
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
}


def _phone(text: str, region: str | None = "CN") -> tuple[str, str] | None:
    """(kind, masked) of a valid personal number: mobile or fixed line, not 400/800."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    kind = PHONE_TYPES.get(phonenumbers.number_type(number))
    if kind is None:
        return None
    national = str(number.national_number)
    if number.country_code == 86 and kind == "landline":
        national = "0" + national
    elif number.country_code != 86:
        kind = "phone"
    return kind, masking.mask_phone(national)


@functools.cache
def _region_known(code: str) -> bool:
    if code in PERMIT_REGIONS:
        return True
    return any("county" in props for _part, props in numdb.get("cn/loc").info(code))


def _resident_id(text: str) -> tuple[str, str] | None:
    number = text.upper()
    if len(number) == 18:
        if not number[:17].isdigit() or ric.calc_check_digit(number) != number[17]:
            return None
        full = number
    elif len(number) == 15 and number.isdigit():
        full = number[:6] + "19" + number[6:] + "0"  # the 18-digit form, for the date
    else:
        return None
    try:
        born = ric.get_birth_date(full)
    except StdnumError:
        return None
    if born.year < 1900 or born > dt.date.today() or not _region_known(number[:6]):
        return None
    return "id_number", masking.mask_id_number(number)


def _card_prefix(number: str) -> bool:
    """UnionPay 62…, Visa 4…, Mastercard 51–55 and 2221–2720, JCB/Amex 3…, Discover
    6…, older domestic cards 9…: not a number that starts like a phone or a date."""
    return number[0] in "34569" or 2221 <= int(number[:4]) <= 2720


@functools.lru_cache(maxsize=8192)
def classify(digits: str, international: bool) -> tuple[str, str] | None:
    """(kind, masked) if the digits (with a final X for ID numbers) are an identifier."""
    if digits[-1] in "Xx":
        return _resident_id(digits)
    if international:
        return _phone("+" + digits, None)
    if digits.startswith("00") and len(digits) > 8:
        return _phone("+" + digits[2:], None)
    size = len(digits)
    if digits.startswith("86") and size == 13 and digits[2] == "1":
        found = _phone("+" + digits, None)
        return found if found and found[0] == "mobile" else None
    if digits[0] == "1" and size == 11:
        found = _phone(digits)
        return found if found and found[0] == "mobile" else None
    if digits[0] == "0" and 10 <= size <= 12:
        found = _phone(digits)
        return found if found and found[0] == "landline" else None
    if size in (15, 18):
        found = _resident_id(digits)
        if found:
            return found
        if size == 18 and uscc.is_valid(digits):
            return None  # an organisation's code is public
    if 16 <= size <= 19 and _card_prefix(digits) and luhn.is_valid(digits):
        return "bank_card", masking.mask_card(digits)
    return None


def _hkid_valid(prefix: str, digits: str, check: str) -> bool:
    values = [36 if len(prefix) == 1 else ord(prefix[0]) - 55]
    values += [ord(c) - 55 for c in prefix[-1]] + [int(d) for d in digits]
    total = sum(value * weight for value, weight in zip(values, range(9, 1, -1), strict=True))
    expected = (11 - total % 11) % 11
    return check == ("A" if expected == 10 else str(expected))


# --- finding ------------------------------------------------------------------------


def _is_latin_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _glued_to_word(text: str, start: int) -> bool:
    """Digits right after a Latin letter belong to a code (GD2026…, SN1391…), unless
    the word is a label such as Tel."""
    if start == 0 or not _is_latin_letter(text[start - 1]):
        return False
    word_start = start - 1
    while word_start > 0 and _is_latin_letter(text[word_start - 1]):
        word_start -= 1
    return text[word_start:start].lower() not in LABELS


def _separator(text: str) -> str:
    return text.strip() or " "


def _may_group(seps: list[str], first: str) -> bool:
    """People keep one separator in a number (139-1234-5678, 139 1234 5678); only the
    one after a country or area code may differ (+86 139-1234-5678, (0535)821-2345).
    Mixed ones are dates and spans: 1974.10-1978.1."""
    if len(seps) < 2 or len(set(seps[1:])) == 1 and seps[1] == seps[0]:
        return True
    prefix = first.startswith("0") or first in {"86", "852", "853", "886"} or seps[0] == ")"
    return prefix and len(set(seps[1:])) == 1


def _candidate_runs(text: str) -> Iterable[re.Match]:
    for region in COARSE.finditer(text):
        yield from RUN.finditer(text, max(0, region.start() - 3), region.end())


def _runs(text: str) -> Iterable[Finding]:
    for run in _candidate_runs(text):
        base, end = run.span()
        if end - base < MIN_DIGITS or (base and text[base - 1].isdigit()):
            continue
        if _glued_to_word(text, base) or (end < len(text) and _is_latin_letter(text[end])):
            continue  # part of a code: 91110000600037341L, GD2026…, E12345678
        body = run.group().translate(NORMALISE)
        groups = [match.span() for match in GROUP.finditer(body)]
        seps = [_separator(body[a[1] : b[0]]) for a, b in zip(groups, groups[1:], strict=False)]
        international = body.lstrip("(").startswith("+")
        suffix = body[-1] if body[-1] in "Xx" else ""
        index = 0
        while index < len(groups):
            best = None
            digits = ""
            for last in range(index, len(groups)):
                if last > index and not _may_group(seps[index:last], body[slice(*groups[index])]):
                    break
                digits += body[slice(*groups[last])]
                if len(digits) > MAX_DIGITS:
                    break
                # A number with a decimal part is an amount: 18112525462.26.
                if (
                    last + 1 < len(groups) and seps[last] == "." and "." not in seps[index:last]
                ) or (index > 0 and seps[index - 1] == "." and "." not in seps[index:last]):
                    continue
                found = classify(digits, international and index == 0)
                if found:
                    best = (last, found, 0)
                if suffix and last == len(groups) - 1 and len(digits) == 17:
                    found = classify(digits + suffix, False)
                    if found:
                        best = (last, found, 1)
            if best is None:
                index += 1
                continue
            last, (kind, masked), extra = best
            start, stop = groups[index][0], groups[last][1] + extra
            if index == 0:
                # A leading + belongs to the number, a bracket only if it closes inside
                # it: (0535)8212345, (+86)139…, but not （13912345678）.
                lead = 0
                if body[0] == "(" and ")" not in body[:stop]:
                    lead = 1
                if body[lead] in "(+":
                    start = lead
            yield Finding(base + start, base + stop, kind, masked)
            index = last + 1


def _documents(text: str) -> Iterable[Finding]:
    for match in DOCUMENT_LIKE.finditer(text):
        start = match.start()
        if start and (text[start - 1].isascii() and text[start - 1].isalnum()):
            continue
        if not DOCUMENT.fullmatch(match.group()):
            continue
        token = match.group().upper()
        yield Finding(start, match.end(), "document", masking.mask_document(token))
    if HKID_CHECK.search(text):
        for match in HKID.finditer(text):
            start = match.start()
            if start and (text[start - 1].isascii() and text[start - 1].isalnum()):
                continue
            if _hkid_valid(*match.groups()):
                yield Finding(start, match.end(), "document", match.group(1) + "******(*)")
    for kind, (words, expression) in LABELLED.items():
        if not any(word in text for word in words):
            continue
        for match in expression.finditer(text):
            start, end = match.span(1)
            value = match.group(1)
            # A labelled ID number is masked even when its checksum was mistyped.
            if kind == "id_number":
                masked = masking.mask_id_number(value.upper())
            else:
                masked = masking.mask_document(value)
            yield Finding(start, end, kind, masked)


def _emails(text: str) -> Iterable[Finding]:
    for match in EMAIL.finditer(text):
        value = match.group()
        tld = value.rsplit(".", 1)[-1]
        if 2 <= len(tld) <= 24 and tld.isalpha():
            yield Finding(match.start(), match.end(), "email", masking.mask_email(value))


def _known(text: str, known: Sequence[tuple[str, str]]) -> Iterable[Finding]:
    for value, masked in known:
        start = text.find(value)
        while start != -1:
            yield Finding(start, start + len(value), "petitioner", masked)
            start = text.find(value, start + len(value))


def find(text: str, known: Sequence[tuple[str, str]] = ()) -> list[Finding]:
    """The identifiers in `text`, in order and without overlaps (the earliest, then
    the longest wins)."""
    if not text:
        return []
    findings = list(_known(text, known)) if known else []
    normal = text.translate(NORMALISE) if NEEDS_NORMALISING.search(text) else text
    if "@" in normal:
        findings.extend(_emails(normal))
    findings.extend(_documents(normal))
    findings.extend(_runs(normal))
    if len(findings) < 2:
        return findings
    findings.sort(key=lambda f: (f.start, f.start - f.end))
    kept: list[Finding] = []
    for finding in findings:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def mask_text(text: str, known: Sequence[tuple[str, str]] = ()) -> str:
    """`text` with every identifier replaced by its masked form."""
    if not text:
        return text if text is not None else ""
    findings = find(text, known)
    if not findings:
        return text
    parts, position = [], 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(finding.masked)
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


class Masker:
    """Masks free text for one case: the detector plus the values of its petitioner.
    `REVEAL` shows the text whole (after a logged reveal)."""

    __slots__ = ("known", "reveals")
    do_not_call_in_templates = True  # a template passes it to |masked, never calls it

    def __init__(self, known: Sequence[tuple[str, str]] = (), *, reveals: bool = False):
        # Longer values first, so an address wins over a name inside it.
        self.known = tuple(sorted(known, key=lambda pair: -len(pair[0])))
        self.reveals = reveals

    def __call__(self, text: str) -> str:
        if self.reveals:
            return text
        return mask_text(text, self.known)

    @classmethod
    def for_petitioner(cls, petitioner) -> "Masker":
        """The masker of a case with this petitioner (None: the detector alone); kept
        on the petitioner, which every row of a list page shares."""
        if petitioner is None or not hasattr(petitioner, "personal_values"):
            return DETECTOR
        masker = getattr(petitioner, "_pii_masker", None)
        if masker is None:
            masker = cls(petitioner.personal_values())
            petitioner._pii_masker = masker
        return masker


DETECTOR = Masker()
REVEAL = Masker(reveals=True)


def mask_data(value, masker: Masker = DETECTOR):
    """Every string in a structure of dicts and lists, masked."""
    if isinstance(value, str):
        return masker(value)
    if isinstance(value, dict):
        return {key: mask_data(item, masker) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(item, masker) for item in value]
    return value
