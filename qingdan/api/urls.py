from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from qingdan.cases.api import CaseViewSet, PetitionerViewSet
from qingdan.documents.api import DocumentViewSet
from qingdan.intake.api import AssignmentViewSet, QuickEntryViewSet
from qingdan.orgs.api import CategoryViewSet, DepartmentViewSet, JurisdictionViewSet
from qingdan.stats.api import IndicatorsView, ResultsView
from qingdan.supervision.api import DecisionViewSet, KeyCaseViewSet, MeetingViewSet, NoticeViewSet

app_name = "api"

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("petitioners", PetitionerViewSet, basename="petitioner")
router.register("jurisdictions", JurisdictionViewSet, basename="jurisdiction")
router.register("departments", DepartmentViewSet, basename="department")
router.register("categories", CategoryViewSet, basename="category")
router.register("documents", DocumentViewSet, basename="document")
router.register("intake/assignments", AssignmentViewSet, basename="intake-assignment")
router.register("intake/quick", QuickEntryViewSet, basename="intake-quick")
router.register("supervision/notices", NoticeViewSet, basename="supervision-notice")
router.register("supervision/key-cases", KeyCaseViewSet, basename="supervision-key-case")
router.register("supervision/meetings", MeetingViewSet, basename="supervision-meeting")
router.register("supervision/decisions", DecisionViewSet, basename="supervision-decision")

urlpatterns = [
    path("", include(router.urls)),
    path("statistics/", IndicatorsView.as_view(), name="statistics"),
    path("results/", ResultsView.as_view(), name="results"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
