import os

from django.core.wsgi import get_wsgi_application

from qingdan.core.checks import refuse_public_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
application = get_wsgi_application()
# A WSGI server (gunicorn, uWSGI) runs no system checks: refuse the public key here.
refuse_public_key()
