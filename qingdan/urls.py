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
