#!/usr/bin/env python3
"""Pictures of one official document per kind family for the README
(docs/screenshots/document-*.png): each issued on a throw-away SQLite county, its
first PDF page rendered by pdftoppm (poppler-utils).

    .venv/bin/python scripts/document_screenshots.py

Needs Debian's fonts-noto-cjk and poppler-utils.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WORK = Path(tempfile.mkdtemp(prefix="qingdan-document-shots-"))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "qingdan.settings",
        "QINGDAN_DATA_DIR": str(WORK),
        "DATABASE_URL": f"sqlite:///{WORK / 'shots.sqlite3'}",
    }
)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from qingdan.documents import actions  # noqa: E402
from qingdan.documents.choices import DocumentKind as K  # noqa: E402
from qingdan.documents.tests import helpers as h  # noqa: E402
from qingdan.orgs.testing import build_county  # noqa: E402


def shoot(name: str, document) -> None:
    pdf = WORK / f"{name}.pdf"
    pdf.write_bytes(document.latest.pdf.read())
    target = OUT / f"document-{name}"
    first_page = ["-f", "1", "-l", "1", "-singlefile"]
    subprocess.run(["pdftoppm", "-png", "-r", "60", *first_page, str(pdf), str(target)], check=True)
    print(f"{target}.png  {document.title} {document.reference}")


def main() -> None:
    call_command("migrate", verbosity=0)
    org = build_county()
    agent, boss = org.village_agent, org.city_supervisor
    answer = actions.issue(agent, h.replied(org), kind=K.REPLY)
    families = {
        "notice": actions.issue(agent, h.accepted(org), kind=K.ACCEPTANCE),
        "answer": answer,
        "slip": actions.issue(boss, h.notice(org), kind=K.SUPERVISION_SLIP),
        "report": actions.issue(boss, h.assigned_by_superior(org), kind=K.COMPLETION_REPORT),
        "minutes": actions.issue(boss, h.held_meeting(org), kind=K.MEETING_MINUTES),
        "agreement": actions.issue(agent, h.with_agreement(org), kind=K.CLOSURE_AGREEMENT),
        "receipt": actions.issue(agent, answer, kind=K.SERVICE_RECEIPT),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for name, document in families.items():
        shoot(name, document)


if __name__ == "__main__":
    main()
