"""Mounted at /intake/ beside the workbench's own /intake/ (new case) and
/intake/check/, which these patterns leave alone."""

from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_run, name="import-run"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("imports/<int:pk>/report.csv", views.import_report, name="import-report"),
    path("imports/<int:pk>/restart/", views.import_restart, name="import-restart"),
    path("visits/", views.visits, name="visits"),
    path("visits/new/", views.visit_new, name="visit-new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("policy/", views.policy, name="policy"),
    path("policy/new/", views.policy_edit, name="policy-new"),
    path("policy/<int:pk>/edit/", views.policy_edit, name="policy-edit"),
    path("policy/<int:pk>/cite/", views.policy_cite, name="policy-cite"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/new/", views.assignment_new, name="assignment-new"),
    path("assignments/<int:pk>/report/", views.assignment_report, name="assignment-report"),
    path("quick/", views.quick, name="quick"),
]
