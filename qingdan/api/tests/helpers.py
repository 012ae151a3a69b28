from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from qingdan.cases import actions
from qingdan.orgs.testing import PERSON


def token_client(user) -> APIClient:
    """A client that authenticates as a system would: with the account's API token."""
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def register(user, place, title="路灯坏了", **extra):
    return actions.register_case(
        user,
        channel="walk_in",
        title=title,
        content="村口路灯不亮",
        jurisdiction=place,
        petitioner=dict(PERSON),
        **extra,
    )
