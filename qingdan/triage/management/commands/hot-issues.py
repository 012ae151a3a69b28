import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qingdan.triage.hotissues import DISTANCE, GROWTH_DAYS, find_hot_issues, read_messages
from qingdan.triage.text import UnreadableFile


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
            docs = read_messages(file)
        except UnreadableFile as error:
            raise CommandError(str(error)) from error
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
            self.stdout.write(f"\n#{rank}  {issue.name}")
            self.stdout.write(
                "    "
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
                # A generic title (求助) says nothing: the detail's opening does.
                detail = doc.text.removeprefix(doc.title).strip()[:40]
                line = f"{doc.title}：{detail}" if detail else doc.title
                self.stdout.write(f"    - {line}")
