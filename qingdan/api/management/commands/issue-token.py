from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from qingdan.api.permissions import is_staff_member
from qingdan.orgs.models import User


class Command(BaseCommand):
    help = (
        "Issue (or show) the API token of a staff account, for a system that calls the API "
        "as that account: it sees and may do what the account may. Tokens are also listed "
        "and revoked in the admin (Auth Token)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="replace the existing token")
        parser.add_argument("--revoke", action="store_true", help="delete the token")

    def handle(self, *args, username: str, rotate: bool, revoke: bool, **options):
        user = User.objects.filter(username=username).first()
        if user is None or not is_staff_member(user):
            raise CommandError(f"No active account {username!r} with a role.")
        if rotate or revoke:
            Token.objects.filter(user=user).delete()
        if revoke:
            self.stderr.write(f"Token of {username} revoked.")
            return
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
