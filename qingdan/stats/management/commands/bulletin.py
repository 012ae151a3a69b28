from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from qingdan.core.errors import ValidationFailed
from qingdan.orgs.models import Jurisdiction, User
from qingdan.stats import bulletin
from qingdan.stats.periods import parse_period


class Command(BaseCommand):
    help = (
        "Write the periodic bulletin (PDF) for a period: 2026, 2026H1, 2026Q3 or 2026-07. "
        "Everything by default, or one jurisdiction (--jurisdiction CODE), or what one "
        "account may see (--user NAME). Needs a CJK font (Debian: fonts-noto-cjk)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--jurisdiction", help="12-digit division code")
        scope.add_argument("--user", help="write it as this account sees the cases")
        parser.add_argument("--output", type=Path, help="PDF file (default bulletin-PERIOD.pdf)")
        parser.add_argument("--text", action="store_true", help="print the statements only")
        parser.add_argument("--language", default="zh-hans")

    def handle(self, *args, period, jurisdiction, user, output, text, language, **options):
        try:
            parsed = parse_period(period)
        except ValidationFailed as error:
            raise CommandError(str(error.errors["period"][0])) from error
        if user:
            viewer = User.objects.filter(username=user, is_active=True).first()
            if viewer is None:
                raise CommandError(_("No active account %(user)s.") % {"user": user})
        else:
            place = None
            if jurisdiction:
                place = Jurisdiction.objects.filter(code=jurisdiction).first()
                if place is None:
                    raise CommandError(
                        _("No jurisdiction with the code %(code)s.") % {"code": jurisdiction}
                    )
            viewer = bulletin.viewer_for(place)
        with translation.override(language):
            if text:
                context = bulletin.bulletin_context(viewer, parsed)
                self.stdout.write(context["title"])
                for paragraph in context["statements"]:
                    self.stdout.write(paragraph)
                return
            target = output or Path(f"bulletin-{parsed.code}.pdf")
            try:
                target.write_bytes(bulletin.render_pdf(viewer, parsed))
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": target, "error": error}
                ) from error
        self.stdout.write(_("Bulletin written to %(file)s") % {"file": target})
