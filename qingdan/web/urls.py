"""The staff workbench, mounted at /."""

from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("intake/", views.intake, name="intake"),
    path("intake/check/", views.intake_check, name="intake-check"),
    path("intake/questions/", views.intake_questions, name="intake-questions"),
    path("cases/options/", views.case_options, name="case-options"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/act/<slug:action>/", views.case_action, name="case-action"),
    path("cases/<int:pk>/reveal/", views.reveal, name="reveal"),
    path(
        "cases/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment,
        name="attachment",
    ),
]
