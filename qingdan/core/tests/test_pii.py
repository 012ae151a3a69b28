"""The detector of personal identifiers, on the corpus in data/pii_corpus.toml: every
spelling that must be masked is, and every look-alike is left as it was."""

import re
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

from qingdan.core import pii

CORPUS = tomllib.loads((Path(__file__).parent / "data" / "pii_corpus.toml").read_text("utf-8"))
MASKED = CORPUS["masked"]
KEPT = CORPUS["kept"]


def compact(text: str) -> str:
    """Digits and letters only, full-width read as ASCII: how a reader would piece a
    number together again."""
    return re.sub(r"[^0-9A-Za-z]", "", text.translate(pii.NORMALISE)).upper()


def test_the_corpus_is_large_enough():
    assert len(MASKED) >= 60
    assert len(KEPT) >= 30
    assert len({text for _kind, text, *_secrets in MASKED}) == len(MASKED)


@pytest.mark.parametrize(("kind", "text", "secrets"), [(k, t, s) for k, t, *s in MASKED])
def test_spellings_are_masked(kind, text, secrets):
    masked = pii.mask_text(text)
    assert "*" in masked
    for secret in secrets:
        assert secret not in masked
        assert compact(secret) not in compact(masked)
    assert kind in {finding.kind for finding in pii.find(text)}
    # What surrounds the identifier stays.
    first = text.index(secrets[0])
    assert masked.startswith(text[:first])
    assert pii.mask_text(masked) == masked  # masking twice changes nothing more


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_are_kept(text):
    assert pii.find(text) == []
    assert pii.mask_text(text) == text


def test_the_issues_not_accept_reason():
    reason = "申请人+86 139 1234 5678，身份证110105491231002，地址见卷宗。"
    masked = pii.mask_text(reason)
    for spelling in ("+86 139 1234 5678", "13912345678", "110105491231002"):
        assert compact(spelling) not in compact(masked)
    assert masked == "申请人139****5678，身份证1101*******1002，地址见卷宗。"


def test_the_petitioners_own_values_wherever_they_appear():
    petitioner = SimpleNamespace(
        personal_values=lambda: [
            ("张小明", "张*明"),
            ("李经理", "李*理"),
            ("玲珑镇欧家夼村3号", "玲珑镇欧家******"),
        ]
    )
    masker = pii.Masker.for_petitioner(petitioner)
    text = "张小明（住玲珑镇欧家夼村3号）说，李经理答应付款；张小明13812345678。"
    assert masker(text) == "张*明（住玲珑镇欧家******）说，李*理答应付款；张*明138****5678。"
    assert pii.Masker.for_petitioner(petitioner) is masker  # built once per petitioner
    assert pii.Masker.for_petitioner(None) is pii.DETECTOR
    assert pii.REVEAL(text) == text


def test_structures_and_empty_values():
    assert pii.mask_text("") == ""
    assert pii.mask_text(None) == ""  # type: ignore[arg-type]
    data = {"a": ["13912345678", 3, None], "b": {"c": "E12345678"}}
    assert pii.mask_data(data) == {"a": ["139****5678", 3, None], "b": {"c": "E*******8"}}


def test_overlapping_findings_keep_the_longest():
    findings = pii.find("邮箱13912345678@qq.com")
    assert [(f.kind, f.masked) for f in findings] == [("email", "1***@qq.com")]
