"""`Cache-Control: no-store` on every answer that may carry personal data, so that no
browser, shared computer or proxy keeps a copy.

By category rather than view by view: every answer built from a session (whatever a
signed-in account sees — the queue, case pages, intake checks, exports, statistics —
and the portal's look-up and its pages of a case, which remember the case in the
session) and every API answer (token or session). Public pages that read no session
(the portal's form, Open311's scrubbed lists, static files) stay cacheable.
"""

from django.utils.cache import add_never_cache_headers, patch_cache_control

API_PREFIX = "/api/"


def carries_personal_data(request) -> bool:
    # Read the flag, not request.user: touching the user would read the session.
    session = getattr(request, "session", None)
    return (session is not None and session.accessed) or request.path.startswith(API_PREFIX)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if carries_personal_data(request):
            if response.has_header("Cache-Control"):
                patch_cache_control(response, no_store=True, private=True)
            else:
                add_never_cache_headers(response)
        return response
