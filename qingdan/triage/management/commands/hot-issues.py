import csv
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qingdan.triage.hotissues import DISTANCE, GROWTH_DAYS, Doc, find_hot_issues

# Column names accepted, English or as published with the message-board data.
COLUMNS = {
    "key": ("message_id", "id", "留言编号"),
    "title": ("title", "留言主题"),
    "text": ("detail", "text", "content", "留言详情"),
    "at": ("time", "registered_at", "留言时间"),
    "area": ("area", "jurisdiction", "地区"),
    "weight": ("likes", "点赞数"),
}
TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d")


def _pick(row: dict, field: str) -> str:
    for name in COLUMNS[field]:
        if row.get(name):
            return row[name].strip()
    return ""


def _time(value: str) -> dt.datetime | None:
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


class Command(BaseCommand):
    help = (
        "Print the hottest clusters of similar messages in a CSV (title/detail/time columns, "
        "English or 留言主题/留言详情/留言时间)."
    )
    requires_migrated_database = False  # reads a CSV only (qingdan.core.database)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--min-size", type=int, default=3)
        parser.add_argument(
            "--days", type=int, help="only the last N days before the newest message"
        )
        parser.add_argument("--distance", type=float, default=DISTANCE)
        parser.add_argument(
            "--growth-days",
            type=int,
            default=GROWTH_DAYS,
            help="growth: the last N days before the newest message against the N days before",
        )

    def handle(
        self, *args, file: Path, top: int, min_size: int, days, distance, growth_days, **options
    ):
        try:
            with file.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
            ) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": file}) from exc
        docs = []
        for number, row in enumerate(rows, 1):
            title, text = _pick(row, "title"), _pick(row, "text")
            if not (title or text):
                continue
            weight = _pick(row, "weight")
            docs.append(
                Doc(
                    key=_pick(row, "key") or number,
                    title=title or text[:40],
                    text=text,
                    at=_time(_pick(row, "at")),
                    area=_pick(row, "area"),
                    weight=int(weight) if weight.isdigit() else 0,
                )
            )
        if not docs:
            raise CommandError(
                _("No messages with a title or a text in %(file)s.") % {"file": file}
            )
        stamps = [d.at for d in docs if d.at]
        if days and stamps:
            newest = max(stamps)
            docs = [d for d in docs if d.at and d.at >= newest - dt.timedelta(days=days)]
        issues = find_hot_issues(
            docs, min_size=min_size, distance=distance, limit=top, growth_days=growth_days
        )
        self.stdout.write(
            _("%(n)d messages, %(k)d clusters of at least %(min)d shown")
            % {"n": len(docs), "k": len(issues), "min": min_size}
        )
        for rank, issue in enumerate(issues, 1):
            span = (
                f"{issue.first:%Y-%m-%d} – {issue.last:%Y-%m-%d}"
                if issue.first and issue.last
                else ""
            )
            self.stdout.write(
                f"\n#{rank}  "
                + _(
                    "size %(size)d, last %(days)d days %(recent)d (before %(earlier)d, "
                    "growth %(growth)+.0f%%), "
                    "likes %(likes)d  %(span)s"
                )
                % {
                    "size": issue.size,
                    "recent": issue.recent,
                    "earlier": issue.earlier,
                    "days": growth_days,
                    "growth": issue.growth * 100,
                    "likes": issue.weight,
                    "span": span,
                }
            )
            self.stdout.write("    " + _("key words: %(k)s") % {"k": "、".join(issue.keywords)})
            for doc in issue.samples:
                self.stdout.write(f"    - {doc.title}")
