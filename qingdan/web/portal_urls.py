"""The citizen portal, mounted at /portal/ (no login)."""

from django.urls import path

from . import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.submit, name="submit"),
    path("submitted/", portal_views.submitted, name="submitted"),
    path("questions/", portal_views.questions, name="questions"),
    path("track/", portal_views.track, name="track"),
    path("track/<str:tracking_number>/", portal_views.case_status, name="case"),
    path("track/<str:tracking_number>/evaluate/", portal_views.evaluate, name="evaluate"),
    path("track/<str:tracking_number>/review/", portal_views.review, name="review"),
    path(
        "track/<str:tracking_number>/documents/<int:pk>/",
        portal_views.document,
        name="document",
    ),
]
