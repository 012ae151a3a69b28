"""The import report as CSV (UTF-8 with BOM, so Excel shows the Chinese)."""

import csv
from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _

from qingdan.core import pii

from ..choices import ProblemKind


def report_header() -> list[str]:
    return [_("Row"), _("Column"), _("Kind"), _("Problem"), _("Value"), _("Case")]


def report_line(row, column, kind, message, value, tracking_number="") -> list[str]:
    # Values are masked when the problem is recorded; masked again for older reports.
    value = pii.mask_text(value)
    return [str(row), column, str(ProblemKind(kind).label), str(message), value, tracking_number]


def write_report(lines: Iterable[list[str]], handle: IO[str]) -> None:
    handle.write("\ufeff")
    writer = csv.writer(handle)
    writer.writerow(report_header())
    writer.writerows(lines)


def run_report_lines(run, kind: str | None = None) -> Iterable[list[str]]:
    problems = run.problems.order_by("row", "pk")
    if kind:
        problems = problems.filter(kind=kind)
    rows = problems.values_list(
        "row", "column", "kind", "message", "value", "case__tracking_number"
    ).iterator(chunk_size=2000)
    for row, column, kind_, message, value, number in rows:
        yield report_line(row, column, kind_, message, value, number or "")
