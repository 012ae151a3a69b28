"""Shared test data: real complaint messages from the public data set (read-only), or
the messages written for the tests when the data set is not beside the repository."""

import copy
import csv
import functools
import unittest
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from qingdan.cases import actions
from qingdan.triage.duplicates import case_index

from .fixtures import labelled_messages

# shared/ lies beside the repository in CI, not in a clone of the project alone.
DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "complaints"
LABELLED = DATA / "labelled_messages.csv"

# Data-set labels mapped onto the test county's categories (orgs.testing.build_county).
LABEL_TO_CATEGORY = {
    "城乡建设": "construction",
    "劳动和社会保障": "labour",
    "教育文体": "education",
    "环境保护": "environment",
}


def evaluates_on_shared_data(path: Path = LABELLED):
    """Skip a test that judges results on the real data set when it is missing (the
    messages written for the tests would make its figures meaningless)."""
    return unittest.skipUnless(
        path.exists(), f"{path} is missing: this test evaluates on the shared data set"
    )


@functools.cache
def labelled_rows() -> list[dict]:
    if not LABELLED.exists():
        return labelled_messages()
    with LABELLED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def sample(label: str, count: int, skip: int = 0) -> list[dict]:
    """The first `count` messages of `label` that have a title, after `skip` of them."""
    rows = [r for r in labelled_rows() if r["label"] == label and r["title"].strip()]
    return rows[skip : skip + count]


def body(row: dict) -> str:
    text, title = row["text"], row["title"]
    return text[len(title) :].strip() if text.startswith(title) else text


def register(org, user=None, *, title, content, jurisdiction=None, **extra):
    return actions.register_case(
        user or org.village_agent,
        channel=extra.pop("channel", "walk_in"),
        title=title,
        content=content,
        jurisdiction=jurisdiction or org.village,
        **extra,
    )


class FreshIndexMixin:
    """The near-duplicate index is per process; test rollbacks reuse primary keys."""

    def setUp(self):
        super().setUp()
        case_index.reset()


def pages(cls):
    """Page tests: fall back to a minimal base.html when the project has none yet (the
    project's own templates come first and win when they exist)."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    return override_settings(TEMPLATES=templates)(cls)
