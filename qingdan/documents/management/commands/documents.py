import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qingdan.cases.choices import State
from qingdan.cases.models import Case
from qingdan.core.errors import ActionError
from qingdan.documents import batch
from qingdan.documents.choices import DocumentKind
from qingdan.orgs.models import User

# The step whose date --since reads, per kind printed.
SINCE_FIELD = {DocumentKind.ACCEPTANCE: "accepted_at", DocumentKind.REPLY: "replied_at"}
KIND_NAMES = {"acceptance": DocumentKind.ACCEPTANCE, "reply": DocumentKind.REPLY}


class Command(BaseCommand):
    help = (
        "Print a batch of acceptance notices (--kind acceptance) or written answers "
        "(--kind reply: 答复/复查/复核意见书 by the case's level) into one PDF, each followed "
        "by its service receipt, for printing and mailing. Cases by tracking number "
        "(--cases ZY-2026-000001,…) or by state (--state replied [--since 2026-12-01]); "
        "acting as an account (--user), which sees and issues what it may in the web UI. "
        "Documents not yet issued are issued (numbered and stored) unless --no-issue."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=sorted(KIND_NAMES), required=True)
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--cases", help="tracking numbers, separated by commas")
        which.add_argument("--state", choices=State.values)
        parser.add_argument(
            "--since", type=dt.date.fromisoformat, help="accepted / replied on or after YYYY-MM-DD"
        )
        parser.add_argument("--user", required=True, help="the account that prints")
        parser.add_argument("--output", type=Path, required=True, help="the PDF to write")
        parser.add_argument("--no-issue", action="store_true", help="print issued ones only")
        parser.add_argument("--no-receipts", action="store_true", help="without 送达回证")

    def handle(self, *args, kind, cases, state, since, user, output, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(_("No active account %(user)s.") % {"user": user})
        kind = KIND_NAMES[kind]
        selected = self.select(actor, kind, cases, state, since)
        if not selected:
            raise CommandError(_("No case to print."))
        with translation.override("zh-hans"):
            try:
                result = batch.print_batch(
                    actor,
                    selected,
                    kind,
                    issue_missing=not options["no_issue"],
                    receipts=not options["no_receipts"],
                )
            except ActionError as error:
                raise CommandError(str(error.message)) from error
        for item in result.skipped:
            self.stderr.write(f"{item.case.tracking_number}: {item.problem}")
        if not result.pdf:
            raise CommandError(_("Nothing to print."))
        try:
            output.write_bytes(result.pdf)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error}
            ) from error
        self.stdout.write(
            _("%(printed)d documents (%(issued)d issued now) in %(file)s; %(skipped)d left out.")
            % {
                "printed": len(result.printed),
                "issued": len(result.issued),
                "file": output,
                "skipped": len(result.skipped),
            }
        )

    def select(self, actor, kind, cases, state, since) -> list[Case]:
        visible = Case.objects.visible_to(actor).select_related("jurisdiction__parent")
        if cases:
            numbers = list(dict.fromkeys(n.strip() for n in cases.split(",") if n.strip()))
            found = {c.tracking_number: c for c in visible.filter(tracking_number__in=numbers)}
            missing = [n for n in numbers if n not in found]
            if missing:
                raise CommandError(
                    _("No case you may see has the tracking number %(numbers)s.")
                    % {"numbers": ", ".join(missing)}
                )
            return [found[n] for n in numbers]
        chosen = visible.filter(state=state)
        if since is not None:
            start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
            chosen = chosen.filter(**{f"{SINCE_FIELD[kind]}__gte": start})
        return list(chosen.order_by("registered_at", "pk"))
