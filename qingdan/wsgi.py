import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from qingdan.core.checks import refuse_public_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
application = get_wsgi_application()
# A WSGI server (gunicorn, uWSGI) runs no system checks: refuse the public key here.
refuse_public_key()

# Models load only once the application is set up above.
from qingdan.triage.warmup import start_warming  # noqa: E402

if settings.QINGDAN_TRIAGE_AT_INTAKE == "inline":
    # The group-risk scan runs in the request: fill its per-process vector cache in the
    # background, so the first intake of each town after a restart does not pay for it.
    start_warming()
