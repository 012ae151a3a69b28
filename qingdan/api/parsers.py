"""DRF's JSON parser with the limits Django applies to form bodies.

DRF reads a JSON body straight from the stream, so neither DATA_UPLOAD_MAX_MEMORY_SIZE
nor any depth limit applied: a 100 MB body was read whole, and 100,000 nested `[` ended
in a RecursionError (500). Both are now the API's own errors (413, 400 parse_error).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from .errors import RequestTooLarge


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request is not None and declared_length(request) > limit:
            raise RequestTooLarge()
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - nested too deeply.")) from None
