from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("qingdan.api.urls")),
    path("open311/v2/", include("qingdan.open311.urls")),
    path("triage/", include("qingdan.triage.urls")),
    path("stats/", include("qingdan.stats.urls")),
    path("accounts/", include("qingdan.web.account_urls")),
    path("portal/", include("qingdan.web.portal_urls")),
    path("intake/", include("qingdan.intake.urls")),
    path("supervision/", include("qingdan.supervision.urls")),
    path("documents/", include("qingdan.documents.urls")),
    path("", include("qingdan.web.urls")),
]

# Errors in the format of the part of the site asked (JSON under /api/, Open311's error
# list under /open311/, HTML elsewhere).
handler400 = "qingdan.error_views.bad_request"
handler403 = "qingdan.error_views.permission_denied"
handler404 = "qingdan.error_views.page_not_found"
handler500 = "qingdan.error_views.server_error"
