"""Official documents: 1,000 written answers issued (numbered, rendered as PDF and
.docx, stored with their SHA-256, on the timeline), documents per second, peak memory;
then one bulk print of 200 of them with their service receipts.

Creates a throw-away county in a temporary SQLite file (or in the database of
DATABASE_URL, which it fills: give it an empty one) and 1,000 answered cases first.

    .venv/bin/python bench/documents_bench.py [--count 1000] [--batch 200]
"""

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.mkdtemp(prefix="qingdan-documents-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ["QINGDAN_DATA_DIR"] = str(WORK)
os.environ["QINGDAN_TRIAGE_AT_INTAKE"] = "worker"  # intake analysis is not measured here
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from qingdan.cases import actions as cases  # noqa: E402
from qingdan.documents import actions, batch, render  # noqa: E402
from qingdan.documents.choices import DocumentKind  # noqa: E402
from qingdan.documents.models import Document  # noqa: E402
from qingdan.orgs.testing import PERSON, build_county  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def answered_cases(org, count: int):
    made = []
    for index in range(count):
        case = cases.register_case(
            org.village_agent,
            channel="walk_in",
            title=f"村口路灯不亮（{index}）",
            content="欧家夼村村口路灯已坏一个月，夜间出行不便。" * 3,
            jurisdiction=org.village,
            petitioner=dict(PERSON),
        )
        cases.accept(org.village_agent, case)
        cases.reply(
            org.village_agent,
            case,
            reply_opinion="explains",
            reply_text="经现场查看，路灯线路老化，已更换完毕，现已恢复照明。" * 4,
        )
        made.append(case)
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    print(f"database: {connection.vendor}; media: {settings.MEDIA_ROOT}")
    call_command("migrate", verbosity=0)
    org = build_county()
    started = time.perf_counter()
    subjects = answered_cases(org, args.count)
    print(f"{args.count:,} answered cases prepared in {time.perf_counter() - started:.1f} s")
    before = peak_mib()

    started = time.perf_counter()
    for case in subjects:
        actions.issue(org.village_agent, case, kind=DocumentKind.REPLY)
    elapsed = time.perf_counter() - started
    documents = list(Document.objects.order_by("pk"))
    stored = sum(d.latest.size for d in documents[:50]) / min(50, len(documents))
    count = len(documents)
    print(
        f"issued {count:,} documents in {elapsed:.1f} s: "
        f"{count / elapsed:.1f} documents/s ({1000 * elapsed / count:.0f} ms each)"
    )
    numbers = sorted(d.number for d in documents)
    print(f"numbers 1..{numbers[-1]}, gapless: {numbers == list(range(1, len(numbers) + 1))}")
    print(f"average PDF {stored / 1024:.0f} KiB")
    print(f"peak RSS {before:.0f} MiB before issuing, {peak_mib():.0f} MiB after")

    draft = documents[0].latest.content
    for name, function in (("PDF", render.pdf_of), (".docx", render.docx_of)):
        started = time.perf_counter()
        for _ in range(20):
            function(draft)
        print(f"render {name} alone: {1000 * (time.perf_counter() - started) / 20:.0f} ms")

    chosen = subjects[: args.batch]
    started = time.perf_counter()
    printed = batch.print_batch(org.village_agent, chosen, DocumentKind.REPLY)
    elapsed = time.perf_counter() - started
    print(
        f"bulk print of {len(printed.printed)} answers + receipts: {elapsed:.1f} s, "
        f"{len(printed.pdf) / 2**20:.1f} MiB PDF; peak RSS {peak_mib():.0f} MiB"
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
